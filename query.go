package mizan

import "context"

// Aggregate functions a query may ask for, as "measure.function".
const (
	AggSum   = "sum"
	AggCount = "count"
	AggAvg   = "avg"
	AggMin   = "min"
	AggMax   = "max"
	// AggShare is the cell's sum as a share of the total the cuts select.
	AggShare = "share"
)

// MaxPageSize caps the cells of one Aggregate or Facts page.
const MaxPageSize = 10000

// Cut restricts a query to some members of a dimension level.
type Cut struct {
	// Ref is "dimension" or "dimension.level".
	Ref string
	// Values are member keys; a fact matches when its key is one of them.
	Values []string
	// From and To bound a range (inclusive); either may be empty.
	From, To string
	// Negate inverts the cut: facts NOT matching it are kept.
	Negate bool
	// Subtree keeps each value's descendants too, on every lower level.
	Subtree bool
}

// Order sorts cells by an aggregate ("amount.sum") or a drilldown key.
type Order struct {
	Ref  string
	Desc bool
}

// Normalization asks for values adjusted by reference series. Each field
// names a series dataset; empty means not asked.
type Normalization struct {
	// PerCapita divides by a population series.
	PerCapita string
	// Deflator expresses values at the prices of BaseYear.
	Deflator string
	BaseYear int
	// FXRates converts to TargetCurrency with per-year rates.
	FXRates        string
	TargetCurrency string
}

// AggregateQuery is a logical aggregation request: what to measure, how to
// group it and which facts to keep. It never carries SQL.
type AggregateQuery struct {
	Dataset    string
	Version    int // 0 = latest visible version
	Aggregates []string
	Drilldown  []string
	Cuts       []Cut
	Order      []Order
	PageSize   int
	Offset     int
	Lang       string
	// Top keeps the first Top cells in order and folds the rest into one
	// "other" cell.
	Top           int
	Normalization Normalization
	// IncludeDrafts lets an authenticated caller see draft versions.
	IncludeDrafts bool
}

// Cell is one group of an aggregation: its keys, their labels and the
// aggregate values as exact decimal strings.
type Cell struct {
	Keys   map[string]string
	Labels map[string]string
	// LabelLangs gives the language of each label that is not in the
	// language asked for (a member with no label in it); nil when all are.
	LabelLangs map[string]string
	Values     map[string]string
	Currency   string
	// Other marks the bucket holding everything past Top.
	Other bool
}

// AppliedSeries records a reference value that normalisation used, so a
// response says exactly what it did.
type AppliedSeries struct {
	Kind    string // "per_capita", "deflator", "fx"
	Dataset string
	Version int
	Year    int
	Value   string
}

// AggregateResult is a page of cells and the grand totals of the selection.
type AggregateResult struct {
	Cells          []Cell
	Summary        Cell
	TotalCellCount int64
	Dataset        string
	Version        int
	Currency       string
	NextOffset     int // 0 when there is no next page
	Applied        []AppliedSeries
}

// ExecutionQuery compares budget phases per node of a drilldown.
type ExecutionQuery struct {
	Dataset       string
	Version       int
	Drilldown     []string
	Cuts          []Cut
	Lang          string
	PageSize      int
	Offset        int
	Order         []Order
	LowThreshold  string // execution rate below which a node is flagged, e.g. "0.5"
	IncludeDrafts bool
}

// ExecutionRow is budget against actual for one node.
type ExecutionRow struct {
	Keys   map[string]string
	Labels map[string]string
	// LabelLangs: as Cell's.
	LabelLangs map[string]string
	Approved   string
	Revised    string
	Executed   string
	// Rate is executed ÷ (revised, or approved when there is no revision),
	// as a decimal string; "" when the base is zero or missing.
	Rate string
	// RateBase says which phase Rate is against: "revised" or "approved".
	RateBase string
	Variance string // executed - base
	Over     bool   // rate above 100%
	Under    bool   // rate below LowThreshold
	Currency string
}

// ExecutionResult is a page of execution rows plus the overall figures.
type ExecutionResult struct {
	Rows          []ExecutionRow
	Summary       ExecutionRow
	TotalRowCount int64
	Dataset       string
	Version       int
	Currency      string
	NextOffset    int
}

// FactsQuery asks for the line items behind a cell.
type FactsQuery struct {
	Dataset       string
	Version       int
	Cuts          []Cut
	Order         []Order
	PageSize      int
	Offset        int
	Lang          string
	IncludeDrafts bool
}

// Fact is one stored line item with its provenance.
type Fact struct {
	Row    int64
	Keys   map[string]string
	Labels map[string]string
	// LabelLangs: as Cell's.
	LabelLangs map[string]string
	Amount     string
	// Currency of Amount.
	Currency string
	// Provenance: the file (and sheet) and the 1-based row the fact came from.
	SourceID  int
	File      string
	SHA256    string
	Sheet     string
	SourceRow int64
}

// FactsResult is a page of facts.
type FactsResult struct {
	Facts      []Fact
	TotalCount int64
	Dataset    string
	Version    int
	NextOffset int
}

// MembersQuery lists members of a dimension level.
type MembersQuery struct {
	Dataset       string
	Version       int
	Ref           string // "dimension.level"
	Parent        string
	Search        string
	Lang          string
	PageSize      int
	Offset        int
	IncludeDrafts bool
}

// MembersResult is a page of members.
type MembersResult struct {
	Members    []Member
	TotalCount int64
	NextOffset int
}

// Catalog answers questions about datasets rather than their facts.
type Catalog interface {
	ListDatasets(ctx context.Context, includeDrafts bool) ([]Dataset, error)
	GetDataset(ctx context.Context, id string, includeDrafts bool) (*Dataset, error)
	ListMembers(ctx context.Context, q MembersQuery) (*MembersResult, error)
}
