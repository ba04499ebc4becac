package ocds

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Compiler groups releases by ocid across any number of files and compiles
// each group. Releases are written to a temporary file as they are added;
// memory holds only an index (ocid, offset, length, source) per release.
type Compiler struct {
	f     *os.File
	w     *bufio.Writer
	off   int64
	index map[string][]entry
	order []string
	files map[string]string // interned file names
	// Resolver sees every organisation of every release added.
	Resolver *Resolver
	releases int
}

type entry struct {
	off  int64
	n    int32
	kind string
	src  Source
	seq  int
}

// NewCompiler returns a Compiler spilling to a temporary file in dir ("" for
// the system's temporary directory). Close removes it.
func NewCompiler(dir string) (*Compiler, error) {
	f, err := os.CreateTemp(dir, "mizan-ocds-*.spill")
	if err != nil {
		return nil, fmt.Errorf("create spill file: %w", err)
	}
	return &Compiler{f: f, w: bufio.NewWriterSize(f, 256<<10), index: map[string][]entry{}, files: map[string]string{}, Resolver: NewResolver()}, nil
}

// Close removes the spill file.
func (c *Compiler) Close() error {
	if c.f == nil {
		return nil
	}
	err := c.f.Close()
	os.Remove(c.f.Name())
	c.f = nil
	return err
}

// Add stores a release for compilation.
func (c *Compiler) Add(r *Release) error {
	c.Resolver.ObserveRelease(r.Data)
	b, err := json.Marshal(r.Data)
	if err != nil {
		return fmt.Errorf("spill release: %w", err)
	}
	if _, err := c.w.Write(b); err != nil {
		return fmt.Errorf("spill release: %w", err)
	}
	src := r.Src
	if s, ok := c.files[src.File]; ok {
		src.File = s
	} else {
		c.files[src.File] = src.File
	}
	if _, ok := c.index[r.OCID]; !ok {
		c.order = append(c.order, r.OCID)
	}
	c.index[r.OCID] = append(c.index[r.OCID], entry{off: c.off, n: int32(len(b)), kind: r.Kind, src: src, seq: c.releases})
	c.off += int64(len(b))
	c.releases++
	return nil
}

// Counts returns the number of ocids and releases added.
func (c *Compiler) Counts() (ocids, releases int) { return len(c.order), c.releases }

// Record is the compilation of one ocid's releases.
type Record struct {
	OCID string
	// Releases are the releases in date order.
	Releases []*Release
	Compiled map[string]any
	Problems []Problem
}

// Each compiles every ocid, in the order first seen, and calls fn.
func (c *Compiler) Each(fn func(*Record) error) error {
	if err := c.w.Flush(); err != nil {
		return err
	}
	buf := []byte{}
	for _, ocid := range c.order {
		es := c.index[ocid]
		rels := make([]*Release, 0, len(es))
		for _, e := range es {
			if cap(buf) < int(e.n) {
				buf = make([]byte, e.n)
			}
			b := buf[:e.n]
			if _, err := c.f.ReadAt(b, e.off); err != nil && err != io.EOF {
				return fmt.Errorf("read spill: %w", err)
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				return fmt.Errorf("read spill: %w", err)
			}
			rels = append(rels, &Release{OCID: ocid, ID: str(m["id"]), Date: str(m["date"]), Tag: tags(m["tag"]), Kind: e.kind, Data: m, Src: e.src})
		}
		rec := Compile(ocid, rels)
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

// Compile sorts one ocid's releases by date and merges them. Duplicate
// release ids and merge conflicts are reported as problems.
func Compile(ocid string, rels []*Release) *Record {
	SortReleases(rels)
	rec := &Record{OCID: ocid, Releases: rels}
	seen := map[string]int{}
	data := make([]map[string]any, len(rels))
	for i, r := range rels {
		data[i] = r.Data
		if r.ID != "" && r.Kind == KindRelease {
			if j, ok := seen[r.ID]; ok {
				rec.Problems = append(rec.Problems, Problem{File: r.Src.File, Value: r.Src.Value, OCID: ocid, Path: r.Src.Pointer + "/id",
					Message: fmt.Sprintf("release id %q is used twice for this ocid (also %s %s); both are merged", r.ID, rels[j].Src.File, rels[j].Src.Pointer)})
			} else {
				seen[r.ID] = i
			}
		}
	}
	compiled, probs := Merge(data)
	for _, p := range probs {
		r := rels[p.Release]
		rec.Problems = append(rec.Problems, Problem{File: r.Src.File, Value: r.Src.Value, OCID: ocid, Path: r.Src.Pointer + p.Path, Message: p.Message})
	}
	rec.Compiled = compiled
	return rec
}

func tags(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
