package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/ocds"
	"github.com/mizan-budget/mizan/store"
)

// isOCDSIngest reports whether `mizan ingest --dataset ID PATH...` names
// OCDS inputs: directories, or .json, .jsonl, .ndjson (optionally .gz) and
// .zip files, none of them a descriptor (YAML) or a Fiscal Data Package
// (datapackage.json).
func isOCDSIngest(dataset string, paths []string) bool {
	if dataset == "" || len(paths) == 0 {
		return false
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			continue
		}
		if !ocds.IsInput(p) || strings.EqualFold(filepath.Base(p), "datapackage.json") {
			return false
		}
	}
	return true
}

// ingestContracts stores OCDS files and folders as a version of a
// contracts dataset.
func (m *Main) ingestContracts(ctx context.Context, db *store.DB, dataset string, paths []string, asJSON, force, draft bool) error {
	opts := contracts.Options{Dataset: mizan.Dataset{ID: dataset, Title: mizan.Text{"en": dataset}}, Force: force}
	if draft {
		opts.Status = mizan.StatusDraft
	}
	s, err := contracts.Ingest(ctx, db, paths, opts)
	if err != nil {
		return fmt.Errorf("ingest %s: %w", dataset, err)
	}
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	printContractsSummary(m.Stdout, s)
	return nil
}

// ingestContractsDescriptor ingests a descriptor of kind contracts: its
// sources are OCDS files, located or downloaded and checked against their
// sha256 like any descriptor's, then read by the contracts ingest.
func ingestContractsDescriptor(ctx context.Context, db *store.DB, d *ingest.Descriptor, opts ingest.Options, force bool) (*contracts.Summary, error) {
	files, cleanup, err := ingest.Fetch(ctx, d, opts)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	paths := make([]string, len(files))
	sources := map[string]mizan.SourceFile{}
	for i, f := range files {
		paths[i] = f.Path
		sources[f.Path] = mizan.SourceFile{Name: f.Name, URL: f.URL}
	}
	return contracts.Ingest(ctx, db, paths, contracts.Options{Dataset: d.DatasetMeta(), Status: opts.Status, Force: force, Sources: sources})
}

func printContractsSummary(w io.Writer, s *contracts.Summary) {
	if s.NoOp {
		fmt.Fprintf(w, "%s: unchanged; version %d already holds these exact files\n", s.Dataset, s.Version)
		return
	}
	fmt.Fprintf(w, "%s: version %d: %d files, %d releases, %d processes, %d awards, %d contracts, %d parties (%d entities), %d problems (%s)\n",
		s.Dataset, s.Version, len(s.Files), s.Releases, s.Processes, s.Awards, s.Contracts, s.Parties, s.Entities, s.Problems, s.Duration.Round(time.Millisecond))
	for _, t := range s.Totals {
		fmt.Fprintf(w, "  %-8s %s %s (%d)\n", t.Measure, t.Amount, t.Currency, t.Count)
	}
	for _, p := range s.ProblemSamples {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	if s.Problems > len(s.ProblemSamples) {
		fmt.Fprintf(w, "  ... %d problems in all (table contract_problems)\n", s.Problems)
	}
}
