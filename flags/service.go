package flags

import (
	"container/list"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// CacheSize bounds the computed flag sets a Service keeps: one per
// (dataset, version, parameters), least recently used dropped first.
const CacheSize = 16

// DefaultPageSize is the page size of List when the query gives none.
const DefaultPageSize = 100

// Service answers red-flag questions from a store, caching computed flags.
type Service struct {
	db *store.DB

	mu    sync.Mutex
	lru   *list.List // of *entry, most recent first
	byKey map[string]*list.Element
}

// entry is one cached computation; done is closed when flags or err is set,
// so concurrent callers of the same key wait for one computation.
type entry struct {
	key   string
	done  chan struct{}
	flags []Flag
	err   error
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, lru: list.New(), byKey: map[string]*list.Element{}}
}

// List returns a page of flags of a dataset version matching the query.
// The flags are shared with the cache: callers must not modify them.
func (s *Service) List(ctx context.Context, q Query) (*Result, error) {
	if q.PageSize == 0 {
		q.PageSize = DefaultPageSize
	}
	if q.PageSize < 0 || q.PageSize > mizan.MaxPageSize {
		return nil, mizan.FieldErrorf("page_size", "must be between 1 and %d, got %d", mizan.MaxPageSize, q.PageSize)
	}
	if q.Offset < 0 {
		return nil, mizan.FieldErrorf("offset", "must not be negative, got %d", q.Offset)
	}
	for _, c := range q.Codes {
		if _, ok := codeOrder[c]; !ok {
			return nil, mizan.FieldErrorf("codes", "unknown red flag %q (known: %v)", c, Codes)
		}
	}
	p := DefaultParams()
	if q.Params != nil {
		p = *q.Params
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ds, v, err := s.resolve(ctx, q.Dataset, q.Version, q.IncludeDrafts)
	if err != nil {
		return nil, err
	}
	all, err := s.flags(ctx, ds, v, p)
	if err != nil {
		return nil, err
	}
	res := &Result{Counts: map[string]int{}, Dataset: ds.ID, Version: v.Number}
	for i := range all {
		f := &all[i]
		if !anyOf(q.Buyers, f.Buyer) || !anyOf(q.Suppliers, f.Supplier) || q.Year != 0 && f.Year != q.Year ||
			len(q.Party) > 0 && !slices.Contains(q.Party, f.Buyer) && !slices.Contains(q.Party, f.Supplier) {
			continue
		}
		res.Counts[f.Code]++
		if len(q.Codes) > 0 && !slices.Contains(q.Codes, f.Code) {
			continue
		}
		if res.Total >= q.Offset && len(res.Flags) < q.PageSize {
			res.Flags = append(res.Flags, *f)
		}
		res.Total++
	}
	return res, nil
}

// anyOf reports whether keys is empty or holds k.
func anyOf(keys []string, k string) bool { return len(keys) == 0 || slices.Contains(keys, k) }

// ByRecord returns the flag codes per record (process_id for contracts, the
// fact row for payments) of a version, with the default parameters, for
// search filters and badges. version 0 is the latest published version; a
// version number may name a draft.
func (s *Service) ByRecord(ctx context.Context, dataset string, version int) (map[int64][]string, error) {
	ds, v, err := s.resolve(ctx, dataset, version, version != 0)
	if err != nil {
		return nil, err
	}
	all, err := s.flags(ctx, ds, v, DefaultParams())
	if err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, f := range all {
		for _, r := range f.Records {
			if cs := out[r]; len(cs) == 0 || cs[len(cs)-1] != f.Code { // flags come grouped by code
				out[r] = append(cs, f.Code)
			}
		}
	}
	return out, nil
}

func (s *Service) resolve(ctx context.Context, dataset string, version int, drafts bool) (*mizan.Dataset, mizan.Version, error) {
	ds, v, err := s.db.ResolveVersion(ctx, dataset, version, drafts)
	if err != nil {
		return nil, v, err
	}
	if ds.Kind != mizan.KindContracts && ds.Kind != mizan.KindPayments {
		return nil, v, &mizan.Error{Code: mizan.ECONFLICT, Field: "dataset",
			Message: fmt.Sprintf("%s is a %s dataset: red flags are computed for contracts and payments datasets", dataset, ds.Kind)}
	}
	return ds, v, nil
}

// flags returns the cached flags of (dataset, version, params), computing
// them once.
func (s *Service) flags(ctx context.Context, ds *mizan.Dataset, v mizan.Version, p Params) ([]Flag, error) {
	key := fmt.Sprintf("%s\x00%d\x00%s", ds.ID, v.Number, p.key())
	s.mu.Lock()
	if el, ok := s.byKey[key]; ok {
		s.lru.MoveToFront(el)
		e := el.Value.(*entry)
		s.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil {
			return nil, e.err
		}
		return e.flags, nil
	}
	e := &entry{key: key, done: make(chan struct{})}
	s.byKey[key] = s.lru.PushFront(e)
	for s.lru.Len() > CacheSize {
		old := s.lru.Back()
		s.lru.Remove(old)
		delete(s.byKey, old.Value.(*entry).key)
	}
	s.mu.Unlock()
	// Other callers may wait for this result: one caller's cancellation
	// must not become theirs.
	e.flags, e.err = Compute(context.WithoutCancel(ctx), s.db.SQL, ds, v, p)
	if e.err != nil {
		// Not cached: a cancelled or failed computation is retried next time.
		s.mu.Lock()
		if el, ok := s.byKey[key]; ok && el.Value == e {
			s.lru.Remove(el)
			delete(s.byKey, key)
		}
		s.mu.Unlock()
	}
	close(e.done)
	return e.flags, e.err
}
