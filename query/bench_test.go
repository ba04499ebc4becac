package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// benchRows is the size of the generated version: BENCH_ROWS, default 1M.
func benchRows(b *testing.B) int {
	if s := os.Getenv("BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("BENCH_ROWS=%q is not a positive number", s)
		}
		return n
	}
	return 1_000_000
}

// generateBudget stores a synthetic budget of n facts: 5 years, 3 phases,
// 20 ministries of 10 departments, 12 economic chapters, 12 periods.
func generateBudget(b *testing.B, db *store.DB, n int) {
	ctx := context.Background()
	w, err := db.BeginVersion(ctx, store.VersionSpec{Dataset: budgetDataset("bench"), ContentHash: "bench", Scale: 3, Factor: "1", Dimensions: budgetDims})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Rollback()
	rng := rand.New(rand.NewPCG(1, 2))
	phases := []string{"approved", "revised", "executed"}
	const batch = 100_000
	for start := 0; start < n; start += batch {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, w.Schema())
		for i := start; i < min(start+batch, n); i++ {
			m := rng.IntN(20)
			for j, f := range w.Schema().Fields() {
				fb := rb.Field(j)
				switch f.Name {
				case store.ColRow:
					fb.(*array.Int64Builder).Append(int64(i + 1))
				case store.ColYear:
					fb.(*array.Int32Builder).Append(int32(2020 + rng.IntN(5)))
				case store.ColPeriod:
					fb.(*array.StringBuilder).Append(fmt.Sprintf("M%02d", 1+rng.IntN(12)))
				case store.ColPhase:
					fb.(*array.StringBuilder).Append(phases[rng.IntN(3)])
				case store.ColDirection:
					fb.(*array.StringBuilder).Append(mizan.DirectionExpenditure)
				case store.ColCurrency:
					fb.(*array.StringBuilder).Append("BHD")
				case "admin__ministry":
					fb.(*array.StringBuilder).Append(fmt.Sprintf("M%02d", m))
				case "admin__department":
					fb.(*array.StringBuilder).Append(fmt.Sprintf("M%02dD%d", m, rng.IntN(10)))
				case "economic__chapter":
					fb.(*array.StringBuilder).Append(fmt.Sprintf("E%02d", rng.IntN(12)))
				case store.ColAmount:
					fb.(*array.Decimal128Builder).Append(decimal128.FromI64(rng.Int64N(1_000_000_000)))
				case store.ColSourceID:
					fb.(*array.Int32Builder).Append(1)
				case store.ColSourceRow:
					fb.(*array.Int64Builder).Append(int64(i + 2))
				default:
					fb.AppendNull()
				}
			}
		}
		rec := rb.NewRecordBatch()
		rb.Release()
		err := w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	for m := 0; m < 20; m++ {
		w.AddMember(mizan.Member{Dimension: "admin", Level: "ministry", Key: fmt.Sprintf("M%02d", m), Label: mizan.Text{"en": fmt.Sprintf("Ministry %d", m)}})
	}
	if _, err := w.Commit(ctx, int64(n), nil); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAggregate compares Service.Aggregate (validation, count, cells,
// summary, labels, exact formatting) with the cells query alone run
// directly through database/sql, on a rollup-covered and on a facts-table
// drilldown.
func BenchmarkAggregate(b *testing.B) {
	db := openDB(b)
	generateBudget(b, db, benchRows(b))
	svc := NewService(db, NewDuckDB(db), Options{})
	ctx := context.Background()
	cases := []struct {
		name string
		q    mizan.AggregateQuery
	}{
		{"rollup", mizan.AggregateQuery{Dataset: "bench", Drilldown: []string{"admin", "year"}, Cuts: []mizan.Cut{{Ref: "phase", Values: []string{"executed"}}}}},
		{"facts", mizan.AggregateQuery{Dataset: "bench", Drilldown: []string{"admin.department", "economic"}, Cuts: []mizan.Cut{{Ref: "year", From: "2021", To: "2023"}},
			Aggregates: []string{"amount.sum", "amount.avg", "amount.share"}}},
	}
	for _, c := range cases {
		b.Run("service/"+c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Aggregate(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
		r, err := svc.resolveAggregate(ctx, c.q)
		if err != nil {
			b.Fatal(err)
		}
		p := r.plan()
		p.Limit = r.size
		st, err := compileAggregate(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("sql/"+c.name, func(b *testing.B) {
			for b.Loop() {
				rows, err := db.SQL.QueryContext(ctx, st.SQL, st.Args...)
				if err != nil {
					b.Fatal(err)
				}
				vals := make([]any, len(p.Groups)+4)
				ptrs := make([]any, len(vals))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				for rows.Next() {
					if err := rows.Scan(ptrs...); err != nil {
						b.Fatal(err)
					}
				}
				if err := rows.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
