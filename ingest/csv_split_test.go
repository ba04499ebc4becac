package ingest

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// recordEndReference is the byte-at-a-time state machine recordEnd must
// agree with.
func recordEndReference(b []byte, i int, delim, quote byte) int {
	nl := bytes.IndexByte(b[i:], '\n')
	if nl < 0 {
		return -1
	}
	if bytes.IndexByte(b[i:i+nl], quote) < 0 {
		return i + nl + 1
	}
	// A quote on the line: follow the quoting rules from the record start.
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteInQuoted
	)
	st := fieldStart
	for j := i; j < len(b); j++ {
		c := b[j]
		switch st {
		case fieldStart:
			switch c {
			case quote:
				st = quoted
			case delim:
			case '\n':
				return j + 1
			default:
				st = unquoted
			}
		case unquoted:
			switch c {
			case delim:
				st = fieldStart
			case '\n':
				return j + 1
			}
		case quoted:
			k := bytes.IndexByte(b[j:], quote)
			if k < 0 {
				return -1
			}
			j += k
			st = quoteInQuoted
		case quoteInQuoted:
			switch c {
			case quote:
				st = quoted
			case delim:
				st = fieldStart
			case '\n':
				return j + 1
			case '\r':
			default:
				st = quoted // a lone quote inside a quoted field is kept as is
			}
		}
	}
	return -1
}

// randomCSV draws text from the characters that matter to quoting.
func randomCSV(r *rand.Rand, n int) string {
	const alphabet = `ab,,""` + "\n\r;"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func checkSplit(t *testing.T, data string) {
	t.Helper()
	for i := 0; i <= len(data); i++ {
		if got, want := recordEnd([]byte(data), i, ',', '"'), recordEndReference([]byte(data), i, ',', '"'); got != want {
			t.Fatalf("recordEnd(%q, %d) = %d, want %d", data, i, got, want)
		}
	}
	rest := data
	for len(rest) > 0 {
		rec, r1, n1 := nextRecord(rest, ',', '"')
		want := splitRecord(rec, ',', '"', nil)
		got, r2, n2 := nextFields(rest, ',', '"', nil)
		if !slices.Equal(got, want) || r1 != r2 || n1 != n2 {
			t.Fatalf("nextFields(%q) = %q, %q, %d; want %q, %q, %d", rest, got, r2, n2, want, r1, n1)
		}
		rest = r1
	}
}

func TestRecordSplitting(t *testing.T) {
	for _, s := range []string{
		"a,b\n", `"a",b` + "\n", `"a""b",c` + "\n", `"a"b,c` + "\n", `"a"` + "\r\n", `"a"` + "\r\r\"x\n\"\n",
		`a"b,"c` + "\n" + `d",e` + "\n", `"ab""` + "\nx\n", `,"",` + "\n", "\"\n\n\"\n",
	} {
		checkSplit(t, s)
	}
	r := rand.New(rand.NewPCG(3, 4))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := 0; i < n; i++ {
		checkSplit(t, randomCSV(r, 1+r.IntN(40)))
	}
}

func FuzzRecordSplitting(f *testing.F) {
	f.Add(`"a""b",c` + "\n" + `x,"y` + "\n" + `z"` + "\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		if bytes.ContainsRune([]byte(s), 0) {
			return
		}
		checkSplit(t, s)
	})
}
