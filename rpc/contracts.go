package rpc

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
)

// Contracts answers ContractService's search, contract and party RPCs.
// *contracts.Service implements it.
type Contracts interface {
	// Search finds processes and payments across dataset versions.
	Search(ctx context.Context, q contracts.SearchQuery) (*contracts.SearchResult, error)
	// GetContract returns one process in full.
	GetContract(ctx context.Context, dataset string, version int, ocid string, includeDrafts bool) (*contracts.ContractDetail, error)
	// GetParty returns a buyer's or supplier's profile.
	GetParty(ctx context.Context, dataset string, version int, entity string, includeDrafts bool) (*contracts.Party, error)
}

var _ Contracts = (*contracts.Service)(nil)

// contractService implements mizanv1connect.ContractServiceHandler.
type contractService struct {
	c   Contracts
	log *slog.Logger
}

var _ mizanv1connect.ContractServiceHandler = (*contractService)(nil)

// contractsDrafts says whether the caller may see draft versions, the way
// the catalog handlers decide it.
func contractsDrafts(context.Context) bool { return false }

// SearchContracts implements ContractService.SearchContracts.
func (s *contractService) SearchContracts(ctx context.Context, req *connect.Request[mizanv1.SearchContractsRequest]) (*connect.Response[mizanv1.SearchContractsResponse], error) {
	resp, err := s.search(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *contractService) search(ctx context.Context, m *mizanv1.SearchContractsRequest) (*mizanv1.SearchContractsResponse, error) {
	if m.GetPageSize() < 0 || m.GetPageSize() > contracts.MaxPageSize {
		return nil, mizan.FieldErrorf("page_size", "must be between 0 and %d, got %d", contracts.MaxPageSize, m.GetPageSize())
	}
	offset, pins, err := decodeSearchToken(m, m.GetPageToken())
	if err != nil {
		return nil, err
	}
	q, err := searchFromProto(m)
	if err != nil {
		return nil, err
	}
	q.Offset = offset
	q.IncludeDrafts = contractsDrafts(ctx)
	if pins != nil {
		q.Datasets = pins
	}
	res, err := s.c.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	resp := searchToProto(res)
	if res.NextOffset > 0 {
		if resp.NextPageToken, err = encodeSearchToken(m, res.NextOffset, res.Versions); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// GetContract implements ContractService.GetContract.
func (s *contractService) GetContract(ctx context.Context, req *connect.Request[mizanv1.GetContractRequest]) (*connect.Response[mizanv1.GetContractResponse], error) {
	resp, err := s.getContract(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *contractService) getContract(ctx context.Context, m *mizanv1.GetContractRequest) (*mizanv1.GetContractResponse, error) {
	ds, v, err := datasetFromProto(m.GetDataset(), "dataset")
	if err != nil {
		return nil, err
	}
	c, err := s.c.GetContract(ctx, ds, v, m.GetOcid(), contractsDrafts(ctx))
	if err != nil {
		return nil, err
	}
	return &mizanv1.GetContractResponse{Contract: contractToProto(c)}, nil
}

// GetParty implements ContractService.GetParty.
func (s *contractService) GetParty(ctx context.Context, req *connect.Request[mizanv1.GetPartyRequest]) (*connect.Response[mizanv1.GetPartyResponse], error) {
	resp, err := s.getParty(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *contractService) getParty(ctx context.Context, m *mizanv1.GetPartyRequest) (*mizanv1.GetPartyResponse, error) {
	ds, v, err := datasetFromProto(m.GetDataset(), "dataset")
	if err != nil {
		return nil, err
	}
	p, err := s.c.GetParty(ctx, ds, v, m.GetEntity(), contractsDrafts(ctx))
	if err != nil {
		return nil, err
	}
	return &mizanv1.GetPartyResponse{Party: partyToProto(p), Dataset: dsVersionToProto(p.Dataset)}, nil
}

// errNoFlags answers the red flag RPCs while no flags service is wired.
var errNoFlags = errors.New("red flags are not available on this server")

// ListRedFlags implements ContractService.ListRedFlags.
func (s *contractService) ListRedFlags(ctx context.Context, req *connect.Request[mizanv1.ListRedFlagsRequest]) (*connect.Response[mizanv1.ListRedFlagsResponse], error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errNoFlags)
}

// ListRedFlagDefinitions implements ContractService.ListRedFlagDefinitions.
func (s *contractService) ListRedFlagDefinitions(ctx context.Context, req *connect.Request[mizanv1.ListRedFlagDefinitionsRequest]) (*connect.Response[mizanv1.ListRedFlagDefinitionsResponse], error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errNoFlags)
}
