package parse

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	auto     = NumberFormat{}
	european = NumberFormat{DecimalSep: ',', GroupSep: '.'}
	english  = NumberFormat{DecimalSep: '.', GroupSep: ','}
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		name string
		in   string
		f    NumberFormat
		want string // canonical String() of the result
	}{
		{"plain", "1234", auto, "1234"},
		{"grouped with decimals", "1,234,567.89", auto, "1234567.89"},
		{"padded like the Mexican PEF", " 99,305,000 ", auto, "99305000"},
		{"keeps scale", "-1234.50", auto, "-1234.50"},
		{"zero with scale", "0.00", auto, "0.00"},
		{"negative zero is zero", "-0.00", auto, "0.00"},
		{"leading zeros", "007", auto, "7"},
		{"leading point", ".5", auto, "0.5"},
		{"trailing point", "12.", auto, "12"},
		{"european inferred", "1.234.567,89", auto, "1234567.89"},
		{"european declared", "1.234.567,89", european, "1234567.89"},
		{"european declared thousands", "1.234", european, "1234"},
		{"two dots group", "1.234.567", auto, "1234567"},
		{"single dot is decimal", "1.234", auto, "1.234"},
		{"single comma then 3 digits groups", "1,234", auto, "1234"},
		{"single comma then 2 digits is decimal", "12,34", auto, "12.34"},
		{"single comma then 1 digit is decimal", "1,5", auto, "1.5"},
		{"comma after zero is decimal", "0,125", auto, "0.125"},
		{"comma first is decimal", ",125", auto, "0.125"},
		{"comma after 4 digits is decimal", "1000,000", auto, "1000.000"},
		{"comma after space grouping is decimal", "1 234,567", auto, "1234.567"},
		{"comma declared decimal", "1,234", NumberFormat{DecimalSep: ','}, "1.234"},
		{"dot declared decimal", "1.234", NumberFormat{DecimalSep: '.'}, "1.234"},
		{"group declared dot", "1.234,5", NumberFormat{GroupSep: '.'}, "1234.5"},
		{"group declared space", "1 234,5", NumberFormat{GroupSep: ' '}, "1234.5"},
		{"group declared space, dot decimal", "1 234.5", NumberFormat{GroupSep: ' '}, "1234.5"},
		{"space grouping", "1 234 567", auto, "1234567"},
		{"no-break space grouping", "1\u00a0234\u00a0567,5", auto, "1234567.5"},
		{"narrow no-break space grouping", "1\u202f234", auto, "1234"},
		{"any space matches declared space", "1\u00a0234", NumberFormat{GroupSep: ' '}, "1234"},
		{"swiss apostrophe", "1'234'567.50", auto, "1234567.50"},
		{"swiss right quote", "1’234.5", auto, "1234.5"},
		{"indian grouping", "12,34,567.00", auto, "1234567.00"},
		{"indian crore", "1,23,45,678", auto, "12345678"},
		{"parentheses", "(1,234)", auto, "-1234"},
		{"parentheses with spaces", "( 1,234.50 )", auto, "-1234.50"},
		{"trailing minus", "1234-", auto, "-1234"},
		{"trailing minus spaced", "1,234.00 -", auto, "-1234.00"},
		{"unicode minus", "\u22121234.5", auto, "-1234.5"},
		{"en dash minus", "–12", auto, "-12"},
		{"leading plus", "+1234", auto, "1234"},
		{"minus with space", "- 1234", auto, "-1234"},
		{"pound", "£1,234.56", auto, "1234.56"},
		{"negative pound", "-£1,234.56", auto, "-1234.56"},
		{"pound then minus", "£-1,234.56", auto, "-1234.56"},
		{"parenthesised pound", "(£1,234.56)", auto, "-1234.56"},
		{"pound inside parentheses", "£(1,234.56)", auto, "-1234.56"},
		{"euro suffix", "1.234,56 €", auto, "1234.56"},
		{"dollar", "$5", auto, "5"},
		{"US dollar", "US$ 5,000", auto, "5000"},
		{"code suffix", "1234 BHD", auto, "1234"},
		{"code prefix", "EUR 1,234.5", auto, "1234.5"},
		{"code lower case", "1234 eur", auto, "1234"},
		{"local abbreviation", "BD 12.500", auto, "12.500"},
		{"local abbreviation glued", "BD12.500", auto, "12.500"},
		{"arabic dinar prefix", "د.ب 12.500", auto, "12.500"},
		{"arabic dinar suffix", "12.500 د.ب", auto, "12.500"},
		{"arabic riyal word", "١٢٬٥٠٠ ريال", auto, "12500"},
		{"rial sign", "﷼ 100", auto, "100"},
		{"macedonian denar", "1.234,00 ден.", auto, "1234.00"},
		{"rupees", "Rs. 1,00,000", auto, "100000"},
		{"arabic-indic digits", "١٢٣٤٥٦٧٫٨٩", auto, "1234567.89"},
		{"arabic separators", "١٬٢٣٤٬٥٦٧٫٨٩", auto, "1234567.89"},
		{"arabic comma grouping", "١٢،٥٠٠", auto, "12500"},
		{"persian digits", "۱۲۳۴۵", auto, "12345"},
		{"persian with separators", "۱۲٬۳۴۵٫۶", auto, "12345.6"},
		{"arabic digits dot decimal", "١٢.٥", auto, "12.5"},
		{"bidi marks", "\u200f١٢٫٥\u200f", auto, "12.5"},
		{"excel text marker", "'00123", auto, "123"},
		{"scientific", "1.5E+06", auto, "1500000"},
		{"scientific lower", "2.5e3", auto, "2500"},
		{"scientific negative exponent", "1.5E-03", auto, "0.0015"},
		{"scientific keeps digits", "1.23456789012345678E+17", auto, "123456789012345678"},
		{"scientific no sign", "3E2", auto, "300"},
		{"scientific zero", "0E+10", auto, "0"},
		{"scientific european", "1,5E+06", auto, "1500000"},
		{"38 digits", "99999999999999999999999999999999999999", auto, "99999999999999999999999999999999999999"},
		{"38 digits with scale", "-9999999999999999999.9999999999999999999", auto, "-9999999999999999999.9999999999999999999"},
		{"20 digits fast path overflow", "12345678901234567890", auto, "12345678901234567890"},
		{"many leading zeros", "000000000000000000000000000000000000000000001", auto, "1"},
		{"small fraction", "0.00000000000000000000000000000000000001", auto, "0.00000000000000000000000000000000000001"},
		{"tab padding", "\t42\t", auto, "42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseAmount(tt.in, tt.f)
			if err != nil {
				t.Fatalf("ParseAmount(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, d.String()); diff != "" {
				t.Errorf("ParseAmount(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseAmountErrors(t *testing.T) {
	tests := []struct {
		in   string
		f    NumberFormat
		want string // error message
	}{
		{"(1,234.5", auto, `"(1,234.5" is not an amount: unbalanced parenthesis`},
		{"1,234)", auto, `"1,234)" is not an amount: unbalanced parenthesis`},
		{"12%", auto, `"12%" is not an amount: it is a percentage`},
		{"١٢٪", auto, `"١٢٪" is not an amount: it is a percentage`},
		{"-12-", auto, `"-12-" is not an amount: more than one sign`},
		{"(-12)", auto, `"(-12)" is not an amount: has both parentheses and a sign`},
		{"12-34", auto, `"12-34" is not an amount: misplaced sign '-'`},
		{"1,23,4", auto, `"1,23,4" is not an amount: misplaced thousands separator ','`},
		{"1,2345", english, `"1,2345" is not an amount: misplaced thousands separator ','`},
		{"1234,567", english, `"1234,567" is not an amount: misplaced thousands separator ','`},
		{"1,,234", auto, `"1,,234" is not an amount: misplaced thousands separator ','`},
		{",234", english, `",234" is not an amount: misplaced thousands separator ','`},
		{"0,123", english, `"0,123" is not an amount: misplaced thousands separator ','`},
		{"1 23", auto, `"1 23" is not an amount: misplaced thousands separator ' '`},
		{"1.234.56", auto, `"1.234.56" is not an amount: misplaced thousands separator '.'`},
		{"1,234,567", NumberFormat{DecimalSep: ','}, `"1,234,567" is not an amount: has more than one decimal separator ','`},
		{"1.5.6,7", european, `"1.5.6,7" is not an amount: misplaced thousands separator '.'`},
		{"1.234,5", english, `"1.234,5" is not an amount: has a thousands separator after the decimal separator`},
		{"1,234.5.6", auto, `"1,234.5.6" is not an amount: has more than one decimal separator '.'`},
		{"1'234 567", auto, `"1'234 567" is not an amount: mixes thousands separators ' ' and '\''`},
		{"1 234", NumberFormat{DecimalSep: '.', GroupSep: '\''}, `"1 234" is not an amount: uses ' ' as a thousands separator where this file's number format expects '\''`},
		{"1.5 2,3", NumberFormat{GroupSep: ' '}, `"1.5 2,3" is not an amount: has both '.' and ',' but the thousands separator is ' '`},
		{"12٫5", english, `"12٫5" is not an amount: has an Arabic decimal separator '٫' that does not match this file's number format`},
		{"12 EURO", auto, `"12 EURO" is not an amount: unexpected letter 'E'`},
		{"500 fils", auto, `"500 fils" is not an amount: unexpected letter 'f'`},
		{"12 million", auto, `"12 million" is not an amount: unexpected letter 'm'`},
		{"n/a", auto, `"n/a" is not an amount: unexpected letter 'n'`},
		{"१२३", auto, `"१२३" is not an amount: '१' is a digit of a script this service does not read (only 0-9, ٠-٩ and ۰-۹)`},
		{"１２", auto, `"１２" is not an amount: '１' is a digit of a script this service does not read (only 0-9, ٠-٩ and ۰-۹)`},
		{"1e", auto, `"1e" is not an amount: unexpected letter 'e'`},
		{"1E+", auto, `"1E+" is not an amount: unexpected letter 'E'`},
		{"1E+x", auto, `"1E+x" is not an amount: has an unreadable exponent`},
		{"1E+5.5", auto, `"1E+5.5" is not an amount: has an unreadable exponent`},
		{"1E+99999", auto, `"1E+99999" is not an amount: has an exponent that is far too large`},
		{"1E+38", auto, `"1E+38" is not an amount: has more than 38 digits`},
		{"1E-39", auto, `"1E-39" is not an amount: has more than 38 decimal places`},
		{".", auto, `"." is not an amount: has no digits`},
		{"$$5", auto, `"$$5" is not an amount: unexpected character '$'`},
		{"123456789012345678901234567890123456789", auto, `"123456789012345678901234567890123456789" is not an amount: has more than 38 digits`},
		{"0.000000000000000000000000000000000000001", auto, `"0.000000000000000000000000000000000000001" is not an amount: has more than 38 decimal places`},
		{"1.5", NumberFormat{DecimalSep: 'x'}, `number format: 'x' cannot be a decimal separator`},
		{"1.5", NumberFormat{GroupSep: '٫'}, `number format: '٫' cannot be a thousands separator`},
		{"1.5", NumberFormat{DecimalSep: '.', GroupSep: '.'}, `number format: '.' cannot be both the decimal and the thousands separator`},
	}
	for _, tt := range tests {
		_, err := ParseAmount(tt.in, tt.f)
		if err == nil {
			t.Errorf("ParseAmount(%q) succeeded, want error %q", tt.in, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("ParseAmount(%q) error mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseAmountHugeInput(t *testing.T) {
	long := strings.Repeat("9", 400)
	_, err := ParseAmount(long, auto)
	if err == nil || !strings.Contains(err.Error(), "more than 38 digits") {
		t.Fatalf("400 digits: got %v, want a 38-digit error", err)
	}
	if len(err.Error()) > 200 {
		t.Errorf("error message not shortened: %d bytes", len(err.Error()))
	}
	// A megabyte of grouped digits fails fast and does not hang.
	big := "1" + strings.Repeat(",000", 250000)
	if _, err := ParseAmount(big, auto); err == nil {
		t.Fatal("a million-character amount parsed")
	}
	if _, err := ParseAmount(strings.Repeat(" ", 1<<20), auto); !errors.Is(err, ErrEmpty) {
		t.Fatalf("a megabyte of spaces: got %v, want ErrEmpty", err)
	}
}

func TestParseAmountEmpty(t *testing.T) {
	for _, in := range []string{"", "   ", "-", " - ", "–", "—", "\u00a0", "$ -", "€", "( - )", "BHD"} {
		if _, err := ParseAmount(in, auto); !errors.Is(err, ErrEmpty) {
			t.Errorf("ParseAmount(%q) = %v, want ErrEmpty", in, err)
		}
	}
}

// TestParseAmountFastPathAgrees checks that the allocation-free fast path
// and the general parser give identical results.
func TestParseAmountFastPathAgrees(t *testing.T) {
	inputs := []string{"0", "-0", "1", "-1", "1234", "1,234", "1,234,567.89", "1.234.567,89", "1.5", "1,5",
		"0,123", " 99,305,000 ", "9999999999999999999", "1,234.", ".5", "-.5", "12,34,567", "1.234", "001,234",
		",123", ",5", "1.2.3", "1.234,5", "1,234.5", "1,2", "1.2", "12,345", "1.234.567", "1,234,567", "0.5", "0,5", "00,5", "1.234,567",
		"(1,234)", "1234-", "(0)", "0-", "-", "()", "(1.234,5)", " (12) ", "-(1)", "(1)-", "1,234.50-"}
	for _, f := range []NumberFormat{auto, english, european, {DecimalSep: '.'}, {DecimalSep: ','}, {GroupSep: ','}, {GroupSep: '.'}} {
		for _, in := range inputs {
			fast, err := ParseAmount(in, f)
			if err != nil {
				continue
			}
			slow, err := parseSlow(in, f)
			if err != nil {
				t.Errorf("%+v %q: fast path gave %v, general parser error %v", f, in, fast, err)
				continue
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Errorf("%+v %q: fast path differs (-slow +fast):\n%s", f, in, diff)
			}
		}
	}
}

func TestParseAmountAllocs(t *testing.T) {
	for _, in := range []string{"1,234,567.89", " 99,305,000 ", "-1234.50", "1.234.567,89", "(1,234)", "£1,234.56", "١٢٬٥٠٠"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = ParseAmount(in, auto) }); n != 0 {
			t.Errorf("ParseAmount(%q) allocates %v times, want 0", in, n)
		}
	}
}

func BenchmarkParseAmount(b *testing.B) {
	for _, in := range []string{"1,234,567.89", " 99,305,000 ", "1.234.567,89", "(1,234.56)", "١٢٬٥٠٠٫٧٥", "1.5E+06"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseAmount(in, auto); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
