package rpc_test

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// fixtureDataset is the id of the small budget the tests serve.
const fixtureDataset = "test-budget"

// fact is one fixture line item; amounts are in fils (scale 3).
type fact struct {
	year       int32
	phase      string
	ministry   string
	department string
	fils       int64
	sourceRow  int64
}

var fixtureFacts = []fact{
	{2023, mizan.PhaseApproved, "M1", "D11", 1_000_000, 2},
	{2023, mizan.PhaseApproved, "M1", "D12", 500_500, 3},
	{2023, mizan.PhaseApproved, "M2", "D21", 2_000_000, 4},
	{2023, mizan.PhaseExecuted, "M1", "D11", 900_000, 2},
	{2023, mizan.PhaseExecuted, "M2", "D21", 2_100_000, 4},
	{2024, mizan.PhaseApproved, "M1", "D11", 1_100_000, 5},
	{2024, mizan.PhaseApproved, "M2", "D21", 2_200_000, 6},
}

func fixtureSpec() store.VersionSpec {
	return store.VersionSpec{
		Dataset: mizan.Dataset{
			ID:          fixtureDataset,
			Kind:        mizan.KindBudget,
			Title:       mizan.Text{"en": "Test budget", "ar": "ميزانية اختبار"},
			Description: mizan.Text{"en": "A small made-up budget."},
			Publisher:   mizan.Text{"en": "Ministry of Tests"},
			Country:     "BH",
			Currency:    "BHD",
			Language:    "ar",
			Licence:     mizan.Licence{Name: "CC-BY-4.0", URL: "https://creativecommons.org/licenses/by/4.0/"},
			Synthetic:   true,
		},
		ContentHash: "c0ffee",
		Scale:       3,
		Factor:      "1",
		Dimensions: []mizan.Dimension{{
			ID: "admin", Kind: mizan.KindClassification,
			Label: mizan.Text{"en": "Administrative", "ar": "إداري"},
			Levels: []mizan.Level{
				{ID: "ministry", Label: mizan.Text{"en": "Ministry", "ar": "وزارة"}},
				{ID: "department", Label: mizan.Text{"en": "Department"}},
			},
		}},
		Sources: []mizan.SourceFile{{ID: 1, Name: "budget.xlsx", Sheet: "2023", SHA256: "ab12", URL: "https://example.org/budget.xlsx", Bytes: 1234, Rows: 9}},
	}
}

var fixtureMembers = []mizan.Member{
	{Dimension: "admin", Level: "ministry", Key: "M1", Label: mizan.Text{"en": "Education", "ar": "التربية"}},
	{Dimension: "admin", Level: "ministry", Key: "M2", Label: mizan.Text{"en": "Health", "ar": "الصحة"}},
	{Dimension: "admin", Level: "ministry", Key: "M3", Label: mizan.Text{"en": "Works"}},
	{Dimension: "admin", Level: "department", Key: "D11", Parent: "M1", Label: mizan.Text{"en": "Schools"}},
	{Dimension: "admin", Level: "department", Key: "D12", Parent: "M1", Label: mizan.Text{"en": "Universities"}},
	{Dimension: "admin", Level: "department", Key: "D21", Parent: "M2", Label: mizan.Text{"en": "Hospitals"}},
}

// openFixture returns an in-memory database holding one version of the
// fixture dataset.
func openFixture(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	addFixtureVersion(t, db)
	return db
}

// addFixtureVersion commits one more version of the fixture dataset.
func addFixtureVersion(t *testing.T, db *store.DB) mizan.Version {
	t.Helper()
	ctx := context.Background()
	w, err := db.BeginVersion(ctx, fixtureSpec())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	b := w.NewFactBuilder(memory.DefaultAllocator)
	defer b.Release()
	schema := w.Schema()
	for i, f := range fixtureFacts {
		for j, field := range schema.Fields() {
			fb := b.Field(j)
			switch field.Name {
			case store.ColRow:
				fb.(*array.Int64Builder).Append(int64(i + 1))
			case store.ColYear:
				fb.(*array.Int32Builder).Append(f.year)
			case store.ColPhase:
				fb.(*array.StringBuilder).Append(f.phase)
			case store.ColDirection:
				fb.(*array.StringBuilder).Append(mizan.DirectionExpenditure)
			case store.ColCurrency:
				fb.(*array.StringBuilder).Append("BHD")
			case "admin__ministry":
				fb.(*array.StringBuilder).Append(f.ministry)
			case "admin__department":
				fb.(*array.StringBuilder).Append(f.department)
			case store.ColAmount:
				fb.(*array.Decimal128Builder).Append(decimal128.FromI64(f.fils))
			case store.ColSourceID:
				fb.(*array.Int32Builder).Append(1)
			case store.ColSourceRow:
				fb.(*array.Int64Builder).Append(f.sourceRow)
			default:
				fb.AppendNull()
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := w.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	for _, m := range fixtureMembers {
		m.Label = copyText(m.Label)
		w.AddMember(m)
	}
	if err := w.AddRejects(ctx, []store.Reject{
		{SourceID: 1, SourceRow: 7, Column: "amount", Raw: "n/a", Reason: "not a number"},
		{SourceID: 1, SourceRow: 8, Column: "amount", Raw: "1,2,3", Reason: "not a number"},
		{SourceID: 1, SourceRow: 9, Column: "", Raw: "", Reason: "empty row"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddReconciliation(ctx, []store.Mismatch{
		{SourceID: 1, SourceRow: 10, Scope: "total 2023 approved", Published: "3500.500", Computed: "3500.500", Matches: true},
	}); err != nil {
		t.Fatal(err)
	}
	v, err := w.Commit(ctx, int64(len(fixtureFacts)+3), map[string]any{"rows_read": len(fixtureFacts) + 3, "warnings": []string{"sheet 2024 has no header"}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func copyText(t mizan.Text) mizan.Text {
	out := mizan.Text{}
	for k, v := range t {
		out[k] = v
	}
	return out
}
