package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest/parse"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
)

// rowKind says what became of a source row.
type rowKind uint8

const (
	rowFacts    rowKind = iota // stored (possibly with some cells rejected)
	rowBlank                   // every cell empty
	rowSkip                    // matched a skip rule, or its amounts were empty under empty: skip
	rowTotal                   // a published total: checked, not stored
	rowParent                  // a parent row of a code-prefix hierarchy: checked, not stored
	rowRejected                // nothing stored, at least one reject
)

// fact is one mapped value before it becomes an Arrow row.
type fact struct {
	year    int32
	date    int32
	hasYear bool
	hasDate bool
	vals    [nFields]string // period, phase, direction, currency, measure ("" = NULL)
	keys    []string        // one per model level ("" = NULL)
	amount  decimal128.Num
	col     int // the amount's column
}

// memberObs is a member seen on a row.
type memberObs struct {
	level  int
	key    string
	parent string
	labels []langLabel
}

type langLabel struct{ lang, text string }

// rowOut collects what one row produced; it is reused from row to row.
type rowOut struct {
	kind    rowKind
	facts   []fact // checks (published totals) for rowTotal and rowParent
	rejects []store.Reject
	members []memberObs
	keys    []string
	labels  []langLabel
	codeBuf []byte
	// checkText asks mapRow to look for NUL bytes and U+FFFD in every
	// cell; process sets it for chunks holding any.
	checkText bool
}

func (o *rowOut) reset(nlevels int) {
	o.kind = rowFacts
	o.facts = o.facts[:0]
	o.rejects = o.rejects[:0]
	o.members = o.members[:0]
	o.labels = o.labels[:0]
	if cap(o.keys) < nlevels {
		o.keys = make([]string, nlevels)
	}
	o.keys = o.keys[:nlevels]
	clear(o.keys)
}

func (p *plan) reject(o *rowOut, line int64, col int, raw, reason string) {
	name := ""
	if col >= 0 && col < len(p.header) {
		name = cleanHeader(p.header[col])
	}
	o.rejects = append(o.rejects, store.Reject{SourceID: p.in.id, SourceRow: line, Column: name, Raw: clip(raw), Reason: reason})
}

// cleanHeader is a header name as shown in messages.
func cleanHeader(h string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(h, "\ufeff"), "ï»¿"))
}

// clip shortens raw values kept with rejects.
func clip(s string) string {
	const max = 200
	if len(s) <= max {
		return strings.Clone(s)
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// mapRow maps one source row (its fields and 1-based row number) into
// facts, checks, members and rejects.
func (p *plan) mapRow(fields []string, line int64, o *rowOut) {
	o.reset(len(p.m.levels))
	// Trailing empty cells beyond the header are spreadsheet noise.
	for len(fields) > p.ncols && strings.TrimSpace(fields[len(fields)-1]) == "" {
		fields = fields[:len(fields)-1]
	}
	blank := true
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			blank = false
			break
		}
	}
	if blank {
		o.kind = rowBlank
		return
	}
	if len(fields) != p.ncols {
		p.reject(o, line, -1, strings.Join(fields, string(p.delimiter())), "the row "+describeFields(len(fields), p.ncols))
		o.kind = rowRejected
		return
	}
	if col, reason := p.badCell(fields, o.checkText); col >= 0 {
		p.reject(o, line, col, fields[col], reason)
		o.kind = rowRejected
		return
	}
	for i := range p.skip {
		if p.skip[i].matches(fields) {
			o.kind = rowSkip
			return
		}
	}
	isTotal := p.totals != nil && p.totals.matches(fields)
	ownDepth := p.mapKeys(fields, o, isTotal)
	isParent := !isTotal && ownDepth >= 0
	var base fact
	base.keys = o.keys
	if !p.mapValues(fields, line, o, &base) {
		o.kind = rowRejected
		return
	}
	switch {
	case isTotal:
		o.kind = rowTotal
		o.members = o.members[:0]
	case isParent:
		o.kind = rowParent
	}
	skipped := 0
	if p.amount >= 0 {
		base.col = p.amount
		if ok, skip := p.mapAmount(fields[p.amount], line, p.amount, o, &base); ok {
			o.facts = append(o.facts, base)
		} else if skip {
			skipped++
		}
	} else {
		for i := range p.unpivot {
			uc := &p.unpivot[i]
			f := base
			f.col = uc.col
			if !p.applyUnpivot(uc, line, o, &f) {
				continue
			}
			if ok, skip := p.mapAmount(fields[uc.col], line, uc.col, o, &f); ok {
				o.facts = append(o.facts, f)
			} else if skip {
				skipped++
			}
		}
	}
	if o.kind == rowFacts && len(o.facts) == 0 {
		if len(o.rejects) > 0 {
			o.kind = rowRejected
		} else {
			o.kind = rowSkip
		}
	}
}

// MaxCellBytes bounds one cell of a source row: a longer value is not a
// label, code or amount but a runaway field or a file that is not a table.
const MaxCellBytes = 1 << 20

// badCell returns the first cell no value can come from, and why: one
// longer than MaxCellBytes, or (with checkText) one holding NUL bytes or
// U+FFFD, which the decoder put in place of bytes that were not text in
// the file's encoding. It returns -1 when every cell is fine.
func (p *plan) badCell(fields []string, checkText bool) (int, string) {
	for i, f := range fields {
		switch {
		case len(f) > MaxCellBytes:
			return i, fmt.Sprintf("a value of %d bytes, more than the %d allowed", len(f), MaxCellBytes)
		case !checkText:
		case strings.IndexByte(f, 0) >= 0:
			return i, "the value holds NUL bytes (binary data, or UTF-16 read as another encoding?)"
		case strings.ContainsRune(f, utf8.RuneError):
			return i, fmt.Sprintf("the value holds bytes that are not %s text (shown as \uFFFD); the file mixes encodings or is damaged", p.in.encoding)
		}
	}
	return -1, ""
}

func (p *plan) delimiter() byte {
	if p.in.format == "xlsx" {
		return '\t'
	}
	return p.in.dialect.delim
}

// mapKeys fills o.keys and o.members. For a parent row of a code-prefix
// hierarchy it returns the depth (within its group) of the row's own
// level, else -1.
func (p *plan) mapKeys(fields []string, o *rowOut, isTotal bool) int {
	parentDepth := -1
	for li := range p.levels {
		lp := &p.levels[li]
		if !lp.mapped || (isTotal && lp.isTotal) {
			continue
		}
		var key, label string
		if lp.label >= 0 {
			label = strings.TrimSpace(fields[lp.label])
		}
		own := true
		switch {
		case lp.value != "":
			key = lp.value
		case len(lp.codes) > 0:
			key = lp.mapKey(compositeCode(fields, lp.codes, &o.codeBuf))
		case lp.code >= 0:
			code := lp.mapKey(strings.TrimSpace(fields[lp.code]))
			if lp.prefix > 0 && code != "" {
				sig := significant(code)
				n := utf8.RuneCountInString(sig)
				g := &p.groups[lp.group]
				if n < g.max && parentDepth < 0 {
					// Shorter than the deepest level: a parent (subtotal) row.
					for d, lj := range g.levels {
						if p.levels[lj].prefix <= n {
							parentDepth = d
						}
					}
					if parentDepth < 0 {
						parentDepth = 0
					}
				}
				if n >= lp.prefix {
					key = prefixOf(sig, lp.prefix)
				}
				// The row's label names the deepest level its code reaches.
				if lp.ownLabel {
					own = n >= lp.prefix && (n < nextPrefix(p, lp) || nextPrefix(p, lp) == 0)
				}
			} else {
				key = code
			}
		default:
			key = lp.mapKey(label)
			label = key // the label is the key: a mapped key names the member
		}
		if key == "" {
			continue
		}
		o.keys[li] = key
		if isTotal {
			continue
		}
		obs := memberObs{level: li, key: key}
		if d := p.m.levels[li].depth; d > 0 {
			obs.parent = o.keys[li-1]
		}
		if own {
			start := len(o.labels)
			if label != "" {
				o.labels = append(o.labels, langLabel{p.m.lang, label})
			}
			for _, lc := range lp.labels {
				if t := strings.TrimSpace(fields[lc.col]); t != "" {
					o.labels = append(o.labels, langLabel{lc.lang, t})
				}
			}
			obs.labels = o.labels[start:len(o.labels):len(o.labels)]
		}
		o.members = append(o.members, obs)
	}
	return parentDepth
}

// mapKey applies the level's key map (exact first, then folded).
func (lp *levelPlan) mapKey(k string) string {
	if lp.keys == nil || k == "" {
		return k
	}
	if v, ok := lp.keys[k]; ok {
		return v
	}
	if v, ok := lp.keysFold[textnorm.Fold(k)]; ok {
		return v
	}
	return k
}

// compositeCode joins the trimmed values of a composite code's columns
// with "."; empty when one of them is.
func compositeCode(fields []string, cols []int, buf *[]byte) string {
	b := (*buf)[:0]
	for i, c := range cols {
		v := strings.TrimSpace(fields[c])
		if v == "" {
			return ""
		}
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, v...)
	}
	*buf = b
	return string(b)
}

// nextPrefix returns the prefix of the next deeper level in lp's group (0
// when lp is the deepest).
func nextPrefix(p *plan, lp *levelPlan) int {
	g := &p.groups[lp.group]
	for i, lj := range g.levels {
		if &p.levels[lj] == lp && i+1 < len(g.levels) {
			return p.levels[g.levels[i+1]].prefix
		}
	}
	return 0
}

// prefixOf returns the first n characters of s.
func prefixOf(s string, n int) string {
	if len(s) == utf8.RuneCountInString(s) {
		return s[:n]
	}
	return string([]rune(s)[:n])
}

// mapValues reads year, period, date, phase, direction, currency and
// measure into f; false when one is rejected.
func (p *plan) mapValues(fields []string, line int64, o *rowOut, f *fact) bool {
	ok := true
	keys := f.keys
	*f = p.konst // the constant fields, checked once by compilePlan
	f.keys = keys
	for i := range p.fields {
		fp := &p.fields[i]
		if !fp.set || fp.col < 0 {
			continue
		}
		raw := fp.mapValue(strings.TrimSpace(fields[fp.col]))
		if err := p.setValue(i, raw, fp.format, f); err != nil {
			p.reject(o, line, fp.col, raw, err.Error())
			ok = false
		}
	}
	if p.yearFromDate && f.hasDate {
		f.year, f.hasYear = int32(yearOfDays(f.date)), true
	}
	if f.vals[fCurrency] == "" {
		f.vals[fCurrency] = p.m.currency
	}
	return ok
}

// setValue validates one canonical value into f.
func (p *plan) setValue(field int, raw, format string, f *fact) error {
	switch field {
	case fYear:
		if raw == "" {
			f.hasYear = false
			return nil
		}
		y, err := parse.ParseFiscalYear(raw, format == "end")
		if err != nil {
			return fmt.Errorf("%q is not a year", raw)
		}
		f.year, f.hasYear = int32(y), true
	case fDate:
		if raw == "" {
			f.hasDate = false
			return nil
		}
		d, err := parse.ParseDate(raw, format)
		if errors.Is(err, parse.ErrEmpty) {
			f.hasDate = false
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s", err)
		}
		f.date, f.hasDate = daysFromCivil(d.Year, d.Month, d.Day), true
	case fPhase:
		if raw == "" {
			return fmt.Errorf("the phase is empty")
		}
		v, ok := canonicalPhase(raw)
		if !ok {
			return fmt.Errorf("%q is not a budget phase (%s); map it with mapping.phase.map", raw, strings.Join(mizan.Phases, ", "))
		}
		f.vals[field] = v
	case fDirection:
		if raw == "" {
			return fmt.Errorf("the direction is empty")
		}
		v, ok := canonicalDirection(raw)
		if !ok {
			return fmt.Errorf("%q is neither expenditure nor revenue; map it with mapping.direction.map", raw)
		}
		f.vals[field] = v
	case fCurrency:
		v := strings.ToUpper(strings.TrimSpace(raw))
		if v == "" {
			v = p.m.currency
		}
		if _, ok := MinorUnits(v); !ok {
			return fmt.Errorf("%q is not an ISO 4217 currency code", raw)
		}
		f.vals[field] = v
	default:
		f.vals[field] = raw
	}
	return nil
}

// applyUnpivot sets the values an unpivoted column carries.
func (p *plan) applyUnpivot(uc *unpivotCol, line int64, o *rowOut, f *fact) bool {
	for i, v := range uc.set {
		if v == "" {
			continue
		}
		if err := p.setValue(i, v, p.fields[i].format, f); err != nil {
			p.reject(o, line, uc.col, v, "column header: "+err.Error())
			return false
		}
	}
	return true
}

// mapAmount parses an amount cell into f.amount. skip reports an empty
// cell that the source's empty policy skips.
func (p *plan) mapAmount(raw string, line int64, col int, o *rowOut, f *fact) (ok, skip bool) {
	d, err := parse.ParseAmount(raw, p.numFmt)
	if errors.Is(err, parse.ErrEmpty) {
		switch p.empty {
		case "zero":
			f.amount = decimal128.Num{}
			return true, false
		case "skip":
			return false, true
		}
		p.reject(o, line, col, raw, "the amount is empty")
		return false, false
	}
	if err != nil {
		p.reject(o, line, col, raw, err.Error())
		return false, false
	}
	if p.m.factor != 1 {
		if d, err = d.MulInt(p.m.factor); err != nil {
			p.reject(o, line, col, raw, fmt.Sprintf("%q is too large once multiplied by the factor %d", strings.TrimSpace(raw), p.m.factor))
			return false, false
		}
	}
	n, err := d.Rescale(p.m.scale)
	if err != nil {
		if d.Scale() > p.m.scale {
			p.reject(o, line, col, raw, fmt.Sprintf("%q has more decimal places than the %d this dataset keeps (%s)", strings.TrimSpace(raw), p.m.scale, p.m.currency))
		} else {
			p.reject(o, line, col, raw, fmt.Sprintf("%q is too large to store", strings.TrimSpace(raw)))
		}
		return false, false
	}
	if !n.FitsInPrecision(p.m.prec) {
		p.reject(o, line, col, raw, fmt.Sprintf("%q has %d digits at %d decimal places; this dataset stores at most %d (set precision: %d in the descriptor for larger amounts)",
			strings.TrimSpace(raw), len(n.Abs().BigInt().String()), p.m.scale, p.m.prec, store.WidePrecision))
		return false, false
	}
	f.amount = n
	return true, false
}

// daysFromCivil returns days since 1970-01-01 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int32 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}

// yearOfDays returns the calendar year of a day count since 1970-01-01.
func yearOfDays(z32 int32) int {
	z := int(z32) + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y
}

// rejectMessage is a reject in plain words: file, row, column, reason.
func rejectMessage(label string, r store.Reject) string {
	if r.Column == "" {
		return fmt.Sprintf("%s row %d: %s", label, r.SourceRow, r.Reason)
	}
	return fmt.Sprintf("%s row %d, column %s: %s", label, r.SourceRow, strconv.Quote(r.Column), r.Reason)
}
