package query

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// Options bound the load the service puts on the database.
type Options struct {
	// MaxConcurrent is the number of queries that may run at once; 0 means
	// 2×GOMAXPROCS.
	MaxConcurrent int
	// MaxConcurrentExports is the number of exports that may run at once,
	// in slots of their own: an export holds its slot for its whole
	// duration, so exports of millions of cells must not leave the quick
	// queries of the dashboard waiting. 0 means max(1, MaxConcurrent/4).
	MaxConcurrentExports int
	// QueueWait is how long a query waits for a slot before failing with
	// mizan.EEXHAUSTED "server busy"; 0 means 2s.
	QueueWait time.Duration
	// QueryTimeout bounds each Aggregate, Execution and Facts call (not
	// Export, which the caller's context bounds); 0 means 30s, negative
	// means none. When it passes, the error wraps context.DeadlineExceeded.
	QueryTimeout time.Duration
	// MaxNormalizedCells caps the cells a normalised aggregation may have
	// (they are normalised and ordered in memory); 0 means 100000.
	MaxNormalizedCells int
}

func (o Options) withDefaults() Options {
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	if o.MaxConcurrentExports <= 0 {
		o.MaxConcurrentExports = max(1, o.MaxConcurrent/4)
	}
	if o.QueueWait <= 0 {
		o.QueueWait = 2 * time.Second
	}
	if o.QueryTimeout == 0 {
		o.QueryTimeout = 30 * time.Second
	}
	if o.MaxNormalizedCells <= 0 {
		o.MaxNormalizedCells = 100_000
	}
	return o
}

// Service answers the domain's query operations: Aggregate, Execution,
// Facts and Export. It is safe for concurrent use.
type Service struct {
	db   *store.DB
	eng  Engine
	opts Options
	lim  *limiter
	exp  *limiter // exports' own slots
	// labels caches the labels of small levels (see labeler).
	labels *labelCache
}

// NewService returns a query service reading the catalog from db and facts
// through eng (usually NewDuckDB(db)).
func NewService(db *store.DB, eng Engine, opts Options) *Service {
	opts = opts.withDefaults()
	return &Service{db: db, eng: eng, opts: opts, lim: newLimiter(opts.MaxConcurrent, opts.QueueWait),
		exp: newLimiter(opts.MaxConcurrentExports, opts.QueueWait), labels: newLabelCache()}
}

// begin takes a concurrency slot (an export's, for an export, which has no
// timeout) and applies the query timeout. The returned function must be
// called when the query is done.
func (s *Service) begin(ctx context.Context, export bool) (context.Context, func(), error) {
	lim := s.lim
	if export {
		lim = s.exp
	}
	release, err := lim.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	if export || s.opts.QueryTimeout < 0 {
		return ctx, release, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.QueryTimeout)
	return ctx, func() { cancel(); release() }, nil
}

// version resolves the dataset version a request addresses.
func (s *Service) version(ctx context.Context, dataset string, number int, drafts bool) (*target, error) {
	if dataset == "" {
		return nil, mizan.FieldErrorf("dataset", "dataset is required")
	}
	d, v, err := s.db.ResolveVersion(ctx, dataset, number, drafts)
	if err != nil {
		return nil, err
	}
	if len(v.Currencies) == 0 && d.Currency != "" {
		v.Currencies = []string{d.Currency}
	}
	return &target{
		ds: d,
		v:  v,
		src: Source{
			Dataset: d.ID,
			Version: v.Number,
			Table:   store.FactsTable(d.ID, v.Number),
			Scale:   v.Scale,
			Rollups: v.Rollups,
		},
	}, nil
}

// target is a resolved dataset version.
type target struct {
	ds  *mizan.Dataset
	v   mizan.Version
	src Source
}

// pageSize validates and defaults a page size.
func pageSize(n int) (int, error) {
	switch {
	case n < 0:
		return 0, mizan.FieldErrorf("page_size", "must not be negative, got %d", n)
	case n == 0:
		return 100, nil
	case n > mizan.MaxPageSize:
		return 0, mizan.FieldErrorf("page_size", "at most %d, got %d", mizan.MaxPageSize, n)
	}
	return n, nil
}

func checkOffset(n int) error {
	if n < 0 {
		return mizan.FieldErrorf("offset", "must not be negative, got %d", n)
	}
	return nil
}

func nextOffset(offset, got int, total int64) int {
	if int64(offset+got) < total && got > 0 {
		return offset + got
	}
	return 0
}

func internal(what string, err error) error {
	return fmt.Errorf("%s: %w", what, err)
}
