package rpc_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"connectrpc.com/connect"

	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

// TestExportContractsRPC exports a search through every protocol: a CSV
// header message naming the dataset version, then the file, whose rows are
// the search's records; a format other than CSV is refused.
func TestExportContractsRPC(t *testing.T) {
	e := newContractsEnv(t, arabicStore(t))
	ctx := context.Background()
	for _, cl := range e.clients {
		t.Run(cl.name, func(t *testing.T) {
			search := &mizanv1.SearchContractsRequest{Query: "موسسه", PageSize: 1}
			stream, err := cl.c.ExportContracts(ctx, connect.NewRequest(&mizanv1.ExportContractsRequest{Search: search, Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV}))
			if err != nil {
				t.Fatal(err)
			}
			var header *mizanv1.ExportHeader
			var file bytes.Buffer
			for stream.Receive() {
				switch p := stream.Msg().GetPart().(type) {
				case *mizanv1.ExportContractsResponse_Header:
					if header != nil || file.Len() > 0 {
						t.Fatal("a second header, or a header after data")
					}
					header = p.Header
				case *mizanv1.ExportContractsResponse_Data:
					file.Write(p.Data)
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if header.GetDataset() != "ar-fixture" || header.GetDatasetVersion() != 1 || header.GetContentType() != "text/csv; charset=utf-8" || header.GetFilename() != "ar-fixture-v1-search.csv" {
				t.Errorf("header %v", header)
			}
			rows, err := csv.NewReader(&file).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			// Every record, not one page of page_size 1.
			res, err := cl.c.SearchContracts(ctx, connect.NewRequest(&mizanv1.SearchContractsRequest{Query: "موسسه", PageSize: 100}))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(res.Msg.GetResults())+1 || len(rows) < 3 {
				t.Fatalf("%d rows, want a header and %d records", len(rows), len(res.Msg.GetResults()))
			}
			for i, h := range res.Msg.GetResults() {
				if rows[i+1][4] != h.GetOcid() || rows[i+1][16] != h.GetAmount() {
					t.Errorf("row %d: %v, want %s %s", i+1, rows[i+1], h.GetOcid(), h.GetAmount())
				}
			}
			bad, err := cl.c.ExportContracts(ctx, connect.NewRequest(&mizanv1.ExportContractsRequest{Search: search, Format: mizanv1.ExportFormat_EXPORT_FORMAT_PARQUET}))
			if err == nil {
				for bad.Receive() {
				}
				err = bad.Err()
			}
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("parquet: %v, want invalid_argument", err)
			}
		})
	}
}
