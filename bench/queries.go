package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

// kind is the RPC a request uses.
type kind int

const (
	kindAggregate kind = iota
	kindExecution
	kindFacts
)

// cut keeps the facts whose ref is one of values.
type cut struct {
	ref    string
	values []string
}

// order sorts cells by "amount.sum" or a drilldown reference.
type order struct {
	ref  string
	desc bool
}

// spec is one benchmark request, from which the Mizan request and both
// baselines' SQL are made.
type spec struct {
	id, name string
	kind     kind
	drill    []string
	cuts     []cut
	order    []order
	size     int
	offset   int // facts only
}

// querySet is the fixed set of representative requests, with parameters
// picked from the data (the last year with executed figures, the largest
// ministry).
func querySet(t *target) []spec {
	approvedExp := []cut{{mizan.DimDirection, []string{mizan.DirectionExpenditure}}, {mizan.DimPhase, []string{mizan.PhaseApproved}}}
	yearCut := cut{mizan.DimYear, []string{t.year}}
	offset := int(t.ministryFacts*9/10/100) * 100
	return []spec{
		{id: "a", name: "a: function × year (expenditure, approved)", kind: kindAggregate,
			drill: []string{"functional.division", mizan.DimYear}, cuts: approvedExp, size: 1000},
		{id: "b", name: "b: ministry › department × economic chapter (year, approved)", kind: kindAggregate,
			drill: []string{"admin.ministry", "admin.department", "economic.chapter"},
			cuts:  []cut{yearCut, {mizan.DimPhase, []string{mizan.PhaseApproved}}}, size: 1000},
		{id: "c", name: "c: execution rate by ministry (year)", kind: kindExecution,
			drill: []string{"admin.ministry"}, cuts: []cut{yearCut}, size: 100},
		{id: "d", name: "d: top-20 programmes (year, expenditure, approved)", kind: kindAggregate,
			drill: []string{"programme.programme"}, cuts: append([]cut{yearCut}, approvedExp...),
			order: []order{{"amount.sum", true}}, size: 20},
		{id: "e", name: fmt.Sprintf("e: facts page at offset %d of ministry %s", offset, t.ministry), kind: kindFacts,
			cuts: []cut{{"admin.ministry", []string{t.ministry}}}, size: 100, offset: offset},
		{id: "f", name: "f: year × phase × direction × ministry", kind: kindAggregate,
			drill: []string{mizan.DimYear, mizan.DimPhase, mizan.DimDirection, "admin.ministry"}, size: 10000},
	}
}

// rollupSet is the dashboard's common totals.
func rollupSet() []spec {
	approvedExp := []cut{{mizan.DimDirection, []string{mizan.DirectionExpenditure}}, {mizan.DimPhase, []string{mizan.PhaseApproved}}}
	return []spec{
		{id: "r1", name: "totals by year × phase × direction", kind: kindAggregate,
			drill: []string{mizan.DimYear, mizan.DimPhase, mizan.DimDirection}, size: 1000},
		{id: "r2", name: "year × ministry (expenditure, approved)", kind: kindAggregate,
			drill: []string{mizan.DimYear, "admin.ministry"}, cuts: approvedExp, size: 1000},
		{id: "r3", name: "year × function (expenditure, approved)", kind: kindAggregate,
			drill: []string{mizan.DimYear, "functional.division"}, cuts: approvedExp, size: 1000},
		{id: "r4", name: "year × economic chapter (expenditure, approved)", kind: kindAggregate,
			drill: []string{mizan.DimYear, "economic.chapter"}, cuts: approvedExp, size: 1000},
	}
}

// result is what a run returned, for checking that both sides answered the
// same question.
type result struct {
	total int64  // cells, rows or facts the request selects
	rows  int    // rows on the page
	first string // the first fact's row id (facts only)
}

// runner runs a request once.
type runner func(ctx context.Context) (result, error)

// compare warms both sides up, then runs them reps times alternately and
// returns their median times and the warm-up results.
func compare(ctx context.Context, reps int, a, b runner) (ta, tb time.Duration, ra, rb result, err error) {
	if ra, err = a(ctx); err != nil {
		return
	}
	start := time.Now()
	if rb, err = b(ctx); err != nil {
		return
	}
	if time.Since(start) > 5*time.Second {
		reps = min(reps, 3) // a slow baseline: fewer repetitions
	}
	var as, bs []time.Duration
	timed := func(r runner, into *[]time.Duration) error {
		start := time.Now()
		if _, err := r(ctx); err != nil {
			return err
		}
		*into = append(*into, time.Since(start))
		return nil
	}
	for i := 0; i < reps; i++ {
		first, second, fi, si := a, b, &as, &bs
		if i%2 == 1 {
			first, second, fi, si = b, a, &bs, &as
		}
		if err = timed(first, fi); err != nil {
			return
		}
		if err = timed(second, si); err != nil {
			return
		}
	}
	return median(as), median(bs), ra, rb, nil
}

// mizanRunner returns a runner calling the server's API for sp.
func (s *server) mizanRunner(sp spec) (runner, error) {
	t := s.t
	var cuts []*mizanv1.Cut
	for _, c := range sp.cuts {
		cuts = append(cuts, &mizanv1.Cut{Dimension: c.ref, Values: c.values})
	}
	var orders []*mizanv1.Order
	for _, o := range sp.order {
		orders = append(orders, &mizanv1.Order{Ref: o.ref, Desc: o.desc})
	}
	switch sp.kind {
	case kindAggregate:
		req := &mizanv1.AggregateRequest{Dataset: t.dataset, Aggregates: []string{"amount.sum", "amount.count"},
			Drilldown: sp.drill, Cuts: cuts, Order: orders, PageSize: int32(sp.size)}
		return func(ctx context.Context) (result, error) {
			resp, err := s.client.Aggregate(ctx, connect.NewRequest(req))
			if err != nil {
				return result{}, fmt.Errorf("%s: %w", sp.id, err)
			}
			return result{total: resp.Msg.GetTotalCellCount(), rows: len(resp.Msg.GetCells())}, nil
		}, nil
	case kindExecution:
		req := &mizanv1.ExecutionRequest{Dataset: t.dataset, Drilldown: sp.drill, Cuts: cuts, PageSize: int32(sp.size)}
		return func(ctx context.Context) (result, error) {
			resp, err := s.client.Execution(ctx, connect.NewRequest(req))
			if err != nil {
				return result{}, fmt.Errorf("%s: %w", sp.id, err)
			}
			return result{total: resp.Msg.GetTotalRowCount(), rows: len(resp.Msg.GetRows())}, nil
		}, nil
	case kindFacts:
		req := &mizanv1.FactsRequest{Dataset: t.dataset, Cuts: cuts, PageSize: int32(sp.size)}
		if sp.offset > 0 {
			tok, err := pageToken(req, sp.offset, t.version)
			if err != nil {
				return nil, err
			}
			req.PageToken = tok
		}
		return func(ctx context.Context) (result, error) {
			resp, err := s.client.Facts(ctx, connect.NewRequest(req))
			if err != nil {
				return result{}, fmt.Errorf("%s: %w", sp.id, err)
			}
			r := result{total: resp.Msg.GetTotalCount(), rows: len(resp.Msg.GetFacts())}
			if len(resp.Msg.GetFacts()) > 0 {
				r.first = fmt.Sprint(resp.Msg.GetFacts()[0].GetRow())
			}
			return r, nil
		}, nil
	}
	return nil, fmt.Errorf("unknown kind %d", sp.kind)
}

// pageToken makes the page token a client holds after paging to offset,
// following the format rpc/pagetoken.go documents: base64url of format 1,
// uvarint offset, uvarint version and the first 8 bytes of the sha256 of the
// message name, a zero byte and the request without page fields. The
// response is checked against DuckDB's, so a format change shows as an
// error, not as a wrong measurement.
func pageToken(req proto.Message, offset, version int) (string, error) {
	m := proto.Clone(req)
	r := m.ProtoReflect()
	fields := r.Descriptor().Fields()
	for _, name := range []string{"page_token", "page_size"} {
		if f := fields.ByName(protoreflect.Name(name)); f != nil {
			r.Clear(f)
		}
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(r.Descriptor().FullName()))
	h.Write([]byte{0})
	h.Write(b)
	tok := []byte{1}
	tok = binary.AppendUvarint(tok, uint64(offset))
	tok = binary.AppendUvarint(tok, uint64(version))
	tok = append(tok, h.Sum(nil)[:8]...)
	return base64.RawURLEncoding.EncodeToString(tok), nil
}

// checkSame fails when Mizan and a baseline did not select the same cells,
// rows or facts: the comparison would be meaningless.
func checkSame(sp spec, who string, m, b result) error {
	if m.total != b.total || m.rows != b.rows {
		return fmt.Errorf("query %s: mizan returned %d of %d, %s %d of %d: not the same question", sp.id, m.rows, m.total, who, b.rows, b.total)
	}
	if sp.kind == kindFacts && m.first != b.first {
		return fmt.Errorf("query %s: mizan's page starts at row %s, %s's at %s (page token format changed?)", sp.id, m.first, who, b.first)
	}
	return nil
}

// benchQueries runs every query comparison on the dataset in dataDir.
func benchQueries(ctx context.Context, cfg *config, g *generated, dataDir string, rep *report) (err error) {
	srv, err := startServer(ctx, dataDir)
	if err != nil {
		return err
	}
	defer func() { err = joinErr(err, srv.close()) }()
	t := srv.t
	if t.rows != cfg.rows {
		slog.Warn("the ingested version does not hold every generated row", "rows", t.rows, "generated", cfg.rows)
	}
	slog.Info("query target", "table", t.table, "rows", t.rows, "year", t.year, "ministry", t.ministry, "ministry_facts", t.ministryFacts)

	set := querySet(t)
	mizanTimes := map[string]time.Duration{}
	var ratios, factsRatios []float64
	var maxRatio float64
	for _, sp := range set {
		m, err := srv.mizanRunner(sp)
		if err != nil {
			return err
		}
		d, err := duckRunner(srv.db.SQL, t, sp)
		if err != nil {
			return err
		}
		tm, td, rm, rd, err := compare(ctx, cfg.reps, m, d)
		if err != nil {
			return fmt.Errorf("query %s: %w", sp.id, err)
		}
		if err := checkSame(sp, "duckdb", rm, rd); err != nil {
			return err
		}
		mizanTimes[sp.id] = tm
		ratio := tm.Seconds() / td.Seconds()
		ratios = append(ratios, ratio)
		if srv.source(sp) == "facts" {
			factsRatios = append(factsRatios, ratio)
		}
		maxRatio = max(maxRatio, ratio)
		name := fmt.Sprintf("%s [%d rows, %s]", sp.name, rm.rows, srv.source(sp))
		rep.add(secOverhead, name, tm, td, ratio)
		rep.set("duckdb_overhead_"+sp.id, fmtRatio(ratio))
		slog.Info("query", "id", sp.id, "mizan_ms", ms(tm), "duckdb_ms", ms(td), "ratio", fmtRatio(ratio))
	}
	gm := geomean(ratios)
	rep.add(secOverhead, "geomean", 0, 0, gm)
	rep.set("duckdb_overhead", fmtRatio(gm))
	rep.set("duckdb_overhead_max", fmtRatio(maxRatio))
	// Queries a rollup covers read far fewer rows than the baseline's scan;
	// the overhead of the layers themselves shows on the others.
	fg := geomean(factsRatios)
	rep.add(secOverhead, "geomean of the queries answered from the facts table", 0, 0, fg)
	rep.set("duckdb_overhead_facts", fmtRatio(fg))

	if err := benchRollups(ctx, cfg, srv, rep, "rollup_speedup"); err != nil {
		return err
	}
	if err := breakdown(ctx, cfg, srv, set, rep); err != nil {
		return err
	}
	if cfg.pg {
		if err := benchPostgres(ctx, cfg, g, srv, set, rep); err != nil {
			return err
		}
	} else {
		rep.set("postgres_speedup", "skipped")
		rep.set("postgres_min", "skipped")
	}
	if cfg.scale {
		if err := benchScale(ctx, cfg, srv, rep); err != nil {
			return err
		}
	} else {
		rep.set("scale_10x", "skipped")
	}
	return nil
}

// source says whether the engine can answer sp from a rollup table.
func (s *server) source(sp spec) string {
	var cols []string
	for _, ref := range append(append([]string{}, sp.drill...), cutRefs(sp.cuts)...) {
		col, _, err := s.t.resolve(ref)
		if err != nil {
			return "?"
		}
		cols = append(cols, col)
	}
	if sp.kind == kindExecution {
		cols = append(cols, mizan.DimPhase)
	}
	if sp.kind != kindFacts && s.t.coveredByRollup(cols) {
		return "rollup"
	}
	return "facts"
}

func cutRefs(cs []cut) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ref)
	}
	return out
}

// benchRollups compares the dashboard totals, which Mizan answers from its
// rollups, with raw scans of the facts table, and sets key to the geomean.
func benchRollups(ctx context.Context, cfg *config, srv *server, rep *report, key string) error {
	var ratios []float64
	for _, sp := range rollupSet() {
		m, err := srv.mizanRunner(sp)
		if err != nil {
			return err
		}
		d, err := duckRunner(srv.db.SQL, srv.t, sp)
		if err != nil {
			return err
		}
		tm, td, rm, rd, err := compare(ctx, cfg.reps, m, d)
		if err != nil {
			return fmt.Errorf("rollup query %s: %w", sp.id, err)
		}
		if err := checkSame(sp, "duckdb", rm, rd); err != nil {
			return err
		}
		ratio := td.Seconds() / tm.Seconds()
		ratios = append(ratios, ratio)
		rep.add(secRollup, fmt.Sprintf("%s [%s facts, %d rows, %s]", sp.name, human(srv.t.rows), rm.rows, srv.source(sp)), tm, td, ratio)
		slog.Info("rollup query", "id", sp.id, "facts", srv.t.rows, "mizan_ms", ms(tm), "duckdb_ms", ms(td), "speedup", fmtRatio(ratio))
	}
	gm := geomean(ratios)
	rep.add(secRollup, fmt.Sprintf("geomean at %s facts", human(srv.t.rows)), 0, 0, gm)
	rep.set(key, fmtRatio(gm))
	return nil
}

func joinErr(a, b error) error {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return fmt.Errorf("%w; %w", a, b)
}
