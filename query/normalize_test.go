package query

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizan-budget/mizan"
)

func TestNormalization(t *testing.T) {
	f := newFixture(t)
	executed := []mizan.Cut{{Ref: "phase", Values: []string{"executed"}}}
	yearCell := func(year, sum, currency string) mizan.Cell {
		return mizan.Cell{Keys: keys("year", year), Labels: keys("year", year), Values: keys("amount.sum", sum), Currency: currency}
	}
	applied := func(kind, ds string, year int, value string) mizan.AppliedSeries {
		return mizan.AppliedSeries{Kind: kind, Dataset: ds, Version: 1, Year: year, Value: value}
	}
	tests := []struct {
		name string
		q    mizan.AggregateQuery
		want *mizan.AggregateResult
	}{
		{
			name: "per capita by year",
			q:    mizan.AggregateQuery{Drilldown: []string{"year"}, Cuts: executed, Normalization: mizan.Normalization{PerCapita: "population"}},
			want: &mizan.AggregateResult{
				Cells:          []mizan.Cell{yearCell("2023", "0.23500", "BHD"), yearCell("2024", "0.13467", "BHD")},
				Summary:        mizan.Cell{Values: keys("amount.sum", "0.36967"), Currency: "BHD"},
				TotalCellCount: 2,
				Currency:       "BHD",
				Applied:        []mizan.AppliedSeries{applied("per_capita", "population", 2023, "1000"), applied("per_capita", "population", 2024, "1500")},
			},
		},
		{
			name: "constant prices",
			q: mizan.AggregateQuery{Drilldown: []string{"year"}, Cuts: executed, Order: []mizan.Order{{Ref: "year"}},
				Normalization: mizan.Normalization{Deflator: "cpi", BaseYear: 2024}},
			want: &mizan.AggregateResult{
				Cells:          []mizan.Cell{yearCell("2023", "258.50000", "BHD"), yearCell("2024", "202.00000", "BHD")},
				Summary:        mizan.Cell{Values: keys("amount.sum", "460.50000"), Currency: "BHD"},
				TotalCellCount: 2,
				Currency:       "BHD",
				Applied:        []mizan.AppliedSeries{applied("deflator", "cpi", 2023, "100.0"), applied("deflator", "cpi", 2024, "110.0")},
			},
		},
		{
			name: "currency conversion",
			q: mizan.AggregateQuery{Drilldown: []string{"year"}, Cuts: executed,
				Normalization: mizan.Normalization{FXRates: "fx-usd", TargetCurrency: "USD"}},
			want: &mizan.AggregateResult{
				Cells:          []mizan.Cell{yearCell("2023", "587.50000", "USD"), yearCell("2024", "525.20000", "USD")},
				Summary:        mizan.Cell{Values: keys("amount.sum", "1112.70000"), Currency: "USD"},
				TotalCellCount: 2,
				Currency:       "USD",
				Applied:        []mizan.AppliedSeries{applied("fx", "fx-usd", 2023, "2.500000"), applied("fx", "fx-usd", 2024, "2.600000")},
			},
		},
		{
			name: "single-year cut, all three",
			q: mizan.AggregateQuery{Drilldown: []string{"admin"}, Cuts: append([]mizan.Cut{{Ref: "year", Values: []string{"2024"}}}, executed...), Top: 1,
				Normalization: mizan.Normalization{PerCapita: "population", Deflator: "cpi", BaseYear: 2024, FXRates: "fx-usd", TargetCurrency: "USD"}},
			want: &mizan.AggregateResult{
				Cells: []mizan.Cell{
					{Keys: keys("admin", "M1"), Labels: keys("admin", "Ministry of Health"), Values: keys("amount.sum", "0.22533"), Currency: "USD"},
					{Keys: keys(), Labels: keys(), Values: keys("amount.sum", "0.12480"), Currency: "USD", Other: true},
				},
				Summary:        mizan.Cell{Values: keys("amount.sum", "0.35013"), Currency: "USD"},
				TotalCellCount: 3,
				Currency:       "USD",
				Applied: []mizan.AppliedSeries{
					applied("deflator", "cpi", 2024, "110.0"),
					applied("fx", "fx-usd", 2024, "2.600000"),
					applied("per_capita", "population", 2024, "1500"),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Dataset = "budget"
			if tt.q.Aggregates == nil {
				tt.q.Aggregates = []string{"amount.sum"}
			}
			got, err := f.svc.Aggregate(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Aggregate: %v", err)
			}
			tt.want.Dataset, tt.want.Version = "budget", 1
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Aggregate (-want +got):\n%s", diff)
			}
		})
	}
}
