package ocds

// Malformed OCDS inputs: each must be reported as problems naming the
// file, the ocid and the JSON path where they apply, while the rest of the
// file still loads, without a panic and with memory bounded.

import (
	"archive/zip"
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/mizan-budget/mizan/internal/malformed"
)

// problemAt is a problem a case expects: its ocid, its JSON path and a
// word of its message.
type problemAt struct {
	ocid, path, says string
}

func TestMalformedOCDS(t *testing.T) {
	oldD, oldV := decompressLimit, valueLimit
	decompressLimit, valueLimit = 8<<20, 16<<20
	t.Cleanup(func() { decompressLimit, valueLimit = oldD, oldV })

	good := `{"ocid":"ocds-a","id":"1","date":"2020-01-01T00:00:00Z","tag":["tender"],"tender":{"id":"t","value":{"amount":"12.50","currency":"USD"}}}`
	huge := "1" + strings.Repeat("0", 399)
	tests := []struct {
		name, file string
		data       []byte
		releases   []string    // ocids delivered, in order
		read       []problemAt // problems while reading
		extract    []problemAt // problems while extracting the compiled releases
	}{
		{name: "wrong types", file: "types.json",
			data: []byte(`{"version":"1.1","releases":[` + good + `,
				{"ocid":42,"id":7,"date":"2020-01-02","tag":5,"tender":{"value":{"amount":{"x":1},"currency":"USD"},"items":"none"},
				 "awards":[{"id":"a","value":"lots"}],"parties":[{"id":"p","name":["x"],"roles":"buyer"}]},
				{"ocid":"ocds-c","id":"3","date":"2020-01-03","tag":["award"],"awards":[{"id":"a","date":"2023-02-30T00:00:00Z",
				 "value":{"amount":"` + huge + `","currency":"USD"}}],"contracts":[{"id":"c","dateSigned":"0000-00-00","value":{"amount":` + huge + `.5,"currency":"USD"}}]}]}`),
			releases: []string{"ocds-a", "42", "ocds-c"},
			read: []problemAt{{"42", "/releases/1/ocid", "not a string"}, {"42", "/releases/1/id", "not a string"},
				{"42", "/releases/1/tag", "not an array"}},
			extract: []problemAt{{"42", "compiled:/tender/value/amount", "not a number"}, {"42", "compiled:/awards/0/value", "not an object"},
				{"ocds-c", "compiled:/awards/0/date", "not a date"}, {"ocds-c", "compiled:/awards/0/value/amount", "digits"},
				{"ocds-c", "compiled:/contracts/0/dateSigned", "not a date"}, {"ocds-c", "compiled:/contracts/0/value/amount", "digits"}}},
		{name: "releases not an array", file: "obj.json", data: []byte(`{"releases":{"ocid":"x"}}`),
			read: []problemAt{{"", "/releases", "array"}}},
		{name: "10,000-deep JSON", file: "deep.json",
			data:     []byte(`{"releases":[` + good + `,{"ocid":"ocds-d","x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}]}`),
			releases: []string{"ocds-a"}, read: []problemAt{{"", "", "depth"}}},
		{name: "10,000-deep top level", file: "deep2.json", data: []byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000)),
			read: []problemAt{{"", "/0", "not an object"}}},
		{name: "an endless release", file: "long.json", data: []byte(`{"releases":[` + good + `,{"ocid":"ocds-l","x":"` + strings.Repeat("x", 20<<20) + `"}]}`),
			releases: []string{"ocds-a"}, read: []problemAt{{"", "", "longer than"}}},
		{name: "whitespace between releases", file: "spaces.json", data: []byte(`{"releases":[` + good + `,` + strings.Repeat(" ", 20<<20) + good + `]}`),
			releases: []string{"ocds-a"}, read: []problemAt{{"", "", "longer than"}}},
		{name: "truncated", file: "cut.json", data: []byte(`{"releases":[` + good + `,` + good[:40]),
			releases: []string{"ocds-a"}, read: []problemAt{{"", "", "invalid JSON"}}},
		{name: "empty file", file: "empty.json", data: nil, read: []problemAt{{"", "", "empty"}}},
		{name: "JSON Lines with a broken line", file: "lines.jsonl",
			data:     []byte(good + "\n{\"ocid\": \"ocds-x\", oops}\n" + strings.Replace(good, "ocds-a", "ocds-b", 1) + "\n"),
			releases: []string{"ocds-a", "ocds-b"}, read: []problemAt{{"", "", "invalid JSON"}}},
		{name: "UTF-16 without BOM", file: "utf16.json", data: malformed.UTF16LE(good), read: []problemAt{{"", "", "invalid JSON"}}},
		{name: "NUL bytes", file: "nul.json", data: []byte(strings.Replace(good, "tender", "ten\x00der", 1)),
			read: []problemAt{{"", "", "invalid JSON"}}},
		{name: "invalid UTF-8", file: "latin.json", data: []byte(strings.Replace(good, `"id":"t"`, "\"id\":\"t\xe9\"", 1)),
			releases: []string{"ocds-a"}, read: []problemAt{{"", "", "not UTF-8"}}},
		{name: "gzip bomb", file: "bomb.json.gz", data: malformed.BombGzip([]byte(`{"releases":[`), ' ', 1<<30),
			read: []problemAt{{"", "", "decompresses to more than"}}},
		{name: "zip bomb", file: "bomb.zip", data: malformed.BombZip("a.json", []byte(`{"releases":[`+good+`,`), ' ', 1<<30),
			releases: []string{"ocds-a"}, read: []problemAt{{"", "", "decompresses to more than"}}},
		{name: "truncated gzip", file: "cut.json.gz", data: malformed.BombGzip([]byte(`{"releases":[`+good), ' ', 8<<20)[:2000],
			releases: []string{"ocds-a"}, read: []problemAt{{"", "", "invalid JSON"}}},
		{name: "corrupt zip", file: "bad.zip", data: append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xa5}, 500)...),
			read: []problemAt{{"", "", "not a readable zip"}}},
		{name: "zip of an image", file: "img.zip", data: zipOf("photo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00")),
			read: []problemAt{{"", "", "no .json"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rels []*Release
			var probs []Problem
			peak, err := malformed.HeapPeak(func() error {
				_, err := Read(bytes.NewReader(tc.data), tc.file, func(r *Release) error { rels = append(rels, r); return nil },
					func(p Problem) { probs = append(probs, p) })
				return err
			})
			if err != nil {
				t.Fatalf("Read: %v (content problems must be reported, not returned)", err)
			}
			if peak > 256<<20 {
				t.Errorf("heap peaked at %d MiB", peak>>20)
			}
			var ocids []string
			byOCID := map[string][]*Release{}
			for _, r := range rels {
				if !slices.Contains(ocids, r.OCID) {
					ocids = append(ocids, r.OCID)
				}
				byOCID[r.OCID] = append(byOCID[r.OCID], r)
			}
			if !slices.Equal(ocids, tc.releases) {
				t.Errorf("releases of %v, want %v", ocids, tc.releases)
			}
			for _, p := range probs {
				if !strings.HasPrefix(p.File, tc.file) || p.Message == "" {
					t.Errorf("problem %+v does not name the file %s", p, tc.file)
				}
			}
			checkProblems(t, "read", probs, tc.read)
			var xprobs []Problem
			for _, o := range ocids {
				p, xp := Extract(Compile(o, byOCID[o]), nil)
				for _, pr := range xp {
					if pr.File != tc.file || pr.OCID != o {
						t.Errorf("extract problem %+v does not name the file %s and ocid %s", pr, tc.file, o)
					}
				}
				xprobs = append(xprobs, xp...)
				// An amount that cannot be stored exactly is left out, never rounded.
				for _, a := range p.Awards {
					if a.Value.Set && strings.HasPrefix(a.Value.Amount.String(), "1000000000") {
						t.Errorf("award %s kept a rounded amount %s", a.ID, a.Value.Amount)
					}
				}
			}
			checkProblems(t, "extract", xprobs, tc.extract)
		})
	}
}

// checkProblems asserts that every wanted problem was reported.
func checkProblems(t *testing.T, stage string, got []Problem, want []problemAt) {
	t.Helper()
	for _, w := range want {
		if !slices.ContainsFunc(got, func(p Problem) bool {
			return p.OCID == w.ocid && (w.path == "" || p.Path == w.path) && strings.Contains(p.Message, w.says)
		}) {
			t.Errorf("%s: no problem {ocid %q, path %q, saying %q} among:\n%s", stage, w.ocid, w.path, w.says, problemList(got))
		}
	}
}

func problemList(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func zipOf(name string, data []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(name)
	w.Write(data)
	zw.Close()
	return buf.Bytes()
}
