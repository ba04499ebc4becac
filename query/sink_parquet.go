package query

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetRowGroup bounds the rows a Parquet row group buffers in memory.
const parquetRowGroup = 128 * 1024

type parquetSink struct{ w *pqarrow.FileWriter }

func newParquetSink(w io.Writer, schema *arrow.Schema) (sink, error) {
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(parquetRowGroup),
	)
	// The Parquet writer closes a writer that is an io.Closer; the caller
	// owns w, so hide its Close.
	fw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, fmt.Errorf("start parquet export: %w", err)
	}
	return &parquetSink{w: fw}, nil
}

func (s *parquetSink) write(rec arrow.RecordBatch) error { return s.w.WriteBuffered(rec) }
func (s *parquetSink) close() error                      { return s.w.Close() }
