package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const minimalDescriptor = `id: ok-dataset
title: {en: OK}
currency: BHD
dimensions:
  - id: admin
    levels: [{id: ministry}]
sources:
  - name: data/budget.csv
    mapping:
      year: {column: Year}
      amount: {column: Amount}
      dimensions:
        admin: [{level: ministry, label: Ministry}]
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, edit, want string
	}{
		{"unknown field", "title: {en: OK}\ncolour: red", `line 3: unknown field "colour" in the dataset`},
		{"unknown nested field", "      amount: {column: Amount, colum: x}", `unknown field "colum" in a field`},
		{"bad id", "id: OK_Dataset", `"OK_Dataset" is not a valid dataset id`},
		{"bad currency", "currency: XYZ", `"XYZ" is not an ISO 4217 currency code`},
		{"unknown level", "        admin: [{level: minister, label: Ministry}]", `admin has no level "minister" (line 13)`},
		{"undeclared dimension", "        geo: [{level: region, label: Region}]", `dimension "geo" is not declared`},
		{"escaping path", "  - name: ../secret.csv", `leaves the descriptor's directory`},
		{"absolute path", "  - name: /etc/passwd", `is an absolute path`},
		{"bad regexp", "      totals: {column: Year, match: '(('}", `is not a valid regular expression`},
		{"bad phase", "      phase: {value: spent}", `"spent" is not a budget phase`},
		{"bad threshold", "reject_threshold: lots", `reject_threshold "lots"`},
		{"bad factor", "factor: '0.5'", `factor "0.5" must be a positive whole number`},
		{"bad sha", "  - name: data/budget.csv\n    sha256: abc", `"abc" is not a sha256`},
		{"not yaml", "id: [", "not a valid descriptor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := applyEdit(minimalDescriptor, tc.edit)
			_, err := Parse([]byte(text), "testdata")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q\n%s", err, tc.want, text)
			}
		})
	}
	if _, err := Parse([]byte(minimalDescriptor), "testdata"); err != nil {
		t.Fatalf("minimal descriptor: %v", err)
	}
}

// applyEdit replaces the line starting like the edit's first line (up to
// its colon) with the edit, or appends it.
func applyEdit(doc, edit string) string {
	first := strings.SplitN(edit, "\n", 2)[0]
	key := first
	if i := strings.Index(first, ":"); i >= 0 {
		key = first[:i+1]
	}
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, key) {
			lines[i] = edit
			return strings.Join(lines, "\n")
		}
	}
	return doc + edit + "\n"
}

func TestLoadJSONAndMinorUnits(t *testing.T) {
	dir := t.TempDir()
	js := `{
	"id": "json-dataset",
	"title": {"en": "JSON"},
	"currency": "JPY",
	"dimensions": [],
	"sources": [{"name": "a.csv", "mapping": {"amount": {"column": "Amount"}}}]
}`
	p := filepath.Join(dir, "d.json")
	if err := os.WriteFile(p, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if d.Dir() != dir || newModel(d).scale != 0 {
		t.Errorf("dir %q scale %d", d.Dir(), newModel(d).scale)
	}
	for cur, want := range map[string]int32{"BHD": 3, "KWD": 3, "TND": 3, "JPY": 0, "KRW": 0, "EUR": 2, "USD": 2} {
		if got, ok := MinorUnits(cur); !ok || got != want {
			t.Errorf("%s: %d %v", cur, got, ok)
		}
	}
}

func TestLoadDataPackage(t *testing.T) {
	matches, _ := filepath.Glob(filepath.Join("testdata", "fdp", "*", "datapackage.json"))
	if len(matches) == 0 {
		t.Skip("no data package fixtures")
	}
	d, err := Load(matches[0])
	if err != nil {
		t.Fatalf("load %s: %v", matches[0], err)
	}
	if len(d.Sources) == 0 {
		t.Errorf("%s: no sources", matches[0])
	}
}

func FuzzLoadDescriptor(f *testing.F) {
	f.Add([]byte(minimalDescriptor))
	f.Add([]byte(`{"id": "x", "sources": [{"name": "a", "mapping": {"unpivot": {"pattern": "(", "into": "year"}}}]}`))
	f.Add([]byte("id: a\n\tb: c"))
	f.Add([]byte("labels: {admin: {x: {en: y}}}\nsources: [{name: '*.csv', url: 'http://x'}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data, "testdata")
		if err == nil && d == nil {
			t.Fatal("nil descriptor without error")
		}
	})
}

// TestPackageOverlay loads a descriptor that names a Fiscal Data Package
// and overrides some of its fields, then ingests it.
func TestPackageOverlay(t *testing.T) {
	const desc = `
id: overlay-test
title: {en: Overlaid title}
package: fdp/v1-tunisia/datapackage.json
`
	d, err := Parse([]byte(desc), "testdata")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if d.ID != "overlay-test" || d.Title["en"] != "Overlaid title" || len(d.Sources) == 0 || d.Currency == "" {
		t.Fatalf("overlay: id %q title %v sources %d currency %q", d.ID, d.Title, len(d.Sources), d.Currency)
	}
	db := openDB(t, "")
	s := mustIngest(t, db, d, Options{})
	if s.Facts == 0 {
		t.Errorf("no facts from the package: %+v", s)
	}
}
