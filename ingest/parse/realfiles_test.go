package parse

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
)

// The shared datasets are real public files, read in place and never copied
// into the repository. Tests skip when they are absent.
const datasets = "../../../shared/datasets"

func openDataset(t *testing.T, rel string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(datasets, rel))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("dataset %s not available", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// openZippedCSV returns the CSV inside a dataset zip, ignoring the
// __MACOSX resource-fork entries.
func openZippedCSV(t *testing.T, rel string) io.Reader {
	t.Helper()
	f := openDataset(t, rel)
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "__MACOSX/") || !strings.HasSuffix(zf.Name, ".csv") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rc.Close() })
		return rc
	}
	t.Fatalf("no CSV in %s", rel)
	return nil
}

// decodeAndSniff runs NewDecoder with detection and SniffDialect on its
// output, and returns a CSV reader positioned at the header.
func decodeAndSniff(t *testing.T, r io.Reader) (used string, d Dialect, cr *csv.Reader) {
	t.Helper()
	rd, used, err := NewDecoder(r, "")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(rd, SniffSize)
	sample, err := br.Peek(SniffSize)
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	d, err = SniffDialect(sample)
	if err != nil {
		t.Fatal(err)
	}
	for range d.HeaderRow {
		if _, err := br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	cr = csv.NewReader(br)
	cr.Comma = d.Delimiter
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	return used, d, cr
}

func TestRealMacedonianBudget(t *testing.T) {
	f := openDataset(t, "fdp-openspending-macedonia/MFBudzetIRebalansNaRMmk-MK.csv")
	used, d, cr := decodeAndSniff(t, f)
	if diff := cmp.Diff([]any{UTF8BOM, Dialect{';', '"', 0}}, []any{used, d}); diff != "" {
		t.Fatalf("encoding and dialect (-want +got):\n%s", diff)
	}
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Датум на објавување", "Буџет"}, []string{header[0], header[len(header)-1]}); diff != "" {
		t.Fatalf("header (BOM must be gone) (-want +got):\n%s", diff)
	}
	dates := map[string]int{}
	rows, emptyAmounts := 0, 0
	var sum Decimal
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		if len(rec) != len(header) {
			t.Fatalf("row %d has %d fields, want %d", rows, len(rec), len(header))
		}
		date, err := ParseDate(rec[0], "")
		switch {
		case errors.Is(err, ErrEmpty):
			dates["empty"]++
		case err != nil:
			t.Fatalf("row %d: %v", rows, err)
		default:
			dates[date.String()]++
		}
		amt, err := ParseAmount(rec[len(rec)-1], NumberFormat{})
		if errors.Is(err, ErrEmpty) {
			emptyAmounts++
			continue
		}
		if err != nil {
			t.Fatalf("row %d: %v", rows, err)
		}
		if sum, err = sum.Add(amt); err != nil {
			t.Fatal(err)
		}
	}
	// The 238 rows without a date are the empty ";;;;;;;;;;" rows at the end.
	want := map[string]int{"2014-01-01": 3321, "2014-09-09": 3535, "2015-01-01": 3297, "empty": 238}
	if diff := cmp.Diff(want, dates); diff != "" {
		t.Errorf("publication dates (-want +got):\n%s", diff)
	}
	if rows != 10391 || emptyAmounts != 238 || sum.Sign() <= 0 {
		t.Errorf("read %d rows (%d without amount) summing to %v, want 10391 rows, 238 empty, positive total", rows, emptyAmounts, sum)
	}
}

func TestRealMexicanBudgetCP850(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 34 MB")
	}
	r := openZippedCSV(t, "mx-pef-2016/Presupuesto_de_Egresos_de_la_Federacion_2016.csv.zip")
	used, d, cr := decodeAndSniff(t, r)
	if diff := cmp.Diff([]any{CP850, Dialect{',', '"', 0}}, []any{used, d}); diff != "" {
		t.Fatalf("encoding and dialect (-want +got):\n%s", diff)
	}
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	amountCol := len(header) - 1
	if header[amountCol] != "PEF_2016" {
		t.Fatalf("last column is %q", header[amountCol])
	}
	rows, empty, negative, replaced := 0, 0, 0, 0
	sawCamara := false
	var sum Decimal
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		for _, v := range rec {
			if strings.ContainsRune(v, '\ufffd') {
				replaced++
			}
		}
		if rec[4] == "H. Cámara de Diputados" {
			sawCamara = true
		}
		amt, err := ParseAmount(rec[amountCol], NumberFormat{})
		if errors.Is(err, ErrEmpty) {
			empty++
			continue
		}
		if err != nil {
			t.Fatalf("row %d: %v", rows, err)
		}
		if amt.Sign() < 0 {
			negative++
		}
		if sum, err = sum.Add(amt); err != nil {
			t.Fatal(err)
		}
	}
	// PROVENANCE.txt: "-" for zero in 141 rows and one negative value. It
	// counts 75,311 rows and a total of about 5.306e12 MXN, but the file
	// holds 75,312 data rows totalling 5,297,125,819,608 (checked
	// independently with iconv and Python's csv and decimal modules).
	got := []any{rows, empty, negative, replaced, sawCamara, sum.String()}
	if diff := cmp.Diff([]any{75312, 141, 1, 0, true, "5297125819608"}, got); diff != "" {
		t.Errorf("rows, empty, negative, replacement chars, Cámara seen, total (-want +got):\n%s", diff)
	}
}

func TestRealMexicanTransfersCP1252(t *testing.T) {
	r := openZippedCSV(t, "mx-pef-2016/transferencias_entidades_fed.csv.zip")
	used, d, cr := decodeAndSniff(t, io.LimitReader(r, 1<<20))
	if used != Windows1252 && used != ISO8859_1 {
		t.Errorf("detected %q, want windows-1252 (or iso-8859-1)", used)
	}
	if diff := cmp.Diff(Dialect{',', '"', 0}, d); diff != "" {
		t.Errorf("dialect (-want +got):\n%s", diff)
	}
	if _, err := cr.Read(); err != nil {
		t.Fatal(err)
	}
	rec, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rec[3], "Nuevo León: Fondo de Aportaciones Múltiples") {
		t.Errorf("NOMBRE decoded as %q", rec[3])
	}
	if amt, err := ParseAmount(rec[len(rec)-1], NumberFormat{}); err != nil || amt.String() != "14269.084" {
		t.Errorf("MONTO = %v, %v; want 14269.084", amt, err)
	}
}

func TestRealManchesterMojibakeBOM(t *testing.T) {
	f := openDataset(t, "uk-manchester-spending-500/clean/2022-05.csv")
	used, d, cr := decodeAndSniff(t, f)
	if diff := cmp.Diff([]any{UTF8, Dialect{',', '"', 0}}, []any{used, d}); diff != "" {
		t.Fatalf("encoding and dialect (-want +got):\n%s", diff)
	}
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	if header[0] != "Body Name" {
		t.Errorf("first header %q: mojibake BOM not removed", header[0])
	}
}

func TestRealBahrainBudgets(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(datasets, "bh-bahrain-budgets", "*", "*.csv"))
	if len(paths) == 0 {
		t.Skip("dataset bh-bahrain-budgets not available")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rd, _, err := NewDecoder(bytes.NewReader(data), "")
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(rd)
		d, err := SniffDialect(text)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		cr := csv.NewReader(bytes.NewReader(text))
		cr.Comma = d.Delimiter
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		// Amounts are in the columns headed by a year.
		var yearCols []int
		for j, h := range recs[0] {
			if allDigits(h) {
				if _, err := ParseFiscalYear(h, false); err != nil {
					t.Errorf("%s: year header: %v", p, err)
				}
				yearCols = append(yearCols, j)
			}
		}
		if len(yearCols) != 2 {
			t.Errorf("%s: found year columns %v in %q", p, yearCols, recs[0])
		}
		for i, rec := range recs[1:] {
			for _, j := range yearCols {
				if j >= len(rec) {
					continue
				}
				if _, err := ParseAmount(rec[j], NumberFormat{}); err != nil && !errors.Is(err, ErrEmpty) {
					t.Errorf("%s row %d column %d: %v", p, i+2, j+1, err)
				}
			}
		}
	}
}

// TestWindows1256Sample detects and decodes Arabic made with the
// Windows-1256 code page, as older Gulf ministry exports are.
func TestWindows1256Sample(t *testing.T) {
	text := "الوزارة;البند;الاعتماد\r\n" +
		"وزارة المالية والاقتصاد الوطني;المصروفات المتكررة;12.500\r\n" +
		"وزارة شؤون البلديات;مشاريع الصرف الصحي;(1,234.5)\r\n" +
		"هيئة الكهرباء والماء;الدعم الحكومي لأسعار الوقود;BD 3.250\r\n"
	raw, err := charmap.Windows1256.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	used, d, cr := decodeAndSniff(t, bytes.NewReader(raw))
	if diff := cmp.Diff([]any{Windows1256, Dialect{';', '"', 0}}, []any{used, d}); diff != "" {
		t.Fatalf("encoding and dialect (-want +got):\n%s", diff)
	}
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range recs[1:] {
		amt, err := ParseAmount(rec[2], NumberFormat{})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec[0]+" = "+amt.String())
	}
	want := []string{"وزارة المالية والاقتصاد الوطني = 12.500", "وزارة شؤون البلديات = -1234.5", "هيئة الكهرباء والماء = 3.250"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded rows (-want +got):\n%s", diff)
	}
}

// TestRealManchesterPayments reads all 474,674 Manchester payments: every
// amount and payment date must parse.
func TestRealManchesterPayments(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 58 MB")
	}
	paths, _ := filepath.Glob(filepath.Join(datasets, "uk-manchester-spending-500", "clean", "*.csv"))
	if len(paths) == 0 {
		t.Skip("dataset uk-manchester-spending-500 not available")
	}
	rows, negative, emptyAmounts, emptyDates := 0, 0, 0, 0
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		_, _, cr := decodeAndSniff(t, f)
		header, err := cr.Read()
		if err != nil {
			t.Fatal(err)
		}
		header = slices.Clone(header)
		amountCol, dateCol := slices.Index(header, "Net Amount"), slices.Index(header, "Invoice Payment Date")
		if amountCol < 0 {
			amountCol = slices.Index(header, "Amount")
		}
		if amountCol < 0 || dateCol < 0 {
			t.Fatalf("%s: header %q", p, header)
		}
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			rows++
			amt, err := ParseAmount(rec[amountCol], NumberFormat{})
			switch {
			case errors.Is(err, ErrEmpty):
				emptyAmounts++
			case err != nil:
				t.Errorf("%s row %d: %v", filepath.Base(p), rows, err)
			case amt.Sign() < 0:
				negative++
			}
			if _, err := ParseDate(rec[dateCol], ""); errors.Is(err, ErrEmpty) {
				emptyDates++
			} else if err != nil {
				t.Errorf("%s row %d: %v", filepath.Base(p), rows, err)
			}
		}
		f.Close()
	}
	t.Logf("%d rows, %d negative, %d empty amounts, %d empty dates", rows, negative, emptyAmounts, emptyDates)
	if diff := cmp.Diff([]int{474674, 3807}, []int{rows, negative}); diff != "" {
		t.Errorf("rows, negative amounts (-want +got):\n%s", diff)
	}
}
