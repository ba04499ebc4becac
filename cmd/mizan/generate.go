package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/ingest"
)

func (m *Main) generate(ctx context.Context, args []string) error {
	fs := m.flagSet("generate")
	rows := fs.Int64("rows", 60_000, "number of fact rows")
	seed := fs.Uint64("seed", 1, "random seed; the same seed and rows give the same bytes")
	out := fs.String("out", "", "output directory (required)")
	id := fs.String("id", "", "dataset id (default: demo-budget)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(m.Stderr, "usage: mizan generate --out DIR [--rows N] [--seed S]")
		return errUsage
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	cfg := synth.Config{Rows: *rows, Seed: *seed, ID: *id}
	d := synth.Descriptor(cfg)
	csvPath := filepath.Join(*out, d.Sources[0].Name)
	f, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := synth.WriteCSV(bw, cfg); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", csvPath, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	y, err := ingest.MarshalDescriptor(d)
	if err != nil {
		return err
	}
	descPath := filepath.Join(*out, d.ID+".yaml")
	if err := os.WriteFile(descPath, y, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote %s (%d rows) and %s\n", csvPath, *rows, descPath)
	return ctx.Err()
}
