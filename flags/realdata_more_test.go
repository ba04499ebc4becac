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
	"encoding/json"
	"fmt"
	"hash/fnv"
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
	"github.com/mizan-budget/mizan/ocds"
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
		if len(got) != len(wants) || len(wants) == 0 {
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

// canadaRelease is what the tests read of a release of Canada's 2014 draft
// schema: every release is one event (award or amendment) of one
// contract, with one award, one supplier and one contract.
type canadaRelease struct {
	OCID  string `json:"ocid"`
	Buyer struct {
		ID struct {
			Name string `json:"name"`
		} `json:"id"`
	} `json:"buyer"`
	Awards []struct {
		AwardDate string `json:"awardDate"`
		Notice    struct {
			ID string `json:"id"`
		} `json:"notice"`
		Suppliers []struct {
			ID struct {
				Name string `json:"name"`
				UID  string `json:"uid"`
			} `json:"id"`
		} `json:"suppliers"`
	} `json:"awards"`
	Contracts []struct {
		ID struct {
			Name string `json:"name"`
		} `json:"id"`
		AwardNotice struct {
			ID string `json:"id"`
		} `json:"awardNotice"`
		ContractValue struct {
			Amount string `json:"amount"`
		} `json:"contractValue"`
		ContractPeriod struct {
			StartDate string `json:"startDate"`
		} `json:"contractPeriod"`
	} `json:"contracts"`
}

// canadaContracts returns the money records of Canada's contract history
// as the draft releases give them, by ocid and contract id: the OCDS merge
// of one ocid's events in date order (the award date; file order breaks
// ties), so a contract's value is that of its latest event with one, its
// date the date of its award's latest event, its supplier the first
// supplier its award names, under that supplier's latest spelling; buyers
// and suppliers are entities of their names as ocds.NormalizeName folds
// them (the draft has no identifiers).
func canadaContracts(t *testing.T, rels []canadaRelease) []splitRecord {
	t.Helper()
	byOCID := map[string][]canadaRelease{}
	var order []string
	for _, r := range rels {
		o := strings.TrimSpace(r.OCID)
		if _, ok := byOCID[o]; !ok {
			order = append(order, o)
		}
		byOCID[o] = append(byOCID[o], r)
	}
	var out []splitRecord
	for _, o := range order {
		rs := byOCID[o]
		date := func(r canadaRelease) string {
			if len(r.Awards) > 0 {
				return r.Awards[0].AwardDate
			}
			return ""
		}
		slices.SortStableFunc(rs, func(a, b canadaRelease) int {
			da, db := date(a), date(b)
			switch {
			case da == db:
				return 0
			case da == "":
				return 1
			case db == "":
				return -1
			}
			return strings.Compare(da, db)
		})
		buyer := ""
		awardDate := map[string]string{}
		awardSupplier := map[string]string{}
		supplierName := map[string]string{}
		type contract struct {
			amount, award, start string
		}
		contracts := map[string]*contract{}
		var cids []string
		for _, r := range rs {
			if n := strings.TrimSpace(strings.TrimPrefix(r.Buyer.ID.Name, "constant:")); n != "" {
				buyer = n
			}
			for _, a := range r.Awards {
				if a.AwardDate != "" {
					awardDate[a.Notice.ID] = a.AwardDate
				}
				for _, s := range a.Suppliers {
					name, uid := strings.TrimSpace(s.ID.Name), strings.TrimSpace(s.ID.UID)
					uid = cmpOr(uid, name)
					name = cmpOr(name, uid)
					if uid == "" {
						continue
					}
					supplierName[uid] = name
					if _, ok := awardSupplier[a.Notice.ID]; !ok {
						awardSupplier[a.Notice.ID] = uid
					}
				}
			}
			for _, c := range r.Contracts {
				id := strings.TrimSpace(c.ID.Name)
				ct := contracts[id]
				if ct == nil {
					ct = &contract{}
					contracts[id] = ct
					cids = append(cids, id)
				}
				if v := strings.TrimSpace(c.ContractValue.Amount); v != "" {
					ct.amount = v
				}
				if c.AwardNotice.ID != "" {
					ct.award = c.AwardNotice.ID
				}
				if c.ContractPeriod.StartDate != "" {
					ct.start = c.ContractPeriod.StartDate
				}
			}
		}
		for _, id := range cids {
			ct := contracts[id]
			v, ok := new(big.Rat).SetString(strings.ReplaceAll(ct.amount, ",", ""))
			if !ok {
				continue
			}
			uid := awardSupplier[ct.award]
			if uid == "" && len(awardDate) == 1 {
				for _, u := range awardSupplier {
					uid = u
				}
			}
			rec := splitRecord{currency: "CAD", amount: v, ocid: o}
			if buyer != "" {
				rec.buyer = "name:" + ocds.NormalizeName(buyer)
			}
			if uid != "" {
				rec.supplier = "name:" + ocds.NormalizeName(supplierName[uid])
			}
			if d, err := time.Parse("2006-01-02", cmpOr(awardDate[ct.award], ct.start)); err == nil {
				rec.date = d
			}
			out = append(out, rec)
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestCanadaMoneyFlags checks supplier_concentration,
// new_supplier_large_award and split_purchase on Canada's contract history
// against the contracts read from the draft JSON (canadaContracts) with the
// documented definitions and default parameters.
func TestCanadaMoneyFlags(t *testing.T) {
	dir := datasetDir(t, "ocds-canada-buyandsell-2014")
	if testing.Short() {
		t.Skip("43,086 releases: skipped with -short")
	}
	releases := canadaReleases(t, dir)
	var rels []canadaRelease
	var kept []json.RawMessage
	for _, m := range releases {
		var r canadaRelease
		if err := json.Unmarshal(m, &r); err != nil {
			t.Fatal(err)
		}
		rels = append(rels, r)
		kept = append(kept, m)
	}
	if raceEnabled {
		// Under the race detector, one process in eight by a hash of the
		// ocid, as in TestCanadaNonCompetitive, and every process with a
		// contract event just under CAD 25,000, so that split runs (which
		// span processes) survive the sampling.
		keep := map[string]bool{}
		lo, hi := big.NewRat(22500, 1), big.NewRat(25000, 1)
		for _, r := range rels {
			h := fnv.New32a()
			h.Write([]byte(r.OCID))
			in := h.Sum32()%8 == 0
			for _, c := range r.Contracts {
				if v, ok := new(big.Rat).SetString(c.ContractValue.Amount); ok && v.Cmp(lo) >= 0 && v.Cmp(hi) < 0 {
					in = true
				}
			}
			if in {
				keep[r.OCID] = true
			}
		}
		var rs []canadaRelease
		var ms []json.RawMessage
		for i, r := range rels {
			if keep[r.OCID] {
				rs, ms = append(rs, r), append(ms, kept[i])
			}
		}
		rels, kept = rs, ms
	}
	db := openDB(t)
	path := filepath.Join(dir, "contracts_releases_compact.json.zip")
	if raceEnabled {
		b, err := json.Marshal(map[string]any{"releases": kept})
		if err != nil {
			t.Fatal(err)
		}
		path = filepath.Join(t.TempDir(), "canada-part.json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ingestContracts(t, db, "canada", path)
	recs := canadaContracts(t, rels)
	p := DefaultParams()
	flags := byCode(compute(t, db, "canada", p))

	t.Run("supplier_concentration", func(t *testing.T) {
		type key struct {
			buyer string
			year  int
		}
		type acc struct {
			n     int
			total *big.Rat
			by    map[string]*big.Rat
			count map[string]int
		}
		per := map[key]*acc{}
		for _, r := range recs {
			if r.buyer == "" || r.supplier == "" || r.date.IsZero() || r.amount.Sign() <= 0 {
				continue
			}
			k := key{r.buyer, r.date.Year()}
			a := per[k]
			if a == nil {
				a = &acc{total: new(big.Rat), by: map[string]*big.Rat{}, count: map[string]int{}}
				per[k] = a
			}
			a.n++
			a.total.Add(a.total, r.amount)
			if a.by[r.supplier] == nil {
				a.by[r.supplier] = new(big.Rat)
			}
			a.by[r.supplier].Add(a.by[r.supplier], r.amount)
			a.count[r.supplier]++
		}
		type want struct {
			hhi          float64
			top          string
			topAmt       *big.Rat
			topN         int
			suppliers, n int
			total        *big.Rat
		}
		wants := map[key]want{}
		for k, a := range per {
			// HHI = 10,000 × Σ share², exactly.
			sq := new(big.Rat)
			top := ""
			for s, v := range a.by {
				sq.Add(sq, new(big.Rat).Mul(v, v))
				if top == "" || v.Cmp(a.by[top]) > 0 || v.Cmp(a.by[top]) == 0 && s < top {
					top = s
				}
			}
			hhi := new(big.Rat).Quo(new(big.Rat).Mul(sq, big.NewRat(10000, 1)), new(big.Rat).Mul(a.total, a.total))
			if a.n < p.ConcentrationMinRecords || len(a.by) < p.ConcentrationMinSuppliers || hhi.Cmp(rat(t, num(p.ConcentrationHHI))) <= 0 {
				continue
			}
			wants[k] = want{ratFloat(hhi), top, a.by[top], a.count[top], len(a.by), a.n, a.total}
		}
		got := flags[SupplierConcentration]
		if len(got) != len(wants) || len(wants) == 0 {
			t.Errorf("supplier_concentration: %d buyer-years flagged, the JSON gives %d", len(got), len(wants))
		}
		for _, f := range got {
			k := key{f.Buyer, f.Year}
			w, ok := wants[k]
			if !ok {
				t.Errorf("%v flagged, not by the JSON: %v", k, f.Figures)
				continue
			}
			if !sameFigure(f.Figures["hhi"], w.hhi, 1) || f.Supplier != w.top || !sameRat(f.Figures["top_supplier_value"], w.topAmt) ||
				!sameRat(f.Amount, w.topAmt) || f.Figures["suppliers"] != itoa(w.suppliers) || f.Figures["records"] != itoa(w.n) ||
				!sameRat(f.Figures["total_value"], w.total) || !sameFigure(f.Figures["top_supplier_share_pct"], 100*ratFloat(w.topAmt)/ratFloat(w.total), 1) {
				t.Errorf("%v: flag %v top %s; the JSON: HHI %.2f, top %s (%s of %s), %d suppliers, %d contracts",
					k, f.Figures, f.Supplier, w.hhi, w.top, w.topAmt.FloatString(2), w.total.FloatString(2), w.suppliers, w.n)
			}
			if len(f.Evidence) != min(w.topN, MaxEvidence) {
				t.Errorf("%v: %d evidence records, the top supplier has %d contracts", k, len(f.Evidence), w.topN)
			}
		}
		t.Logf("supplier_concentration: %d of %d buyer-years", len(wants), len(per))
	})

	t.Run("new_supplier_large_award", func(t *testing.T) {
		var d0 time.Time
		first := map[string]time.Time{}
		byBuyer := map[string][]*big.Rat{}
		for _, r := range recs {
			if !r.date.IsZero() {
				if d0.IsZero() || r.date.Before(d0) {
					d0 = r.date
				}
				if f, ok := first[r.supplier]; r.supplier != "" && (!ok || r.date.Before(f)) {
					first[r.supplier] = r.date
				}
			}
			if r.buyer != "" {
				byBuyer[r.buyer] = append(byBuyer[r.buyer], r.amount)
			}
		}
		// The discrete quantile q of n sorted amounts: the smallest amount
		// with at least q × n amounts at or below it (index ⌈q·n⌉ − 1).
		quant := map[string]*big.Rat{}
		for b, vs := range byBuyer {
			if len(vs) < p.NewSupplierMinBuyerRecords {
				continue
			}
			slices.SortFunc(vs, func(a, b *big.Rat) int { return a.Cmp(b) })
			i := int(math.Ceil(p.NewSupplierQuantile*float64(len(vs)))) - 1
			quant[b] = vs[max(i, 0)]
		}
		type want struct {
			amount, q *big.Rat
			ocid      string
			date      time.Time
		}
		wants := map[string]want{}
		warm := d0.AddDate(0, 0, p.NewSupplierWarmupDays)
		for _, r := range recs {
			q := quant[r.buyer]
			if r.supplier == "" || r.date.IsZero() || !r.date.Equal(first[r.supplier]) || q == nil || q.Sign() <= 0 ||
				r.date.Before(warm) || r.amount.Cmp(q) <= 0 {
				continue
			}
			if w, ok := wants[r.supplier]; !ok || r.amount.Cmp(w.amount) > 0 {
				wants[r.supplier] = want{r.amount, q, r.ocid, r.date}
			}
		}
		got := flags[NewSupplierLargeAward]
		if len(got) != len(wants) || len(wants) == 0 {
			t.Errorf("new_supplier_large_award: %d suppliers flagged, the JSON gives %d", len(got), len(wants))
			seen := map[string]bool{}
			for _, f := range got {
				seen[f.Supplier] = true
			}
			for s, w := range wants {
				if !seen[s] {
					t.Logf("not flagged: %s %s %s %s q %s", s, w.ocid, w.date.Format(time.DateOnly), w.amount.FloatString(2), w.q.FloatString(2))
				}
			}
		}
		for _, f := range got {
			w, ok := wants[f.Supplier]
			if !ok {
				t.Errorf("%s flagged, not by the JSON: %v", f.Supplier, f.Figures)
				continue
			}
			if !sameRat(f.Amount, w.amount) || !sameRat(f.Figures["buyer_quantile_value"], w.q) || f.OCID != w.ocid ||
				f.Figures["first_date"] != w.date.Format(time.DateOnly) || f.Figures["dataset_start"] != d0.Format(time.DateOnly) ||
				!sameFigure(f.Figures["ratio"], ratFloat(w.amount)/ratFloat(w.q), 2) {
				t.Errorf("%s: flag %s %s %v; the JSON: %s on %s (%s), buyer quantile %s", f.Supplier, f.OCID, f.Amount, f.Figures,
					w.amount.FloatString(2), w.date.Format(time.DateOnly), w.ocid, w.q.FloatString(2))
			}
		}
		t.Logf("new_supplier_large_award: %d suppliers; %d buyers with %d contracts or more; records from %s", len(wants), len(quant),
			p.NewSupplierMinBuyerRecords, d0.Format(time.DateOnly))
	})

	t.Run("split_purchase", func(t *testing.T) {
		checkSplits(t, flags[SplitPurchase], recs, p, "CAD")
	})
}

// ocdsProcess is what the tender-side flags read of one compiled process,
// merged here from its releases.
type ocdsProcess struct {
	ocid, method                string
	tenderers                   int // -1: not published
	start, end                  string
	estimate, estimateCur       string
	amount                      *big.Rat // the contracts' sum, else the awards'; nil when none or mixed currencies
	currency                    string
	contracts                   []ocdsContract
	hasContracts, hasTenderInfo bool
}

type ocdsContract struct {
	id                   string
	initial, final       string
	initialCur, finalCur string
}

// mergeReleases compiles one ocid's releases (already in date order) for
// the fields the tender-side flags use, with the OCDS merge rules: a later
// release's field wins; awards and contracts are merged by id (the n-th
// object with an id in one release merging with the n-th of that id in
// another); numberOfTenderers, else the number of tenderers listed.
func mergeReleases(ocid string, rels []map[string]any) ocdsProcess {
	p := ocdsProcess{ocid: ocid, tenderers: -1}
	str := func(v any) string {
		switch x := v.(type) {
		case string:
			return strings.TrimSpace(x)
		case json.Number:
			return x.String()
		}
		return ""
	}
	obj := func(v any) map[string]any { m, _ := v.(map[string]any); return m }
	type val struct{ amount, cur string }
	value := func(v any) (val, bool) {
		m := obj(v)
		if m == nil || str(m["amount"]) == "" {
			return val{}, false
		}
		return val{str(m["amount"]), strings.ToUpper(str(m["currency"]))}, true
	}
	listed := -1
	type item struct {
		first, last val
		seen        bool
	}
	merge := func(key string, r map[string]any, into map[string]*item, order *[]string) {
		arr, _ := r[key].([]any)
		n := map[string]int{}
		for _, x := range arr {
			m := obj(x)
			id := str(m["id"])
			n[id]++
			k := fmt.Sprintf("%s#%d", id, n[id])
			it := into[k]
			if it == nil {
				it = &item{}
				into[k] = it
				*order = append(*order, k)
			}
			if v, ok := value(m["value"]); ok {
				if !it.seen {
					it.first, it.seen = v, true
				}
				it.last = v
			}
		}
	}
	awards, contracts := map[string]*item{}, map[string]*item{}
	var aOrder, cOrder []string
	for _, r := range rels {
		if t := obj(r["tender"]); t != nil {
			if m := str(t["procurementMethod"]); m != "" {
				p.method = strings.ToLower(m)
			}
			if n := str(t["numberOfTenderers"]); n != "" {
				fmt.Sscan(n, &p.tenderers)
			}
			if ts, ok := t["tenderers"].([]any); ok && len(ts) > 0 {
				listed = len(ts)
			}
			if tp := obj(t["tenderPeriod"]); tp != nil {
				if s := str(tp["startDate"]); len(s) >= 10 {
					p.start = s[:10]
				}
				if e := str(tp["endDate"]); len(e) >= 10 {
					p.end = e[:10]
				}
			}
			if v, ok := value(t["value"]); ok {
				p.estimate, p.estimateCur = v.amount, v.cur
			}
		}
		merge("awards", r, awards, &aOrder)
		merge("contracts", r, contracts, &cOrder)
	}
	if p.tenderers < 0 {
		p.tenderers = listed
	}
	sum := func(items map[string]*item, order []string) {
		for _, k := range order {
			it := items[k]
			if !it.seen {
				continue
			}
			v, ok := new(big.Rat).SetString(it.last.amount)
			if !ok {
				continue
			}
			if p.amount == nil {
				p.amount, p.currency = new(big.Rat), it.last.cur
			} else if p.currency != it.last.cur {
				p.currency = "mixed"
			}
			p.amount.Add(p.amount, v)
		}
	}
	if len(cOrder) > 0 {
		p.hasContracts = true
		sum(contracts, cOrder)
	} else {
		sum(awards, aOrder)
	}
	if p.currency == "mixed" {
		p.amount, p.currency = nil, ""
	}
	for _, k := range cOrder {
		it := contracts[k]
		if it.seen {
			p.contracts = append(p.contracts, ocdsContract{id: k[:strings.LastIndex(k, "#")], initial: it.first.amount, initialCur: it.first.cur,
				final: it.last.amount, finalCur: it.last.cur})
		}
	}
	return p
}

// readOCDSReleases reads every release of the JSON files under dir
// (release packages or single releases), grouped by ocid, each group in
// date order (file order breaking ties, undated releases last).
func readOCDSReleases(t *testing.T, dir string) map[string][]map[string]any {
	t.Helper()
	type rel struct {
		m map[string]any
		d time.Time
	}
	by := map[string][]rel{}
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rels := []any{doc}
		if rs, ok := doc["releases"].([]any); ok {
			rels = rs
		}
		for _, x := range rels {
			m, _ := x.(map[string]any)
			ocid, _ := m["ocid"].(string)
			if ocid == "" {
				continue
			}
			ds, _ := m["date"].(string)
			d, err := time.Parse(time.RFC3339Nano, ds)
			if err != nil {
				d, _ = time.Parse("2006-01-02", ds)
			}
			by[ocid] = append(by[ocid], rel{m, d.Truncate(time.Second)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for o, rs := range by {
		slices.SortStableFunc(rs, func(a, b rel) int {
			switch {
			case a.d.IsZero() && b.d.IsZero():
				return 0
			case a.d.IsZero():
				return 1
			case b.d.IsZero():
				return -1
			}
			return a.d.Compare(b.d)
		})
		for _, r := range rs {
			out[o] = append(out[o], r.m)
		}
	}
	return out
}

// TestRealExamplesTenderFlags checks single_bidder, short_tender,
// above_estimate and amendment_increase, which Canada's 2014 data cannot
// raise (it publishes no tenderers, tender periods with a start, estimates
// or value changes), on three publications of ocds-real-examples that
// have those fields: Mexico City's finance secretariat (numberOfTenderers,
// short selective tenders, contract values doubled across releases), the
// Mexico City airport group (292 processes with estimates and tender
// periods) and Moldova (tender periods under methods Mizan cannot
// classify). The expected flags come from the release JSON merged here
// (mergeReleases).
func TestRealExamplesTenderFlags(t *testing.T) {
	base := datasetDir(t, "ocds-real-examples")
	var dirs []string
	for _, d := range []string{"mexico/cdmx", "mexico/grupo-aeroportuario", "moldova"} {
		dirs = append(dirs, filepath.Join(base, d, "sample", "releases"))
	}
	db := openDB(t)
	ingestContracts(t, db, "ocds-real", dirs...)
	procs := map[string]ocdsProcess{}
	for _, d := range dirs {
		for ocid, rels := range readOCDSReleases(t, d) {
			procs[ocid] = mergeReleases(ocid, rels)
		}
	}
	p := DefaultParams()
	flags := byCode(compute(t, db, "ocds-real", p))
	competitive := func(m string) (bool, bool) {
		switch m {
		case "open", "selective":
			return true, true
		case "limited", "direct":
			return false, true
		}
		return false, false
	}
	// check compares the flags of one code, keyed by ocid (and contract),
	// with the expected figures.
	check := func(t *testing.T, code string, key func(Flag) string, want map[string]map[string]string, amounts map[string]string) {
		t.Helper()
		got := flags[code]
		if len(got) != len(want) || len(want) == 0 {
			t.Errorf("%s: %d flags, the JSON gives %d", code, len(got), len(want))
		}
		for _, f := range got {
			k := key(f)
			w, ok := want[k]
			if !ok {
				t.Errorf("%s: %s flagged, not by the JSON: %v", code, k, f.Figures)
				continue
			}
			for name, v := range w {
				if g := f.Figures[name]; g != v && !sameDecimal(g, v) {
					t.Errorf("%s %s: %s = %q, the JSON %q", code, k, name, g, v)
				}
			}
			if a := amounts[k]; a != f.Amount && !sameDecimal(f.Amount, a) {
				t.Errorf("%s %s: amount %q, the JSON %q", code, k, f.Amount, a)
			}
		}
		t.Logf("%s: %d flags", code, len(want))
	}
	byOCID := func(f Flag) string { return f.OCID }

	t.Run("single_bidder", func(t *testing.T) {
		want, amounts := map[string]map[string]string{}, map[string]string{}
		for o, pr := range procs {
			if c, known := competitive(pr.method); known && c && pr.tenderers == 1 {
				want[o] = map[string]string{"tenderers": "1", "method": pr.method}
				amounts[o] = ratString(pr.amount)
			}
		}
		check(t, SingleBidder, byOCID, want, amounts)
	})

	t.Run("short_tender", func(t *testing.T) {
		want, amounts := map[string]map[string]string{}, map[string]string{}
		for o, pr := range procs {
			c, known := competitive(pr.method)
			s, err1 := time.Parse(time.DateOnly, pr.start)
			e, err2 := time.Parse(time.DateOnly, pr.end)
			if known && !c || err1 != nil || err2 != nil {
				continue
			}
			days := int(e.Sub(s).Hours() / 24)
			if days < 0 || days >= p.ShortTenderDays {
				continue
			}
			want[o] = map[string]string{"tender_days": itoa(days), "threshold_days": itoa(p.ShortTenderDays), "tender_start": pr.start,
				"tender_end": pr.end, "method": pr.method}
			amounts[o] = ratString(pr.amount)
			if pr.amount == nil {
				amounts[o] = pr.estimate
			}
		}
		check(t, ShortTender, byOCID, want, amounts)
	})

	t.Run("above_estimate", func(t *testing.T) {
		want, amounts := map[string]map[string]string{}, map[string]string{}
		limit := new(big.Rat).Add(big.NewRat(1, 1), rat(t, num(p.AboveEstimate)))
		for o, pr := range procs {
			est, ok := new(big.Rat).SetString(pr.estimate)
			if !ok || est.Sign() <= 0 || pr.amount == nil || pr.currency != pr.estimateCur ||
				pr.amount.Cmp(new(big.Rat).Mul(est, limit)) <= 0 {
				continue
			}
			excess := new(big.Rat).Sub(pr.amount, est)
			pctv := 100 * ratFloat(excess) / ratFloat(est)
			want[o] = map[string]string{"estimate": est.RatString(), "awarded": pr.amount.RatString(), "excess": excess.RatString(),
				"excess_pct": roundTo(pctv, 1)}
			amounts[o] = excess.RatString()
		}
		check(t, AboveEstimate, byOCID, want, amounts)
	})

	t.Run("amendment_increase", func(t *testing.T) {
		want, amounts := map[string]map[string]string{}, map[string]string{}
		limit := new(big.Rat).Add(big.NewRat(1, 1), rat(t, num(p.AmendmentIncrease)))
		for o, pr := range procs {
			for _, c := range pr.contracts {
				first, ok1 := new(big.Rat).SetString(c.initial)
				last, ok2 := new(big.Rat).SetString(c.final)
				if !ok1 || !ok2 || first.Sign() <= 0 || c.initialCur != c.finalCur || last.Cmp(new(big.Rat).Mul(first, limit)) <= 0 {
					continue
				}
				inc := new(big.Rat).Sub(last, first)
				k := o + " " + c.id
				want[k] = map[string]string{"initial_amount": first.RatString(), "final_amount": last.RatString(), "increase": inc.RatString(),
					"increase_pct": roundTo(100*ratFloat(inc)/ratFloat(first), 1), "contract_id": c.id}
				amounts[k] = inc.RatString()
			}
		}
		check(t, AmendmentIncrease, func(f Flag) string { return f.OCID + " " + f.Figures["contract_id"] }, want, amounts)
	})
}

// sameDecimal reports whether two texts are the same decimal number
// ("1311264.00" and "1311264").
func sameDecimal(a, b string) bool {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && x.Cmp(y) == 0
}

// ratString is an exact decimal's text, "" for none.
func ratString(r *big.Rat) string {
	if r == nil {
		return ""
	}
	return r.RatString()
}
