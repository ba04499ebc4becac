package query

import "github.com/mizan-budget/mizan"

// ColumnType is the logical type of a fact column, which decides how cut
// values are typed and how keys are read back.
type ColumnType int

// Column types.
const (
	// TypeString is a VARCHAR column: dimension levels, phase, currency...
	TypeString ColumnType = iota
	// TypeInt is an INTEGER column: year.
	TypeInt
	// TypeDate is a DATE column.
	TypeDate
	// TypeDecimal is the DECIMAL amount column.
	TypeDecimal
	// TypeBigInt is a BIGINT column: row_id, source_row.
	TypeBigInt
)

// Column is a physical column of a facts table. Its Name always comes from
// the version's catalog (store.FactSchema), never from a request.
type Column struct {
	Name string
	Type ColumnType
}

// Source is the stored data a plan reads: a version's facts table and the
// rollup tables materialised beside it, which an engine may read instead
// when one covers the plan.
type Source struct {
	Dataset string
	Version int
	// Table is the facts table (store.FactsTable).
	Table string
	// Scale is the number of decimals amounts are stored with.
	Scale int32
	// Rollups are the version's rollup tables (mizan.Version.Rollups).
	Rollups []mizan.Rollup
}

// Term matches facts whose Column value is one of Values, or, when Values
// is empty, lies within [From, To] (a nil bound is open). Values and bounds
// are typed for the column: string (TypeString), int32 (TypeInt) or
// time.Time (TypeDate).
type Term struct {
	Column   Column
	Values   []any
	From, To any
}

// Filter keeps the facts that match any of its Terms; Negate keeps the facts
// that match none of them (facts with a NULL key are kept by a negated
// filter). A plan's filters are combined with AND.
type Filter struct {
	Terms  []Term
	Negate bool
}

// OrderBy names what an ordering term sorts on.
type OrderBy int

// Ordering terms. Aggregate plans accept OrderKey and OrderSum..OrderAvg;
// execution plans accept OrderKey and OrderApproved..OrderVariance.
const (
	// OrderKey sorts on Groups[Key] (Columns[Key] in a facts plan).
	OrderKey OrderBy = iota
	// OrderSum, OrderCount, OrderMin and OrderMax sort on that aggregate.
	OrderSum
	OrderCount
	OrderMin
	OrderMax
	// OrderAvg sorts on sum ÷ count, exact to 9 decimals past the scale.
	OrderAvg
	// OrderApproved, OrderRevised and OrderExecuted sort on a phase's sum.
	OrderApproved
	OrderRevised
	OrderExecuted
	// OrderRate sorts on the execution rate, exact to 9 decimals.
	OrderRate
	// OrderVariance sorts on executed - base.
	OrderVariance
)

// Order is one ordering term. Engines append every grouping key (or the row
// id for facts) ascending, so the order is always total.
type Order struct {
	By   OrderBy
	Key  int
	Desc bool
}

// AggregatePlan is a resolved aggregation: group the facts the filters keep
// by Groups and compute, per cell, the sum, count, minimum and maximum of
// amount.
type AggregatePlan struct {
	Source  Source
	Groups  []Column
	Filters []Filter
	Order   []Order
	// Totals groups the rows of Summary and Rest, and the totals of Stats
	// and Top (e.g. currency when a selection mixes currencies). Rest,
	// Stats and Top need Totals ⊆ Groups.
	Totals []Column
	// Stats asks Aggregate to return, on every row, the number of cells,
	// the measures folded over the cells sharing the row's Totals values
	// and the fact count over all cells (see Engine), so that one
	// statement answers a page with its totals.
	Stats bool
	// Extremes asks for the minima and maxima of the Stats totals; without
	// it they may be NULL (each window function costs time).
	Extremes bool
	// Top, when positive, makes Aggregate return the first Top cells and
	// then one "other" row per Totals value folding the cells after them;
	// Limit, Offset and Stats are then ignored (the rows fold every cell,
	// so they give the statistics).
	Top int
	// Limit caps the cells returned (0 = all); Offset skips the first cells.
	Limit, Offset int
}

// ExecutionPlan is a resolved budget-against-actual comparison: group the
// facts by Groups and sum amount per phase (approved, revised, executed).
type ExecutionPlan struct {
	Source  Source
	Groups  []Column
	Filters []Filter
	Order   []Order
	// ExecutedZero counts a node without executed facts as executed 0 (set
	// when the version has executed figures at all).
	ExecutedZero bool
	// Stats asks Execution to return, on every row, the number of nodes
	// and the phase sums and counts over all nodes (see Engine).
	Stats  bool
	Limit  int
	Offset int
}

// FactsPlan is a resolved line-item listing.
type FactsPlan struct {
	Source Source
	// Columns are selected in this order; they must include row_id.
	Columns []Column
	Filters []Filter
	// Order terms use OrderKey with Key indexing Columns; row_id ends it.
	Order []Order
	// AfterRow, when set, keeps only rows with row_id > *AfterRow (keyset
	// paging for exports ordered by row id).
	AfterRow      *int64
	Limit, Offset int
}

// MembersPlan asks for the stored members (keys and labels) of a
// dimension, on the given levels ("any level" when Levels is empty), with
// the given keys.
type MembersPlan struct {
	Dataset   string
	Version   int
	Dimension string
	Levels    []string
	// Keys are the member keys wanted; nil means every member.
	Keys []string
}

// Result column names an Engine returns. Aggregate and Rest rows have the
// grouping keys k0..kn first; Summary rows have the Totals keys t0..tn.
const (
	colSum   = "amount_sum"
	colCount = "amount_count"
	colMin   = "amount_min"
	colMax   = "amount_max"

	// Stats and Top columns of Aggregate (and cell_count of Execution).
	colCells    = "cell_count"
	colTotalSum = "total_sum"
	colTotalMin = "total_min"
	colTotalMax = "total_max"
	colAllCount = "all_count"
	colOther    = "other"
	colFolded   = "folded"
)
