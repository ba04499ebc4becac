package flags

import (
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// column reads the values of one Arrow column whatever integer or string
// layout DuckDB chose for it. Strings are copied: the batch's buffers are
// released after the scan.
type column struct{ a arrow.Array }

func (c column) null(i int) bool { return c.a.IsNull(i) }

func (c column) str(i int) string {
	if c.a.IsNull(i) {
		return ""
	}
	switch a := c.a.(type) {
	case *array.String:
		return strings.Clone(a.Value(i))
	case *array.LargeString:
		return strings.Clone(a.Value(i))
	case *array.StringView:
		return strings.Clone(a.Value(i))
	}
	return c.a.ValueStr(i)
}

func (c column) int(i int) int64 {
	if c.a.IsNull(i) {
		return 0
	}
	switch a := c.a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Uint64:
		return int64(a.Value(i))
	case *array.Uint32:
		return int64(a.Value(i))
	}
	return 0
}

func (c column) float(i int) float64 {
	if c.a.IsNull(i) {
		return 0
	}
	switch a := c.a.(type) {
	case *array.Float64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	}
	return float64(c.int(i))
}

// list returns a list of integers, sorted and without repeats (nil when
// NULL).
func (c column) list(i int) []int64 {
	if c.a.IsNull(i) {
		return nil
	}
	var start, end int64
	var values arrow.Array
	switch a := c.a.(type) {
	case *array.List:
		s, e := a.ValueOffsets(i)
		start, end, values = s, e, a.ListValues()
	case *array.LargeList:
		s, e := a.ValueOffsets(i)
		start, end, values = s, e, a.ListValues()
	default:
		return nil
	}
	v := column{values}
	out := make([]int64, 0, end-start)
	for j := start; j < end; j++ {
		if !v.null(int(j)) {
			out = append(out, v.int(int(j)))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
