package contracts

import (
	"context"
	"testing"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/internal/shareddata"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
)

// datasetDir returns a folder of the shared datasets, skipping the test
// when it is absent.
func datasetDir(t testing.TB, name string) string { return shareddata.Dir(t, name) }

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
