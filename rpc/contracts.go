package rpc

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/flags"
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
	// PartyKeys returns the keys red flags name an entity by.
	PartyKeys(ctx context.Context, dataset string, version int, entity string, includeDrafts bool) ([]string, error)
	// RecordOf returns the record id of a piece of evidence, or -1.
	RecordOf(ctx context.Context, dataset string, version int, ocid, file string, row int64) (int64, error)
	// Export writes every record of a search as CSV.
	Export(ctx context.Context, q contracts.SearchQuery, w io.Writer, begin func(versions []contracts.VersionRef, total int) error) (int, error)
}

var _ Contracts = (*contracts.Service)(nil)

// contractService implements mizanv1connect.ContractServiceHandler.
type contractService struct {
	c     Contracts
	flags RedFlags // nil: the red flag RPCs answer Unimplemented
	cat   Catalog
	log   *slog.Logger
}

var _ mizanv1connect.ContractServiceHandler = (*contractService)(nil)

// SearchContracts implements ContractService.SearchContracts.
func (s *contractService) SearchContracts(ctx context.Context, req *connect.Request[mizanv1.SearchContractsRequest]) (*connect.Response[mizanv1.SearchContractsResponse], error) {
	resp, err := s.search(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *contractService) search(ctx context.Context, m *mizanv1.SearchContractsRequest) (*mizanv1.SearchContractsResponse, error) {
	offset, pins, err := decodeSearchToken(m, m.GetPageToken())
	if err != nil {
		return nil, err
	}
	q, err := searchFromProto(m)
	if err != nil {
		return nil, err
	}
	q.Offset = offset
	q.IncludeDrafts = canReadDrafts(ctx)
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
	c, err := s.c.GetContract(ctx, ds, v, m.GetOcid(), canReadDrafts(ctx))
	if err != nil {
		return nil, err
	}
	out := contractToProto(c)
	if out.Flags, err = s.contractFlags(ctx, c); err != nil {
		return nil, err
	}
	return &mizanv1.GetContractResponse{Contract: out}, nil
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
	drafts := canReadDrafts(ctx)
	p, err := s.c.GetParty(ctx, ds, v, m.GetEntity(), drafts)
	if err != nil {
		return nil, err
	}
	out := partyToProto(p)
	if out.Flags, out.FlagCounts, err = s.partyFlags(ctx, p, drafts); err != nil {
		return nil, err
	}
	return &mizanv1.GetPartyResponse{Party: out, Dataset: dsVersionToProto(p.Dataset)}, nil
}

// errNoFlags answers the red flag RPCs while no flags service is wired.
var errNoFlags = errors.New("red flags are not available on this server")

// RedFlags lists computed red flags. The flags package's *Service
// implements it.
type RedFlags interface {
	// List returns a page of flags of a dataset version.
	List(ctx context.Context, q flags.Query) (*flags.Result, error)
}

var _ RedFlags = (*flags.Service)(nil)

// maxPartyFlags bounds the flags a party profile lists.
const maxPartyFlags = 50

// ListRedFlags implements ContractService.ListRedFlags.
func (s *contractService) ListRedFlags(ctx context.Context, req *connect.Request[mizanv1.ListRedFlagsRequest]) (*connect.Response[mizanv1.ListRedFlagsResponse], error) {
	if s.flags == nil {
		return nil, connect.NewError(connect.CodeUnimplemented, errNoFlags)
	}
	resp, err := s.listRedFlags(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *contractService) listRedFlags(ctx context.Context, m *mizanv1.ListRedFlagsRequest) (*mizanv1.ListRedFlagsResponse, error) {
	ds, ver, err := datasetFromProto(m.GetDataset(), "dataset")
	if err != nil {
		return nil, err
	}
	if m.GetPageSize() < 0 || m.GetPageSize() > mizan.MaxPageSize {
		return nil, mizan.FieldErrorf("page_size", "must be between 0 and %d, got %d", mizan.MaxPageSize, m.GetPageSize())
	}
	if m.GetYear() < 0 {
		return nil, mizan.FieldErrorf("year", "must be 0 (any) or a year, got %d", m.GetYear())
	}
	p, err := decodePageToken(m, m.GetPageToken())
	if err != nil {
		return nil, err
	}
	drafts := canReadDrafts(ctx)
	d, v, err := s.cat.ResolveVersion(ctx, ds, pinned(ver, p), drafts)
	if err != nil {
		return nil, err
	}
	params, err := paramsFromProto(m.GetParams())
	if err != nil {
		return nil, err
	}
	// Entity ids become the keys flags name parties by (for payments, the
	// names as published that the entity groups).
	keys := func(entity string) ([]string, error) {
		if entity == "" {
			return nil, nil
		}
		k, err := s.c.PartyKeys(ctx, d.ID, v.Number, entity, drafts)
		if err != nil {
			return nil, err
		}
		if len(k) == 0 {
			k = []string{entity} // unknown: matches nothing, as asked
		}
		return k, nil
	}
	q := flags.Query{Dataset: d.ID, Version: v.Number, IncludeDrafts: drafts, Codes: m.GetCodes(), Year: int(m.GetYear()), Params: &params,
		PageSize: cmp.Or(int(m.GetPageSize()), 50), Offset: p.Offset}
	if q.Buyers, err = keys(m.GetBuyer()); err != nil {
		return nil, err
	}
	if q.Suppliers, err = keys(m.GetSupplier()); err != nil {
		return nil, err
	}
	res, err := s.flags.List(ctx, q)
	if err != nil {
		return nil, err
	}
	fs, total, counts := res.Flags, res.Total, res.Counts
	resp := &mizanv1.ListRedFlagsResponse{TotalCount: int64(total), Counts: map[string]int64{}, Dataset: &mizanv1.DatasetVersion{Id: d.ID, Version: int32(v.Number)},
		Params: paramsToProto(params)}
	for k, n := range counts {
		resp.Counts[k] = int64(n)
	}
	for i := range fs {
		resp.Flags = append(resp.Flags, s.flagToProto(ctx, d.Kind, &fs[i]))
	}
	if next := p.Offset + len(fs); next < total {
		if resp.NextPageToken, err = nextPageToken(m, next, v.Number); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// allFlags returns every flag matching q, page after page, in the flags'
// order.
func allFlags(ctx context.Context, src RedFlags, q flags.Query) ([]flags.Flag, error) {
	var out []flags.Flag
	q.PageSize, q.Offset = mizan.MaxPageSize, 0
	for {
		res, err := src.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, res.Flags...)
		q.Offset += len(res.Flags)
		if len(res.Flags) == 0 || q.Offset >= res.Total {
			return out, nil
		}
	}
}

// roundRobin picks at most n flags, the strongest of each code in turn, so
// that one frequent code does not hide the others. fs is in the flags'
// order: by code, strongest first.
func roundRobin(fs []flags.Flag, n int) []flags.Flag {
	var groups [][]flags.Flag
	for i := 0; i < len(fs); {
		j := i
		for j < len(fs) && fs[j].Code == fs[i].Code {
			j++
		}
		groups = append(groups, fs[i:j])
		i = j
	}
	var out []flags.Flag
	for k := 0; len(out) < n; k++ {
		added := false
		for _, g := range groups {
			if k < len(g) && len(out) < n {
				out = append(out, g[k])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return out
}

// ListRedFlagDefinitions implements ContractService.ListRedFlagDefinitions.
func (s *contractService) ListRedFlagDefinitions(ctx context.Context, req *connect.Request[mizanv1.ListRedFlagDefinitionsRequest]) (*connect.Response[mizanv1.ListRedFlagDefinitionsResponse], error) {
	if s.flags == nil {
		return nil, connect.NewError(connect.CodeUnimplemented, errNoFlags)
	}
	resp := &mizanv1.ListRedFlagDefinitionsResponse{}
	for _, d := range flags.Definitions() {
		resp.Definitions = append(resp.Definitions, definitionToProto(&d))
	}
	return connect.NewResponse(resp), nil
}

// contractFlags returns the flags raised by process pid (default
// parameters).
func (s *contractService) contractFlags(ctx context.Context, c *contracts.ContractDetail) ([]*mizanv1.RedFlag, error) {
	if s.flags == nil {
		return nil, nil
	}
	h := &c.Summary
	if len(h.Flags) == 0 { // the index knows the record's codes already
		return nil, nil
	}
	// The record's own flags: those of its buyer (none named: any), then
	// those citing the record.
	var buyers []string
	if h.Buyer.Entity != "" {
		buyers = []string{h.Buyer.Entity}
	}
	all, err := allFlags(ctx, s.flags, flags.Query{Dataset: h.Dataset, Version: h.Version, IncludeDrafts: true, Buyers: buyers, Codes: h.Flags})
	if err != nil {
		return nil, err
	}
	var out []*mizanv1.RedFlag
	for i := range all {
		f := &all[i]
		if f.ProcessID == h.RecordID || slices.Contains(f.Records, h.RecordID) {
			out = append(out, s.flagToProto(ctx, mizan.KindContracts, f))
		}
	}
	return out, nil
}

// partyFlags returns the flags naming a party (on either side), at most
// maxPartyFlags, and their counts by code over all of them.
func (s *contractService) partyFlags(ctx context.Context, p *contracts.Party, drafts bool) ([]*mizanv1.RedFlag, map[string]int64, error) {
	if s.flags == nil {
		return nil, nil, nil
	}
	ds, ver := p.Dataset.Dataset, p.Dataset.Version
	d, _, err := s.cat.ResolveVersion(ctx, ds, ver, drafts)
	if err != nil {
		return nil, nil, err
	}
	keys, err := s.c.PartyKeys(ctx, ds, ver, p.Entity.Entity, drafts)
	if err != nil || len(keys) == 0 {
		return nil, nil, err
	}
	all, err := allFlags(ctx, s.flags, flags.Query{Dataset: ds, Version: ver, IncludeDrafts: drafts, Party: keys})
	if err != nil {
		return nil, nil, err
	}
	counts := map[string]int64{}
	for _, f := range all {
		counts[f.Code]++
	}
	var out []*mizanv1.RedFlag
	for _, f := range roundRobin(all, maxPartyFlags) {
		out = append(out, s.flagToProto(ctx, d.Kind, &f))
	}
	return out, counts, nil
}
