package query

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// Normalisation adjusts money values by reference series (datasets of kind
// "series", one fact per year):
//
//   - FXRates converts to TargetCurrency: a series row (year, currency C,
//     measure = TargetCurrency or empty, amount r) says one unit of C is r
//     units of the target that year. Amounts already in the target are kept.
//   - Deflator expresses values at BaseYear prices: value × d[base] ÷ d[year].
//   - PerCapita divides by the population of the year.
//
// They apply in that order, exactly (math/big.Rat); money values are then
// rounded half to even to scale+2 decimals. Cells are fetched at (keys,
// year, currency) grain, normalised, merged to the requested keys and
// ordered in memory, so at most Options.MaxNormalizedCells such cells are
// allowed. Every series value used is reported in AggregateResult.Applied.

func normalizationAsked(n mizan.Normalization) bool {
	return n.PerCapita != "" || n.Deflator != "" || n.FXRates != ""
}

// factors holds the series values a normalisation uses.
type factors struct {
	n       mizan.Normalization
	pop     seriesValues
	defl    seriesValues
	fx      map[string]seriesValues // by source currency
	fxVer   int
	applied map[string]mizan.AppliedSeries
}

type seriesValues struct {
	version int
	scale   int32
	byYear  map[int]*big.Rat
}

func (s *Service) normalizedAggregate(ctx context.Context, r *aggRequest, cuts []mizan.Cut, n mizan.Normalization) (*mizan.AggregateResult, error) {
	yearKey := -1
	for i, g := range r.groups {
		if g.Column.Name == store.ColYear {
			yearKey = i
		}
	}
	if _, single := singleValue(cuts, mizan.DimYear); yearKey < 0 && !single {
		return nil, mizan.FieldErrorf("normalization", "normalisation needs year in the drilldown or a cut on a single year")
	}
	if n.Deflator != "" && n.BaseYear == 0 {
		return nil, mizan.FieldErrorf("normalization.base_year", "a base year is required with a deflator")
	}
	if n.FXRates != "" {
		if n.TargetCurrency == "" {
			return nil, mizan.FieldErrorf("normalization.target_currency", "a target currency is required with exchange rates")
		}
		r.currency = n.TargetCurrency
	}

	// Fetch cells at (keys, year, currency) grain.
	groups := append([]field{}, r.groups...)
	yearAt, curAt := yearKey, -1
	if yearAt < 0 {
		groups = append(groups, field{Ref: mizan.DimYear, Dim: mizan.DimYear, Column: Column{Name: store.ColYear, Type: TypeInt}, Fixed: true})
		yearAt = len(groups) - 1
	}
	for i, g := range groups {
		if g.Column.Name == store.ColCurrency {
			curAt = i
		}
	}
	if curAt < 0 {
		groups = append(groups, currencyField)
		curAt = len(groups) - 1
	}
	scale := r.t.v.Scale
	max := s.opts.MaxNormalizedCells
	p := &AggregatePlan{Source: r.t.src, Groups: columns(groups), Filters: r.filters, Limit: max + 1}
	rdr, err := s.eng.Aggregate(ctx, p)
	if err != nil {
		return nil, internal("aggregate for normalisation", err)
	}
	raw, err := readCells(rdr, len(groups), "k", scale)
	if err != nil {
		return nil, internal("aggregate for normalisation", err)
	}
	if len(raw) > max {
		return nil, mizan.Errorf(mizan.EEXHAUSTED, "normalisation works on at most %d cells; add cuts or a coarser drilldown", max)
	}

	years, curs := map[int]bool{}, map[string]bool{}
	for _, c := range raw {
		if !c.valid[yearAt] {
			return nil, mizan.FieldErrorf("normalization", "some selected facts have no year; cut on year to normalise")
		}
		y, _ := strconv.Atoi(c.keys[yearAt])
		years[y] = true
		curs[c.keys[curAt]] = true
	}
	f, err := s.loadFactors(ctx, n, years, curs)
	if err != nil {
		return nil, err
	}

	// Normalise and merge to the requested keys.
	nKeys := len(r.groups)
	merged := map[string]*outCell{}
	var summaries = map[string]exact{}
	for _, c := range raw {
		y, _ := strconv.Atoi(c.keys[yearAt])
		ex := f.apply(exactCell(c.measures, scale), y, c.keys[curAt])
		id := cellID(c.keys[:nKeys], c.valid[:nKeys])
		if oc, ok := merged[id]; ok {
			oc.ex = merge(oc.ex, ex)
		} else {
			merged[id] = &outCell{keys: c.keys[:nKeys], valid: c.valid[:nKeys], ex: ex}
		}
		sk := ""
		if r.mixed {
			sk = c.keys[r.curKey]
		}
		summaries[sk] = merge(summaries[sk], ex)
	}
	cells := make([]*outCell, 0, len(merged))
	for _, oc := range merged {
		cells = append(cells, oc)
	}
	sortCells(cells, r.order, r.groups)

	res := &mizan.AggregateResult{
		TotalCellCount: int64(len(cells)),
		Dataset:        r.t.ds.ID,
		Version:        r.t.v.Number,
		Currency:       r.currency,
		Applied:        f.appliedList(),
	}
	page, rest := pageCells(cells, r.top, r.size, r.offset)
	lab := s.newLabeler(r.t, r.lang)
	for _, c := range page {
		for k, g := range r.groups {
			lab.add(g, c.keys[k])
		}
	}
	if err := lab.fetch(ctx); err != nil {
		return nil, err
	}
	digits := scale + extraDigits
	totalOf := func(keys []string) *big.Rat {
		if r.mixed {
			return summaries[keys[r.curKey]].sum
		}
		return summaries[""].sum
	}
	for _, c := range page {
		res.Cells = append(res.Cells, r.cell(c.keys, c.valid, c.ex, totalOf(c.keys), lab, digits, false))
	}
	for _, c := range foldRest(rest, r) {
		res.Cells = append(res.Cells, r.cell(c.keys, c.valid, c.ex, totalOf(c.keys), lab, digits, true))
	}
	var exs []exact
	for _, k := range sortedKeys(summaries) {
		exs = append(exs, summaries[k])
	}
	res.Summary = r.summaryOf(exs, digits)
	if r.top == 0 {
		res.NextOffset = nextOffset(r.offset, len(page), res.TotalCellCount)
	}
	return res, nil
}

// outCell is a normalised cell at the requested keys.
type outCell struct {
	keys  []string
	valid []bool
	ex    exact
}

func cellID(keys []string, valid []bool) string {
	var b strings.Builder
	for i, k := range keys {
		if valid[i] {
			b.WriteString("v")
		} else {
			b.WriteString("n")
		}
		b.WriteString(k)
		b.WriteByte(0)
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pageCells splits ordered cells into the page shown and the rest folded
// into "other" (Top), or applies offset and size.
func pageCells(cells []*outCell, top, size, offset int) (page, rest []*outCell) {
	if top > 0 {
		if len(cells) <= top {
			return cells, nil
		}
		return cells[:top], cells[top:]
	}
	if offset >= len(cells) {
		return nil, nil
	}
	end := offset + size
	if end > len(cells) {
		end = len(cells)
	}
	return cells[offset:end], nil
}

// foldRest folds the cells past Top into one "other" cell per currency
// (one in all when currencies are not mixed).
func foldRest(rest []*outCell, r *aggRequest) []*outCell {
	by := map[string]*outCell{}
	for _, c := range rest {
		k := ""
		if r.mixed {
			k = c.keys[r.curKey]
		}
		o, ok := by[k]
		if !ok {
			o = &outCell{keys: make([]string, len(r.groups)), valid: make([]bool, len(r.groups))}
			if r.mixed {
				o.keys[r.curKey], o.valid[r.curKey] = k, true
			}
			by[k] = o
		}
		o.ex = merge(o.ex, c.ex)
	}
	var out []*outCell
	for _, k := range sortedKeys(by) {
		out = append(out, by[k])
	}
	return out
}

// sortCells orders cells as the engine would: the order terms, then every
// key ascending, NULLs last.
func sortCells(cells []*outCell, order []Order, groups []field) {
	sort.SliceStable(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		used := map[int]bool{}
		for _, o := range order {
			var c int
			if o.By == OrderKey {
				used[o.Key] = true
				c = compareKey(groups[o.Key], a, b, o.Key, o.Desc)
			} else {
				c = compareRat(measureOf(a.ex, o.By), measureOf(b.ex, o.By), o.Desc)
			}
			if c != 0 {
				return c < 0
			}
		}
		for k := range groups {
			if used[k] {
				continue
			}
			if c := compareKey(groups[k], a, b, k, false); c != 0 {
				return c < 0
			}
		}
		return false
	})
}

func measureOf(ex exact, by OrderBy) *big.Rat {
	switch by {
	case OrderSum:
		return ex.sum
	case OrderCount:
		return new(big.Rat).SetInt64(ex.count)
	case OrderMin:
		return ex.min
	case OrderMax:
		return ex.max
	case OrderAvg:
		if ex.sum == nil || ex.count == 0 {
			return nil
		}
		return new(big.Rat).Quo(ex.sum, new(big.Rat).SetInt64(ex.count))
	}
	return nil
}

// compareRat compares two values in the given direction, NULLs last.
func compareRat(a, b *big.Rat, desc bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	c := a.Cmp(b)
	if desc {
		c = -c
	}
	return c
}

func compareKey(f field, a, b *outCell, k int, desc bool) int {
	switch {
	case !a.valid[k] && !b.valid[k]:
		return 0
	case !a.valid[k]:
		return 1
	case !b.valid[k]:
		return -1
	}
	var c int
	if f.Column.Type == TypeInt {
		x, _ := strconv.ParseInt(a.keys[k], 10, 64)
		y, _ := strconv.ParseInt(b.keys[k], 10, 64)
		c = compareInts(x, y)
	} else {
		c = strings.Compare(a.keys[k], b.keys[k])
	}
	if desc {
		c = -c
	}
	return c
}

func compareInts(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// loadFactors reads every series value the normalisation needs.
func (s *Service) loadFactors(ctx context.Context, n mizan.Normalization, years map[int]bool, curs map[string]bool) (*factors, error) {
	f := &factors{n: n, applied: map[string]mizan.AppliedSeries{}}
	ys := make([]int, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	var err error
	if n.FXRates != "" {
		f.fx = map[string]seriesValues{}
		for _, c := range sortedKeys(curs) {
			if c == n.TargetCurrency {
				continue
			}
			if f.fx[c], err = s.series(ctx, n.FXRates, "normalization.fx_rates", ys, c, n.TargetCurrency); err != nil {
				return nil, err
			}
		}
	}
	if n.Deflator != "" {
		withBase := append(append([]int{}, ys...), n.BaseYear)
		if f.defl, err = s.series(ctx, n.Deflator, "normalization.deflator", withBase, "", ""); err != nil {
			return nil, err
		}
	}
	if n.PerCapita != "" {
		if f.pop, err = s.series(ctx, n.PerCapita, "normalization.per_capita", ys, "", ""); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// apply normalises a cell of one year and currency.
func (f *factors) apply(ex exact, year int, currency string) exact {
	k := new(big.Rat).SetInt64(1)
	if f.n.FXRates != "" && currency != f.n.TargetCurrency {
		sv := f.fx[currency]
		k.Mul(k, sv.byYear[year])
		f.note("fx", f.n.FXRates, sv, year, currency)
	}
	if f.n.Deflator != "" {
		k.Mul(k, f.defl.byYear[f.n.BaseYear])
		k.Quo(k, f.defl.byYear[year])
		f.note("deflator", f.n.Deflator, f.defl, f.n.BaseYear, "")
		f.note("deflator", f.n.Deflator, f.defl, year, "")
	}
	if f.n.PerCapita != "" {
		k.Quo(k, f.pop.byYear[year])
		f.note("per_capita", f.n.PerCapita, f.pop, year, "")
	}
	scaled := func(v *big.Rat) *big.Rat {
		if v == nil {
			return nil
		}
		return new(big.Rat).Mul(v, k)
	}
	return exact{sum: scaled(ex.sum), min: scaled(ex.min), max: scaled(ex.max), count: ex.count}
}

func (f *factors) note(kind, dataset string, sv seriesValues, year int, currency string) {
	id := fmt.Sprintf("%s|%s|%08d", kind, currency, year)
	if _, ok := f.applied[id]; ok {
		return
	}
	f.applied[id] = mizan.AppliedSeries{Kind: kind, Dataset: dataset, Version: sv.version, Year: year, Value: formatRat(sv.byYear[year], sv.scale)}
}

// appliedList returns the series values used, by kind, currency and year.
func (f *factors) appliedList() []mizan.AppliedSeries {
	var out []mizan.AppliedSeries
	for _, k := range sortedKeys(f.applied) {
		out = append(out, f.applied[k])
	}
	return out
}

// series reads the value per year of a reference series; for exchange
// rates, of one source currency into target.
func (s *Service) series(ctx context.Context, id, name string, years []int, currency, target string) (seriesValues, error) {
	t, err := s.version(ctx, id, 0, false)
	if err != nil {
		var me *mizan.Error
		if errors.As(err, &me) {
			return seriesValues{}, &mizan.Error{Code: me.Code, Field: name, Message: me.Message}
		}
		return seriesValues{}, err
	}
	if t.ds.Kind != mizan.KindSeries {
		return seriesValues{}, mizan.FieldErrorf(name, "dataset %q is a %s dataset, not a series", id, t.ds.Kind)
	}
	yearCol := Column{Name: store.ColYear, Type: TypeInt}
	measureCol := Column{Name: store.ColMeasure, Type: TypeString}
	yv := make([]any, len(years))
	for i, y := range years {
		yv[i] = int32(y)
	}
	p := &AggregatePlan{Source: t.src, Groups: []Column{yearCol, measureCol}, Filters: []Filter{{Terms: []Term{{Column: yearCol, Values: yv}}}}}
	if currency != "" {
		p.Filters = append(p.Filters, Filter{Terms: []Term{{Column: currencyField.Column, Values: []any{currency}}}})
	}
	rdr, err := s.eng.Aggregate(ctx, p)
	if err != nil {
		return seriesValues{}, internal("read series", err)
	}
	rows, err := readCells(rdr, 2, "k", t.v.Scale)
	if err != nil {
		return seriesValues{}, internal("read series", err)
	}
	sv := seriesValues{version: t.v.Number, scale: t.v.Scale, byYear: map[int]*big.Rat{}}
	counted := map[int]int64{}
	for _, c := range rows {
		// Exchange rates may name their target in measure; rows for another
		// target are not ours.
		if currency != "" && c.valid[1] && c.keys[1] != "" && c.keys[1] != target {
			continue
		}
		y, _ := strconv.Atoi(c.keys[0])
		counted[y] += c.count
		sv.byYear[y] = exactOf(c.sum, t.v.Scale)
	}
	what := fmt.Sprintf("series %q", id)
	if currency != "" {
		what = fmt.Sprintf("series %q (%s to %s)", id, currency, target)
	}
	for _, y := range years {
		v, ok := sv.byYear[y]
		switch {
		case !ok || v == nil:
			return seriesValues{}, mizan.FieldErrorf(name, "%s has no value for %d", what, y)
		case counted[y] > 1:
			return seriesValues{}, mizan.FieldErrorf(name, "%s has %d values for %d; expected one", what, counted[y], y)
		case v.Sign() <= 0:
			return seriesValues{}, mizan.FieldErrorf(name, "%s value for %d is not positive", what, y)
		}
	}
	return sv, nil
}
