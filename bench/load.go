package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mizan-budget/mizan/loadtest"
)

// sharedDatasets is where the real public data lives on the project's
// machines and in CI.
const sharedDatasets = "/work/shared/datasets"

// benchLoad runs the load test (package loadtest) against `mizan serve` on
// the data directory the synthetic ingest benchmark kept (BENCH_ROWS rows),
// with Manchester's payments and the Canadian contracts added when the
// shared data is there, and sets load_errors, load_p99_ms and load_rss_mb.
//
// Environment:
//
//	BENCH_LOAD                0 skips it
//	BENCH_LOAD_SECONDS        how long clients send requests (default 60)
//	BENCH_LOAD_CLIENTS        concurrent clients (default 64)
//	BENCH_LOAD_MEMORY_LIMIT   the server's --memory-limit (default loadtest.DefaultMemoryLimit)
//	BENCH_LOAD_REAL           0 leaves the real datasets out
func benchLoad(ctx context.Context, cfg *config, rep *report) error {
	if !envBool("BENCH_LOAD", true) {
		for _, k := range []string{"load_errors", "load_p99_ms", "load_rss_mb"} {
			rep.set(k, "skipped")
		}
		return nil
	}
	seconds, err := envInt("BENCH_LOAD_SECONDS", 60)
	if err != nil {
		return err
	}
	clients, err := envInt("BENCH_LOAD_CLIENTS", 64)
	if err != nil {
		return err
	}
	limit := os.Getenv("BENCH_LOAD_MEMORY_LIMIT")
	if limit == "" {
		limit = loadtest.DefaultMemoryLimit
	}
	limitBytes, err := loadtest.ParseBytes(limit)
	if err != nil {
		return fmt.Errorf("BENCH_LOAD_MEMORY_LIMIT: %w", err)
	}
	data, err := keptIngestDir(cfg)
	if err != nil {
		return err
	}
	if envBool("BENCH_LOAD_REAL", true) && dirExists(sharedDatasets) {
		_, err := loadtest.PrepareData(ctx, loadtest.DataOptions{Bin: cfg.bin, Root: cfg.root, Dir: data,
			Shared: sharedDatasets, Contracts: true,
			Logf: func(format string, args ...any) { slog.Info("load data: " + fmt.Sprintf(format, args...)) }})
		if err != nil {
			return fmt.Errorf("load data: %w", err)
		}
	}
	logf, err := os.Create(filepath.Join(cfg.work, "load-serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	slog.Info("load test", "clients", clients, "seconds", seconds, "memory_limit", limit, "data", data)
	res, err := loadtest.Measure(ctx,
		loadtest.ServerOptions{Bin: cfg.bin, DataDir: data, MemoryLimit: limit, Args: loadtest.ProxyArgs, Log: logf},
		loadtest.Options{Clients: int(clients), Duration: time.Duration(seconds) * time.Second, ForwardedFor: true})
	if err != nil {
		return fmt.Errorf("load test: %w", err)
	}
	fmt.Println()
	res.WriteReport(os.Stdout)
	peak := res.PeakMemory()
	rep.set("load_errors", fmt.Sprint(res.Errors()))
	rep.set("load_p99_ms", fmt.Sprintf("%.0f", float64(res.Overall.P99)/float64(time.Millisecond)))
	rep.set("load_rss_mb", fmt.Sprint(loadtest.MiB(peak)))
	rep.note("load: %d clients for %d s on %s; p99 of the answered requests; "+
		"%d of %d requests refused with ResourceExhausted (intended, not errors); peak RSS %d MiB against --memory-limit %s + %d MiB margin",
		clients, seconds, strings.Join(res.Datasets, ", "), res.Overall.Exhausted, res.Overall.Requests, loadtest.MiB(peak), limit, loadtest.MiB(loadtest.MemoryMargin))
	if peak > limitBytes+loadtest.MemoryMargin {
		rep.note("load: peak RSS above the memory limit plus the margin")
	}
	return nil
}

// keptIngestDir is the data directory benchIngest kept: the only Mizan
// data directory left under the synthetic ingest's scratch directory.
func keptIngestDir(cfg *config) (string, error) {
	dirs, err := filepath.Glob(filepath.Join(cfg.work, "ingest-synthetic", "mizan-*"))
	if err != nil {
		return "", err
	}
	dirs = slices.DeleteFunc(dirs, func(d string) bool { return !dirExists(d) })
	if len(dirs) != 1 {
		return "", errors.New("load test: cannot find the data directory the synthetic ingest kept")
	}
	return dirs[0], nil
}

func dirExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
