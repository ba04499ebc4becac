package query

import (
	"context"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mizan-budget/mizan"
)

// fixedLabels names the members of fixed dimensions, which have no rows in
// the members table.
var fixedLabels = map[string]map[string]mizan.Text{
	mizan.DimPhase: {
		mizan.PhaseProposed:  {"en": "Proposed", "ar": "المقترحة"},
		mizan.PhaseApproved:  {"en": "Approved", "ar": "المعتمدة"},
		mizan.PhaseRevised:   {"en": "Revised", "ar": "المعدلة"},
		mizan.PhaseCommitted: {"en": "Committed", "ar": "الملتزم بها"},
		mizan.PhaseExecuted:  {"en": "Executed", "ar": "الفعلية"},
		mizan.PhasePaid:      {"en": "Paid", "ar": "المدفوعة"},
	},
	mizan.DimDirection: {
		mizan.DirectionExpenditure: {"en": "Expenditure", "ar": "النفقات"},
		mizan.DirectionRevenue:     {"en": "Revenue", "ar": "الإيرادات"},
	},
}

type levelID struct{ dim, level string }

// memberText is a member's stored labels: English, Arabic and the source
// language's (which language that is the dataset says when the label is
// read, as a newer descriptor may change it).
type memberText struct{ en, ar, src string }

// get returns the label in lang ("" when there is none); srcLang is the
// dataset's source language.
func (t memberText) get(lang, srcLang string) string {
	if srcLang != "" && lang == srcLang && t.src != "" {
		return t.src
	}
	switch lang {
	case "en":
		return t.en
	case "ar":
		return t.ar
	}
	return ""
}

// Label cache limits: levels with more members are looked up per request;
// past cacheMaxMembers in all, the cache starts afresh.
const (
	cacheMaxLevel   = 20_000
	cacheMaxMembers = 1_000_000
)

// labelCache holds the labels of the members of small levels, per
// dimension of a version, each loaded once with one query. Versions are
// immutable, so entries never go stale.
type labelCache struct {
	mu      sync.Mutex
	entries map[dimVersion]*dimLabels
	size    int
}

type dimVersion struct {
	dataset string
	version int
	dim     string
}

// dimLabels are the labels of one dimension's cached levels; ready is
// closed once they are loaded (or failed to).
type dimLabels struct {
	ready  chan struct{}
	err    error
	levels map[string]map[string]memberText
}

func newLabelCache() *labelCache {
	return &labelCache{entries: map[dimVersion]*dimLabels{}}
}

// cachedLevels returns the levels of dim the cache holds: those with at
// most cacheMaxLevel members.
func cachedLevels(t *target, dim string) map[string]bool {
	d, ok := t.v.Dimension(dim)
	if !ok {
		return nil
	}
	out := make(map[string]bool, len(d.Levels))
	for _, l := range d.Levels {
		if l.Members <= cacheMaxLevel {
			out[l.ID] = true
		}
	}
	return out
}

// dim returns the cached labels of a dimension of t's version, loading them
// through eng on first use.
func (c *labelCache) dim(ctx context.Context, eng Engine, t *target, dim string) (*dimLabels, error) {
	id := dimVersion{t.ds.ID, t.v.Number, dim}
	for {
		c.mu.Lock()
		e, ok := c.entries[id]
		if !ok {
			e = &dimLabels{ready: make(chan struct{})}
			c.entries[id] = e
			c.mu.Unlock()
			c.load(ctx, eng, t, id, e)
			if e.err != nil {
				return nil, e.err
			}
			return e, nil
		}
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, internal("read labels", ctx.Err())
		}
		if e.err == nil {
			return e, nil
		}
		// The load failed (perhaps its caller went away): try again.
		if err := ctx.Err(); err != nil {
			return nil, internal("read labels", err)
		}
	}
}

func (c *labelCache) load(ctx context.Context, eng Engine, t *target, id dimVersion, e *dimLabels) {
	defer close(e.ready)
	var levels []string
	for l := range cachedLevels(t, id.dim) {
		levels = append(levels, l)
	}
	sort.Strings(levels)
	e.levels = make(map[string]map[string]memberText, len(levels))
	n := 0
	if len(levels) > 0 {
		rdr, err := eng.Members(ctx, &MembersPlan{Dataset: id.dataset, Version: id.version, Dimension: id.dim, Levels: levels})
		if err == nil {
			err = eachRow(rdr, func(rec arrow.RecordBatch, i int) error {
				level, _ := keyAt(rec.Column(0), i)
				key, _ := keyAt(rec.Column(1), i)
				var mt memberText
				mt.en, _ = keyAt(rec.Column(2), i)
				mt.ar, _ = keyAt(rec.Column(3), i)
				mt.src, _ = keyAt(rec.Column(4), i)
				m := e.levels[level]
				if m == nil {
					m = map[string]memberText{}
					e.levels[level] = m
				}
				m[key] = mt
				n++
				return nil
			})
		}
		if err != nil {
			e.err = internal("read labels", err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.err != nil {
		if c.entries[id] == e {
			delete(c.entries, id)
		}
		return
	}
	c.size += n
	if c.size > cacheMaxMembers {
		c.entries = map[dimVersion]*dimLabels{id: e}
		c.size = n
	}
}

// labeler collects the keys a response shows and labels them in the
// requested language, falling back to English, Arabic, the dataset's
// source language and finally the key itself. Labels of small levels come
// from the service's cache; the others are fetched in one query per
// dimension.
type labeler struct {
	eng   Engine
	cache *labelCache
	t     *target
	lang  string
	// cached are the levels the cache holds, per dimension (nil when not
	// yet looked up).
	cached map[string]map[string]bool
	dims   map[string]*dimLabels
	want   map[levelID]map[string]bool
	got    map[levelID]map[string]memberText
}

func (s *Service) newLabeler(t *target, lang string) *labeler {
	if lang == "" {
		lang = "en"
	}
	return &labeler{eng: s.eng, cache: s.labels, t: t, lang: lang, cached: map[string]map[string]bool{},
		dims: map[string]*dimLabels{}, want: map[levelID]map[string]bool{}, got: map[levelID]map[string]memberText{}}
}

// fromCache says whether the cache holds the labels of f's level.
func (l *labeler) fromCache(f field) bool {
	if l.cache == nil {
		return false
	}
	lv, ok := l.cached[f.Dim]
	if !ok {
		lv = cachedLevels(l.t, f.Dim)
		l.cached[f.Dim] = lv
	}
	return lv[f.Level]
}

// add records a key to label.
func (l *labeler) add(f field, key string) {
	if f.Fixed || key == "" {
		return
	}
	if l.fromCache(f) {
		if _, ok := l.dims[f.Dim]; !ok {
			l.dims[f.Dim] = nil
		}
		return
	}
	id := levelID{f.Dim, f.Level}
	if l.want[id] == nil {
		l.want[id] = map[string]bool{}
	}
	l.want[id][key] = true
}

// fetch loads the labels of every recorded key.
func (l *labeler) fetch(ctx context.Context) error {
	for d := range l.dims {
		dl, err := l.cache.dim(ctx, l.eng, l.t, d)
		if err != nil {
			return err
		}
		l.dims[d] = dl
	}
	byDim := map[string][]string{}
	for id := range l.want {
		byDim[id.dim] = append(byDim[id.dim], id.level)
	}
	dims := make([]string, 0, len(byDim))
	for d := range byDim {
		dims = append(dims, d)
	}
	sort.Strings(dims)
	for _, d := range dims {
		levels := byDim[d]
		sort.Strings(levels)
		keySet := map[string]bool{}
		for _, lv := range levels {
			for k := range l.want[levelID{d, lv}] {
				keySet[k] = true
			}
		}
		keys := make([]string, 0, len(keySet))
		for k := range keySet {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		rdr, err := l.eng.Members(ctx, &MembersPlan{Dataset: l.t.ds.ID, Version: l.t.v.Number, Dimension: d, Levels: levels, Keys: keys})
		if err != nil {
			return internal("read labels", err)
		}
		err = eachRow(rdr, func(rec arrow.RecordBatch, i int) error {
			level, _ := keyAt(rec.Column(0), i)
			key, _ := keyAt(rec.Column(1), i)
			var mt memberText
			mt.en, _ = keyAt(rec.Column(2), i)
			mt.ar, _ = keyAt(rec.Column(3), i)
			mt.src, _ = keyAt(rec.Column(4), i)
			id := levelID{d, level}
			if l.got[id] == nil {
				l.got[id] = map[string]memberText{}
			}
			l.got[id][key] = mt
			return nil
		})
		if err != nil {
			return internal("read labels", err)
		}
	}
	return nil
}

// label returns the label of a key in the requested language.
func (l *labeler) label(f field, key string) string {
	s, _ := l.labelIn(f, key)
	return s
}

// labelIn returns the label of a key in the requested language or, when it
// has none there, in the first of English, Arabic and the source's
// language that it has, with that language's tag; the tag is "" when the
// label is in the requested language, or is the key itself.
func (l *labeler) labelIn(f field, key string) (text, lang string) {
	if key == "" {
		return "", ""
	}
	src := l.t.ds.Language
	langs := [...]string{l.lang, "en", "ar", src}
	if f.Fixed {
		t := fixedLabels[f.Dim][key]
		for _, lg := range langs {
			if s := t[lg]; s != "" {
				return s, otherLang(lg, l.lang)
			}
		}
		return key, ""
	}
	var mt memberText
	if dl := l.dims[f.Dim]; dl != nil && l.fromCache(f) {
		mt = dl.levels[f.Level][key]
	} else {
		mt = l.got[levelID{f.Dim, f.Level}][key]
	}
	for _, lg := range langs {
		if s := mt.get(lg, src); s != "" {
			return s, otherLang(lg, l.lang)
		}
	}
	return key, ""
}

// otherLang is got when it differs from asked, else "".
func otherLang(got, asked string) string {
	if got == asked {
		return ""
	}
	return got
}

// put sets the label of key at ref in labels and, when it is not in the
// requested language, its language in *langs (allocated on first use).
func (l *labeler) put(labels map[string]string, langs *map[string]string, f field, ref, key string) {
	text, lang := l.labelIn(f, key)
	labels[ref] = text
	if lang != "" {
		if *langs == nil {
			*langs = map[string]string{}
		}
		(*langs)[ref] = lang
	}
}
