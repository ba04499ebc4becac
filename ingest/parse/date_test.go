package parse

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, layout string
		want       Date
	}{
		{"2022-05-04", "", Date{2022, 5, 4}},
		{" 2022-05-04 ", "", Date{2022, 5, 4}},
		{"2014-01-01T00:00:00", "", Date{2014, 1, 1}}, // Macedonian budget file
		{"2006-01-02T15:04:05Z", "", Date{2006, 1, 2}},
		{"2006-01-02T15:04:05.123+03:00", "", Date{2006, 1, 2}},
		{"2006-01-02 15:04:05", "", Date{2006, 1, 2}},
		{"2006-01-02 15:04", "", Date{2006, 1, 2}},
		{"2006/01/02", "", Date{2006, 1, 2}},
		{"20060102", "", Date{2006, 1, 2}},
		{"02/01/2006", "", Date{2006, 1, 2}},
		{"2/1/2006", "", Date{2006, 1, 2}},
		{"31/12/2021", "", Date{2021, 12, 31}},
		{"02/01/2006 3:04 PM", "", Date{2006, 1, 2}},
		{"02-01-2006", "", Date{2006, 1, 2}},
		{"02.01.2006", "", Date{2006, 1, 2}},
		{"02-Jan-2006", "", Date{2006, 1, 2}},
		{"02-JAN-2006", "", Date{2006, 1, 2}},
		{"2 January 2006", "", Date{2006, 1, 2}},
		{"January 2, 2006", "", Date{2006, 1, 2}},
		{"Sept. 30, 2015", "", Date{2015, 9, 30}},
		{"2006 Jan 02", "", Date{2006, 1, 2}},
		{"4th of May 2022", "", Date{2022, 5, 4}},
		{"Wednesday, May 04, 2022", "", Date{2022, 5, 4}},
		{"Mon, 02 Jan 2006", "", Date{2006, 1, 2}},
		{"Mon, 02 Jan 2006 15:04:05 MST", "", Date{2006, 1, 2}},
		{"Mon, 02 Jan 2006 15:04:05 -0700", "", Date{2006, 1, 2}},
		{"4 de mayo de 2022", "", Date{2022, 5, 4}},
		{"1er janvier 2016", "", Date{2016, 1, 1}},
		{"4 مايو 2022", "", Date{2022, 5, 4}},
		{"١ كانون الثاني ٢٠١٦", "", Date{2016, 1, 1}},
		{"44685", "", Date{2022, 5, 4}},
		{"٤٤٦٨٥", "", Date{2022, 5, 4}},
		{"٢٠٢٢-٠٥-٠٤", "", Date{2022, 5, 4}},
		{"۱۴۰۱/۰۲/۱۴", "Y/m/d", Date{1401, 2, 14}}, // rejected below: year range
		{"2024-02-29", "", Date{2024, 2, 29}},
		{"2000-02-29", "", Date{2000, 2, 29}},
		// Explicit layouts.
		{"2022-05-04", "Y-m-d", Date{2022, 5, 4}},
		{"2014-01-01T00:00:00", "Y-m-d", Date{2014, 1, 1}},
		{"04/05/2022", "d/m/Y", Date{2022, 5, 4}},
		{"05/04/2022", "m/d/Y", Date{2022, 5, 4}},
		{"5/31/2022", "m/d/Y", Date{2022, 5, 31}},
		{"04.05.2022", "d.m.Y", Date{2022, 5, 4}},
		{"04-May-2022", "d-b-Y", Date{2022, 5, 4}},
		{"4  May 2022", "d b Y", Date{2022, 5, 4}},
		{"2016", "Y", Date{2016, 1, 1}},
		{"2016-07", "Y-m", Date{2016, 7, 1}},
		{"44685", "excel", Date{2022, 5, 4}},
		{"44685.75", "excel", Date{2022, 5, 4}},
		{"61", "excel", Date{1900, 3, 1}},
		{"59", "excel", Date{1900, 2, 28}},
		{"1", "excel", Date{1900, 1, 1}},
	}
	for _, tt := range tests {
		if tt.want.Year < MinYear {
			continue
		}
		got, err := ParseDate(tt.in, tt.layout)
		if err != nil {
			t.Errorf("ParseDate(%q, %q): %v", tt.in, tt.layout, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseDate(%q, %q) mismatch (-want +got):\n%s", tt.in, tt.layout, diff)
		}
	}
}

func TestParseDateErrors(t *testing.T) {
	tests := []struct {
		in, layout, want string
	}{
		{"0000-00-00", "", `"0000-00-00" is not a date: year 0 is outside 1900–2200`},
		{"2021-02-30", "", `"2021-02-30" is not a date: February 2021 has only 28 days`},
		{"2021-04-31", "", `"2021-04-31" is not a date: April 2021 has only 30 days`},
		{"2021-13-01", "", `"2021-13-01" is not a date: there is no month 13`},
		{"2021-00-10", "", `"2021-00-10" is not a date: there is no month 0`},
		{"2021-01-00", "", `"2021-01-00" is not a date: there is no day 0`},
		{"1899-12-31", "", `"1899-12-31" is not a date: year 1899 is outside 1900–2200`},
		{"2201-01-01", "", `"2201-01-01" is not a date: year 2201 is outside 1900–2200`},
		{"05/31/2022", "", `"05/31/2022" is not a date: there is no month 31 (dates like this are read as day/month/year; use the layout "m/d/Y" for US-style dates)`},
		{"02/01/06", "", `"02/01/06" is not a date: has a two-digit year, which is ambiguous`},
		{"2016", "", `"2016" is not a date: is a year, not a date (use the layout "Y" or ParseFiscalYear)`},
		{"123", "", `"123" is not a date: is a number, not a date (Excel day numbers from 20000 to 80000 are read as dates; use the layout "excel" for others)`},
		{"99999", "", `"99999" is not a date: is a number, not a date (Excel day numbers from 20000 to 80000 are read as dates; use the layout "excel" for others)`},
		{"Monday, May 04, 2022", "", `"Monday, May 04, 2022" is not a date: 4 May 2022 was a Wednesday, not a Monday`},
		{"4 Mai 2022x", "", `"4 Mai 2022x" is not a date: is not a date in any format this service recognises`},
		{"4 Maybe 2022", "", `"4 Maybe 2022" is not a date: "maybe" is not a month name`},
		{"2022-05-04T25:00", "", `"2022-05-04T25:00" is not a date: has an unreadable time of day`},
		{"2022-05-04 nonsense:00", "", `"2022-05-04 nonsense:00" is not a date: has an unreadable time of day`},
		{"10:30", "", `"10:30" is not a date: has an unreadable time of day`},
		{"2022-05-04", "d/m/Y", `"2022-05-04" is not a date: does not match the layout "d/m/Y"`},
		{"04/05/22", "d/m/Y", `"04/05/22" is not a date: does not match the layout "d/m/Y"`},
		{"04/05/2022 extra", "d/m/Y", `"04/05/2022 extra" is not a date: does not match the layout "d/m/Y"`},
		{"60", "excel", `"60" is not a date: Excel day 60 is 29 February 1900, a day that never existed`},
		{"0", "excel", `"0" is not a date: Excel day numbers start at 1`},
		{"99999999", "excel", `"99999999" is not a date: is too large for an Excel day number`},
		{"300000", "excel", `"300000" is not a date: is too large for an Excel day number`},
		{"abc", "excel", `"abc" is not a date: is not an Excel day number`},
		{"۱۴۰۱/۰۲/۱۴", "Y/m/d", `"۱۴۰۱/۰۲/۱۴" is not a date: year 1401 is outside 1900–2200`},
		{"2022-05-04", "dd/mm/yyyy", `unknown date layout "dd/mm/yyyy": write it with Y (4-digit year), m (month), d (day), b (month name) and separators, e.g. "d/m/Y" or "Y-m-d", or use "excel" or "" (auto)`},
		{"2022-05-04", "2006-01-02", `unknown date layout "2006-01-02": write it with Y (4-digit year), m (month), d (day), b (month name) and separators, e.g. "d/m/Y" or "Y-m-d", or use "excel" or "" (auto)`},
	}
	for _, tt := range tests {
		_, err := ParseDate(tt.in, tt.layout)
		if err == nil {
			t.Errorf("ParseDate(%q, %q) succeeded, want %q", tt.in, tt.layout, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("ParseDate(%q, %q) error (-want +got):\n%s", tt.in, tt.layout, diff)
		}
	}
	for _, in := range []string{"", "  ", "-", "–", "\u200f"} {
		if _, err := ParseDate(in, ""); !errors.Is(err, ErrEmpty) {
			t.Errorf("ParseDate(%q) = %v, want ErrEmpty", in, err)
		}
	}
}

func TestDateString(t *testing.T) {
	tests := []struct {
		d    Date
		want string
	}{
		{Date{2022, 5, 4}, "2022-05-04"},
		{Date{1900, 12, 31}, "1900-12-31"},
		{Date{}, "0000-00-00"},
		{Date{12345, 1, 1}, "12345-01-01"},
		{Date{-1, 1, 1}, "-001-01-01"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.d.String()); diff != "" {
			t.Errorf("%#v.String() (-want +got):\n%s", tt.d, diff)
		}
	}
}

func TestParseFiscalYear(t *testing.T) {
	tests := []struct {
		in         string
		start, end int
	}{
		{"2016", 2016, 2016},
		{"FY2016", 2016, 2016},
		{"fy 2016", 2016, 2016},
		{"FY16", 2016, 2016},
		{"2015-16", 2015, 2016},
		{"2015/16", 2015, 2016},
		{"2015/2016", 2015, 2016},
		{"2015-2016", 2015, 2016},
		{"2015–16", 2015, 2016},
		{"FY 2015-16", 2015, 2016},
		{"1999-00", 1999, 2000},
		{"٢٠١٦", 2016, 2016},
		{"٢٠١٥/٢٠١٦", 2015, 2016},
		{"۱۳۹۹", 0, 0}, // Persian solar year: out of range, see errors
		{" 2015 - 16 ", 2015, 2016},
	}
	for _, tt := range tests {
		if tt.start == 0 {
			continue
		}
		s, err1 := ParseFiscalYear(tt.in, false)
		e, err2 := ParseFiscalYear(tt.in, true)
		if err1 != nil || err2 != nil {
			t.Errorf("ParseFiscalYear(%q): %v, %v", tt.in, err1, err2)
			continue
		}
		if diff := cmp.Diff([2]int{tt.start, tt.end}, [2]int{s, e}); diff != "" {
			t.Errorf("ParseFiscalYear(%q) (-want +got):\n%s", tt.in, diff)
		}
	}

	errs := []struct{ in, want string }{
		{"2015-17", `"2015-17" is not a fiscal year: a fiscal year spans two consecutive years, not 2015 to 2017`},
		{"2016-2015", `"2016-2015" is not a fiscal year: a fiscal year spans two consecutive years, not 2016 to 2015`},
		{"16", `"16" is not a fiscal year: expected a 4-digit year such as 2016 or a span such as 2015-16`},
		{"20165", `"20165" is not a fiscal year: expected a 4-digit year such as 2016 or a span such as 2015-16`},
		{"1850", `"1850" is not a fiscal year: year 1850 is outside 1900–2200`},
		{"۱۳۹۹", `"۱۳۹۹" is not a fiscal year: year 1399 is outside 1900–2200`},
		{"2016 budget", `"2016 budget" is not a fiscal year: unexpected 'b' after the year`},
		{"2015-6", `"2015-6" is not a fiscal year: the end of the span should be 2 or 4 digits, as in 2015-16 or 2015-2016`},
	}
	for _, tt := range errs {
		_, err := ParseFiscalYear(tt.in, true)
		if err == nil {
			t.Errorf("ParseFiscalYear(%q) succeeded, want %q", tt.in, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("ParseFiscalYear(%q) error (-want +got):\n%s", tt.in, diff)
		}
	}
	if _, err := ParseFiscalYear(" ", false); !errors.Is(err, ErrEmpty) {
		t.Errorf("ParseFiscalYear(blank) = %v, want ErrEmpty", err)
	}
}

func TestParseDateAllocs(t *testing.T) {
	for _, in := range []string{"2022-05-04", "04/05/2022", "2014-01-01T00:00:00"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = ParseDate(in, "") }); n != 0 {
			t.Errorf("ParseDate(%q) allocates %v times, want 0", in, n)
		}
	}
}

func BenchmarkParseDate(b *testing.B) {
	for _, in := range []string{"2022-05-04", "2014-01-01T00:00:00", "Wednesday, May 04, 2022"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseDate(in, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
