// Command bench measures Mizan side by side with the baselines its goals are
// stated against, and ends with one machine-readable line:
//
//	bench: ingest_vs_duckdb=0.62 ingest_manchester_vs_duckdb=... duckdb_overhead=...
//
// Every claim is a ratio against a baseline run in the same command: the
// baseline and Mizan are warmed up, then run alternately (baseline first on
// even repetitions, Mizan first on odd ones) BENCH_REPS times, and the
// medians are compared. No absolute time is a result on its own.
//
// What it measures:
//
//   - ingest: `bin/mizan ingest` of a synthetic CSV (datasets/synth,
//     codes only) and of the Manchester spending files, each a fresh
//     subprocess and data directory, against DuckDB's own
//     CREATE TABLE ... AS SELECT * FROM read_csv(...) in a plain DuckDB file
//     database, also a subprocess (this binary re-executed), so both pay
//     process start-up and the final checkpoint. Peak RSS comes from the
//     subprocess's rusage.
//   - queries: six representative requests through the generated Connect
//     client (Connect protocol, binary protobuf) over loopback HTTP to an
//     in-process rpc server, against equivalent SQL on the same DuckDB
//     database (duckdb_overhead), against babbage-style SQL on a
//     PostgreSQL 15 the harness starts itself (postgres_speedup), and the
//     dashboard's common totals against raw scans of the facts table
//     (rollup_speedup).
//   - scale: the query set's total time at 10×BENCH_ROWS over the total at
//     BENCH_ROWS, both servers open and queried alternately (scale_10x).
//
// Environment:
//
//	BENCH_ROWS         rows of the synthetic dataset (default 10000000)
//	BENCH_REPS         timed repetitions per measurement (default 5)
//	BENCH_INGEST_REPS  repetitions of the ingest measurements (default BENCH_REPS)
//	BENCH_SCALE        0 skips the 10× scale step (default 1)
//	BENCH_PG           0 skips PostgreSQL (default 1)
//	BENCH_MANCHESTER   0 skips the Manchester ingest (default 1)
//	BENCH_DIR          parent of the scratch directory (default the system temp dir)
//	BENCH_KEEP         1 keeps the scratch directory
//	BENCH_PPROF        a file: CPU profile of the in-process server during the query runs
//
// Run it from the module root: go run -tags duckdb_arrow ./bench (make bench).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
)

func main() {
	if child := os.Getenv(childEnv); child != "" {
		if err := runChild(child, os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("bench failed", "err", err)
		stop()
		os.Exit(1)
	}
}

// config is what the environment asks for.
type config struct {
	rows       int64
	reps       int
	ingestReps int
	scale      bool
	pg         bool
	manchester bool
	keep       bool
	pprof      string
	// root is the module root; bin is the mizan binary under it.
	root, bin string
	// work is the scratch directory, removed at the end unless keep.
	work string
}

func loadConfig() (*config, error) {
	c := &config{
		rows:       10_000_000,
		reps:       5,
		scale:      envBool("BENCH_SCALE", true),
		pg:         envBool("BENCH_PG", true),
		manchester: envBool("BENCH_MANCHESTER", true),
		keep:       envBool("BENCH_KEEP", false),
		pprof:      os.Getenv("BENCH_PPROF"),
	}
	var err error
	if c.rows, err = envInt("BENCH_ROWS", c.rows); err != nil {
		return nil, err
	}
	if c.rows < 1000 {
		return nil, fmt.Errorf("BENCH_ROWS=%d: at least 1000 rows", c.rows)
	}
	reps, err := envInt("BENCH_REPS", int64(c.reps))
	if err != nil {
		return nil, err
	}
	c.reps = max(1, int(reps))
	ir, err := envInt("BENCH_INGEST_REPS", int64(c.reps))
	if err != nil {
		return nil, err
	}
	c.ingestReps = max(1, int(ir))
	if c.root, err = moduleRoot(); err != nil {
		return nil, err
	}
	c.bin = filepath.Join(c.root, "bin", "mizan")
	return c, nil
}

func envInt(key string, def int64) (int64, error) {
	s := os.Getenv(key)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %w", key, s, err)
	}
	return n, nil
}

func envBool(key string, def bool) bool {
	switch os.Getenv(key) {
	case "":
		return def
	case "0", "false", "no":
		return false
	}
	return true
}

// moduleRoot finds the directory holding go.mod, from the working
// directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run from the module root")
		}
		dir = parent
	}
}

// run performs every measurement and prints the report; cleanup (the
// scratch directory, PostgreSQL) happens on every return path, including an
// interrupt, which cancels ctx.
func run(ctx context.Context) (err error) {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if cfg.work, err = os.MkdirTemp(os.Getenv("BENCH_DIR"), "mizan-bench-"); err != nil {
		return fmt.Errorf("create scratch directory: %w", err)
	}
	// PostgreSQL runs as an unprivileged user that must reach its data
	// directory below this one.
	if err := os.Chmod(cfg.work, 0o755); err != nil {
		return err
	}
	defer func() {
		if cfg.keep {
			slog.Info("keeping scratch directory", "dir", cfg.work)
			return
		}
		if rerr := os.RemoveAll(cfg.work); rerr != nil {
			err = errors.Join(err, fmt.Errorf("remove scratch directory: %w", rerr))
		}
	}()
	slog.Info("bench starting", "rows", cfg.rows, "reps", cfg.reps, "ingest_reps", cfg.ingestReps,
		"scale", cfg.scale, "postgres", cfg.pg, "work", cfg.work)

	rep := newReport(cfg)
	if err := ensureBinary(ctx, cfg); err != nil {
		return err
	}
	gen, err := generate(ctx, cfg, cfg.rows, "gen")
	if err != nil {
		return err
	}
	dataDir, err := benchIngest(ctx, cfg, gen, rep)
	if err != nil {
		return err
	}
	if cfg.manchester {
		if err := benchManchester(ctx, cfg, rep); err != nil {
			return err
		}
	} else {
		rep.set("ingest_manchester_vs_duckdb", "skipped")
	}
	if err := benchQueries(ctx, cfg, gen, dataDir, rep); err != nil {
		return err
	}
	if err := benchLoad(ctx, cfg, rep); err != nil {
		return err
	}
	if err := benchSearch(ctx, cfg, rep); err != nil {
		return err
	}
	if err := benchFlags(ctx, cfg, rep); err != nil {
		return err
	}
	rep.print(os.Stdout)
	return nil
}
