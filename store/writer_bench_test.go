package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// BenchmarkWriteBatches stores the same facts (13 level columns of codes
// plus phase, direction, currency: text like a budget's) in batches of
// several sizes and DuckDB thread counts, each into a fresh on-disk
// database, and reports the time per fact. It is the measurement behind
// RowGroupRows and WriteBatches: batches of whole row groups, one per
// thread, against the 262,144-row batches Mizan used before.
//
//	go test -tags duckdb_arrow -run '^$' -bench WriteBatches -benchtime 1x ./store
//
// MIZAN_BENCH_WRITE_ROWS sets the facts per run (default 983,040: eight
// row groups).
func BenchmarkWriteBatches(b *testing.B) {
	rows := 8 * store.RowGroupRows
	if s := os.Getenv("MIZAN_BENCH_WRITE_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("MIZAN_BENCH_WRITE_ROWS=%q: %v", s, err)
		}
		rows = n
	}
	cases := []struct {
		threads, batch, perWrite int
	}{
		{1, 262144, 1},
		{2, 262144, 1},
		{2, 131072, 2},
		{2, store.RowGroupRows, 2},
		{1, store.RowGroupRows, 1},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("threads=%d/batch=%d/per-write=%d", c.threads, c.batch, c.perWrite), func(b *testing.B) {
			b.StopTimer()
			for range b.N {
				db, err := store.Open(context.Background(), store.Options{Dir: b.TempDir(), Threads: c.threads})
				if err != nil {
					b.Fatal(err)
				}
				w, err := db.BeginVersion(context.Background(), benchSpec())
				if err != nil {
					b.Fatal(err)
				}
				batches := benchFacts(b, w.Schema(), rows, c.batch)
				b.StartTimer()
				for i := 0; i < len(batches); i += c.perWrite {
					if err := w.Write(context.Background(), batches[i:min(i+c.perWrite, len(batches))]...); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := w.Commit(context.Background(), int64(rows), nil); err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				for _, r := range batches {
					r.Release()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/fact")
		})
	}
}

// benchSpec has 13 level columns in four dimensions.
func benchSpec() store.VersionSpec {
	s := spec("bench-write")
	s.Dimensions = []mizan.Dimension{
		{ID: "admin", Kind: mizan.KindClassification, Levels: []mizan.Level{{ID: "ministry"}, {ID: "department"}, {ID: "unit"}}},
		{ID: "functional", Kind: mizan.KindClassification, Levels: []mizan.Level{{ID: "division"}, {ID: "group"}, {ID: "class"}}},
		{ID: "economic", Kind: mizan.KindClassification, Levels: []mizan.Level{{ID: "chapter"}, {ID: "item"}, {ID: "subitem"}}},
		{ID: "other", Kind: mizan.KindAttribute, Levels: []mizan.Level{{ID: "programme"}, {ID: "geo"}, {ID: "fund"}, {ID: "project"}}},
	}
	return s
}

// benchFacts builds rows facts in batches of batch rows: codes repeat in
// runs, with a few hundred distinct values per column, as in a budget.
func benchFacts(tb testing.TB, schema *arrow.Schema, rows, batch int) []arrow.RecordBatch {
	tb.Helper()
	cards := []int{1, 20, 90, 400, 10, 40, 120, 8, 60, 300, 50, 12, 3, 700}
	var out []arrow.RecordBatch
	for start := 0; start < rows; start += batch {
		n := min(batch, rows-start)
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := 0; i < n; i++ {
			r := start + i
			for f, field := range schema.Fields() {
				col := b.Field(f)
				switch field.Name {
				case store.ColRow:
					col.(*array.Int64Builder).Append(int64(r + 1))
				case store.ColYear:
					col.(*array.Int32Builder).Append(int32(2015 + r%10))
				case store.ColPhase:
					col.(*array.StringBuilder).Append([]string{"approved", "revised", "executed"}[r%3])
				case store.ColDirection:
					col.(*array.StringBuilder).Append([]string{"expenditure", "revenue"}[r/7%2])
				case store.ColCurrency:
					col.(*array.StringBuilder).Append("KWD")
				case store.ColAmount:
					col.(*array.Decimal128Builder).Append(decimal128.FromI64(int64(r%100_000) * 1001))
				case store.ColSourceID:
					col.(*array.Int32Builder).Append(1)
				case store.ColSourceRow:
					col.(*array.Int64Builder).Append(int64(r + 2))
				case store.ColPeriod, store.ColDate, store.ColMeasure:
					col.AppendNull()
				default: // a level: a code
					col.(*array.StringBuilder).Append(fmt.Sprintf("%02d-%04d", f, r/5%cards[f%len(cards)]))
				}
			}
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	return out
}
