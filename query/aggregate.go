package query

import (
	"context"
	"math/big"
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
	ctx, done, err := s.begin(ctx, true)
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

// aggregate answers a request without normalisation: the engine orders and
// pages the cells.
func (s *Service) aggregate(ctx context.Context, r *aggRequest) (*mizan.AggregateResult, error) {
	scale := r.t.v.Scale
	p := r.plan()
	total, err := s.eng.Count(ctx, p)
	if err != nil {
		return nil, internal("count cells", err)
	}
	if r.top > 0 {
		p.Limit = r.top
	} else {
		p.Limit, p.Offset = r.size, r.offset
	}
	rdr, err := s.eng.Aggregate(ctx, p)
	if err != nil {
		return nil, internal("aggregate", err)
	}
	cells, err := readCells(rdr, len(p.Groups), "k", scale)
	if err != nil {
		return nil, internal("aggregate", err)
	}
	var rest []cellData
	if r.top > 0 && total > int64(r.top) {
		rp := *p
		rp.Limit, rp.Offset = 0, r.top
		rdr, err := s.eng.Rest(ctx, &rp)
		if err != nil {
			return nil, internal("fold other cells", err)
		}
		if rest, err = readCells(rdr, len(rp.Totals), "t", scale); err != nil {
			return nil, internal("fold other cells", err)
		}
	}
	rdr, err = s.eng.Summary(ctx, p)
	if err != nil {
		return nil, internal("summary", err)
	}
	sums, err := readCells(rdr, len(p.Totals), "t", scale)
	if err != nil {
		return nil, internal("summary", err)
	}

	lab := newLabeler(s.eng, r.t, r.lang)
	for _, c := range cells {
		for k, g := range r.groups {
			lab.add(g, c.keys[k])
		}
	}
	if err := lab.fetch(ctx); err != nil {
		return nil, err
	}
	totals := map[string]*big.Rat{} // currency ("" when not mixed) → total sum
	for _, sc := range sums {
		cur := ""
		if r.mixed {
			cur = sc.keys[0]
		}
		totals[cur] = exactOf(sc.sum, scale)
	}
	res := &mizan.AggregateResult{
		TotalCellCount: total,
		Dataset:        r.t.ds.ID,
		Version:        r.t.v.Number,
		Currency:       r.currency,
	}
	for _, c := range cells {
		ex := exactCell(c, scale)
		res.Cells = append(res.Cells, r.cell(c.keys, c.valid, ex, totals[r.cellCurrencyKey(c.keys)], lab, scale, false))
	}
	for _, c := range rest {
		keys, valid := r.otherKeys(c)
		ex := exactCell(c, scale)
		res.Cells = append(res.Cells, r.cell(keys, valid, ex, totals[r.cellCurrencyKey(keys)], lab, scale, true))
	}
	res.Summary = r.summary(sums, scale, scale)
	if r.top == 0 {
		res.NextOffset = nextOffset(r.offset, len(cells), total)
	}
	return res, nil
}

// otherKeys returns the keys of an "other" cell: only currency, when mixed.
func (r *aggRequest) otherKeys(c cellData) ([]string, []bool) {
	keys := make([]string, len(r.groups))
	valid := make([]bool, len(r.groups))
	if r.mixed && len(c.keys) > 0 {
		keys[r.curKey], valid[r.curKey] = c.keys[0], c.valid[0]
	}
	return keys, valid
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

func exactCell(c cellData, scale int32) exact {
	return exact{sum: exactOf(c.sum, scale), min: exactOf(c.min, scale), max: exactOf(c.max, scale), count: c.count}
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
		c.Labels[g.Ref] = lab.label(g, keys[k])
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

// summary formats the grand totals. With mixed currencies only the count
// is meaningful across currencies.
func (r *aggRequest) summary(sums []cellData, scale, digits int32) mizan.Cell {
	var exs []exact
	for _, sc := range sums {
		exs = append(exs, exactCell(sc, scale))
	}
	return r.summaryOf(exs, digits)
}

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
