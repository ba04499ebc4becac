package flags

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mizan-budget/mizan"
)

func TestParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		field string
		edit  func(*Params)
	}{
		{"short_tender_days", func(p *Params) { p.ShortTenderDays = 0 }},
		{"non_competitive_share", func(p *Params) { p.NonCompetitiveShare = 1.5 }},
		{"non_competitive_min_processes", func(p *Params) { p.NonCompetitiveMinProcesses = 0 }},
		{"amendment_increase", func(p *Params) { p.AmendmentIncrease = -0.1 }},
		{"above_estimate", func(p *Params) { p.AboveEstimate = -1 }},
		{"split_default_threshold", func(p *Params) { p.SplitDefaultThreshold = "25,000" }},
		{"split_thresholds", func(p *Params) { p.SplitThresholds = map[string]string{"gbp": "25000"} }},
		{"split_thresholds", func(p *Params) { p.SplitThresholds = map[string]string{"GBP": "0"} }},
		{"split_thresholds", func(p *Params) { p.SplitThresholds = map[string]string{"GBP": "1; DROP TABLE x"} }},
		{"split_margin", func(p *Params) { p.SplitMargin = 1 }},
		{"split_window_days", func(p *Params) { p.SplitWindowDays = -3 }},
		{"concentration_hhi", func(p *Params) { p.ConcentrationHHI = 10000 }},
		{"concentration_min_records", func(p *Params) { p.ConcentrationMinRecords = 0 }},
		{"concentration_min_suppliers", func(p *Params) { p.ConcentrationMinSuppliers = 0 }},
		{"new_supplier_quantile", func(p *Params) { p.NewSupplierQuantile = 2 }},
		{"new_supplier_min_buyer_records", func(p *Params) { p.NewSupplierMinBuyerRecords = 0 }},
		{"new_supplier_warmup_days", func(p *Params) { p.NewSupplierWarmupDays = -1 }},
		{"duplicate_min_amount", func(p *Params) { p.DuplicateMinAmount = "" }},
		{"round_unit", func(p *Params) { p.RoundUnit = "0.000" }},
		{"round_min_amount", func(p *Params) { p.RoundMinAmount = "1e3" }},
		{"round_min_payments", func(p *Params) { p.RoundMinPayments = 0 }},
		{"round_min_share", func(p *Params) { p.RoundMinShare = -0.5 }},
		{"round_min_z", func(p *Params) { p.RoundMinZ = -1 }},
		{"fiscal_year_end_month", func(p *Params) { p.FiscalYearEndMonth = 13 }},
		{"year_end_ratio", func(p *Params) { p.YearEndRatio = 0.5 }},
		{"year_end_min_records", func(p *Params) { p.YearEndMinRecords = 0 }},
	}
	for _, tc := range tests {
		p := DefaultParams()
		tc.edit(&p)
		err := p.Validate()
		var me *mizan.Error
		if !errors.As(err, &me) || me.Code != mizan.EINVALID || me.Field != tc.field || me.Message == "" {
			t.Errorf("%s: got %v (%#v)", tc.field, err, me)
		}
	}
	// Every parameter is documented, with its default.
	docs := map[string]string{}
	for _, d := range Definitions() {
		for _, pd := range d.Params {
			if pd.Description["en"] == "" || pd.Description["ar"] == "" {
				t.Errorf("%s.%s: undocumented", d.Code, pd.Name)
			}
			docs[pd.Name] = pd.Default
		}
	}
	for _, tc := range tests {
		if _, ok := docs[tc.field]; !ok {
			t.Errorf("parameter %s has no ParamDoc", tc.field)
		}
	}
	if len(Definitions()) != len(Codes) {
		t.Errorf("%d definitions for %d codes", len(Definitions()), len(Codes))
	}
	for i, d := range Definitions() {
		if d.Code != Codes[i] || d.Title["ar"] == "" || d.Description["ar"] == "" || len(d.Applies) == 0 {
			t.Errorf("definition %d: %+v", i, d)
		}
	}
}

func TestService(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	ingestContracts(t, db, "fixture", writePackage(t, contractFixture()))
	all := compute(t, db, "fixture", DefaultParams())
	svc := NewService(db)

	// Paging walks every flag in Compute's order.
	var paged []Flag
	for off := 0; ; {
		res, err := svc.List(ctx, Query{Dataset: "fixture", PageSize: 7, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != len(all) || res.Version != 1 {
			t.Fatalf("total %d, want %d", res.Total, len(all))
		}
		paged = append(paged, res.Flags...)
		off += len(res.Flags)
		if len(res.Flags) == 0 || off >= res.Total {
			break
		}
	}
	if len(paged) != len(all) {
		t.Fatalf("paged %d of %d", len(paged), len(all))
	}
	for i := range all {
		if paged[i].Code != all[i].Code || !slices.Equal(paged[i].Records, all[i].Records) || paged[i].Score != all[i].Score {
			t.Fatalf("flag %d: %+v vs %+v", i, paged[i], all[i])
		}
	}

	// Filters: codes, buyer, year; counts per code ignore the code filter.
	buyer := ""
	for _, f := range all {
		if f.BuyerName == "Buyer S" {
			buyer = f.Buyer
		}
	}
	res, err := svc.List(ctx, Query{Dataset: "fixture", Codes: []string{SplitPurchase}, Buyers: []string{buyer}, Year: 2020})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	counts := map[string]int{}
	for _, f := range all {
		if f.Buyer == buyer && f.Year == 2020 {
			counts[f.Code]++
			if f.Code == SplitPurchase {
				want++
			}
		}
	}
	if res.Total != want || want == 0 || len(res.Flags) != want || res.Flags[0].SupplierName != "Splitter Yes" {
		t.Fatalf("filtered: %+v, want %d", res, want)
	}
	if len(res.Counts) != len(counts) {
		t.Errorf("counts %v, want %v", res.Counts, counts)
	}
	for c, n := range counts {
		if res.Counts[c] != n {
			t.Errorf("counts %v, want %v", res.Counts, counts)
		}
	}

	// Party: flags naming the entity as buyer or as supplier, several
	// keys at once, in the flags' order.
	var supplier string
	for _, f := range all {
		if f.SupplierName == "Year Supplier" {
			supplier = f.Supplier
		}
	}
	res, err = svc.List(ctx, Query{Dataset: "fixture", Party: []string{buyer, supplier}, PageSize: mizan.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var wantParty []Flag
	for _, f := range all {
		if f.Buyer == buyer || f.Supplier == buyer || f.Buyer == supplier || f.Supplier == supplier {
			wantParty = append(wantParty, f)
		}
	}
	if supplier == "" || len(wantParty) == 0 || res.Total != len(wantParty) {
		t.Fatalf("party filter: %d flags, want %d", res.Total, len(wantParty))
	}
	for i := range wantParty {
		if res.Flags[i].Code != wantParty[i].Code || !slices.Equal(res.Flags[i].Records, wantParty[i].Records) {
			t.Fatalf("party flag %d: %+v, want %+v", i, res.Flags[i], wantParty[i])
		}
	}

	// Parameters change the answer and are cached apart.
	p := DefaultParams()
	p.ShortTenderDays = 16
	res, err = svc.List(ctx, Query{Dataset: "fixture", Codes: []string{ShortTender}, Params: &p})
	if err != nil || res.Total != 2 {
		t.Fatalf("short tender at 16 days: %+v %v", res, err)
	}
	res, err = svc.List(ctx, Query{Dataset: "fixture", Codes: []string{ShortTender}})
	if err != nil || res.Total != 1 {
		t.Fatalf("short tender at 15 days: %+v %v", res, err)
	}

	// ByRecord: every record of every default flag, codes in order.
	recs, err := svc.ByRecord(ctx, "fixture", 0)
	if err != nil {
		t.Fatal(err)
	}
	wantRecs := map[int64][]string{}
	for _, f := range all {
		for _, r := range f.Records {
			if !slices.Contains(wantRecs[r], f.Code) {
				wantRecs[r] = append(wantRecs[r], f.Code)
			}
		}
	}
	if len(recs) != len(wantRecs) {
		t.Fatalf("ByRecord: %d records, want %d", len(recs), len(wantRecs))
	}
	for r, cs := range wantRecs {
		if !slices.Equal(recs[r], cs) {
			t.Errorf("record %d: %v, want %v", r, recs[r], cs)
		}
	}

	// Errors name the field.
	bad := DefaultParams()
	bad.SplitMargin = 2
	for _, tc := range []struct {
		q     Query
		code  string
		field string
	}{
		{Query{Dataset: "fixture", Codes: []string{"no_such_flag"}}, mizan.EINVALID, "codes"},
		{Query{Dataset: "fixture", PageSize: mizan.MaxPageSize + 1}, mizan.EINVALID, "page_size"},
		{Query{Dataset: "fixture", Offset: -1}, mizan.EINVALID, "offset"},
		{Query{Dataset: "fixture", Params: &bad}, mizan.EINVALID, "split_margin"},
		{Query{Dataset: "nowhere"}, mizan.ENOTFOUND, "dataset"},
		{Query{Dataset: "fixture", Version: 9}, mizan.ENOTFOUND, "version"},
	} {
		_, err := svc.List(ctx, tc.q)
		var me *mizan.Error
		if !errors.As(err, &me) || me.Code != tc.code || me.Field != tc.field {
			t.Errorf("%+v: got %v", tc.q, err)
		}
	}
}
