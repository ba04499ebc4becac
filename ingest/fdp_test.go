package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"

	"github.com/mizan-budget/mizan"
)

// fdpShared is where the real Fiscal Data Packages live (never copied into
// the repository; tests skip when they are absent).
const fdpShared = "../../shared/datasets/"

func en(s string) mizan.Text { return mizan.Text{"en": s} }

// attr declares a one-level attribute dimension whose level is the dimension.
func attr(id, label, levelLabel string) DimensionSpec {
	return DimensionSpec{ID: id, Label: en(label), Kind: mizan.KindAttribute, Levels: []LevelSpec{{ID: id, Label: en(levelLabel)}}}
}

func value(v string) *Field  { return &Field{Value: v} }
func column(c string) *Field { return &Field{Column: c} }

// fdpWant is the expected translation of each package, real and hand-made.
var fdpWant = []struct {
	name string
	path string
	want *Descriptor
}{
	{
		name: "madrid",
		path: fdpShared + "fdp-madrid-municipal-gastos/datapackage.json",
		want: &Descriptor{
			ID: "madrid-municipal-gastos", Kind: mizan.KindBudget,
			Title:   en("Presupuestos municipales 2012-2015"),
			Country: "ES", Currency: "EUR",
			Homepage: "http://datos.madrid.es/portal/site/egob/menuitem.c05c1f754a33a9fbe4b2e4b284f1a5a0/?vgnextoid=14f285e4b1204410VgnVCM1000000b205a0aRCRD&vgnextchannel=374512b9ace9f310VgnVCM100000171f5a0aRCRD",
			Dimensions: []DimensionSpec{
				{ID: "admin", Label: en("administrative"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "centro", Label: en("CENTRO")}, {ID: "seccion", Label: en("SECCION")}}},
				{ID: "programme", Label: en("program"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "programme", Label: en("PROGRAMA")}}},
				{ID: "economic", Label: en("economic"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "capitulo", Label: en("CAPITULO")}, {ID: "economico", Label: en("ECONOMICO")}}},
			},
			Sources: []SourceSpec{{
				Name: "data/gastos_v40_2012-2015.csv", Format: "csv",
				Mapping: Mapping{
					Year: column("AÑO"), Phase: value("approved"), Direction: value("expenditure"),
					Amount: column("IMPORTE"),
					Dimensions: map[string][]LevelMapping{
						"admin": {
							{Level: "centro", Code: "CENTRO", Label: "DESCRIPCION CENTRO"},
							{Level: "seccion", Code: "SECCION", Label: "DESCRIPCION SECCION"},
						},
						"programme": {{Level: "programme", Code: "PROGRAMA", Label: "DESCRIPCION PROGRAMA"}},
						"economic": {
							{Level: "capitulo", Code: "CAPITULO", Label: "DESCRIPCION CAPITULO"},
							{Level: "economico", Code: "ECONOMICO", Label: "DESCRIPCION ECONOMICO"},
						},
					},
				},
			}},
		},
	},
	{
		// The package declares phase "executed" for every row, though its
		// rows are the 2014 budget (published 2014-01-01), the 2014
		// rebalance (2014-09-09) and the 2015 budget: the translation is
		// faithful to the package; TestFDPIngestRealPackages shows the
		// override that separates approved from revised.
		name: "macedonia",
		path: fdpShared + "fdp-openspending-macedonia/datapackage.json",
		want: &Descriptor{
			ID: "central-budget-of-macedonia", Kind: mizan.KindBudget,
			Title:   en("Central Budget of Macedonia"),
			Country: "MK", Currency: "MKD",
			Dimensions: []DimensionSpec{
				{ID: "admin", Label: en("section"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "admin", Label: en("Број раздел")}}},
				attr("account", "account", "Сметка"),
				{ID: "programme", Label: en("subprogram"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "programme", Label: en("Број потпрограма")}}},
				{ID: "functional", Label: en("category"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "category", Label: en("Категорија")}, {ID: "item", Label: en("Ставка")}}},
			},
			Sources: []SourceSpec{{
				Name: "MFBudzetIRebalansNaRMmk-MK.csv", Format: "csv",
				Mapping: Mapping{
					Year: &Field{From: "date"}, Date: column("Датум на објавување"),
					Phase: value("executed"), Direction: value("expenditure"),
					Amount: column("Буџет"),
					Dimensions: map[string][]LevelMapping{
						"admin":     {{Level: "admin", Code: "Број раздел", Label: "Назив раздел"}},
						"account":   {{Level: "account", Code: "Сметка"}},
						"programme": {{Level: "programme", Code: "Број потпрограма", Label: "Назив потпрограма"}},
						"functional": {
							{Level: "category", Code: "Категорија", Label: "Назив категорија"},
							{Level: "item", Code: "Ставка", Label: "Назив ставка"},
						},
					},
				},
			}},
		},
	},
	{
		// Seven flat dimensions: the package declares no hierarchy between
		// portfolio, agency, outcome and program, and no factor although
		// the amounts are in thousands.
		name: "australia",
		path: fdpShared + "fdp-au-budget/datapackage.json",
		want: &Descriptor{
			ID: "au-budget", Kind: mizan.KindBudget, Title: en("Australian Budget"), Currency: "AUD",
			Dimensions: []DimensionSpec{
				attr("portfolio", "portfolio", "Portfolio"),
				attr("department_agency", "Department/Agency", "Department/Agency"),
				attr("outcome", "Outcome", "Outcome"),
				attr("program", "Program", "Program"),
				attr("expense_type", "Expense type", "Expense type"),
				attr("appropriation_type", "Appropriation type", "Appropriation type"),
				attr("description", "Description", "Description"),
			},
			Sources: []SourceSpec{{
				Name: "data/201505181230budget1516.csv", Format: "csv",
				Mapping: Mapping{
					Dimensions: map[string][]LevelMapping{
						"portfolio":          {{Level: "portfolio", Label: "Portfolio"}},
						"department_agency":  {{Level: "department_agency", Label: "Department/Agency"}},
						"outcome":            {{Level: "outcome", Label: "Outcome"}},
						"program":            {{Level: "program", Label: "Program"}},
						"expense_type":       {{Level: "expense_type", Label: "Expense type"}},
						"appropriation_type": {{Level: "appropriation_type", Label: "Appropriation type"}},
						"description":        {{Level: "description", Label: "Description"}},
					},
					Unpivot: &Unpivot{
						Columns: []string{"2014-15", "2015-16", "2016-17", "2017-18", "2018-19"},
						Into:    "year",
						Values:  map[string]string{"2014-15": "2014", "2015-16": "2015", "2016-17": "2016", "2017-18": "2017", "2018-19": "2018"},
					},
				},
			}},
		},
	},
	{
		name: "albania",
		path: fdpShared + "fdp-al-treasury-spending/datapackage.json",
		want: &Descriptor{
			ID: "al-treasury-spending", Kind: mizan.KindPayments, Title: en("Albania Treasury Service"),
			Country: "AL", Currency: "ALL",
			Homepage: "http://spending.data.al/en/treasuryservice/list/year/2014/inst_code/1005001",
			Dimensions: []DimensionSpec{
				attr("date_executed", "date-executed", "Date executed"),
				attr("administrator", "administrator", "Budget Institution"),
				attr("supplier", "supplier", "Supplier"),
				attr("treasury_branch", "treasury-branch", "Treasury Branch"),
				attr("invoice_id", "invoice-id", "Receipt No"),
				{ID: "kategori_shpenzimi", Label: en("kategori-shpenzimi"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "kategori_shpenzimi", Label: en("Kategori Shpenzimi")}}},
				attr("description", "description", "Receipt Description"),
			},
			Sources: []SourceSpec{{
				Name: "data/treasury.csv", Format: "csv",
				Mapping: Mapping{
					Year: &Field{From: "date"}, Date: column("Date registered"), Direction: value("expenditure"),
					Amount: column("Value"),
					Dimensions: map[string][]LevelMapping{
						"date_executed":      {{Level: "date_executed", Code: "Date executed"}},
						"administrator":      {{Level: "administrator", Label: "Budget Institution"}},
						"supplier":           {{Level: "supplier", Label: "Supplier"}},
						"treasury_branch":    {{Level: "treasury_branch", Label: "Treasury Branch"}},
						"invoice_id":         {{Level: "invoice_id", Code: "Receipt No"}},
						"kategori_shpenzimi": {{Level: "kategori_shpenzimi", Code: "Kategori Shpenzimi"}},
						"description":        {{Level: "description", Label: "Receipt Description"}},
					},
				},
			}},
		},
	},
	{
		// v1.0: columnType on every field, two phases side by side
		// (normalize), currency as an extra constant, French separators.
		name: "v1-tunisia",
		path: "testdata/fdp/v1-tunisia/datapackage.json",
		want: &Descriptor{
			ID: "tunisia-ministry-budget-2019", Kind: mizan.KindBudget,
			Title:       mizan.Text{"fr": "Budget de l'État 2019 (extrait)"},
			Description: mizan.Text{"fr": "Hand-made Fiscal Data Package 1.0 fixture: columnType on every field, two phases side by side."},
			Publisher:   mizan.Text{"fr": "Ministère des Finances"},
			Country:     "TN", Currency: "TND", Language: "fr",
			Licence:  mizan.Licence{Name: "Creative Commons Attribution 4.0", URL: "https://creativecommons.org/licenses/by/4.0/"},
			Homepage: "https://example.org/budget-2019",
			Dimensions: []DimensionSpec{
				{ID: "admin", Label: en("Administrative classification"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "level1", Label: mizan.Text{"fr": "Code mission"}}, {ID: "level2", Label: mizan.Text{"fr": "Code programme"}}}},
				{ID: "functional", Label: en("Functional classification"), Kind: mizan.KindClassification, Classification: "cofog",
					Levels: []LevelSpec{{ID: "division", Label: mizan.Text{"fr": "Division COFOG"}}, {ID: "group", Label: mizan.Text{"fr": "Groupe COFOG"}}}},
				{ID: "economic", Label: en("Economic classification"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "level1", Label: mizan.Text{"fr": "Titre"}}, {ID: "level2", Label: mizan.Text{"fr": "Nature"}}}},
				{ID: "remarque", Label: mizan.Text{"fr": "Remarque"}, Kind: mizan.KindAttribute,
					Levels: []LevelSpec{{ID: "remarque", Label: mizan.Text{"fr": "Remarque"}}}},
			},
			Sources: []SourceSpec{{
				Name: "budget.csv", SHA256: "5a83a0f38d98327f92577d1a69c95e620655ad6aec31ebe2df4170cbf7455d07",
				Format: "csv", Encoding: "utf-8", Delimiter: ";",
				Number: NumberSpec{Decimal: ",", Group: " "},
				Mapping: Mapping{
					Year: column("Exercice"), Direction: value("expenditure"),
					Dimensions: map[string][]LevelMapping{
						"admin": {
							{Level: "level1", Code: "Code mission", Label: "Mission"},
							{Level: "level2", Code: "Code programme", Label: "Programme"},
						},
						"functional": {
							{Level: "division", Code: "Division COFOG"},
							{Level: "group", Code: "Groupe COFOG", Label: "Libellé groupe"},
						},
						"economic": {
							{Level: "level1", Code: "Titre"},
							{Level: "level2", Label: "Nature"},
						},
						"remarque": {{Level: "remarque", Label: "Remarque"}},
					},
					Unpivot: &Unpivot{
						Columns: []string{"Loi de finances", "Réalisations"},
						Into:    "phase",
						Values:  map[string]string{"Loi de finances": "approved", "Réalisations": "executed"},
					},
				},
			}},
		},
	},
	{
		// v1.0: three wide columns, each a (year, phase) pair; a constant
		// direction; currency and factor on the value fields.
		name: "v1-wide-years",
		path: "testdata/fdp/v1-wide-years/datapackage.json",
		want: &Descriptor{
			ID: "jo-revenue-estimates", Kind: mizan.KindBudget,
			Title:   en("Revenue estimates by ministry and governorate"),
			Country: "JO", Currency: "JOD", Factor: "1000",
			Dimensions: []DimensionSpec{
				{ID: "admin", Label: en("Administrative classification"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "admin", Label: en("Ministry")}}},
				{ID: "programme", Label: en("Programme"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "program", Label: en("Programme code")}, {ID: "project", Label: en("Project code")}}},
				{ID: "geo", Label: en("Geography"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "geo", Label: en("Governorate code")}}},
				{ID: "fund", Label: en("Source of funds"), Kind: mizan.KindClassification,
					Levels: []LevelSpec{{ID: "fund", Label: en("Fund")}}},
				attr("line", "Line", "Line"),
			},
			Sources: []SourceSpec{{
				Name: "revenue.csv", Format: "csv",
				Mapping: Mapping{
					Direction: value("revenue"),
					Dimensions: map[string][]LevelMapping{
						"admin": {{Level: "admin", Code: "Ministry"}},
						"programme": {
							{Level: "program", Code: "Programme code", Label: "Programme"},
							{Level: "project", Code: "Project code"},
						},
						"geo":  {{Level: "geo", Code: "Governorate code", Label: "Governorate"}},
						"fund": {{Level: "fund", Code: "Fund"}},
						"line": {{Level: "line", Code: "Line"}},
					},
					Unpivot: &Unpivot{
						Columns: []string{"2020 Estimate", "2020 Actual", "2021 Estimate"},
						Into:    "year",
						Values:  map[string]string{"2020 Estimate": "2020", "2020 Actual": "2020", "2021 Estimate": "2021"},
						Also: map[string]map[string]string{
							"2020 Estimate": {"phase": "approved"},
							"2020 Actual":   {"phase": "executed"},
							"2021 Estimate": {"phase": "approved"},
						},
					},
				},
			}},
		},
	},
	{
		// v0.3 "model": two phases as two measures, a three-level COFOG
		// chain declared out of order, a non-key attribute, a resource in
		// two parts and a lookup resource that is not a source.
		name: "v03-model",
		path: "testdata/fdp/v03-model/datapackage.json",
		want: func() *Descriptor {
			mp := Mapping{
				Year: value("2022"), Direction: value("expenditure"),
				Dimensions: map[string][]LevelMapping{
					"functional": {
						{Level: "cofog1", Code: "COFOG 1", Label: "COFOG 1 name"},
						{Level: "cofog2", Code: "COFOG 2", Label: "COFOG 2 name"},
						{Level: "cofog3", Code: "COFOG 3"},
					},
					"agency":       {{Level: "agency", Code: "Agency ID", Label: "Agency"}},
					"agency_notes": {{Level: "agency_notes", Label: "Agency notes"}},
					"fund":         {{Level: "fund", Code: "Fund"}},
				},
				Unpivot: &Unpivot{
					Columns: []string{"Approved", "Executed"}, Into: "phase",
					Values: map[string]string{"Approved": "approved", "Executed": "executed"},
				},
			}
			src := func(name string) SourceSpec {
				m := mp
				m.Dimensions = map[string][]LevelMapping{}
				for k, v := range mp.Dimensions {
					m.Dimensions[k] = v
				}
				return SourceSpec{Name: name, Format: "csv", Number: NumberSpec{Group: ","}, Mapping: m}
			}
			return &Descriptor{
				ID: "federal-outlays-sample", Kind: mizan.KindBudget,
				Title:    en("Federal outlays by function and agency"),
				Currency: "USD", Factor: "1000000", Licence: mizan.Licence{Name: "ODC-PDDL-1.0"},
				Dimensions: []DimensionSpec{
					{ID: "functional", Label: en("function"), Kind: mizan.KindClassification, Classification: "cofog",
						Levels: []LevelSpec{{ID: "cofog1", Label: en("COFOG 1")}, {ID: "cofog2", Label: en("COFOG 2")}, {ID: "cofog3", Label: en("COFOG 3")}}},
					attr("agency", "agency", "Agency ID"),
					attr("agency_notes", "Agency notes", "Agency notes"),
					{ID: "fund", Label: en("fund"), Kind: mizan.KindClassification, Levels: []LevelSpec{{ID: "fund", Label: en("Fund")}}},
				},
				Sources: []SourceSpec{src("outlays-part1.csv"), src("outlays-part2.csv")},
			}
		}(),
	},
}

// TestFDPTranslate translates each real package and each hand-made fixture
// and compares the whole descriptor.
func TestFDPTranslate(t *testing.T) {
	for _, tc := range fdpWant {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.path); errors.Is(err, os.ErrNotExist) {
				t.Skipf("%s is absent", tc.path)
			}
			got, err := loadDataPackage(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreUnexported(Descriptor{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("translation (-want +got):\n%s", diff)
			}
			if got.Dir() != filepath.Dir(tc.path) {
				t.Errorf("Dir() = %q, want %q", got.Dir(), filepath.Dir(tc.path))
			}
			for i, s := range got.Sources {
				if s.URL == "" {
					if _, err := os.Stat(filepath.Join(got.Dir(), filepath.FromSlash(s.Name))); err != nil {
						t.Errorf("sources[%d]: %v", i, err)
					}
				}
			}
			checkFDPNames(t, got)
			if err := got.Validate(); err != nil {
				t.Errorf("the pipeline refuses the translation: %v", err)
			}
			if _, err := Load(tc.path); err != nil {
				t.Errorf("Load: %v", err)
			}
		})
	}
}

// checkFDPNames checks what every translation must satisfy whatever the
// input: a valid dataset id, valid and unique dimension and level names.
func checkFDPNames(t *testing.T, d *Descriptor) {
	t.Helper()
	if !mizan.ValidDatasetID(d.ID) {
		t.Errorf("id %q is not a valid dataset id", d.ID)
	}
	dims := map[string]bool{}
	for _, dm := range d.Dimensions {
		if !mizan.ValidName(dm.ID) || dims[dm.ID] || fdpReserved()[dm.ID] {
			t.Errorf("dimension id %q is invalid, reserved or repeated", dm.ID)
		}
		dims[dm.ID] = true
		levels := map[string]bool{}
		for _, l := range dm.Levels {
			if !mizan.ValidName(l.ID) || levels[l.ID] {
				t.Errorf("level id %s.%q is invalid or repeated", dm.ID, l.ID)
			}
			levels[l.ID] = true
		}
	}
	for i, s := range d.Sources {
		for id, lms := range s.Mapping.Dimensions {
			if !dims[id] {
				t.Errorf("sources[%d] maps undeclared dimension %q", i, id)
			}
			for _, lm := range lms {
				if lm.Code == "" && lm.Label == "" {
					t.Errorf("sources[%d] level %s.%s has no column", i, id, lm.Level)
				}
			}
		}
		if (s.Mapping.Amount == nil) == (s.Mapping.Unpivot == nil) {
			t.Errorf("sources[%d]: want exactly one of amount and unpivot", i)
		}
	}
}

// TestDataPackageYAML checks that MarshalDescriptor writes YAML that reads
// back into the same descriptor, for every translation.
func TestDataPackageYAML(t *testing.T) {
	for _, tc := range fdpWant {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.path); errors.Is(err, os.ErrNotExist) {
				t.Skipf("%s is absent", tc.path)
			}
			d, err := loadDataPackage(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			out, err := MarshalDescriptor(d)
			if err != nil {
				t.Fatal(err)
			}
			var back Descriptor
			dec := yaml.NewDecoder(strings.NewReader(string(out)))
			dec.KnownFields(true)
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("decode:\n%s\n%v", out, err)
			}
			if diff := cmp.Diff(d, &back, cmpopts.IgnoreUnexported(Descriptor{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("YAML round trip (-translated +read back):\n%s", diff)
			}
			again, err := MarshalDescriptor(&back)
			if err != nil || string(again) != string(out) {
				t.Errorf("MarshalDescriptor is not stable (err %v)", err)
			}
		})
	}
	if _, err := MarshalDescriptor(nil); err == nil {
		t.Error("MarshalDescriptor(nil): want an error")
	}
}
