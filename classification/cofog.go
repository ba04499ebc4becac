package classification

import (
	"strings"

	"github.com/mizan-budget/mizan"
)

// COFOG levels.
const (
	COFOGDivision = 1 // "07" Health
	COFOGGroup    = 2 // "07.2" Outpatient services
	COFOGClass    = 3 // "07.2.1" General medical services
)

// COFOG returns the English and Arabic labels of a COFOG division, group or
// class. It accepts the usual spellings of a code: "07", "7", "07.2", "7.2",
// "072", "0702", "07.2.1", "0721", "GF07", "GF0702", and Arabic-Indic digits.
func COFOG(code string) (mizan.Text, bool) {
	c, ok := COFOGCode(code)
	if !ok {
		return nil, false
	}
	return cofog().label(c)
}

// COFOGCode returns the canonical dotted form ("07", "07.2", "07.2.1") of a
// COFOG code written any way COFOG accepts, and whether that code exists.
func COFOGCode(code string) (string, bool) {
	c, ok := normalizeCOFOG(code)
	if !ok {
		return "", false
	}
	if _, ok := cofog().labels[c]; !ok {
		return "", false
	}
	return c, true
}

// COFOGLevel returns the level of an existing COFOG code: 1 for a division,
// 2 for a group, 3 for a class.
func COFOGLevel(code string) (level int, ok bool) {
	c, ok := COFOGCode(code)
	if !ok {
		return 0, false
	}
	return strings.Count(c, ".") + 1, true
}

// COFOGParent returns the canonical code of an existing COFOG code's parent:
// the group of a class, the division of a group, and "" for a division or a
// code that does not exist.
func COFOGParent(code string) string {
	c, ok := COFOGCode(code)
	if !ok {
		return ""
	}
	i := strings.LastIndexByte(c, '.')
	if i < 0 {
		return ""
	}
	return c[:i]
}

// COFOGCodes returns the canonical codes of one level (COFOGDivision,
// COFOGGroup or COFOGClass), sorted.
func COFOGCodes(level int) []string { return cofog().codes(level) }

// normalizeCOFOG turns a spelling of a COFOG code into the dotted form
// without checking that the code exists.
func normalizeCOFOG(code string) (string, bool) {
	s := trimPrefixFold(strings.TrimSpace(code), "GF")
	parts, ok := digitGroups(s)
	if !ok {
		return "", false
	}
	var div, group, class string
	if len(parts) == 1 {
		d := parts[0]
		switch len(d) {
		case 1, 2:
			div = d
		case 3: // "072"
			div, group = d[:2], d[2:]
		case 4:
			if d[2] == '0' { // "0702": two-digit group, as the IMF and Eurostat write it
				div, group = d[:2], d[3:]
			} else { // "0721"
				div, group, class = d[:2], d[2:3], d[3:]
			}
		default:
			return "", false
		}
	} else {
		if len(parts) > 3 || len(parts[0]) > 2 {
			return "", false
		}
		div = parts[0]
		group = parts[1]
		if len(group) == 2 && group[0] == '0' { // "07.02"
			group = group[1:]
		}
		if len(group) != 1 {
			return "", false
		}
		if len(parts) == 3 {
			class = parts[2]
			if len(class) != 1 {
				return "", false
			}
		}
	}
	if len(div) == 1 {
		div = "0" + div
	}
	out := div
	if group != "" {
		out += "." + group
	}
	if class != "" {
		out += "." + class
	}
	return out, true
}
