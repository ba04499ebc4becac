package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mizan-budget/mizan"
)

// DefaultMaxBytes bounds how many bytes one source may decompress to.
const DefaultMaxBytes int64 = 8 << 30

// rawFile is one located source file: where its bytes are and what they hash to.
type rawFile struct {
	spec   SourceSpec // merged with the descriptor's defaults
	name   string     // the name shown in messages (relative path, or the URL's file name)
	url    string
	sha256 string
	size   int64
	open   func() (io.ReadCloser, error)
	path   string // the file on local disk; "" for an embedded file
}

// input is one file, or one sheet of a workbook, an ingest reads.
type input struct {
	raw    *rawFile
	id     int // 1-based source id
	format string
	member string // entry of a zip archive, if any
	gz     bool
	sheet  string
	label  string // file (and sheet) in messages
	// Set while reading:
	dialect  csvDialect
	encoding string
	plan     *plan
}

// locator finds source bytes: in Options.FS, Options.From, the descriptor's
// directory, or on the web.
type locator struct {
	d        *Descriptor
	opts     *Options
	maxBytes int64
	temps    []string
}

func (l *locator) cleanup() {
	for _, t := range l.temps {
		_ = os.Remove(t)
	}
	l.temps = nil
}

// expand lists the files of one source spec (several for a file pattern).
func (l *locator) expand(s SourceSpec) ([]string, error) {
	if !isGlob(s.Name) {
		name := s.Name
		if name == "" {
			u, err := url.Parse(s.URL)
			if err != nil {
				return nil, mizan.Errorf(mizan.EINVALID, "source url %q: %v", s.URL, err)
			}
			name = path.Base(u.Path)
		}
		return []string{path.Clean(name)}, nil
	}
	var tries []fs.FS
	if l.opts.FS != nil {
		tries = append(tries, l.opts.FS)
	}
	if l.opts.From != "" {
		tries = append(tries, os.DirFS(l.opts.From))
	}
	if l.d.dir != "" {
		tries = append(tries, os.DirFS(l.d.dir))
	}
	for _, fsys := range tries {
		matches, err := fs.Glob(fsys, s.Name)
		if err != nil {
			return nil, mizan.Errorf(mizan.EINVALID, "source pattern %q: %v", s.Name, err)
		}
		if len(matches) > 0 {
			slices.Sort(matches)
			return matches, nil
		}
	}
	return nil, mizan.Errorf(mizan.EINVALID, "no file matches the source pattern %q", s.Name)
}

// locate finds a source file's bytes, hashing them, and checks the
// declared sha256.
func (l *locator) locate(ctx context.Context, s SourceSpec, name string) (*rawFile, error) {
	rf := &rawFile{spec: s, name: name, url: s.URL}
	var err error
	switch {
	case l.opts.FS != nil && fileInFS(l.opts.FS, name):
		fsys := l.opts.FS
		rf.open = func() (io.ReadCloser, error) { return fsys.Open(name) }
	case l.opts.From != "" && fileExists(filepath.Join(l.opts.From, filepath.FromSlash(name))):
		p := filepath.Join(l.opts.From, filepath.FromSlash(name))
		if err := checkInside(l.opts.From, p, name); err != nil {
			return nil, err
		}
		rf.open = func() (io.ReadCloser, error) { return os.Open(p) }
		rf.path = p
	case l.d.dir != "" && s.Name != "" && fileExists(filepath.Join(l.d.dir, filepath.FromSlash(name))):
		p := filepath.Join(l.d.dir, filepath.FromSlash(name))
		if err := checkInside(l.d.dir, p, name); err != nil {
			return nil, err
		}
		rf.open = func() (io.ReadCloser, error) { return os.Open(p) }
		rf.path = p
	case s.URL != "":
		p, sum, n, err := l.download(ctx, s.URL, name)
		if err != nil {
			return nil, err
		}
		rf.open = func() (io.ReadCloser, error) { return os.Open(p) }
		rf.path = p
		rf.sha256, rf.size = sum, n
	default:
		where := []string{}
		if l.opts.FS != nil {
			where = append(where, "the embedded files")
		}
		if l.opts.From != "" {
			where = append(where, l.opts.From)
		}
		if l.d.dir != "" {
			where = append(where, l.d.dir)
		}
		return nil, mizan.Errorf(mizan.EINVALID, "source %s: not found in %s, and it has no url", name, strings.Join(where, " or "))
	}
	if rf.sha256 == "" {
		if rf.sha256, rf.size, err = l.hash(ctx, rf); err != nil {
			return nil, err
		}
	}
	if s.SHA256 != "" && !strings.EqualFold(s.SHA256, rf.sha256) {
		return nil, mizan.Errorf(mizan.EINVALID, "source %s: sha256 mismatch: the descriptor expects %s, the file has %s", name, strings.ToLower(s.SHA256), rf.sha256)
	}
	return rf, nil
}

// checkInside refuses a source whose path, once symbolic links are
// resolved, leaves dir: names are checked for ".." and absolute paths when
// the descriptor is read, but a link beside the descriptor could still
// point anywhere on the server.
func checkInside(dir, p, name string) error {
	rd, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("source %s: %w", name, err)
	}
	rp, err := filepath.EvalSymlinks(p)
	if err != nil {
		return fmt.Errorf("source %s: %w", name, err)
	}
	rel, err := filepath.Rel(rd, rp)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return mizan.Errorf(mizan.EINVALID, "source %s: a symbolic link to a file outside %s is refused; copy the file there instead", name, dir)
	}
	return nil
}

func fileInFS(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && !st.IsDir()
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// hash reads a source once to learn its sha256 and size.
func (l *locator) hash(ctx context.Context, rf *rawFile) (string, int64, error) {
	f, err := rf.open()
	if err != nil {
		return "", 0, fmt.Errorf("open source %s: %w", rf.name, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, f})
	if err != nil {
		return "", 0, fmt.Errorf("read source %s: %w", rf.name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// download streams a URL into a temporary file, hashing it on the way.
func (l *locator) download(ctx context.Context, rawURL, name string) (path, sum string, size int64, err error) {
	client := l.opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", "", 0, mizan.Errorf(mizan.EINVALID, "source %s: url %q: %v", name, rawURL, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", "", 0, fmt.Errorf("download source %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", "", 0, mizan.Errorf(mizan.EUNAVAILABLE, "download source %s from %s: %s", name, rawURL, resp.Status)
	}
	tmp, err := os.CreateTemp("", "mizan-source-*")
	if err != nil {
		return "", "", 0, fmt.Errorf("download source %s: %w", name, err)
	}
	l.temps = append(l.temps, tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, resp.Body}, l.maxBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", 0, fmt.Errorf("download source %s: %w", name, err)
	}
	if n > l.maxBytes {
		return "", "", 0, mizan.Errorf(mizan.EINVALID, "download source %s: larger than the %d bytes allowed", name, l.maxBytes)
	}
	return tmp.Name(), hex.EncodeToString(h.Sum(nil)), n, nil
}

// ctxReader stops reading when the context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// formatOf guesses a format from a file name.
func formatOf(name string) (string, error) {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv", ".txt", ".dat", "":
		return "csv", nil
	case ".tsv", ".tab":
		return "tsv", nil
	case ".xlsx", ".xlsm":
		return "xlsx", nil
	case ".xls":
		return "", mizan.Errorf(mizan.EINVALID, "%s: old Excel .xls files are not supported; save it as .xlsx or CSV", name)
	case ".ods":
		return "", mizan.Errorf(mizan.EINVALID, "%s: OpenDocument spreadsheets are not supported; save it as .xlsx or CSV", name)
	}
	return "csv", nil
}

// sniffContainer looks at a file's first bytes: zip, gzip or plain.
func sniffContainer(rf *rawFile) (isZip, isGzip bool, err error) {
	f, err := rf.open()
	if err != nil {
		return false, false, fmt.Errorf("open source %s: %w", rf.name, err)
	}
	defer f.Close()
	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	return n == 4 && bytes.Equal(magic[:], []byte("PK\x03\x04")), n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b, nil
}

// inputsOf turns a located file into the inputs an ingest reads: one, or
// one per sheet of a workbook.
func (l *locator) inputsOf(rf *rawFile) ([]*input, error) {
	isZip, isGzip, err := sniffContainer(rf)
	if err != nil {
		return nil, err
	}
	in := &input{raw: rf, gz: isGzip}
	inner := rf.name
	if isGzip {
		inner = strings.TrimSuffix(strings.TrimSuffix(inner, ".gz"), ".GZ")
	}
	format := rf.spec.Format
	if isZip && format != "xlsx" && !strings.EqualFold(path.Ext(rf.name), ".xlsx") && !strings.EqualFold(path.Ext(rf.name), ".xlsm") {
		member, err := l.pickMember(rf)
		if err != nil {
			return nil, err
		}
		in.member = member
		inner = member
	}
	if format == "" {
		if format, err = formatOf(inner); err != nil {
			return nil, err
		}
	}
	in.format = format
	in.label = rf.name
	if in.member != "" {
		in.label = rf.name + "!" + in.member
	}
	if format != "xlsx" {
		return []*input{in}, nil
	}
	sheets, err := l.sheetsOf(in)
	if err != nil {
		return nil, err
	}
	out := make([]*input, 0, len(sheets))
	for _, sh := range sheets {
		c := *in
		c.sheet = sh
		c.label = in.label + " [" + sh + "]"
		out = append(out, &c)
	}
	return out, nil
}

// pickMember chooses the data entry of a zip archive.
func (l *locator) pickMember(rf *rawFile) (string, error) {
	zr, closer, err := openZip(rf, l.maxBytes)
	if err != nil {
		return "", err
	}
	defer closer()
	var names []string
	for _, f := range zr.File {
		base := path.Base(f.Name)
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(base, ".") {
			continue
		}
		names = append(names, f.Name)
	}
	if m := rf.spec.Member; m != "" {
		for _, n := range names {
			if n == m {
				return n, nil
			}
		}
		for _, n := range names {
			if path.Base(n) == m {
				return n, nil
			}
		}
		return "", mizan.Errorf(mizan.EINVALID, "archive %s has no entry %q (it has %s)", rf.name, m, strings.Join(names, ", "))
	}
	if len(names) == 1 {
		return names[0], nil
	}
	var data []string
	for _, n := range names {
		switch strings.ToLower(path.Ext(n)) {
		case ".csv", ".tsv", ".txt", ".xlsx":
			data = append(data, n)
		}
	}
	if len(data) == 1 {
		return data[0], nil
	}
	if len(names) == 0 {
		return "", mizan.Errorf(mizan.EINVALID, "archive %s holds no data file", rf.name)
	}
	return "", mizan.Errorf(mizan.EINVALID, "archive %s holds several files (%s); pick one with member", rf.name, strings.Join(names, ", "))
}

// openZip opens a zip archive, reading it into memory when its file
// system gives no random access.
func openZip(rf *rawFile, maxBytes int64) (*zip.Reader, func(), error) {
	f, err := rf.open()
	if err != nil {
		return nil, nil, fmt.Errorf("open source %s: %w", rf.name, err)
	}
	ra, ok := f.(io.ReaderAt)
	if !ok {
		data, err := io.ReadAll(io.LimitReader(f, maxBytes))
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("read source %s: %w", rf.name, err)
		}
		ra, f = bytes.NewReader(data), io.NopCloser(nil)
	}
	zr, err := zip.NewReader(ra, rf.size)
	if err != nil {
		f.Close()
		return nil, nil, mizan.Errorf(mizan.EINVALID, "source %s is not a readable zip archive: %v", rf.name, err)
	}
	return zr, func() { f.Close() }, nil
}

// limitedReader fails once more than max bytes were read.
type limitedReader struct {
	r    io.Reader
	left int64
	name string
	max  int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, mizan.Errorf(mizan.EINVALID, "source %s decompresses to more than the %d bytes allowed", l.name, l.max)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// damagedReader reports a decompressor's errors (a corrupt stream, a
// checksum mismatch, a truncated file) as the source's fault, naming it,
// rather than as internal errors.
type damagedReader struct {
	r    io.Reader
	name string
}

func (d damagedReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		err = mizan.Errorf(mizan.EINVALID, "source %s is damaged: %v", d.name, err)
	}
	return n, err
}

// countingReader counts bytes for progress reports.
type countingReader struct {
	r   io.Reader
	add func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.add(int64(n))
	}
	return n, err
}

// openData opens an input's data stream: decompressed, bounded, counted.
func openData(in *input, maxBytes int64, counted func(int64)) (io.Reader, func(), error) {
	rf := in.raw
	if in.member != "" {
		zr, closer, err := openZip(rf, maxBytes)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range zr.File {
			if f.Name != in.member {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				closer()
				return nil, nil, mizan.Errorf(mizan.EINVALID, "source %s: %v", in.label, err)
			}
			// Count compressed progress roughly by the uncompressed share.
			var r io.Reader = &limitedReader{r: damagedReader{rc, in.label}, left: maxBytes, name: in.label, max: maxBytes}
			ratio := float64(f.CompressedSize64) / float64(max(f.UncompressedSize64, 1))
			r = &countingReader{r: r, add: func(n int64) { counted(int64(float64(n) * ratio)) }}
			return bufio.NewReaderSize(r, 1<<20), func() { rc.Close(); closer() }, nil
		}
		closer()
		return nil, nil, fmt.Errorf("source %s: entry %s vanished", rf.name, in.member)
	}
	f, err := rf.open()
	if err != nil {
		return nil, nil, fmt.Errorf("open source %s: %w", rf.name, err)
	}
	var r io.Reader = &countingReader{r: f, add: counted}
	if in.gz {
		gz, err := gzip.NewReader(bufio.NewReaderSize(r, 1<<20))
		if err != nil {
			f.Close()
			return nil, nil, mizan.Errorf(mizan.EINVALID, "source %s is not a readable gzip file: %v", rf.name, err)
		}
		r = &limitedReader{r: damagedReader{gz, rf.name}, left: maxBytes, name: rf.name, max: maxBytes}
	}
	return r, func() { f.Close() }, nil
}
