package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

const versionDescriptor = `
id: versioned
title: {en: Versioned}
currency: USD
reject_threshold: "%s"
dimensions:
  - id: admin
    levels: [{id: ministry}]
sources:
  - name: data.csv
    %s
    mapping:
      year: {column: Year}
      phase: {value: approved}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        admin: [{level: ministry, label: Ministry}]
`

func writeFile(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func versionDesc(t testing.TB, dir, threshold, extra string) *Descriptor {
	t.Helper()
	d, err := Parse([]byte(fmt.Sprintf(versionDescriptor, threshold, extra)), dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// assertNoVersion checks that version n of the dataset left no trace.
func assertNoVersion(t *testing.T, db *store.DB, dataset string, n int) {
	t.Helper()
	for _, q := range []string{
		`SELECT count(*) FROM versions WHERE dataset_id = ? AND version = ?`,
		`SELECT count(*) FROM members WHERE dataset_id = ? AND version = ?`,
		`SELECT count(*) FROM rejects WHERE dataset_id = ? AND version = ?`,
		`SELECT count(*) FROM reconciliation WHERE dataset_id = ? AND version = ?`,
	} {
		var c int
		if err := db.SQL.QueryRow(q, dataset, n).Scan(&c); err != nil {
			t.Fatal(err)
		}
		if c != 0 {
			t.Errorf("%s: %d rows for the failed version %d", q, c, n)
		}
	}
	var c int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM duckdb_tables() WHERE table_name = ?`, store.FactsTable(dataset, n)).Scan(&c); err != nil {
		t.Fatal(err)
	}
	if c != 0 {
		t.Errorf("facts table of the failed version %d exists", n)
	}
	var latest int
	if err := db.SQL.QueryRow(`SELECT coalesce(max(version), 0) FROM versions WHERE dataset_id = ?`, dataset).Scan(&latest); err != nil {
		t.Fatal(err)
	}
	if latest != n-1 {
		t.Errorf("latest version %d, want %d", latest, n-1)
	}
}

func TestVersioning(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data.csv")
	writeFile(t, data, "Year,Ministry,Amount\n2016,Health,100.50\n2016,Education,200\n2017,Health,50\n")
	db := openDB(t, "")

	s1 := mustIngest(t, db, versionDesc(t, dir, "1", ""), Options{})
	if s1.Version != 1 || s1.NoOp {
		t.Fatalf("first ingest: version %d, no-op %v", s1.Version, s1.NoOp)
	}
	v1 := factTotals(t, db, "versioned", 1)
	want1 := map[string]string{"2016/approved/expenditure": "300.50 (2)", "2017/approved/expenditure": "50.00 (1)"}
	if diff := cmp.Diff(want1, v1); diff != "" {
		t.Fatalf("version 1 totals (-want +got):\n%s", diff)
	}

	// Identical bytes: nothing happens.
	again := mustIngest(t, db, versionDesc(t, dir, "1", ""), Options{})
	if !again.NoOp || again.Version != 1 {
		t.Fatalf("re-ingest: version %d, no-op %v", again.Version, again.NoOp)
	}
	// Unless forced.
	forced := mustIngest(t, db, versionDesc(t, dir, "1", ""), Options{Force: true, Status: mizan.StatusDraft})
	if forced.NoOp || forced.Version != 2 {
		t.Fatalf("forced: version %d, no-op %v", forced.Version, forced.NoOp)
	}
	// The same bytes as a draft again: nothing; as published over that
	// draft: refused, since publishing the draft is what is wanted.
	if s := mustIngest(t, db, versionDesc(t, dir, "1", ""), Options{Status: mizan.StatusDraft}); !s.NoOp || s.Version != 2 {
		t.Errorf("draft over an identical draft: version %d, no-op %v", s.Version, s.NoOp)
	}
	if _, err := Ingest(ctx, db, versionDesc(t, dir, "1", ""), Options{}); mizan.ErrorCode(err) != mizan.ECONFLICT || !strings.Contains(err.Error(), "publish") {
		t.Errorf("published over an identical draft: %v, want a conflict saying to publish the draft", err)
	}

	// Changed data: version 3; version 1 is untouched.
	writeFile(t, data, "Year,Ministry,Amount\n2016,Health,100.50\n2016,Education,250\n2018,Defence,7\n")
	s3 := mustIngest(t, db, versionDesc(t, dir, "1", ""), Options{})
	if s3.Version != 3 {
		t.Fatalf("changed data: version %d", s3.Version)
	}
	if diff := cmp.Diff(want1, factTotals(t, db, "versioned", 1)); diff != "" {
		t.Errorf("version 1 changed (-want +got):\n%s", diff)
	}
	if got := factTotals(t, db, "versioned", 3)["2016/approved/expenditure"]; got != "350.50 (2)" {
		t.Errorf("version 3 total %s", got)
	}
	ds, err := db.GetDataset(ctx, "versioned", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Versions) != 3 || ds.Versions[1].Status != mizan.StatusDraft || ds.Versions[0].Rows != 3 || ds.Versions[0].Sources[0].Rows != 3 {
		t.Errorf("catalog: %+v", ds.Versions)
	}
	raw, err := db.Summary(ctx, "versioned", 3)
	if err != nil || !strings.Contains(string(raw), `"amount":"350.50"`) {
		t.Errorf("stored summary %s (%v)", raw, err)
	}

	// Too many rejects: the ingest fails and stores nothing.
	writeFile(t, data, "Year,Ministry,Amount\n2016,Health,x\n2016,Education,y\n2018,Defence,7\n")
	_, err = Ingest(ctx, db, versionDesc(t, dir, "1", ""), Options{})
	if err == nil || !strings.Contains(err.Error(), "reject_threshold") || !strings.Contains(err.Error(), `data.csv row 2, column "Amount": "x" is not an amount`) {
		t.Fatalf("threshold: %v", err)
	}
	assertNoVersion(t, db, "versioned", 4)
	_, err = Ingest(ctx, db, versionDesc(t, dir, "50%", ""), Options{})
	if err == nil || !strings.Contains(err.Error(), "reject_threshold of 50%") {
		t.Fatalf("threshold share: %v", err)
	}
	assertNoVersion(t, db, "versioned", 4)

	// A sha256 mismatch names the file and both hashes.
	bad := strings.Repeat("ab", 32)
	_, err = Ingest(ctx, db, versionDesc(t, dir, "1", "sha256: "+bad), Options{})
	if err == nil || !strings.Contains(err.Error(), "data.csv") || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "sha256 mismatch") {
		t.Fatalf("sha mismatch: %v", err)
	}
	assertNoVersion(t, db, "versioned", 4)

	// A cancelled ingest stores nothing.
	var rows strings.Builder
	rows.WriteString("Year,Ministry,Amount\n")
	for i := 0; i < 60000; i++ {
		fmt.Fprintf(&rows, "2016,Ministry %d,%d.25\n", i%50, i)
	}
	writeFile(t, data, rows.String())
	cctx, cancel := context.WithCancel(ctx)
	_, err = Ingest(cctx, db, versionDesc(t, dir, "", ""), Options{Progress: func(Progress) { cancel() }})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ingest: %v", err)
	}
	assertNoVersion(t, db, "versioned", 4)

	// And the next ingest works.
	s4 := mustIngest(t, db, versionDesc(t, dir, "", ""), Options{})
	if s4.Version != 4 || s4.Facts != 60000 {
		t.Fatalf("after failures: version %d, %d facts", s4.Version, s4.Facts)
	}
}

// TestSourceLocations reads sources from Options.FS, Options.From and
// over HTTP.
func TestSourceLocations(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "data.csv"), "Year,Ministry,Amount\n2016,Health,1\n")
	db := openDB(t, "")
	d := versionDesc(t, t.TempDir(), "", "")
	s := mustIngest(t, db, d, Options{From: dir})
	if s.Facts != 1 {
		t.Fatalf("from dir: %d facts", s.Facts)
	}
	s = mustIngest(t, db, d, Options{FS: os.DirFS(dir), Force: true})
	if s.Facts != 1 || s.Version != 2 {
		t.Fatalf("from FS: %+v", s)
	}
	_, err := Ingest(context.Background(), db, d, Options{Force: true})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing source: %v", err)
	}

	body := []byte("Year,Ministry,Amount\n2016,Health,2\n2016,Health,3\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	sum := sha256.Sum256(body)
	d = versionDesc(t, t.TempDir(), "", "url: "+srv.URL+"/data.csv\n    sha256: "+hex.EncodeToString(sum[:]))
	s = mustIngest(t, db, d, Options{HTTPClient: srv.Client()})
	if s.Facts != 2 || s.Sources[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("over HTTP: %+v", s)
	}
}
