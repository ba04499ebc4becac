package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan/store"
)

// TestLevelMappingValueMapComposite covers a level's constant value, its
// key map and a composite code.
func TestLevelMappingValueMapComposite(t *testing.T) {
	dir := t.TempDir()
	csv := "Ramo,Ramo name,Unidad,Unidad name,Ministry,Amount\n" +
		"12,Salud,100,Oficina,Ministry of Infromation,10\n" +
		"12,Salud,200,Hospital,MINISTRY OF INFROMATION,20\n" +
		"13,Marina,100,Oficina,Ministry of Information,30\n" +
		"13,Marina,,Sin unidad,Ministry of Health,5\n"
	if err := os.WriteFile(filepath.Join(dir, "pef.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := Parse([]byte(`
id: level-features
title: {en: Level features}
currency: MXN
dimensions:
  - id: admin
    levels: [{id: ramo}, {id: unidad}]
  - id: ministry
    levels: [{id: ministry}]
  - id: type
    levels: [{id: type}]
labels:
  type.type:
    recurrent: {en: Recurrent, ar: متكررة}
sources:
  - name: pef.csv
    mapping:
      year: {value: "2016"}
      phase: {value: approved}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        admin:
          - {level: ramo, code: Ramo, label: Ramo name}
          - {level: unidad, code: [Ramo, Unidad], label: Unidad name}
        ministry:
          - level: ministry
            label: Ministry
            map: {"Ministry of Infromation": Ministry of Information}
        type: [{level: type, value: recurrent}]
`), dir)
	if err != nil {
		t.Fatal(err)
	}
	if lm := d.Sources[0].Mapping.Dimensions["admin"][1]; !cmp.Equal(lm.Codes, []string{"Ramo", "Unidad"}) || lm.Code != "" {
		t.Fatalf("composite code decoded as %q / %q", lm.Code, lm.Codes)
	}
	db := openDB(t, "")
	s := mustIngest(t, db, d, Options{})
	if s.RowsRejected != 0 || s.Facts != 4 {
		t.Fatalf("facts %d, rejected %d", s.Facts, s.RowsRejected)
	}
	facts := queryStrings(t, db.SQL, `SELECT admin__ramo, admin__unidad, ministry, "type", CAST(amount AS VARCHAR) FROM `+
		store.Quote(store.FactsTable(d.ID, s.Version))+` ORDER BY row_id`)
	want := [][]string{
		{"12", "12.100", "Ministry of Information", "recurrent", "10.00"},
		{"12", "12.200", "Ministry of Information", "recurrent", "20.00"},
		{"13", "13.100", "Ministry of Information", "recurrent", "30.00"},
		{"13", "NULL", "Ministry of Health", "recurrent", "5.00"},
	}
	if diff := cmp.Diff(want, facts); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	members := queryStrings(t, db.SQL, `SELECT dim, level, key, coalesce(parent, ''), coalesce(label_en, ''), coalesce(label_ar, '') FROM members ORDER BY dim, level, key`)
	wantMembers := [][]string{
		{"admin", "ramo", "12", "", "Salud", ""},
		{"admin", "ramo", "13", "", "Marina", ""},
		{"admin", "unidad", "12.100", "12", "Oficina", ""},
		{"admin", "unidad", "12.200", "12", "Hospital", ""},
		{"admin", "unidad", "13.100", "13", "Oficina", ""},
		{"ministry", "ministry", "Ministry of Health", "", "Ministry of Health", ""},
		{"ministry", "ministry", "Ministry of Information", "", "Ministry of Information", ""},
		{"type", "type", "recurrent", "", "Recurrent", "متكررة"},
	}
	if diff := cmp.Diff(wantMembers, members); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}

	// A single-column code is the same descriptor whichever way it is
	// written, and hashes as before.
	one, err := Parse([]byte(strings.Replace(levelDescriptor, "CODE", "code: Ramo", 1)), dir)
	if err != nil {
		t.Fatal(err)
	}
	list, err := Parse([]byte(strings.Replace(levelDescriptor, "CODE", "code: [Ramo]", 1)), dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(one)
	b, _ := json.Marshal(list)
	if string(a) != string(b) || strings.Contains(string(a), "codes") {
		t.Errorf("code: Ramo gives %s\ncode: [Ramo] gives %s", a, b)
	}
}

const levelDescriptor = `
id: level-one
title: {en: One}
currency: MXN
dimensions:
  - id: admin
    levels: [{id: ramo}]
sources:
  - name: pef.csv
    mapping:
      year: {value: "2016"}
      amount: {column: Amount}
      dimensions:
        admin: [{level: ramo, CODE}]
`

func TestLevelMappingErrors(t *testing.T) {
	for _, tc := range []struct{ mapping, want string }{
		{`{level: ramo, value: x, code: Ramo}`, "takes a constant value or columns"},
		{`{level: ramo, value: x, map: {a: b}}`, "takes a constant value or columns"},
		{`{level: ramo, code: [Ramo, ""]}`, "one is empty"},
		{`{level: ramo, code: [Ramo, Unidad], prefix: 2}`, "a prefix needs a single code column"},
		{`{level: ramo, colour: red, code: Ramo}`, `unknown field "colour" in a level mapping`},
		{`{level: ramo}`, "needs a code or a label column, or a value"},
	} {
		_, err := Parse([]byte(strings.Replace(levelDescriptor, "{level: ramo, CODE}", tc.mapping, 1)), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.mapping, err, tc.want)
		}
	}
}
