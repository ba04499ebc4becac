package rpc

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/query"
)

// defaultChunkSize is the size of an export's data messages: well under
// gRPC's customary 4 MiB message limit, large enough to keep framing cheap.
const defaultChunkSize = 256 << 10

// exportFormat describes one ExportFormat.
type exportFormat struct {
	name string // query.ExportRequest.Format
	ext  string // file name extension
}

var exportFormats = map[mizanv1.ExportFormat]exportFormat{
	mizanv1.ExportFormat_EXPORT_FORMAT_ARROW:   {query.FormatArrow, "arrows"},
	mizanv1.ExportFormat_EXPORT_FORMAT_CSV:     {query.FormatCSV, "csv"},
	mizanv1.ExportFormat_EXPORT_FORMAT_PARQUET: {query.FormatParquet, "parquet"},
}

// Export implements QueryService.Export: it pins the version, then streams
// the exporter's output as a header message followed by data chunks.
func (s *queryService) Export(ctx context.Context, req *connect.Request[mizanv1.ExportRequest], stream *connect.ServerStream[mizanv1.ExportResponse]) error {
	if err := s.export(ctx, req.Msg, stream); err != nil {
		return connectError(ctx, s.log, req.Spec().Procedure, err)
	}
	return nil
}

func (s *queryService) export(ctx context.Context, m *mizanv1.ExportRequest, stream *connect.ServerStream[mizanv1.ExportResponse]) error {
	if s.exp == nil {
		return connect.NewError(connect.CodeUnimplemented, fmt.Errorf("export is not available on this server"))
	}
	format, ok := exportFormats[m.GetFormat()]
	if !ok {
		return mizan.FieldErrorf("format", "required: one of EXPORT_FORMAT_ARROW, EXPORT_FORMAT_CSV, EXPORT_FORMAT_PARQUET")
	}
	job := query.ExportRequest{Format: format.name}
	var dataset, what string
	var version *int
	switch q := m.GetQuery().(type) {
	case *mizanv1.ExportRequest_Aggregate:
		if err := validateTarget(q.Aggregate.GetDataset(), q.Aggregate.GetVersion(), 0); err != nil {
			return prefixField("aggregate.", err)
		}
		a := aggregateFromProto(q.Aggregate, page{})
		a.PageSize, a.Offset, a.IncludeDrafts = 0, 0, canReadDrafts(ctx)
		job.Aggregate, dataset, version, what = &a, a.Dataset, &a.Version, "cells"
	case *mizanv1.ExportRequest_Facts:
		if err := validateTarget(q.Facts.GetDataset(), q.Facts.GetVersion(), 0); err != nil {
			return prefixField("facts.", err)
		}
		f := factsFromProto(q.Facts, page{})
		f.PageSize, f.Offset, f.IncludeDrafts = 0, 0, canReadDrafts(ctx)
		job.Facts, dataset, version, what = &f, f.Dataset, &f.Version, "facts"
	default:
		return mizan.FieldErrorf("query", "required: set aggregate or facts")
	}
	_, v, err := s.cat.ResolveVersion(ctx, dataset, *version, canReadDrafts(ctx))
	if err != nil {
		return err
	}
	*version = v.Number
	header := &mizanv1.ExportHeader{
		ContentType:    query.ContentType(format.name),
		Filename:       fmt.Sprintf("%s-v%d-%s.%s", dataset, v.Number, what, format.ext),
		Dataset:        dataset,
		DatasetVersion: int32(v.Number),
	}
	w := &chunkWriter{send: queryExportSender(stream), header: header, buf: make([]byte, 0, s.chunkSize)}
	if err := s.exp.Export(ctx, job, w); err != nil {
		return err
	}
	return w.Close()
}

// prefixField qualifies the field of a validation error with the oneof
// member it belongs to ("facts.dataset").
func prefixField(prefix string, err error) error {
	if e, ok := err.(*mizan.Error); ok && e.Field != "" {
		c := *e
		c.Field = prefix + c.Field
		return &c
	}
	return err
}

// chunkWriter turns an exporter's writes into the messages of an export
// stream: the header before the first chunk, then data chunks of at most
// cap(buf) bytes. send sends one message: a header or a chunk.
type chunkWriter struct {
	send   func(header *mizanv1.ExportHeader, data []byte) error
	header *mizanv1.ExportHeader // nil once sent
	buf    []byte
}

// queryExportSender sends QueryService.Export messages.
func queryExportSender(stream *connect.ServerStream[mizanv1.ExportResponse]) func(*mizanv1.ExportHeader, []byte) error {
	return func(h *mizanv1.ExportHeader, data []byte) error {
		if h != nil {
			return stream.Send(&mizanv1.ExportResponse{Part: &mizanv1.ExportResponse_Header{Header: h}})
		}
		return stream.Send(&mizanv1.ExportResponse{Part: &mizanv1.ExportResponse_Data{Data: data}})
	}
}

// Write implements io.Writer.
func (w *chunkWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		room := cap(w.buf) - len(w.buf)
		k := min(room, len(p))
		w.buf = append(w.buf, p[:k]...)
		p, n = p[k:], n+k
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) sendHeader() error {
	if w.header == nil {
		return nil
	}
	h := w.header
	w.header = nil
	if err := w.send(h, nil); err != nil {
		return fmt.Errorf("send export header: %w", err)
	}
	return nil
}

func (w *chunkWriter) flush() error {
	if err := w.sendHeader(); err != nil {
		return err
	}
	if len(w.buf) == 0 {
		return nil
	}
	// Send marshals synchronously, so the buffer can be reused afterwards.
	if err := w.send(nil, w.buf); err != nil {
		return fmt.Errorf("send export chunk: %w", err)
	}
	w.buf = w.buf[:0]
	return nil
}

// Close sends what is buffered (and the header, for an empty file).
func (w *chunkWriter) Close() error { return w.flush() }
