package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// bytesPerRow is the disk one row needs while the scale step runs: the
// codes-only CSV (~84 bytes) and the DuckDB file (~35 bytes), with room for
// DuckDB's temporary files.
const bytesPerRow = 84 + 35 + 40

// diskReserve is the free space the scale step leaves for everyone else.
const diskReserve = 10 << 30

// benchScale measures the query set at 10× the rows (or the largest
// multiple that fits on disk) against BENCH_ROWS, both servers open and
// queried alternately.
func benchScale(ctx context.Context, cfg *config, small *server, rep *report) (err error) {
	factor := int64(10)
	var st syscall.Statfs_t
	if err := syscall.Statfs(cfg.work, &st); err != nil {
		return fmt.Errorf("free disk space: %w", err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	for factor >= 2 && cfg.rows*factor*bytesPerRow > free-diskReserve {
		factor--
	}
	if factor < 10 {
		fmt.Fprintf(os.Stderr, "bench: %d×%d rows need about %d GiB of disk and %d GiB are free: measuring at %d× instead\n",
			10, cfg.rows, cfg.rows*10*bytesPerRow>>30, free>>30, factor)
	}
	if factor < 2 {
		rep.set("scale_10x", "n/a")
		return nil
	}
	rows := cfg.rows * factor
	g, err := generate(ctx, cfg, rows, "gen-scale")
	if err != nil {
		return err
	}
	data := filepath.Join(cfg.work, "scale-data")
	slog.Info("scale: ingesting", "rows", rows)
	r, err := runProc(ctx, data+".log", nil, cfg.bin, "ingest", "--data", data, "--from", g.dir, g.yaml)
	if err != nil {
		return fmt.Errorf("scale ingest: %w", err)
	}
	slog.Info("scale: ingested", "rows", rows, "seconds", r.wall.Seconds(), "rss_mb", r.rssKiB>>10)
	if err := os.RemoveAll(g.dir); err != nil { // free the CSV's space
		return err
	}
	big, err := startServer(ctx, data)
	if err != nil {
		return err
	}
	defer func() { err = joinErr(err, big.close()) }()

	smallSet, bigSet := querySet(small.t), querySet(big.t)
	var totalSmall, totalBig time.Duration
	for i := range smallSet {
		s, err := small.mizanRunner(smallSet[i])
		if err != nil {
			return err
		}
		b, err := big.mizanRunner(bigSet[i])
		if err != nil {
			return err
		}
		tb, ts, _, _, err := compare(ctx, cfg.reps, b, s)
		if err != nil {
			return fmt.Errorf("scale query %s: %w", smallSet[i].id, err)
		}
		totalSmall += ts
		totalBig += tb
		rep.add(secScale, fmt.Sprintf("%s (%s vs %s rows)", bigSet[i].name, human(rows), human(cfg.rows)), tb, ts, tb.Seconds()/ts.Seconds())
		slog.Info("scale query", "id", bigSet[i].id, "big_ms", ms(tb), "small_ms", ms(ts))
	}
	ratio := totalBig.Seconds() / totalSmall.Seconds()
	rep.add(secScale, fmt.Sprintf("query set total (%d×)", factor), totalBig, totalSmall, ratio)
	rep.set("scale_10x", fmtRatio(ratio))
	if factor != 10 {
		rep.set("scale_factor", fmt.Sprint(factor))
	}
	// The rollups' goal is stated at the larger size (100M rows).
	return benchRollups(ctx, cfg, big, rep, "rollup_speedup_10x")
}
