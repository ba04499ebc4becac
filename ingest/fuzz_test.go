package ingest

import (
	"slices"
	"strings"
	"testing"

	"github.com/mizan-budget/mizan"
)

const fuzzDescriptor = `
id: fuzz
title: {en: Fuzz}
currency: BHD
factor: "1000"
dimensions:
  - id: functional
    levels: [{id: division}, {id: group}]
  - id: supplier
    levels: [{id: supplier}]
sources:
  - name: f.csv
    empty: zero
    mapping:
      phase: {column: Phase, map: {Presupuesto: approved}}
      direction: {value: expenditure}
      date: {column: Date}
      unpivot:
        pattern: '^\d{4}$'
        into: year
      dimensions:
        functional:
          - {level: division, code: Code, label: Label, prefix: 2}
          - {level: group, code: Code, label: Label, prefix: 4}
        supplier: [{level: supplier, label: Supplier}]
      totals: {column: Label, match: '(?i)^total'}
      skip: [{match: '^#'}]
`

// fuzzPlan compiles the fuzz descriptor against a fixed header.
func fuzzPlan(t testing.TB) *plan {
	d, err := Parse([]byte(fuzzDescriptor), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(d)
	spec := mergeSource(d.Defaults, d.Sources[0])
	in := &input{raw: &rawFile{spec: spec, name: "f.csv"}, id: 1, label: "f.csv", format: "csv", dialect: csvDialect{delim: ',', quote: '"'}}
	p, err := compilePlan(m, in, []string{"Phase", "Date", "Code", "Label", "Supplier", "2015", "2016"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMapRowCases(t *testing.T) {
	p := fuzzPlan(t)
	tests := []struct {
		line  string
		kind  rowKind
		facts int
	}{
		{`Presupuesto,2016-01-02,0102,Clinics,"Acme, Ltd",1.5,2`, rowFacts, 2},
		{`approved,02/01/2016,01,Health,,10,20`, rowParent, 2},
		{`approved,,,Total,,10,20`, rowTotal, 2},
		{`# note,,,,,,`, rowSkip, 0},
		{`,,,,,,`, rowBlank, 0},
		{`spent,,0102,x,,1,1`, rowRejected, 0},
		{`approved,,0102,x,,1.0000001,1`, rowFacts, 1},
		{`approved,,0102,x,,,`, rowFacts, 2},
		{`approved,,0102`, rowRejected, 0},
	}
	var o rowOut
	for _, tc := range tests {
		p.mapRow(splitRecord(tc.line, ',', '"', nil), 7, &o)
		if o.kind != tc.kind || len(o.facts) != tc.facts {
			t.Errorf("%s: kind %d with %d facts, want %d with %d; rejects %v", tc.line, o.kind, len(o.facts), tc.kind, tc.facts, o.rejects)
		}
	}
}

func FuzzMapRow(f *testing.F) {
	p := fuzzPlan(f)
	for _, s := range []string{
		`Presupuesto,2016-01-02,0102,Clinics,"Acme, Ltd",1.5,2`,
		`approved,02/01/2016,01,Health,,"(1,000.5)",٢٠`,
		`approved,,,Total,,10,20`,
		`"a""b",x,"unclosed`,
		"approved,,0102,x,,1e40,1\r",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fields := splitRecord(line, ',', '"', nil)
		if strings.IndexByte(line, '"') < 0 && len(fields) != strings.Count(line, ",")+1 {
			t.Fatalf("%q split into %d fields", line, len(fields))
		}
		var o rowOut
		p.mapRow(fields, 3, &o)
		for _, r := range o.rejects {
			if r.SourceRow != 3 || r.Reason == "" {
				t.Fatalf("bad reject %+v", r)
			}
		}
		for _, fc := range o.facts {
			if ph := fc.vals[fPhase]; ph != "" && !slices.Contains(mizan.Phases, ph) {
				t.Fatalf("phase %q", ph)
			}
			if fc.vals[fCurrency] != "BHD" {
				t.Fatalf("currency %q", fc.vals[fCurrency])
			}
			if len(fc.keys) != 3 {
				t.Fatalf("keys %v", fc.keys)
			}
		}
		if o.kind == rowFacts && len(o.facts) == 0 {
			t.Fatal("a stored row without facts")
		}
		_ = recordEnd([]byte(line+"\n"), 0, ',', '"')
	})
}
