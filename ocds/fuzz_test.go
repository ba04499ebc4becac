package ocds

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzAmount reads amounts as OCDS publishers write them: never a panic,
// and an amount read is exact: its canonical text reads back the same.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{"12", "1,234.50", "1.234,50", "-0.001", "1e3", "1e400", "9" + strings.Repeat("9", 399), "NaN", "", " ", "٣٤٥", "(12)"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, asNumber bool) {
		var v any = s
		if asNumber {
			v = json.Number(s)
		}
		d, err := Amount(v)
		if err != nil {
			return
		}
		back, err := Amount(json.Number(d.String()))
		if err != nil {
			t.Fatalf("Amount(%q) = %s, which does not read back: %v", s, d, err)
		}
		if back.String() != d.String() {
			t.Fatalf("Amount(%q) = %s, read back as %s", s, d, back)
		}
	})
}

// FuzzDate reads OCDS dates: never a panic, and a date given is a real
// calendar date (no 0000-00-00, no 30 February).
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2020-01-01T00:00:00Z", "2020-01-01", "0000-00-00", "2023-02-30", "2023-13-01T00:00:00+25:00", "31/12/2020", "", "2020", "9999-12-31T23:59:60Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := Date(s)
		if d == "" {
			return
		}
		tm, err := time.Parse("2006-01-02", d)
		if err != nil || tm.Format("2006-01-02") != d {
			t.Fatalf("Date(%q) = %q, not a calendar date", s, d)
		}
		if tm.Year() < 1 {
			t.Fatalf("Date(%q) = %q, year 0", s, d)
		}
		_ = ParseTime(s)
	})
}
