package query

import (
	"fmt"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// cellData is one aggregate row read from an engine: its keys and exact
// measures (unscaled at the version's scale).
type cellData struct {
	keys  []string
	valid []bool // false where the key is NULL
	sum   *big.Int
	count int64
	min   *big.Int
	max   *big.Int
}

// readCells reads aggregate rows whose keys are named prefix0..prefixN.
func readCells(rdr array.RecordReader, nKeys int, prefix string, scale int32) ([]cellData, error) {
	var out []cellData
	err := eachRow(rdr, func(rec arrow.RecordBatch, i int) error {
		c, err := readCell(rec, i, nKeys, prefix, scale)
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

func readCell(rec arrow.RecordBatch, i, nKeys int, prefix string, scale int32) (cellData, error) {
	c := cellData{keys: make([]string, nKeys), valid: make([]bool, nKeys)}
	for k := 0; k < nKeys; k++ {
		col, err := column(rec, fmt.Sprintf("%s%d", prefix, k))
		if err != nil {
			return c, err
		}
		c.keys[k], c.valid[k] = keyAt(col, i)
	}
	var err error
	if c.sum, err = measureDecimal(rec, colSum, i, scale); err != nil {
		return c, err
	}
	if c.min, err = measureDecimal(rec, colMin, i, scale); err != nil {
		return c, err
	}
	if c.max, err = measureDecimal(rec, colMax, i, scale); err != nil {
		return c, err
	}
	col, err := column(rec, colCount)
	if err != nil {
		return c, err
	}
	c.count, _ = intAt(col, i)
	return c, nil
}

func measureDecimal(rec arrow.RecordBatch, name string, i int, scale int32) (*big.Int, error) {
	col, err := column(rec, name)
	if err != nil {
		return nil, err
	}
	return decimalAt(col, i, scale)
}
