package query

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// This file compiles plans to DuckDB SQL text with ? parameters. Identifiers
// come from the plan (which took them from the catalog), are checked against
// a strict pattern as a second line of defence, and are always quoted;
// values are always bound, never spliced. Aliases (k0, amount_sum...) are
// constants of this file.

// Stored ids are lower snake_case (mizan.ValidName) joined by "__", and
// table names are derived from dataset ids with '-' mapped to '_'.
var identPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,127}$`)

// ratioDigits is the number of decimals past the stored scale that avg and
// rate orderings are exact to.
const ratioDigits = 9

// stmt is a compiled statement.
type stmt struct {
	SQL  string
	Args []any
}

type builder struct {
	sb   strings.Builder
	args []any
	err  error
}

func (b *builder) w(parts ...string) {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
}

func (b *builder) arg(v any) {
	b.sb.WriteString("?")
	b.args = append(b.args, v)
}

// ident writes a quoted identifier after checking it.
func (b *builder) ident(name string) {
	if !identPattern.MatchString(name) {
		if b.err == nil {
			b.err = fmt.Errorf("compile: invalid identifier %q", name)
		}
		b.sb.WriteString(`"invalid"`)
		return
	}
	b.sb.WriteString(store.Quote(name))
}

func (b *builder) stmt() (stmt, error) {
	if b.err != nil {
		return stmt{}, b.err
	}
	return stmt{SQL: b.sb.String(), Args: b.args}, nil
}

// chooseRollup returns the rollup table with the fewest rows whose columns
// cover every column in need, or "" when none does (read the facts table).
func chooseRollup(src Source, need []string) string {
	best, bestRows := "", int64(-1)
	for _, r := range src.Rollups {
		if !covers(r.Columns, need) {
			continue
		}
		if bestRows < 0 || r.Rows < bestRows {
			best, bestRows = r.Table, r.Rows
		}
	}
	return best
}

func covers(have, need []string) bool {
	set := make(map[string]bool, len(have))
	for _, c := range have {
		set[c] = true
	}
	for _, c := range need {
		if !set[c] {
			return false
		}
	}
	return true
}

// neededColumns lists the columns a grouped plan reads.
func neededColumns(groups []Column, filters []Filter, extra ...string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.Name)
	}
	for _, f := range filters {
		for _, t := range f.Terms {
			out = append(out, t.Column.Name)
		}
	}
	return append(out, extra...)
}

// table picks the table to read: a covering rollup or the facts table.
func table(src Source, need []string) (name string, rollup bool) {
	if r := chooseRollup(src, need); r != "" {
		return r, true
	}
	return src.Table, false
}

// measures writes the four amount aggregates, over facts or a rollup.
func (b *builder) measures(rollup bool) {
	if rollup {
		b.w(`sum("amount_sum") AS amount_sum, CAST(sum("amount_count") AS BIGINT) AS amount_count, min("amount_min") AS amount_min, max("amount_max") AS amount_max`)
		return
	}
	b.w(`sum("amount") AS amount_sum, count(*) AS amount_count, min("amount") AS amount_min, max("amount") AS amount_max`)
}

// where writes the WHERE clause of filters (nothing when there are none).
func (b *builder) where(filters []Filter, extra func()) {
	n := 0
	sep := func() {
		if n == 0 {
			b.w("\nWHERE ")
		} else {
			b.w("\n  AND ")
		}
		n++
	}
	for _, f := range filters {
		if len(f.Terms) == 0 {
			b.fail("compile: filter without terms")
			continue
		}
		sep()
		if f.Negate {
			b.w("NOT coalesce(")
		}
		if len(f.Terms) > 1 || f.Negate {
			b.w("(")
		}
		for i, t := range f.Terms {
			if i > 0 {
				b.w(" OR ")
			}
			b.term(t)
		}
		if len(f.Terms) > 1 || f.Negate {
			b.w(")")
		}
		if f.Negate {
			b.w(", false)")
		}
	}
	if extra != nil {
		sep()
		extra()
	}
}

func (b *builder) fail(msg string) {
	if b.err == nil {
		b.err = errors.New(msg)
	}
}

func (b *builder) value(c Column, v any) {
	if c.Type == TypeDate {
		b.w("CAST(")
		b.arg(v)
		b.w(" AS DATE)")
		return
	}
	b.arg(v)
}

func (b *builder) term(t Term) {
	switch {
	case len(t.Values) == 1:
		b.ident(t.Column.Name)
		b.w(" = ")
		b.value(t.Column, t.Values[0])
	case len(t.Values) > 1:
		b.ident(t.Column.Name)
		b.w(" IN (")
		for i, v := range t.Values {
			if i > 0 {
				b.w(", ")
			}
			b.value(t.Column, v)
		}
		b.w(")")
	case t.From != nil && t.To != nil:
		b.w("(")
		b.ident(t.Column.Name)
		b.w(" BETWEEN ")
		b.value(t.Column, t.From)
		b.w(" AND ")
		b.value(t.Column, t.To)
		b.w(")")
	case t.From != nil:
		b.ident(t.Column.Name)
		b.w(" >= ")
		b.value(t.Column, t.From)
	case t.To != nil:
		b.ident(t.Column.Name)
		b.w(" <= ")
		b.value(t.Column, t.To)
	default:
		b.fail("compile: empty term")
		b.w("false")
	}
}

// groupSelect writes "col AS k0, col AS k1, " for the grouping columns.
func (b *builder) groupSelect(groups []Column, prefix string) {
	for i, g := range groups {
		b.ident(g.Name)
		b.w(fmt.Sprintf(" AS %s%d, ", prefix, i))
	}
}

func (b *builder) groupBy(groups []Column) {
	if len(groups) == 0 {
		return
	}
	b.w("\nGROUP BY ")
	for i, g := range groups {
		if i > 0 {
			b.w(", ")
		}
		b.ident(g.Name)
	}
}

// cells writes the CTE body computing one row per cell of an aggregate plan.
func (b *builder) cells(p *AggregatePlan) {
	tbl, rollup := table(p.Source, neededColumns(p.Groups, p.Filters))
	b.w("SELECT ")
	b.groupSelect(p.Groups, "k")
	b.measures(rollup)
	b.w("\nFROM ")
	b.ident(tbl)
	b.where(p.Filters, nil)
	b.groupBy(p.Groups)
	if len(p.Groups) == 0 {
		// A plan without groups has one cell, unless nothing is selected.
		if rollup {
			b.w("\nHAVING sum(\"amount_count\") > 0")
		} else {
			b.w("\nHAVING count(*) > 0")
		}
	}
}

func pow10(n int32) string { return "1" + strings.Repeat("0", int(n)) }

// unscaled is the exact integer behind a DECIMAL(p, scale) expression.
func unscaled(expr string, scale int32) string {
	return "CAST((" + expr + ") * " + pow10(scale) + " AS HUGEINT)"
}

// orderBy writes a total ORDER BY: the plan's terms, then every key.
func (b *builder) orderBy(order []Order, nKeys int, expr func(Order) (string, bool)) {
	b.w("\nORDER BY ")
	b.orderTerms(order, nKeys, expr)
}

// orderTerms writes the terms of a total ordering (see orderBy).
func (b *builder) orderTerms(order []Order, nKeys int, expr func(Order) (string, bool)) {
	used := map[int]bool{}
	first := true
	for _, o := range order {
		e, ok := expr(o)
		if !ok {
			b.fail(fmt.Sprintf("compile: ordering %d does not apply to this plan", o.By))
			continue
		}
		if o.By == OrderKey {
			if o.Key < 0 || o.Key >= nKeys {
				b.fail("compile: order key out of range")
				continue
			}
			if used[o.Key] {
				continue
			}
			used[o.Key] = true
		}
		if !first {
			b.w(", ")
		}
		first = false
		b.w(e, direction(o.Desc))
	}
	for i := 0; i < nKeys; i++ {
		if used[i] {
			continue
		}
		if !first {
			b.w(", ")
		}
		first = false
		b.w(fmt.Sprintf("k%d", i), direction(false))
	}
	if first {
		// No keys and no terms: one row at most, but keep the clause valid.
		b.w("1")
	}
}

func direction(desc bool) string {
	if desc {
		return " DESC NULLS LAST"
	}
	return " ASC NULLS LAST"
}

func aggregateOrderExpr(scale int32) func(Order) (string, bool) {
	return func(o Order) (string, bool) {
		switch o.By {
		case OrderKey:
			return fmt.Sprintf("k%d", o.Key), true
		case OrderSum:
			return colSum, true
		case OrderCount:
			return colCount, true
		case OrderMin:
			return colMin, true
		case OrderMax:
			return colMax, true
		case OrderAvg:
			return "CASE WHEN amount_count > 0 THEN " + unscaled(colSum, scale) + " * " + pow10(ratioDigits) + " // amount_count END", true
		}
		return "", false
	}
}

func (b *builder) limit(limit, offset int) {
	if limit > 0 {
		b.w("\nLIMIT ")
		b.arg(int64(limit))
	}
	if offset > 0 {
		b.w("\nOFFSET ")
		b.arg(int64(offset))
	}
}

// compileAggregate compiles the cells of an aggregate plan: a page, or
// with Top the first cells and the "other" rows; with Stats, every row
// also carries the plan's cell count and totals, computed by window
// functions over the grouped cells, so one statement (one scan) answers the
// whole request.
func compileAggregate(p *AggregatePlan) (stmt, error) {
	if p.Top > 0 {
		return compileTop(p)
	}
	b := &builder{}
	b.w("WITH cells AS (\n")
	b.cells(p)
	if p.Stats {
		keys, err := totalKeys(p)
		if err != nil {
			return stmt{}, err
		}
		b.w("\n)\nSELECT *")
		b.aggregateStats(partition(keys), p.Extremes)
		b.w("\nFROM cells")
	} else {
		b.w("\n)\nSELECT * FROM cells")
	}
	b.orderBy(p.Order, len(p.Groups), aggregateOrderExpr(p.Source.Scale))
	b.limit(p.Limit, p.Offset)
	return b.stmt()
}

// compileTop compiles the first p.Top cells followed by one "other" row per
// Totals value folding the cells after them: the cells are ranked in the
// plan's order, then grouped by rank up to Top and by Totals values past it.
// Every cell is in exactly one row, and column folded counts them, so the
// rows hold the statistics (p.Stats) without window functions.
func compileTop(p *AggregatePlan) (stmt, error) {
	keys, err := totalKeys(p)
	if err != nil {
		return stmt{}, err
	}
	isTotal := make(map[int]bool, len(keys))
	for _, k := range keys {
		isTotal[k] = true
	}
	b := &builder{}
	b.w("WITH cells AS (\n")
	b.cells(p)
	b.w("\n), ranked AS (\nSELECT *, row_number() OVER (ORDER BY ")
	b.orderTerms(p.Order, len(p.Groups), aggregateOrderExpr(p.Source.Scale))
	b.w(") AS rn FROM cells\n), flagged AS (\nSELECT *, rn > ")
	b.arg(int64(p.Top))
	b.w(" AS other FROM ranked\n)\nSELECT ")
	var group []string
	for i := range p.Groups {
		k := fmt.Sprintf("k%d", i)
		if !isTotal[i] {
			k = "CASE WHEN other THEN NULL ELSE " + k + " END"
		}
		group = append(group, k)
		b.w(k, fmt.Sprintf(" AS k%d, ", i))
	}
	b.w("sum(amount_sum) AS amount_sum, CAST(sum(amount_count) AS BIGINT) AS amount_count, min(amount_min) AS amount_min, max(amount_max) AS amount_max, ",
		colOther, ", count(*) AS ", colFolded, "\nFROM flagged\nGROUP BY CASE WHEN other THEN NULL ELSE rn END, ")
	for _, g := range group {
		b.w(g, ", ")
	}
	b.w("other\nORDER BY other")
	for _, k := range keys {
		b.w(fmt.Sprintf(", CASE WHEN other THEN k%d END ASC NULLS LAST", k))
	}
	b.w(", min(rn)")
	return b.stmt()
}

// aggregateStats writes the Stats columns of an aggregate, as windows over
// the cells; part is the Totals partition.
func (b *builder) aggregateStats(part string, extremes bool) {
	b.w(",\n  count(*) OVER () AS ", colCells,
		",\n  sum(amount_sum) OVER ", part, " AS ", colTotalSum)
	if extremes {
		b.w(",\n  min(amount_min) OVER ", part, " AS ", colTotalMin,
			",\n  max(amount_max) OVER ", part, " AS ", colTotalMax)
	} else {
		b.w(",\n  NULL AS ", colTotalMin, ", NULL AS ", colTotalMax)
	}
	b.w(",\n  CAST(sum(amount_count) OVER () AS BIGINT) AS ", colAllCount)
}

// totalKeys returns the index in p.Groups of each Totals column.
func totalKeys(p *AggregatePlan) ([]int, error) {
	keyOf := make([]int, len(p.Totals))
	for i, t := range p.Totals {
		keyOf[i] = -1
		for j, g := range p.Groups {
			if g.Name == t.Name {
				keyOf[i] = j
			}
		}
		if keyOf[i] < 0 {
			return nil, fmt.Errorf("compile: total %q is not a grouping column", t.Name)
		}
	}
	return keyOf, nil
}

// partition is the window over the cells sharing the given keys' values.
func partition(keys []int) string {
	if len(keys) == 0 {
		return "()"
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("k%d", k)
	}
	return "(PARTITION BY " + strings.Join(parts, ", ") + ")"
}

// compileCount compiles the number of cells of an aggregate plan.
func compileCount(p *AggregatePlan) (stmt, error) {
	b := &builder{}
	b.w("WITH cells AS (\n")
	b.cells(p)
	b.w("\n)\nSELECT count(*) FROM cells")
	return b.stmt()
}

// compileSummary compiles the totals over the filters, per Totals value.
func compileSummary(p *AggregatePlan) (stmt, error) {
	b := &builder{}
	tbl, rollup := table(p.Source, neededColumns(p.Totals, p.Filters))
	b.w("SELECT ")
	b.groupSelect(p.Totals, "t")
	b.measures(rollup)
	b.w("\nFROM ")
	b.ident(tbl)
	b.where(p.Filters, nil)
	b.groupBy(p.Totals)
	if len(p.Totals) > 0 {
		b.w("\nORDER BY ")
		for i := range p.Totals {
			if i > 0 {
				b.w(", ")
			}
			b.w(fmt.Sprintf("t%d ASC NULLS LAST", i))
		}
	}
	return b.stmt()
}

// compileRest compiles the fold of the cells after p.Offset.
func compileRest(p *AggregatePlan) (stmt, error) {
	keyOf, err := totalKeys(p)
	if err != nil {
		return stmt{}, err
	}
	b := &builder{}
	b.w("WITH cells AS (\n")
	b.cells(p)
	b.w("\n), rest AS (\nSELECT * FROM cells")
	b.orderBy(p.Order, len(p.Groups), aggregateOrderExpr(p.Source.Scale))
	b.w("\nOFFSET ")
	b.arg(int64(p.Offset))
	b.w("\n)\nSELECT ")
	for i, k := range keyOf {
		b.w(fmt.Sprintf("k%d AS t%d, ", k, i))
	}
	b.w("sum(amount_sum) AS amount_sum, CAST(sum(amount_count) AS BIGINT) AS amount_count, min(amount_min) AS amount_min, max(amount_max) AS amount_max\nFROM rest")
	if len(keyOf) > 0 {
		b.w("\nGROUP BY ")
		for i, k := range keyOf {
			if i > 0 {
				b.w(", ")
			}
			b.w(fmt.Sprintf("k%d", k))
		}
	}
	b.w("\nHAVING count(*) > 0")
	if len(keyOf) > 0 {
		b.w("\nORDER BY ")
		for i := range keyOf {
			if i > 0 {
				b.w(", ")
			}
			b.w(fmt.Sprintf("t%d ASC NULLS LAST", i))
		}
	}
	return b.stmt()
}

var executionPhases = []string{mizan.PhaseApproved, mizan.PhaseRevised, mizan.PhaseExecuted}

// compileExecution compiles per-node phase sums of an execution plan.
func compileExecution(p *ExecutionPlan) (stmt, error) {
	tbl, rollup := table(p.Source, neededColumns(p.Groups, p.Filters, store.ColPhase))
	b := &builder{}
	b.w("WITH cells AS (\nSELECT ")
	b.groupSelect(p.Groups, "k")
	for i, ph := range executionPhases {
		if i > 0 {
			b.w(", ")
		}
		if rollup {
			b.w(`sum("amount_sum") FILTER (WHERE "phase" = `)
			b.arg(ph)
			b.w(") AS ", ph, `_sum, CAST(coalesce(sum("amount_count") FILTER (WHERE "phase" = `)
			b.arg(ph)
			b.w("), 0) AS BIGINT) AS ", ph, "_count")
		} else {
			b.w(`sum("amount") FILTER (WHERE "phase" = `)
			b.arg(ph)
			b.w(") AS ", ph, `_sum, count(*) FILTER (WHERE "phase" = `)
			b.arg(ph)
			b.w(") AS ", ph, "_count")
		}
	}
	b.w("\nFROM ")
	b.ident(tbl)
	b.where(p.Filters, nil)
	b.groupBy(p.Groups)
	if len(p.Groups) == 0 {
		b.w("\nHAVING count(*) > 0")
	}
	if p.Stats {
		b.w("\n)\nSELECT *,\n  count(*) OVER () AS ", colCells)
		for _, ph := range executionPhases {
			b.w(",\n  sum(", ph, "_sum) OVER () AS total_", ph, "_sum, CAST(sum(", ph, "_count) OVER () AS BIGINT) AS total_", ph, "_count")
		}
		b.w("\nFROM cells")
	} else {
		b.w("\n)\nSELECT * FROM cells")
	}
	base := "CASE WHEN revised_count > 0 THEN revised_sum WHEN approved_count > 0 THEN approved_sum END"
	executed := "executed_sum"
	if p.ExecutedZero {
		executed = "coalesce(executed_sum, 0)"
	}
	scale := p.Source.Scale
	b.orderBy(p.Order, len(p.Groups), func(o Order) (string, bool) {
		switch o.By {
		case OrderKey:
			return fmt.Sprintf("k%d", o.Key), true
		case OrderApproved:
			return "approved_sum", true
		case OrderRevised:
			return "revised_sum", true
		case OrderExecuted:
			return executed, true
		case OrderVariance:
			return "(" + executed + " - (" + base + "))", true
		case OrderRate:
			return "CASE WHEN (" + base + ") <> 0 THEN " + unscaled(executed, scale) + " * " + pow10(ratioDigits) +
				" // " + unscaled(base, scale) + " END", true
		}
		return "", false
	})
	b.limit(p.Limit, p.Offset)
	return b.stmt()
}

func hasRowID(cols []Column) bool {
	for _, c := range cols {
		if c.Name == store.ColRow {
			return true
		}
	}
	return false
}

// compileFacts compiles a page of line items. A page in row id order, or
// deep, is read in two steps inside one statement: the row ids of the page
// are found reading only the filter and order columns, then only those
// rows are fetched whole (late materialisation). In row id order the ids
// found are close together in storage, so the fetch skips most of the
// table; a deep page no longer keeps whole rows in its top-N heap.
func compileFacts(p *FactsPlan) (stmt, error) {
	if !hasRowID(p.Columns) {
		return stmt{}, errors.New("compile: facts plan without row_id")
	}
	b := &builder{}
	b.w("SELECT ")
	for i, c := range p.Columns {
		if i > 0 {
			b.w(", ")
		}
		b.ident(c.Name)
	}
	b.w("\nFROM ")
	b.ident(p.Source.Table)
	rowOrder := len(p.Order) == 0 || (p.Order[0].By == OrderKey && p.Order[0].Key >= 0 && p.Order[0].Key < len(p.Columns) &&
		p.Columns[p.Order[0].Key].Name == store.ColRow)
	if p.Limit > 0 && p.AfterRow == nil && (rowOrder || p.Offset >= lateOffset) {
		b.w("\nWHERE ")
		b.ident(store.ColRow)
		b.w(" IN (\nSELECT ")
		b.ident(store.ColRow)
		b.w(" FROM ")
		b.ident(p.Source.Table)
		b.where(p.Filters, nil)
		b.factsOrder(p)
		b.limit(p.Limit, p.Offset)
		b.w("\n)")
		b.factsOrder(p)
		return b.stmt()
	}
	var after func()
	if p.AfterRow != nil {
		after = func() {
			b.ident(store.ColRow)
			b.w(" > ")
			b.arg(*p.AfterRow)
		}
	}
	b.where(p.Filters, after)
	b.factsOrder(p)
	b.limit(p.Limit, p.Offset)
	return b.stmt()
}

// lateOffset is the offset from which a facts page in another order than
// row id is read with late materialisation.
const lateOffset = 1000

// factsOrder writes the ORDER BY of a facts plan, ended by row_id.
func (b *builder) factsOrder(p *FactsPlan) {
	b.w("\nORDER BY ")
	rowOrdered := false
	for i, o := range p.Order {
		if o.By != OrderKey || o.Key < 0 || o.Key >= len(p.Columns) {
			b.fail("compile: facts order must name a selected column")
			continue
		}
		if i > 0 {
			b.w(", ")
		}
		b.ident(p.Columns[o.Key].Name)
		b.w(direction(o.Desc))
		if p.Columns[o.Key].Name == store.ColRow {
			rowOrdered = true
			break // row_id is unique: later terms cannot matter
		}
	}
	if !rowOrdered {
		if len(p.Order) > 0 {
			b.w(", ")
		}
		b.ident(store.ColRow)
		b.w(direction(false))
	}
}

// compileCountFacts compiles the number of facts a facts plan's filters keep.
func compileCountFacts(p *FactsPlan) (stmt, error) {
	b := &builder{}
	b.w("SELECT count(*) FROM ")
	b.ident(p.Source.Table)
	b.where(p.Filters, nil)
	return b.stmt()
}

// compileMembers compiles a lookup of members by key.
func compileMembers(p *MembersPlan) (stmt, error) {
	b := &builder{}
	b.w(`SELECT "level", "key", "label_en", "label_ar", "label_src"` + "\n" + `FROM "members"` + "\n" +
		`WHERE "dataset_id" = `)
	b.arg(p.Dataset)
	b.w(` AND "version" = `)
	b.arg(int32(p.Version))
	b.w(` AND "dim" = `)
	b.arg(p.Dimension)
	if len(p.Levels) > 0 {
		b.w(` AND "level" IN (`)
		for i, l := range p.Levels {
			if i > 0 {
				b.w(", ")
			}
			b.arg(l)
		}
		b.w(")")
	}
	if p.Keys != nil {
		// One list parameter rather than one per key: an export labels
		// tens of thousands of keys at once, and binding each key as a
		// parameter of its own costs ten times the lookup.
		b.w(` AND "key" IN (SELECT unnest(`)
		b.arg(p.Keys)
		b.w(`::VARCHAR[]))`)
	}
	b.w("\n" + `ORDER BY "depth", "level", "key"`)
	return b.stmt()
}
