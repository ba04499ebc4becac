package contracts

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mizan-budget/mizan/ocds"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
)

// payColumns are Manchester's searchable facts columns.
var payColumns = []string{"buyer", "supplier", "service_area", "expense_type", "transaction"}

// prefixMatch says whether every query word starts one of words.
func prefixMatch(query []string, words []string) bool {
	for _, q := range query {
		ok := false
		for _, w := range words {
			if strings.HasPrefix(w, q) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// oracle answers searches independently of the index: Canadian processes
// from their stored searchable text, Manchester payments from the facts
// table in SQL, with the words matched against member labels in Go.
type oracle struct {
	t      *testing.T
	conn   *sql.Conn
	procs  map[int64][]string    // process id → folded words
	labels map[string][][]string // column → [key, label words...]
}

func newOracle(t *testing.T, db *store.DB) *oracle {
	ctx := context.Background()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	o := &oracle{t: t, conn: conn, procs: map[int64][]string{}, labels: map[string][][]string{}}
	rows, err := conn.QueryContext(ctx, `SELECT process_id, ocid, coalesce(search_raw, '') FROM contract_processes WHERE dataset_id = ?`, canadaID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var ocid, raw string
		if err := rows.Scan(&id, &ocid, &raw); err != nil {
			t.Fatal(err)
		}
		o.procs[id] = textnorm.Tokens(raw + " " + ocid)
	}
	rows.Close()
	rows, err = conn.QueryContext(ctx, `SELECT dim, key, coalesce(label_en, label_src, key) FROM members WHERE dataset_id = ?`, manchesterID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var dim, key, label string
		if err := rows.Scan(&dim, &key, &label); err != nil {
			t.Fatal(err)
		}
		o.labels[dim] = append(o.labels[dim], append([]string{key}, textnorm.Tokens(label+" "+key)...))
	}
	rows.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE oracle_keys (w INTEGER, col VARCHAR, key VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	return o
}

// search returns the matching records as "dataset/record" keys.
func (o *oracle) search(q string) map[string]bool {
	ctx := context.Background()
	words := textnorm.Tokens(q)
	out := map[string]bool{}
	for id, ws := range o.procs {
		if prefixMatch(words, ws) {
			out[fmt.Sprintf("%s/%d", canadaID, id)] = true
		}
	}
	if _, err := o.conn.ExecContext(ctx, `DELETE FROM oracle_keys`); err != nil {
		o.t.Fatal(err)
	}
	var conds []string
	for i, w := range words {
		var vals []string
		var args []any
		for _, col := range payColumns {
			for _, l := range o.labels[col] {
				if prefixMatch([]string{w}, l[1:]) {
					vals = append(vals, "(?, ?, ?)")
					args = append(args, i, col, l[0])
				}
			}
		}
		for len(vals) > 0 {
			n := min(len(vals), 500)
			if _, err := o.conn.ExecContext(ctx, `INSERT INTO oracle_keys VALUES `+strings.Join(vals[:n], ", "), args[:3*n]...); err != nil {
				o.t.Fatal(err)
			}
			vals, args = vals[n:], args[3*n:]
		}
		var or []string
		for _, col := range payColumns {
			or = append(or, fmt.Sprintf(`f.%s IN (SELECT key FROM oracle_keys WHERE w = %d AND col = '%s')`, store.Quote(col), i, col))
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	where := "true"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	rows, err := o.conn.QueryContext(ctx, `SELECT row_id FROM `+store.FactsTable(manchesterID, 1)+` f WHERE `+where)
	if err != nil {
		o.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			o.t.Fatal(err)
		}
		out[fmt.Sprintf("%s/%d", manchesterID, id)] = true
	}
	return out
}

// collect pages through a search, checking that no record comes twice and
// that the order holds, and returns every record found.
func collect(t *testing.T, svc *Service, q SearchQuery) (map[string]bool, *SearchResult) {
	t.Helper()
	q.PageSize = MaxPageSize
	got := map[string]bool{}
	var first *SearchResult
	prev := math.Inf(1)
	if q.Ascending {
		prev = math.Inf(-1)
	}
	seenUnknown := false
	for {
		res, err := svc.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
		}
		if res.Total != first.Total {
			t.Fatalf("%q: total changed between pages: %d then %d", q.Text, first.Total, res.Total)
		}
		for _, h := range res.Hits {
			k := fmt.Sprintf("%s/%d", h.Dataset, h.RecordID)
			if got[k] {
				t.Fatalf("%q: %s on two pages", q.Text, k)
			}
			got[k] = true
			// Every record cites a file of the catalog with its sha256
			// (zip members by their archive).
			if h.Source.File == "" || len(h.Source.SHA256) != 64 {
				t.Fatalf("%q: %s cites no source file: %+v", q.Text, k, h.Source)
			}
			var v float64
			known := true
			switch q.Sort {
			case "date":
				known = h.Date != ""
				v = float64(days(h.Date))
			default:
				f, err := strconv.ParseFloat(h.Amount, 64)
				known, v = err == nil, f
			}
			if !known {
				seenUnknown = true
				continue
			}
			if seenUnknown || q.Ascending && v < prev || !q.Ascending && v > prev {
				t.Fatalf("%q: %s out of order (%v after %v, unknown seen %v)", q.Text, k, v, prev, seenUnknown)
			}
			prev = v
		}
		if res.NextOffset == 0 {
			break
		}
		q.Offset = res.NextOffset
	}
	if len(got) != first.Total {
		t.Fatalf("%q: %d records over every page, total %d", q.Text, len(got), first.Total)
	}
	return got, first
}

// checkFacets checks that the facets counting each record once sum to the
// total.
func checkFacets(t *testing.T, label string, res *SearchResult) {
	t.Helper()
	for _, name := range []string{"kind", "dataset", "year", "currency"} {
		n := 0
		for _, v := range res.Facet(name) {
			n += v.Count
		}
		if n != res.Total {
			t.Errorf("%s: facet %s sums to %d, total %d", label, name, n, res.Total)
		}
	}
}

func TestSearchContractsAndPayments(t *testing.T) {
	rs := realStore(t)
	svc := rs.svc
	o := newOracle(t, rs.db)
	for _, q := range []string{"snow removal", "elevator", "capita", "consult", "translation services", "furniture", "univ", "مؤسسة", "PW-$$FK"} {
		want := o.search(q)
		got, res := collect(t, svc, SearchQuery{Text: q})
		if len(res.Versions) != 2 {
			t.Fatalf("versions searched: %v", res.Versions)
		}
		var missing, extra []string
		for k := range want {
			if !got[k] {
				missing = append(missing, k)
			}
		}
		for k := range got {
			if !want[k] {
				extra = append(extra, k)
			}
		}
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("%q: %d found, %d expected; missing %v, extra %v", q, len(got), len(want), first(missing, 5), first(extra, 5))
		}
		checkFacets(t, q, res)
		t.Logf("%q: %d records (%s)", q, res.Total, res.Took)
		// The same by date, oldest first.
		byDate, _ := collect(t, svc, SearchQuery{Text: q, Sort: "date", Ascending: true})
		if len(byDate) != len(got) {
			t.Errorf("%q by date: %d records, by amount %d", q, len(byDate), len(got))
		}
	}
}

func first(s []string, n int) []string {
	sort.Strings(s)
	return s[:min(n, len(s))]
}

// count runs an SQL count.
func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSearchFilters(t *testing.T) {
	rs := realStore(t)
	svc, db := rs.svc, rs.db
	facts := store.FactsTable(manchesterID, 1)
	ctx := context.Background()
	no := false
	// Manchester's payers grouped by normalised name.
	var councilKeys []string
	rows, err := db.SQL.Query(`SELECT DISTINCT buyer FROM ` + facts)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		if ocds.NormalizeName(k) == "manchester city council" {
			councilKeys = append(councilKeys, "'"+strings.ReplaceAll(k, "'", "''")+"'")
		}
	}
	rows.Close()
	tests := []struct {
		name string
		q    SearchQuery
		want int
	}{
		{"GBP", SearchQuery{Currencies: []string{"GBP"}}, count(t, db, `SELECT count(*) FROM `+facts)},
		{"payments", SearchQuery{Kinds: []string{KindPayment}}, count(t, db, `SELECT count(*) FROM `+facts)},
		{"processes", SearchQuery{Kinds: []string{KindProcess}}, count(t, db, `SELECT count(*) FROM contract_processes WHERE dataset_id = ?`, canadaID)},
		{"amount range", SearchQuery{MinAmount: "1200", MaxAmount: "5000.005"},
			count(t, db, `SELECT count(*) FROM `+facts+` WHERE amount BETWEEN 1200 AND 5000.005`) +
				count(t, db, `SELECT count(*) FROM contract_processes WHERE dataset_id = ? AND amount BETWEEN 1200 AND 5000.005`, canadaID)},
		// Bounds closer than a float can tell: compared as decimals.
		{"exact lower bound", SearchQuery{MinAmount: "1199.999999999999999", MaxAmount: "1200.000000000000001", Kinds: []string{KindPayment}},
			count(t, db, `SELECT count(*) FROM `+facts+` WHERE amount = 1200`)},
		{"exclusive by a hair", SearchQuery{MinAmount: "1200.000000000000001", MaxAmount: "1300", Kinds: []string{KindPayment}},
			count(t, db, `SELECT count(*) FROM `+facts+` WHERE amount > 1200 AND amount <= 1300`)},
		{"dates", SearchQuery{DateFrom: "2013-01-01", DateTo: "2013-12-31", Kinds: []string{KindPayment}},
			count(t, db, `SELECT count(*) FROM `+facts+` WHERE date BETWEEN DATE '2013-01-01' AND DATE '2013-12-31'`)},
		{"non-competitive", SearchQuery{Competitive: &no},
			count(t, db, `SELECT count(*) FROM contract_processes WHERE dataset_id = ? AND competitive = false`, canadaID)},
		{"method", SearchQuery{Methods: []string{"limited"}},
			count(t, db, `SELECT count(*) FROM contract_processes WHERE dataset_id = ? AND method = 'limited'`, canadaID)},
		{"payer", SearchQuery{Buyers: []string{"name:manchester city council"}},
			count(t, db, `SELECT count(*) FROM `+facts+` WHERE buyer IN (`+strings.Join(councilKeys, ",")+`)`)},
		{"text and amount", SearchQuery{Text: "consult", MinAmount: "100000"}, -1},
	}
	for _, tt := range tests {
		res, err := svc.Search(ctx, tt.q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tt.want >= 0 && res.Total != tt.want {
			t.Errorf("%s: %d records, want %d", tt.name, res.Total, tt.want)
		}
		if tt.want == 0 {
			t.Errorf("%s: the check is empty", tt.name)
		}
		checkFacets(t, tt.name, res)
		for _, h := range res.Hits {
			if tt.q.MinAmount != "" {
				a, _ := new(big.Rat).SetString(h.Amount)
				m, _ := new(big.Rat).SetString(tt.q.MinAmount)
				if a == nil || a.Cmp(m) < 0 {
					t.Errorf("%s: %s/%d amount %s below %s", tt.name, h.Dataset, h.RecordID, h.Amount, tt.q.MinAmount)
				}
			}
		}
	}
	// Validation names the field.
	for field, q := range map[string]SearchQuery{
		"min_amount": {MinAmount: "lots"},
		"max_amount": {MinAmount: "10", MaxAmount: "5"},
		"date_to":    {DateTo: "2013-02-30"},
		"sort":       {Sort: "title"},
		"kinds":      {Kinds: []string{"award"}},
		"page_size":  {PageSize: MaxPageSize + 1},
		"datasets":   {Datasets: []VersionRef{{Dataset: "no-such"}}},
	} {
		_, err := svc.Search(ctx, q)
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestPaymentsParty(t *testing.T) {
	rs := realStore(t)
	db := rs.db
	facts := store.FactsTable(manchesterID, 1)
	// The supplier with the most spellings (then the most rows), grouped
	// independently here by normalised name.
	rows, err := db.SQL.Query(`SELECT supplier, count(*) FROM ` + facts + ` WHERE supplier IS NOT NULL GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string][]string{}
	rowsOf := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		norm := ocds.NormalizeName(k)
		groups[norm] = append(groups[norm], k)
		rowsOf[norm] += n
	}
	rows.Close()
	best := ""
	for n, g := range groups {
		if n == "" {
			continue
		}
		b := groups[best]
		if best == "" || len(g) > len(b) || len(g) == len(b) && (rowsOf[n] > rowsOf[best] || rowsOf[n] == rowsOf[best] && n < best) {
			best = n
		}
	}
	keys := groups[best]
	sort.Strings(keys)
	p, err := rs.svc.GetParty(context.Background(), manchesterID, 0, "name:"+best, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Spellings, keys) || p.Records != int64(rowsOf[best]) || p.Role != RoleSupplier {
		t.Errorf("party %q: spellings %v records %d role %s; want %v, %d", best, p.Spellings, p.Records, p.Role, keys, rowsOf[best])
	}
	in := make([]string, len(keys))
	for i, k := range keys {
		in[i] = "'" + strings.ReplaceAll(k, "'", "''") + "'"
	}
	rows, err = db.SQL.Query(`SELECT year, currency, CAST(sum(amount) AS VARCHAR), count(*) FROM ` + facts + ` WHERE supplier IN (` + strings.Join(in, ",") + `) GROUP BY ALL ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var want []YearTotal
	for rows.Next() {
		var y YearTotal
		if err := rows.Scan(&y.Year, &y.Currency, &y.Amount, &y.Count); err != nil {
			t.Fatal(err)
		}
		want = append(want, y)
	}
	rows.Close()
	if len(want) != len(p.ByYear) {
		t.Fatalf("by year: %+v, want %+v", p.ByYear, want)
	}
	for i, w := range want {
		g := p.ByYear[i]
		a, _ := new(big.Rat).SetString(g.Amount)
		b, _ := new(big.Rat).SetString(w.Amount)
		if g.Year != w.Year || g.Currency != w.Currency || g.Count != w.Count || a == nil || a.Cmp(b) != 0 {
			t.Errorf("by year %d: %+v, want %+v", i, g, w)
		}
	}
	var top string
	if err := db.SQL.QueryRow(`SELECT CAST(max(amount) AS VARCHAR) FROM ` + facts + ` WHERE supplier IN (` + strings.Join(in, ",") + `)`).Scan(&top); err != nil {
		t.Fatal(err)
	}
	a, _ := new(big.Rat).SetString(top)
	if len(p.TopPayments) == 0 {
		t.Fatal("no top payments")
	}
	if b, _ := new(big.Rat).SetString(p.TopPayments[0].Amount); b == nil || a.Cmp(b) != 0 {
		t.Errorf("top payment %s, want %s", p.TopPayments[0].Amount, top)
	}
	t.Logf("%q: %d spellings, %d payments, %d years", best, len(keys), p.Records, len(p.ByYear))
}

func TestContractsPartyTotals(t *testing.T) {
	rs := realStore(t)
	db := rs.db
	// The supplier with the most contracts, and its contracts' values summed
	// here with big.Rat.
	var ent string
	if err := db.SQL.QueryRow(`SELECT supplier_entity FROM contract_contracts WHERE dataset_id = ? AND supplier_entity IS NOT NULL AND amount IS NOT NULL
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, canadaID).Scan(&ent); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL.Query(`SELECT coalesce(year(date), 0), currency, CAST(amount AS VARCHAR) FROM contract_contracts WHERE dataset_id = ? AND supplier_entity = ? AND amount IS NOT NULL`, canadaID, ent)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*big.Rat{}
	n := map[string]int64{}
	for rows.Next() {
		var y int
		var c, a string
		if err := rows.Scan(&y, &c, &a); err != nil {
			t.Fatal(err)
		}
		k := fmt.Sprint(y, "/", c)
		if want[k] == nil {
			want[k] = new(big.Rat)
		}
		r, _ := new(big.Rat).SetString(a)
		want[k].Add(want[k], r)
		n[k]++
	}
	rows.Close()
	p, err := rs.svc.GetParty(context.Background(), canadaID, 0, ent, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != RoleSupplier || len(p.ByYear) != len(want) {
		t.Fatalf("party %s: role %s, by year %+v, want %d years", ent, p.Role, p.ByYear, len(want))
	}
	for _, y := range p.ByYear {
		k := fmt.Sprint(y.Year, "/", y.Currency)
		a, _ := new(big.Rat).SetString(y.Amount)
		if want[k] == nil || a.Cmp(want[k]) != 0 || y.Count != n[k] {
			t.Errorf("%s: %s (%d), want %v (%d)", k, y.Amount, y.Count, want[k], n[k])
		}
	}
	for _, r := range p.TopPayments {
		if !r.NameMatch || r.Dataset.Dataset != manchesterID {
			t.Errorf("cross-dataset payment %+v", r)
		}
	}
	t.Logf("%s (%s): %d years, %d top contracts, %d payments by name", ent, p.Entity.Name, len(p.ByYear), len(p.TopContracts), len(p.TopPayments))
}
