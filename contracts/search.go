package contracts

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest/parse"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
)

// MaxPageSize caps one page of search hits.
const MaxPageSize = 500

// DefaultPageSize is the page size when a query names none.
const DefaultPageSize = 20

// Record kinds of search hits and evidence.
const (
	KindProcess = "process" // a contracting process (one ocid)
	KindPayment = "payment" // one payment of a payments dataset
)

// VersionRef names a dataset version; Version 0 means the latest visible.
type VersionRef struct {
	Dataset string
	Version int
}

// SearchQuery asks for processes and payments of one or more dataset
// versions.
type SearchQuery struct {
	// Datasets to search; empty means the latest visible version of every
	// contracts and payments dataset.
	Datasets      []VersionRef
	IncludeDrafts bool
	// Text is matched word by word, after folding (case, accents, Arabic
	// letter forms: "موسسه" finds "مؤسسة"): every word must start a word
	// of a title, description, item description, buyer or supplier name
	// (payments: supplier, payer and attribute labels) or the ocid.
	Text string
	// Filters: a record matches when it matches every filter given.
	Buyers     []string // entity ids
	Suppliers  []string // entity ids
	Methods    []string // procurement methods ("open", "limited", ...; "" for none)
	Currencies []string
	// MinAmount and MaxAmount bound the amount, inclusive, compared
	// exactly (decimal strings).
	MinAmount, MaxAmount string
	// DateFrom and DateTo bound the date, inclusive (YYYY-MM-DD).
	DateFrom, DateTo string
	// Flags keeps records raising at least one of these red flag codes.
	Flags []string
	// Competitive keeps competitive (true) or non-competitive (false) processes.
	Competitive *bool
	// Kinds keeps these kinds of record (KindProcess, KindPayment); empty
	// keeps both.
	Kinds []string
	// Budgets keeps processes whose planning.budget id or project id is
	// one of these (compared after trimming spaces); payments never match.
	Budgets []string
	// Sort is "amount" (the default) or "date"; largest or latest first
	// unless Ascending. Unknown amounts and dates come last either way.
	Sort      string
	Ascending bool
	PageSize  int
	Offset    int
}

// PartyRef is a resolved party and the name shown for it.
type PartyRef struct {
	Entity string `json:"entity"`
	Name   string `json:"name"`
}

// Source says where in the published sources a record came from.
type Source struct {
	File    string `json:"file"`
	SHA256  string `json:"sha256"`
	Pointer string `json:"pointer,omitempty"` // OCDS: JSON pointer
	Value   int    `json:"value,omitempty"`   // OCDS: top-level JSON value
	Row     int64  `json:"row,omitempty"`     // tabular: 1-based row
}

// Hit is one process or payment found.
type Hit struct {
	Kind          string     `json:"kind"`
	Dataset       string     `json:"dataset"`
	Version       int        `json:"version"`
	RecordID      int64      `json:"record_id"` // process id, or facts row of a payment
	OCID          string     `json:"ocid,omitempty"`
	Title         string     `json:"title"`
	Buyer         PartyRef   `json:"buyer"`
	Suppliers     []PartyRef `json:"suppliers,omitempty"`
	Method        string     `json:"method,omitempty"`
	MethodDetails string     `json:"method_details,omitempty"`
	Date          string     `json:"date,omitempty"`
	Year          int        `json:"year,omitempty"`
	Amount        string     `json:"amount,omitempty"`
	Currency      string     `json:"currency,omitempty"`
	Awards        int        `json:"awards"`
	Contracts     int        `json:"contracts"`
	Tenderers     int        `json:"tenderers"` // -1 unknown
	// Competitive is nil when the method is unknown.
	Competitive *bool             `json:"competitive,omitempty"`
	Flags       []string          `json:"flags,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	Source      Source            `json:"source"`
}

// FacetValue is one value of a facet with the number of matching records.
type FacetValue struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Facet counts the matching records by one field.
type Facet struct {
	Name   string       `json:"name"`
	Values []FacetValue `json:"values"`
}

// Facet names, in the order a result lists them. "budget" counts the
// budget lines processes cite: the lines asked for when the search keeps
// some (each line its own count), else the ten most cited.
var FacetNames = []string{"kind", "dataset", "method", "year", "currency", "buyer", "supplier", "flag", "budget"}

// SearchResult is a page of hits, the total and facets over every match.
type SearchResult struct {
	Hits   []Hit   `json:"hits"`
	Total  int     `json:"total"`
	Facets []Facet `json:"facets"`
	// Versions are the dataset versions searched, pinned.
	Versions   []VersionRef  `json:"versions"`
	NextOffset int           `json:"next_offset"`
	Took       time.Duration `json:"took_ns"`
}

// Facet returns the facet of that name, or nil.
func (r *SearchResult) Facet(name string) []FacetValue {
	for _, f := range r.Facets {
		if f.Name == name {
			return f.Values
		}
	}
	return nil
}

// ServiceOptions configure a Service.
type ServiceOptions struct {
	// Flags gives the red flags of each record; nil leaves search results
	// without flags (and a flags filter matches nothing).
	Flags FlagSource
	// MaxIndexes bounds the versions whose search index is kept in memory;
	// 0 means DefaultMaxIndexes. It never goes below one more than the
	// contracts and payments datasets a search without datasets spans.
	MaxIndexes int
}

// Service answers contract and payment questions from a store.
type Service struct {
	db         *store.DB
	flags      FlagSource
	maxIndexes int
	// nLatest is how many latest versions the last unrestricted search
	// spanned: eviction never goes below it, or such a search would evict
	// an index it needs again and rebuild every index every time.
	nLatest int
	mu      sync.Mutex
	ix      map[string]*cacheEntry // "dataset/version"
	clock   int64
}

// NewService returns a Service over db.
func NewService(db *store.DB, opts ServiceOptions) *Service {
	return &Service{db: db, flags: opts.Flags, maxIndexes: cmp.Or(opts.MaxIndexes, DefaultMaxIndexes), ix: map[string]*cacheEntry{}}
}

// resolveKind resolves a version of a dataset of one of the given kinds.
func (s *Service) resolveKind(ctx context.Context, ds string, version int, drafts bool, field string, kinds ...mizan.Kind) (*mizan.Dataset, mizan.Version, error) {
	if ds == "" {
		return nil, mizan.Version{}, mizan.FieldErrorf(field, "required")
	}
	if version < 0 {
		return nil, mizan.Version{}, mizan.FieldErrorf(field, "version must be 0 (latest) or a version number, got %d", version)
	}
	d, v, err := s.db.ResolveVersion(ctx, ds, version, drafts)
	if err != nil {
		var me *mizan.Error
		if errors.As(err, &me) && me.Field != field {
			return nil, v, &mizan.Error{Code: me.Code, Field: field, Message: me.Message}
		}
		return nil, v, err
	}
	if !slices.Contains(kinds, d.Kind) {
		want := make([]string, len(kinds))
		for i, k := range kinds {
			want[i] = string(k)
		}
		return nil, v, &mizan.Error{Code: mizan.ECONFLICT, Field: field, Message: fmt.Sprintf("%s is a %s dataset, not %s", ds, d.Kind, strings.Join(want, " or "))}
	}
	return d, v, nil
}

// bound is a parsed amount bound.
type bound struct {
	set bool
	f   float64
	d   parse.Decimal
}

func parseBound(s, field string) (bound, error) {
	if s == "" {
		return bound{}, nil
	}
	d, err := parse.ParseAmount(strings.TrimSpace(s), parse.NumberFormat{DecimalSep: '.', GroupSep: ','})
	if err != nil {
		return bound{}, mizan.FieldErrorf(field, "%q is not an amount (a decimal such as 1000.50)", s)
	}
	f, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		return bound{}, mizan.FieldErrorf(field, "%q is not an amount", s)
	}
	return bound{set: true, f: f, d: d}, nil
}

// cmpAmount compares record r's amount with b: by float when they are far
// apart, exactly (decimals) when the floats are too close to tell.
func (ix *index) cmpAmount(r int32, b bound) int {
	a := ix.amount[r]
	if diff := a - b.f; math.Abs(diff) > 1e-9*math.Max(1, math.Abs(b.f)) {
		if diff < 0 {
			return -1
		}
		return 1
	}
	d, err := parse.ParseAmount(ix.amountString(r), parse.NumberFormat{DecimalSep: '.', GroupSep: ','})
	if err != nil {
		return cmp.Compare(a, b.f)
	}
	return d.Cmp(b.d)
}

func parseDay(s, field string) (int32, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, false, mizan.FieldErrorf(field, "%q is not a date (YYYY-MM-DD)", s)
	}
	return int32(t.Unix() / 86400), true, nil
}

// filter is a query's filters, validated once.
type filter struct {
	buyers, suppliers, methods, currencies, flags map[string]bool
	min, max                                      bound
	from, to                                      int32
	hasFrom, hasTo                                bool
	competitive                                   *bool
	kinds, budgets                                map[string]bool
}

// trimAll returns vals with surrounding spaces removed, dropping empty ones.
func trimAll(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func set(vals []string) map[string]bool {
	if len(vals) == 0 {
		return nil
	}
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

func newFilter(q *SearchQuery) (*filter, error) {
	f := &filter{buyers: set(q.Buyers), suppliers: set(q.Suppliers), methods: set(q.Methods), currencies: set(q.Currencies),
		flags: set(q.Flags), competitive: q.Competitive, kinds: set(q.Kinds), budgets: set(trimAll(q.Budgets))}
	var err error
	if f.min, err = parseBound(q.MinAmount, "min_amount"); err != nil {
		return nil, err
	}
	if f.max, err = parseBound(q.MaxAmount, "max_amount"); err != nil {
		return nil, err
	}
	if f.min.set && f.max.set && f.min.d.Cmp(f.max.d) > 0 {
		return nil, mizan.FieldErrorf("max_amount", "%s is below min_amount %s", q.MaxAmount, q.MinAmount)
	}
	if f.from, f.hasFrom, err = parseDay(q.DateFrom, "date_from"); err != nil {
		return nil, err
	}
	if f.to, f.hasTo, err = parseDay(q.DateTo, "date_to"); err != nil {
		return nil, err
	}
	if f.hasFrom && f.hasTo && f.from > f.to {
		return nil, mizan.FieldErrorf("date_to", "%s is before date_from %s", q.DateTo, q.DateFrom)
	}
	if len(q.Budgets) > 0 && f.budgets == nil {
		return nil, mizan.FieldErrorf("budget_ids", "budget line ids must not be blank")
	}
	for k := range f.kinds {
		if k != KindProcess && k != KindPayment {
			return nil, mizan.FieldErrorf("kinds", "%q: process or payment", k)
		}
	}
	return f, nil
}

// ids maps a set of strings to the index's interned ids (nil: no filter).
func (ix *index) ids(m map[string]bool) []bool {
	if m == nil {
		return nil
	}
	out := make([]bool, len(ix.strs))
	for k := range m {
		if id, ok := ix.strID[k]; ok {
			out[id] = true
		}
	}
	return out
}

// kindOf is the record kind of the index's records.
func (ix *index) kindOf() string {
	if ix.kind == mizan.KindPayments {
		return KindPayment
	}
	return KindProcess
}

// matches returns the records of ix that match words and f, in order.
func (ix *index) matches(words []string, f *filter) []int32 {
	if f.kinds != nil && !f.kinds[ix.kindOf()] {
		return nil
	}
	// Filters that a payments index cannot match.
	if ix.pay != nil && (f.competitive != nil || f.methods != nil && !f.methods[""] || f.budgets != nil) {
		return nil
	}
	if ix.flagOff == nil && f.flags != nil {
		return nil
	}
	var cand []int32
	all := len(words) == 0
	if !all {
		cand = ix.match(words)
	}
	buyers, supps, methods, curs, flags, budgets := ix.ids(f.buyers), ix.ids(f.suppliers), ix.ids(f.methods), ix.ids(f.currencies), ix.ids(f.flags), ix.ids(f.budgets)
	keep := func(p int32) bool {
		if buyers != nil && !buyers[ix.buyer[p]] || methods != nil && !methods[ix.method[p]] || curs != nil && !curs[ix.currency[p]] {
			return false
		}
		if f.hasFrom && (ix.date[p] == noDate || ix.date[p] < f.from) || f.hasTo && (ix.date[p] == noDate || ix.date[p] > f.to) {
			return false
		}
		if f.min.set && (math.IsNaN(ix.amount[p]) || ix.cmpAmount(p, f.min) < 0) || f.max.set && (math.IsNaN(ix.amount[p]) || ix.cmpAmount(p, f.max) > 0) {
			return false
		}
		if f.competitive != nil {
			want := int8(0)
			if *f.competitive {
				want = 1
			}
			if ix.compet[p] != want {
				return false
			}
		}
		if supps != nil && !anyIn(ix.suppliers(p), supps) || flags != nil && !anyIn(ix.flagsOf(p), flags) ||
			budgets != nil && !anyIn(ix.budgets(p), budgets) {
			return false
		}
		return true
	}
	var out []int32
	if all {
		for p := range int32(ix.n) {
			if keep(p) {
				out = append(out, p)
			}
		}
		return out
	}
	out = cand[:0:0]
	for _, p := range cand {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}

func anyIn(vals []int32, m []bool) bool {
	for _, v := range vals {
		if m[v] {
			return true
		}
	}
	return false
}

// match returns the sorted records whose words start with every query word.
func (ix *index) match(words []string) []int32 {
	var acc []int32
	for i, w := range words {
		lo := sort.SearchStrings(ix.tokens, w)
		var lists [][]int32
		for j := lo; j < len(ix.tokens) && strings.HasPrefix(ix.tokens[j], w); j++ {
			lists = append(lists, ix.postings[j])
		}
		set := unionAll(lists)
		if i == 0 {
			acc = set
		} else {
			acc = intersect(acc, set)
		}
		if len(acc) == 0 {
			return nil
		}
	}
	return acc
}

// unionAll merges sorted lists into one sorted list without duplicates.
func unionAll(lists [][]int32) []int32 {
	switch len(lists) {
	case 0:
		return nil
	case 1:
		return lists[0]
	}
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	if len(lists) > 16 {
		out := make([]int32, 0, n)
		for _, l := range lists {
			out = append(out, l...)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	out := lists[0]
	for _, l := range lists[1:] {
		out = union(out, l)
	}
	return out
}

func union(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func intersect(a, b []int32) []int32 {
	out := a[:0:0]
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// resolveAll returns the versions a query searches, in a stable order (by
// dataset id as listed, duplicates dropped).
func (s *Service) resolveAll(ctx context.Context, q *SearchQuery) ([]resolved, error) {
	if len(q.Datasets) == 0 {
		return s.latest(ctx, q.IncludeDrafts)
	}
	var out []resolved
	seen := map[string]bool{}
	for _, r := range q.Datasets {
		d, v, err := s.resolveKind(ctx, r.Dataset, r.Version, q.IncludeDrafts, "datasets", mizan.KindContracts, mizan.KindPayments)
		if err != nil {
			return nil, err
		}
		k := d.ID + "/" + strconv.Itoa(v.Number)
		if !seen[k] {
			seen[k] = true
			out = append(out, resolved{d, v})
		}
	}
	return out, nil
}

// ref is one match: an index (of the query's) and a record of it.
type ref struct {
	key float64 // sort key; NaN last
	ix  int32
	rec int32
}

// Search finds processes and payments: full-text, filtered, faceted,
// sorted and paged across every version asked for.
func (s *Service) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	start := time.Now()
	if q.PageSize == 0 {
		q.PageSize = DefaultPageSize
	}
	if q.PageSize < 0 || q.PageSize > MaxPageSize {
		return nil, mizan.FieldErrorf("page_size", "must be between 0 and %d, got %d", MaxPageSize, q.PageSize)
	}
	if q.Offset < 0 {
		return nil, mizan.FieldErrorf("page_token", "offset must not be negative")
	}
	m, err := s.match(ctx, &q)
	if err != nil {
		return nil, err
	}
	ixs, per, f := m.ixs, m.per, m.filter
	res := &SearchResult{Versions: m.versions, Total: m.total}
	res.Facets = facets(ixs, per, f)
	page := selectPage(ixs, per, q.Sort, q.Ascending, q.Offset, q.PageSize)
	if end := q.Offset + len(page); end < res.Total {
		res.NextOffset = end
	}
	res.Hits = make([]Hit, 0, len(page))
	for _, r := range page {
		res.Hits = append(res.Hits, ixs[r.ix].hit(r.rec))
	}
	res.Took = time.Since(start)
	return res, nil
}

// matched is what a search found: per index searched, its matching
// records in order.
type matched struct {
	ixs      []*index
	per      [][]int32
	versions []VersionRef
	total    int
	filter   *filter
}

// match validates q's sort and filters and finds its records in every
// version it searches.
func (s *Service) match(ctx context.Context, q *SearchQuery) (*matched, error) {
	switch q.Sort {
	case "", "amount", "date":
	default:
		return nil, mizan.FieldErrorf("sort", "%q: sort by amount or date", q.Sort)
	}
	f, err := newFilter(q)
	if err != nil {
		return nil, err
	}
	vs, err := s.resolveAll(ctx, q)
	if err != nil {
		return nil, err
	}
	ixs := make([]*index, len(vs))
	m := &matched{filter: f}
	for i, r := range vs {
		if ixs[i], err = s.index(ctx, r.d, r.v); err != nil {
			return nil, err
		}
		m.versions = append(m.versions, VersionRef{Dataset: r.d.ID, Version: r.v.Number})
	}
	words := textnorm.Tokens(q.Text)
	per := make([][]int32, len(ixs))
	for i, ix := range ixs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		per[i] = ix.matches(words, f)
		m.total += len(per[i])
	}
	m.ixs, m.per = ixs, per
	return m, nil
}

// selectPage returns the matches at [offset, offset+size) in sort order:
// by the key (amount or date), unknown keys last, then by index and record
// so that the order is total and pages never overlap.
func selectPage(ixs []*index, per [][]int32, sortKey string, asc bool, offset, size int) []ref {
	total := 0
	for _, p := range per {
		total += len(p)
	}
	if offset >= total {
		return nil
	}
	keyOf := func(ix *index, r int32) float64 {
		var k float64
		if sortKey == "date" {
			if ix.date[r] == noDate {
				return math.NaN()
			}
			k = float64(ix.date[r])
		} else {
			k = ix.amount[r]
		}
		if !asc {
			k = -k
		}
		return k
	}
	want := offset + size
	if want*4 < total {
		// Partial selection: a bounded max-heap of the want smallest.
		h := &refHeap{}
		for i, p := range per {
			ix := ixs[i]
			for _, r := range p {
				x := ref{key: keyOf(ix, r), ix: int32(i), rec: r}
				if h.Len() < want {
					heap.Push(h, x)
				} else if refLess(x, h.s[0]) {
					h.s[0] = x
					heap.Fix(h, 0)
				}
			}
		}
		out := h.s
		slices.SortFunc(out, refCmp)
		return out[offset:min(want, len(out))]
	}
	all := make([]ref, 0, total)
	for i, p := range per {
		ix := ixs[i]
		for _, r := range p {
			all = append(all, ref{key: keyOf(ix, r), ix: int32(i), rec: r})
		}
	}
	slices.SortFunc(all, refCmp)
	return all[offset:min(want, len(all))]
}

func refCmp(a, b ref) int {
	an, bn := math.IsNaN(a.key), math.IsNaN(b.key)
	switch {
	case an && !bn:
		return 1
	case bn && !an:
		return -1
	case !an && a.key != b.key:
		return cmp.Compare(a.key, b.key)
	}
	if a.ix != b.ix {
		return cmp.Compare(a.ix, b.ix)
	}
	return cmp.Compare(a.rec, b.rec)
}

func refLess(a, b ref) bool { return refCmp(a, b) < 0 }

// refHeap is a max-heap (the worst kept match on top).
type refHeap struct{ s []ref }

func (h *refHeap) Len() int           { return len(h.s) }
func (h *refHeap) Less(i, j int) bool { return refLess(h.s[j], h.s[i]) }
func (h *refHeap) Swap(i, j int)      { h.s[i], h.s[j] = h.s[j], h.s[i] }
func (h *refHeap) Push(x any)         { h.s = append(h.s, x.(ref)) }
func (h *refHeap) Pop() any {
	x := h.s[len(h.s)-1]
	h.s = h.s[:len(h.s)-1]
	return x
}

// facets counts every match by kind, dataset, method, year, currency,
// buyer, supplier (top 10) and flag, across the indexes.
func facets(ixs []*index, per [][]int32, f *filter) []Facet {
	type acc struct {
		counts map[string]int
		labels map[string]string
	}
	accs := map[string]*acc{}
	for _, n := range FacetNames {
		accs[n] = &acc{counts: map[string]int{}, labels: map[string]string{}}
	}
	add := func(name, key, label string, n int) {
		if n == 0 {
			return
		}
		a := accs[name]
		a.counts[key] += n
		if _, ok := a.labels[key]; !ok {
			a.labels[key] = label
		}
	}
	for i, ix := range ixs {
		hits := per[i]
		add("kind", ix.kindOf(), ix.kindOf(), len(hits))
		add("dataset", ix.ds, ix.title, len(hits))
		counts := func(name string, get func(int32) []int32, label func(int32) string) {
			c := make([]int, len(ix.strs))
			for _, p := range hits {
				for _, v := range get(p) {
					c[v]++
				}
			}
			for v, n := range c {
				if n > 0 {
					add(name, ix.strs[v], label(int32(v)), n)
				}
			}
		}
		one := func(col []int32) func(int32) []int32 {
			var buf [1]int32
			return func(p int32) []int32 { buf[0] = col[p]; return buf[:] }
		}
		plain := func(k int32) string { return ix.strs[k] }
		if ix.pay == nil {
			counts("method", one(ix.method), plain)
		}
		counts("currency", one(ix.currency), plain)
		counts("buyer", one(ix.buyer), ix.name)
		counts("supplier", ix.suppliers, ix.name)
		if ix.flagOff != nil {
			counts("flag", ix.flagsOf, plain)
		}
		if ix.budOff != nil {
			counts("budget", ix.budgets, plain)
		}
		years := map[int32]int{}
		for _, p := range hits {
			years[ix.year[p]]++
		}
		for y, n := range years {
			k := ""
			if y > 0 {
				k = strconv.Itoa(int(y))
			}
			add("year", k, k, n)
		}
	}
	out := make([]Facet, 0, len(FacetNames))
	for _, name := range FacetNames {
		a := accs[name]
		vals := make([]FacetValue, 0, len(a.counts))
		for k, n := range a.counts {
			vals = append(vals, FacetValue{Key: k, Label: a.labels[k], Count: n})
		}
		if name == "year" {
			sort.Slice(vals, func(i, j int) bool { return vals[i].Key < vals[j].Key })
		} else {
			sort.Slice(vals, func(i, j int) bool {
				if vals[i].Count != vals[j].Count {
					return vals[i].Count > vals[j].Count
				}
				return vals[i].Key < vals[j].Key
			})
		}
		if name == "budget" && f.budgets != nil {
			// The lines asked for: a process citing another line too
			// counts for that one, which was not asked about.
			vals = slices.DeleteFunc(vals, func(v FacetValue) bool { return !f.budgets[v.Key] })
		} else if (name == "buyer" || name == "supplier" || name == "budget") && len(vals) > 10 {
			vals = vals[:10]
		}
		out = append(out, Facet{Name: name, Values: vals})
	}
	return out
}

// hit returns what a page shows of record r.
func (ix *index) hit(r int32) Hit {
	h := Hit{Kind: ix.kindOf(), Dataset: ix.ds, Version: ix.version, RecordID: ix.recID[r], Year: int(ix.year[r]),
		Currency: ix.strs[ix.currency[r]], Amount: ix.amountString(r), Method: ix.strs[ix.method[r]], Tenderers: -1}
	if b := ix.buyer[r]; b != 0 {
		h.Buyer = PartyRef{Entity: ix.strs[b], Name: ix.name(b)}
	}
	for _, e := range ix.suppliers(r) {
		h.Suppliers = append(h.Suppliers, PartyRef{Entity: ix.strs[e], Name: ix.name(e)})
	}
	for _, c := range ix.flagsOf(r) {
		h.Flags = append(h.Flags, ix.strs[c])
	}
	if ix.compet[r] >= 0 {
		c := ix.compet[r] == 1
		h.Competitive = &c
	}
	source := func(id int) {
		if id >= 1 && id <= len(ix.sources) {
			h.Source.File, h.Source.SHA256 = ix.sources[id-1].Name, ix.sources[id-1].SHA256
		}
	}
	if p := ix.pay; p != nil {
		h.Date = dayString(ix.date[r])
		h.Attributes = map[string]string{}
		var parts []string
		for i, c := range p.attrCols {
			if v := p.attrVals[i][r]; v >= 0 {
				h.Attributes[c] = p.labels[v]
			}
		}
		for _, c := range []string{"expense_type", "service_area"} {
			if a := h.Attributes[c]; a != "" {
				parts = append(parts, a)
			}
		}
		h.Title = strings.Join(parts, " — ")
		source(int(p.srcID[r]))
		h.Source.Row = p.srcRow[r]
		return h
	}
	pi := &ix.procs[r]
	h.OCID, h.Title, h.MethodDetails, h.Date = pi.ocid, pi.title, pi.details, pi.date
	h.Awards, h.Contracts, h.Tenderers = int(pi.awards), int(pi.contracts), int(pi.tenderers)
	source(int(pi.sourceID))
	h.Source.Value, h.Source.Pointer = int(pi.value), pi.pointer
	return h
}

// trimAmount drops the storage scale's trailing zeros down to two
// decimals ("2176.000000" → "2176.00").
func trimAmount(s, _ string) string {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return s
	}
	keep := 2
	for len(s) > i+1+keep && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s
}
