package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Report sections, in print order, with what their ratio means.
const (
	secIngest   = "Ingest: Mizan (`bin/mizan ingest`, full validation and provenance) vs DuckDB `CREATE TABLE AS SELECT * FROM read_csv(...)`; ratio = duckdb / mizan, higher is better (goal ≥ 0.5)"
	secOverhead = "Queries: Mizan end-to-end (Connect protocol, binary protobuf, loopback HTTP) vs the same answer as one hand-written SQL statement on the facts table of the same DuckDB database; ratio = mizan / duckdb, lower is better (goal ≤ 1.15)"
	secPostgres = "Queries: babbage-style SQL on PostgreSQL 15 (count + summary + page per request) vs Mizan end-to-end; ratio = postgres / mizan, higher is better (goal geomean ≥ 20, min ≥ 8)"
	secRollup   = "Dashboard totals: Mizan end-to-end (rollup tables) vs a raw scan of the facts table in DuckDB; ratio = duckdb / mizan, higher is better (goal ≥ 10 at 100M rows)"
	secScale    = "Scale: the query set's Mizan time at 10× the rows (\"mizan ms\") vs at BENCH_ROWS (\"baseline ms\"); ratio = big / small, lower is better (goal ≤ 10)"
)

var sectionOrder = []string{secIngest, secOverhead, secPostgres, secRollup, secScale}

// summaryKeys are the keys of the final line, in order. Keys no
// measurement set print as n/a.
var summaryKeys = []string{
	"rows",
	"ingest_vs_duckdb", "ingest_manchester_vs_duckdb", "ingest_peak_rss_mb",
	"duckdb_overhead", "duckdb_overhead_facts", "duckdb_overhead_max",
	"postgres_speedup", "postgres_min",
	"rollup_speedup", "rollup_speedup_10x", "scale_10x",
	"search_p50_ms", "search_vs_ilike", "flags_1m_s", "load_errors", "load_p99_ms", "load_rss_mb",
}

// line is one row of a table.
type line struct {
	name, mizan, base, ratio string
}

// report collects measurements and the summary keys.
type report struct {
	tables map[string][]line
	keys   map[string]string
	notes  []string
}

func newReport(cfg *config) *report {
	r := &report{tables: map[string][]line{}, keys: map[string]string{}}
	r.set("rows", fmt.Sprint(cfg.rows))
	return r
}

// add records a row of a section. The optional texts replace the mizan
// and baseline columns (for rows that are not times).
func (r *report) add(section, name string, mizan, base time.Duration, ratio float64, texts ...string) {
	l := line{name: name, mizan: ms(mizan), base: ms(base), ratio: fmtRatio(ratio)}
	if len(texts) == 2 {
		l.mizan, l.base = texts[0], texts[1]
	}
	r.tables[section] = append(r.tables[section], l)
}

// set sets a summary key.
func (r *report) set(key, value string) { r.keys[key] = value }

// note adds a line printed under the tables.
func (r *report) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// print writes the tables and, last, the summary line.
func (r *report) print(w io.Writer) {
	for _, sec := range sectionOrder {
		rows := r.tables[sec]
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n\n", sec)
		fmt.Fprintln(w, "| query | mizan ms | baseline ms | ratio |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
		for _, l := range rows {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", l.name, l.mizan, l.base, l.ratio)
		}
	}
	if len(r.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range r.notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	fmt.Fprintln(w)
	var parts []string
	for _, k := range summaryKeys {
		v := r.keys[k]
		if v == "" {
			v = "n/a"
		}
		parts = append(parts, k+"="+v)
	}
	var extra []string
	for k, v := range r.keys {
		if !slices.Contains(summaryKeys, k) {
			extra = append(extra, k+"="+v)
		}
	}
	slices.Sort(extra)
	fmt.Fprintf(w, "bench: %s\n", strings.Join(append(parts, extra...), " "))
}

// ms formats a duration in milliseconds ("" for zero).
func ms(d time.Duration) string {
	if d == 0 {
		return ""
	}
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// fmtRatio formats a ratio with three significant digits.
func fmtRatio(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "n/a"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

// median returns the median of ds (the mean of the middle two when even).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// mean returns the arithmetic mean of ds.
func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// geomean returns the geometric mean of positive values.
func geomean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, x := range xs {
		sum += math.Log(x)
	}
	return math.Exp(sum / float64(len(xs)))
}

// human writes a row count as 200k, 1M, 10M.
func human(n int64) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}
