// Package flags computes red flags over contracts (OCDS) and payments
// datasets: signals that a record, a buyer or a buyer–supplier pair deserves
// a closer look by a journalist or an auditor, each with the numbers behind
// it, a sentence in English and Arabic saying why, and links to the records
// (file, sha256, JSON pointer or row).
//
// Every flag is computed set-based in DuckDB SQL over the tables a version's
// ingest wrote (contract_* for contracts, the facts table for payments), so
// all flags over a million contracts take seconds. The definitions, their
// parameters and defaults, and what each flag can and cannot mean are in
// docs/red-flags.md; Definitions returns the same in code.
//
// A flag is a reason to ask a question, never a finding of wrongdoing.
package flags

import (
	"github.com/mizan-budget/mizan"
)

// Flag codes, in the order flags are listed.
const (
	SingleBidder          = "single_bidder"
	NonCompetitiveShare   = "non_competitive_share"
	ShortTender           = "short_tender"
	AmendmentIncrease     = "amendment_increase"
	AboveEstimate         = "above_estimate"
	SplitPurchase         = "split_purchase"
	SupplierConcentration = "supplier_concentration"
	NewSupplierLargeAward = "new_supplier_large_award"
	DuplicatePayment      = "duplicate_payment"
	RoundAmount           = "round_amount"
	YearEndSpike          = "year_end_spike"
)

// Codes lists every flag code in listing order.
var Codes = []string{
	SingleBidder, NonCompetitiveShare, ShortTender, AmendmentIncrease, AboveEstimate,
	SplitPurchase, SupplierConcentration, NewSupplierLargeAward,
	DuplicatePayment, RoundAmount, YearEndSpike,
}

// codeOrder gives a code's position in Codes.
var codeOrder = func() map[string]int {
	m := make(map[string]int, len(Codes))
	for i, c := range Codes {
		m[c] = i
	}
	return m
}()

// Evidence kinds: what record an Evidence points to.
const (
	EvidenceProcess   = "process"
	EvidenceAward     = "award"
	EvidenceContract  = "contract"
	EvidenceAmendment = "amendment"
	EvidencePayment   = "payment"
)

// Evidence is one record behind a flag, with its provenance.
type Evidence struct {
	// Kind is process, award, contract, amendment or payment.
	Kind string
	// OCID is the contracting process of a contracts record ("" for payments).
	OCID string
	// ID is the award, contract or amendment id, or a payment's transaction
	// number when the dataset has one.
	ID    string
	Title string
	// Date is ISO 8601 (YYYY-MM-DD), "" when unknown.
	Date string
	// Amount is an exact decimal string in Currency ("" when unknown).
	Amount, Currency string
	// File and SHA256 name the source file; Pointer is a JSON pointer into
	// the compiled release (contracts) or into the file's JSON value
	// (processes).
	File, SHA256, Pointer string
	// Row is the source row of a payment (as the ingest numbers it: the
	// header is row 1), or the index of the JSON value
	// (JSON Lines line) of a contracts record in its file.
	Row int64

	key *txKey // while computing: the money record to fetch details of
}

// Flag is one red flag.
type Flag struct {
	Code    string
	Dataset string
	Version int
	// ProcessID is the record the flag is about: contracts, the process_id;
	// payments, the fact row. It is -1 when the flag is about a buyer, a
	// supplier or a pair rather than one record; Records then lists them.
	ProcessID int64
	OCID      string
	// Buyer and Supplier are entity ids (contracts: contract_entities.entity_id;
	// payments: member keys); BuyerName and SupplierName their names.
	Buyer, BuyerName, Supplier, SupplierName string
	// Year is the record's year, or the (fiscal) year a group flag covers;
	// 0 when it spans several.
	Year int
	// Amount is the money at stake, an exact decimal string in Currency.
	Amount, Currency string
	// Score says how strong the signal is; it is comparable within one code
	// only (docs/red-flags.md says what it measures for each).
	Score float64
	// Figures are the numbers behind the flag, e.g. "tender_days": "3",
	// "threshold_days": "15".
	Figures map[string]string
	// Reason says why, with the numbers, in English ("en") and Arabic ("ar").
	Reason mizan.Text
	// Evidence lists the records that raised the flag (for group flags, the
	// most telling ones: at most MaxEvidence).
	Evidence []Evidence
	// Records lists every record (process_id or payment row) the flag is
	// about, ascending; search badges and filters use it.
	Records []int64
}

// MaxEvidence bounds the evidence listed per flag; Records always lists
// every record.
const MaxEvidence = 20

// ParamDoc documents one parameter of a flag.
type ParamDoc struct {
	// Name is the parameter's name, as in Params' JSON form.
	Name string
	// Default is the default value as text.
	Default     string
	Description mizan.Text
}

// Definition describes a flag code.
type Definition struct {
	Code               string
	Title, Description mizan.Text
	// Applies lists the dataset kinds the flag is computed for.
	Applies []mizan.Kind
	Params  []ParamDoc
}

// Query asks for the flags of a dataset version.
type Query struct {
	Dataset       string
	Version       int // 0: the latest visible version
	IncludeDrafts bool
	// Codes keeps only these flags (all when empty).
	Codes []string
	// Buyers and Suppliers keep flags whose buyer, and whose supplier, is
	// one of these entities (contracts) or member keys (payments); empty
	// keeps any. A payments party is often several keys: the spellings
	// its entity groups.
	Buyers, Suppliers []string
	// Party keeps flags whose buyer or supplier is one of these; empty
	// keeps any.
	Party []string
	// Year keeps flags of this year (0: any).
	Year int
	// Params replaces DefaultParams.
	Params   *Params
	PageSize int // default 100, at most mizan.MaxPageSize
	Offset   int
}

// Result is a page of flags.
type Result struct {
	Flags []Flag
	// Total counts the flags matching every filter.
	Total int
	// Counts gives, per code, the flags matching every filter but Codes
	// (so a list of codes can show how many each would give).
	Counts  map[string]int
	Dataset string
	Version int
}
