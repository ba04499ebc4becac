package parse

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSniffDialect(t *testing.T) {
	tests := []struct {
		name   string
		sample string
		want   Dialect
	}{
		{"comma", "a,b,c\n1,2,3\n4,5,6\n", Dialect{',', '"', 0}},
		{"semicolon with decimal commas", "Name;Code;Amount\nA;1;12,5\nB;2;3,25\nC;3;7\n", Dialect{';', '"', 0}},
		{"semicolon, CRLF, BOM", "\ufeffДатум;Број;Буџет\r\n2014-01-01;1001;123\r\n;1002;456\r\n", Dialect{';', '"', 0}},
		{"tab", "a\tb\tc\n1\t2,5\t3\n4\t5\t6\n", Dialect{'\t', '"', 0}},
		{"pipe", "a|b|c\n1|2|3\n", Dialect{'|', '"', 0}},
		{"commas inside quotes", "name,amount\n\"Ministry of Finance, Bahrain\",\"1,234\"\n\"Education; Youth\",5\n", Dialect{',', '"', 0}},
		{"semicolons inside quotes", "a;b\n\"x,y,z\";1\n\"p,q\";2\n", Dialect{';', '"', 0}},
		{"quoted newline", "a,b\n\"line one\nline two\",2\n3,4\n", Dialect{',', '"', 0}},
		{"title and blank lines", "Kingdom of Bahrain - State Budget 2016\n\nSector,Description,2016,2015\nOil,Net Oil Revenue,1269039000,1269327000\nGas,Net Gas,469965000,414147000\n", Dialect{',', '"', 2}},
		{"title with a comma", "Budget 2016, in thousands\n\nSector;Description;2016\nOil;Net;1\nGas;Net;2\n", Dialect{';', '"', 2}},
		{"excel sep line", "sep=;\na;b\n1;2\n", Dialect{';', '"', 1}},
		{"cut-off last line", "a,b,c\n1,2,3\n4,5,6\n7,8", Dialect{',', '"', 0}},
		{"single line", "a;b;c", Dialect{';', '"', 0}},
		{"empty fields", "a,b,c\n,,\n1,,3\n", Dialect{',', '"', 0}},
	}
	for _, tt := range tests {
		got, err := SniffDialect([]byte(tt.sample))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSniffDialectNoDelimiter(t *testing.T) {
	for _, s := range []string{"", "\n\n", "just one column\nof text\n", "\"a,b\"\n\"c;d\"\n"} {
		if _, err := SniffDialect([]byte(s)); !errors.Is(err, ErrNoDelimiter) {
			t.Errorf("SniffDialect(%q) = %v, want ErrNoDelimiter", s, err)
		}
	}
}

func BenchmarkSniffDialect(b *testing.B) {
	sample := []byte(strings.Repeat("2016,1,Poder Legislativo,100,\"H. Cámara de Diputados, México\",\" 99,305,000 \"\n", 1000))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SniffDialect(sample); err != nil {
			b.Fatal(err)
		}
	}
}
