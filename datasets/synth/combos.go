package synth

import (
	"strings"

	"github.com/mizan-budget/mizan/classification"
)

// buildCombos lists every (department, item, direction) combination with
// its share of the budget: expenditure, then revenue.
func (m *model) buildCombos() {
	var mw, rw int64
	for _, mi := range ministries {
		mw += mi.weight
		for _, d := range mi.depts {
			for _, r := range d.revenue {
				rw += r.weight
			}
		}
	}
	var revenue []combo
	for i, mi := range ministries {
		mcode := twoDigits(i + 1)
		mfields := fields(m.cfg, mcode, mi.name)
		var dw int64
		for _, d := range mi.depts {
			dw += d.weight
		}
		mexp := startExpenditure * mi.weight / mw
		for j, d := range mi.depts {
			info := &deptInfo{code: mcode + twoDigits(j+1), name: d.name, field: d.field}
			head := append(append([]byte(nil), mfields...), fields(m.cfg, info.code, d.name)...)
			prog := fields(m.cfg, mcode+twoDigits(d.prog+1), mi.programmes[d.prog])
			fn := cofogFields(m.cfg, d.cofog)
			items := profiles[d.profile]
			var iw int64
			for _, it := range items {
				iw += it.weight
			}
			dexp := mexp * d.weight / dw
			for _, it := range items {
				dyn := kNormal
				switch {
				case d.profile == pInterest:
					dyn = kInterest
				case strings.HasPrefix(it.code, "31"):
					dyn = kCapex
				case strings.HasPrefix(d.cofog, "07"):
					dyn = kHealth
				}
				mid := append(append(append([]byte(nil), fn...), economicFields(m.cfg, it.code)...), prog...)
				m.combos = append(m.combos, combo{dir: dirExp, dyn: dyn, dept: info, item: it.code,
					base: dexp * it.weight / iw, head: head, mid: mid, fundCut: fundCut(dirExp, it.code)})
			}
			for _, r := range d.revenue {
				mid := append(append(cofogFields(m.cfg, ""), economicFields(m.cfg, r.code)...), fields(m.cfg, "", name{})...)
				revenue = append(revenue, combo{dir: dirRev, dyn: kRevenue, dept: info, item: r.code,
					base: startRevenue * r.weight / rw, head: head, mid: mid, fundCut: fundCut(dirRev, r.code)})
			}
		}
	}
	m.combos = append(m.combos, revenue...)
}

// fundCut says how lines of an item are funded: investment partly by
// external grants and loans, goods and services and cash assistance a
// little by grants; grants received go to the external grants fund.
func fundCut(dir int, item string) [2]int64 {
	switch {
	case dir == dirRev && strings.HasPrefix(item, "13"):
		return [2]int64{0, 1000}
	case dir == dirRev:
		return [2]int64{1000, 1000}
	case strings.HasPrefix(item, "31"):
		return [2]int64{700, 850}
	case strings.HasPrefix(item, "22"), item == "272":
		return [2]int64{920, 1000}
	}
	return [2]int64{1000, 1000}
}

// itemLabel returns the labels of an economic item or chapter.
func itemLabel(code string) name {
	if n, ok := nationalItems[code]; ok {
		return name{n[0], n[1]}
	}
	t, ok := classification.GFS(code)
	if !ok {
		panic("synth: unknown economic code " + code)
	}
	return name{t["en"], t["ar"]}
}

// cofogLabel returns the labels of a COFOG code.
func cofogLabel(code string) name {
	t, ok := classification.COFOG(code)
	if !ok {
		panic("synth: unknown COFOG code " + code)
	}
	return name{t["en"], t["ar"]}
}
