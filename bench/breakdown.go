package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mizan-budget/mizan"
)

// breakdownRuns is how many calls the breakdown averages.
const breakdownRuns = 5

// breakdown shows where a request's time goes: the RPC round trip, the
// query service called directly (no HTTP, no protobuf), and each engine
// operation inside it. With BENCH_PPROF it also writes a CPU profile of the
// in-process server answering the query set.
func breakdown(ctx context.Context, cfg *config, srv *server, set []spec, rep *report) error {
	var prof *os.File
	if cfg.pprof != "" {
		f, err := os.Create(cfg.pprof)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		prof = f
		defer func() {
			pprof.StopCPUProfile()
			prof.Close()
			slog.Info("wrote CPU profile", "file", cfg.pprof)
		}()
	}
	rep.note("Where the time goes, mean of %d calls: rpc = the whole round trip through the Connect client; "+
		"service = query.Service called in process (no HTTP, no protobuf); engine = the engine operations of the rpc calls "+
		"(DuckDB through its Arrow interface, from the call until the records are released) and their number per request.", breakdownRuns)
	for _, sp := range set {
		m, err := srv.mizanRunner(sp)
		if err != nil {
			return err
		}
		svc := srv.serviceRunner(sp)
		var rpcT, svcT []time.Duration
		srv.eng.reset()
		for i := 0; i < breakdownRuns; i++ {
			start := time.Now()
			if _, err := m(ctx); err != nil {
				return err
			}
			rpcT = append(rpcT, time.Since(start))
		}
		ops, n := srv.eng.reset()
		for i := 0; i < breakdownRuns; i++ {
			start := time.Now()
			if err := svc(ctx); err != nil {
				return err
			}
			svcT = append(svcT, time.Since(start))
		}
		srv.eng.reset()
		var parts []string
		var engine time.Duration
		for _, op := range []string{"count", "aggregate", "summary", "rest", "execution", "count_facts", "facts", "labels"} {
			if n[op] == 0 {
				continue
			}
			engine += ops[op]
			parts = append(parts, fmt.Sprintf("%s %s ms (×%d)", op, ms(ops[op]/breakdownRuns), n[op]/breakdownRuns))
		}
		rep.note("%s: rpc %s ms, service %s ms, engine %s ms = %s", sp.id, ms(mean(rpcT)), ms(mean(svcT)),
			ms(engine/breakdownRuns), strings.Join(parts, ", "))
	}
	return nil
}

// serviceRunner calls the query service directly with sp, bypassing HTTP
// and protobuf.
func (s *server) serviceRunner(sp spec) func(ctx context.Context) error {
	var cuts []mizan.Cut
	for _, c := range sp.cuts {
		cuts = append(cuts, mizan.Cut{Ref: c.ref, Values: c.values})
	}
	var orders []mizan.Order
	for _, o := range sp.order {
		orders = append(orders, mizan.Order{Ref: o.ref, Desc: o.desc})
	}
	t := s.t
	return func(ctx context.Context) error {
		var err error
		switch sp.kind {
		case kindAggregate:
			_, err = s.svc.Aggregate(ctx, mizan.AggregateQuery{Dataset: t.dataset, Aggregates: []string{"amount.sum", "amount.count"},
				Drilldown: sp.drill, Cuts: cuts, Order: orders, PageSize: sp.size})
		case kindExecution:
			_, err = s.svc.Execution(ctx, mizan.ExecutionQuery{Dataset: t.dataset, Drilldown: sp.drill, Cuts: cuts, PageSize: sp.size})
		case kindFacts:
			_, err = s.svc.Facts(ctx, mizan.FactsQuery{Dataset: t.dataset, Cuts: cuts, PageSize: sp.size, Offset: sp.offset})
		}
		return err
	}
}
