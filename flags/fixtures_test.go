package flags

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
)

// fx is one hand-written contracting process of the fixture.
type fx struct {
	ocid, buyer, method string
	tenderers           int      // numberOfTenderers; 0: not published
	listed              []string // tenderers listed
	start, end          string   // tender period
	estimate            string   // tender value
	estimateCur         string   // default CAD
	supplier            string
	date                string // award and contract date
	amount              string // contract value ("" none)
	amendedTo           string // a later release raises the contract to this value
	awardOnly           bool   // the contract is published without a value; the award has amount
}

func (p fx) releases() []any {
	party := func(name, role string) map[string]any {
		return map[string]any{"id": name, "name": name, "roles": []any{role}}
	}
	ref := func(name string) map[string]any { return map[string]any{"id": name, "name": name} }
	tender := map[string]any{"id": p.ocid + "-t"}
	if p.method != "" {
		tender["procurementMethod"] = p.method
	}
	if p.tenderers > 0 {
		tender["numberOfTenderers"] = p.tenderers
	}
	var parties []any
	parties = append(parties, party(p.buyer, "buyer"))
	if len(p.listed) > 0 {
		var ts []any
		for _, n := range p.listed {
			ts = append(ts, ref(n))
			parties = append(parties, party(n, "tenderer"))
		}
		tender["tenderers"] = ts
	}
	if p.start != "" {
		tender["tenderPeriod"] = map[string]any{"startDate": p.start + "T00:00:00Z", "endDate": p.end + "T00:00:00Z"}
	}
	if p.estimate != "" {
		cur := p.estimateCur
		if cur == "" {
			cur = "CAD"
		}
		tender["value"] = map[string]any{"amount": json.Number(p.estimate), "currency": cur}
	}
	supplier := p.supplier
	if supplier == "" {
		supplier = "Supplier of " + p.ocid
	}
	if len(p.listed) == 0 || !slices.Contains(p.listed, supplier) {
		parties = append(parties, party(supplier, "supplier"))
	}
	date := p.date
	if date == "" {
		date = "2020-06-01"
	}
	rel := func(id, date, amount string, amended bool) map[string]any {
		award := map[string]any{"id": "a1", "date": date + "T00:00:00Z", "status": "active", "suppliers": []any{ref(supplier)}}
		contract := map[string]any{"id": "c1", "awardID": "a1", "dateSigned": p.date + "T00:00:00Z", "status": "active"}
		if p.date == "" {
			contract["dateSigned"] = "2020-06-01T00:00:00Z"
		}
		if amount != "" {
			award["value"] = map[string]any{"amount": json.Number(p.amount), "currency": "CAD"}
			if !p.awardOnly {
				contract["value"] = map[string]any{"amount": json.Number(amount), "currency": "CAD"}
			}
		}
		if amended {
			contract["amendments"] = []any{map[string]any{"id": "am1", "date": date + "T00:00:00Z", "rationale": "more work"}}
		}
		return map[string]any{"ocid": p.ocid, "id": id, "date": date + "T00:00:00Z", "tag": []any{"award", "contract"}, "initiationType": "tender",
			"parties": parties, "buyer": ref(p.buyer), "tender": tender, "awards": []any{award}, "contracts": []any{contract}}
	}
	out := []any{rel(p.ocid+"-1", date, p.amount, false)}
	if p.amendedTo != "" {
		out = append(out, rel(p.ocid+"-2", "2021-12-01", p.amendedTo, true))
	}
	return out
}

// writePackage writes processes as one OCDS release package.
func writePackage(t *testing.T, ps []fx) string {
	t.Helper()
	var rels []any
	for _, p := range ps {
		rels = append(rels, p.releases()...)
	}
	b, err := json.MarshalIndent(map[string]any{"uri": "https://example.org/fixture.json", "version": "1.1", "publishedDate": "2022-01-01T00:00:00Z",
		"publisher": map[string]any{"name": "Mizan tests"}, "releases": rels}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fixture.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// contractFixture holds processes that trigger, or just miss, each
// contracts flag with the default parameters. Ocids and names say which.
func contractFixture() []fx {
	var ps []fx
	add := func(p fx) { ps = append(ps, p) }
	// single_bidder
	add(fx{ocid: "sb-yes", buyer: "Ministry A", method: "open", tenderers: 1, amount: "5000"})
	add(fx{ocid: "sb-listed", buyer: "Ministry A", method: "selective", listed: []string{"Only Bidder"}, supplier: "Only Bidder", amount: "5000"})
	add(fx{ocid: "sb-no-two", buyer: "Ministry A", method: "open", tenderers: 2, amount: "5000"})
	add(fx{ocid: "sb-no-limited", buyer: "Ministry A", method: "limited", tenderers: 1, amount: "5000"})
	// short_tender: 14 days is short, 15 is not; a direct award is never.
	add(fx{ocid: "st-yes-14", buyer: "Ministry A", method: "open", start: "2020-01-01", end: "2020-01-15", amount: "5000"})
	add(fx{ocid: "st-no-15", buyer: "Ministry A", method: "open", start: "2020-01-01", end: "2020-01-16", amount: "5000"})
	add(fx{ocid: "st-no-direct", buyer: "Ministry A", method: "direct", start: "2020-01-01", end: "2020-01-04", amount: "5000"})
	// amendment_increase: +15.1% is beyond 15%, +15% is not.
	add(fx{ocid: "am-yes", buyer: "Ministry A", method: "open", amount: "1000", amendedTo: "1151"})
	add(fx{ocid: "am-no", buyer: "Ministry A", method: "open", amount: "1000", amendedTo: "1150"})
	// above_estimate: +20.1% is beyond 20%; +20% is not; another currency is not compared.
	add(fx{ocid: "ae-yes", buyer: "Ministry A", method: "open", estimate: "1000", amount: "1201"})
	add(fx{ocid: "ae-no", buyer: "Ministry A", method: "open", estimate: "1000", amount: "1200"})
	add(fx{ocid: "ae-no-currency", buyer: "Ministry A", method: "open", estimate: "1000", estimateCur: "USD", amount: "5000"})
	// A contract without a value: the award's value is the process's.
	add(fx{ocid: "ae-yes-award", buyer: "Ministry A", method: "open", estimate: "1000", amount: "1201", awardOnly: true})
	add(fx{ocid: "ae-no-award", buyer: "Ministry A", method: "open", estimate: "1000", amount: "1200", awardOnly: true})
	// non_competitive_share (2021): exactly 50% with 3 limited processes
	// is flagged; 49.9% is not; 100% with 2 processes is not.
	for i := range 3 {
		add(fx{ocid: fmt.Sprintf("nc-yes-%d", i), buyer: "Buyer NC", method: "limited", date: "2021-03-01", amount: "100"})
		add(fx{ocid: fmt.Sprintf("nc-no-%d", i), buyer: "Buyer NC2", method: "limited", date: "2021-03-01", amount: "100"})
	}
	add(fx{ocid: "nc-yes-open", buyer: "Buyer NC", method: "open", date: "2021-03-01", amount: "300"})
	add(fx{ocid: "nc-no-open", buyer: "Buyer NC2", method: "open", date: "2021-03-01", amount: "301"})
	add(fx{ocid: "nc-few-0", buyer: "Buyer NC3", method: "direct", date: "2021-03-01", amount: "1000"})
	add(fx{ocid: "nc-few-1", buyer: "Buyer NC3", method: "direct", date: "2021-04-01", amount: "1000"})
	// split_purchase (CAD 25000, floor 22500, 30 days).
	add(fx{ocid: "sp-yes-1", buyer: "Buyer S", supplier: "Splitter Yes", method: "open", date: "2020-03-01", amount: "22500"})
	add(fx{ocid: "sp-yes-2", buyer: "Buyer S", supplier: "Splitter Yes", method: "open", date: "2020-03-31", amount: "22500"})
	add(fx{ocid: "sp-gap-1", buyer: "Buyer S", supplier: "Splitter Gap", method: "open", date: "2020-03-01", amount: "24999.99"})
	add(fx{ocid: "sp-gap-2", buyer: "Buyer S", supplier: "Splitter Gap", method: "open", date: "2020-04-01", amount: "24999.99"})
	add(fx{ocid: "sp-floor-1", buyer: "Buyer S", supplier: "Splitter Floor", method: "open", date: "2020-03-01", amount: "22499.99"})
	add(fx{ocid: "sp-floor-2", buyer: "Buyer S", supplier: "Splitter Floor", method: "open", date: "2020-03-01", amount: "24000"})
	add(fx{ocid: "sp-over-1", buyer: "Buyer S", supplier: "Splitter Over", method: "open", date: "2020-03-01", amount: "25000"})
	add(fx{ocid: "sp-over-2", buyer: "Buyer S", supplier: "Splitter Over", method: "open", date: "2020-03-02", amount: "24000"})
	// supplier_concentration (2022): HHI 3000 is flagged; 2500 exactly and 1000 are not.
	for i := range 5 {
		add(fx{ocid: fmt.Sprintf("hc-yes-x%d", i), buyer: "Buyer C", supplier: "Big X", method: "open", date: "2022-02-01", amount: "100"})
		add(fx{ocid: fmt.Sprintf("hc-yes-o%d", i), buyer: "Buyer C", supplier: fmt.Sprintf("Small %d", i), method: "open", date: "2022-02-01", amount: "100"})
	}
	for i := range 12 {
		add(fx{ocid: fmt.Sprintf("hc-edge-%d", i), buyer: "Buyer C2", supplier: fmt.Sprintf("Quarter %d", i%4), method: "open", date: "2022-02-01", amount: "100"})
	}
	for i := range 10 {
		add(fx{ocid: fmt.Sprintf("hc-no-%d", i), buyer: "Buyer C3", supplier: fmt.Sprintf("Tenth %d", i), method: "open", date: "2022-02-01", amount: "100"})
	}
	// new_supplier_large_award: Buyer N's usual award is 1000 (its 0.9
	// quantile); New One's first award (5000) is above it, New Equal's
	// (1000) is not, and New Early's comes within the first year of data.
	for i := range 20 {
		add(fx{ocid: fmt.Sprintf("ns-old-%d", i), buyer: "Buyer N", supplier: "Old Hand", method: "open", date: fmt.Sprintf("2018-%02d-01", 1+i%12), amount: "1000"})
	}
	add(fx{ocid: "ns-yes", buyer: "Buyer N", supplier: "New One", method: "open", date: "2021-06-01", amount: "5000"})
	add(fx{ocid: "ns-no-equal", buyer: "Buyer N", supplier: "New Equal", method: "open", date: "2021-06-01", amount: "1000"})
	add(fx{ocid: "ns-no-early", buyer: "Buyer N", supplier: "New Early", method: "open", date: "2018-06-01", amount: "5000"})
	// year_end_spike (no country: December): December at twice the average
	// month is flagged, just under is not.
	for m := 1; m <= 11; m++ {
		add(fx{ocid: fmt.Sprintf("ye-yes-%d", m), buyer: "Buyer Y", supplier: "Year Supplier", method: "open", date: fmt.Sprintf("2019-%02d-10", m), amount: "100"})
		add(fx{ocid: fmt.Sprintf("ye-no-%d", m), buyer: "Buyer Y2", supplier: "Year Supplier", method: "open", date: fmt.Sprintf("2019-%02d-10", m), amount: "100"})
	}
	add(fx{ocid: "ye-yes-12", buyer: "Buyer Y", supplier: "Year Supplier", method: "open", date: "2019-12-10", amount: "200"})
	add(fx{ocid: "ye-no-12", buyer: "Buyer Y2", supplier: "Year Supplier", method: "open", date: "2019-12-10", amount: "199.99"})
	return ps
}

func TestContractFixtures(t *testing.T) {
	db := openDB(t)
	path := writePackage(t, contractFixture())
	ingestContracts(t, db, "fixture", path)
	got := byCode(compute(t, db, "fixture", DefaultParams()))
	ocids := func(code string) []string { return keys(got[code], func(f Flag) string { return f.OCID }) }
	buyers := func(code string) []string { return keys(got[code], func(f Flag) string { return f.BuyerName }) }
	suppliers := func(code string) []string { return keys(got[code], func(f Flag) string { return f.SupplierName }) }
	tests := []struct {
		code string
		got  []string
		want []string
	}{
		{SingleBidder, ocids(SingleBidder), []string{"sb-listed", "sb-yes"}},
		{ShortTender, ocids(ShortTender), []string{"st-yes-14"}},
		{AmendmentIncrease, ocids(AmendmentIncrease), []string{"am-yes"}},
		{AboveEstimate, ocids(AboveEstimate), []string{"ae-yes", "ae-yes-award"}},
		{NonCompetitiveShare, buyers(NonCompetitiveShare), []string{"Buyer NC"}},
		{SplitPurchase, suppliers(SplitPurchase), []string{"Splitter Yes"}},
		{NewSupplierLargeAward, suppliers(NewSupplierLargeAward), []string{"New One"}},
		{YearEndSpike, buyers(YearEndSpike), []string{"Buyer Y"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tc.code, diff)
		}
	}
	// Concentration: Buyer C (HHI 3000) yes; C2 (2500) and C3 (1000) no.
	// Buyers with one supplier (Buyer N, Buyer Y...) are flagged too.
	conc := buyers(SupplierConcentration)
	if !slices.Contains(conc, "Buyer C") || slices.Contains(conc, "Buyer C2") || slices.Contains(conc, "Buyer C3") {
		t.Errorf("supplier_concentration buyers: %v", conc)
	}
	for _, f := range got[SupplierConcentration] {
		if f.BuyerName == "Buyer C" && (f.Figures["hhi"] != "3000.0" || f.SupplierName != "Big X" || len(f.Records) != 5) {
			t.Errorf("Buyer C concentration: %+v", f)
		}
	}
	// Payments-only flags never appear on contracts.
	for _, code := range []string{DuplicatePayment, RoundAmount} {
		if len(got[code]) > 0 {
			t.Errorf("%s on a contracts dataset: %+v", code, got[code])
		}
	}
	// Evidence points back to the file, and numbers are in the reason.
	f := got[SplitPurchase][0]
	if f.Figures["records"] != "2" || f.Amount != "45000.00" || f.Currency != "CAD" || len(f.Records) != 2 || len(f.Evidence) != 2 {
		t.Errorf("split flag: %+v", f)
	}
	for _, e := range f.Evidence {
		if e.File != filepath.Base(path) || e.SHA256 == "" || e.Kind != EvidenceContract || e.Pointer != "/contracts/0" || e.Amount != "22500.00" {
			t.Errorf("split evidence: %+v", e)
		}
	}
	if !strings.Contains(f.Reason["en"], "45000.00") || !strings.Contains(f.Reason["ar"], "45000.00") || !strings.Contains(f.Reason["en"], docRef+SplitPurchase) {
		t.Errorf("split reason: %v", f.Reason)
	}
	am := got[AmendmentIncrease][0]
	if am.Figures["initial_amount"] != "1000.00" || am.Figures["final_amount"] != "1151.00" || am.Amount != "151.00" || am.Figures["increase_pct"] != "15.1" {
		t.Errorf("amendment flag: %+v", am)
	}
	// Its first piece of evidence is the contract itself, with its source.
	if len(am.Evidence) == 0 || am.Evidence[0].Kind != EvidenceContract || am.Evidence[0].OCID != "am-yes" || am.Evidence[0].File != filepath.Base(path) || am.Evidence[0].Pointer != "/contracts/0" {
		t.Errorf("amendment evidence: %+v", am.Evidence)
	}
	nc := got[NonCompetitiveShare][0]
	if nc.Figures["share"] != "0.5" || nc.Figures["noncompetitive_processes"] != "3" || nc.Year != 2021 || len(nc.Records) != 3 || len(nc.Evidence) != 3 {
		t.Errorf("non-competitive flag: %+v", nc)
	}

	// Each boundary moves with its parameter.
	p := DefaultParams()
	p.ShortTenderDays = 16
	p.AmendmentIncrease = 0.149
	p.AboveEstimate = 0.199
	p.NonCompetitiveShare = 0.49
	p.SplitWindowDays = 31
	p.ConcentrationHHI = 2499
	p.YearEndRatio = 1.99
	p.NewSupplierWarmupDays = 0
	got = byCode(compute(t, db, "fixture", p))
	moved := []struct {
		code string
		got  []string
		want []string
	}{
		{ShortTender, ocids(ShortTender), []string{"st-no-15", "st-yes-14"}},
		{AmendmentIncrease, ocids(AmendmentIncrease), []string{"am-no", "am-yes"}},
		{AboveEstimate, ocids(AboveEstimate), []string{"ae-no", "ae-no-award", "ae-yes", "ae-yes-award"}},
		{NonCompetitiveShare, buyers(NonCompetitiveShare), []string{"Buyer NC", "Buyer NC2"}},
		{SplitPurchase, suppliers(SplitPurchase), []string{"Splitter Gap", "Splitter Yes"}},
		{NewSupplierLargeAward, suppliers(NewSupplierLargeAward), []string{"New Early", "New One"}},
		{YearEndSpike, buyers(YearEndSpike), []string{"Buyer Y", "Buyer Y2"}},
	}
	for _, tc := range moved {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s with moved parameters mismatch (-want +got):\n%s", tc.code, diff)
		}
	}
	if conc := buyers(SupplierConcentration); !slices.Contains(conc, "Buyer C2") || slices.Contains(conc, "Buyer C3") {
		t.Errorf("supplier_concentration at 2499: %v", conc)
	}
}

// paymentsDescriptor is a payments dataset of one CSV (GB: the fiscal
// year ends in March).
const paymentsDescriptor = `
id: pay-fixture
kind: payments
title: {en: Payments fixture}
country: GB
currency: GBP
dimensions:
  - {id: buyer, kind: attribute, levels: [{id: buyer}]}
  - {id: supplier, kind: attribute, levels: [{id: supplier}]}
  - {id: transaction, kind: attribute, levels: [{id: transaction}]}
sources:
  - name: payments.csv
    mapping:
      date: {column: Date, format: Y-m-d}
      year: {from: date}
      phase: {value: paid}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        buyer: [{level: buyer, label: Body}]
        supplier: [{level: supplier, label: Supplier}]
        transaction: [{level: transaction, code: Transaction}]
`

// paymentFixture returns the CSV of payments that trigger, or just miss,
// each payments flag with the default parameters.
func paymentFixture() string {
	var b strings.Builder
	b.WriteString("Date,Body,Supplier,Amount,Transaction\n")
	n := 0
	row := func(date, body, supplier, amount string) {
		n++
		fmt.Fprintf(&b, "%s,%s,%s,%s,T%d\n", date, body, supplier, amount, n)
	}
	// duplicate_payment: the same day, buyer, supplier and amount.
	row("2020-05-04", "Council A", "Dup Yes", "740.00")
	row("2020-05-04", "Council A", "Dup Yes", "740.00")
	row("2020-05-04", "Council A", "Dup Other Day", "740.00")
	row("2020-05-05", "Council A", "Dup Other Day", "740.00")
	row("2020-05-04", "Council A", "Dup Other Buyer", "740.00")
	row("2020-05-04", "Council B", "Dup Other Buyer", "740.00")
	row("2020-05-04", "Council A", "Dup Refund", "-740.00")
	row("2020-05-04", "Council A", "Dup Refund", "-740.00")
	// round_amount: 5 of 5 round; 4 of 4 (too few); 5 of 11 (under half).
	for i := 1; i <= 5; i++ {
		row(fmt.Sprintf("2020-06-%02d", i), "Council A", "Round Yes", fmt.Sprintf("%d000.00", i))
		row(fmt.Sprintf("2020-06-%02d", i), "Council A", "Round Half", fmt.Sprintf("%d000.00", i))
	}
	for i := 1; i <= 4; i++ {
		row(fmt.Sprintf("2020-06-%02d", i), "Council A", "Round Few", fmt.Sprintf("%d000.00", i))
	}
	for i := 1; i <= 6; i++ {
		row(fmt.Sprintf("2020-07-%02d", i), "Council A", "Round Half", fmt.Sprintf("%d123.45", i))
	}
	// Payments that are not round, so that round ones are rare.
	for i := range 60 {
		row(fmt.Sprintf("2020-08-%02d", 1+i%28), "Council F", fmt.Sprintf("Filler %d", i%7), fmt.Sprintf("%d.37", 1200+i*13))
	}
	// split_purchase: GBP 25000, floor 22500, 30 days.
	row("2021-05-03", "Council A", "Split Yes", "24000.00")
	row("2021-05-20", "Council A", "Split Yes", "23000.00")
	row("2021-05-03", "Council A", "Split No", "24000.00")
	row("2021-06-20", "Council A", "Split No", "23000.00")
	// year_end_spike: fiscal year April 2020 – March 2021; March at
	// exactly twice the average other month, and just under.
	for m := 4; m <= 14; m++ {
		y, mo := 2020, m
		if m > 12 {
			y, mo = 2021, m-12
		}
		row(fmt.Sprintf("%d-%02d-15", y, mo), "Council Y", "Year Supplier", "1000.50")
		row(fmt.Sprintf("%d-%02d-15", y, mo), "Council Y2", "Year Supplier", "1000.50")
	}
	row("2021-03-15", "Council Y", "Year Supplier", "2001.00")
	row("2021-03-15", "Council Y2", "Year Supplier", "2000.99")
	// duplicate_payment of one invoice split into equal lines: the same
	// transaction number twice.
	for range 2 {
		fmt.Fprintf(&b, "2022-01-10,Council D,Dup One Invoice,310.00,T-INV\n")
	}
	return b.String()
}

func TestPaymentFixtures(t *testing.T) {
	db := openDB(t)
	ingestDescriptor(t, db, paymentsDescriptor, fstest.MapFS{"payments.csv": {Data: []byte(paymentFixture())}})
	got := byCode(compute(t, db, "pay-fixture", DefaultParams()))
	suppliers := func(code string) []string { return keys(got[code], func(f Flag) string { return f.SupplierName }) }
	buyers := func(code string) []string { return keys(got[code], func(f Flag) string { return f.BuyerName }) }
	tests := []struct {
		code string
		got  []string
		want []string
	}{
		{DuplicatePayment, suppliers(DuplicatePayment), []string{"Dup One Invoice", "Dup Yes"}},
		{RoundAmount, suppliers(RoundAmount), []string{"Round Yes"}},
		{SplitPurchase, suppliers(SplitPurchase), []string{"Split Yes"}},
		{YearEndSpike, buyers(YearEndSpike), []string{"Council Y"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tc.code, diff)
		}
	}
	for _, code := range []string{SingleBidder, NonCompetitiveShare, ShortTender, AmendmentIncrease, AboveEstimate, NewSupplierLargeAward} {
		if len(got[code]) > 0 {
			t.Errorf("%s on a payments dataset: %+v", code, got[code])
		}
	}
	// Amount parameters must fit the version's amounts (2 decimals here,
	// DECIMAL(18, 2)): a clear error on the field, never a rounded or
	// failed computation.
	ds, v, rerr := db.ResolveVersion(context.Background(), "pay-fixture", 0, true)
	if rerr != nil {
		t.Fatal(rerr)
	}
	for field, set := range map[string]func(*Params){
		"round_unit":              func(p *Params) { p.RoundUnit = "0.001" },
		"split_default_threshold": func(p *Params) { p.SplitDefaultThreshold = "99999999999999999999" },
	} {
		p := DefaultParams()
		set(&p)
		_, err := Compute(context.Background(), db.SQL, ds, v, p)
		var me *mizan.Error
		if !errors.As(err, &me) || me.Code != mizan.EINVALID || me.Field != field {
			t.Errorf("%s out of the amounts' range: %v, want an invalid-argument error on the field", field, err)
		}
	}
	// Different transaction numbers: 2 leaves the split invoice out, 3
	// every copy pair.
	for n, want := range map[int][]string{2: {"Dup Yes"}, 3: {}} {
		p := DefaultParams()
		p.DuplicateMinTransactions = n
		dups := byCode(compute(t, db, "pay-fixture", p))[DuplicatePayment]
		if diff := cmp.Diff(want, keys(dups, func(f Flag) string { return f.SupplierName })); diff != "" {
			t.Errorf("duplicate_min_transactions %d (-want +got):\n%s", n, diff)
		}
	}
	d := got[DuplicatePayment][0]
	if d.Figures["copies"] != "2" || d.Amount != "740.00" || d.Year != 2020 || len(d.Records) != 2 || len(d.Evidence) != 2 || d.Figures["transactions"] != "2" {
		t.Errorf("duplicate: %+v", d)
	}
	for i, e := range d.Evidence {
		if e.File != "payments.csv" || e.Kind != EvidencePayment || e.Row != int64(i+2) || e.Date != "2020-05-04" || e.ID != fmt.Sprintf("T%d", i+1) {
			t.Errorf("duplicate evidence %d: %+v", i, e)
		}
	}
	y := got[YearEndSpike][0]
	if y.Year != 2021 || y.Figures["fiscal_year_end_month"] != "3" || y.Figures["last_month_amount"] != "2001.00" || y.Figures["records"] != "12" {
		t.Errorf("year end: %+v", y)
	}
	r := got[RoundAmount][0]
	if r.Figures["round_payments"] != "5" || r.Figures["payments"] != "5" || r.Amount != "15000.00" || r.BuyerName != "Council A" {
		t.Errorf("round: %+v", r)
	}
	// Moved parameters: four round payments suffice, a 48-day gap too.
	p := DefaultParams()
	p.RoundMinPayments = 4
	p.SplitWindowDays = 48
	p.FiscalYearEndMonth = 12 // no whole calendar year is covered: no spike
	got = byCode(compute(t, db, "pay-fixture", p))
	if diff := cmp.Diff([]string{"Round Few", "Round Yes"}, suppliers(RoundAmount)); diff != "" {
		t.Errorf("round at 4 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Split No", "Split Yes"}, suppliers(SplitPurchase)); diff != "" {
		t.Errorf("split at 48 days (-want +got):\n%s", diff)
	}
	if len(got[YearEndSpike]) != 0 {
		t.Errorf("year end with December: %+v", got[YearEndSpike])
	}

	// A budget dataset has no red flags: the error says so.
	budget := strings.NewReplacer("id: pay-fixture", "id: budget-fixture", "kind: payments", "kind: budget").Replace(paymentsDescriptor)
	ingestDescriptor(t, db, budget, fstest.MapFS{"payments.csv": {Data: []byte(paymentFixture())}})
	_, err := NewService(db).List(context.Background(), Query{Dataset: "budget-fixture"})
	var me *mizan.Error
	if !errors.As(err, &me) || me.Code != mizan.ECONFLICT || me.Field != "dataset" {
		t.Errorf("flags of a budget dataset: %v", err)
	}
}
