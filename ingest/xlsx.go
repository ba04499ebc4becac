package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/mizan-budget/mizan"
)

// openWorkbook opens an input's workbook (excelize holds it in memory).
func openWorkbook(in *input, maxBytes int64, counted func(int64)) (*excelize.File, error) {
	r, closer, err := openData(in, maxBytes, counted)
	if err != nil {
		return nil, err
	}
	defer closer()
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", in.label, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, mizan.Errorf(mizan.EINVALID, "%s is larger than the %d bytes allowed", in.label, maxBytes)
	}
	if err := checkWorkbookParts(in.label, data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxBytes})
	if err != nil {
		return nil, mizan.Errorf(mizan.EINVALID, "%s is not a readable .xlsx workbook: %v", in.label, err)
	}
	return f, nil
}

// Bounds on the parts of a workbook excelize holds in memory whole (it
// spools only worksheets and large shared string tables to temporary
// files, and even then parses the shared strings into memory): without
// them a 2 MB workbook whose styles part inflates to 2 GiB took 16 GiB of
// heap.
const (
	maxWorkbookPartBytes  = 64 << 20  // styles, the workbook, relationships, themes...
	maxSharedStringsBytes = 256 << 20 // xl/sharedStrings.xml
)

// checkWorkbookParts refuses a workbook with a part larger than the bounds
// above. Declared sizes can be trusted: archive/zip fails a member that
// inflates past its declared size.
func checkWorkbookParts(label string, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil // excelize says what is wrong with it
	}
	for _, zf := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, `\`, "/"))
		limit := int64(maxWorkbookPartBytes)
		switch {
		case strings.HasPrefix(name, "xl/worksheets/sheet"):
			continue // streamed from a temporary file, bounded by the unzip limit
		case name == "xl/sharedstrings.xml":
			limit = maxSharedStringsBytes
		}
		if zf.UncompressedSize64 > uint64(limit) {
			return mizan.Errorf(mizan.EINVALID, "%s: the workbook part %s unzips to %d bytes, more than the %d allowed", label, zf.Name, zf.UncompressedSize64, limit)
		}
	}
	return nil
}

// sheetsOf lists the sheets a source reads: the first by default, the
// named ones, or all with "*".
func (l *locator) sheetsOf(in *input) ([]string, error) {
	f, err := openWorkbook(in, l.maxBytes, func(int64) {})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	all := f.GetSheetList()
	if len(all) == 0 {
		return nil, mizan.Errorf(mizan.EINVALID, "workbook %s has no sheets", in.label)
	}
	want := in.raw.spec.Sheets
	switch {
	case len(want) == 0:
		return all[:1], nil
	case len(want) == 1 && want[0] == "*":
		return all, nil
	}
	var out []string
	for _, w := range want {
		i := slices.IndexFunc(all, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(w)) })
		if i < 0 {
			return nil, mizan.Errorf(mizan.EINVALID, "workbook %s has no sheet %q (it has %s)", in.label, w, strings.Join(all, ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// xlsxRows streams the rows of one sheet with raw cell values, so amounts
// stay exactly as stored.
type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	row  int64
}

func openSheet(in *input, maxBytes int64, counted func(int64)) (*xlsxRows, error) {
	f, err := openWorkbook(in, maxBytes, counted)
	if err != nil {
		return nil, err
	}
	rows, err := f.Rows(in.sheet)
	if err != nil {
		f.Close()
		return nil, mizan.Errorf(mizan.EINVALID, "%s: %v", in.label, err)
	}
	return &xlsxRows{f: f, rows: rows}, nil
}

// next returns the next row's cells and its 1-based row number.
func (x *xlsxRows) next() ([]string, int64, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, 0, fmt.Errorf("read sheet: %w", err)
		}
		return nil, 0, io.EOF
	}
	x.row++
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, fmt.Errorf("read sheet row %d: %w", x.row, err)
	}
	for i, c := range cells {
		cells[i] = cleanNumber(c)
	}
	return cells, x.row, nil
}

func (x *xlsxRows) close() {
	x.rows.Close()
	x.f.Close()
}

// cleanNumber undoes binary floating point noise in numbers as Excel
// stores them ("1234.5599999999999" is 1234.56: Excel shows 15 significant
// digits). Other text is returned unchanged.
func cleanNumber(s string) string {
	exp := strings.Contains(s, "E+") || strings.Contains(s, "E-") || strings.Contains(s, "e+") || strings.Contains(s, "e-")
	if !exp && (len(s) < 17 || !strings.Contains(s, ".")) {
		return s // long whole numbers are codes, not float noise
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E':
		default:
			return s
		}
	}
	if digits < 16 && !exp {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	g, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(g, 'f', -1, 64)
}
