package classification

import (
	"strings"

	"github.com/mizan-budget/mizan"
)

// GFS returns the English and Arabic labels of a GFSM 2014 economic
// classification code: the categories 1 Revenue, 2 Expense and 3
// Transactions in assets and liabilities, the two-digit headings (11 Taxes
// … 14 Other revenue, 21 Compensation of employees … 28 Other expense, 31
// Net acquisition of nonfinancial assets …) and their three-digit items.
// Separators, a "GFS" prefix and Arabic-Indic digits are ignored: "2.1.1"
// and "211" are the same code.
func GFS(code string) (mizan.Text, bool) {
	c, ok := GFSCode(code)
	if !ok {
		return nil, false
	}
	return gfs().label(c)
}

// GFSCode returns the canonical, digits-only form of a GFS code and whether
// the code exists.
func GFSCode(code string) (string, bool) {
	parts, ok := digitGroups(trimPrefixFold(strings.TrimSpace(code), "GFS"))
	if !ok {
		return "", false
	}
	c := strings.Join(parts, "")
	if _, ok := gfs().labels[c]; !ok {
		return "", false
	}
	return c, true
}

// GFSParent returns the canonical code of an existing GFS code's parent
// ("21" for "211", "2" for "21") and "" for a top category or an unknown code.
func GFSParent(code string) string {
	c, ok := GFSCode(code)
	if !ok || len(c) == 1 {
		return ""
	}
	return c[:len(c)-1]
}

// GFSCodes returns the codes with the given number of digits (1, 2 or 3),
// sorted.
func GFSCodes(digits int) []string { return gfs().codes(digits) }
