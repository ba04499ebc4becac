package ingest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
)

// The v1.0 style puts a columnType from the fiscal taxonomy
// (https://specs.frictionlessdata.io/fiscal-data-package/ and os-types) on
// each field:
//
//	{"name": "Ministry", "columnType": "administrative-classification:generic:level1:code"},
//	{"name": "Ministry name", "columnType": "administrative-classification:generic:level1:label"},
//	{"name": "Year", "columnType": "date:fiscal-year"},
//	{"name": "Approved", "columnType": "value", "normalize": {"Phase": "approved"}},
//
// and "extraFields" beside "fields" for constants ({"columnType":
// "value-currency:code", "constant": "EUR"}) and the targets of "normalize"
// (wide amount columns turned into rows).

// fdpFamilies maps a columnType's first segment onto a dimension id.
var fdpFamilies = map[string]string{
	"administrative-classification": mizan.DimAdmin,
	"functional-classification":     mizan.DimFunctional,
	"economic-classification":       mizan.DimEconomic,
	"activity":                      mizan.DimProgramme,
	"geo":                           mizan.DimGeo,
	"fin-source":                    mizan.DimFund,
	"expenditure-type":              "expenditure_type",
}

// fdpFamilyLabels label the dimensions of the taxonomy's families.
var fdpFamilyLabels = map[string]string{
	mizan.DimAdmin: "Administrative classification", mizan.DimFunctional: "Functional classification",
	mizan.DimEconomic: "Economic classification", mizan.DimProgramme: "Programme", mizan.DimGeo: "Geography",
	"geo_source": "Geography (source)", mizan.DimFund: "Source of funds", "expenditure_type": "Expenditure type",
}

// fdpLevelRanks orders named levels: COFOG's and the activity hierarchy's.
var fdpLevelRanks = map[string]int{
	"division": 1, "group": 2, "class": 3,
	"program": 1, "programme": 1, "subprogram": 2, "subprogramme": 2, "project": 3, "subproject": 4, "contract": 5,
}

// fdpClassColumn is a columnType of the classification families, parsed.
type fdpClassColumn struct {
	dim            string // dimension id
	classification string // "cofog"
	level          string // level id; "" for a non-level-specific column
	rank           int    // sort key of the level, top first
	part           string // code, label or "" (ignored: description, codeList)
}

// fdpParseClass parses "administrative-classification:generic:level2:code",
// "functional-classification:cofog:group:label", "activity:generic:program:code",
// "geo:target:level1:title"...
func fdpParseClass(ct string) (fdpClassColumn, bool) {
	seg := strings.Split(ct, ":")
	dim, ok := fdpFamilies[seg[0]]
	if !ok {
		return fdpClassColumn{}, false
	}
	c := fdpClassColumn{dim: dim, part: "code"}
	rest := seg[1:]
	if n := len(rest); n > 0 {
		switch rest[n-1] {
		case "code", "id":
			rest = rest[:n-1]
		case "label", "title", "name":
			c.part, rest = "label", rest[:n-1]
		case "description", "codelist", "codeList":
			c.part, rest = "", rest[:n-1]
		}
	}
	if len(rest) > 0 { // the scheme: generic, cofog, gfsm, source, target
		switch rest[0] {
		case "cofog":
			c.classification = "cofog"
		case "source":
			if dim == mizan.DimGeo {
				c.dim = "geo_source"
			}
		}
		rest = rest[1:]
	}
	c.rank = 100
	if len(rest) > 0 {
		l := rest[len(rest)-1]
		if n, err := strconv.Atoi(strings.TrimPrefix(l, "level")); err == nil && strings.HasPrefix(l, "level") && n > 0 && n < 100 {
			c.level, c.rank = "level"+strconv.Itoa(n), n
		} else if r, ok := fdpLevelRanks[l]; ok {
			c.level, c.rank = l, r
		} else if n := fdpName(l); n != "" {
			c.level, c.rank = n, 50
		}
	}
	return c, true
}

// readColumnTypes reads every data resource whose schema has a "value"
// field.
func (t *fdpTranslator) readColumnTypes() error {
	found := false
	for _, r := range t.resources {
		if r.format == "" || r.fields == nil {
			continue
		}
		ok, err := t.readColumnTypeResource(r)
		if err != nil {
			return err
		}
		found = found || ok
	}
	if !found {
		return t.e.at(t.root.childPath("resources"), "no data resource has a field with columnType \"value\"")
	}
	return nil
}

// fdpExtra is one entry of a schema's extraFields.
type fdpExtra struct {
	v          *fdpValue
	name       string
	columnType string
	constant   string
	hasConst   bool
	target     bool
}

func (t *fdpTranslator) readColumnTypeResource(r *fdpResource) (bool, error) {
	e := t.e
	schema := r.v.get("schema")
	extrasV, err := e.array(schema, "extraFields")
	if err != nil {
		return false, err
	}
	extras := map[string]*fdpExtra{}
	var constants []*fdpExtra
	for _, xv := range extrasV {
		if xv.kind != fdpObject {
			return false, e.at(xv.path, "want a field object, have %s", xv.kind)
		}
		x := &fdpExtra{v: xv}
		if x.name, err = e.str(xv, "name"); err != nil {
			return false, err
		}
		if x.columnType, err = e.str(xv, "columnType"); err != nil {
			return false, err
		}
		if c := xv.get("constant"); !c.isNull() {
			if c.kind != fdpString && c.kind != fdpNumber {
				return false, e.at(c.path, "want a string or a number, have %s", c.kind)
			}
			x.constant, x.hasConst = strings.TrimSpace(c.str), true
			constants = append(constants, x)
		}
		if tv := xv.get("normalizationTarget"); tv != nil && tv.kind == fdpBool {
			x.target = tv.b
		}
		extras[x.name] = x
	}

	var measures []*fdpMeasure
	dims := map[string]*fdpDim{} // classifications by id
	var dimOrder []*fdpDim       // every dimension, by its first field
	type levelCols struct {
		id, code, label string
		rank            int
		codePath        string
	}
	levels := map[string]map[string]*levelCols{} // dim → level → columns
	// Attribute ids must not take the ids of this resource's classifications.
	used := fdpReserved()
	for _, fname := range r.fieldOrder {
		if ct, _ := t.e.str(r.fields[fname].v, "columnType"); ct != "" {
			if cc, ok := fdpParseClass(ct); ok {
				used[cc.dim] = true
			}
		}
	}
	for _, fname := range r.fieldOrder {
		f := r.fields[fname]
		ct, err := e.str(f.v, "columnType")
		if err != nil {
			return false, err
		}
		if ct == "" {
			continue // unmapped columns are ignored, as the specification says
		}
		ctPath := f.v.childPath("columnType")
		col := &fdpColumn{column: f.name, resource: r, path: ctPath}
		switch ct {
		case "value":
			m, err := t.readValueField(f, extras)
			if err != nil {
				return false, err
			}
			measures = append(measures, m)
			continue
		case "value-kind", "value-kind:code":
			t.model.add("measure", col)
			continue
		case "value-currency", "value-currency:code":
			t.model.add("currency", col)
			continue
		case "date:fiscal-year":
			if t.model.col("year", r) == nil {
				t.model.add("year", col)
				continue
			}
		case "date:generic":
			if t.model.col("date", r) == nil {
				fm, err := fdpDateFormat(f.format)
				if err != nil {
					return false, e.at(f.v.childPath("format"), "%s", err)
				}
				col.format = fm
				t.model.add("date", col)
				continue
			}
		case "phase", "phase:id", "phase:code", "budget-phase", "budget-phase:id", "budget-phase:code":
			t.model.add("phase", col)
			continue
		case "direction", "direction:code", "direction:id":
			t.model.add("direction", col)
			continue
		}
		if strings.HasPrefix(ct, "value") || strings.HasPrefix(ct, "phase:") || strings.HasPrefix(ct, "budget-phase:") ||
			strings.HasPrefix(ct, "direction:") {
			// value:per-capita and other derived amounts, labels of the
			// phase, direction, currency or kind: nothing to store.
			continue
		}
		if cc, ok := fdpParseClass(ct); ok {
			if cc.part == "" {
				continue
			}
			d := dims[cc.dim]
			if d == nil {
				d = &fdpDim{path: ctPath, resource: r, spec: DimensionSpec{ID: cc.dim, Classification: cc.classification}}
				if cc.dim == "expenditure_type" {
					d.spec.Kind = mizan.KindAttribute
				} else {
					d.spec.Kind = mizan.KindClassification
				}
				d.spec.Label = mizan.Text{"en": fdpFamilyLabels[cc.dim]}
				dims[cc.dim] = d
				dimOrder = append(dimOrder, d)
				levels[cc.dim] = map[string]*levelCols{}
			}
			if cc.classification != "" {
				d.spec.Classification = cc.classification
			}
			lc := levels[cc.dim][cc.level]
			if lc == nil {
				lc = &levelCols{id: cc.level, rank: cc.rank}
				levels[cc.dim][cc.level] = lc
			}
			switch cc.part {
			case "code":
				if lc.code != "" {
					return false, e.at(ctPath, "fields %q and %q both have columnType %q", lc.code, f.name, ct)
				}
				lc.code, lc.codePath = f.name, ctPath
			case "label":
				if lc.label != "" {
					return false, e.at(ctPath, "fields %q and %q both have columnType %q", lc.label, f.name, ct)
				}
				lc.label = f.name
			}
			d.columns = append(d.columns, col)
			continue
		}
		// Anything else (unknown:string, budget-line-id, a second date...)
		// is kept as a flat attribute named after the field.
		id := fdpUnique(fdpName(f.name), fmt.Sprintf("attr%d", len(used)+1), used)
		lm := LevelMapping{Level: id}
		if fdpIsText(f) {
			lm.Label = f.name
		} else {
			lm.Code = f.name
		}
		dimOrder = append(dimOrder, &fdpDim{
			path: ctPath, resource: r, columns: []*fdpColumn{col}, levels: []LevelMapping{lm},
			spec: DimensionSpec{ID: id, Label: t.text(f.name), Kind: mizan.KindAttribute, Levels: []LevelSpec{{ID: id, Label: t.text(f.name)}}},
		})
	}
	if len(measures) == 0 {
		// A lookup table (joined through foreign keys in the package):
		// Mizan does not join resources, so it is not a source.
		t.dropResource(r)
		return false, nil
	}

	// Constants from extraFields apply to every measure of the resource.
	for _, x := range constants {
		if err := t.applyExtra(x, x.constant, x.v.childPath("constant"), measures); err != nil {
			return false, err
		}
	}
	t.model.measures = append(t.model.measures, measures...)

	for _, d := range dimOrder {
		id := d.spec.ID
		if dims[id] != d { // a flat attribute: complete already
			t.model.dims = append(t.model.dims, d)
			continue
		}
		ls := make([]*levelCols, 0, len(levels[id]))
		for _, lc := range levels[id] {
			ls = append(ls, lc)
		}
		slices.SortFunc(ls, func(a, b *levelCols) int {
			if a.rank != b.rank {
				return a.rank - b.rank
			}
			return strings.Compare(a.id, b.id)
		})
		for _, lc := range ls {
			lid := lc.id
			switch {
			case len(ls) == 1:
				lid = id
			case lid == "":
				lid = "code"
			}
			label := lc.code
			if label == "" {
				label = lc.label
			}
			d.spec.Levels = append(d.spec.Levels, LevelSpec{ID: lid, Label: t.text(label)})
			d.levels = append(d.levels, LevelMapping{Level: lid, Code: lc.code, Label: lc.label})
		}
		t.model.dims = append(t.model.dims, d) // another resource may declare it too: build checks they agree
	}
	return true, nil
}

// dropResource removes a resource's columns from the model.
func (t *fdpTranslator) dropResource(r *fdpResource) {
	t.model.dims = slices.DeleteFunc(t.model.dims, func(d *fdpDim) bool { return d.resource == r })
	for k, cs := range t.model.cols {
		t.model.cols[k] = slices.DeleteFunc(cs, func(c *fdpColumn) bool { return c.resource == r })
	}
}

// readValueField reads a field of columnType "value": its currency, factor,
// direction and phase (on the field or in its "options"), separators and
// "normalize" targets.
func (t *fdpTranslator) readValueField(f *fdpField, extras map[string]*fdpExtra) (*fdpMeasure, error) {
	e := t.e
	m := &fdpMeasure{name: f.name, column: f.name, resource: f.resource, path: f.v.path, decimal: f.decimal, group: f.group}
	opts := f.v.get("options")
	if opts != nil && opts.kind != fdpObject {
		opts = nil // the os-types editor's list of option descriptors
	}
	prop := func(key string) (string, string, error) {
		for _, o := range []*fdpValue{f.v, opts} {
			if o == nil {
				continue
			}
			s, err := e.str(o, key)
			if err != nil || s != "" {
				return s, o.childPath(key), err
			}
		}
		return "", "", nil
	}
	for _, key := range []string{"currency", "factor", "direction", "phase"} {
		s, p, err := prop(key)
		if err != nil {
			return nil, err
		}
		if s == "" {
			continue
		}
		if err := t.setMeasure(m, key, s, p); err != nil {
			return nil, err
		}
	}
	if opts != nil {
		var err error
		if m.decimal == "" {
			if m.decimal, err = e.char(opts, "decimalChar"); err != nil {
				return nil, err
			}
		}
		if m.group == "" {
			if m.group, err = e.char(opts, "groupChar"); err != nil {
				return nil, err
			}
		}
	}
	norm, err := e.object(f.v, "normalize")
	if err != nil {
		return nil, err
	}
	if norm != nil {
		for _, k := range norm.keys {
			v := norm.obj[k]
			if v.kind != fdpString && v.kind != fdpNumber {
				return nil, e.at(v.path, "want a string or a number, have %s", v.kind)
			}
			x := extras[k]
			if x == nil {
				return nil, e.at(v.path, "no extra field %q (normalize names fields of the schema's extraFields)", k)
			}
			if err := t.applyExtra(x, strings.TrimSpace(v.str), v.path, []*fdpMeasure{m}); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// applyExtra sets what an extra field's value means on measures: a year, a
// phase, a direction, a currency or a measure name.
func (t *fdpTranslator) applyExtra(x *fdpExtra, value, path string, ms []*fdpMeasure) error {
	key := ""
	switch x.columnType {
	case "date:fiscal-year":
		key = "year"
	case "phase", "phase:id", "phase:code", "budget-phase", "budget-phase:id", "budget-phase:code":
		key = "phase"
	case "direction", "direction:code", "direction:id":
		key = "direction"
	case "value-currency", "value-currency:code":
		key = "currency"
	case "value-kind", "value-kind:code":
		key = "kind"
	case "value":
		return nil // the normalization target itself
	default:
		if x.hasConst && path == x.v.childPath("constant") {
			return nil // a constant for a column Mizan does not store
		}
		return t.e.at(path, "extra field %q has columnType %q: only a year, phase, direction, currency or value kind can be normalized", x.name, x.columnType)
	}
	for _, m := range ms {
		if err := t.setMeasure(m, key, value, path); err != nil {
			return err
		}
	}
	return nil
}

// setMeasure validates and sets one property of a measure.
func (t *fdpTranslator) setMeasure(m *fdpMeasure, key, value, path string) error {
	e := t.e
	switch key {
	case "currency":
		c, ok := fdpCurrency(value)
		if !ok {
			return e.at(path, "%q is not an ISO 4217 currency code", value)
		}
		m.currency = c
	case "factor":
		f, ok := fdpFactor(value)
		if !ok {
			return e.at(path, "%q is not a positive number", value)
		}
		m.factor = f
	case "direction":
		d, ok := fdpDirection(value)
		if !ok {
			return e.at(path, "unknown direction %q (want expenditure or revenue)", value)
		}
		m.direction = d
	case "phase":
		p, ok := fdpPhase(value)
		if !ok {
			return e.at(path, "unknown phase %q (want one of %s)", value, strings.Join(mizan.Phases, ", "))
		}
		m.phase = p
	case "year":
		y, ok := fdpYear(value)
		if !ok {
			return e.at(path, "%q is not a year", value)
		}
		m.year = y
	case "kind":
		k := fdpName(value)
		if k == "" {
			return e.at(path, "%q cannot name a measure (latin letters, digits and underscores)", value)
		}
		m.kind = k
	}
	return nil
}
