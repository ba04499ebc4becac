package parse

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// Dialect describes how a CSV file is written.
type Dialect struct {
	// Delimiter separates fields: ',', ';', '\t' or '|'.
	Delimiter rune
	// Quote encloses fields that contain delimiters or line breaks; always '"'.
	Quote rune
	// HeaderRow is the 0-based line index of the header, after any blank or
	// title lines above the table. It counts physical lines, blank ones
	// included: skip that many lines (not CSV records) before reading.
	HeaderRow int
}

// ErrNoDelimiter is returned by SniffDialect when no candidate delimiter
// splits the sample into columns.
var ErrNoDelimiter = errors.New("cannot tell how the columns are separated: no line has a ',', ';', tab or '|' outside quotes")

// sniffRecords is how many records SniffDialect examines at most.
const sniffRecords = 200

// SniffDialect guesses the delimiter among , ; \t | from a UTF-8 sample
// (consistency of field counts across the first lines, ignoring delimiters
// inside quotes).
//
// For each candidate it splits the first records (quotes respected, so a
// quoted field may span lines) and finds the most common field count above
// one, not counting empty fields at the end of a line (so rows with a
// trailing delimiter match a header without one, and rows of empty fields
// count as blank). The header is the first record with that count, which
// skips titles and blank lines above the table. The candidate for which the most records
// from the header on share the common count (weighted by the share of
// records that do) wins; ties go to more columns, then to the order above.
// A last line cut off by the end of the sample is ignored. A leading UTF-8
// byte order mark is skipped, and Excel's "sep=;" first line is obeyed.
func SniffDialect(sample []byte) (Dialect, error) {
	sample = bytes.TrimPrefix(sample, bomUTF8)
	if d, ok := excelSepLine(sample); ok {
		return d, nil
	}
	best, bestScore, bestCols, found := Dialect{}, 0.0, 0, false
	for _, delim := range []byte{',', ';', '\t', '|'} {
		score, cols, header := sniffWith(sample, delim, '"')
		if cols < 2 {
			continue
		}
		if !found || score > bestScore || score == bestScore && cols > bestCols {
			best = Dialect{Delimiter: rune(delim), Quote: '"', HeaderRow: header}
			bestScore, bestCols, found = score, cols, true
		}
	}
	if !found {
		return Dialect{}, ErrNoDelimiter
	}
	return best, nil
}

// excelSepLine obeys a first line such as "sep=;".
func excelSepLine(b []byte) (Dialect, bool) {
	if len(b) < 5 || !bytes.EqualFold(b[:4], []byte("sep=")) {
		return Dialect{}, false
	}
	r, n := utf8.DecodeRune(b[4:])
	rest := b[4+n:]
	if r == utf8.RuneError || r == '\n' || r == '\r' || r == '"' {
		return Dialect{}, false
	}
	rest = bytes.TrimLeft(rest, "\r")
	if len(rest) > 0 && rest[0] != '\n' {
		return Dialect{}, false
	}
	return Dialect{Delimiter: r, Quote: '"', HeaderRow: 1}, true
}

type sniffRecord struct {
	fields, line int
}

// sniffWith splits b into records with the given delimiter and reports a
// consistency score, the common field count and the header's line index.
func sniffWith(b []byte, delim, quote byte) (score float64, cols, header int) {
	var recs []sniffRecord
	// fields counts the fields of the current record up to its last
	// non-empty one: a trailing delimiter ("a,b,c,") does not make a column.
	fields, filled, line, startLine := 1, 0, 0, 0
	inQuotes, atFieldStart := false, true
	for i := 0; i < len(b) && len(recs) < sniffRecords; i++ {
		c := b[i]
		if inQuotes {
			switch c {
			case quote:
				if i+1 < len(b) && b[i+1] == quote {
					i++
				} else {
					inQuotes = false
				}
			case '\n':
				line++
			}
			continue
		}
		switch {
		case c == quote && atFieldStart:
			inQuotes, atFieldStart, filled = true, false, fields
		case c == delim:
			fields++
			atFieldStart = true
		case c == '\n':
			if filled > 0 {
				recs = append(recs, sniffRecord{filled, startLine})
			}
			line++
			fields, filled, startLine, atFieldStart = 1, 0, line, true
		case c == '\r' || c == ' ' || c == '\t' && delim != '\t':
		default:
			atFieldStart, filled = false, fields
		}
	}
	if filled > 0 && !inQuotes && len(recs) < 3 {
		// A last line without a line break may be cut off by the end of
		// the sample: it is kept only when the sample is tiny.
		recs = append(recs, sniffRecord{filled, startLine})
	}
	// Most common field count above one; ties go to more fields.
	freq := map[int]int{}
	for _, r := range recs {
		if r.fields > 1 {
			freq[r.fields]++
		}
	}
	for n, f := range freq {
		if f > freq[cols] || f == freq[cols] && n > cols {
			cols = n
		}
	}
	if cols < 2 {
		return 0, 0, 0
	}
	first := -1
	match, total := 0, 0
	for k, r := range recs {
		if first < 0 {
			if r.fields != cols {
				continue
			}
			first = k
			header = r.line
		}
		total++
		if r.fields == cols {
			match++
		}
	}
	return float64(match) * float64(match) / float64(total), cols, header
}
