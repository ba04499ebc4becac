// Package synth generates a realistic, clearly synthetic national budget of
// a fictional Arab state: about twenty-five ministries with their
// departments and units, COFOG functions consistent with each ministry's
// mission, a GFS-like economic classification, programmes, governorates and
// funds, over a dozen years of approved, revised and executed figures for
// expenditure and revenue, with Arabic and English labels.
//
// It is the demo dataset a fresh Mizan server ingests and the source of the
// 10M- and 100M-row benchmark datasets. Output is deterministic: the same
// Config gives byte-identical files on every run and platform (all amount
// arithmetic is in integers), and rows are streamed, never held in memory.
//
// The state is fictional. Its country code is ZZ, which ISO 3166-1 leaves
// for user assignment (so it can never collide with a real country) and
// which Unicode CLDR names "Unknown Region"; XA, the other obvious choice,
// is CLDR's "Pseudo-Accents" test locale. Amounts are in a real
// three-decimal currency (KWD by default) so that every layer is exercised
// with three-decimal money; they do not describe Kuwait or any real state.
package synth

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mizan-budget/mizan"
)

// Defaults of Config's zero fields.
const (
	DefaultID        = "demo-budget"
	DefaultRows      = 60_000
	DefaultStartYear = 2015
	DefaultYears     = 12
	DefaultCurrency  = "KWD"
	DefaultCountry   = "ZZ"
)

// Config says what to generate. The zero Config is the bundled demo.
type Config struct {
	// ID of the budget dataset; series datasets append a suffix.
	// Default DefaultID.
	ID string
	// Rows is the exact number of fact rows. Default DefaultRows.
	Rows int64
	// Seed selects the random stream; 0 is a seed like any other.
	Seed uint64
	// StartYear and Years give the fiscal years covered; the last year is
	// the current one, which has no executed figures yet. Defaults 2015
	// and 12 (2015–2026).
	StartYear, Years int
	// Currency is the ISO 4217 code of the amounts, which are always
	// written with three decimals. Default DefaultCurrency.
	Currency string
	// Country is the ISO 3166-1 code of the fictional state. Default
	// DefaultCountry.
	Country string
	// CodesOnly leaves the label columns out of the CSV and carries every
	// member's labels in the descriptor's Labels instead: files a quarter
	// of the size, for the large benchmark datasets.
	CodesOnly bool
}

// normalized fills in defaults.
func (c Config) normalized() Config {
	if c.ID == "" {
		c.ID = DefaultID
	}
	if c.Rows == 0 {
		c.Rows = DefaultRows
	}
	if c.StartYear == 0 {
		c.StartYear = DefaultStartYear
	}
	if c.Years == 0 {
		c.Years = DefaultYears
	}
	if c.Currency == "" {
		c.Currency = DefaultCurrency
	}
	if c.Country == "" {
		c.Country = DefaultCountry
	}
	return c
}

// validate reports a Config that cannot be generated.
func (c Config) validate() error {
	var errs []error
	if !mizan.ValidDatasetID(c.ID) || len(c.ID) > 50 {
		errs = append(errs, fmt.Errorf("synth: invalid dataset id %q", c.ID))
	}
	if c.Rows < 0 {
		errs = append(errs, fmt.Errorf("synth: negative row count %d", c.Rows))
	}
	if c.Years < 1 || c.Years > 100 || c.StartYear < 1900 || c.StartYear+c.Years > 2200 {
		errs = append(errs, fmt.Errorf("synth: years %d+%d out of range", c.StartYear, c.Years))
	}
	if len(c.Currency) != 3 || strings.ToUpper(c.Currency) != c.Currency {
		errs = append(errs, fmt.Errorf("synth: currency %q is not an ISO 4217 code", c.Currency))
	}
	return errors.Join(errs...)
}

// FileName is the name of the budget CSV in the descriptor's source.
func FileName(cfg Config) string { return cfg.normalized().ID + ".csv" }

// EndYear returns the last (current) fiscal year cfg covers.
func (c Config) EndYear() int {
	c = c.normalized()
	return c.StartYear + c.Years - 1
}
