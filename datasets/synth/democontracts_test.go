package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/flags"
	"github.com/mizan-budget/mizan/store"
)

// demoPackage returns the demo contracts and their dataset.
func demoPackage(tb testing.TB, cfg Config) (mizan.Dataset, []byte) {
	tb.Helper()
	ds, data, err := DemoContracts(cfg)
	if err != nil {
		tb.Fatalf("DemoContracts: %v", err)
	}
	return ds, data
}

// jsonRelease is a release as encoding/json reads it, numbers exact.
type jsonRelease = map[string]any

func decodeReleases(tb testing.TB, data []byte) (map[string]any, []jsonRelease) {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var pkg map[string]any
	if err := dec.Decode(&pkg); err != nil {
		tb.Fatalf("the package is not JSON: %v", err)
	}
	var rels []jsonRelease
	for _, r := range pkg["releases"].([]any) {
		rels = append(rels, r.(map[string]any))
	}
	return pkg, rels
}

func obj(v any, path ...string) map[string]any {
	m, _ := v.(map[string]any)
	for _, p := range path {
		m, _ = m[p].(map[string]any)
	}
	return m
}

func list(v any) []any { l, _ := v.([]any); return l }

func text(v any) string { s, _ := v.(string); return s }

func TestDemoContractsDeterministic(t *testing.T) {
	ds, a := demoPackage(t, Config{})
	_, b := demoPackage(t, Config{})
	if !bytes.Equal(a, b) {
		t.Fatal("two calls gave different bytes")
	}
	_, c := demoPackage(t, Config{Seed: 1})
	if bytes.Equal(a, c) {
		t.Error("another seed gave the same bytes")
	}
	t.Logf("demo contracts: %d bytes", len(a))
	if len(a) > 2<<20 {
		t.Errorf("the package is %d bytes, want well under 2 MB", len(a))
	}
	want := mizan.Dataset{ID: DemoContractsID, Kind: mizan.KindContracts, Country: "ZZ", Currency: "KWD", Language: "ar", Synthetic: true}
	got := mizan.Dataset{ID: ds.ID, Kind: ds.Kind, Country: ds.Country, Currency: ds.Currency, Language: ds.Language, Synthetic: ds.Synthetic}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dataset = %+v, want %+v", got, want)
	}
	if ds.Licence.Name != "CC0-1.0" || ds.Title["ar"] != "عقود الدولة التجريبية (بيانات اصطناعية)" || ds.Title["en"] != "Demo State Contracts (synthetic)" ||
		!strings.Contains(ds.Description["en"], "fictional") {
		t.Errorf("dataset metadata: %+v", ds)
	}
}

// TestDemoContractsPackage checks the package's structure with
// encoding/json: identifying fields, party references and roles, amounts,
// dates, and budget ids that are units of the demo budget.
func TestDemoContractsPackage(t *testing.T) {
	_, data := demoPackage(t, Config{})
	pkg, rels := decodeReleases(t, data)
	if pkg["version"] != "1.1" || len(rels) == 0 {
		t.Fatalf("package version %v with %d releases", pkg["version"], len(rels))
	}
	// The demo budget's units, with their Arabic labels.
	budget := parseCSV(t, generate(t, Config{}))
	units := map[string]string{}
	for _, row := range budget.rows {
		units[budget.get(row, "admin_unit_code")] = budget.get(row, "admin_unit_ar")
	}

	ids := map[string]bool{}
	ocids := map[string]bool{}
	suppliers := map[string]bool{}
	var amounts int
	// Every value object: an amount with at most three decimals, in KWD.
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if a, ok := x["amount"]; ok {
				n, isNum := a.(json.Number)
				whole, frac, _ := strings.Cut(n.String(), ".")
				if !isNum || whole == "" || len(frac) > 3 {
					t.Errorf("%s: amount %v is not a number with at most three decimals", path, a)
				}
				if x["currency"] != "KWD" {
					t.Errorf("%s: currency %v", path, x["currency"])
				}
				amounts++
			}
			for k, e := range x {
				walk(path+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	for i, r := range rels {
		where := fmt.Sprintf("release %d", i)
		ocid, id, date := text(r["ocid"]), text(r["id"]), text(r["date"])
		if ocid == "" || id == "" || date == "" || len(list(r["tag"])) == 0 {
			t.Fatalf("%s lacks ocid, id, date or tag: %v %v %v %v", where, ocid, id, date, r["tag"])
		}
		if ids[id] {
			t.Errorf("%s: release id %s twice", where, id)
		}
		ids[id] = true
		walk(where, r)
		if r["tender"] == nil {
			if !ocids[ocid] {
				t.Errorf("%s: %s amends a process not released before", where, ocid)
			}
			continue
		}
		ocids[ocid] = true
		if r["language"] != "ar" {
			t.Errorf("%s: language %v", where, r["language"])
		}
		roles := map[string][]string{}
		for _, p := range list(r["parties"]) {
			pm := p.(map[string]any)
			pid := text(pm["id"])
			if _, dup := roles[pid]; dup || pid == "" || text(pm["name"]) == "" {
				t.Errorf("%s: party %q missing, nameless or twice", where, pid)
			}
			ident := obj(pm, "identifier")
			if text(ident["scheme"]) == "" || text(ident["id"]) == "" || !strings.HasSuffix(pid, text(ident["id"])) {
				t.Errorf("%s: party %s has identifier %v", where, pid, ident)
			}
			for _, role := range list(pm["roles"]) {
				roles[pid] = append(roles[pid], text(role))
			}
		}
		ref := func(what string, v any, role string) {
			m := obj(v)
			pid := text(m["id"])
			if !slices.Contains(roles[pid], role) {
				t.Errorf("%s: %s %q is not a party with role %s (roles %v)", where, what, pid, role, roles[pid])
			}
		}
		ref("buyer", r["buyer"], "buyer")
		tender := obj(r, "tender")
		tenderers := list(tender["tenderers"])
		for _, tr := range tenderers {
			ref("tenderer", tr, "tenderer")
		}
		if n, _ := tender["numberOfTenderers"].(json.Number).Int64(); int(n) != len(tenderers) {
			t.Errorf("%s: numberOfTenderers %d, %d listed", where, n, len(tenderers))
		}
		if text(tender["procurementMethodDetails"]) == "" {
			t.Errorf("%s: no procurementMethodDetails", where)
		}
		for _, a := range list(r["awards"]) {
			for _, s := range list(obj(a)["suppliers"]) {
				ref("supplier", s, "supplier")
				suppliers[text(obj(s)["name"])] = true
			}
		}
		signed := text(obj(list(r["contracts"])[0])["dateSigned"])
		if signed < "2015-01-01" || signed >= "2025-01-01" {
			t.Errorf("%s: signed %s, outside 2015–2024", where, signed)
		}
		b := obj(r, "planning", "budget")
		if label, ok := units[text(b["id"])]; !ok || label != b["description"] {
			t.Errorf("%s: budget %v is not a unit of the demo budget (its label: %q)", where, b, label)
		}
	}
	if len(ocids) < 550 || len(ocids) > 650 {
		t.Errorf("%d processes, want about 600", len(ocids))
	}
	var foundations int
	for s := range suppliers {
		if strings.HasPrefix(s, "مؤسسة") {
			foundations++
		}
	}
	if len(suppliers) < 40 || foundations < 5 {
		t.Errorf("%d suppliers, %d of them مؤسسة; want about 40 with several", len(suppliers), foundations)
	}
	t.Logf("%d releases, %d processes, %d amounts, %d suppliers", len(rels), len(ocids), amounts, len(suppliers))
}

// TestDemoContractsFlags ingests the package into a real store and
// computes the red flags with the default parameters: every contract flag
// fires, exactly where the generator planted it, and two counts agree
// with a reading of the JSON with encoding/json and math/big.
func TestDemoContractsFlags(t *testing.T) {
	ctx := context.Background()
	cfg := Config{}
	ds, data := demoPackage(t, cfg)
	db, err := store.Open(ctx, store.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	path := filepath.Join(t.TempDir(), "upload-1234.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := contracts.Ingest(ctx, db, []string{path}, contracts.Options{Dataset: ds, Sources: map[string]mizan.SourceFile{path: {Name: DemoContractsFile}}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Problems != 0 {
		t.Errorf("%d problems reading the package: %v", sum.Problems, sum.ProblemSamples)
	}
	got, v, err := db.ResolveVersion(ctx, DemoContractsID, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Synthetic || len(v.Sources) != 1 || v.Sources[0].Name != DemoContractsFile {
		t.Errorf("stored: synthetic %v, sources %+v", got.Synthetic, v.Sources)
	}
	all, err := flags.Compute(ctx, db.SQL, got, v, flags.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}

	// What the generator planted.
	dc, err := generateDemoContracts(cfg.normalized())
	if err != nil {
		t.Fatal(err)
	}
	planted := map[string][]string{}
	for _, p := range dc.procs {
		for _, c := range p.planted {
			if c != codeSplit {
				planted[c] = append(planted[c], p.ocid)
			}
		}
	}
	for _, g := range dc.groups {
		planted[g.code] = append(planted[g.code], fmt.Sprintf("%s|%s|%d", g.buyer, g.supplier, g.year))
	}
	flagged := map[string][]string{}
	records := map[int64]bool{}
	for _, f := range all {
		key := f.OCID
		switch f.Code {
		case codeSplit, codeConcentration, codeNewSupplier:
			key = fmt.Sprintf("%s|%s|%d", f.BuyerName, f.SupplierName, f.Year)
		case codeYearEnd, codeNonCompetitive:
			key = fmt.Sprintf("%s||%d", f.BuyerName, f.Year)
		}
		flagged[f.Code] = append(flagged[f.Code], key)
		for _, r := range f.Records {
			records[r] = true
		}
	}
	codes := []string{codeSingleBidder, codeNonCompetitive, codeShortTender, codeAmendment, codeAboveEstimate, codeNewSupplier, codeSplit,
		codeConcentration, codeYearEnd}
	for _, c := range codes {
		slices.Sort(planted[c])
		slices.Sort(flagged[c])
		t.Logf("%s: %d flags", c, len(flagged[c]))
		if len(flagged[c]) == 0 {
			t.Errorf("%s never fires", c)
		}
		if !slices.Equal(planted[c], flagged[c]) {
			t.Errorf("%s fires on\n%v\nplanted on\n%v", c, flagged[c], planted[c])
		}
	}
	for _, f := range all {
		if !slices.Contains(codes, f.Code) {
			t.Errorf("unexpected flag %s", f.Code)
		}
	}
	if len(records)*5 > sum.Processes {
		t.Errorf("%d of %d processes flagged: flags should be a minority", len(records), sum.Processes)
	}
	t.Logf("%d flags on %d of %d processes", len(all), len(records), sum.Processes)

	// Independently, from the JSON: single bidders (an open or selective
	// tender with one tenderer) and awards above their estimate (the
	// contract's latest value more than 20% over the tender's value).
	_, rels := decodeReleases(t, data)
	tenderOf := map[string]map[string]any{}
	latest := map[string]*big.Rat{}
	var singles []string
	for _, r := range rels {
		ocid := text(r["ocid"])
		if tender := obj(r, "tender"); tender != nil {
			tenderOf[ocid] = tender
			m := text(tender["procurementMethod"])
			if n, _ := tender["numberOfTenderers"].(json.Number).Int64(); (m == "open" || m == "selective") && n == 1 {
				singles = append(singles, ocid)
			}
		}
		for _, c := range list(r["contracts"]) {
			latest[ocid] = rat(t, obj(c, "value")["amount"].(json.Number).String())
		}
	}
	var above []string
	for ocid, final := range latest {
		est := rat(t, obj(tenderOf[ocid], "value")["amount"].(json.Number).String())
		if final.Cmp(new(big.Rat).Mul(est, big.NewRat(6, 5))) > 0 {
			above = append(above, ocid)
		}
	}
	slices.Sort(singles)
	slices.Sort(above)
	if !slices.Equal(singles, flagged[codeSingleBidder]) {
		t.Errorf("single bidders in the JSON: %d, flagged: %d", len(singles), len(flagged[codeSingleBidder]))
	}
	if !slices.Equal(above, flagged[codeAboveEstimate]) {
		t.Errorf("awards above the estimate in the JSON: %d, flagged: %d", len(above), len(flagged[codeAboveEstimate]))
	}
}
