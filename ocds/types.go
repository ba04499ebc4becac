package ocds

import (
	"encoding/json"
	"fmt"

	"github.com/mizan-budget/mizan/ingest/parse"
)

// Problem is something wrong in the input that did not stop the rest of the
// file from loading: the file, the record's ocid when known, where in the
// file (a JSON pointer within the Value-th top-level JSON value) and what.
type Problem struct {
	File string `json:"file"`
	// Value is the 0-based index of the top-level JSON value in File: the
	// line of a JSON Lines file, the package of a concatenated stream.
	Value   int    `json:"value"`
	OCID    string `json:"ocid,omitempty"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	loc := p.File
	if p.Value > 0 {
		loc += fmt.Sprintf(" value %d", p.Value+1)
	}
	if p.Path != "" {
		loc += " " + p.Path
	}
	if p.OCID != "" {
		loc += " (" + p.OCID + ")"
	}
	return loc + ": " + p.Message
}

// Source says where a release came from.
type Source struct {
	// File is the path as given; a zip member is "archive.zip!member.json".
	File string `json:"file"`
	// SHA256 is of the file on disk (of the archive for a zip member).
	SHA256  string `json:"sha256"`
	Value   int    `json:"value"`
	Pointer string `json:"pointer"`
}

// Kinds of release Read produces.
const (
	KindRelease   = "release"   // a release (OCDS 1.0 or 1.1, or mapped from the 2014 draft)
	KindCompiled  = "compiled"  // a compiled release (from a record or on its own)
	KindVersioned = "versioned" // a versioned release, reduced to its latest values
)

// Release is one release as read: its identifying fields and its whole
// content (numbers kept as json.Number, unknown fields included).
type Release struct {
	OCID string
	ID   string
	Date string
	Tag  []string
	Kind string
	Data map[string]any
	Src  Source
}

// FileInfo describes one input file after reading.
type FileInfo struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	// Forms counts what was found: "release package", "record package",
	// "release", "compiled release", "versioned release", "record",
	// "2014 draft release", "linked release", "json lines"...
	Forms    map[string]int `json:"forms"`
	Releases int            `json:"releases"`
	// Versions lists the OCDS versions packages declared ("1.0" when absent).
	Versions map[string]int `json:"versions,omitempty"`
	Problems int            `json:"problems"`
}

// Value is an amount with its currency. Amount is exact.
type Value struct {
	Amount   parse.Decimal
	Currency string
	// Set is false when the source gives no (readable) amount.
	Set bool
}

// MarshalJSON writes {"amount": "123.45", "currency": "CAD"} or null.
func (v Value) MarshalJSON() ([]byte, error) {
	if !v.Set {
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	}{v.Amount.String(), v.Currency})
}

// Period is a span of dates (ISO YYYY-MM-DD; empty when unknown).
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Identifier is an organisation identifier: a registry (scheme) and an id.
type Identifier struct {
	Scheme string `json:"scheme,omitempty"`
	ID     string `json:"id,omitempty"`
}

// Key returns "SCHEME:ID" (scheme upper-cased, spaces removed), or "" when
// scheme or id is missing: an identifier without a scheme says nothing.
func (i Identifier) Key() string {
	s, id := normIdent(i.Scheme), normIdent(i.ID)
	if s == "" || id == "" {
		return ""
	}
	return s + ":" + id
}

// Party is an organisation taking part in a process.
type Party struct {
	// Ref is the party's id within the release ("" when the source gave none).
	Ref        string       `json:"ref,omitempty"`
	Name       string       `json:"name"`
	Identifier Identifier   `json:"identifier"`
	Additional []Identifier `json:"additional_identifiers,omitempty"`
	Roles      []string     `json:"roles"`
	// Entity is the resolved entity key (see Resolver); NormName the
	// normalised name it was compared by.
	Entity   string `json:"entity"`
	NormName string `json:"norm_name"`
	Pointer  string `json:"pointer"`
}

// PartyRef points at a Party of the same Process by index.
type PartyRef struct {
	Party int    `json:"party"` // index into Process.Parties
	Name  string `json:"name"`
}

// Item is a line of goods, works or services.
type Item struct {
	ID             string `json:"id,omitempty"`
	Description    string `json:"description,omitempty"`
	Scheme         string `json:"scheme,omitempty"`
	Classification string `json:"classification,omitempty"`
	ClassDesc      string `json:"classification_description,omitempty"`
	Quantity       string `json:"quantity,omitempty"`
	Unit           string `json:"unit,omitempty"`
	UnitValue      Value  `json:"unit_value"`
	Pointer        string `json:"pointer"`
}

// Tender is the call for bids (or the decision not to hold one).
type Tender struct {
	ID              string `json:"id,omitempty"`
	Title           string `json:"title,omitempty"`
	Description     string `json:"description,omitempty"`
	Status          string `json:"status,omitempty"`
	Method          string `json:"method,omitempty"`           // open | selective | limited | direct | ...
	MethodDetails   string `json:"method_details,omitempty"`   // the publisher's own words
	MethodRationale string `json:"method_rationale,omitempty"` // why not open
	// NumberOfTenderers is -1 when the source says nothing (neither the
	// number nor a tenderers list).
	NumberOfTenderers int        `json:"number_of_tenderers"`
	Tenderers         []PartyRef `json:"tenderers,omitempty"`
	ProcuringEntity   *PartyRef  `json:"procuring_entity,omitempty"`
	Period            Period     `json:"period"`
	Value             Value      `json:"value"`
	Items             []Item     `json:"items,omitempty"`
	Pointer           string     `json:"pointer"`
}

// Award is a decision to award.
type Award struct {
	ID          string     `json:"id"`
	Title       string     `json:"title,omitempty"`
	Description string     `json:"description,omitempty"`
	Status      string     `json:"status,omitempty"`
	Date        string     `json:"date,omitempty"`
	Value       Value      `json:"value"`
	Suppliers   []PartyRef `json:"suppliers,omitempty"`
	Items       []Item     `json:"items,omitempty"`
	Pointer     string     `json:"pointer"`
}

// Amendment is a change to a contract. ValueBefore and ValueAfter are the
// contract's value in the releases just before and at the amendment's
// date, when the releases show them.
type Amendment struct {
	ID          string `json:"id"`
	Date        string `json:"date,omitempty"`
	Rationale   string `json:"rationale,omitempty"`
	Description string `json:"description,omitempty"`
	ValueBefore Value  `json:"value_before"`
	ValueAfter  Value  `json:"value_after"`
	Pointer     string `json:"pointer"`
}

// Contract is a signed agreement.
type Contract struct {
	ID          string `json:"id"`
	AwardID     string `json:"award_id,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Status      string `json:"status,omitempty"`
	DateSigned  string `json:"date_signed,omitempty"`
	Period      Period `json:"period"`
	Value       Value  `json:"value"`
	// InitialValue is the value in the earliest release that gave one.
	InitialValue Value       `json:"initial_value"`
	Items        []Item      `json:"items,omitempty"`
	Amendments   []Amendment `json:"amendments,omitempty"`
	Pointer      string      `json:"pointer"`
}

// BudgetLink ties a process to the budget that funds it (planning.budget).
type BudgetLink struct {
	ID          string `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	Project     string `json:"project,omitempty"`
	ProjectID   string `json:"project_id,omitempty"`
	URI         string `json:"uri,omitempty"`
	Amount      Value  `json:"amount"`
	Pointer     string `json:"pointer"`
}

// Process is one contracting process: the compiled record of an ocid.
type Process struct {
	OCID        string       `json:"ocid"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	Date        string       `json:"date,omitempty"` // of the latest release
	Language    string       `json:"language,omitempty"`
	Tags        []string     `json:"tags,omitempty"` // every tag of every release, in order of first use
	Buyer       *PartyRef    `json:"buyer,omitempty"`
	Parties     []Party      `json:"parties"`
	Tender      *Tender      `json:"tender,omitempty"`
	Awards      []Award      `json:"awards,omitempty"`
	Contracts   []Contract   `json:"contracts,omitempty"`
	Budget      []BudgetLink `json:"budget,omitempty"`
	// Releases counts the releases merged; Sources says where each came
	// from (the first is where the record is cited from).
	Releases int      `json:"releases"`
	Sources  []Source `json:"sources"`
	// Compiled is the compiled release as JSON, every field of the source
	// (extensions included) kept.
	Compiled json.RawMessage `json:"-"`
}
