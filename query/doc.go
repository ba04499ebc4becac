// Package query answers Mizan's aggregation, execution and line-item
// questions over stored dataset versions.
//
// It has two halves joined by the Engine interface:
//
//   - Service validates a domain request (mizan.AggregateQuery,
//     mizan.ExecutionQuery, mizan.FactsQuery, ExportRequest) against the
//     version's catalog and resolves it into a logical plan (AggregatePlan,
//     ExecutionPlan, FactsPlan, MembersPlan). Plans name physical columns
//     taken from the catalog only and carry cut values as typed Go values;
//     they hold no SQL. The service then turns the Arrow records an Engine
//     returns into exact decimal strings, labels, derived figures (avg,
//     share, execution rates), normalised values and exports.
//   - DuckDB is the Engine over the store's DuckDB database. It compiles a
//     plan to SQL text with ? parameters (identifiers from the plan, quoted;
//     values bound, never spliced), chooses the smallest covering rollup
//     table, and streams Arrow record batches back. A distributed backend
//     can implement the same interface.
//
// # Exactness
//
// Amounts are DECIMAL(18, scale) in storage (DECIMAL(38, scale) for versions
// that ask for wide amounts, and for versions written before precision was
// recorded) and are summed by the database as decimals into DECIMAL(38,
// scale); the service never sums float64 and reads decimals of any
// precision. Sums, minima and maxima are
// formatted with the version's scale ("1234.500" for scale 3). Averages are
// computed in Go from the exact sum and count with math/big and rounded half
// to even to scale+2 decimals. Shares and execution rates are fractions
// rounded half to even to 6 decimals ("0.123457"). Normalised values
// (per capita, constant prices, currency conversion) use exact rational
// arithmetic and are rounded half to even to scale+2 decimals.
//
// # Determinism
//
// Every ORDER BY the compiler emits is total: it ends with every grouping key
// (or the fact row id), NULLs last, so the same request against the same
// version returns byte-identical results.
//
// # Mixed currencies
//
// When a version holds more than one currency and the cuts do not pin a
// single one, amounts of different currencies are never added together:
// currency is appended to the grouping (key "currency"), every cell carries
// its Currency, shares are relative to the total of the cell's own currency,
// the "other" bucket of a Top query is split per currency, and the Summary
// holds only amount.count (its Currency is ""). Asking for currency
// conversion (Normalization.FXRates) makes amounts commensurable again and
// lifts these restrictions.
//
// # Errors and deadlines
//
// Validation failures are *mizan.Error values naming the request field.
// Storage failures are wrapped with context and never carry a user-safe
// message, so the RPC layer shows only "internal error". When the query
// deadline (Options.QueryTimeout) passes or the caller cancels, the error
// wraps context.DeadlineExceeded or context.Canceled; the RPC layer maps those
// with errors.Is to DeadlineExceeded and Canceled.
package query
