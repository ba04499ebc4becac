package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// openDB opens an in-memory store, or one in dir.
func openDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{Dir: dir})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// loadTest loads a descriptor under testdata.
func loadTest(t testing.TB, name string) *Descriptor {
	t.Helper()
	d, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return d
}

// parseTest parses descriptor text relative to testdata.
func parseTest(t testing.TB, yaml string) *Descriptor {
	t.Helper()
	d, err := Parse([]byte(yaml), "testdata")
	if err != nil {
		t.Fatalf("parse descriptor: %v", err)
	}
	return d
}

func mustIngest(t testing.TB, db *store.DB, d *Descriptor, opts Options) *Summary {
	t.Helper()
	s, err := Ingest(context.Background(), db, d, opts)
	if err != nil {
		t.Fatalf("ingest %s: %v", d.ID, err)
	}
	return s
}

// factTotals sums a version's stored facts per year, phase and direction.
func factTotals(t testing.TB, db *store.DB, dataset string, version int) map[string]string {
	t.Helper()
	q := fmt.Sprintf(`SELECT coalesce(CAST(year AS VARCHAR), ''), coalesce(phase, ''), coalesce(direction, ''), CAST(sum(amount) AS VARCHAR), count(*)
		FROM %s GROUP BY ALL ORDER BY ALL`, store.Quote(store.FactsTable(dataset, version)))
	rows, err := db.SQL.Query(q)
	if err != nil {
		t.Fatalf("query totals: %v", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var y, p, d, s string
		var n int64
		if err := rows.Scan(&y, &p, &d, &s, &n); err != nil {
			t.Fatal(err)
		}
		out[y+"/"+p+"/"+d] = fmt.Sprintf("%s (%d)", s, n)
	}
	return out
}

// summaryTotals renders Summary.Totals like factTotals.
func summaryTotals(s *Summary) map[string]string {
	out := map[string]string{}
	for _, t := range s.Totals {
		y := ""
		if t.Year != 0 {
			y = fmt.Sprint(t.Year)
		}
		out[y+"/"+t.Phase+"/"+t.Direction] = fmt.Sprintf("%s (%d)", t.Amount, t.Rows)
	}
	return out
}

// queryStrings runs a query returning rows of strings.
func queryStrings(t testing.TB, db *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if v.Valid {
				row[i] = v.String
			} else {
				row[i] = "NULL"
			}
		}
		out = append(out, row)
	}
	return out
}

// golden compares v, as indented JSON, with testdata/golden/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
	}
}

// sharedDataset returns the path of a real dataset, skipping when absent.
func sharedDataset(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "shared", "datasets"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data not available: %s", p)
	}
	return p
}
