package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

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

// benchData is the generated version shared by the benchmarks: generating
// it takes longer than measuring.
var benchData struct {
	once sync.Once
	db   *store.DB
	err  error
}

func benchDB(b *testing.B) *store.DB {
	benchData.once.Do(func() {
		db, err := store.Open(context.Background(), store.Options{Threads: 2})
		if err != nil {
			benchData.err = err
			return
		}
		generateBudget(b, db, benchRows(b))
		benchData.db = db // left open until the process exits
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
	return benchData.db
}

// compare measures a service call against the equivalent single statement
// run directly through database/sql with every row scanned, alternating
// the two in the same loop so that both see the same machine. ns/op is the
// service's; sql-ns/op the statement's; ratio is service ÷ statement.
func compare(b *testing.B, db *store.DB, call func(context.Context) error, st stmt) {
	ctx := context.Background()
	scan := func() {
		rows, err := db.SQL.QueryContext(ctx, st.SQL, st.Args...)
		if err != nil {
			b.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			b.Fatal(err)
		}
		vals := make([]any, len(cols))
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
	// Warm both up (caches, the label cache) as a running server is.
	if err := call(ctx); err != nil {
		b.Fatal(err)
	}
	scan()
	var svc, direct time.Duration
	i := 0
	for b.Loop() {
		// Alternate which goes first, so that neither gets the warmer cache.
		if i%2 == 1 {
			b.StopTimer()
			t := time.Now()
			scan()
			direct += time.Since(t)
			b.StartTimer()
		}
		t := time.Now()
		if err := call(ctx); err != nil {
			b.Fatal(err)
		}
		svc += time.Since(t)
		if i%2 == 0 {
			b.StopTimer()
			t := time.Now()
			scan()
			direct += time.Since(t)
			b.StartTimer()
		}
		i++
	}
	b.ReportMetric(float64(direct.Nanoseconds())/float64(i), "sql-ns/op")
	b.ReportMetric(float64(svc)/float64(direct), "ratio")
}

// BenchmarkAggregate compares Service.Aggregate (validation, cells, count,
// summary, labels, exact formatting) with the page of cells alone (GROUP
// BY, ORDER BY, LIMIT) run directly: on a rollup-covered drilldown, on the
// facts table, with Top, and with a page of 10000 cells.
func BenchmarkAggregate(b *testing.B) {
	db := benchDB(b)
	svc := NewService(db, NewDuckDB(db), Options{})
	cases := []struct {
		name string
		q    mizan.AggregateQuery
	}{
		{"rollup", mizan.AggregateQuery{Dataset: "bench", Drilldown: []string{"admin", "year"}, Cuts: []mizan.Cut{{Ref: "phase", Values: []string{"executed"}}}}},
		{"facts", mizan.AggregateQuery{Dataset: "bench", Drilldown: []string{"admin.department", "economic"}, Cuts: []mizan.Cut{{Ref: "year", From: "2021", To: "2023"}},
			Aggregates: []string{"amount.sum", "amount.avg", "amount.share"}}},
		{"top", mizan.AggregateQuery{Dataset: "bench", Drilldown: []string{"admin.department"}, Top: 10, Aggregates: []string{"amount.sum", "amount.share", "amount.max"}}},
		{"page10k", mizan.AggregateQuery{Dataset: "bench", Drilldown: []string{"admin.department", "economic", "year"}, PageSize: 10000,
			Aggregates: []string{"amount.sum", "amount.count", "amount.min", "amount.max", "amount.avg", "amount.share"}}},
	}
	for _, c := range cases {
		r, err := svc.resolveAggregate(context.Background(), c.q)
		if err != nil {
			b.Fatal(err)
		}
		p := r.plan()
		if r.top > 0 {
			p.Limit = r.top
		} else {
			p.Limit, p.Offset = r.size, r.offset
		}
		st, err := compileAggregate(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			compare(b, db, func(ctx context.Context) error {
				_, err := svc.Aggregate(ctx, c.q)
				return err
			}, st)
		})
	}
}

// BenchmarkExecution compares Service.Execution with the page of nodes
// alone run directly.
func BenchmarkExecution(b *testing.B) {
	db := benchDB(b)
	svc := NewService(db, NewDuckDB(db), Options{})
	cases := []struct {
		name string
		q    mizan.ExecutionQuery
	}{
		{"rollup", mizan.ExecutionQuery{Dataset: "bench", Drilldown: []string{"admin"}, Cuts: []mizan.Cut{{Ref: "year", Values: []string{"2022"}}}, Order: []mizan.Order{{Ref: "rate", Desc: true}}}},
		{"facts", mizan.ExecutionQuery{Dataset: "bench", Drilldown: []string{"admin.department", "economic"}, Order: []mizan.Order{{Ref: "variance"}}}},
	}
	for _, c := range cases {
		t, err := svc.version(context.Background(), c.q.Dataset, 0, false)
		if err != nil {
			b.Fatal(err)
		}
		groups, err := resolveDrilldown(t, c.q.Drilldown)
		if err != nil {
			b.Fatal(err)
		}
		order, err := resolveExecutionOrder(t, c.q.Order, groups)
		if err != nil {
			b.Fatal(err)
		}
		filters, err := svc.resolveCuts(context.Background(), t, c.q.Cuts)
		if err != nil {
			b.Fatal(err)
		}
		st, err := compileExecution(&ExecutionPlan{Source: t.src, Groups: columns(groups), Filters: filters, Order: order, ExecutedZero: true, Limit: 100})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			compare(b, db, func(ctx context.Context) error {
				_, err := svc.Execution(ctx, c.q)
				return err
			}, st)
		})
	}
}

// BenchmarkFacts compares Service.Facts with the page of facts alone
// (SELECT the columns, ORDER BY, LIMIT, OFFSET) run directly.
func BenchmarkFacts(b *testing.B) {
	db := benchDB(b)
	svc := NewService(db, NewDuckDB(db), Options{})
	cases := []struct {
		name string
		q    mizan.FactsQuery
	}{
		{"first", mizan.FactsQuery{Dataset: "bench"}},
		{"cut", mizan.FactsQuery{Dataset: "bench", Cuts: []mizan.Cut{{Ref: "year", From: "2021", To: "2023"}, {Ref: "admin", Values: []string{"M03"}}},
			Order: []mizan.Order{{Ref: "amount", Desc: true}}}},
		{"deep", mizan.FactsQuery{Dataset: "bench", Offset: benchRows(b) / 2}},
		{"last", mizan.FactsQuery{Dataset: "bench", Offset: benchRows(b) - 50}},
	}
	for _, c := range cases {
		r, err := svc.resolveFacts(context.Background(), c.q)
		if err != nil {
			b.Fatal(err)
		}
		// The page as one would write it: no late materialisation.
		p := r.plan
		pb := &builder{}
		pb.w("SELECT ")
		for i, c := range p.Columns {
			if i > 0 {
				pb.w(", ")
			}
			pb.ident(c.Name)
		}
		pb.w("\nFROM ")
		pb.ident(p.Source.Table)
		pb.where(p.Filters, nil)
		pb.factsOrder(p)
		pb.limit(p.Limit, p.Offset)
		st, err := pb.stmt()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			compare(b, db, func(ctx context.Context) error {
				_, err := svc.Facts(ctx, c.q)
				return err
			}, st)
		})
	}
}
