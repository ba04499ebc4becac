package ingest

import (
	"bufio"
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/mizan-budget/mizan/store"
)

// TestRowGroupBatches ingests more rows than several of the store's row
// groups, with a remainder, on one and on two DuckDB threads: the facts
// keep the file's order (row_id follows the source row), none is lost or
// stored twice, and the total is the file's.
func TestRowGroupBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 370k rows")
	}
	rows := 3*store.RowGroupRows + 1234
	dir := t.TempDir()
	file := filepath.Join(dir, "rows.csv")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Year,Phase,Ministry Code,Ministry,Programme,Amount")
	want := new(big.Rat)
	for i := 0; i < rows; i++ {
		amount := fmt.Sprintf("%d.%02d", i%9973, i%100)
		r, _ := new(big.Rat).SetString(amount)
		want.Add(want, r)
		fmt.Fprintf(w, "%d,approved,%02d,Ministry %d,P%d,%s\n", 2010+i%7, i%13, i%13, i%101, amount)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, threads := range []int{1, 2} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) {
			// On disk: row groups are compressed as they are written there.
			db, err := store.Open(context.Background(), store.Options{Dir: t.TempDir(), Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			d, err := Parse([]byte(fmt.Sprintf(crashDescriptor, filepath.Base(file))), dir)
			if err != nil {
				t.Fatal(err)
			}
			s := mustIngest(t, db, d, Options{Workers: 2})
			var n, misplaced, minID, maxID int64
			var sum string
			q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE source_row <> row_id + 1), min(row_id), max(row_id), CAST(sum(amount) AS VARCHAR) FROM %s`,
				store.Quote(store.FactsTable(d.ID, s.Version)))
			if err := db.SQL.QueryRow(q).Scan(&n, &misplaced, &minID, &maxID, &sum); err != nil {
				t.Fatal(err)
			}
			if n != int64(rows) || minID != 1 || maxID != int64(rows) || misplaced != 0 {
				t.Errorf("stored %d facts, ids %d..%d, %d out of the file's order; want %d, 1..%d, 0", n, minID, maxID, misplaced, rows, rows)
			}
			if got, _ := new(big.Rat).SetString(sum); got == nil || got.Cmp(want) != 0 {
				t.Errorf("sum %s, want %s", sum, want.FloatString(2))
			}
			// Storage order too: the row at each position (rowid) is the
			// file's row at that position.
			var outOfOrder int64
			q = fmt.Sprintf(`SELECT count(*) FROM %s WHERE rowid + 1 <> row_id`, store.Quote(store.FactsTable(d.ID, s.Version)))
			if err := db.SQL.QueryRow(q).Scan(&outOfOrder); err != nil {
				t.Fatal(err)
			}
			if outOfOrder != 0 {
				t.Errorf("%d facts stored out of the file's order", outOfOrder)
			}
		})
	}
}
