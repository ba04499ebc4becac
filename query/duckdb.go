package query

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan/store"
)

// DuckDB is the Engine over the store's DuckDB database. It compiles each
// plan to one SQL statement (see compile.go) and runs it through DuckDB's
// Arrow interface on a dedicated connection, so cancellation and deadlines
// interrupt the query inside DuckDB.
type DuckDB struct {
	db *sql.DB
	// OnQuery, when set before the engine is used, is told how long DuckDB
	// took to run each statement (until its result was ready), by operation
	// ("aggregate", "facts"...): the server's metrics hook.
	OnQuery func(op string, d time.Duration)
}

// observe reports a statement's duration to OnQuery.
func (e *DuckDB) observe(op string, start time.Time) {
	if e.OnQuery != nil {
		e.OnQuery(op, time.Since(start))
	}
}

var _ Engine = (*DuckDB)(nil)

// NewDuckDB returns the DuckDB engine over db.
func NewDuckDB(db *store.DB) *DuckDB { return &DuckDB{db: db.SQL} }

// Aggregate implements Engine.
func (e *DuckDB) Aggregate(ctx context.Context, p *AggregatePlan) (array.RecordReader, error) {
	return e.records(ctx, "aggregate", compileAggregate, p)
}

// Count implements Engine.
func (e *DuckDB) Count(ctx context.Context, p *AggregatePlan) (int64, error) {
	st, err := compileCount(p)
	if err != nil {
		return 0, err
	}
	return e.count(ctx, "count cells", st)
}

// Summary implements Engine.
func (e *DuckDB) Summary(ctx context.Context, p *AggregatePlan) (array.RecordReader, error) {
	return e.records(ctx, "summary", compileSummary, p)
}

// Rest implements Engine.
func (e *DuckDB) Rest(ctx context.Context, p *AggregatePlan) (array.RecordReader, error) {
	return e.records(ctx, "fold other cells", compileRest, p)
}

// Execution implements Engine.
func (e *DuckDB) Execution(ctx context.Context, p *ExecutionPlan) (array.RecordReader, error) {
	st, err := compileExecution(p)
	if err != nil {
		return nil, err
	}
	return e.run(ctx, "execution", st)
}

// Facts implements Engine.
func (e *DuckDB) Facts(ctx context.Context, p *FactsPlan) (array.RecordReader, error) {
	st, err := compileFacts(p)
	if err != nil {
		return nil, err
	}
	return e.run(ctx, "facts", st)
}

// CountFacts implements Engine.
func (e *DuckDB) CountFacts(ctx context.Context, p *FactsPlan) (int64, error) {
	st, err := compileCountFacts(p)
	if err != nil {
		return 0, err
	}
	return e.count(ctx, "count facts", st)
}

// Members implements Engine.
func (e *DuckDB) Members(ctx context.Context, p *MembersPlan) (array.RecordReader, error) {
	st, err := compileMembers(p)
	if err != nil {
		return nil, err
	}
	return e.run(ctx, "members", st)
}

func (e *DuckDB) records(ctx context.Context, what string, compile func(*AggregatePlan) (stmt, error), p *AggregatePlan) (array.RecordReader, error) {
	st, err := compile(p)
	if err != nil {
		return nil, err
	}
	return e.run(ctx, what, st)
}

func (e *DuckDB) count(ctx context.Context, what string, st stmt) (int64, error) {
	slog.DebugContext(ctx, "query", "op", what, "sql", st.SQL)
	var n int64
	defer e.observe(what, time.Now())
	if err := e.db.QueryRowContext(ctx, st.SQL, st.Args...).Scan(&n); err != nil {
		return 0, queryError(ctx, what, err)
	}
	return n, nil
}

// run executes st and returns its records. The reader owns a pooled
// connection until it is released.
func (e *DuckDB) run(ctx context.Context, what string, st stmt) (array.RecordReader, error) {
	slog.DebugContext(ctx, "query", "op", what, "sql", st.SQL)
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, queryError(ctx, what, err)
	}
	var rdr array.RecordReader
	start := time.Now()
	err = store.RawConn(ctx, conn, func(c driver.Conn) error {
		ar, err := duckdb.NewArrowFromConn(c)
		if err != nil {
			return err
		}
		rdr, err = ar.QueryContext(ctx, st.SQL, st.Args...)
		return err
	})
	e.observe(what, start)
	if err != nil {
		conn.Close()
		return nil, queryError(ctx, what, err)
	}
	cr := &connReader{RecordReader: rdr, conn: conn}
	cr.refs.Store(1)
	return cr, nil
}

// queryError wraps a storage error with what was being done, keeping the
// context's error in the chain when the context ended.
func queryError(ctx context.Context, what string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = errors.Join(cerr, err)
	}
	return fmt.Errorf("query %s: %w", what, err)
}

// connReader is a DuckDB record reader that returns its connection to the
// pool when released.
type connReader struct {
	array.RecordReader
	conn *sql.Conn
	refs atomic.Int64
}

func (r *connReader) Retain() { r.refs.Add(1) }

func (r *connReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.RecordReader.Release()
		r.conn.Close()
	}
}
