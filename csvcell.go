package mizan

import "strings"

// SafeCell returns a free-text CSV cell (a label, a title, a name) so that
// a spreadsheet shows it rather than running it: a cell starting with =,
// +, -, @, a tab or a carriage return gets an apostrophe in front. Keys,
// amounts and dates are not free text and are written as they are.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
