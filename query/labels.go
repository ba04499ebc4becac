package query

import (
	"context"
	"sort"

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

// labeler collects the keys a response shows, fetches their labels in one
// query per dimension, and picks each label in the requested language,
// falling back to English, Arabic, the dataset's source language and
// finally the key itself.
type labeler struct {
	eng  Engine
	t    *target
	lang string
	want map[levelID]map[string]bool
	got  map[levelID]map[string]mizan.Text
}

func newLabeler(eng Engine, t *target, lang string) *labeler {
	if lang == "" {
		lang = "en"
	}
	return &labeler{eng: eng, t: t, lang: lang, want: map[levelID]map[string]bool{}, got: map[levelID]map[string]mizan.Text{}}
}

// add records a key to label.
func (l *labeler) add(f field, key string) {
	if f.Fixed || key == "" {
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
			t := mizan.Text{}
			if s, ok := keyAt(rec.Column(2), i); ok && s != "" {
				t["en"] = s
			}
			if s, ok := keyAt(rec.Column(3), i); ok && s != "" {
				t["ar"] = s
			}
			if s, ok := keyAt(rec.Column(4), i); ok && s != "" && l.t.ds.Language != "" {
				t[l.t.ds.Language] = s
			}
			id := levelID{d, level}
			if l.got[id] == nil {
				l.got[id] = map[string]mizan.Text{}
			}
			l.got[id][key] = t
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
	if key == "" {
		return ""
	}
	var t mizan.Text
	if f.Fixed {
		t = fixedLabels[f.Dim][key]
	} else {
		t = l.got[levelID{f.Dim, f.Level}][key]
	}
	if s := pick(t, l.lang, l.t.ds.Language); s != "" {
		return s
	}
	return key
}

// pick returns the text in lang, else English, Arabic, the source language.
func pick(t mizan.Text, lang, src string) string {
	for _, l := range []string{lang, "en", "ar", src} {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}
