package contracts

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
)

// MaxPageSize caps one page of search hits.
const MaxPageSize = 500

// SearchQuery asks for processes of a contracts dataset version.
type SearchQuery struct {
	Dataset       string
	Version       int // 0: latest visible
	IncludeDrafts bool
	// Text is matched word by word, after folding (case, accents, Arabic
	// letter forms: "موسسه" finds "مؤسسة"), against titles, descriptions,
	// item descriptions, buyer and supplier names and the ocid; every word
	// must match the start of an indexed word.
	Text string
	// Filters: a process matches when it matches every filter given.
	Buyers     []string // entity ids
	Suppliers  []string // entity ids
	Methods    []string // procurement methods ("open", "limited", ...; "" for none)
	Currencies []string
	YearFrom   int
	YearTo     int
	// MinAmount and MaxAmount bound the process amount (decimal strings).
	MinAmount, MaxAmount string
	// Competitive keeps competitive (true) or non-competitive (false) processes.
	Competitive *bool
	// Sort: "amount" (default, largest first), "date" (latest first),
	// "ocid"; a leading "-" reverses.
	Sort     string
	PageSize int
	Offset   int
}

// Hit is one process found.
type Hit struct {
	ProcessID      int      `json:"process_id"`
	OCID           string   `json:"ocid"`
	Title          string   `json:"title"`
	BuyerEntity    string   `json:"buyer_entity,omitempty"`
	BuyerName      string   `json:"buyer_name,omitempty"`
	Suppliers      []string `json:"suppliers,omitempty"` // names
	Method         string   `json:"method,omitempty"`
	MethodDetails  string   `json:"method_details,omitempty"`
	Year           int      `json:"year,omitempty"`
	Amount         string   `json:"amount,omitempty"`
	Currency       string   `json:"currency,omitempty"`
	Awards         int      `json:"awards"`
	Contracts      int      `json:"contracts"`
	SourceFile     string   `json:"source_file"`
	SourceSHA256   string   `json:"source_sha256"`
	SourceValue    int      `json:"source_value"`
	SourcePointer  string   `json:"source_pointer"`
	Tenderers      int      `json:"tenderers"` // -1 unknown
	CompetitiveSet bool     `json:"competitive_known"`
	Competitive    bool     `json:"competitive"`
	sourceID       int
}

// FacetValue is one value of a facet with the number of matching processes.
type FacetValue struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// SearchResult is a page of hits, the total and facets over every match.
type SearchResult struct {
	Hits       []Hit                   `json:"hits"`
	Total      int                     `json:"total"`
	Facets     map[string][]FacetValue `json:"facets"` // method, year, currency, buyer, supplier (top 10)
	Dataset    string                  `json:"dataset"`
	Version    int                     `json:"version"`
	NextOffset int                     `json:"next_offset"`
	Took       time.Duration           `json:"took_ns"`
}

// Service answers contract questions from a store.
type Service struct {
	db *store.DB
	mu sync.Mutex
	ix map[string]*index // "dataset/version"
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service { return &Service{db: db, ix: map[string]*index{}} }

func (s *Service) resolve(ctx context.Context, ds string, version int, drafts bool) (int, error) {
	d, v, err := s.db.ResolveVersion(ctx, ds, version, drafts)
	if err != nil {
		return 0, err
	}
	if d.Kind != mizan.KindContracts {
		return 0, &mizan.Error{Code: mizan.ECONFLICT, Field: "dataset", Message: fmt.Sprintf("%s is a %s dataset, not contracts", ds, d.Kind)}
	}
	return v.Number, nil
}

// index is the in-memory search index of one version: sorted tokens with
// postings, and per process the columns filters, facets and sorting need.
type index struct {
	tokens   []string
	postings [][]int32
	n        int
	year     []int32
	method   []int32 // interned
	currency []int32
	buyer    []int32
	supp     [][]int32
	amount   []float64 // NaN when unknown; for sorting and range filters
	date     []int32   // days since epoch, or math.MinInt32
	ocid     []string
	compet   []int8 // -1 unknown, 0 no, 1 yes
	strs     []string
	strID    map[string]int32
	labels   map[int32]string // entity → name
	// hits hold what a page shows, so a search never goes back to the database.
	hits    []Hit
	sources []mizan.SourceFile
}

func (ix *index) intern(s string) int32 {
	if id, ok := ix.strID[s]; ok {
		return id
	}
	id := int32(len(ix.strs))
	ix.strs = append(ix.strs, s)
	ix.strID[s] = id
	return id
}

func (s *Service) index(ctx context.Context, ds string, version int) (*index, error) {
	key := fmt.Sprintf("%s/%d", ds, version)
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix := s.ix[key]; ix != nil {
		return ix, nil
	}
	ix, err := loadIndex(ctx, s.db.SQL, ds, version)
	if err != nil {
		return nil, err
	}
	_, v, err := s.db.ResolveVersion(ctx, ds, version, true)
	if err != nil {
		return nil, err
	}
	ix.sources = v.Sources
	s.ix[key] = ix
	return ix, nil
}

func loadIndex(ctx context.Context, db *sql.DB, ds string, version int) (*index, error) {
	ix := &index{strID: map[string]int32{}, labels: map[int32]string{}}
	ix.intern("")
	rows, err := db.QueryContext(ctx, `SELECT process_id, ocid, coalesce(year, 0), coalesce(method, ''), coalesce(currency, ''), coalesce(buyer_entity, ''),
		coalesce(buyer_name, ''), CAST(amount AS DOUBLE), coalesce(date_diff('day', DATE '1970-01-01', date), -2147483648), competitive,
		coalesce(title, ''), coalesce(method_details, ''), coalesce(CAST(amount AS VARCHAR), ''), awards, contracts, source_id, value, pointer, coalesce(tenderers, -1)
		FROM contract_processes WHERE dataset_id = ? AND version = ? ORDER BY process_id`, ds, version)
	if err != nil {
		return nil, fmt.Errorf("load search index: %w", err)
	}
	for rows.Next() {
		var id, y, d int32
		var ocid, method, currency, buyer, buyerName string
		var amount sql.NullFloat64
		var comp sql.NullBool
		var h Hit
		if err := rows.Scan(&id, &ocid, &y, &method, &currency, &buyer, &buyerName, &amount, &d, &comp,
			&h.Title, &h.MethodDetails, &h.Amount, &h.Awards, &h.Contracts, &h.sourceID, &h.SourceValue, &h.SourcePointer, &h.Tenderers); err != nil {
			rows.Close()
			return nil, err
		}
		if int(id) != ix.n {
			rows.Close()
			return nil, fmt.Errorf("load search index: process ids are not dense")
		}
		ix.n++
		ix.ocid = append(ix.ocid, ocid)
		ix.year = append(ix.year, y)
		ix.method = append(ix.method, ix.intern(method))
		ix.currency = append(ix.currency, ix.intern(currency))
		b := ix.intern(buyer)
		ix.buyer = append(ix.buyer, b)
		if buyerName != "" {
			ix.labels[b] = buyerName
		}
		a := math.NaN()
		if amount.Valid {
			a = amount.Float64
		}
		ix.amount = append(ix.amount, a)
		ix.date = append(ix.date, d)
		c := int8(-1)
		if comp.Valid {
			c = 0
			if comp.Bool {
				c = 1
			}
		}
		ix.compet = append(ix.compet, c)
		h.ProcessID, h.OCID, h.BuyerEntity, h.BuyerName, h.Method, h.Year, h.Currency = int(id), ocid, buyer, buyerName, method, int(y), currency
		h.Amount = trimAmount(h.Amount, currency)
		h.CompetitiveSet, h.Competitive = comp.Valid, comp.Bool
		ix.hits = append(ix.hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ix.supp = make([][]int32, ix.n)
	rows, err = db.QueryContext(ctx, `SELECT DISTINCT s.process_id, s.entity_id, coalesce(e.name, s.name, '') FROM contract_award_suppliers s
		LEFT JOIN contract_entities e ON e.dataset_id = s.dataset_id AND e.version = s.version AND e.entity_id = s.entity_id
		WHERE s.dataset_id = ? AND s.version = ? AND s.entity_id IS NOT NULL ORDER BY 1, 2`, ds, version)
	if err != nil {
		return nil, fmt.Errorf("load search index: %w", err)
	}
	for rows.Next() {
		var id int32
		var ent, name string
		if err := rows.Scan(&id, &ent, &name); err != nil {
			rows.Close()
			return nil, err
		}
		e := ix.intern(ent)
		ix.labels[e] = name
		if int(id) < ix.n {
			ix.supp[id] = append(ix.supp[id], e)
		}
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT token, list(process_id ORDER BY process_id) FROM contract_tokens WHERE dataset_id = ? AND version = ? GROUP BY token ORDER BY token`, ds, version)
	if err != nil {
		return nil, fmt.Errorf("load search index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tok string
		var ids []any
		if err := rows.Scan(&tok, &ids); err != nil {
			return nil, err
		}
		p := make([]int32, len(ids))
		for i, v := range ids {
			p[i] = v.(int32)
		}
		ix.tokens = append(ix.tokens, tok)
		ix.postings = append(ix.postings, p)
	}
	return ix, rows.Err()
}

// match returns the sorted processes whose words start with every query word.
func (ix *index) match(words []string) []int32 {
	var acc []int32
	for i, w := range words {
		lo := sort.SearchStrings(ix.tokens, w)
		var set []int32
		for j := lo; j < len(ix.tokens) && strings.HasPrefix(ix.tokens[j], w); j++ {
			set = union(set, ix.postings[j])
		}
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

func union(a, b []int32) []int32 {
	if len(a) == 0 {
		return b
	}
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

func parseBound(s, field string) (float64, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		return 0, false, mizan.FieldErrorf(field, "%q is not an amount", s)
	}
	return f, true, nil
}

// Search finds processes: full-text, filtered, faceted, sorted and paged.
func (s *Service) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	start := time.Now()
	version, err := s.resolve(ctx, q.Dataset, q.Version, q.IncludeDrafts)
	if err != nil {
		return nil, err
	}
	ix, err := s.index(ctx, q.Dataset, version)
	if err != nil {
		return nil, err
	}
	if q.PageSize <= 0 {
		q.PageSize = 20
	}
	if q.PageSize > MaxPageSize {
		return nil, mizan.FieldErrorf("page_size", "at most %d", MaxPageSize)
	}
	if q.Offset < 0 {
		return nil, mizan.FieldErrorf("offset", "must not be negative")
	}
	minA, hasMin, err := parseBound(q.MinAmount, "min_amount")
	if err != nil {
		return nil, err
	}
	maxA, hasMax, err := parseBound(q.MaxAmount, "max_amount")
	if err != nil {
		return nil, err
	}
	var cand []int32
	words := textnorm.Tokens(q.Text)
	if len(words) > 0 {
		cand = ix.match(words)
	} else {
		cand = make([]int32, ix.n)
		for i := range cand {
			cand[i] = int32(i)
		}
	}
	set := func(vals []string) map[int32]bool {
		if len(vals) == 0 {
			return nil
		}
		m := map[int32]bool{}
		for _, v := range vals {
			if id, ok := ix.strID[v]; ok {
				m[id] = true
			} else {
				m[-1] = true // matches nothing, but the filter is on
			}
		}
		return m
	}
	buyers, supps, methods, curs := set(q.Buyers), set(q.Suppliers), set(q.Methods), set(q.Currencies)
	hits := cand[:0:0]
	for _, p := range cand {
		if buyers != nil && !buyers[ix.buyer[p]] || methods != nil && !methods[ix.method[p]] || curs != nil && !curs[ix.currency[p]] {
			continue
		}
		if q.YearFrom > 0 && int(ix.year[p]) < q.YearFrom || q.YearTo > 0 && (ix.year[p] == 0 || int(ix.year[p]) > q.YearTo) {
			continue
		}
		if hasMin && !(ix.amount[p] >= minA) || hasMax && !(ix.amount[p] <= maxA) {
			continue
		}
		if q.Competitive != nil {
			want := int8(0)
			if *q.Competitive {
				want = 1
			}
			if ix.compet[p] != want {
				continue
			}
		}
		if supps != nil {
			ok := false
			for _, e := range ix.supp[p] {
				if supps[e] {
					ok = true
					break
				}
			}
			if !ok {
				continue
			}
		}
		hits = append(hits, p)
	}
	res := &SearchResult{Total: len(hits), Dataset: q.Dataset, Version: version, Facets: ix.facets(hits)}
	desc := !strings.HasPrefix(q.Sort, "-")
	key := strings.TrimPrefix(q.Sort, "-")
	less := func(a, b int32) int {
		var c int
		switch key {
		case "", "amount":
			x, y := ix.amount[a], ix.amount[b]
			switch {
			case math.IsNaN(x) && math.IsNaN(y):
				c = 0
			case math.IsNaN(x):
				return 1 // unknown amounts last either way
			case math.IsNaN(y):
				return -1
			default:
				c = cmp.Compare(x, y)
			}
		case "date":
			c = cmp.Compare(ix.date[a], ix.date[b])
		case "ocid":
			c = strings.Compare(ix.ocid[a], ix.ocid[b])
		default:
			c = 0
		}
		if desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a, b)
		}
		return c
	}
	switch key {
	case "", "amount", "date", "ocid":
	default:
		return nil, mizan.FieldErrorf("sort", "%q: sort by amount, date or ocid", q.Sort)
	}
	// Only the page needs ordering: a partial selection would do, but a
	// full sort of the matches is fast enough at these sizes.
	slices.SortFunc(hits, less)
	end := min(q.Offset+q.PageSize, len(hits))
	var page []int32
	if q.Offset < len(hits) {
		page = hits[q.Offset:end]
	}
	if end < len(hits) {
		res.NextOffset = end
	}
	if res.Hits, err = s.fetch(ctx, q.Dataset, version, page, ix); err != nil {
		return nil, err
	}
	res.Took = time.Since(start)
	return res, nil
}

func (ix *index) facets(hits []int32) map[string][]FacetValue {
	count := func(get func(int32) []int32, label func(int32) string, top int) []FacetValue {
		m := map[int32]int{}
		for _, p := range hits {
			for _, v := range get(p) {
				m[v]++
			}
		}
		out := make([]FacetValue, 0, len(m))
		for k, n := range m {
			out = append(out, FacetValue{Key: ix.strs[k], Label: label(k), Count: n})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Count != out[j].Count {
				return out[i].Count > out[j].Count
			}
			return out[i].Key < out[j].Key
		})
		if top > 0 && len(out) > top {
			out = out[:top]
		}
		return out
	}
	one := func(col []int32) func(int32) []int32 { return func(p int32) []int32 { return []int32{col[p]} } }
	plain := func(k int32) string { return ix.strs[k] }
	name := func(k int32) string { return cmp.Or(ix.labels[k], ix.strs[k]) }
	years := map[int32]int{}
	for _, p := range hits {
		years[ix.year[p]]++
	}
	var yf []FacetValue
	for y, n := range years {
		k := ""
		if y > 0 {
			k = fmt.Sprint(y)
		}
		yf = append(yf, FacetValue{Key: k, Label: k, Count: n})
	}
	sort.Slice(yf, func(i, j int) bool { return yf[i].Key < yf[j].Key })
	return map[string][]FacetValue{
		"method":   count(one(ix.method), plain, 0),
		"currency": count(one(ix.currency), plain, 0),
		"buyer":    count(one(ix.buyer), name, 10),
		"supplier": count(func(p int32) []int32 { return ix.supp[p] }, name, 10),
		"year":     yf,
	}
}

// fetch returns the page's hits, in page order.
func (s *Service) fetch(_ context.Context, _ string, _ int, page []int32, ix *index) ([]Hit, error) {
	out := make([]Hit, 0, len(page))
	for _, p := range page {
		h := ix.hits[p]
		if h.sourceID >= 1 && h.sourceID <= len(ix.sources) {
			h.SourceFile, h.SourceSHA256 = ix.sources[h.sourceID-1].Name, ix.sources[h.sourceID-1].SHA256
		}
		h.Suppliers = nil
		for _, e := range ix.supp[p] {
			h.Suppliers = append(h.Suppliers, cmp.Or(ix.labels[e], ix.strs[e]))
		}
		out = append(out, h)
	}
	return out, nil
}

// trimAmount drops the storage scale's trailing zeros down to the
// currency's usual two decimals ("2176.000000" → "2176.00").
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
