package rpc

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

// ExportContracts implements ContractService.ExportContracts: the search's
// every record as one CSV file, streamed as a header and chunks.
func (s *contractService) ExportContracts(ctx context.Context, req *connect.Request[mizanv1.ExportContractsRequest], stream *connect.ServerStream[mizanv1.ExportContractsResponse]) error {
	if err := s.exportContracts(ctx, req.Msg, stream); err != nil {
		return connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return nil
}

func (s *contractService) exportContracts(ctx context.Context, m *mizanv1.ExportContractsRequest, stream *connect.ServerStream[mizanv1.ExportContractsResponse]) error {
	if m.GetFormat() != mizanv1.ExportFormat_EXPORT_FORMAT_CSV {
		return mizan.FieldErrorf("format", "required: EXPORT_FORMAT_CSV (the one format of a contracts export)")
	}
	search := m.GetSearch()
	if search == nil {
		search = &mizanv1.SearchContractsRequest{} // every record
	}
	q, err := searchFromProto(search)
	if err != nil {
		return prefixField("search.", err)
	}
	q.IncludeDrafts = canReadDrafts(ctx)
	send := func(h *mizanv1.ExportHeader, data []byte) error {
		if h != nil {
			return stream.Send(&mizanv1.ExportContractsResponse{Part: &mizanv1.ExportContractsResponse_Header{Header: h}})
		}
		return stream.Send(&mizanv1.ExportContractsResponse{Part: &mizanv1.ExportContractsResponse_Data{Data: data}})
	}
	w := &chunkWriter{send: send, buf: make([]byte, 0, defaultChunkSize)}
	begin := func(versions []contracts.VersionRef, _ int) error {
		w.header = &mizanv1.ExportHeader{ContentType: "text/csv; charset=utf-8", Filename: "mizan-contracts.csv"}
		if len(versions) == 1 {
			v := versions[0]
			w.header.Dataset, w.header.DatasetVersion = v.Dataset, int32(v.Version)
			w.header.Filename = fmt.Sprintf("%s-v%d-search.csv", v.Dataset, v.Version)
		}
		return nil
	}
	if _, err := s.c.Export(ctx, q, w, begin); err != nil {
		return err
	}
	return w.Close()
}
