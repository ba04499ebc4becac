package parse

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Date is a civil (calendar) date with no time zone, as budget files use them:
// a publication date, a payment date, the first day of a fiscal year.
type Date struct{ Year, Month, Day int }

// String returns the date as YYYY-MM-DD.
func (d Date) String() string {
	if d.Year < 0 || d.Year > 9999 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	b := [10]byte{
		byte('0' + d.Year/1000), byte('0' + d.Year/100%10), byte('0' + d.Year/10%10), byte('0' + d.Year%10), '-',
		byte('0' + d.Month/10), byte('0' + d.Month%10), '-',
		byte('0' + d.Day/10), byte('0' + d.Day%10),
	}
	return string(b[:])
}

// Years outside this range are rejected as typing or conversion errors.
const (
	MinYear = 1900 // earliest year ParseDate and ParseFiscalYear accept
	MaxYear = 2200 // latest year ParseDate and ParseFiscalYear accept
)

type dateError struct{ input, what, reason string }

func (e *dateError) Error() string {
	return quoteInput(e.input) + " is not a " + e.what + ": " + e.reason
}

func badDate(s, reason string) error { return &dateError{input: s, what: "date", reason: reason} }

func badYear(s, reason string) error {
	return &dateError{input: s, what: "fiscal year", reason: reason}
}

// ParseDate reads a calendar date. An empty cell or a lone dash returns
// ErrEmpty. A time of day after the date ("2006-01-02T15:04:05Z",
// "2006-01-02 15:04:05", "02/01/2006 3:04 PM") is checked and dropped, with
// any time zone: the date is the one written. Arabic-Indic and Persian digits
// are read like ASCII digits.
//
// With layout "" (or "auto") these forms are recognised:
//
//	2006-01-02, 2006/01/02, 20060102  year first
//	02/01/2006, 02-01-2006, 02.01.2006  day first (never month first: use "m/d/Y" for US files)
//	02-Jan-2006, 2 January 2006, January 2, 2006, 2006 Jan 02, 4 de mayo de 2022
//	Wednesday, May 04, 2022, Mon, 02 Jan 2006  (a weekday must match the date)
//	44685  an Excel serial day number, for 5-digit integers from 20000 to 80000
//
// Month names may be English, Spanish, French or Arabic, full or abbreviated.
//
// An explicit layout is written with descriptors: Y is a 4-digit year, m a
// month number (1 or 2 digits), d a day (1 or 2 digits), b a month name; a
// space matches one or more spaces and any other character must appear as
// written. A layout without m or d gives month or day 1. Examples: "Y-m-d",
// "d/m/Y", "m/d/Y", "d.m.Y", "d-b-Y", "Y". The layout "excel" reads an Excel
// serial day number (a fraction, the time of day, is ignored).
//
// Dates must exist ("2021-02-30" does not) and fall in MinYear…MaxYear.
func ParseDate(s, layout string) (Date, error) {
	if (layout == "" || layout == "Y-m-d") && len(s) >= 10 && isISODate(s[:10]) &&
		(len(s) == 10 || len(s) > 11 && (s[10] == 'T' || s[10] == ' ') && validTime(s[11:])) {
		return validDate(s, atoi(s[:4]), atoi(s[5:7]), atoi(s[8:10]))
	}
	t := cleanText(s)
	if t == "" || t == "-" || t == "–" || t == "—" {
		return Date{}, ErrEmpty
	}
	switch layout {
	case "", "auto":
		return autoDate(s, t)
	case "excel", "Excel", "EXCEL":
		return excelDate(s, t)
	}
	return layoutDate(s, t, layout)
}

// isISODate reports whether s is exactly YYYY-MM-DD.
func isISODate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' &&
		isDigitByte(s[0]) && isDigitByte(s[1]) && isDigitByte(s[2]) && isDigitByte(s[3]) &&
		isDigitByte(s[5]) && isDigitByte(s[6]) && isDigitByte(s[8]) && isDigitByte(s[9])
}

// cleanText trims spaces and invisible marks, and rewrites Arabic-Indic and
// Persian digits as ASCII digits and odd spaces as ' '. It allocates only
// when s is not plain ASCII.
func cleanText(s string) string {
	i, j := 0, len(s)
	for i < j {
		r, n := utf8.DecodeRuneInString(s[i:j])
		if !isSpace(r) && !isIgnorable(r) {
			break
		}
		i += n
	}
	for j > i {
		r, n := utf8.DecodeLastRuneInString(s[i:j])
		if !isSpace(r) && !isIgnorable(r) {
			break
		}
		j -= n
	}
	s = s[i:j]
	ascii := true
	for k := 0; k < len(s); k++ {
		if s[k] >= utf8.RuneSelf || s[k] == '\t' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case isIgnorable(r):
		case digitVal(r) >= 0:
			b.WriteByte(byte('0' + digitVal(r)))
		case isSpace(r):
			b.WriteByte(' ')
		case r == '\u060c': // Arabic comma
			b.WriteByte(',')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigitByte(s[i]) {
			return false
		}
	}
	return s != ""
}

// atoi reads a short run of ASCII digits (at most 9).
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// cutTime removes a time of day (and time zone) following the date.
func cutTime(in, t string) (string, error) {
	c := strings.IndexByte(t, ':')
	if c < 0 {
		return t, nil
	}
	h := c
	for h > 0 && isDigitByte(t[h-1]) {
		h--
	}
	if c-h < 1 || c-h > 2 || h < 2 {
		return "", badDate(in, "has an unreadable time of day")
	}
	if sep := t[h-1]; sep != 'T' && sep != ' ' && sep != ',' {
		return "", badDate(in, "has an unreadable time of day")
	}
	if !validTime(t[h:]) {
		return "", badDate(in, "has an unreadable time of day")
	}
	return strings.TrimRight(t[:h-1], " ,"), nil
}

// validTime checks HH:MM[:SS[.fff]] [AM|PM] [zone].
func validTime(s string) bool {
	digits := func(min, max int) (int, bool) {
		k := 0
		for k < len(s) && k < max && isDigitByte(s[k]) {
			k++
		}
		if k < min {
			return 0, false
		}
		v := atoi(s[:k])
		s = s[k:]
		return v, true
	}
	hh, ok := digits(1, 2)
	if !ok || !strings.HasPrefix(s, ":") {
		return false
	}
	s = s[1:]
	mm, ok := digits(2, 2)
	if !ok || mm > 59 {
		return false
	}
	if strings.HasPrefix(s, ":") {
		s = s[1:]
		ss, ok := digits(2, 2)
		if !ok || ss > 60 {
			return false
		}
		if len(s) > 1 && (s[0] == '.' || s[0] == ',') && isDigitByte(s[1]) {
			s = s[1:]
			if _, ok := digits(1, 12); !ok {
				return false
			}
		}
	}
	s = strings.TrimLeft(s, " ")
	ampm := false
	for _, p := range []string{"am", "pm", "a.m.", "p.m."} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			s, ampm = strings.TrimLeft(s[len(p):], " "), true
			break
		}
	}
	if ampm && (hh < 1 || hh > 12) || !ampm && hh > 24 || hh == 24 && mm != 0 {
		return false
	}
	if s == "" || s == "Z" || s == "z" {
		return true
	}
	// Zone name (UTC, GMT, CEST…), then an optional offset.
	k := 0
	for k < len(s) && k < 5 && s[k] >= 'A' && s[k] <= 'Z' {
		k++
	}
	s = s[k:]
	if s == "" {
		return true
	}
	if s[0] != '+' && s[0] != '-' {
		return false
	}
	s = s[1:]
	if _, ok := digits(1, 2); !ok {
		return false
	}
	s = strings.TrimPrefix(s, ":")
	if s == "" {
		return true
	}
	_, ok = digits(2, 2)
	return ok && s == ""
}

var monthNames = [...]string{"", "January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December"}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// validDate checks that y-m-d exists and is in range.
func validDate(in string, y, m, d int) (Date, error) {
	switch {
	case y < MinYear || y > MaxYear:
		return Date{}, badDate(in, fmt.Sprintf("year %d is outside %d–%d", y, MinYear, MaxYear))
	case m < 1 || m > 12:
		return Date{}, badDate(in, fmt.Sprintf("there is no month %d", m))
	case d < 1:
		return Date{}, badDate(in, fmt.Sprintf("there is no day %d", d))
	case d > daysIn(y, m):
		return Date{}, badDate(in, fmt.Sprintf("%s %d has only %d days", monthNames[m], y, daysIn(y, m)))
	}
	return Date{y, m, d}, nil
}

func autoDate(in, t string) (Date, error) {
	t, err := cutTime(in, t)
	if err != nil {
		return Date{}, err
	}
	if t == "" {
		return Date{}, badDate(in, "has a time but no date")
	}
	if allDigits(t) {
		switch len(t) {
		case 5:
			if n := atoi(t); n >= 20000 && n <= 80000 {
				return serialDate(in, n)
			}
		case 8:
			return validDate(in, atoi(t[:4]), atoi(t[4:6]), atoi(t[6:]))
		case 4:
			return Date{}, badDate(in, `is a year, not a date (use the layout "Y" or ParseFiscalYear)`)
		}
		return Date{}, badDate(in, `is a number, not a date (Excel day numbers from 20000 to 80000 are read as dates; use the layout "excel" for others)`)
	}
	// Three numbers separated by one kind of separator.
	var f [3]string
	n, sep, numeric := 0, byte(0), true
	start := 0
	for k := 0; k <= len(t) && numeric; k++ {
		if k < len(t) && isDigitByte(t[k]) {
			continue
		}
		if k < len(t) {
			c := t[k]
			if c != '-' && c != '/' && c != '.' || (sep != 0 && c != sep) {
				numeric = false
				break
			}
			sep = c
		}
		if n == 3 || k == start {
			numeric = false
			break
		}
		f[n] = t[start:k]
		n++
		start = k + 1
	}
	if numeric && n == 3 {
		switch {
		case len(f[0]) == 4 && len(f[1]) <= 2 && len(f[2]) <= 2:
			return validDate(in, atoi(f[0]), atoi(f[1]), atoi(f[2]))
		case len(f[2]) == 4 && len(f[0]) <= 2 && len(f[1]) <= 2:
			d, m := atoi(f[0]), atoi(f[1])
			if m > 12 && d <= 12 {
				return Date{}, badDate(in, fmt.Sprintf("there is no month %d (dates like this are read as day%cmonth%cyear; use the layout \"m%cd%cY\" for US-style dates)", m, sep, sep, sep, sep))
			}
			return validDate(in, atoi(f[2]), m, d)
		case len(f[2]) == 2 && len(f[0]) <= 2 && len(f[1]) <= 2:
			return Date{}, badDate(in, "has a two-digit year, which is ambiguous")
		}
		return Date{}, badDate(in, "is not a date in any format this service recognises")
	}
	return textDate(in, t)
}

// serialDate converts an Excel serial day number (1900 date system).
func serialDate(in string, n int) (Date, error) {
	switch {
	case n < 1:
		return Date{}, badDate(in, "Excel day numbers start at 1")
	case n == 60:
		return Date{}, badDate(in, "Excel day 60 is 29 February 1900, a day that never existed")
	case n > 200000:
		return Date{}, badDate(in, "is too large for an Excel day number")
	}
	base := 31 // serials 1…59 count from 31 December 1899
	if n > 60 {
		base = 30 // Excel counts the phantom 29 February 1900
	}
	t := time.Date(1899, time.December, base+n, 0, 0, 0, 0, time.UTC)
	return validDate(in, t.Year(), int(t.Month()), t.Day())
}

func excelDate(in, t string) (Date, error) {
	k := 0
	for k < len(t) && isDigitByte(t[k]) {
		k++
	}
	if k == 0 {
		return Date{}, badDate(in, "is not an Excel day number")
	}
	if k < len(t) {
		if (t[k] != '.' && t[k] != ',') || !allDigits(t[k+1:]) {
			return Date{}, badDate(in, "is not an Excel day number")
		}
	}
	if k > 7 {
		return Date{}, badDate(in, "is too large for an Excel day number")
	}
	return serialDate(in, atoi(t[:k]))
}

// layoutDate reads t with a descriptor layout such as "d/m/Y".
func layoutDate(in, t, layout string) (Date, error) {
	hasY := false
	for _, c := range layout {
		if c == 'Y' {
			hasY = true
		} else if c < utf8.RuneSelf && unicode.IsLetter(c) && c != 'm' && c != 'd' && c != 'b' {
			hasY = false
			break
		}
	}
	if !hasY {
		return Date{}, fmt.Errorf(`unknown date layout %q: write it with Y (4-digit year), m (month), d (day), b (month name) and separators, e.g. "d/m/Y" or "Y-m-d", or use "excel" or "" (auto)`, layout)
	}
	t, err := cutTime(in, t)
	if err != nil {
		return Date{}, err
	}
	y, m, d := 0, 1, 1
	p := 0
	num := func(min, max int) (int, bool) {
		k := p
		for k < len(t) && k-p < max && isDigitByte(t[k]) {
			k++
		}
		if k-p < min {
			return 0, false
		}
		v := atoi(t[p:k])
		p = k
		return v, true
	}
	mismatch := func() (Date, error) {
		return Date{}, badDate(in, fmt.Sprintf("does not match the layout %q", layout))
	}
	for _, c := range layout {
		var ok bool
		switch c {
		case 'Y':
			y, ok = num(4, 4)
		case 'm':
			m, ok = num(1, 2)
		case 'd':
			d, ok = num(1, 2)
		case 'b':
			k := p
			for k < len(t) {
				r, n := utf8.DecodeRuneInString(t[k:])
				if !unicode.IsLetter(r) && r != '.' {
					break
				}
				k += n
			}
			m, ok = monthByName(t[p:k])
			p = k
		case ' ':
			for p < len(t) && t[p] == ' ' {
				p++
				ok = true
			}
		default:
			r, n := utf8.DecodeRuneInString(t[p:])
			if ok = p < len(t) && r == c; ok {
				p += n
			}
		}
		if !ok {
			return mismatch()
		}
	}
	if p != len(t) {
		return mismatch()
	}
	return validDate(in, y, m, d)
}

var monthWords = map[string]int{}
var weekdayWords = map[string]time.Weekday{}

func init() {
	months := [][]string{
		1:  {"january", "jan", "enero", "ene", "janvier", "janv", "يناير", "كانون الثاني"},
		2:  {"february", "feb", "febrero", "février", "fevrier", "févr", "fevr", "fév", "fev", "فبراير", "شباط"},
		3:  {"march", "mar", "marzo", "mars", "مارس", "آذار", "اذار"},
		4:  {"april", "apr", "abril", "abr", "avril", "avr", "أبريل", "ابريل", "إبريل", "نيسان"},
		5:  {"may", "mayo", "mai", "مايو", "أيار", "ايار"},
		6:  {"june", "jun", "junio", "juin", "يونيو", "يونيه", "حزيران"},
		7:  {"july", "jul", "julio", "juillet", "juil", "يوليو", "يوليه", "تموز"},
		8:  {"august", "aug", "agosto", "ago", "août", "aout", "أغسطس", "اغسطس", "آب"},
		9:  {"september", "sep", "sept", "septiembre", "setiembre", "set", "septembre", "سبتمبر", "أيلول", "ايلول"},
		10: {"october", "oct", "octubre", "octobre", "أكتوبر", "اكتوبر", "تشرين الأول"},
		11: {"november", "nov", "noviembre", "novembre", "نوفمبر", "تشرين الثاني"},
		12: {"december", "dec", "diciembre", "dic", "décembre", "decembre", "déc", "ديسمبر", "كانون الأول"},
	}
	for m, names := range months {
		for _, n := range names {
			monthWords[n] = m
		}
	}
	days := [][]string{
		time.Sunday:    {"sunday", "sun", "domingo", "dimanche", "الأحد", "الاحد"},
		time.Monday:    {"monday", "mon", "lunes", "lundi", "الاثنين", "الإثنين"},
		time.Tuesday:   {"tuesday", "tue", "tues", "martes", "mardi", "الثلاثاء"},
		time.Wednesday: {"wednesday", "wed", "miércoles", "miercoles", "mercredi", "الأربعاء", "الاربعاء"},
		time.Thursday:  {"thursday", "thu", "thur", "thurs", "jueves", "jeudi", "الخميس"},
		time.Friday:    {"friday", "fri", "viernes", "vendredi", "الجمعة"},
		time.Saturday:  {"saturday", "sat", "sábado", "sabado", "samedi", "السبت"},
	}
	for d, names := range days {
		for _, n := range names {
			weekdayWords[n] = time.Weekday(d)
		}
	}
}

func monthByName(w string) (int, bool) {
	m, ok := monthWords[strings.ToLower(strings.TrimSuffix(w, "."))]
	return m, ok
}

// textDate reads dates written with a month name.
func textDate(in, t string) (Date, error) {
	type token struct {
		word string // lower-case letters, or digits
		num  bool
	}
	var toks []token
	for k := 0; k < len(t); {
		r, n := utf8.DecodeRuneInString(t[k:])
		switch {
		case r == ' ' || r == ',' || r == '-' || r == '/' || r == '.':
			k += n
		case isDigitByte(byte(r)) && r < utf8.RuneSelf:
			e := k
			for e < len(t) && isDigitByte(t[e]) {
				e++
			}
			toks = append(toks, token{t[k:e], true})
			k = e
			// Ordinal suffixes: 1st, 2nd, 3rd, 4th, 1er.
			for _, suf := range []string{"st", "nd", "rd", "th", "er", "º", "°"} {
				if len(t)-k >= len(suf) && strings.EqualFold(t[k:k+len(suf)], suf) &&
					(k+len(suf) == len(t) || !unicode.IsLetter(rune(t[k+len(suf)]))) {
					k += len(suf)
					break
				}
			}
		case unicode.IsLetter(r):
			e := k
			for e < len(t) {
				r, n := utf8.DecodeRuneInString(t[e:])
				if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
					break
				}
				e += n
			}
			w := strings.ToLower(t[k:e])
			k = e
			switch w {
			case "of", "the", "de", "del", "le":
				continue
			}
			// Two-word Levantine month names ("كانون الثاني").
			if len(toks) > 0 && !toks[len(toks)-1].num {
				if _, ok := monthWords[toks[len(toks)-1].word+" "+w]; ok {
					toks[len(toks)-1].word += " " + w
					continue
				}
			}
			toks = append(toks, token{w, false})
		default:
			return Date{}, badDate(in, fmt.Sprintf("unexpected %q", r))
		}
		if len(toks) > 6 {
			break
		}
	}
	wd, hasWD := time.Weekday(0), false
	if len(toks) > 0 && !toks[0].num {
		if d, ok := weekdayWords[toks[0].word]; ok {
			wd, hasWD = d, true
			toks = toks[1:]
		}
	}
	unknown := func() (Date, error) {
		return Date{}, badDate(in, "is not a date in any format this service recognises")
	}
	if len(toks) != 3 {
		return unknown()
	}
	var y, m, d int
	isDay := func(t token) bool { return t.num && len(t.word) <= 2 }
	isYear := func(t token) bool { return t.num && len(t.word) == 4 }
	month := func(t token) (int, bool) {
		if t.num {
			return 0, false
		}
		m, ok := monthWords[t.word]
		return m, ok
	}
	if mm, ok := month(toks[1]); ok && isDay(toks[0]) && isYear(toks[2]) {
		d, m, y = atoi(toks[0].word), mm, atoi(toks[2].word)
	} else if mm, ok := month(toks[0]); ok && isDay(toks[1]) && isYear(toks[2]) {
		m, d, y = mm, atoi(toks[1].word), atoi(toks[2].word)
	} else if mm, ok := month(toks[1]); ok && isYear(toks[0]) && isDay(toks[2]) {
		y, m, d = atoi(toks[0].word), mm, atoi(toks[2].word)
	} else {
		for _, tk := range toks {
			if !tk.num {
				if _, ok := month(tk); !ok {
					return Date{}, badDate(in, fmt.Sprintf("%q is not a month name", tk.word))
				}
			}
		}
		return unknown()
	}
	date, err := validDate(in, y, m, d)
	if err != nil {
		return Date{}, err
	}
	if hasWD {
		if got := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Weekday(); got != wd {
			return Date{}, badDate(in, fmt.Sprintf("%d %s %d was a %s, not a %s", d, monthNames[m], y, got, wd))
		}
	}
	return date, nil
}

// ParseFiscalYear reads "2016", "FY2016", "FY 2016", "FY16", "2015-16",
// "2015/16", "2015/2016", "2015-2016", "2015–16" and the same with
// Arabic-Indic digits ("٢٠١٦"); for two-year spans, endYear chooses the end
// year (2016) instead of the start (2015). A span must cover two consecutive
// years. "FY16" is read as 2016. An empty cell returns ErrEmpty.
func ParseFiscalYear(s string, endYear bool) (int, error) {
	if len(s) == 4 && isDigitByte(s[0]) && isDigitByte(s[1]) && isDigitByte(s[2]) && isDigitByte(s[3]) {
		if y := atoi(s); y >= MinYear && y <= MaxYear {
			return y, nil // the usual "2016"
		}
	}
	t := cleanText(s)
	if t == "" || t == "-" || t == "–" || t == "—" {
		return 0, ErrEmpty
	}
	fy := false
	if len(t) >= 2 && strings.EqualFold(t[:2], "FY") {
		fy = true
		t = strings.TrimLeft(t[2:], " -")
	}
	k := 0
	for k < len(t) && isDigitByte(t[k]) {
		k++
	}
	var start int
	switch {
	case k == 4:
		start = atoi(t[:4])
	case k == 2 && fy && k == len(t):
		start = 2000 + atoi(t)
	default:
		return 0, badYear(s, "expected a 4-digit year such as 2016 or a span such as 2015-16")
	}
	if start < MinYear || start > MaxYear {
		return 0, badYear(s, fmt.Sprintf("year %d is outside %d–%d", start, MinYear, MaxYear))
	}
	rest := strings.TrimLeft(t[k:], " ")
	if rest == "" {
		return start, nil
	}
	r, n := utf8.DecodeRuneInString(rest)
	if r != '-' && r != '/' && r != '–' && r != '—' && r != '_' {
		return 0, badYear(s, fmt.Sprintf("unexpected %q after the year", r))
	}
	rest = strings.TrimSpace(rest[n:])
	var end int
	switch {
	case len(rest) == 4 && allDigits(rest):
		end = atoi(rest)
	case len(rest) == 2 && allDigits(rest):
		end = start/100*100 + atoi(rest)
		if end <= start {
			end += 100
		}
	default:
		return 0, badYear(s, "the end of the span should be 2 or 4 digits, as in 2015-16 or 2015-2016")
	}
	if end != start+1 {
		return 0, badYear(s, fmt.Sprintf("a fiscal year spans two consecutive years, not %d to %d", start, end))
	}
	if endYear {
		if end > MaxYear {
			return 0, badYear(s, fmt.Sprintf("year %d is outside %d–%d", end, MinYear, MaxYear))
		}
		return end, nil
	}
	return start, nil
}
