package query

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mizan-budget/mizan"
)

// countingEngine is the real engine, counting label lookups by key.
type countingEngine struct {
	*DuckDB
	lookups atomic.Int64
}

func (e *countingEngine) Members(ctx context.Context, p *MembersPlan) (array.RecordReader, error) {
	if p.Keys != nil {
		e.lookups.Add(1)
	}
	return e.DuckDB.Members(ctx, p)
}

// TestExportLabelsLargeLevel exports a level too large for the label
// cache: every cell keeps its own label, and labels are looked up once per
// chunk of exportChunkRows cells, not once per engine batch (the load test
// found an export of Manchester's 474k payments by year taking over a
// minute, one lookup per 2048 cells, while holding a query slot).
func TestExportLabelsLargeLevel(t *testing.T) {
	db := openDB(t)
	n := cacheMaxLevel + 5000
	rows := make([]row, n)
	members := []mizan.Member{
		{Dimension: "admin", Level: "ministry", Key: "M1", Label: mizan.Text{"en": "Ministry"}},
		{Dimension: "economic", Level: "chapter", Key: "E1", Label: mizan.Text{"en": "Salaries"}},
	}
	for i := range n {
		dept := fmt.Sprintf("D%06d", i)
		rows[i] = fact(2024, "approved", "M1", dept, "E1", fmt.Sprintf("%d.000", i+1), 1, int64(i+2))
		members = append(members, mizan.Member{Dimension: "admin", Level: "department", Key: dept, Parent: "M1",
			Label: mizan.Text{"en": "Department " + strconv.Itoa(i)}})
	}
	mustVersion(t, db, budgetDataset("big"), budgetDims, 3, budgetSources, rows, members)
	eng := &countingEngine{DuckDB: NewDuckDB(db)}
	svc := NewService(db, eng, Options{})

	old := exportChunkRows
	exportChunkRows = 10_000 // several chunks, the last one partial
	defer func() { exportChunkRows = old }()
	var buf bytes.Buffer
	err := svc.Export(context.Background(), ExportRequest{Format: FormatCSV, Aggregate: &mizan.AggregateQuery{
		Dataset: "big", Drilldown: []string{"admin.department"}}}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n+1 {
		t.Fatalf("%d lines, want %d cells and a header", len(recs), n)
	}
	if got := fmt.Sprint(recs[0]); got != "[admin.department admin.department.label amount.sum amount.count]" {
		t.Errorf("header %s", got)
	}
	seen := map[string]bool{}
	for _, r := range recs[1:] {
		var i int
		if _, err := fmt.Sscanf(r[0], "D%06d", &i); err != nil {
			t.Fatalf("key %q: %v", r[0], err)
		}
		if want := fmt.Sprintf("Department %d", i); r[1] != want {
			t.Errorf("%s: label %q, want %q", r[0], r[1], want)
		}
		if want := fmt.Sprintf("%d.000", i+1); r[2] != want {
			t.Errorf("%s: sum %s, want %s", r[0], r[2], want)
		}
		seen[r[0]] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct departments, want %d", len(seen), n)
	}
	maxLookups := int64((n + exportChunkRows - 1) / exportChunkRows)
	if got := eng.lookups.Load(); got > maxLookups {
		t.Errorf("%d label lookups for %d cells; want at most %d (one per %d-cell chunk)", got, n, maxLookups, exportChunkRows)
	}
}
