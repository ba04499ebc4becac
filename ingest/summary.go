package ingest

import (
	"cmp"
	"io/fs"
	"net/http"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest/parse"
)

// Options tune one ingest.
type Options struct {
	// From reads sources from this local directory instead of their URLs
	// (their sha256 is still checked).
	From string
	// FS reads sources from this file system (an embedded demo); it takes
	// precedence over From and the descriptor's directory.
	FS fs.FS
	// Status of the new version: published (default) or draft.
	Status string
	// Progress, when set, is called at most about ten times a second and
	// once at the end.
	Progress func(Progress)
	// Force ingests even when the content hash equals the latest version's.
	Force bool
	// HTTPClient downloads sources that are found nowhere else
	// (default http.DefaultClient).
	HTTPClient *http.Client
	// MaxBytes bounds how many bytes one source may download or
	// decompress to (default DefaultMaxBytes, 8 GiB).
	MaxBytes int64
	// Workers is the number of parse workers (default GOMAXPROCS).
	Workers int
}

// Progress reports how far an ingest got.
type Progress struct {
	Rows       int64  // source rows mapped so far
	BytesRead  int64  // source bytes read so far
	TotalBytes int64  // bytes of all sources
	File       string // the file being read
}

// Summary says what an ingest did; it is stored as the version's summary.
type Summary struct {
	Dataset string `json:"dataset"`
	Version int    `json:"version"`
	// NoOp is true when the sources and descriptor were identical to the
	// latest version's: nothing was written and Version is that version.
	NoOp        bool   `json:"no_op,omitempty"`
	ContentHash string `json:"content_hash"`
	Status      string `json:"status"`
	// Scale is the number of decimal places amounts are stored with.
	Scale int32 `json:"scale"`
	// RowsRead counts data rows (below the header) of every source;
	// RowsAccepted those that stored at least one fact; RowsRejected those
	// with at least one rejected cell (a wide row with one bad cell among
	// good ones counts in both); RowsSkipped blank rows, rows matching a
	// skip rule and rows whose amounts were all empty under empty: skip;
	// RowsTotals published total rows and parent rows of code-prefix
	// hierarchies, which are checked instead of stored.
	RowsRead     int64 `json:"rows_read"`
	RowsAccepted int64 `json:"rows_accepted"`
	RowsRejected int64 `json:"rows_rejected"`
	RowsSkipped  int64 `json:"rows_skipped"`
	RowsTotals   int64 `json:"rows_totals"`
	// Facts counts stored facts (more than rows when columns are unpivoted).
	Facts          int64           `json:"facts"`
	Sources        []SourceSummary `json:"sources"`
	Totals         []Total         `json:"totals"`
	Reconciliation Reconciliation  `json:"reconciliation"`
	Warnings       []string        `json:"warnings,omitempty"`
	// RejectSamples are the first rejects in plain words.
	RejectSamples []string      `json:"reject_samples,omitempty"`
	Duration      time.Duration `json:"duration_ns"`
}

// SourceSummary is what one file (or sheet) gave.
type SourceSummary struct {
	ID           int    `json:"id"`
	Name         string `json:"name"`
	Sheet        string `json:"sheet,omitempty"`
	Member       string `json:"member,omitempty"`
	SHA256       string `json:"sha256"`
	Bytes        int64  `json:"bytes"`
	Format       string `json:"format"`
	Encoding     string `json:"encoding,omitempty"`
	Delimiter    string `json:"delimiter,omitempty"`
	RowsRead     int64  `json:"rows_read"`
	RowsAccepted int64  `json:"rows_accepted"`
	RowsRejected int64  `json:"rows_rejected"`
	RowsSkipped  int64  `json:"rows_skipped"`
	RowsTotals   int64  `json:"rows_totals"`
	Facts        int64  `json:"facts"`
}

// Total is the sum of stored amounts of one year, phase, direction and
// currency, as an exact decimal.
type Total struct {
	Year      int    `json:"year,omitempty"`
	Phase     string `json:"phase,omitempty"`
	Direction string `json:"direction,omitempty"`
	Currency  string `json:"currency"`
	Amount    string `json:"amount"`
	Rows      int64  `json:"rows"`
}

// Reconciliation counts the published totals checked against their parts.
type Reconciliation struct {
	Checked    int `json:"checked"`
	Mismatches int `json:"mismatches"`
}

// totalKey groups facts for Summary.Totals.
type totalKey struct {
	year      int32
	hasYear   bool
	phase     string
	direction string
	currency  string
}

type totalAgg struct {
	sum  decimal128.Num
	rows int64
}

// counts are per-source row counters.
type counts struct {
	read, accepted, rejected, skipped, totals, facts int64
}

func (c *counts) add(o counts) {
	c.read += o.read
	c.accepted += o.accepted
	c.rejected += o.rejected
	c.skipped += o.skipped
	c.totals += o.totals
	c.facts += o.facts
}

// sortedTotals turns the aggregated totals into Summary.Totals.
func sortedTotals(m map[totalKey]*totalAgg, scale int32) []Total {
	out := make([]Total, 0, len(m))
	for k, v := range m {
		t := Total{Phase: k.phase, Direction: k.direction, Currency: k.currency, Amount: formatNum(v.sum, scale), Rows: v.rows}
		if k.hasYear {
			t.Year = int(k.year)
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b Total) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(phaseRank(a.Phase), phaseRank(b.Phase)),
			cmp.Compare(a.Phase, b.Phase), cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}

func phaseRank(p string) int {
	for i, q := range mizan.Phases {
		if q == p {
			return i
		}
	}
	return len(mizan.Phases)
}

// formatNum writes an unscaled decimal128 at scale as an exact decimal.
func formatNum(n decimal128.Num, scale int32) string {
	return parse.DecimalFromNum(n, scale).String()
}
