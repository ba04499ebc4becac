package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/flags"
	"github.com/mizan-budget/mizan/store"
)

// secFlags is the red-flags section of the report.
const secFlags = "Red flags: every flag (flags.Compute, default parameters) over generated contracts in a file database; \"mizan ms\" is the median computation, \"baseline ms\" the generation of the contracts; ratio = compute / 10 s, lower is better (goal ≤ 1 at 1M contracts)"

func init() {
	sectionOrder = append(sectionOrder, secFlags)
	// BENCH_ONLY=flags measures this part alone:
	//
	//	BENCH_ONLY=flags go run -tags duckdb_arrow ./bench
	if os.Getenv("BENCH_ONLY") == "flags" {
		os.Exit(runFlagsOnly())
	}
}

// flagsContracts is the number of generated contracts: 1M at the default
// BENCH_ROWS (10M), scaled down with it.
func flagsContracts(cfg *config) int64 { return max(1000, cfg.rows/10) }

// benchFlags generates contracts into a temporary store and times every red
// flag over them (flags_1m_s, in seconds; flags_contracts says how many
// contracts when BENCH_ROWS scales them down).
func benchFlags(ctx context.Context, cfg *config, rep *report) error {
	n := flagsContracts(cfg)
	dir := filepath.Join(cfg.work, "flags")
	db, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		return err
	}
	defer func() {
		db.Close()
		os.RemoveAll(dir)
	}()
	start := time.Now()
	sum, err := synth.WriteContracts(ctx, db, synth.ContractsConfig{Processes: n})
	if err != nil {
		return fmt.Errorf("generate contracts: %w", err)
	}
	gen := time.Since(start)
	slog.Info("generated contracts", "processes", n, "took", gen.Round(time.Millisecond))
	ds, v, err := db.ResolveVersion(ctx, sum.Dataset, sum.Version, true)
	if err != nil {
		return err
	}
	reps := max(1, min(cfg.reps, 3))
	var times []time.Duration
	var nflags int
	counts := map[string]int{}
	for i := range reps {
		st := time.Now()
		fs, err := flags.Compute(ctx, db.SQL, ds, v, flags.DefaultParams())
		if err != nil {
			return fmt.Errorf("compute flags: %w", err)
		}
		times = append(times, time.Since(st))
		slog.Info("computed red flags", "rep", i+1, "flags", len(fs), "took", times[i].Round(time.Millisecond))
		nflags = len(fs)
		clear(counts)
		for _, f := range fs {
			counts[f.Code]++
		}
	}
	med := median(times)
	rep.add(secFlags, fmt.Sprintf("all flags over %s contracts (%d flags)", human(n), nflags), med, gen, med.Seconds()/10)
	rep.set("flags_1m_s", fmt.Sprintf("%.2f", med.Seconds()))
	rep.set("flags_contracts", fmt.Sprint(n))
	rep.note("red flags over %s generated contracts: median %.2f s of %d runs (generation %.1f s); per code: %v", human(n), med.Seconds(), reps, gen.Seconds(), counts)
	return nil
}

// runFlagsOnly runs benchFlags alone and prints its report.
func runFlagsOnly() int {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := loadConfig()
	if err == nil {
		cfg.work, err = os.MkdirTemp(os.Getenv("BENCH_DIR"), "mizan-bench-flags-")
	}
	if err != nil {
		slog.Error("bench failed", "err", err)
		return 1
	}
	defer os.RemoveAll(cfg.work)
	rep := newReport(cfg)
	if err := benchFlags(ctx, cfg, rep); err != nil {
		slog.Error("bench failed", "err", err)
		return 1
	}
	rep.print(os.Stdout)
	return 0
}
