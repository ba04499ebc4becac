package textnorm

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestFold(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"   ", ""},
		{"hello world", "hello world"},
		{"  Ministry of   Finance, Bahrain. ", "ministry of finance bahrain"},
		{"Ministère", "ministere"},
		{"SECRETARÍA", "secretaria"},
		{"Secretaría de Hacienda y Crédito Público", "secretaria de hacienda y credito publico"},
		{"Educación—Niños/Niñas", "educacion ninos ninas"},
		{"Façade Ærø Straße", "facade ærø strasse"},
		{"ﬁnance ＡＢＣ１２３", "finance abc123"},
		{"R&D (capital)", "r d capital"},
		{"O’Brien", "o brien"},
		{"Mini\u00adstry", "ministry"}, // soft hyphen
		{"ΟΔΟΣ", "οδοσ"},
		{"Министерство за финансии", "министерство за финансии"},
		{"Јавни приходи – ЃЌ", "јавни приходи гк"},
		// Arabic.
		{"مؤسسة", "موسسه"},
		{"إدارة", "اداره"},
		{"آثار", "اثار"},
		{"ٱلله", "الله"},
		{"مستشفى", "مستشفي"},
		{"الـمـالـيـة", "الماليه"},
		{"وَزَارَة", "وزاره"},
		{"هيئة", "هييه"},
		{"مسئول", "مسيول"},
		{"جزء", "جز"},
		{"کتاب ی", "كتاب ي"},
		{"میزانیه ۱۴۰۲", "ميزانيه 1402"},
		{"ميزانية ٢٠١٦، الربع ١", "ميزانيه 2016 الربع 1"},
		{"\u200fوزارة المالية\u200f", "وزاره الماليه"},
		{"ﻻ ﺑﺄﺱ", "لا باس"}, // presentation forms
		{"می\u200cخواهم", "ميخواهم"},
		{"وزارة (المالية) - البحرين.", "وزاره الماليه البحرين"},
		{"bad \xff utf8", "bad utf8"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Fold(tt.in)); diff != "" {
			t.Errorf("Fold(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestFoldVariants checks that real variant spellings meet.
func TestFoldVariants(t *testing.T) {
	groups := [][]string{
		{"مؤسسة", "موسسه", "مؤسسه", "مؤسسـة", "مُؤَسَّسَة"},
		{"إدارة", "ادارة", "اداره", "أدارة"},
		{"مستشفى", "مستشفي", "مستشفی"},
		{"الـمـالـيـة", "المالية", "الماليه"},
		{"وَزَارَة", "وزارة", "وزاره"},
		{"Ministère", "ministere", "MINISTÈRE", "Ministere"},
		{"SECRETARÍA", "secretaria", "Secretaría"},
		{"Bahreïn", "bahrein"},
		{"Ñandú", "nandu"},
		{"٢٠١٦", "۲۰۱۶", "2016"},
	}
	for _, g := range groups {
		want := Fold(g[0])
		for _, s := range g[1:] {
			if diff := cmp.Diff(want, Fold(s)); diff != "" {
				t.Errorf("Fold(%q) differs from Fold(%q) (-%q +%q):\n%s", s, g[0], g[0], s, diff)
			}
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" ,. ", nil},
		{"Ministry of Finance", []string{"ministry", "of", "finance"}},
		{"وزارة المالية والاقتصاد الوطني", []string{"وزاره", "الماليه", "والاقتصاد", "الوطني"}},
		{"Gasto corriente/Inversión", []string{"gasto", "corriente", "inversion"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Tokens(tt.in)); diff != "" {
			t.Errorf("Tokens(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestFoldNoAllocWhenFolded(t *testing.T) {
	for _, s := range []string{"ministry of finance", "وزاره الماليه", "total "} {
		if n := testing.AllocsPerRun(100, func() { _ = Fold(s) }); n != 0 {
			t.Errorf("Fold(%q) allocates %v times, want 0", s, n)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{
		"", " ", "Ministère", "SECRETARÍA", "مؤسسة", "إدارة", "الـمـالـيـة", "وَزَارَة",
		"ﻻ", "ﬁ", "ẞ", "İstanbul", "ǅ", "Ω", "Å", "\u0675", "۱۲٫۵", "a\u0301\u0327", "\xff\xfe",
		"가나다", "ゔ", "ॐ क्षि", "\u200c\u200f", "Σίσυφος", "½ ²", "K", "ᾈ", "ﷺ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Fold(s)
		if slow := fold(s, false); slow != k {
			t.Fatalf("Fold(%q) = %q but the uncached path gives %q", s, k, slow)
		}
		if kk := Fold(k); kk != k {
			t.Fatalf("not idempotent: Fold(%q) = %q, Fold(%q) = %q", s, k, k, kk)
		}
		if !utf8.ValidString(k) {
			t.Fatalf("Fold(%q) = %q is not valid UTF-8", s, k)
		}
		if strings.HasPrefix(k, " ") || strings.HasSuffix(k, " ") || strings.Contains(k, "  ") {
			t.Fatalf("Fold(%q) = %q has stray spaces", s, k)
		}
		toks := Tokens(s)
		if strings.Join(toks, " ") != k {
			t.Fatalf("Tokens(%q) = %q does not rebuild %q", s, toks, k)
		}
	})
}

func BenchmarkFold(b *testing.B) {
	cases := []struct{ name, s string }{
		{"ascii", "Ministry of Finance - Recurrent Expenditure"},
		{"latin", "Secretaría de Hacienda y Crédito Público"},
		{"arabic", "وزارة المالية والاقتصاد الوطني - المصروفات المتكررة"},
		{"folded", "ministry of finance recurrent expenditure"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				_ = Fold(c.s)
			}
		})
	}
}
