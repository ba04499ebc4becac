package query

import (
	"context"
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
	ctx, done, err := s.begin(ctx, true)
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
	total, err := s.eng.Count(ctx, &AggregatePlan{Source: t.src, Groups: p.Groups, Filters: p.Filters})
	if err != nil {
		return nil, internal("count nodes", err)
	}
	rows, err := s.executionRows(ctx, p)
	if err != nil {
		return nil, err
	}
	res := &mizan.ExecutionResult{TotalRowCount: total, Dataset: t.ds.ID, Version: t.v.Number, Currency: r.currency}
	lab := newLabeler(s.eng, t, r.lang)
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
		out.Keys, out.Labels, out.Currency = map[string]string{}, map[string]string{}, r.currency
		for k, g := range r.groups {
			out.Keys[g.Ref] = row.keys[k]
			out.Labels[g.Ref] = lab.label(g, row.keys[k])
		}
		if r.mixed {
			out.Currency = row.keys[r.curKey]
		}
		res.Rows = append(res.Rows, out)
	}
	res.NextOffset = nextOffset(r.offset, len(rows), total)
	if !r.mixed {
		sp := *p
		sp.Groups, sp.Order, sp.Limit, sp.Offset = nil, nil, 0, 0
		sum, err := s.executionRows(ctx, &sp)
		if err != nil {
			return nil, err
		}
		if len(sum) == 1 {
			res.Summary = sum[0].format(t.v.Scale, low, p.ExecutedZero)
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
	keys                []string
	approved, revised   *big.Int
	executed            *big.Int
	nApproved, nRevised int64
	nExecuted           int64
}

func (s *Service) executionRows(ctx context.Context, p *ExecutionPlan) ([]phaseRow, error) {
	rdr, err := s.eng.Execution(ctx, p)
	if err != nil {
		return nil, internal("execution", err)
	}
	scale := p.Source.Scale
	var out []phaseRow
	err = eachRow(rdr, func(rec arrow.RecordBatch, i int) error {
		row := phaseRow{keys: make([]string, len(p.Groups))}
		for k := range p.Groups {
			col, err := column(rec, "k"+strconv.Itoa(k))
			if err != nil {
				return err
			}
			row.keys[k], _ = keyAt(col, i)
		}
		for _, m := range []struct {
			name string
			sum  **big.Int
			n    *int64
		}{
			{mizan.PhaseApproved, &row.approved, &row.nApproved},
			{mizan.PhaseRevised, &row.revised, &row.nRevised},
			{mizan.PhaseExecuted, &row.executed, &row.nExecuted},
		} {
			col, err := column(rec, m.name+"_sum")
			if err != nil {
				return err
			}
			if *m.sum, err = decimalAt(col, i, scale); err != nil {
				return err
			}
			if col, err = column(rec, m.name+"_count"); err != nil {
				return err
			}
			*m.n, _ = intAt(col, i)
		}
		out = append(out, row)
		return nil
	})
	if err != nil {
		return nil, internal("execution", err)
	}
	return out, nil
}

// format computes the row's figures exactly.
func (r phaseRow) format(scale int32, low *big.Rat, executedZero bool) mizan.ExecutionRow {
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
