package query

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizan-budget/mizan"
)

func TestExecution(t *testing.T) {
	f := newFixture(t)
	m1 := mizan.ExecutionRow{Keys: keys("admin", "M1"), Labels: keys("admin", "Ministry of Health"), Approved: "150.500", Revised: "120.000", Executed: "130.000",
		Rate: "1.083333", RateBase: "revised", Variance: "10.000", Over: true, Currency: "BHD"}
	m2 := mizan.ExecutionRow{Keys: keys("admin", "M2"), Labels: keys("admin", "Ministry of Education"), Approved: "200.000", Revised: "180.000", Executed: "60.000",
		Rate: "0.333333", RateBase: "revised", Variance: "-120.000", Under: true, Currency: "BHD"}
	m3 := mizan.ExecutionRow{Keys: keys("admin", "M3"), Labels: keys("admin", "Ministère des Finances"), LabelLangs: keys("admin", "fr"), Approved: "10.001", Executed: "12.000",
		Rate: "1.199880", RateBase: "approved", Variance: "1.999", Over: true, Currency: "BHD"}
	summary := mizan.ExecutionRow{Approved: "360.501", Revised: "300.000", Executed: "202.000", Rate: "0.673333", RateBase: "revised", Variance: "-98.000", Currency: "BHD"}
	year2024 := []mizan.Cut{{Ref: "year", Values: []string{"2024"}}}
	tests := []struct {
		name string
		q    mizan.ExecutionQuery
		want *mizan.ExecutionResult
	}{
		{
			name: "by keys",
			q:    mizan.ExecutionQuery{Drilldown: []string{"admin"}, Cuts: year2024},
			want: &mizan.ExecutionResult{Rows: []mizan.ExecutionRow{m1, m2, m3}, Summary: summary, TotalRowCount: 3},
		},
		{
			name: "by rate descending",
			q:    mizan.ExecutionQuery{Drilldown: []string{"admin"}, Cuts: year2024, Order: []mizan.Order{{Ref: "rate", Desc: true}}},
			want: &mizan.ExecutionResult{Rows: []mizan.ExecutionRow{m3, m1, m2}, Summary: summary, TotalRowCount: 3},
		},
		{
			name: "by variance, paged",
			q:    mizan.ExecutionQuery{Drilldown: []string{"admin"}, Cuts: year2024, Order: []mizan.Order{{Ref: "variance"}}, PageSize: 2},
			want: &mizan.ExecutionResult{Rows: []mizan.ExecutionRow{m2, m3}, Summary: summary, TotalRowCount: 3, NextOffset: 2},
		},
		{
			name: "low threshold",
			q:    mizan.ExecutionQuery{Drilldown: []string{"admin"}, Cuts: year2024, LowThreshold: "0.2", Order: []mizan.Order{{Ref: "admin", Desc: true}}, PageSize: 1, Offset: 1},
			want: &mizan.ExecutionResult{Rows: []mizan.ExecutionRow{func() mizan.ExecutionRow { r := m2; r.Under = false; return r }()}, Summary: summary, TotalRowCount: 3, NextOffset: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Dataset = "budget"
			got, err := f.svc.Execution(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Execution: %v", err)
			}
			tt.want.Dataset, tt.want.Version, tt.want.Currency = "budget", 1, "BHD"
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Execution (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExecutionInvalid(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name  string
		q     mizan.ExecutionQuery
		field string
	}{
		{"bad threshold", mizan.ExecutionQuery{Dataset: "budget", LowThreshold: "half"}, "low_threshold"},
		{"unknown order", mizan.ExecutionQuery{Dataset: "budget", Drilldown: []string{"admin"}, Order: []mizan.Order{{Ref: "speed"}}}, "order"},
		{"unknown drilldown", mizan.ExecutionQuery{Dataset: "budget", Drilldown: []string{"nope"}}, "drilldown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Execution(context.Background(), tt.q)
			var me *mizan.Error
			if !asError(err, &me) || me.Field != tt.field {
				t.Errorf("error = %v, want field %q", err, tt.field)
			}
		})
	}
}
