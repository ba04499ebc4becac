package ingest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// genCSV writes a budget-like CSV of n rows (deterministic content).
func genCSV(t testing.TB, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "Year,Phase,Ministry Code,Ministry,Programme,Supplier,Payment Date,Amount")
	r := rand.New(rand.NewPCG(1, 2))
	phases := []string{"approved", "revised", "executed"}
	for i := 0; i < n; i++ {
		m := r.IntN(40)
		fmt.Fprintf(w, "%d,%s,%02d,Ministry %d,Programme %d-%d,\"Supplier %d, Ltd\",%d-%02d-%02d,%d.%02d\n",
			2015+r.IntN(8), phases[r.IntN(3)], m, m, m, r.IntN(30), r.IntN(20000), 2015+r.IntN(8), 1+r.IntN(12), 1+r.IntN(28),
			r.IntN(1000000)-1000, r.IntN(100))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

const genDescriptor = `
id: gen-bench
title: {en: Generated}
currency: USD
dimensions:
  - id: admin
    levels: [{id: ministry}, {id: programme}]
  - id: supplier
    levels: [{id: supplier}]
sources:
  - name: %s
    mapping:
      year: {column: Year}
      phase: {column: Phase}
      direction: {value: expenditure}
      date: {column: Payment Date, format: Y-m-d}
      amount: {column: Amount}
      dimensions:
        admin:
          - {level: ministry, code: Ministry Code, label: Ministry}
          - {level: programme, label: Programme}
        supplier:
          - {level: supplier, label: Supplier}
`

// cachedCSV generates (once per machine) a CSV of n rows in the temp dir.
func cachedCSV(b testing.TB, n int) string {
	dir := filepath.Join(os.TempDir(), "mizan-ingest-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, fmt.Sprintf("gen-%d.csv", n))
	if _, err := os.Stat(p); err != nil {
		genCSV(b, p+".tmp", n)
		if err := os.Rename(p+".tmp", p); err != nil {
			b.Fatal(err)
		}
	}
	return p
}

// duckdbReadCSV times DuckDB loading the files into a table in a plain
// in-memory database.
func duckdbReadCSV(b testing.TB, files []string) time.Duration {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	quoted := make([]string, len(files))
	for i, f := range files {
		abs, _ := filepath.Abs(f)
		quoted[i] = "'" + strings.ReplaceAll(abs, "'", "''") + "'"
	}
	start := time.Now()
	q := "CREATE TABLE t AS SELECT * FROM read_csv([%s], delim = ',', quote = '\"', escape = '\"', header = true, union_by_name = true, strict_mode = false)"
	if _, err := db.Exec(fmt.Sprintf(q, strings.Join(quoted, ","))); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func benchIngest(b *testing.B, d *Descriptor, files []string, rows int64) {
	var duck, ours time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		duck += duckdbReadCSV(b, files)
		db := openDB(b, "")
		b.StartTimer()
		start := time.Now()
		s, err := Ingest(context.Background(), db, d, Options{Force: true})
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		if s.RowsRead != rows {
			b.Fatalf("read %d rows, want %d", s.RowsRead, rows)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/ours.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)*float64(b.N)/duck.Seconds(), "duckdb_rows/s")
	b.ReportMetric(duck.Seconds()/ours.Seconds(), "ratio_vs_duckdb")
}

// BenchmarkIngestGenerated ingests a generated 1M-row CSV.
func BenchmarkIngestGenerated(b *testing.B) {
	const n = 1_000_000
	p := cachedCSV(b, n)
	d, err := Parse([]byte(fmt.Sprintf(genDescriptor, filepath.Base(p))), filepath.Dir(p))
	if err != nil {
		b.Fatal(err)
	}
	benchIngest(b, d, []string{p}, n)
}

// BenchmarkIngestManchester ingests the 138 Manchester payment files.
func BenchmarkIngestManchester(b *testing.B) {
	dir := sharedDataset(b, "uk-manchester-spending-500")
	d, err := Parse([]byte(manchesterDescriptor), dir)
	if err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "clean", "*.csv"))
	benchIngest(b, d, files, manchesterRows)
}
