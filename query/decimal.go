package query

import (
	"fmt"
	"math/big"
	"strings"
)

// Exact decimal arithmetic. Amounts travel as unscaled integers (*big.Int)
// with the version's scale; derived figures are *big.Rat rounded half to
// even only when formatted.

// Digits of derived figures.
const (
	// fractionDigits is the number of decimals of shares and rates.
	fractionDigits = 6
	// extraDigits is how many decimals past the scale averages and
	// normalised values carry.
	extraDigits = 2
)

var bigTen = big.NewInt(10)

func pow10Int(n int32) *big.Int {
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// formatUnscaled formats u / 10^scale with exactly scale decimals.
func formatUnscaled(u *big.Int, scale int32) string {
	s := new(big.Int).Abs(u).String()
	if scale > 0 {
		if len(s) <= int(scale) {
			s = strings.Repeat("0", int(scale)-len(s)+1) + s
		}
		at := len(s) - int(scale)
		s = s[:at] + "." + s[at:]
	}
	if u.Sign() < 0 {
		return "-" + s
	}
	return s
}

// ratOf returns u / 10^scale as a rational.
func ratOf(u *big.Int, scale int32) *big.Rat {
	return new(big.Rat).SetFrac(u, pow10Int(scale))
}

// roundHalfEven returns r rounded half to even to digits decimals, as an
// unscaled integer.
func roundHalfEven(r *big.Rat, digits int32) *big.Int {
	num := new(big.Int).Mul(r.Num(), pow10Int(digits))
	den := r.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Sign() == 0 {
		return q
	}
	twice := new(big.Int).Abs(rem)
	twice.Lsh(twice, 1)
	c := twice.Cmp(den)
	if c > 0 || (c == 0 && q.Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// formatRat formats r rounded half to even to digits decimals.
func formatRat(r *big.Rat, digits int32) string {
	return formatUnscaled(roundHalfEven(r, digits), digits)
}

// parseDecimal parses a plain decimal string ("0.5", "-12.25", "3").
func parseDecimal(s string) (*big.Rat, error) {
	t := strings.TrimSpace(s)
	if t == "" || strings.ContainsAny(t, "eE/") {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	r, ok := new(big.Rat).SetString(t)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	return r, nil
}
