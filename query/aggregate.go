package query

import (
	"context"
	"math/big"
	"slices"
	"strconv"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// aggRequest is a validated aggregation request.
type aggRequest struct {
	t       *target
	aggs    []string
	groups  []field // the drilldown, plus currency when mixed
	filters []Filter
	order   []Order
	// mixed is set when amounts of several currencies are selected; then
	// groups include currency at index curKey.
	mixed    bool
	curKey   int
	currency string // the one currency when not mixed
	size     int
	offset   int
	top      int
	lang     string
}

var currencyField = field{Ref: mizan.DimCurrency, Dim: mizan.DimCurrency, Column: Column{Name: store.ColCurrency, Type: TypeString}, Fixed: true}

// Aggregate answers an aggregation: the page of cells the drilldown makes
// of the facts the cuts keep, their labels, the grand totals and the number
// of cells. See the package documentation for exactness, ordering and mixed
// currencies; Top folds the cells after the first Top into one "other" cell
// (one per currency when currencies are mixed) and then PageSize and Offset
// do not apply.
func (s *Service) Aggregate(ctx context.Context, q mizan.AggregateQuery) (*mizan.AggregateResult, error) {
	ctx, done, err := s.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer done()
	r, err := s.resolveAggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	if normalizationAsked(q.Normalization) {
		return s.normalizedAggregate(ctx, r, q.Cuts, q.Normalization)
	}
	return s.aggregate(ctx, r)
}

func (s *Service) resolveAggregate(ctx context.Context, q mizan.AggregateQuery) (*aggRequest, error) {
	t, err := s.version(ctx, q.Dataset, q.Version, q.IncludeDrafts)
	if err != nil {
		return nil, err
	}
	r := &aggRequest{t: t, curKey: -1, offset: q.Offset, top: q.Top, lang: q.Lang}
	if r.aggs, err = resolveAggregates(q.Aggregates); err != nil {
		return nil, err
	}
	if r.groups, err = resolveDrilldown(t, q.Drilldown); err != nil {
		return nil, err
	}
	if r.order, err = resolveAggregateOrder(t, q.Order, r.groups); err != nil {
		return nil, err
	}
	if r.filters, err = s.resolveCuts(ctx, t, q.Cuts); err != nil {
		return nil, err
	}
	if r.size, err = pageSize(q.PageSize); err != nil {
		return nil, err
	}
	if err := checkOffset(q.Offset); err != nil {
		return nil, err
	}
	if q.Top < 0 || q.Top > mizan.MaxPageSize {
		return nil, mizan.FieldErrorf("top", "must be between 0 and %d, got %d", mizan.MaxPageSize, q.Top)
	}
	r.resolveCurrency(q.Cuts, q.Normalization.FXRates != "")
	return r, nil
}

// resolveCurrency decides whether the selection mixes currencies and, if
// so, groups by currency (first in the order when it was not asked for).
func (r *aggRequest) resolveCurrency(cuts []mizan.Cut, converting bool) {
	v := r.t.v
	if c, ok := singleValue(cuts, mizan.DimCurrency); ok {
		r.currency = c
		return
	}
	if len(v.Currencies) <= 1 || converting {
		if len(v.Currencies) == 1 {
			r.currency = v.Currencies[0]
		}
		return
	}
	r.mixed = true
	for i, g := range r.groups {
		if g.Column.Name == store.ColCurrency {
			r.curKey = i
			return
		}
	}
	r.groups = append(r.groups, currencyField)
	r.curKey = len(r.groups) - 1
	r.order = append([]Order{{By: OrderKey, Key: r.curKey}}, r.order...)
}

func (r *aggRequest) plan() *AggregatePlan {
	p := &AggregatePlan{Source: r.t.src, Groups: columns(r.groups), Filters: r.filters, Order: r.order}
	if r.mixed {
		p.Totals = []Column{currencyField.Column}
	}
	return p
}

// aggregate answers a request without normalisation: the engine orders
// and pages the cells and, in the same statement, counts them and computes
// the totals (Stats), and folds the "other" cells (Top).
func (s *Service) aggregate(ctx context.Context, r *aggRequest) (*mizan.AggregateResult, error) {
	scale := r.t.v.Scale
	p := r.plan()
	p.Stats = true
	p.Extremes = slices.Contains(r.aggs, "amount."+mizan.AggMin) || slices.Contains(r.aggs, "amount."+mizan.AggMax)
	if r.top > 0 {
		p.Top = r.top
	} else {
		p.Limit, p.Offset = r.size, r.offset
	}
	rows, err := s.aggregateRows(ctx, p)
	if err != nil {
		return nil, err
	}
	var stats *cellStats
	if p.Top > 0 {
		stats = r.topStats(rows)
	} else if len(rows) > 0 {
		stats = rows[0].stats
	} else if p.Offset > 0 {
		// A page past the last cell: read the statistics with the first.
		fp := *p
		fp.Limit, fp.Offset = 1, 0
		first, err := s.aggregateRows(ctx, &fp)
		if err != nil {
			return nil, err
		}
		if len(first) > 0 {
			stats = first[0].stats
		}
	}
	if stats == nil {
		stats = &cellStats{} // no cells: nothing is selected
	}
	lab := s.newLabeler(r.t, r.lang)
	for _, c := range rows {
		if c.other {
			continue
		}
		for k, g := range r.groups {
			lab.add(g, c.keys[k])
		}
	}
	if err := lab.fetch(ctx); err != nil {
		return nil, err
	}
	res := &mizan.AggregateResult{
		TotalCellCount: stats.cells,
		Dataset:        r.t.ds.ID,
		Version:        r.t.v.Number,
		Currency:       r.currency,
		Cells:          make([]mizan.Cell, 0, len(rows)),
	}
	for _, c := range rows {
		cell := r.newCell(c.keys, lab, c.other)
		r.plainValues(cell.Values, c.measures, c.total, scale)
		res.Cells = append(res.Cells, cell)
	}
	res.Summary = mizan.Cell{Keys: map[string]string{}, Labels: map[string]string{}, Values: make(map[string]string, len(r.aggs)), Currency: r.currency}
	if r.mixed {
		// Only the count adds up across currencies.
		res.Summary.Currency = ""
		if a := "amount." + mizan.AggCount; slices.Contains(r.aggs, a) {
			res.Summary.Values[a] = strconv.FormatInt(stats.allCount, 10)
		}
	} else {
		r.plainValues(res.Summary.Values, stats.total, stats.total.sum, scale)
	}
	if r.top == 0 {
		res.NextOffset = nextOffset(r.offset, len(rows), stats.cells)
	}
	return res, nil
}

// topStats derives the statistics of a Top answer from its rows, which
// hold every cell once, and sets each row's total.
func (r *aggRequest) topStats(rows []cellData) *cellStats {
	st := &cellStats{}
	totals := map[string]*big.Int{}
	for _, c := range rows {
		st.cells += c.folded
		st.allCount += c.count
		k := r.cellCurrencyKey(c.keys)
		totals[k] = addInt(totals[k], c.sum)
		st.total.sum = addInt(st.total.sum, c.sum)
		st.total.min = pickInt(st.total.min, c.min, -1)
		st.total.max = pickInt(st.total.max, c.max, 1)
	}
	st.total.count = st.allCount
	for i := range rows {
		rows[i].total = totals[r.cellCurrencyKey(rows[i].keys)]
	}
	return st
}

func addInt(a, b *big.Int) *big.Int {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return new(big.Int).Add(a, b)
}

// pickInt returns the smaller (dir -1) or larger (dir 1) of two values.
func pickInt(a, b *big.Int, dir int) *big.Int {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.Cmp(b) == dir:
		return a
	}
	return b
}

// aggregateRows runs an aggregate plan with Stats (or Top).
func (s *Service) aggregateRows(ctx context.Context, p *AggregatePlan) ([]cellData, error) {
	rdr, err := s.eng.Aggregate(ctx, p)
	if err != nil {
		return nil, internal("aggregate", err)
	}
	rows, err := readCellRows(rdr, len(p.Groups), "k", p.Source.Scale, p.Stats && p.Top == 0)
	if err != nil {
		return nil, internal("aggregate", err)
	}
	return rows, nil
}

func (r *aggRequest) cellCurrencyKey(keys []string) string {
	if r.mixed {
		return keys[r.curKey]
	}
	return ""
}

// exact is a cell's measures as exact rationals (nil when NULL), after any
// normalisation.
type exact struct {
	sum, min, max *big.Rat
	count         int64
}

func exactOf(u *big.Int, scale int32) *big.Rat {
	if u == nil {
		return nil
	}
	return ratOf(u, scale)
}

func exactCell(c measures, scale int32) exact {
	return exact{sum: exactOf(c.sum, scale), min: exactOf(c.min, scale), max: exactOf(c.max, scale), count: c.count}
}

// newCell returns an output cell with its keys and labels and an empty
// Values map. An "other" cell has only its currency key, when mixed.
func (r *aggRequest) newCell(keys []string, lab *labeler, other bool) mizan.Cell {
	n := len(r.groups)
	if other {
		n = 0
		if r.mixed {
			n = 1
		}
	}
	c := mizan.Cell{Keys: make(map[string]string, n), Labels: make(map[string]string, n), Values: make(map[string]string, len(r.aggs)), Currency: r.currency, Other: other}
	for k, g := range r.groups {
		if other && !(r.mixed && k == r.curKey) {
			continue
		}
		c.Keys[g.Ref] = keys[k]
		lab.put(c.Labels, &c.LabelLangs, g, g.Ref, keys[k])
	}
	if r.mixed {
		c.Currency = keys[r.curKey]
	}
	return c
}

// plainValues fills the requested aggregates from measures unscaled at
// scale (no normalisation), exactly as values does from the same figures as
// rationals: integer division rounded half to even instead of big.Rat.
// total is the sum shares are relative to.
func (r *aggRequest) plainValues(out map[string]string, m measures, total *big.Int, scale int32) {
	for _, a := range r.aggs {
		switch a {
		case "amount." + mizan.AggSum:
			if m.sum != nil {
				out[a] = formatUnscaled(m.sum, scale)
			} else {
				out[a] = formatUnscaledInt(0, scale)
			}
		case "amount." + mizan.AggCount:
			out[a] = strconv.FormatInt(m.count, 10)
		case "amount." + mizan.AggMin:
			if m.min != nil {
				out[a] = formatUnscaled(m.min, scale)
			}
		case "amount." + mizan.AggMax:
			if m.max != nil {
				out[a] = formatUnscaled(m.max, scale)
			}
		case "amount." + mizan.AggAvg:
			if m.sum != nil && m.count > 0 {
				// sum / 10^scale / count at scale+extraDigits decimals.
				num := new(big.Int).Mul(m.sum, pow10Int(extraDigits))
				out[a] = formatUnscaled(quoHalfEven(num, big.NewInt(m.count)), scale+extraDigits)
			}
		case "amount." + mizan.AggShare:
			if m.sum != nil && total != nil && total.Sign() != 0 {
				num := new(big.Int).Mul(m.sum, pow10Int(fractionDigits))
				out[a] = formatUnscaled(quoHalfEven(num, total), fractionDigits)
			}
		}
	}
}

// cell formats one output cell. digits is the number of decimals of money
// values: the scale, or scale+2 once normalised.
func (r *aggRequest) cell(keys []string, valid []bool, ex exact, total *big.Rat, lab *labeler, digits int32, other bool) mizan.Cell {
	c := mizan.Cell{Keys: map[string]string{}, Labels: map[string]string{}, Values: map[string]string{}, Currency: r.currency, Other: other}
	for k, g := range r.groups {
		if other && !(r.mixed && k == r.curKey) {
			continue // an "other" cell has only its currency key
		}
		c.Keys[g.Ref] = keys[k]
		lab.put(c.Labels, &c.LabelLangs, g, g.Ref, keys[k])
	}
	if r.mixed {
		c.Currency = keys[r.curKey]
	}
	r.values(c.Values, ex, total, digits, digits+extraDigits)
	return c
}

// values fills the requested aggregates. Money values get digits decimals,
// averages avgDigits, shares fractionDigits.
func (r *aggRequest) values(out map[string]string, ex exact, total *big.Rat, digits, avgDigits int32) {
	for _, a := range r.aggs {
		switch a {
		case "amount." + mizan.AggSum:
			if ex.sum != nil {
				out[a] = formatRat(ex.sum, digits)
			} else {
				out[a] = formatRat(new(big.Rat), digits)
			}
		case "amount." + mizan.AggCount:
			out[a] = strconv.FormatInt(ex.count, 10)
		case "amount." + mizan.AggMin:
			if ex.min != nil {
				out[a] = formatRat(ex.min, digits)
			}
		case "amount." + mizan.AggMax:
			if ex.max != nil {
				out[a] = formatRat(ex.max, digits)
			}
		case "amount." + mizan.AggAvg:
			if ex.sum != nil && ex.count > 0 {
				out[a] = formatRat(new(big.Rat).Quo(ex.sum, new(big.Rat).SetInt64(ex.count)), avgDigits)
			}
		case "amount." + mizan.AggShare:
			if ex.sum != nil && total != nil && total.Sign() != 0 {
				out[a] = formatRat(new(big.Rat).Quo(ex.sum, total), fractionDigits)
			}
		}
	}
}

// summaryOf formats the grand totals. With mixed currencies only the count
// is meaningful across currencies.
func (r *aggRequest) summaryOf(exs []exact, digits int32) mizan.Cell {
	c := mizan.Cell{Keys: map[string]string{}, Labels: map[string]string{}, Values: map[string]string{}, Currency: r.currency}
	var all exact
	for _, ex := range exs {
		all = merge(all, ex)
	}
	if r.mixed {
		c.Currency = ""
		for _, a := range r.aggs {
			if a == "amount."+mizan.AggCount {
				c.Values[a] = strconv.FormatInt(all.count, 10)
			}
		}
		return c
	}
	r.values(c.Values, all, all.sum, digits, digits+extraDigits)
	return c
}

// merge folds two cells' measures.
func merge(a, b exact) exact {
	out := exact{count: a.count + b.count}
	out.sum = addRat(a.sum, b.sum)
	out.min = pickRat(a.min, b.min, -1)
	out.max = pickRat(a.max, b.max, 1)
	return out
}

func addRat(a, b *big.Rat) *big.Rat {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return new(big.Rat).Add(a, b)
}

// pickRat returns the smaller (dir -1) or larger (dir 1) of two values.
func pickRat(a, b *big.Rat, dir int) *big.Rat {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.Cmp(b) == dir:
		return a
	}
	return b
}
