package parse

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

const (
	arabicText = "الوزارة,البند,المبلغ\nوزارة المالية والاقتصاد الوطني,المصروفات المتكررة,12.500\n" +
		"وزارة التربية والتعليم,رواتب الموظفين,12500\nشؤون البلديات والتخطيط العمراني,مشاريع الصرف الصحي,3.250\n" +
		"هيئة الكهرباء والماء,الدعم الحكومي,(1,234.5)\n"
	spanishText = "Ciclo,Ramo,RAMO_DESCRIPCION,UNIDAD_DESCRIPCION,PEF_2016\n" +
		"2016,1,Poder Legislativo,H. Cámara de Diputados,\" 99,305,000 \"\n" +
		"2016,1,Poder Legislativo,Auditoría Superior de la Federación,\" 1,003,938,481 \"\n" +
		"2016,6,Hacienda y Crédito Público,Subsecretaría de Egresos,\" 12,000 \"\n" +
		"2016,11,Educación Pública,Dirección General de Educación Indígena,\" 5,500 \"\n"
)

func encode(t testing.TB, cm *charmap.Charmap, s string) []byte {
	t.Helper()
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding sample as %v: %v", cm, err)
	}
	return b
}

func utf16Bytes(t testing.TB, s string, e xunicode.Endianness, bom xunicode.BOMPolicy) []byte {
	t.Helper()
	b, err := xunicode.UTF16(e, bom).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDetectEncoding(t *testing.T) {
	tests := []struct {
		name   string
		sample []byte
		want   string
	}{
		{"empty", nil, UTF8},
		{"ascii", []byte("a,b,c\n1,2,3\n"), UTF8},
		{"utf-8", []byte(arabicText), UTF8},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, "a,b\n"...), UTF8BOM},
		{"utf-8 cut mid-rune", []byte(spanishText + "Cá")[:len(spanishText)+2], UTF8},
		{"utf-8 with one bad byte", append([]byte(arabicText), 0xFF), UTF8},
		{"utf-16le bom", utf16Bytes(t, "\ufeffa,b\n", xunicode.LittleEndian, xunicode.IgnoreBOM), UTF16LE},
		{"utf-16be bom", utf16Bytes(t, "\ufeffa,b\n", xunicode.BigEndian, xunicode.IgnoreBOM), UTF16BE},
		{"utf-16le no bom", utf16Bytes(t, spanishText, xunicode.LittleEndian, xunicode.IgnoreBOM), UTF16LE},
		{"utf-16be no bom", utf16Bytes(t, spanishText, xunicode.BigEndian, xunicode.IgnoreBOM), UTF16BE},
		{"windows-1256", encode(t, charmap.Windows1256, arabicText), Windows1256},
		{"iso-8859-6", encode(t, charmap.ISO8859_6, arabicText), ISO8859_6},
		{"windows-1252", encode(t, charmap.Windows1252, spanishText), Windows1252},
		{"windows-1252 quotes", encode(t, charmap.Windows1252, "Ministry’s “capital” budget – 2016,€5\n"), Windows1252},
		{"cp850", encode(t, charmap.CodePage850, spanishText), CP850},
		{"iso-8859-1 with C1 bytes", append(encode(t, charmap.ISO8859_1, spanishText), 0x81, 0x8D), ISO8859_1},
		{"french windows-1252", encode(t, charmap.Windows1252, "Ministère de l'Économie,Dépenses,Crédits réservés\n"), Windows1252},
		{"french cp850", encode(t, charmap.CodePage850, "Ministère de l'Économie,Dépenses,Crédits réservés\n"), CP850},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, DetectEncoding(tt.sample)); diff != "" {
			t.Errorf("%s: DetectEncoding mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestNewDecoder(t *testing.T) {
	tests := []struct {
		name     string
		in       []byte
		declared string
		want     string
		wantUsed string
	}{
		{"utf-8 detect", []byte("a,é\n"), "", "a,é\n", UTF8},
		{"utf-8 bom stripped", []byte("\xEF\xBB\xBFa,b\n"), "", "a,b\n", UTF8BOM},
		{"utf-8 bom stripped when declared", []byte("\xEF\xBB\xBFa,b\n"), "UTF-8", "a,b\n", UTF8BOM},
		{"mojibake bom stripped", []byte("ï»¿Body Name,Amount\n"), "", "Body Name,Amount\n", UTF8},
		{"mojibake bom kept inside", []byte("a,ï»¿b\n"), "", "a,ï»¿b\n", UTF8},
		{"invalid utf-8 replaced", []byte("a,\xff\xfeb\n"), "utf-8", "a,\ufffd\ufffdb\n", UTF8},
		{"utf-8-sig without bom", []byte("a,b\n"), "utf-8-sig", "a,b\n", UTF8},
		{"windows-1256", encode(t, charmap.Windows1256, arabicText), "", arabicText, Windows1256},
		{"cp1256 declared", encode(t, charmap.Windows1256, "وزارة المالية"), "CP1256", "وزارة المالية", Windows1256},
		{"iso-8859-6 declared", encode(t, charmap.ISO8859_6, "وزارة المالية"), "iso-8859-6", "وزارة المالية", ISO8859_6},
		{"cp850 declared", encode(t, charmap.CodePage850, "Cámara"), "IBM850", "Cámara", CP850},
		{"cp850 detected", encode(t, charmap.CodePage850, spanishText), "", spanishText, CP850},
		{"cp1252 declared", encode(t, charmap.Windows1252, "Cámara €"), "cp1252", "Cámara €", Windows1252},
		{"cp1252 with utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, encode(t, charmap.Windows1252, "Cámara")...), "windows-1252", "Cámara", Windows1252},
		{"latin1 declared", encode(t, charmap.ISO8859_1, "Cámara"), "Latin1", "Cámara", ISO8859_1},
		{"utf-16 with bom", utf16Bytes(t, "a,é\n", xunicode.BigEndian, xunicode.UseBOM), "utf-16", "a,é\n", UTF16BE},
		{"utf-16 detected", utf16Bytes(t, "a,é\n", xunicode.LittleEndian, xunicode.UseBOM), "", "a,é\n", UTF16LE},
		{"utf-16 no bom defaults to le", utf16Bytes(t, "é", xunicode.LittleEndian, xunicode.IgnoreBOM), "utf-16", "é", UTF16LE},
		{"utf-16le declared, be bom", utf16Bytes(t, "ab", xunicode.BigEndian, xunicode.UseBOM), "utf-16le", "ab", UTF16BE},
		{"empty", nil, "", "", UTF8},
	}
	for _, tt := range tests {
		rd, used, err := NewDecoder(bytes.NewReader(tt.in), tt.declared)
		if err != nil {
			t.Errorf("%s: NewDecoder: %v", tt.name, err)
			continue
		}
		got, err := io.ReadAll(rd)
		if err != nil {
			t.Errorf("%s: reading: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff([]string{tt.want, tt.wantUsed}, []string{string(got), used}); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.name, diff)
		}
	}
	if _, _, err := NewDecoder(strings.NewReader("x"), "ebcdic"); err == nil ||
		!strings.Contains(err.Error(), `unsupported text encoding "ebcdic"`) {
		t.Errorf("unknown encoding: got %v", err)
	}
	if _, _, err := NewDecoder(iotestErrReader{}, ""); err == nil || !strings.Contains(err.Error(), "reading the start of the file") {
		t.Errorf("failing reader: got %v", err)
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestNewDecoderLarge streams well over the sniff size with damage beyond
// it: memory stays bounded and the damage shows as U+FFFD.
func TestNewDecoderLarge(t *testing.T) {
	line := "وزارة المالية,12.500\n"
	n := 3*SniffSize/len(line) + 1
	src := io.MultiReader(strings.NewReader(strings.Repeat(line, n)), strings.NewReader("bad \xC3 byte\n"))
	rd, used, err := NewDecoder(src, "")
	if err != nil || used != UTF8 {
		t.Fatalf("NewDecoder: %v, %q", err, used)
	}
	out, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(out, []byte("bad \ufffd byte\n")) {
		t.Errorf("damaged tail not replaced: %q", out[len(out)-20:])
	}
	if !utf8.Valid(out) {
		t.Error("output is not valid UTF-8")
	}
}

func BenchmarkNewDecoder(b *testing.B) {
	data := encode(b, charmap.Windows1256, strings.Repeat(arabicText, 2000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd, _, err := NewDecoder(bytes.NewReader(data), "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rd); err != nil {
			b.Fatal(err)
		}
	}
}
