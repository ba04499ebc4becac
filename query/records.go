package query

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Reading values out of engine records. Engines may return strings as
// String, LargeString or StringView and integers of any width; these helpers
// accept them all.

// keyAt returns the value of a key column as text ("" and false for NULL).
// Years are formatted in decimal, dates as YYYY-MM-DD.
func keyAt(col arrow.Array, i int) (string, bool) {
	if col.IsNull(i) {
		return "", false
	}
	switch c := col.(type) {
	// Arrow strings alias the record's buffers, which the engine frees on
	// release: copy them.
	case *array.String:
		return strings.Clone(c.Value(i)), true
	case *array.LargeString:
		return strings.Clone(c.Value(i)), true
	case *array.StringView:
		return strings.Clone(c.Value(i)), true
	case *array.Int32:
		return strconv.FormatInt(int64(c.Value(i)), 10), true
	case *array.Int64:
		return strconv.FormatInt(c.Value(i), 10), true
	case *array.Int16:
		return strconv.FormatInt(int64(c.Value(i)), 10), true
	case *array.Date32:
		return c.Value(i).FormattedString(), true
	case *array.Date64:
		return c.Value(i).FormattedString(), true
	case *array.Timestamp:
		return c.ValueStr(i), true
	}
	return col.ValueStr(i), true
}

// intAt returns an integer column's value (0 and false for NULL).
func intAt(col arrow.Array, i int) (int64, bool) {
	if col.IsNull(i) {
		return 0, false
	}
	switch c := col.(type) {
	case *array.Int64:
		return c.Value(i), true
	case *array.Int32:
		return int64(c.Value(i)), true
	case *array.Int16:
		return int64(c.Value(i)), true
	case *array.Int8:
		return int64(c.Value(i)), true
	case *array.Uint64:
		return int64(c.Value(i)), true
	case *array.Uint32:
		return int64(c.Value(i)), true
	case *array.Decimal128:
		return c.Value(i).BigInt().Int64(), true
	}
	return 0, false
}

// decimalAt returns a decimal column's value as an unscaled integer at the
// given scale (nil for NULL).
func decimalAt(col arrow.Array, i int, scale int32) (*big.Int, error) {
	if col.IsNull(i) {
		return nil, nil
	}
	var u *big.Int
	var from int32
	switch c := col.(type) {
	case *array.Decimal128:
		v := c.Value(i)
		if hi, lo := v.HighBits(), v.LowBits(); (hi == 0 && lo>>63 == 0) || (hi == -1 && lo>>63 == 1) {
			u = big.NewInt(int64(lo)) // fits an int64: skip the general conversion
		} else {
			u = v.BigInt()
		}
		from = c.DataType().(*arrow.Decimal128Type).Scale
	case *array.Decimal256:
		u = c.Value(i).BigInt()
		from = c.DataType().(*arrow.Decimal256Type).Scale
	case *array.Int64:
		u, from = big.NewInt(c.Value(i)), 0
	default:
		return nil, fmt.Errorf("read amount: unexpected column type %s", col.DataType())
	}
	switch {
	case from < scale:
		u.Mul(u, pow10Int(scale-from))
	case from > scale:
		// Amounts never carry more decimals than the version's scale.
		q, r := new(big.Int).QuoRem(u, pow10Int(from-scale), new(big.Int))
		if r.Sign() != 0 {
			return nil, fmt.Errorf("read amount: %s decimals where the scale is %d", col.DataType(), scale)
		}
		u = q
	}
	return u, nil
}

// column returns the record's column with the given name.
func column(rec arrow.RecordBatch, name string) (arrow.Array, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("read records: no column %q", name)
	}
	return rec.Column(idx[0]), nil
}

// eachRow calls fn for every row of every record the reader yields, then
// releases it.
func eachRow(rdr array.RecordReader, fn func(rec arrow.RecordBatch, i int) error) error {
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			if err := fn(rec, i); err != nil {
				return err
			}
		}
	}
	return rdr.Err()
}
