package ocds

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MergeProblem is something the merge noticed, at a JSON path of the
// compiled release.
type MergeProblem struct {
	Release int // index in the sorted releases
	Path    string
	Message string
}

// SortReleases orders releases by date, oldest first; releases without a
// readable date keep their input order after those with one. At the same
// date a compiled (or versioned) release comes after the releases: it is
// the state of the process once every release up to its date is applied.
// Other ties keep input order.
func SortReleases(rs []*Release) {
	key := make(map[*Release]time.Time, len(rs))
	for _, r := range rs {
		// Seconds: publishers truncate a compiled release's date
		// (04:40:00 for a last release at 04:40:00.433).
		key[r] = ParseTime(r.Date).Truncate(time.Second)
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := key[rs[i]], key[rs[j]]
		switch {
		case a.IsZero() && b.IsZero():
			return false
		case a.IsZero():
			return false
		case b.IsZero():
			return true
		}
		if a.Equal(b) {
			return rs[i].Kind == KindRelease && rs[j].Kind != KindRelease
		}
		return a.Before(b)
	})
}

// ParseTime reads an OCDS date-time (RFC 3339, or a plain date, or a date
// followed by anything); the zero time when it cannot.
func ParseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t
		}
	}
	return time.Time{}
}

// Merge compiles releases, already in date order (SortReleases), into one
// compiled release following the OCDS 1.1 merge rules for every field:
//
//   - objects are merged field by field, a later release's value winning;
//   - a field set to null in a later release is removed;
//   - arrays of objects that all have an "id" are merged by id (objects
//     with the same id merged, new ones appended, order of first sighting);
//     an empty array leaves an array of objects as it was;
//     when two objects have the same id in one release, only the last one
//     is kept, as in the reference implementation (ocdsmerge), and the
//     duplicate is reported;
//   - any other array (of strings, numbers, or of objects lacking an id)
//     is replaced whole;
//   - "tag" becomes ["compiled"], "id" becomes "<ocid>-<date>" and "date"
//     the latest release's date.
//
// The releases are not modified.
func Merge(rels []map[string]any) (map[string]any, []MergeProblem) {
	out := map[string]any{}
	var probs []MergeProblem
	ocid, date := "", ""
	for i, r := range rels {
		m := &merger{rel: i, probs: &probs}
		m.object(out, r, "")
		if s := str(r["ocid"]); s != "" {
			ocid = s
		}
		if s := str(r["date"]); s != "" {
			date = s
		}
	}
	out["tag"] = []any{"compiled"}
	if ocid != "" {
		out["ocid"] = ocid
	}
	if date != "" {
		out["date"] = date
		out["id"] = ocid + "-" + date
	} else if ocid != "" {
		out["id"] = ocid
	}
	return out, probs
}

type merger struct {
	rel   int
	probs *[]MergeProblem
}

func (m *merger) problem(path, format string, args ...any) {
	*m.probs = append(*m.probs, MergeProblem{Release: m.rel, Path: path, Message: fmt.Sprintf(format, args...)})
}

// object merges src into dst.
func (m *merger) object(dst, src map[string]any, path string) {
	for k, v := range src {
		p := path + "/" + escapePointer(k)
		switch sv := v.(type) {
		case nil:
			delete(dst, k)
		case map[string]any:
			d, ok := dst[k].(map[string]any)
			if !ok {
				d = map[string]any{}
				dst[k] = d
			}
			m.object(d, sv, p)
		case []any:
			if len(sv) == 0 {
				// An empty array merged by identifier changes nothing
				// (OCDS merge rules); without the schema, an array that
				// holds objects is taken to be one.
				if old, ok := dst[k].([]any); ok && len(old) > 0 && identifiedOrEmpty(old) {
					continue
				}
				dst[k] = []any{}
			} else if identified(sv) {
				dst[k] = m.byID(dst[k], sv, p)
			} else {
				dst[k] = clean(sv)
			}
		default:
			dst[k] = v
		}
	}
}

// identified reports whether arr is a non-empty array of objects that all
// have a non-null id.
func identified(arr []any) bool {
	if len(arr) == 0 {
		return false
	}
	for _, x := range arr {
		o, ok := x.(map[string]any)
		if !ok {
			return false
		}
		if id, ok := o["id"]; !ok || id == nil {
			return false
		}
		if _, isObj := o["id"].(map[string]any); isObj {
			return false
		}
		if _, isArr := o["id"].([]any); isArr {
			return false
		}
	}
	return true
}

// idKey is how ids compare: as text, so 1 and "1" are the same id (OCDS
// allows both).
func idKey(v any) string {
	if s := str(v); s != "" || v != nil {
		return s
	}
	return ""
}

func (m *merger) byID(prev any, src []any, path string) []any {
	old, _ := prev.([]any)
	index := map[string]int{} // id → position in out
	out := old
	if !identifiedOrEmpty(old) {
		out = nil // the previous value was not an identified array: replaced
	}
	for i, x := range out {
		index[idKey(x.(map[string]any)["id"])] = i
	}
	// Within one release the last object with an id is the one kept.
	last := map[string]int{}
	for i, x := range src {
		id := idKey(x.(map[string]any)["id"])
		if _, dup := last[id]; dup {
			m.problem(path, "two or more objects have the id %q in one release; the last one is kept", id)
		}
		last[id] = i
	}
	for i, x := range src {
		o := x.(map[string]any)
		id := idKey(o["id"])
		if last[id] != i {
			continue
		}
		if j, ok := index[id]; ok {
			m.object(out[j].(map[string]any), o, path+"/"+strconv.Itoa(j))
			continue
		}
		d := map[string]any{}
		m.object(d, o, path+"/"+strconv.Itoa(len(out)))
		index[id] = len(out)
		out = append(out, d)
	}
	return out
}

func identifiedOrEmpty(arr []any) bool {
	if len(arr) == 0 {
		return true
	}
	for _, x := range arr {
		if _, ok := x.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// clean returns a deep copy of v without null object fields.
func clean(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if x != nil {
				out[k] = clean(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = clean(x)
		}
		return out
	}
	return v
}

func escapePointer(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// versionKeys are the keys of one entry of a versioned release's field history.
var versionKeys = map[string]bool{"releaseID": true, "releaseDate": true, "releaseTag": true, "value": true}

// isVersionList reports whether arr is a versioned field's history: objects
// with "value" and only releaseID, releaseDate, releaseTag besides.
func isVersionList(arr []any) bool {
	if len(arr) == 0 {
		return false
	}
	for _, x := range arr {
		o, ok := x.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := o["value"]; !ok {
			return false
		}
		if _, ok := o["releaseDate"]; !ok {
			if _, ok := o["releaseID"]; !ok {
				return false
			}
		}
		for k := range o {
			if !versionKeys[k] {
				return false
			}
		}
	}
	return true
}

// IsVersioned reports whether a release object is a versioned release: one
// of its fields holds a history of values.
func IsVersioned(m map[string]any) bool {
	for k, v := range m {
		if k == "ocid" {
			continue
		}
		switch t := v.(type) {
		case []any:
			if isVersionList(t) {
				return true
			}
		case map[string]any:
			if IsVersioned(t) {
				return true
			}
		}
	}
	return false
}

// FromVersioned reduces a versioned release to a compiled one: every field
// history becomes its latest value.
func FromVersioned(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			y := FromVersioned(x)
			if y != nil {
				out[k] = y
			}
		}
		return out
	case []any:
		if isVersionList(t) {
			last := t[len(t)-1].(map[string]any)
			return last["value"]
		}
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = FromVersioned(x)
		}
		return out
	}
	return v
}

// Marshal encodes a decoded release (json.Number kept exactly).
func Marshal(m map[string]any) (json.RawMessage, error) { return json.Marshal(m) }
