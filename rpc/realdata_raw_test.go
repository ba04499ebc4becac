package rpc_test

// The independent side of the RealData tests: a plain encoding/csv pass over
// the unmodified raw files, summing with math/big, that applies the mapping
// rules the descriptors state in their comments (which files, which
// columns, which rows are totals or skipped) without any code of the ingest,
// store or query packages.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/mizan-budget/mizan/datasets/synth"
)

// rawFact is one amount as the independent pass reads it.
type rawFact struct {
	file      string // source name, as the descriptor names it
	row       int64  // 1-based CSV record number; the header is row 1
	column    string // the amount's column
	year      int
	phase     string
	direction string
	keys      map[string]string // "dim.level" → member key
	amount    *big.Rat
}

// rawFile is one raw file the pass read.
type rawFile struct {
	name   string // source name
	path   string // absolute path of the file on disk
	sha256 string
	bytes  int64
	rows   int64 // data rows below the header
	facts  int64
}

// rawSet is what the independent pass found in one dataset's raw files.
type rawSet struct {
	facts []rawFact
	files []*rawFile
	// leftOut are files of the folder that the rules leave out.
	leftOut []string
	// notStored counts rows that are published totals or subtotals.
	notStored int64
	// blank counts entirely empty rows.
	blank int64
	// labels holds source labels: "dim.level" → key → label.
	labels map[string]map[string]string
}

func (rs *rawSet) rowsRead() int64 {
	var n int64
	for _, f := range rs.files {
		n += f.rows
	}
	return n
}

func (rs *rawSet) file(name string) *rawFile {
	for _, f := range rs.files {
		if f.name == name {
			return f
		}
	}
	return nil
}

func (rs *rawSet) label(ref, key, text string) {
	if rs.labels == nil {
		rs.labels = map[string]map[string]string{}
	}
	if rs.labels[ref] == nil {
		rs.labels[ref] = map[string]string{}
	}
	if _, ok := rs.labels[ref][key]; !ok && text != "" {
		rs.labels[ref][key] = text
	}
}

// rawAgg is an exact sum and a count.
type rawAgg struct {
	sum   *big.Rat
	count int64
}

// sumBy groups the facts keep accepts by the key it returns.
func (rs *rawSet) sumBy(key func(f *rawFact) (string, bool)) map[string]*rawAgg {
	out := map[string]*rawAgg{}
	for i := range rs.facts {
		f := &rs.facts[i]
		k, ok := key(f)
		if !ok {
			continue
		}
		a := out[k]
		if a == nil {
			a = &rawAgg{sum: new(big.Rat)}
			out[k] = a
		}
		a.sum.Add(a.sum, f.amount)
		a.count++
	}
	return out
}

// total sums the facts keep accepts.
func (rs *rawSet) total(keep func(f *rawFact) bool) *rawAgg {
	a := rs.sumBy(func(f *rawFact) (string, bool) { return "", keep == nil || keep(f) })[""]
	if a == nil {
		a = &rawAgg{sum: new(big.Rat)}
	}
	return a
}

// distinct returns the distinct non-empty keys of a level.
func (rs *rawSet) distinct(ref string) map[string]bool {
	out := map[string]bool{}
	for i := range rs.facts {
		if k := rs.facts[i].keys[ref]; k != "" {
			out[k] = true
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ---------------------------------------------------------------------------
// Caching: each dataset is read once per test binary.

var (
	rawMu   sync.Mutex
	rawSets = map[string]*rawSet{}
)

// rawData returns the independent reading of dataset id.
func rawData(t *testing.T, rs *realStore, id string) *rawSet {
	t.Helper()
	rawMu.Lock()
	defer rawMu.Unlock()
	if s, ok := rawSets[id]; ok {
		return s
	}
	var s *rawSet
	switch id {
	case bahrainID:
		s = readBahrain(t, rs.folders[id])
	case madridID:
		s = readMadrid(t, rs.folders[id])
	case macedoniaID:
		s = readMacedonia(t, rs.folders[id])
	case mexicoID:
		s = readMexico(t, rs.folders[id])
	case demoID:
		s = readDemo(t, rs.demoFS)
	default:
		t.Fatalf("no independent reading of %s", id)
	}
	rawSets[id] = s
	return s
}

// ---------------------------------------------------------------------------
// Plain helpers.

func fileSHA256(t *testing.T, path string) (string, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// readRecords reads every record of a CSV, tolerating ragged rows, with
// any byte-order mark removed from the first field.
func readRecords(t *testing.T, r io.Reader, delim rune) [][]string {
	t.Helper()
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) > 0 && len(recs[0]) > 0 {
		recs[0][0] = strings.TrimPrefix(recs[0][0], "\ufeff")
	}
	return recs
}

func readRecordsFile(t *testing.T, path string, delim rune) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readRecords(t, f, delim)
}

// eachRecord streams the records of a CSV below its header to fn, with
// their 1-based row numbers (the header is row 1), and returns the header.
func eachRecord(t *testing.T, r io.Reader, delim rune, fn func(row int64, rec []string)) []string {
	t.Helper()
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	fn(1, header)
	for row := int64(2); ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return header
		}
		if err != nil {
			t.Fatal(err)
		}
		fn(row, rec)
	}
}

// column returns the index of the header column named name (trimmed,
// case-insensitive), or -1.
func column(header []string, name string) int {
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), name) {
			return i
		}
	}
	return -1
}

func mustColumn(t *testing.T, header []string, name string) int {
	t.Helper()
	i := column(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, header)
	}
	return i
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// rawAmount parses a plain decimal, dropping blanks and the thousands
// separators given.
func rawAmount(t *testing.T, s, group string) *big.Rat {
	t.Helper()
	s = strings.TrimSpace(s)
	if group != "" {
		s = strings.ReplaceAll(s, group, "")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("not a decimal amount: %q", s)
	}
	return r
}

// ratOf parses a decimal string the API returned.
func ratOf(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("not a decimal: %q", s)
	}
	return r
}

// ---------------------------------------------------------------------------
// Bahrain (bahrain-budget.yaml).
//
// Rules from the descriptor: every CSV of every biennial law is read, except
// govt-subsidies.csv (each line repeats a recurrent line) and, for 1997–2002,
// recurrent-expenditure.csv (general-expenditure.csv holds the same money by
// chapter). Every column named like a year is an amount of that year, an
// approved appropriation. Rows whose Description is "Total", "Grand Total"
// or "Total Expenditure" are published totals, not stored. revenue.csv is
// revenue (by chapter/section in 1997–2002, by sector/ministry later),
// municipalities.csv is revenue or expenditure by its Description. The
// expenditure type is the attribute dimension type (the canonical measure
// stays empty): "municipal" for municipalities.csv, recurrent for
// general-expenditure.csv except chapter 8 (project), and recurrent or
// project by the name of the other expenditure files; revenue has no type.

var (
	bhPeriodRE = regexp.MustCompile(`^\d{4}-\d{4}$`)
	bhYearRE   = regexp.MustCompile(`^(19|20)\d\d$`)
	bhTotalRE  = regexp.MustCompile(`^\s*(Grand )?Total( Expenditure)?\s*$`)
)

func readBahrain(t *testing.T, dir string) *rawSet {
	t.Helper()
	rs := &rawSet{}
	periods, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range periods {
		if !p.IsDir() || !bhPeriodRE.MatchString(p.Name()) {
			continue
		}
		early := p.Name() < "2003"
		files, err := os.ReadDir(filepath.Join(dir, p.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			name := f.Name()
			if !strings.HasSuffix(name, ".csv") {
				continue
			}
			source := p.Name() + "/" + name
			var kind string
			switch {
			case name == "govt-subsidies.csv":
				rs.leftOut = append(rs.leftOut, source)
				continue
			case name == "general-expenditure.csv":
				kind = "general"
			case name == "recurrent-expenditure.csv" || name == "recurring-expenditure.csv":
				if early {
					rs.leftOut = append(rs.leftOut, source)
					continue
				}
				kind = "recurrent"
			case strings.HasPrefix(name, "project-expenditure"):
				kind = "project"
			case name == "revenue.csv":
				kind = "revenue"
			case name == "municipalities.csv":
				kind = "municipal"
			default:
				t.Fatalf("unexpected Bahrain file %s", source)
			}
			readBahrainFile(t, rs, dir, source, kind, early)
		}
	}
	return rs
}

func readBahrainFile(t *testing.T, rs *rawSet, dir, source, kind string, early bool) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(source))
	sum, size := fileSHA256(t, path)
	rf := &rawFile{name: source, path: path, sha256: sum, bytes: size}
	rs.files = append(rs.files, rf)
	recs := readRecordsFile(t, path, ',')
	h := recs[0]
	desc := mustColumn(t, h, "Description")
	sector, chapter, code := column(h, "Sector"), column(h, "Chapter"), column(h, "Ministry Code")
	var years []int
	for i, c := range h {
		if bhYearRE.MatchString(strings.TrimSpace(c)) {
			years = append(years, i)
		}
	}
	if len(years) != 2 {
		t.Fatalf("%s: year columns %v in %q", source, years, h)
	}
	for i, rec := range recs[1:] {
		rf.rows++
		if blankRecord(rec) {
			rs.blank++
			continue
		}
		d := field(rec, desc)
		if bhTotalRE.MatchString(d) {
			rs.notStored++
			continue
		}
		direction, typ := "expenditure", kind
		keys := map[string]string{}
		switch kind {
		case "revenue":
			direction, typ = "revenue", ""
		case "municipal":
			switch {
			case strings.HasSuffix(d, " Revenue"):
				direction = "revenue"
			case strings.HasSuffix(d, " Expenditure"):
			default:
				t.Fatalf("%s: municipal row %q is neither revenue nor expenditure", source, d)
			}
		case "general":
			typ = "recurrent"
			if strings.HasPrefix(field(rec, chapter), "Chapter 8") {
				typ = "project"
			}
		}
		switch {
		case kind == "revenue" && early:
			keys["revenue.category"] = field(rec, chapter)
			keys["revenue.item"] = d
		default:
			keys["admin.sector"] = field(rec, sector)
			keys["admin.ministry"] = d
		}
		if kind == "general" || (kind == "recurrent" && chapter >= 0) {
			keys["economic.chapter"] = field(rec, chapter)
		}
		if code >= 0 {
			keys["ministry_code.ministry_code"] = field(rec, code)
		}
		if typ != "" {
			keys["type.type"] = typ
		}
		for _, y := range years {
			year, _ := strconv.Atoi(strings.TrimSpace(h[y]))
			rs.facts = append(rs.facts, rawFact{
				file: source, row: int64(i + 2), column: strings.TrimSpace(h[y]),
				year: year, phase: "approved", direction: direction,
				keys: keys, amount: rawAmount(t, rec[y], ""),
			})
			rf.facts++
		}
	}
}

// ---------------------------------------------------------------------------
// Madrid (madrid-budget.yaml): one UTF-8 CSV, every row an approved
// expenditure of year AÑO, amount IMPORTE in whole euros; programme area
// and policy are the first one and two digits of PROGRAMA.

func readMadrid(t *testing.T, dir string) *rawSet {
	t.Helper()
	const source = "data/gastos_v40_2012-2015.csv"
	path := filepath.Join(dir, filepath.FromSlash(source))
	sum, size := fileSHA256(t, path)
	rf := &rawFile{name: source, path: path, sha256: sum, bytes: size}
	rs := &rawSet{files: []*rawFile{rf}}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var year, amount, centro, seccion, programa, capitulo, economico, centroLabel, programaLabel int
	eachRecord(t, f, ',', func(row int64, rec []string) {
		if row == 1 {
			year, amount = mustColumn(t, rec, "AÑO"), mustColumn(t, rec, "IMPORTE")
			centro, seccion, programa = mustColumn(t, rec, "CENTRO"), mustColumn(t, rec, "SECCION"), mustColumn(t, rec, "PROGRAMA")
			capitulo, economico = mustColumn(t, rec, "CAPITULO"), mustColumn(t, rec, "ECONOMICO")
			centroLabel, programaLabel = mustColumn(t, rec, "DESCRIPCION CENTRO"), mustColumn(t, rec, "DESCRIPCION PROGRAMA")
			return
		}
		rf.rows++
		if blankRecord(rec) {
			rs.blank++
			return
		}
		y, err := strconv.Atoi(field(rec, year))
		if err != nil {
			t.Fatalf("%s row %d: year %q", source, row, field(rec, year))
		}
		p := field(rec, programa)
		keys := map[string]string{
			"admin.centro":       field(rec, centro),
			"admin.seccion":      field(rec, seccion),
			"programme.area":     p[:1],
			"programme.politica": p[:2],
			"programme.programa": p,
			"economic.capitulo":  field(rec, capitulo),
			"economic.economico": field(rec, economico),
		}
		rs.label("admin.centro", keys["admin.centro"], field(rec, centroLabel))
		rs.label("programme.programa", p, field(rec, programaLabel))
		rs.facts = append(rs.facts, rawFact{
			file: source, row: row, column: "IMPORTE", year: y, phase: "approved", direction: "expenditure",
			keys: keys, amount: rawAmount(t, rec[amount], ""),
		})
		rf.facts++
	})
	return rs
}

// ---------------------------------------------------------------------------
// Macedonia (macedonia-budget.yaml): one semicolon-separated UTF-8 CSV with
// a BOM; the publication date gives year and phase (2014-01-01 approved
// 2014, 2014-09-09 revised 2014, 2015-01-01 approved 2015); entirely empty
// rows are skipped; amount Буџет in whole denars.

func readMacedonia(t *testing.T, dir string) *rawSet {
	t.Helper()
	const source = "MFBudzetIRebalansNaRMmk-MK.csv"
	path := filepath.Join(dir, source)
	sum, size := fileSHA256(t, path)
	rf := &rawFile{name: source, path: path, sha256: sum, bytes: size}
	rs := &rawSet{files: []*rawFile{rf}}
	when := map[string]struct {
		year  int
		phase string
	}{
		"2014-01-01T00:00:00": {2014, "approved"},
		"2014-09-09T00:00:00": {2014, "revised"},
		"2015-01-01T00:00:00": {2015, "approved"},
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var date, amount, section, sectionLabel, subprogram, category, item, account int
	eachRecord(t, f, ';', func(row int64, rec []string) {
		if row == 1 {
			date, amount = mustColumn(t, rec, "Датум на објавување"), mustColumn(t, rec, "Буџет")
			section, sectionLabel = mustColumn(t, rec, "Број раздел"), mustColumn(t, rec, "Назив раздел")
			subprogram, category = mustColumn(t, rec, "Назив потпрограма"), mustColumn(t, rec, "Категорија")
			item, account = mustColumn(t, rec, "Ставка"), mustColumn(t, rec, "Сметка")
			return
		}
		rf.rows++
		if blankRecord(rec) {
			rs.blank++
			return
		}
		w, ok := when[field(rec, date)]
		if !ok {
			t.Fatalf("%s row %d: publication date %q", source, row, field(rec, date))
		}
		keys := map[string]string{
			"admin.section":        field(rec, section),
			"programme.subprogram": field(rec, subprogram),
			"economic.category":    field(rec, category),
			"economic.item":        field(rec, item),
			"account.account":      field(rec, account),
		}
		rs.label("admin.section", keys["admin.section"], field(rec, sectionLabel))
		rs.facts = append(rs.facts, rawFact{
			file: source, row: row, column: "Буџет", year: w.year, phase: w.phase, direction: "expenditure",
			keys: keys, amount: rawAmount(t, rec[amount], ""),
		})
		rf.facts++
	})
	return rs
}

// ---------------------------------------------------------------------------
// Mexico (mexico-pef-2016.yaml): the CSV inside the zip (not the __MACOSX
// fork), CP850, comma separated; every row an approved expenditure of year
// Ciclo; PEF_2016 in whole pesos with thousands separators and blank
// padding, "-" for zero. Codes local to their parent are keyed with the
// parent codes, joined with ".": unidad Ramo.UNIDAD, funcion GF.FN,
// subfuncion GF.FN.SF, programa Ramo.MOD.PP, labelled with their
// descriptions.

const mexicoZip = "Presupuesto_de_Egresos_de_la_Federacion_2016.csv.zip"

func readMexico(t *testing.T, dir string) *rawSet {
	t.Helper()
	path := filepath.Join(dir, mexicoZip)
	sum, size := fileSHA256(t, path)
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var member *zip.File
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasSuffix(f.Name, "/") {
			continue
		}
		if member != nil {
			t.Fatalf("%s: more than one data file", mexicoZip)
		}
		member = f
	}
	if member == nil {
		t.Fatalf("%s: no data file", mexicoZip)
	}
	rc, err := member.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rf := &rawFile{name: mexicoZip + "!" + member.Name, path: path, sha256: sum, bytes: size}
	rs := &rawSet{files: []*rawFile{rf}}
	var ciclo, amount, ramo, ramoLabel, concepto int
	// The other levels keyed by one code column.
	others := map[string]string{
		"functional.finalidad":      "GF",
		"programme.modalidad":       "MOD",
		"expense_type.expense_type": "TG",
		"fund.fund":                 "FF",
		"geo.state":                 "EF",
	}
	otherCols := map[string]int{}
	// The levels keyed by composite codes, and their label columns.
	composite := []struct {
		ref   string
		codes []string
		label string
		cols  []int
		lcol  int
	}{
		{ref: "admin.unidad", codes: []string{"Ramo", "UNIDAD"}, label: "UNIDAD_DESCRIPCION"},
		{ref: "functional.funcion", codes: []string{"GF", "FN"}, label: "FUNCIONL_DESCRIPCION"},
		{ref: "functional.subfuncion", codes: []string{"GF", "FN", "SF"}, label: "SUBFUNCIONL_DESCRIPCION"},
		{ref: "programme.programa", codes: []string{"Ramo", "MOD", "PP"}, label: "PROGR_PRES_DESCRIPCION"},
	}
	eachRecord(t, charmap.CodePage850.NewDecoder().Reader(bufio.NewReaderSize(rc, 1<<20)), ',', func(row int64, rec []string) {
		if row == 1 {
			ciclo, amount = mustColumn(t, rec, "Ciclo"), mustColumn(t, rec, "PEF_2016")
			ramo, ramoLabel = mustColumn(t, rec, "Ramo"), mustColumn(t, rec, "RAMO_DESCRIPCION")
			concepto = mustColumn(t, rec, "CONCEPTO")
			for ref, name := range others {
				otherCols[ref] = mustColumn(t, rec, name)
			}
			for i := range composite {
				c := &composite[i]
				for _, name := range c.codes {
					c.cols = append(c.cols, mustColumn(t, rec, name))
				}
				c.lcol = mustColumn(t, rec, c.label)
			}
			return
		}
		rf.rows++
		if blankRecord(rec) {
			rs.blank++
			return
		}
		y, err := strconv.Atoi(field(rec, ciclo))
		if err != nil {
			t.Fatalf("%s row %d: Ciclo %q", mexicoZip, row, field(rec, ciclo))
		}
		v := new(big.Rat)
		if raw := field(rec, amount); raw != "-" {
			v = rawAmount(t, raw, ",")
		}
		keys := map[string]string{
			"admin.ramo":        field(rec, ramo),
			"economic.capitulo": field(rec, concepto)[:1],
			"economic.concepto": field(rec, concepto),
		}
		for ref, i := range otherCols {
			keys[ref] = field(rec, i)
		}
		for _, c := range composite {
			parts := make([]string, len(c.cols))
			for j, col := range c.cols {
				if parts[j] = field(rec, col); parts[j] == "" {
					t.Fatalf("%s row %d: %s has an empty %s", mexicoZip, row, c.ref, c.codes[j])
				}
			}
			keys[c.ref] = strings.Join(parts, ".")
			rs.label(c.ref, keys[c.ref], field(rec, c.lcol))
		}
		rs.label("admin.ramo", keys["admin.ramo"], field(rec, ramoLabel))
		rs.facts = append(rs.facts, rawFact{
			file: rf.name, row: row, column: "PEF_2016", year: y, phase: "approved", direction: "expenditure",
			keys: keys, amount: v,
		})
		rf.facts++
	})
	return rs
}

// ---------------------------------------------------------------------------
// The synthetic demo: its CSV as synth.Bundle generated it for the ingest
// (columns year, phase, direction, <dim>_<level>_code..., amount).

func readDemo(t *testing.T, fsys fs.FS) *rawSet {
	t.Helper()
	name := synth.FileName(demoConfig)
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	rf := &rawFile{name: name, sha256: hex.EncodeToString(h[:]), bytes: int64(len(data))}
	rs := &rawSet{files: []*rawFile{rf}}
	var year, phase, direction, amount, ministry int
	eachRecord(t, bytes.NewReader(data), ',', func(row int64, rec []string) {
		if row == 1 {
			year, phase, direction, amount = mustColumn(t, rec, "year"), mustColumn(t, rec, "phase"), mustColumn(t, rec, "direction"), mustColumn(t, rec, "amount")
			ministry = mustColumn(t, rec, "admin_ministry_code")
			return
		}
		rf.rows++
		y, err := strconv.Atoi(field(rec, year))
		if err != nil {
			t.Fatalf("%s row %d: year %q", name, row, field(rec, year))
		}
		rs.facts = append(rs.facts, rawFact{
			file: name, row: row, column: "amount", year: y, phase: field(rec, phase), direction: field(rec, direction),
			keys: map[string]string{"admin.ministry": field(rec, ministry)}, amount: rawAmount(t, rec[amount], ""),
		})
		rf.facts++
	})
	return rs
}

// rawRecordAt reads, independently of everything above, the header and the
// record at 1-based row of a plain CSV file.
func rawRecordAt(t *testing.T, path string, delim rune, row int64) (header, rec []string) {
	t.Helper()
	recs := readRecordsFile(t, path, delim)
	if row < 2 || row > int64(len(recs)) {
		t.Fatalf("%s has no data row %d (%d records)", path, row, len(recs))
	}
	return recs[0], recs[row-1]
}

// decimalString renders r with scale decimals, as the API does.
func decimalString(r *big.Rat, scale int) string { return r.FloatString(scale) }

func fmtCount(n int64) string { return fmt.Sprint(n) }
