package ingest

// Malformed inputs: every case is a file (or descriptor) a hostile or
// careless publisher could hand Mizan. Each must end in a clear error (a
// *mizan.Error naming the file and, where it applies, the row and column)
// or in rejects naming row and column, without a panic, with memory
// bounded, and without changing what is already stored.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/internal/malformed"
	"github.com/mizan-budget/mizan/store"
)

// malformedID is the dataset every case ingests into, after a good version.
const malformedID = "malformed"

// goodCSV is the good version's source: its facts are checked unchanged
// after every bad input.
const goodCSV = "Year,Ministry,Amount\n2023,Health,100.500\n2023,Education,200\n2024,Health,300.250\n"

// malformedDescriptor is the descriptor of the cases: name is the source
// file, extra lines are added to its source entry.
func malformedDescriptor(name string, extra ...string) string {
	src := "  - name: " + name + "\n"
	for _, e := range extra {
		src += "    " + e + "\n"
	}
	return `id: malformed
title: {en: Malformed inputs}
currency: BHD
dimensions:
  - id: admin
    levels: [{id: ministry}]
sources:
` + src + `    mapping:
      year: {column: Year}
      phase: {value: approved}
      amount: {column: Amount}
      dimensions:
        admin: [{level: ministry, label: Ministry}]
`
}

// datedDescriptor reads the year from a date column.
const datedDescriptor = `id: malformed
title: {en: Malformed inputs}
currency: BHD
dimensions:
  - id: admin
    levels: [{id: ministry}]
sources:
  - name: budget.csv
    mapping:
      date: {column: Date}
      year: {from: date}
      phase: {value: approved}
      amount: {column: Amount}
      dimensions:
        admin: [{level: ministry, label: Ministry}]
`

// rejectAt is a stored reject a case expects: its row and column.
type rejectAt struct {
	Row    int64
	Column string
}

// malformedCase is one bad input.
type malformedCase struct {
	name  string
	desc  string            // descriptor text; default malformedDescriptor("budget.csv")
	load  string            // file Load reads; default "d.yaml" (holding desc)
	files map[string][]byte // written beside the descriptor
	setup func(t *testing.T, dir string)
	opts  Options
	// What must happen: an error with code (and naming every string of
	// names), or a new version with exactly these rejects and facts.
	code    string
	names   []string
	rejects []rejectAt
	facts   int64
	// memory is the bound on the heap while the case runs (default 256 MiB).
	memory uint64
}

func csvFile(s string) map[string][]byte { return map[string][]byte{"budget.csv": []byte(s)} }

func TestMalformedInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds multi-gigabyte bombs")
	}
	ctx := context.Background()
	db := openDB(t, t.TempDir())
	goodDir := t.TempDir()
	writeFiles(t, goodDir, map[string][]byte{"d.yaml": []byte(malformedDescriptor("budget.csv")), "budget.csv": []byte(goodCSV)})
	good := mustIngest(t, db, mustLoad(t, filepath.Join(goodDir, "d.yaml")), Options{})
	if good.Facts != 3 || good.RowsRejected != 0 {
		t.Fatalf("good version: %d facts, %d rejected", good.Facts, good.RowsRejected)
	}
	before := storedState(t, db)
	wantTotals := factTotals(t, db, malformedID, good.Version)

	// An outside file a descriptor must not reach, holding a valid budget
	// (so only the path check stands between it and the store).
	outside := t.TempDir()
	writeFiles(t, outside, map[string][]byte{"secret.csv": []byte(goodCSV), "data/budget.csv": []byte(goodCSV)})
	secret := filepath.Join(outside, "secret.csv")
	// A --from directory whose budget.csv links out of it.
	from := t.TempDir()
	if err := os.Symlink(secret, filepath.Join(from, "budget.csv")); err != nil {
		t.Skipf("symlinks: %v", err)
	}

	for _, tc := range malformedCases(secret, outside, from) {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			desc := tc.desc
			if desc == "" {
				desc = malformedDescriptor("budget.csv")
			}
			files := map[string][]byte{"d.yaml": []byte(desc)}
			for k, v := range tc.files {
				files[k] = v
			}
			writeFiles(t, dir, files)
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			load := tc.load
			if load == "" {
				load = "d.yaml"
			}
			versionsBefore := latestVersion(t, db)
			limit := tc.memory
			if limit == 0 {
				limit = 256 << 20
			}
			var sum *Summary
			peak, err := malformed.HeapPeak(func() error {
				d, err := Load(filepath.Join(dir, load))
				if err != nil {
					return err
				}
				opts := tc.opts
				opts.Force = true
				sum, err = Ingest(ctx, db, d, opts)
				return err
			})
			if peak > limit {
				t.Errorf("heap peaked at %d MiB, more than the %d MiB bound", peak>>20, limit>>20)
			}
			t.Logf("heap peak %d MiB; error: %v", peak>>20, err)
			if tc.code != "" {
				var me *mizan.Error
				if !errors.As(err, &me) {
					t.Fatalf("error %v (%T), want a *mizan.Error with code %s", err, err, tc.code)
				}
				if me.Code != tc.code {
					t.Errorf("code %s, want %s (%v)", me.Code, tc.code, err)
				}
				for _, n := range tc.names {
					if !strings.Contains(err.Error(), n) {
						t.Errorf("error %q does not name %q", err, n)
					}
				}
				if v := latestVersion(t, db); v != versionsBefore {
					t.Errorf("a failed ingest left version %d (was %d)", v, versionsBefore)
				}
				return
			}
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			if sum.Facts != tc.facts {
				t.Errorf("%d facts, want %d", sum.Facts, tc.facts)
			}
			rs, err := db.Rejects(ctx, malformedID, sum.Version, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []rejectAt
			for _, r := range rs {
				got = append(got, rejectAt{r.SourceRow, r.Column})
				if r.SourceID != 1 || r.Reason == "" {
					t.Errorf("reject %+v lacks its source or reason", r)
				}
			}
			if diff := cmp.Diff(tc.rejects, got); diff != "" {
				t.Errorf("rejects mismatch (-want +got):\n%s\nreasons: %v", diff, rs)
			}
			if sum.RowsRejected != int64(len(tc.rejects)) {
				t.Errorf("summary counts %d rejected rows, want %d", sum.RowsRejected, len(tc.rejects))
			}
		})
	}

	// Nothing already stored changed: the good version is still there with
	// the same facts, and every version before the cases is as it was.
	after := storedState(t, db)
	if diff := cmp.Diff(before, after[:len(before)]); diff != "" {
		t.Errorf("stored versions changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(wantTotals, factTotals(t, db, malformedID, good.Version)); diff != "" {
		t.Errorf("the good version's totals changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(summaryTotals(good), wantTotals); diff != "" {
		t.Errorf("the good version's stored facts differ from its summary (-summary +stored):\n%s", diff)
	}
}

// malformedCases lists the bad inputs; secret is a valid CSV outside every
// case's directory, outside a directory holding data/budget.csv, and from
// a directory whose budget.csv links to secret.
func malformedCases(secret, outside, from string) []malformedCase {
	const header = "Year,Ministry,Amount\n"
	return []malformedCase{
		// Empty and nearly empty files.
		{name: "empty file", files: csvFile(""), code: mizan.EINVALID, names: []string{"budget.csv", "empty"}},
		{name: "blank lines only", files: csvFile("\n\r\n\n"), code: mizan.EINVALID, names: []string{"budget.csv", "lacks"}},
		{name: "header only", files: csvFile(header), code: mizan.EINVALID, names: []string{"budget.csv", "no data rows"}},
		{name: "header without newline", files: csvFile("Year,Ministry,Amount"), code: mizan.EINVALID, names: []string{"budget.csv", "no data rows"}},

		// Bytes that are not text.
		{name: "NUL bytes in a label", files: csvFile(header + "2023,Hea\x00lth,1\n2023,Works,2\n"),
			rejects: []rejectAt{{2, "Ministry"}}, facts: 1},
		{name: "NUL bytes in an amount", files: csvFile(header + "2023,Health,1\x0000\n2023,Works,2\n"),
			rejects: []rejectAt{{2, "Amount"}}, facts: 1},
		{name: "a file of NUL bytes", files: csvFile(strings.Repeat("\x00", 4096)), code: mizan.EINVALID, names: []string{"budget.csv"}},
		{name: "an image named .csv", files: map[string][]byte{"budget.csv": pngBytes()}, code: mizan.EINVALID, names: []string{"budget.csv"}},
		{name: "a zip of an image named .csv", files: map[string][]byte{"budget.csv": zipOf(zip.Deflate, "photo.png", pngBytes())},
			code: mizan.EINVALID, names: []string{"budget.csv!photo.png"}},
		{name: "invalid UTF-8 declared utf-8", desc: malformedDescriptor("budget.csv", "encoding: utf-8"),
			files: csvFile(header + "2023,Sant\xe9,1\n2023,Works,2\n"), rejects: []rejectAt{{2, "Ministry"}}, facts: 1},
		{name: "mixed encodings", files: csvFile(header + strings.Repeat("2023,وزارة الصحة,1\n", 4) + "2023,\xc7\xe1\xd5\xcd\xc9,2\n"),
			rejects: []rejectAt{{6, "Ministry"}}, facts: 4},
		{name: "UTF-16LE without BOM", files: map[string][]byte{"budget.csv": malformed.UTF16LE(header + "2023,Health,1\n2023,Works,2\n")}, facts: 2},
		{name: "UTF-16BE without BOM", files: map[string][]byte{"budget.csv": utf16BE(header + "2023,Health,1\n2023,Works,2\n")}, facts: 2},
		{name: "BOM in the middle of a label", files: csvFile(header + "2023,Hea\ufefflth,1\n2023,Works,2\n"), facts: 2},
		{name: "BOM in the middle of the header", files: csvFile("Year,Minis\ufefftry,Amount\n2023,Health,1\n"), facts: 1},
		{name: "CRLF, CR and LF mixed", files: csvFile("Year,Ministry,Amount\r\n2023,Health,1\r2023,Works,2\n2024,Health,3\r\n"),
			rejects: []rejectAt{{2, ""}}, facts: 1},

		// Size.
		{name: "a 10 MB line", files: csvFile(header + "2023," + strings.Repeat("x", 10<<20) + ",1\n2023,Works,2\n"),
			rejects: []rejectAt{{2, "Ministry"}}, facts: 1},
		{name: "a 20 MB unclosed quote", files: csvFile(header + "2023,\"Health,1\n" + strings.Repeat("2023,Works,2\n", 20<<20/12)),
			code: mizan.EINVALID, names: []string{"budget.csv", "line 2"}},
		{name: "a million columns", files: csvFile(header + "2023,Health," + strings.Repeat("1,", 1<<20) + "1\n2023,Works,2\n"),
			rejects: []rejectAt{{2, ""}}, facts: 1},
		{name: "ragged rows", files: csvFile(header + "2023,Health\n2023,Works,2,3\n2023,Works,2\n"),
			rejects: []rejectAt{{2, ""}, {3, ""}}, facts: 1},
		{name: "duplicate column names", files: csvFile("Year,Ministry,Amount,Amount\n2023,Health,1,2\n"),
			code: mizan.EINVALID, names: []string{"budget.csv", `"Amount"`}},

		// Numbers and dates.
		{name: "an amount of 400 digits", files: csvFile(header + "2023,Health," + strings.Repeat("9", 400) + "\n2023,Works,2\n"),
			rejects: []rejectAt{{2, "Amount"}}, facts: 1},
		{name: "an amount of 400 decimals", files: csvFile(header + "2023,Health,1." + strings.Repeat("1", 400) + "\n2023,Works,2\n"),
			rejects: []rejectAt{{2, "Amount"}}, facts: 1},
		{name: "amounts that are not numbers", files: csvFile(header + "2023,A,1e400\n2023,B,NaN\n2023,C,Infinity\n2023,D,--5\n2023,E,0x10\n2023,G,1e-400\n2023,F,2\n"),
			rejects: []rejectAt{{2, "Amount"}, {3, "Amount"}, {4, "Amount"}, {5, "Amount"}, {6, "Amount"}, {7, "Amount"}}, facts: 1},
		{name: "a year of 20 digits", files: csvFile(header + "99999999999999999999,Health,1\n0,Works,2\n2023,Works,3\n"),
			rejects: []rejectAt{{2, "Year"}, {3, "Year"}}, facts: 1},
		{name: "dates 0000-00-00 and 2023-02-30", desc: datedDescriptor,
			files:   csvFile("Date,Ministry,Amount\n0000-00-00,Health,1\n2023-02-30,Works,2\n2023-13-01,Works,3\n2023-02-28,Works,4\n"),
			rejects: []rejectAt{{2, "Date"}, {3, "Date"}, {4, "Date"}}, facts: 1},

		// Compressed containers.
		{name: "truncated zip", files: map[string][]byte{"budget.csv": half(zipOf(zip.Deflate, "budget.csv", []byte(goodCSV+goodCSV)))},
			code: mizan.EINVALID, names: []string{"budget.csv"}},
		{name: "zip with a corrupt deflate stream", files: map[string][]byte{"budget.csv": corruptZip(zip.Deflate)},
			code: mizan.EINVALID, names: []string{"budget.csv!budget.csv"}},
		{name: "zip with a wrong checksum", files: map[string][]byte{"budget.csv": corruptZip(zip.Store)},
			code: mizan.EINVALID, names: []string{"budget.csv!budget.csv"}},
		{name: "zip with no file", files: map[string][]byte{"budget.csv": emptyZip()},
			code: mizan.EINVALID, names: []string{"budget.csv", "no data file"}},
		{name: "zip bomb of newlines", files: map[string][]byte{"budget.csv": malformed.BombZip("budget.csv", []byte(header), '\n', 4<<30)},
			opts: Options{MaxBytes: 64 << 20}, code: mizan.EINVALID, names: []string{"budget.csv!budget.csv", "decompresses to more than"}, memory: 512 << 20},
		{name: "zip bomb of one endless line", files: map[string][]byte{"budget.csv": malformed.BombZip("budget.csv", []byte(header+"2023,"), '0', 4<<30)},
			code: mizan.EINVALID, names: []string{"budget.csv!budget.csv", "line 2"}, memory: 512 << 20},
		{name: "gzip bomb", files: map[string][]byte{"budget.csv.gz": malformed.BombGzip([]byte(header), '\n', 4<<30)},
			desc: malformedDescriptor("budget.csv.gz"), opts: Options{MaxBytes: 64 << 20},
			code: mizan.EINVALID, names: []string{"budget.csv.gz", "decompresses to more than"}, memory: 512 << 20},
		{name: "truncated gzip", files: map[string][]byte{"budget.csv.gz": half(gzipOf([]byte(goodCSV + strings.Repeat("2023,Works,2\n", 1000))))},
			desc: malformedDescriptor("budget.csv.gz"), code: mizan.EINVALID, names: []string{"budget.csv.gz"}},

		// Workbooks.
		{name: "xlsx that is a zip of something else", desc: malformedDescriptor("budget.xlsx"),
			files: map[string][]byte{"budget.xlsx": zipOf(zip.Deflate, "notes.txt", []byte("hello"))},
			code:  mizan.EINVALID, names: []string{"budget.xlsx"}},
		{name: "xlsx that is text", desc: malformedDescriptor("budget.xlsx"),
			files: map[string][]byte{"budget.xlsx": []byte(goodCSV)}, code: mizan.EINVALID, names: []string{"budget.xlsx"}},
		{name: "truncated xlsx", desc: malformedDescriptor("budget.xlsx"),
			files: map[string][]byte{"budget.xlsx": half(xlsxOf(sheetXML([][]string{{"Year", "Ministry", "Amount"}, {"2023", "Health", "1"}})))},
			code:  mizan.EINVALID, names: []string{"budget.xlsx"}},
		{name: "xlsx with a million columns", desc: malformedDescriptor("budget.xlsx"),
			files: map[string][]byte{"budget.xlsx": xlsxOf(wideSheetXML(1_000_000))},
			code:  mizan.EINVALID, names: []string{"budget.xlsx [Sheet1] row 2", "1000003"}, memory: 512 << 20},
		{name: "xlsx with a 2 GiB styles part", desc: malformedDescriptor("budget.xlsx"),
			files: map[string][]byte{"budget.xlsx": xlsxPartBomb("xl/styles.xml", 2<<30)},
			code:  mizan.EINVALID, names: []string{"budget.xlsx", "xl/styles.xml"}, memory: 512 << 20},
		{name: "xlsx with 1 GiB of shared strings", desc: malformedDescriptor("budget.xlsx"),
			files: map[string][]byte{"budget.xlsx": xlsxPartBomb("xl/sharedStrings.xml", 1<<30)},
			code:  mizan.EINVALID, names: []string{"budget.xlsx", "xl/sharedStrings.xml"}, memory: 512 << 20},
		{name: "xlsx bomb", desc: malformedDescriptor("budget.xlsx"),
			files: map[string][]byte{"budget.xlsx": xlsxBomb(2 << 30)}, opts: Options{MaxBytes: 64 << 20},
			code: mizan.EINVALID, names: []string{"budget.xlsx"}, memory: 512 << 20},

		// Paths.
		{name: "source ../../etc/passwd", desc: malformedDescriptor("../../etc/passwd"), code: mizan.EINVALID, names: []string{"../../etc/passwd"}},
		{name: "source /etc/passwd", desc: malformedDescriptor("/etc/passwd"), code: mizan.EINVALID, names: []string{"/etc/passwd", "absolute"}},
		{name: "source a symlink out of the directory", setup: symlink(secret, "budget.csv"), code: mizan.EINVALID, names: []string{"budget.csv", "outside"}},
		{name: "source under a symlinked directory", desc: malformedDescriptor("data/budget.csv"),
			setup: symlink(filepath.Join(outside, "data"), "data"), code: mizan.EINVALID, names: []string{"data/budget.csv", "outside"}},
		{name: "--from file a symlink out of it", opts: Options{From: from}, code: mizan.EINVALID, names: []string{"budget.csv", "outside"}},
		{name: "glob matching a symlink out", desc: malformedDescriptor(`"*.csv"`), setup: symlink(secret, "budget.csv"),
			code: mizan.EINVALID, names: []string{"budget.csv", "outside"}},
		{name: "glob matching nothing", desc: malformedDescriptor(`"nothing/*.csv"`), code: mizan.EINVALID, names: []string{"nothing/*.csv"}},
		{name: "source url file:///etc/passwd", desc: strings.Replace(malformedDescriptor("passwd"), "  - name: passwd\n", "  - url: file:///etc/passwd\n", 1),
			code: mizan.EINVALID, names: []string{"file:///etc/passwd"}},
		{name: "data package with a resource outside", load: "datapackage.json",
			files: map[string][]byte{"datapackage.json": []byte(`{"name": "malformed", "resources": [{"name": "r", "path": "../../etc/passwd",
				"schema": {"fields": [{"name": "Amount", "type": "number", "columnType": "value"}]}}]}`)},
			code: mizan.EINVALID, names: []string{"datapackage.json", "../../etc/passwd"}},
		{name: "data package with a symlinked resource out", load: "datapackage.json",
			files: map[string][]byte{"datapackage.json": []byte(`{"name": "malformed", "resources": [{"name": "r", "path": "budget.csv",
				"schema": {"fields": [{"name": "Year", "type": "integer"}, {"name": "Ministry", "type": "string"}, {"name": "Amount", "type": "number"}]}}],
				"mapping": {"measures": {"amount": {"source": "Amount", "currency": "BHD"}},
				"date": {"dimensionType": "datetime", "attributes": {"year": {"source": "Year"}}},
				"dimensions": {"administrative": {"dimensionType": "classification", "attributes": {"Ministry": {"source": "Ministry"}}}}}}`)},
			setup: symlink(secret, "budget.csv"), code: mizan.EINVALID, names: []string{"budget.csv", "outside"}},

		// Descriptors.
		{name: "YAML bomb", desc: yamlBomb(), code: mizan.EINVALID, names: []string{"d.yaml"}},
		{name: "descriptor 10,000 deep", desc: `{"id": "malformed", "title": ` + strings.Repeat(`{"en": `, 10000) + `"x"` + strings.Repeat("}", 10000) + "}",
			code: mizan.EINVALID, names: []string{"d.yaml"}},
		{name: "data package 10,000 deep", load: "datapackage.json",
			files: map[string][]byte{"datapackage.json": []byte(`{"name": "malformed", "resources": ` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "}")},
			code:  mizan.EINVALID, names: []string{"datapackage.json", "deeper"}},
		{name: "descriptor with NUL bytes", desc: "id: malformed\x00\ntitle: {en: x}\n", code: mizan.EINVALID, names: []string{"d.yaml"}},
		{name: "descriptor in UTF-16", desc: string(malformed.UTF16LE(malformedDescriptor("budget.csv"))), code: mizan.EINVALID, names: []string{"d.yaml"}},
	}
}

// symlink returns a setup that links name (in the case's directory) to
// target.
func symlink(target, name string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		p := filepath.Join(dir, name)
		_ = os.Remove(p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustLoad(t *testing.T, path string) *Descriptor {
	t.Helper()
	d, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// latestVersion is the malformed dataset's newest version number.
func latestVersion(t *testing.T, db *store.DB) int {
	t.Helper()
	d, err := db.GetDataset(context.Background(), malformedID, true)
	if err != nil {
		t.Fatal(err)
	}
	return d.Versions[len(d.Versions)-1].Number
}

// storedVersion is what a stored version must keep.
type storedVersion struct {
	Dataset, Hash, Status string
	Number                int
	Rows, Rejected        int64
	Years                 []int
}

// storedState lists every stored version, in order.
func storedState(t *testing.T, db *store.DB) []storedVersion {
	t.Helper()
	ds, err := db.ListDatasets(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var out []storedVersion
	for _, d := range ds {
		for _, v := range d.Versions {
			out = append(out, storedVersion{d.ID, v.ContentHash, v.Status, v.Number, v.Rows, v.Rejected, v.Years})
		}
	}
	return out
}

// pngBytes is the start of a PNG image: its signature, a header chunk and
// binary noise.
func pngBytes() []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00")
	for i := range 4000 {
		b = append(b, byte(i*7919>>3))
	}
	return b
}

func utf16BE(s string) []byte {
	var b []byte
	for _, r := range s {
		b = binary.BigEndian.AppendUint16(b, uint16(r))
	}
	return b
}

func zipOf(method uint16, name string, data []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		panic(err)
	}
	w.Write(data)
	zw.Close()
	return buf.Bytes()
}

func emptyZip() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.Create("folder/")
	zw.Close()
	return buf.Bytes()
}

// corruptZip is a zip of a CSV whose data bytes were changed after the
// checksum was written: a broken deflate stream, or (stored) a checksum
// mismatch.
func corruptZip(method uint16) []byte {
	data := []byte(goodCSV + strings.Repeat("2023,Works,2\n", 2000))
	z := zipOf(method, "budget.csv", data)
	off := 30 + len("budget.csv") // the first local header's data
	for i := off + 20; i < off+60; i++ {
		z[i] ^= 0x5a
	}
	return z
}

// half is the first half of b: a truncated download.
func half(b []byte) []byte { return b[:len(b)/2] }

func gzipOf(data []byte) []byte {
	return malformed.GzipRaw(deflate(data), crc32.ChecksumIEEE(data), uint32(len(data)))
}

func deflate(data []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// xlsxParts are the parts of a one-sheet workbook but its sheet.
var xlsxParts = []struct{ name, body string }{
	{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
	{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const sheetTail = `</sheetData></worksheet>`

// xlsxOf is a workbook whose only sheet is sheet.
func xlsxOf(sheet []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range xlsxParts {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.body))
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write(sheet)
	zw.Close()
	return buf.Bytes()
}

// sheetXML is a sheet of inline-string cells.
func sheetXML(rows [][]string) []byte {
	var b strings.Builder
	b.WriteString(sheetHead)
	for i, r := range rows {
		fmt.Fprintf(&b, `<row r="%d">`, i+1)
		for _, c := range r {
			fmt.Fprintf(&b, `<c t="inlineStr"><is><t>%s</t></is></c>`, c)
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(sheetTail)
	return []byte(b.String())
}

// wideSheetXML is a sheet whose header row has n cells.
func wideSheetXML(n int) []byte {
	var b bytes.Buffer
	b.WriteString(sheetHead)
	b.WriteString(`<row r="1"><c t="inlineStr"><is><t>Year</t></is></c><c t="inlineStr"><is><t>Ministry</t></is></c><c t="inlineStr"><is><t>Amount</t></is></c>`)
	for range n {
		b.WriteString(`<c><v>1</v></c>`)
	}
	b.WriteString(`</row><row r="2"><c><v>2023</v></c><c t="inlineStr"><is><t>Health</t></is></c><c><v>1</v></c></row>`)
	b.WriteString(sheetTail)
	return b.Bytes()
}

// xlsxBomb is a workbook whose sheet inflates to size bytes of spaces.
func xlsxBomb(size int64) []byte {
	raw, crc, n := malformed.DeflateBomb([]byte(sheetHead), ' ', size)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range xlsxParts {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.body))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(n)})
	if err != nil {
		panic(err)
	}
	w.Write(raw)
	zw.Close()
	return buf.Bytes()
}

// xlsxPartBomb is a good one-sheet workbook with one more part, name,
// inflating to size bytes of spaces.
func xlsxPartBomb(name string, size int64) []byte {
	raw, crc, n := malformed.DeflateBomb([]byte(`<?xml version="1.0"?>`), ' ', size)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range xlsxParts {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.body))
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write(sheetXML([][]string{{"Year", "Ministry", "Amount"}, {"2023", "Health", "1"}}))
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(n)})
	if err != nil {
		panic(err)
	}
	w.Write(raw)
	zw.Close()
	return buf.Bytes()
}

// yamlBomb is a "billion laughs" descriptor: nine levels of aliases, each
// repeating the one before nine times.
func yamlBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [\"lol\"]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := range 9 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("id: malformed\ntitle: {en: *a9}\n")
	return b.String()
}

// FuzzCheckRelPath checks the guard on source names: a name it accepts,
// read either with "/" or "\" as separator, stays inside the descriptor's
// directory.
func FuzzCheckRelPath(f *testing.F) {
	for _, s := range []string{"a.csv", "data/a.csv", "../a.csv", "a/../../b", "/etc/passwd", `..\..\x`, `C:\x`, "a/./b", "....//x", "a\x00b", "%2e%2e/x", "~/x", "a/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if checkRelPath(name) != nil {
			return
		}
		for _, n := range []string{name, strings.ReplaceAll(name, `\`, "/")} {
			c := path.Clean(n)
			if path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
				t.Fatalf("checkRelPath accepts %q, which cleans to %q", name, c)
			}
			if p := filepath.Join("/base", filepath.FromSlash(n)); p != "/base" && !strings.HasPrefix(p, "/base/") {
				t.Fatalf("checkRelPath accepts %q, which joins to %q", name, p)
			}
		}
	})
}
