// Command mizan ingests government budget, spending and contract files into
// an embedded DuckDB database and serves them over Connect-RPC with a
// bilingual dashboard.
//
//	mizan serve                 run the API and dashboard (ingests the synthetic demo on an empty data dir)
//	mizan ingest FILE...        ingest descriptors or Fiscal Data Packages
//	mizan datasets              list datasets, versions, row counts and sources
//	mizan generate --rows N     write a synthetic dataset (CSV + descriptor) for benchmarks
//	mizan version               print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr)
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		switch {
		case ctx.Err() != nil:
			// SIGTERM or SIGINT: the command's transaction was rolled back
			// (ingest, restore) or its temporary files removed (backup).
			fmt.Fprintln(os.Stderr, "mizan: interrupted; the work in progress was rolled back and nothing of it was stored:", err)
		case !errors.Is(err, errUsage):
			fmt.Fprintln(os.Stderr, "mizan:", err)
		}
		os.Exit(exitCode(err))
	}
}
