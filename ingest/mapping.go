package ingest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest/parse"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
)

// model is what every source of one ingest shares: the fact columns.
type model struct {
	d        *Descriptor
	scale    int32
	prec     int32 // digits of a stored amount (store.DefaultPrecision or WidePrecision)
	factor   int64
	currency string
	lang     string
	levels   []levelRef // every dimension level, in fact-schema order
	dims     []mizan.Dimension
	payments bool
	cofog    map[string]bool // dimensions with built-in COFOG labels
}

// levelRef names one dimension level.
type levelRef struct {
	dim, level string
	dimIdx     int
	depth      int // 0 = top level of its dimension
	cofog      bool
}

func newModel(d *Descriptor) *model {
	m := &model{d: d, currency: d.Currency, lang: d.Language, factor: 1, payments: d.Kind == mizan.KindPayments, cofog: map[string]bool{}}
	if m.lang == "" {
		m.lang = "en"
	}
	m.scale, _ = MinorUnits(d.Currency)
	if d.Decimals != nil {
		m.scale = *d.Decimals
	}
	m.prec = d.Precision
	if m.prec == 0 {
		m.prec = store.DefaultPrecision
	}
	if d.Factor != "" {
		m.factor, _ = parseFactor(d.Factor)
	}
	for i, dm := range d.Dimensions {
		kind := dm.Kind
		if kind == "" {
			kind = mizan.KindAttribute
			if len(dm.Levels) > 1 {
				kind = mizan.KindClassification
			}
		}
		m.cofog[dm.ID] = dm.Classification == "cofog"
		md := mizan.Dimension{ID: dm.ID, Kind: kind, Label: dm.Label, Classification: dm.Classification}
		for j, l := range dm.Levels {
			md.Levels = append(md.Levels, mizan.Level{ID: l.ID, Label: l.Label})
			m.levels = append(m.levels, levelRef{dim: dm.ID, level: l.ID, dimIdx: i, depth: j, cofog: dm.Classification == "cofog"})
		}
		m.dims = append(m.dims, md)
	}
	return m
}

// levelIndex returns the position of dim.level in m.levels.
func (m *model) levelIndex(dim, level string) int {
	for i, l := range m.levels {
		if l.dim == dim && (l.level == level || level == "" && l.depth == 0) {
			return i
		}
	}
	return -1
}

// plan is a source's mapping compiled against its header.
type plan struct {
	m       *model
	in      *input
	header  []string
	ncols   int
	numFmt  parse.NumberFormat
	empty   string
	fields  [nFields]fieldPlan
	amount  int // column of the amount (-1 with unpivot)
	unpivot []unpivotCol
	levels  []levelPlan // one per m.levels
	groups  []prefixGroup
	totals  *matchPlan
	skip    []matchPlan
	// konst holds the values of constant fields.
	konst fact
	// aggregate says whether facts must be summed for reconciliation.
	aggregate    bool
	yearFromDate bool
}

// Canonical fields a mapping sets.
const (
	fYear = iota
	fPeriod
	fDate
	fPhase
	fDirection
	fCurrency
	fMeasure
	nFields
)

var fieldNames = [nFields]string{mizan.DimYear, mizan.DimPeriod, mizan.DimDate, mizan.DimPhase, mizan.DimDirection, mizan.DimCurrency, mizan.DimMeasure}

// fieldPlan reads one canonical field.
type fieldPlan struct {
	set    bool
	col    int // -1: constant
	konst  string
	m      map[string]string
	mFold  map[string]string
	format string
}

// unpivotCol is one wide column turned into facts.
type unpivotCol struct {
	col  int
	name string
	set  [nFields]string // values this column sets ("" = not set)
}

// levelPlan reads one dimension level.
type levelPlan struct {
	mapped   bool
	code     int   // -1: none (or a composite code)
	codes    []int // the columns of a composite code
	value    string
	keys     map[string]string // raw key → key (LevelMapping.Map)
	keysFold map[string]string // the same, folded
	label    int               // -1: none
	labels   []langCol
	prefix   int
	group    int  // index into plan.groups, -1 when not part of a prefix hierarchy
	ownLabel bool // the label column is shared with other levels of the group
	isTotal  bool // the level's column is the totals column
	nlabels  int  // how many label languages the level's columns can give
}

type langCol struct {
	lang string
	col  int
}

// prefixGroup is a code-prefix hierarchy: levels cut from one code column.
type prefixGroup struct {
	code   int
	levels []int // indexes into plan.levels, shallow first
	max    int   // the deepest level's prefix
}

// matchPlan matches rows by a regular expression over a column.
type matchPlan struct {
	col int // -1: any column
	re  *regexp.Regexp
}

func (mp *matchPlan) matches(fields []string) bool {
	if mp.col >= 0 {
		return mp.col < len(fields) && mp.re.MatchString(strings.TrimSpace(fields[mp.col]))
	}
	for _, f := range fields {
		if f != "" && mp.re.MatchString(strings.TrimSpace(f)) {
			return true
		}
	}
	return false
}

// normHeader is how header names are compared: BOMs and case and spacing
// and accents ignored.
func normHeader(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.TrimPrefix(s, "ï»¿")
	return textnorm.Fold(s)
}

// wantedColumns lists the columns a source's mapping names; each entry is
// a set of alternative names.
func wantedColumns(s *SourceSpec) [][]string {
	var out [][]string
	add := func(names ...string) {
		var alts []string
		for _, n := range names {
			if n != "" {
				alts = append(alts, n)
			}
		}
		if len(alts) > 0 {
			out = append(out, alts)
		}
	}
	mp := &s.Mapping
	for _, f := range []*Field{mp.Year, mp.Period, mp.Date, mp.Phase, mp.Direction, mp.Currency, mp.Measure, mp.Amount} {
		if f != nil && f.Column != "" {
			add(append([]string{f.Column}, f.Aliases...)...)
		}
	}
	for _, lvls := range mp.Dimensions {
		for _, lm := range lvls {
			for _, c := range lm.CodeColumns() {
				add(c)
			}
			add(lm.Label)
			for _, c := range lm.Labels {
				add(c)
			}
		}
	}
	if mp.Unpivot != nil {
		for _, c := range mp.Unpivot.Columns {
			add(c)
		}
	}
	if mp.Totals != nil {
		add(mp.Totals.Column)
	}
	for _, r := range mp.Skip {
		add(r.Column)
	}
	return out
}

// headerScore counts how many wanted columns a row names.
func headerScore(fields []string, wanted [][]string, pattern *regexp.Regexp) (found int, missing []string, ok bool) {
	have := make(map[string]bool, len(fields))
	for _, f := range fields {
		have[normHeader(f)] = true
	}
	for _, alts := range wanted {
		hit := false
		for _, a := range alts {
			if have[normHeader(a)] {
				hit = true
				break
			}
		}
		if hit {
			found++
		} else {
			missing = append(missing, alts[0])
		}
	}
	ok = len(missing) == 0
	if pattern != nil {
		n := 0
		for _, f := range fields {
			if pattern.MatchString(strings.TrimSpace(f)) {
				n++
			}
		}
		if n == 0 {
			ok = false
			missing = append(missing, "a column matching "+pattern.String())
		}
		found += n
	}
	return found, missing, ok
}

// compilePlan resolves a source's mapping against its header.
func compilePlan(m *model, in *input, header []string) (*plan, error) {
	s := &in.raw.spec
	p := &plan{m: m, in: in, header: header, ncols: len(header), amount: -1, empty: s.Empty}
	if p.empty == "" {
		p.empty = "reject"
	}
	var err error
	if p.numFmt, err = numberFormat(s.Number); err != nil {
		return nil, err
	}
	index := map[string]int{}
	second := map[string]int{} // a name's second column, when it has one
	for i, h := range header {
		k := normHeader(h)
		if _, dup := index[k]; !dup {
			index[k] = i
		} else if _, ok := second[k]; !ok {
			second[k] = i
		}
	}
	col := func(names ...string) int {
		for _, n := range names {
			if n == "" {
				continue
			}
			if i, ok := index[normHeader(n)]; ok {
				return i
			}
		}
		return -1
	}
	need := func(what string, names ...string) (int, error) {
		if i := col(names...); i >= 0 {
			if j, dup := second[normHeader(header[i])]; dup {
				return -1, mizan.Errorf(mizan.EINVALID, "%s: the header names two columns %q (columns %d and %d), so %s is ambiguous; rename one",
					in.label, cleanHeader(header[i]), i+1, j+1, what)
			}
			return i, nil
		}
		return -1, mizan.Errorf(mizan.EINVALID, "%s: the header has no column %q for %s", in.label, names[0], what)
	}
	mp := &s.Mapping
	for i, f := range []*Field{mp.Year, mp.Period, mp.Date, mp.Phase, mp.Direction, mp.Currency, mp.Measure} {
		if f == nil {
			continue
		}
		fp := fieldPlan{set: true, col: -1, m: f.Map, format: f.Format}
		if len(f.Map) > 0 {
			fp.mFold = map[string]string{}
			for k, v := range f.Map {
				fp.mFold[textnorm.Fold(k)] = v
			}
		}
		switch {
		case f.From == "date":
			p.yearFromDate = true
			continue
		case f.Column != "":
			if fp.col, err = need(fieldNames[i], append([]string{f.Column}, f.Aliases...)...); err != nil {
				return nil, err
			}
		default:
			fp.konst = fp.mapValue(f.Value)
		}
		p.fields[i] = fp
	}
	if m.payments {
		for i, v := range map[int]string{fPhase: mizan.PhasePaid, fDirection: mizan.DirectionExpenditure} {
			if !p.fields[i].set {
				p.fields[i] = fieldPlan{set: true, col: -1, konst: v}
			}
		}
	}
	for i := range p.fields {
		if fp := &p.fields[i]; fp.set && fp.col < 0 {
			if err := p.setValue(i, fp.konst, fp.format, &p.konst); err != nil {
				return nil, mizan.Errorf(mizan.EINVALID, "%s: mapping.%s: %v", in.label, fieldNames[i], err)
			}
		}
	}
	if mp.Amount != nil {
		if p.amount, err = need("the amount", append([]string{mp.Amount.Column}, mp.Amount.Aliases...)...); err != nil {
			return nil, err
		}
	}
	if u := mp.Unpivot; u != nil {
		var re *regexp.Regexp
		if u.Pattern != "" {
			re = regexp.MustCompile(u.Pattern) // validated
		}
		for i, h := range header {
			name := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
			listed := slices.ContainsFunc(u.Columns, func(c string) bool { return normHeader(c) == normHeader(name) })
			if !listed && (re == nil || !re.MatchString(name)) {
				continue
			}
			uc := unpivotCol{col: i, name: name}
			v := name
			if x, ok := lookupFold(u.Values, name); ok {
				v = x
			}
			if k := slices.Index(fieldNames[:], u.Into); k >= 0 {
				uc.set[k] = v
			}
			if also, ok := lookupFoldMap(u.Also, name); ok {
				for k, v := range also {
					if j := slices.Index(fieldNames[:], k); j >= 0 {
						uc.set[j] = v
					}
				}
			}
			p.unpivot = append(p.unpivot, uc)
		}
		for _, c := range u.Columns {
			if col(c) < 0 {
				return nil, mizan.Errorf(mizan.EINVALID, "%s: the header has no column %q to unpivot", in.label, c)
			}
		}
		for _, uc := range p.unpivot {
			var f fact
			for i, v := range uc.set {
				if v == "" {
					continue
				}
				if err := p.setValue(i, v, p.fields[i].format, &f); err != nil {
					return nil, mizan.Errorf(mizan.EINVALID, "%s: unpivoted column %q: %v", in.label, uc.name, err)
				}
			}
		}
		if len(p.unpivot) == 0 {
			return nil, mizan.Errorf(mizan.EINVALID, "%s: no column of the header matches the unpivot pattern %q", in.label, u.Pattern)
		}
	}
	if mp.Totals != nil {
		mpl, err := compileMatch(in, *mp.Totals, col)
		if err != nil {
			return nil, err
		}
		p.totals = mpl
		p.aggregate = true
	}
	for _, r := range mp.Skip {
		mpl, err := compileMatch(in, r, col)
		if err != nil {
			return nil, err
		}
		p.skip = append(p.skip, *mpl)
	}
	p.levels = make([]levelPlan, len(m.levels))
	for i := range p.levels {
		p.levels[i] = levelPlan{code: -1, label: -1, group: -1}
	}
	for dimID, lvls := range mp.Dimensions {
		for _, lm := range lvls {
			li := m.levelIndex(dimID, lm.Level)
			if li < 0 {
				return nil, mizan.Errorf(mizan.EINVALID, "%s: no dimension level %s.%s", in.label, dimID, lm.Level)
			}
			lp := &p.levels[li]
			lp.mapped, lp.prefix, lp.value = true, lm.Prefix, lm.Value
			what := fmt.Sprintf("%s.%s", dimID, m.levels[li].level)
			if lm.Code != "" {
				if lp.code, err = need(what+" codes", lm.Code); err != nil {
					return nil, err
				}
			}
			for _, c := range lm.Codes {
				i, err := need(what+" codes", c)
				if err != nil {
					return nil, err
				}
				lp.codes = append(lp.codes, i)
			}
			if len(lm.Map) > 0 {
				lp.keys, lp.keysFold = lm.Map, map[string]string{}
				for k, v := range lm.Map {
					lp.keysFold[textnorm.Fold(k)] = v
				}
			}
			if lm.Label != "" {
				if lp.label, err = need(what+" labels", lm.Label); err != nil {
					return nil, err
				}
			}
			langs := make([]string, 0, len(lm.Labels))
			for lang := range lm.Labels {
				langs = append(langs, lang)
			}
			slices.Sort(langs)
			for _, lang := range langs {
				c, err := need(what+" labels in "+lang, lm.Labels[lang])
				if err != nil {
					return nil, err
				}
				lp.labels = append(lp.labels, langCol{lang: lang, col: c})
			}
			lp.nlabels = len(lp.labels)
			if lp.label >= 0 {
				lp.nlabels++
			}
			if p.totals != nil && p.totals.col >= 0 && (lp.code == p.totals.col || lp.code < 0 && lp.label == p.totals.col) {
				lp.isTotal = true
			}
		}
	}
	// Code-prefix hierarchies: levels of one dimension cut from one column.
	for li := range p.levels {
		lp := &p.levels[li]
		if !lp.mapped || lp.prefix == 0 || lp.group >= 0 {
			continue
		}
		g := prefixGroup{code: lp.code}
		for lj := li; lj < len(p.levels); lj++ {
			q := &p.levels[lj]
			if m.levels[lj].dimIdx == m.levels[li].dimIdx && q.mapped && q.prefix > 0 && q.code == lp.code {
				q.group = len(p.groups)
				g.levels = append(g.levels, lj)
				g.max = max(g.max, q.prefix)
			}
		}
		for _, lj := range g.levels {
			q := &p.levels[lj]
			for _, lk := range g.levels {
				if lk != lj && q.label >= 0 && p.levels[lk].label == q.label {
					q.ownLabel = true
				}
			}
		}
		p.groups = append(p.groups, g)
		p.aggregate = true
	}
	return p, nil
}

func compileMatch(in *input, r RowMatch, col func(...string) int) (*matchPlan, error) {
	mp := &matchPlan{col: -1, re: regexp.MustCompile(r.Match)} // validated
	if r.Column != "" {
		if mp.col = col(r.Column); mp.col < 0 {
			return nil, mizan.Errorf(mizan.EINVALID, "%s: the header has no column %q to match rows on", in.label, r.Column)
		}
	}
	return mp, nil
}

// mapValue applies a field's value map: exact first, then folded.
func (fp *fieldPlan) mapValue(v string) string {
	if len(fp.m) == 0 {
		return v
	}
	if x, ok := fp.m[v]; ok {
		return x
	}
	if x, ok := fp.mFold[textnorm.Fold(v)]; ok {
		return x
	}
	return v
}

func lookupFold(m map[string]string, k string) (string, bool) {
	if v, ok := m[k]; ok {
		return v, true
	}
	for mk, v := range m {
		if normHeader(mk) == normHeader(k) {
			return v, true
		}
	}
	return "", false
}

func lookupFoldMap(m map[string]map[string]string, k string) (map[string]string, bool) {
	if v, ok := m[k]; ok {
		return v, true
	}
	for mk, v := range m {
		if normHeader(mk) == normHeader(k) {
			return v, true
		}
	}
	return nil, false
}

// numberFormat turns a NumberSpec into the parser's format.
func numberFormat(n NumberSpec) (parse.NumberFormat, error) {
	var f parse.NumberFormat
	one := func(s, what string) (rune, error) {
		switch strings.ToLower(s) {
		case "":
			return 0, nil
		case "space":
			return ' ', nil
		case "none":
			return 0, nil
		}
		r := []rune(s)
		if len(r) != 1 {
			return 0, fmt.Errorf("number.%s %q: write one character", what, s)
		}
		return r[0], nil
	}
	var err error
	if f.DecimalSep, err = one(n.Decimal, "decimal"); err != nil {
		return f, err
	}
	if f.GroupSep, err = one(n.Group, "group"); err != nil {
		return f, err
	}
	if f.DecimalSep != 0 && f.DecimalSep == f.GroupSep {
		return f, fmt.Errorf("number: the decimal and group separators must differ")
	}
	return f, nil
}

// significant keeps the letters and digits of a code ("01.1.2" → "0112"),
// with Arabic-Indic and Persian digits read as ASCII ones.
func significant(code string) string {
	clean := true
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			clean = false
			break
		}
	}
	if clean {
		return code
	}
	var b strings.Builder
	for _, r := range code {
		switch {
		case r >= '٠' && r <= '٩':
			b.WriteByte(byte('0' + r - '٠'))
		case r >= '۰' && r <= '۹':
			b.WriteByte(byte('0' + r - '۰'))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
