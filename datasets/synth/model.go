package synth

import (
	"strconv"

	"github.com/mizan-budget/mizan"
)

// Money at the start year, in fils (thousandths): total approved
// expenditure and revenue. A state of about five million people.
const (
	startExpenditure int64 = 7_800_000_000_000
	startRevenue     int64 = 6_700_000_000_000
)

// growthPermille is the nominal growth of the budget from the year before,
// by calendar year; other years grow by defaultGrowth.
var growthPermille = map[int]int64{
	2016: 15, 2017: 10, 2018: 20, 2019: 10, 2020: 25, 2021: 5,
	2022: 25, 2023: 20, 2024: 15, 2025: 10, 2026: 15,
}

const defaultGrowth = 15

// linesPerCostCentre is how many lines make units split into one more cost
// centre: large datasets get more units, not more ministries. A variable
// so that tests can exercise cost centres on small data.
var linesPerCostCentre int64 = 40_000

// Directions, as indices.
const (
	dirExp = iota
	dirRev
)

var directions = [2]string{mizan.DirectionExpenditure, mizan.DirectionRevenue}

// Phases, as indices.
const (
	phApproved = iota
	phRevised
	phExecuted
)

var phases = [3]string{mizan.PhaseApproved, mizan.PhaseRevised, mizan.PhaseExecuted}

// dynamics says how a combination's amounts move over the years.
type dynamics int

const (
	kNormal   dynamics = iota
	kCapex             // investment: cut in 2020, executed slowly
	kHealth            // grows faster, COVID surge in 2020–21
	kInterest          // grows with the debt
	kRevenue           // collections: fall in 2020
	nDynamics
)

// extraGrowth is each dynamic's growth on top of the national rate, per mille.
var extraGrowth = [nDynamics]int64{kHealth: 10, kInterest: 30, kCapex: -5}

// slot is one (year, phase) a line has a row for.
type slot struct {
	t     int // year offset from StartYear
	phase int
}

// combo is one combination of department, economic item and direction;
// every line belongs to one.
type combo struct {
	dir   int
	dyn   dynamics
	dept  *deptInfo
	item  string
	base  int64 // approved amount of the whole combination at the start year, in fils
	lines int64 // lines drawn from the combination
	// fundCut splits a draw in [0, 1000): below [0] the general budget,
	// below [1] external grants, else loans.
	fundCut [2]int64
	head    []byte
	mid     []byte
}

type deptInfo struct {
	code  string
	name  name
	field bool
}

// model is everything precomputed before rows stream out.
type model struct {
	cfg      Config
	slots    []slot
	lines    int64
	combos   []combo
	costCtrs int64 // cost centres per unit
	ccWidth  int
	index    [nDynamics][]int64 // growth index by year offset, in millionths
	rowHead  [][2][]byte        // per slot and direction: "2015,approved,expenditure"
	sampled  []sample           // when there are fewer lines than combinations
	geo      [][]byte           // governorate fields, 0 = central
	fund     [][]byte           // fund fields
}

func newModel(cfg Config) *model {
	m := &model{cfg: cfg}
	last := cfg.Years - 1
	for t := 0; t < cfg.Years; t++ {
		for ph := phApproved; ph <= phExecuted; ph++ {
			if ph == phExecuted && t == last {
				continue // the current year is not closed
			}
			m.slots = append(m.slots, slot{t, ph})
			var h [2][]byte
			for dir := range directions {
				b := strconv.AppendInt(nil, int64(cfg.StartYear+t), 10)
				b = append(b, ',')
				b = append(b, phases[ph]...)
				b = append(b, ',')
				h[dir] = append(b, directions[dir]...)
			}
			m.rowHead = append(m.rowHead, h)
		}
	}
	m.lines = (cfg.Rows + int64(len(m.slots)) - 1) / int64(len(m.slots))
	m.costCtrs = 1 + m.lines/linesPerCostCentre
	m.ccWidth = max(2, len(strconv.FormatInt(m.costCtrs, 10)))

	for k := range m.index {
		idx := make([]int64, cfg.Years)
		v := int64(1_000_000)
		for t := range idx {
			if t > 0 {
				g, ok := growthPermille[cfg.StartYear+t]
				if !ok {
					g = defaultGrowth
				}
				v = v * (1000 + g + extraGrowth[k]) / 1000
			}
			idx[t] = v
		}
		m.index[k] = idx
	}

	m.geo = append(m.geo, fields(cfg, "00", central))
	for i, g := range governorates {
		m.geo = append(m.geo, fields(cfg, twoDigits(i+1), g.name))
	}
	for i, f := range funds {
		m.fund = append(m.fund, fields(cfg, strconv.Itoa(i+1), f))
	}
	m.buildCombos()
	nc := int64(len(m.combos))
	for c := range m.combos {
		m.combos[c].lines = m.lines / nc
		if int64(c) < m.lines%nc {
			m.combos[c].lines++
		}
	}
	if m.lines < nc {
		m.sample()
	}
	return m
}

// combo returns line i's combination and the line's share of it, in fils.
// With at least one line per combination, lines cycle through them and
// share each one's amount.
func (m *model) combo(i int64) (*combo, int64) {
	if m.sampled != nil {
		s := &m.sampled[i]
		return s.combo, s.base
	}
	c := &m.combos[i%int64(len(m.combos))]
	return c, c.base / c.lines
}

// sample is a line standing for a run of combinations.
type sample struct {
	combo *combo
	base  int64
}

// sample gives each of fewer lines than combinations an even run of
// combinations: the line takes the largest one's classifications and the
// run's total (of the same direction), so every ministry appears and the
// totals hold.
func (m *model) sample() {
	nc := int64(len(m.combos))
	for i := int64(0); i < m.lines; i++ {
		from, to := mulDiv(i, nc, m.lines), mulDiv(i+1, nc, m.lines)
		rep := &m.combos[from]
		for c := from; c < to; c++ {
			if m.combos[c].base > rep.base {
				rep = &m.combos[c]
			}
		}
		var base int64
		for c := from; c < to; c++ {
			if m.combos[c].dir == rep.dir {
				base += m.combos[c].base
			}
		}
		m.sampled = append(m.sampled, sample{rep, base})
	}
}
