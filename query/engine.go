package query

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Engine runs resolved logical plans and returns Arrow records. It is the
// seam between the query service and a storage backend: no SQL crosses it.
// DuckDB implements it; a distributed backend can too.
//
// Result layouts:
//   - Aggregate: one row per cell, in p.Order then keys, p.Offset/p.Limit
//     applied: k0..kn (the Groups' values), amount_sum (decimal),
//     amount_count (int64), amount_min, amount_max (decimal).
//     With p.Top > 0 (Limit, Offset and Stats ignored), the first Top
//     cells (other = false) are followed by one row per Totals value that
//     has cells past the first Top (other = true), ordered by the Totals
//     values: its keys are NULL but for the Totals columns and its
//     measures fold those cells; folded (int64) is the number of cells a
//     row holds.
//     With p.Stats, every row also has cell_count (the number of cells),
//     total_sum, total_min, total_max (over every cell with the row's
//     Totals values) and all_count (the facts counted over every cell).
//     Without p.Extremes, total_min and total_max may be NULL. No row
//     comes back when the page is empty.
//   - Execution with p.Stats: every row also has cell_count and, per
//     phase, total_<phase>_sum and total_<phase>_count over every node.
//   - Summary: one row per distinct p.Totals value (one row when Totals is
//     empty), ordered by the totals: t0..tn, then the four measures, over
//     every fact the filters keep.
//   - Rest: the cells after the first p.Offset (in p's order) folded into one
//     row per distinct Totals value: t0..tn and the four measures. No row
//     when there are no such cells.
//   - Execution: one row per node: k0..kn, approved_sum, approved_count,
//     revised_sum, revised_count, executed_sum, executed_count.
//   - Facts: p.Columns by name, in order.
//   - Members: level, key, label_en, label_ar, label_src, ordered by
//     depth, level, key.
//
// Every method honours ctx cancellation and deadlines. Callers must
// Release every returned reader.
type Engine interface {
	// Aggregate returns the cells of p, ordered and paged.
	Aggregate(ctx context.Context, p *AggregatePlan) (array.RecordReader, error)
	// Count returns the number of cells p has, ignoring Order and paging.
	Count(ctx context.Context, p *AggregatePlan) (int64, error)
	// Summary returns the grand totals over p's filters, per p.Totals.
	Summary(ctx context.Context, p *AggregatePlan) (array.RecordReader, error)
	// Rest folds the cells after p.Offset, per p.Totals (the "other" cell).
	// The service folds them with Aggregate and p.Top now; Rest stays for
	// callers that want the fold alone.
	Rest(ctx context.Context, p *AggregatePlan) (array.RecordReader, error)
	// Execution returns the phase sums per node of p, ordered and paged.
	Execution(ctx context.Context, p *ExecutionPlan) (array.RecordReader, error)
	// Facts returns the line items of p, ordered and paged.
	Facts(ctx context.Context, p *FactsPlan) (array.RecordReader, error)
	// CountFacts returns the number of facts p's filters keep.
	CountFacts(ctx context.Context, p *FactsPlan) (int64, error)
	// Members returns the stored members p asks for.
	Members(ctx context.Context, p *MembersPlan) (array.RecordReader, error)
}
