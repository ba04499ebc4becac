package ocds

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readAll(t testing.TB, b []byte, name string) ([]*Release, []Problem, FileInfo) {
	t.Helper()
	var rels []*Release
	var probs []Problem
	info, err := Read(bytes.NewReader(b), name, func(r *Release) error { rels = append(rels, r); return nil }, func(p Problem) { probs = append(probs, p) })
	if err != nil {
		t.Fatal(err)
	}
	return rels, probs, info
}

const pkg = `{"version":"1.1","releases":[
 {"ocid":"ocds-1","id":"1","date":"2020-01-01T00:00:00Z","tag":["tender"],"tender":{"id":"t","title":"Chairs","value":{"amount":"1,000.50","currency":"usd"},"items":[{"id":"1","description":"chair"}]},"x_ext":{"keep":true}},
 {"ocid":"ocds-1","id":"2","date":"2020-02-01T00:00:00Z","tag":"award","awards":[{"id":"a1","value":{"amount":900,"currency":"USD"},"suppliers":[{"id":"s1","name":"ACME Ltd."}]}],"parties":[{"id":"s1","name":"ACME Ltd.","roles":["supplier"]}]},
 {"ocid":"ocds-1","date":"2020-03-01T00:00:00Z","tag":["contract"],"contracts":[{"id":"c1","awardID":"a1","value":{"amount":950,"currency":"USD"}}],"tender":{"title":null}},
 "oops",
 {"id":"x"}
]}`

func TestReadForms(t *testing.T) {
	rels, probs, info := readAll(t, []byte(pkg), "pkg.json")
	if len(rels) != 3 || info.Forms["release package"] != 1 || info.Versions["1.1"] != 1 {
		t.Fatalf("releases %d, forms %v", len(rels), info.Forms)
	}
	want := map[string]bool{"/releases/1/tag": false, "/releases/2/id": false, "/releases/3": false, "/releases/4/ocid": false}
	for _, p := range probs {
		if _, ok := want[p.Path]; ok {
			want[p.Path] = true
		}
		if p.File != "pkg.json" {
			t.Errorf("problem without file: %+v", p)
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("no problem at %s: %v", k, probs)
		}
	}
	rec := Compile("ocds-1", rels)
	p, xp := Extract(rec, nil)
	if len(xp) != 0 {
		t.Errorf("extract problems: %v", xp)
	}
	if p.Title != "" || p.Tender.Value.Amount.String() != "1000.50" || p.Tender.Value.Currency != "USD" {
		t.Errorf("tender: %+v (title must be removed by the null)", p.Tender)
	}
	if len(p.Awards) != 1 || len(p.Contracts) != 1 || p.Contracts[0].Value.Amount.String() != "950" || p.Awards[0].Suppliers[0].Name != "ACME Ltd." {
		t.Errorf("process: %+v", p)
	}
	if p.Parties[0].Entity != "name:acme" || !reflect.DeepEqual(p.Tags, []string{"tender", "award", "contract"}) {
		t.Errorf("party %+v tags %v", p.Parties[0], p.Tags)
	}
	if !strings.Contains(string(p.Compiled), `"x_ext":{"keep":true}`) || !strings.Contains(string(p.Compiled), `"tag":["compiled"]`) {
		t.Errorf("compiled: %s", p.Compiled)
	}
}

func TestReadPackaging(t *testing.T) {
	one := `{"ocid":"o-1","id":"1","date":"2021-01-01","tag":["planning"]}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("\xEF\xBB\xBF" + one))
	zw.Close()
	var zb bytes.Buffer
	z := zip.NewWriter(&zb)
	f, _ := z.Create("data/releases.jsonl")
	f.Write([]byte(one + "\n{broken\n" + `{"ocid":"o-2","id":"1","date":"2021-01-02","tag":["tender"]}` + "\n"))
	z.Close()
	for _, c := range []struct {
		name string
		b    []byte
		want int
	}{
		{"one.json.gz", gz.Bytes(), 1},
		{"lines.zip", zb.Bytes(), 2},
		{"array.json", []byte("[" + one + "," + one + "]"), 2},
		{"record.json", []byte(`{"ocid":"o-1","releases":[{"url":"http://x","date":"2021","tag":["tender"]}],"compiledRelease":` + one + `}`), 1},
		{"versioned.json", []byte(`{"ocid":"o-1","tender":{"title":[{"releaseID":"1","releaseDate":"2021-01-01","releaseTag":["tender"],"value":"A"},{"releaseID":"2","releaseDate":"2021-02-01","releaseTag":["tender"],"value":"B"}]}}`), 1},
		{"latin1.json", []byte("{\"ocid\":\"o-1\",\"id\":\"1\",\"date\":\"2021-01-01\",\"tag\":[\"tender\"],\"tender\":{\"title\":\"Adquisici\xf3n\"}}"), 1},
		{"empty.json", nil, 0},
	} {
		rels, probs, _ := readAll(t, c.b, c.name)
		if len(rels) != c.want {
			t.Errorf("%s: %d releases, want %d (%v)", c.name, len(rels), c.want, probs)
		}
		switch c.name {
		case "versioned.json":
			if rels[0].Kind != KindVersioned || getPath(rels[0].Data, "tender", "title") != "B" {
				t.Errorf("versioned: %+v", rels[0].Data)
			}
		case "latin1.json":
			if getPath(rels[0].Data, "tender", "title") != "Adquisición" || len(probs) != 1 {
				t.Errorf("latin1: %v %v", rels[0].Data, probs)
			}
		case "lines.zip":
			if len(probs) != 1 || probs[0].File != "lines.zip!data/releases.jsonl" || probs[0].Value != 1 {
				t.Errorf("jsonl problems: %+v", probs)
			}
		case "empty.json":
			if len(probs) != 1 || probs[0].Message != "the file is empty" {
				t.Errorf("empty: %v", probs)
			}
		}
	}
}

func TestEncodingPair(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "datasets", "ocds-ocdskit-realdata-fixtures")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("fixtures absent")
	}
	read := func(name string) []byte {
		var out []any
		_, err := ReadFile(filepath.Join(dir, name), func(r *Release) error { out = append(out, r.Data); return nil }, func(Problem) {})
		if err != nil {
			t.Fatal(err)
		}
		// Numbers as float64: the two files also differ in how they write
		// numbers ("0.00" against "0.0"); only the text matters here.
		b, _ := json.Marshal(out)
		var v any
		json.Unmarshal(b, &v)
		b, _ = json.Marshal(v)
		return b
	}
	a, b := read("release-package_encoding-iso-8859-1.json"), read("release-package_encoding-utf-8.json")
	if !bytes.Equal(a, b) {
		t.Error("the ISO-8859-1 and UTF-8 files read differently")
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"ACME LTD.":                 "acme",
		"Acme Limited":              "acme",
		"The Acme Co., Ltd":         "acme",
		"Constructora S.A. de C.V.": "constructora",
		"EMPORIO FERRETERIA S.R.L.": "emporio ferreteria",
		"Müller GmbH":               "muller",
		"مؤسسة النور للتجارة ش.م.م": "موسسه النور للتجاره",
		"موسسه النور للتجاره":       "موسسه النور للتجاره",
		"شركة الأمل ذ.م.م":          "شركه الامل",
		"Limited":                   "limited",
		"1110978 Ontario Inc.":      "1110978 ontario",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
	r := NewResolver()
	r.Observe("Acme Ltd", Identifier{"GB-COH", "123"})
	r.Observe("Acme Limited", Identifier{"GB-COH", "123"})
	r.Observe("Beta", Identifier{"GB-COH", "1"})
	r.Observe("Beta", Identifier{"GB-COH", "2"})
	for _, c := range []struct {
		name string
		id   Identifier
		want string
	}{
		{"ACME", Identifier{}, "id:GB-COH:123"},                    // one identifier carries the name
		{"Beta Ltd", Identifier{}, "name:beta"},                    // two do: ambiguous, by name
		{"Acme Ltd", Identifier{"GB-COH", "999"}, "id:GB-COH:999"}, // identifiers win
		{"Gamma", Identifier{ID: "77"}, "name:gamma"},              // no scheme: no identifier
	} {
		if got := r.Key(c.name, c.id); got != c.want {
			t.Errorf("Key(%q, %v) = %q, want %q", c.name, c.id, got, c.want)
		}
	}
}

func TestMergeRules(t *testing.T) {
	dec := func(s string) map[string]any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := dec(`{"ocid":"o","id":"1","date":"2020","tag":["tender"],"awards":[{"id":"1","status":"pending"},{"id":"2"}],"tender":{"items":[{"description":"x"}],"title":"T"}}`)
	b := dec(`{"ocid":"o","id":"2","date":"2021","tag":["award"],"awards":[{"id":1,"status":"active"},{"id":"3","status":"first"},{"id":"3","status":"last"}],"tender":{"items":[{"description":"y"}]},"contracts":[]}`)
	c, probs := Merge([]map[string]any{a, b})
	got, _ := json.Marshal(c)
	want := `{"awards":[{"id":1,"status":"active"},{"id":"2"},{"id":"3","status":"last"}],"contracts":[],"date":"2021","id":"o-2021","ocid":"o","tag":["compiled"],"tender":{"items":[{"description":"y"}],"title":"T"}}`
	if string(got) != want {
		t.Errorf("merge:\n got %s\nwant %s", got, want)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].Message, `"3"`) {
		t.Errorf("problems: %v", probs)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(pkg))
	f.Add([]byte(`{"records":[{"ocid":"a","compiledRelease":{"ocid":"a","tag":"x"}}]}`))
	f.Add([]byte("[{\"ocid\":1}]\n{\"releaseTag\":\"contractAmendment\",\"ocid\":\"PW\",\"contracts\":[{\"id\":{\"name\":\"c\"},\"contractValue\":{\"amount\":\"12\"},\"isAmendment\":\"1\"}]}"))
	f.Add([]byte("\x1f\x8b"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var rels []*Release
		_, err := Read(bytes.NewReader(b), "f.json", func(r *Release) error { rels = append(rels, r); return nil }, func(p Problem) {
			if p.File == "" || p.Message == "" {
				t.Fatalf("problem without file or message: %+v", p)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		byOCID := map[string][]*Release{}
		for _, r := range rels {
			if r.OCID == "" {
				t.Fatal("release without ocid")
			}
			byOCID[r.OCID] = append(byOCID[r.OCID], r)
		}
		for o, rs := range byOCID {
			p, _ := Extract(Compile(o, rs), nil)
			if p.OCID != o {
				t.Fatal("ocid lost")
			}
		}
	})
}

func FuzzMerge(f *testing.F) {
	f.Add(`{"ocid":"o","date":"2020","awards":[{"id":"1","value":{"amount":1}}],"x":null}`, `{"ocid":"o","date":"2021","awards":[{"id":"1","value":{"amount":2}},{"id":"2"}]}`)
	f.Add(`{"a":[1,2],"b":{"c":[{"id":null}]}}`, `{"a":[],"b":{"c":[{"id":"1"},{"id":"1"}]}}`)
	f.Fuzz(func(t *testing.T, x, y string) {
		var a, b map[string]any
		if json.Unmarshal([]byte(x), &a) != nil || json.Unmarshal([]byte(y), &b) != nil || a == nil || b == nil {
			return
		}
		one, _ := Merge([]map[string]any{a, b})
		// Merging is idempotent: applying the last release again changes nothing
		// (checked when the releases raise no problem).
		two, probs := Merge([]map[string]any{a, b, b})
		if len(probs) == 0 {
			j1, _ := json.Marshal(one)
			j2, _ := json.Marshal(two)
			if !bytes.Equal(j1, j2) {
				t.Fatalf("not idempotent:\n%s\n%s", j1, j2)
			}
		}
		// The inputs are not modified.
		ja, _ := json.Marshal(a)
		var a2 map[string]any
		json.Unmarshal([]byte(x), &a2)
		jb, _ := json.Marshal(a2)
		if !bytes.Equal(ja, jb) {
			t.Fatal("Merge modified its input")
		}
	})
}
