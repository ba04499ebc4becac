package parse

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// ErrEmpty reports an empty cell: "", only spaces, or a lone dash such as
// "-", "–" or "—" (optionally with a currency sign, "$ -"). Callers decide
// whether an empty cell means zero or is a reject; test with errors.Is.
var ErrEmpty = errors.New("empty value")

// NumberFormat says how a source writes its numbers. A zero field means
// "infer it from each value" (see ParseAmount for the rules).
type NumberFormat struct {
	// DecimalSep is '.', ',' or '٫' (U+066B, Arabic decimal separator),
	// or 0 to infer.
	DecimalSep rune
	// GroupSep is the thousands separator: ',', '.', ' ', '\u00a0',
	// '\u202f', '\'', '٬' (U+066C) or '،' (U+060C), or 0 to infer.
	// Any kind of space matches any other kind of space.
	GroupSep rune
}

// amountError is the error returned for a value that is not an amount.
type amountError struct {
	input, reason string
}

func (e *amountError) Error() string {
	return quoteInput(e.input) + " is not an amount: " + e.reason
}

func badAmount(s, reason string) error { return &amountError{input: s, reason: reason} }

// quoteInput quotes s for an error message, shortening very long values.
func quoteInput(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) > max {
		n := 0
		for i := range s {
			if n == max {
				return strconv.Quote(s[:i]) + "…"
			}
			n++
		}
	}
	return strconv.Quote(s)
}

// ParseAmount reads a monetary amount exactly as written in a budget file.
//
// It accepts, around the number: spaces (including no-break and bidi marks),
// one leading or trailing sign ('-', '+', '−' U+2212, '–' en dash), accounting
// parentheses for negatives "(1,234)", and one currency symbol or code on each
// side ("£1,234.56", "1234 BHD", "BD 12.500", "د.ب 12.500", "EUR 5", "US$5").
// Inside the number: ASCII, Arabic-Indic (٠…٩) or Persian (۰…۹) digits,
// thousands separators, one decimal separator, and an exponent as written by
// Excel ("1.5E+06", read exactly, never through float64).
//
// It rejects percentages, letters, digits of other scripts, misplaced
// thousands separators ("1,23,4") and more than 38 significant digits. An
// empty cell or a lone dash returns ErrEmpty.
//
// Separators. Spaces, apostrophes, '٬' and '،' only ever group thousands and
// '٫' is only ever a decimal separator. When f leaves the decimal separator
// to inference ('.' versus ','), each value decides:
//   - if both '.' and ',' appear, the one that comes last is the decimal
//     separator: "1,234.56" and "1.234,56" both give 1234.56;
//   - a '.' that appears more than once groups thousands ("1.234.567"),
//     a single '.' is a decimal point ("1.234" is 1.234);
//   - a ',' that appears more than once groups thousands ("1,234,567");
//     a single ',' groups thousands when exactly 3 digits follow it and 1 to
//     3 digits, not starting with 0, come before it ("1,234" is 1234);
//     otherwise it is a decimal comma ("1,5" is 1.5, "0,125" is 0.125,
//     "1000,000" is 1000.000, "1 234,567" is 1234.567).
//
// Set f when a source is known to write "1.234" for one thousand two hundred
// and thirty-four. Grouping must be regular: groups of three digits, or the
// Indian lakh/crore pattern ("12,34,567.00").
func ParseAmount(s string, f NumberFormat) (Decimal, error) {
	var dec, grp byte
	switch {
	case f.DecimalSep == 0 && f.GroupSep == 0:
		// With inference, a value that reads as "1,234.5" or as "1.234,5"
		// (and not as the first) means the same to parseSlow.
		if d, ok := parseFast(s, '.', ','); ok {
			return d, nil
		}
		dec, grp = ',', '.'
	case f.DecimalSep == 0 && f.GroupSep == ',',
		f.DecimalSep == '.' && (f.GroupSep == 0 || f.GroupSep == ','):
		dec, grp = '.', ','
	case f.DecimalSep == 0 && f.GroupSep == '.',
		f.DecimalSep == ',' && (f.GroupSep == 0 || f.GroupSep == '.'):
		dec, grp = ',', '.'
	}
	if dec != 0 {
		if d, ok := parseFast(s, dec, grp); ok {
			return d, nil
		}
	}
	return parseSlow(s, f)
}

// parseFast handles the common case without allocating: ASCII spaces around
// an optional leading or trailing '-' or parentheses, up to 19 digits, regular thousands separators grp
// and one decimal separator dec. It gives up (ok == false) on anything else;
// whenever it succeeds, parseSlow would return the same Decimal.
func parseFast(s string, dec, grp byte) (d Decimal, ok bool) {
	i, j := 0, len(s)
	for i < j && s[i] == ' ' {
		i++
	}
	for j > i && s[j-1] == ' ' {
		j--
	}
	neg := false
	switch {
	case i < j && s[i] == '-':
		neg = true
		i++
	case j-i > 1 && s[j-1] == '-':
		neg = true
		j--
	case j-i > 2 && s[i] == '(' && s[j-1] == ')':
		neg = true
		i++
		j--
	}
	var v uint64
	nd, groupLen, ngroups, scale := 0, 0, 0, -1
	for k := i; k < j; k++ {
		c := s[k]
		switch {
		case c >= '0' && c <= '9':
			if nd == 19 {
				return d, false
			}
			v = v*10 + uint64(c-'0')
			nd++
			groupLen++
			if scale >= 0 {
				scale++
			}
		case c == grp:
			if scale >= 0 {
				return d, false
			}
			if ngroups == 0 {
				if groupLen < 1 || groupLen > 3 || s[i] == '0' {
					return d, false
				}
			} else if groupLen != 3 {
				return d, false
			}
			ngroups++
			groupLen = 0
		case c == dec:
			if scale >= 0 || (ngroups > 0 && groupLen != 3) {
				return d, false
			}
			scale = 0
		default:
			return d, false
		}
	}
	if nd == 0 || (scale < 0 && ngroups > 0 && groupLen != 3) {
		return d, false
	}
	if scale < 0 {
		scale = 0
	}
	return Decimal{mag: u128{0, v}, scale: int32(scale), neg: neg && v != 0}, true
}

// Separator classes.
const (
	clsNone = iota
	clsDot
	clsComma
	clsSpace
	clsApos
	clsArDec   // ٫ U+066B
	clsArThou  // ٬ U+066C
	clsArComma // ، U+060C
	numCls
)

func sepClass(r rune) int {
	switch r {
	case '.':
		return clsDot
	case ',':
		return clsComma
	case '\'', '\u2019':
		return clsApos
	case '\u066b':
		return clsArDec
	case '\u066c':
		return clsArThou
	case '\u060c':
		return clsArComma
	}
	if isSpace(r) {
		return clsSpace
	}
	return clsNone
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\u00a0' || r == '\u202f' || r == '\u2009' || r == '\u2007' ||
		(r > 0x7f && unicode.IsSpace(r))
}

// isIgnorable reports invisible formatting characters that spreadsheets and
// right-to-left text carry around numbers: bidi marks, zero-width spaces and
// byte order marks.
func isIgnorable(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u061c', '\ufeff',
		'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069':
		return true
	}
	return false
}

func isMinus(r rune) bool {
	switch r {
	case '-', '\u2212', '\u2013', '\u2012', '\u2014', '\ufe63', '\uff0d':
		return true
	}
	return false
}

// digitVal returns the value of an ASCII, Arabic-Indic or Persian digit, or -1.
func digitVal(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '\u0660' && r <= '\u0669':
		return int(r - '\u0660')
	case r >= '\u06f0' && r <= '\u06f9':
		return int(r - '\u06f0')
	}
	return -1
}

func formatClass(r rune, what string) (int, error) {
	if r == 0 {
		return clsNone, nil
	}
	c := sepClass(r)
	ok := c != clsNone
	if what == "decimal" {
		ok = c == clsDot || c == clsComma || c == clsArDec
	} else if c == clsArDec {
		ok = false
	}
	if !ok {
		return clsNone, fmt.Errorf("number format: %q cannot be a %s separator", r, what)
	}
	return c, nil
}

func parseSlow(s string, f NumberFormat) (Decimal, error) {
	fDec, err := formatClass(f.DecimalSep, "decimal")
	if err != nil {
		return Decimal{}, err
	}
	fGrp, err := formatClass(f.GroupSep, "thousands")
	if err != nil {
		return Decimal{}, err
	}
	if fDec != clsNone && fDec == fGrp {
		return Decimal{}, fmt.Errorf("number format: %q cannot be both the decimal and the thousands separator", f.DecimalSep)
	}

	i, j := 0, len(s)
	var neg, signed, open, closed, curFront, curBack bool
	setSign := func(minus bool) error {
		if signed {
			return badAmount(s, "more than one sign")
		}
		signed, neg = true, minus
		return nil
	}
	// Leading decorations: spaces, '(', a sign, a currency.
front:
	for first := true; i < j; first = false {
		r, n := utf8.DecodeRuneInString(s[i:j])
		switch {
		case isSpace(r) || isIgnorable(r):
		case r == '(':
			if open {
				return Decimal{}, badAmount(s, "more than one opening parenthesis")
			}
			open = true
		case isMinus(r):
			if err := setSign(true); err != nil {
				return Decimal{}, err
			}
		case r == '+':
			if err := setSign(false); err != nil {
				return Decimal{}, err
			}
		case r == '\'' && first: // Excel's "treat as text" marker
		default:
			if curFront {
				break front
			}
			m := currencyPrefix(s[i:j])
			if m == 0 {
				break front
			}
			curFront, n = true, m
		}
		i += n
	}
	// Trailing decorations: spaces, ')', a sign, a currency.
back:
	for j > i {
		r, n := utf8.DecodeLastRuneInString(s[i:j])
		switch {
		case isSpace(r) || isIgnorable(r):
		case r == ')':
			if closed {
				return Decimal{}, badAmount(s, "more than one closing parenthesis")
			}
			closed = true
		case isMinus(r):
			if err := setSign(true); err != nil {
				return Decimal{}, err
			}
		case r == '+':
			if err := setSign(false); err != nil {
				return Decimal{}, err
			}
		case r == '%' || r == '\u066a' || r == '\u2030' || r == '\ufe6a' || r == '\uff05':
			return Decimal{}, badAmount(s, "it is a percentage")
		default:
			if curBack {
				break back
			}
			m := currencySuffix(s[i:j])
			if m == 0 {
				break back
			}
			curBack, n = true, m
		}
		j -= n
	}
	if open != closed {
		return Decimal{}, badAmount(s, "unbalanced parenthesis")
	}
	if i >= j {
		return Decimal{}, ErrEmpty
	}
	if open {
		if signed {
			return Decimal{}, badAmount(s, "has both parentheses and a sign")
		}
		neg = true
	}

	core := s[i:j]
	mant, expPart, hasExp := core, "", false
	for k := 0; k < len(core); k++ {
		if (core[k] == 'e' || core[k] == 'E') && k+1 < len(core) {
			if c := core[k+1]; c == '+' || c == '-' || (c >= '0' && c <= '9') {
				mant, expPart, hasExp = core[:k], core[k+1:], true
				break
			}
		}
	}

	// Pass 1: which separators appear, and where.
	var cnt, lastPos, after [numCls]int
	var sample [numCls]rune
	lead, nsep, cur, lastCls := 0, 0, 0, clsNone
	leadZero := false
	for _, r := range mant {
		if v := digitVal(r); v >= 0 {
			if nsep == 0 {
				if lead == 0 && v == 0 {
					leadZero = true
				}
				lead++
			}
			cur++
			continue
		}
		if isIgnorable(r) {
			continue
		}
		c := sepClass(r)
		if c == clsNone {
			return Decimal{}, badAmount(s, unexpected(r))
		}
		if lastCls != clsNone {
			after[lastCls] = cur
		}
		if cnt[c] == 0 {
			sample[c] = r
		}
		cnt[c]++
		lastPos[c] = nsep
		nsep++
		lastCls, cur = c, 0
	}
	if lastCls != clsNone {
		after[lastCls] = cur
	}

	// Which class is the decimal separator?
	dec := clsNone
	otherGroup := cnt[clsSpace]+cnt[clsApos]+cnt[clsArThou]+cnt[clsArComma] > 0
	switch {
	case fDec != clsNone:
		dec = fDec
	case fGrp == clsDot:
		dec = clsComma
	case fGrp == clsComma:
		dec = clsDot
	case cnt[clsArDec] > 0:
		dec = clsArDec
	case fGrp != clsNone:
		if cnt[clsDot] > 0 && cnt[clsComma] > 0 {
			return Decimal{}, badAmount(s, fmt.Sprintf("has both '.' and ',' but the thousands separator is %q", f.GroupSep))
		}
		if cnt[clsDot] > 0 {
			dec = clsDot
		} else if cnt[clsComma] > 0 {
			dec = clsComma
		}
	case cnt[clsDot] > 0 && cnt[clsComma] > 0:
		if lastPos[clsDot] > lastPos[clsComma] {
			dec = clsDot
		} else {
			dec = clsComma
		}
	case cnt[clsDot] == 1:
		dec = clsDot
	case cnt[clsComma] == 1:
		if otherGroup || after[clsComma] != 3 || lead == 0 || lead > 3 || leadZero {
			dec = clsComma
		}
	}
	if dec != clsNone && cnt[dec] > 1 {
		return Decimal{}, badAmount(s, fmt.Sprintf("has more than one decimal separator %q", sample[dec]))
	}
	if cnt[clsArDec] > 0 && dec != clsArDec {
		return Decimal{}, badAmount(s, "has an Arabic decimal separator '٫' that does not match this file's number format")
	}
	grp := clsNone
	for c := clsDot; c < numCls; c++ {
		if c == dec || cnt[c] == 0 {
			continue
		}
		if grp != clsNone {
			return Decimal{}, badAmount(s, fmt.Sprintf("mixes thousands separators %q and %q", sample[grp], sample[c]))
		}
		grp = c
	}
	if grp != clsNone && fGrp != clsNone && grp != fGrp {
		return Decimal{}, badAmount(s, fmt.Sprintf("uses %q as a thousands separator where this file's number format expects %q", sample[grp], f.GroupSep))
	}
	if dec != clsNone && cnt[dec] == 1 && lastPos[dec] != nsep-1 {
		return Decimal{}, badAmount(s, "has a thousands separator after the decimal separator")
	}

	// Pass 2: check the grouping and collect the digits.
	var mag u128
	sig, scale := 0, 0
	inFrac := false
	ngroup, first, mid, curLen := 0, 0, 0, 0
	anyDigit := false
	checkGroups := func() error {
		if ngroup == 0 {
			return nil
		}
		if curLen == 0 {
			return badAmount(s, fmt.Sprintf("misplaced thousands separator %q", sample[grp]))
		}
		western := curLen == 3 && (ngroup == 1 || mid == 3) && first <= 3
		indian := curLen == 3 && ngroup >= 2 && mid == 2 && first <= 2
		if !(western || indian) || leadZero {
			return badAmount(s, fmt.Sprintf("misplaced thousands separator %q", sample[grp]))
		}
		return nil
	}
	for _, r := range mant {
		if v := digitVal(r); v >= 0 {
			anyDigit = true
			curLen++
			if inFrac {
				scale++
				if scale > MaxDigits {
					return Decimal{}, badAmount(s, fmt.Sprintf("has more than %d decimal places", MaxDigits))
				}
			}
			if v == 0 && mag.isZero() {
				continue
			}
			sig++
			if sig > MaxDigits {
				return Decimal{}, badAmount(s, fmt.Sprintf("has more than %d digits", MaxDigits))
			}
			mag, _ = mag.mul64(10)
			mag, _ = mag.add(u128{0, uint64(v)})
			continue
		}
		if isIgnorable(r) {
			continue
		}
		switch sepClass(r) {
		case dec:
			if err := checkGroups(); err != nil {
				return Decimal{}, err
			}
			inFrac, curLen = true, 0
		default: // grp
			if curLen == 0 {
				return Decimal{}, badAmount(s, fmt.Sprintf("misplaced thousands separator %q", sample[grp]))
			}
			switch ngroup {
			case 0:
				first = curLen
			case 1:
				mid = curLen
			default:
				if curLen != mid {
					return Decimal{}, badAmount(s, fmt.Sprintf("misplaced thousands separator %q", sample[grp]))
				}
			}
			ngroup++
			curLen = 0
		}
	}
	if !inFrac {
		if err := checkGroups(); err != nil {
			return Decimal{}, err
		}
	}
	if !anyDigit {
		return Decimal{}, badAmount(s, "has no digits")
	}

	if hasExp {
		e, err := parseExponent(s, expPart)
		if err != nil {
			return Decimal{}, err
		}
		sc := int64(scale) - e
		switch {
		case sc > MaxDigits:
			return Decimal{}, badAmount(s, fmt.Sprintf("has more than %d decimal places", MaxDigits))
		case sc < 0:
			if !mag.isZero() {
				var ovf bool
				if -sc > MaxDigits {
					ovf = true
				} else {
					mag, ovf = mag.mul(pow10[-sc])
				}
				if ovf || mag.cmp(pow10[MaxDigits]) >= 0 {
					return Decimal{}, badAmount(s, fmt.Sprintf("has more than %d digits", MaxDigits))
				}
			}
			sc = 0
		}
		scale = int(sc)
	}
	return Decimal{mag: mag, scale: int32(scale), neg: neg && !mag.isZero()}, nil
}

// parseExponent reads the part after 'E' in "1.5E+06".
func parseExponent(s, e string) (int64, error) {
	neg := false
	if r, n := utf8.DecodeRuneInString(e); r == '+' || isMinus(r) {
		neg = isMinus(r)
		e = e[n:]
	}
	if e == "" {
		return 0, badAmount(s, "has an exponent without digits")
	}
	var v int64
	for _, r := range e {
		d := digitVal(r)
		if d < 0 {
			return 0, badAmount(s, "has an unreadable exponent")
		}
		v = v*10 + int64(d)
		if v > 9999 {
			return 0, badAmount(s, "has an exponent that is far too large")
		}
	}
	if neg {
		v = -v
	}
	return v, nil
}

func unexpected(r rune) string {
	switch {
	case unicode.IsDigit(r):
		return fmt.Sprintf("%q is a digit of a script this service does not read (only 0-9, ٠-٩ and ۰-۹)", r)
	case unicode.IsLetter(r):
		return fmt.Sprintf("unexpected letter %q", r)
	case isMinus(r) || r == '+':
		return fmt.Sprintf("misplaced sign %q", r)
	case r == '(' || r == ')':
		return "misplaced parenthesis"
	}
	return fmt.Sprintf("unexpected character %q", r)
}
