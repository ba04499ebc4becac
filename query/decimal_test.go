package query

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestDecimalFastPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		var u *big.Int
		switch i % 3 {
		case 0:
			u = big.NewInt(rng.Int64N(2000) - 1000)
		case 1:
			u = big.NewInt(rng.Int64() - rng.Int64())
		default:
			u = new(big.Int).Mul(big.NewInt(rng.Int64()), big.NewInt(rng.Int64()-rng.Int64()))
		}
		scale := int32(rng.IntN(8))
		want := func() string { // the reference formatter
			s := new(big.Int).Abs(u).String()
			if scale > 0 {
				if len(s) <= int(scale) {
					s = string(make([]byte, 0)) + repeat0(int(scale)-len(s)+1) + s
				}
				at := len(s) - int(scale)
				s = s[:at] + "." + s[at:]
			}
			if u.Sign() < 0 {
				return "-" + s
			}
			return s
		}()
		if got := formatUnscaled(u, scale); got != want {
			t.Fatalf("formatUnscaled(%v, %d) = %q, want %q", u, scale, got, want)
		}
		if u.IsInt64() {
			if got := formatUnscaledInt(u.Int64(), scale); got != want {
				t.Fatalf("formatUnscaledInt(%v, %d) = %q, want %q", u, scale, got, want)
			}
		}
		den := big.NewInt(rng.Int64N(200) - 100)
		if den.Sign() == 0 {
			continue
		}
		d := int32(rng.IntN(7))
		r := new(big.Rat).SetFrac(u, den)
		w := formatRat(r, d)
		g := formatUnscaled(quoHalfEven(new(big.Int).Mul(u, pow10Int(d)), den), d)
		if g != w {
			t.Fatalf("%v/%v at %d: %q, want %q", u, den, d, g, w)
		}
	}
}

func repeat0(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}
