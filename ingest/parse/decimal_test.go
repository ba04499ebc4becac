package parse

import (
	"math/big"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/google/go-cmp/cmp"
)

func TestDecimalBasics(t *testing.T) {
	type info struct {
		String string
		Scale  int32
		Sign   int
		IsZero bool
	}
	tests := []struct {
		in   string
		want info
	}{
		{"0", info{"0", 0, 0, true}},
		{"0.000", info{"0.000", 3, 0, true}},
		{"-1234.50", info{"-1234.50", 2, -1, false}},
		{"0.05", info{"0.05", 2, 1, false}},
		{"-0.005", info{"-0.005", 3, -1, false}},
		{"12345678901234567890.123456789012345678", info{"12345678901234567890.123456789012345678", 18, 1, false}},
		{"99999999999999999999999999999999999999", info{"99999999999999999999999999999999999999", 0, 1, false}},
	}
	for _, tt := range tests {
		d := MustDecimal(tt.in)
		got := info{d.String(), d.Scale(), d.Sign(), d.IsZero()}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("MustDecimal(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
	var zero Decimal
	if diff := cmp.Diff("0", zero.String()); diff != "" {
		t.Errorf("zero Decimal: %s", diff)
	}
	if diff := cmp.Diff(MustDecimal("-5.0"), MustDecimal("5.0").Neg()); diff != "" {
		t.Errorf("Neg: %s", diff)
	}
}

func TestDecimalCmpEqual(t *testing.T) {
	tests := []struct {
		a, b  string
		cmp   int
		equal bool
	}{
		{"1.5", "1.50", 0, false},
		{"1.50", "1.50", 0, true},
		{"0", "0.00", 0, false},
		{"-0.00", "0.00", 0, true},
		{"1", "2", -1, false},
		{"-1", "-2", 1, false},
		{"-1", "1", -1, false},
		{"0", "-0.001", 1, false},
		{"0.1", "0.09999999999999999999999999999999999999", 1, false},
		{"99999999999999999999999999999999999999", "9999999999999999999.9999999999999999999", 1, false},
		{"12.345", "12.3450000000", 0, false},
		{"1E+20", "100000000000000000000", 0, true},
	}
	for _, tt := range tests {
		a, b := MustDecimal(tt.a), MustDecimal(tt.b)
		got := []any{a.Cmp(b), b.Cmp(a), a.Equal(b)}
		want := []any{tt.cmp, -tt.cmp, tt.equal}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s vs %s (-want +got):\n%s", tt.a, tt.b, diff)
		}
	}
}

func TestDecimalRescale(t *testing.T) {
	tests := []struct {
		in      string
		scale   int32
		want    string // decimal128 value as a big integer
		wantErr string
	}{
		{"12.5", 3, "12500", ""},
		{"-1234.50", 2, "-123450", ""},
		{"1.2300", 2, "123", ""},
		{"0.00000", 0, "0", ""},
		{"1.2345", 3, "", "1.2345 has 4 decimal places, more than the 3 this currency allows"},
		{"1.23450", 3, "", "1.23450 has 4 decimal places, more than the 3 this currency allows"},
		{"0.5", 0, "", "0.5 has 1 decimal place, more than the 0 this currency allows"},
		{"1200", -2, "12", ""},
		{"1234", -2, "", "1234 cannot be stored at scale -2 without losing digits"},
		{"99999999999999999999999999999999999999", 0, "99999999999999999999999999999999999999", ""},
		{"9999999999999999999999999999999999999", 1, "99999999999999999999999999999999999990", ""},
		{"99999999999999999999999999999999999999", 1, "", "99999999999999999999999999999999999999 would need more than 38 digits at scale 1"},
		{"1", 38, "", "1 would need more than 38 digits at scale 38"},
		{"0.1", 38, "10000000000000000000000000000000000000", ""},
		{"0", 100, "0", ""},
	}
	for _, tt := range tests {
		n, err := MustDecimal(tt.in).Rescale(tt.scale)
		if tt.wantErr != "" {
			if err == nil {
				t.Errorf("%s.Rescale(%d) = %v, want error %q", tt.in, tt.scale, n.BigInt(), tt.wantErr)
			} else if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
				t.Errorf("%s.Rescale(%d) error (-want +got):\n%s", tt.in, tt.scale, diff)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s.Rescale(%d): %v", tt.in, tt.scale, err)
			continue
		}
		if diff := cmp.Diff(tt.want, n.BigInt().String()); diff != "" {
			t.Errorf("%s.Rescale(%d) (-want +got):\n%s", tt.in, tt.scale, diff)
		}
	}
}

func TestDecimalMulIntAdd(t *testing.T) {
	mul := []struct {
		in      string
		factor  int64
		want    string
		wantErr string
	}{
		{"1.5", 1000, "1500.0", ""},
		{"-12.345", 1000000, "-12345000.000", ""},
		{"12", -3, "-36", ""},
		{"-12", -3, "36", ""},
		{"12", 0, "0", ""},
		{"-12.00", 0, "0.00", ""},
		{"1", -9223372036854775808, "-9223372036854775808", ""},
		{"9999999999999999999999999999999999999", 10, "99999999999999999999999999999999999990", ""},
		{"9999999999999999999999999999999999999", 11, "", "9999999999999999999999999999999999999 × 11 has more than 38 digits"},
		{"99999999999999999999", 9223372036854775807, "", "99999999999999999999 × 9223372036854775807 has more than 38 digits"},
	}
	for _, tt := range mul {
		got, err := MustDecimal(tt.in).MulInt(tt.factor)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s.MulInt(%d) = %v, %v; want error %q", tt.in, tt.factor, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s.MulInt(%d): %v", tt.in, tt.factor, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got.String()); diff != "" {
			t.Errorf("%s.MulInt(%d) (-want +got):\n%s", tt.in, tt.factor, diff)
		}
	}

	add := []struct {
		a, b    string
		want    string
		wantErr string
	}{
		{"1.5", "2.25", "3.75", ""},
		{"1.50", "-1.5", "0.00", ""},
		{"-1.5", "0.25", "-1.25", ""},
		{"0.25", "-1.5", "-1.25", ""},
		{"-1", "-2.000", "-3.000", ""},
		{"0.1", "0.2", "0.3", ""},
		{"99305000", "1003938481", "1103243481", ""},
		{"99999999999999999999999999999999999999", "-1", "99999999999999999999999999999999999998", ""},
		{"99999999999999999999999999999999999999", "1", "", "99999999999999999999999999999999999999 + 1 has more than 38 digits"},
		{"9999999999999999999999999999999999999", "0.1", "9999999999999999999999999999999999999.1", ""},
		{"99999999999999999999999999999999999999", "0.1", "", "99999999999999999999999999999999999999 + 0.1 has more than 38 digits"},
		{"0", "0.00000000000000000000000000000000000001", "0.00000000000000000000000000000000000001", ""},
	}
	for _, tt := range add {
		got, err := MustDecimal(tt.a).Add(MustDecimal(tt.b))
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s + %s = %v, %v; want error %q", tt.a, tt.b, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s + %s: %v", tt.a, tt.b, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got.String()); diff != "" {
			t.Errorf("%s + %s (-want +got):\n%s", tt.a, tt.b, diff)
		}
	}
}

func TestDecimalFromNum(t *testing.T) {
	minNum := decimal128.New(-1<<63, 0)
	maxNum := decimal128.New(1<<63-1, ^uint64(0))
	tests := []struct {
		n     decimal128.Num
		scale int32
		want  string
	}{
		{decimal128.FromI64(-123450), 2, "-1234.50"},
		{decimal128.FromI64(5), 3, "0.005"},
		{decimal128.FromI64(0), 2, "0.00"},
		{decimal128.FromI64(12), -3, "12000"},
		{decimal128.FromI64(0), -3, "0"},
		{decimal128.FromI64(12), 200, "12E-200"},
		{maxNum, 0, "170141183460469231731687303715884105727"},
		{minNum, 0, "-170141183460469231731687303715884105728"},
	}
	for _, tt := range tests {
		d := DecimalFromNum(tt.n, tt.scale)
		if diff := cmp.Diff(tt.want, d.String()); diff != "" {
			t.Errorf("DecimalFromNum(%v, %d) (-want +got):\n%s", tt.n.BigInt(), tt.scale, diff)
		}
	}
	// Round trip through Rescale.
	for _, s := range []string{"0", "-1234.50", "0.005", "99999999999999999999999999999999999999", "-0.00000000000000000000000000000000000001"} {
		d := MustDecimal(s)
		n, err := d.Rescale(d.Scale())
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if diff := cmp.Diff(d, DecimalFromNum(n, d.Scale())); diff != "" {
			t.Errorf("round trip of %s (-want +got):\n%s", s, diff)
		}
		want, _ := new(big.Int).SetString(strings.ReplaceAll(strings.TrimLeft(s, "0."), ".", ""), 10)
		if s == "0" {
			want = big.NewInt(0)
		}
		if want != nil && n.BigInt().Cmp(want) != 0 {
			t.Errorf("%s rescaled to %v, want %v", s, n.BigInt(), want)
		}
	}
	// Out-of-range values from Arrow make errors, not panics.
	if _, err := DecimalFromNum(maxNum, 0).Rescale(0); err == nil {
		t.Error("a 39-digit Arrow value rescaled without error")
	}
	if _, err := DecimalFromNum(maxNum, 0).Add(MustDecimal("1")); err == nil {
		t.Error("a 39-digit Arrow value added without error")
	}
	if got := DecimalFromNum(minNum, 0).Cmp(DecimalFromNum(maxNum, 0)); got != -1 {
		t.Errorf("min.Cmp(max) = %d", got)
	}
	if got := DecimalFromNum(decimal128.FromI64(1), -2147483648).Cmp(DecimalFromNum(decimal128.FromI64(1), 2147483647)); got != 1 {
		t.Errorf("extreme scales: Cmp = %d, want 1", got)
	}
}

func TestMustDecimalPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustDecimal did not panic on a bad amount")
		}
	}()
	MustDecimal("12%")
}
