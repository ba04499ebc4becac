package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/ingest"
)

// childEnv selects a child mode when this binary re-executes itself.
const childEnv = "MIZAN_BENCH_CHILD"

// childDuckDBLoad is the child mode running one SQL statement in a plain
// DuckDB file database: the ingest baseline.
const childDuckDBLoad = "duckdb-load"

// manchesterDir holds the Manchester spending files (clean/*.csv).
const manchesterDir = "/work/shared/datasets/uk-manchester-spending-500"

// generated is a synthetic dataset written to disk.
type generated struct {
	cfg  synth.Config
	dir  string
	csv  string // the budget CSV
	yaml string // its descriptor
	desc *ingest.Descriptor
}

// ensureBinary builds bin/mizan when it is missing, then copies it into
// the scratch directory and uses the copy: the checkout is shared, and a
// rebuild during the run must not change the binary under test.
func ensureBinary(ctx context.Context, cfg *config) error {
	if _, err := os.Stat(cfg.bin); err != nil {
		slog.Info("building mizan binary", "path", cfg.bin)
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", "duckdb_arrow", "-o", cfg.bin, "./cmd/mizan")
		cmd.Dir = cfg.root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s: %w", cfg.bin, err)
		}
	}
	b, err := os.ReadFile(cfg.bin)
	if err != nil {
		return err
	}
	pinned := filepath.Join(cfg.work, "mizan")
	if err := os.WriteFile(pinned, b, 0o755); err != nil {
		return fmt.Errorf("copy %s: %w", cfg.bin, err)
	}
	st, _ := os.Stat(cfg.bin)
	slog.Info("using mizan binary", "built", st.ModTime().Format(time.RFC3339), "copy", pinned)
	cfg.bin = pinned
	return nil
}

// generate writes the synthetic budget of rows rows (codes only) and its
// descriptor into a new directory name under the scratch directory.
func generate(ctx context.Context, cfg *config, rows int64, name string) (*generated, error) {
	dir := filepath.Join(cfg.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	start := time.Now()
	sc := synth.Config{Rows: rows, CodesOnly: true}
	if _, err := synth.WriteFiles(dir, sc); err != nil {
		return nil, fmt.Errorf("generate %d rows: %w", rows, err)
	}
	d := synth.Descriptor(sc)
	y, err := ingest.MarshalDescriptor(d)
	if err != nil {
		return nil, fmt.Errorf("marshal descriptor: %w", err)
	}
	g := &generated{cfg: sc, dir: dir, csv: filepath.Join(dir, synth.FileName(sc)), yaml: filepath.Join(dir, d.ID+".yaml"), desc: d}
	if err := os.WriteFile(g.yaml, y, 0o644); err != nil {
		return nil, err
	}
	st, err := os.Stat(g.csv)
	if err != nil {
		return nil, err
	}
	slog.Info("generated synthetic budget", "rows", rows, "csv_mb", st.Size()>>20, "elapsed", time.Since(start).Round(time.Millisecond))
	return g, ctx.Err()
}

// procResult is what one subprocess cost.
type procResult struct {
	wall   time.Duration
	rssKiB int64 // peak resident set size
}

// runProc runs a command to completion, its output to logPath, and
// returns its wall time and peak RSS.
func runProc(ctx context.Context, logPath string, env []string, name string, args ...string) (procResult, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return procResult{}, err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return procResult{}, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, tail(logPath, 2000))
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	return procResult{wall: wall, rssKiB: rss}, nil
}

// tail returns the last n bytes of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(bytes.TrimSpace(b))
}

// ingestCase is one ingest comparison: Mizan's command against DuckDB's
// read_csv of the same files.
type ingestCase struct {
	name  string
	mizan func(dataDir string) []string // bin/mizan arguments
	load  string                        // DuckDB statement
	// keepLast keeps the data directory of the last Mizan run (for the
	// query benchmarks) and returns it.
	keepLast bool
}

// ingestResult is what an ingest comparison measured: median wall times,
// the median time Mizan's ingest.Ingest itself reported (the rest of its
// wall time is process start, store.Open and the checkpoint on Close), the
// largest peak RSS of each side, and the kept Mizan data directory.
type ingestResult struct {
	mizan, duck, inside time.Duration
	rssMiB, duckRSSMiB  int64
	kept                string
}

// durationPattern finds the ingest summary's duration in `mizan ingest
// --json` output.
var durationPattern = regexp.MustCompile(`"duration_ns":\s*(\d+)`)

// measureIngest runs an ingest case: one warm-up each, then reps
// alternating runs (baseline first on even repetitions).
func measureIngest(ctx context.Context, cfg *config, c ingestCase) (*ingestResult, error) {
	dir := filepath.Join(cfg.work, "ingest-"+c.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	n := 0
	runMizan := func() (procResult, time.Duration, string, error) {
		n++
		data := filepath.Join(dir, fmt.Sprintf("mizan-%d", n))
		args := c.mizan(data) // "ingest", flags..., descriptor
		args = append([]string{args[0], "--json"}, args[1:]...)
		r, err := runProc(ctx, data+".log", nil, cfg.bin, args...)
		if err != nil {
			return r, 0, data, err
		}
		var inside time.Duration
		if m := durationPattern.FindStringSubmatch(tail(data+".log", 1<<20)); m != nil {
			ns, _ := strconv.ParseInt(m[1], 10, 64)
			inside = time.Duration(ns)
		}
		return r, inside, data, nil
	}
	runDuck := func() (procResult, error) {
		n++
		path := filepath.Join(dir, fmt.Sprintf("duck-%d.duckdb", n))
		r, err := runProc(ctx, path+".log", []string{childEnv + "=" + childDuckDBLoad}, self, path, c.load)
		os.Remove(path)
		os.Remove(path + ".wal")
		return r, err
	}
	// Warm up: page cache, binary, DuckDB extensions.
	slog.Info("ingest warm-up", "case", c.name)
	if _, err := runDuck(); err != nil {
		return nil, err
	}
	_, _, data, err := runMizan()
	if err != nil {
		return nil, err
	}
	os.RemoveAll(data)

	res := &ingestResult{}
	var ms, ins, ds []time.Duration
	for i := 0; i < cfg.ingestReps; i++ {
		last := i == cfg.ingestReps-1
		order := []bool{false, true} // duckdb, mizan
		if i%2 == 1 {
			order = []bool{true, false}
		}
		for _, isMizan := range order {
			if isMizan {
				r, inside, data, err := runMizan()
				if err != nil {
					return nil, err
				}
				ms = append(ms, r.wall)
				ins = append(ins, inside)
				res.rssMiB = max(res.rssMiB, r.rssKiB>>10)
				if last && c.keepLast {
					res.kept = data
				} else {
					os.RemoveAll(data)
				}
				slog.Info("ingest", "case", c.name, "who", "mizan", "rep", i+1, "seconds", r.wall.Seconds(),
					"ingest_seconds", inside.Seconds(), "rss_mb", r.rssKiB>>10)
				continue
			}
			r, err := runDuck()
			if err != nil {
				return nil, err
			}
			ds = append(ds, r.wall)
			res.duckRSSMiB = max(res.duckRSSMiB, r.rssKiB>>10)
			slog.Info("ingest", "case", c.name, "who", "duckdb", "rep", i+1, "seconds", r.wall.Seconds(), "rss_mb", r.rssKiB>>10)
		}
	}
	res.mizan, res.inside, res.duck = median(ms), median(ins), median(ds)
	return res, nil
}

// benchIngest compares the ingest of the generated CSV and returns the data
// directory of the last Mizan run, which the query benchmarks reuse.
func benchIngest(ctx context.Context, cfg *config, g *generated, rep *report) (string, error) {
	c := ingestCase{
		name: "synthetic",
		mizan: func(data string) []string {
			return []string{"ingest", "--data", data, "--from", g.dir, g.yaml}
		},
		load:     fmt.Sprintf("CREATE TABLE t AS SELECT * FROM read_csv(%s)", sqlString(g.csv)),
		keepLast: true,
	}
	r, err := measureIngest(ctx, cfg, c)
	if err != nil {
		return "", fmt.Errorf("ingest benchmark: %w", err)
	}
	ratio := r.duck.Seconds() / r.mizan.Seconds()
	rep.add(secIngest, fmt.Sprintf("synthetic CSV, %s rows", human(cfg.rows)), r.mizan, r.duck, ratio)
	rep.add(secIngest, fmt.Sprintf("peak RSS MiB (mizan vs duckdb), %s rows", human(cfg.rows)), 0, 0,
		float64(r.duckRSSMiB)/float64(max(r.rssMiB, 1)), fmt.Sprint(r.rssMiB), fmt.Sprint(r.duckRSSMiB))
	rep.note("ingest, synthetic %s rows: of Mizan's median %.1f s wall time, ingest.Ingest reported %.1f s; "+
		"the rest is process start, store.Open and the checkpoint in Close.", human(cfg.rows), r.mizan.Seconds(), r.inside.Seconds())
	rep.set("ingest_vs_duckdb", fmtRatio(ratio))
	rep.set("ingest_peak_rss_mb", fmt.Sprint(r.rssMiB))
	return r.kept, nil
}

// benchManchester compares the ingest of the 138 Manchester spending files.
func benchManchester(ctx context.Context, cfg *config, rep *report) error {
	desc := filepath.Join(cfg.root, "datasets", "manchester-spending.yaml")
	if _, err := os.Stat(filepath.Join(manchesterDir, "clean")); err != nil {
		slog.Warn("Manchester files missing; skipping", "dir", manchesterDir, "err", err)
		rep.set("ingest_manchester_vs_duckdb", "n/a")
		return nil
	}
	c := ingestCase{
		name: "manchester",
		mizan: func(data string) []string {
			return []string{"ingest", "--data", data, "--from", manchesterDir, desc}
		},
		// DuckDB's sniffer gives up on these files (9,392 rows end with a
		// trailing comma): the dialect is given, and strict_mode=false with
		// null_padding accepts the ragged rows. It reads 474,668 rows of
		// the 474,674 Mizan reads.
		load: fmt.Sprintf("CREATE TABLE t AS SELECT * FROM read_csv(%s, union_by_name = true, delim = ',', quote = '\"', header = true, strict_mode = false, null_padding = true)",
			sqlString(filepath.Join(manchesterDir, "clean", "*.csv"))),
	}
	r, err := measureIngest(ctx, cfg, c)
	if err != nil {
		return fmt.Errorf("Manchester ingest benchmark: %w", err)
	}
	ratio := r.duck.Seconds() / r.mizan.Seconds()
	rep.add(secIngest, "Manchester spending, 138 files", r.mizan, r.duck, ratio)
	rep.note("ingest, Manchester: of Mizan's median %.1f s wall time, ingest.Ingest reported %.1f s.", r.mizan.Seconds(), r.inside.Seconds())
	rep.set("ingest_manchester_vs_duckdb", fmtRatio(ratio))
	return nil
}

// runChild is this binary's child mode.
func runChild(mode string, args []string) error {
	switch mode {
	case childDuckDBLoad:
		if len(args) != 2 {
			return errors.New("usage: DBPATH STATEMENT")
		}
		db, err := sql.Open("duckdb", args[0])
		if err != nil {
			return err
		}
		if _, err := db.Exec(args[1]); err != nil {
			db.Close()
			return fmt.Errorf("load: %w", err)
		}
		return db.Close()
	}
	return fmt.Errorf("unknown child mode %q", mode)
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
