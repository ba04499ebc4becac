package contracts

import (
	"archive/zip"
	"context"
	"encoding/json"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mizan-budget/mizan/ocds"
)

func TestArabicSearchAndParty(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s := ingest(t, db, "ar-fixture", "testdata/arabic.json")
	if s.Processes != 3 || s.Contracts != 3 || s.Problems != 0 {
		t.Fatalf("summary: %+v", s)
	}
	svc := NewService(db, ServiceOptions{})
	ar := []VersionRef{{Dataset: "ar-fixture"}}
	// "موسسه" (no hamza, heh for ta marbuta) finds "مؤسسة" and "موسسه".
	res, err := svc.Search(ctx, SearchQuery{Datasets: ar, Text: "موسسه"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 {
		t.Fatalf("موسسه: %d hits, want 2: %+v", res.Total, res.Hits)
	}
	// Both spellings are one entity: the legal suffix ش.م.م and the letter forms fold away.
	if sf := res.Facet("supplier"); len(sf) != 1 || sf[0].Count != 2 {
		t.Fatalf("supplier facet: %+v", sf)
	}
	ent := res.Facet("supplier")[0].Key
	if ent != "name:"+ocds.NormalizeName("مؤسسة النور للتجارة") {
		t.Fatalf("entity %q", ent)
	}
	p, err := svc.GetParty(ctx, "ar-fixture", 0, ent, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != "supplier" || len(p.Spellings) != 2 || len(p.ByYear) != 1 || p.ByYear[0].Amount != "13400.75" || p.ByYear[0].Count != 2 {
		t.Fatalf("party: %+v", p)
	}
	if len(p.NonCompetitive) != 1 || p.NonCompetitive[0].Amount != "900.00" || p.NonCompetitive[0].Share != "0.0672" {
		t.Fatalf("non-competitive: %+v", p.NonCompetitive)
	}
	// Filters: competitive only, by buyer; identifiers make entities.
	yes := true
	res, err = svc.Search(ctx, SearchQuery{Datasets: ar, Competitive: &yes})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || res.Hits[0].Amount != "40000.00" || res.Hits[0].Source.File != "arabic.json" {
		t.Fatalf("competitive: %+v", res)
	}
	res, err = svc.Search(ctx, SearchQuery{Datasets: ar, Competitive: &yes, Ascending: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || res.Hits[0].Amount != "12500.75" || res.Hits[0].Source.Pointer != "/releases/0" {
		t.Fatalf("competitive ascending: %+v", res)
	}
	res, err = svc.Search(ctx, SearchQuery{Datasets: ar, Suppliers: []string{"id:KW-CR:12345"}, Text: "الامل"})
	if err != nil || res.Total != 1 || res.Hits[0].OCID != "ocds-test-ar-003" {
		t.Fatalf("supplier filter: %+v %v", res, err)
	}
	// The same files again: nothing new.
	again := ingest(t, db, "ar-fixture", "testdata/arabic.json")
	if !again.NoOp || again.Version != 1 {
		t.Fatalf("re-ingest: %+v", again)
	}
	// Aggregate for free: the facts table holds award and contract values.
	var n int
	var sum string
	if err := db.SQL.QueryRow(`SELECT count(*), CAST(sum(amount) AS VARCHAR) FROM facts_ar_fixture_v1 WHERE measure = 'contract'`).Scan(&n, &sum); err != nil || n != 3 || sum != "53400.750" {
		t.Fatalf("facts: %d %s %v", n, sum, err)
	}
}

// independent is a second, plain reading of OCDS files: encoding/json into
// map[string]any, releases grouped by ocid and ordered by date, the last
// value of each contract (by id; within one release the last object with
// an id) summed per currency with big.Rat.
type independent struct {
	releases map[string][]map[string]any
	order    []string
}

func (in *independent) add(v any) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	if recs, ok := m["records"].([]any); ok {
		for _, r := range recs {
			in.record(r)
		}
		return
	}
	if rels, ok := m["releases"].([]any); ok {
		if _, isRecord := m["ocid"]; isRecord {
			in.record(m)
			return
		}
		for _, r := range rels {
			in.release(r)
		}
		return
	}
	if _, ok := m["compiledRelease"]; ok {
		in.record(m)
		return
	}
	in.release(m)
}

func (in *independent) record(v any) {
	m, _ := v.(map[string]any)
	full := 0
	rels, _ := m["releases"].([]any)
	for _, r := range rels {
		if rm, ok := r.(map[string]any); ok && rm["ocid"] != nil {
			in.release(rm)
			full++
		}
	}
	if full == 0 {
		if c, ok := m["compiledRelease"].(map[string]any); ok {
			in.release(c)
		}
	}
}

func (in *independent) release(v any) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	ocid, _ := m["ocid"].(string)
	if ocid == "" {
		return
	}
	if _, ok := in.releases[ocid]; !ok {
		in.order = append(in.order, ocid)
	}
	in.releases[ocid] = append(in.releases[ocid], m)
}

// contractTotals returns the sum of the latest contract values per currency.
func (in *independent) contractTotals() (map[string]*big.Rat, int) {
	out := map[string]*big.Rat{}
	n := 0
	for _, ocid := range in.order {
		rs := in.releases[ocid]
		sort.SliceStable(rs, func(i, j int) bool {
			a, b := ocds.ParseTime(s(rs[i]["date"])), ocds.ParseTime(s(rs[j]["date"]))
			if a.IsZero() || b.IsZero() {
				return !a.IsZero() && b.IsZero()
			}
			return a.Before(b)
		})
		type val struct{ amount, currency string }
		last := map[string]*val{}
		var keys []string
		for _, r := range rs {
			cs, _ := r["contracts"].([]any)
			lastInRelease := map[string]int{}
			for i, c := range cs {
				cm, _ := c.(map[string]any)
				lastInRelease[s(cm["id"])] = i
			}
			for i, c := range cs {
				cm, _ := c.(map[string]any)
				k := s(cm["id"])
				if lastInRelease[k] != i {
					continue // an earlier object with the same id in this release
				}
				if _, ok := last[k]; !ok {
					keys = append(keys, k)
					last[k] = nil
				}
				if vm, ok := cm["value"].(map[string]any); ok && vm["amount"] != nil {
					cur := s(vm["currency"])
					if cur == "" && last[k] != nil {
						cur = last[k].currency
					}
					last[k] = &val{s(vm["amount"]), strings.ToUpper(cur)}
				}
			}
		}
		for _, k := range keys {
			v := last[k]
			if v == nil || v.currency == "" {
				continue
			}
			r, ok := new(big.Rat).SetString(strings.ReplaceAll(v.amount, ",", ""))
			if !ok {
				continue
			}
			if out[v.currency] == nil {
				out[v.currency] = new(big.Rat)
			}
			out[v.currency].Add(out[v.currency], r)
			n++
		}
	}
	return out, n
}

func s(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return big.NewFloat(t).Text('f', -1)
	case json.Number:
		return t.String()
	}
	return ""
}

func readIndependent(t *testing.T, dir string) *independent {
	in := &independent{releases: map[string][]map[string]any{}}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".json"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			in.decode(t, b)
		case strings.HasSuffix(p, ".zip"):
			zr, err := zip.OpenReader(p)
			if err != nil {
				return err
			}
			defer zr.Close()
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					return err
				}
				dec := json.NewDecoder(rc)
				dec.UseNumber()
				for {
					var v any
					if err := dec.Decode(&v); err != nil {
						break
					}
					in.add(v)
				}
				rc.Close()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func (in *independent) decode(t *testing.T, b []byte) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			return
		}
		in.add(v)
	}
}

func checkTotals(t *testing.T, sum *Summary, want map[string]*big.Rat, count int) {
	t.Helper()
	got := map[string]*big.Rat{}
	var n int64
	for _, tot := range sum.Totals {
		if tot.Measure != MeasureContract {
			continue
		}
		r, _ := new(big.Rat).SetString(tot.Amount)
		got[tot.Currency] = r
		n += tot.Count
	}
	if len(got) != len(want) {
		t.Errorf("currencies: got %v, want %v", got, want)
	}
	for c, w := range want {
		if got[c] == nil || got[c].Cmp(w) != 0 {
			t.Errorf("%s contract total: got %v, want %s", c, got[c], w.FloatString(6))
		}
	}
	if int(n) != count {
		t.Errorf("contracts with a value: got %d, want %d", n, count)
	}
}

func TestRealExamples(t *testing.T) {
	dir := datasetDir(t, "ocds-real-examples")
	db := openDB(t)
	sum := ingest(t, db, "ocds-real", dir)
	in := readIndependent(t, dir)
	want, count := in.contractTotals()
	checkTotals(t, sum, want, count)
	if sum.Processes != len(in.order) {
		t.Errorf("processes: got %d, want %d ocids", sum.Processes, len(in.order))
	}
	for _, tot := range sum.Totals {
		t.Logf("%s %s %s (%d)", tot.Measure, tot.Currency, tot.Amount, tot.Count)
	}
	t.Logf("%d files, %d releases, %d processes, %d awards, %d contracts, %d parties, %d entities, %d problems",
		len(sum.Files), sum.Releases, sum.Processes, sum.Awards, sum.Contracts, sum.Parties, sum.Entities, sum.Problems)
	// Every problem names its file; the empty Paraguay records and
	// Montreal's string tags are among them, with ocid and JSON path.
	rows, err := db.SQL.Query(`SELECT file, coalesce(ocid, ''), coalesce(path, ''), message FROM contract_problems WHERE dataset_id = 'ocds-real'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	empty, tags := 0, 0
	kinds := map[string]int{}
	for rows.Next() {
		var file, ocid, path, msg string
		if err := rows.Scan(&file, &ocid, &path, &msg); err != nil {
			t.Fatal(err)
		}
		if file == "" {
			t.Errorf("problem without a file: %s", msg)
		}
		if msg == "the file is empty" && strings.Contains(file, "paraguay/sample/records/") {
			empty++
		}
		if strings.HasPrefix(msg, "tag is the string") && ocid != "" && strings.HasSuffix(path, "/tag") && strings.Contains(file, "montreal") {
			tags++
		}
		k := msg
		if i := strings.IndexAny(k, "\"0123456789"); i > 0 {
			k = k[:i]
		}
		kinds[k]++
	}
	if empty != 3 {
		t.Errorf("empty files reported: %d, want 3", empty)
	}
	if tags == 0 {
		t.Error("no string-tag problem reported for Montreal")
	}
	for k, n := range kinds {
		t.Logf("problem x%d: %s", n, k)
	}
}

func TestOCDSKitFixtures(t *testing.T) {
	dir := datasetDir(t, "ocds-ocdskit-realdata-fixtures")
	db := openDB(t)
	sum := ingest(t, db, "ocdskit", dir)
	if sum.Processes == 0 || sum.Contracts == 0 {
		t.Fatalf("summary: %+v", sum)
	}
	for _, tot := range sum.Totals {
		t.Logf("%s %s %s (%d)", tot.Measure, tot.Currency, tot.Amount, tot.Count)
	}
	t.Logf("%d files, %d releases, %d processes, %d problems", len(sum.Files), sum.Releases, sum.Processes, sum.Problems)
	// The ISO-8859-1 file reads the same text as its UTF-8 twin.
	var n int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM contract_problems WHERE dataset_id = 'ocdskit' AND file LIKE '%encoding-iso-8859-1.json' AND message LIKE '%ISO-8859-1%'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("latin-1 problem: %d %v", n, err)
	}
}

func TestCanada2014(t *testing.T) {
	dir := datasetDir(t, "ocds-canada-buyandsell-2014")
	ctx := context.Background()
	start := time.Now()
	rs := realStore(t)
	db, sum := rs.db, rs.canada
	t.Logf("shared store (Canada and Manchester): %s; %d releases, %d processes, %d awards, %d contracts, %d parties, %d entities, %d problems",
		time.Since(start).Round(time.Millisecond), sum.Releases, sum.Processes, sum.Awards, sum.Contracts, sum.Parties, sum.Entities, sum.Problems)
	for _, p := range sum.ProblemSamples {
		t.Log("problem:", p)
	}
	// Independent pass over the draft JSON: per ocid, contracts by id, the
	// value of the latest event (by award date, then file order) wins.
	zr, err := zip.OpenReader(filepath.Join(dir, "contracts_releases_compact.json.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Releases []struct {
			OCID      string `json:"ocid"`
			Formation struct {
				Method        string `json:"method"`
				Justification string `json:"methodJustification"`
			} `json:"formation"`
			Buyer struct {
				ID struct {
					Name string `json:"name"`
				} `json:"id"`
			} `json:"buyer"`
			Awards []struct {
				AwardDate string `json:"awardDate"`
				Notice    struct {
					ID string `json:"id"`
				} `json:"notice"`
				Suppliers []struct {
					ID struct {
						Name string `json:"name"`
					} `json:"id"`
				} `json:"suppliers"`
			} `json:"awards"`
			Contracts []struct {
				ID struct {
					Name string `json:"name"`
				} `json:"id"`
				ContractValue struct {
					Amount string `json:"amount"`
				} `json:"contractValue"`
			} `json:"contracts"`
		} `json:"releases"`
	}
	if err := json.NewDecoder(rc).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	type ev struct {
		date, amount string
		seq          int
	}
	latest := map[[2]string]ev{}
	method := map[string]ev{}
	awards := map[[2]string]bool{}
	for i, r := range doc.Releases {
		d := ""
		if len(r.Awards) > 0 {
			d = r.Awards[0].AwardDate
		}
		for _, a := range r.Awards {
			awards[[2]string{r.OCID, a.Notice.ID}] = true
		}
		if m, ok := method[r.OCID]; !ok || d >= m.date {
			method[r.OCID] = ev{date: d, amount: r.Formation.Method, seq: i}
		}
		for _, c := range r.Contracts {
			k := [2]string{r.OCID, c.ID.Name}
			if old, ok := latest[k]; !ok || d >= old.date {
				latest[k] = ev{date: d, amount: c.ContractValue.Amount, seq: i}
			}
		}
	}
	total := new(big.Rat)
	count := 0
	for _, e := range latest {
		if r, ok := new(big.Rat).SetString(e.amount); ok {
			total.Add(total, r)
			count++
		}
	}
	nonCompetitive := 0
	for k := range awards {
		if method[k[0]].amount == "Traditional Non-Competitive" {
			nonCompetitive++
		}
	}
	checkTotals(t, sum, map[string]*big.Rat{"CAD": total}, count)
	var got int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM contract_awards a JOIN contract_processes p USING (dataset_id, version, process_id)
		WHERE a.dataset_id = 'canada' AND p.competitive = false`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != nonCompetitive {
		t.Errorf("non-competitive awards: got %d, want %d", got, nonCompetitive)
	}
	t.Logf("CAD contracts %s (%d); non-competitive awards %d", total.FloatString(2), count, got)

	// Search: the Go index against a DuckDB ILIKE scan and a DuckDB postings join.
	checkCanadaContract(t, rs.svc, doc.Releases[0].OCID, func(yield func(ocid, method, justification, buyer string, awards []string, suppliers []string, contracts map[string]string)) {
		for _, r := range doc.Releases {
			var aw, sup []string
			for _, a := range r.Awards {
				aw = append(aw, a.Notice.ID)
				for _, s := range a.Suppliers {
					sup = append(sup, s.ID.Name)
				}
			}
			cs := map[string]string{}
			for _, c := range r.Contracts {
				cs[c.ID.Name] = c.ContractValue.Amount
			}
			yield(r.OCID, r.Formation.Method, r.Formation.Justification, r.Buyer.ID.Name, aw, sup, cs)
		}
	})

	svc := rs.svc
	if _, err := svc.Search(ctx, SearchQuery{Datasets: []VersionRef{{Dataset: "canada"}}, Text: "warm"}); err != nil { // builds the index
		t.Fatal(err)
	}
	queries := []string{"elevator", "snow removal", "ottawa", "construction", "software", "security services", "cleaning", "furniture",
		"translation", "aircraft", "medical", "repair", "consulting", "fuel", "printing", "training", "paint", "vehicles", "water", "office"}
	var goT, ilikeT, postT []time.Duration
	for _, q := range queries {
		st := time.Now()
		res, err := svc.Search(ctx, SearchQuery{Datasets: []VersionRef{{Dataset: "canada"}}, Text: q, PageSize: 20})
		if err != nil {
			t.Fatal(err)
		}
		goT = append(goT, time.Since(st))
		st = time.Now()
		n := ilikeSearch(t, db, "canada", q)
		ilikeT = append(ilikeT, time.Since(st))
		st = time.Now()
		m := postingsSearch(t, db, "canada", q)
		postT = append(postT, time.Since(st))
		if n < res.Total {
			t.Errorf("%q: ILIKE found %d, the index %d", q, n, res.Total)
		}
		if m != res.Total {
			t.Errorf("%q: postings join found %d, the index %d", q, m, res.Total)
		}
	}
	g, il, po := median(goT), median(ilikeT), median(postT)
	t.Logf("search medians over %d queries (%d processes): Go index %s, DuckDB postings %s, DuckDB ILIKE %s (%.1fx)", len(queries), sum.Processes, g, po, il, float64(il)/float64(g))
	if g > 20*time.Millisecond && !raceEnabled {
		t.Errorf("median search %s > 20ms", g)
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// ilikeSearch is the comparison scan: every word ILIKE'd against the raw
// searchable text, with the same facets (method, year, currency, buyer) and
// the first page.
func ilikeSearch(t *testing.T, db interface{}, ds, q string) int {
	d := db.(*storeDB)
	conds := []string{"dataset_id = ?"}
	args := []any{ds}
	for _, w := range strings.Fields(q) {
		conds = append(conds, "search_raw ILIKE ?")
		args = append(args, "%"+w+"%")
	}
	where := strings.Join(conds, " AND ")
	var n int
	if err := d.SQL.QueryRow(`SELECT count(*) FROM contract_processes WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"method", "year", "currency", "buyer_entity"} {
		rows, err := d.SQL.Query(`SELECT `+col+`, count(*) FROM contract_processes WHERE `+where+` GROUP BY 1 ORDER BY 2 DESC LIMIT 10`, args...)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
	rows, err := d.SQL.Query(`SELECT process_id, ocid, title, amount FROM contract_processes WHERE `+where+` ORDER BY amount DESC NULLS LAST LIMIT 20`, args...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	rows.Close()
	return n
}

// postingsSearch answers the same question from the contract_tokens table
// in DuckDB (prefix match per word, intersection, facets, first page).
func postingsSearch(t *testing.T, db interface{}, ds, q string) int {
	d := db.(*storeDB)
	words := ocdsTokens(q)
	var parts []string
	args := []any{}
	for _, w := range words {
		parts = append(parts, `SELECT DISTINCT process_id FROM contract_tokens WHERE dataset_id = ? AND starts_with(token, ?)`)
		args = append(args, ds, w)
	}
	hits := `WITH hits AS (` + strings.Join(parts, " INTERSECT ") + `) `
	var n int
	if err := d.SQL.QueryRow(hits+`SELECT count(*) FROM hits`, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"method", "year", "currency", "buyer_entity"} {
		rows, err := d.SQL.Query(hits+`SELECT p.`+col+`, count(*) FROM hits JOIN contract_processes p USING (process_id) WHERE p.dataset_id = ? GROUP BY 1 ORDER BY 2 DESC LIMIT 10`, append(args, ds)...)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
	rows, err := d.SQL.Query(hits+`SELECT p.process_id, p.ocid, p.title, p.amount FROM hits JOIN contract_processes p USING (process_id) WHERE p.dataset_id = ? ORDER BY p.amount DESC NULLS LAST LIMIT 20`, append(args, ds)...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	rows.Close()
	return n
}

// checkCanadaContract compares GetContract of one Canadian ocid with the
// releases of the raw 2014 draft JSON (each call of releases' yield is one
// release, in file order).
func checkCanadaContract(t *testing.T, svc *Service, ocid string, releases func(func(ocid, method, justification, buyer string, awards, suppliers []string, contracts map[string]string))) {
	t.Helper()
	methods, rationales, buyers, awards, suppliers := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	values := map[string]map[string]bool{}
	n := 0
	releases(func(o, method, just, buyer string, aw, sup []string, cs map[string]string) {
		if o != ocid {
			return
		}
		n++
		methods[method], rationales[just], buyers[buyer] = true, true, true
		for _, a := range aw {
			awards[a] = true
		}
		for _, s := range sup {
			suppliers[s] = true
		}
		for id, v := range cs {
			if values[id] == nil {
				values[id] = map[string]bool{}
			}
			values[id][v] = true
		}
	})
	c, err := svc.GetContract(context.Background(), canadaID, 0, ocid, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Releases != n || c.Summary.OCID != ocid {
		t.Errorf("%s: %d releases, summary %q; the raw file has %d", ocid, c.Releases, c.Summary.OCID, n)
	}
	if c.Tender == nil || !methods[c.Tender.MethodDetails] || !rationales[c.Tender.MethodRationale] {
		t.Errorf("%s: tender %+v; raw methods %v, justifications %v", ocid, c.Tender, methods, rationales)
	}
	if len(c.Awards) != len(awards) {
		t.Errorf("%s: %d awards, raw notices %v", ocid, len(c.Awards), awards)
	}
	got := map[string]bool{}
	for _, a := range c.Awards {
		for _, s := range a.Suppliers {
			got[s.Name] = true
		}
	}
	for _, p := range c.Parties {
		if slices.Contains(p.Roles, "supplier") {
			got[p.Name] = true
		}
	}
	if !maps.Equal(got, suppliers) {
		t.Errorf("%s: suppliers %v, raw %v", ocid, got, suppliers)
	}
	if len(c.Contracts) != len(values) {
		t.Errorf("%s: %d contracts, raw %d", ocid, len(c.Contracts), len(values))
	}
	for _, k := range c.Contracts {
		want := values[k.ID]
		r, _ := new(big.Rat).SetString(k.Value.Amount)
		ok := false
		for v := range want {
			if w, good := new(big.Rat).SetString(v); good && r != nil && w.Cmp(r) == 0 {
				ok = true
			}
		}
		if !ok || k.Value.Currency != "CAD" {
			t.Errorf("%s contract %s: value %+v, raw values %v", ocid, k.ID, k.Value, want)
		}
	}
	buyer := ""
	for _, p := range c.Parties {
		if slices.Contains(p.Roles, "buyer") {
			buyer = p.Name
		}
	}
	if !buyers[buyer] || c.Summary.Buyer.Name == "" {
		t.Errorf("%s: buyer %q (%+v), raw %v", ocid, buyer, c.Summary.Buyer, buyers)
	}
	var compiled map[string]any
	if err := json.Unmarshal([]byte(c.Compiled), &compiled); err != nil || compiled["ocid"] != ocid {
		t.Errorf("%s: compiled release: %v %v", ocid, compiled["ocid"], err)
	}
}
