package contracts

// The real-data store the search tests share: the Canadian contracts and
// the Manchester payments, ingested once per test binary (the Canadian
// ingest alone takes minutes under -race).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mizan-budget/mizan"
	budget "github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/store"
)

// Dataset ids of the shared store.
const (
	canadaID     = "canada"
	manchesterID = "manchester-spending"
)

type sharedStore struct {
	db     *store.DB
	dir    string
	canada *Summary
	svc    *Service
	err    error
	skip   string
}

var (
	sharedOnce sync.Once
	shared     *sharedStore
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if shared.db != nil {
			shared.db.Close()
		}
		if shared.dir != "" {
			os.RemoveAll(shared.dir)
		}
	}
	os.Exit(code)
}

// realStore returns the shared store, ingesting it on first use, or skips
// the test when the shared datasets are absent.
func realStore(t *testing.T) *sharedStore {
	t.Helper()
	if testing.Short() {
		t.Skip("large")
	}
	canada := datasetDir(t, "ocds-canada-buyandsell-2014")
	manchester := datasetDir(t, "uk-manchester-spending-500")
	sharedOnce.Do(func() { shared = ingestShared(canada, manchester) })
	if shared.skip != "" {
		t.Skip(shared.skip)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared
}

func ingestShared(canada, manchester string) *sharedStore {
	s := &sharedStore{}
	ctx := context.Background()
	var err error
	if s.dir, err = os.MkdirTemp("", "mizan-contracts-"); err != nil {
		s.err = err
		return s
	}
	if s.db, err = store.Open(ctx, store.Options{Dir: s.dir, Threads: 2}); err != nil {
		s.err = err
		return s
	}
	if s.canada, err = Ingest(ctx, s.db, []string{canada}, Options{Dataset: mizan.Dataset{ID: canadaID, Title: mizan.Text{"en": "Canada"}}}); err != nil {
		s.err = fmt.Errorf("ingest Canada: %w", err)
		return s
	}
	d, err := budget.Load(filepath.Join("..", "datasets", manchesterID+".yaml"))
	if err != nil {
		s.err = err
		return s
	}
	if _, err := budget.Ingest(ctx, s.db, d, budget.Options{From: manchester}); err != nil {
		s.err = fmt.Errorf("ingest Manchester: %w", err)
		return s
	}
	s.svc = NewService(s.db, ServiceOptions{})
	return s
}
