package loadtest

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestPercentile checks the nearest-rank percentile against its
// definition: the smallest value with at least p% of the values at or
// below it.
func TestPercentile(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 10, 99, 100, 101, 1000} {
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = time.Duration(r.IntN(1000)) * time.Millisecond
		}
		slices.Sort(ds)
		for _, p := range []float64{50, 95, 99, 100} {
			var want time.Duration
			for _, v := range ds {
				atOrBelow := 0
				for _, w := range ds {
					if w <= v {
						atOrBelow++
					}
				}
				if float64(atOrBelow)*100 >= p*float64(n) {
					want = v
					break
				}
			}
			if got := Percentile(ds, p); got != want {
				t.Errorf("n=%d p%.0f = %s, want %s", n, p, got, want)
			}
		}
	}
}

func TestParseBytes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{"1GB", 1_000_000_000},
		{"512MB", 512_000_000},
		{"1.5GiB", 3 << 29},
		{"256 MiB", 256 << 20},
		{"2tb", 2_000_000_000_000},
	} {
		got, err := ParseBytes(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "GB", "12", "1XB", "1.2.3GB"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) gave no error", bad)
		}
	}
}
