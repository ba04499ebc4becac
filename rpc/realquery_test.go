package rpc_test

import (
	"context"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// newRealEnv serves the fixture through the real query service over DuckDB.
func newRealEnv(t *testing.T) *env {
	return newEnv(t, func(o *rpc.Options) {
		db := o.Catalog.(*store.DB)
		svc := query.NewService(db, query.NewDuckDB(db), query.Options{})
		o.Query, o.Exporter = svc, svc
	})
}

// realCalls are the QueryService RPCs against the fixture.
var realCalls = map[string]call{
	"Aggregate": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.q.Aggregate, &mizanv1.AggregateRequest{
			Dataset: fixtureDataset, Aggregates: []string{"amount.sum", "amount.count", "amount.share"},
			Drilldown: []string{"year", "admin.ministry"}, Cuts: []*mizanv1.Cut{{Dimension: "phase", Values: []string{"approved"}}},
			Order: []*mizanv1.Order{{Ref: "amount.sum", Desc: true}}, Lang: "ar",
		})
	},
	"Execution": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.q.Execution, &mizanv1.ExecutionRequest{Dataset: fixtureDataset, Drilldown: []string{"admin.ministry"}, Cuts: []*mizanv1.Cut{{Dimension: "year", Values: []string{"2023"}}}})
	},
	"Facts": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.q.Facts, &mizanv1.FactsRequest{Dataset: fixtureDataset, Cuts: []*mizanv1.Cut{{Dimension: "admin.ministry", Values: []string{"M1"}}}, Lang: "en"})
	},
	"Export CSV": func(ctx context.Context, p protocol) (any, error) {
		r, err := exportAll(ctx, p, &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: fixtureDataset}}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV})
		if err != nil {
			return nil, err
		}
		return r.parts, nil
	},
	"Export Arrow": func(ctx context.Context, p protocol) (any, error) {
		r, err := exportAll(ctx, p, &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Aggregate{Aggregate: &mizanv1.AggregateRequest{Dataset: fixtureDataset, Drilldown: []string{"year"}}}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_ARROW})
		if err != nil {
			return nil, err
		}
		return r.parts, nil
	},
}

// TestQueryServiceAgreesAcrossProtocols runs the query RPCs against the
// real query service and DuckDB through every protocol.
func TestQueryServiceAgreesAcrossProtocols(t *testing.T) {
	e := newRealEnv(t)
	for name, c := range realCalls {
		t.Run(name, func(t *testing.T) {
			var first any
			for _, p := range e.protos {
				got, err := c(context.Background(), p)
				if err != nil {
					t.Fatalf("%s: %v", p.name, err)
				}
				if first == nil {
					first = got
					continue
				}
				if diff := cmp.Diff(first, got, protocmp.Transform()); diff != "" {
					t.Errorf("%s answers differently from %s:\n%s", p.name, e.protos[0].name, diff)
				}
			}
		})
	}
}

// TestQueryServiceAnswers checks figures the real service computes.
func TestQueryServiceAnswers(t *testing.T) {
	e := newRealEnv(t)
	ctx := context.Background()
	c := e.protos[0]
	agg, err := c.q.Aggregate(ctx, connect.NewRequest(&mizanv1.AggregateRequest{
		Dataset: fixtureDataset, Drilldown: []string{"year"}, Cuts: []*mizanv1.Cut{{Dimension: "phase", Values: []string{"approved"}}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, cell := range agg.Msg.GetCells() {
		got = append(got, cell.GetKeys()["year"]+"="+cell.GetValues()["amount.sum"])
	}
	if diff := cmp.Diff([]string{"2023=3500.500", "2024=3300.000"}, got); diff != "" {
		t.Errorf("approved by year (-want +got):\n%s", diff)
	}
	if agg.Msg.GetSummary().GetValues()["amount.sum"] != "6800.500" || agg.Msg.GetDatasetVersion() != 1 || agg.Msg.GetCurrency() != "BHD" {
		t.Errorf("summary = %v, version %d, currency %q", agg.Msg.GetSummary(), agg.Msg.GetDatasetVersion(), agg.Msg.GetCurrency())
	}

	facts, err := c.q.Facts(ctx, connect.NewRequest(&mizanv1.FactsRequest{Dataset: fixtureDataset, PageSize: 1}))
	if err != nil {
		t.Fatal(err)
	}
	want := &mizanv1.Provenance{SourceId: 1, File: "budget.xlsx", Sha256: "ab12", Sheet: "2023", Row: 2}
	if diff := cmp.Diff(want, facts.Msg.GetFacts()[0].GetProvenance(), protocmp.Transform()); diff != "" {
		t.Errorf("provenance (-want +got):\n%s", diff)
	}
	if facts.Msg.GetTotalCount() != int64(len(fixtureFacts)) || facts.Msg.GetNextPageToken() == "" {
		t.Errorf("facts total %d, next %q", facts.Msg.GetTotalCount(), facts.Msg.GetNextPageToken())
	}

	r, err := exportAll(ctx, c, &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: fixtureDataset}}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV})
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	for _, p := range r.parts[1:] {
		csv.Write(p.GetData())
	}
	if lines := strings.Split(strings.TrimSpace(csv.String()), "\n"); len(lines) != len(fixtureFacts)+1 || !strings.Contains(lines[0], "amount") {
		t.Errorf("csv export:\n%s", csv.String())
	}
}

// TestQueryServiceErrors checks that the real service's validation errors
// reach clients with the right code and the field named.
func TestQueryServiceErrors(t *testing.T) {
	e := newRealEnv(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		call     call
		wantCode connect.Code
		wantMsg  string
	}{
		{"unknown drilldown", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: fixtureDataset, Drilldown: []string{"nope"}})
		}, connect.CodeInvalidArgument, "drilldown"},
		{"unknown aggregate", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: fixtureDataset, Aggregates: []string{"amount.median"}})
		}, connect.CodeInvalidArgument, "aggregates"},
		{"unknown cut dimension", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Facts, &mizanv1.FactsRequest{Dataset: fixtureDataset, Cuts: []*mizanv1.Cut{{Dimension: "nope", Values: []string{"x"}}}})
		}, connect.CodeInvalidArgument, "cuts"},
		{"unknown dataset", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Execution, &mizanv1.ExecutionRequest{Dataset: "nope", Drilldown: []string{"year"}})
		}, connect.CodeNotFound, "nope"},
		{"export with top", func(ctx context.Context, p protocol) (any, error) {
			_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Aggregate{Aggregate: &mizanv1.AggregateRequest{Dataset: fixtureDataset, Drilldown: []string{"year"}, Top: 1}}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV})
			return nil, err
		}, connect.CodeInvalidArgument, "top"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range e.protos {
				_, err := tt.call(ctx, p)
				if connect.CodeOf(err) != tt.wantCode || err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("%s: %v, want %v naming %q", p.name, err, tt.wantCode, tt.wantMsg)
				}
			}
		})
	}
}

// Real datasets end to end (every RPC over every protocol, on the public
// datasets of ../../shared/datasets ingested through the real pipeline and
// checked against an independent pass over the raw files) live in
// realdata_test.go, with helpers in realdata_*_test.go.
