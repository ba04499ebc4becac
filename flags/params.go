package flags

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
)

// Params are every threshold of every flag. The zero value is not useful:
// start from DefaultParams. docs/red-flags.md justifies each default.
type Params struct {
	// ShortTenderDays: short_tender when a tender period is shorter than
	// this many days. Default 15.
	ShortTenderDays int `json:"short_tender_days"`
	// NonCompetitiveShare: non_competitive_share when at least this share
	// (0–1) of a buyer's awarded value in a year and currency went through
	// limited or direct procedures. Default 0.5.
	NonCompetitiveShare float64 `json:"non_competitive_share"`
	// NonCompetitiveMinProcesses: and at least this many non-competitive
	// processes. Default 3.
	NonCompetitiveMinProcesses int `json:"non_competitive_min_processes"`
	// AmendmentIncrease: amendment_increase when a contract's final value
	// exceeds its initial value by more than this fraction. Default 0.15.
	AmendmentIncrease float64 `json:"amendment_increase"`
	// AboveEstimate: above_estimate when the awarded value exceeds the
	// tender's estimated value by more than this fraction. Default 0.2.
	AboveEstimate float64 `json:"above_estimate"`
	// SplitThresholds: split_purchase thresholds per ISO 4217 currency,
	// exact decimal strings. Default GBP and CAD 25000.
	SplitThresholds map[string]string `json:"split_thresholds"`
	// SplitDefaultThreshold applies to currencies not in SplitThresholds;
	// "" turns split_purchase off for them. Default "25000".
	SplitDefaultThreshold string `json:"split_default_threshold"`
	// SplitMargin: only amounts in [SplitMargin × threshold, threshold)
	// count as "just under" it. Default 0.9.
	SplitMargin float64 `json:"split_margin"`
	// SplitWindowDays: each such award or payment comes at most this many
	// days after the previous one. Default 30.
	SplitWindowDays int `json:"split_window_days"`
	// ConcentrationHHI: supplier_concentration when a buyer's
	// Herfindahl–Hirschman index over suppliers in a year and currency is
	// above this (0–10000). Default 2500.
	ConcentrationHHI float64 `json:"concentration_hhi"`
	// ConcentrationMinRecords: and the buyer has at least this many awards,
	// contracts or payments that year. Default 10.
	ConcentrationMinRecords int `json:"concentration_min_records"`
	// ConcentrationMinSuppliers: and at least this many suppliers. Default 1.
	ConcentrationMinSuppliers int `json:"concentration_min_suppliers"`
	// NewSupplierQuantile: new_supplier_large_award when a supplier's first
	// award is above this quantile (0–1) of the buyer's awards in that
	// currency. Default 0.9.
	NewSupplierQuantile float64 `json:"new_supplier_quantile"`
	// NewSupplierMinBuyerRecords: only buyers with at least this many awards
	// in the currency. Default 20.
	NewSupplierMinBuyerRecords int `json:"new_supplier_min_buyer_records"`
	// NewSupplierWarmupDays: only first awards at least this many days after
	// the dataset's first record (before, every supplier looks new).
	// Default 365.
	NewSupplierWarmupDays int `json:"new_supplier_warmup_days"`
	// DuplicateMinAmount: duplicate_payment only for amounts at least this
	// (exact decimal). Default "0.01" (any payment; refunds and zeros are
	// left out).
	DuplicateMinAmount string `json:"duplicate_min_amount"`
	// DuplicateMinTransactions: and the copies carry at least this many
	// different transaction numbers (the dataset's transaction dimension).
	// 2 leaves out one invoice split into equal lines under one number;
	// with 2 or more, a dataset without transaction numbers has no
	// duplicate_payment. Default 1 (numbers not looked at).
	DuplicateMinTransactions int `json:"duplicate_min_transactions"`
	// RoundUnit: round_amount counts payments that are exact multiples of
	// this (exact decimal). Default "1000".
	RoundUnit string `json:"round_unit"`
	// RoundMinAmount: only payments of at least this amount are looked at.
	// Default "1000".
	RoundMinAmount string `json:"round_min_amount"`
	// RoundMinPayments: a supplier needs at least this many round payments.
	// Default 5.
	RoundMinPayments int `json:"round_min_payments"`
	// RoundMinShare: and at least this share (0–1) of its payments round.
	// Default 0.5.
	RoundMinShare float64 `json:"round_min_share"`
	// RoundMinZ: and a binomial z-score of at least this against the
	// dataset's own share of round payments. Default 3.
	RoundMinZ float64 `json:"round_min_z"`
	// FiscalYearEndMonth is the last month (1–12) of the fiscal year; 0
	// takes it from the dataset's country (FiscalYearEnd). Default 0.
	FiscalYearEndMonth int `json:"fiscal_year_end_month"`
	// YearEndRatio: year_end_spike when a buyer's spending in the last
	// month of a fiscal year is at least this many times its average month
	// in the other eleven. Default 2.
	YearEndRatio float64 `json:"year_end_ratio"`
	// YearEndMinRecords: only fiscal years in which the buyer has at least
	// this many records. Default 12.
	YearEndMinRecords int `json:"year_end_min_records"`
}

// DefaultParams returns the documented defaults.
func DefaultParams() Params {
	return Params{
		ShortTenderDays:            15,
		NonCompetitiveShare:        0.5,
		NonCompetitiveMinProcesses: 3,
		AmendmentIncrease:          0.15,
		AboveEstimate:              0.2,
		SplitThresholds:            map[string]string{"GBP": "25000", "CAD": "25000"},
		SplitDefaultThreshold:      "25000",
		SplitMargin:                0.9,
		SplitWindowDays:            30,
		ConcentrationHHI:           2500,
		ConcentrationMinRecords:    10,
		ConcentrationMinSuppliers:  1,
		NewSupplierQuantile:        0.9,
		NewSupplierMinBuyerRecords: 20,
		NewSupplierWarmupDays:      365,
		DuplicateMinAmount:         "0.01",
		DuplicateMinTransactions:   1,
		RoundUnit:                  "1000",
		RoundMinAmount:             "1000",
		RoundMinPayments:           5,
		RoundMinShare:              0.5,
		RoundMinZ:                  3,
		FiscalYearEndMonth:         0,
		YearEndRatio:               2,
		YearEndMinRecords:          12,
	}
}

// fiscalYearEnds maps ISO 3166-1 countries whose central or local
// governments close their fiscal year in a month other than December.
var fiscalYearEnds = map[string]int{
	"GB": 3, "CA": 3, "IN": 3, "JP": 3, "HK": 3, "KW": 3, "ZA": 3,
	"AU": 6, "NZ": 6, "EG": 6, "PK": 6, "KE": 6,
	"US": 9,
}

// FiscalYearEnd returns the last month of the fiscal year of a country
// (12, December, unless listed in docs/red-flags.md).
func FiscalYearEnd(country string) int {
	if m, ok := fiscalYearEnds[strings.ToUpper(country)]; ok {
		return m
	}
	return 12
}

// key returns a canonical text of the parameters, for caching.
func (p Params) key() string {
	b, _ := json.Marshal(p) // map keys are sorted
	return string(b)
}

// Validate checks every parameter; the error is a *mizan.Error whose Field
// names the parameter (its JSON name).
func (p Params) Validate() error {
	intIn := func(field string, v, lo, hi int) error {
		if v < lo || v > hi {
			return mizan.FieldErrorf(field, "must be between %d and %d, got %d", lo, hi, v)
		}
		return nil
	}
	fracIn := func(field string, v, lo, hi float64, hiOpen bool) error {
		if math.IsNaN(v) || v < lo || v > hi || hiOpen && v == hi {
			r := "]"
			if hiOpen {
				r = ")"
			}
			return mizan.FieldErrorf(field, "must be in [%g, %g%s, got %g", lo, hi, r, v)
		}
		return nil
	}
	posDec := func(field, v string, allowEmpty bool) error {
		if v == "" && allowEmpty {
			return nil
		}
		if !moneyPattern.MatchString(v) || strings.Trim(v, "0.") == "" {
			return mizan.FieldErrorf(field, "must be a positive decimal number like \"25000\" or \"999.99\", got %q", v)
		}
		return nil
	}
	checks := []error{
		intIn("short_tender_days", p.ShortTenderDays, 1, 3650),
		fracIn("non_competitive_share", p.NonCompetitiveShare, 0, 1, false),
		intIn("non_competitive_min_processes", p.NonCompetitiveMinProcesses, 1, 1_000_000),
		fracIn("amendment_increase", p.AmendmentIncrease, 0, 1000, false),
		fracIn("above_estimate", p.AboveEstimate, 0, 1000, false),
		posDec("split_default_threshold", p.SplitDefaultThreshold, true),
		fracIn("split_margin", p.SplitMargin, 0, 1, true),
		intIn("split_window_days", p.SplitWindowDays, 1, 3650),
		fracIn("concentration_hhi", p.ConcentrationHHI, 0, 10000, true),
		intIn("concentration_min_records", p.ConcentrationMinRecords, 1, 1_000_000),
		intIn("concentration_min_suppliers", p.ConcentrationMinSuppliers, 1, 1_000_000),
		fracIn("new_supplier_quantile", p.NewSupplierQuantile, 0, 1, false),
		intIn("new_supplier_min_buyer_records", p.NewSupplierMinBuyerRecords, 1, 1_000_000),
		intIn("new_supplier_warmup_days", p.NewSupplierWarmupDays, 0, 36500),
		posDec("duplicate_min_amount", p.DuplicateMinAmount, false),
		intIn("duplicate_min_transactions", p.DuplicateMinTransactions, 1, 1_000_000),
		posDec("round_unit", p.RoundUnit, false),
		posDec("round_min_amount", p.RoundMinAmount, false),
		intIn("round_min_payments", p.RoundMinPayments, 1, 1_000_000),
		fracIn("round_min_share", p.RoundMinShare, 0, 1, false),
		fracIn("round_min_z", p.RoundMinZ, 0, 1000, false),
		intIn("fiscal_year_end_month", p.FiscalYearEndMonth, 0, 12),
		fracIn("year_end_ratio", p.YearEndRatio, 1, 1e6, false),
		intIn("year_end_min_records", p.YearEndMinRecords, 1, 1_000_000),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	curs := make([]string, 0, len(p.SplitThresholds))
	for c := range p.SplitThresholds {
		curs = append(curs, c)
	}
	slices.Sort(curs)
	for _, c := range curs {
		if len(c) != 3 || strings.ToUpper(c) != c || strings.ContainsFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) {
			return mizan.FieldErrorf("split_thresholds", "%q is not an ISO 4217 currency code (three capital letters)", c)
		}
		if err := posDec("split_thresholds", p.SplitThresholds[c], false); err != nil {
			return mizan.FieldErrorf("split_thresholds", "%s: %s", c, err.(*mizan.Error).Message)
		}
	}
	return nil
}

// moneyPattern matches the amounts parameters accept: plain decimals that
// fit DuckDB's DECIMAL(38, 6) with room for sums.
var moneyPattern = regexp.MustCompile(`^[0-9]{1,20}(\.[0-9]{1,6})?$`)

// ppm returns a fraction in parts per million, for exact comparisons of
// decimals in SQL (amount × 1e6 ≥ total × ppm).
func ppm(f float64) int64 { return int64(math.Round(f * 1e6)) }

// pct formats a fraction as a percentage ("15%", "12.5%").
func pct(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e4, 'f', -1, 64) + "%"
}

// num formats a float parameter.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func thresholdsText(m map[string]string, def string) string {
	curs := make([]string, 0, len(m))
	for c := range m {
		curs = append(curs, c)
	}
	slices.Sort(curs)
	var parts []string
	for _, c := range curs {
		parts = append(parts, c+" "+m[c])
	}
	if def != "" {
		parts = append(parts, fmt.Sprintf("other currencies %s", def))
	}
	return strings.Join(parts, ", ")
}
