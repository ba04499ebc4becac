package flags

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"testing/fstest"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/store"
)

// datasetDir returns a folder of ../shared/datasets, skipping the test when
// it is absent.
func datasetDir(t testing.TB, name string) string {
	t.Helper()
	for _, base := range []string{os.Getenv("MIZAN_DATASETS"), "../../shared/datasets", "../shared/datasets"} {
		if base == "" {
			continue
		}
		p := filepath.Join(base, name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
	}
	t.Skipf("dataset %s not present", name)
	return ""
}

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ingestContracts stores OCDS files as a contracts dataset.
func ingestContracts(t testing.TB, db *store.DB, id string, paths ...string) {
	t.Helper()
	if _, err := contracts.Ingest(context.Background(), db, paths, contracts.Options{Dataset: mizan.Dataset{ID: id, Title: mizan.Text{"en": id}}}); err != nil {
		t.Fatal(err)
	}
}

// ingestDescriptor stores a descriptor (YAML text) whose sources are in fsys.
func ingestDescriptor(t testing.TB, db *store.DB, yaml string, fsys fstest.MapFS) {
	t.Helper()
	d, err := ingest.Parse([]byte(yaml), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Ingest(context.Background(), db, d, ingest.Options{FS: fsys}); err != nil {
		t.Fatal(err)
	}
}

// compute runs Compute on the latest version of a dataset.
func compute(t testing.TB, db *store.DB, id string, p Params) []Flag {
	t.Helper()
	ctx := context.Background()
	ds, v, err := db.ResolveVersion(ctx, id, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Compute(ctx, db.SQL, ds, v, p)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// byCode groups flags by code.
func byCode(fs []Flag) map[string][]Flag {
	out := map[string][]Flag{}
	for _, f := range fs {
		out[f.Code] = append(out[f.Code], f)
	}
	return out
}

// keys returns a sorted list of key(f) over flags.
func keys(fs []Flag, key func(Flag) string) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, key(f))
	}
	sort.Strings(out)
	return slices.Compact(out)
}
