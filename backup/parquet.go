package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// rowGroupRows bounds the rows of one Parquet row group: what a writer
// buffers (encoded) before flushing, and a good unit for readers.
const rowGroupRows = 128 * 1024

// DefaultRowsPerFile is the number of rows after which a partition's rows
// continue in the next part file.
const DefaultRowsPerFile = 4 << 20

// supportedType matches the DuckDB column types a backup round-trips
// exactly through Arrow and Parquet. Restore builds CREATE TABLE
// statements from the manifest, so only these ever reach SQL.
var supportedType = regexp.MustCompile(`^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|DOUBLE|FLOAT|DATE|TIMESTAMP|TIMESTAMP WITH TIME ZONE|DECIMAL\(([1-9]|[1-3][0-9]),([0-9]|[1-3][0-9])\))$`)

// partWriter writes one partition's rows into part-0.parquet,
// part-1.parquet... of a directory, at most maxRows rows per file.
type partWriter struct {
	root    string // the backup directory being written
	dir     string // the partition's directory, relative to root, slash-separated
	schema  *arrow.Schema
	maxRows int64
	cur     *partFile
	files   []File
}

type partFile struct {
	f    *os.File
	h    hash.Hash
	n    *countingWriter
	fw   *pqarrow.FileWriter
	rel  string
	rows int64
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writerProps() *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(rowGroupRows),
		// DECIMAL(18, s) as INT64 (DECIMAL(38, s) stays a 16-byte fixed-length
		// array): what the Parquet spec recommends and every engine reads.
		parquet.WithStoreDecimalAsInteger(true),
		parquet.WithCreatedBy("mizan backup"),
	)
}

// write appends a batch (whose schema may differ from the writer's only in
// nullability), starting new part files as they fill.
func (p *partWriter) write(rec arrow.RecordBatch) error {
	rec = array.NewRecordBatch(p.schema, rec.Columns(), rec.NumRows())
	defer rec.Release()
	for off := int64(0); off < rec.NumRows(); {
		if p.cur == nil {
			if err := p.open(); err != nil {
				return err
			}
		}
		n := min(rec.NumRows()-off, p.maxRows-p.cur.rows)
		part := rec.NewSlice(off, off+n)
		err := p.cur.fw.WriteBuffered(part)
		part.Release()
		if err != nil {
			return fmt.Errorf("write %s: %w", p.cur.rel, err)
		}
		p.cur.rows += n
		off += n
		if p.cur.rows >= p.maxRows {
			if err := p.closeFile(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *partWriter) open() error {
	rel := path.Join(p.dir, fmt.Sprintf("part-%d.parquet", len(p.files)))
	full := filepath.Join(p.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(full), err)
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("create %s: %w", rel, err)
	}
	pf := &partFile{f: f, h: sha256.New(), rel: rel}
	pf.n = &countingWriter{w: io.MultiWriter(f, pf.h)}
	// The Parquet writer closes a writer that is an io.Closer; this one is
	// not, so the file stays open for Sync.
	pf.fw, err = pqarrow.NewFileWriter(p.schema, pf.n, writerProps(), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", rel, err)
	}
	p.cur = pf
	return nil
}

// closeFile finishes the current file: footer, fsync, and its entry.
func (p *partWriter) closeFile() error {
	pf := p.cur
	if pf == nil {
		return nil
	}
	p.cur = nil
	if err := pf.fw.Close(); err != nil {
		pf.f.Close()
		return fmt.Errorf("finish %s: %w", pf.rel, err)
	}
	if err := pf.f.Sync(); err != nil {
		pf.f.Close()
		return fmt.Errorf("sync %s: %w", pf.rel, err)
	}
	if err := pf.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", pf.rel, err)
	}
	p.files = append(p.files, File{Path: pf.rel, Rows: pf.rows, Bytes: pf.n.n, SHA256: hex.EncodeToString(pf.h.Sum(nil))})
	return nil
}

// abort closes an unfinished file without recording it (the whole
// temporary directory is removed after a failure).
func (p *partWriter) abort() {
	if p.cur != nil {
		p.cur.f.Close()
		p.cur = nil
	}
}

// fileSHA256 hashes a file and returns its size.
func fileSHA256(name string) (string, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
