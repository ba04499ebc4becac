// Package ingest turns government budget and spending files into stored
// dataset versions: descriptors and Fiscal Data Packages say how to read a
// source; readers stream its rows (CSV, TSV, XLSX; zipped or gzipped; any of
// the encodings real files use); the mapping validates each row into a fact
// with provenance, and the facts flow as Arrow record batches into one
// DuckDB transaction per ingest.
package ingest

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/mizan-budget/mizan"
)

// Descriptor tells Mizan how to read one dataset's sources. It is written by
// hand as YAML (or JSON) in datasets/, or derived from a Fiscal Data Package.
// The README documents every field.
type Descriptor struct {
	ID          string        `yaml:"id" json:"id"`
	Kind        mizan.Kind    `yaml:"kind" json:"kind"` // budget (default), payments, series
	Title       mizan.Text    `yaml:"title" json:"title"`
	Description mizan.Text    `yaml:"description,omitempty" json:"description,omitempty"`
	Publisher   mizan.Text    `yaml:"publisher,omitempty" json:"publisher,omitempty"`
	Country     string        `yaml:"country,omitempty" json:"country,omitempty"`   // ISO 3166-1 alpha-2
	Currency    string        `yaml:"currency" json:"currency"`                     // ISO 4217
	Language    string        `yaml:"language,omitempty" json:"language,omitempty"` // language of the source's own labels
	Licence     mizan.Licence `yaml:"licence,omitempty" json:"licence,omitempty"`
	Homepage    string        `yaml:"homepage,omitempty" json:"homepage,omitempty"`
	// Synthetic marks generated data; every view labels it as such.
	Synthetic bool `yaml:"synthetic,omitempty" json:"synthetic,omitempty"`
	// Decimals is the scale amounts are stored with; default: the
	// currency's ISO 4217 minor units (3 for BHD, JOD, KWD, OMR, TND, LYD, IQD).
	Decimals *int32 `yaml:"decimals,omitempty" json:"decimals,omitempty"`
	// Precision is the number of digits of a stored amount: 18 (default:
	// single amounts up to 10^(18-decimals), e.g. 999 trillion with 3
	// decimals) or 38 for sources with larger single amounts. Totals are
	// always summed exactly with 38 digits.
	Precision int32 `yaml:"precision,omitempty" json:"precision,omitempty"`
	// Factor multiplies every source amount, for sources published in
	// thousands ("1000") or millions ("1000000").
	Factor string `yaml:"factor,omitempty" json:"factor,omitempty"`
	// RejectThreshold fails the ingest when rejected rows exceed it: a
	// count ("100") or a share of rows read ("2%"). Default: no limit.
	RejectThreshold string `yaml:"reject_threshold,omitempty" json:"reject_threshold,omitempty"`
	// Dimensions declares the classification and attribute dimensions,
	// their levels and labels, in display order.
	Dimensions []DimensionSpec `yaml:"dimensions" json:"dimensions"`
	// Labels adds member labels in other languages: "dim.level" → member
	// key → language → label. This is how Arabic labels reach sources that
	// publish only English.
	Labels map[string]map[string]mizan.Text `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Package names a Fiscal Data Package (datapackage.json, relative to
	// the descriptor) whose model supplies dimensions, sources and mapping;
	// anything the descriptor sets itself wins.
	Package string `yaml:"package,omitempty" json:"package,omitempty"`
	// Defaults are merged into every source (a source's own settings win).
	Defaults SourceSpec `yaml:"defaults,omitempty" json:"defaults,omitempty"`
	// Sources are the files to read.
	Sources []SourceSpec `yaml:"sources" json:"sources"`

	// dir is the directory the descriptor was read from; source names are
	// relative to it unless --from says otherwise.
	dir string
}

// DimensionSpec declares one dimension.
type DimensionSpec struct {
	ID    string     `yaml:"id" json:"id"`
	Label mizan.Text `yaml:"label,omitempty" json:"label,omitempty"`
	// Kind is "classification" (hierarchy, default when there are several
	// levels) or "attribute" (flat: supplier, expense type).
	Kind mizan.DimensionKind `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Classification names a standard scheme with built-in labels: "cofog".
	Classification string      `yaml:"classification,omitempty" json:"classification,omitempty"`
	Levels         []LevelSpec `yaml:"levels" json:"levels"`
}

// LevelSpec declares one level of a dimension.
type LevelSpec struct {
	ID    string     `yaml:"id" json:"id"`
	Label mizan.Text `yaml:"label,omitempty" json:"label,omitempty"`
}

// SourceSpec is one file (or a set of sheets of a workbook) and how its
// columns map onto facts.
type SourceSpec struct {
	// Name is the file's path relative to the descriptor (or --from), with
	// forward slashes; it may not leave that directory. A name with glob
	// characters ("clean/*.csv") stands for every matching file, in name
	// order (local sources only, without sha256).
	Name   string `yaml:"name,omitempty" json:"name,omitempty"`
	URL    string `yaml:"url,omitempty" json:"url,omitempty"`
	SHA256 string `yaml:"sha256,omitempty" json:"sha256,omitempty"`
	// Format is csv, tsv or xlsx; default from the file name.
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// Member picks the entry inside a zip archive (default: the only data
	// file, ignoring __MACOSX and dot files).
	Member string `yaml:"member,omitempty" json:"member,omitempty"`
	// Encoding of a text file; default: detected.
	Encoding string `yaml:"encoding,omitempty" json:"encoding,omitempty"`
	// Delimiter of a CSV file; default: sniffed.
	Delimiter string `yaml:"delimiter,omitempty" json:"delimiter,omitempty"`
	// Sheets of a workbook to read; default: the first. "*" reads all.
	Sheets []string `yaml:"sheets,omitempty" json:"sheets,omitempty"`
	// HeaderRow is the 1-based row holding column names; default: detected
	// (the first row that names the mapped columns).
	HeaderRow int `yaml:"header_row,omitempty" json:"header_row,omitempty"`
	// Number says how amounts are written; default: inferred per value.
	Number NumberSpec `yaml:"number,omitempty" json:"number,omitempty"`
	// Empty says what an empty amount cell means: "reject" (default),
	// "zero" or "skip".
	Empty string `yaml:"empty,omitempty" json:"empty,omitempty"`
	// Mapping maps columns (or constants) to the canonical model.
	Mapping Mapping `yaml:"mapping,omitempty" json:"mapping,omitempty"`
}

// NumberSpec fixes the separators of amounts.
type NumberSpec struct {
	Decimal string `yaml:"decimal,omitempty" json:"decimal,omitempty"` // "." "," "٫"
	Group   string `yaml:"group,omitempty" json:"group,omitempty"`     // "," "." " " "٬" "'"
}

// Mapping maps a source's columns onto the canonical fact model.
type Mapping struct {
	Year      *Field `yaml:"year,omitempty" json:"year,omitempty"`
	Period    *Field `yaml:"period,omitempty" json:"period,omitempty"`
	Date      *Field `yaml:"date,omitempty" json:"date,omitempty"`
	Phase     *Field `yaml:"phase,omitempty" json:"phase,omitempty"`
	Direction *Field `yaml:"direction,omitempty" json:"direction,omitempty"`
	Currency  *Field `yaml:"currency,omitempty" json:"currency,omitempty"`
	Measure   *Field `yaml:"measure,omitempty" json:"measure,omitempty"`
	Amount    *Field `yaml:"amount,omitempty" json:"amount,omitempty"`
	// Dimensions maps each declared dimension to the columns of its
	// levels, top level first.
	Dimensions map[string][]LevelMapping `yaml:"dimensions,omitempty" json:"dimensions,omitempty"`
	// Unpivot turns side-by-side value columns (years, phases) into rows.
	Unpivot *Unpivot `yaml:"unpivot,omitempty" json:"unpivot,omitempty"`
	// Totals identifies total and subtotal rows: they are not stored but
	// checked against the sum of the rows they cover.
	Totals *RowMatch `yaml:"totals,omitempty" json:"totals,omitempty"`
	// Skip identifies rows to ignore (notes, blank separators).
	Skip []RowMatch `yaml:"skip,omitempty" json:"skip,omitempty"`
}

// Field takes a value from a column or a constant, optionally mapping raw
// values ("Presupuesto" → approved).
type Field struct {
	Column string `yaml:"column,omitempty" json:"column,omitempty"`
	// Aliases are other names the column goes by in some files of the
	// dataset ("Amount" where most files say "Net Amount"); the first
	// name a file's header has is used.
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// Value is a constant used for every row (when Column is empty).
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
	// Map translates raw values (after trimming; exact match first, then
	// ignoring case) into canonical ones. Unmapped values pass unchanged.
	Map map[string]string `yaml:"map,omitempty" json:"map,omitempty"`
	// Format of a date ("d/m/Y", "Y-m-d", "excel"; default: detected) or a
	// fiscal year ("end" takes 2016 from "2015-16").
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// From derives the year from the date ("date").
	From string `yaml:"from,omitempty" json:"from,omitempty"`
}

// LevelMapping says where one level's member key and labels come from:
// a code column (or several), a label column, or a constant value.
type LevelMapping struct {
	Level string `yaml:"level" json:"level"`
	// Code is the column of the member code; when empty, the label is the key.
	// In YAML, code may also list several columns ("code: [Ramo, UNIDAD]"),
	// for codes that are only unique under their parent: the key is then
	// their trimmed values joined with "." ("12.100"), held in Codes. A row
	// where one of them is empty has no member at this level.
	Code string `yaml:"code,omitempty" json:"code,omitempty"`
	// Codes are the columns of a composite code (written as a list under
	// code in YAML; Code is then empty).
	Codes []string `yaml:"-" json:"codes,omitempty"`
	// Label is the column of the label in the source language; Labels adds
	// label columns in other languages (language → column).
	Label  string            `yaml:"label,omitempty" json:"label,omitempty"`
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Prefix derives a code-prefix hierarchy: this level's key is the first
	// Prefix characters (digits, ignoring separators) of Code.
	Prefix int `yaml:"prefix,omitempty" json:"prefix,omitempty"`
	// Value is a constant member key for every row of the source (e.g. the
	// expenditure type "recurrent" of a file of recurrent spending), instead
	// of columns; its labels come from the descriptor's labels section.
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
	// Map translates raw keys (the code, or the label when it is the key;
	// after trimming; exact match first, then ignoring case and accents)
	// into the stored key, e.g. to merge spelling variants ("Ministry of
	// Infromation" → "Ministry of Information"). When the label is the
	// key, the mapped key is also the label. Unmapped values pass unchanged.
	Map map[string]string `yaml:"map,omitempty" json:"map,omitempty"`
}

// CodeColumns returns the columns the member code is read from: Codes, or
// Code alone (none when the label is the key or Value is set).
func (lm *LevelMapping) CodeColumns() []string {
	if len(lm.Codes) > 0 {
		return lm.Codes
	}
	if lm.Code != "" {
		return []string{lm.Code}
	}
	return nil
}

// levelMappingFields are the YAML keys of a LevelMapping.
var levelMappingFields = map[string]bool{"level": true, "code": true, "label": true, "labels": true, "prefix": true, "value": true, "map": true}

// UnmarshalYAML reads a level mapping whose code is a column name or a
// list of them; unknown fields are errors, as everywhere in a descriptor.
func (lm *LevelMapping) UnmarshalYAML(n *yaml.Node) error {
	type plain LevelMapping // without this method
	if n.Kind != yaml.MappingNode {
		return n.Decode((*plain)(lm))
	}
	var unknown []string
	rest := *n
	rest.Content = nil
	var codes []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !levelMappingFields[k.Value]:
			unknown = append(unknown, fmt.Sprintf("line %d: field %s not found in type ingest.LevelMapping", k.Line, k.Value))
		case k.Value == "code" && v.Kind == yaml.SequenceNode:
			if err := v.Decode(&codes); err != nil {
				return err
			}
		default:
			rest.Content = append(rest.Content, k, v)
		}
	}
	if err := rest.Decode((*plain)(lm)); err != nil {
		return err
	}
	switch len(codes) {
	case 0:
	case 1:
		lm.Code = codes[0] // the same as a single name
	default:
		lm.Codes = codes
	}
	if len(unknown) > 0 {
		return &yaml.TypeError{Errors: unknown}
	}
	return nil
}

// Unpivot turns wide columns into rows: each matching column becomes one
// fact whose Into field (year, phase, measure or period) takes the column's
// value from Values or, if absent, the column header itself.
type Unpivot struct {
	Columns []string          `yaml:"columns,omitempty" json:"columns,omitempty"`
	Pattern string            `yaml:"pattern,omitempty" json:"pattern,omitempty"` // regexp over headers
	Into    string            `yaml:"into" json:"into"`
	Values  map[string]string `yaml:"values,omitempty" json:"values,omitempty"`
	// Also sets further fields per column, e.g. {"2016 revised": {year: "2016", phase: "revised"}}.
	Also map[string]map[string]string `yaml:"also,omitempty" json:"also,omitempty"`
}

// RowMatch matches rows by a regular expression (Go syntax) over a
// column's trimmed value; an empty Column matches when any cell matches.
type RowMatch struct {
	Column string `yaml:"column" json:"column"`
	Match  string `yaml:"match" json:"match"`
}

// DatasetMeta returns the dataset's catalog metadata.
func (d *Descriptor) DatasetMeta() mizan.Dataset {
	kind := d.Kind
	if kind == "" {
		kind = mizan.KindBudget
	}
	return mizan.Dataset{
		ID: d.ID, Kind: kind, Title: d.Title, Description: d.Description, Publisher: d.Publisher,
		Country: d.Country, Currency: d.Currency, Language: d.Language, Licence: d.Licence,
		Homepage: d.Homepage, Synthetic: d.Synthetic,
	}
}

// Dir returns the directory source names are relative to.
func (d *Descriptor) Dir() string { return d.dir }

// SetDir sets the directory source names are relative to.
func (d *Descriptor) SetDir(dir string) { d.dir = dir }

// String names the descriptor in messages.
func (d *Descriptor) String() string { return fmt.Sprintf("dataset %s", d.ID) }
