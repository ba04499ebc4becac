package ingest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mizan-budget/mizan"
)

// fdpPkg builds a small v0.3 package around a mapping and a schema.
func fdpPkg(fields, mapping string) string {
	return `{"name": "tt", "title": "T", "resources": [{"name": "r", "path": "r.csv", "schema": {"fields": [` +
		fields + `]}}], "mapping": ` + mapping + `}`
}

const fdpAdminFields = `{"name": "CENTRO", "type": "integer"}, {"name": "DESC", "type": "string"},
	{"name": "SECCION", "type": "integer"}, {"name": "IMPORTE", "type": "number"}`

// TestFDPErrors checks that bad packages fail with the file and JSON path
// at fault, and never with a panic.
func TestFDPErrors(t *testing.T) {
	measure := `"measures": {"amount": {"source": "IMPORTE", "currency": "EUR"}}`
	admin := func(attrs string) string {
		return fdpPkg(fdpAdminFields, `{`+measure+`, "dimensions": {"administrative": {"dimensionType": "classification",
			"classificationType": "administrative", "attributes": {`+attrs+`}}}}`)
	}
	for _, tc := range []struct {
		name, pkg, want string
	}{
		{"not JSON", `{"name": `, "datapackage.json: invalid JSON"},
		{"trailing data", `{} {}`, "datapackage.json: invalid JSON: data after the top-level value"},
		{"not an object", `[1, 2]`, "datapackage.json: a data package is a JSON object, not an array"},
		{"deep", strings.Repeat("[", 300) + strings.Repeat("]", 300), "nested deeper than"},
		{"no resources", `{"name": "tt", "mapping": {}}`, "datapackage.json: resources: the package has no resources"},
		{"resources not an array", `{"name": "tt", "resources": {}}`, "datapackage.json: resources: want an array, have an object"},
		{"no model", `{"name": "tt", "resources": [{"path": "a.csv"}]}`, `not a Fiscal Data Package: no "model", no "mapping" and no field with a "columnType"`},
		{"no measures", fdpPkg(fdpAdminFields, `{"measures": {}}`), "datapackage.json: mapping.measures: no measures"},
		{"unusable name", `{"name": "—", "title": "١٢", "resources": [{"path": "a.csv"}]}`, "datapackage.json: name: the package needs a name"},
		{"bad country", `{"name": "tt", "countryCode": "ESP", "resources": [{"path": "a.csv"}]}`, `datapackage.json: countryCode: "ESP" is not an ISO 3166-1 alpha-2 code`},
		{"bad language", `{"name": "tt", "language": "Spanish!", "resources": [{"path": "a.csv"}]}`, `datapackage.json: language: "Spanish!" is not a language tag`},
		{"path outside", `{"name": "tt", "resources": [{"path": "../x.csv"}]}`, `datapackage.json: resources[0].path: "../x.csv" points outside the package`},
		{"absolute path", `{"name": "tt", "resources": [{"path": "/etc/x.csv"}]}`, `datapackage.json: resources[0].path: "/etc/x.csv": resource paths must be relative`},
		{"bad hash", `{"name": "tt", "resources": [{"path": "a.csv", "hash": "sha256:xyz"}]}`, `datapackage.json: resources[0].hash: "sha256:xyz" is not a sha256 digest`},
		{"duplicate resource", `{"name": "tt", "resources": [{"name": "a", "path": "a.csv"}, {"name": "a", "path": "b.csv"}]}`, `resources[1].name: two resources are named "a"`},
		{"field without name", `{"name": "tt", "resources": [{"path": "a.csv", "schema": {"fields": [{"type": "string"}]}}]}`, `resources[0].schema.fields[0].name: a field needs a name`},
		{"measure without source", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"currency": "EUR"}}}`), "datapackage.json: mapping.measures.amount.source: a measure needs the name of its column"},
		{"measure source absent", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"source": "TOTAL", "resource": "r"}}}`), `datapackage.json: mapping.measures.amount.source: resource "r" has no field "TOTAL"`},
		{"measure source nowhere", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"source": "TOTAL"}}}`), `datapackage.json: mapping.measures.amount.source: no data resource has a field "TOTAL"`},
		{"measure resource absent", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"source": "IMPORTE", "resource": "x"}}}`), `datapackage.json: mapping.measures.amount.resource: no resource "x"`},
		{"bad currency", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"source": "IMPORTE", "currency": "euro"}}}`), `datapackage.json: mapping.measures.amount.currency: "euro" is not an ISO 4217 currency code`},
		{"bad factor", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"source": "IMPORTE", "factor": -1}}}`), `datapackage.json: mapping.measures.amount.factor: "-1" is not a positive number`},
		{"bad phase", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"source": "IMPORTE", "phase": "guessed"}}}`), `datapackage.json: mapping.measures.amount.phase: unknown phase "guessed"`},
		{"bad direction", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"source": "IMPORTE", "direction": "sideways"}}}`), `datapackage.json: mapping.measures.amount.direction: unknown direction "sideways"`},
		{"factor not a string", fdpPkg(fdpAdminFields, `{"measures": {"amount": {"source": "IMPORTE", "factor": [1000]}}}`), `datapackage.json: mapping.measures.amount.factor: want a string, have an array`},
		{"two factors", fdpPkg(fdpAdminFields, `{"measures": {"a": {"source": "IMPORTE", "factor": 1000}, "b": {"source": "CENTRO"}}}`), `datapackage.json: mapping.measures.b.factor: measures "a" and "b" have different factors (1000 and 1)`},
		{"same column twice", fdpPkg(fdpAdminFields, `{"measures": {"a": {"source": "IMPORTE"}, "b": {"source": "IMPORTE"}}}`), `datapackage.json: mapping.measures.b.source: measures "a" and "b" read the same column "IMPORTE"`},
		{"parent absent", admin(`"CENTRO": {"source": "CENTRO"}, "SECCION": {"source": "SECCION", "parent": "CENTRO2"}`),
			`datapackage.json: mapping.dimensions.administrative.attributes.SECCION.parent: no attribute "CENTRO2"`},
		{"labelfor absent", admin(`"CENTRO": {"source": "CENTRO"}, "DESCRIPCION CENTRO": {"source": "DESC", "labelfor": "CENTRE"}`),
			`datapackage.json: mapping.dimensions.administrative.attributes.DESCRIPCION CENTRO.labelfor: no attribute "CENTRE"`},
		{"attribute without source", admin(`"CENTRO": {}`), `datapackage.json: mapping.dimensions.administrative.attributes.CENTRO.source: an attribute needs the name of its column`},
		{"attribute not an object", admin(`"CENTRO": "CENTRO"`), `datapackage.json: mapping.dimensions.administrative.attributes.CENTRO: want an attribute object, have a string`},
		{"no attributes", admin(``), `datapackage.json: mapping.dimensions.administrative.attributes: a dimension needs at least one attribute`},
		{"branching parents", admin(`"CENTRO": {"source": "CENTRO"}, "SECCION": {"source": "SECCION", "parent": "CENTRO"}, "DESC": {"source": "DESC", "parent": "CENTRO"}`),
			`datapackage.json: mapping.dimensions.administrative.attributes.DESC.parent: attributes "SECCION" and "DESC" both have parent "CENTRO"`},
		{"parent cycle", admin(`"CENTRO": {"source": "CENTRO", "parent": "SECCION"}, "SECCION": {"source": "SECCION", "parent": "CENTRO"}`),
			`datapackage.json: mapping.dimensions.administrative.attributes: the parent attributes form a cycle`},
		{"two roots", admin(`"CENTRO": {"source": "CENTRO"}, "SECCION": {"source": "SECCION", "parent": "CENTRO"}, "DESC": {"source": "DESC"}`),
			`both have no parent: the levels of a dimension form one chain`},
		{"key labels", admin(`"CENTRO": {"source": "CENTRO"}, "SECCION": {"source": "SECCION", "parent": "CENTRO", "labelfor": "CENTRO"}`),
			`attributes.SECCION.labelfor: attribute "SECCION" is a key (a primary key or a parent) and cannot also be a label`},
		{"primary key absent", fdpPkg(fdpAdminFields, `{`+measure+`, "dimensions": {"d": {"attributes": {"a": {"source": "CENTRO"}}, "primaryKey": ["a", "b"]}}}`),
			`datapackage.json: mapping.dimensions.d.primaryKey[1]: no attribute "b"`},
		{"attribute column absent", fdpPkg(fdpAdminFields, `{`+measure+`, "dimensions": {"d": {"attributes": {"a": {"source": "NOPE"}}}}}`),
			`datapackage.json: mapping.dimensions.d.attributes.a.source: resource "r" has no field "NOPE"`},
		{"join", `{"name": "tt", "resources": [
			{"name": "facts", "path": "f.csv", "schema": {"fields": [{"name": "id"}, {"name": "v"}]}},
			{"name": "lookup", "path": "l.csv", "schema": {"fields": [{"name": "id"}, {"name": "label"}]}}],
			"model": {"measures": {"v": {"source": "v", "resource": "facts"}},
			"dimensions": {"d": {"attributes": {"id": {"source": "id", "resource": "facts"}, "label": {"source": "label", "resource": "lookup", "labelfor": "id"}}}}}}`,
			`datapackage.json: model.dimensions.d.attributes.label.source: resource "lookup" holds no measure: Mizan reads each fact from one row of one resource and does not join resources`},
		{"measure in JSON resource", `{"name": "tt", "resources": [{"name": "r", "path": "data.json", "format": "json"}],
			"mapping": {"measures": {"v": {"source": "v", "resource": "r"}}}}`,
			`datapackage.json: resources[0].format: resource "r" holds the measure "v" but is not CSV, TSV or XLSX`},
		{"v1 unknown normalize target", `{"name": "tt", "resources": [{"path": "a.csv", "schema": {"fields": [
			{"name": "A", "columnType": "value", "normalize": {"Phase": "approved"}}]}}]}`,
			`datapackage.json: resources[0].schema.fields[0].normalize.Phase: no extra field "Phase"`},
		{"v1 bad normalized year", `{"name": "tt", "resources": [{"path": "a.csv", "schema": {"fields": [
			{"name": "A", "columnType": "value", "normalize": {"Y": "last year"}}], "extraFields": [{"name": "Y", "columnType": "date:fiscal-year"}]}}]}`,
			`datapackage.json: resources[0].schema.fields[0].normalize.Y: "last year" is not a year`},
		{"v1 bad date format", `{"name": "tt", "resources": [{"path": "a.csv", "schema": {"fields": [
			{"name": "D", "columnType": "date:generic", "format": "%d %B %Y"}, {"name": "A", "columnType": "value"}]}}]}`,
			`datapackage.json: resources[0].schema.fields[0].format: date format "%d %B %Y": directive %B is not supported`},
		{"v1 no value", `{"name": "tt", "resources": [{"path": "a.csv", "schema": {"fields": [
			{"name": "D", "columnType": "date:generic"}]}}]}`,
			`datapackage.json: resources: no data resource has a field with columnType "value"`},
		{"v1 two codes", `{"name": "tt", "resources": [{"path": "a.csv", "schema": {"fields": [
			{"name": "A", "columnType": "administrative-classification:generic:level1:code"},
			{"name": "B", "columnType": "administrative-classification:generic:level1:code"},
			{"name": "V", "columnType": "value"}]}}]}`,
			`datapackage.json: resources[0].schema.fields[1].columnType: fields "A" and "B" both have columnType "administrative-classification:generic:level1:code"`},
		{"v1 bad fiscal period", `{"name": "tt", "fiscalPeriod": {"start": "2019"}, "resources": [{"path": "a.csv", "schema": {"fields": [
			{"name": "V", "columnType": "value"}]}}]}`,
			`datapackage.json: fiscalPeriod.start: "2019" is not a date (YYYY-MM-DD)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := translateDataPackage([]byte(tc.pkg), "dir")
			if err == nil {
				t.Fatalf("translated into %+v; want an error containing %q", d, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "datapackage.json: ") {
				t.Errorf("error %q does not name the file", err)
			}
			if code := mizan.ErrorCode(err); code != mizan.EINVALID {
				t.Errorf("error code %q, want %q", code, mizan.EINVALID)
			}
		})
	}
}

// TestFDPCases checks smaller translation rules one by one.
func TestFDPCases(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pkg   string
		check func(t *testing.T, d *Descriptor)
	}{
		{
			name: "model wins over mapping, single year measure, url path, sha256",
			pkg: `{"name": "2019 Budget!", "licenses": [{"name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/"}],
				"resources": [{"name": "r", "path": "https://example.org/files/budget.csv?raw=1", "hash": "sha256:` + strings.Repeat("ab", 32) + `"}],
				"mapping": {"measures": {"ignored": {"source": "x"}}},
				"model": {"measures": {"2019": {"source": "Total", "currency": "gbp", "factor": "1e3"}}}}`,
			check: func(t *testing.T, d *Descriptor) {
				want := []SourceSpec{{
					Name: "budget.csv", URL: "https://example.org/files/budget.csv?raw=1", SHA256: strings.Repeat("ab", 32), Format: "csv",
					Mapping: Mapping{Year: value("2019"), Amount: column("Total")},
				}}
				if diff := cmp.Diff(want, d.Sources, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("sources (-want +got):\n%s", diff)
				}
				if d.ID != "fdp-2019-budget" || d.Currency != "GBP" || d.Factor != "1000" {
					t.Errorf("id %q currency %q factor %q", d.ID, d.Currency, d.Factor)
				}
				if d.Licence != (mizan.Licence{Name: "ODbL-1.0", URL: "https://opendatacommons.org/licenses/odbl/"}) {
					t.Errorf("licence %+v", d.Licence)
				}
			},
		},
		{
			name: "measures named by phase without a phase property; md5 hash ignored",
			pkg:  fdpPkg(`{"name": "Budget"}, {"name": "Actual"}`, `{"measures": {"budgeted": {"source": "Budget"}, "actual": {"source": "Actual"}}}`),
			check: func(t *testing.T, d *Descriptor) {
				want := &Unpivot{Columns: []string{"Budget", "Actual"}, Into: "phase", Values: map[string]string{"Budget": "approved", "Actual": "executed"}}
				if diff := cmp.Diff(want, d.Sources[0].Mapping.Unpivot); diff != "" {
					t.Errorf("unpivot (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "measures that are neither years nor phases unpivot into measure",
			pkg: fdpPkg(`{"name": "Wages"}, {"name": "Goods & services"}, {"name": "Capital"}`,
				`{"measures": {"Wages": {"source": "Wages", "phase": "approved"}, "Goods & services": {"source": "Goods & services", "phase": "approved"}, "capital": {"source": "Capital", "phase": "executed"}}}`),
			check: func(t *testing.T, d *Descriptor) {
				m := d.Sources[0].Mapping
				want := &Unpivot{
					Columns: []string{"Wages", "Goods & services", "Capital"}, Into: "phase",
					Values: map[string]string{"Wages": "approved", "Goods & services": "approved", "Capital": "executed"},
					Also: map[string]map[string]string{
						"Wages": {"measure": "wages"}, "Goods & services": {"measure": "goods_services"}, "Capital": {"measure": "capital"},
					},
				}
				if diff := cmp.Diff(want, m.Unpivot); diff != "" {
					t.Errorf("unpivot (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "measure names into measure with a shared constant phase",
			pkg: fdpPkg(`{"name": "Wages"}, {"name": "Capital"}`,
				`{"measures": {"Wages": {"source": "Wages", "direction": "revenue"}, "Capital": {"source": "Capital", "direction": "revenue"}}}`),
			check: func(t *testing.T, d *Descriptor) {
				m := d.Sources[0].Mapping
				want := &Unpivot{Columns: []string{"Wages", "Capital"}, Into: "measure", Values: map[string]string{"Wages": "wages", "Capital": "capital"}}
				if diff := cmp.Diff(want, m.Unpivot); diff != "" {
					t.Errorf("unpivot (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(value("revenue"), m.Direction); diff != "" {
					t.Errorf("direction (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "fiscal years in measure names, one-year fiscal period ignored",
			pkg: `{"name": "tt", "fiscalPeriod": {"start": "2015-07-01", "end": "2016-06-30"}, "resources": [{"path": "a.csv"}],
				"mapping": {"measures": {"FY2015/16": {"source": "a"}, "2016-2017": {"source": "b"}, "2017": {"source": "c"}}}}`,
			check: func(t *testing.T, d *Descriptor) {
				m := d.Sources[0].Mapping
				want := &Unpivot{Columns: []string{"a", "b", "c"}, Into: "year", Values: map[string]string{"a": "2015", "b": "2016", "c": "2017"}}
				if diff := cmp.Diff(want, m.Unpivot); diff != "" || m.Year != nil {
					t.Errorf("year %+v, unpivot (-want +got):\n%s", m.Year, diff)
				}
			},
		},
		{
			name: "one-year fiscal period gives the year",
			pkg: `{"name": "tt", "fiscalPeriod": {"start": "2015-07-01", "end": "2016-07-01"}, "resources": [{"path": "a.csv"}],
				"mapping": {"measures": {"amount": {"source": "a"}}}}`,
			check: func(t *testing.T, d *Descriptor) {
				if diff := cmp.Diff(value("2015"), d.Sources[0].Mapping.Year); diff != "" {
					t.Errorf("year (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "several-year fiscal period gives no year",
			pkg: `{"name": "tt", "fiscalPeriod": {"start": "2012-01-01", "end": "2015-12-31"}, "resources": [{"path": "a.csv"}],
				"mapping": {"measures": {"amount": {"source": "a"}}}}`,
			check: func(t *testing.T, d *Descriptor) {
				if y := d.Sources[0].Mapping.Year; y != nil {
					t.Errorf("year %+v, want none", y)
				}
			},
		},
		{
			name: "dimension names: canonical, duplicate canonical, reserved, non-latin, date format",
			pkg: fdpPkg(`{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}, {"name": "e", "type": "date", "format": "fmt:%d/%m/%Y"}, {"name": "v"}`,
				`{"measures": {"v": {"source": "v"}}, "dimensions": {
					"Org": {"classificationType": "administrative", "attributes": {"a": {"source": "a"}}},
					"Org 2": {"classificationType": "administrative", "attributes": {"b": {"source": "b"}}},
					"Amount": {"attributes": {"c": {"source": "c"}}},
					"Ставка": {"dimensionType": "location", "attributes": {"d": {"source": "d"}}},
					"when": {"dimensionType": "datetime", "attributes": {"e": {"source": "e"}}}}}`),
			check: func(t *testing.T, d *Descriptor) {
				var ids []string
				for _, dm := range d.Dimensions {
					ids = append(ids, dm.ID)
				}
				if diff := cmp.Diff([]string{"admin", "org_2", "amount_2", "geo"}, ids); diff != "" {
					t.Errorf("dimension ids (-want +got):\n%s", diff)
				}
				m := d.Sources[0].Mapping
				if diff := cmp.Diff(&Field{Column: "e", Format: "d/m/Y"}, m.Date); diff != "" {
					t.Errorf("date (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(&Field{From: "date"}, m.Year); diff != "" {
					t.Errorf("year (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "a dimension named phase maps the phase column",
			pkg: fdpPkg(`{"name": "Stage"}, {"name": "v"}`,
				`{"measures": {"v": {"source": "v"}}, "dimensions": {"phase": {"attributes": {"p": {"source": "Stage"}}}}}`),
			check: func(t *testing.T, d *Descriptor) {
				if diff := cmp.Diff(column("Stage"), d.Sources[0].Mapping.Phase); diff != "" || len(d.Dimensions) != 0 {
					t.Errorf("dimensions %v; phase (-want +got):\n%s", d.Dimensions, diff)
				}
			},
		},
		{
			name: "v1 lookup resource is dropped, second resource with other column names",
			pkg: `{"name": "tt", "resources": [
				{"name": "y2019", "path": "2019.csv", "schema": {"fields": [
					{"name": "Year", "columnType": "date:fiscal-year"}, {"name": "Org", "columnType": "administrative-classification:generic:code"},
					{"name": "Amount", "columnType": "value", "currency": "EUR"}]}},
				{"name": "y2020", "path": "2020.tsv", "schema": {"fields": [
					{"name": "Ejercicio", "columnType": "date:fiscal-year"}, {"name": "Organismo", "columnType": "administrative-classification:generic:code"},
					{"name": "Importe", "columnType": "value", "currency": "EUR"}]}},
				{"name": "orgs", "path": "orgs.csv", "schema": {"fields": [
					{"name": "Org", "columnType": "administrative-classification:generic:code"}, {"name": "Name", "columnType": "administrative-classification:generic:label"}]}}]}`,
			check: func(t *testing.T, d *Descriptor) {
				want := []SourceSpec{
					{Name: "2019.csv", Format: "csv", Mapping: Mapping{Year: column("Year"), Amount: column("Amount"),
						Dimensions: map[string][]LevelMapping{"admin": {{Level: "admin", Code: "Org"}}}}},
					{Name: "2020.tsv", Format: "tsv", Mapping: Mapping{Year: column("Ejercicio"), Amount: column("Importe"),
						Dimensions: map[string][]LevelMapping{"admin": {{Level: "admin", Code: "Organismo"}}}}},
				}
				if diff := cmp.Diff(want, d.Sources, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("sources (-want +got):\n%s", diff)
				}
				if len(d.Dimensions) != 1 || d.Currency != "EUR" {
					t.Errorf("dimensions %+v currency %q", d.Dimensions, d.Currency)
				}
			},
		},
		{
			name: "v1 constants and kinds",
			pkg: `{"name": "tt", "resources": [{"path": "a.csv", "schema": {"fields": [
				{"name": "Kind", "columnType": "value-kind:code"}, {"name": "Cur", "columnType": "value-currency:code"},
				{"name": "When", "columnType": "date:generic", "format": "%Y-%m-%dT%H:%M:%S"},
				{"name": "Paid", "columnType": "date:generic"},
				{"name": "Stage", "columnType": "phase:id"}, {"name": "Stage name", "columnType": "phase:label"},
				{"name": "Way", "columnType": "direction"},
				{"name": "V", "columnType": "value"}],
				"extraFields": [{"name": "Y", "columnType": "date:fiscal-year", "constant": 2021}, {"name": "C", "columnType": "value-currency:code", "constant": "usd"},
					{"name": "Note", "columnType": "unknown:string", "constant": "x"}]}}]}`,
			check: func(t *testing.T, d *Descriptor) {
				want := Mapping{
					Year: &Field{From: "date"}, Date: &Field{Column: "When", Format: "Y-m-d"},
					Phase: column("Stage"), Direction: column("Way"), Currency: column("Cur"), Measure: column("Kind"),
					Amount:     column("V"),
					Dimensions: map[string][]LevelMapping{"paid": {{Level: "paid", Label: "Paid"}}},
				}
				if diff := cmp.Diff(want, d.Sources[0].Mapping); diff != "" {
					t.Errorf("mapping (-want +got):\n%s", diff)
				}
				if d.Currency != "USD" {
					t.Errorf("currency %q", d.Currency)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := translateDataPackage([]byte(tc.pkg), "dir")
			if err != nil {
				t.Fatal(err)
			}
			if d.Dir() != "dir" {
				t.Errorf("Dir() = %q", d.Dir())
			}
			checkFDPNames(t, d)
			tc.check(t, d)
		})
	}
}

// TestFDPNames checks the identifiers made from names in any script.
func TestFDPNames(t *testing.T) {
	for in, want := range map[string]string{
		"AÑO": "ano", "Department/Agency": "department_agency", "Број раздел": "broj_razdel",
		"Ставка": "stavka", "Назив потпрограма": "naziv_potprograma", "2014-15": "n2014_15",
		"  --  ": "", "موازنة": "", "Œuvre Straße": "oeuvre_strasse", "a__b": "a_b",
		strings.Repeat("x", 50): strings.Repeat("x", 40),
	} {
		if got := fdpName(in); got != want {
			t.Errorf("fdpName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"madrid-municipal-gastos": "madrid-municipal-gastos", "Central Budget of Macedonia": "central-budget-of-macedonia",
		"2019": "fdp-2019", "x": "", "Буџет 2014": "budzet-2014",
	} {
		if got := fdpDatasetID(in); got != want {
			t.Errorf("fdpDatasetID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"2014-15": "2014", "2014/2015": "2014", "FY2016": "2016", "fy 2016-17": "2016", "2014-16": "", "Total": "", "1899": "",
	} {
		if got, _ := fdpYear(in); got != want {
			t.Errorf("fdpYear(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"1": "", "1000": "1000", "1e6": "1000000", "0.001": "0.001", "2.50": "2.5"} {
		if got, ok := fdpFactor(in); !ok || got != want {
			t.Errorf("fdpFactor(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"0", "-5", "1/3", "abc", ""} {
		if got, ok := fdpFactor(bad); ok {
			t.Errorf("fdpFactor(%q) = %q, want an error", bad, got)
		}
	}
}
