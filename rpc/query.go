package rpc

import (
	"context"
	"log/slog"

	"connectrpc.com/connect"

	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
)

// queryService implements mizanv1connect.QueryServiceHandler.
type queryService struct {
	q   Querier
	exp Exporter
	cat Catalog
	log *slog.Logger
	// chunkSize is the size of an export's data messages.
	chunkSize int
}

var _ mizanv1connect.QueryServiceHandler = (*queryService)(nil)

// Aggregate implements QueryService.Aggregate.
func (s *queryService) Aggregate(ctx context.Context, req *connect.Request[mizanv1.AggregateRequest]) (*connect.Response[mizanv1.AggregateResponse], error) {
	resp, err := s.aggregate(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *queryService) aggregate(ctx context.Context, m *mizanv1.AggregateRequest) (*mizanv1.AggregateResponse, error) {
	if err := validateTarget(m.GetDataset(), m.GetVersion(), m.GetPageSize()); err != nil {
		return nil, err
	}
	p, err := decodePageToken(m, m.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := aggregateFromProto(m, p)
	q.IncludeDrafts = canReadDrafts(ctx)
	res, err := s.q.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	resp := aggregateToProto(res)
	resp.NextPageToken, err = nextPageToken(m, res.NextOffset, res.Version)
	return resp, err
}

// Execution implements QueryService.Execution.
func (s *queryService) Execution(ctx context.Context, req *connect.Request[mizanv1.ExecutionRequest]) (*connect.Response[mizanv1.ExecutionResponse], error) {
	resp, err := s.execution(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *queryService) execution(ctx context.Context, m *mizanv1.ExecutionRequest) (*mizanv1.ExecutionResponse, error) {
	if err := validateTarget(m.GetDataset(), m.GetVersion(), m.GetPageSize()); err != nil {
		return nil, err
	}
	p, err := decodePageToken(m, m.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := executionFromProto(m, p)
	q.IncludeDrafts = canReadDrafts(ctx)
	res, err := s.q.Execution(ctx, q)
	if err != nil {
		return nil, err
	}
	resp := executionToProto(res)
	resp.NextPageToken, err = nextPageToken(m, res.NextOffset, res.Version)
	return resp, err
}

// Facts implements QueryService.Facts.
func (s *queryService) Facts(ctx context.Context, req *connect.Request[mizanv1.FactsRequest]) (*connect.Response[mizanv1.FactsResponse], error) {
	resp, err := s.facts(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *queryService) facts(ctx context.Context, m *mizanv1.FactsRequest) (*mizanv1.FactsResponse, error) {
	if err := validateTarget(m.GetDataset(), m.GetVersion(), m.GetPageSize()); err != nil {
		return nil, err
	}
	p, err := decodePageToken(m, m.GetPageToken())
	if err != nil {
		return nil, err
	}
	q := factsFromProto(m, p)
	q.IncludeDrafts = canReadDrafts(ctx)
	res, err := s.q.Facts(ctx, q)
	if err != nil {
		return nil, err
	}
	resp := factsToProto(res)
	resp.NextPageToken, err = nextPageToken(m, res.NextOffset, res.Version)
	return resp, err
}
