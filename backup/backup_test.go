package backup_test

// Round trips of whole databases through Backup and Restore: the synthetic
// demo, every real descriptor in datasets/ over the files in
// ../shared/datasets, and the OCDS contracts datasets. The restored
// database is compared with the original table by table (row counts and
// an order-independent hash of every row), version by version (totals per
// year, phase, direction and currency as exact decimal strings), and
// through the catalog and query services. A separate unlocked DuckDB reads
// the Parquet files the way other engines would.
//
//	go test -tags duckdb_arrow ./backup/            # Manchester and Canada too (skipped under -race and -short)

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/backup"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/datasets"
	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/internal/shareddata"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/store"
)

// ocdsFolder maps contracts dataset ids to OCDS folders.
var ocdsFolder = map[string]string{
	"ocds-real":    "ocds-real-examples",
	"ocdskit":      "ocds-ocdskit-realdata-fixtures",
	"canada-bs-14": "ocds-canada-buyandsell-2014",
}

var large = map[string]bool{"manchester-spending": true, "canada-bs-14": true}

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	os.Exit(m.Run())
}

func openDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{Dir: dir, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ingestDemo stores the synthetic demo (budget and series), then a second
// version of the budget as a draft.
func ingestDemo(t testing.TB, db *store.DB, cfg synth.Config) {
	t.Helper()
	ctx := context.Background()
	descs, files, err := synth.Bundle(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range descs {
		if _, err := ingest.Ingest(ctx, db, d, ingest.Options{FS: files}); err != nil {
			t.Fatalf("ingest %s: %v", d.ID, err)
		}
	}
	if _, err := ingest.Ingest(ctx, db, descs[0], ingest.Options{FS: files, Force: true, Status: mizan.StatusDraft}); err != nil {
		t.Fatalf("ingest draft: %v", err)
	}
}

// ingestShared stores every real dataset found in ../shared/datasets.
func ingestShared(t *testing.T, db *store.DB) (n int) {
	t.Helper()
	root := shareddata.Root()
	if root == "" {
		t.Log("../shared/datasets is absent: only the synthetic demo is round-tripped")
		return 0
	}
	ctx := context.Background()
	skipLarge := raceEnabled || testing.Short()
	for _, id := range datasets.IDs() {
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
			t.Fatal(err)
		}
		if d.Kind == mizan.KindContracts {
			continue // OCDS files: the ocdsFolder loop below stores them
		}
		folder, ok := shareddata.Folders[id]
		if !ok {
			t.Fatalf("no shared folder known for %s: add it to shareddata.Folders", id)
		}
		if large[id] && skipLarge {
			t.Logf("%s left out (-race or -short)", id)
			continue
		}
		if _, err := ingest.Ingest(ctx, db, d, ingest.Options{From: filepath.Join(root, folder)}); err != nil {
			t.Fatalf("ingest %s: %v", id, err)
		}
		n++
	}
	for id, folder := range ocdsFolder {
		if large[id] && skipLarge {
			t.Logf("%s left out (-race or -short)", id)
			continue
		}
		dir := filepath.Join(root, folder)
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("OCDS folder %s: %v", dir, err)
		}
		if _, err := contracts.Ingest(ctx, db, []string{dir}, contracts.Options{Dataset: mizan.Dataset{ID: id, Title: mizan.Text{"en": id}}}); err != nil {
			t.Fatalf("ingest %s: %v", id, err)
		}
		n++
	}
	return n
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := openDB(t, t.TempDir())
	ingestDemo(t, src, synth.Config{})
	n := ingestShared(t, src)
	t.Logf("%d real datasets ingested", n)

	dir := filepath.Join(t.TempDir(), "backup")
	// Small files, so that partitions span several part files.
	m, err := backup.Backup(ctx, src, dir, backup.Options{Mizan: "test", RowsPerFile: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup: %d datasets, %d versions, %d tables, %d files, %d rows, %d bytes",
		m.Totals.Datasets, m.Totals.Versions, m.Totals.Tables, m.Totals.Files, m.Totals.Rows, m.Totals.Bytes)
	checkLayout(t, src, dir, m)
	checkReadByDuckDB(t, src, dir, m)

	data := t.TempDir()
	if _, err := backup.Restore(ctx, dir, data, backup.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != store.FileName {
			t.Errorf("restore left %s in the data directory", e.Name())
		}
	}
	dst := openDB(t, data)
	compareDatabases(t, src, dst)
}

var partPath = regexp.MustCompile(`^([a-z0-9-]+)/version=([0-9]+)/year=([0-9]{4}|__HIVE_DEFAULT_PARTITION__)/part-[0-9]+\.parquet$`)

// checkLayout checks every facts file's path against the dataset, version
// and years of the catalog, and that amounts are Parquet DECIMAL with the
// version's precision and scale.
func checkLayout(t *testing.T, db *store.DB, dir string, m *backup.Manifest) {
	t.Helper()
	all, err := db.ListDatasets(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]mizan.Version{}
	for _, d := range all {
		for _, v := range d.Versions {
			versions[fmt.Sprintf("%s/%d", d.ID, v.Number)] = v
		}
	}
	facts := 0
	for _, tb := range m.Tables {
		if tb.Role != backup.RoleFacts {
			for _, f := range tb.Files {
				if !strings.HasPrefix(f.Path, "_catalog/"+tb.Name+"/") && !strings.HasPrefix(f.Path, "_rollups/"+tb.Name+"/") {
					t.Errorf("%s file %s outside _catalog/ and _rollups/", tb.Name, f.Path)
				}
			}
			continue
		}
		facts++
		v, ok := versions[fmt.Sprintf("%s/%d", tb.Dataset, tb.Version)]
		if !ok {
			t.Errorf("facts table %s of %s v%d: no such version", tb.Name, tb.Dataset, tb.Version)
			continue
		}
		if tb.Name != store.FactsTable(tb.Dataset, tb.Version) || tb.Rows != v.Rows {
			t.Errorf("facts table %s: %d rows, the catalog says %s with %d", tb.Name, tb.Rows, store.FactsTable(tb.Dataset, tb.Version), v.Rows)
		}
		years := map[string]bool{}
		for _, f := range tb.Files {
			mm := partPath.FindStringSubmatch(f.Path)
			if mm == nil || mm[1] != tb.Dataset || mm[2] != fmt.Sprint(tb.Version) {
				t.Errorf("facts file %s of %s v%d: not DATASET/version=V/year=YYYY/part-N.parquet", f.Path, tb.Dataset, tb.Version)
				continue
			}
			years[mm[3]] = true
		}
		for _, y := range v.Years {
			if !years[fmt.Sprint(y)] {
				t.Errorf("%s v%d: no partition for year %d", tb.Dataset, tb.Version, y)
			}
		}
		if len(tb.Files) > 0 {
			checkDecimal(t, filepath.Join(dir, tb.Files[0].Path), v)
		}
	}
	if facts != len(versions) {
		t.Errorf("%d facts tables backed up, %d versions", facts, len(versions))
	}
}

func checkDecimal(t *testing.T, path string, v mizan.Version) {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sch := r.MetaData().Schema
	i := sch.ColumnIndexByName(store.ColAmount)
	if i < 0 {
		t.Fatalf("%s: no amount column", path)
	}
	col := sch.Column(i)
	if !col.LogicalType().Equals(schema.NewDecimalLogicalType(v.Precision, v.Scale)) {
		t.Errorf("%s: amount is %s, want DECIMAL(%d,%d)", path, col.LogicalType(), v.Precision, v.Scale)
	}
	// Up to 18 digits, the spec's INT64 encoding; beyond, 16 fixed bytes.
	if phys := col.PhysicalType(); (v.Precision <= 18) != (phys == parquet.Types.Int64) {
		t.Errorf("%s: DECIMAL(%d,%d) amounts stored as %s", path, v.Precision, v.Scale, phys)
	}
}

// checkReadByDuckDB reads each version's facts files with a separate,
// unlocked in-memory DuckDB (read_parquet with Hive partitioning, as other
// engines would) and compares its totals with the original database's.
func checkReadByDuckDB(t *testing.T, db *store.DB, dir string, m *backup.Manifest) {
	t.Helper()
	ext, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	for _, d := range m.Datasets {
		for _, v := range d.Versions {
			if v.Rows == 0 {
				continue
			}
			glob := filepath.Join(dir, d.ID, fmt.Sprintf("version=%d", v.Number), "*", "*.parquet")
			got := totals(t, ext, fmt.Sprintf("read_parquet('%s', hive_partitioning = true)", strings.ReplaceAll(glob, "'", "''")))
			want := totals(t, db.SQL, store.Quote(v.FactsTable))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s v%d read from Parquet by DuckDB (-database +parquet):\n%s", d.ID, v.Number, diff)
			}
		}
	}
}

// totals lists a facts relation's sums per year, phase, direction and
// currency, with the amount's type.
func totals(t *testing.T, db *sql.DB, from string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT concat_ws('|', coalesce(CAST(year AS VARCHAR), 'NULL'), coalesce(phase, 'NULL'), coalesce(direction, 'NULL'), currency,
	CAST(sum(amount) AS VARCHAR), CAST(count(*) AS VARCHAR), any_value(typeof(amount))) FROM ` + from + ` GROUP BY year, phase, direction, currency ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return strings0(t, rows)
}

func strings0(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareDatabases compares two databases table by table and through the
// catalog and query services.
func compareDatabases(t *testing.T, a, b *store.DB) {
	t.Helper()
	ctx := context.Background()
	tablesA, tablesB := tableDigests(t, a), tableDigests(t, b)
	if diff := cmp.Diff(tablesA, tablesB); diff != "" {
		t.Errorf("tables (-original +restored):\n%s", diff)
	}
	listA, err := a.ListDatasets(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	listB, err := b.ListDatasets(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(listA, listB); diff != "" {
		t.Errorf("catalog (-original +restored):\n%s", diff)
	}
	svcA := query.NewService(a, query.NewDuckDB(a), query.Options{})
	svcB := query.NewService(b, query.NewDuckDB(b), query.Options{})
	for _, d := range listA {
		for _, v := range d.Versions {
			// Totals per version, year, phase, direction and currency.
			sumsA := totals(t, a.SQL, store.Quote(store.FactsTable(d.ID, v.Number)))
			sumsB := totals(t, b.SQL, store.Quote(store.FactsTable(d.ID, v.Number)))
			if diff := cmp.Diff(sumsA, sumsB); diff != "" {
				t.Errorf("%s v%d totals (-original +restored):\n%s", d.ID, v.Number, diff)
			}
			if len(sumsA) == 0 {
				t.Errorf("%s v%d: no totals", d.ID, v.Number)
			}
			for _, dim := range v.Dimensions {
				if len(dim.Levels) == 0 {
					continue
				}
				ref := dim.ID + "." + dim.Levels[0].ID
				mq := mizan.MembersQuery{Dataset: d.ID, Version: v.Number, Ref: ref, PageSize: 50, Lang: "ar", IncludeDrafts: true}
				ma, errA := a.ListMembers(ctx, mq)
				mb, errB := b.ListMembers(ctx, mq)
				if errA != nil || errB != nil {
					t.Fatalf("members %s v%d %s: %v / %v", d.ID, v.Number, ref, errA, errB)
				}
				if diff := cmp.Diff(ma, mb); diff != "" {
					t.Errorf("%s v%d members of %s (-original +restored):\n%s", d.ID, v.Number, ref, diff)
				}
				q := mizan.AggregateQuery{Dataset: d.ID, Version: v.Number, Drilldown: []string{"year", ref}, Aggregates: []string{"amount.sum", "amount.count", "amount.max"},
					PageSize: 100, IncludeDrafts: true, Lang: "en"}
				ra, errA := svcA.Aggregate(ctx, q)
				rb, errB := svcB.Aggregate(ctx, q)
				if errA != nil || errB != nil {
					t.Fatalf("aggregate %s v%d by %s: %v / %v", d.ID, v.Number, ref, errA, errB)
				}
				if diff := cmp.Diff(ra, rb); diff != "" {
					t.Errorf("%s v%d aggregate by year and %s (-original +restored):\n%s", d.ID, v.Number, ref, diff)
				}
				if len(ra.Cells) == 0 {
					t.Errorf("%s v%d aggregate by year and %s: no cells", d.ID, v.Number, ref)
				}
			}
		}
	}
}

// tableDigests lists every table with its row count and a hash of all its
// rows that does not depend on their order (schema_migrations, whose
// timestamps say when each database was created, by name only).
func tableDigests(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names := strings0(t, rows)
	out := map[string]string{}
	for _, n := range names {
		expr := `CAST(count(*) AS VARCHAR) || ' rows, ' || CAST(coalesce(sum(hash(x)), 0) AS VARCHAR)`
		if n == "schema_migrations" {
			expr = `string_agg(name, ',' ORDER BY name)`
		}
		var s string
		if err := db.SQL.QueryRow(`SELECT ` + expr + ` FROM ` + store.Quote(n) + ` x`).Scan(&s); err != nil {
			t.Fatalf("digest %s: %v", n, err)
		}
		out[n] = s
	}
	if len(out) < 10 {
		t.Fatalf("only %d tables: %v", len(out), names)
	}
	return out
}

func TestRestoreRefusesDamage(t *testing.T) {
	ctx := context.Background()
	src := openDB(t, t.TempDir())
	ingestDemo(t, src, synth.Config{Rows: 3000})
	dir := filepath.Join(t.TempDir(), "b")
	m, err := backup.Backup(ctx, src, dir, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Flip one byte in the middle of a facts file.
	var victim string
	for _, tb := range m.Tables {
		if tb.Role == backup.RoleFacts && len(tb.Files) > 0 {
			victim = tb.Files[0].Path
			break
		}
	}
	p := filepath.Join(dir, victim)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	_, err = backup.Restore(ctx, dir, target, backup.RestoreOptions{})
	if err == nil || !strings.Contains(err.Error(), victim) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("restore of a damaged backup: %v; want an error naming %s as damaged", err, victim)
	}
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Errorf("a refused restore left %d entries in the data directory", len(entries))
	}
	// A missing file is refused too.
	data[len(data)/2] ^= 0xff
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, dir, target, backup.RestoreOptions{}); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("restore with a missing file: %v", err)
	}
}

func TestRestoreTargetAndForce(t *testing.T) {
	ctx := context.Background()
	srcDir := t.TempDir()
	src := openDB(t, srcDir)
	ingestDemo(t, src, synth.Config{Rows: 2000})
	dir := filepath.Join(t.TempDir(), "b")
	if _, err := backup.Backup(ctx, src, dir, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	// A second backup into the same directory is refused, and leaves the
	// first as it was.
	if _, err := backup.Backup(ctx, src, dir, backup.Options{}); mizan.ErrorCode(err) != mizan.EINVALID {
		t.Fatalf("backup into a non-empty directory: %v", err)
	}
	if _, err := backup.ReadManifest(dir); err != nil {
		t.Fatal(err)
	}

	// A data directory holding another database: refused, then replaced
	// with --force, the old file kept aside.
	target := t.TempDir()
	other := openDB(t, target)
	ingestDemo(t, other, synth.Config{Rows: 500, Seed: 7})
	other.Close()
	before, err := os.ReadFile(filepath.Join(target, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, dir, target, backup.RestoreOptions{}); mizan.ErrorCode(err) != mizan.EINVALID {
		t.Fatalf("restore over a database without force: %v", err)
	}
	if _, err := backup.Restore(ctx, dir, target, backup.RestoreOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	kept, err := os.ReadFile(filepath.Join(target, store.FileName+backup.PreRestoreSuffix))
	if err != nil || !slices.Equal(kept, before) {
		t.Errorf("the replaced database was not kept as it was: %v", err)
	}
	dst := openDB(t, target)
	compareDatabases(t, src, dst)
}

func TestBackupCancelledLeavesNothing(t *testing.T) {
	src := openDB(t, t.TempDir())
	ingestDemo(t, src, synth.Config{Rows: 2000})
	parent := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := backup.Backup(ctx, src, filepath.Join(parent, "b"), backup.Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled backup: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("a cancelled backup left %v", entries)
	}
}
