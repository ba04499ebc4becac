package ingest

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// factBuilder gathers facts column by column, laid out as
// store.FactSchema without its first column (row_id, numbered by the
// collector). Plain slices cost far less per value than Arrow's builders;
// finish wraps them as Arrow arrays without copying.
type factBuilder struct {
	schema    *arrow.Schema
	year      fixedCol[int32]
	period    strCol
	date      fixedCol[arrow.Date32]
	phase     strCol
	direction strCol
	currency  strCol
	measure   strCol
	levels    []strCol
	amount    []decimal128.Num
	sourceID  []int32
	sourceRow []int64
	n         int
}

// bitmap is an Arrow validity bitmap.
type bitmap struct {
	bits  []byte
	n     int
	nulls int
}

func (b *bitmap) append(valid bool) {
	if b.n%8 == 0 {
		b.bits = append(b.bits, 0)
	}
	if valid {
		b.bits[b.n/8] |= 1 << (b.n % 8)
	} else {
		b.nulls++
	}
	b.n++
}

// buffer returns the bitmap as an Arrow buffer (nil when nothing is null).
func (b *bitmap) buffer() *memory.Buffer {
	if b.nulls == 0 {
		return nil
	}
	return memory.NewBufferBytes(b.bits)
}

// strCol is a nullable string column: "" is stored as NULL.
type strCol struct {
	offsets []int32
	data    []byte
	valid   bitmap
}

func (c *strCol) init(rows, bytes int) {
	c.offsets = make([]int32, 1, rows+1)
	c.data = make([]byte, 0, bytes)
	c.valid.bits = make([]byte, 0, rows/8+1)
}

func (c *strCol) append(s string) {
	c.data = append(c.data, s...)
	c.offsets = append(c.offsets, int32(len(c.data)))
	c.valid.append(s != "")
}

func (c *strCol) array() arrow.Array {
	d := array.NewData(arrow.BinaryTypes.String, c.valid.n,
		[]*memory.Buffer{c.valid.buffer(), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.offsets)), memory.NewBufferBytes(c.data)},
		nil, c.valid.nulls, 0)
	defer d.Release()
	return array.NewStringData(d)
}

// fixedCol is a nullable column of fixed-width values.
type fixedCol[T int32 | arrow.Date32] struct {
	vals  []T
	valid bitmap
}

func (c *fixedCol[T]) append(v T, ok bool) {
	c.vals = append(c.vals, v)
	c.valid.append(ok)
}

// columnSizes remembers, per string column, the bytes per fact of the
// last chunk.
type columnSizes []float64

func newFactBuilder(schema *arrow.Schema, nlevels, rows int, sizes *columnSizes) *factBuilder {
	fb := &factBuilder{schema: schema, levels: make([]strCol, nlevels)}
	for i, c := range fb.strCols() {
		n := 0
		if i < len(*sizes) {
			n = int((*sizes)[i]*float64(rows)*1.1) + 64
		}
		c.init(rows, n)
	}
	fb.year.valid.bits = make([]byte, 0, rows/8+1)
	fb.date.valid.bits = make([]byte, 0, rows/8+1)
	fb.year.vals = make([]int32, 0, rows)
	fb.date.vals = make([]arrow.Date32, 0, rows)
	fb.amount = make([]decimal128.Num, 0, rows)
	fb.sourceID = make([]int32, 0, rows)
	fb.sourceRow = make([]int64, 0, rows)
	return fb
}

func (fb *factBuilder) strCols() []*strCol {
	cols := []*strCol{&fb.period, &fb.phase, &fb.direction, &fb.currency, &fb.measure}
	for i := range fb.levels {
		cols = append(cols, &fb.levels[i])
	}
	return cols
}

// add appends one fact.
func (fb *factBuilder) add(f *fact, sourceID int32, line int64) {
	fb.year.append(f.year, f.hasYear)
	fb.period.append(f.vals[fPeriod])
	fb.date.append(arrow.Date32(f.date), f.hasDate)
	fb.phase.append(f.vals[fPhase])
	fb.direction.append(f.vals[fDirection])
	fb.currency.append(f.vals[fCurrency]) // never empty: the dataset's currency by default
	fb.measure.append(f.vals[fMeasure])
	for i := range fb.levels {
		fb.levels[i].append(f.keys[i])
	}
	fb.amount = append(fb.amount, f.amount)
	fb.sourceID = append(fb.sourceID, sourceID)
	fb.sourceRow = append(fb.sourceRow, line)
	fb.n++
}

// finish returns the columns after row_id (nil when no fact was added),
// noting the string columns' sizes.
func (fb *factBuilder) finish(sizes *columnSizes) []arrow.Array {
	if fb.n == 0 {
		return nil
	}
	*sizes = (*sizes)[:0]
	for _, c := range fb.strCols() {
		*sizes = append(*sizes, float64(len(c.data))/float64(fb.n))
	}
	fields := fb.schema.Fields()
	fixed := func(i int, b []byte, valid *bitmap) arrow.Array {
		var vb *memory.Buffer
		nulls := 0
		if valid != nil {
			vb, nulls = valid.buffer(), valid.nulls
		}
		d := array.NewData(fields[i].Type, fb.n, []*memory.Buffer{vb, memory.NewBufferBytes(b)}, nil, nulls, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	cols := []arrow.Array{
		fixed(1, arrow.Int32Traits.CastToBytes(fb.year.vals), &fb.year.valid),
		fb.period.array(),
		fixed(3, arrow.Date32Traits.CastToBytes(fb.date.vals), &fb.date.valid),
		fb.phase.array(),
		fb.direction.array(),
		fb.currency.array(),
		fb.measure.array(),
	}
	for i := range fb.levels {
		cols = append(cols, fb.levels[i].array())
	}
	k := 8 + len(fb.levels)
	cols = append(cols,
		fixed(k, arrow.Decimal128Traits.CastToBytes(fb.amount), nil),
		fixed(k+1, arrow.Int32Traits.CastToBytes(fb.sourceID), nil),
		fixed(k+2, arrow.Int64Traits.CastToBytes(fb.sourceRow), nil),
	)
	return cols
}

// numberRows makes a batch of columns (all but row_id), numbering its rows
// from firstID. It takes over the columns' references.
func numberRows(schema *arrow.Schema, cols []arrow.Array, firstID int64) arrow.RecordBatch {
	n := cols[0].Len()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = firstID + int64(i)
	}
	d := array.NewData(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(ids))}, nil, 0, 0)
	idCol := array.MakeFromData(d)
	d.Release()
	all := append([]arrow.Array{idCol}, cols...)
	rec := array.NewRecordBatch(schema, all, int64(n))
	for _, c := range all {
		c.Release()
	}
	return rec
}

func releaseAll(cols []arrow.Array) {
	for _, c := range cols {
		c.Release()
	}
}

// concatRecords joins batches into one.
func concatRecords(schema *arrow.Schema, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
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
	for c := range cols {
		parts := make([]arrow.Array, len(recs))
		for i, r := range recs {
			parts[i] = r.Column(c)
		}
		a, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		cols[c] = a
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}
