package ingest

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
)

// build turns the model into the descriptor's dimensions and one source per
// path of each resource that holds measures.
func (t *fdpTranslator) build(d *Descriptor) error {
	e, m := t.e, &t.model
	if len(m.measures) == 0 {
		return e.at(t.root.childPath("resources"), "no data resource holds a measure")
	}
	first := m.measures[0]
	d.Factor = first.factor
	for _, ms := range m.measures[1:] {
		if ms.factor != first.factor {
			return e.at(fdpPath(ms.path, "factor"), "measures %q and %q have different factors (%s and %s): Mizan applies one factor to a whole dataset",
				first.name, ms.name, fdpOrOne(first.factor), fdpOrOne(ms.factor))
		}
	}
	for _, ms := range m.measures {
		if ms.currency != "" {
			d.Currency = ms.currency
			break
		}
	}

	isFact := map[*fdpResource]bool{}
	for _, ms := range m.measures {
		isFact[ms.resource] = true
	}
	var facts []*fdpResource
	for _, r := range t.resources {
		if isFact[r] {
			facts = append(facts, r)
		}
	}
	joinErr := func(c *fdpColumn) error {
		return e.at(c.path, "resource %q holds no measure: Mizan reads each fact from one row of one resource and does not join resources", c.resource.name)
	}
	for _, cs := range m.cols {
		for _, c := range cs {
			if c.resource != nil && !isFact[c.resource] {
				return joinErr(c)
			}
		}
	}
	specs := map[string]*fdpDim{}
	for _, dim := range m.dims {
		for _, c := range dim.columns {
			if c.resource != nil && !isFact[c.resource] {
				return joinErr(c)
			}
		}
		if prev := specs[dim.spec.ID]; prev != nil {
			if !fdpSameShape(prev.spec, dim.spec) {
				return e.at(dim.path, "dimension %q is declared differently in two resources", dim.spec.ID)
			}
			continue
		}
		specs[dim.spec.ID] = dim
		d.Dimensions = append(d.Dimensions, dim.spec)
	}

	for _, r := range facts {
		var rms []*fdpMeasure
		for _, ms := range m.measures {
			if ms.resource == r {
				rms = append(rms, ms)
			}
		}
		for _, p := range r.paths {
			src := SourceSpec{Name: p, Format: r.format, Encoding: r.encode, Delimiter: r.delim}
			if fdpIsURL(p) {
				u, _ := url.Parse(p)
				src.URL, src.Name = p, path.Base(u.Path)
			}
			if len(r.paths) == 1 {
				src.SHA256 = r.sha256
			}
			for _, ms := range rms {
				if ms.decimal != rms[0].decimal || ms.group != rms[0].group {
					return e.at(ms.path, "amount columns of resource %q use different separators", r.name)
				}
			}
			src.Number = NumberSpec{Decimal: rms[0].decimal, Group: rms[0].group}
			mp, err := t.mapping(r, len(facts), rms, d)
			if err != nil {
				return err
			}
			src.Mapping = mp
			d.Sources = append(d.Sources, src)
		}
		if len(r.paths) == 0 {
			return e.at(r.v.childPath("path"), "resource %q holds measures but has no path", r.name)
		}
	}
	return nil
}

// fdpSameShape reports whether two resources declare a dimension alike:
// same kind, classification and levels (labels, taken from each resource's
// headers, may differ; the first resource's win).
func fdpSameShape(a, b DimensionSpec) bool {
	if a.Kind != b.Kind || a.Classification != b.Classification || len(a.Levels) != len(b.Levels) {
		return false
	}
	for i := range a.Levels {
		if a.Levels[i].ID != b.Levels[i].ID {
			return false
		}
	}
	return true
}

func fdpOrOne(f string) string {
	if f == "" {
		return "1"
	}
	return f
}

// mapping builds the mapping of one data resource.
func (t *fdpTranslator) mapping(r *fdpResource, nfacts int, rms []*fdpMeasure, d *Descriptor) (Mapping, error) {
	e, m := t.e, &t.model
	var mp Mapping
	// has reports whether the resource has the column; a column the model
	// gives without naming a resource may be absent from some resources.
	has := func(c *fdpColumn) (bool, error) {
		if r.fields == nil {
			return true, nil
		}
		if _, ok := r.fields[c.column]; ok {
			return true, nil
		}
		if c.resource == r || nfacts == 1 {
			return false, e.at(c.path, "resource %q has no field %q", r.name, c.column)
		}
		return false, nil
	}
	for _, f := range []struct {
		name   string
		target **Field
	}{
		{"year", &mp.Year}, {"period", &mp.Period}, {"date", &mp.Date}, {"phase", &mp.Phase},
		{"direction", &mp.Direction}, {"currency", &mp.Currency}, {"measure", &mp.Measure},
	} {
		c := m.col(f.name, r)
		if c == nil {
			continue
		}
		ok, err := has(c)
		if err != nil {
			return mp, err
		}
		if ok {
			*f.target = &Field{Column: c.column, Format: c.format}
		}
	}
	if mp.Date != nil && mp.Year == nil {
		mp.Year = &Field{From: "date"}
	}
dims:
	for _, dim := range m.dims {
		if dim.resource != nil && dim.resource != r {
			continue
		}
		for _, c := range dim.columns {
			if c.resource != nil && c.resource != r {
				continue dims
			}
			ok, err := has(c)
			if err != nil {
				return mp, err
			}
			if !ok {
				continue dims
			}
		}
		if mp.Dimensions == nil {
			mp.Dimensions = map[string][]LevelMapping{}
		}
		mp.Dimensions[dim.spec.ID] = slices.Clone(dim.levels)
	}
	if err := t.amounts(rms, &mp, d); err != nil {
		return mp, err
	}
	if mp.Year == nil && m.yearConst != "" && !fdpUnpivotSets(mp.Unpivot, "year") {
		mp.Year = &Field{Value: m.yearConst}
	}
	return mp, nil
}

func fdpUnpivotSets(u *Unpivot, field string) bool {
	if u == nil {
		return false
	}
	if u.Into == field {
		return true
	}
	for _, also := range u.Also {
		if _, ok := also[field]; ok {
			return true
		}
	}
	return false
}

// amounts maps a resource's measures: one measure is the amount column;
// several are unpivoted into year (when every measure is a year), phase
// (when every measure is a phase) or measure, with what else each says in
// Unpivot.Also.
func (t *fdpTranslator) amounts(rms []*fdpMeasure, mp *Mapping, d *Descriptor) error {
	e := t.e
	haveYear := mp.Year != nil
	ms := make([]fdpMeasure, len(rms))
	seen := map[string]string{}
	for i, p := range rms {
		ms[i] = *p
		x := &ms[i]
		if other, dup := seen[x.column]; dup {
			return e.at(fdpPath(x.path, "source"), "measures %q and %q read the same column %q", other, x.name, x.column)
		}
		seen[x.column] = x.name
		if x.year == "" && !haveYear {
			if y, ok := fdpYear(x.name); ok {
				x.year = y
			} else if y, ok := fdpYear(x.column); ok {
				x.year = y
			}
		}
		if x.phase == "" && len(rms) > 1 {
			if p, ok := fdpPhase(x.name); ok {
				x.phase = p
			} else if p, ok := fdpPhase(x.column); ok {
				x.phase = p
			}
		}
	}
	if len(ms) == 1 {
		x := ms[0]
		mp.Amount = &Field{Column: x.column}
		if x.phase != "" && mp.Phase == nil {
			mp.Phase = &Field{Value: x.phase}
		}
		if x.direction != "" && mp.Direction == nil {
			mp.Direction = &Field{Value: x.direction}
		}
		if x.year != "" && !haveYear {
			mp.Year = &Field{Value: x.year}
		}
		if x.currency != "" && x.currency != d.Currency && mp.Currency == nil {
			mp.Currency = &Field{Value: x.currency}
		}
		if x.kind != "" && mp.Measure == nil {
			mp.Measure = &Field{Value: x.kind}
		}
		return nil
	}

	all := func(get func(*fdpMeasure) string) bool {
		for i := range ms {
			if get(&ms[i]) == "" {
				return false
			}
		}
		return true
	}
	year := func(x *fdpMeasure) string { return x.year }
	phase := func(x *fdpMeasure) string { return x.phase }
	used := map[string]bool{}
	names := make([]string, len(ms))
	for i := range ms {
		n := ms[i].kind
		if n == "" {
			n = fdpName(ms[i].name)
		}
		names[i] = fdpUnique(n, fmt.Sprintf("measure_%d", i+1), used)
	}
	up := &Unpivot{Into: "measure", Values: map[string]string{}}
	switch {
	case !haveYear && all(year):
		up.Into = "year"
	case mp.Phase == nil && all(phase):
		up.Into = "phase"
	}
	for i := range ms {
		x := &ms[i]
		up.Columns = append(up.Columns, x.column)
		switch up.Into {
		case "year":
			up.Values[x.column] = x.year
		case "phase":
			up.Values[x.column] = x.phase
		default:
			up.Values[x.column] = names[i]
		}
	}
	also := func(col, key, v string) {
		if up.Also == nil {
			up.Also = map[string]map[string]string{}
		}
		if up.Also[col] == nil {
			up.Also[col] = map[string]string{}
		}
		up.Also[col][key] = v
	}
	for _, f := range []struct {
		key    string
		get    func(*fdpMeasure) string
		target **Field
		active bool
		skip   string // a constant equal to this needs no field
	}{
		{"year", year, &mp.Year, !haveYear && up.Into != "year", ""},
		{"phase", phase, &mp.Phase, mp.Phase == nil && up.Into != "phase", ""},
		{"direction", func(x *fdpMeasure) string { return x.direction }, &mp.Direction, mp.Direction == nil, ""},
		{"currency", func(x *fdpMeasure) string { return x.currency }, &mp.Currency, mp.Currency == nil, d.Currency},
	} {
		if !f.active {
			continue
		}
		same := true
		for i := range ms {
			if f.get(&ms[i]) != f.get(&ms[0]) {
				same = false
			}
		}
		if same {
			if v := f.get(&ms[0]); v != "" && v != f.skip {
				*f.target = &Field{Value: v}
			}
			continue
		}
		for i := range ms {
			if v := f.get(&ms[i]); v != "" {
				also(ms[i].column, f.key, v)
			}
		}
	}
	// Unpivoted into year or phase, two columns that say the same thing
	// (two measures of one year) stay apart by their measure name.
	if up.Into != "measure" {
		keys := map[string]bool{}
		distinct := true
		for _, c := range up.Columns {
			k := []string{up.Values[c]}
			for key, v := range up.Also[c] {
				k = append(k, key+"="+v)
			}
			sort.Strings(k[1:])
			s := strings.Join(k, "\x00")
			if keys[s] {
				distinct = false
			}
			keys[s] = true
		}
		if !distinct {
			for i := range ms {
				also(ms[i].column, "measure", names[i])
			}
		}
	}
	mp.Unpivot = up
	return nil
}
