package query

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// row is one test fact; zero values are stored as NULL (Currency defaults
// to the dataset's).
type row struct {
	Year      int32
	Period    string
	Date      string
	Phase     string
	Direction string
	Currency  string
	Measure   string
	Keys      map[string]string // column → member key
	Amount    string
	Source    int32
	SourceRow int64
}

func openDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), store.Options{Threads: 2})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// mustVersion stores a version of ds with the given dimensions, facts and
// members and returns it.
func mustVersion(tb testing.TB, db *store.DB, ds mizan.Dataset, dims []mizan.Dimension, scale int32, sources []mizan.SourceFile, rows []row, members []mizan.Member) mizan.Version {
	tb.Helper()
	return mustVersionPrecision(tb, db, ds, dims, 0, scale, sources, rows, members)
}

// mustVersionPrecision is mustVersion with amounts of the given precision
// (0: store.DefaultPrecision; store.WidePrecision for amounts of more than
// 18 digits).
func mustVersionPrecision(tb testing.TB, db *store.DB, ds mizan.Dataset, dims []mizan.Dimension, precision, scale int32, sources []mizan.SourceFile, rows []row, members []mizan.Member) mizan.Version {
	tb.Helper()
	ctx := context.Background()
	w, err := db.BeginVersion(ctx, store.VersionSpec{Dataset: ds, ContentHash: "sha256:test", Scale: scale, Precision: precision, Factor: "1", Dimensions: dims, Sources: sources})
	if err != nil {
		tb.Fatalf("begin version: %v", err)
	}
	defer w.Rollback()
	const batch = 50_000
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		rec := buildFacts(tb, w.Schema(), ds.Currency, scale, rows[start:end], int64(start))
		err := w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			tb.Fatalf("write facts: %v", err)
		}
	}
	for _, m := range members {
		w.AddMember(m)
	}
	v, err := w.Commit(ctx, int64(len(rows)), map[string]any{"rows": len(rows)})
	if err != nil {
		tb.Fatalf("commit: %v", err)
	}
	return v
}

func buildFacts(tb testing.TB, schema *arrow.Schema, currency string, scale int32, rows []row, first int64) arrow.RecordBatch {
	tb.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	str := func(fb array.Builder, s string) {
		if s == "" {
			fb.AppendNull()
		} else {
			fb.(*array.StringBuilder).Append(s)
		}
	}
	for i, r := range rows {
		for j, f := range schema.Fields() {
			fb := b.Field(j)
			switch f.Name {
			case store.ColRow:
				fb.(*array.Int64Builder).Append(first + int64(i) + 1)
			case store.ColYear:
				if r.Year == 0 {
					fb.AppendNull()
				} else {
					fb.(*array.Int32Builder).Append(r.Year)
				}
			case store.ColPeriod:
				str(fb, r.Period)
			case store.ColDate:
				if r.Date == "" {
					fb.AppendNull()
				} else {
					d, err := time.Parse(time.DateOnly, r.Date)
					if err != nil {
						tb.Fatal(err)
					}
					fb.(*array.Date32Builder).Append(arrow.Date32FromTime(d))
				}
			case store.ColPhase:
				str(fb, r.Phase)
			case store.ColDirection:
				str(fb, r.Direction)
			case store.ColCurrency:
				c := r.Currency
				if c == "" {
					c = currency
				}
				fb.(*array.StringBuilder).Append(c)
			case store.ColMeasure:
				str(fb, r.Measure)
			case store.ColAmount:
				n, err := decimal128.FromString(r.Amount, schema.Field(schema.NumFields()-3).Type.(*arrow.Decimal128Type).Precision, scale)
				if err != nil {
					tb.Fatalf("amount %q: %v", r.Amount, err)
				}
				fb.(*array.Decimal128Builder).Append(n)
			case store.ColSourceID:
				fb.(*array.Int32Builder).Append(r.Source)
			case store.ColSourceRow:
				fb.(*array.Int64Builder).Append(r.SourceRow)
			default:
				str(fb, r.Keys[f.Name])
			}
		}
	}
	return b.NewRecordBatch()
}

// The budget fixture: a small Bahraini-style budget, BHD with 3 decimals.

var budgetDims = []mizan.Dimension{
	{ID: "admin", Kind: mizan.KindClassification, Label: mizan.Text{"en": "Administrative"}, Levels: []mizan.Level{
		{ID: "ministry", Label: mizan.Text{"en": "Ministry"}},
		{ID: "department", Label: mizan.Text{"en": "Department"}},
	}},
	{ID: "economic", Kind: mizan.KindClassification, Label: mizan.Text{"en": "Economic"}, Levels: []mizan.Level{
		{ID: "chapter", Label: mizan.Text{"en": "Chapter"}},
	}},
}

var budgetMembers = []mizan.Member{
	{Dimension: "admin", Level: "ministry", Key: "M1", Label: mizan.Text{"en": "Ministry of Health", "ar": "وزارة الصحة"}},
	{Dimension: "admin", Level: "ministry", Key: "M2", Label: mizan.Text{"en": "Ministry of Education"}},
	{Dimension: "admin", Level: "ministry", Key: "M3", Label: mizan.Text{"fr": "Ministère des Finances"}},
	{Dimension: "admin", Level: "department", Key: "D11", Parent: "M1", Label: mizan.Text{"en": "Hospitals"}},
	{Dimension: "admin", Level: "department", Key: "D12", Parent: "M1", Label: mizan.Text{"en": "Clinics"}},
	{Dimension: "admin", Level: "department", Key: "D21", Parent: "M2", Label: mizan.Text{"en": "Schools"}},
	{Dimension: "admin", Level: "department", Key: "D31", Parent: "M3", Label: mizan.Text{"en": "Treasury"}},
	{Dimension: "economic", Level: "chapter", Key: "E1", Label: mizan.Text{"en": "Salaries", "ar": "الرواتب"}},
	{Dimension: "economic", Level: "chapter", Key: "E2", Label: mizan.Text{"en": "Goods and services"}},
}

var budgetSources = []mizan.SourceFile{
	{ID: 1, Name: "budget-2024.xlsx", Sheet: "Budget", SHA256: "aa11", Rows: 10},
	{ID: 2, Name: "budget-2023.csv", SHA256: "bb22", Rows: 4},
}

func fact(year int32, phase, ministry, dept, chapter, amount string, src int32, srcRow int64) row {
	return row{Year: year, Phase: phase, Direction: mizan.DirectionExpenditure,
		Keys:   map[string]string{"admin__ministry": ministry, "admin__department": dept, "economic__chapter": chapter},
		Amount: amount, Source: src, SourceRow: srcRow}
}

var budgetRows = []row{
	fact(2024, "approved", "M1", "D11", "E1", "100.000", 1, 2),
	fact(2024, "approved", "M1", "D12", "E2", "50.500", 1, 3),
	fact(2024, "approved", "M2", "D21", "E1", "200.000", 1, 4),
	fact(2024, "approved", "M3", "D31", "E2", "10.001", 1, 5),
	fact(2024, "revised", "M1", "D11", "E1", "120.000", 1, 6),
	fact(2024, "revised", "M2", "D21", "E1", "180.000", 1, 7),
	fact(2024, "executed", "M1", "D11", "E1", "110.000", 1, 8),
	fact(2024, "executed", "M1", "D12", "E2", "20.000", 1, 9),
	fact(2024, "executed", "M2", "D21", "E1", "60.000", 1, 10),
	fact(2024, "executed", "M3", "D31", "E2", "12.000", 1, 11),
	fact(2023, "approved", "M1", "D11", "E1", "90.000", 2, 2),
	fact(2023, "approved", "M2", "D21", "E1", "150.000", 2, 3),
	fact(2023, "executed", "M1", "D11", "E1", "95.000", 2, 4),
	fact(2023, "executed", "M2", "D21", "E1", "140.000", 2, 5),
}

func budgetDataset(id string) mizan.Dataset {
	return mizan.Dataset{ID: id, Kind: mizan.KindBudget, Title: mizan.Text{"en": "Budget"}, Currency: "BHD", Language: "fr"}
}

// fixture is a store with the budget and its reference series.
type fixture struct {
	db  *store.DB
	svc *Service
	eng *DuckDB
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	db := openDB(tb)
	mustVersion(tb, db, budgetDataset("budget"), budgetDims, 3, budgetSources, budgetRows, budgetMembers)
	series := func(id string, scale int32, rows []row) {
		ds := mizan.Dataset{ID: id, Kind: mizan.KindSeries, Title: mizan.Text{"en": id}, Currency: "BHD"}
		mustVersion(tb, db, ds, nil, scale, nil, rows, nil)
	}
	series("population", 0, []row{{Year: 2023, Amount: "1000"}, {Year: 2024, Amount: "1500"}})
	series("cpi", 1, []row{{Year: 2023, Amount: "100.0"}, {Year: 2024, Amount: "110.0"}})
	series("fx-usd", 6, []row{
		{Year: 2023, Currency: "BHD", Measure: "USD", Amount: "2.500000"},
		{Year: 2024, Currency: "BHD", Measure: "USD", Amount: "2.600000"},
	})
	eng := NewDuckDB(db)
	return &fixture{db: db, eng: eng, svc: NewService(db, eng, Options{})}
}

func keys(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
