package contracts

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mizan-budget/mizan"
)

// TestSearchByBudgetLine finds Colombia's processes by the budget line
// they cite, against a reading of the raw records with encoding/json: the
// published ids carry spaces (" 2521 "), which the filter ignores.
func TestSearchByBudgetLine(t *testing.T) {
	dir := filepath.Join(datasetDir(t, "ocds-real-examples"), "colombia", "sample", "records")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Colombian records in %s: %v", dir, err)
	}
	want := map[string][]string{} // budget id → ocids
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			CompiledRelease struct {
				OCID     string `json:"ocid"`
				Planning struct {
					Budget struct {
						ID        string `json:"id"`
						ProjectID string `json:"projectID"`
					} `json:"budget"`
				} `json:"planning"`
			} `json:"compiledRelease"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c := rec.CompiledRelease
		for _, id := range []string{c.Planning.Budget.ID, c.Planning.Budget.ProjectID} {
			if id = strings.TrimSpace(id); id != "" && !slices.Contains(want[id], c.OCID) {
				want[id] = append(want[id], c.OCID)
			}
		}
	}
	if len(want) < 2 {
		t.Fatalf("expected several budget lines, found %v", want)
	}
	db := openDB(t)
	ingest(t, db, "colombia", dir)
	svc := NewService(db, ServiceOptions{})
	ctx := context.Background()
	shared := false
	for id, ocids := range want {
		shared = shared || len(ocids) > 1
		// The id as published, spaces and all, finds the same processes.
		for _, asked := range []string{id, " " + id + " "} {
			res, err := svc.Search(ctx, SearchQuery{Budgets: []string{asked}, PageSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.OCID)
			}
			slices.Sort(got)
			slices.Sort(ocids)
			if res.Total != len(ocids) || !slices.Equal(got, ocids) {
				t.Errorf("budget %q: %d processes %v, want %v", asked, res.Total, got, ocids)
			}
		}
	}
	if !shared {
		t.Errorf("no budget line is cited by two processes; the test would not see a line matching several")
	}
	// Several lines at once: the processes citing either; an unknown line
	// matches nothing, a blank one is refused.
	var two []string
	either := map[string]bool{}
	for id, ocids := range want {
		if len(two) < 2 {
			two = append(two, id)
			for _, o := range ocids {
				either[o] = true
			}
		}
	}
	n := len(either)
	res, err := svc.Search(ctx, SearchQuery{Budgets: two, PageSize: 100})
	if err != nil || res.Total != n {
		t.Fatalf("budgets %v: %d processes, want %d (%v)", two, res.Total, n, err)
	}
	// The budget facet counts each line asked for, and only those.
	facet := res.Facet("budget")
	if len(facet) != len(two) {
		t.Errorf("budget facet %v, want the %d lines asked for", facet, len(two))
	}
	for _, v := range facet {
		if !slices.Contains(two, v.Key) || v.Count != len(want[v.Key]) {
			t.Errorf("budget facet %s: %d, want %d", v.Key, v.Count, len(want[v.Key]))
		}
	}
	// Unfiltered, it lists the most cited lines first.
	res, err = svc.Search(ctx, SearchQuery{})
	if err != nil {
		t.Fatal(err)
	}
	facet = res.Facet("budget")
	if len(facet) == 0 || len(facet) > 10 {
		t.Fatalf("unfiltered budget facet has %d values", len(facet))
	}
	for i, v := range facet {
		if v.Count != len(want[v.Key]) || i > 0 && v.Count > facet[i-1].Count {
			t.Errorf("unfiltered budget facet %d: %s %d, want %d, most cited first", i, v.Key, v.Count, len(want[v.Key]))
		}
	}
	res, err = svc.Search(ctx, SearchQuery{Budgets: []string{"no such line"}})
	if err != nil || res.Total != 0 {
		t.Errorf("unknown budget line: %d processes (%v)", res.Total, err)
	}
	var me *mizan.Error
	if _, err := svc.Search(ctx, SearchQuery{Budgets: []string{" ", "\t"}}); !errors.As(err, &me) || me.Code != mizan.EINVALID || me.Field != "budget_ids" {
		t.Errorf("blank budget lines: %v, want an invalid budget_ids", err)
	}
}
