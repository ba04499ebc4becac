package ingest

import (
	"encoding/csv"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const manchesterRows = 474674

const manchesterDescriptor = `
id: uk-manchester-spending
kind: payments
title: {en: Manchester City Council payments over £500}
currency: GBP
language: en
dimensions:
  - id: service_area
    levels: [{id: service_area}]
  - id: expense_type
    levels: [{id: expense_type}]
  - id: supplier
    levels: [{id: supplier}]
sources:
  - name: clean/*.csv
    mapping:
      date: {column: Invoice Payment Date, format: Y-m-d}
      year: {from: date}
      amount: {column: Net Amount, aliases: [Amount]}
      dimensions:
        service_area: [{level: service_area, label: Service Area}]
        expense_type: [{level: expense_type, label: Expenses Type}]
        supplier: [{level: supplier, label: Supplier Name}]
`

// manchesterByYear sums Net Amount per payment year with a plain CSV pass.
func manchesterByYear(t *testing.T, dir string) (map[string]string, int64) {
	files, _ := filepath.Glob(filepath.Join(dir, "clean", "*.csv"))
	sums := map[string]*big.Rat{}
	var rows int64
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(fh)
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		header, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		amountCol, dateCol := -1, -1
		for i, h := range header {
			h = strings.TrimPrefix(strings.TrimPrefix(h, "\ufeff"), "ï»¿")
			switch strings.TrimSpace(h) {
			case "Net Amount", "Amount":
				amountCol = i
			case "Invoice Payment Date":
				dateCol = i
			}
		}
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows++
			v, ok := new(big.Rat).SetString(strings.TrimSpace(rec[amountCol]))
			if !ok {
				t.Fatalf("%s: bad amount %q", f, rec[amountCol])
			}
			y := rec[dateCol][:4]
			if sums[y] == nil {
				sums[y] = new(big.Rat)
			}
			sums[y].Add(sums[y], v)
		}
		fh.Close()
	}
	out := map[string]string{}
	for y, s := range sums {
		out[y] = s.FloatString(2)
	}
	return out, rows
}

func TestManchester(t *testing.T) {
	if testing.Short() {
		t.Skip("real-data ingest")
	}
	dir := sharedDataset(t, "uk-manchester-spending-500")
	want, rows := manchesterByYear(t, dir)
	if rows != manchesterRows {
		t.Fatalf("independent pass read %d rows, want %d", rows, manchesterRows)
	}
	d, err := Parse([]byte(manchesterDescriptor), dir)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, "")
	s := mustIngest(t, db, d, Options{})
	if s.RowsRead != manchesterRows || s.RowsRejected != 0 || s.Facts != manchesterRows {
		t.Fatalf("read %d, rejected %d, stored %d; samples %v", s.RowsRead, s.RowsRejected, s.Facts, s.RejectSamples)
	}
	if len(s.Sources) != 138 {
		t.Errorf("%d sources, want 138", len(s.Sources))
	}
	got := map[string]string{}
	for _, tot := range s.Totals {
		got[strings.TrimSpace(itoa(tot.Year))] = tot.Amount
	}
	for y, w := range want {
		if got[y] != w {
			t.Errorf("year %s: ingest total %s, independent sum %s", y, got[y], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("years: got %v want %v", got, want)
	}
	// The stored facts agree with the summary.
	stored := factTotals(t, db, d.ID, s.Version)
	if diff := summaryTotals(s); len(diff) != len(stored) {
		t.Errorf("summary totals %v, stored %v", diff, stored)
	}
	for k, v := range summaryTotals(s) {
		if stored[k] != v {
			t.Errorf("%s: summary %s, stored %s", k, v, stored[k])
		}
	}
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }
