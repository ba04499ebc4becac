package query

import (
	"context"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// factColumn is one selected fact column with the reference it is shown
// under ("year", "admin.ministry"...).
type factColumn struct {
	field
	key bool // shown in Fact.Keys
}

// factColumns lists a version's fact columns in storage order.
func factColumns(t *target) []factColumn {
	fixed := func(name string, typ ColumnType, key bool) factColumn {
		return factColumn{field: field{Ref: name, Dim: name, Column: Column{Name: name, Type: typ}, Fixed: true}, key: key}
	}
	out := []factColumn{
		fixed(store.ColRow, TypeBigInt, false),
		fixed(store.ColYear, TypeInt, true),
		fixed(store.ColPeriod, TypeString, true),
		fixed(store.ColDate, TypeDate, true),
		fixed(store.ColPhase, TypeString, true),
		fixed(store.ColDirection, TypeString, true),
		fixed(store.ColCurrency, TypeString, true),
		fixed(store.ColMeasure, TypeString, true),
	}
	for _, d := range t.v.Dimensions {
		for _, l := range d.Levels {
			col := l.Column
			if col == "" {
				col = mizan.ColumnFor(d.ID, l.ID)
			}
			out = append(out, factColumn{field: field{Ref: d.ID + "." + l.ID, Dim: d.ID, Level: l.ID, Column: Column{Name: col, Type: TypeString}}, key: true})
		}
	}
	return append(out,
		fixed(store.ColAmount, TypeDecimal, false),
		fixed(store.ColSourceID, TypeInt, false),
		fixed(store.ColSourceRow, TypeBigInt, false),
	)
}

// resolveFactsOrder resolves the order of a facts listing: "row" (or
// "row_id"), "amount", "source_row" or any fact column reference. Row id
// always ends the order.
func resolveFactsOrder(t *target, orders []mizan.Order, cols []factColumn) ([]Order, error) {
	if len(orders) > maxOrders {
		return nil, mizan.FieldErrorf("order", "at most %d terms, got %d", maxOrders, len(orders))
	}
	var out []Order
	for _, o := range orders {
		name := o.Ref
		switch o.Ref {
		case "row", store.ColRow:
			name = store.ColRow
		case store.ColAmount, store.ColSourceRow:
		default:
			f, err := resolveField(t, o.Ref, "order")
			if err != nil {
				return nil, err
			}
			name = f.Column.Name
		}
		for i, c := range cols {
			if c.Column.Name == name {
				out = append(out, Order{By: OrderKey, Key: i, Desc: o.Desc})
			}
		}
	}
	return out, nil
}

// factsRequest is a validated facts listing.
type factsRequest struct {
	t    *target
	cols []factColumn
	plan *FactsPlan
}

func (s *Service) resolveFacts(ctx context.Context, q mizan.FactsQuery) (*factsRequest, error) {
	t, err := s.version(ctx, q.Dataset, q.Version, q.IncludeDrafts)
	if err != nil {
		return nil, err
	}
	cols := factColumns(t)
	p := &FactsPlan{Source: t.src, Offset: q.Offset}
	for _, c := range cols {
		p.Columns = append(p.Columns, c.Column)
	}
	if p.Order, err = resolveFactsOrder(t, q.Order, cols); err != nil {
		return nil, err
	}
	if p.Filters, err = s.resolveCuts(ctx, t, q.Cuts); err != nil {
		return nil, err
	}
	if p.Limit, err = pageSize(q.PageSize); err != nil {
		return nil, err
	}
	if err := checkOffset(q.Offset); err != nil {
		return nil, err
	}
	return &factsRequest{t: t, cols: cols, plan: p}, nil
}

// Facts lists the line items the cuts keep, with their keys, labels, exact
// amount and provenance (source file, sha256, sheet and row), in a stable
// order: the requested columns, then row id.
func (s *Service) Facts(ctx context.Context, q mizan.FactsQuery) (*mizan.FactsResult, error) {
	ctx, done, err := s.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer done()
	r, err := s.resolveFacts(ctx, q)
	if err != nil {
		return nil, err
	}
	rdr, err := s.eng.Facts(ctx, r.plan)
	if err != nil {
		return nil, internal("list facts", err)
	}
	facts := make([]mizan.Fact, 0, r.plan.Limit)
	err = eachRow(rdr, func(rec arrow.RecordBatch, i int) error {
		f, err := r.fact(rec, i)
		if err != nil {
			return err
		}
		facts = append(facts, f)
		return nil
	})
	if err != nil {
		return nil, internal("list facts", err)
	}
	// A short page ends the listing, which tells the count; a full or an
	// empty one past the start needs it counted.
	total := int64(q.Offset + len(facts))
	if len(facts) == r.plan.Limit || (len(facts) == 0 && q.Offset > 0) {
		if total, err = s.eng.CountFacts(ctx, r.plan); err != nil {
			return nil, internal("count facts", err)
		}
	}
	lab := s.newLabeler(r.t, q.Lang)
	for _, f := range facts {
		for _, c := range r.cols {
			if c.key {
				lab.add(c.field, f.Keys[c.Ref])
			}
		}
	}
	if err := lab.fetch(ctx); err != nil {
		return nil, err
	}
	for i := range facts {
		f := &facts[i]
		f.Labels = map[string]string{}
		for _, c := range r.cols {
			if k, ok := f.Keys[c.Ref]; ok && c.key {
				lab.put(f.Labels, &f.LabelLangs, c.field, c.Ref, k)
			}
		}
	}
	return &mizan.FactsResult{
		Facts:      facts,
		TotalCount: total,
		Dataset:    r.t.ds.ID,
		Version:    r.t.v.Number,
		NextOffset: nextOffset(q.Offset, len(facts), total),
	}, nil
}

// fact reads one fact row.
func (r *factsRequest) fact(rec arrow.RecordBatch, i int) (mizan.Fact, error) {
	f := mizan.Fact{Keys: map[string]string{}}
	for k, c := range r.cols {
		col := rec.Column(k)
		switch c.Column.Name {
		case store.ColRow:
			f.Row, _ = intAt(col, i)
		case store.ColAmount:
			u, err := decimalAt(col, i, r.t.v.Scale)
			if err != nil {
				return f, err
			}
			if u == nil {
				u = new(big.Int)
			}
			f.Amount = formatUnscaled(u, r.t.v.Scale)
		case store.ColSourceID:
			n, _ := intAt(col, i)
			f.SourceID = int(n)
		case store.ColSourceRow:
			f.SourceRow, _ = intAt(col, i)
		default:
			if v, ok := keyAt(col, i); ok {
				f.Keys[c.Ref] = v
			}
		}
	}
	f.Currency = f.Keys[store.ColCurrency]
	for _, src := range r.t.v.Sources {
		if src.ID == f.SourceID {
			f.File, f.SHA256, f.Sheet = src.Name, src.SHA256, src.Sheet
			break
		}
	}
	return f, nil
}
