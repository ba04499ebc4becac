package main

import (
	"context"
	"log/slog"

	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/store"
)

// seedDemo ingests the bundled synthetic demo (a budget and its population,
// deflator and exchange-rate series) when the database holds no dataset, so
// a fresh `mizan serve` has something to show. A second start finds the
// datasets there and does nothing.
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
	descs, files, err := synth.Bundle(synth.Config{})
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
	return nil
}
