package main

import (
	"context"
	"net/http"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// serverIngester runs uploads (IngestService) through the same ingests as
// `mizan ingest`: descriptors and Fiscal Data Packages with ingest.Ingest,
// OCDS files with contracts.Ingest.
type serverIngester struct{ db *store.DB }

var _ rpc.Ingester = serverIngester{}

// Ingest implements rpc.Ingester.
func (s serverIngester) Ingest(ctx context.Context, job rpc.IngestJob) (*rpc.IngestResult, error) {
	status := mizan.StatusPublished
	if job.Draft {
		status = mizan.StatusDraft
	}
	if job.ContractsDataset != "" {
		sum, err := contracts.Ingest(ctx, s.db, job.Files, contracts.Options{
			Dataset: mizan.Dataset{ID: job.ContractsDataset, Title: mizan.Text{"en": job.ContractsDataset}},
			Status:  status, Force: job.Force, TempDir: job.Dir, Root: job.Dir,
		})
		if err != nil {
			return nil, err
		}
		return &rpc.IngestResult{Dataset: sum.Dataset, Version: sum.Version, NoOp: sum.NoOp, Status: sum.Status, Summary: sum}, nil
	}
	d, err := ingest.Load(job.Descriptor)
	if err != nil {
		return nil, err
	}
	if d.Kind == mizan.KindContracts {
		sum, err := ingestContractsDescriptor(ctx, s.db, d, ingest.Options{Status: status, HTTPClient: noDownloads}, job.Force)
		if err != nil {
			return nil, err
		}
		return &rpc.IngestResult{Dataset: sum.Dataset, Version: sum.Version, NoOp: sum.NoOp, Status: sum.Status, Summary: sum}, nil
	}
	sum, err := ingest.Ingest(ctx, s.db, d, ingest.Options{Status: status, Force: job.Force, HTTPClient: noDownloads})
	if err != nil {
		return nil, err
	}
	return &rpc.IngestResult{Dataset: sum.Dataset, Version: sum.Version, NoOp: sum.NoOp, Status: sum.Status, Summary: sum}, nil
}

// noDownloads is the HTTP client of server-side ingests: the server never
// fetches a URL a descriptor names (an uploaded descriptor must not make the
// server reach into its own network), so every source must be uploaded.
var noDownloads = &http.Client{Transport: refuseDownloads{}}

type refuseDownloads struct{}

func (refuseDownloads) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, mizan.Errorf(mizan.EINVALID, "a source at %s was not uploaded, and the server never downloads: upload every source with its descriptor (mizan ingest --server --from DIR)", r.URL.Redacted())
}
