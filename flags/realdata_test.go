package flags

// Red flags on real public data, each compared with an independent pass
// over the raw files written here (encoding/json, encoding/csv, math/big):
// the non-competitive awards of Canada's 2014 contract history and the
// duplicate payments of Manchester City Council.

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"encoding/json"
	"hash/fnv"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/ocds"
)

// canadaReleases reads the releases of Canada's zipped release package in
// dir, undecoded.
func canadaReleases(t *testing.T, dir string) []json.RawMessage {
	t.Helper()
	zr, err := zip.OpenReader(filepath.Join(dir, "contracts_releases_compact.json.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Releases []json.RawMessage `json:"releases"`
	}
	err = json.NewDecoder(rc).Decode(&raw)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	return raw.Releases
}

// TestCanadaNonCompetitive counts the awards of non-competitive processes
// per buyer: the flag with a zero share threshold and a minimum of one
// process lists every buyer-year with such awards, so its figures must add
// up to what a plain reading of the JSON gives.
func TestCanadaNonCompetitive(t *testing.T) {
	dir := datasetDir(t, "ocds-canada-buyandsell-2014")
	if testing.Short() {
		t.Skip("43,086 releases: skipped with -short")
	}
	// Independent: every release of the draft schema is one event of one
	// contract; a process's method and buyer are those of its latest event
	// (by award date, file order breaking ties), its awards the distinct
	// award notice ids over all its events.
	releases := canadaReleases(t, dir)
	type release struct {
		OCID  string `json:"ocid"`
		Buyer struct {
			ID struct {
				Name string `json:"name"`
			} `json:"id"`
		} `json:"buyer"`
		Formation struct {
			Method string `json:"method"`
		} `json:"formation"`
		Awards []struct {
			AwardDate string `json:"awardDate"`
			Notice    struct {
				ID string `json:"id"`
			} `json:"notice"`
		} `json:"awards"`
	}
	var doc struct{ Releases []release }
	keep := map[string]bool{}
	var kept []json.RawMessage
	for _, m := range releases {
		var r release
		if err := json.Unmarshal(m, &r); err != nil {
			t.Fatal(err)
		}
		// Under the race detector the ingest is ten times slower: the
		// releases of one process in eight (chosen by a hash of the ocid,
		// so every buyer is represented) keep the package within a minute.
		if raceEnabled {
			in, ok := keep[r.OCID]
			if !ok {
				h := fnv.New32a()
				h.Write([]byte(r.OCID))
				in = h.Sum32()%8 == 0
				keep[r.OCID] = in
			}
			if !in {
				continue
			}
		}
		doc.Releases = append(doc.Releases, r)
		kept = append(kept, m)
	}
	db := openDB(t)
	if raceEnabled {
		b, err := json.Marshal(map[string]any{"releases": kept})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "canada-part.json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ingestContracts(t, db, "canada", path)
	} else {
		// The contract history only: the tender notices beside it add
		// processes without awards.
		ingestContracts(t, db, "canada", filepath.Join(dir, "contracts_releases_compact.json.zip"))
	}
	type latest struct{ date, method, buyer string }
	last := map[string]latest{}
	notices := map[string]map[string]bool{}
	for _, r := range doc.Releases {
		ocid := strings.TrimSpace(r.OCID)
		d := ""
		if len(r.Awards) > 0 {
			d = r.Awards[0].AwardDate
		}
		if l, ok := last[ocid]; !ok || d >= l.date {
			last[ocid] = latest{d, strings.TrimSpace(r.Formation.Method), strings.TrimSpace(strings.TrimPrefix(r.Buyer.ID.Name, "constant:"))}
		}
		if notices[ocid] == nil {
			notices[ocid] = map[string]bool{}
		}
		for _, a := range r.Awards {
			notices[ocid][a.Notice.ID] = true
		}
	}
	// Buyers are compared by entity: the name as ocds folds it (case,
	// punctuation, legal suffixes), which is how the ingest groups them.
	want := map[string]int{}
	total := 0
	for ocid, l := range last {
		if l.method != "Traditional Non-Competitive" {
			continue
		}
		n := len(notices[ocid])
		want["name:"+ocds.NormalizeName(l.buyer)] += n
		total += n
	}

	p := DefaultParams()
	p.NonCompetitiveShare, p.NonCompetitiveMinProcesses = 0, 1
	got := map[string]int{}
	gotTotal := 0
	for _, f := range compute(t, db, "canada", p) {
		if f.Code != NonCompetitiveShare {
			continue
		}
		n := int(atof(f.Figures["noncompetitive_awards"]))
		got[f.Buyer] += n
		gotTotal += n
	}
	if gotTotal != total || total == 0 {
		t.Errorf("non-competitive awards: flags count %d, the JSON %d", gotTotal, total)
	}
	if len(got) != len(want) {
		t.Errorf("buyers with non-competitive awards: flags %d, the JSON %d", len(got), len(want))
	}
	for b, n := range want {
		if got[b] != n {
			t.Errorf("%s: flags count %d non-competitive awards, the JSON %d", b, got[b], n)
		}
	}
	t.Logf("%d non-competitive awards by %d buyers", total, len(want))

	// With the defaults, every flag meets both thresholds and its evidence
	// is non-competitive processes of that buyer.
	for _, f := range compute(t, db, "canada", DefaultParams()) {
		if f.Code != NonCompetitiveShare {
			continue
		}
		if atof(f.Figures["share"]) < 0.5 || atof(f.Figures["noncompetitive_processes"]) < 3 || len(f.Evidence) == 0 {
			t.Errorf("flag below its thresholds: %+v", f)
		}
	}
}

// TestManchesterDuplicates compares duplicate_payment with a plain pass
// over the council's CSV files: payments with the same paying body,
// supplier, date and amount (positive), counted with encoding/csv and
// math/big.
func TestManchesterDuplicates(t *testing.T) {
	dir := datasetDir(t, "uk-manchester-spending-500")
	if testing.Short() {
		t.Skip("474,674 payments: skipped with -short")
	}
	d, err := ingest.Load("../datasets/manchester-spending.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if raceEnabled {
		// The race detector slows the ingest's parsers tenfold: two years
		// of files keep the package's tests within a minute.
		d.Sources = d.Sources[:24]
	}
	var paths []string
	for _, s := range d.Sources {
		paths = append(paths, filepath.Join(dir, s.Name))
	}
	type key struct{ body, supplier, date, amount string }
	groups := map[key]int{}
	txns := map[key]map[string]bool{} // distinct transaction numbers
	amounts := map[key]*big.Rat{}
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
			for _, name := range []string{"Body Name", "Supplier Name", "Invoice Payment Date", "Net Amount", "Amount", "Transaction Number"} {
				if strings.HasSuffix(strings.TrimSpace(h), name) && (name != "Amount" || strings.TrimSpace(h) == "Amount") {
					col[name] = i
				}
			}
		}
		amountCol, ok := col["Net Amount"]
		if !ok {
			amountCol = col["Amount"]
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			v, ok := new(big.Rat).SetString(strings.ReplaceAll(strings.TrimSpace(rec[amountCol]), ",", ""))
			if !ok || v.Sign() <= 0 {
				continue
			}
			k := key{strings.TrimSpace(rec[col["Body Name"]]), strings.TrimSpace(rec[col["Supplier Name"]]), strings.TrimSpace(rec[col["Invoice Payment Date"]]), v.RatString()}
			if k.supplier == "" || k.date == "" {
				continue
			}
			groups[k]++
			amounts[k] = v
			if _, ok := col["Transaction Number"]; ok {
				if n := strings.TrimSpace(rec[col["Transaction Number"]]); n != "" {
					if txns[k] == nil {
						txns[k] = map[string]bool{}
					}
					txns[k][n] = true
				}
			}
		}
		f.Close()
	}
	wantGroups, wantRows := 0, 0
	wantAtStake := new(big.Rat)
	for k, n := range groups {
		if n < 2 {
			continue
		}
		wantGroups++
		wantRows += n
		wantAtStake.Add(wantAtStake, new(big.Rat).Mul(amounts[k], big.NewRat(int64(n-1), 1)))
	}

	db := openDB(t)
	if _, err := ingest.Ingest(context.Background(), db, d, ingest.Options{From: dir}); err != nil {
		t.Fatal(err)
	}
	gotGroups, gotRows := 0, 0
	gotAtStake := new(big.Rat)
	for _, f := range compute(t, db, "manchester-spending", DefaultParams()) {
		if f.Code != DuplicatePayment {
			continue
		}
		gotGroups++
		gotRows += len(f.Records)
		v, ok := new(big.Rat).SetString(f.Amount)
		if !ok {
			t.Fatalf("amount %q", f.Amount)
		}
		gotAtStake.Add(gotAtStake, v)
		if f.Figures["copies"] != itoa(len(f.Records)) || len(f.Evidence) != min(len(f.Records), MaxEvidence) {
			t.Errorf("flag records: %+v", f)
		}
		k := key{f.Buyer, f.Supplier, f.Figures["date"], ""}
		if a, _ := new(big.Rat).SetString(f.Figures["amount"]); a != nil {
			k.amount = a.RatString()
		}
		if groups[k] != len(f.Records) {
			t.Errorf("%+v: %d payments in the files, %d flagged", k, groups[k], len(f.Records))
		}
	}
	if gotGroups != wantGroups || gotRows != wantRows || gotAtStake.Cmp(wantAtStake) != 0 {
		t.Errorf("duplicate payments: flags %d groups of %d payments, £%s at stake; the files %d groups of %d payments, £%s",
			gotGroups, gotRows, gotAtStake.FloatString(2), wantGroups, wantRows, wantAtStake.FloatString(2))
	}
	t.Logf("%d groups of duplicate payments, %d payments, £%s paid more than once", wantGroups, wantRows, wantAtStake.FloatString(2))

	// Copies under at least two different transaction numbers only.
	wantDistinct := 0
	for k, n := range groups {
		if n >= 2 && len(txns[k]) >= 2 {
			wantDistinct++
		}
	}
	p := DefaultParams()
	p.DuplicateMinTransactions = 2
	gotDistinct := 0
	for _, f := range compute(t, db, "manchester-spending", p) {
		if f.Code != DuplicatePayment {
			continue
		}
		gotDistinct++
		k := key{f.Buyer, f.Supplier, f.Figures["date"], ""}
		if a, _ := new(big.Rat).SetString(f.Figures["amount"]); a != nil {
			k.amount = a.RatString()
		}
		if len(txns[k]) < 2 || f.Figures["transactions"] != itoa(len(txns[k])) {
			t.Errorf("%+v: %d transaction numbers in the files, flag says %s", k, len(txns[k]), f.Figures["transactions"])
		}
	}
	if gotDistinct != wantDistinct || wantDistinct == 0 || wantDistinct >= wantGroups {
		t.Errorf("duplicate payments under different transaction numbers: flags %d groups, the files %d (of %d)", gotDistinct, wantDistinct, wantGroups)
	}
	t.Logf("%d of the %d groups carry different transaction numbers", wantDistinct, wantGroups)
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }
