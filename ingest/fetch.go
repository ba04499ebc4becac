package ingest

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/mizan-budget/mizan"
)

// LocalSource is a source file of a descriptor on local disk, its declared
// sha256 verified.
type LocalSource struct {
	// Name is the source's name in the catalog (its relative path, or the
	// file name of its URL).
	Name string
	// Path is where the bytes are on local disk.
	Path   string
	URL    string
	SHA256 string
	Bytes  int64
}

// Fetch locates the sources of a descriptor whose files another reader
// parses (kind contracts: OCDS files) the way Ingest does: in opts.FS,
// opts.From, beside the descriptor, or at their URL (downloaded to a
// temporary file), verifying every declared sha256. cleanup removes the
// temporary files; call it when the files have been read.
func Fetch(ctx context.Context, d *Descriptor, opts Options) (files []LocalSource, cleanup func(), err error) {
	if err := d.Validate(); err != nil {
		return nil, func() {}, err
	}
	loc := &locator{d: d, opts: &opts, maxBytes: DefaultMaxBytes}
	defer func() {
		if err != nil {
			loc.cleanup()
		}
	}()
	for _, s0 := range d.Sources {
		s := mergeSource(d.Defaults, s0)
		names, err := loc.expand(s)
		if err != nil {
			return nil, func() {}, err
		}
		for _, name := range names {
			rf, err := loc.locate(ctx, s, name)
			if err != nil {
				return nil, func() {}, err
			}
			if rf.path == "" { // embedded: copy it out for readers that take paths
				if rf.path, err = loc.copyOut(rf); err != nil {
					return nil, func() {}, err
				}
			}
			files = append(files, LocalSource{Name: rf.name, Path: rf.path, URL: rf.url, SHA256: rf.sha256, Bytes: rf.size})
		}
	}
	if len(files) == 0 {
		return nil, func() {}, mizan.FieldErrorf("sources", "%s lists no source file", d.ID)
	}
	return files, loc.cleanup, nil
}

// copyOut writes a source's bytes to a temporary file that cleanup removes.
func (l *locator) copyOut(rf *rawFile) (string, error) {
	r, err := rf.open()
	if err != nil {
		return "", fmt.Errorf("open source %s: %w", rf.name, err)
	}
	defer r.Close()
	f, err := os.CreateTemp("", "mizan-source-*")
	if err != nil {
		return "", fmt.Errorf("copy source %s: %w", rf.name, err)
	}
	l.temps = append(l.temps, f.Name())
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return "", fmt.Errorf("copy source %s: %w", rf.name, err)
	}
	return f.Name(), f.Close()
}
