package contracts

import (
	"context"
	"testing"
)

// A search over every dataset keeps every index it spans, even beyond
// MaxIndexes: evicting one it needs again would rebuild them all each time.
func TestIndexCacheKeepsWhatSearchesSpan(t *testing.T) {
	db := openDB(t)
	for _, id := range []string{"first", "second", "third"} {
		ingest(t, db, id, "testdata/arabic.json")
	}
	svc := NewService(db, ServiceOptions{MaxIndexes: 1})
	for range 2 {
		res, err := svc.Search(context.Background(), SearchQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Versions) != 3 {
			t.Fatalf("searched %v, want three datasets", res.Versions)
		}
	}
	svc.mu.Lock()
	kept := len(svc.ix)
	svc.mu.Unlock()
	if kept != 3 {
		t.Errorf("%d indexes kept after searches spanning 3 datasets with MaxIndexes 1, want 3", kept)
	}
}
