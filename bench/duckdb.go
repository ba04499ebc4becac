package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// This file holds the DuckDB baseline: each request written by hand as the
// SQL a developer would run on the facts table to get the same answer as
// Mizan's (the page of cells, the number of cells, the grand totals and the
// labels), through database/sql on the same database.

// duckRunner returns a runner answering sp with one SQL statement on the
// facts table: the page, the total count, the grand totals and the labels,
// scanning every result row.
func duckRunner(db *sql.DB, t *target, sp spec) (runner, error) {
	if sp.kind == kindFacts {
		return duckFactsRunner(db, t, sp)
	}
	q, args, err := duckSQL(t, sp)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (result, error) {
		return scanSQL(ctx, db, q, args)
	}, nil
}

// scanSQL runs q, reads every row, and returns the row count, the
// total_cells column of the first row and its first column.
func scanSQL(ctx context.Context, db *sql.DB, q string, args []any) (result, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return result{}, fmt.Errorf("%w\n%s", err, q)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return result{}, err
	}
	totalAt := -1
	for i, c := range cols {
		if c == "total_cells" {
			totalAt = i
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var r result
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return result{}, err
		}
		if r.rows == 0 {
			r.first = fmt.Sprint(vals[0])
			if totalAt >= 0 {
				r.total, _ = strconv.ParseInt(fmt.Sprint(vals[totalAt]), 10, 64)
			}
		}
		r.rows++
	}
	return r, rows.Err()
}

// sqlBuilder writes SQL with ? parameters.
type sqlBuilder struct {
	strings.Builder
	args []any
}

func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "?"
}

// typedValue converts a cut value to the column's type.
func typedValue(ref, v string) any {
	if ref == mizan.DimYear {
		n, err := strconv.Atoi(v)
		if err == nil {
			return n
		}
	}
	return v
}

// where writes the cuts as a WHERE clause over facts columns.
func (b *sqlBuilder) where(t *target, cuts []cut) error {
	for i, c := range cuts {
		col, _, err := t.resolve(c.ref)
		if err != nil {
			return err
		}
		if i == 0 {
			b.WriteString("\nWHERE ")
		} else {
			b.WriteString(" AND ")
		}
		var ps []string
		for _, v := range c.values {
			ps = append(ps, b.arg(typedValue(c.ref, v)))
		}
		if len(ps) == 1 {
			fmt.Fprintf(b, "%s = %s", store.Quote(col), ps[0])
		} else {
			fmt.Fprintf(b, "%s IN (%s)", store.Quote(col), strings.Join(ps, ", "))
		}
	}
	return nil
}

// labelJoins writes a LEFT JOIN on the members table for every level in
// keys (alias → level) and returns the label expressions.
func (b *sqlBuilder) labelJoins(t *target, from string, keys []string, levels []*level) []string {
	var labels []string
	for i, l := range levels {
		if l == nil {
			continue
		}
		m := fmt.Sprintf("m%d", i)
		fmt.Fprintf(b, "\nLEFT JOIN members %s ON %s.dataset_id = %s AND %s.version = %s AND %s.dim = %s AND %s.level = %s AND %s.key = %s.%s",
			m, m, b.arg(t.dataset), m, b.arg(t.version), m, b.arg(l.dim), m, b.arg(l.id), m, from, keys[i])
		labels = append(labels, fmt.Sprintf("coalesce(%s.label_en, %s.label_ar, %s.label_src, %s.%s) AS l%d", m, m, m, from, keys[i], i))
	}
	return labels
}

// duckSQL is the hand-written equivalent of sp over the facts table.
func duckSQL(t *target, sp spec) (string, []any, error) {
	switch sp.kind {
	case kindAggregate:
		return duckAggregateSQL(t, sp)
	case kindExecution:
		return duckExecutionSQL(t, sp)
	}
	return "", nil, fmt.Errorf("no single statement for kind %d", sp.kind)
}

func (t *target) drill(refs []string) (cols, keys []string, levels []*level, err error) {
	for i, ref := range refs {
		col, l, err := t.resolve(ref)
		if err != nil {
			return nil, nil, nil, err
		}
		cols = append(cols, col)
		keys = append(keys, fmt.Sprintf("k%d", i))
		levels = append(levels, l)
	}
	return cols, keys, levels, nil
}

func orderSQL(sp spec, keys []string) string {
	var terms []string
	used := map[string]bool{}
	for _, o := range sp.order {
		e := "amount_sum"
		for i, ref := range sp.drill {
			if ref == o.ref {
				e = keys[i]
			}
		}
		used[e] = true
		dir := " ASC NULLS LAST"
		if o.desc {
			dir = " DESC NULLS LAST"
		}
		terms = append(terms, e+dir)
	}
	for _, k := range keys {
		if !used[k] {
			terms = append(terms, k+" ASC NULLS LAST")
		}
	}
	return strings.Join(terms, ", ")
}

func duckAggregateSQL(t *target, sp spec) (string, []any, error) {
	cols, keys, levels, err := t.drill(sp.drill)
	if err != nil {
		return "", nil, err
	}
	b := &sqlBuilder{}
	b.WriteString("WITH cells AS (\nSELECT ")
	for i, c := range cols {
		fmt.Fprintf(b, "%s AS %s, ", store.Quote(c), keys[i])
	}
	fmt.Fprintf(b, "sum(amount) AS amount_sum, count(*) AS amount_count\nFROM %s", store.Quote(t.table))
	if err := b.where(t, sp.cuts); err != nil {
		return "", nil, err
	}
	b.WriteString("\nGROUP BY ALL\n), page AS (\nSELECT *, count(*) OVER () AS total_cells, sum(amount_sum) OVER () AS total_sum, sum(amount_count) OVER () AS total_count\nFROM cells\nORDER BY ")
	ord := orderSQL(sp, keys)
	fmt.Fprintf(b, "%s\nLIMIT %s\n)\n", ord, b.arg(sp.size))
	joins := &sqlBuilder{args: b.args}
	labels := joins.labelJoins(t, "page", keys, levels)
	b.args = joins.args
	b.WriteString("SELECT page.*")
	for _, l := range labels {
		b.WriteString(", " + l)
	}
	b.WriteString("\nFROM page")
	b.WriteString(joins.String())
	fmt.Fprintf(b, "\nORDER BY %s", ord)
	return b.String(), b.args, nil
}

func duckExecutionSQL(t *target, sp spec) (string, []any, error) {
	cols, keys, levels, err := t.drill(sp.drill)
	if err != nil {
		return "", nil, err
	}
	b := &sqlBuilder{}
	b.WriteString("WITH cells AS (\nSELECT ")
	for i, c := range cols {
		fmt.Fprintf(b, "%s AS %s, ", store.Quote(c), keys[i])
	}
	for i, ph := range []string{mizan.PhaseApproved, mizan.PhaseRevised, mizan.PhaseExecuted} {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "sum(amount) FILTER (WHERE phase = '%s') AS %s", ph, ph)
	}
	fmt.Fprintf(b, "\nFROM %s", store.Quote(t.table))
	if err := b.where(t, sp.cuts); err != nil {
		return "", nil, err
	}
	b.WriteString("\nGROUP BY ALL\n), page AS (\nSELECT *, count(*) OVER () AS total_cells, sum(approved) OVER () AS total_approved, sum(revised) OVER () AS total_revised, sum(executed) OVER () AS total_executed,\n" +
		"CASE WHEN coalesce(revised, approved) <> 0 THEN coalesce(executed, 0) / coalesce(revised, approved) END AS rate\nFROM cells\nORDER BY ")
	ord := orderSQL(sp, keys)
	fmt.Fprintf(b, "%s\nLIMIT %s\n)\n", ord, b.arg(sp.size))
	joins := &sqlBuilder{args: b.args}
	labels := joins.labelJoins(t, "page", keys, levels)
	b.args = joins.args
	b.WriteString("SELECT page.*")
	for _, l := range labels {
		b.WriteString(", " + l)
	}
	b.WriteString("\nFROM page")
	b.WriteString(joins.String())
	fmt.Fprintf(b, "\nORDER BY %s", ord)
	return b.String(), b.args, nil
}

func duckFactsSQL(t *target, sp spec) (count, page string, args []any, err error) {
	b := &sqlBuilder{}
	fmt.Fprintf(b, "SELECT count(*) FROM %s", store.Quote(t.table))
	if err := b.where(t, sp.cuts); err != nil {
		return "", "", nil, err
	}
	count, args = b.String(), b.args
	b = &sqlBuilder{}
	fmt.Fprintf(b, "SELECT * FROM %s", store.Quote(t.table))
	if err := b.where(t, sp.cuts); err != nil {
		return "", "", nil, err
	}
	fmt.Fprintf(b, "\nORDER BY row_id\nLIMIT %d OFFSET %d", sp.size, sp.offset)
	return count, b.String(), args, nil
}

// duckFactsRunner answers a facts page as a client would by hand: the
// count, the page, then the labels of every key on the page in one lookup
// (joining the members table once per level costs more than this, and a
// count folded into the page statement defeats DuckDB's top-N late
// materialisation).
func duckFactsRunner(db *sql.DB, t *target, sp spec) (runner, error) {
	cq, q, args, err := duckFactsSQL(t, sp)
	if err != nil {
		return nil, err
	}
	levels := t.levels()
	return func(ctx context.Context) (result, error) {
		var total int64
		if err := db.QueryRowContext(ctx, cq, args...).Scan(&total); err != nil {
			return result{}, fmt.Errorf("%w\n%s", err, cq)
		}
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return result{}, fmt.Errorf("%w\n%s", err, q)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return result{}, err
		}
		at := map[string]int{}
		for i, c := range cols {
			at[c] = i
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		keys := map[string]bool{}
		r := result{total: total}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return result{}, err
			}
			if r.rows == 0 {
				r.first = fmt.Sprint(vals[at["row_id"]])
			}
			r.rows++
			for _, l := range levels {
				if s, ok := vals[at[l.column]].(string); ok {
					keys[s] = true
				}
			}
		}
		if err := rows.Err(); err != nil {
			return result{}, err
		}
		if len(keys) == 0 {
			return r, nil
		}
		lb := &sqlBuilder{}
		fmt.Fprintf(lb, "SELECT dim, level, key, label_en, label_ar, label_src FROM members WHERE dataset_id = %s AND version = %s AND key IN (",
			lb.arg(t.dataset), lb.arg(t.version))
		n := 0
		for k := range keys {
			if n > 0 {
				lb.WriteString(", ")
			}
			lb.WriteString(lb.arg(k))
			n++
		}
		lb.WriteString(")")
		if _, err := scanSQL(ctx, db, lb.String(), lb.args); err != nil {
			return result{}, err
		}
		return r, nil
	}, nil
}
