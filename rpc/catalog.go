package rpc

import (
	"context"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
)

// defaultRejectsPage is the rejects page size when a request names none.
const defaultRejectsPage = 100

// catalogService implements mizanv1connect.CatalogServiceHandler.
type catalogService struct {
	cat Catalog
	log *slog.Logger
}

var _ mizanv1connect.CatalogServiceHandler = (*catalogService)(nil)

// ListDatasets implements CatalogService.ListDatasets.
func (s *catalogService) ListDatasets(ctx context.Context, req *connect.Request[mizanv1.ListDatasetsRequest]) (*connect.Response[mizanv1.ListDatasetsResponse], error) {
	drafts := canReadDrafts(ctx)
	ds, err := s.cat.ListDatasets(ctx, drafts)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	resp := &mizanv1.ListDatasetsResponse{}
	for i := range ds {
		if v, ok := ds[i].Latest(drafts); ok {
			resp.Datasets = append(resp.Datasets, datasetSummaryToProto(&ds[i], v))
		}
	}
	return connect.NewResponse(resp), nil
}

// GetDataset implements CatalogService.GetDataset.
func (s *catalogService) GetDataset(ctx context.Context, req *connect.Request[mizanv1.GetDatasetRequest]) (*connect.Response[mizanv1.GetDatasetResponse], error) {
	m := req.Msg
	if err := validateTarget(m.GetDataset(), m.GetVersion(), 0); err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	d, v, err := s.cat.ResolveVersion(ctx, m.GetDataset(), int(m.GetVersion()), canReadDrafts(ctx))
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(&mizanv1.GetDatasetResponse{Dataset: datasetToProto(d, &v)}), nil
}

// ListMembers implements CatalogService.ListMembers.
func (s *catalogService) ListMembers(ctx context.Context, req *connect.Request[mizanv1.ListMembersRequest]) (*connect.Response[mizanv1.ListMembersResponse], error) {
	resp, err := s.listMembers(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *catalogService) listMembers(ctx context.Context, m *mizanv1.ListMembersRequest) (*mizanv1.ListMembersResponse, error) {
	if err := validateTarget(m.GetDataset(), m.GetVersion(), m.GetPageSize()); err != nil {
		return nil, err
	}
	if m.GetDimension() == "" {
		return nil, mizan.FieldErrorf("dimension", "required: a level reference such as \"admin.ministry\"")
	}
	p, err := decodePageToken(m, m.GetPageToken())
	if err != nil {
		return nil, err
	}
	_, v, err := s.cat.ResolveVersion(ctx, m.GetDataset(), pinned(int(m.GetVersion()), p), canReadDrafts(ctx))
	if err != nil {
		return nil, err
	}
	res, err := s.cat.ListMembers(ctx, mizan.MembersQuery{
		Dataset:  m.GetDataset(),
		Version:  v.Number,
		Ref:      m.GetDimension(),
		Parent:   m.GetParent(),
		Search:   m.GetSearch(),
		Lang:     m.GetLang(),
		PageSize: int(m.GetPageSize()),
		Offset:   p.Offset,
		// The version was resolved with the caller's access above.
		IncludeDrafts: canReadDrafts(ctx),
	})
	if err != nil {
		return nil, err
	}
	resp := &mizanv1.ListMembersResponse{TotalCount: res.TotalCount, DatasetVersion: int32(v.Number)}
	for i := range res.Members {
		resp.Members = append(resp.Members, memberToProto(&res.Members[i], m.GetLang()))
	}
	if resp.NextPageToken, err = nextPageToken(m, res.NextOffset, v.Number); err != nil {
		return nil, err
	}
	return resp, nil
}

// GetIngestReport implements CatalogService.GetIngestReport.
func (s *catalogService) GetIngestReport(ctx context.Context, req *connect.Request[mizanv1.GetIngestReportRequest]) (*connect.Response[mizanv1.GetIngestReportResponse], error) {
	resp, err := s.ingestReport(ctx, req.Msg)
	if err != nil {
		return nil, connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return connect.NewResponse(resp), nil
}

func (s *catalogService) ingestReport(ctx context.Context, m *mizanv1.GetIngestReportRequest) (*mizanv1.GetIngestReportResponse, error) {
	if err := validateTarget(m.GetDataset(), m.GetVersion(), m.GetPageSize()); err != nil {
		return nil, err
	}
	p, err := decodePageToken(m, m.GetPageToken())
	if err != nil {
		return nil, err
	}
	_, v, err := s.cat.ResolveVersion(ctx, m.GetDataset(), pinned(int(m.GetVersion()), p), canReadDrafts(ctx))
	if err != nil {
		return nil, err
	}
	raw, err := s.cat.Summary(ctx, m.GetDataset(), v.Number)
	if err != nil {
		return nil, err
	}
	summary, err := summaryToProto(raw)
	if err != nil {
		return nil, err
	}
	size := int(m.GetPageSize())
	if size == 0 {
		size = defaultRejectsPage
	}
	rejects, err := s.cat.Rejects(ctx, m.GetDataset(), v.Number, p.Offset, size+1)
	if err != nil {
		return nil, err
	}
	checks, err := s.cat.Reconciliation(ctx, m.GetDataset(), v.Number)
	if err != nil {
		return nil, err
	}
	idx := newSourceIndex(&v)
	resp := &mizanv1.GetIngestReportResponse{
		Dataset:        m.GetDataset(),
		DatasetVersion: int32(v.Number),
		Summary:        summary,
		RowsRead:       v.RowsRead,
		Rows:           v.Rows,
		RejectedCount:  v.Rejected,
	}
	next := 0
	if len(rejects) > size {
		rejects, next = rejects[:size], p.Offset+size
	}
	for i := range rejects {
		resp.Rejects = append(resp.Rejects, rejectToProto(idx, &rejects[i]))
	}
	for i := range checks {
		resp.Reconciliation = append(resp.Reconciliation, reconciliationToProto(idx, &checks[i]))
	}
	if resp.NextPageToken, err = nextPageToken(m, next, v.Number); err != nil {
		return nil, err
	}
	return resp, nil
}
