// Package classification holds the built-in labels of the standard
// classifications that budget datasets use: the UN Classification of the
// Functions of Government (COFOG 1999) and the top levels of the IMF
// Government Finance Statistics (GFSM 2014) economic classification, in
// English and Arabic. The tables are embedded data files read once, on
// first use.
package classification

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/mizan-budget/mizan"
)

//go:embed cofog.tsv gfs.tsv
var files embed.FS

// table is one classification: labels by canonical code and the sorted
// codes of each level.
type table struct {
	labels map[string]mizan.Text
	levels map[int][]string
}

// load reads a TSV file with the header "code en ar". levelOf gives the
// level of a canonical code.
func load(name string, levelOf func(string) int) *table {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("classification: %v", err))
	}
	t := &table{labels: map[string]mizan.Text{}, levels: map[int][]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 || line == "" {
			continue // header
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			panic(fmt.Sprintf("classification: %s:%d: want 3 fields, have %d", name, n, len(f)))
		}
		code := f[0]
		if _, dup := t.labels[code]; dup {
			panic(fmt.Sprintf("classification: %s:%d: duplicate code %s", name, n, code))
		}
		t.labels[code] = mizan.Text{"en": f[1], "ar": f[2]}
		lv := levelOf(code)
		t.levels[lv] = append(t.levels[lv], code)
	}
	for _, codes := range t.levels {
		sort.Strings(codes)
	}
	return t
}

// label returns a copy of code's labels, so callers may keep or change it.
func (t *table) label(code string) (mizan.Text, bool) {
	l, ok := t.labels[code]
	if !ok {
		return nil, false
	}
	out := make(mizan.Text, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out, true
}

// codes returns a copy of the sorted codes on one level.
func (t *table) codes(level int) []string {
	return append([]string(nil), t.levels[level]...)
}

var (
	cofogOnce, gfsOnce   sync.Once
	cofogTable, gfsTable *table
)

func cofog() *table {
	cofogOnce.Do(func() { cofogTable = load("cofog.tsv", func(c string) int { return strings.Count(c, ".") + 1 }) })
	return cofogTable
}

func gfs() *table {
	gfsOnce.Do(func() { gfsTable = load("gfs.tsv", func(c string) int { return len(c) }) })
	return gfsTable
}

// asciiDigit maps ASCII, Arabic-Indic (٠–٩) and Eastern Arabic-Indic (۰–۹)
// digits to an ASCII digit; ok is false for anything else.
func asciiDigit(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '\u0660' && r <= '\u0669':
		return byte('0' + r - '\u0660'), true
	case r >= '\u06F0' && r <= '\u06F9':
		return byte('0' + r - '\u06F0'), true
	}
	return 0, false
}

// digitGroups splits s into its runs of digits (as ASCII), ignoring any
// separators between them. It fails on letters.
func digitGroups(s string) ([]string, bool) {
	var groups []string
	var cur []byte
	for _, r := range s {
		if d, ok := asciiDigit(r); ok {
			cur = append(cur, d)
			continue
		}
		if unicode.IsLetter(r) {
			return nil, false
		}
		if len(cur) > 0 {
			groups = append(groups, string(cur))
			cur = cur[:0]
		}
	}
	if len(cur) > 0 {
		groups = append(groups, string(cur))
	}
	return groups, len(groups) > 0
}

// trimPrefixFold removes prefix from s, ignoring case.
func trimPrefixFold(s, prefix string) string {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):]
	}
	return s
}
