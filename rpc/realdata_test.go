package rpc_test

// End to end on real datasets: every RPC through the generated Connect
// clients against a real server on loopback, serving the public datasets of
// ../../shared/datasets ingested through the real pipeline (see
// realdata_env_test.go), with results compared against an independent
// computation over the raw files (see realdata_raw_test.go).
//
//	go test -tags duckdb_arrow -race -run RealData ./rpc/
//	go test -tags duckdb_arrow -run RealData ./rpc/ -update-realdata   # rewrite testdata/realdata
//
// The tests skip when the shared folder is absent.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	_ "github.com/duckdb/duckdb-go/v2"
	"google.golang.org/protobuf/proto"

	"github.com/mizan-budget/mizan"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
)

// realScale is the number of decimals each dataset's amounts carry.
var realScale = map[string]int{bahrainID: 3, madridID: 2, macedoniaID: 2, mexicoID: 2, demoID: 3}

var realCurrency = map[string]string{bahrainID: "BHD", madridID: "EUR", macedoniaID: "MKD", mexicoID: "MXN", demoID: "KWD"}

var allRealIDs = []string{bahrainID, madridID, macedoniaID, mexicoID, demoID}

// phaseOrder is budget order.
var phaseOrder = []string{mizan.PhaseProposed, mizan.PhaseApproved, mizan.PhaseRevised, mizan.PhaseExecuted}

func cut(dim string, values ...string) *mizanv1.Cut {
	return &mizanv1.Cut{Dimension: dim, Values: values}
}

// ---------------------------------------------------------------------------
// CatalogService

func TestRealDataCatalog(t *testing.T) {
	e := newRealDataEnv(t)
	list := must(t, e.c.cat.ListDatasets, &mizanv1.ListDatasetsRequest{})
	byID := map[string]*mizanv1.DatasetSummary{}
	var ids []string
	for _, d := range list.GetDatasets() {
		byID[d.GetId()] = d
		ids = append(ids, d.GetId())
	}
	if !slices.IsSorted(ids) || len(ids) != len(allRealIDs) {
		t.Errorf("ListDatasets: %q, want the %d datasets by id", ids, len(allRealIDs))
	}
	for _, id := range allRealIDs {
		t.Run(id, func(t *testing.T) {
			raw := rawData(t, e.realStore, id)
			wantYears := map[int32]bool{}
			wantPhases, wantDirs := map[string]bool{}, map[string]bool{}
			for _, f := range raw.facts {
				wantYears[int32(f.year)] = true
				wantPhases[f.phase] = true
				wantDirs[f.direction] = true
			}
			years := make([]int32, 0, len(wantYears))
			for y := range wantYears {
				years = append(years, y)
			}
			slices.Sort(years)
			var phases []string
			for _, p := range phaseOrder {
				if wantPhases[p] {
					phases = append(phases, p)
				}
			}
			dirs := sortedKeys(wantDirs)

			s := byID[id]
			if s == nil {
				t.Fatalf("ListDatasets has no %s", id)
			}
			if s.GetRowCount() != int64(len(raw.facts)) || !slices.Equal(s.GetYears(), years) || !slices.Equal(s.GetPhases(), phases) ||
				!slices.Equal(sorted(s.GetDirections()), dirs) || s.GetCurrency() != realCurrency[id] || s.GetLatestVersion() != 1 ||
				s.GetSynthetic() != (id == demoID) {
				t.Errorf("ListDatasets entry:\n  got  rows %d years %v phases %v directions %v %s v%d synthetic %v\n  want rows %d years %v phases %v directions %v %s v1",
					s.GetRowCount(), s.GetYears(), s.GetPhases(), s.GetDirections(), s.GetCurrency(), s.GetLatestVersion(), s.GetSynthetic(),
					len(raw.facts), years, phases, dirs, realCurrency[id])
			}

			d := must(t, e.c.cat.GetDataset, &mizanv1.GetDatasetRequest{Dataset: id}).GetDataset()
			v := d.GetVersion()
			if v.GetNumber() != 1 || v.GetRows() != int64(len(raw.facts)) || v.GetRowsRead() != raw.rowsRead() || v.GetRejected() != 0 ||
				v.GetScale() != int32(realScale[id]) || v.GetStatus() != mizanv1.VersionStatus_VERSION_STATUS_PUBLISHED {
				t.Errorf("version: %v; want %d facts from %d rows, scale %d", v, len(raw.facts), raw.rowsRead(), realScale[id])
			}
			if !slices.Equal(d.GetYears(), years) || !slices.Equal(d.GetPhases(), phases) || !slices.Equal(sorted(d.GetDirections()), dirs) ||
				!slices.Equal(d.GetCurrencies(), []string{realCurrency[id]}) || d.GetCurrency() != realCurrency[id] {
				t.Errorf("GetDataset: years %v phases %v directions %v currencies %v", d.GetYears(), d.GetPhases(), d.GetDirections(), d.GetCurrencies())
			}

			if v.GetContentHash() != e.sums[id].ContentHash || v.GetFactor() != "1" {
				t.Errorf("version content_hash %q factor %q; ingest %q", v.GetContentHash(), v.GetFactor(), e.sums[id].ContentHash)
			}
			if ms := d.GetMeasures(); len(ms) != 1 || ms[0].GetId() != "amount" || ms[0].GetCurrency() != realCurrency[id] ||
				!slices.Equal(sorted(ms[0].GetAggregates()), []string{"avg", "count", "max", "min", "share", "sum"}) {
				t.Errorf("measures %v", ms)
			}

			// Dimensions and levels as the descriptor declares them, with
			// member counts equal to the distinct keys of the raw files.
			desc := e.descs[id]
			if len(d.GetDimensions()) != len(desc.Dimensions) {
				t.Fatalf("%d dimensions, descriptor declares %d", len(d.GetDimensions()), len(desc.Dimensions))
			}
			levels := 0
			for i, dim := range d.GetDimensions() {
				spec := desc.Dimensions[i]
				if dim.GetId() != spec.ID || len(dim.GetLevels()) != len(spec.Levels) || dim.GetLabel()["en"] != spec.Label["en"] || dim.GetLabel()["ar"] != spec.Label["ar"] {
					t.Errorf("dimension %d: %v, descriptor %+v", i, dim, spec)
					continue
				}
				for j, l := range dim.GetLevels() {
					ref := spec.ID + "." + spec.Levels[j].ID
					if l.GetId() != spec.Levels[j].ID || l.GetRef() != ref || l.GetLabel()["ar"] != spec.Levels[j].Label["ar"] {
						t.Errorf("level %s: %v", ref, l)
					}
					if id == demoID && ref != "admin.ministry" {
						continue
					}
					want := raw.distinct(ref)
					if len(want) == 0 {
						t.Errorf("the independent pass has no keys of %s", ref)
						continue
					}
					levels++
					if l.GetMemberCount() != int64(len(want)) {
						t.Errorf("%s: %d members, the raw files have %d distinct keys", ref, l.GetMemberCount(), len(want))
					}
				}
			}
			t.Logf("%s: %d facts from %d rows, %d levels' member counts checked", id, len(raw.facts), raw.rowsRead(), levels)

			// Source files: names, sizes and sha256 of the raw files.
			if len(d.GetSources()) != len(raw.files) {
				t.Fatalf("%d sources, the independent pass read %d files", len(d.GetSources()), len(raw.files))
			}
			for i, src := range d.GetSources() {
				rf := raw.file(src.GetName())
				if rf == nil {
					t.Errorf("source %q is not a file the rules read", src.GetName())
					continue
				}
				if src.GetId() != int32(i+1) || src.GetSha256() != rf.sha256 || src.GetBytes() != rf.bytes {
					t.Errorf("source %s: id %d sha256 %s bytes %d; the file has sha256 %s, %d bytes", src.GetName(), src.GetId(), src.GetSha256(), src.GetBytes(), rf.sha256, rf.bytes)
				}
				// SourceFile.rows is the rows read from the file: its data
				// rows below the header, blank and total rows included (not
				// the facts, which differ for wide or blank-padded files).
				if src.GetRows() != rf.rows {
					t.Errorf("source %s: rows %d; the file has %d data rows (giving %d facts)", src.GetName(), src.GetRows(), rf.rows, rf.facts)
				}
				if id != demoID && !strings.HasPrefix(src.GetUrl(), "https://") {
					t.Errorf("source %s: url %q", src.GetName(), src.GetUrl())
				}
			}
		})
	}
}

// TestRealDataBahrainFiles checks that the descriptor reads exactly the
// files the independent rules keep, and leaves out the memorandum tables.
func TestRealDataBahrainFiles(t *testing.T) {
	e := newRealDataEnv(t)
	raw := rawData(t, e.realStore, bahrainID)
	var names []string
	for _, s := range e.descs[bahrainID].Sources {
		names = append(names, s.Name)
	}
	var want []string
	for _, f := range raw.files {
		want = append(want, f.name)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("descriptor sources %q\nindependent rules read %q", names, want)
	}
	if len(raw.files) != 29 || len(raw.leftOut) != 6 {
		t.Errorf("%d files read, %d left out (%q); want 29 and 6", len(raw.files), len(raw.leftOut), raw.leftOut)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestRealDataListMembers(t *testing.T) {
	e := newRealDataEnv(t)
	raw := rawData(t, e.realStore, bahrainID)
	labels := e.descs[bahrainID].Labels

	t.Run("Arabic search, folded spelling", func(t *testing.T) {
		// "وزاره الصحه" is "وزارة الصحة" with tāʾ marbūṭa written hāʾ.
		resp := must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: bahrainID, Dimension: "admin.ministry", Search: "وزاره الصحه", Lang: "ar"})
		var found *mizanv1.Member
		for _, m := range resp.GetMembers() {
			if m.GetKey() == "Ministry of Health" {
				found = m
			}
			if ar := foldArabic(m.GetLabels()["ar"]); !strings.Contains(ar, "وزاره") || !strings.Contains(ar, "الصحه") {
				t.Errorf("%q (%q) does not match the search", m.GetKey(), m.GetLabels()["ar"])
			}
		}
		// Independently: every ministry of the raw files whose Arabic label
		// (from the descriptor) folds to contain both words.
		want := 0
		for k := range raw.distinct("admin.ministry") {
			ar := foldArabic(labels["admin.ministry"][k]["ar"])
			if strings.Contains(ar, "وزاره") && strings.Contains(ar, "الصحه") {
				want++
			}
		}
		if found == nil || found.GetLabel() != "وزارة الصحة" || found.GetLabels()["ar"] != "وزارة الصحة" || found.GetLabels()["en"] != "Ministry of Health" {
			t.Fatalf("search did not find the Ministry of Health with its Arabic label: %v", resp.GetMembers())
		}
		if resp.GetTotalCount() != int64(want) || len(resp.GetMembers()) != want {
			t.Errorf("%d matches (total %d), the raw files and descriptor labels give %d", len(resp.GetMembers()), resp.GetTotalCount(), want)
		}
		if found.GetParent() == "" {
			t.Errorf("the Ministry of Health has no sector")
		}
		// Latin search, case-insensitive, word order free.
		resp = must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: bahrainID, Dimension: "admin.ministry", Search: "HEALTH ministry", Lang: "en"})
		if !slices.ContainsFunc(resp.GetMembers(), func(m *mizanv1.Member) bool {
			return m.GetKey() == "Ministry of Health" && m.GetLabel() == "Ministry of Health"
		}) {
			t.Errorf("English search did not find the Ministry of Health: %v", resp.GetMembers())
		}
	})

	t.Run("parent filter", func(t *testing.T) {
		sectors := must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: bahrainID, Dimension: "admin.sector", PageSize: 1000, Lang: "ar"})
		if sectors.GetTotalCount() != int64(len(raw.distinct("admin.sector"))) {
			t.Errorf("%d sectors, the raw files have %d", sectors.GetTotalCount(), len(raw.distinct("admin.sector")))
		}
		// Which sectors each ministry appears under in the raw files.
		under := map[string]map[string]bool{}
		for _, f := range raw.facts {
			m, s := f.keys["admin.ministry"], f.keys["admin.sector"]
			if m == "" {
				continue
			}
			if under[m] == nil {
				under[m] = map[string]bool{}
			}
			under[m][s] = true
		}
		var children int64
		for _, s := range sectors.GetMembers() {
			if want := labels["admin.sector"][s.GetKey()]["ar"]; s.GetLabel() != want || want == "" {
				t.Errorf("sector %q: Arabic label %q, descriptor %q", s.GetKey(), s.GetLabel(), want)
			}
			resp := must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: bahrainID, Dimension: "admin.ministry", Parent: s.GetKey(), PageSize: 1000})
			if resp.GetTotalCount() != s.GetChildCount() || int64(len(resp.GetMembers())) != s.GetChildCount() {
				t.Errorf("sector %q: child_count %d, ListMembers(parent) gives %d (total %d)", s.GetKey(), s.GetChildCount(), len(resp.GetMembers()), resp.GetTotalCount())
			}
			children += resp.GetTotalCount()
			got := map[string]bool{}
			for _, m := range resp.GetMembers() {
				got[m.GetKey()] = true
				if m.GetParent() != s.GetKey() {
					t.Errorf("parent filter %q returned %q with parent %q", s.GetKey(), m.GetKey(), m.GetParent())
				}
				if !under[m.GetKey()][s.GetKey()] {
					t.Errorf("%q is listed under %q, but no raw row puts it there", m.GetKey(), s.GetKey())
				}
			}
			// A ministry found under this sector only must be listed.
			for m, ss := range under {
				if len(ss) == 1 && ss[s.GetKey()] && !got[m] {
					t.Errorf("%q appears only under %q in the raw files but is not listed under it", m, s.GetKey())
				}
			}
		}
		// Every ministry with a sector is some sector's child.
		withSector := 0
		for _, ss := range under {
			if !(len(ss) == 1 && ss[""]) {
				withSector++
			}
		}
		if children != int64(withSector) {
			t.Errorf("sectors have %d children in all; %d ministries have a sector in the raw files", children, withSector)
		}
	})

	t.Run("paging until exhausted", func(t *testing.T) {
		want := raw.distinct("admin.ministry")
		req := &mizanv1.ListMembersRequest{Dataset: bahrainID, Dimension: "admin.ministry", PageSize: 40, Lang: "en"}
		seen := map[string]bool{}
		var prev string
		pages := 0
		for {
			resp := must(t, e.c.cat.ListMembers, req)
			pages++
			if resp.GetTotalCount() != int64(len(want)) || resp.GetDatasetVersion() != 1 {
				t.Fatalf("page %d: total %d version %d, want %d members of v1", pages, resp.GetTotalCount(), resp.GetDatasetVersion(), len(want))
			}
			for _, m := range resp.GetMembers() {
				if seen[m.GetKey()] {
					t.Errorf("%q on two pages", m.GetKey())
				}
				seen[m.GetKey()] = true
				// Ordered by label (the key breaks ties).
				cur := m.GetLabel() + "\x00" + m.GetKey()
				if cur < prev {
					t.Errorf("%q after %q: not in label order", cur, prev)
				}
				prev = cur
				if m.GetLabels()["ar"] != labels["admin.ministry"][m.GetKey()]["ar"] {
					t.Errorf("%q: Arabic label %q, descriptor %q", m.GetKey(), m.GetLabels()["ar"], labels["admin.ministry"][m.GetKey()]["ar"])
				}
			}
			if resp.GetNextPageToken() == "" {
				break
			}
			if len(resp.GetMembers()) != 40 {
				t.Errorf("page %d has %d members and a next page", pages, len(resp.GetMembers()))
			}
			req.PageToken = resp.GetNextPageToken()
			if pages > 100 {
				t.Fatal("paging does not end")
			}
		}
		if len(seen) != len(want) {
			t.Errorf("paged through %d members, the raw files have %d distinct ministries", len(seen), len(want))
		}
		for k := range want {
			if !seen[k] {
				t.Errorf("ministry %q of the raw files was never listed", k)
			}
		}
		if wantPages := (len(want) + 39) / 40; pages != wantPages {
			t.Errorf("%d pages, want %d", pages, wantPages)
		}
	})

	t.Run("source-language labels", func(t *testing.T) {
		// Madrid's labels are Spanish (the dataset language) from the file.
		rm := rawData(t, e.realStore, madridID)
		resp := must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: madridID, Dimension: "admin.centro", PageSize: 100})
		if len(resp.GetMembers()) != len(rm.labels["admin.centro"]) {
			t.Errorf("%d centres, the raw file has %d", len(resp.GetMembers()), len(rm.labels["admin.centro"]))
		}
		for _, m := range resp.GetMembers() {
			if want := rm.labels["admin.centro"][m.GetKey()]; m.GetLabels()["es"] != want {
				t.Errorf("centro %s: es label %q, file %q", m.GetKey(), m.GetLabels()["es"], want)
			}
		}
		// Accent-insensitive: "comision federal" finds every ramo whose
		// (CP850-decoded) name has "Comisión" and "Federal".
		resp = must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: mexicoID, Dimension: "admin.ramo", Search: "comision federal"})
		var wantRamos, gotRamos []string
		for k, l := range rawData(t, e.realStore, mexicoID).labels["admin.ramo"] {
			if l := strings.ToLower(strings.NewReplacer("ó", "o", "Ó", "O").Replace(l)); strings.Contains(l, "comision") && strings.Contains(l, "federal") {
				wantRamos = append(wantRamos, k)
			}
		}
		for _, m := range resp.GetMembers() {
			gotRamos = append(gotRamos, m.GetKey())
		}
		if slices.Sort(wantRamos); len(wantRamos) == 0 || !slices.Equal(sorted(gotRamos), wantRamos) {
			t.Errorf("\"comision federal\" finds ramos %q, the raw labels give %q", gotRamos, wantRamos)
		}
		// Mexico's came through CP850.
		rx := rawData(t, e.realStore, mexicoID)
		resp = must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: mexicoID, Dimension: "admin.ramo", Search: "electricidad"})
		if len(resp.GetMembers()) != 1 || resp.GetMembers()[0].GetKey() != "53" || resp.GetMembers()[0].GetLabels()["es"] != rx.labels["admin.ramo"]["53"] ||
			rx.labels["admin.ramo"]["53"] != "Comisión Federal de Electricidad" {
			t.Errorf("ramo search \"electricidad\": %v; raw label of 53 %q", resp.GetMembers(), rx.labels["admin.ramo"]["53"])
		}
	})

	t.Run("Mexico composite codes", func(t *testing.T) {
		// Codes local to their parent are keyed under the parent codes
		// (Ramo.UNIDAD, GF.FN, GF.FN.SF, Ramo.MOD.PP) and labelled with
		// their descriptions: every member as the raw file gives it, with
		// the parent the raw rows put it under.
		rx := rawData(t, e.realStore, mexicoID)
		for ref, parentRef := range map[string]string{
			"admin.unidad": "admin.ramo", "functional.funcion": "functional.finalidad",
			"functional.subfuncion": "functional.funcion", "programme.programa": "programme.modalidad",
		} {
			parents := map[string]map[string]bool{}
			for _, f := range rx.facts {
				k := f.keys[ref]
				if parents[k] == nil {
					parents[k] = map[string]bool{}
				}
				parents[k][f.keys[parentRef]] = true
			}
			resp := must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: mexicoID, Dimension: ref, PageSize: 10000, Lang: "es"})
			if resp.GetTotalCount() != int64(len(parents)) || len(resp.GetMembers()) != len(parents) || len(rx.labels[ref]) != len(parents) {
				t.Errorf("%s: %d members (total %d); the raw file has %d composite keys, %d labelled", ref, len(resp.GetMembers()), resp.GetTotalCount(), len(parents), len(rx.labels[ref]))
			}
			for _, m := range resp.GetMembers() {
				k, want := m.GetKey(), rx.labels[ref][m.GetKey()]
				if want == "" || m.GetLabel() != want || m.GetLabels()["es"] != want {
					t.Errorf("%s %q: label %q (es %q), raw description %q", ref, k, m.GetLabel(), m.GetLabels()["es"], want)
				}
				// The parent's code is in the key: first, or (MOD in
				// Ramo.MOD.PP) in the middle.
				inKey := strings.HasPrefix(k, m.GetParent()+".")
				if parentRef == "programme.modalidad" {
					inKey = strings.Count(k, ".") == 2 && strings.Contains(k, "."+m.GetParent()+".")
				}
				if ps := parents[k]; len(ps) != 1 || !ps[m.GetParent()] || !inKey {
					t.Errorf("%s %q: parent %q; the raw rows put it under %q", ref, k, m.GetParent(), sortedKeys(ps))
				}
			}
		}
	})
}

// TestRealDataListMembersOrderFollowsLang checks the documented contract
// of ListMembersRequest.lang: "Language tag for the label field and the
// order". Madrid's programme areas have es (the dataset's language), en and
// ar labels; every page must be in the order of the label field it shows.
//
// It fails for lang "es": store.DB.ListMembers orders by
// coalesce(label_en, label_ar, label_src, key) for every language but "ar",
// while the label field is the Spanish one, so the page is in English order.
func TestRealDataListMembersOrderFollowsLang(t *testing.T) {
	e := newRealDataEnv(t)
	for _, lang := range []string{"en", "ar", "es"} {
		t.Run(lang, func(t *testing.T) {
			resp := must(t, e.c.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: madridID, Dimension: "programme.area", Lang: lang})
			var labels []string
			for _, m := range resp.GetMembers() {
				if want := e.descs[madridID].Labels["programme.area"][m.GetKey()][lang]; m.GetLabel() != want || want == "" {
					t.Errorf("area %s: label %q, descriptor's %s label %q", m.GetKey(), m.GetLabel(), lang, want)
				}
				labels = append(labels, m.GetLabel())
			}
			if len(labels) != 6 || !slices.IsSorted(labels) {
				t.Errorf("lang %q: labels in the order %q, not sorted", lang, labels)
			}
		})
	}
}

var scopeColumnRE = regexp.MustCompile(`column "([^"]+)"`)

func TestRealDataIngestReport(t *testing.T) {
	e := newRealDataEnv(t)
	for _, id := range allRealIDs {
		t.Run(id, func(t *testing.T) {
			raw := rawData(t, e.realStore, id)
			sum := e.sums[id]
			r := must(t, e.c.cat.GetIngestReport, &mizanv1.GetIngestReportRequest{Dataset: id, PageSize: 10})
			if r.GetRowsRead() != sum.RowsRead || r.GetRows() != sum.Facts || r.GetRejectedCount() != sum.RowsRejected || r.GetDatasetVersion() != int32(sum.Version) {
				t.Errorf("report rows_read %d rows %d rejected %d v%d; ingest summary %d, %d, %d, v%d",
					r.GetRowsRead(), r.GetRows(), r.GetRejectedCount(), r.GetDatasetVersion(), sum.RowsRead, sum.Facts, sum.RowsRejected, sum.Version)
			}
			if sum.RowsRead != raw.rowsRead() || sum.Facts != int64(len(raw.facts)) || sum.RowsRejected != 0 || len(r.GetRejects()) != 0 || r.GetNextPageToken() != "" {
				t.Errorf("ingest read %d rows, stored %d facts, rejected %d (%d on the page); the raw files have %d rows and %d facts, none bad",
					sum.RowsRead, sum.Facts, sum.RowsRejected, len(r.GetRejects()), raw.rowsRead(), len(raw.facts))
			}
			if sum.RowsSkipped+sum.RowsTotals != raw.blank+raw.notStored {
				t.Errorf("ingest skipped %d rows and held %d as totals; the raw files have %d blank and %d total rows",
					sum.RowsSkipped, sum.RowsTotals, raw.blank, raw.notStored)
			}
			// The stored summary, as the report returns it.
			f := r.GetSummary().GetFields()
			for name, want := range map[string]int64{
				"rows_read": sum.RowsRead, "rows_accepted": sum.RowsAccepted, "rows_rejected": sum.RowsRejected,
				"rows_skipped": sum.RowsSkipped, "rows_totals": sum.RowsTotals, "facts": sum.Facts,
			} {
				if got := f[name].GetNumberValue(); int64(got) != want {
					t.Errorf("summary %s = %v, ingest said %d", name, got, want)
				}
			}
			rec := f["reconciliation"].GetStructValue().GetFields()
			if int(rec["checked"].GetNumberValue()) != sum.Reconciliation.Checked || int(rec["mismatches"].GetNumberValue()) != sum.Reconciliation.Mismatches {
				t.Errorf("summary reconciliation %v, ingest %+v", rec, sum.Reconciliation)
			}
			if f["dataset"].GetStringValue() != id || f["content_hash"].GetStringValue() != sum.ContentHash {
				t.Errorf("summary dataset %v content_hash %v", f["dataset"], f["content_hash"])
			}

			// Every published total checked, and checked right: the
			// published figure is the raw total row's, the computed one
			// the independent sum of the file's facts of that column.
			mismatches := 0
			for _, c := range r.GetReconciliation() {
				if !c.GetMatches() {
					mismatches++
				}
			}
			if len(r.GetReconciliation()) != sum.Reconciliation.Checked || mismatches != sum.Reconciliation.Mismatches {
				t.Errorf("%d checks (%d mismatches), ingest summary %+v", len(r.GetReconciliation()), mismatches, sum.Reconciliation)
			}
			if id != bahrainID {
				if len(r.GetReconciliation()) != 0 {
					t.Errorf("%d reconciliation checks; %s publishes no totals", len(r.GetReconciliation()), id)
				}
				return
			}
			if len(r.GetReconciliation()) != 2*int(raw.notStored-4) { // two years per total row; the four subtotals are skipped
				t.Errorf("%d checks; the raw files have %d total rows", len(r.GetReconciliation()), raw.notStored)
			}
			for _, c := range r.GetReconciliation() {
				rf := raw.file(c.GetFile())
				m := scopeColumnRE.FindStringSubmatch(c.GetScope())
				if rf == nil || m == nil {
					t.Errorf("check %v: unknown file or no column in the scope", c)
					continue
				}
				h, row := rawRecordAt(t, rf.path, ',', c.GetRow())
				if d := row[mustColumn(t, h, "Description")]; !bhTotalRE.MatchString(d) {
					t.Errorf("check %v: row %d of %s is %q, not a total", c, c.GetRow(), c.GetFile(), d)
				}
				published := rawAmount(t, row[mustColumn(t, h, m[1])], "")
				year, _ := strconv.Atoi(m[1])
				computed := raw.total(func(f *rawFact) bool { return f.file == c.GetFile() && f.year == year }).sum
				if c.GetPublished() != decimalString(published, 3) || c.GetComputed() != decimalString(computed, 3) || !c.GetMatches() {
					t.Errorf("check %s row %d %s: published %s computed %s; the raw file says %s, its rows sum to %s",
						c.GetFile(), c.GetRow(), m[1], c.GetPublished(), c.GetComputed(), decimalString(published, 3), decimalString(computed, 3))
				}
			}
		})
	}
}

// ---------------------------------------------------------------------------
// QueryService.Aggregate

// tableRow is one line of a golden aggregate table.
type tableRow struct {
	Keys  map[string]string `json:"keys"`
	Sum   string            `json:"sum"`
	Count string            `json:"count"`
}

// checkCells compares every cell of resp with the independent groups, keyed
// by the drilldown keys joined with "|".
func checkCells(t *testing.T, what string, resp *mizanv1.AggregateResponse, drilldown []string, want map[string]*rawAgg, scale int) {
	t.Helper()
	if resp.GetTotalCellCount() != int64(len(want)) || len(resp.GetCells()) != len(want) {
		t.Errorf("%s: %d cells (total %d), the raw files give %d groups", what, len(resp.GetCells()), resp.GetTotalCellCount(), len(want))
	}
	seen := map[string]bool{}
	for _, c := range resp.GetCells() {
		var parts []string
		for _, d := range drilldown {
			parts = append(parts, c.GetKeys()[d])
		}
		k := strings.Join(parts, "|")
		seen[k] = true
		w := want[k]
		if w == nil {
			t.Errorf("%s: cell %q is not in the raw files", what, k)
			continue
		}
		if got := c.GetValues()["amount.sum"]; got != decimalString(w.sum, scale) {
			t.Errorf("%s %s: sum %s, raw files %s", what, k, got, decimalString(w.sum, scale))
		}
		if got := c.GetValues()["amount.count"]; got != "" && got != fmtCount(w.count) {
			t.Errorf("%s %s: count %s, raw files %d", what, k, got, w.count)
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("%s: no cell for %q (%s in the raw files)", what, k, decimalString(want[k].sum, scale))
		}
	}
}

func TestRealDataAggregateTotals(t *testing.T) {
	e := newRealDataEnv(t)

	t.Run("Bahrain year × direction", func(t *testing.T) {
		raw := rawData(t, e.realStore, bahrainID)
		dd := []string{"year", "direction"}
		resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{
			Dataset: bahrainID, Drilldown: dd, Aggregates: []string{"amount.sum", "amount.count"}, PageSize: 1000,
			Order: []*mizanv1.Order{{Ref: "year"}, {Ref: "direction"}},
		})
		want := raw.sumBy(func(f *rawFact) (string, bool) { return fmt.Sprint(f.year, "|", f.direction), true })
		checkCells(t, "year×direction", resp, dd, want, 3)
		all := raw.total(nil)
		if resp.GetSummary().GetValues()["amount.sum"] != decimalString(all.sum, 3) || resp.GetSummary().GetValues()["amount.count"] != fmtCount(all.count) ||
			resp.GetCurrency() != "BHD" || resp.GetDatasetVersion() != 1 {
			t.Errorf("summary %v %s v%d; raw files %s (%d facts)", resp.GetSummary().GetValues(), resp.GetCurrency(), resp.GetDatasetVersion(), decimalString(all.sum, 3), all.count)
		}
		var golden []tableRow
		for _, c := range resp.GetCells() {
			golden = append(golden, tableRow{Keys: c.GetKeys(), Sum: c.GetValues()["amount.sum"], Count: c.GetValues()["amount.count"]})
		}
		realGolden(t, "bahrain-year-direction.json", golden)
		w16 := want["2016|expenditure"]
		t.Logf("Bahrain 2016 expenditure: BHD %s (%d facts); 2016 revenue BHD %s; all years BHD %s (%d facts)",
			decimalString(w16.sum, 3), w16.count, decimalString(want["2016|revenue"].sum, 3), decimalString(all.sum, 3), all.count)

		// The State budget without the municipalities' own: a negated cut
		// on the expenditure type.
		resp = must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{
			Dataset: bahrainID, Drilldown: []string{"type.type"}, PageSize: 100, Lang: "en",
			Cuts: []*mizanv1.Cut{cut("year", "2016"), cut("direction", "expenditure")},
		})
		byType := raw.sumBy(func(f *rawFact) (string, bool) {
			return f.keys["type.type"], f.year == 2016 && f.direction == "expenditure"
		})
		checkCells(t, "2016 expenditure by type", resp, []string{"type.type"}, byType, 3)
		if len(byType) != 3 || byType["municipal"] == nil || byType["recurrent"] == nil || byType["project"] == nil {
			t.Errorf("2016 expenditure types in the raw files: %q, want municipal, project and recurrent", sortedKeys(byType))
		}
		for _, c := range resp.GetCells() {
			k := c.GetKeys()["type.type"]
			if want := e.descs[bahrainID].Labels["type.type"][k]["en"]; c.GetLabels()["type.type"] != want || want == "" {
				t.Errorf("type %q: label %q, descriptor %q", k, c.GetLabels()["type.type"], want)
			}
		}
		// The canonical measure is no longer used: every fact has none.
		resp = must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: bahrainID, Drilldown: []string{"measure"}, PageSize: 100})
		checkCells(t, "all facts by measure", resp, []string{"measure"}, map[string]*rawAgg{"": all}, 3)
		state := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{
			Dataset: bahrainID,
			Cuts:    []*mizanv1.Cut{cut("year", "2016"), cut("direction", "expenditure"), {Dimension: "type.type", Values: []string{"municipal"}, Negate: true}},
		})
		wantState := raw.total(func(f *rawFact) bool {
			return f.year == 2016 && f.direction == "expenditure" && f.keys["type.type"] != "municipal"
		})
		if got := state.GetSummary().GetValues()["amount.sum"]; got != decimalString(wantState.sum, 3) {
			t.Errorf("2016 State expenditure (municipal negated) %s, raw files %s", got, decimalString(wantState.sum, 3))
		}
		t.Logf("Bahrain 2016 State expenditure without municipalities: BHD %s (recurrent %s + project %s)",
			decimalString(wantState.sum, 3), decimalString(byType["recurrent"].sum, 3), decimalString(byType["project"].sum, 3))
	})

	t.Run("Madrid by year", func(t *testing.T) {
		raw := rawData(t, e.realStore, madridID)
		resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: madridID, Drilldown: []string{"year"}, Order: []*mizanv1.Order{{Ref: "year"}}})
		want := raw.sumBy(func(f *rawFact) (string, bool) { return strconv.Itoa(f.year), true })
		checkCells(t, "Madrid by year", resp, []string{"year"}, want, 2)
		var golden []tableRow
		for _, c := range resp.GetCells() {
			golden = append(golden, tableRow{Keys: c.GetKeys(), Sum: c.GetValues()["amount.sum"], Count: c.GetValues()["amount.count"]})
		}
		realGolden(t, "madrid-year.json", golden)
		for _, y := range sortedKeys(want) {
			t.Logf("Madrid %s: EUR %s (%d rows)", y, decimalString(want[y].sum, 2), want[y].count)
		}
	})

	t.Run("Mexico by ramo", func(t *testing.T) {
		raw := rawData(t, e.realStore, mexicoID)
		resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: mexicoID, Drilldown: []string{"admin.ramo"}, PageSize: 1000, Lang: "es"})
		want := raw.sumBy(func(f *rawFact) (string, bool) { return f.keys["admin.ramo"], true })
		checkCells(t, "Mexico by ramo", resp, []string{"admin.ramo"}, want, 2)
		for _, c := range resp.GetCells() {
			if l, w := c.GetLabels()["admin.ramo"], raw.labels["admin.ramo"][c.GetKeys()["admin.ramo"]]; l != w {
				t.Errorf("ramo %s: label %q, raw file (CP850) %q", c.GetKeys()["admin.ramo"], l, w)
			}
		}
		all := raw.total(nil)
		if got := resp.GetSummary().GetValues()["amount.sum"]; got != decimalString(all.sum, 2) || got != "5297125819608.00" {
			t.Errorf("Mexico total %s, raw file %s (descriptor: 5,297,125,819,608)", got, decimalString(all.sum, 2))
		}
		t.Logf("Mexico PEF 2016: MXN %s in %d rows, %d ramos; ramo 53 (%s) MXN %s",
			decimalString(all.sum, 2), all.count, len(want), raw.labels["admin.ramo"]["53"], decimalString(want["53"].sum, 2))
	})

	t.Run("Macedonia year × phase", func(t *testing.T) {
		raw := rawData(t, e.realStore, macedoniaID)
		dd := []string{"year", "phase"}
		resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: macedoniaID, Drilldown: dd})
		want := raw.sumBy(func(f *rawFact) (string, bool) { return fmt.Sprint(f.year, "|", f.phase), true })
		checkCells(t, "Macedonia year×phase", resp, dd, want, 2)
	})
}

func TestRealDataAggregateCuts(t *testing.T) {
	e := newRealDataEnv(t)
	bh := rawData(t, e.realStore, bahrainID)
	md := rawData(t, e.realStore, madridID)
	tests := []struct {
		name string
		req  *mizanv1.AggregateRequest
		raw  *rawSet
		keep func(f *rawFact) bool
	}{
		{"set of years", &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{cut("year", "2015", "2016"), cut("direction", "expenditure")}}, bh,
			func(f *rawFact) bool { return (f.year == 2015 || f.year == 2016) && f.direction == "expenditure" }},
		{"negated direction", &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{{Dimension: "direction", Values: []string{"revenue"}, Negate: true}}}, bh,
			func(f *rawFact) bool { return f.direction != "revenue" }},
		{"negated ministries", &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{cut("year", "2016"), {Dimension: "admin.ministry", Values: []string{"Ministry of Health", "Ministry of Education"}, Negate: true}}}, bh,
			func(f *rawFact) bool {
				m := f.keys["admin.ministry"]
				// A negated cut keeps facts without a ministry too (NULL is not one of the values).
				return f.year == 2016 && m != "Ministry of Health" && m != "Ministry of Education"
			}},
		{"negated sector keeps facts without a sector", &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{cut("year", "2016"), {Dimension: "admin.sector", Values: []string{"Social Services Sector"}, Negate: true}}}, bh,
			func(f *rawFact) bool {
				// The reserve and the municipalities have no sector: they
				// do not match the cut, so its negation keeps them.
				return f.year == 2016 && f.keys["admin.sector"] != "Social Services Sector"
			}},
		{"year range", &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{{Dimension: "year", From: "1999", To: "2002"}}}, bh,
			func(f *rawFact) bool { return f.year >= 1999 && f.year <= 2002 }},
		{"open year range", &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{{Dimension: "year", From: "2010"}, cut("direction", "revenue")}}, bh,
			func(f *rawFact) bool { return f.year >= 2010 && f.direction == "revenue" }},
		{"subtree of a sector", &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{{Dimension: "admin", Values: []string{"Social Services Sector"}, Subtree: true}}}, bh,
			func(f *rawFact) bool { return f.keys["admin.sector"] == "Social Services Sector" }},
		{"subtree of a ministry", &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{{Dimension: "admin", Values: []string{"Ministry of Health"}, Subtree: true}}}, bh,
			func(f *rawFact) bool { return f.keys["admin.ministry"] == "Ministry of Health" }},
		{"Madrid programme area subtree", &mizanv1.AggregateRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{{Dimension: "programme", Values: []string{"3"}, Subtree: true}}}, md,
			func(f *rawFact) bool { return f.keys["programme.area"] == "3" }},
		{"Madrid negated subtree and year range", &mizanv1.AggregateRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{
			{Dimension: "programme", Values: []string{"0", "9"}, Subtree: true, Negate: true}, {Dimension: "year", From: "2013", To: "2014"}}}, md,
			func(f *rawFact) bool {
				a := f.keys["programme.area"]
				return a != "0" && a != "9" && f.year >= 2013 && f.year <= 2014
			}},
		{"Madrid string range on centro", &mizanv1.AggregateRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{{Dimension: "admin.centro", From: "500", To: "599"}}}, md,
			func(f *rawFact) bool { c := f.keys["admin.centro"]; return c >= "500" && c <= "599" }},
		{"Madrid chapter set at the economico level", &mizanv1.AggregateRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{cut("economic.capitulo", "1", "2"), cut("year", "2015")}}, md,
			func(f *rawFact) bool {
				c := f.keys["economic.capitulo"]
				return (c == "1" || c == "2") && f.year == 2015
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Aggregates = []string{"amount.sum", "amount.count"}
			resp := must(t, e.c.q.Aggregate, tt.req)
			want := tt.raw.total(tt.keep)
			scale := realScale[tt.req.GetDataset()]
			if want.count == 0 {
				t.Fatal("the cut keeps no raw facts: a useless test")
			}
			got := resp.GetSummary().GetValues()
			if got["amount.sum"] != decimalString(want.sum, scale) || got["amount.count"] != fmtCount(want.count) {
				t.Errorf("summary %v; raw files %s in %d facts", got, decimalString(want.sum, scale), want.count)
			}
		})
	}
}

func TestRealDataAggregateDrilldown(t *testing.T) {
	e := newRealDataEnv(t)
	raw := rawData(t, e.realStore, bahrainID)
	labels := e.descs[bahrainID].Labels
	dd := []string{"admin.sector", "admin.ministry"}
	cuts := []*mizanv1.Cut{cut("year", "2016"), cut("direction", "expenditure"), {Dimension: "type.type", Values: []string{"municipal"}, Negate: true}}
	want := raw.sumBy(func(f *rawFact) (string, bool) {
		return f.keys["admin.sector"] + "|" + f.keys["admin.ministry"], f.year == 2016 && f.direction == "expenditure" && f.keys["type.type"] != "municipal"
	})
	for _, lang := range []string{"ar", "en"} {
		t.Run(lang, func(t *testing.T) {
			resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: bahrainID, Drilldown: dd, Cuts: cuts, Lang: lang, PageSize: 10000})
			checkCells(t, "2016 expenditure by sector×ministry", resp, dd, want, 3)
			for _, c := range resp.GetCells() {
				for _, ref := range dd {
					k := c.GetKeys()[ref]
					want := k // English labels are the published descriptions
					if lang == "ar" {
						want = labels[ref][k]["ar"]
					}
					if k == "" {
						continue // the reserve has no sector
					}
					if got := c.GetLabels()[ref]; got != want {
						t.Errorf("%s %q: %s label %q, want %q", ref, k, lang, got, want)
					}
				}
			}
		})
	}

	// Madrid's programme hierarchy, area × política, labelled from the
	// descriptor in Arabic.
	md := rawData(t, e.realStore, madridID)
	mdd := []string{"programme.area", "programme.politica"}
	resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: madridID, Drilldown: mdd, Cuts: []*mizanv1.Cut{cut("year", "2014")}, Lang: "ar", PageSize: 500})
	checkCells(t, "Madrid 2014 by area×política", resp, mdd, md.sumBy(func(f *rawFact) (string, bool) {
		return f.keys["programme.area"] + "|" + f.keys["programme.politica"], f.year == 2014
	}), 2)
	for _, c := range resp.GetCells() {
		a := c.GetKeys()["programme.area"]
		if want := e.descs[madridID].Labels["programme.area"][a]["ar"]; c.GetLabels()["programme.area"] != want || want == "" {
			t.Errorf("area %s: Arabic label %q, descriptor %q", a, c.GetLabels()["programme.area"], want)
		}
		if !strings.HasPrefix(c.GetKeys()["programme.politica"], a) {
			t.Errorf("política %s is not under area %s", c.GetKeys()["programme.politica"], a)
		}
	}
}

func TestRealDataAggregateOrderAndPaging(t *testing.T) {
	e := newRealDataEnv(t)
	raw := rawData(t, e.realStore, mexicoID)
	dd := []string{"admin.ramo", "admin.unidad"}
	want := raw.sumBy(func(f *rawFact) (string, bool) { return f.keys["admin.ramo"] + "|" + f.keys["admin.unidad"], true })
	all := raw.total(nil)

	// Independent order: sum descending, then the keys ascending.
	type kv struct {
		key string
		agg *rawAgg
	}
	var order []kv
	for k, a := range want {
		order = append(order, kv{k, a})
	}
	sort.Slice(order, func(i, j int) bool {
		if c := order[i].agg.sum.Cmp(order[j].agg.sum); c != 0 {
			return c > 0
		}
		return order[i].key < order[j].key
	})

	t.Run("pages until exhausted", func(t *testing.T) {
		req := &mizanv1.AggregateRequest{Dataset: mexicoID, Drilldown: dd, Aggregates: []string{"amount.sum", "amount.count"},
			Order: []*mizanv1.Order{{Ref: "amount.sum", Desc: true}}, PageSize: 250, Lang: "es"}
		var cells []*mizanv1.Cell
		pageSum := new(big.Rat)
		var summary string
		pages := 0
		for {
			resp := must(t, e.c.q.Aggregate, req)
			pages++
			if resp.GetTotalCellCount() != int64(len(want)) {
				t.Fatalf("page %d: total_cell_count %d, raw files %d groups", pages, resp.GetTotalCellCount(), len(want))
			}
			if summary == "" {
				summary = resp.GetSummary().GetValues()["amount.sum"]
			} else if summary != resp.GetSummary().GetValues()["amount.sum"] {
				t.Errorf("page %d: summary changed to %s", pages, resp.GetSummary().GetValues()["amount.sum"])
			}
			for _, c := range resp.GetCells() {
				pageSum.Add(pageSum, ratOf(t, c.GetValues()["amount.sum"]))
			}
			cells = append(cells, resp.GetCells()...)
			if resp.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.GetNextPageToken()
			if pages > 100 {
				t.Fatal("paging does not end")
			}
		}
		if pages != (len(want)+249)/250 {
			t.Errorf("%d pages for %d cells of 250", pages, len(want))
		}
		if decimalString(pageSum, 2) != summary || summary != decimalString(all.sum, 2) {
			t.Errorf("pages sum to %s, summary %s, raw file %s", decimalString(pageSum, 2), summary, decimalString(all.sum, 2))
		}
		if len(cells) != len(order) {
			t.Fatalf("%d cells over all pages, raw files %d groups", len(cells), len(order))
		}
		for i, c := range cells {
			k := c.GetKeys()["admin.ramo"] + "|" + c.GetKeys()["admin.unidad"]
			if k != order[i].key || c.GetValues()["amount.sum"] != decimalString(order[i].agg.sum, 2) {
				t.Errorf("cell %d: %s = %s; independent order has %s = %s", i, k, c.GetValues()["amount.sum"], order[i].key, decimalString(order[i].agg.sum, 2))
				break
			}
			// The unit is keyed Ramo.UNIDAD and labelled with its description.
			u := c.GetKeys()["admin.unidad"]
			if !strings.HasPrefix(u, c.GetKeys()["admin.ramo"]+".") || c.GetLabels()["admin.unidad"] != raw.labels["admin.unidad"][u] || raw.labels["admin.unidad"][u] == "" {
				t.Errorf("cell %d: unidad %q labelled %q under ramo %q; the raw file labels it %q", i, u, c.GetLabels()["admin.unidad"], c.GetKeys()["admin.ramo"], raw.labels["admin.unidad"][u])
			}
		}
		t.Logf("Mexico: %d ramo×unidad cells on %d pages; largest %s = MXN %s", len(cells), pages, order[0].key, decimalString(order[0].agg.sum, 2))
	})

	t.Run("ascending by key", func(t *testing.T) {
		resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: mexicoID, Drilldown: []string{"admin.ramo"}, Order: []*mizanv1.Order{{Ref: "admin.ramo", Desc: true}}, PageSize: 5})
		keys := sortedKeys(raw.distinct("admin.ramo"))
		slices.Reverse(keys) // keys are strings: "9" > "53" > "10"
		var got []string
		for _, c := range resp.GetCells() {
			got = append(got, c.GetKeys()["admin.ramo"])
		}
		if !slices.Equal(got, keys[:5]) {
			t.Errorf("ramos by key descending %q, want %q", got, keys[:5])
		}
	})

	t.Run("top N and other", func(t *testing.T) {
		const top = 10
		resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: mexicoID, Drilldown: dd, Top: top, Aggregates: []string{"amount.sum", "amount.count", "amount.share"}, Lang: "en"})
		cells := resp.GetCells()
		if len(cells) != top+1 || !cells[top].GetOther() {
			t.Fatalf("%d cells, last other=%v; want %d and an other cell", len(cells), cells[len(cells)-1].GetOther(), top+1)
		}
		total := new(big.Rat)
		var count int64
		restSum, restCount := new(big.Rat), int64(0)
		for _, kv := range order[top:] {
			restSum.Add(restSum, kv.agg.sum)
			restCount += kv.agg.count
		}
		for i, c := range cells {
			total.Add(total, ratOf(t, c.GetValues()["amount.sum"]))
			n, _ := strconv.ParseInt(c.GetValues()["amount.count"], 10, 64)
			count += n
			if i < top {
				k := c.GetKeys()["admin.ramo"] + "|" + c.GetKeys()["admin.unidad"]
				if c.GetOther() || k != order[i].key || c.GetValues()["amount.sum"] != decimalString(order[i].agg.sum, 2) {
					t.Errorf("top cell %d: %s = %s, want %s = %s", i, k, c.GetValues()["amount.sum"], order[i].key, decimalString(order[i].agg.sum, 2))
				}
			}
		}
		if other := cells[top].GetValues(); other["amount.sum"] != decimalString(restSum, 2) || other["amount.count"] != fmtCount(restCount) ||
			other["amount.share"] != roundHalfEven(new(big.Rat).Quo(restSum, all.sum), 6) {
			t.Errorf("other cell %v; the rest of the raw groups sum to %s in %d facts", other, decimalString(restSum, 2), restCount)
		}
		if decimalString(total, 2) != resp.GetSummary().GetValues()["amount.sum"] || count != all.count || resp.GetTotalCellCount() != int64(len(want)) {
			t.Errorf("cells + other = %s in %d facts; summary %s, raw %d facts, total_cell_count %d", decimalString(total, 2), count,
				resp.GetSummary().GetValues()["amount.sum"], all.count, resp.GetTotalCellCount())
		}
		if resp.GetNextPageToken() != "" {
			t.Errorf("a top query has a next page")
		}
	})
}

func TestRealDataAggregateDerived(t *testing.T) {
	e := newRealDataEnv(t)
	for _, tc := range []struct {
		id    string
		ref   string
		cuts  []*mizanv1.Cut
		keep  func(f *rawFact) bool
		scale int
	}{
		{madridID, "programme.politica", nil, nil, 2},
		{bahrainID, "admin.ministry", []*mizanv1.Cut{cut("year", "2016"), cut("direction", "revenue")}, func(f *rawFact) bool { return f.year == 2016 && f.direction == "revenue" }, 3},
		{macedoniaID, "economic.category", []*mizanv1.Cut{cut("phase", "revised")}, func(f *rawFact) bool { return f.phase == "revised" }, 2},
	} {
		t.Run(tc.id+" "+tc.ref, func(t *testing.T) {
			raw := rawData(t, e.realStore, tc.id)
			resp := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{
				Dataset: tc.id, Drilldown: []string{tc.ref}, Cuts: tc.cuts, PageSize: 10000,
				Aggregates: []string{"amount.sum", "amount.count", "amount.avg", "amount.min", "amount.max", "amount.share"},
			})
			keep := func(f *rawFact) bool { return tc.keep == nil || tc.keep(f) }
			total := raw.total(keep)
			mins, maxs := map[string]*big.Rat{}, map[string]*big.Rat{}
			for i := range raw.facts {
				f := &raw.facts[i]
				if !keep(f) {
					continue
				}
				k := f.keys[tc.ref]
				if mins[k] == nil || f.amount.Cmp(mins[k]) < 0 {
					mins[k] = f.amount
				}
				if maxs[k] == nil || f.amount.Cmp(maxs[k]) > 0 {
					maxs[k] = f.amount
				}
			}
			want := raw.sumBy(func(f *rawFact) (string, bool) { return f.keys[tc.ref], keep(f) })
			checkCells(t, tc.ref, resp, []string{tc.ref}, want, tc.scale)
			shares := new(big.Rat)
			for _, c := range resp.GetCells() {
				k, v := c.GetKeys()[tc.ref], c.GetValues()
				w := want[k]
				if w == nil {
					continue
				}
				shares.Add(shares, ratOf(t, v["amount.share"]))
				// avg = sum / count, rounded half to even to scale+2 decimals,
				// exactly; from the cell's own figures and from the raw files.
				own := new(big.Rat).Quo(ratOf(t, v["amount.sum"]), ratOf(t, v["amount.count"]))
				if wantAvg := roundHalfEven(new(big.Rat).Quo(w.sum, big.NewRat(w.count, 1)), tc.scale+2); v["amount.avg"] != wantAvg || roundHalfEven(own, tc.scale+2) != wantAvg {
					t.Errorf("%s: avg %s, sum/count %s", k, v["amount.avg"], wantAvg)
				}
				if wantShare := roundHalfEven(new(big.Rat).Quo(w.sum, total.sum), 6); v["amount.share"] != wantShare {
					t.Errorf("%s: share %s, raw %s", k, v["amount.share"], wantShare)
				}
				if v["amount.min"] != decimalString(mins[k], tc.scale) || v["amount.max"] != decimalString(maxs[k], tc.scale) {
					t.Errorf("%s: min %s max %s, raw %s %s", k, v["amount.min"], v["amount.max"], decimalString(mins[k], tc.scale), decimalString(maxs[k], tc.scale))
				}
			}
			// Shares are rounded to 6 decimals: they sum to 1 within half a
			// millionth per cell.
			diff := new(big.Rat).Sub(shares, big.NewRat(1, 1))
			tol := big.NewRat(int64(len(resp.GetCells())), 2_000_000)
			if diff.Abs(diff).Cmp(tol) > 0 {
				t.Errorf("shares of %d cells sum to %s", len(resp.GetCells()), shares.FloatString(6))
			}
			s := resp.GetSummary().GetValues()
			if s["amount.share"] != "1.000000" || s["amount.avg"] != roundHalfEven(new(big.Rat).Quo(total.sum, big.NewRat(total.count, 1)), tc.scale+2) {
				t.Errorf("summary %v", s)
			}
		})
	}
}

// TestRealDataPageTokens pages with tokens handed from one protocol to
// the next, and checks a token only works with its own request.
func TestRealDataPageTokens(t *testing.T) {
	e := newRealDataEnv(t)
	req := &mizanv1.AggregateRequest{Dataset: mexicoID, Drilldown: []string{"admin.ramo", "admin.unidad"}, Lang: "es", PageSize: 10000}
	whole := must(t, e.c.q.Aggregate, req)
	var paged []*mizanv1.Cell
	req.PageSize = 400
	for i := 0; ; i++ {
		p := e.protos[i%len(e.protos)]
		resp := must(t, p.q.Aggregate, req)
		paged = append(paged, resp.GetCells()...)
		if resp.GetNextPageToken() == "" {
			break
		}
		req.PageToken = resp.GetNextPageToken()
		if i == 0 {
			// The token belongs to this request: another cut is refused.
			bad := proto.Clone(req).(*mizanv1.AggregateRequest)
			bad.Cuts = []*mizanv1.Cut{cut("admin.ramo", "12")}
			_, err := p.q.Aggregate(context.Background(), connect.NewRequest(bad))
			if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "page_token") {
				t.Errorf("token with another cut: %v", err)
			}
		}
	}
	if len(paged) != len(whole.GetCells()) {
		t.Fatalf("%d cells over the pages, %d in one page", len(paged), len(whole.GetCells()))
	}
	for i := range paged {
		if !bytes.Equal(wire(t, paged[i]), wire(t, whole.GetCells()[i])) {
			t.Errorf("cell %d differs between paged and whole: %v / %v", i, paged[i], whole.GetCells()[i])
			break
		}
	}

	// Facts in source order, a thousand at a time: every raw row of 2015
	// exactly once.
	raw := rawData(t, e.realStore, madridID)
	want := map[int64]string{}
	for _, f := range raw.facts {
		if f.year == 2015 {
			want[f.row] = decimalString(f.amount, 2)
		}
	}
	freq := &mizanv1.FactsRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{cut("year", "2015")}, PageSize: 1000}
	seen := map[int64]bool{}
	for pages := 1; ; pages++ {
		resp := must(t, e.protos[1].q.Facts, freq)
		for _, f := range resp.GetFacts() {
			r := f.GetProvenance().GetRow()
			if seen[r] || want[r] != f.GetAmount() {
				t.Errorf("fact from row %d (amount %s): seen before %v, raw amount %q", r, f.GetAmount(), seen[r], want[r])
			}
			seen[r] = true
		}
		if resp.GetNextPageToken() == "" {
			break
		}
		freq.PageToken = resp.GetNextPageToken()
		if pages > 50 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d facts over the pages, the raw file has %d rows of 2015", len(seen), len(want))
	}
}

// ---------------------------------------------------------------------------
// QueryService.Execution

// wantExecution is the execution row the documented rules give for the
// phase totals of a node: rate = executed ÷ (revised, else approved),
// rounded half to even to 6 decimals; a node without executed figures counts
// as executed 0 when the version has executed figures at all.
func wantExecution(approved, revised, executed *rawAgg, scale int, low *big.Rat, versionHasExecuted bool) *mizanv1.ExecutionRow {
	out := &mizanv1.ExecutionRow{}
	str := func(a *rawAgg) string {
		if a == nil || a.count == 0 {
			return ""
		}
		return decimalString(a.sum, scale)
	}
	out.Approved, out.Revised = str(approved), str(revised)
	var exec *big.Rat
	switch {
	case executed != nil && executed.count > 0:
		exec = executed.sum
	case versionHasExecuted:
		exec = new(big.Rat)
	}
	if exec != nil {
		out.Executed = decimalString(exec, scale)
	}
	var base *big.Rat
	switch {
	case revised != nil && revised.count > 0:
		base, out.RateBase = revised.sum, "revised"
	case approved != nil && approved.count > 0:
		base, out.RateBase = approved.sum, "approved"
	}
	if base == nil || exec == nil {
		return out
	}
	out.Variance = decimalString(new(big.Rat).Sub(exec, base), scale)
	if base.Sign() == 0 {
		return out
	}
	rate := new(big.Rat).Quo(exec, base)
	out.Rate = roundHalfEven(rate, 6)
	out.Over = rate.Cmp(big.NewRat(1, 1)) > 0
	out.Under = rate.Cmp(low) < 0
	return out
}

func checkExecutionRow(t *testing.T, what string, got, want *mizanv1.ExecutionRow) {
	t.Helper()
	if got.GetApproved() != want.GetApproved() || got.GetRevised() != want.GetRevised() || got.GetExecuted() != want.GetExecuted() ||
		got.GetRate() != want.GetRate() || got.GetRateBase() != want.GetRateBase() || got.GetVariance() != want.GetVariance() ||
		got.GetOver() != want.GetOver() || got.GetUnder() != want.GetUnder() {
		t.Errorf("%s:\n  got  approved %q revised %q executed %q rate %q base %q variance %q over %v under %v\n  want approved %q revised %q executed %q rate %q base %q variance %q over %v under %v",
			what, got.GetApproved(), got.GetRevised(), got.GetExecuted(), got.GetRate(), got.GetRateBase(), got.GetVariance(), got.GetOver(), got.GetUnder(),
			want.GetApproved(), want.GetRevised(), want.GetExecuted(), want.GetRate(), want.GetRateBase(), want.GetVariance(), want.GetOver(), want.GetUnder())
	}
}

// phaseTotals sums raw facts by node and phase.
func phaseTotals(raw *rawSet, node func(f *rawFact) (string, bool)) map[string]map[string]*rawAgg {
	out := map[string]map[string]*rawAgg{}
	for k, a := range raw.sumBy(func(f *rawFact) (string, bool) {
		n, ok := node(f)
		return n + "\x00" + f.phase, ok
	}) {
		n, phase, _ := strings.Cut(k, "\x00")
		if out[n] == nil {
			out[n] = map[string]*rawAgg{}
		}
		out[n][phase] = a
	}
	return out
}

func TestRealDataExecution(t *testing.T) {
	e := newRealDataEnv(t)
	half := big.NewRat(1, 2)

	t.Run("Macedonia approved vs revised, no executed", func(t *testing.T) {
		raw := rawData(t, e.realStore, macedoniaID)
		resp := must(t, e.c.q.Execution, &mizanv1.ExecutionRequest{Dataset: macedoniaID, Drilldown: []string{"year"}})
		byYear := phaseTotals(raw, func(f *rawFact) (string, bool) { return strconv.Itoa(f.year), true })
		if len(resp.GetRows()) != len(byYear) || resp.GetTotalRowCount() != int64(len(byYear)) {
			t.Fatalf("%d rows, raw file has %d years", len(resp.GetRows()), len(byYear))
		}
		for _, r := range resp.GetRows() {
			y := r.GetKeys()["year"]
			p := byYear[y]
			// 2014 has a rebalance: the base is the revised budget. 2015 has
			// none: the base is the approved one. Nothing is executed and the
			// version has no executed figures, so executed, rate and variance
			// are empty rather than zero.
			checkExecutionRow(t, "year "+y, r, wantExecution(p["approved"], p["revised"], p["executed"], 2, half, false))
			if r.GetExecuted() != "" || r.GetRate() != "" || r.GetCurrency() != "MKD" {
				t.Errorf("year %s: executed %q rate %q currency %q", y, r.GetExecuted(), r.GetRate(), r.GetCurrency())
			}
			t.Logf("Macedonia %s: approved MKD %s, revised %q, rate base %s", y, r.GetApproved(), r.GetRevised(), r.GetRateBase())
		}
		if byYear["2014"]["revised"] == nil || resp.GetRows()[0].GetRateBase() != "revised" || resp.GetRows()[1].GetRateBase() != "approved" {
			t.Errorf("rate bases %q, %q: want revised for 2014, approved for 2015", resp.GetRows()[0].GetRateBase(), resp.GetRows()[1].GetRateBase())
		}
		all := phaseTotals(raw, func(f *rawFact) (string, bool) { return "", true })[""]
		checkExecutionRow(t, "summary", resp.GetSummary(), wantExecution(all["approved"], all["revised"], nil, 2, half, false))
		var golden []map[string]string
		for _, r := range resp.GetRows() {
			golden = append(golden, map[string]string{"year": r.GetKeys()["year"], "approved": r.GetApproved(), "revised": r.GetRevised(),
				"executed": r.GetExecuted(), "rate": r.GetRate(), "rate_base": r.GetRateBase(), "variance": r.GetVariance()})
		}
		realGolden(t, "macedonia-execution-year.json", golden)

		// By budget section in 2014: sections the rebalance added or
		// dropped have only one phase.
		bySection := phaseTotals(raw, func(f *rawFact) (string, bool) { return f.keys["admin.section"], f.year == 2014 })
		resp = must(t, e.c.q.Execution, &mizanv1.ExecutionRequest{Dataset: macedoniaID, Drilldown: []string{"admin.section"}, Cuts: []*mizanv1.Cut{cut("year", "2014")}, PageSize: 1000, Lang: "en"})
		if len(resp.GetRows()) != len(bySection) {
			t.Errorf("%d sections, raw file %d", len(resp.GetRows()), len(bySection))
		}
		onlyOne := 0
		for _, r := range resp.GetRows() {
			s := r.GetKeys()["admin.section"]
			p := bySection[s]
			if p == nil {
				t.Errorf("section %q not in the raw file", s)
				continue
			}
			if p["approved"] == nil || p["revised"] == nil {
				onlyOne++
			}
			checkExecutionRow(t, "section "+s, r, wantExecution(p["approved"], p["revised"], nil, 2, half, false))
		}
		t.Logf("Macedonia 2014: %d sections, %d with only one of approved/revised", len(bySection), onlyOne)
	})

	t.Run("synthetic demo", func(t *testing.T) {
		raw := rawData(t, e.realStore, demoID)
		byYear := phaseTotals(raw, func(f *rawFact) (string, bool) { return strconv.Itoa(f.year), f.direction == "expenditure" })
		resp := must(t, e.c.q.Execution, &mizanv1.ExecutionRequest{Dataset: demoID, Drilldown: []string{"year"}, Cuts: []*mizanv1.Cut{cut("direction", "expenditure")}, PageSize: 100})
		if len(resp.GetRows()) != len(byYear) {
			t.Fatalf("%d years, raw file %d", len(resp.GetRows()), len(byYear))
		}
		for _, r := range resp.GetRows() {
			y := r.GetKeys()["year"]
			p := byYear[y]
			checkExecutionRow(t, "year "+y, r, wantExecution(p["approved"], p["revised"], p["executed"], 3, half, true))
		}
		last := resp.GetRows()[len(resp.GetRows())-1]
		if last.GetExecuted() != "0.000" || last.GetRate() != "0.000000" || !last.GetUnder() {
			t.Errorf("the current year has no executed figures: want executed 0, rate 0, under; got %v", last)
		}
		// Ministries in one year with a stricter threshold, ordered by rate.
		low := big.NewRat(95, 100)
		byMinistry := phaseTotals(raw, func(f *rawFact) (string, bool) {
			return f.keys["admin.ministry"], f.direction == "expenditure" && f.year == 2020
		})
		resp = must(t, e.c.q.Execution, &mizanv1.ExecutionRequest{Dataset: demoID, Drilldown: []string{"admin.ministry"}, LowThreshold: "0.95",
			Cuts: []*mizanv1.Cut{cut("direction", "expenditure"), cut("year", "2020")}, Order: []*mizanv1.Order{{Ref: "rate", Desc: true}}, PageSize: 1000})
		if len(resp.GetRows()) != len(byMinistry) {
			t.Errorf("%d ministries, raw file %d", len(resp.GetRows()), len(byMinistry))
		}
		var prev *big.Rat
		for _, r := range resp.GetRows() {
			m := r.GetKeys()["admin.ministry"]
			p := byMinistry[m]
			checkExecutionRow(t, "ministry "+m, r, wantExecution(p["approved"], p["revised"], p["executed"], 3, low, true))
			if r.GetRate() != "" {
				rate := ratOf(t, r.GetRate())
				if prev != nil && rate.Cmp(prev) > 0 {
					t.Errorf("rate %s after %s: not descending", r.GetRate(), prev.FloatString(6))
				}
				prev = rate
			}
		}
		all := phaseTotals(raw, func(f *rawFact) (string, bool) { return "", f.direction == "expenditure" && f.year == 2020 })[""]
		checkExecutionRow(t, "2020 summary", resp.GetSummary(), wantExecution(all["approved"], all["revised"], all["executed"], 3, low, true))
		t.Logf("demo 2020 expenditure: approved %s revised %s executed %s rate %s", resp.GetSummary().GetApproved(), resp.GetSummary().GetRevised(), resp.GetSummary().GetExecuted(), resp.GetSummary().GetRate())
	})
}

// ---------------------------------------------------------------------------
// QueryService.Facts

func TestRealDataFacts(t *testing.T) {
	e := newRealDataEnv(t)
	raw := rawData(t, e.realStore, bahrainID)
	shas := map[string]string{}
	for _, f := range raw.files {
		shas[f.name] = f.sha256
	}

	t.Run("line items behind a Bahrain cell", func(t *testing.T) {
		cuts := []*mizanv1.Cut{cut("year", "2016"), cut("direction", "expenditure"), cut("admin.ministry", "Ministry of Health")}
		agg := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: cuts})
		want := raw.total(func(f *rawFact) bool {
			return f.year == 2016 && f.direction == "expenditure" && f.keys["admin.ministry"] == "Ministry of Health"
		})
		req := &mizanv1.FactsRequest{Dataset: bahrainID, Cuts: cuts, PageSize: 1, Lang: "ar"}
		sum := new(big.Rat)
		n := 0
		for {
			resp := must(t, e.c.q.Facts, req)
			if resp.GetTotalCount() != want.count {
				t.Fatalf("total_count %d, raw files %d", resp.GetTotalCount(), want.count)
			}
			for _, f := range resp.GetFacts() {
				n++
				sum.Add(sum, ratOf(t, f.GetAmount()))
				if f.GetKeys()["year"] != "2016" || f.GetKeys()["direction"] != "expenditure" || f.GetKeys()["admin.ministry"] != "Ministry of Health" ||
					f.GetLabels()["admin.ministry"] != "وزارة الصحة" || f.GetCurrency() != "BHD" {
					t.Errorf("fact %d: keys %v labels %v", f.GetRow(), f.GetKeys(), f.GetLabels())
				}
				checkProvenance(t, raw, shas, f)
			}
			if resp.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.GetNextPageToken()
		}
		if int64(n) != want.count || decimalString(sum, 3) != decimalString(want.sum, 3) || agg.GetSummary().GetValues()["amount.sum"] != decimalString(sum, 3) {
			t.Errorf("%d facts summing to %s; the cell says %s; raw files %d rows, %s", n, decimalString(sum, 3), agg.GetSummary().GetValues()["amount.sum"], want.count, decimalString(want.sum, 3))
		}
		t.Logf("Bahrain 2016 Ministry of Health expenditure: BHD %s in %d line items", decimalString(want.sum, 3), n)
	})

	t.Run("every 2016 fact points at its raw row", func(t *testing.T) {
		resp := must(t, e.c.q.Facts, &mizanv1.FactsRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{cut("year", "2016")}, PageSize: 10000})
		want := raw.total(func(f *rawFact) bool { return f.year == 2016 })
		if resp.GetTotalCount() != want.count || int64(len(resp.GetFacts())) != want.count {
			t.Errorf("%d facts (total %d), raw files %d", len(resp.GetFacts()), resp.GetTotalCount(), want.count)
		}
		for _, f := range resp.GetFacts() {
			checkProvenance(t, raw, shas, f)
		}
	})

	t.Run("Mexico provenance through the zip", func(t *testing.T) {
		rx := rawData(t, e.realStore, mexicoID)
		byRow := map[int64]*rawFact{}
		for i := range rx.facts {
			byRow[rx.facts[i].row] = &rx.facts[i]
		}
		resp := must(t, e.c.q.Facts, &mizanv1.FactsRequest{Dataset: mexicoID, Cuts: []*mizanv1.Cut{cut("admin.ramo", "53")}, PageSize: 200, Lang: "es",
			Order: []*mizanv1.Order{{Ref: "amount", Desc: true}}})
		want := rx.total(func(f *rawFact) bool { return f.keys["admin.ramo"] == "53" })
		if resp.GetTotalCount() != want.count {
			t.Errorf("ramo 53: %d facts, raw file %d", resp.GetTotalCount(), want.count)
		}
		var prev *big.Rat
		for _, f := range resp.GetFacts() {
			p := f.GetProvenance()
			if p.GetFile() != rx.files[0].name || p.GetSha256() != rx.files[0].sha256 {
				t.Errorf("fact %d: provenance %v, want %s with sha256 %s", f.GetRow(), p, rx.files[0].name, rx.files[0].sha256)
			}
			r := byRow[p.GetRow()]
			if r == nil || decimalString(r.amount, 2) != f.GetAmount() || r.keys["admin.ramo"] != "53" {
				t.Errorf("fact %d: amount %s at row %d; the raw file has %v", f.GetRow(), f.GetAmount(), p.GetRow(), r)
				continue
			}
			for _, ref := range []string{"admin.unidad", "functional.funcion", "functional.subfuncion", "programme.programa"} {
				if k := f.GetKeys()[ref]; k != r.keys[ref] || f.GetLabels()[ref] != rx.labels[ref][k] {
					t.Errorf("fact %d: %s %q labelled %q; row %d has %q labelled %q", f.GetRow(), ref, k, f.GetLabels()[ref], p.GetRow(), r.keys[ref], rx.labels[ref][r.keys[ref]])
				}
			}
			a := ratOf(t, f.GetAmount())
			if prev != nil && a.Cmp(prev) > 0 {
				t.Errorf("amount %s after %s: not descending", f.GetAmount(), prev.FloatString(2))
			}
			prev = a
		}
	})
}

// checkProvenance reads, independently, the raw row a Bahrain fact's
// provenance names and compares the amount in its year's column.
func checkProvenance(t *testing.T, raw *rawSet, shas map[string]string, f *mizanv1.Fact) {
	t.Helper()
	p := f.GetProvenance()
	rf := raw.file(p.GetFile())
	if rf == nil || p.GetSha256() != shas[p.GetFile()] || p.GetSha256() == "" {
		t.Errorf("fact %d: provenance %v is not a raw file the rules read", f.GetRow(), p)
		return
	}
	h, rec := cachedRecordAt(t, rf.path, p.GetRow())
	col := column(h, f.GetKeys()["year"])
	if col < 0 {
		t.Errorf("fact %d: %s has no column %q", f.GetRow(), p.GetFile(), f.GetKeys()["year"])
		return
	}
	if got := decimalString(rawAmount(t, rec[col], ""), 3); got != f.GetAmount() {
		t.Errorf("fact %d: amount %s; %s row %d column %s holds %s", f.GetRow(), f.GetAmount(), p.GetFile(), p.GetRow(), h[col], got)
	}
	if m := f.GetKeys()["admin.ministry"]; m != "" && field(rec, column(h, "Description")) != m {
		t.Errorf("fact %d: ministry %q; %s row %d is %q", f.GetRow(), m, p.GetFile(), p.GetRow(), rec[column(h, "Description")])
	}
}

var (
	recordMu    sync.Mutex
	recordCache = map[string][][]string{}
)

// cachedRecordAt is rawRecordAt with each file read once.
func cachedRecordAt(t *testing.T, path string, row int64) (header, rec []string) {
	t.Helper()
	recordMu.Lock()
	defer recordMu.Unlock()
	recs, ok := recordCache[path]
	if !ok {
		recs = readRecordsFile(t, path, ',')
		recordCache[path] = recs
	}
	if row < 2 || row > int64(len(recs)) {
		t.Fatalf("%s has no data row %d", path, row)
	}
	return recs[0], recs[row-1]
}

// ---------------------------------------------------------------------------
// QueryService.Export

func TestRealDataExport(t *testing.T) {
	e := newRealDataEnv(t)

	t.Run("CSV of an aggregate", func(t *testing.T) {
		raw := rawData(t, e.realStore, madridID)
		areq := &mizanv1.AggregateRequest{Dataset: madridID, Drilldown: []string{"year", "admin.centro"}, Aggregates: []string{"amount.sum", "amount.count"}, Lang: "es"}
		h, data := exportFile(t, e.c, &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Aggregate{Aggregate: areq}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV})
		if h.GetContentType() != "text/csv; charset=utf-8" || h.GetFilename() != "madrid-budget-v1-cells.csv" || h.GetDatasetVersion() != 1 {
			t.Errorf("header %v", h)
		}
		tab := parseCSVExport(t, data)
		agg := must(t, e.c.q.Aggregate, areq)
		want := raw.sumBy(func(f *rawFact) (string, bool) { return fmt.Sprint(f.year, "|", f.keys["admin.centro"]), true })
		if len(tab.rows) != len(want) || int64(len(tab.rows)) != agg.GetTotalCellCount() {
			t.Errorf("%d rows, %d cells, raw groups %d", len(tab.rows), agg.GetTotalCellCount(), len(want))
		}
		if s := decimalString(tab.sum(t, "amount.sum"), 2); s != agg.GetSummary().GetValues()["amount.sum"] || s != decimalString(raw.total(nil).sum, 2) {
			t.Errorf("CSV sums to %s; Aggregate summary %s", s, agg.GetSummary().GetValues()["amount.sum"])
		}
		y, c, s, n, l := tab.col(t, "year"), tab.col(t, "admin.centro"), tab.col(t, "amount.sum"), tab.col(t, "amount.count"), tab.col(t, "admin.centro.label")
		for _, r := range tab.rows {
			w := want[r[y]+"|"+r[c]]
			if w == nil || r[s] != decimalString(w.sum, 2) || r[n] != fmtCount(w.count) || r[l] != raw.labels["admin.centro"][r[c]] {
				t.Errorf("CSV row %q; raw %v label %q", r, w, raw.labels["admin.centro"][r[c]])
			}
		}
	})

	t.Run("CSV of facts", func(t *testing.T) {
		raw := rawData(t, e.realStore, bahrainID)
		freq := &mizanv1.FactsRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{cut("year", "2016")}}
		h, data := exportFile(t, e.c, &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Facts{Facts: freq}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV})
		if h.GetFilename() != "bahrain-budget-v1-facts.csv" {
			t.Errorf("header %v", h)
		}
		tab := parseCSVExport(t, data)
		agg := must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: freq.GetCuts()})
		want := raw.total(func(f *rawFact) bool { return f.year == 2016 })
		if s := decimalString(tab.sum(t, "amount"), 3); s != agg.GetSummary().GetValues()["amount.sum"] || s != decimalString(want.sum, 3) || int64(len(tab.rows)) != want.count {
			t.Errorf("CSV: %d facts summing to %s; Aggregate %s; raw files %d, %s", len(tab.rows), s, agg.GetSummary().GetValues()["amount.sum"], want.count, decimalString(want.sum, 3))
		}
		file, row, amount, year := tab.col(t, "source_file"), tab.col(t, "source_row"), tab.col(t, "amount"), tab.col(t, "year")
		sha := tab.col(t, "source_sha256")
		for _, r := range tab.rows {
			rf := raw.file(r[file])
			n, err := strconv.ParseInt(r[row], 10, 64)
			if rf == nil || err != nil || r[sha] != rf.sha256 {
				t.Errorf("CSV row %q: provenance is not a raw file row", r)
				continue
			}
			hd, rec := cachedRecordAt(t, rf.path, n)
			if got := decimalString(rawAmount(t, rec[column(hd, r[year])], ""), 3); got != r[amount] {
				t.Errorf("CSV row %q: %s row %d holds %s", r, r[file], n, got)
			}
		}
	})

	t.Run("Arrow IPC", func(t *testing.T) {
		raw := rawData(t, e.realStore, mexicoID)
		areq := &mizanv1.AggregateRequest{Dataset: mexicoID, Drilldown: []string{"admin.ramo"}, Aggregates: []string{"amount.sum", "amount.count", "amount.share"}}
		h, data := exportFile(t, e.protos[2], &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Aggregate{Aggregate: areq}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_ARROW})
		if h.GetContentType() != "application/vnd.apache.arrow.stream" || h.GetFilename() != "mexico-pef-2016-v1-cells.arrows" {
			t.Errorf("header %v", h)
		}
		tab := readArrowExport(t, data)
		want := raw.sumBy(func(f *rawFact) (string, bool) { return f.keys["admin.ramo"], true })
		if tab.n != len(want) {
			t.Errorf("%d Arrow rows, raw file %d ramos", tab.n, len(want))
		}
		total := new(big.Rat)
		var count int64
		for i := 0; i < tab.n; i++ {
			k, _ := tab.cols["admin.ramo"][i].(string)
			s, _ := tab.cols["amount.sum"][i].(*big.Rat)
			n, _ := tab.cols["amount.count"][i].(int64)
			if s == nil || want[k] == nil || s.Cmp(want[k].sum) != 0 || n != want[k].count {
				t.Errorf("Arrow row %d: ramo %q sum %v count %d; raw %v", i, k, s, n, want[k])
				continue
			}
			total.Add(total, s)
			count += n
		}
		all := raw.total(nil)
		if total.Cmp(all.sum) != 0 || count != all.count {
			t.Errorf("Arrow sums to %s in %d facts; raw file %s in %d", decimalString(total, 2), count, decimalString(all.sum, 2), all.count)
		}
	})

	t.Run("Parquet read back by a separate DuckDB", func(t *testing.T) {
		raw := rawData(t, e.realStore, madridID)
		freq := &mizanv1.FactsRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{cut("year", "2015")}}
		h, data := exportFile(t, e.protos[1], &mizanv1.ExportRequest{Query: &mizanv1.ExportRequest_Facts{Facts: freq}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_PARQUET})
		if h.GetContentType() != "application/vnd.apache.parquet" || h.GetFilename() != "madrid-budget-v1-facts.parquet" {
			t.Errorf("header %v", h)
		}
		facts := filepath.Join(t.TempDir(), "facts.parquet")
		if err := os.WriteFile(facts, data, 0o600); err != nil {
			t.Fatal(err)
		}
		bh := rawData(t, e.realStore, bahrainID)
		_, data = exportFile(t, e.protos[3], &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_PARQUET, Query: &mizanv1.ExportRequest_Aggregate{
			Aggregate: &mizanv1.AggregateRequest{Dataset: bahrainID, Drilldown: []string{"year", "direction"}, Aggregates: []string{"amount.sum", "amount.count"}}}})
		cells := filepath.Join(t.TempDir(), "cells.parquet")
		if err := os.WriteFile(cells, data, 0o600); err != nil {
			t.Fatal(err)
		}

		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var sum string
		var n int64
		if err := db.QueryRow(`SELECT CAST(sum(amount) AS VARCHAR), count(*) FROM read_parquet(?) WHERE "year" = 2015`, facts).Scan(&sum, &n); err != nil {
			t.Fatal(err)
		}
		want := raw.total(func(f *rawFact) bool { return f.year == 2015 })
		if ratOf(t, sum).Cmp(want.sum) != 0 || n != want.count {
			t.Errorf("Parquet facts: %s in %d rows; raw file %s in %d", sum, n, decimalString(want.sum, 2), want.count)
		}
		rows, err := db.Query(`SELECT CAST("year" AS VARCHAR), "direction", CAST("amount.sum" AS VARCHAR), "amount.count" FROM read_parquet(?)`, cells)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		wantCells := bh.sumBy(func(f *rawFact) (string, bool) { return fmt.Sprint(f.year, "|", f.direction), true })
		got := 0
		for rows.Next() {
			var y, d, s string
			var c int64
			if err := rows.Scan(&y, &d, &s, &c); err != nil {
				t.Fatal(err)
			}
			got++
			w := wantCells[y+"|"+d]
			if w == nil || ratOf(t, s).Cmp(w.sum) != 0 || c != w.count {
				t.Errorf("Parquet cell %s %s: %s (%d); raw %v", y, d, s, c, w)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if got != len(wantCells) {
			t.Errorf("%d Parquet cells, raw %d", got, len(wantCells))
		}
	})
}

// ---------------------------------------------------------------------------
// Invalid requests, protocols, determinism

func TestRealDataInvalidRequests(t *testing.T) {
	e := newRealDataEnv(t)
	tests := []struct {
		name     string
		call     call
		wantCode connect.Code
		wantMsg  string
	}{
		{"unknown dimension", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: bahrainID, Drilldown: []string{"functional"}})
		}, connect.CodeInvalidArgument, `drilldown: dataset "bahrain-budget" has no dimension "functional"`},
		{"unknown level", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: bahrainID, Drilldown: []string{"admin.department"}})
		}, connect.CodeInvalidArgument, `drilldown: dimension "admin" has no level "department"`},
		{"unknown level in a cut", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Facts, &mizanv1.FactsRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{cut("programme.subprograma", "1")}})
		}, connect.CodeInvalidArgument, `cuts: dimension "programme" has no level "subprograma"`},
		{"bad cut value type", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{cut("year", "abc")}})
		}, connect.CodeInvalidArgument, `cuts: year value "abc" is not a whole number`},
		{"bad range bound type", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Execution, &mizanv1.ExecutionRequest{Dataset: macedoniaID, Cuts: []*mizanv1.Cut{{Dimension: "year", From: "2014", To: "later"}}})
		}, connect.CodeInvalidArgument, `cuts: year value "later" is not a whole number`},
		{"page size 10001", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: mexicoID, Drilldown: []string{"admin.unidad"}, PageSize: 10001})
		}, connect.CodeInvalidArgument, "page_size: "},
		{"members page size 10001", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: mexicoID, Dimension: "admin.unidad", PageSize: 10001})
		}, connect.CodeInvalidArgument, "page_size: "},
		{"members unknown level", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: bahrainID, Dimension: "admin.department"})
		}, connect.CodeInvalidArgument, `dimension: dimension "admin" has no level "department"`},
		{"unknown dataset", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: "bahrain-budgets"})
		}, connect.CodeNotFound, `dataset: no dataset "bahrain-budgets"`},
		{"unknown version", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Facts, &mizanv1.FactsRequest{Dataset: bahrainID, Version: 2})
		}, connect.CodeNotFound, "version: "},
		{"catalog unknown version", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.cat.GetDataset, &mizanv1.GetDatasetRequest{Dataset: mexicoID, Version: 7})
		}, connect.CodeNotFound, "version: "},
		{"export unknown dimension", func(ctx context.Context, p protocol) (any, error) {
			_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV, Query: &mizanv1.ExportRequest_Aggregate{
				Aggregate: &mizanv1.AggregateRequest{Dataset: madridID, Drilldown: []string{"functional"}}}})
			return nil, err
		}, connect.CodeInvalidArgument, `drilldown: dataset "madrid-budget" has no dimension "functional"`},
		{"export unknown version", func(ctx context.Context, p protocol) (any, error) {
			_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_PARQUET, Query: &mizanv1.ExportRequest_Facts{
				Facts: &mizanv1.FactsRequest{Dataset: madridID, Version: 3}}})
			return nil, err
		}, connect.CodeNotFound, "version: "},
		{"subtree of an unknown member", func(ctx context.Context, p protocol) (any, error) {
			return unary(p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{{Dimension: "admin", Values: []string{"Ministry of Magic"}, Subtree: true}}})
		}, connect.CodeInvalidArgument, `cuts: dimension "admin" has no member "Ministry of Magic"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range e.protos {
				_, err := tt.call(context.Background(), p)
				var ce *connect.Error
				if !errors.As(err, &ce) {
					t.Fatalf("%s: err = %v, want a connect error", p.name, err)
				}
				if ce.Code() != tt.wantCode || !strings.Contains(ce.Message(), tt.wantMsg) {
					t.Errorf("%s: got %v %q, want %v containing %q", p.name, ce.Code(), ce.Message(), tt.wantCode, tt.wantMsg)
				}
			}
		})
	}
}

// realDataCalls are one representative request per RPC on real data.
var realDataCalls = []struct {
	name string
	call func(t *testing.T, p protocol) []byte
}{
	{"ListDatasets", func(t *testing.T, p protocol) []byte {
		return wire(t, must(t, p.cat.ListDatasets, &mizanv1.ListDatasetsRequest{}))
	}},
	{"GetDataset", func(t *testing.T, p protocol) []byte {
		return wire(t, must(t, p.cat.GetDataset, &mizanv1.GetDatasetRequest{Dataset: bahrainID}))
	}},
	{"ListMembers", func(t *testing.T, p protocol) []byte {
		return wire(t, must(t, p.cat.ListMembers, &mizanv1.ListMembersRequest{Dataset: bahrainID, Dimension: "admin.ministry", Search: "وزارة", Lang: "ar", PageSize: 30}))
	}},
	{"GetIngestReport", func(t *testing.T, p protocol) []byte {
		return wire(t, must(t, p.cat.GetIngestReport, &mizanv1.GetIngestReportRequest{Dataset: bahrainID}))
	}},
	{"Aggregate", func(t *testing.T, p protocol) []byte {
		return wire(t, must(t, p.q.Aggregate, &mizanv1.AggregateRequest{Dataset: mexicoID, Drilldown: []string{"admin.ramo", "economic.capitulo"},
			Aggregates: []string{"amount.sum", "amount.count", "amount.avg", "amount.share"}, Lang: "ar", PageSize: 200}))
	}},
	{"Execution", func(t *testing.T, p protocol) []byte {
		return wire(t, must(t, p.q.Execution, &mizanv1.ExecutionRequest{Dataset: macedoniaID, Drilldown: []string{"year", "admin.section"}, Lang: "en", PageSize: 500}))
	}},
	{"Facts", func(t *testing.T, p protocol) []byte {
		return wire(t, must(t, p.q.Facts, &mizanv1.FactsRequest{Dataset: bahrainID, Cuts: []*mizanv1.Cut{cut("year", "2016")}, Lang: "ar", PageSize: 500}))
	}},
	{"Export", func(t *testing.T, p protocol) []byte {
		h, data := exportFile(t, p, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_PARQUET,
			Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: madridID, Cuts: []*mizanv1.Cut{cut("year", "2012")}, Lang: "en"}}})
		return append(wire(t, h), data...)
	}},
}

// TestRealDataProtocols runs one representative request per RPC through
// Connect JSON, Connect binary, gRPC and gRPC-Web and requires byte-identical
// responses.
func TestRealDataProtocols(t *testing.T) {
	e := newRealDataEnv(t)
	for _, c := range realDataCalls {
		t.Run(c.name, func(t *testing.T) {
			first := c.call(t, e.protos[0])
			if len(first) == 0 {
				t.Fatal("empty response")
			}
			for _, p := range e.protos[1:] {
				if got := c.call(t, p); !bytes.Equal(got, first) {
					t.Errorf("%s answers %d bytes differing from %s's %d", p.name, len(got), e.protos[0].name, len(first))
				}
			}
		})
	}
}

// TestRealDataDeterminism asks pinned requests twice and requires identical
// bytes, including the exports' files.
func TestRealDataDeterminism(t *testing.T) {
	e := newRealDataEnv(t)
	reqs := []struct {
		name string
		call func() []byte
	}{
		{"Aggregate", func() []byte {
			return wire(t, must(t, e.c.q.Aggregate, &mizanv1.AggregateRequest{Dataset: bahrainID, Version: 1, Drilldown: []string{"admin.sector", "admin.ministry", "year"},
				Aggregates: []string{"amount.sum", "amount.share", "amount.avg"}, Order: []*mizanv1.Order{{Ref: "amount.count", Desc: true}}, Lang: "ar", PageSize: 10000}))
		}},
		{"Facts", func() []byte {
			// Many ties on the unidad: the row id must break them.
			return wire(t, must(t, e.c.q.Facts, &mizanv1.FactsRequest{Dataset: mexicoID, Version: 1, Cuts: []*mizanv1.Cut{cut("admin.ramo", "12")}, PageSize: 400,
				Order: []*mizanv1.Order{{Ref: "admin.unidad"}}}))
		}},
		{"Execution", func() []byte {
			return wire(t, must(t, e.c.q.Execution, &mizanv1.ExecutionRequest{Dataset: demoID, Version: 1, Drilldown: []string{"admin.ministry", "year"}, PageSize: 10000}))
		}},
		{"Export CSV", func() []byte {
			_, data := exportFile(t, e.c, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV, Query: &mizanv1.ExportRequest_Facts{
				Facts: &mizanv1.FactsRequest{Dataset: madridID, Version: 1, Cuts: []*mizanv1.Cut{cut("year", "2015")}}}})
			return data
		}},
		{"Export Arrow", func() []byte {
			_, data := exportFile(t, e.c, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_ARROW, Query: &mizanv1.ExportRequest_Aggregate{
				Aggregate: &mizanv1.AggregateRequest{Dataset: mexicoID, Version: 1, Drilldown: []string{"admin.unidad"}, Aggregates: []string{"amount.sum", "amount.avg"}}}})
			return data
		}},
	}
	for _, r := range reqs {
		t.Run(r.name, func(t *testing.T) {
			a, b := r.call(), r.call()
			if !bytes.Equal(a, b) {
				t.Errorf("two identical requests answered %d and %d bytes that differ", len(a), len(b))
			}
		})
	}
}
