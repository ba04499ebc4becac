package query

import (
	"fmt"
	"math/big"
	"strconv"
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

// pow10s caches the powers of ten amounts and derived figures use.
var pow10s = func() []*big.Int {
	out := make([]*big.Int, 80)
	for i := range out {
		out[i] = new(big.Int).Exp(bigTen, big.NewInt(int64(i)), nil)
	}
	return out
}()

// pow10Int returns 10^n. The result may be shared: never modify it.
func pow10Int(n int32) *big.Int {
	if n >= 0 && int(n) < len(pow10s) {
		return pow10s[n]
	}
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// formatUnscaled formats u / 10^scale with exactly scale decimals.
func formatUnscaled(u *big.Int, scale int32) string {
	var buf [64]byte
	digits := u.Append(buf[:0], 10)
	neg := len(digits) > 0 && digits[0] == '-'
	if neg {
		digits = digits[1:]
	}
	return placePoint(digits, neg, scale)
}

// formatUnscaledInt formats n / 10^scale with exactly scale decimals.
func formatUnscaledInt(n int64, scale int32) string {
	var buf [24]byte
	digits := strconv.AppendInt(buf[:0], n, 10)
	neg := n < 0
	if neg {
		digits = digits[1:]
	}
	return placePoint(digits, neg, scale)
}

// placePoint writes the decimal digits of an unscaled magnitude with the
// point scale digits from the right.
func placePoint(digits []byte, neg bool, scale int32) string {
	sc := max(int(scale), 0)
	out := make([]byte, 0, len(digits)+sc+3)
	if neg {
		out = append(out, '-')
	}
	if sc == 0 {
		return string(append(out, digits...))
	}
	if len(digits) <= sc {
		out = append(out, '0', '.')
		for i := len(digits); i < sc; i++ {
			out = append(out, '0')
		}
		return string(append(out, digits...))
	}
	whole := len(digits) - sc
	out = append(out, digits[:whole]...)
	out = append(out, '.')
	return string(append(out, digits[whole:]...))
}

// quoHalfEven returns num ÷ den rounded half to even (den ≠ 0).
func quoHalfEven(num, den *big.Int) *big.Int {
	if den.Sign() < 0 {
		num, den = new(big.Int).Neg(num), new(big.Int).Neg(den)
	}
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Sign() == 0 {
		return q
	}
	twice := rem.Abs(rem)
	twice.Lsh(twice, 1)
	c := twice.Cmp(den)
	if c > 0 || (c == 0 && q.Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, bigOne)
		} else {
			q.Add(q, bigOne)
		}
	}
	return q
}

var bigOne = big.NewInt(1)

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
