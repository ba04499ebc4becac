package synth

import (
	"context"
	"math/big"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/store"
)

// TestIngest stores a generated budget and its series through the real
// ingest pipeline and checks the stored totals per year, phase and
// direction against sums computed from the CSV itself.
func TestIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests into DuckDB")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	for _, codesOnly := range []bool{false, true} {
		cfg := Config{Rows: 20_000, CodesOnly: codesOnly}
		if codesOnly {
			cfg.ID = "demo-codes"
		}
		ds, fsys, err := Bundle(cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := totals(t, parseCSV(t, fsys[FileName(cfg)].Data))
		for i, d := range ds {
			sum, err := ingest.Ingest(ctx, db, d, ingest.Options{FS: fsys})
			if err != nil {
				t.Fatalf("ingest %s: %v", d.ID, err)
			}
			wantRows := int64(cfg.normalized().Years)
			if i == 0 {
				wantRows = cfg.Rows
			}
			if sum.RowsRead != wantRows || sum.RowsAccepted != wantRows || sum.RowsRejected != 0 || sum.Facts != wantRows {
				t.Errorf("%s: read %d, accepted %d, rejected %d, facts %d; want %d: %v", d.ID, sum.RowsRead, sum.RowsAccepted, sum.RowsRejected, sum.Facts, wantRows, sum.RejectSamples)
			}
			if sum.Scale != *d.Decimals {
				t.Errorf("%s: scale %d; want %d", d.ID, sum.Scale, *d.Decimals)
			}
			if len(sum.Warnings) > 0 {
				t.Logf("%s: warnings: %v", d.ID, sum.Warnings)
			}
			if i > 0 {
				continue
			}
			got := map[totalKey]*big.Rat{}
			rows, err := db.SQL.QueryContext(ctx, `SELECT year, phase, direction, SUM(amount)::VARCHAR FROM `+
				store.Quote(store.FactsTable(d.ID, sum.Version))+` GROUP BY ALL`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var year int
				var k totalKey
				var amount string
				if err := rows.Scan(&year, &k.phase, &k.direction, &amount); err != nil {
					t.Fatal(err)
				}
				k.year = strconv.Itoa(year)
				got[k] = rat(t, amount)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b *big.Rat) bool { return a.Cmp(b) == 0 })); diff != "" {
				t.Errorf("%s: stored totals (-csv +stored):\n%s", d.ID, diff)
			}
			checkMembers(t, ctx, db, d.ID, sum.Version)
		}
	}
}

// checkMembers checks that every stored member has Arabic and English labels.
func checkMembers(t *testing.T, ctx context.Context, db *store.DB, id string, version int) {
	t.Helper()
	rows, err := db.SQL.QueryContext(ctx, `SELECT dim || '.' || level, count(*), count(*) FILTER (WHERE coalesce(label_ar, '') = '' OR coalesce(label_en, '') = '')
		FROM members WHERE dataset_id = ? AND version = ? GROUP BY ALL ORDER BY 1`, id, version)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var ref string
		var n, unlabelled int
		if err := rows.Scan(&ref, &n, &unlabelled); err != nil {
			t.Fatal(err)
		}
		counts[ref] = n
		if unlabelled > 0 {
			t.Errorf("%s: %d of %d %s members lack an Arabic or English label", id, unlabelled, n, ref)
		}
	}
	if counts["admin.ministry"] == 0 || counts["functional.class"] == 0 {
		t.Errorf("%s: members %v", id, counts)
	}
	t.Logf("%s: members %v", id, counts)
}
