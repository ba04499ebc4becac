package rpc_test

import (
	"context"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/mizan-budget/mizan/gen/mizan/v1"
)

// TestPaging reads lists page by page, checks that a token only works with
// its own request, and that later pages stay on the version of the first
// even when a newer version is published in between.
func TestPaging(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	c := e.protos[0]

	// Members: 3 ministries, 2 per page.
	req := &mizanv1.ListMembersRequest{Dataset: fixtureDataset, Dimension: "admin.ministry", Lang: "en", PageSize: 2}
	p1, err := c.cat.ListMembers(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(p1.Msg.GetMembers()); !cmp.Equal(got, []string{"M1", "M2"}) || p1.Msg.GetTotalCount() != 3 || p1.Msg.GetNextPageToken() == "" {
		t.Fatalf("page 1 = %v total %d token %q", got, p1.Msg.GetTotalCount(), p1.Msg.GetNextPageToken())
	}
	if m := p1.Msg.GetMembers()[0]; m.GetLabel() != "Education" || m.GetLabels()["ar"] != "التربية" || m.GetChildCount() != 2 {
		t.Errorf("member M1 = %v", m)
	}

	// A new version appears; page 2 still reads version 1.
	if v := addFixtureVersion(t, e.db); v.Number != 2 {
		t.Fatalf("new version %d", v.Number)
	}
	req2 := &mizanv1.ListMembersRequest{Dataset: fixtureDataset, Dimension: "admin.ministry", Lang: "en", PageSize: 5, PageToken: p1.Msg.GetNextPageToken()}
	p2, err := c.cat.ListMembers(ctx, connect.NewRequest(req2))
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(p2.Msg.GetMembers()); !cmp.Equal(got, []string{"M3"}) || p2.Msg.GetNextPageToken() != "" || p2.Msg.GetDatasetVersion() != 1 {
		t.Fatalf("page 2 = %v token %q version %d", got, p2.Msg.GetNextPageToken(), p2.Msg.GetDatasetVersion())
	}

	// A token used with another request is refused.
	other := &mizanv1.ListMembersRequest{Dataset: fixtureDataset, Dimension: "admin.department", PageSize: 2, PageToken: p1.Msg.GetNextPageToken()}
	_, err = c.cat.ListMembers(ctx, connect.NewRequest(other))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "page_token does not match this request") {
		t.Errorf("foreign token: %v", err)
	}
	// Nor does it work on another RPC.
	_, err = c.q.Facts(ctx, connect.NewRequest(&mizanv1.FactsRequest{Dataset: fixtureDataset, PageToken: p1.Msg.GetNextPageToken()}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "page_token does not match this request") {
		t.Errorf("token on another RPC: %v", err)
	}

	// Facts: 7 facts, 3 per page, pinned to the newest version (2) at the
	// first page even after version 3 appears.
	var rows []int64
	freq := &mizanv1.FactsRequest{Dataset: fixtureDataset, PageSize: 3}
	for i := 0; ; i++ {
		resp, err := c.q.Facts(ctx, connect.NewRequest(freq))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Msg.GetDatasetVersion() != 2 {
			t.Fatalf("page %d read version %d, want 2", i, resp.Msg.GetDatasetVersion())
		}
		for _, f := range resp.Msg.GetFacts() {
			rows = append(rows, f.GetRow())
		}
		if i == 0 {
			addFixtureVersion(t, e.db)
		}
		if resp.Msg.GetNextPageToken() == "" {
			break
		}
		freq.PageToken = resp.Msg.GetNextPageToken()
	}
	if !cmp.Equal(rows, []int64{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("rows = %v", rows)
	}

	// Ingest report rejects: 3 rejects, 2 per page.
	rep := &mizanv1.GetIngestReportRequest{Dataset: fixtureDataset, Version: 1, PageSize: 2}
	r1, err := c.cat.GetIngestReport(ctx, connect.NewRequest(rep))
	if err != nil {
		t.Fatal(err)
	}
	rep.PageToken = r1.Msg.GetNextPageToken()
	r2, err := c.cat.GetIngestReport(ctx, connect.NewRequest(rep))
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, r := range append(r1.Msg.GetRejects(), r2.Msg.GetRejects()...) {
		reasons = append(reasons, r.GetRaw()+":"+r.GetReason())
	}
	want := []string{"n/a:not a number", "1,2,3:not a number", ":empty row"}
	if !cmp.Equal(reasons, want) || r2.Msg.GetNextPageToken() != "" {
		t.Errorf("rejects = %q (next %q), want %q", reasons, r2.Msg.GetNextPageToken(), want)
	}
}

func keysOf(ms []*mizanv1.Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.GetKey())
	}
	return out
}

// TestCatalogContent checks the catalog's answers field by field.
func TestCatalogContent(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	c := e.protos[1]

	list, err := c.cat.ListDatasets(ctx, connect.NewRequest(&mizanv1.ListDatasetsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	wantSummary := &mizanv1.DatasetSummary{
		Id: fixtureDataset, Title: map[string]string{"en": "Test budget", "ar": "ميزانية اختبار"},
		Kind: mizanv1.DatasetKind_DATASET_KIND_BUDGET, Country: "BH", Currency: "BHD", Synthetic: true,
		LatestVersion: 1, RowCount: int64(len(fixtureFacts)), Years: []int32{2023, 2024},
		Phases: []string{"approved", "executed"}, Directions: []string{"expenditure"},
		Publisher: map[string]string{"en": "Ministry of Tests"}, Language: "ar",
	}
	if diff := cmp.Diff([]*mizanv1.DatasetSummary{wantSummary}, list.Msg.GetDatasets(), protocmp.Transform()); diff != "" {
		t.Errorf("ListDatasets (-want +got):\n%s", diff)
	}

	got, err := c.cat.GetDataset(ctx, connect.NewRequest(&mizanv1.GetDatasetRequest{Dataset: fixtureDataset, Version: 1}))
	if err != nil {
		t.Fatal(err)
	}
	d := got.Msg.GetDataset()
	if d.GetVersion().GetCreatedAt() == nil || len(d.GetVersions()) != 1 {
		t.Fatalf("version = %v, versions = %v", d.GetVersion(), d.GetVersions())
	}
	wantDims := []*mizanv1.Dimension{{
		Id: "admin", Kind: mizanv1.DimensionKind_DIMENSION_KIND_CLASSIFICATION,
		Label: map[string]string{"en": "Administrative", "ar": "إداري"},
		Levels: []*mizanv1.Level{
			{Id: "ministry", Ref: "admin.ministry", Label: map[string]string{"en": "Ministry", "ar": "وزارة"}, MemberCount: 3},
			{Id: "department", Ref: "admin.department", Label: map[string]string{"en": "Department"}, MemberCount: 3},
		},
	}}
	if diff := cmp.Diff(wantDims, d.GetDimensions(), protocmp.Transform()); diff != "" {
		t.Errorf("dimensions (-want +got):\n%s", diff)
	}
	wantSources := []*mizanv1.SourceFile{{Id: 1, Name: "budget.xlsx", Sheet: "2023", Sha256: "ab12", Url: "https://example.org/budget.xlsx", Bytes: 1234, Rows: 9}}
	if diff := cmp.Diff(wantSources, d.GetSources(), protocmp.Transform()); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if d.GetLicence().GetName() != "CC-BY-4.0" || d.GetVersion().GetContentHash() != "c0ffee" || d.GetVersion().GetRejected() != 3 ||
		len(d.GetMeasures()) != 1 || d.GetMeasures()[0].GetId() != "amount" {
		t.Errorf("dataset = %v", d)
	}

	rep, err := c.cat.GetIngestReport(ctx, connect.NewRequest(&mizanv1.GetIngestReportRequest{Dataset: fixtureDataset}))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Msg.GetSummary().GetFields()["warnings"].GetListValue().GetValues()[0].GetStringValue() != "sheet 2024 has no header" ||
		rep.Msg.GetRejectedCount() != 3 || rep.Msg.GetRowsRead() != int64(len(fixtureFacts)+3) {
		t.Errorf("report = %v", rep.Msg)
	}
	wantChecks := []*mizanv1.ReconciliationCheck{{File: "budget.xlsx", Sheet: "2023", Row: 10, Scope: "total 2023 approved", Published: "3500.500", Computed: "3500.500", Matches: true}}
	if diff := cmp.Diff(wantChecks, rep.Msg.GetReconciliation(), protocmp.Transform()); diff != "" {
		t.Errorf("reconciliation (-want +got):\n%s", diff)
	}
	if r := rep.Msg.GetRejects()[0]; r.GetFile() != "budget.xlsx" || r.GetRow() != 7 || r.GetColumn() != "amount" {
		t.Errorf("reject = %v", r)
	}
}
