package ingest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

type featureCase struct {
	name       string
	descriptor string
	dir        string // default testdata
	totals     map[string]string
	rejected   int64
	checked    int
	mismatches int
	encoding   string
	delimiter  string
	sources    int
	// members: "dim level key" → label language → label (only the listed ones are checked)
	members map[string]map[string]string
	golden  string // compare rejects and reconciliation with testdata/golden/<golden>.json
}

var featureCases = []featureCase{
	{
		name: "windows-1256 Arabic",
		descriptor: `
id: arabic-1256
title: {ar: ميزانية}
currency: BHD
language: ar
dimensions:
  - id: admin
    levels: [{id: ministry}, {id: programme}]
labels:
  admin.ministry:
    الصحة: {en: Health}
sources:
  - name: arabic-1256.csv
    mapping:
      year: {column: السنة}
      phase: {value: approved}
      direction: {value: expenditure}
      amount: {column: المبلغ}
      dimensions:
        admin:
          - {level: ministry, label: الوزارة}
          - {level: programme, label: البرنامج}
`,
		totals:   map[string]string{"2016/approved/expenditure": "1535.250 (3)", "2017/approved/expenditure": "1000.000 (1)"},
		encoding: "windows-1256", delimiter: ",",
		members: map[string]map[string]string{"admin ministry الصحة": {"ar": "الصحة", "en": "Health"}},
	},
	{
		name: "Arabic-Indic digits",
		descriptor: `
id: arabic-digits
title: {ar: ميزانية}
currency: BHD
language: ar
dimensions:
  - id: admin
    levels: [{id: ministry}, {id: programme}]
sources:
  - name: arabic-digits.csv
    mapping:
      year: {column: السنة}
      phase: {value: approved}
      direction: {value: expenditure}
      amount: {column: المبلغ}
      dimensions:
        admin:
          - {level: ministry, label: الوزارة}
          - {level: programme, label: البرنامج}
`,
		totals:   map[string]string{"2016/approved/expenditure": "1535.250 (3)", "2017/approved/expenditure": "1000.000 (1)"},
		encoding: "utf-8", delimiter: ",",
	},
	{
		name: "UTF-16 tab separated",
		descriptor: `
id: utf16
title: {en: UTF-16}
currency: KWD
dimensions:
  - id: sector
    levels: [{id: sector}]
sources:
  - name: utf16.tsv
    mapping:
      year: {column: Year}
      phase: {value: executed}
      direction: {column: Direction}
      amount: {column: Amount}
      dimensions:
        sector: [{level: sector, label: Sector}]
`,
		totals: map[string]string{"2015/executed/expenditure": "700.125 (1)", "2015/executed/revenue": "1500.250 (1)",
			"2016/executed/revenue": "1600.000 (1)"},
		encoding: "utf-16le", delimiter: "tab",
	},
	{
		name: "semicolons and decimal commas",
		descriptor: `
id: semicolon
title: {es: Presupuesto}
currency: EUR
language: es
dimensions:
  - id: economic
    levels: [{id: chapter}]
sources:
  - name: semicolon.csv
    number: {decimal: ",", group: "."}
    mapping:
      year: {column: Ejercicio}
      phase: {column: Fase, map: {Aprobado: approved, modificado: revised}}
      direction: {value: expenditure}
      amount: {column: Importe}
      dimensions:
        economic: [{level: chapter, code: Capitulo, label: Descripcion}]
`,
		totals:    map[string]string{"2014/approved/expenditure": "1246867.99 (3)", "2014/revised/expenditure": "1300000.00 (1)"},
		delimiter: ";", encoding: "utf-8",
		members: map[string]map[string]string{"economic chapter 1": {"es": "Gastos de personal"}},
	},
	{
		name: "parentheses negatives and rejects",
		descriptor: `
id: basic-test
title: {en: Basic}
currency: USD
reject_threshold: "10"
dimensions:
  - id: admin
    levels: [{id: ministry}, {id: programme}]
sources:
  - name: basic.csv
    mapping:
      year: {column: Year}
      phase: {column: Phase, map: {Presupuesto: approved, Ejecutado: executed}}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        admin:
          - {level: ministry, code: Ministry Code, label: Ministry}
          - {level: programme, label: Programme}
`,
		totals:   map[string]string{"2016/approved/expenditure": "1500.50 (2)", "2016/executed/expenditure": "-100.25 (1)"},
		rejected: 4, golden: "basic",
		members: map[string]map[string]string{"admin ministry 01": {"en": "Health"}, "admin programme Clinics": {"en": "Clinics"}},
	},
	{
		name: "wide years with totals rows",
		descriptor: `
id: wide-totals
title: {en: Wide}
currency: BHD
factor: "1000"
dimensions:
  - id: admin
    levels: [{id: sector}, {id: ministry}]
sources:
  - name: wide-totals.csv
    empty: skip
    mapping:
      direction: {value: expenditure}
      unpivot:
        pattern: '^\d{4} '
        into: year
        values: {"2015 Actual": "2015", "2016 Approved": "2016", "2016 Revised": "2016"}
        also:
          "2015 Actual": {phase: executed}
          "2016 Approved": {phase: approved}
          "2016 Revised": {phase: revised}
      dimensions:
        admin:
          - {level: sector, label: Sector}
          - {level: ministry, label: Ministry}
      totals: {column: Sector, match: '^Total$'}
      skip: [{column: Sector, match: '^Note'}]
`,
		totals: map[string]string{"2015/executed/expenditure": "3500500.000 (3)", "2016/approved/expenditure": "3750250.000 (3)",
			"2016/revised/expenditure": "1760000.000 (2)"},
		checked: 3, mismatches: 1, golden: "wide-totals",
	},
	{
		name: "code-prefix hierarchy with COFOG labels",
		descriptor: `
id: prefix
title: {en: Prefix}
currency: USD
decimals: 0
dimensions:
  - id: functional
    classification: cofog
    levels: [{id: division}, {id: group}, {id: class}]
sources:
  - name: prefix.csv
    mapping:
      year: {value: "2020"}
      phase: {value: approved}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        functional:
          - {level: division, code: Code, label: Label, prefix: 2}
          - {level: group, code: Code, label: Label, prefix: 3}
          - {level: class, code: Code, label: Label, prefix: 4}
`,
		totals:  map[string]string{"2020/approved/expenditure": "1100 (6)"},
		checked: 5, mismatches: 2, golden: "prefix",
		members: map[string]map[string]string{
			"functional division 07": {"en": "Health"},
			"functional group 072":   {"en": "Outpatient services"},
			"functional class 0721":  {"en": "General medical services"},
		},
	},
}

func TestFeatures(t *testing.T) {
	for _, tc := range featureCases {
		t.Run(tc.name, func(t *testing.T) { runFeature(t, tc) })
	}
}

func runFeature(t *testing.T, tc featureCase) {
	dir := tc.dir
	if dir == "" {
		dir = "testdata"
	}
	d, err := Parse([]byte(tc.descriptor), dir)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	db := openDB(t, "")
	s := mustIngest(t, db, d, Options{})
	if diff := cmp.Diff(tc.totals, summaryTotals(s)); diff != "" {
		t.Errorf("summary totals (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tc.totals, factTotals(t, db, d.ID, s.Version)); diff != "" {
		t.Errorf("stored totals (-want +got):\n%s", diff)
	}
	if s.RowsRejected != tc.rejected {
		t.Errorf("rejected %d rows, want %d: %v", s.RowsRejected, tc.rejected, s.RejectSamples)
	}
	if s.Reconciliation.Checked != tc.checked || s.Reconciliation.Mismatches != tc.mismatches {
		t.Errorf("reconciliation %+v, want %d checked, %d mismatches; warnings %v", s.Reconciliation, tc.checked, tc.mismatches, s.Warnings)
	}
	if tc.encoding != "" && s.Sources[0].Encoding != tc.encoding {
		t.Errorf("encoding %q, want %q", s.Sources[0].Encoding, tc.encoding)
	}
	if tc.delimiter != "" && s.Sources[0].Delimiter != tc.delimiter {
		t.Errorf("delimiter %q, want %q", s.Sources[0].Delimiter, tc.delimiter)
	}
	if tc.sources != 0 && len(s.Sources) != tc.sources {
		t.Errorf("%d sources, want %d", len(s.Sources), tc.sources)
	}
	for ref, want := range tc.members {
		var dim, level, key string
		parts := bytes.SplitN([]byte(ref), []byte(" "), 3)
		dim, level, key = string(parts[0]), string(parts[1]), string(parts[2])
		rows := queryStrings(t, db.SQL, `SELECT coalesce(label_en, ''), coalesce(label_ar, ''), coalesce(label_src, '') FROM members WHERE dataset_id = ? AND version = ? AND dim = ? AND level = ? AND key = ?`,
			d.ID, s.Version, dim, level, key)
		if len(rows) != 1 {
			t.Errorf("member %s: %d rows", ref, len(rows))
			continue
		}
		got := map[string]string{"en": rows[0][0], "ar": rows[0][1]}
		if d.Language != "en" && d.Language != "ar" {
			got[d.Language] = rows[0][2]
		}
		for lang, label := range want {
			if got[lang] != label {
				t.Errorf("member %s label %s = %q, want %q", ref, lang, got[lang], label)
			}
		}
	}
	if tc.golden != "" {
		ctx := context.Background()
		rejects, err := db.Rejects(ctx, d.ID, s.Version, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		recon, err := db.Reconciliation(ctx, d.ID, s.Version)
		if err != nil {
			t.Fatal(err)
		}
		msgs := make([]string, len(rejects))
		for i, r := range rejects {
			msgs[i] = rejectMessage(s.Sources[r.SourceID-1].Name, r)
		}
		golden(t, tc.golden, map[string]any{"rejects": rejects, "messages": msgs, "reconciliation": recon, "warnings": s.Warnings})
	}
}

// TestCOFOGLabels checks that built-in COFOG labels fill in Arabic.
func TestCOFOGLabels(t *testing.T) {
	tc := featureCases[len(featureCases)-1]
	d, err := Parse([]byte(tc.descriptor), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, "")
	s := mustIngest(t, db, d, Options{})
	rows := queryStrings(t, db.SQL, `SELECT key, coalesce(parent, ''), coalesce(label_ar, '') FROM members WHERE dataset_id = ? AND version = ? ORDER BY depth, key`, d.ID, s.Version)
	for _, r := range rows {
		if r[2] == "" {
			t.Errorf("member %s has no Arabic label", r[0])
		}
	}
	if len(rows) != 11 {
		t.Errorf("%d members, want 11: %v", len(rows), rows)
	}
}

// TestXLSX reads every sheet of a workbook made here, with a title row
// above the header and floating point noise in a number.
func TestXLSX(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	for i, sheet := range []string{"2016", "2017"} {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		rows := [][]any{
			{"Budget " + sheet},
			{"Year", "Ministry", "Amount"},
			{sheet, "Health", 1234.56},
			{sheet, "Education", 0.1 + 0.2},
			{sheet, "Defence", "1,000.25"},
		}
		for r, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(filepath.Join(dir, "budget.xlsx")); err != nil {
		t.Fatal(err)
	}
	runFeature(t, featureCase{
		dir: dir,
		descriptor: `
id: xlsx
title: {en: Workbook}
currency: USD
dimensions:
  - id: admin
    levels: [{id: ministry}]
sources:
  - name: budget.xlsx
    sheets: ["*"]
    mapping:
      year: {column: Year}
      phase: {value: approved}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        admin: [{level: ministry, label: Ministry}]
`,
		totals:  map[string]string{"2016/approved/expenditure": "2235.11 (3)", "2017/approved/expenditure": "2235.11 (3)"},
		sources: 2,
	})
}

// TestCompressed reads a zip archive (with macOS debris) and a gzip file.
func TestCompressed(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("testdata", "prefix.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, name := range []string{"__MACOSX/._prefix.csv", ".DS_Store", "data/prefix.csv"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "data/prefix.csv" {
			w.Write(data)
		} else {
			w.Write([]byte("junk"))
		}
	}
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "prefix.zip"), zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var gb bytes.Buffer
	gw := gzip.NewWriter(&gb)
	gw.Write(data)
	gw.Close()
	if err := os.WriteFile(filepath.Join(dir, "prefix.csv.gz"), gb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	runFeature(t, featureCase{
		dir: dir,
		descriptor: `
id: compressed
title: {en: Compressed}
currency: USD
decimals: 0
dimensions:
  - id: functional
    levels: [{id: division}, {id: group}, {id: class}]
defaults:
  mapping:
    year: {value: "2020"}
    phase: {value: approved}
    direction: {value: expenditure}
    amount: {column: Amount}
    dimensions:
      functional:
        - {level: division, code: Code, label: Label, prefix: 2}
        - {level: group, code: Code, label: Label, prefix: 3}
        - {level: class, code: Code, label: Label, prefix: 4}
sources:
  - name: prefix.zip
  - name: prefix.csv.gz
`,
		totals:  map[string]string{"2020/approved/expenditure": "2200 (12)"},
		checked: 10, mismatches: 4, sources: 2,
	})
}
