package ocds

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxDecompressed bounds how many bytes one gzip or zip member may expand
// to (a guard against decompression bombs).
const MaxDecompressed = 8 << 30

// MaxValueBytes bounds one JSON value the reader holds at once: a release
// or record of a package, or a top-level value. encoding/json buffers a
// whole value, and the whitespace before it, so without a bound one
// endless value or a gigabyte of spaces would be held in memory.
const MaxValueBytes = 256 << 20

// decompressLimit and valueLimit are MaxDecompressed and MaxValueBytes;
// tests lower them.
var (
	decompressLimit int64 = MaxDecompressed
	valueLimit      int64 = MaxValueBytes
)

// limitError stops a stream that passes one of the bounds above.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// valueCounter counts the bytes the JSON decoder pulls since the last value
// was read, and fails past valueLimit.
type valueCounter struct {
	r io.Reader
	n int64
}

func (c *valueCounter) Read(p []byte) (int, error) {
	if c.n > valueLimit {
		return 0, &limitError{fmt.Sprintf("a JSON value (release, record or package) longer than %d bytes, or as much whitespace; the rest is not read", valueLimit)}
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// boundedReader fails with a *limitError once more than max bytes were read.
type boundedReader struct {
	r    io.Reader
	left int64
	max  int64
}

func bounded(r io.Reader) *boundedReader {
	return &boundedReader{r: r, left: decompressLimit, max: decompressLimit}
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.err()
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more tells a stream of exactly max bytes from a longer one
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, b.err()
	}
	return n, err
}

func (b *boundedReader) err() error {
	return &limitError{fmt.Sprintf("the data decompresses to more than %d bytes (a decompression bomb?); the rest is not read", b.max)}
}

// Handler receives each release as it is read. Returning an error stops the
// read and is returned by Read.
type Handler func(*Release) error

// ProblemFunc receives each problem as it is found.
type ProblemFunc func(Problem)

// IsInput reports whether a file name looks like an OCDS input: .json,
// .jsonl, .ndjson, optionally .gz, or .zip.
func IsInput(name string) bool {
	n := strings.ToLower(name)
	n = strings.TrimSuffix(n, ".gz")
	for _, ext := range []string{".json", ".jsonl", ".ndjson", ".zip"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// Files expands paths: a directory becomes every input file below it
// (IsInput), sorted; a file is kept as given.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "__MACOSX" {
				return filepath.SkipDir
			}
			if !d.IsDir() && IsInput(d.Name()) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// ReadFile reads one file (plain, gzip or zip) and calls h for every
// release and pf for every problem. Only I/O errors and errors returned by
// h are returned; anything wrong with the content is a problem.
func ReadFile(path string, h Handler, pf ProblemFunc) (FileInfo, error) {
	info := FileInfo{Name: path, Forms: map[string]int{}, Versions: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		return info, err
	}
	defer f.Close()
	hs := sha256.New()
	n, err := io.Copy(hs, f)
	if err != nil {
		return info, fmt.Errorf("read %s: %w", path, err)
	}
	info.SHA256, info.Bytes = hex.EncodeToString(hs.Sum(nil)), n
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return info, err
	}
	var magic [4]byte
	k, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return info, err
	}
	if k == 4 && bytes.Equal(magic[:], []byte("PK\x03\x04")) {
		return info, readZip(f, n, &info, h, pf)
	}
	return info, readStream(f, path, &info, h, pf)
}

// Read reads one stream (plain, gzip or zip), named name in sources and
// problems. A zip stream is spooled to a temporary file.
func Read(r io.Reader, name string, h Handler, pf ProblemFunc) (FileInfo, error) {
	info := FileInfo{Name: name, Forms: map[string]int{}, Versions: map[string]int{}}
	hs := sha256.New()
	cr := &countReader{r: io.TeeReader(r, hs)}
	br := bufio.NewReaderSize(cr, 64<<10)
	magic, _ := br.Peek(4)
	if bytes.Equal(magic, []byte("PK\x03\x04")) {
		tmp, err := os.CreateTemp("", "mizan-ocds-*.zip")
		if err != nil {
			return info, err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		n, err := io.Copy(tmp, br)
		if err != nil {
			return info, err
		}
		info.SHA256, info.Bytes = hex.EncodeToString(hs.Sum(nil)), n
		return info, readZip(tmp, n, &info, h, pf)
	}
	err := readStream(br, name, &info, h, pf)
	_, _ = io.Copy(io.Discard, br)
	info.SHA256, info.Bytes = hex.EncodeToString(hs.Sum(nil)), cr.n
	return info, err
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func readZip(ra io.ReaderAt, size int64, info *FileInfo, h Handler, pf ProblemFunc) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		info.Problems++
		pf(Problem{File: info.Name, Message: "not a readable zip archive: " + err.Error()})
		return nil
	}
	members := 0
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || strings.HasPrefix(zf.Name, "__MACOSX/") || strings.HasPrefix(filepath.Base(zf.Name), ".") {
			continue
		}
		name := info.Name + "!" + zf.Name
		if !IsInput(zf.Name) {
			continue
		}
		members++
		rc, err := zf.Open()
		if err != nil {
			info.Problems++
			pf(Problem{File: name, Message: "cannot open zip member: " + err.Error()})
			continue
		}
		err = readStream(bounded(rc), name, info, h, pf)
		rc.Close()
		if err != nil {
			return err
		}
	}
	if members == 0 {
		info.Problems++
		pf(Problem{File: info.Name, Message: "the zip archive holds no .json, .jsonl or .ndjson file"})
	}
	return nil
}

// readStream decodes one (possibly gzipped) stream of JSON values.
func readStream(r io.Reader, name string, info *FileInfo, h Handler, pf ProblemFunc) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			info.Problems++
			pf(Problem{File: name, Message: "not a readable gzip stream: " + err.Error()})
			return nil
		}
		defer gz.Close()
		br = bufio.NewReaderSize(bounded(gz), 64<<10)
	}
	if m, _ := br.Peek(3); bytes.Equal(m, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	} else if len(m) >= 2 && (m[0] == 0xFF && m[1] == 0xFE || m[0] == 0xFE && m[1] == 0xFF) {
		info.Problems++
		pf(Problem{File: name, Message: "the file is UTF-16; OCDS requires UTF-8 — convert it first"})
		return nil
	}
	fix := &latin1Fallback{r: br}
	d := &reader{name: name, info: info, h: h, pf: pf, sha: info.SHA256}
	err := d.run(fix)
	if fix.replaced > 0 {
		d.problem(0, "", "", fmt.Sprintf("%d bytes are not UTF-8; read as ISO-8859-1 (Latin-1)", fix.replaced))
		info.Forms["iso-8859-1"]++
	}
	return err
}

// reader decodes the JSON values of one stream.
type reader struct {
	name  string
	sha   string
	info  *FileInfo
	h     Handler
	pf    ProblemFunc
	dec   *json.Decoder
	count *valueCounter
	value int
	empty bool
}

// stopErr wraps an error returned by the handler, which ends the read.
type stopErr struct{ err error }

func (e stopErr) Error() string { return e.err.Error() }

func (d *reader) problem(value int, ocid, path, msg string) {
	d.info.Problems++
	d.pf(Problem{File: d.name, Value: value, OCID: ocid, Path: path, Message: msg})
}

func (d *reader) run(r io.Reader) error {
	d.count = &valueCounter{r: r}
	r = d.count
	d.dec = json.NewDecoder(r)
	d.dec.UseNumber()
	values := 0
	for {
		d.count.n = 0
		tok, err := d.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if se := (stopErr{}); errors.As(err, &se) {
				return se.err
			}
			if le := (*limitError)(nil); errors.As(err, &le) {
				d.problem(d.value, "", "", le.Error())
				return nil
			}
			d.problem(d.value, "", "", "invalid JSON: "+jsonErr(err, d.dec)+"; the rest of this value is skipped")
			if !d.lines(values) || !d.resync(r) {
				return nil
			}
			continue
		}
		values++
		var perr error
		switch tok {
		case json.Delim('{'):
			perr = d.topObject()
		case json.Delim('['):
			perr = d.topArray()
		default:
			d.problem(d.value, "", "", fmt.Sprintf("a top-level %s is not an OCDS release, record or package", describe(tok)))
		}
		if perr != nil {
			if se := (stopErr{}); errors.As(perr, &se) {
				return se.err
			}
			if le := (*limitError)(nil); errors.As(perr, &le) {
				d.problem(d.value, "", "", le.Error())
				return nil
			}
			d.problem(d.value, "", "", "invalid JSON: "+jsonErr(perr, d.dec)+"; the rest of this value is skipped")
			if !d.lines(values) || !d.resync(r) {
				return nil
			}
			continue
		}
		d.value++
	}
	if values == 0 {
		d.problem(0, "", "", "the file is empty")
	} else if values > 1 {
		d.info.Forms["json lines"]++
	}
	return nil
}

// lines reports whether the input is line-oriented (JSON Lines by name, or
// several values already read), where a syntax error can be skipped.
func (d *reader) lines(values int) bool {
	n := strings.ToLower(strings.TrimSuffix(d.name, ".gz"))
	return values > 1 || strings.HasSuffix(n, ".jsonl") || strings.HasSuffix(n, ".ndjson")
}

// resync skips to the next line after a syntax error, so a JSON Lines file
// loads its other lines. It returns false at the end of the input.
func (d *reader) resync(r io.Reader) bool {
	rest := io.MultiReader(d.dec.Buffered(), r)
	br := bufio.NewReader(rest)
	if _, err := br.ReadBytes('\n'); err != nil {
		return false
	}
	d.value++
	d.dec = json.NewDecoder(br)
	d.dec.UseNumber()
	return true
}

func jsonErr(err error, dec *json.Decoder) string {
	return fmt.Sprintf("%v (near byte %d)", err, dec.InputOffset())
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return string(t)
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// topObject streams a top-level object: a package (releases or records
// array read element by element), a record, or a release.
func (d *reader) topObject() error {
	rest := map[string]any{}
	emitted, linked, records := 0, 0, 0
	sawReleases, sawRecords := false, false
	for d.dec.More() {
		kt, err := d.dec.Token()
		if err != nil {
			return err
		}
		key, _ := kt.(string)
		if key == "releases" || key == "records" {
			tok, err := d.dec.Token()
			if err != nil {
				return err
			}
			if tok != json.Delim('[') {
				if tok == json.Delim('{') { // an object where an array belongs
					if err := d.skipRest(); err != nil {
						return err
					}
				}
				d.problem(d.value, "", "/"+key, fmt.Sprintf("%q is a %s, not an array; ignored", key, describe(tok)))
				continue
			}
			for i := 0; d.dec.More(); i++ {
				var v any
				if err := d.dec.Decode(&v); err != nil {
					return err
				}
				d.count.n = 0
				ptr := "/" + key + "/" + strconv.Itoa(i)
				m, ok := v.(map[string]any)
				if !ok {
					d.problem(d.value, "", ptr, fmt.Sprintf("a %s is %s, not an object; skipped", strings.TrimSuffix(key, "s"), kindOf(v)))
					continue
				}
				if key == "releases" {
					sawReleases = true
					ok, err := d.release(m, ptr, KindRelease)
					if err != nil {
						return err
					}
					if ok {
						emitted++
					} else if isLinked(m) {
						linked++
					}
				} else {
					sawRecords = true
					records++
					if err := d.record(m, ptr); err != nil {
						return err
					}
				}
			}
			if _, err := d.dec.Token(); err != nil { // ]
				return err
			}
			continue
		}
		var v any
		if err := d.dec.Decode(&v); err != nil {
			return err
		}
		d.count.n = 0
		rest[key] = v
	}
	if _, err := d.dec.Token(); err != nil { // }
		return err
	}
	_, hasOCID := rest["ocid"]
	switch {
	case sawRecords:
		d.info.Forms["record package"]++
		d.version(rest)
	case sawReleases && hasOCID:
		// A record at the top level: its releases were emitted; when they
		// were only links, its compiled or versioned release stands in.
		d.info.Forms["record"]++
		if emitted == 0 {
			return d.recordCompiled(rest, "", linked)
		}
	case sawReleases:
		d.info.Forms["release package"]++
		d.version(rest)
		if emitted == 0 && linked == 0 {
			d.problem(d.value, "", "/releases", "the package has no releases")
		}
	default:
		return d.object(rest, "")
	}
	return nil
}

// skipRest skips the remainder of an object or array whose opening token
// was just read.
func (d *reader) skipRest() error {
	depth := 1
	for depth > 0 {
		t, err := d.dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func (d *reader) version(pkg map[string]any) {
	v, _ := pkg["version"].(string)
	if v == "" {
		v = "1.0"
	}
	d.info.Versions[v]++
}

// topArray reads a top-level array: of releases, records or packages.
func (d *reader) topArray() error {
	d.info.Forms["array"]++
	for i := 0; d.dec.More(); i++ {
		var v any
		if err := d.dec.Decode(&v); err != nil {
			return err
		}
		d.count.n = 0
		ptr := "/" + strconv.Itoa(i)
		m, ok := v.(map[string]any)
		if !ok {
			d.problem(d.value, "", ptr, fmt.Sprintf("an array element is %s, not an object; skipped", kindOf(v)))
			continue
		}
		if err := d.object(m, ptr); err != nil {
			return err
		}
	}
	_, err := d.dec.Token()
	return err
}

// object classifies a decoded object: package, record or release.
func (d *reader) object(m map[string]any, ptr string) error {
	if recs, ok := m["records"]; ok {
		d.info.Forms["record package"]++
		d.version(m)
		arr, ok := recs.([]any)
		if !ok {
			d.problem(d.value, "", ptr+"/records", fmt.Sprintf("records is %s, not an array; ignored", kindOf(recs)))
			return nil
		}
		for i, r := range arr {
			rm, ok := r.(map[string]any)
			p := ptr + "/records/" + strconv.Itoa(i)
			if !ok {
				d.problem(d.value, "", p, fmt.Sprintf("a record is %s, not an object; skipped", kindOf(r)))
				continue
			}
			if err := d.record(rm, p); err != nil {
				return err
			}
		}
		return nil
	}
	if rels, ok := m["releases"]; ok {
		_, isRecord := m["ocid"]
		if isRecord {
			return d.record(m, ptr)
		}
		d.info.Forms["release package"]++
		d.version(m)
		arr, ok := rels.([]any)
		if !ok {
			d.problem(d.value, "", ptr+"/releases", fmt.Sprintf("releases is %s, not an array; ignored", kindOf(rels)))
			return nil
		}
		for i, r := range arr {
			rm, ok := r.(map[string]any)
			p := ptr + "/releases/" + strconv.Itoa(i)
			if !ok {
				d.problem(d.value, "", p, fmt.Sprintf("a release is %s, not an object; skipped", kindOf(r)))
				continue
			}
			if _, err := d.release(rm, p, KindRelease); err != nil {
				return err
			}
		}
		return nil
	}
	if _, ok := m["compiledRelease"]; ok {
		return d.record(m, ptr)
	}
	if _, ok := m["versionedRelease"]; ok {
		return d.record(m, ptr)
	}
	if _, ok := m["ocid"]; ok || isCanada2014(m) {
		_, err := d.release(m, ptr, "")
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "...")
	}
	d.problem(d.value, "", ptr, "not an OCDS release, record or package (keys: "+strings.Join(keys, ", ")+"); skipped")
	return nil
}

// record emits a record's full releases or, when it has none (only linked
// releases or none at all), its compiled or versioned release.
func (d *reader) record(m map[string]any, ptr string) error {
	d.info.Forms["record"]++
	emitted, linked := 0, 0
	if rels, ok := m["releases"]; ok {
		arr, ok := rels.([]any)
		if !ok {
			d.problem(d.value, str(m["ocid"]), ptr+"/releases", fmt.Sprintf("releases is %s, not an array; ignored", kindOf(rels)))
		}
		for i, r := range arr {
			rm, ok := r.(map[string]any)
			p := ptr + "/releases/" + strconv.Itoa(i)
			if !ok {
				d.problem(d.value, str(m["ocid"]), p, fmt.Sprintf("a release is %s, not an object; skipped", kindOf(r)))
				continue
			}
			if isLinked(rm) {
				linked++
				continue
			}
			ok, err := d.release(rm, p, KindRelease)
			if err != nil {
				return err
			}
			if ok {
				emitted++
			}
		}
	}
	if emitted > 0 {
		return nil
	}
	return d.recordCompiled(m, ptr, linked)
}

func (d *reader) recordCompiled(m map[string]any, ptr string, linked int) error {
	ocid := str(m["ocid"])
	if linked > 0 {
		d.info.Forms["linked release"] += linked
	}
	if c, ok := m["compiledRelease"].(map[string]any); ok {
		if c["ocid"] == nil && ocid != "" {
			c["ocid"] = ocid
		}
		_, err := d.release(c, ptr+"/compiledRelease", KindCompiled)
		return err
	}
	if v, ok := m["versionedRelease"].(map[string]any); ok {
		if v["ocid"] == nil && ocid != "" {
			v["ocid"] = ocid
		}
		_, err := d.release(v, ptr+"/versionedRelease", KindVersioned)
		return err
	}
	if linked > 0 {
		d.problem(d.value, ocid, ptr+"/releases", fmt.Sprintf("the record links %d releases by URL and has no compiledRelease; nothing to load", linked))
	} else {
		d.problem(d.value, ocid, ptr, "the record has no releases and no compiledRelease")
	}
	return nil
}

// isLinked reports whether a release entry is a link (url, date, tag) rather
// than a release.
func isLinked(m map[string]any) bool {
	_, url := m["url"]
	_, ocid := m["ocid"]
	return url && !ocid && len(m) <= 4
}

// release checks and emits one release. kind "" means: detect (release or
// versioned). It reports whether a release was emitted.
func (d *reader) release(m map[string]any, ptr, kind string) (bool, error) {
	form := ""
	switch {
	case isCanada2014(m):
		probs := []string{}
		m, probs = MapCanada2014(m)
		for _, p := range probs {
			d.problem(d.value, str(m["ocid"]), ptr, p)
		}
		kind, form = KindRelease, "2014 draft release"
	case kind == KindVersioned || (kind == "" && IsVersioned(m)):
		m = FromVersioned(m).(map[string]any)
		kind, form = KindVersioned, "versioned release"
	case kind == KindCompiled:
		form = "compiled release"
	default:
		if kind == "" {
			if t, _ := m["tag"].([]any); len(t) == 1 && t[0] == "compiled" {
				kind, form = KindCompiled, "compiled release"
			} else {
				kind, form = KindRelease, "release"
			}
		} else {
			form = "release"
		}
	}
	if isLinked(m) {
		return false, nil
	}
	r := &Release{Kind: kind, Data: m, Src: Source{File: d.name, SHA256: d.sha, Value: d.value, Pointer: ptr}}
	ocid, ok := m["ocid"]
	r.OCID = strings.TrimSpace(str(ocid))
	if r.OCID == "" {
		if ok && ocid != nil {
			d.problem(d.value, "", ptr+"/ocid", fmt.Sprintf("ocid is %s, not a string; release skipped", kindOf(ocid)))
		} else {
			d.problem(d.value, "", ptr+"/ocid", "the release has no ocid; skipped (it cannot be merged with anything)")
		}
		return false, nil
	}
	if _, isStr := ocid.(string); !isStr {
		d.problem(d.value, r.OCID, ptr+"/ocid", fmt.Sprintf("ocid is %s, not a string; read as %q", kindOf(ocid), r.OCID))
		m["ocid"] = r.OCID
	}
	r.ID = str(m["id"])
	if r.ID == "" && kind == KindRelease {
		d.problem(d.value, r.OCID, ptr+"/id", "the release has no id")
	} else if _, isStr := m["id"].(string); !isStr && kind == KindRelease {
		d.problem(d.value, r.OCID, ptr+"/id", fmt.Sprintf("id is %s, not a string; read as %q", kindOf(m["id"]), r.ID))
	}
	r.Date = str(m["date"])
	if r.Date == "" && kind == KindRelease {
		d.problem(d.value, r.OCID, ptr+"/date", "the release has no date; merged in the order read")
	}
	switch t := m["tag"].(type) {
	case []any:
		for i, x := range t {
			s, ok := x.(string)
			if !ok {
				d.problem(d.value, r.OCID, ptr+"/tag/"+strconv.Itoa(i), fmt.Sprintf("a tag is %s, not a string; ignored", kindOf(x)))
				continue
			}
			r.Tag = append(r.Tag, s)
		}
	case string:
		d.problem(d.value, r.OCID, ptr+"/tag", fmt.Sprintf("tag is the string %q, not an array; read as [%q]", t, t))
		r.Tag = []string{t}
		m["tag"] = []any{t}
	case nil:
		if kind == KindRelease {
			d.problem(d.value, r.OCID, ptr+"/tag", "the release has no tag")
		}
	default:
		d.problem(d.value, r.OCID, ptr+"/tag", fmt.Sprintf("tag is %s, not an array; ignored", kindOf(t)))
	}
	d.info.Forms[form]++
	d.info.Releases++
	if err := d.h(r); err != nil {
		return true, stopErr{err}
	}
	return true, nil
}

// str returns a JSON scalar as a string ("" for null, objects and arrays).
func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return ""
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// latin1Fallback passes UTF-8 through and reads every byte that is not part
// of a valid UTF-8 sequence as ISO-8859-1, so a Latin-1 file (or a UTF-8
// file with stray Latin-1 bytes) decodes to the characters meant.
type latin1Fallback struct {
	r        io.Reader
	in       []byte // undecoded input (an incomplete sequence at the end of a read)
	out      []byte // decoded, not yet returned
	eof      bool
	replaced int64
}

func (l *latin1Fallback) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if l.eof && len(l.in) == 0 {
			return 0, io.EOF
		}
		if !l.eof {
			buf := make([]byte, 32<<10)
			n, err := l.r.Read(buf)
			l.in = append(l.in, buf[:n]...)
			if err == io.EOF {
				l.eof = true
			} else if err != nil {
				return 0, err
			}
		}
		l.decode()
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

func (l *latin1Fallback) decode() {
	in := l.in
	i := 0
	for i < len(in) {
		c := in[i]
		if c < utf8.RuneSelf {
			j := i + 1
			for j < len(in) && in[j] < utf8.RuneSelf {
				j++
			}
			l.out = append(l.out, in[i:j]...)
			i = j
			continue
		}
		if !utf8.FullRune(in[i:]) && !l.eof {
			break // wait for the rest of the sequence
		}
		r, n := utf8.DecodeRune(in[i:])
		if r == utf8.RuneError && n == 1 {
			l.out = utf8.AppendRune(l.out, rune(c))
			l.replaced++
			i++
			continue
		}
		l.out = append(l.out, in[i:i+n]...)
		i += n
	}
	l.in = append(l.in[:0], in[i:]...)
}
