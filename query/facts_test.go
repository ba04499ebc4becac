package query

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizan-budget/mizan"
)

func TestFacts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	got, err := f.svc.Facts(ctx, mizan.FactsQuery{Dataset: "budget", Lang: "ar",
		Cuts:  []mizan.Cut{{Ref: "admin.department", Values: []string{"D11"}}, {Ref: "year", Values: []string{"2024"}}},
		Order: []mizan.Order{{Ref: "amount", Desc: true}}, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	fk := func(phase string) map[string]string {
		return keys("year", "2024", "phase", phase, "direction", "expenditure", "currency", "BHD",
			"admin.ministry", "M1", "admin.department", "D11", "economic.chapter", "E1")
	}
	fl := func(phase string) map[string]string {
		return keys("year", "2024", "phase", phase, "direction", "النفقات", "currency", "BHD",
			"admin.ministry", "وزارة الصحة", "admin.department", "Hospitals", "economic.chapter", "الرواتب")
	}
	want := &mizan.FactsResult{
		Facts: []mizan.Fact{
			{Row: 5, Keys: fk("revised"), Labels: fl("revised"), LabelLangs: keys("admin.department", "en"), Amount: "120.000", Currency: "BHD", SourceID: 1, File: "budget-2024.xlsx", SHA256: "aa11", Sheet: "Budget", SourceRow: 6},
			{Row: 7, Keys: fk("executed"), Labels: func() map[string]string { l := fl("executed"); l["phase"] = "الفعلية"; return l }(), LabelLangs: keys("admin.department", "en"), Amount: "110.000", Currency: "BHD", SourceID: 1, File: "budget-2024.xlsx", SHA256: "aa11", Sheet: "Budget", SourceRow: 8},
		},
		TotalCount: 3,
		Dataset:    "budget",
		Version:    1,
		NextOffset: 2,
	}
	want.Facts[0].Labels["phase"] = "المعدلة"
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Facts (-want +got):\n%s", diff)
	}

	// Default order is by row id; subtree cuts work as in aggregates.
	got, err = f.svc.Facts(ctx, mizan.FactsQuery{Dataset: "budget", Cuts: []mizan.Cut{{Ref: "admin", Values: []string{"M3"}, Subtree: true}}})
	if err != nil {
		t.Fatal(err)
	}
	var rows []int64
	for _, fa := range got.Facts {
		rows = append(rows, fa.Row)
	}
	if diff := cmp.Diff([]int64{4, 10}, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	_, err = f.svc.Facts(ctx, mizan.FactsQuery{Dataset: "budget", Order: []mizan.Order{{Ref: "colour"}}})
	var me *mizan.Error
	if !asError(err, &me) || me.Field != "order" {
		t.Errorf("bad order: %v", err)
	}
}
