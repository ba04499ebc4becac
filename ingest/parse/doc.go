// Package parse reads the raw values found in government budget files:
// amounts, dates, fiscal years, text encodings and CSV dialects.
//
// Every function here except MustDecimal is total: it never panics, whatever
// the input, and its errors name the offending value and say in plain words
// what is wrong with it, e.g.
//
//	"(1,234.5" is not an amount: unbalanced parenthesis
//
// Amounts are exact: they are held as a [Decimal] with at most 38
// significant digits (the precision of an Arrow decimal128 column) and are
// never passed through float64.
//
// Empty cells ("", "-", "–") are reported with the sentinel [ErrEmpty] so that
// callers can decide whether an empty cell means zero or must be rejected.
//
// A typical ingest: [NewDecoder] turns the file into UTF-8, [SniffDialect] on
// its first [SniffSize] bytes finds the delimiter and header line, then each
// cell goes through [ParseAmount], [ParseDate] or [ParseFiscalYear], and
// amounts are stored with [Decimal.Rescale] at the currency's scale.
package parse
