package query

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/mizan-budget/mizan"
)

// sink writes export batches in one format.
type sink interface {
	write(rec arrow.RecordBatch) error
	close() error
}

func newSink(format string, w io.Writer, schema *arrow.Schema) (sink, error) {
	switch format {
	case FormatArrow:
		return &ipcSink{w: ipc.NewWriter(w, ipc.WithSchema(schema))}, nil
	case FormatParquet:
		return newParquetSink(w, schema)
	case FormatCSV:
		cw := csv.NewWriter(w)
		header := make([]string, schema.NumFields())
		for i, f := range schema.Fields() {
			header[i] = f.Name
		}
		if err := cw.Write(header); err != nil {
			return nil, fmt.Errorf("write csv header: %w", err)
		}
		text := make([]bool, schema.NumFields())
		for i, f := range schema.Fields() {
			text[i] = strings.HasSuffix(f.Name, ".label")
		}
		return &csvSink{w: cw, text: text}, nil
	}
	return nil, fmt.Errorf("unknown export format %q", format)
}

type ipcSink struct{ w *ipc.Writer }

func (s *ipcSink) write(rec arrow.RecordBatch) error { return s.w.Write(rec) }
func (s *ipcSink) close() error                      { return s.w.Close() }

// csvSink writes CSV. Label cells are made safe for spreadsheets
// (mizan.SafeCell); keys and amounts are written exactly.
type csvSink struct {
	w    *csv.Writer
	text []bool // per column: a label
}

func (s *csvSink) write(rec arrow.RecordBatch) error {
	row := make([]string, rec.NumCols())
	for i := 0; i < int(rec.NumRows()); i++ {
		for j := range row {
			row[j] = csvValue(rec.Column(j), i)
			if s.text[j] {
				row[j] = mizan.SafeCell(row[j])
			}
		}
		if err := s.w.Write(row); err != nil {
			return err
		}
	}
	s.w.Flush()
	return s.w.Error()
}

func (s *csvSink) close() error {
	s.w.Flush()
	return s.w.Error()
}

// csvValue formats one value exactly; NULL is the empty field.
func csvValue(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return ""
	}
	switch c := col.(type) {
	case *array.Decimal128:
		return c.Value(i).ToString(c.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Int64:
		return strconv.FormatInt(c.Value(i), 10)
	}
	s, _ := keyAt(col, i)
	return s
}
