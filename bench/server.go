package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// datasetID is the synthetic budget's dataset id.
const datasetID = "demo-budget"

// server is an in-process Mizan API over one data directory, with a
// generated client talking to it over loopback HTTP.
type server struct {
	db     *store.DB
	svc    *query.Service
	eng    *timedEngine
	client mizanv1connect.QueryServiceClient
	t      *target
	cancel context.CancelFunc
	done   chan error
}

// target is the dataset version the queries address.
type target struct {
	dataset string
	version int
	table   string
	dims    []mizan.Dimension
	rollups []mizan.Rollup
	rows    int64
	// Parameters the query set picks from the data.
	year          string // last year with executed figures
	ministry      string // ministry with the most facts
	ministryFacts int64
}

// startServer opens dataDir and serves the API on a free loopback port.
func startServer(ctx context.Context, dataDir string) (*server, error) {
	db, err := store.Open(ctx, store.Options{Dir: dataDir})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dataDir, err)
	}
	s := &server{db: db, eng: newTimedEngine(query.NewDuckDB(db)), done: make(chan error, 1)}
	s.svc = query.NewService(db, s.eng, query.Options{})
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := rpc.NewServer(rpc.Options{Catalog: db, Query: s.svc, Exporter: s.svc, Logger: quiet})
	if err != nil {
		db.Close()
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	go func() { s.done <- rpc.ServeListener(sctx, ln, h) }()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8, DisableCompression: true}}
	s.client = mizanv1connect.NewQueryServiceClient(hc, "http://"+ln.Addr().String())
	if s.t, err = loadTarget(ctx, db); err != nil {
		return nil, errors.Join(err, s.close())
	}
	return s, nil
}

// close stops the HTTP server and closes the database.
func (s *server) close() error {
	s.cancel()
	err := <-s.done
	return errors.Join(err, s.db.Close())
}

// loadTarget reads the catalog entry of the synthetic budget and picks the
// query parameters from its facts.
func loadTarget(ctx context.Context, db *store.DB) (*target, error) {
	ds, v, err := db.ResolveVersion(ctx, datasetID, 0, false)
	if err != nil {
		return nil, err
	}
	t := &target{dataset: ds.ID, version: v.Number, table: store.FactsTable(ds.ID, v.Number), dims: v.Dimensions, rollups: v.Rollups, rows: v.Rows}
	q := fmt.Sprintf(`SELECT max("year") FROM %s WHERE "phase" = 'executed'`, store.Quote(t.table))
	var year int
	if err := db.SQL.QueryRowContext(ctx, q).Scan(&year); err != nil {
		return nil, fmt.Errorf("pick year: %w", err)
	}
	t.year = fmt.Sprint(year)
	q = fmt.Sprintf(`SELECT "admin__ministry", count(*) FROM %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`, store.Quote(t.table))
	if err := db.SQL.QueryRowContext(ctx, q).Scan(&t.ministry, &t.ministryFacts); err != nil {
		return nil, fmt.Errorf("pick ministry: %w", err)
	}
	return t, nil
}

// level is one dimension level of the target with its facts column.
type level struct {
	ref, dim, id, column string
}

// levels lists every dimension level in storage order.
func (t *target) levels() []level {
	var out []level
	for _, d := range t.dims {
		for _, l := range d.Levels {
			col := l.Column
			if col == "" {
				col = mizan.ColumnFor(d.ID, l.ID)
			}
			out = append(out, level{ref: d.ID + "." + l.ID, dim: d.ID, id: l.ID, column: col})
		}
	}
	return out
}

// fixedRefs are the canonical dimensions stored as plain columns.
var fixedRefs = []string{mizan.DimYear, mizan.DimPhase, mizan.DimDirection, mizan.DimCurrency}

// resolve returns the facts column of a reference and its level (nil for a
// fixed dimension).
func (t *target) resolve(ref string) (string, *level, error) {
	if slices.Contains(fixedRefs, ref) {
		return ref, nil, nil
	}
	for _, l := range t.levels() {
		if l.ref == ref {
			return l.column, &l, nil
		}
	}
	return "", nil, fmt.Errorf("no dimension level %q", ref)
}

// coveredByRollup says whether one of the version's rollups holds every
// column in cols (what the query engine checks before choosing one).
func (t *target) coveredByRollup(cols []string) bool {
	for _, r := range t.rollups {
		ok := true
		for _, c := range cols {
			if !slices.Contains(r.Columns, c) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// timedEngine wraps the query engine and adds up the time each operation
// takes, from the call until its records are released: where a request's
// time goes inside the service.
type timedEngine struct {
	query.Engine
	mu  sync.Mutex
	ops map[string]time.Duration
	n   map[string]int
}

func newTimedEngine(e query.Engine) *timedEngine {
	return &timedEngine{Engine: e, ops: map[string]time.Duration{}, n: map[string]int{}}
}

func (e *timedEngine) record(op string, d time.Duration) {
	e.mu.Lock()
	e.ops[op] += d
	e.n[op]++
	e.mu.Unlock()
}

// reset clears the totals and returns the previous ones.
func (e *timedEngine) reset() (map[string]time.Duration, map[string]int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ops, n := e.ops, e.n
	e.ops, e.n = map[string]time.Duration{}, map[string]int{}
	return ops, n
}

// timedReader records its operation's time when released.
type timedReader struct {
	array.RecordReader
	e     *timedEngine
	op    string
	start time.Time
	once  sync.Once
}

func (r *timedReader) Release() {
	r.RecordReader.Release()
	r.once.Do(func() { r.e.record(r.op, time.Since(r.start)) })
}

func (e *timedEngine) wrap(op string, start time.Time, rdr array.RecordReader, err error) (array.RecordReader, error) {
	if err != nil {
		e.record(op, time.Since(start))
		return nil, err
	}
	return &timedReader{RecordReader: rdr, e: e, op: op, start: start}, nil
}

func (e *timedEngine) Aggregate(ctx context.Context, p *query.AggregatePlan) (array.RecordReader, error) {
	start := time.Now()
	rdr, err := e.Engine.Aggregate(ctx, p)
	return e.wrap("aggregate", start, rdr, err)
}

func (e *timedEngine) Count(ctx context.Context, p *query.AggregatePlan) (int64, error) {
	start := time.Now()
	n, err := e.Engine.Count(ctx, p)
	e.record("count", time.Since(start))
	return n, err
}

func (e *timedEngine) Summary(ctx context.Context, p *query.AggregatePlan) (array.RecordReader, error) {
	start := time.Now()
	rdr, err := e.Engine.Summary(ctx, p)
	return e.wrap("summary", start, rdr, err)
}

func (e *timedEngine) Rest(ctx context.Context, p *query.AggregatePlan) (array.RecordReader, error) {
	start := time.Now()
	rdr, err := e.Engine.Rest(ctx, p)
	return e.wrap("rest", start, rdr, err)
}

func (e *timedEngine) Execution(ctx context.Context, p *query.ExecutionPlan) (array.RecordReader, error) {
	start := time.Now()
	rdr, err := e.Engine.Execution(ctx, p)
	return e.wrap("execution", start, rdr, err)
}

func (e *timedEngine) Facts(ctx context.Context, p *query.FactsPlan) (array.RecordReader, error) {
	start := time.Now()
	rdr, err := e.Engine.Facts(ctx, p)
	return e.wrap("facts", start, rdr, err)
}

func (e *timedEngine) CountFacts(ctx context.Context, p *query.FactsPlan) (int64, error) {
	start := time.Now()
	n, err := e.Engine.CountFacts(ctx, p)
	e.record("count_facts", time.Since(start))
	return n, err
}

func (e *timedEngine) Members(ctx context.Context, p *query.MembersPlan) (array.RecordReader, error) {
	start := time.Now()
	rdr, err := e.Engine.Members(ctx, p)
	return e.wrap("labels", start, rdr, err)
}
