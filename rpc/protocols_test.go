package rpc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/mizan-budget/mizan/gen/mizan/v1"
)

// call is one RPC made through one protocol's clients. It returns the
// response message, or the messages of a stream.
type call func(ctx context.Context, p protocol) (any, error)

func unary[Req, Resp any](m func(context.Context, *connect.Request[Req]) (*connect.Response[Resp], error), req *Req) (proto.Message, error) {
	resp, err := m(context.Background(), connect.NewRequest(req))
	if err != nil {
		return nil, err
	}
	return any(resp.Msg).(proto.Message), nil
}

// exportAll reads a whole export stream into one message for comparison.
func exportAll(ctx context.Context, p protocol, req *mizanv1.ExportRequest) (*exportResult, error) {
	stream, err := p.q.Export(ctx, connect.NewRequest(req))
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	out := &exportResult{}
	for stream.Receive() {
		out.parts = append(out.parts, stream.Msg())
	}
	return out, stream.Err()
}

// exportResult is the messages of an export stream.
type exportResult struct{ parts []*mizanv1.ExportResponse }

// calls are every RPC of the API with a valid request.
var calls = map[string]call{
	"ListDatasets": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.cat.ListDatasets, &mizanv1.ListDatasetsRequest{})
	},
	"GetDataset": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.cat.GetDataset, &mizanv1.GetDatasetRequest{Dataset: fixtureDataset})
	},
	"ListMembers": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: fixtureDataset, Dimension: "admin.ministry", Lang: "ar", PageSize: 2})
	},
	"GetIngestReport": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.cat.GetIngestReport, &mizanv1.GetIngestReportRequest{Dataset: fixtureDataset, PageSize: 2})
	},
	"Aggregate": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.q.Aggregate, &mizanv1.AggregateRequest{
			Dataset: fixtureDataset, Aggregates: []string{"amount.sum"}, Drilldown: []string{"year", "admin.ministry"},
			Cuts: []*mizanv1.Cut{{Dimension: "phase", Values: []string{"approved"}}}, PageSize: 2, Lang: "en",
		})
	},
	"Execution": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.q.Execution, &mizanv1.ExecutionRequest{Dataset: fixtureDataset, Drilldown: []string{"admin.ministry"}})
	},
	"Facts": func(ctx context.Context, p protocol) (any, error) {
		return unary(p.q.Facts, &mizanv1.FactsRequest{Dataset: fixtureDataset, Cuts: []*mizanv1.Cut{{Dimension: "year", Values: []string{"2023"}}}, PageSize: 3})
	},
	"Export": func(ctx context.Context, p protocol) (any, error) {
		r, err := exportAll(ctx, p, &mizanv1.ExportRequest{
			Query:  &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: fixtureDataset}},
			Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV,
		})
		if err != nil {
			return nil, err
		}
		return r.parts, nil
	},
}

// joinParts renders an export stream as text: the header, then the data.
func joinParts(parts []*mizanv1.ExportResponse) string {
	var b strings.Builder
	for _, p := range parts {
		switch x := p.GetPart().(type) {
		case *mizanv1.ExportResponse_Header:
			b.WriteString("header: " + x.Header.String() + "\n")
		case *mizanv1.ExportResponse_Data:
			b.WriteString("data: " + string(x.Data) + "\n")
		}
	}
	return b.String()
}

// TestEveryRPCAgreesAcrossProtocols calls every RPC through Connect JSON,
// Connect binary, gRPC and gRPC-Web and checks that the answers are
// identical.
func TestEveryRPCAgreesAcrossProtocols(t *testing.T) {
	e := newEnv(t, nil)
	for name, c := range calls {
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
					t.Errorf("%s answers differently from %s (-%s +%s):\n%s", p.name, e.protos[0].name, e.protos[0].name, p.name, diff)
				}
			}
		})
	}
}

// TestInvalidRequests checks codes and that messages name the field at
// fault, through every protocol.
func TestInvalidRequests(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name     string
		call     call
		wantCode connect.Code
		wantMsg  string
	}{
		{"GetDataset without dataset", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.GetDataset, &mizanv1.GetDatasetRequest{})
		}, connect.CodeInvalidArgument, "dataset: required"},
		{"GetDataset unknown dataset", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.GetDataset, &mizanv1.GetDatasetRequest{Dataset: "nope"})
		}, connect.CodeNotFound, `dataset: no dataset "nope"`},
		{"GetDataset unknown version", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.GetDataset, &mizanv1.GetDatasetRequest{Dataset: fixtureDataset, Version: 9})
		}, connect.CodeNotFound, "version: "},
		{"GetDataset negative version", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.GetDataset, &mizanv1.GetDatasetRequest{Dataset: fixtureDataset, Version: -1})
		}, connect.CodeInvalidArgument, "version: "},
		{"ListMembers without dimension", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: fixtureDataset})
		}, connect.CodeInvalidArgument, "dimension: required"},
		{"ListMembers unknown dimension", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: fixtureDataset, Dimension: "nope.level"})
		}, connect.CodeInvalidArgument, "dimension: "},
		{"ListMembers page too large", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: fixtureDataset, Dimension: "admin", PageSize: 10001})
		}, connect.CodeInvalidArgument, "page_size: "},
		{"ListMembers malformed token", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: fixtureDataset, Dimension: "admin", PageToken: "not a token"})
		}, connect.CodeInvalidArgument, "page_token: malformed"},
		{"GetIngestReport unknown version", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.GetIngestReport, &mizanv1.GetIngestReportRequest{Dataset: fixtureDataset, Version: 3})
		}, connect.CodeNotFound, "version: "},
		{"Aggregate without dataset", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{})
		}, connect.CodeInvalidArgument, "dataset: required"},
		{"Aggregate unknown drilldown", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: fixtureDataset, Drilldown: []string{"nope"}})
		}, connect.CodeInvalidArgument, "drilldown: "},
		{"Execution unknown dataset", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Execution, &mizanv1.ExecutionRequest{Dataset: "nope"})
		}, connect.CodeNotFound, "dataset: "},
		{"Facts negative page size", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Facts, &mizanv1.FactsRequest{Dataset: fixtureDataset, PageSize: -1})
		}, connect.CodeInvalidArgument, "page_size: "},
		{"Export without format", func(ctx context.Context, p protocol) (any, error) {
			_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: fixtureDataset}}})
			return nil, err
		}, connect.CodeInvalidArgument, "format: required"},
		{"Export without query", func(ctx context.Context, p protocol) (any, error) {
			_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV})
			return nil, err
		}, connect.CodeInvalidArgument, "query: required"},
		{"Export facts without dataset", func(ctx context.Context, p protocol) (any, error) {
			_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_PARQUET, Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{}}})
			return nil, err
		}, connect.CodeInvalidArgument, "facts.dataset: required"},
		{"Export unknown version", func(ctx context.Context, p protocol) (any, error) {
			_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_ARROW, Query: &mizanv1.ExportRequest_Aggregate{Aggregate: &mizanv1.AggregateRequest{Dataset: fixtureDataset, Version: 4}}})
			return nil, err
		}, connect.CodeNotFound, "version: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range e.protos {
				_, err := tt.call(context.Background(), p)
				var ce *connect.Error
				if !errors.As(err, &ce) {
					t.Fatalf("%s: err = %v, want a connect error", p.name, err)
				}
				if ce.Code() != tt.wantCode || !strings.Contains(ce.Message(), tt.wantMsg) {
					t.Errorf("%s: got %v %q, want %v containing %q", p.name, ce.Code(), ce.Message(), tt.wantCode, tt.wantMsg)
				}
			}
		})
	}
}
