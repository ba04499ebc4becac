package contracts

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mizan-budget/mizan"
)

// TestExportEqualsPages exports searches over Canada and Manchester and
// checks every CSV row against the same search read page by page: same
// records, same order, same amounts, titles, parties and sources.
func TestExportEqualsPages(t *testing.T) {
	rs := realStore(t)
	ctx := context.Background()
	for _, q := range []SearchQuery{
		{Text: "cossette"},
		{Text: "consulting", Sort: "date", Ascending: true},
		{Kinds: []string{KindPayment}, MinAmount: "250000", DateFrom: "2019-01-01", DateTo: "2019-12-31"},
	} {
		var buf bytes.Buffer
		var total int
		n, err := rs.svc.Export(ctx, q, &buf, func(_ []VersionRef, t int) error { total = t; return nil })
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n+1 || n != total || n == 0 {
			t.Fatalf("%+v: %d rows written, %d read, %d matched", q, n, len(rows)-1, total)
		}
		col := map[string]int{}
		for i, c := range rows[0] {
			col[c] = i
		}
		q.PageSize = MaxPageSize
		i := 1
		for q.Offset = 0; ; {
			res, err := rs.svc.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				r := rows[i]
				i++
				if r[col["dataset"]] != h.Dataset || r[col["record_id"]] != strconv.FormatInt(h.RecordID, 10) || r[col["amount"]] != h.Amount ||
					r[col["currency"]] != h.Currency || r[col["title"]] != mizan.SafeCell(h.Title) || r[col["buyer"]] != mizan.SafeCell(h.Buyer.Name) ||
					r[col["source_file"]] != h.Source.File || r[col["source_sha256"]] != h.Source.SHA256 || r[col["date"]] != h.Date {
					t.Fatalf("%+v row %d: %v, want hit %+v", q, i-1, r, h)
				}
			}
			if res.NextOffset == 0 {
				break
			}
			q.Offset = res.NextOffset
		}
		if i != len(rows) {
			t.Errorf("%+v: pages gave %d records, the export %d", q, i-1, len(rows)-1)
		}
		t.Logf("%q %v: %d records", q.Text, q.Kinds, n)
	}
}

// TestExportGuardsFormulas checks that a title a spreadsheet would run as a
// formula is exported with an apostrophe, and that a negative amount is not.
func TestExportGuardsFormulas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "formula.json")
	pkg := `{"uri":"https://example.org/f","version":"1.1","publishedDate":"2024-01-01T00:00:00Z","publisher":{"name":"Test"},"releases":[
	{"ocid":"ocds-f-1","id":"1","date":"2024-01-01T00:00:00Z","tag":["award"],"buyer":{"id":"B","name":"@Buyer"},
	 "parties":[{"id":"B","name":"@Buyer","roles":["buyer"]},{"id":"S","name":"+Supplier","roles":["supplier"]}],
	 "tender":{"id":"T","title":"=HYPERLINK(\"http://example.org\")"},
	 "awards":[{"id":"A","value":{"amount":-12.5,"currency":"USD"},"suppliers":[{"id":"S","name":"+Supplier"}]}]}]}`
	if err := os.WriteFile(path, []byte(pkg), 0o600); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	ingest(t, db, "formula", path)
	svc := NewService(db, ServiceOptions{})
	var buf bytes.Buffer
	if _, err := svc.Export(context.Background(), SearchQuery{}, &buf, func([]VersionRef, int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d rows: %v", len(rows), err)
	}
	got := map[string]string{}
	for i, c := range rows[0] {
		got[c] = rows[1][i]
	}
	for c, want := range map[string]string{"title": `'=HYPERLINK("http://example.org")`, "buyer": "'@Buyer", "suppliers": "'+Supplier", "amount": "-12.50"} {
		if got[c] != want {
			t.Errorf("%s = %q, want %q", c, got[c], want)
		}
	}
}
