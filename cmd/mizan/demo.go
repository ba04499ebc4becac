package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/store"
)

// seedDemo ingests the bundled synthetic demo (a budget and its population,
// deflator and exchange-rate series, and the same state's contracts) when
// the database holds no dataset, so a fresh `mizan serve` has something to
// show. A second start finds the datasets there and does nothing.
func seedDemo(ctx context.Context, db *store.DB) error {
	existing, err := db.ListDatasets(ctx, true)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return nil
	}
	return ingestDemo(ctx, db)
}

// ingestDemo generates the demo in memory and ingests it; identical bytes
// make a second call a no-op.
func ingestDemo(ctx context.Context, db *store.DB) error {
	cfg := synth.Config{}
	descs, files, err := synth.Bundle(cfg)
	if err != nil {
		return err
	}
	for _, d := range descs {
		s, err := ingest.Ingest(ctx, db, d, ingest.Options{FS: files})
		if err != nil {
			return err
		}
		slog.InfoContext(ctx, "ingested synthetic demo dataset", "dataset", s.Dataset, "version", s.Version, "rows", s.RowsAccepted)
	}
	return ingestDemoContracts(ctx, db, cfg)
}

// ingestDemoContracts ingests the demo state's contracts. The OCDS reader
// takes files, so the package goes through a temporary file, named
// synth.DemoContractsFile in the catalog.
func ingestDemoContracts(ctx context.Context, db *store.DB, cfg synth.Config) error {
	ds, data, err := synth.DemoContracts(cfg)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "mizan-demo-")
	if err != nil {
		return fmt.Errorf("demo contracts: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, synth.DemoContractsFile)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("demo contracts: %w", err)
	}
	s, err := contracts.Ingest(ctx, db, []string{path}, contracts.Options{Dataset: ds, TempDir: dir,
		Sources: map[string]mizan.SourceFile{path: {Name: synth.DemoContractsFile}}})
	if err != nil {
		return fmt.Errorf("demo contracts: %w", err)
	}
	slog.InfoContext(ctx, "ingested synthetic demo dataset", "dataset", s.Dataset, "version", s.Version, "processes", s.Processes, "releases", s.Releases)
	return nil
}
