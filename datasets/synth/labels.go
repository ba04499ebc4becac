package synth

import (
	"strconv"

	"github.com/mizan-budget/mizan"
)

// Labels returns the labels of every member the budget dataset for cfg can
// have, as the descriptor's Labels carry them: "dimension.level" → member
// key → language → label. Descriptor includes them when CodesOnly is set.
func Labels(cfg Config) map[string]map[string]mizan.Text {
	cfg = cfg.normalized()
	m := newModel(cfg)
	out := map[string]map[string]mizan.Text{}
	add := func(ref, key string, n name) {
		if out[ref] == nil {
			out[ref] = map[string]mizan.Text{}
		}
		out[ref][key] = mizan.Text{"en": n.en, "ar": n.ar}
	}
	for i, mi := range ministries {
		mcode := twoDigits(i + 1)
		add("admin.ministry", mcode, mi.name)
		for p, pn := range mi.programmes {
			add("programme.programme", mcode+twoDigits(p+1), pn)
		}
		for j, d := range mi.depts {
			info := &deptInfo{code: mcode + twoDigits(j+1), name: d.name, field: d.field}
			add("admin.department", info.code, d.name)
			add("functional.division", d.cofog[:2], cofogLabel(d.cofog[:2]))
			add("functional.group", d.cofog[:4], cofogLabel(d.cofog[:4]))
			add("functional.class", d.cofog, cofogLabel(d.cofog))
			ng := 0
			if d.field {
				ng = len(governorates)
			}
			for g := 0; g <= ng; g++ {
				if m.costCtrs == 1 {
					add("admin.unit", string(m.appendUnitCode(nil, info, g, 0)), unitName(info, g, 0))
					continue
				}
				for cc := int64(1); cc <= m.costCtrs; cc++ {
					add("admin.unit", string(m.appendUnitCode(nil, info, g, cc)), unitName(info, g, cc))
				}
			}
		}
	}
	for _, c := range m.combos {
		add("economic.chapter", c.item[:2], itemLabel(c.item[:2]))
		add("economic.item", c.item, itemLabel(c.item))
	}
	add("geo.governorate", "00", central)
	for i, g := range governorates {
		add("geo.governorate", twoDigits(i+1), g.name)
	}
	for i, f := range funds {
		add("fund.fund", strconv.Itoa(i+1), f)
	}
	return out
}
