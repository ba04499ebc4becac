package ingest

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// factBuilder appends facts to Arrow arrays laid out as store.FactSchema.
type factBuilder struct {
	b         *array.RecordBuilder
	rowID     *array.Int64Builder
	year      *array.Int32Builder
	period    *array.StringBuilder
	date      *array.Date32Builder
	phase     *array.StringBuilder
	direction *array.StringBuilder
	currency  *array.StringBuilder
	measure   *array.StringBuilder
	levels    []*array.StringBuilder
	amount    *array.Decimal128Builder
	sourceID  *array.Int32Builder
	sourceRow *array.Int64Builder
	n         int
}

func newFactBuilder(schema *arrow.Schema, nlevels int) *factBuilder {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	fb := &factBuilder{
		b:         b,
		rowID:     b.Field(0).(*array.Int64Builder),
		year:      b.Field(1).(*array.Int32Builder),
		period:    b.Field(2).(*array.StringBuilder),
		date:      b.Field(3).(*array.Date32Builder),
		phase:     b.Field(4).(*array.StringBuilder),
		direction: b.Field(5).(*array.StringBuilder),
		currency:  b.Field(6).(*array.StringBuilder),
		measure:   b.Field(7).(*array.StringBuilder),
	}
	for i := 0; i < nlevels; i++ {
		fb.levels = append(fb.levels, b.Field(8+i).(*array.StringBuilder))
	}
	fb.amount = b.Field(8 + nlevels).(*array.Decimal128Builder)
	fb.sourceID = b.Field(9 + nlevels).(*array.Int32Builder)
	fb.sourceRow = b.Field(10 + nlevels).(*array.Int64Builder)
	return fb
}

func appendNullable(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.Append(s)
}

// add appends one fact; its row_id is filled in when batches are written.
func (fb *factBuilder) add(f *fact, sourceID int32, line int64) {
	fb.rowID.Append(0)
	if f.hasYear {
		fb.year.Append(f.year)
	} else {
		fb.year.AppendNull()
	}
	appendNullable(fb.period, f.vals[fPeriod])
	if f.hasDate {
		fb.date.Append(arrow.Date32(f.date))
	} else {
		fb.date.AppendNull()
	}
	appendNullable(fb.phase, f.vals[fPhase])
	appendNullable(fb.direction, f.vals[fDirection])
	fb.currency.Append(f.vals[fCurrency])
	appendNullable(fb.measure, f.vals[fMeasure])
	for i, lb := range fb.levels {
		appendNullable(lb, f.keys[i])
	}
	fb.amount.Append(f.amount)
	fb.sourceID.Append(sourceID)
	fb.sourceRow.Append(line)
	fb.n++
}

// finish returns the built batch (nil when empty) and releases the builder.
func (fb *factBuilder) finish() arrow.RecordBatch {
	defer fb.b.Release()
	if fb.n == 0 {
		return nil
	}
	return fb.b.NewRecordBatch()
}

// concatBatches joins batches into one and numbers its rows from firstID.
func concatBatches(schema *arrow.Schema, recs []arrow.RecordBatch, firstID int64) (arrow.RecordBatch, error) {
	mem := memory.DefaultAllocator
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	ids := array.NewInt64Builder(mem)
	ids.Resize(int(rows))
	for i := int64(0); i < rows; i++ {
		ids.UnsafeAppend(firstID + i)
	}
	cols[0] = ids.NewArray()
	ids.Release()
	for c := 1; c < schema.NumFields(); c++ {
		if len(recs) == 1 {
			cols[c] = recs[0].Column(c)
			cols[c].Retain()
			continue
		}
		parts := make([]arrow.Array, len(recs))
		for i, r := range recs {
			parts[i] = r.Column(c)
		}
		a, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, err
		}
		cols[c] = a
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}
