package ocds

import (
	"sort"
	"strings"

	"github.com/mizan-budget/mizan/textnorm"
)

// legalForms are company-form suffixes removed from the end of a name
// before names are compared, written as publishers write them; they are
// folded (textnorm.Fold) once at start-up.
var legalForms = []string{
	"ltd", "limited", "inc", "incorporated", "llc", "l.l.c.", "llp", "lp", "plc", "corp", "corporation", "co", "company",
	"s.a.", "sa", "s.a. de c.v.", "sa de cv", "s. de r.l.", "s. de r.l. de c.v.", "de c.v.", "s.r.l.", "srl", "s.l.", "sl",
	"s.a.s.", "sas", "s.a.c.", "sac", "s.a.c.i.", "saci", "s.a.e.c.a.", "saeca", "ltda", "eirl", "e.i.r.l.", "s.p.a.", "spa",
	"gmbh", "ag", "kg", "gmbh & co. kg", "bv", "b.v.", "nv", "n.v.", "oy", "ab", "as", "a/s", "pty", "pty ltd", "pty. ltd.",
	"s.r.o.", "sp. z o.o.", "ooo", "тов", "ооо", "srl.", "sc", "s.c.",
	"ش.م.م", "ش م م", "ذ.م.م", "ذ م م", "ش.م.ع", "ش.م.ع.ع", "ش.م.ب", "ش.م.ك", "ش.ذ.م.م", "ذات مسؤولية محدودة", "المحدودة", "محدودة",
}

// legalSuffixes holds the folded forms as word lists, longest first.
var legalSuffixes = func() [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, f := range legalForms {
		k := textnorm.Fold(f)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, strings.Split(k, " "))
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}()

// NormalizeName returns the key names are compared by: folded
// (textnorm.Fold: case, accents, punctuation, Arabic letter forms), a
// leading "the" dropped, and legal-form suffixes (LTD, LIMITED, INC, LLC,
// S.A., S.A. DE C.V., SRL, GMBH, ش.م.م, ذ.م.م...) removed from the end,
// repeatedly ("Acme Co. Ltd." → "acme"). A name made only of a legal form
// keeps it.
func NormalizeName(name string) string {
	k := textnorm.Fold(name)
	if k == "" {
		return ""
	}
	w := strings.Split(k, " ")
	if len(w) > 1 && w[0] == "the" {
		w = w[1:]
	}
	for changed := true; changed && len(w) > 1; {
		changed = false
		for _, s := range legalSuffixes {
			if len(s) < len(w) && equalWords(w[len(w)-len(s):], s) {
				w = w[:len(w)-len(s)]
				changed = true
				break
			}
		}
	}
	return strings.Join(w, " ")
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// normIdent normalises an identifier part: trimmed, upper case, inner
// spaces removed.
func normIdent(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if strings.ContainsAny(s, " \t") {
		s = strings.Join(strings.Fields(s), "")
	}
	return s
}

// Resolver groups party sightings into entities. Observe every sighting
// first, then ask Key: a party with an identifier (scheme and id) is the
// entity of that identifier; a party without one joins the identifier
// entity carrying the same normalised name when exactly one does, and
// otherwise the entity of its normalised name. Identifiers win over names:
// two parties with different identifiers stay apart whatever their names.
type Resolver struct {
	idsByName map[string]map[string]struct{}
}

// NewResolver returns an empty Resolver.
func NewResolver() *Resolver {
	return &Resolver{idsByName: map[string]map[string]struct{}{}}
}

// Observe records a sighting of a party.
func (r *Resolver) Observe(name string, id Identifier) {
	k := id.Key()
	if k == "" {
		return
	}
	n := NormalizeName(name)
	if n == "" {
		return
	}
	s := r.idsByName[n]
	if s == nil {
		s = map[string]struct{}{}
		r.idsByName[n] = s
	}
	s[k] = struct{}{}
}

// Key returns the entity key of a party: "id:SCHEME:ID" or "name:<normalised
// name>"; "" when the party has neither.
func (r *Resolver) Key(name string, id Identifier) string {
	if k := id.Key(); k != "" {
		return "id:" + k
	}
	n := NormalizeName(name)
	if n == "" {
		return ""
	}
	if ids := r.idsByName[n]; len(ids) == 1 {
		for k := range ids {
			return "id:" + k
		}
	}
	return NameKey(n)
}

// NameKey returns the entity key of an organisation known only by its
// name, given the name normalised (NormalizeName): spelling variants
// ("ACME LTD", "Acme Limited") are one party. Contracts parties without
// identifiers, and payees and payers of payments datasets, are keyed this
// way; "" for an empty name.
func NameKey(normalized string) string {
	if normalized == "" {
		return ""
	}
	return namePrefix + normalized
}

// KeyName returns the normalised name of a name key (NameKey), or "" for
// any other key.
func KeyName(key string) string {
	if n, ok := strings.CutPrefix(key, namePrefix); ok {
		return n
	}
	return ""
}

const namePrefix = "name:"

// ObserveRelease records every organisation a release mentions: parties,
// buyer, procuring entity, tenderers and suppliers.
func (r *Resolver) ObserveRelease(m map[string]any) {
	visit := func(o any) {
		om, ok := o.(map[string]any)
		if !ok {
			return
		}
		r.Observe(str(om["name"]), identifierOf(om["identifier"]))
		if ai, ok := om["additionalIdentifiers"].([]any); ok {
			for _, a := range ai {
				r.Observe(str(om["name"]), identifierOf(a))
			}
		}
	}
	if ps, ok := m["parties"].([]any); ok {
		for _, p := range ps {
			visit(p)
		}
	}
	visit(m["buyer"])
	if t, ok := m["tender"].(map[string]any); ok {
		visit(t["procuringEntity"])
		if ts, ok := t["tenderers"].([]any); ok {
			for _, x := range ts {
				visit(x)
			}
		}
	}
	if as, ok := m["awards"].([]any); ok {
		for _, a := range as {
			if am, ok := a.(map[string]any); ok {
				if ss, ok := am["suppliers"].([]any); ok {
					for _, s := range ss {
						visit(s)
					}
				}
			}
		}
	}
}

func identifierOf(v any) Identifier {
	m, ok := v.(map[string]any)
	if !ok {
		return Identifier{}
	}
	return Identifier{Scheme: strings.TrimSpace(str(m["scheme"])), ID: strings.TrimSpace(str(m["id"]))}
}
