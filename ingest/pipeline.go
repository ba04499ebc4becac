package ingest

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/classification"
	"github.com/mizan-budget/mizan/store"
)

// Pipeline parameters.
const (
	rejectFlush    = 8192 // rejects buffered before they are stored
	maxWarnings    = 50
	maxRejectShown = 20
)

// pipeline runs one ingest's reader, workers, collector and store: the
// reader cuts sources into chunks, workers map chunks in parallel, the
// collector consumes results in chunk order, so the same input always
// gives the same rows in the same order, and the store goroutine does the
// database work in that order while the workers go on.
type pipeline struct {
	ctx      context.Context
	m        *model
	w        *store.VersionWriter
	schema   *arrow.Schema
	inputs   []*input
	maxBytes int64
	opts     *Options

	work  chan *chunk
	order chan *chunk
	wg    sync.WaitGroup

	bytesRead  atomic.Int64
	totalBytes int64

	// Collector state.
	states   []inputState
	totals   map[totalKey]*totalAgg
	pending  []arrow.RecordBatch
	pendRows int64
	nextID   int64
	rejects  []store.Reject
	rejected int64 // rows with a reject
	limit    int64 // reject threshold in rows (-1: none or a share)
	share    float64
	warnings []string
	samples  []string
	checked  int
	mismatch int
	rowsSeen int64
	lastProg time.Time
	labels   map[string]map[string]mizan.Text // "dim.level" → key → labels from the descriptor
	known    []map[string]int                 // per level: member key → labels it was recorded with
	// ops carries database work to the store goroutine.
	ops      chan func(context.Context) error
	opsDone  chan struct{}
	storeErr atomic.Pointer[error]

	// snap is a copy of known for the workers, which skip the members the
	// collector would ignore. It holds only what earlier chunks gave, as
	// the collector consumes chunks in order, and is renewed once known
	// has grown by an eighth (a stale copy only costs the workers time).
	snap    atomic.Pointer[[]map[string]int]
	changed int // changes to known not in snap
	nknown  int
}

// publish renews the workers' copy of known when it is well behind.
func (pl *pipeline) publish() {
	if pl.changed == 0 || pl.changed*8 < pl.nknown {
		return
	}
	snap := make([]map[string]int, len(pl.known))
	for i, m := range pl.known {
		snap[i] = maps.Clone(m)
	}
	pl.snap.Store(&snap)
	pl.changed = 0
}

func (pl *pipeline) countBytes(n int64) { pl.bytesRead.Add(n) }

// run streams every input into the version writer.
func (pl *pipeline) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pl.ctx = ctx
	workers := pl.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	pl.work = make(chan *chunk, workers)
	pl.order = make(chan *chunk, 2*workers+2)
	pl.states = make([]inputState, len(pl.inputs)+1)
	pl.totals = map[totalKey]*totalAgg{}
	pl.nextID = 1
	pl.known = make([]map[string]int, len(pl.m.levels))
	for i := range pl.known {
		pl.known[i] = map[string]int{}
	}
	pl.wg.Add(workers + 1)
	go func() {
		defer pl.wg.Done()
		pl.readInputs()
	}()
	for i := 0; i < workers; i++ {
		go pl.worker()
	}
	pl.ops = make(chan func(context.Context) error, 1)
	pl.opsDone = make(chan struct{})
	go pl.store(ctx)
	err := pl.collect(ctx)
	if serr := pl.finishStore(); err == nil {
		err = serr
	}
	cancel()
	// Drain so that the reader and workers finish before we return.
	for c := range pl.order {
		if r := <-c.done; r != nil {
			releaseAll(r.cols)
		}
	}
	pl.wg.Wait()
	for _, r := range pl.pending {
		r.Release()
	}
	pl.pending = nil
	return err
}

// collect consumes results in order and writes them.
func (pl *pipeline) collect(ctx context.Context) error {
	for c := range pl.order {
		var res *result
		select {
		case res = <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if res.err != nil {
			return res.err
		}
		if err := pl.consume(ctx, c, res); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := pl.flushFacts(true); err != nil {
		return err
	}
	if err := pl.flushRejects(ctx); err != nil {
		return err
	}
	pl.progress(true, "")
	return nil
}

func (pl *pipeline) consume(ctx context.Context, c *chunk, res *result) error {
	st := &pl.states[c.in.id]
	st.merge(res)
	pl.rowsSeen += res.counts.read
	for k, t := range res.totals {
		if old := pl.totals[k]; old != nil {
			old.sum = old.sum.Add(t.sum)
			old.rows += t.rows
		} else {
			pl.totals[k] = t
		}
	}
	for i := range res.members {
		pl.addMember(c.in.plan, res.levels[i], res.members[i])
	}
	pl.publish()
	if res.counts.rejected > 0 {
		pl.rejected += res.counts.rejected
		for _, r := range res.rejects {
			if len(pl.samples) < maxRejectShown {
				pl.samples = append(pl.samples, rejectMessage(c.in.label, r))
			}
		}
		pl.rejects = append(pl.rejects, res.rejects...)
		if pl.limit >= 0 && pl.rejected > pl.limit {
			return pl.thresholdError()
		}
		if len(pl.rejects) >= rejectFlush {
			if err := pl.flushRejects(ctx); err != nil {
				return err
			}
		}
	}
	if res.cols != nil {
		rec := numberRows(pl.schema, res.cols, pl.nextID)
		pl.nextID += rec.NumRows()
		pl.pending = append(pl.pending, rec)
		pl.pendRows += rec.NumRows()
		if pl.pendRows >= int64(store.RowGroupRows*pl.w.WriteBatches()) {
			if err := pl.flushFacts(false); err != nil {
				return err
			}
		}
	}
	if c.last {
		ms := pl.reconcile(c.in, st)
		for _, m := range ms {
			pl.checked++
			if !m.Matches {
				pl.mismatch++
				pl.warn(fmt.Sprintf("%s row %d: the published total %s differs from %s, the sum of the stored rows it covers (%s)",
					c.in.label, m.SourceRow, m.Published, m.Computed, m.Scope))
			}
		}
		if err := pl.enqueue(func(ctx context.Context) error { return pl.w.AddReconciliation(ctx, ms) }); err != nil {
			return err
		}
		st.agg, st.checks = nil, nil
	}
	pl.progress(false, c.in.label)
	return nil
}

func (pl *pipeline) warn(s string) {
	switch {
	case len(pl.warnings) < maxWarnings:
		pl.warnings = append(pl.warnings, s)
	case len(pl.warnings) == maxWarnings:
		pl.warnings = append(pl.warnings, "further warnings left out")
	}
}

// thresholdError says that too many rows were rejected.
func (pl *pipeline) thresholdError() error {
	first := ""
	if len(pl.samples) > 0 {
		first = "; first: " + pl.samples[0]
	}
	return mizan.Errorf(mizan.EINVALID, "%d rows rejected, more than the reject_threshold of %s allows (of %d rows read)%s",
		pl.rejected, pl.m.d.RejectThreshold, pl.rowsSeen, first)
}

// store runs the version writer's database work, in the order the
// collector hands it over, so that DuckDB inserts one batch while the
// workers map the next. After an error it only drains.
func (pl *pipeline) store(ctx context.Context) {
	defer close(pl.opsDone)
	for op := range pl.ops {
		if pl.storeErr.Load() != nil {
			continue
		}
		if err := op(ctx); err != nil {
			pl.storeErr.Store(&err)
		}
	}
}

// enqueue hands database work to store; it fails with store's error, if
// any.
func (pl *pipeline) enqueue(op func(context.Context) error) error {
	if err := pl.storeErr.Load(); err != nil {
		return *err
	}
	pl.ops <- op
	return nil
}

// finishStore waits for the queued database work and returns its error.
func (pl *pipeline) finishStore() error {
	close(pl.ops)
	<-pl.opsDone
	if err := pl.storeErr.Load(); err != nil {
		return *err
	}
	return nil
}

// flushFacts hands the pending facts to the store in batches of
// store.RowGroupRows, the size DuckDB stores at the lowest cost, keeping
// the rows past the last whole batch pending unless final.
func (pl *pipeline) flushFacts(final bool) error {
	if pl.pendRows == 0 {
		return nil
	}
	rec, err := concatRecords(pl.schema, pl.pending)
	for _, r := range pl.pending {
		r.Release()
	}
	pl.pending, pl.pendRows = nil, 0
	if err != nil {
		return fmt.Errorf("build fact batch: %w", err)
	}
	defer rec.Release()
	var batches []arrow.RecordBatch
	n := rec.NumRows()
	off := int64(0)
	for ; off+store.RowGroupRows <= n; off += store.RowGroupRows {
		batches = append(batches, rec.NewSlice(off, off+store.RowGroupRows))
	}
	if off < n {
		rest := rec.NewSlice(off, n)
		if final {
			batches = append(batches, rest)
		} else {
			pl.pending, pl.pendRows = []arrow.RecordBatch{rest}, rest.NumRows()
		}
	}
	if len(batches) == 0 {
		return nil
	}
	release := func() {
		for _, b := range batches {
			b.Release()
		}
	}
	err = pl.enqueue(func(ctx context.Context) error {
		defer release()
		return pl.w.Write(ctx, batches...)
	})
	if err != nil {
		release() // not queued
	}
	return err
}

func (pl *pipeline) flushRejects(ctx context.Context) error {
	if len(pl.rejects) == 0 {
		return nil
	}
	rs := pl.rejects
	pl.rejects = nil
	return pl.enqueue(func(ctx context.Context) error { return pl.w.AddRejects(ctx, rs) })
}

// addMember records a member, adding the descriptor's translations and
// built-in classification labels on first sighting.
func (pl *pipeline) addMember(p *plan, li int, m mizan.Member) {
	known, ok := pl.known[li][m.Key]
	if ok && known >= p.levels[li].nlabels {
		return // the writer has it with every label this source can add
	}
	if len(m.Label) > known || !ok {
		pl.known[li][m.Key] = len(m.Label)
		pl.changed++
		if !ok {
			pl.nknown++
		}
	}
	if !ok {
		ref := m.Dimension + "." + m.Level
		if extra, ok := pl.labels[ref][m.Key]; ok {
			for l, s := range extra {
				if m.Label[l] == "" {
					m.Label[l] = s
				}
			}
		}
		if pl.m.cofog[m.Dimension] {
			if t, ok := classification.COFOG(m.Key); ok {
				for l, s := range t {
					if m.Label[l] == "" {
						m.Label[l] = s
					}
				}
			}
		}
	}
	pl.w.AddMember(m)
}

// progress reports at most ten times a second (and always when final).
func (pl *pipeline) progress(final bool, file string) {
	if pl.opts.Progress == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(pl.lastProg) < 100*time.Millisecond {
		return
	}
	pl.lastProg = now
	pl.opts.Progress(Progress{Rows: pl.rowsSeen, BytesRead: pl.bytesRead.Load(), TotalBytes: pl.totalBytes, File: file})
}
