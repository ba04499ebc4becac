package synth

import (
	"bytes"
	"encoding/csv"
	"math/big"
	"testing"
)

// generate returns the budget CSV for cfg.
func generate(tb testing.TB, cfg Config) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, cfg); err != nil {
		tb.Fatalf("WriteCSV: %v", err)
	}
	return buf.Bytes()
}

// table is a parsed CSV with its columns by name.
type table struct {
	header []string
	col    map[string]int
	rows   [][]string
}

func (t *table) get(row []string, col string) string { return row[t.col[col]] }

func parseCSV(tb testing.TB, data []byte) *table {
	tb.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = false
	all, err := r.ReadAll()
	if err != nil {
		tb.Fatalf("parse CSV: %v", err)
	}
	if len(all) == 0 {
		tb.Fatal("empty CSV")
	}
	t := &table{header: all[0], col: map[string]int{}, rows: all[1:]}
	for i, h := range t.header {
		if _, dup := t.col[h]; dup {
			tb.Fatalf("column %q twice", h)
		}
		t.col[h] = i
	}
	return t
}

// rat parses an amount exactly.
func rat(tb testing.TB, s string) *big.Rat {
	tb.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		tb.Fatalf("amount %q is not a decimal", s)
	}
	return r
}

// totalKey is a year, phase and direction.
type totalKey struct{ year, phase, direction string }

// totals sums the amounts per year, phase and direction, exactly.
func totals(tb testing.TB, t *table) map[totalKey]*big.Rat {
	tb.Helper()
	out := map[totalKey]*big.Rat{}
	for _, row := range t.rows {
		k := totalKey{t.get(row, colYear), t.get(row, colPhase), t.get(row, colDirection)}
		if out[k] == nil {
			out[k] = new(big.Rat)
		}
		out[k].Add(out[k], rat(tb, t.get(row, colAmount)))
	}
	return out
}

func billions(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f / 1e9
}
