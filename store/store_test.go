package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// MustOpen opens a database in a fresh temporary directory.
func MustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), store.Options{Dir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func spec(id string) store.VersionSpec {
	return store.VersionSpec{
		Dataset: mizan.Dataset{ID: id, Kind: mizan.KindBudget, Title: mizan.Text{"en": "Test", "ar": "اختبار"}, Currency: "BHD"},
		Scale:   3,
		Factor:  "1",
		Dimensions: []mizan.Dimension{{
			ID: "admin", Kind: mizan.KindClassification,
			Levels: []mizan.Level{{ID: "sector"}, {ID: "ministry"}},
		}},
		Sources: []mizan.SourceFile{{ID: 1, Name: "a.csv", SHA256: "00"}},
	}
}

// writeFacts writes one fact per amount (in fils), all in year 2016.
func writeFacts(t *testing.T, w *store.VersionWriter, amounts ...int64) {
	t.Helper()
	nums := make([]decimal128.Num, len(amounts))
	for i, a := range amounts {
		nums[i] = decimal128.FromI64(a)
	}
	if err := writeNums(w, nums...); err != nil {
		t.Fatal(err)
	}
}

// writeNums writes one fact per unscaled amount, all in year 2016.
func writeNums(w *store.VersionWriter, amounts ...decimal128.Num) error {
	b := w.NewFactBuilder(memory.DefaultAllocator)
	defer b.Release()
	for i, a := range amounts {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Int32Builder).Append(2016)
		b.Field(2).AppendNull()
		b.Field(3).AppendNull()
		b.Field(4).(*array.StringBuilder).Append("approved")
		b.Field(5).(*array.StringBuilder).Append("expenditure")
		b.Field(6).(*array.StringBuilder).Append("BHD")
		b.Field(7).AppendNull()
		b.Field(8).(*array.StringBuilder).Append("S1")
		b.Field(9).(*array.StringBuilder).Append("M1")
		b.Field(10).(*array.Decimal128Builder).Append(a)
		b.Field(11).(*array.Int32Builder).Append(1)
		b.Field(12).(*array.Int64Builder).Append(int64(i + 2))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return w.Write(context.Background(), rec)
}

func TestAmountPrecision(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	big, _ := decimal128.FromString("12345678901234567.891", 38, 3)
	fits, _ := decimal128.FromString("-999999999999999.999", 38, 3)

	w, err := db.BeginVersion(ctx, spec("narrow"))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeNums(w, fits, big); err == nil || !strings.Contains(err.Error(), "more than 18 digits") {
		t.Errorf("write of a 20-digit amount at precision 18: err = %v", err)
	}
	if err := writeNums(w, fits); err != nil {
		t.Fatal(err)
	}
	v, err := w.Commit(ctx, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Precision != 18 || total(t, db, "narrow", 1) != "-999999999999999.999" {
		t.Errorf("narrow version: precision %d, total %s", v.Precision, total(t, db, "narrow", 1))
	}

	s := spec("wide")
	s.Precision = store.WidePrecision
	w, err = db.BeginVersion(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeNums(w, big, big, fits); err != nil {
		t.Fatal(err)
	}
	if v, err = w.Commit(ctx, 3, nil); err != nil {
		t.Fatal(err)
	}
	if v.Precision != 38 || total(t, db, "wide", 1) != "23691357802469135.783" {
		t.Errorf("wide version: precision %d, total %s", v.Precision, total(t, db, "wide", 1))
	}

	s.Precision = 20
	if _, err := db.BeginVersion(ctx, s); mizan.ErrorCode(err) != mizan.EINVALID {
		t.Errorf("precision 20: err = %v, want EINVALID", err)
	}
}

func total(t *testing.T, db *store.DB, id string, v int) string {
	t.Helper()
	var s string
	if err := db.SQL.QueryRow("SELECT sum(amount)::VARCHAR FROM " + store.Quote(store.FactsTable(id, v))).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVersionsAreImmutableAndTransactional(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)

	w, err := db.BeginVersion(ctx, spec("bh-test"))
	if err != nil {
		t.Fatal(err)
	}
	writeFacts(t, w, 1, 2, 3) // 0.001 + 0.002 + 0.003
	w.AddMember(mizan.Member{Dimension: "admin", Level: "sector", Key: "S1", Label: mizan.Text{"en": "Sector one"}})
	w.AddMember(mizan.Member{Dimension: "admin", Level: "ministry", Key: "M1", Parent: "S1", Label: mizan.Text{"ar": "وزارة"}})
	v1, err := w.Commit(ctx, 3, map[string]int{"rows": 3})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Number != 1 || v1.Rows != 3 {
		t.Fatalf("version 1 = %+v", v1)
	}
	if got := total(t, db, "bh-test", 1); got != "0.006" {
		t.Errorf("v1 total = %s, want 0.006", got)
	}

	// A rolled-back version leaves nothing behind, and its number is reused.
	w, err = db.BeginVersion(ctx, spec("bh-test"))
	if err != nil {
		t.Fatal(err)
	}
	writeFacts(t, w, 1000)
	w.Rollback()
	d, err := db.GetDataset(ctx, "bh-test", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Versions) != 1 {
		t.Fatalf("after rollback: %d versions, want 1", len(d.Versions))
	}
	var n int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_name = ?`, store.FactsTable("bh-test", 2)).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled-back facts table still exists (n=%d, err=%v)", n, err)
	}

	w, err = db.BeginVersion(ctx, spec("bh-test"))
	if err != nil {
		t.Fatal(err)
	}
	writeFacts(t, w, 5000)
	v2, err := w.Commit(ctx, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Number != 2 {
		t.Fatalf("second version numbered %d", v2.Number)
	}
	if got := total(t, db, "bh-test", 1); got != "0.006" {
		t.Errorf("v1 changed after v2: %s", got)
	}

	_, latest, err := db.ResolveVersion(ctx, "bh-test", 0, false)
	if err != nil || latest.Number != 2 {
		t.Fatalf("latest = %d, %v", latest.Number, err)
	}
	members, err := db.ListMembers(ctx, mizan.MembersQuery{Dataset: "bh-test", Version: 1, Ref: "admin.ministry", Search: "وزاره"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]mizan.Member{{Dimension: "admin", Level: "ministry", Key: "M1", Parent: "S1", Label: mizan.Text{"ar": "وزارة"}}}, members.Members); diff != "" {
		t.Errorf("members mismatch (-want +got):\n%s", diff)
	}
}

func TestDatabaseCannotTouchFiles(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	secret := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(secret, []byte("a\n1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT * FROM read_csv('" + secret + "')",
		"SELECT * FROM '" + secret + "'",
		"COPY (SELECT 1) TO '" + filepath.Join(t.TempDir(), "out.csv") + "'",
		"SET enable_external_access = true",
		"INSTALL httpfs",
		"LOAD httpfs",
		"ATTACH '" + filepath.Join(t.TempDir(), "x.db") + "'",
	} {
		if _, err := db.SQL.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: allowed, want refused", q)
		}
	}
}

func TestReopenKeepsVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	w, err := db.BeginVersion(ctx, spec("reopen"))
	if err != nil {
		t.Fatal(err)
	}
	writeFacts(t, w, 7)
	if _, err := w.Commit(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := total(t, db, "reopen", 1); got != "0.007" {
		t.Errorf("after reopen total = %s", got)
	}
}

func TestBeginVersionRejectsBadIDs(t *testing.T) {
	db := MustOpen(t)
	for _, id := range []string{"", "A", "x; DROP TABLE versions", "../etc", strings.Repeat("a", 80)} {
		s := spec("ok")
		s.Dataset.ID = id
		if _, err := db.BeginVersion(context.Background(), s); mizan.ErrorCode(err) != mizan.EINVALID {
			t.Errorf("id %q: err = %v, want invalid", id, err)
		}
	}
}
