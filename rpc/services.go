package rpc

import (
	"context"
	"encoding/json"
	"io"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/store"
)

// Catalog is what CatalogService (and the version pinning of Export and
// ListMembers) needs from storage. *store.DB implements it.
type Catalog interface {
	// ListDatasets returns every dataset with its visible versions, by id.
	ListDatasets(ctx context.Context, includeDrafts bool) ([]mizan.Dataset, error)
	// ResolveVersion returns the dataset and the version number addresses
	// (0 = latest visible).
	ResolveVersion(ctx context.Context, id string, number int, includeDrafts bool) (*mizan.Dataset, mizan.Version, error)
	// ListMembers returns a page of a dimension level's members.
	ListMembers(ctx context.Context, q mizan.MembersQuery) (*mizan.MembersResult, error)
	// Summary returns the stored ingest summary (JSON) of a version.
	Summary(ctx context.Context, id string, version int) (json.RawMessage, error)
	// Rejects returns a page of a version's rejected rows in source order.
	Rejects(ctx context.Context, id string, version, offset, limit int) ([]store.Reject, error)
	// Reconciliation returns a version's checks of published totals.
	Reconciliation(ctx context.Context, id string, version int) ([]store.Mismatch, error)
}

var _ Catalog = (*store.DB)(nil)

// Querier answers the unary QueryService RPCs. *query.Service implements it.
type Querier interface {
	// Aggregate groups facts and returns a page of cells.
	Aggregate(ctx context.Context, q mizan.AggregateQuery) (*mizan.AggregateResult, error)
	// Execution compares budget phases per node.
	Execution(ctx context.Context, q mizan.ExecutionQuery) (*mizan.ExecutionResult, error)
	// Facts returns a page of line items.
	Facts(ctx context.Context, q mizan.FactsQuery) (*mizan.FactsResult, error)
}

// Exporter writes every result of an export request to w in the request's
// format. *query.Service implements it. Invalid requests must fail with a
// *mizan.Error, before anything is written.
type Exporter interface {
	// Export writes the whole result of req to w.
	Export(ctx context.Context, req query.ExportRequest, w io.Writer) error
}

// ExporterFunc adapts a function to Exporter.
type ExporterFunc func(ctx context.Context, req query.ExportRequest, w io.Writer) error

// Export calls f.
func (f ExporterFunc) Export(ctx context.Context, req query.ExportRequest, w io.Writer) error {
	return f(ctx, req, w)
}

var (
	_ Querier  = (*query.Service)(nil)
	_ Exporter = (*query.Service)(nil)
)

// validateTarget checks the fields every dataset request shares.
func validateTarget(dataset string, version, pageSize int32) error {
	if dataset == "" {
		return mizan.FieldErrorf("dataset", "required")
	}
	if version < 0 {
		return mizan.FieldErrorf("version", "must be 0 (latest) or a version number, got %d", version)
	}
	if pageSize < 0 || pageSize > mizan.MaxPageSize {
		return mizan.FieldErrorf("page_size", "must be between 0 and %d, got %d", mizan.MaxPageSize, pageSize)
	}
	return nil
}
