package parse

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

var (
	charmapWindows1256 = charmap.Windows1256
	charmapWindows1252 = charmap.Windows1252
	charmapCP850       = charmap.CodePage850
)

func FuzzParseAmount(f *testing.F) {
	seeds := []string{
		"1,234,567.89", " 99,305,000 ", "1.234.567,89", "1.234.567", "1,234", "1,5", "0,125", "(1,234)",
		"(1,234.5", "1234-", "−5", "+7", "£1,234.56", "1234 BHD", "BD 12.500", "د.ب 12.500", "€", "$ -",
		"EUR 3", "12%", "١٢٬٥٠٠٫٧٥", "۱۲٬۳۴۵٫۶", "١٢،٥٠٠", "1.5E+06", "1.5E-03", "1E+38", "", "-", "–",
		"12,34,567.00", "1 234,56", "1'234.56", "US$12", "१२३", "0.00", "-0", "'007", "\u200f١٢٫٥",
		strings.Repeat("9", 38), strings.Repeat("9", 39), "0." + strings.Repeat("0", 37) + "1", "9E+37",
		"1" + strings.Repeat(",000", 12), "ر.ع. 1.500", "1.234,00 ден.", "Rs. 1,00,000",
	}
	formats := [][2]rune{{0, 0}, {'.', ','}, {',', '.'}, {'.', 0}, {',', 0}, {0, '.'}, {0, ' '}, {'٫', '٬'}, {'.', '\''}}
	for i, s := range seeds {
		fm := formats[i%len(formats)]
		f.Add(s, fm[0], fm[1])
	}
	f.Fuzz(func(t *testing.T, s string, dec, grp rune) {
		nf := NumberFormat{DecimalSep: dec, GroupSep: grp}
		d, err := ParseAmount(s, nf)
		if err != nil {
			if d != (Decimal{}) {
				t.Fatalf("ParseAmount(%q) failed with a non-zero Decimal %v", s, d)
			}
			return
		}
		if d.Scale() < 0 || d.Scale() > MaxDigits || d.mag.cmp(pow10[MaxDigits]) >= 0 {
			t.Fatalf("ParseAmount(%q) = %v out of range (scale %d)", s, d, d.Scale())
		}
		if d.neg && d.IsZero() {
			t.Fatalf("ParseAmount(%q) gave negative zero", s)
		}
		str := d.String()
		for _, back := range []NumberFormat{{}, {DecimalSep: '.'}} {
			d2, err := ParseAmount(str, back)
			if err != nil {
				t.Fatalf("ParseAmount(%q) = %s, which does not re-parse: %v", s, str, err)
			}
			if !d2.Equal(d) {
				t.Fatalf("ParseAmount(%q) = %s, re-parsed as %s", s, str, d2)
			}
		}
		n, err := d.Rescale(d.Scale())
		if err != nil {
			t.Fatalf("%s.Rescale(own scale): %v", str, err)
		}
		if back := DecimalFromNum(n, d.Scale()); !back.Equal(d) {
			t.Fatalf("%s: Arrow round trip gave %s", str, back)
		}
		// The fast path must agree with the general parser.
		for _, p := range [][2]byte{{'.', ','}, {',', '.'}} {
			fast, ok := parseFast(s, p[0], p[1])
			if !ok {
				continue
			}
			slow, err := parseSlow(s, NumberFormat{DecimalSep: rune(p[0]), GroupSep: rune(p[1])})
			if err != nil || !slow.Equal(fast) {
				t.Fatalf("%q with %c/%c: fast path %v, general parser %v, %v", s, p[0], p[1], fast, slow, err)
			}
		}
		if nf == (NumberFormat{}) {
			if slow, err := parseSlow(s, nf); err != nil || !slow.Equal(d) {
				t.Fatalf("%q: ParseAmount %v, general parser %v, %v", s, d, slow, err)
			}
		}
	})
}

func FuzzDecimalArithmetic(f *testing.F) {
	f.Add("1.5", "-2.25", int64(1000))
	f.Add("99999999999999999999999999999999999999", "1", int64(-1))
	f.Add("0.00000000000000000000000000000000000001", "-12345678901234567890", int64(1<<62))
	f.Add("-0.00", "0", int64(0))
	f.Fuzz(func(t *testing.T, as, bs string, k int64) {
		a, err1 := ParseAmount(as, NumberFormat{})
		b, err2 := ParseAmount(bs, NumberFormat{})
		if err1 != nil || err2 != nil {
			return
		}
		if a.Cmp(b) != -b.Cmp(a) || a.Cmp(a) != 0 {
			t.Fatalf("Cmp not antisymmetric for %s, %s", a, b)
		}
		ab, err := a.Add(b)
		ba, err2 := b.Add(a)
		if (err == nil) != (err2 == nil) || err == nil && !ab.Equal(ba) {
			t.Fatalf("Add not commutative: %s + %s = %v %v, reversed %v %v", a, b, ab, err, ba, err2)
		}
		if err == nil {
			back, err := ab.Add(b.Neg())
			if err == nil && back.Cmp(a) != 0 {
				t.Fatalf("(%s + %s) - %s = %s", a, b, b, back)
			}
			if c := a.Cmp(ab); b.Sign() != -c && !(b.Sign() == 0 && c == 0) {
				t.Fatalf("%s + %s = %s: order wrong", a, b, ab)
			}
		}
		if m, err := a.MulInt(k); err == nil {
			if m.Scale() != a.Scale() || m.Sign() != a.Sign()*sign64(k) {
				t.Fatalf("%s × %d = %s", a, k, m)
			}
		}
		for _, sc := range []int32{0, 2, 3, a.Scale(), MaxDigits} {
			if n, err := a.Rescale(sc); err == nil {
				if back := DecimalFromNum(n, sc); back.Cmp(a) != 0 {
					t.Fatalf("%s rescaled to %d reads back as %s", a, sc, back)
				}
			}
		}
	})
}

func sign64(k int64) int {
	switch {
	case k < 0:
		return -1
	case k > 0:
		return 1
	}
	return 0
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2022-05-04", "2014-01-01T00:00:00", "2006-01-02T15:04:05Z", "2006-01-02 15:04:05", "02/01/2006",
		"02-01-2006", "02.01.2006", "2006/01/02", "02-Jan-2006", "2 January 2006", "January 2, 2006",
		"Wednesday, May 04, 2022", "Mon, 02 Jan 2006", "44685", "٢٠٢٢-٠٥-٠٤", "0000-00-00", "2021-02-30",
		"4 de mayo de 2022", "١ كانون الثاني ٢٠١٦", "Mon, 02 Jan 2006 15:04:05 -0700", "10:30", "2006-01-02T25:00",
	} {
		f.Add(s, "")
	}
	for _, l := range [][2]string{{"04/05/2022", "d/m/Y"}, {"05/04/2022", "m/d/Y"}, {"04-May-2022", "d-b-Y"},
		{"2016", "Y"}, {"44685.5", "excel"}, {"2022-05-04", "Y-m-d"}, {"x", "dd/mm/yyyy"}} {
		f.Add(l[0], l[1])
	}
	f.Fuzz(func(t *testing.T, s, layout string) {
		d, err := ParseDate(s, layout)
		if err != nil {
			return
		}
		if d.Year < MinYear || d.Year > MaxYear || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > daysIn(d.Year, d.Month) {
			t.Fatalf("ParseDate(%q, %q) = %v, not a valid date", s, layout, d)
		}
		for _, l := range []string{"", "Y-m-d"} {
			if back, err := ParseDate(d.String(), l); err != nil || back != d {
				t.Fatalf("ParseDate(%q, %q) = %v, which reads back with %q as %v, %v", s, layout, d, l, back, err)
			}
		}
	})
}

func FuzzParseFiscalYear(f *testing.F) {
	for _, s := range []string{"2016", "FY2016", "FY16", "2015-16", "2015/2016", "2015–16", "٢٠١٦", "1999-00", "2015-17", ""} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, end bool) {
		y, err := ParseFiscalYear(s, end)
		if err == nil && (y < MinYear || y > MaxYear) {
			t.Fatalf("ParseFiscalYear(%q) = %d, out of range", s, y)
		}
	})
}

var encodingNames = []string{UTF8, UTF8BOM, UTF16LE, UTF16BE, Windows1256, ISO8859_6, Windows1252, CP850, ISO8859_1}

func encodingSeeds(f *testing.F) [][]byte {
	f.Helper()
	return [][]byte{
		nil,
		[]byte("a,b\n1,2\n"),
		[]byte(arabicText),
		[]byte(spanishText),
		append([]byte{0xEF, 0xBB, 0xBF}, "a;b\r\n"...),
		[]byte("ï»¿Body Name,Amount\n"),
		{0xFF, 0xFE, 'a', 0, ',', 0, 'b', 0},
		{0xFE, 0xFF, 0, 'a', 0, ',', 0, 'b'},
		{'a', 0, ',', 0, 'b', 0, '\n', 0},
		encode(f, charmapWindows1256, "وزارة المالية والاقتصاد الوطني"),
		encode(f, charmapCP850, "H. Cámara de Diputados, Educación Pública"),
		encode(f, charmapWindows1252, "Ministry’s “capital” budget – €5"),
		{0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x82},
	}
}

func FuzzDetectEncoding(f *testing.F) {
	for _, s := range encodingSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got := DetectEncoding(b); !slices.Contains(encodingNames, got) {
			t.Fatalf("DetectEncoding gave unknown name %q", got)
		}
	})
}

func FuzzNewDecoder(f *testing.F) {
	decls := []string{"", "utf-8", "utf-8-sig", "utf-16", "utf-16le", "utf-16be", "cp1256", "iso-8859-6", "cp1252", "cp850", "latin1"}
	for i, s := range encodingSeeds(f) {
		f.Add(s, decls[i%len(decls)])
	}
	f.Fuzz(func(t *testing.T, b []byte, declared string) {
		rd, used, err := NewDecoder(bytes.NewReader(b), declared)
		if err != nil {
			if _, cerr := canonicalEncoding(declared); cerr == nil {
				t.Fatalf("NewDecoder(%q): %v", declared, err)
			}
			return
		}
		if !slices.Contains(encodingNames, used) {
			t.Fatalf("NewDecoder used unknown name %q", used)
		}
		out, err := io.ReadAll(rd)
		if err != nil {
			t.Fatalf("reading %q as %s: %v", b, used, err)
		}
		if !utf8.Valid(out) {
			t.Fatalf("decoding %q as %s gave invalid UTF-8 %q", b, used, out)
		}
		// Valid UTF-8 read as UTF-8 passes through, minus a leading BOM.
		if used == UTF8 && utf8.Valid(b) && !bytes.HasPrefix(b, mojibakeBOM) && !bytes.Equal(out, b) {
			t.Fatalf("UTF-8 %q came out as %q", b, out)
		}
	})
}

func FuzzSniffDialect(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n", "Name;Code;Amount\nA;1;12,5\n", "\ufeffДатум;Број\r\n2014;1\r\n", "a\tb\n1\t2\n",
		"a|b\n1|2\n", "name,amount\n\"Ministry, Bahrain\",\"1,234\"\n", "a,b\n\"x\ny\",2\n",
		"Title\n\nSector,2016\nOil,1\n", "sep=;\na;b\n", "\"unterminated,quote\n1,2\n", "a,b,\n1,2,\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := SniffDialect(b)
		if err != nil {
			if !errors.Is(err, ErrNoDelimiter) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if d.Quote != '"' || d.HeaderRow < 0 || d.HeaderRow > bytes.Count(b, []byte("\n"))+1 {
			t.Fatalf("SniffDialect(%q) = %+v", b, d)
		}
		if _, sepLine := excelSepLine(bytes.TrimPrefix(b, bomUTF8)); !sepLine && !strings.ContainsRune(",;\t|", d.Delimiter) {
			t.Fatalf("SniffDialect(%q) chose delimiter %q", b, d.Delimiter)
		}
	})
}
