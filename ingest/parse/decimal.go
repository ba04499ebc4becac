package parse

import (
	"fmt"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// MaxDigits is the largest number of significant digits a Decimal produced by
// this package holds: the precision of an Arrow decimal128 column.
const MaxDigits = 38

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

// pow10 holds 10^0 … 10^38.
var pow10 = func() (p [MaxDigits + 1]u128) {
	p[0] = u128{0, 1}
	for i := 1; i <= MaxDigits; i++ {
		p[i], _ = p[i-1].mul64(10)
	}
	return p
}()

func (a u128) isZero() bool { return a.hi == 0 && a.lo == 0 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// add returns a+b and whether it overflowed 128 bits.
func (a u128) add(b u128) (u128, bool) {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}, c != 0
}

// sub returns a-b; a must be >= b.
func (a u128) sub(b u128) u128 {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, c)
	return u128{hi, lo}
}

// mul64 returns a*m and whether it overflowed 128 bits.
func (a u128) mul64(m uint64) (u128, bool) {
	h1, l1 := bits.Mul64(a.lo, m)
	h2, l2 := bits.Mul64(a.hi, m)
	hi, c := bits.Add64(h1, l2, 0)
	return u128{hi, l1}, h2 != 0 || c != 0
}

// mul returns a*b and whether it overflowed 128 bits.
func (a u128) mul(b u128) (u128, bool) {
	switch {
	case b.hi == 0:
		return a.mul64(b.lo)
	case a.hi == 0:
		return b.mul64(a.lo)
	}
	return u128{}, true
}

// divmod64 returns a/d and a%d.
func (a u128) divmod64(d uint64) (u128, uint64) {
	qhi, r := bits.Div64(0, a.hi, d)
	qlo, r := bits.Div64(r, a.lo, d)
	return u128{qhi, qlo}, r
}

// divPow10Exact divides a by 10^n and reports whether the division was exact.
func (a u128) divPow10Exact(n int64) (u128, bool) {
	for n > 0 {
		k := min(n, 19)
		var r uint64
		a, r = a.divmod64(pow10[k].lo)
		if r != 0 {
			return a, false
		}
		n -= k
	}
	return a, true
}

// digits returns the number of decimal digits of a (0 for zero).
func (a u128) digits() int {
	for i := 1; i <= MaxDigits; i++ {
		if a.cmp(pow10[i]) < 0 {
			return i
		}
	}
	return MaxDigits + 1
}

// trailingZeros returns how many decimal zeros end a (0 for zero).
func (a u128) trailingZeros() int {
	if a.isZero() {
		return 0
	}
	n := 0
	for {
		q, r := a.divmod64(10)
		if r != 0 {
			return n
		}
		a = q
		n++
	}
}

func (a u128) big() *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(a.lo))
}

// appendDecimal appends the decimal digits of a to dst.
func (a u128) appendDecimal(dst []byte) []byte {
	if a.hi == 0 {
		return strconv.AppendUint(dst, a.lo, 10)
	}
	// a < 2^128, so a / 10^19 < 2^64 when a.hi < 10^19, which always holds
	// for the magnitudes a Decimal can carry (at most 2^127).
	if a.hi >= pow10[19].lo {
		return a.big().Append(dst, 10)
	}
	q, r := a.divmod64(pow10[19].lo)
	dst = strconv.AppendUint(dst, q.lo, 10)
	var buf [19]byte
	for i := 18; i >= 0; i-- {
		buf[i] = byte('0' + r%10)
		r /= 10
	}
	return append(dst, buf[:]...)
}

// Decimal is an exact signed decimal: Unscaled × 10^-Scale. Its magnitude has
// at most 38 significant digits, and its scale is 0…38, when it comes from
// [ParseAmount] or from arithmetic in this package; [DecimalFromNum] keeps
// whatever an Arrow value carries.
//
// The zero value is 0 at scale 0. Decimals are values: copy them freely.
// Two Decimals are == (and [Decimal.Equal]) when both value and scale match;
// use [Decimal.Cmp] to compare values only (1.5 and 1.50).
type Decimal struct {
	mag   u128
	scale int32
	neg   bool // never true when mag is zero
}

// Scale returns the number of digits after the decimal point.
func (d Decimal) Scale() int32 { return d.scale }

// IsZero reports whether d is zero, at any scale.
func (d Decimal) IsZero() bool { return d.mag.isZero() }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.mag.isZero():
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// Neg returns -d, at the same scale.
func (d Decimal) Neg() Decimal {
	if !d.mag.isZero() {
		d.neg = !d.neg
	}
	return d
}

// Equal reports whether d and o have the same value and the same scale, so
// 1.5 and 1.50 are not Equal (they Cmp to 0). It lets go-cmp compare Decimals.
func (d Decimal) Equal(o Decimal) bool { return d == o }

// String returns the canonical text of d: an optional '-', the integer digits
// and, when Scale > 0, a '.' followed by exactly Scale digits, so "-1234.50"
// keeps its trailing zero.
// There is no exponent and no grouping; [ParseAmount] reads it back exactly.
// (Only a Decimal built by DecimalFromNum with a scale outside −100…100 is
// printed with an exponent, e.g. "12E-150".)
func (d Decimal) String() string {
	var buf [48]byte
	return string(d.appendTo(buf[:0]))
}

func (d Decimal) appendTo(b []byte) []byte {
	if d.neg {
		b = append(b, '-')
	}
	if d.scale < -100 || d.scale > 100 {
		b = d.mag.appendDecimal(b)
		b = append(b, 'E')
		return strconv.AppendInt(b, -int64(d.scale), 10)
	}
	if d.scale <= 0 {
		b = d.mag.appendDecimal(b)
		if !d.mag.isZero() {
			for i := d.scale; i < 0; i++ {
				b = append(b, '0')
			}
		}
		return b
	}
	var tmp [48]byte
	digs := d.mag.appendDecimal(tmp[:0])
	sc := int(d.scale)
	if len(digs) <= sc {
		b = append(b, '0', '.')
		for i := len(digs); i < sc; i++ {
			b = append(b, '0')
		}
		return append(b, digs...)
	}
	b = append(b, digs[:len(digs)-sc]...)
	b = append(b, '.')
	return append(b, digs[len(digs)-sc:]...)
}

// Rescale returns d as an Arrow decimal128 unscaled integer at the given scale
// (the scale of the target column or currency: 2 for euros, 3 for Bahraini
// dinars). It never rounds: if d has more decimal places than scale allows,
// or the result would need more than 38 digits, it returns an error.
func (d Decimal) Rescale(scale int32) (decimal128.Num, error) {
	mag := d.mag
	diff := int64(scale) - int64(d.scale)
	switch {
	case diff > 0 && !mag.isZero():
		var ovf bool
		if diff > MaxDigits {
			ovf = true
		} else {
			mag, ovf = mag.mul(pow10[diff])
		}
		if ovf || mag.cmp(pow10[MaxDigits]) >= 0 {
			return decimal128.Num{}, fmt.Errorf("%s would need more than %d digits at scale %d", d, MaxDigits, scale)
		}
	case diff < 0 && !mag.isZero():
		var ok bool
		if -diff <= 2*MaxDigits {
			mag, ok = mag.divPow10Exact(-diff)
		}
		if !ok {
			if scale >= 0 {
				places := int64(d.scale) - int64(d.mag.trailingZeros())
				unit := "decimal places"
				if places == 1 {
					unit = "decimal place"
				}
				return decimal128.Num{}, fmt.Errorf("%s has %d %s, more than the %d this currency allows", d, places, unit, scale)
			}
			return decimal128.Num{}, fmt.Errorf("%s cannot be stored at scale %d without losing digits", d, scale)
		}
	}
	if mag.cmp(pow10[MaxDigits]) >= 0 {
		return decimal128.Num{}, fmt.Errorf("%s has more than %d digits", d, MaxDigits)
	}
	n := decimal128.New(int64(mag.hi), mag.lo)
	if d.neg {
		n = n.Negate()
	}
	return n, nil
}

// MulInt returns d × factor at the same scale, e.g. to apply a "thousands"
// or "millions" unit. A result of more than 38 digits is an error.
func (d Decimal) MulInt(factor int64) (Decimal, error) {
	f := uint64(factor)
	neg := d.neg
	if factor < 0 {
		f = -f
		neg = !neg
	}
	mag, ovf := d.mag.mul64(f)
	if ovf || mag.cmp(pow10[MaxDigits]) >= 0 {
		return Decimal{}, fmt.Errorf("%s × %d has more than %d digits", d, factor, MaxDigits)
	}
	return Decimal{mag: mag, scale: d.scale, neg: neg && !mag.isZero()}, nil
}

// Add returns d + o exactly, at the larger of the two scales. A result of more
// than 38 digits is an error.
func (d Decimal) Add(o Decimal) (Decimal, error) {
	a, b := d, o
	if a.scale < b.scale {
		a, b = b, a
	}
	fail := func() (Decimal, error) {
		return Decimal{}, fmt.Errorf("%s + %s has more than %d digits", d, o, MaxDigits)
	}
	if diff := int64(a.scale) - int64(b.scale); diff > 0 && !b.mag.isZero() {
		if diff > MaxDigits {
			return fail()
		}
		var ovf bool
		if b.mag, ovf = b.mag.mul(pow10[diff]); ovf {
			return fail()
		}
	}
	var r Decimal
	r.scale = a.scale
	if a.neg == b.neg {
		var ovf bool
		if r.mag, ovf = a.mag.add(b.mag); ovf {
			return fail()
		}
		r.neg = a.neg
	} else if a.mag.cmp(b.mag) >= 0 {
		r.mag, r.neg = a.mag.sub(b.mag), a.neg
	} else {
		r.mag, r.neg = b.mag.sub(a.mag), b.neg
	}
	if r.mag.cmp(pow10[MaxDigits]) >= 0 {
		return fail()
	}
	r.neg = r.neg && !r.mag.isZero()
	return r, nil
}

// Cmp compares the values of d and o, ignoring scale: it returns -1 if d < o,
// 0 if they are equal (1.5 and 1.50) and +1 if d > o.
func (d Decimal) Cmp(o Decimal) int {
	ds, os := d.Sign(), o.Sign()
	if ds != os {
		if ds < os {
			return -1
		}
		return 1
	}
	if ds == 0 {
		return 0
	}
	c := cmpMag(d, o)
	if ds < 0 {
		return -c
	}
	return c
}

// cmpMag compares |a| and |b|, both non-zero.
func cmpMag(a, b Decimal) int {
	if a.scale == b.scale {
		return a.mag.cmp(b.mag)
	}
	// Compare orders of magnitude first: this also keeps the exact
	// comparison below within 39 powers of ten.
	ea := int64(a.mag.digits()) - int64(a.scale)
	eb := int64(b.mag.digits()) - int64(b.scale)
	if ea != eb {
		if ea < eb {
			return -1
		}
		return 1
	}
	x, y := a.mag.big(), b.mag.big()
	diff := int64(a.scale) - int64(b.scale)
	if diff > 0 {
		y.Mul(y, new(big.Int).Exp(big.NewInt(10), big.NewInt(diff), nil))
	} else {
		x.Mul(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(-diff), nil))
	}
	return x.Cmp(y)
}

// DecimalFromNum returns the Decimal n × 10^-scale, for values read back from
// an Arrow decimal128 column. The value and scale are kept exactly as given.
func DecimalFromNum(n decimal128.Num, scale int32) Decimal {
	neg := n.Sign() < 0
	hi, lo := uint64(n.HighBits()), n.LowBits()
	if neg {
		// Two's complement negation; math.MinInt128 maps to 2^127.
		lo, hi = -lo, ^hi
		if lo == 0 {
			hi++
		}
	}
	return Decimal{mag: u128{hi, lo}, scale: scale, neg: neg}
}

// MustDecimal parses s with ParseAmount ('.' as the decimal separator) and
// panics if s is not an amount. It is meant for constants and tests.
func MustDecimal(s string) Decimal {
	d, err := ParseAmount(s, NumberFormat{DecimalSep: '.'})
	if err != nil {
		panic("parse.MustDecimal: " + err.Error())
	}
	return d
}
