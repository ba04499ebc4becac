package synth

import (
	"io"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// flushAt is the size at which the row buffer is written out.
const flushAt = 1 << 20

// WriteCSV streams the budget rows for cfg to w as UTF-8 CSV with a header
// row (see Columns). Amounts have exactly three decimals. Rows are
// generated line by line and never held; the same cfg always gives the same
// bytes.
func WriteCSV(w io.Writer, cfg Config) error {
	cfg = cfg.normalized()
	if err := cfg.validate(); err != nil {
		return err
	}
	m := newModel(cfg)
	buf := make([]byte, 0, flushAt+64<<10)
	buf = append(buf, strings.Join(Columns(cfg), ",")...)
	buf = append(buf, '\n')

	var pcg rand.PCG
	r := rng{&pcg}
	line := make([]byte, 0, 2048)
	remaining := cfg.Rows
	var amt [3]int64
	for i := int64(0); i < m.lines && remaining > 0; i++ {
		c, share := m.combo(i)
		pcg.Seed(cfg.Seed, uint64(i))

		g := 0
		if c.dept.field && r.n(1000) >= 150 {
			g = pickGovernorate(r.n(1000))
		}
		var cc int64
		if m.costCtrs > 1 {
			cc = 1 + r.n(m.costCtrs)
		}
		fund := fundGeneral
		if u := r.n(1000); u >= c.fundCut[0] {
			fund = fundGrants
			if u >= c.fundCut[1] {
				fund = fundLoans
			}
		}
		line = append(line[:0], c.head...)
		line = m.appendUnit(line, c.dept, g, cc)
		line = append(line, c.mid...)
		line = append(line, m.geo[g]...)
		line = append(line, m.fund[fund]...)
		line = append(line, ',')
		lineBase := mulDiv(share, 600+r.n(801), 1000)

		for s, sl := range m.slots {
			if remaining == 0 {
				break
			}
			if sl.phase == phApproved {
				amt = m.amounts(r, c.dyn, lineBase, sl.t)
			}
			buf = append(buf, m.rowHead[s][c.dir]...)
			buf = append(buf, line...)
			buf = appendAmount(buf, amt[sl.phase])
			buf = append(buf, '\n')
			remaining--
			if len(buf) >= flushAt {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	_, err := w.Write(buf)
	return err
}

// amounts returns a line's approved, revised and executed amounts in year
// offset t. It always draws the same number of random values.
func (m *model) amounts(r rng, dyn dynamics, base int64, t int) [3]int64 {
	year := m.cfg.StartYear + t
	approved := mulDiv(mulDiv(base, m.index[dyn][t], 1_000_000), r.between(970, 1030), 1000)

	lo, hi := int64(920), int64(1080) // revised within ±8% (±10% at most)
	switch {
	case year == 2020 && dyn == kHealth:
		lo, hi = 1040, 1100
	case year == 2021 && dyn == kHealth:
		lo, hi = 1000, 1080
	case year == 2020 && dyn == kCapex:
		lo, hi = 900, 960
	case year == 2020 && dyn == kRevenue:
		lo, hi = 900, 950
	}
	revised := mulDiv(approved, r.between(lo, hi), 1000)

	u := r.n(1000)
	rate := r.n(1 << 20) // uniform fraction, in 2^-20
	switch {
	case u < 25: // overspent
		lo, hi = 1050, 1350
	case u < 50: // hardly spent: the dashboard's low-execution flag
		lo, hi = 150, 490
	case dyn == kCapex && year == 2020:
		lo, hi = 500, 850
	case dyn == kCapex:
		lo, hi = 600, 980
	case dyn == kRevenue && year == 2020:
		lo, hi = 820, 960
	case dyn == kRevenue:
		lo, hi = 900, 1080
	case dyn == kHealth && year == 2020:
		lo, hi = 950, 1050
	default:
		lo, hi = 880, 1020
	}
	executed := mulDiv(revised, lo+(hi-lo)*rate>>20, 1000)
	return [3]int64{approved, revised, executed}
}

// rng draws bounded integers from a PCG stream.
type rng struct{ p *rand.PCG }

// n returns a value in [0, k).
func (r rng) n(k int64) int64 {
	hi, _ := bits.Mul64(r.p.Uint64(), uint64(k))
	return int64(hi)
}

// between returns a value in [lo, hi].
func (r rng) between(lo, hi int64) int64 { return lo + r.n(hi-lo+1) }

// mulDiv returns a*b/c for non-negative values without overflowing the
// product.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		panic("synth: amount overflow")
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// governorateCut is the cumulative population share of the governorates,
// per mille.
var governorateCut = func() []int64 {
	var cut []int64
	var sum int64
	for _, g := range governorates {
		sum += g.weight
		cut = append(cut, sum)
	}
	if sum != 1000 {
		panic("synth: governorate weights do not sum to 1000")
	}
	return cut
}()

// pickGovernorate maps u in [0, 1000) to a governorate number (1-based).
func pickGovernorate(u int64) int {
	for i, c := range governorateCut {
		if u < c {
			return i + 1
		}
	}
	return len(governorateCut)
}

// appendAmount appends fils as a decimal with three places.
func appendAmount(b []byte, fils int64) []byte {
	if fils < 0 {
		b = append(b, '-')
		fils = -fils
	}
	b = strconv.AppendInt(b, fils/1000, 10)
	f := fils % 1000
	return append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}
