package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzTranslateDataPackage checks that no input makes the translator panic,
// and that whatever it accepts has valid, unique names.
func FuzzTranslateDataPackage(f *testing.F) {
	for _, tc := range fdpWant {
		if data, err := os.ReadFile(tc.path); err == nil {
			f.Add(data)
		}
	}
	for _, seed := range []string{
		`{}`, `[]`, `null`, `{"name": "tt", "resources": [{"path": "a.csv"}], "mapping": {"measures": {"a": {"source": "a"}}}}`,
		`{"name": "tt", "resources": [{"path": ["a.csv", "b.csv"], "schema": {"fields": [{"name": "v", "columnType": "value", "normalize": {"Y": 2020}}],
			"extraFields": [{"name": "Y", "columnType": "date:fiscal-year"}]}}]}`,
		`{"name": "tt", "resources": [{"path": "a.csv"}], "model": {"measures": {"m": {"source": "v"}},
			"dimensions": {"d": {"attributes": {"a": {"source": "a"}, "b": {"source": "b", "parent": "a"}, "c": {"source": "c", "labelfor": "b"}}, "primaryKey": ["a", "b"]}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := translateDataPackage(data, filepath.FromSlash("some/dir"))
		if err != nil {
			if d != nil {
				t.Fatalf("a descriptor and an error: %v", err)
			}
			return
		}
		checkFDPNames(t, d)
		if _, err := MarshalDescriptor(d); err != nil {
			t.Fatalf("MarshalDescriptor: %v", err)
		}
	})
}
