package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/ingest"
)

func (m *Main) generate(ctx context.Context, args []string) error {
	fs := m.flagSet("generate")
	rows := fs.Int64("rows", 60_000, "number of budget fact rows")
	seed := fs.Uint64("seed", 0, "random seed (0: the demo's); the same seed and rows give the same bytes")
	out := fs.String("out", "", "output directory (required)")
	id := fs.String("id", "", "dataset id (default: demo-budget)")
	codesOnly := fs.Bool("codes-only", false, "write member codes only (labels go into the descriptor): about 10× smaller files, for large benchmarks")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(m.Stderr, "usage: mizan generate --out DIR [--rows N] [--seed S] [--codes-only]")
		return errUsage
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	cfg := synth.Config{Rows: *rows, Seed: *seed, ID: *id, CodesOnly: *codesOnly}
	descs, err := synth.WriteFiles(*out, cfg)
	if err != nil {
		return err
	}
	for _, d := range descs {
		y, err := ingest.MarshalDescriptor(d)
		if err != nil {
			return err
		}
		path := filepath.Join(*out, d.ID+".yaml")
		if err := os.WriteFile(path, y, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "wrote %s\n", path)
	}
	return ctx.Err()
}
