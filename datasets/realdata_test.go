package datasets_test

// Tests of the real-data descriptors against the unmodified public files in
// ../../shared/datasets (never copied into the repository). Each ingest is
// checked against an independent pass over the raw files written here with
// encoding/csv and math/big (and, for Madrid, DuckDB's own read_csv in a
// separate in-memory connection): totals per year × phase × direction, row
// and fact counts. Rejects and Bahrain's reconciliation of published totals
// are compared with golden files in testdata/golden (refresh with -update).
//
//	go test -tags duckdb_arrow ./datasets/                # all
//	go test -tags duckdb_arrow -short ./datasets/         # without Manchester
//	go test -tags duckdb_arrow ./datasets/ -run RealData -update

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/mizan-budget/mizan/datasets"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/internal/shareddata"
	"github.com/mizan-budget/mizan/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// sharedDir returns the shared folder of a dataset, or skips the test when
// the shared data is not on this machine.
func sharedDir(t *testing.T, id string) string {
	t.Helper()
	folder, ok := shareddata.Folders[id]
	if !ok {
		t.Fatalf("no shared folder known for %s: add it to shareddata.Folders", id)
	}
	return shareddata.Dir(t, folder)
}

// loadEmbedded reads an embedded descriptor through ingest.Load.
func loadEmbedded(t *testing.T, id string) *ingest.Descriptor {
	t.Helper()
	data, err := fs.ReadFile(datasets.FS(), id+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), id+".yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := ingest.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", id, err)
	}
	return d
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestEmbeddedDescriptorsLoad(t *testing.T) {
	ids := datasets.IDs()
	if len(ids) == 0 {
		t.Fatal("no embedded descriptors")
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			d := loadEmbedded(t, id)
			if d.ID != id {
				t.Errorf("id %q in %s.yaml", d.ID, id)
			}
			if _, ok := shareddata.Folders[id]; !ok {
				t.Errorf("%s has no shared folder in the tests", id)
			}
			for field, text := range map[string]map[string]string{"title": d.Title, "description": d.Description} {
				for _, lang := range []string{"en", "ar"} {
					if strings.TrimSpace(text[lang]) == "" {
						t.Errorf("%s has no %s", field, lang)
					}
				}
			}
			if len(d.Publisher) == 0 || d.Country == "" || d.Currency == "" || d.Language == "" || d.Homepage == "" {
				t.Errorf("publisher, country, currency, language and homepage are all required: %+v", d.DatasetMeta())
			}
			if d.Licence.Name == "" {
				t.Error("no licence name (write \"unconfirmed\" when it is)")
			}
			if len(d.Sources) == 0 {
				t.Fatal("no sources")
			}
			for i, s := range d.Sources {
				if !strings.HasPrefix(s.URL, "https://") {
					t.Errorf("source %d (%s): url %q is not https", i, s.Name, s.URL)
				}
				if !hex64.MatchString(s.SHA256) {
					t.Errorf("source %d (%s): sha256 %q", i, s.Name, s.SHA256)
				}
				if s.Name == "" {
					t.Errorf("source %d: no name", i)
				}
			}
		})
	}
}

var urlCommitRE = regexp.MustCompile(`/([0-9a-f]{40})/`)

// TestSourcesMatchSharedCopies checks every source's sha256 against the
// local copy, and that its url is pinned to a commit PROVENANCE.txt names.
func TestSourcesMatchSharedCopies(t *testing.T) {
	for _, id := range datasets.IDs() {
		t.Run(id, func(t *testing.T) {
			dir := sharedDir(t, id)
			d := loadEmbedded(t, id)
			prov, err := os.ReadFile(filepath.Join(dir, "PROVENANCE.txt"))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range d.Sources {
				got := sha256File(t, filepath.Join(dir, filepath.FromSlash(s.Name)))
				if got != s.SHA256 {
					t.Errorf("%s: sha256 %s, descriptor says %s", s.Name, got, s.SHA256)
				}
				m := urlCommitRE.FindStringSubmatch(s.URL)
				if m == nil {
					t.Errorf("%s: url %s is not pinned to a commit", s.Name, s.URL)
				} else if !strings.Contains(string(prov), m[1]) {
					t.Errorf("%s: url %s is pinned to commit %s, which %s/PROVENANCE.txt does not name", s.Name, s.URL, m[1], dir)
				}
			}
		})
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ---------------------------------------------------------------------------
// Ingest and what to compare.

// cell is one year × phase × direction group.
type cell struct {
	Year      int
	Phase     string
	Direction string
}

func (c cell) String() string { return fmt.Sprintf("%d/%s/%s", c.Year, c.Phase, c.Direction) }

// agg is an exact sum and a count of facts.
type agg struct {
	Sum  *big.Rat
	Rows int64
}

type totals map[cell]*agg

func (ts totals) add(c cell, v *big.Rat) {
	a := ts[c]
	if a == nil {
		a = &agg{Sum: new(big.Rat)}
		ts[c] = a
	}
	a.Sum.Add(a.Sum, v)
	a.Rows++
}

func (ts totals) grand() (*big.Rat, int64) {
	s, n := new(big.Rat), int64(0)
	for _, a := range ts {
		s.Add(s, a.Sum)
		n += a.Rows
	}
	return s, n
}

// ingested is one dataset stored in a fresh database.
type ingested struct {
	db      *store.DB
	d       *ingest.Descriptor
	sum     *ingest.Summary
	sources map[int]string // source id → name
}

func ingestShared(t *testing.T, id string) *ingested {
	t.Helper()
	dir := sharedDir(t, id)
	d := loadEmbedded(t, id)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := ingest.Ingest(ctx, db, d, ingest.Options{From: dir})
	if err != nil {
		t.Fatalf("ingest %s: %v", id, err)
	}
	in := &ingested{db: db, d: d, sum: s, sources: map[int]string{}}
	for _, src := range s.Sources {
		name := src.Name
		if src.Member != "" {
			name += "!" + src.Member
		}
		in.sources[src.ID] = name
	}
	t.Logf("%s v%d: %d rows read, %d accepted, %d rejected, %d skipped, %d totals; %d facts; reconciliation %d checked, %d mismatches (%s)",
		id, s.Version, s.RowsRead, s.RowsAccepted, s.RowsRejected, s.RowsSkipped, s.RowsTotals, s.Facts,
		s.Reconciliation.Checked, s.Reconciliation.Mismatches, s.Duration)
	return in
}

func ratOf(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		t.Fatalf("not a decimal: %q", s)
	}
	return r
}

// summaryTotals reads the ingest summary's totals.
func (in *ingested) summaryTotals(t *testing.T) totals {
	t.Helper()
	out := totals{}
	for _, x := range in.sum.Totals {
		if x.Currency != in.d.Currency {
			t.Errorf("total in %s, dataset currency %s", x.Currency, in.d.Currency)
		}
		out[cell{x.Year, x.Phase, x.Direction}] = &agg{Sum: ratOf(t, x.Amount), Rows: x.Rows}
	}
	return out
}

// factTotals sums the stored facts table itself.
func (in *ingested) factTotals(t *testing.T) totals {
	t.Helper()
	return in.factTotalsBy(t, "")
}

// factTotalsBy sums the facts table, keeping only facts where the SQL
// condition cond holds ("" = all).
func (in *ingested) factTotalsBy(t *testing.T, cond string) totals {
	t.Helper()
	q := fmt.Sprintf(`SELECT coalesce(year, 0), coalesce(phase, ''), coalesce(direction, ''), CAST(sum(amount) AS VARCHAR), count(*)
		FROM %s %s GROUP BY ALL`, store.Quote(store.FactsTable(in.d.ID, in.sum.Version)), where(cond))
	rows, err := in.db.SQL.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := totals{}
	for rows.Next() {
		var c cell
		var sum string
		var n int64
		if err := rows.Scan(&c.Year, &c.Phase, &c.Direction, &sum, &n); err != nil {
			t.Fatal(err)
		}
		out[c] = &agg{Sum: ratOf(t, sum), Rows: n}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func where(cond string) string {
	if cond == "" {
		return ""
	}
	return "WHERE " + cond
}

// compareTotals reports every cell where got differs from want.
func compareTotals(t *testing.T, what string, want, got totals) {
	t.Helper()
	var keys []cell
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		w, g := want[k], got[k]
		switch {
		case w == nil:
			t.Errorf("%s: unexpected %s: %s (%d facts)", what, k, g.Sum.FloatString(3), g.Rows)
		case g == nil:
			t.Errorf("%s: missing %s: want %s (%d facts)", what, k, w.Sum.FloatString(3), w.Rows)
		case w.Sum.Cmp(g.Sum) != 0 || w.Rows != g.Rows:
			t.Errorf("%s: %s = %s (%d facts), want %s (%d facts)", what, k, g.Sum.FloatString(3), g.Rows, w.Sum.FloatString(3), w.Rows)
		}
	}
}

// checkTotals compares the independent totals with both the summary and the
// facts table.
func (in *ingested) checkTotals(t *testing.T, want totals) {
	t.Helper()
	compareTotals(t, "summary", want, in.summaryTotals(t))
	compareTotals(t, "facts table", want, in.factTotals(t))
	sum, n := want.grand()
	if in.sum.Facts != n {
		t.Errorf("summary: %d facts, want %d", in.sum.Facts, n)
	}
	t.Logf("checked %d cells: %d facts, total %s %s", len(want), n, sum.FloatString(2), in.d.Currency)
	for _, k := range sortedCells(want) {
		t.Logf("  %s: %s (%d facts)", k, want[k].Sum.FloatString(2), want[k].Rows)
	}
}

func sortedCells(ts totals) []cell {
	var ks []cell
	for k := range ts {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].String() < ks[j].String() })
	return ks
}

// ---------------------------------------------------------------------------
// Golden files.

type goldenReject struct {
	Source string `json:"source"`
	Row    int64  `json:"row"`
	Column string `json:"column"`
	Raw    string `json:"raw"`
	Reason string `json:"reason"`
}

type goldenRejects struct {
	RowsRead     int64          `json:"rows_read"`
	RowsRejected int64          `json:"rows_rejected"`
	Rejects      []goldenReject `json:"rejects"`
}

// checkRejects compares the stored rejects with testdata/golden/<id>-rejects.json.
func (in *ingested) checkRejects(t *testing.T) {
	t.Helper()
	rs, err := in.db.Rejects(context.Background(), in.d.ID, in.sum.Version, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	g := goldenRejects{RowsRead: in.sum.RowsRead, RowsRejected: in.sum.RowsRejected, Rejects: []goldenReject{}}
	for _, r := range rs {
		g.Rejects = append(g.Rejects, goldenReject{Source: in.sources[r.SourceID], Row: r.SourceRow, Column: r.Column, Raw: r.Raw, Reason: r.Reason})
	}
	golden(t, in.d.ID+"-rejects.json", g)
}

type goldenCheck struct {
	Source    string `json:"source"`
	Row       int64  `json:"row"`
	Scope     string `json:"scope"`
	Published string `json:"published"`
	Computed  string `json:"computed"`
	Matches   bool   `json:"matches"`
}

// checkReconciliation compares the checks of published totals with
// testdata/golden/<id>-reconciliation.json and returns them.
func (in *ingested) checkReconciliation(t *testing.T) []goldenCheck {
	t.Helper()
	ms, err := in.db.Reconciliation(context.Background(), in.d.ID, in.sum.Version)
	if err != nil {
		t.Fatal(err)
	}
	out := []goldenCheck{}
	for _, m := range ms {
		out = append(out, goldenCheck{Source: in.sources[m.SourceID], Row: m.SourceRow, Scope: m.Scope, Published: m.Published, Computed: m.Computed, Matches: m.Matches})
	}
	golden(t, in.d.ID+"-reconciliation.json", out)
	return out
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, w, g)
		}
	}
	return ""
}

// ---------------------------------------------------------------------------
// Raw-file helpers for the independent passes.

// readCSV reads a whole CSV file, tolerating ragged rows.
func readCSV(t *testing.T, r io.Reader, delim rune) [][]string {
	t.Helper()
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func readCSVFile(t *testing.T, path string, delim rune) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs := readCSV(t, f, delim)
	if len(recs) > 0 && len(recs[0]) > 0 {
		recs[0][0] = strings.TrimPrefix(strings.TrimPrefix(recs[0][0], "\ufeff"), "ï»¿")
	}
	return recs
}

func colIndex(t *testing.T, header []string, names ...string) int {
	t.Helper()
	for _, n := range names {
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), n) {
				return i
			}
		}
	}
	t.Fatalf("no column %q in %q", names, header)
	return -1
}

// plainAmount parses "1,234.5", " 99,305,000 ", "-8,660,451,340 ".
func plainAmount(t *testing.T, s string) *big.Rat {
	t.Helper()
	return ratOf(t, strings.ReplaceAll(strings.TrimSpace(s), ",", ""))
}

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// Bahrain.

var (
	bhYearCol = regexp.MustCompile(`^(19|20)\d\d$`)
	bhTotal   = regexp.MustCompile(`^\s*(Grand )?Total( Expenditure)?\s*$`)
	bhPeriod  = regexp.MustCompile(`^\d{4}-\d{4}$`)
)

// bhFile is one CSV of one budget law and how it must be read.
type bhFile struct {
	path string // period/file.csv
	kind string // general, recurrent, project, revenue, municipal; memo-*: left out
}

// bahrainFiles lists every CSV of the shared folder and decides, from the
// file names alone, which are read.
func bahrainFiles(t *testing.T, dir string) []bhFile {
	t.Helper()
	periods, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []bhFile
	for _, p := range periods {
		if !p.IsDir() || !bhPeriod.MatchString(p.Name()) {
			continue
		}
		early := p.Name() < "2003"
		files, err := os.ReadDir(filepath.Join(dir, p.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			name := f.Name()
			if !strings.HasSuffix(name, ".csv") {
				continue
			}
			var kind string
			switch {
			case name == "general-expenditure.csv":
				kind = "general"
			case name == "recurrent-expenditure.csv" || name == "recurring-expenditure.csv":
				kind = "recurrent"
				if early {
					kind = "memo-recurrent" // the same money as general-expenditure chapters 1-7
				}
			case strings.HasPrefix(name, "project-expenditure"):
				kind = "project"
			case name == "revenue.csv":
				kind = "revenue"
			case name == "municipalities.csv":
				kind = "municipal"
			case name == "govt-subsidies.csv":
				kind = "memo-subsidies" // each line repeats a recurrent line
			default:
				t.Fatalf("unexpected Bahrain file %s/%s", p.Name(), name)
			}
			out = append(out, bhFile{path: p.Name() + "/" + name, kind: kind})
		}
	}
	return out
}

// bhRow is one line of a Bahrain table with its amounts per year.
type bhRow struct {
	fields map[string]string
	years  map[int]*big.Rat
}

func bahrainRows(t *testing.T, dir, path string) (rows []bhRow, totalRows []bhRow) {
	t.Helper()
	recs := readCSVFile(t, filepath.Join(dir, filepath.FromSlash(path)), ',')
	header := recs[0]
	for _, rec := range recs[1:] {
		if isBlank(rec) {
			continue
		}
		r := bhRow{fields: map[string]string{}, years: map[int]*big.Rat{}}
		for i, h := range header {
			h = strings.TrimSpace(h)
			if bhYearCol.MatchString(h) {
				var y int
				fmt.Sscan(h, &y)
				r.years[y] = plainAmount(t, rec[i])
			} else {
				r.fields[strings.ToLower(h)] = strings.TrimSpace(rec[i])
			}
		}
		if bhTotal.MatchString(r.fields["description"]) {
			totalRows = append(totalRows, r)
		} else {
			rows = append(rows, r)
		}
	}
	return rows, totalRows
}

func TestRealDataBahrain(t *testing.T) {
	const id = "bahrain-budget"
	dir := sharedDir(t, id)
	files := bahrainFiles(t, dir)
	if len(files) != 35 {
		t.Errorf("%d CSV files, want 35", len(files))
	}

	// The descriptor reads exactly the files the rules above keep.
	d := loadEmbedded(t, id)
	var wantNames, gotNames []string
	for _, f := range files {
		if !strings.HasPrefix(f.kind, "memo-") {
			wantNames = append(wantNames, f.path)
		}
	}
	for _, s := range d.Sources {
		gotNames = append(gotNames, s.Name)
	}
	slices.Sort(wantNames)
	slices.Sort(gotNames)
	if !slices.Equal(wantNames, gotNames) {
		t.Errorf("descriptor sources:\n  %q\nwant:\n  %q", gotNames, wantNames)
	}

	// Why two kinds of file are left out: they repeat money read elsewhere.
	t.Run("general-expenditure repeats recurrent-expenditure 1997-2002", func(t *testing.T) {
		for _, period := range []string{"1997-1998", "1999-2000", "2001-2002"} {
			gen, genTotals := bahrainRows(t, dir, period+"/general-expenditure.csv")
			rec, _ := bahrainRows(t, dir, period+"/recurrent-expenditure.csv")
			byChapters := map[string]*big.Rat{}
			project := map[int]*big.Rat{}
			for _, r := range gen {
				for y, v := range r.years {
					if strings.HasPrefix(r.fields["chapter"], "Chapter 8") {
						project[y] = v
						continue
					}
					k := fmt.Sprint(r.fields["description"], "|", y)
					if byChapters[k] == nil {
						byChapters[k] = new(big.Rat)
					}
					byChapters[k].Add(byChapters[k], v)
				}
			}
			byMinistry := map[string]*big.Rat{}
			recTotal := map[int]*big.Rat{}
			for _, r := range rec {
				for y, v := range r.years {
					k := fmt.Sprint(r.fields["description"], "|", y)
					if byMinistry[k] == nil {
						byMinistry[k] = new(big.Rat)
					}
					byMinistry[k].Add(byMinistry[k], v)
					if recTotal[y] == nil {
						recTotal[y] = new(big.Rat)
					}
					recTotal[y].Add(recTotal[y], v)
				}
			}
			if len(byChapters) != len(byMinistry) {
				t.Errorf("%s: %d ministry-years by chapter, %d in recurrent-expenditure", period, len(byChapters), len(byMinistry))
			}
			for k, v := range byMinistry {
				if c := byChapters[k]; c == nil || c.Cmp(v) != 0 {
					t.Errorf("%s %s: chapters 1-7 sum to %v, recurrent-expenditure says %s", period, k, c, v.FloatString(0))
				}
			}
			// Recurrent + project = the law's total expenditure.
			for y, tot := range genTotals[0].years {
				s := new(big.Rat).Add(recTotal[y], project[y])
				if s.Cmp(tot) != 0 {
					t.Errorf("%s %d: recurrent %s + project %s != total %s", period, y, recTotal[y].FloatString(0), project[y].FloatString(0), tot.FloatString(0))
				}
			}
		}
	})
	t.Run("govt-subsidies repeats recurrent lines 2011-2016", func(t *testing.T) {
		for _, f := range files {
			if f.kind != "memo-subsidies" {
				continue
			}
			period := strings.Split(f.path, "/")[0]
			var recName string
			for _, g := range files {
				if strings.HasPrefix(g.path, period+"/") && g.kind == "recurrent" {
					recName = g.path
				}
			}
			subs, _ := bahrainRows(t, dir, f.path)
			rec, _ := bahrainRows(t, dir, recName)
			for _, s := range subs {
				found := false
				for _, r := range rec {
					if strings.EqualFold(r.fields["description"], s.fields["description"]) && sameYears(r.years, s.years) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("%s: %q is not a line of %s", f.path, s.fields["description"], recName)
				}
			}
		}
	})

	// Where a table has a "Total" and, after the reserve, a "Grand Total",
	// the descriptor skips the Total: check that it is the Grand Total less
	// the rows between them.
	t.Run("subtotal before the reserve", func(t *testing.T) {
		seen := 0
		for _, f := range files {
			if f.kind != "recurrent" {
				continue
			}
			recs := readCSVFile(t, filepath.Join(dir, filepath.FromSlash(f.path)), ',')
			desc := colIndex(t, recs[0], "Description")
			var sub, grand []string
			var between [][]string
			for _, rec := range recs[1:] {
				switch strings.TrimSpace(rec[desc]) {
				case "Total":
					sub = rec
				case "Grand Total":
					grand = rec
				default:
					if sub != nil && grand == nil {
						between = append(between, rec)
					}
				}
			}
			if grand == nil {
				continue
			}
			seen++
			for i, h := range recs[0] {
				if !bhYearCol.MatchString(strings.TrimSpace(h)) {
					continue
				}
				s := plainAmount(t, sub[i])
				for _, b := range between {
					s.Add(s, plainAmount(t, b[i]))
				}
				if s.Cmp(plainAmount(t, grand[i])) != 0 {
					t.Errorf("%s %s: Total + reserve = %s, Grand Total %s", f.path, h, s.FloatString(0), grand[i])
				}
			}
		}
		if seen != 4 {
			t.Errorf("%d tables with a Grand Total, want 4 (2009-2016)", seen)
		}
	})

	// Independent totals, by year × phase × direction and by expenditure type.
	want := totals{}
	byMeasure := map[string]totals{}
	for _, f := range files {
		if strings.HasPrefix(f.kind, "memo-") {
			continue
		}
		rows, _ := bahrainRows(t, dir, f.path)
		for _, r := range rows {
			dir := "expenditure"
			measure := f.kind
			switch f.kind {
			case "revenue":
				dir, measure = "revenue", ""
			case "municipal":
				if strings.HasSuffix(r.fields["description"], "Revenue") {
					dir = "revenue"
				}
			case "general":
				measure = "recurrent"
				if strings.HasPrefix(r.fields["chapter"], "Chapter 8") {
					measure = "project"
				}
			}
			if byMeasure[measure] == nil {
				byMeasure[measure] = totals{}
			}
			for y, v := range r.years {
				want.add(cell{y, "approved", dir}, v)
				byMeasure[measure].add(cell{y, "approved", dir}, v)
			}
		}
	}

	in := ingestShared(t, id)
	in.checkTotals(t, want)
	for m, ts := range byMeasure {
		cond := `"type" IS NULL`
		if m != "" {
			cond = `"type" = '` + m + "'"
		}
		compareTotals(t, "type "+m, ts, in.factTotalsBy(t, cond))
	}
	if in.sum.RowsRejected != 0 {
		t.Errorf("%d rows rejected", in.sum.RowsRejected)
	}
	in.checkRejects(t)

	// Every published total is checked, and every one matches.
	checks := in.checkReconciliation(t)
	if in.sum.Reconciliation.Checked == 0 || in.sum.Reconciliation.Mismatches != 0 {
		t.Errorf("reconciliation: %+v", in.sum.Reconciliation)
	}
	for _, c := range checks {
		if !c.Matches {
			t.Errorf("published total does not match: %+v", c)
		}
	}

	// Every sector, ministry, chapter and revenue member has an Arabic label.
	rows, err := in.db.SQL.QueryContext(context.Background(), `SELECT dim, level, key FROM members
		WHERE dataset_id = ? AND version = ? AND dim IN ('admin', 'economic', 'revenue') AND coalesce(label_ar, '') = ''
		ORDER BY ALL`, id, in.sum.Version)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim, level, key string
		if err := rows.Scan(&dim, &level, &key); err != nil {
			t.Fatal(err)
		}
		t.Errorf("no Arabic label for %s.%s %q", dim, level, key)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func sameYears(a, b map[int]*big.Rat) bool {
	if len(a) != len(b) {
		return false
	}
	for y, v := range a {
		if w := b[y]; w == nil || w.Cmp(v) != 0 {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// Manchester.

func TestRealDataManchester(t *testing.T) {
	if testing.Short() {
		t.Skip("58 MB of payments: skipped with -short")
	}
	const id = "manchester-spending"
	dir := sharedDir(t, id)
	paths, err := filepath.Glob(filepath.Join(dir, "clean", "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 138 {
		t.Errorf("%d monthly files, want 138", len(paths))
	}
	if d := loadEmbedded(t, id); len(d.Sources) != len(paths) {
		t.Errorf("descriptor lists %d sources, the folder has %d files", len(d.Sources), len(paths))
	}
	want := totals{}
	var negatives int64
	for _, p := range paths {
		recs := readCSVFile(t, p, ',')
		h := recs[0]
		date := colIndex(t, h, "Invoice Payment Date")
		amount := colIndex(t, h, "Net Amount", "Amount")
		for _, rec := range recs[1:] {
			if isBlank(rec) {
				continue
			}
			var y int
			if _, err := fmt.Sscan(rec[date][:4], &y); err != nil {
				t.Fatalf("%s: date %q", p, rec[date])
			}
			v := plainAmount(t, rec[amount])
			if v.Sign() < 0 {
				negatives++
			}
			want.add(cell{y, "paid", "expenditure"}, v)
		}
	}
	sum, n := want.grand()
	if n != 474674 {
		t.Errorf("%d payment rows in the raw files, want 474,674", n)
	}
	if negatives != 3807 {
		t.Errorf("%d negative amounts, want 3,807", negatives)
	}
	if got := sum.FloatString(2); got != "9429210465.06" {
		t.Errorf("raw files sum to £%s, want £9,429,210,465.06", got)
	}

	in := ingestShared(t, id)
	in.checkTotals(t, want)
	if in.sum.RowsRead != 474674 || in.sum.RowsAccepted != 474674 || in.sum.RowsRejected != 0 {
		t.Errorf("rows read %d, accepted %d, rejected %d; want 474,674 / 474,674 / 0", in.sum.RowsRead, in.sum.RowsAccepted, in.sum.RowsRejected)
	}
	in.checkRejects(t)

	// The one garbled paying-body name is kept as published.
	var n2 int
	if err := in.db.SQL.QueryRowContext(context.Background(), fmt.Sprintf(`SELECT count(*) FROM %s WHERE buyer = 'Manchester Cit+A2446y Council'`,
		store.Quote(store.FactsTable(id, in.sum.Version)))).Scan(&n2); err != nil {
		t.Fatal(err)
	}
	if n2 != 1 {
		t.Errorf("%d facts with the garbled body name, want 1", n2)
	}
}

// ---------------------------------------------------------------------------
// Mexico.

// unzipCSV decompresses the data file of a zip (not the __MACOSX fork) to dir.
func unzipCSV(t *testing.T, zipPath, dir string) string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasSuffix(f.Name, "/") {
			continue
		}
		if out != "" {
			t.Fatalf("%s: more than one data file", zipPath)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out = filepath.Join(dir, "data.csv")
		w, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestRealDataMexicoPEF(t *testing.T) {
	const id = "mexico-pef-2016"
	dir := sharedDir(t, id)
	csvPath := unzipCSV(t, filepath.Join(dir, "Presupuesto_de_Egresos_de_la_Federacion_2016.csv.zip"), t.TempDir())
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs := readCSV(t, charmap.CodePage850.NewDecoder().Reader(f), ',')
	h := recs[0]
	amount, ciclo := colIndex(t, h, "PEF_2016"), colIndex(t, h, "Ciclo")
	ramo, ramoDesc := colIndex(t, h, "Ramo"), colIndex(t, h, "RAMO_DESCRIPCION")
	want := totals{}
	var dashes, negatives int
	ramoLabel := map[string]string{}
	unidad := colIndex(t, h, "UNIDAD")
	units := map[string]bool{} // Ramo.UNIDAD: unit codes are only unique under their ramo
	for _, rec := range recs[1:] {
		if isBlank(rec) {
			continue
		}
		raw := strings.TrimSpace(rec[amount])
		v := new(big.Rat)
		if raw == "-" {
			dashes++
		} else {
			v = plainAmount(t, raw)
		}
		if v.Sign() < 0 {
			negatives++
		}
		var y int
		fmt.Sscan(rec[ciclo], &y)
		want.add(cell{y, "approved", "expenditure"}, v)
		ramoLabel[rec[ramo]] = rec[ramoDesc]
		units[strings.TrimSpace(rec[ramo])+"."+strings.TrimSpace(rec[unidad])] = true
	}
	sum, n := want.grand()
	if n != 75312 || dashes != 141 || negatives != 1 {
		t.Errorf("raw file: %d rows, %d \"-\", %d negative; want 75,312, 141, 1", n, dashes, negatives)
	}
	if got := sum.FloatString(0); got != "5297125819608" {
		t.Errorf("raw file sums to %s MXN, want 5,297,125,819,608", got)
	}
	if ramoLabel["53"] != "Comisión Federal de Electricidad" {
		t.Errorf("CP850 decoding: ramo 53 is %q", ramoLabel["53"])
	}

	in := ingestShared(t, id)
	in.checkTotals(t, want)
	if in.sum.RowsRejected != 0 {
		t.Errorf("%d rows rejected", in.sum.RowsRejected)
	}
	in.checkRejects(t)

	// Labels went through CP850 the same way.
	var label string
	if err := in.db.SQL.QueryRowContext(context.Background(), `SELECT coalesce(label_src, label_en, '') FROM members
		WHERE dataset_id = ? AND version = ? AND dim = 'admin' AND level = 'ramo' AND key = '53'`, id, in.sum.Version).Scan(&label); err != nil {
		t.Fatal(err)
	}
	if label != "Comisión Federal de Electricidad" {
		t.Errorf("stored label of ramo 53: %q", label)
	}
	// Units are keyed by the composite code Ramo.UNIDAD, one member per pair.
	var nunits int
	if err := in.db.SQL.QueryRowContext(context.Background(), `SELECT count(*) FROM members
		WHERE dataset_id = ? AND version = ? AND dim = 'admin' AND level = 'unidad' AND parent || '.' = left(key, length(parent) + 1)`,
		id, in.sum.Version).Scan(&nunits); err != nil {
		t.Fatal(err)
	}
	if nunits != len(units) {
		t.Errorf("%d admin.unidad members keyed ramo.unidad, want %d (distinct Ramo, UNIDAD pairs)", nunits, len(units))
	}
}

// ---------------------------------------------------------------------------
// Fiscal Data Packages.

func TestRealDataMadrid(t *testing.T) {
	const id = "madrid-budget"
	dir := sharedDir(t, id)
	path := filepath.Join(dir, "data", "gastos_v40_2012-2015.csv")
	recs := readCSVFile(t, path, ',')
	year, amount := colIndex(t, recs[0], "AÑO"), colIndex(t, recs[0], "IMPORTE")
	want := totals{}
	for _, rec := range recs[1:] {
		var y int
		fmt.Sscan(rec[year], &y)
		want.add(cell{y, "approved", "expenditure"}, plainAmount(t, rec[amount]))
	}
	if _, n := want.grand(); n != 20217 {
		t.Errorf("%d rows, want 20,217", n)
	}
	// A second, independent reading: DuckDB's CSV reader in a plain
	// in-memory connection (the store's connections cannot read files).
	compareTotals(t, "duckdb read_csv", want, duckTotals(t, fmt.Sprintf(
		`SELECT "AÑO", 'approved', 'expenditure', CAST(sum("IMPORTE") AS VARCHAR), count(*)
		 FROM read_csv(%s, header = true, types = {'IMPORTE': 'HUGEINT', 'AÑO': 'INTEGER'}) GROUP BY ALL`, sqlString(path))))

	in := ingestShared(t, id)
	in.checkTotals(t, want)
	if in.sum.RowsRejected != 0 {
		t.Errorf("%d rows rejected", in.sum.RowsRejected)
	}
	in.checkRejects(t)
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// duckTotals runs a year, phase, direction, sum, count query in a separate
// in-memory DuckDB.
func duckTotals(t *testing.T, q string) totals {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := totals{}
	for rows.Next() {
		var c cell
		var sum string
		var n int64
		if err := rows.Scan(&c.Year, &c.Phase, &c.Direction, &sum, &n); err != nil {
			t.Fatal(err)
		}
		out[c] = &agg{Sum: ratOf(t, sum), Rows: n}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRealDataMacedonia(t *testing.T) {
	const id = "macedonia-budget"
	dir := sharedDir(t, id)
	recs := readCSVFile(t, filepath.Join(dir, "MFBudzetIRebalansNaRMmk-MK.csv"), ';')
	date, amount := colIndex(t, recs[0], "Датум на објавување"), colIndex(t, recs[0], "Буџет")
	byDate := map[string]cell{
		"2014-01-01T00:00:00": {2014, "approved", "expenditure"},
		"2014-09-09T00:00:00": {2014, "revised", "expenditure"},
		"2015-01-01T00:00:00": {2015, "approved", "expenditure"},
	}
	want := totals{}
	blank := 0
	for _, rec := range recs[1:] {
		if isBlank(rec) {
			blank++
			continue
		}
		c, ok := byDate[rec[date]]
		if !ok {
			t.Fatalf("unexpected publication date %q", rec[date])
		}
		want.add(c, plainAmount(t, rec[amount]))
	}
	if _, n := want.grand(); n != 10153 || blank != 238 {
		t.Errorf("%d rows and %d blank rows, want 10,153 and 238", n, blank)
	}

	in := ingestShared(t, id)
	in.checkTotals(t, want)
	if in.sum.RowsRejected != 0 || in.sum.RowsSkipped != 238 {
		t.Errorf("rows rejected %d, skipped %d; want 0 and 238", in.sum.RowsRejected, in.sum.RowsSkipped)
	}
	in.checkRejects(t)
}

func TestRealDataAustralia(t *testing.T) {
	const id = "australia-pbs"
	dir := sharedDir(t, id)
	recs := readCSVFile(t, filepath.Join(dir, "data", "201505181230budget1516.csv"), ',')
	cols := map[string]cell{
		"2014-15": {2014, "revised", "expenditure"},
		"2015-16": {2015, "proposed", "expenditure"},
		"2016-17": {2016, "proposed", "expenditure"},
		"2017-18": {2017, "proposed", "expenditure"},
		"2018-19": {2018, "proposed", "expenditure"},
	}
	thousand := big.NewRat(1000, 1)
	want := totals{}
	nfp := 0
	for name, c := range cols {
		i := colIndex(t, recs[0], name)
		for _, rec := range recs[1:] {
			raw := strings.TrimSpace(rec[i])
			switch raw {
			case "nfp":
				nfp++ // not for publication: rejected
				continue
			case "", "-":
				want.add(c, new(big.Rat))
				continue
			}
			want.add(c, new(big.Rat).Mul(plainAmount(t, raw), thousand))
		}
	}
	if _, n := want.grand(); n != 1608*5-17 || nfp != 17 {
		t.Errorf("%d facts and %d nfp cells, want %d and 17", n, nfp, 1608*5-17)
	}

	in := ingestShared(t, id)
	in.checkTotals(t, want)
	if in.sum.RowsRead != 1608 {
		t.Errorf("%d rows read, want 1,608", in.sum.RowsRead)
	}
	in.checkRejects(t)
	rs, err := in.db.Rejects(context.Background(), id, in.sum.Version, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 17 {
		t.Errorf("%d rejected cells, want the 17 \"nfp\"", len(rs))
	}
	for _, r := range rs {
		if r.Raw != "nfp" {
			t.Errorf("unexpected reject: %+v", r)
		}
	}
}

func TestRealDataAlbania(t *testing.T) {
	const id = "albania-treasury"
	dir := sharedDir(t, id)
	recs := readCSVFile(t, filepath.Join(dir, "data", "treasury.csv"), ',')
	date, amount := colIndex(t, recs[0], "Date executed"), colIndex(t, recs[0], "Value")
	want := totals{}
	minDate, maxDate := "9999", ""
	for _, rec := range recs[1:] {
		var y int
		fmt.Sscan(rec[date][:4], &y)
		want.add(cell{y, "paid", "expenditure"}, plainAmount(t, rec[amount]))
		minDate, maxDate = min(minDate, rec[date]), max(maxDate, rec[date])
	}
	if sum, n := want.grand(); n != 40 || sum.FloatString(0) != "33299653" {
		t.Errorf("raw file: %d payments, %s lek; want 40 and 33,299,653", n, sum.FloatString(0))
	}
	in := ingestShared(t, id)
	in.checkTotals(t, want)
	in.checkRejects(t)
	// The payment date is the treasury's execution date.
	var first, last string
	if err := in.db.SQL.QueryRowContext(context.Background(), fmt.Sprintf(`SELECT CAST(min(date) AS VARCHAR), CAST(max(date) AS VARCHAR) FROM %s`,
		store.Quote(store.FactsTable(id, in.sum.Version)))).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	if first != minDate || last != maxDate {
		t.Errorf("payment dates %s..%s, want the executed dates %s..%s", first, last, minDate, maxDate)
	}
}

func TestRealDataUKCRA(t *testing.T) {
	const id = "uk-cra-cofog"
	dir := sharedDir(t, id)
	recs := readCSVFile(t, filepath.Join(dir, "cra.csv"), ',')
	year, amount := colIndex(t, recs[0], "time.from.year"), colIndex(t, recs[0], "amount")
	want := totals{}
	for _, rec := range recs[1:] {
		var y int
		fmt.Sscan(rec[year], &y)
		want.add(cell{y, "executed", "expenditure"}, plainAmount(t, rec[amount]))
	}
	if _, n := want.grand(); n != 36 {
		t.Errorf("raw file: %d rows (multi-line quoted fields), want 36", n)
	}
	in := ingestShared(t, id)
	in.checkTotals(t, want)
	if in.sum.RowsRead != 36 {
		t.Errorf("%d rows read, want 36", in.sum.RowsRead)
	}
	in.checkRejects(t)
	// COFOG members carry the built-in Arabic labels.
	rows, err := in.db.SQL.QueryContext(context.Background(), `SELECT level, key, coalesce(label_en, ''), coalesce(label_ar, '') FROM members
		WHERE dataset_id = ? AND version = ? AND dim = 'functional' ORDER BY ALL`, id, in.sum.Version)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var level, key, en, ar string
		if err := rows.Scan(&level, &key, &en, &ar); err != nil {
			t.Fatal(err)
		}
		n++
		if ar == "" || en == "" {
			t.Errorf("COFOG %s %q: en %q, ar %q", level, key, en, ar)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 4+5+1 { // divisions 3, 4, 6, 10; groups 3.3, 4.1, 4.5, 10.1, 10.4; class 04.5.3
		t.Errorf("%d COFOG members, want 10", n)
	}
}

func TestRealDataMexicoTransfers(t *testing.T) {
	const id = "mexico-transfers"
	dir := sharedDir(t, id)
	csvPath := unzipCSV(t, filepath.Join(dir, "transferencias_entidades_fed.csv.zip"), t.TempDir())
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs := readCSV(t, charmap.Windows1252.NewDecoder().Reader(f), ',')
	h := recs[0]
	cYear, cMonth, cKey, cAmount := colIndex(t, h, "CICLO"), colIndex(t, h, "MES"), colIndex(t, h, "CLAVE_DE_CONCEPTO"), colIndex(t, h, "MONTO")

	// value[series][year/month] in thousands of pesos, as published.
	value := map[string]map[string]*big.Rat{}
	for _, rec := range recs[1:] {
		k := rec[cKey]
		if value[k] == nil {
			value[k] = map[string]*big.Rat{}
		}
		value[k][rec[cYear]+"/"+rec[cMonth]] = plainAmount(t, rec[cAmount])
	}
	if n := len(recs) - 1; n != 78751 || len(value) != 1291 {
		t.Fatalf("raw file: %d rows, %d series; want 78,751 and 1,291", n, len(value))
	}
	series := regexp.MustCompile(`^XAC(23|28|33|CD|CR|PSS)([A-Z]?)(\d\d)$`)
	leaf := func(k string) bool {
		m := series.FindStringSubmatch(k)
		if m == nil {
			t.Fatalf("unexpected series %s", k)
		}
		switch {
		case m[3] == "00": // national total
			return false
		case m[2] == "" && m[1] != "CR" && m[1] != "PSS": // a state's total of a ramo
			return false
		case m[1] == "33" && strings.Contains("CFL", m[2]): // FAIS, FAM, FAETA
			return false
		}
		return true
	}
	// The nesting the skip rules rely on: each parent is the sum of its
	// parts (to 0.01 thousand pesos), except ramo 28 from 2014 on.
	sumOf := func(parent string, parts []string) (checked, off int, gap map[string]*big.Rat) {
		gap = map[string]*big.Rat{}
		tol := big.NewRat(1, 100)
		for when, p := range value[parent] {
			s := new(big.Rat)
			for _, c := range parts {
				if v := value[c][when]; v != nil {
					s.Add(s, v)
				}
			}
			checked++
			d := new(big.Rat).Sub(p, s)
			if new(big.Rat).Abs(d).Cmp(tol) > 0 {
				off++
				y := when[:4]
				if gap[y] == nil {
					gap[y] = new(big.Rat)
				}
				gap[y].Add(gap[y], d)
			}
		}
		return checked, off, gap
	}
	r28gap := map[string]*big.Rat{}
	for st := 0; st <= 33; st++ {
		s := fmt.Sprintf("%02d", st)
		with := func(prefix, letters string) []string {
			var out []string
			for _, l := range letters {
				out = append(out, prefix+string(l)+s)
			}
			return out
		}
		for _, c := range []struct {
			parent string
			parts  []string
		}{
			{"XAC23" + s, with("XAC23", "ABC")},
			{"XAC33" + s, with("XAC33", "ABDEGHIJKMNO")},
			{"XAC33C" + s, with("XAC33", "DE")},
			{"XAC33F" + s, with("XAC33", "GHI")},
			{"XAC33L" + s, with("XAC33", "MN")},
			{"XACCD" + s, with("XACCD", "ADE")},
		} {
			if _, off, _ := sumOf(c.parent, c.parts); off != 0 {
				t.Errorf("%s differs from the sum of %v in %d months", c.parent, c.parts, off)
			}
		}
		if st >= 1 && st <= 33 {
			_, _, gap := sumOf("XAC28"+s, with("XAC28", "ABCDEFGHIJK"))
			for y, g := range gap {
				if r28gap[y] == nil {
					r28gap[y] = new(big.Rat)
				}
				r28gap[y].Add(r28gap[y], g)
			}
		}
	}
	// National totals ("00") are the sums of the 33 states.
	for k := range value {
		if !strings.HasSuffix(k, "00") {
			continue
		}
		var states []string
		for st := 1; st <= 33; st++ {
			states = append(states, fmt.Sprintf("%s%02d", strings.TrimSuffix(k, "00"), st))
		}
		if _, off, _ := sumOf(k, states); off != 0 {
			t.Errorf("national %s differs from the sum of the states in %d months", k, off)
		}
	}
	// Ramo 28 totals above the itemised funds (thousands of pesos; months
	// within 0.01 of the sum are rounding, not counted).
	gapWant := map[string]string{"2014": "1610639.942", "2015": "32495200.029", "2016": "4934990.389"}
	for y, w := range gapWant {
		if g := r28gap[y]; g == nil || g.FloatString(3) != w {
			t.Errorf("ramo 28 unitemised %s: %v thousand pesos, want %s", y, g, w)
		}
	}
	if len(r28gap) != len(gapWant) {
		t.Errorf("ramo 28 unitemised in years %v, want 2014-2016", r28gap)
	}

	months := map[string]string{"Enero": "M01", "Febrero": "M02", "Marzo": "M03", "Abril": "M04", "Mayo": "M05", "Junio": "M06",
		"Julio": "M07", "Agosto": "M08", "Septiembre": "M09", "Octubre": "M10", "Noviembre": "M11", "Diciembre": "M12"}
	thousand := big.NewRat(1000, 1)
	want := totals{}
	byMonth := map[string]*big.Rat{}
	leaves := map[string]bool{}
	for _, rec := range recs[1:] {
		if !leaf(rec[cKey]) {
			continue
		}
		leaves[rec[cKey]] = true
		var y int
		fmt.Sscan(rec[cYear], &y)
		v := new(big.Rat).Mul(plainAmount(t, rec[cAmount]), thousand)
		want.add(cell{y, "paid", "expenditure"}, v)
		k := rec[cYear] + "-" + months[rec[cMonth]]
		if byMonth[k] == nil {
			byMonth[k] = new(big.Rat)
		}
		byMonth[k].Add(byMonth[k], v)
	}
	if _, n := want.grand(); n != 62403 || len(leaves) != 1023 {
		t.Errorf("%d leaf facts in %d series, want 62,403 in 1,023", n, len(leaves))
	}

	in := ingestShared(t, id)
	in.checkTotals(t, want)
	if in.sum.RowsRejected != 0 || in.sum.RowsSkipped != 78751-62403 {
		t.Errorf("rows rejected %d, skipped %d; want 0 and %d", in.sum.RowsRejected, in.sum.RowsSkipped, 78751-62403)
	}
	in.checkRejects(t)
	// Monthly periods.
	rows, err := in.db.SQL.QueryContext(context.Background(), fmt.Sprintf(`SELECT CAST(year AS VARCHAR) || '-' || period, CAST(sum(amount) AS VARCHAR) FROM %s GROUP BY ALL`,
		store.Quote(store.FactsTable(id, in.sum.Version))))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			t.Fatal(err)
		}
		n++
		if w := byMonth[k]; w == nil || w.Cmp(ratOf(t, s)) != 0 {
			t.Errorf("%s: stored %s, want %v", k, s, w)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(byMonth) {
		t.Errorf("%d months stored, want %d", n, len(byMonth))
	}
}
