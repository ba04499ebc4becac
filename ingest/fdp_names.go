package ingest

import (
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/mizan-budget/mizan"
)

// fdpCyrillic transliterates Cyrillic letters (Russian, Ukrainian,
// Serbian, Macedonian, Bulgarian) for identifiers only; labels keep the
// original script.
var fdpCyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ѓ': "gj", 'ґ': "g", 'д': "d", 'ђ': "dj", 'е': "e", 'ё': "e", 'є': "ye",
	'ж': "zh", 'з': "z", 'ѕ': "dz", 'и': "i", 'і': "i", 'ї': "yi", 'й': "y", 'ј': "j", 'к': "k", 'ќ': "kj", 'л': "l",
	'љ': "lj", 'м': "m", 'н': "n", 'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'ћ': "c", 'у': "u",
	'ў': "u", 'ф': "f", 'х': "h", 'ц': "c", 'ч': "ch", 'џ': "dz", 'ш': "sh", 'щ': "sht", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya",
}

// fdpLatin covers Latin letters that do not decompose into a base
// letter and a mark.
var fdpLatin = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i", 'ŀ': "l",
}

// fdpWords lowers s and spells it in ASCII letters and digits; every run
// of anything else becomes one separator sep.
func fdpWords(s string, sep byte) string {
	var b strings.Builder
	pending := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		var piece string
		switch {
		case r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			piece = string(r)
		default:
			if t, ok := fdpCyrillic[r]; ok {
				piece = t
			} else if t, ok := fdpLatin[r]; ok {
				piece = t
			}
		}
		if piece == "" {
			if _, ok := fdpCyrillic[r]; !ok { // ъ and ь vanish without splitting a word
				pending = b.Len() > 0
			}
			continue
		}
		if pending {
			b.WriteByte(sep)
			pending = false
		}
		b.WriteString(piece)
	}
	return b.String()
}

// fdpName turns a name from a package ("Department/Agency", "AÑO",
// "Број раздел") into a Mizan name (lower snake_case, mizan.ValidName), or ""
// when nothing usable is left.
func fdpName(s string) string {
	n := fdpWords(s, '_')
	if n != "" && n[0] >= '0' && n[0] <= '9' {
		n = "n" + n
	}
	if len(n) > 40 {
		n = strings.TrimRight(n[:40], "_")
	}
	if !mizan.ValidName(n) {
		return ""
	}
	return n
}

// fdpDatasetID turns a package name into a dataset id
// (mizan.ValidDatasetID), or "" when nothing usable is left.
func fdpDatasetID(s string) string {
	n := fdpWords(s, '-')
	if n != "" && n[0] >= '0' && n[0] <= '9' {
		n = "fdp-" + n
	}
	if len(n) > 63 {
		n = strings.TrimRight(n[:63], "-")
	}
	if !mizan.ValidDatasetID(n) {
		return ""
	}
	return n
}

// fdpUnique returns base, or base_2, base_3... whichever is not yet used,
// and marks it used. The result always passes mizan.ValidName.
func fdpUnique(base, fallback string, used map[string]bool) string {
	if base == "" {
		base = fallback
	}
	if !used[base] {
		used[base] = true
		return base
	}
	for i := 2; ; i++ {
		suffix := "_" + strconv.Itoa(i)
		b := base
		if len(b)+len(suffix) > 40 {
			b = strings.TrimRight(b[:40-len(suffix)], "_")
		}
		if n := b + suffix; !used[n] {
			used[n] = true
			return n
		}
	}
}

// fdpPhaseWords maps the words packages use for budget phases onto Mizan's.
var fdpPhaseWords = map[string]string{
	"proposed": mizan.PhaseProposed, "proposal": mizan.PhaseProposed, "draft": mizan.PhaseProposed,
	"requested": mizan.PhaseProposed, "request": mizan.PhaseProposed,
	"approved": mizan.PhaseApproved, "allocated": mizan.PhaseApproved, "enacted": mizan.PhaseApproved,
	"adopted": mizan.PhaseApproved, "initial": mizan.PhaseApproved, "original": mizan.PhaseApproved,
	"planned": mizan.PhaseApproved, "plan": mizan.PhaseApproved, "budgeted": mizan.PhaseApproved,
	"revised": mizan.PhaseRevised, "adjusted": mizan.PhaseRevised, "modified": mizan.PhaseRevised,
	"amended": mizan.PhaseRevised, "rebalance": mizan.PhaseRevised, "rebalanced": mizan.PhaseRevised,
	"supplementary": mizan.PhaseRevised,
	"committed":     mizan.PhaseCommitted, "commitment": mizan.PhaseCommitted, "obligated": mizan.PhaseCommitted,
	"executed": mizan.PhaseExecuted, "execution": mizan.PhaseExecuted, "actual": mizan.PhaseExecuted,
	"actuals": mizan.PhaseExecuted, "spent": mizan.PhaseExecuted, "expended": mizan.PhaseExecuted,
	"outturn": mizan.PhaseExecuted,
	"paid":    mizan.PhasePaid, "payment": mizan.PhasePaid, "payments": mizan.PhasePaid, "disbursed": mizan.PhasePaid,
}

// fdpPhase maps a phase word ("adjusted", "Actual") to a Mizan phase.
func fdpPhase(s string) (string, bool) {
	p, ok := fdpPhaseWords[fdpWords(s, '_')]
	return p, ok
}

// fdpDirection maps a direction word to a Mizan direction.
func fdpDirection(s string) (string, bool) {
	switch fdpWords(s, '_') {
	case "expenditure", "expenditures", "expense", "expenses", "spending", "outflow", "outgoing", "expenditure_side":
		return mizan.DirectionExpenditure, true
	case "revenue", "revenues", "income", "receipts", "inflow", "incoming", "revenue_side":
		return mizan.DirectionRevenue, true
	}
	return "", false
}

var fdpCurrencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// fdpCurrency upper-cases an ISO 4217 code and checks its shape.
func fdpCurrency(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	return c, fdpCurrencyRE.MatchString(c)
}

// fdpFactor checks a scale factor ("1000", "1e3", "0.001") and
// returns its plain decimal form; "" for a factor of one.
func fdpFactor(s string) (string, bool) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || r.Sign() <= 0 || len(s) > 64 {
		return "", false
	}
	if r.Cmp(big.NewRat(1, 1)) == 0 {
		return "", true
	}
	if r.IsInt() {
		return r.Num().String(), true
	}
	// A terminating decimal: find its scale (at most 30 places).
	for prec := 1; prec <= 30; prec++ {
		f := r.FloatString(prec)
		if back, ok := new(big.Rat).SetString(f); ok && back.Cmp(r) == 0 {
			return f, true
		}
	}
	return "", false
}

// fdpYearRE matches measure names that are years: "2015",
// "2014-15", "2014/2015", "FY2016".
var fdpYearRE = regexp.MustCompile(`^(?i:fy)?\s*((?:19|20)\d\d)(?:\s*[-/–]\s*(\d\d|\d{4}))?$`)

// fdpYear returns the year a name such as "2014-15" stands for: its first
// year, as Mizan reads fiscal years by default (Field.Format "end" is the
// opt-in for the second).
func fdpYear(s string) (string, bool) {
	m := fdpYearRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	start, _ := strconv.Atoi(m[1])
	if m[2] != "" {
		end, _ := strconv.Atoi(m[2])
		if len(m[2]) == 2 && end != (start+1)%100 || len(m[2]) == 4 && end != start+1 {
			return "", false
		}
	}
	return m[1], true
}
