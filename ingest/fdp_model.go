package ingest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mizan-budget/mizan"
)

// The v0.3 (OpenSpending) model:
//
//	"model": {
//	  "measures": {"amount": {"source": "IMPORTE", "currency": "EUR", "factor": 1,
//	                          "direction": "expenditure", "phase": "approved", "resource": "r"}},
//	  "dimensions": {
//	    "date": {"dimensionType": "datetime", "attributes": {"year": {"source": "AÑO"}}, "primaryKey": "year"},
//	    "administrative": {"dimensionType": "classification", "classificationType": "administrative",
//	      "attributes": {"CENTRO": {"source": "CENTRO"},
//	                     "DESCRIPCION CENTRO": {"source": "DESCRIPCION CENTRO", "labelfor": "CENTRO"},
//	                     "SECCION": {"source": "SECCION", "parent": "CENTRO"}},
//	      "primaryKey": ["CENTRO", "SECCION"]}}}
//
// Packages written before v0.3 call "model" "mapping"; both are read.

// fdpCanonicalDims maps classificationType (and dimensionType) words onto
// Mizan's shared classification ids.
var fdpCanonicalDims = map[string]string{
	"administrative": mizan.DimAdmin, "admin": mizan.DimAdmin, "administration": mizan.DimAdmin,
	"organisational": mizan.DimAdmin, "organizational": mizan.DimAdmin, "institutional": mizan.DimAdmin,
	"functional": mizan.DimFunctional, "function": mizan.DimFunctional, "cofog": mizan.DimFunctional,
	"economic": mizan.DimEconomic, "economy": mizan.DimEconomic,
	"programme": mizan.DimProgramme, "program": mizan.DimProgramme, "programmatic": mizan.DimProgramme,
	"activity":   mizan.DimProgramme,
	"geographic": mizan.DimGeo, "geographical": mizan.DimGeo, "geo": mizan.DimGeo, "location": mizan.DimGeo,
	"regional": mizan.DimGeo, "territorial": mizan.DimGeo,
	"fund": mizan.DimFund, "funding": mizan.DimFund, "fin_source": mizan.DimFund, "financing": mizan.DimFund,
	"source_of_funds": mizan.DimFund, "funding_source": mizan.DimFund,
}

// fdpReserved returns the names a dimension may not take: the fact
// columns Mizan stores itself.
func fdpReserved() map[string]bool {
	used := map[string]bool{}
	for _, n := range []string{mizan.DimYear, mizan.DimPeriod, mizan.DimDate, mizan.DimPhase, mizan.DimDirection,
		mizan.DimCurrency, mizan.DimMeasure, "amount", "row_id", "source_id", "source_row"} {
		used[n] = true
	}
	return used
}

// fdpTimeNames are dimension names that mean time when no dimensionType says so.
var fdpTimeNames = map[string]bool{"date": true, "time": true, "year": true, "fiscal_year": true, "period": true}

// fdpAttribute is one attribute of a v0.3 dimension.
type fdpAttribute struct {
	name     string
	v        *fdpValue
	source   string
	resource *fdpResource
	labelfor string
	parent   string
	title    string
	field    *fdpField // the schema field of source, when the schema has it
}

// readModel reads a v0.3 model (or mapping) object.
func (t *fdpTranslator) readModel(model *fdpValue) error {
	e := t.e
	measures, err := e.object(model, "measures")
	if err != nil {
		return err
	}
	if measures == nil || len(measures.keys) == 0 {
		return e.at(model.childPath("measures"), "no measures: the model names no amount column")
	}
	for _, name := range measures.keys {
		mv := measures.obj[name]
		if mv.kind != fdpObject {
			return e.at(mv.path, "want a measure object, have %s", mv.kind)
		}
		ms, err := t.readModelMeasure(name, mv)
		if err != nil {
			return err
		}
		t.model.measures = append(t.model.measures, ms...)
	}
	dims, err := e.object(model, "dimensions")
	if err != nil || dims == nil {
		return err
	}
	used := fdpReserved()
	for _, name := range dims.keys {
		dv := dims.obj[name]
		if dv.kind != fdpObject {
			return e.at(dv.path, "want a dimension object, have %s", dv.kind)
		}
		if err := t.readModelDimension(name, dv, used); err != nil {
			return err
		}
	}
	return nil
}

// readModelMeasure reads one measure; a measure without a resource applies
// to every data resource that has its column, so it may yield several.
func (t *fdpTranslator) readModelMeasure(name string, mv *fdpValue) ([]*fdpMeasure, error) {
	e := t.e
	source, err := e.str(mv, "source")
	if err != nil {
		return nil, err
	}
	if source == "" {
		if source, err = e.str(mv, "column"); err != nil { // early drafts
			return nil, err
		}
	}
	if source == "" {
		return nil, e.at(mv.childPath("source"), "a measure needs the name of its column")
	}
	m := &fdpMeasure{name: name, column: source, path: mv.path}
	if m.currency, err = e.str(mv, "currency"); err != nil {
		return nil, err
	}
	if m.currency != "" {
		c, ok := fdpCurrency(m.currency)
		if !ok {
			return nil, e.at(mv.childPath("currency"), "%q is not an ISO 4217 currency code", m.currency)
		}
		m.currency = c
	}
	if m.factor, err = e.str(mv, "factor"); err != nil {
		return nil, err
	}
	if m.factor != "" {
		f, ok := fdpFactor(m.factor)
		if !ok {
			return nil, e.at(mv.childPath("factor"), "%q is not a positive number", m.factor)
		}
		m.factor = f
	}
	if m.direction, err = e.str(mv, "direction"); err != nil {
		return nil, err
	}
	if m.direction != "" {
		dir, ok := fdpDirection(m.direction)
		if !ok {
			return nil, e.at(mv.childPath("direction"), "unknown direction %q (want expenditure or revenue)", m.direction)
		}
		m.direction = dir
	}
	if m.phase, err = e.str(mv, "phase"); err != nil {
		return nil, err
	}
	if m.phase != "" {
		p, ok := fdpPhase(m.phase)
		if !ok {
			return nil, e.at(mv.childPath("phase"), "unknown phase %q (want one of %s)", m.phase, strings.Join(mizan.Phases, ", "))
		}
		m.phase = p
	}
	resName, err := e.str(mv, "resource")
	if err != nil {
		return nil, err
	}
	var rs []*fdpResource
	if resName != "" {
		r := t.resource(resName)
		if r == nil {
			return nil, e.at(mv.childPath("resource"), "no resource %q", resName)
		}
		rs = []*fdpResource{r}
	} else if rs = t.resourcesWith(source); len(rs) == 0 {
		return nil, e.at(mv.childPath("source"), "no data resource has a field %q", source)
	}
	var out []*fdpMeasure
	for _, r := range rs {
		if r.format == "" {
			return nil, e.at(r.v.childPath("format"), "resource %q holds the measure %q but is not CSV, TSV or XLSX", r.name, name)
		}
		f, ok := r.fields[source]
		if r.fields != nil && !ok {
			return nil, e.at(mv.childPath("source"), "resource %q has no field %q", r.name, source)
		}
		c := *m
		c.resource = r
		if f != nil {
			c.decimal, c.group = f.decimal, f.group
		}
		out = append(out, &c)
	}
	return out, nil
}

// resourcesWith returns the data resources that have a column (all data
// resources without a schema count as having it).
func (t *fdpTranslator) resourcesWith(column string) []*fdpResource {
	var out []*fdpResource
	for _, r := range t.resources {
		if r.format == "" {
			continue
		}
		if _, ok := r.fields[column]; ok || r.fields == nil {
			out = append(out, r)
		}
	}
	return out
}

// readModelDimension reads one v0.3 dimension into time fields, a canonical
// field (phase, direction, currency) or classification/attribute dimensions.
func (t *fdpTranslator) readModelDimension(name string, dv *fdpValue, used map[string]bool) error {
	e := t.e
	dimType, err := e.str(dv, "dimensionType")
	if err != nil {
		return err
	}
	classType, err := e.str(dv, "classificationType")
	if err != nil {
		return err
	}
	title, err := e.str(dv, "title")
	if err != nil {
		return err
	}
	if title == "" {
		if title, err = e.str(dv, "label"); err != nil {
			return err
		}
	}
	attrsV, err := e.object(dv, "attributes")
	if err != nil {
		return err
	}
	if attrsV == nil || len(attrsV.keys) == 0 {
		return e.at(dv.childPath("attributes"), "a dimension needs at least one attribute")
	}
	attrs := map[string]*fdpAttribute{}
	var order []*fdpAttribute
	for _, an := range attrsV.keys {
		av := attrsV.obj[an]
		if av.kind != fdpObject {
			return e.at(av.path, "want an attribute object, have %s", av.kind)
		}
		a := &fdpAttribute{name: an, v: av}
		if a.source, err = e.str(av, "source"); err != nil {
			return err
		}
		if a.source == "" {
			if a.source, err = e.str(av, "column"); err != nil {
				return err
			}
		}
		if a.source == "" {
			return e.at(av.childPath("source"), "an attribute needs the name of its column")
		}
		if a.labelfor, err = e.str(av, "labelfor"); err != nil {
			return err
		}
		if a.labelfor == "" {
			if a.labelfor, err = e.str(av, "labelFor"); err != nil {
				return err
			}
		}
		if a.parent, err = e.str(av, "parent"); err != nil {
			return err
		}
		if a.title, err = e.str(av, "title"); err != nil {
			return err
		}
		resName, err := e.str(av, "resource")
		if err != nil {
			return err
		}
		if resName != "" {
			if a.resource = t.resource(resName); a.resource == nil {
				return e.at(av.childPath("resource"), "no resource %q", resName)
			}
			if a.resource.fields != nil {
				if a.field = a.resource.fields[a.source]; a.field == nil {
					return e.at(av.childPath("source"), "resource %q has no field %q", resName, a.source)
				}
			}
		} else {
			a.field = t.anyField(a.source)
		}
		attrs[an] = a
		order = append(order, a)
	}
	for _, a := range order {
		if a.labelfor != "" && attrs[a.labelfor] == nil {
			return e.at(a.v.childPath("labelfor"), "no attribute %q", a.labelfor)
		}
		if a.labelfor == a.name {
			return e.at(a.v.childPath("labelfor"), "an attribute cannot label itself")
		}
		if a.parent != "" && attrs[a.parent] == nil {
			return e.at(a.v.childPath("parent"), "no attribute %q", a.parent)
		}
	}
	pk, err := e.strings(dv, "primaryKey")
	if err != nil {
		return err
	}
	for i, k := range pk {
		if attrs[k] == nil {
			p := dv.childPath("primaryKey")
			if dv.get("primaryKey").kind == fdpArray {
				p = fmt.Sprintf("%s[%d]", p, i)
			}
			return e.at(p, "no attribute %q", k)
		}
	}

	// Key attributes: the primary key, every attribute in a parent chain,
	// and, without a primary key, every attribute that labels nothing.
	isKey := map[string]bool{}
	for _, k := range pk {
		isKey[k] = true
	}
	for _, a := range order {
		if a.parent != "" {
			isKey[a.name], isKey[a.parent] = true, true
		}
		if len(pk) == 0 && a.labelfor == "" {
			isKey[a.name] = true
		}
	}
	for _, a := range order {
		if isKey[a.name] && a.labelfor != "" {
			return e.at(a.v.childPath("labelfor"), "attribute %q is a key (a primary key or a parent) and cannot also be a label", a.name)
		}
	}
	keys, err := t.levelOrder(dv, order, pk, isKey)
	if err != nil {
		return err
	}

	sname := fdpName(name)
	dimTypeWord, classWord := fdpWords(dimType, '_'), fdpWords(classType, '_')
	isTime := dimTypeWord == "datetime" || dimTypeWord == "date" || dimTypeWord == "time" ||
		dimTypeWord == "" && classWord == "" && fdpTimeNames[sname]
	if isTime {
		handled, err := t.modelTime(keys)
		if err != nil || handled {
			return err
		}
		// A second date dimension: kept as a plain attribute below.
	}
	if classWord == "" && !isTime {
		if t.modelFixed(sname, keys) {
			return nil
		}
	}

	id := ""
	if c, ok := fdpCanonicalDims[classWord]; ok {
		id = c
	} else if classWord == "" && (dimTypeWord == "activity" || dimTypeWord == "location") {
		id = fdpCanonicalDims[dimTypeWord]
	}
	if id != "" && used[id] {
		id = "" // a second administrative dimension keeps its own name
	}
	canonical := id != ""
	if id == "" {
		id = fdpUnique(sname, fmt.Sprintf("dim%d", len(t.model.dims)+1), used)
	} else {
		used[id] = true
	}
	dimTitle := title
	if dimTitle == "" {
		dimTitle = name
	}
	d := &fdpDim{path: dv.path, spec: DimensionSpec{ID: id, Label: t.text(dimTitle)}}
	if id == mizan.DimFunctional && fdpCOFOG(name, classType, title, order) {
		d.spec.Classification = "cofog"
	}
	if canonical || dimTypeWord == "classification" || len(keys) > 1 {
		d.spec.Kind = mizan.KindClassification
	} else {
		d.spec.Kind = mizan.KindAttribute
	}
	levelUsed := map[string]bool{}
	for i, k := range keys {
		lid := id
		if len(keys) > 1 {
			lid = fdpLevelName(k.name, i, levelUsed)
		}
		label := k.title
		if label == "" {
			label = k.source
		}
		d.spec.Levels = append(d.spec.Levels, LevelSpec{ID: lid, Label: t.text(label)})
		lm := LevelMapping{Level: lid}
		var labelAttr *fdpAttribute
		for _, a := range order {
			if a.labelfor == k.name {
				labelAttr = a
				break
			}
		}
		if labelAttr != nil {
			lm.Code, lm.Label = k.source, labelAttr.source
			d.columns = append(d.columns, t.attrColumn(k), t.attrColumn(labelAttr))
		} else {
			if d.spec.Kind == mizan.KindAttribute && fdpIsText(k.field) {
				lm.Label = k.source // a name (a supplier, a category): it is its own key
			} else {
				lm.Code = k.source
			}
			d.columns = append(d.columns, t.attrColumn(k))
		}
		d.levels = append(d.levels, lm)
	}
	t.model.dims = append(t.model.dims, d)

	// Attributes that are neither keys nor labels (a description, a second
	// label) are kept as attribute dimensions of their own.
	for _, a := range order {
		if isKey[a.name] || a.labelfor != "" && isKey[a.labelfor] && fdpFirstLabel(order, a.labelfor) == a {
			continue
		}
		aid := fdpUnique(fdpName(id+"_"+a.name), fmt.Sprintf("dim%d", len(t.model.dims)+1), used)
		label := a.title
		if label == "" {
			label = a.source
		}
		lm := LevelMapping{Level: aid}
		if fdpIsText(a.field) {
			lm.Label = a.source
		} else {
			lm.Code = a.source
		}
		t.model.dims = append(t.model.dims, &fdpDim{
			path:    a.v.path,
			spec:    DimensionSpec{ID: aid, Label: t.text(label), Kind: mizan.KindAttribute, Levels: []LevelSpec{{ID: aid, Label: t.text(label)}}},
			levels:  []LevelMapping{lm},
			columns: []*fdpColumn{t.attrColumn(a)},
		})
	}
	return nil
}

func fdpFirstLabel(order []*fdpAttribute, key string) *fdpAttribute {
	for _, a := range order {
		if a.labelfor == key {
			return a
		}
	}
	return nil
}

// levelOrder orders a dimension's key attributes top level first: along
// their parent chain, or in primary-key order when no attribute has a parent.
func (t *fdpTranslator) levelOrder(dv *fdpValue, order []*fdpAttribute, pk []string, isKey map[string]bool) ([]*fdpAttribute, error) {
	e := t.e
	var keys []*fdpAttribute
	hasParent := false
	for _, a := range order {
		if isKey[a.name] {
			keys = append(keys, a)
			if a.parent != "" {
				hasParent = true
			}
		}
	}
	if !hasParent {
		if len(pk) == 0 {
			return keys, nil
		}
		byName := map[string]*fdpAttribute{}
		for _, a := range keys {
			byName[a.name] = a
		}
		out := make([]*fdpAttribute, 0, len(pk))
		for _, k := range pk {
			if a := byName[k]; a != nil && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
		return out, nil
	}
	child := map[string]*fdpAttribute{}
	var roots []*fdpAttribute
	for _, a := range keys {
		if a.parent == "" {
			roots = append(roots, a)
			continue
		}
		if other := child[a.parent]; other != nil {
			return nil, e.at(a.v.childPath("parent"), "attributes %q and %q both have parent %q: the levels of a dimension form one chain", other.name, a.name, a.parent)
		}
		child[a.parent] = a
	}
	if len(roots) != 1 {
		if len(roots) == 0 {
			return nil, e.at(dv.childPath("attributes"), "the parent attributes form a cycle")
		}
		return nil, e.at(dv.childPath("attributes"), "attributes %q and %q both have no parent: the levels of a dimension form one chain", roots[0].name, roots[1].name)
	}
	out := []*fdpAttribute{roots[0]}
	for a := child[roots[0].name]; a != nil; a = child[a.name] {
		if len(out) > len(keys) {
			break
		}
		out = append(out, a)
	}
	if len(out) != len(keys) {
		return nil, e.at(dv.childPath("attributes"), "the parent attributes form a cycle")
	}
	return out, nil
}

// fdpLevelName makes a level id from an attribute name: "category-code" →
// "category".
func fdpLevelName(attr string, i int, used map[string]bool) string {
	n := fdpName(attr)
	for _, suffix := range []string{"_code", "_id", "_key"} {
		if s, ok := strings.CutSuffix(n, suffix); ok && s != "" && !used[s] {
			n = s
			break
		}
	}
	return fdpUnique(n, fmt.Sprintf("level%d", i+1), used)
}

func fdpCOFOG(name, classType, title string, attrs []*fdpAttribute) bool {
	words := []string{name, classType, title}
	for _, a := range attrs {
		words = append(words, a.name, a.source)
	}
	for _, w := range words {
		if strings.Contains(strings.ToLower(w), "cofog") {
			return true
		}
	}
	return false
}

// fdpIsText reports whether a schema field holds text (names rather than
// codes); without a schema, values are taken as codes.
func fdpIsText(f *fdpField) bool {
	return f != nil && (f.typ == "string" || f.typ == "")
}

// anyField finds the schema field of a column in any data resource.
func (t *fdpTranslator) anyField(column string) *fdpField {
	for _, r := range t.resources {
		if f := r.fields[column]; f != nil && r.format != "" {
			return f
		}
	}
	return nil
}

func (t *fdpTranslator) attrColumn(a *fdpAttribute) *fdpColumn {
	return &fdpColumn{column: a.source, resource: a.resource, path: a.v.childPath("source")}
}

// modelTime maps a time dimension's attributes onto year, period and date.
// It reports false when the model already has those fields (a second date
// dimension), leaving the dimension to be kept as an attribute.
func (t *fdpTranslator) modelTime(keys []*fdpAttribute) (bool, error) {
	m := &t.model
	type slot struct {
		field string
		attr  *fdpAttribute
	}
	var slots []slot
	for _, a := range keys {
		words := strings.Split(fdpWords(a.name, '_')+"_"+fdpWords(a.source, '_'), "_")
		has := func(ws ...string) bool {
			for _, w := range ws {
				if slices.Contains(words, w) {
					return true
				}
			}
			return false
		}
		typ := ""
		if a.field != nil {
			typ = a.field.typ
		}
		switch {
		case typ == "year" || typ == "gyear" || has("year", "years", "fy", "fiscalyear", "anio", "ano", "ejercicio", "annee", "jahr", "godina"):
			slots = append(slots, slot{"year", a})
		case has("month", "quarter", "period", "mes", "trimestre", "mois"):
			slots = append(slots, slot{"period", a})
		default:
			slots = append(slots, slot{"date", a})
		}
	}
	for _, s := range slots {
		if m.col(s.field, nil) != nil {
			return false, nil
		}
	}
	for _, s := range slots {
		c := t.attrColumn(s.attr)
		if s.field == "date" && s.attr.field != nil {
			f, err := fdpDateFormat(s.attr.field.format)
			if err != nil {
				return false, t.e.at(s.attr.field.v.childPath("format"), "%s", err)
			}
			c.format = f
		}
		m.add(s.field, c)
	}
	return true, nil
}

// modelFixed maps a dimension named phase, direction or currency onto that
// canonical field; it reports false when the name is none of those.
func (t *fdpTranslator) modelFixed(name string, keys []*fdpAttribute) bool {
	if len(keys) != 1 {
		return false
	}
	field := ""
	switch name {
	case "phase", "budget_phase":
		field = "phase"
	case "direction":
		field = "direction"
	case "currency":
		field = "currency"
	default:
		return false
	}
	if t.model.col(field, nil) != nil {
		return false
	}
	t.model.add(field, t.attrColumn(keys[0]))
	return true
}
