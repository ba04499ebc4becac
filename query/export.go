package query

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// Export formats.
const (
	FormatArrow   = "arrow"   // Arrow IPC stream
	FormatCSV     = "csv"     // RFC 4180, header row, exact decimals
	FormatParquet = "parquet" // amounts as DECIMAL(38, scale)
)

// exportChunkRows is how many facts one keyset-paged query of an export
// reads, so neither DuckDB nor Go ever holds a whole facts table.
var exportChunkRows = 65536

// ExportRequest asks for a whole Aggregate (every cell, no page cap) or
// Facts result as a file. Exactly one of Aggregate and Facts is set; their
// PageSize and Offset are ignored.
type ExportRequest struct {
	// Format is FormatArrow, FormatCSV or FormatParquet.
	Format    string
	Aggregate *mizan.AggregateQuery
	Facts     *mizan.FactsQuery
}

// ContentType returns the MIME type of an export format.
func ContentType(format string) string {
	switch format {
	case FormatArrow:
		return "application/vnd.apache.arrow.stream"
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatParquet:
		return "application/vnd.apache.parquet"
	}
	return "application/octet-stream"
}

// Export streams a result to w, batch by batch, in the requested format.
//
// Aggregate exports have one column per drilldown reference (named as
// requested; "currency" is added when currencies are mixed), a "<ref>.label"
// column for each classification, phase or direction key, then the
// requested aggregates named as in the API ("amount.sum"...): sums, minima
// and maxima as DECIMAL(38, scale), averages DECIMAL(38, scale+2), shares
// DECIMAL(38, 6), counts int64. Top and normalisation are not supported.
//
// Facts exports have the fact columns (dimension levels named
// "dim.level"), amount as DECIMAL(38, scale), and the provenance columns
// source_id, source_file, source_sha256, source_sheet, source_row. Facts in
// the default order are read in keyset-paged chunks of row ids.
//
// An export holds one concurrency slot while it runs and is bounded by ctx
// only (not Options.QueryTimeout). Bytes already written stay written when
// it fails.
func (s *Service) Export(ctx context.Context, req ExportRequest, w io.Writer) error {
	switch req.Format {
	case FormatArrow, FormatCSV, FormatParquet:
	default:
		return mizan.FieldErrorf("format", "unknown format %q; use arrow, csv or parquet", req.Format)
	}
	if (req.Aggregate == nil) == (req.Facts == nil) {
		return mizan.FieldErrorf("query", "an export needs exactly one of an aggregate or a facts query")
	}
	ctx, done, err := s.begin(ctx, true)
	if err != nil {
		return err
	}
	defer done()
	if req.Aggregate != nil {
		return s.exportAggregate(ctx, req.Format, *req.Aggregate, w)
	}
	return s.exportFacts(ctx, req.Format, *req.Facts, w)
}

func (s *Service) exportAggregate(ctx context.Context, format string, q mizan.AggregateQuery, w io.Writer) error {
	if q.Top != 0 {
		return mizan.FieldErrorf("top", "exports hold every cell; top is not supported")
	}
	if normalizationAsked(q.Normalization) {
		return mizan.FieldErrorf("normalization", "exports do not support normalisation")
	}
	q.PageSize, q.Offset = 0, 0
	r, err := s.resolveAggregate(ctx, q)
	if err != nil {
		return err
	}
	scale := r.t.v.Scale
	p := r.plan()
	rdr, err := s.eng.Summary(ctx, p)
	if err != nil {
		return internal("export summary", err)
	}
	sums, err := readCells(rdr, len(p.Totals), "t", scale)
	if err != nil {
		return internal("export summary", err)
	}
	totals := map[string]*big.Rat{}
	for _, sc := range sums {
		cur := ""
		if r.mixed {
			cur = sc.keys[0]
		}
		totals[cur] = exactOf(sc.sum, scale)
	}

	var fields []arrow.Field
	labelled := make([]bool, len(r.groups))
	for i, g := range r.groups {
		fields = append(fields, arrow.Field{Name: g.Ref, Type: keyType(g.Column.Type), Nullable: true})
		if !g.Fixed || fixedLabels[g.Dim] != nil {
			labelled[i] = true
			fields = append(fields, arrow.Field{Name: g.Ref + ".label", Type: arrow.BinaryTypes.String, Nullable: true})
		}
	}
	for _, a := range r.aggs {
		fields = append(fields, arrow.Field{Name: a, Type: aggregateType(a, scale), Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	out, err := newSink(format, w, schema)
	if err != nil {
		return err
	}
	rdr, err = s.eng.Aggregate(ctx, p)
	if err != nil {
		return internal("export aggregate", err)
	}
	defer rdr.Release()
	// The engine's batches (a few thousand cells each) are gathered into
	// chunks of exportChunkRows cells, each labelled with one query: a
	// label lookup per engine batch made an export of a level with
	// hundreds of thousands of members take minutes, holding a query slot.
	var pending []arrow.RecordBatch
	var pendingRows int64
	release := func() {
		for _, rec := range pending {
			rec.Release()
		}
		pending, pendingRows = nil, 0
	}
	defer release()
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		rec, err := s.aggregateBatch(ctx, r, pending, schema, labelled, totals)
		release()
		if err != nil {
			return err
		}
		err = out.write(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("write export: %w", err)
		}
		return nil
	}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		rec.Retain()
		pending = append(pending, rec)
		pendingRows += rec.NumRows()
		if pendingRows >= int64(exportChunkRows) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rdr.Err(); err != nil {
		return internal("export aggregate", err)
	}
	if err := flush(); err != nil {
		return err
	}
	return out.close()
}

func keyType(t ColumnType) arrow.DataType {
	switch t {
	case TypeInt:
		return arrow.PrimitiveTypes.Int32
	case TypeDate:
		return arrow.FixedWidthTypes.Date32
	}
	return arrow.BinaryTypes.String
}

func aggregateType(a string, scale int32) arrow.DataType {
	switch a {
	case "amount." + mizan.AggCount:
		return arrow.PrimitiveTypes.Int64
	case "amount." + mizan.AggAvg:
		return &arrow.Decimal128Type{Precision: 38, Scale: scale + extraDigits}
	case "amount." + mizan.AggShare:
		return &arrow.Decimal128Type{Precision: 38, Scale: fractionDigits}
	}
	return &arrow.Decimal128Type{Precision: 38, Scale: scale}
}

// aggregateBatch turns engine batches of cells into one export batch,
// labelled with one lookup.
func (s *Service) aggregateBatch(ctx context.Context, r *aggRequest, ins []arrow.RecordBatch, schema *arrow.Schema, labelled []bool, totals map[string]*big.Rat) (arrow.RecordBatch, error) {
	scale := r.t.v.Scale
	var n int64
	for _, in := range ins {
		n += in.NumRows()
	}
	cells := make([]cellData, 0, n)
	lab := s.newLabeler(r.t, r.lang)
	for _, in := range ins {
		for i := 0; i < int(in.NumRows()); i++ {
			c, err := readCell(in, i, len(r.groups), "k", scale)
			if err != nil {
				return nil, internal("export aggregate", err)
			}
			cells = append(cells, c)
			for k, g := range r.groups {
				lab.add(g, c.keys[k])
			}
		}
	}
	if err := lab.fetch(ctx); err != nil {
		return nil, err
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	col := 0
	for k, g := range r.groups {
		kb := b.Field(col)
		col++
		for _, c := range cells {
			appendKey(kb, c.keys[k], c.valid[k])
		}
		if labelled[k] {
			lb := b.Field(col).(*array.StringBuilder)
			col++
			for _, c := range cells {
				if c.valid[k] {
					lb.Append(lab.label(g, c.keys[k]))
				} else {
					lb.AppendNull()
				}
			}
		}
	}
	for _, a := range r.aggs {
		fb := b.Field(col)
		col++
		for _, c := range cells {
			vals := map[string]string{}
			ex := exactCell(c.measures, scale)
			r.values(vals, ex, totals[r.cellCurrencyKey(c.keys)], scale, scale+extraDigits)
			if a == "amount."+mizan.AggCount {
				fb.(*array.Int64Builder).Append(c.count)
				continue
			}
			appendDecimal(fb.(*array.Decimal128Builder), vals[a])
		}
	}
	return b.NewRecordBatch(), nil
}

// appendKey appends a key read back as text to a key column builder.
func appendKey(b array.Builder, key string, valid bool) {
	if !valid {
		b.AppendNull()
		return
	}
	switch kb := b.(type) {
	case *array.StringBuilder:
		kb.Append(key)
	case *array.Int32Builder:
		n, err := strconv.ParseInt(key, 10, 32)
		if err != nil {
			kb.AppendNull()
			return
		}
		kb.Append(int32(n))
	case *array.Date32Builder:
		d, err := time.Parse(time.DateOnly, key)
		if err != nil {
			kb.AppendNull()
			return
		}
		kb.Append(arrow.Date32FromTime(d))
	default:
		b.AppendNull()
	}
}

// appendDecimal appends an exact decimal string ("" for NULL).
func appendDecimal(b *array.Decimal128Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	t := b.Type().(*arrow.Decimal128Type)
	n, err := decimal128.FromString(s, t.Precision, t.Scale)
	if err != nil {
		b.AppendNull()
		return
	}
	b.Append(n)
}

func (s *Service) exportFacts(ctx context.Context, format string, q mizan.FactsQuery, w io.Writer) error {
	q.PageSize, q.Offset = 0, 0
	r, err := s.resolveFacts(ctx, q)
	if err != nil {
		return err
	}
	scale := r.t.v.Scale
	var fields []arrow.Field
	for _, c := range r.cols {
		var typ arrow.DataType
		switch c.Column.Type {
		case TypeBigInt:
			typ = arrow.PrimitiveTypes.Int64
		case TypeDecimal:
			typ = &arrow.Decimal128Type{Precision: 38, Scale: scale}
		default:
			typ = keyType(c.Column.Type)
		}
		fields = append(fields, arrow.Field{Name: c.Ref, Type: typ, Nullable: true})
		if c.Column.Name == store.ColSourceID {
			fields = append(fields,
				arrow.Field{Name: "source_file", Type: arrow.BinaryTypes.String, Nullable: true},
				arrow.Field{Name: "source_sha256", Type: arrow.BinaryTypes.String, Nullable: true},
				arrow.Field{Name: "source_sheet", Type: arrow.BinaryTypes.String, Nullable: true})
		}
	}
	schema := arrow.NewSchema(fields, nil)
	out, err := newSink(format, w, schema)
	if err != nil {
		return err
	}
	p := *r.plan
	p.Limit, p.Offset = 0, 0
	keyset := len(p.Order) == 0
	for {
		if keyset {
			p.Limit = exportChunkRows
		}
		rdr, err := s.eng.Facts(ctx, &p)
		if err != nil {
			return internal("export facts", err)
		}
		rows, last, err := s.copyFacts(rdr, r, schema, out)
		if err != nil {
			return err
		}
		if !keyset || rows < exportChunkRows {
			break
		}
		p.AfterRow = &last
	}
	return out.close()
}

// copyFacts writes every batch of rdr and returns the rows written and the
// last row id.
func (s *Service) copyFacts(rdr array.RecordReader, r *factsRequest, schema *arrow.Schema, out sink) (int, int64, error) {
	defer rdr.Release()
	rows, last := 0, int64(0)
	for rdr.Next() {
		in := rdr.RecordBatch()
		rec, err := r.factsBatch(in, schema)
		if err != nil {
			return 0, 0, internal("export facts", err)
		}
		n := int(in.NumRows())
		if n > 0 {
			last, _ = intAt(in.Column(0), n-1)
		}
		err = out.write(rec)
		rec.Release()
		if err != nil {
			return 0, 0, fmt.Errorf("write export: %w", err)
		}
		rows += n
	}
	if err := rdr.Err(); err != nil {
		return 0, 0, internal("export facts", err)
	}
	return rows, last, nil
}

// factsBatch converts one engine batch of facts to the export schema.
func (r *factsRequest) factsBatch(in arrow.RecordBatch, schema *arrow.Schema) (arrow.RecordBatch, error) {
	n := int(in.NumRows())
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	col := 0
	for k, c := range r.cols {
		src := in.Column(k)
		fb := b.Field(col)
		col++
		for i := 0; i < n; i++ {
			switch c.Column.Type {
			case TypeDecimal:
				u, err := decimalAt(src, i, r.t.v.Scale)
				if err != nil {
					return nil, err
				}
				if u == nil {
					fb.AppendNull()
				} else {
					fb.(*array.Decimal128Builder).Append(decimal128.FromBigInt(u))
				}
			case TypeBigInt:
				if v, ok := intAt(src, i); ok {
					fb.(*array.Int64Builder).Append(v)
				} else {
					fb.AppendNull()
				}
			default:
				v, ok := keyAt(src, i)
				appendKey(fb, v, ok)
			}
		}
		if c.Column.Name != store.ColSourceID {
			continue
		}
		file, sha, sheet := b.Field(col).(*array.StringBuilder), b.Field(col+1).(*array.StringBuilder), b.Field(col+2).(*array.StringBuilder)
		col += 3
		for i := 0; i < n; i++ {
			id, _ := intAt(src, i)
			var sf mizan.SourceFile
			for _, x := range r.t.v.Sources {
				if int64(x.ID) == id {
					sf = x
					break
				}
			}
			file.Append(sf.Name)
			sha.Append(sf.SHA256)
			sheet.Append(sf.Sheet)
		}
	}
	return b.NewRecordBatch(), nil
}
