package query

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
)

// factsOnly is an engine that never reads rollups.
type factsOnly struct{ *DuckDB }

func (e factsOnly) strip(p *AggregatePlan) *AggregatePlan {
	q := *p
	q.Source.Rollups = nil
	return &q
}

func (e factsOnly) Aggregate(ctx context.Context, p *AggregatePlan) (array.RecordReader, error) {
	return e.DuckDB.Aggregate(ctx, e.strip(p))
}

func (e factsOnly) Count(ctx context.Context, p *AggregatePlan) (int64, error) {
	return e.DuckDB.Count(ctx, e.strip(p))
}

func (e factsOnly) Summary(ctx context.Context, p *AggregatePlan) (array.RecordReader, error) {
	return e.DuckDB.Summary(ctx, e.strip(p))
}

func (e factsOnly) Rest(ctx context.Context, p *AggregatePlan) (array.RecordReader, error) {
	return e.DuckDB.Rest(ctx, e.strip(p))
}

func (e factsOnly) Execution(ctx context.Context, p *ExecutionPlan) (array.RecordReader, error) {
	q := *p
	q.Source.Rollups = nil
	return e.DuckDB.Execution(ctx, &q)
}

// Rollup tables and the facts table must give identical answers.
func TestRollupsAgreeWithFacts(t *testing.T) {
	f := newFixture(t)
	plain := NewService(f.db, factsOnly{f.eng}, Options{})
	ctx := context.Background()
	for _, q := range []mizan.AggregateQuery{
		{Drilldown: []string{"admin", "year"}, Aggregates: []string{"amount.sum", "amount.count", "amount.min", "amount.max", "amount.avg", "amount.share"}},
		{Drilldown: []string{"admin.department"}, Cuts: approved2024, Top: 2},
		{Drilldown: []string{"economic", "phase"}, Order: []mizan.Order{{Ref: "amount.avg"}}},
		{Cuts: []mizan.Cut{{Ref: "admin", Values: []string{"M1"}, Subtree: true}}},
	} {
		q.Dataset = "budget"
		want, err := plain.Aggregate(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Aggregate(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: rollup (-facts +rollup):\n%s", q.Drilldown, diff)
		}
	}
	eq := mizan.ExecutionQuery{Dataset: "budget", Drilldown: []string{"admin"}, Order: []mizan.Order{{Ref: "rate"}}}
	want, err := plain.Execution(ctx, eq)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Execution(ctx, eq)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("execution (-facts +rollup):\n%s", diff)
	}
}

func TestDatesAndPeriods(t *testing.T) {
	db := openDB(t)
	rows := []row{
		{Year: 2024, Period: "2024-01", Date: "2024-01-15", Amount: "1.500"},
		{Year: 2024, Period: "2024-01", Date: "2024-01-31", Amount: "2.000"},
		{Year: 2024, Period: "2024-02", Date: "2024-02-01", Amount: "4.000"},
		{Year: 2024, Period: "2024-03", Date: "2024-03-10", Amount: "8.000"},
	}
	ds := mizan.Dataset{ID: "payments", Kind: mizan.KindPayments, Title: mizan.Text{"en": "Payments"}, Currency: "BHD"}
	mustVersion(t, db, ds, nil, 3, nil, rows, nil)
	svc := NewService(db, NewDuckDB(db), Options{})
	got, err := svc.Aggregate(context.Background(), mizan.AggregateQuery{Dataset: "payments", Drilldown: []string{"period", "date"},
		Cuts:  []mizan.Cut{{Ref: "date", From: "2024-01-31", To: "2024-03-01"}, {Ref: "period", From: "2024-01", To: "2024-02"}},
		Order: []mizan.Order{{Ref: "date", Desc: true}}, Aggregates: []string{"amount.sum"}})
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, c := range got.Cells {
		cells = append(cells, c.Keys["period"]+" "+c.Keys["date"]+" "+c.Values["amount.sum"])
	}
	if diff := cmp.Diff([]string{"2024-02 2024-02-01 4.000", "2024-01 2024-01-31 2.000"}, cells); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
}
