package contracts

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
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

func ingest(t testing.TB, db *store.DB, id string, paths ...string) *Summary {
	t.Helper()
	s, err := Ingest(context.Background(), db, paths, Options{Dataset: mizan.Dataset{ID: id, Title: mizan.Text{"en": id}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type storeDB = store.DB

func ocdsTokens(s string) []string { return textnorm.Tokens(s) }
