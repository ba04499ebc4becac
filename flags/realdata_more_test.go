package flags

// Red flags on real public data, each compared with an independent
// computation written here from the flag's definition in docs/red-flags.md
// and the default parameters: Manchester City Council's payments
// (round_amount, year_end_spike, split_purchase) read with encoding/csv and
// math/big; Canada's 2014 contract history (supplier_concentration,
// new_supplier_large_award, split_purchase) read with encoding/json; and
// three publications of ocds-real-examples (Mexico City, Mexico City's
// airport group, Moldova) for the flags Canada's data cannot raise
// (single_bidder, short_tender, above_estimate, amendment_increase).

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mizan-budget/mizan/ingest"
)

// payment is one row of Manchester's files, as the test reads it.
type payment struct {
	body, supplier string
	date           time.Time
	amount         *big.Rat
}

// readManchester reads the payment rows of the council's CSV files: rows
// without a date or an amount are left out (the ingest cannot place them).
func readManchester(t *testing.T, paths []string) []payment {
	t.Helper()
	var out []payment
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		head, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range head {
			h = strings.TrimSpace(h)
			for _, name := range []string{"Body Name", "Supplier Name", "Invoice Payment Date", "Net Amount"} {
				if strings.HasSuffix(h, name) {
					col[name] = i
				}
			}
			if h == "Amount" {
				col["Net Amount"] = i
			}
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			v, ok := new(big.Rat).SetString(strings.ReplaceAll(strings.TrimSpace(rec[col["Net Amount"]]), ",", ""))
			if !ok {
				continue
			}
			d, err := time.Parse("2006-01-02", strings.TrimSpace(rec[col["Invoice Payment Date"]]))
			if err != nil {
				continue
			}
			out = append(out, payment{body: strings.TrimSpace(rec[col["Body Name"]]), supplier: strings.TrimSpace(rec[col["Supplier Name"]]), date: d, amount: v})
		}
		f.Close()
	}
	return out
}

// rat parses an exact decimal the test compares with.
func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("%q is not a decimal", s)
	}
	return r
}

// sameRat reports whether a flag's decimal text equals an exact value.
func sameRat(s string, r *big.Rat) bool {
	v, ok := new(big.Rat).SetString(s)
	return ok && v.Cmp(r) == 0
}

// ratFloat is a Rat as a float64, for figures rounded for reading.
func ratFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}

// roundTo rounds half away from zero to d decimals, as DuckDB's round does.
func roundTo(f float64, d int) string {
	p := math.Pow(10, float64(d))
	return fmt.Sprint(math.Round(f*p) / p)
}

// sameFigure compares a figure DuckDB rounded with one computed here:
// equal as numbers, or one unit of the last decimal apart (a value that
// lands on a half can round either way in floating point).
func sameFigure(got string, want float64, d int) bool {
	g, ok := new(big.Rat).SetString(got)
	if !ok {
		return false
	}
	gf, _ := g.Float64()
	return math.Abs(gf-want) <= math.Pow(10, -float64(d))*1.0001
}

// TestManchesterMoneyFlags checks round_amount, year_end_spike and
// split_purchase on Manchester's payments against a plain reading of the
// CSV files with the documented definitions and default parameters.
func TestManchesterMoneyFlags(t *testing.T) {
	dir := datasetDir(t, "uk-manchester-spending-500")
	if testing.Short() {
		t.Skip("474,674 payments: skipped with -short")
	}
	d, err := ingest.Load("../datasets/manchester-spending.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if raceEnabled {
		// As in TestManchesterDuplicates: two years of files under the
		// race detector (fiscal year 2012 is the one complete year).
		d.Sources = d.Sources[:24]
	}
	var paths []string
	for _, s := range d.Sources {
		paths = append(paths, filepath.Join(dir, s.Name))
	}
	pays := readManchester(t, paths)
	db := openDB(t)
	if _, err := ingest.Ingest(context.Background(), db, d, ingest.Options{From: dir}); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	flags := byCode(compute(t, db, "manchester-spending", p))

	t.Run("round_amount", func(t *testing.T) {
		// Payments of at least £1,000; round when a multiple of £1,000.
		unit, floor := rat(t, p.RoundUnit), rat(t, p.RoundMinAmount)
		isRound := func(v *big.Rat) bool { return new(big.Rat).Quo(v, unit).IsInt() }
		type acc struct {
			n, k   int
			amt    *big.Rat
			bodies map[string]bool
		}
		per := map[string]*acc{}
		all, rounds := 0, 0
		for _, x := range pays {
			if x.amount.Cmp(floor) < 0 {
				continue
			}
			r := isRound(x.amount)
			all++
			if r {
				rounds++
			}
			if x.supplier == "" {
				continue
			}
			a := per[x.supplier]
			if a == nil {
				a = &acc{amt: new(big.Rat), bodies: map[string]bool{}}
				per[x.supplier] = a
			}
			a.n++
			a.bodies[x.body] = true
			if r {
				a.k++
				a.amt.Add(a.amt, x.amount)
			}
		}
		base := float64(rounds) / float64(all)
		type want struct {
			k, n int
			z    float64
			amt  *big.Rat
			body string
		}
		wants := map[string]want{}
		for s, a := range per {
			z := (float64(a.k) - float64(a.n)*base) / math.Sqrt(float64(a.n)*base*(1-base))
			if a.k >= p.RoundMinPayments && float64(a.k) >= p.RoundMinShare*float64(a.n) && z >= p.RoundMinZ {
				body := ""
				if len(a.bodies) == 1 {
					for b := range a.bodies {
						body = b
					}
				}
				wants[s] = want{a.k, a.n, z, a.amt, body}
			}
		}
		got := flags[RoundAmount]
		if len(got) != len(wants) || len(wants) == 0 {
			t.Errorf("round_amount: %d suppliers flagged, the files give %d", len(got), len(wants))
		}
		for _, f := range got {
			w, ok := wants[f.Supplier]
			if !ok {
				t.Errorf("%s flagged, not by the files: %v", f.Supplier, f.Figures)
				continue
			}
			if f.Figures["round_payments"] != itoa(w.k) || f.Figures["payments"] != itoa(w.n) || !sameRat(f.Amount, w.amt) ||
				f.Buyer != w.body || f.Figures["dataset_share_pct"] != roundTo(100*base, 2) || !sameFigure(f.Figures["z"], w.z, 1) ||
				!sameFigure(f.Figures["share_pct"], 100*float64(w.k)/float64(w.n), 1) {
				t.Errorf("%s: flag %v amount %s buyer %q; the files: %d of %d round, z %.2f, £%s, buyer %q, dataset %.4f%%",
					f.Supplier, f.Figures, f.Amount, f.Buyer, w.k, w.n, w.z, w.amt.FloatString(2), w.body, 100*base)
			}
			if len(f.Records) != w.k || len(f.Evidence) != min(w.k, MaxEvidence) {
				t.Errorf("%s: %d records, %d evidence; want %d round payments", f.Supplier, len(f.Records), len(f.Evidence), w.k)
			}
		}
		t.Logf("round_amount: %d suppliers; %d of %d payments of £1,000 or more are round (%.2f%%)", len(wants), rounds, all, 100*base)
	})

	t.Run("year_end_spike", func(t *testing.T) {
		// Fiscal years end in March (GB); only years the files cover from
		// April to March.
		end := FiscalYearEnd("GB")
		var m0, m1 time.Time
		type key struct {
			body string
			fy   int
		}
		type acc struct {
			n         int
			total, la *big.Rat
			lastN     int
		}
		per := map[key]*acc{}
		for _, x := range pays {
			m := time.Date(x.date.Year(), x.date.Month(), 1, 0, 0, 0, 0, time.UTC)
			if m0.IsZero() || m.Before(m0) {
				m0 = m
			}
			if m.After(m1) {
				m1 = m
			}
			if x.body == "" {
				continue
			}
			fy := x.date.Year()
			if int(x.date.Month()) > end {
				fy++
			}
			k := key{x.body, fy}
			a := per[k]
			if a == nil {
				a = &acc{total: new(big.Rat), la: new(big.Rat)}
				per[k] = a
			}
			a.n++
			a.total.Add(a.total, x.amount)
			if int(x.date.Month()) == end {
				a.la.Add(a.la, x.amount)
				a.lastN++
			}
		}
		type want struct {
			last, rest *big.Rat
			n, lastN   int
		}
		wants := map[key]want{}
		for k, a := range per {
			first := time.Date(k.fy-1, time.Month(end+1), 1, 0, 0, 0, 0, time.UTC)
			last := time.Date(k.fy, time.Month(end), 1, 0, 0, 0, 0, time.UTC)
			rest := new(big.Rat).Sub(a.total, a.la)
			// last ≥ ratio × rest / 11, exactly.
			lhs := new(big.Rat).Mul(a.la, big.NewRat(11, 1))
			rhs := new(big.Rat).Mul(rest, rat(t, num(p.YearEndRatio)))
			if first.Before(m0) || last.After(m1) || a.n < p.YearEndMinRecords || rest.Sign() <= 0 || lhs.Cmp(rhs) < 0 {
				continue
			}
			wants[k] = want{a.la, rest, a.n, a.lastN}
		}
		got := flags[YearEndSpike]
		if len(got) != len(wants) {
			t.Errorf("year_end_spike: %d flags, the files give %d", len(got), len(wants))
		}
		checked := 0
		for _, f := range got {
			k := key{f.Buyer, f.Year}
			w, ok := wants[k]
			if !ok {
				t.Errorf("%v flagged, not by the files: %v", k, f.Figures)
				continue
			}
			checked++
			ratio := 11 * ratFloat(w.last) / ratFloat(w.rest)
			avg := new(big.Rat).Quo(w.rest, big.NewRat(11, 1))
			if !sameRat(f.Amount, w.last) || !sameRat(f.Figures["last_month_amount"], w.last) || f.Figures["records"] != itoa(w.n) ||
				!sameFigure(f.Figures["ratio"], ratio, 2) || f.Figures["average_other_month"] != avg.FloatString(2) ||
				f.Figures["last_month"] != fmt.Sprintf("%d-%02d", k.fy, end) {
				t.Errorf("%v: flag %v; the files: March £%s, other months £%s, ratio %.4f, %d payments",
					k, f.Figures, w.last.FloatString(2), w.rest.FloatString(2), ratio, w.n)
			}
			if len(f.Records) != w.lastN {
				t.Errorf("%v: %d records, %d payments in March", k, len(f.Records), w.lastN)
			}
		}
		fys := 0
		for k := range per {
			if k.body == "Manchester City Council" {
				fys++
			}
		}
		t.Logf("year_end_spike: %d of %d council fiscal years flagged (files %s to %s)", checked, fys, m0.Format("2006-01"), m1.Format("2006-01"))
	})

	t.Run("split_purchase", func(t *testing.T) {
		checkSplits(t, flags[SplitPurchase], splitRecordsOf(pays), p, "GBP")
	})
}

// splitRecord is one award, contract or payment as split_purchase sees it.
type splitRecord struct {
	buyer, supplier, currency string
	date                      time.Time
	amount                    *big.Rat
	ocid                      string // contracts only
}

func splitRecordsOf(pays []payment) []splitRecord {
	out := make([]splitRecord, 0, len(pays))
	for _, x := range pays {
		out = append(out, splitRecord{buyer: x.body, supplier: x.supplier, currency: "GBP", date: x.date, amount: x.amount})
	}
	return out
}

// checkSplits computes split_purchase runs from records: per buyer,
// supplier and currency, the records in [margin × threshold, threshold),
// in date order, cut where one comes more than the window after the
// previous; a run of two or more whose total reaches the threshold is a
// flag.
func checkSplits(t *testing.T, got []Flag, recs []splitRecord, p Params, currency string) {
	t.Helper()
	limit := rat(t, p.SplitThresholds[currency])
	// The margin as the decimal fraction it is written as (0.9), not its
	// binary double.
	floor := new(big.Rat).Mul(limit, rat(t, num(p.SplitMargin)))
	type pair struct{ buyer, supplier string }
	near := map[pair][]splitRecord{}
	for _, r := range recs {
		if r.buyer == "" || r.supplier == "" || r.currency != currency || r.amount.Cmp(floor) < 0 || r.amount.Cmp(limit) >= 0 {
			continue
		}
		k := pair{r.buyer, r.supplier}
		near[k] = append(near[k], r)
	}
	type run struct {
		n           int
		total       *big.Rat
		first, last time.Time
		ocids       []string
	}
	type key struct {
		buyer, supplier, first string
	}
	wants := map[key]run{}
	window := time.Duration(p.SplitWindowDays) * 24 * time.Hour
	for k, rs := range near {
		slices.SortStableFunc(rs, func(a, b splitRecord) int { return a.date.Compare(b.date) })
		flush := func(c []splitRecord) {
			if len(c) < 2 {
				return
			}
			tot := new(big.Rat)
			var ocids []string
			for _, r := range c {
				tot.Add(tot, r.amount)
				if r.ocid != "" {
					ocids = append(ocids, r.ocid)
				}
			}
			if tot.Cmp(limit) >= 0 {
				slices.Sort(ocids)
				wants[key{k.buyer, k.supplier, c[0].date.Format("2006-01-02")}] = run{len(c), tot, c[0].date, c[len(c)-1].date, slices.Compact(ocids)}
			}
		}
		start := 0
		for i := 1; i <= len(rs); i++ {
			if i == len(rs) || rs[i].date.Sub(rs[i-1].date) > window {
				flush(rs[start:i])
				start = i
			}
		}
	}
	n := 0
	for _, f := range got {
		if f.Currency != currency {
			continue
		}
		n++
		k := key{f.Buyer, f.Supplier, f.Figures["first_date"]}
		w, ok := wants[k]
		if !ok {
			t.Errorf("split %v flagged, not by the records: %v", k, f.Figures)
			continue
		}
		if f.Figures["records"] != itoa(w.n) || !sameRat(f.Figures["total"], w.total) || !sameRat(f.Amount, w.total) ||
			f.Figures["last_date"] != w.last.Format("2006-01-02") || !sameRat(f.Figures["threshold"], limit) || !sameRat(f.Figures["floor"], floor) ||
			f.Figures["span_days"] != itoa(int(w.last.Sub(w.first).Hours()/24)) {
			t.Errorf("split %v: flag %v; the records: %d, total %s, %s to %s", k, f.Figures, w.n, w.total.FloatString(2), w.first.Format(time.DateOnly), w.last.Format(time.DateOnly))
		}
		if w.ocids != nil && w.n <= MaxEvidence {
			var ev []string
			for _, e := range f.Evidence {
				ev = append(ev, e.OCID)
			}
			slices.Sort(ev)
			if ev = slices.Compact(ev); !slices.Equal(ev, w.ocids) {
				t.Errorf("split %v: evidence ocids %v, the records %v", k, ev, w.ocids)
			}
		}
		if len(f.Evidence) != min(w.n, MaxEvidence) {
			t.Errorf("split %v: %d evidence records, want %d", k, len(f.Evidence), min(w.n, MaxEvidence))
		}
	}
	if n != len(wants) || n == 0 {
		t.Errorf("split_purchase %s: %d runs flagged, the records give %d", currency, n, len(wants))
	}
	t.Logf("split_purchase %s: %d runs just under %s", currency, len(wants), limit.FloatString(0))
}
