package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mizan-budget/mizan/store"
)

const precisionDescriptor = `
id: wide
title: {en: Wide}
currency: BHD
%s
dimensions:
  - id: admin
    levels: [{id: ministry}]
sources:
  - name: data.csv
    mapping:
      year: {column: Year}
      phase: {value: approved}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        admin: [{level: ministry, label: Ministry}]
`

func TestAmountPrecision(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "data.csv"), "Year,Ministry,Amount\n2024,A,12345678901234567.891\n2024,B,999999999999999.999\n2024,C,-100.5\n")
	const reason = `"12345678901234567.891" has 20 digits at 3 decimal places; this dataset stores at most 18 (set precision: 38 in the descriptor for larger amounts)`
	for _, tc := range []struct {
		extra    string
		typ      string
		rejected int64
		total    string
	}{
		{"", "DECIMAL(18,3)", 1, "999999999999899.499"},
		{"precision: 18", "DECIMAL(18,3)", 1, "999999999999899.499"},
		{"precision: 38", "DECIMAL(38,3)", 0, "12345678901234567.891 + 999999999999899.499"},
	} {
		t.Run(tc.extra, func(t *testing.T) {
			db := openDB(t, "")
			d, err := Parse([]byte(fmt.Sprintf(precisionDescriptor, tc.extra)), dir)
			if err != nil {
				t.Fatal(err)
			}
			s := mustIngest(t, db, d, Options{})
			if s.RowsRejected != tc.rejected {
				t.Fatalf("rejected %d rows, want %d: %v", s.RowsRejected, tc.rejected, s.RejectSamples)
			}
			if tc.rejected > 0 {
				rejects, err := db.Rejects(context.Background(), d.ID, s.Version, 0, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(rejects) != 1 || rejects[0].Reason != reason || rejects[0].Column != "Amount" || rejects[0].SourceRow != 2 || rejects[0].SourceID != 1 {
					t.Errorf("rejects = %+v, want row 2, column Amount, reason %s", rejects, reason)
				}
			}
			got := queryStrings(t, db.SQL, fmt.Sprintf(`SELECT typeof(any_value(amount)), CAST(sum(amount) AS VARCHAR), typeof(sum(amount)) FROM %s`, store.Quote(store.FactsTable(d.ID, s.Version))))
			want := tc.total
			if strings.Contains(want, " + ") {
				want = "13345678901234467.390"
			}
			if got[0][0] != tc.typ || got[0][1] != want || !strings.HasPrefix(got[0][2], "DECIMAL(38,") {
				t.Errorf("stored %v, want %s, sum %s as DECIMAL(38,3)", got[0], tc.typ, want)
			}
			ds, err := db.GetDataset(context.Background(), d.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			if p := ds.Versions[len(ds.Versions)-1].Precision; fmt.Sprintf("DECIMAL(%d,3)", p) != tc.typ {
				t.Errorf("version precision %d, want %s", p, tc.typ)
			}
		})
	}
	if _, err := Parse([]byte(fmt.Sprintf(precisionDescriptor, "precision: 20")), dir); err == nil || !strings.Contains(err.Error(), "precision must be 18") {
		t.Errorf("precision 20: err = %v, want a precision error", err)
	}
}
