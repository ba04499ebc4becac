package query

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

var approved2024 = []mizan.Cut{{Ref: "year", Values: []string{"2024"}}, {Ref: "phase", Values: []string{"approved"}}}

func cell(k, l, v map[string]string) mizan.Cell {
	return mizan.Cell{Keys: k, Labels: l, Values: v, Currency: "BHD"}
}

// inLang marks the label at ref as being in lang, not the one asked for.
func inLang(c mizan.Cell, ref, lang string) mizan.Cell {
	c.LabelLangs = map[string]string{ref: lang}
	return c
}

func TestAggregate(t *testing.T) {
	f := newFixture(t)
	sumCount := func(sum, count string) map[string]string {
		return map[string]string{"amount.sum": sum, "amount.count": count}
	}
	tests := []struct {
		name string
		q    mizan.AggregateQuery
		want *mizan.AggregateResult
	}{
		{
			name: "grand total",
			q:    mizan.AggregateQuery{},
			want: &mizan.AggregateResult{
				Cells:          []mizan.Cell{cell(keys(), keys(), sumCount("1337.501", "14"))},
				Summary:        cell(keys(), keys(), sumCount("1337.501", "14")),
				TotalCellCount: 1,
			},
		},
		{
			name: "drilldown with share, avg, min, max",
			q: mizan.AggregateQuery{Drilldown: []string{"admin"}, Cuts: approved2024,
				Aggregates: []string{"amount.sum", "amount.share", "amount.avg", "amount.min", "amount.max", "amount.count"}},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					cell(keys("admin", "M2"), keys("admin", "Ministry of Education"), keys("amount.sum", "200.000", "amount.share", "0.554783", "amount.avg", "200.00000", "amount.min", "200.000", "amount.max", "200.000", "amount.count", "1")),
					cell(keys("admin", "M1"), keys("admin", "Ministry of Health"), keys("amount.sum", "150.500", "amount.share", "0.417475", "amount.avg", "75.25000", "amount.min", "50.500", "amount.max", "100.000", "amount.count", "2")),
					inLang(cell(keys("admin", "M3"), keys("admin", "Ministère des Finances"), keys("amount.sum", "10.001", "amount.share", "0.027742", "amount.avg", "10.00100", "amount.min", "10.001", "amount.max", "10.001", "amount.count", "1")), "admin", "fr"),
				},
				Summary:        cell(keys(), keys(), keys("amount.sum", "360.501", "amount.share", "1.000000", "amount.avg", "90.12525", "amount.min", "10.001", "amount.max", "200.000", "amount.count", "4")),
				TotalCellCount: 3,
			},
		},
		{
			name: "order by key, paging",
			q: mizan.AggregateQuery{Drilldown: []string{"admin.department"}, Cuts: approved2024,
				Order: []mizan.Order{{Ref: "admin.department"}}, PageSize: 2, Offset: 1},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					cell(keys("admin.department", "D12"), keys("admin.department", "Clinics"), sumCount("50.500", "1")),
					cell(keys("admin.department", "D21"), keys("admin.department", "Schools"), sumCount("200.000", "1")),
				},
				Summary:        cell(keys(), keys(), sumCount("360.501", "4")),
				TotalCellCount: 4,
				NextOffset:     3,
			},
		},
		{
			name: "subtree cut on a bare dimension finds the member's level",
			q: mizan.AggregateQuery{Drilldown: []string{"admin.department"},
				Cuts: append([]mizan.Cut{{Ref: "admin", Values: []string{"M1"}, Subtree: true}}, approved2024...)},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					cell(keys("admin.department", "D11"), keys("admin.department", "Hospitals"), sumCount("100.000", "1")),
					cell(keys("admin.department", "D12"), keys("admin.department", "Clinics"), sumCount("50.500", "1")),
				},
				Summary:        cell(keys(), keys(), sumCount("150.500", "2")),
				TotalCellCount: 2,
			},
		},
		{
			name: "subtree cut mixing levels, on a dimension not drilled",
			q: mizan.AggregateQuery{Drilldown: []string{"economic"},
				Cuts: append([]mizan.Cut{{Ref: "admin", Values: []string{"D21", "M3"}, Subtree: true}}, approved2024...)},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					cell(keys("economic", "E1"), keys("economic", "Salaries"), sumCount("200.000", "1")),
					cell(keys("economic", "E2"), keys("economic", "Goods and services"), sumCount("10.001", "1")),
				},
				Summary:        cell(keys(), keys(), sumCount("210.001", "2")),
				TotalCellCount: 2,
			},
		},
		{
			name: "negated cut and year range",
			q: mizan.AggregateQuery{Drilldown: []string{"year", "phase"},
				Cuts:  []mizan.Cut{{Ref: "phase", Values: []string{"revised"}, Negate: true}, {Ref: "year", From: "2023", To: "2024"}},
				Order: []mizan.Order{{Ref: "year", Desc: true}, {Ref: "phase"}}},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					cell(keys("year", "2024", "phase", "approved"), keys("year", "2024", "phase", "Approved"), sumCount("360.501", "4")),
					cell(keys("year", "2024", "phase", "executed"), keys("year", "2024", "phase", "Executed"), sumCount("202.000", "4")),
					cell(keys("year", "2023", "phase", "approved"), keys("year", "2023", "phase", "Approved"), sumCount("240.000", "2")),
					cell(keys("year", "2023", "phase", "executed"), keys("year", "2023", "phase", "Executed"), sumCount("235.000", "2")),
				},
				Summary:        cell(keys(), keys(), sumCount("1037.501", "12")),
				TotalCellCount: 4,
			},
		},
		{
			name: "open range",
			q:    mizan.AggregateQuery{Cuts: []mizan.Cut{{Ref: "year", To: "2023"}}},
			want: &mizan.AggregateResult{
				Cells:          []mizan.Cell{cell(keys(), keys(), sumCount("475.000", "4"))},
				Summary:        cell(keys(), keys(), sumCount("475.000", "4")),
				TotalCellCount: 1,
			},
		},
		{
			name: "top with other",
			q:    mizan.AggregateQuery{Drilldown: []string{"admin"}, Cuts: approved2024, Top: 1, Aggregates: []string{"amount.sum", "amount.max"}},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					cell(keys("admin", "M2"), keys("admin", "Ministry of Education"), keys("amount.sum", "200.000", "amount.max", "200.000")),
					{Keys: keys(), Labels: keys(), Values: keys("amount.sum", "160.501", "amount.max", "100.000"), Currency: "BHD", Other: true},
				},
				Summary:        cell(keys(), keys(), keys("amount.sum", "360.501", "amount.max", "200.000")),
				TotalCellCount: 3,
			},
		},
		{
			name: "arabic labels fall back to english, then the source language",
			q:    mizan.AggregateQuery{Drilldown: []string{"admin", "phase"}, Cuts: approved2024, Lang: "ar", Order: []mizan.Order{{Ref: "admin"}}},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					cell(keys("admin", "M1", "phase", "approved"), keys("admin", "وزارة الصحة", "phase", "المعتمدة"), sumCount("150.500", "2")),
					inLang(cell(keys("admin", "M2", "phase", "approved"), keys("admin", "Ministry of Education", "phase", "المعتمدة"), sumCount("200.000", "1")), "admin", "en"),
					inLang(cell(keys("admin", "M3", "phase", "approved"), keys("admin", "Ministère des Finances", "phase", "المعتمدة"), sumCount("10.001", "1")), "admin", "fr"),
				},
				Summary:        cell(keys(), keys(), sumCount("360.501", "4")),
				TotalCellCount: 3,
			},
		},
		{
			name: "order by avg",
			q: mizan.AggregateQuery{Drilldown: []string{"economic"}, Aggregates: []string{"amount.avg"},
				Order: []mizan.Order{{Ref: "amount.avg", Desc: true}}},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					cell(keys("economic", "E1"), keys("economic", "Salaries"), keys("amount.avg", "124.50000")),
					cell(keys("economic", "E2"), keys("economic", "Goods and services"), keys("amount.avg", "23.12525")),
				},
				Summary:        cell(keys(), keys(), keys("amount.avg", "95.53579")),
				TotalCellCount: 2,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Dataset = "budget"
			got, err := f.svc.Aggregate(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Aggregate: %v", err)
			}
			tt.want.Dataset, tt.want.Version, tt.want.Currency = "budget", 1, "BHD"
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Aggregate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAggregateInvalid(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		q     mizan.AggregateQuery
		code  string
		field string
	}{
		{"unknown dataset", mizan.AggregateQuery{Dataset: "nope"}, mizan.ENOTFOUND, "dataset"},
		{"missing dataset", mizan.AggregateQuery{}, mizan.EINVALID, "dataset"},
		{"unknown version", mizan.AggregateQuery{Dataset: "budget", Version: 9}, mizan.ENOTFOUND, "version"},
		{"unknown dimension", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"geo"}}, mizan.EINVALID, "drilldown"},
		{"unknown level", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"admin.section"}}, mizan.EINVALID, "drilldown"},
		{"level of a fixed column", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"year.month"}}, mizan.EINVALID, "drilldown"},
		{"repeated drilldown", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"admin", "admin.ministry"}}, mizan.EINVALID, "drilldown"},
		{"injection attempt", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{`admin"; DROP TABLE members; --`}}, mizan.EINVALID, "drilldown"},
		{"unknown aggregate", mizan.AggregateQuery{Dataset: "budget", Aggregates: []string{"amount.median"}}, mizan.EINVALID, "aggregates"},
		{"page too large", mizan.AggregateQuery{Dataset: "budget", PageSize: mizan.MaxPageSize + 1}, mizan.EINVALID, "page_size"},
		{"negative page", mizan.AggregateQuery{Dataset: "budget", PageSize: -1}, mizan.EINVALID, "page_size"},
		{"negative offset", mizan.AggregateQuery{Dataset: "budget", Offset: -1}, mizan.EINVALID, "offset"},
		{"negative top", mizan.AggregateQuery{Dataset: "budget", Top: -1}, mizan.EINVALID, "top"},
		{"order not in drilldown", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"admin"}, Order: []mizan.Order{{Ref: "year"}}}, mizan.EINVALID, "order"},
		{"order by unknown aggregate", mizan.AggregateQuery{Dataset: "budget", Order: []mizan.Order{{Ref: "amount.median"}}}, mizan.EINVALID, "order"},
		{"year not a number", mizan.AggregateQuery{Dataset: "budget", Cuts: []mizan.Cut{{Ref: "year", Values: []string{"20x4"}}}}, mizan.EINVALID, "cuts"},
		{"bad date", mizan.AggregateQuery{Dataset: "budget", Cuts: []mizan.Cut{{Ref: "date", From: "yesterday"}}}, mizan.EINVALID, "cuts"},
		{"values and range", mizan.AggregateQuery{Dataset: "budget", Cuts: []mizan.Cut{{Ref: "year", Values: []string{"2024"}, From: "2023"}}}, mizan.EINVALID, "cuts"},
		{"empty cut", mizan.AggregateQuery{Dataset: "budget", Cuts: []mizan.Cut{{Ref: "year"}}}, mizan.EINVALID, "cuts"},
		{"cut on unknown dimension", mizan.AggregateQuery{Dataset: "budget", Cuts: []mizan.Cut{{Ref: "fund", Values: []string{"x"}}}}, mizan.EINVALID, "cuts"},
		{"subtree of unknown member", mizan.AggregateQuery{Dataset: "budget", Cuts: []mizan.Cut{{Ref: "admin", Values: []string{"M9"}, Subtree: true}}}, mizan.EINVALID, "cuts"},
		{"subtree on a fixed column", mizan.AggregateQuery{Dataset: "budget", Cuts: []mizan.Cut{{Ref: "phase", Values: []string{"approved"}, Subtree: true}}}, mizan.EINVALID, "cuts"},
		{"normalisation without year", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"admin"}, Normalization: mizan.Normalization{PerCapita: "population"}}, mizan.EINVALID, "normalization"},
		{"deflator without base year", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"year"}, Normalization: mizan.Normalization{Deflator: "cpi"}}, mizan.EINVALID, "normalization.base_year"},
		{"fx without target", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"year"}, Normalization: mizan.Normalization{FXRates: "fx-usd"}}, mizan.EINVALID, "normalization.target_currency"},
		{"series not found", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"year"}, Normalization: mizan.Normalization{PerCapita: "people"}}, mizan.ENOTFOUND, "normalization.per_capita"},
		{"series of the wrong kind", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"year"}, Normalization: mizan.Normalization{PerCapita: "budget"}}, mizan.EINVALID, "normalization.per_capita"},
		{"series without the year", mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"year"}, Normalization: mizan.Normalization{Deflator: "cpi", BaseYear: 2020}}, mizan.EINVALID, "normalization.deflator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Aggregate(context.Background(), tt.q)
			if err == nil {
				t.Fatal("Aggregate succeeded")
			}
			var me *mizan.Error
			if !asError(err, &me) {
				t.Fatalf("error %v is not a *mizan.Error", err)
			}
			if me.Code != tt.code || me.Field != tt.field {
				t.Errorf("error = %q/%q %q, want %q/%q", me.Code, me.Field, me.Message, tt.code, tt.field)
			}
		})
	}
}

func TestAggregateExact(t *testing.T) {
	db := openDB(t)
	rows := make([]row, 0, 10_002)
	for i := 0; i < 10_000; i++ {
		rows = append(rows, row{Year: 2024, Phase: "executed", Amount: "0.001", Keys: map[string]string{"fund": "tiny"}})
	}
	rows = append(rows,
		row{Year: 2024, Phase: "executed", Amount: "12345678901234567.891", Keys: map[string]string{"fund": "huge"}},
		row{Year: 2024, Phase: "executed", Amount: "0.009", Keys: map[string]string{"fund": "huge"}},
	)
	dims := []mizan.Dimension{{ID: "fund", Kind: mizan.KindAttribute, Levels: []mizan.Level{{ID: "fund"}}}}
	mustVersionPrecision(t, db, budgetDataset("exact"), dims, store.WidePrecision, 3, nil, rows, nil)
	svc := NewService(db, NewDuckDB(db), Options{})
	got, err := svc.Aggregate(context.Background(), mizan.AggregateQuery{Dataset: "exact", Drilldown: []string{"fund"},
		Aggregates: []string{"amount.sum", "amount.avg", "amount.share"}, Order: []mizan.Order{{Ref: "fund", Desc: true}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{"amount.sum": "10.000", "amount.avg": "0.00100", "amount.share": "0.000000"},
		{"amount.sum": "12345678901234567.900", "amount.avg": "6172839450617283.95000", "amount.share": "1.000000"},
	}
	var gotVals []map[string]string
	for _, c := range got.Cells {
		gotVals = append(gotVals, c.Values)
	}
	if diff := cmp.Diff(want, gotVals); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if s := got.Summary.Values["amount.sum"]; s != "12345678901234577.900" {
		t.Errorf("summary sum = %s", s)
	}
}

func TestAggregateMixedCurrencies(t *testing.T) {
	db := openDB(t)
	rows := []row{
		{Year: 2024, Phase: "approved", Currency: "BHD", Amount: "10.000", Keys: map[string]string{"fund": "a"}},
		{Year: 2024, Phase: "approved", Currency: "BHD", Amount: "30.000", Keys: map[string]string{"fund": "b"}},
		{Year: 2024, Phase: "approved", Currency: "USD", Amount: "5.000", Keys: map[string]string{"fund": "a"}},
	}
	dims := []mizan.Dimension{{ID: "fund", Kind: mizan.KindAttribute, Levels: []mizan.Level{{ID: "fund"}}}}
	mustVersion(t, db, budgetDataset("mixed"), dims, 3, nil, rows, nil)
	svc := NewService(db, NewDuckDB(db), Options{})
	ctx := context.Background()

	got, err := svc.Aggregate(ctx, mizan.AggregateQuery{Dataset: "mixed", Drilldown: []string{"fund"}, Aggregates: []string{"amount.sum", "amount.share", "amount.count"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &mizan.AggregateResult{
		Cells: []mizan.Cell{
			{Keys: keys("fund", "b", "currency", "BHD"), Labels: keys("fund", "b", "currency", "BHD"), Values: keys("amount.sum", "30.000", "amount.share", "0.750000", "amount.count", "1"), Currency: "BHD"},
			{Keys: keys("fund", "a", "currency", "BHD"), Labels: keys("fund", "a", "currency", "BHD"), Values: keys("amount.sum", "10.000", "amount.share", "0.250000", "amount.count", "1"), Currency: "BHD"},
			{Keys: keys("fund", "a", "currency", "USD"), Labels: keys("fund", "a", "currency", "USD"), Values: keys("amount.sum", "5.000", "amount.share", "1.000000", "amount.count", "1"), Currency: "USD"},
		},
		Summary:        mizan.Cell{Keys: keys(), Labels: keys(), Values: keys("amount.count", "3")},
		TotalCellCount: 3,
		Dataset:        "mixed",
		Version:        1,
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("mixed (-want +got):\n%s", diff)
	}

	// Top folds the rest per currency.
	got, err = svc.Aggregate(ctx, mizan.AggregateQuery{Dataset: "mixed", Drilldown: []string{"fund"}, Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	var others []string
	for _, c := range got.Cells {
		if c.Other {
			others = append(others, c.Currency+" "+c.Values["amount.sum"])
		}
	}
	if diff := cmp.Diff([]string{"BHD 10.000", "USD 5.000"}, others); diff != "" {
		t.Errorf("other cells (-want +got):\n%s", diff)
	}

	// A cut on one currency makes sums meaningful again.
	got, err = svc.Aggregate(ctx, mizan.AggregateQuery{Dataset: "mixed", Cuts: []mizan.Cut{{Ref: "currency", Values: []string{"USD"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Currency != "USD" || got.Summary.Values["amount.sum"] != "5.000" {
		t.Errorf("USD only: currency %q summary %v", got.Currency, got.Summary.Values)
	}
}

func TestAggregateDeterministic(t *testing.T) {
	f := newFixture(t)
	q := mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"admin.department", "year"}, Aggregates: []string{"amount.count"},
		Order: []mizan.Order{{Ref: "amount.count"}}}
	a, err := f.svc.Aggregate(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Aggregate(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, a) != mustJSON(t, b) {
		t.Error("two runs differ")
	}
	// Equal counts are ordered by the keys.
	var got []string
	for _, c := range a.Cells {
		got = append(got, c.Keys["admin.department"]+"/"+c.Keys["year"]+":"+c.Values["amount.count"])
	}
	want := []string{"D11/2023:2", "D12/2024:2", "D21/2023:2", "D31/2024:2", "D11/2024:3", "D21/2024:3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
