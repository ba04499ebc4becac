package classification

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
)

func TestCOFOGCode(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"07", "07", true},
		{"7", "07", true},
		{" 07 ", "07", true},
		{"10", "10", true},
		{"07.2", "07.2", true},
		{"7.2", "07.2", true},
		{"07.02", "07.2", true},
		{"072", "07.2", true},
		{"0702", "07.2", true},
		{"GF0702", "07.2", true},
		{"gf07", "07", true},
		{"GF10", "10", true},
		{"07.2.1", "07.2.1", true},
		{"7.2.1", "07.2.1", true},
		{"0721", "07.2.1", true},
		{"07-2-1", "07.2.1", true},
		{"0740", "07.4.0", true},
		{"1011", "10.1.1", true},
		{"1001", "10.1", true},
		{"٠٧٫٢٫١", "07.2.1", true},
		{"۰۹", "09", true},
		{"", "", false},
		{"00", "", false},
		{"11", "", false},
		{"07.9", "", false},
		{"07.2.9", "", false},
		{"07.2.1.1", "", false},
		{"07.22", "", false},
		{"072101", "", false},
		{"721", "", false},
		{"health", "", false},
		{"07a", "", false},
	}
	for _, tt := range tests {
		got, ok := COFOGCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("COFOGCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCOFOG(t *testing.T) {
	tests := []struct {
		in   string
		want mizan.Text
	}{
		{"01", mizan.Text{"en": "General public services", "ar": "الخدمات العامة"}},
		{"02", mizan.Text{"en": "Defence", "ar": "الدفاع"}},
		{"3", mizan.Text{"en": "Public order and safety", "ar": "النظام العام وشؤون السلامة العامة"}},
		{"04", mizan.Text{"en": "Economic affairs", "ar": "الشؤون الاقتصادية"}},
		{"05", mizan.Text{"en": "Environmental protection", "ar": "حماية البيئة"}},
		{"06", mizan.Text{"en": "Housing and community amenities", "ar": "الإسكان ومرافق المجتمع"}},
		{"GF07", mizan.Text{"en": "Health", "ar": "الصحة"}},
		{"08", mizan.Text{"en": "Recreation, culture and religion", "ar": "الترفيه والثقافة والدين"}},
		{"09", mizan.Text{"en": "Education", "ar": "التعليم"}},
		{"10", mizan.Text{"en": "Social protection", "ar": "الحماية الاجتماعية"}},
		{"072", mizan.Text{"en": "Outpatient services", "ar": "خدمات العيادات الخارجية"}},
		{"0721", mizan.Text{"en": "General medical services", "ar": "الخدمات الطبية العامة"}},
		{"01.7.0", mizan.Text{"en": "Public debt transactions", "ar": "معاملات الدين العام"}},
		{"09.1.2", mizan.Text{"en": "Primary education", "ar": "التعليم الابتدائي"}},
		{"10.9.0", mizan.Text{"en": "Social protection n.e.c.", "ar": "شؤون الحماية الاجتماعية غير المصنفة في موضع آخر"}},
		{"99", nil},
	}
	for _, tt := range tests {
		got, ok := COFOG(tt.in)
		if ok != (tt.want != nil) {
			t.Errorf("COFOG(%q) ok = %v", tt.in, ok)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("COFOG(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestCOFOGReturnsCopy(t *testing.T) {
	l, _ := COFOG("07")
	l["en"] = "changed"
	if again, _ := COFOG("07"); again["en"] != "Health" {
		t.Fatalf("COFOG label was mutated through a returned map: %q", again["en"])
	}
}

func TestCOFOGLevelAndParent(t *testing.T) {
	tests := []struct {
		in     string
		level  int
		ok     bool
		parent string
	}{
		{"07", 1, true, ""},
		{"7", 1, true, ""},
		{"07.2", 2, true, "07"},
		{"0702", 2, true, "07"},
		{"07.2.1", 3, true, "07.2"},
		{"0721", 3, true, "07.2"},
		{"10.1.2", 3, true, "10.1"},
		{"10.1", 2, true, "10"},
		{"07.9", 0, false, ""},
		{"x", 0, false, ""},
	}
	for _, tt := range tests {
		level, ok := COFOGLevel(tt.in)
		if level != tt.level || ok != tt.ok {
			t.Errorf("COFOGLevel(%q) = %d, %v; want %d, %v", tt.in, level, ok, tt.level, tt.ok)
		}
		if got := COFOGParent(tt.in); got != tt.parent {
			t.Errorf("COFOGParent(%q) = %q; want %q", tt.in, got, tt.parent)
		}
	}
}

// COFOG 1999 has 10 divisions, 69 groups and 109 classes.
func TestCOFOGCounts(t *testing.T) {
	for level, want := range map[int]int{COFOGDivision: 10, COFOGGroup: 69, COFOGClass: 109} {
		if got := len(COFOGCodes(level)); got != want {
			t.Errorf("level %d has %d codes; want %d", level, got, want)
		}
	}
	if got := COFOGCodes(4); len(got) != 0 {
		t.Errorf("COFOGCodes(4) = %v; want none", got)
	}
	want := []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10"}
	if diff := cmp.Diff(want, COFOGCodes(COFOGDivision)); diff != "" {
		t.Errorf("divisions (-want +got):\n%s", diff)
	}
	perDivision := map[string][2]int{} // groups, classes
	for _, g := range COFOGCodes(COFOGGroup) {
		c := perDivision[g[:2]]
		c[0]++
		perDivision[g[:2]] = c
	}
	for _, cl := range COFOGCodes(COFOGClass) {
		c := perDivision[cl[:2]]
		c[1]++
		perDivision[cl[:2]] = c
	}
	wantPer := map[string][2]int{
		"01": {8, 13}, "02": {5, 5}, "03": {6, 6}, "04": {9, 32}, "05": {6, 6},
		"06": {6, 6}, "07": {6, 14}, "08": {6, 6}, "09": {8, 11}, "10": {9, 10},
	}
	if diff := cmp.Diff(wantPer, perDivision); diff != "" {
		t.Errorf("groups and classes per division (-want +got):\n%s", diff)
	}
}

func TestCOFOGHierarchyComplete(t *testing.T) {
	groups := map[string]int{}
	for _, cl := range COFOGCodes(COFOGClass) {
		g := COFOGParent(cl)
		if lv, ok := COFOGLevel(g); !ok || lv != COFOGGroup {
			t.Errorf("class %s: parent %q is not a group", cl, g)
			continue
		}
		groups[g]++
		d := COFOGParent(g)
		if lv, ok := COFOGLevel(d); !ok || lv != COFOGDivision {
			t.Errorf("class %s: group %s: parent %q is not a division", cl, g, d)
		}
		if !strings.HasPrefix(cl, g+".") || !strings.HasPrefix(g, d+".") {
			t.Errorf("class %s, group %s, division %s do not nest", cl, g, d)
		}
	}
	for _, g := range COFOGCodes(COFOGGroup) {
		if groups[g] == 0 {
			t.Errorf("group %s has no class", g)
		}
	}
}

func TestCOFOGLabelsNotEmpty(t *testing.T) {
	for level := COFOGDivision; level <= COFOGClass; level++ {
		for _, c := range COFOGCodes(level) {
			checkLabel(t, "COFOG "+c, COFOG, c)
		}
	}
}

// A class that is the only one of its group ("07.4.0") carries the group's
// label; any other class has a label of its own.
func TestCOFOGSingleClassLabels(t *testing.T) {
	children := map[string][]string{}
	for _, cl := range COFOGCodes(COFOGClass) {
		children[COFOGParent(cl)] = append(children[COFOGParent(cl)], cl)
	}
	for g, cls := range children {
		gl, _ := COFOG(g)
		for _, cl := range cls {
			l, _ := COFOG(cl)
			same := l["en"] == gl["en"]
			if sole := len(cls) == 1; sole != same {
				t.Errorf("class %s (%q) vs group %s (%q): sole class %v, same label %v", cl, l["en"], g, gl["en"], sole, same)
			}
			if sole := len(cls) == 1; sole != strings.HasSuffix(cl, ".0") {
				t.Errorf("class %s: sole class of its group %v, but code ends in .0 %v", cl, sole, !sole)
			}
		}
	}
}

func checkLabel(t *testing.T, what string, fn func(string) (mizan.Text, bool), code string) {
	t.Helper()
	l, ok := fn(code)
	if !ok {
		t.Errorf("%s: not found", what)
		return
	}
	for _, lang := range []string{"en", "ar"} {
		s := l[lang]
		if strings.TrimSpace(s) == "" || s != strings.TrimSpace(s) {
			t.Errorf("%s: %s label %q is empty or padded", what, lang, s)
		}
	}
	if !hasArabic(l["ar"]) {
		t.Errorf("%s: Arabic label %q has no Arabic letters", what, l["ar"])
	}
	if hasArabic(l["en"]) {
		t.Errorf("%s: English label %q has Arabic letters", what, l["en"])
	}
}

func hasArabic(s string) bool {
	for _, r := range s {
		if r >= '\u0600' && r <= '\u06FF' {
			return true
		}
	}
	return false
}
