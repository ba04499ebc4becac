package query

import (
	"fmt"
	"math/big"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// cellData is one aggregate row read from an engine: its keys and exact
// measures (unscaled at the version's scale).
type cellData struct {
	keys  []string
	valid []bool // false where the key is NULL
	measures
	// other marks the fold of the cells past Top; folded is the number of
	// cells a Top row holds.
	other  bool
	folded int64
	// total is the sum over the cells with this cell's Totals values, and
	// stats the plan's statistics (Stats plans only; stats on the first
	// row only, as they are the same on every row but for the totals of
	// other Totals values).
	total *big.Int
	stats *cellStats
}

// measures are the four amount aggregates, unscaled (nil when NULL).
type measures struct {
	sum   *big.Int
	count int64
	min   *big.Int
	max   *big.Int
}

// cellStats are the Stats columns of an aggregate row.
type cellStats struct {
	cells    int64    // number of cells
	total    measures // over the cells of the row's Totals values; its count is allCount (right when Totals is empty)
	allCount int64    // facts counted over every cell
}

// cellColumns are the column indices of an aggregate record (-1: absent).
type cellColumns struct {
	keys                         []int
	sum, count, min, max         int
	other, folded                int
	cells, tsum, tmin, tmax, all int
}

func index(s *arrow.Schema, name string) int {
	if idx := s.FieldIndices(name); len(idx) > 0 {
		return idx[0]
	}
	return -1
}

// cellColumnsOf finds the columns of aggregate rows whose keys are named
// prefix0..prefixN; stats says whether the Stats columns must be there.
func cellColumnsOf(s *arrow.Schema, nKeys int, prefix string, stats bool) (cellColumns, error) {
	c := cellColumns{keys: make([]int, nKeys)}
	for k := range c.keys {
		name := prefix + strconv.Itoa(k)
		if c.keys[k] = index(s, name); c.keys[k] < 0 {
			return c, fmt.Errorf("read records: no column %q", name)
		}
	}
	need := []struct {
		at   *int
		name string
	}{{&c.sum, colSum}, {&c.count, colCount}, {&c.min, colMin}, {&c.max, colMax}}
	if stats {
		need = append(need, []struct {
			at   *int
			name string
		}{{&c.cells, colCells}, {&c.tsum, colTotalSum}, {&c.tmin, colTotalMin}, {&c.tmax, colTotalMax}, {&c.all, colAllCount}}...)
	}
	for _, n := range need {
		if *n.at = index(s, n.name); *n.at < 0 {
			return c, fmt.Errorf("read records: no column %q", n.name)
		}
	}
	c.other = index(s, colOther)
	c.folded = index(s, colFolded)
	if !stats {
		c.cells = -1
	}
	return c, nil
}

// readCells reads aggregate rows whose keys are named prefix0..prefixN.
func readCells(rdr array.RecordReader, nKeys int, prefix string, scale int32) ([]cellData, error) {
	return readCellRows(rdr, nKeys, prefix, scale, false)
}

// readCellRows reads aggregate rows, with their Stats columns when stats.
func readCellRows(rdr array.RecordReader, nKeys int, prefix string, scale int32, stats bool) ([]cellData, error) {
	defer rdr.Release()
	var out []cellData
	cols, err := cellColumnsOf(rdr.Schema(), nKeys, prefix, stats)
	if err != nil {
		return nil, err
	}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		n := int(rec.NumRows())
		if out == nil {
			out = make([]cellData, 0, n)
		}
		// Keys of all rows share two backing arrays per batch.
		keys := make([]string, n*nKeys)
		valid := make([]bool, n*nKeys)
		for i := 0; i < n; i++ {
			c := cellData{keys: keys[i*nKeys : (i+1)*nKeys : (i+1)*nKeys], valid: valid[i*nKeys : (i+1)*nKeys : (i+1)*nKeys]}
			if err := cols.read(rec, i, scale, &c, len(out) == 0); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, rdr.Err()
}

func readCell(rec arrow.RecordBatch, i, nKeys int, prefix string, scale int32) (cellData, error) {
	cols, err := cellColumnsOf(rec.Schema(), nKeys, prefix, false)
	if err != nil {
		return cellData{}, err
	}
	c := cellData{keys: make([]string, nKeys), valid: make([]bool, nKeys)}
	return c, cols.read(rec, i, scale, &c, true)
}

// read fills c (whose keys and valid are allocated) from row i, with the
// plan's statistics when first.
func (cols *cellColumns) read(rec arrow.RecordBatch, i int, scale int32, c *cellData, first bool) error {
	for k, at := range cols.keys {
		c.keys[k], c.valid[k] = keyAt(rec.Column(at), i)
	}
	var err error
	if c.measures, err = readMeasures(rec, i, scale, cols.sum, cols.count, cols.min, cols.max); err != nil {
		return err
	}
	if cols.other >= 0 {
		if b, ok := rec.Column(cols.other).(*array.Boolean); ok && b.IsValid(i) {
			c.other = b.Value(i)
		}
	}
	if cols.folded >= 0 {
		c.folded, _ = intAt(rec.Column(cols.folded), i)
	}
	if cols.cells >= 0 {
		if c.total, err = decimalAt(rec.Column(cols.tsum), i, scale); err != nil {
			return err
		}
	}
	if cols.cells >= 0 && first {
		st := &cellStats{}
		st.cells, _ = intAt(rec.Column(cols.cells), i)
		st.allCount, _ = intAt(rec.Column(cols.all), i)
		if st.total, err = readMeasures(rec, i, scale, cols.tsum, cols.all, cols.tmin, cols.tmax); err != nil {
			return err
		}
		c.stats = st
	}
	return nil
}

func readMeasures(rec arrow.RecordBatch, i int, scale int32, sum, count, min, max int) (measures, error) {
	var m measures
	var err error
	if m.sum, err = decimalAt(rec.Column(sum), i, scale); err != nil {
		return m, err
	}
	if m.min, err = decimalAt(rec.Column(min), i, scale); err != nil {
		return m, err
	}
	if m.max, err = decimalAt(rec.Column(max), i, scale); err != nil {
		return m, err
	}
	m.count, _ = intAt(rec.Column(count), i)
	return m, nil
}
