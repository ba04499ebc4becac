// Package mizan holds Mizan's domain: datasets, their versions and dimensions,
// the logical queries that citizens, journalists and auditors ask, and the
// errors every layer shares. It imports no storage engine and no protobuf;
// the store, ingest, query and rpc packages depend on it, never the reverse.
package mizan

import (
	"regexp"
	"strings"
	"time"
)

// Canonical dimension ids that every budget dataset uses. They are stored as
// columns of their own rather than as classification levels.
const (
	DimYear      = "year"
	DimPhase     = "phase"
	DimDirection = "direction"
	DimCurrency  = "currency"
	DimPeriod    = "period"
	DimDate      = "date"
	DimMeasure   = "measure"
)

// Classification dimension ids with a shared meaning across datasets.
const (
	DimAdmin      = "admin"
	DimFunctional = "functional"
	DimEconomic   = "economic"
	DimProgramme  = "programme"
	DimGeo        = "geo"
	DimFund       = "fund"
)

// Budget phases, in the order a budget moves through them.
const (
	PhaseProposed  = "proposed"
	PhaseApproved  = "approved"
	PhaseRevised   = "revised"
	PhaseExecuted  = "executed"
	PhaseCommitted = "committed"
	PhasePaid      = "paid"
)

// Phases lists every phase Mizan knows, in budget order.
var Phases = []string{PhaseProposed, PhaseApproved, PhaseRevised, PhaseCommitted, PhaseExecuted, PhasePaid}

// Directions of money.
const (
	DirectionExpenditure = "expenditure"
	DirectionRevenue     = "revenue"
)

// Kind says what a dataset's rows are.
type Kind string

// Dataset kinds.
const (
	// KindBudget rows are budget line items: year, phase, direction, classifications, amount.
	KindBudget Kind = "budget"
	// KindPayments rows are individual payments or transactions: date, supplier, amount.
	KindPayments Kind = "payments"
	// KindSeries rows are a reference series (population, deflator, exchange rate) keyed by year.
	KindSeries Kind = "series"
	// KindContracts datasets hold public procurement (OCDS) records.
	KindContracts Kind = "contracts"
)

// Version statuses.
const (
	StatusPublished = "published"
	StatusDraft     = "draft"
)

// Text is a string in several languages, keyed by BCP 47 language tag
// ("en", "ar", "es"...).
type Text map[string]string

// Get returns the text in lang, falling back to English, Arabic and then any
// language present, so a label is never blank when one exists.
func (t Text) Get(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	for _, l := range []string{"en", "ar"} {
		if s := t[l]; s != "" {
			return s
		}
	}
	best := ""
	for l, s := range t { // deterministic: smallest language tag wins
		if s != "" && (best == "" || l < best) {
			best = l
		}
	}
	return t[best]
}

// Licence names the terms under which a dataset may be reused.
type Licence struct {
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	URL  string `json:"url,omitempty" yaml:"url,omitempty"`
}

// Dataset is a named, versioned collection of facts from one publisher.
type Dataset struct {
	ID          string  `json:"id"`
	Kind        Kind    `json:"kind"`
	Title       Text    `json:"title"`
	Description Text    `json:"description,omitempty"`
	Publisher   Text    `json:"publisher,omitempty"`
	Country     string  `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Currency    string  `json:"currency"`          // ISO 4217 code of the dataset's amounts
	Language    string  `json:"language,omitempty"`
	Licence     Licence `json:"licence"`
	Homepage    string  `json:"homepage,omitempty"`
	// Synthetic marks generated data, which every view must label as such.
	Synthetic bool `json:"synthetic,omitempty"`
	// Versions lists the dataset's versions, oldest first.
	Versions []Version `json:"versions,omitempty"`
}

// Latest returns the newest version visible with the given access, or false
// when there is none.
func (d *Dataset) Latest(includeDrafts bool) (Version, bool) {
	for i := len(d.Versions) - 1; i >= 0; i-- {
		v := d.Versions[i]
		if v.Status == StatusPublished || includeDrafts {
			return v, true
		}
	}
	return Version{}, false
}

// Version is one immutable ingest of a dataset.
type Version struct {
	Number      int       `json:"number"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	ContentHash string    `json:"content_hash"` // sha256 over the descriptor and every source's sha256
	// Scale is the number of decimal places amounts are stored with.
	Scale int32 `json:"scale"`
	// Precision is the number of digits of a stored amount (DECIMAL(18, s)
	// or DECIMAL(38, s)); sums are always DECIMAL(38, s). Versions written
	// before it was recorded have 0 and store DECIMAL(38, s).
	Precision int32 `json:"precision"`
	// Factor is the scale factor applied to source amounts ("1000" for a
	// source published in thousands); amounts are stored in units.
	Factor     string       `json:"factor"`
	Rows       int64        `json:"rows"`
	RowsRead   int64        `json:"rows_read"`
	Rejected   int64        `json:"rejected"`
	Years      []int        `json:"years,omitempty"`
	Phases     []string     `json:"phases,omitempty"`
	Directions []string     `json:"directions,omitempty"`
	Currencies []string     `json:"currencies,omitempty"`
	Dimensions []Dimension  `json:"dimensions"`
	Sources    []SourceFile `json:"sources,omitempty"`
	// Rollups lists the aggregate tables materialised at ingest, by the
	// columns they group on.
	Rollups []Rollup `json:"rollups,omitempty"`
}

// Dimension returns the dimension with the given id.
func (v *Version) Dimension(id string) (*Dimension, bool) {
	for i := range v.Dimensions {
		if v.Dimensions[i].ID == id {
			return &v.Dimensions[i], true
		}
	}
	return nil, false
}

// SourceFile is one input file (or one sheet of a workbook) of a version.
type SourceFile struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Sheet  string `json:"sheet,omitempty"`
	SHA256 string `json:"sha256"`
	URL    string `json:"url,omitempty"`
	Bytes  int64  `json:"bytes"`
	// Rows are the rows read from the file (or sheet): the data rows
	// below the header, whatever became of them (blank, total, skipped
	// and rejected rows count), not the facts they gave. For OCDS files,
	// the releases read.
	Rows int64 `json:"rows"`
}

// DimensionKind says how a dimension's members are organised.
type DimensionKind string

// Dimension kinds.
const (
	// KindClassification is a hierarchy of levels (administrative, COFOG...).
	KindClassification DimensionKind = "classification"
	// KindAttribute is a flat dimension with one level (supplier, expense type).
	KindAttribute DimensionKind = "attribute"
	// KindTime is a time dimension (year, period, date).
	KindTime DimensionKind = "time"
	// KindFixed is one of the fixed canonical dimensions (phase, direction, currency, measure).
	KindFixed DimensionKind = "fixed"
)

// Dimension is a way to slice facts, with one or more hierarchy levels.
type Dimension struct {
	ID    string        `json:"id"`
	Kind  DimensionKind `json:"kind"`
	Label Text          `json:"label"`
	// Classification names a standard classification ("cofog", "gfs") whose
	// built-in labels apply.
	Classification string  `json:"classification,omitempty"`
	Levels         []Level `json:"levels"`
}

// Level returns the level with the given id; "" means the top level.
func (d *Dimension) Level(id string) (*Level, int, bool) {
	if id == "" && len(d.Levels) > 0 {
		return &d.Levels[0], 0, true
	}
	for i := range d.Levels {
		if d.Levels[i].ID == id {
			return &d.Levels[i], i, true
		}
	}
	return nil, 0, false
}

// Level is one level of a dimension's hierarchy.
type Level struct {
	ID    string `json:"id"`
	Label Text   `json:"label"`
	// Column is the physical column holding the member key at this level.
	Column string `json:"column"`
	// Members counts the distinct members at this level.
	Members int64 `json:"members"`
}

// Rollup describes an aggregate table materialised at ingest.
type Rollup struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
}

// Member is one node of a dimension level.
type Member struct {
	Dimension string `json:"dimension"`
	Level     string `json:"level"`
	Key       string `json:"key"`
	// Parent is the key of the member's parent on the level above ("" at the top).
	Parent string `json:"parent,omitempty"`
	Label  Text   `json:"label"`
	// Children counts the members below it on the next level.
	Children int64 `json:"children,omitempty"`
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,62}$`)
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// ValidDatasetID reports whether id can name a dataset: lower-case letters,
// digits and hyphens, starting with a letter, 2 to 63 characters.
func ValidDatasetID(id string) bool { return idPattern.MatchString(id) }

// ValidName reports whether s can name a dimension, level or measure: lower
// snake_case, at most 40 characters, no double underscore.
func ValidName(s string) bool { return len(s) <= 40 && namePattern.MatchString(s) }

// ColumnFor returns the physical column of a dimension level. Only names that
// pass ValidName reach here, so the result is always a safe identifier.
func ColumnFor(dim, level string) string {
	if level == "" || level == dim {
		return dim
	}
	return dim + "__" + level
}

// SplitRef splits a "dimension.level" reference.
func SplitRef(ref string) (dim, level string) {
	dim, level, _ = strings.Cut(ref, ".")
	return dim, level
}
