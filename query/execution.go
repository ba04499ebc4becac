package query

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mizan-budget/mizan"
)

// defaultLowThreshold flags nodes that executed less than half their budget.
const defaultLowThreshold = "0.5"

// executionOrders maps the order references of an execution query.
var executionOrders = map[string]OrderBy{
	"rate":     OrderRate,
	"variance": OrderVariance,
	"approved": OrderApproved,
	"revised":  OrderRevised,
	"executed": OrderExecuted,
}

// Execution compares approved, revised and executed figures per node of the
// drilldown. Rate is executed ÷ revised, or ÷ approved when the node has no
// revised figure (RateBase says which), as a fraction rounded half to even
// to 6 decimals; Variance is executed − base. When the version has executed
// figures, a node without any counts as executed 0. Over flags a rate above
// 1, Under a rate below LowThreshold (default 0.5), both compared exactly.
// The default order is by keys; "rate", "variance", "approved", "revised",
// "executed" and drilldown references may be given. With mixed currencies,
// currency joins the drilldown and the Summary is left empty.
func (s *Service) Execution(ctx context.Context, q mizan.ExecutionQuery) (*mizan.ExecutionResult, error) {
	ctx, done, err := s.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer done()
	t, err := s.version(ctx, q.Dataset, q.Version, q.IncludeDrafts)
	if err != nil {
		return nil, err
	}
	r := &aggRequest{t: t, curKey: -1, offset: q.Offset, lang: q.Lang}
	if r.groups, err = resolveDrilldown(t, q.Drilldown); err != nil {
		return nil, err
	}
	if r.order, err = resolveExecutionOrder(t, q.Order, r.groups); err != nil {
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
	lowText := q.LowThreshold
	if lowText == "" {
		lowText = defaultLowThreshold
	}
	low, err := parseDecimal(lowText)
	if err != nil {
		return nil, mizan.FieldErrorf("low_threshold", "%v", err)
	}
	r.resolveCurrency(q.Cuts, false)

	p := &ExecutionPlan{
		Source:       t.src,
		Groups:       columns(r.groups),
		Filters:      r.filters,
		Order:        r.order,
		ExecutedZero: slices.Contains(t.v.Phases, mizan.PhaseExecuted),
		Limit:        r.size,
		Offset:       r.offset,
	}
	p.Stats = true
	rows, err := s.executionRows(ctx, p)
	if err != nil {
		return nil, err
	}
	var stats *phaseStats
	if len(rows) > 0 {
		stats = rows[0].stats
	} else if p.Offset > 0 {
		// A page past the last node: read the statistics with the first.
		fp := *p
		fp.Limit, fp.Offset = 1, 0
		first, err := s.executionRows(ctx, &fp)
		if err != nil {
			return nil, err
		}
		if len(first) > 0 {
			stats = first[0].stats
		}
	}
	var total int64
	if stats != nil {
		total = stats.nodes
	}
	res := &mizan.ExecutionResult{TotalRowCount: total, Dataset: t.ds.ID, Version: t.v.Number, Currency: r.currency, Rows: make([]mizan.ExecutionRow, 0, len(rows))}
	lab := s.newLabeler(t, r.lang)
	for _, row := range rows {
		for k, g := range r.groups {
			lab.add(g, row.keys[k])
		}
	}
	if err := lab.fetch(ctx); err != nil {
		return nil, err
	}
	for _, row := range rows {
		out := row.format(t.v.Scale, low, p.ExecutedZero)
		out.Keys, out.Labels, out.Currency = make(map[string]string, len(r.groups)), make(map[string]string, len(r.groups)), r.currency
		for k, g := range r.groups {
			out.Keys[g.Ref] = row.keys[k]
			lab.put(out.Labels, &out.LabelLangs, g, g.Ref, row.keys[k])
		}
		if r.mixed {
			out.Currency = row.keys[r.curKey]
		}
		res.Rows = append(res.Rows, out)
	}
	res.NextOffset = nextOffset(r.offset, len(rows), total)
	if !r.mixed {
		// The totals over every node are those over every fact; no facts,
		// no summary.
		if stats != nil {
			res.Summary = stats.total.format(t.v.Scale, low, p.ExecutedZero)
		}
		res.Summary.Currency = r.currency
	}
	return res, nil
}

func resolveExecutionOrder(t *target, orders []mizan.Order, groups []field) ([]Order, error) {
	if len(orders) > maxOrders {
		return nil, mizan.FieldErrorf("order", "at most %d terms, got %d", maxOrders, len(orders))
	}
	var out []Order
	for _, o := range orders {
		if by, ok := executionOrders[o.Ref]; ok {
			out = append(out, Order{By: by, Desc: o.Desc})
			continue
		}
		k, err := keyOrder(t, o.Ref, groups)
		if err != nil {
			return nil, err
		}
		out = append(out, Order{By: OrderKey, Key: k, Desc: o.Desc})
	}
	return out, nil
}

// phaseRow is one node's phase figures.
type phaseRow struct {
	keys []string
	phaseFigures
	// stats are the plan's statistics (Stats plans only).
	stats *phaseStats
}

type phaseFigures struct {
	approved, revised   *big.Int
	executed            *big.Int
	nApproved, nRevised int64
	nExecuted           int64
}

// phaseStats are the Stats columns of an execution row.
type phaseStats struct {
	nodes int64
	total phaseFigures
}

func (s *Service) executionRows(ctx context.Context, p *ExecutionPlan) ([]phaseRow, error) {
	rdr, err := s.eng.Execution(ctx, p)
	if err != nil {
		return nil, internal("execution", err)
	}
	scale := p.Source.Scale
	var out []phaseRow
	cols, err := phaseColumnsOf(rdr.Schema(), len(p.Groups), p.Stats)
	if err != nil {
		rdr.Release()
		return nil, internal("execution", err)
	}
	err = eachRow(rdr, func(rec arrow.RecordBatch, i int) error {
		row := phaseRow{keys: make([]string, len(p.Groups))}
		for k, at := range cols.keys {
			row.keys[k], _ = keyAt(rec.Column(at), i)
		}
		var err error
		if row.phaseFigures, err = cols.row.read(rec, i, scale); err != nil {
			return err
		}
		if p.Stats {
			row.stats = &phaseStats{}
			row.stats.nodes, _ = intAt(rec.Column(cols.nodes), i)
			if row.stats.total, err = cols.total.read(rec, i, scale); err != nil {
				return err
			}
		}
		out = append(out, row)
		return nil
	})
	if err != nil {
		return nil, internal("execution", err)
	}
	return out, nil
}

// phaseColumns are the column indices of an execution record.
type phaseColumns struct {
	keys       []int
	row, total phaseIndex
	nodes      int
}

// phaseIndex are the indices of the sum and count of each phase.
type phaseIndex [3][2]int

func phaseColumnsOf(s *arrow.Schema, nKeys int, stats bool) (phaseColumns, error) {
	c := phaseColumns{keys: make([]int, nKeys), nodes: -1}
	find := func(name string) (int, error) {
		if at := index(s, name); at >= 0 {
			return at, nil
		}
		return -1, fmt.Errorf("read records: no column %q", name)
	}
	var err error
	for k := range c.keys {
		if c.keys[k], err = find("k" + strconv.Itoa(k)); err != nil {
			return c, err
		}
	}
	for i, ph := range executionPhases {
		if c.row[i][0], err = find(ph + "_sum"); err != nil {
			return c, err
		}
		if c.row[i][1], err = find(ph + "_count"); err != nil {
			return c, err
		}
		if !stats {
			continue
		}
		if c.total[i][0], err = find("total_" + ph + "_sum"); err != nil {
			return c, err
		}
		if c.total[i][1], err = find("total_" + ph + "_count"); err != nil {
			return c, err
		}
	}
	if stats {
		if c.nodes, err = find(colCells); err != nil {
			return c, err
		}
	}
	return c, nil
}

// read reads the phase figures of row i.
func (x phaseIndex) read(rec arrow.RecordBatch, i int, scale int32) (phaseFigures, error) {
	var f phaseFigures
	for j, m := range []struct {
		sum **big.Int
		n   *int64
	}{{&f.approved, &f.nApproved}, {&f.revised, &f.nRevised}, {&f.executed, &f.nExecuted}} {
		var err error
		if *m.sum, err = decimalAt(rec.Column(x[j][0]), i, scale); err != nil {
			return f, err
		}
		*m.n, _ = intAt(rec.Column(x[j][1]), i)
	}
	return f, nil
}

// format computes the row's figures exactly.
func (r phaseFigures) format(scale int32, low *big.Rat, executedZero bool) mizan.ExecutionRow {
	var out mizan.ExecutionRow
	str := func(u *big.Int, n int64) string {
		if u == nil || n == 0 {
			return ""
		}
		return formatUnscaled(u, scale)
	}
	out.Approved = str(r.approved, r.nApproved)
	out.Revised = str(r.revised, r.nRevised)
	executed := r.executed
	if r.nExecuted == 0 {
		executed = nil
		if executedZero {
			executed = new(big.Int)
		}
	}
	if executed != nil {
		out.Executed = formatUnscaled(executed, scale)
	}
	var base *big.Int
	switch {
	case r.nRevised > 0 && r.revised != nil:
		base, out.RateBase = r.revised, mizan.PhaseRevised
	case r.nApproved > 0 && r.approved != nil:
		base, out.RateBase = r.approved, mizan.PhaseApproved
	}
	if base == nil || executed == nil {
		return out
	}
	out.Variance = formatUnscaled(new(big.Int).Sub(executed, base), scale)
	if base.Sign() == 0 {
		return out
	}
	rate := new(big.Rat).SetFrac(executed, base)
	out.Rate = formatRat(rate, fractionDigits)
	out.Over = rate.Cmp(big.NewRat(1, 1)) > 0
	out.Under = rate.Cmp(low) < 0
	return out
}
