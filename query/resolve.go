package query

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// Resolution of request references against a version's catalog. Every
// column a plan names is looked up here; a request string never becomes an
// identifier.

// Request limits beyond page sizes.
const (
	maxDrilldown = 10
	maxCuts      = 50
	maxOrders    = 10
)

// field is a request reference resolved to a fact column.
type field struct {
	// Ref is the reference as requested: the key name in Cell.Keys.
	Ref string
	// Dim is the dimension id (the column name for fixed columns).
	Dim string
	// Level is the level id; "" for fixed columns.
	Level  string
	Column Column
	Fixed  bool
}

// fixedTypes lists the fixed fact columns a request may group or cut on.
var fixedTypes = map[string]ColumnType{
	store.ColYear:      TypeInt,
	store.ColPeriod:    TypeString,
	store.ColDate:      TypeDate,
	store.ColPhase:     TypeString,
	store.ColDirection: TypeString,
	store.ColCurrency:  TypeString,
	store.ColMeasure:   TypeString,
}

// resolveField resolves "dim", "dim.level" or a fixed column name; name is
// the request field blamed on failure.
func resolveField(t *target, ref, name string) (field, error) {
	dimID, levelID := mizan.SplitRef(ref)
	if dimID == "" {
		return field{}, mizan.FieldErrorf(name, "empty reference %q", ref)
	}
	if typ, ok := fixedTypes[dimID]; ok {
		if strings.Contains(ref, ".") {
			return field{}, mizan.FieldErrorf(name, "dimension %q has no levels", dimID)
		}
		return field{Ref: ref, Dim: dimID, Column: Column{Name: dimID, Type: typ}, Fixed: true}, nil
	}
	dim, ok := t.v.Dimension(dimID)
	if !ok {
		return field{}, mizan.FieldErrorf(name, "dataset %q has no dimension %q", t.ds.ID, dimID)
	}
	if strings.Contains(ref, ".") && levelID == "" {
		return field{}, mizan.FieldErrorf(name, "dimension %q has no level %q", dimID, levelID)
	}
	level, _, ok := dim.Level(levelID)
	if !ok {
		return field{}, mizan.FieldErrorf(name, "dimension %q has no level %q", dimID, levelID)
	}
	col := level.Column
	if col == "" {
		col = mizan.ColumnFor(dim.ID, level.ID)
	}
	return field{Ref: ref, Dim: dim.ID, Level: level.ID, Column: Column{Name: col, Type: TypeString}}, nil
}

// resolveDrilldown resolves the drilldown references.
func resolveDrilldown(t *target, refs []string) ([]field, error) {
	if len(refs) > maxDrilldown {
		return nil, mizan.FieldErrorf("drilldown", "at most %d references, got %d", maxDrilldown, len(refs))
	}
	out := make([]field, 0, len(refs))
	for _, ref := range refs {
		f, err := resolveField(t, ref, "drilldown")
		if err != nil {
			return nil, err
		}
		for _, g := range out {
			if g.Column.Name == f.Column.Name {
				return nil, mizan.FieldErrorf("drilldown", "%q repeats %q", ref, g.Ref)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

func columns(fs []field) []Column {
	out := make([]Column, len(fs))
	for i, f := range fs {
		out[i] = f.Column
	}
	return out
}

// typedValue converts a cut value to the column's type.
func typedValue(f field, s string) (any, error) {
	switch f.Column.Type {
	case TypeInt:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
		if err != nil {
			return nil, mizan.FieldErrorf("cuts", "%s value %q is not a whole number", f.Ref, s)
		}
		return int32(n), nil
	case TypeDate:
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
		if err != nil {
			return nil, mizan.FieldErrorf("cuts", "%s value %q is not a date (YYYY-MM-DD)", f.Ref, s)
		}
		return d, nil
	}
	return s, nil
}

// resolveCuts turns cuts into filters. Subtree cuts on a bare dimension
// reference look the members up to find their levels.
func (s *Service) resolveCuts(ctx context.Context, t *target, cuts []mizan.Cut) ([]Filter, error) {
	if len(cuts) > maxCuts {
		return nil, mizan.FieldErrorf("cuts", "at most %d cuts, got %d", maxCuts, len(cuts))
	}
	var out []Filter
	for _, c := range cuts {
		f, err := resolveField(t, c.Ref, "cuts")
		if err != nil {
			return nil, err
		}
		hasRange := c.From != "" || c.To != ""
		switch {
		case len(c.Values) > 0 && hasRange:
			return nil, mizan.FieldErrorf("cuts", "cut on %q has both values and a range", c.Ref)
		case len(c.Values) == 0 && !hasRange:
			return nil, mizan.FieldErrorf("cuts", "cut on %q has neither values nor a range", c.Ref)
		case len(c.Values) > mizan.MaxPageSize:
			return nil, mizan.FieldErrorf("cuts", "cut on %q has %d values; at most %d", c.Ref, len(c.Values), mizan.MaxPageSize)
		case c.Subtree && f.Fixed:
			return nil, mizan.FieldErrorf("cuts", "subtree cuts apply to classification dimensions, not %q", c.Ref)
		case c.Subtree && hasRange:
			return nil, mizan.FieldErrorf("cuts", "subtree cut on %q needs member keys, not a range", c.Ref)
		}
		if c.Subtree && !strings.Contains(c.Ref, ".") {
			terms, err := s.subtreeTerms(ctx, t, f, c.Values)
			if err != nil {
				return nil, err
			}
			out = append(out, Filter{Terms: terms, Negate: c.Negate})
			continue
		}
		// Facts store every level's key, so a member's subtree on its own
		// level is just that level's column.
		term := Term{Column: f.Column}
		for _, v := range c.Values {
			tv, err := typedValue(f, v)
			if err != nil {
				return nil, err
			}
			term.Values = append(term.Values, tv)
		}
		if c.From != "" {
			if term.From, err = typedValue(f, c.From); err != nil {
				return nil, err
			}
		}
		if c.To != "" {
			if term.To, err = typedValue(f, c.To); err != nil {
				return nil, err
			}
		}
		out = append(out, Filter{Terms: []Term{term}, Negate: c.Negate})
	}
	return out, nil
}

// subtreeTerms matches each member key on the column of the level it is a
// member of (every level it is found on).
func (s *Service) subtreeTerms(ctx context.Context, t *target, f field, keys []string) ([]Term, error) {
	dim, _ := t.v.Dimension(f.Dim)
	rdr, err := s.eng.Members(ctx, &MembersPlan{Dataset: t.ds.ID, Version: t.v.Number, Dimension: dim.ID, Keys: keys})
	if err != nil {
		return nil, internal("look up subtree members", err)
	}
	byLevel := map[string][]any{}
	found := map[string]bool{}
	err = eachRow(rdr, func(rec arrow.RecordBatch, i int) error {
		level, _ := keyAt(rec.Column(0), i)
		key, _ := keyAt(rec.Column(1), i)
		byLevel[level] = append(byLevel[level], key)
		found[key] = true
		return nil
	})
	if err != nil {
		return nil, internal("look up subtree members", err)
	}
	for _, k := range keys {
		if !found[k] {
			return nil, mizan.FieldErrorf("cuts", "dimension %q has no member %q", dim.ID, k)
		}
	}
	var terms []Term
	for _, l := range dim.Levels {
		vals := byLevel[l.ID]
		if len(vals) == 0 {
			continue
		}
		sort.Slice(vals, func(i, j int) bool { return vals[i].(string) < vals[j].(string) })
		col := l.Column
		if col == "" {
			col = mizan.ColumnFor(dim.ID, l.ID)
		}
		terms = append(terms, Term{Column: Column{Name: col, Type: TypeString}, Values: vals})
	}
	return terms, nil
}

// singleValue returns the one value a cut pins column col to, if a
// non-negated cut does.
func singleValue(cuts []mizan.Cut, col string) (string, bool) {
	for _, c := range cuts {
		if c.Ref != col || c.Negate || c.Subtree {
			continue
		}
		if len(c.Values) == 1 {
			return c.Values[0], true
		}
		if len(c.Values) == 0 && c.From != "" && c.From == c.To {
			return c.From, true
		}
	}
	return "", false
}

// aggregateNames lists the aggregates a query may ask for.
var aggregateNames = map[string]OrderBy{
	"amount." + mizan.AggSum:   OrderSum,
	"amount." + mizan.AggCount: OrderCount,
	"amount." + mizan.AggAvg:   OrderAvg,
	"amount." + mizan.AggMin:   OrderMin,
	"amount." + mizan.AggMax:   OrderMax,
	// A share orders like its sum: the total is common to every cell.
	"amount." + mizan.AggShare: OrderSum,
}

// resolveAggregates validates and defaults the aggregates, dropping repeats.
func resolveAggregates(names []string) ([]string, error) {
	if len(names) == 0 {
		return []string{"amount." + mizan.AggSum, "amount." + mizan.AggCount}, nil
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if _, ok := aggregateNames[n]; !ok {
			return nil, mizan.FieldErrorf("aggregates", "unknown aggregate %q; use amount.sum, amount.count, amount.avg, amount.min, amount.max or amount.share", n)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

// keyOrder resolves an order reference naming a drilldown key.
func keyOrder(t *target, ref string, groups []field) (int, error) {
	for i, g := range groups {
		if g.Ref == ref {
			return i, nil
		}
	}
	f, err := resolveField(t, ref, "order")
	if err != nil {
		return 0, err
	}
	for i, g := range groups {
		if g.Column.Name == f.Column.Name {
			return i, nil
		}
	}
	return 0, mizan.FieldErrorf("order", "%q is not in the drilldown", ref)
}

// resolveAggregateOrder resolves the order of an aggregation; the default
// is amount.sum descending (keys always end the order).
func resolveAggregateOrder(t *target, orders []mizan.Order, groups []field) ([]Order, error) {
	if len(orders) > maxOrders {
		return nil, mizan.FieldErrorf("order", "at most %d terms, got %d", maxOrders, len(orders))
	}
	if len(orders) == 0 {
		return []Order{{By: OrderSum, Desc: true}}, nil
	}
	var out []Order
	for _, o := range orders {
		if by, ok := aggregateNames[o.Ref]; ok {
			out = append(out, Order{By: by, Desc: o.Desc})
			continue
		}
		if strings.HasPrefix(o.Ref, "amount.") {
			return nil, mizan.FieldErrorf("order", "unknown aggregate %q", o.Ref)
		}
		k, err := keyOrder(t, o.Ref, groups)
		if err != nil {
			return nil, err
		}
		out = append(out, Order{By: OrderKey, Key: k, Desc: o.Desc})
	}
	return out, nil
}
