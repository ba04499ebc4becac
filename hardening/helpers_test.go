package hardening

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/store"
)

// mizanBin is the binary under test, built once by TestMain.
var mizanBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	dir, err := os.MkdirTemp("", "mizan-hardening-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mizanBin = filepath.Join(dir, "mizan")
	build := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", mizanBin, "github.com/mizan-budget/mizan/cmd/mizan")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build mizan:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// envInt reads a positive integer from the environment.
func envInt(t *testing.T, name string, def int64) int64 {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// run runs the binary to completion and returns its stdout, failing the
// test with its stderr when it fails.
func run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(mizanBin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("mizan %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// lockedBuffer collects a subprocess's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// wait is signalled on every write.
	wait chan struct{}
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{wait: make(chan struct{}, 1)} }

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.wait <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the output contains s or the process ends (done
// closed); it reports whether s appeared.
func (b *lockedBuffer) waitFor(s string, done <-chan struct{}) bool {
	for {
		if strings.Contains(b.String(), s) {
			return true
		}
		select {
		case <-b.wait:
		case <-done:
			return strings.Contains(b.String(), s)
		}
	}
}

// killedBy reports whether err is the exit of a process killed by sig.
func killedBy(err error, sig syscall.Signal) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// generated is a synthetic budget written by `mizan generate`.
type generated struct {
	descriptor string
	// totals are the sums of the CSV's amounts per "year|phase|direction",
	// computed here with encoding/csv and math/big.
	totals map[string]string
	rows   int64
}

// generate writes a synthetic budget of the given size and seed and
// computes its totals from the CSV.
func generate(t *testing.T, rows int64, seed uint64) generated {
	t.Helper()
	dir := t.TempDir()
	run(t, "generate", "--out", dir, "--rows", fmt.Sprint(rows), "--seed", fmt.Sprint(seed), "--codes-only")
	f, err := os.Open(filepath.Join(dir, "demo-budget.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("generated CSV has no %s column: %v", name, head)
		}
		return i
	}
	iy, ip, id, ia := col("year"), col("phase"), col("direction"), col("amount")
	sums := map[string]*big.Rat{}
	var n int64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		k := rec[iy] + "|" + rec[ip] + "|" + rec[id]
		a, ok := new(big.Rat).SetString(rec[ia])
		if !ok {
			t.Fatalf("amount %q", rec[ia])
		}
		if sums[k] == nil {
			sums[k] = new(big.Rat)
		}
		sums[k].Add(sums[k], a)
		n++
	}
	g := generated{descriptor: filepath.Join(dir, "demo-budget.yaml"), totals: map[string]string{}, rows: n}
	for k, v := range sums {
		g.totals[k] = v.FloatString(3)
	}
	return g
}

// dataset is the id `mizan generate` gives the budget.
const dataset = "demo-budget"

// checkDatabase opens the data directory (it must open) and checks that
// the dataset has exactly the versions want, each with the totals of the
// file it was ingested from, that nothing of any other version is left in
// any table, and that the latest version answers an aggregation.
func checkDatabase(t *testing.T, data string, want []generated) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: data, Threads: 2})
	if err != nil {
		t.Fatalf("the database does not open: %v", err)
	}
	defer db.Close()
	var got []int
	rows, err := db.SQL.Query(`SELECT version FROM versions WHERE dataset_id = ? ORDER BY version`, dataset)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	rows.Close()
	var wantNums []int
	for i := range want {
		wantNums = append(wantNums, i+1)
	}
	if !slices.Equal(got, wantNums) {
		t.Fatalf("versions %v, want %v", got, wantNums)
	}
	// Totals of every version, in SQL.
	for i, g := range want {
		sums := map[string]string{}
		var n int64
		rows, err := db.SQL.Query(fmt.Sprintf(`SELECT CAST(year AS VARCHAR) || '|' || phase || '|' || direction, CAST(sum(amount) AS VARCHAR), count(*) FROM %s GROUP BY ALL`,
			store.Quote(store.FactsTable(dataset, i+1))))
		if err != nil {
			t.Fatalf("version %d is not queryable: %v", i+1, err)
		}
		for rows.Next() {
			var k, s string
			var c int64
			if err := rows.Scan(&k, &s, &c); err != nil {
				t.Fatal(err)
			}
			sums[k] = s
			n += c
		}
		rows.Close()
		if n != g.rows || !mapsEqual(sums, g.totals) {
			t.Errorf("version %d: %d rows, totals differ from its file's (%d rows): %s", i+1, n, g.rows, firstDiff(g.totals, sums))
		}
	}
	// Nothing of an uncommitted version in any table.
	names := tableNames(t, db)
	owned := map[string]bool{}
	all, err := db.ListDatasets(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range all {
		for _, v := range d.Versions {
			owned[store.FactsTable(d.ID, v.Number)] = true
			for _, r := range v.Rollups {
				owned[r.Table] = true
			}
		}
	}
	for _, n := range names {
		if (strings.HasPrefix(n, "facts_") || strings.HasPrefix(n, "rollup_")) && !owned[n] {
			t.Errorf("table %s belongs to no committed version", n)
		}
		if n == "versions" || n == "datasets" || n == "schema_migrations" {
			continue
		}
		var hasVersion bool
		if err := db.SQL.QueryRow(`SELECT count(*) > 0 FROM duckdb_columns() WHERE table_name = ? AND column_name = 'version'`, n).Scan(&hasVersion); err != nil {
			t.Fatal(err)
		}
		if !hasVersion {
			continue
		}
		var orphans int64
		if err := db.SQL.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %s t WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.dataset_id = t.dataset_id AND v.version = t.version)`, store.Quote(n))).Scan(&orphans); err != nil {
			t.Fatalf("orphans of %s: %v", n, err)
		}
		if orphans > 0 {
			t.Errorf("table %s has %d rows of an uncommitted version", n, orphans)
		}
	}
	// The latest version answers through the query service.
	if len(want) == 0 {
		return
	}
	svc := query.NewService(db, query.NewDuckDB(db), query.Options{})
	res, err := svc.Aggregate(ctx, mizan.AggregateQuery{Dataset: dataset, Drilldown: []string{"year", "phase", "direction"}, Aggregates: []string{"amount.sum"}, PageSize: 1000})
	if err != nil {
		t.Fatalf("aggregate: %v", err)
	}
	sums := map[string]string{}
	for _, c := range res.Cells {
		sums[c.Keys["year"]+"|"+c.Keys["phase"]+"|"+c.Keys["direction"]] = c.Values["amount.sum"]
	}
	if last := want[len(want)-1]; !mapsEqual(sums, last.totals) {
		t.Errorf("aggregate of the latest version differs from its file's totals: %s", firstDiff(last.totals, sums))
	}
}

func tableNames(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func firstDiff(want, got map[string]string) string {
	keys := make([]string, 0, len(want)+len(got))
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if want[k] != got[k] {
			return fmt.Sprintf("%s: want %q, got %q", k, want[k], got[k])
		}
	}
	return "(none)"
}

// ingestSummary is the part of `mizan ingest --json` the tests read.
type ingestSummary struct {
	Dataset string `json:"dataset"`
	Version int    `json:"version"`
}

func parseSummary(t *testing.T, out string) ingestSummary {
	t.Helper()
	var s ingestSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("ingest summary: %v\n%s", err, out)
	}
	return s
}
