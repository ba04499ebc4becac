package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"unsafe"

	"github.com/mizan-budget/mizan"
)

// MaxRecordBytes bounds one CSV record (a runaway quote would otherwise
// swallow the whole file).
const MaxRecordBytes = 16 << 20

// recordScanner cuts a decoded CSV stream into complete records. It keeps
// no more than a chunk and one record in memory.
type recordScanner struct {
	r     io.Reader
	buf   []byte
	start int // first unconsumed byte
	end   int // end of valid data
	eof   bool
	delim byte
	quote byte
	line  int64 // physical line of the next record, 1-based
	name  string
}

func newRecordScanner(r io.Reader, delim, quote byte, name string, target int) *recordScanner {
	return &recordScanner{r: r, buf: make([]byte, 2*target), delim: delim, quote: quote, line: 1, name: name}
}

// fill reads more data, growing the buffer when a record needs it.
func (s *recordScanner) fill() error {
	if s.eof {
		return nil
	}
	if s.start > 0 && (s.end == len(s.buf) || s.start > len(s.buf)/2) {
		copy(s.buf, s.buf[s.start:s.end])
		s.end -= s.start
		s.start = 0
	}
	if s.end == len(s.buf) {
		// The buffer is full of one incomplete record (fill is only called
		// without a complete one ahead): bound the record, not the buffer,
		// which doubles past the bound.
		if s.end-s.start >= MaxRecordBytes {
			return mizan.Errorf(mizan.EINVALID, "%s line %d: a record longer than %d bytes (an unclosed quote?)", s.name, s.line, MaxRecordBytes)
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if errors.Is(err, io.EOF) {
		s.eof = true
		return nil
	}
	return err
}

// recordEnd returns the index just past the newline that ends the record
// starting at b[i], or -1 when b holds no complete record. A quote opens a
// quoted field only at the start of a field; within one, a quote followed
// by a quote is a literal one, and any other lone quote is kept.
func recordEnd(b []byte, i int, delim, quote byte) int {
	nl := bytes.IndexByte(b[i:], '\n')
	if nl < 0 {
		return -1
	}
	nl += i
	if bytes.IndexByte(b[i:nl], quote) < 0 {
		return nl + 1
	}
	j := i
	for { // at the start of a field
		if j < len(b) && b[j] == quote {
			j++
			for { // in a quoted field
				k := bytes.IndexByte(b[j:], quote)
				if k < 0 {
					return -1
				}
				j += k + 1
				for j < len(b) && b[j] == '\r' {
					j++ // "\r" after a closing quote is skipped
				}
				if j == len(b) {
					return -1
				}
				if c := b[j]; c == delim {
					j++
					break
				} else if c == '\n' {
					return j + 1
				} else if c == quote {
					j++ // a doubled quote
				}
			}
			continue
		}
		// An unquoted field runs to the next delimiter or newline.
		if nl < j {
			k := bytes.IndexByte(b[j:], '\n')
			if k < 0 {
				return -1
			}
			nl = j + k
		}
		k := bytes.IndexByte(b[j:nl], delim)
		if k < 0 {
			return nl + 1
		}
		j += k + 1
	}
}

// next returns the next record's text (without its line ending), the
// physical line it starts on and how many lines it spans; io.EOF at the end.
func (s *recordScanner) next() (rec []byte, line int64, err error) {
	for {
		if e := recordEnd(s.buf[:s.end], s.start, s.delim, s.quote); e >= 0 {
			rec = s.buf[s.start:e]
			s.start = e
			line = s.line
			s.line += int64(bytes.Count(rec, []byte{'\n'}))
			return trimEOL(rec), line, nil
		}
		if s.eof {
			if s.start >= s.end {
				return nil, 0, io.EOF
			}
			rec = s.buf[s.start:s.end]
			s.start = s.end
			line = s.line
			s.line += int64(bytes.Count(rec, []byte{'\n'})) + 1
			return trimEOL(rec), line, nil
		}
		if err := s.fill(); err != nil {
			return nil, 0, err
		}
	}
}

// chunk returns a run of complete records of about target bytes, copied
// into a string, and the line its first record starts on; io.EOF at the end.
func (s *recordScanner) chunk(target int) (data string, line int64, err error) {
	cut := s.start // scanned so far: complete records from s.start to cut
	for {
		b := s.buf[:s.end]
		for cut-s.start < target {
			e := recordEnd(b, cut, s.delim, s.quote)
			if e < 0 {
				break
			}
			cut = e
		}
		switch {
		case cut-s.start >= target:
		case s.eof:
			cut = s.end // the last record may lack a line ending
			if cut == s.start {
				return "", 0, io.EOF
			}
		case cut > s.start && s.end-s.start == len(s.buf):
			// The buffer is full of complete records and a partial one.
		default:
			off := cut - s.start
			if err := s.fill(); err != nil {
				return "", 0, err
			}
			cut = s.start + off // fill may move the data to the buffer's start
			continue
		}
		data = string(b[s.start:cut])
		line = s.line
		s.line += int64(strings.Count(data, "\n"))
		if !strings.HasSuffix(data, "\n") {
			s.line++
		}
		s.start = cut
		return data, line, nil
	}
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

func trimEOLString(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// nextRecord cuts the first record off data: its text, the rest, and how
// many newlines the record holds.
func nextRecord(data string, delim, quote byte) (rec, rest string, newlines int) {
	nl := strings.IndexByte(data, '\n')
	if nl < 0 {
		return data, "", 0
	}
	if strings.IndexByte(data[:nl], quote) < 0 {
		return data[:nl], data[nl+1:], 1
	}
	e := recordEnd(unsafeBytes(data), 0, delim, quote)
	if e < 0 {
		return data, "", strings.Count(data, "\n")
	}
	return data[:e-1], data[e:], strings.Count(data[:e], "\n")
}

// nextFields cuts the first record off data and splits it into fields
// (appended to dst), as nextRecord and splitRecord would. A line whose
// quoted fields all close on it (the usual case) is split in one pass.
func nextFields(data string, delim, quote byte, dst []string) (fields []string, rest string, newlines int) {
	nl := strings.IndexByte(data, '\n')
	if nl >= 0 {
		line := data[:nl]
		if strings.IndexByte(line, quote) < 0 {
			return splitRecord(line, delim, quote, dst), data[nl+1:], 1
		}
		// Without a "\r" inside the line, the record ends at its newline
		// exactly when no quoted field is left open.
		if t := strings.TrimSuffix(line, "\r"); strings.IndexByte(t, '\r') < 0 {
			if out, ok := splitQuoted(t, delim, quote, dst); ok {
				return out, data[nl+1:], 1
			}
		}
	}
	rec, rest, newlines := nextRecord(data, delim, quote)
	return splitRecord(rec, delim, quote, dst), rest, newlines
}

// splitRecord splits one record into fields, appending to dst. Quoted
// fields lose their quotes and doubled quotes; a quote inside an unquoted
// field is kept (lazy quotes, as spreadsheets write them).
func splitRecord(rec string, delim, quote byte, dst []string) []string {
	rec = strings.TrimSuffix(rec, "\r")
	if strings.IndexByte(rec, quote) < 0 {
		for {
			i := strings.IndexByte(rec, delim)
			if i < 0 {
				return append(dst, rec)
			}
			dst = append(dst, rec[:i])
			rec = rec[i+1:]
		}
	}
	dst, _ = splitQuoted(rec, delim, quote, dst)
	return dst
}

// splitQuoted splits a record that has quotes (its "\r" trimmed); closed
// is false when its last quoted field is left open (and then runs to the
// end of the record).
func splitQuoted(rec string, delim, quote byte, dst []string) (fields []string, closed bool) {
	for {
		if len(rec) == 0 || rec[0] != quote {
			i := strings.IndexByte(rec, delim)
			if i < 0 {
				return append(dst, rec), true
			}
			dst = append(dst, rec[:i])
			rec = rec[i+1:]
			continue
		}
		// Quoted field.
		var sb strings.Builder
		j := 1
		plain := true // no doubled quote seen: the field is a substring
		from := 1
		for {
			k := strings.IndexByte(rec[j:], quote)
			if k < 0 { // unclosed: the rest of the record is the field
				if plain {
					return append(dst, rec[from:]), false
				}
				sb.WriteString(rec[from:])
				return append(dst, sb.String()), false
			}
			j += k
			if j+1 < len(rec) && rec[j+1] == quote { // doubled quote
				if plain {
					plain = false
				}
				sb.WriteString(rec[from : j+1])
				j += 2
				from = j
				continue
			}
			if j+1 == len(rec) || rec[j+1] == delim {
				var field string
				if plain {
					field = rec[from:j]
				} else {
					sb.WriteString(rec[from:j])
					field = sb.String()
				}
				dst = append(dst, field)
				if j+1 == len(rec) {
					return dst, true
				}
				rec = rec[j+2:]
				break
			}
			j++ // a lone quote inside the field: keep it
		}
	}
}

// csvDialect is what a CSV reader settled on.
type csvDialect struct {
	delim, quote byte
	encoding     string
}

func (d csvDialect) delimiterName() string {
	if d.delim == '\t' {
		return "tab"
	}
	return string(d.delim)
}

func describeFields(n, want int) string {
	if n < want {
		return fmt.Sprintf("has %d fields where the header has %d", n, want)
	}
	return fmt.Sprintf("has %d fields where the header has %d (an unquoted delimiter in a value?)", n, want)
}

// unsafeBytes views a string as bytes for read-only scanning.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
