package synth

import (
	"strconv"
	"strings"
)

// cofogFields returns the division, group and class fields of a COFOG
// class, or empty fields for "".
func cofogFields(cfg Config, class string) []byte {
	if class == "" {
		return append(fields(cfg, "", name{}), append(fields(cfg, "", name{}), fields(cfg, "", name{})...)...)
	}
	var b []byte
	for _, c := range []string{class[:2], class[:4], class} {
		b = append(b, fields(cfg, c, cofogLabel(c))...)
	}
	return b
}

// economicFields returns the chapter and item fields of an economic item.
func economicFields(cfg Config, item string) []byte {
	return append(fields(cfg, item[:2], itemLabel(item[:2])), fields(cfg, item, itemLabel(item))...)
}

// fields returns one level's CSV fields, each preceded by a comma: the
// code and, unless CodesOnly, the Arabic and English labels.
func fields(cfg Config, code string, n name) []byte {
	b := appendField(nil, code)
	if !cfg.CodesOnly {
		b = appendField(b, n.ar)
		b = appendField(b, n.en)
	}
	return b
}

// appendField appends a comma and the concatenation of parts as one CSV
// field, quoted when it must be.
func appendField(b []byte, parts ...string) []byte {
	b = append(b, ',')
	quote := false
	for _, p := range parts {
		if strings.ContainsAny(p, ",\"\r\n") {
			quote = true
		}
	}
	if !quote {
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	b = append(b, '"')
	for _, p := range parts {
		b = append(b, strings.ReplaceAll(p, `"`, `""`)...)
	}
	return append(b, '"')
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func appendPadded(b []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendUnitCode appends the key of a department's unit in governorate g
// (0 = the headquarters) and cost centre cc (0 when units have one).
func (m *model) appendUnitCode(b []byte, d *deptInfo, g int, cc int64) []byte {
	b = append(b, d.code...)
	b = append(b, '-', '0'+byte(g/10), '0'+byte(g%10))
	if cc > 0 {
		b = append(b, '-')
		b = appendPadded(b, cc, m.ccWidth)
	}
	return b
}

// appendUnit appends a unit's CSV fields, each preceded by a comma.
func (m *model) appendUnit(b []byte, d *deptInfo, g int, cc int64) []byte {
	b = m.appendUnitCode(append(b, ','), d, g, cc)
	if m.cfg.CodesOnly {
		return b
	}
	where := hqSuffix
	if g > 0 {
		where = governorates[g-1].name
	}
	if cc > 0 {
		var num [20]byte
		n := string(strconv.AppendInt(num[:0], cc, 10))
		b = appendField(b, d.name.ar, " – ", where.ar, " – ", ccSuffix.ar, n)
		return appendField(b, d.name.en, " – ", where.en, " – ", ccSuffix.en, n)
	}
	b = appendField(b, d.name.ar, " – ", where.ar)
	return appendField(b, d.name.en, " – ", where.en)
}

// unitName returns the labels of a unit, as appendUnit writes them.
func unitName(d *deptInfo, g int, cc int64) name {
	where := hqSuffix
	if g > 0 {
		where = governorates[g-1].name
	}
	n := name{d.name.en + " – " + where.en, d.name.ar + " – " + where.ar}
	if cc > 0 {
		s := strconv.FormatInt(cc, 10)
		n.en += " – " + ccSuffix.en + s
		n.ar += " – " + ccSuffix.ar + s
	}
	return n
}
