package synth

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/mizan-budget/mizan/ingest"
)

// Descriptors returns the descriptors of the budget dataset and its
// reference series, budget first.
func Descriptors(cfg Config) []*ingest.Descriptor {
	ds := []*ingest.Descriptor{Descriptor(cfg)}
	for _, s := range AllSeries {
		ds = append(ds, SeriesDescriptor(cfg, s))
	}
	return ds
}

// Bundle generates the budget and its reference series in memory: their
// descriptors (see Descriptors) and a file system holding every source
// they name, ready for ingest.Options.FS.
func Bundle(cfg Config) ([]*ingest.Descriptor, fstest.MapFS, error) {
	fsys := fstest.MapFS{}
	err := writeAll(cfg, func(name string, write func(io.Writer) error) error {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return err
		}
		fsys[name] = &fstest.MapFile{Data: buf.Bytes(), Mode: 0o644}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return Descriptors(cfg), fsys, nil
}

// WriteFiles writes the budget CSV and the series CSVs into dir and returns
// their descriptors, with dir as the directory their sources are read from.
func WriteFiles(dir string, cfg Config) ([]*ingest.Descriptor, error) {
	err := writeAll(cfg, func(name string, write func(io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", name, err)
		}
		return f.Close()
	})
	if err != nil {
		return nil, err
	}
	ds := Descriptors(cfg)
	for _, d := range ds {
		d.SetDir(dir)
	}
	return ds, nil
}

func writeAll(cfg Config, emit func(name string, write func(io.Writer) error) error) error {
	if err := emit(FileName(cfg), func(w io.Writer) error { return WriteCSV(w, cfg) }); err != nil {
		return err
	}
	for _, s := range AllSeries {
		if err := emit(SeriesFileName(cfg, s), func(w io.Writer) error { return WriteSeries(w, cfg, s) }); err != nil {
			return err
		}
	}
	return nil
}
