package classification

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
)

func TestGFS(t *testing.T) {
	tests := []struct {
		in   string
		want mizan.Text
	}{
		{"11", mizan.Text{"en": "Taxes", "ar": "الضرائب"}},
		{"12", mizan.Text{"en": "Social contributions", "ar": "المساهمات الاجتماعية"}},
		{"13", mizan.Text{"en": "Grants", "ar": "المنح"}},
		{"14", mizan.Text{"en": "Other revenue", "ar": "إيرادات أخرى"}},
		{"21", mizan.Text{"en": "Compensation of employees", "ar": "تعويضات العاملين"}},
		{"2.1.1", mizan.Text{"en": "Wages and salaries", "ar": "الأجور والرواتب"}},
		{"GFS 22", mizan.Text{"en": "Use of goods and services", "ar": "استخدام السلع والخدمات"}},
		{"23", mizan.Text{"en": "Consumption of fixed capital", "ar": "استهلاك رأس المال الثابت"}},
		{"24", mizan.Text{"en": "Interest", "ar": "الفوائد"}},
		{"25", mizan.Text{"en": "Subsidies", "ar": "الإعانات"}},
		{"26", mizan.Text{"en": "Grants", "ar": "المنح"}},
		{"27", mizan.Text{"en": "Social benefits", "ar": "المنافع الاجتماعية"}},
		{"28", mizan.Text{"en": "Other expense", "ar": "مصروفات أخرى"}},
		{"31", mizan.Text{"en": "Net acquisition of nonfinancial assets", "ar": "صافي حيازة الأصول غير المالية"}},
		{"٢١١", mizan.Text{"en": "Wages and salaries", "ar": "الأجور والرواتب"}},
		{"115", mizan.Text{"en": "Taxes on international trade and transactions", "ar": "الضرائب على التجارة والمعاملات الدولية"}},
		{"221", nil}, // GFSM 2014 does not divide 22
		{"29", nil},
		{"", nil},
		{"taxes", nil},
	}
	for _, tt := range tests {
		got, ok := GFS(tt.in)
		if ok != (tt.want != nil) {
			t.Errorf("GFS(%q) ok = %v", tt.in, ok)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("GFS(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestGFSHierarchy(t *testing.T) {
	if diff := cmp.Diff([]string{"1", "2", "3"}, GFSCodes(1)); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
	want2 := []string{"11", "12", "13", "14", "21", "22", "23", "24", "25", "26", "27", "28", "31", "32", "33"}
	if diff := cmp.Diff(want2, GFSCodes(2)); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
	for digits := 1; digits <= 3; digits++ {
		for _, c := range GFSCodes(digits) {
			checkLabel(t, "GFS "+c, GFS, c)
			p := GFSParent(c)
			if digits == 1 {
				if p != "" {
					t.Errorf("GFSParent(%s) = %q; want none", c, p)
				}
				continue
			}
			if _, ok := GFS(p); !ok || len(p) != digits-1 {
				t.Errorf("GFS %s: parent %q missing", c, p)
			}
		}
	}
	if n := len(GFSCodes(3)); n != 37 { // revenue 6+2+3+5, expense 2+3+3+3+3+3, nonfinancial assets 4
		t.Errorf("%d three-digit items; want 37", n)
	}
}
