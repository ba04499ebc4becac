package query

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan"
)

// plainDuckDB opens a separate in-memory DuckDB that may read files, to
// check exports as an outside reader would.
func plainDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestExportCSV(t *testing.T) {
	f := newFixture(t)
	var buf bytes.Buffer
	err := f.svc.Export(context.Background(), ExportRequest{Format: FormatCSV, Aggregate: &mizan.AggregateQuery{
		Dataset: "budget", Drilldown: []string{"admin", "year"}, Cuts: approved2024,
		Aggregates: []string{"amount.sum", "amount.count", "amount.share", "amount.avg"},
	}}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	want := "admin,admin.label,year,amount.sum,amount.count,amount.share,amount.avg\n" +
		"M2,Ministry of Education,2024,200.000,1,0.554783,200.00000\n" +
		"M1,Ministry of Health,2024,150.500,2,0.417475,75.25000\n" +
		"M3,Ministère des Finances,2024,10.001,1,0.027742,10.00100\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("csv (-want +got):\n%s", diff)
	}

	buf.Reset()
	old := exportChunkRows
	exportChunkRows = 4 // exercise keyset paging
	defer func() { exportChunkRows = old }()
	err = f.svc.Export(context.Background(), ExportRequest{Format: FormatCSV, Facts: &mizan.FactsQuery{Dataset: "budget"}}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 1+len(budgetRows) {
		t.Fatalf("facts csv has %d lines", len(lines))
	}
	wantHead := "row_id,year,period,date,phase,direction,currency,measure,admin.ministry,admin.department,economic.chapter,amount,source_id,source_file,source_sha256,source_sheet,source_row"
	if string(lines[0]) != wantHead {
		t.Errorf("header = %s", lines[0])
	}
	if got := string(lines[2]); got != "2,2024,,,approved,expenditure,BHD,,M1,D12,E2,50.500,1,budget-2024.xlsx,aa11,Budget,3" {
		t.Errorf("second fact = %s", got)
	}
	if got := string(lines[14]); got != "14,2023,,,executed,expenditure,BHD,,M2,D21,E1,140.000,2,budget-2023.csv,bb22,,5" {
		t.Errorf("last fact = %s", got)
	}
}

func TestExportArrowReadByDuckDB(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		req   ExportRequest
		query string
		want  string
	}{
		{"facts", ExportRequest{Format: FormatArrow, Facts: &mizan.FactsQuery{Dataset: "budget"}},
			`SELECT CAST(sum(amount) AS VARCHAR) || ' ' || count(*) || ' ' || max(source_file) FROM exported`, "1337.501 14 budget-2024.xlsx"},
		{"aggregate", ExportRequest{Format: FormatArrow, Aggregate: &mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"admin.department"}}},
			`SELECT CAST(sum("amount.sum") AS VARCHAR) || ' ' || sum("amount.count") || ' ' || count(*) FROM exported`, "1337.501 14 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.svc.Export(ctx, tc.req, &buf); err != nil {
				t.Fatal(err)
			}
			ipcr, err := ipc.NewReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			defer ipcr.Release()
			var recs []arrow.RecordBatch
			for ipcr.Next() {
				rec := ipcr.RecordBatch()
				rec.Retain()
				defer rec.Release()
				recs = append(recs, rec)
			}
			rdr, err := array.NewRecordReader(ipcr.Schema(), recs)
			if err != nil {
				t.Fatal(err)
			}
			defer rdr.Release()
			conn, err := plainDuckDB(t).Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var got string
			err = conn.Raw(func(dc any) error {
				ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
				if err != nil {
					return err
				}
				release, err := ar.RegisterView(rdr, "exported_stream")
				if err != nil {
					return err
				}
				defer release()
				// DuckDB's scan of a registered Arrow stream mis-maps pushed-down
				// projections (it reads the first columns): copy all columns.
				if _, err := dc.(driver.ExecerContext).ExecContext(ctx, "CREATE TABLE exported AS SELECT * FROM exported_stream", nil); err != nil {
					return err
				}
				res, err := ar.QueryContext(ctx, tc.query)
				if err != nil {
					return err
				}
				defer res.Release()
				for res.Next() {
					got, _ = keyAt(res.RecordBatch().Column(0), 0)
				}
				return res.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("DuckDB read %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExportParquetReadByDuckDB(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		req   ExportRequest
		query string
		want  string
	}{
		{"facts", ExportRequest{Format: FormatParquet, Facts: &mizan.FactsQuery{Dataset: "budget"}},
			`SELECT CAST(sum(amount) AS VARCHAR) || ' ' || count(*) || ' ' || typeof(any_value(amount)) FROM read_parquet(?)`, "1337.501 14 DECIMAL(38,3)"},
		{"aggregate", ExportRequest{Format: FormatParquet, Aggregate: &mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"admin", "year"}, Aggregates: []string{"amount.sum", "amount.share"}}},
			`SELECT CAST(sum("amount.sum") AS VARCHAR) || ' ' || CAST(sum("amount.share") AS VARCHAR) || ' ' || count(*) FROM read_parquet(?)`, "1337.501 1.000000 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".parquet")
			out, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Export(ctx, tc.req, out); err != nil {
				t.Fatal(err)
			}
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}
			var got string
			if err := plainDuckDB(t).QueryRowContext(ctx, tc.query, path).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("DuckDB read %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExportInvalid(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name  string
		req   ExportRequest
		field string
	}{
		{"format", ExportRequest{Format: "xlsx", Facts: &mizan.FactsQuery{Dataset: "budget"}}, "format"},
		{"neither", ExportRequest{Format: FormatCSV}, "query"},
		{"top", ExportRequest{Format: FormatCSV, Aggregate: &mizan.AggregateQuery{Dataset: "budget", Top: 3}}, "top"},
		{"drilldown", ExportRequest{Format: FormatCSV, Aggregate: &mizan.AggregateQuery{Dataset: "budget", Drilldown: []string{"x"}}}, "drilldown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := f.svc.Export(context.Background(), tt.req, &bytes.Buffer{})
			var me *mizan.Error
			if !asError(err, &me) || me.Field != tt.field {
				t.Errorf("error = %v, want field %q", err, tt.field)
			}
		})
	}
}

// TestExportCSVGuardsFormulas writes labels a spreadsheet would run as
// formulas: they get an apostrophe, while keys and amounts (a negative one
// too) are written exactly.
func TestExportCSVGuardsFormulas(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "admin", Type: arrow.BinaryTypes.String},
		{Name: "admin.label", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount.sum", Type: &arrow.Decimal128Type{Precision: 18, Scale: 3}},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range []struct{ key, label, amount string }{
		{"-1", "=HYPERLINK(\"http://example.org\")", "-5.000"},
		{"+2", "@SUM(A1)", "7.250"},
		{"3", "- Other", "1.000"},
		{"4", "Ministry", "0.000"},
	} {
		b.Field(0).(*array.StringBuilder).Append(r.key)
		b.Field(1).(*array.StringBuilder).Append(r.label)
		d, err := decimal128.FromString(r.amount, 18, 3)
		if err != nil {
			t.Fatal(err)
		}
		b.Field(2).(*array.Decimal128Builder).Append(d)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	s, err := newSink(FormatCSV, &buf, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.write(rec); err != nil {
		t.Fatal(err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	want := "admin,admin.label,amount.sum\n" +
		"-1,\"'=HYPERLINK(\"\"http://example.org\"\")\",-5.000\n" +
		"+2,'@SUM(A1),7.250\n" +
		"3,'- Other,1.000\n" +
		"4,Ministry,0.000\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("csv (-want +got):\n%s", diff)
	}
}
