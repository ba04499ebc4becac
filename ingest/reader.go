package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest/parse"
)

// Reading parameters.
const (
	chunkBytes     = 2 << 20 // CSV text handed to a worker at a time
	chunkRows      = 16384   // spreadsheet rows handed to a worker at a time
	headerScanRows = 50      // rows searched for the header
)

// chunk is a run of consecutive rows of one input.
type chunk struct {
	in      *input
	line    int64      // CSV: line of the first record
	data    string     // CSV: complete records
	rows    [][]string // spreadsheet rows
	rowNums []int64
	last    bool // the input's final chunk (it may be empty)
	err     error
	done    chan *result
}

// readInputs reads every input in order, cutting it into chunks.
func (pl *pipeline) readInputs() {
	defer close(pl.work)
	defer close(pl.order)
	for _, in := range pl.inputs {
		var err error
		if in.format == "xlsx" {
			err = pl.readSheet(in)
		} else {
			err = pl.readCSV(in)
		}
		if err != nil {
			pl.emit(&chunk{in: in, err: err})
			return
		}
	}
}

// emit hands a chunk to the workers and the collector; false when the
// ingest is being abandoned.
func (pl *pipeline) emit(c *chunk) bool {
	c.done = make(chan *result, 1)
	select {
	case pl.order <- c:
	case <-pl.ctx.Done():
		return false
	}
	if c.err != nil {
		c.done <- &result{err: c.err}
		return true
	}
	select {
	case pl.work <- c:
		return true
	case <-pl.ctx.Done():
		c.done <- &result{err: pl.ctx.Err()}
		return false
	}
}

func (pl *pipeline) readCSV(in *input) error {
	r, closer, err := openData(in, pl.maxBytes, pl.countBytes)
	if err != nil {
		return err
	}
	defer closer()
	spec := &in.raw.spec
	dec, used, err := parse.NewDecoder(ctxReader{pl.ctx, r}, spec.Encoding)
	if err != nil {
		return mizan.Errorf(mizan.EINVALID, "%s: %v", in.label, err)
	}
	in.encoding = used
	br := bufio.NewReaderSize(dec, 64<<10)
	sample, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return fmt.Errorf("read %s: %w", in.label, err)
	}
	in.dialect = csvDialect{delim: ',', quote: '"', encoding: used}
	switch {
	case spec.Delimiter != "":
		in.dialect.delim, _ = delimiterByte(spec.Delimiter)
	case in.format == "tsv":
		in.dialect.delim = '\t'
	default:
		if d, err := parse.SniffDialect(sample); err == nil && d.Delimiter < 0x80 {
			in.dialect.delim = byte(d.Delimiter)
			if d.Quote > 0 && d.Quote < 0x80 {
				in.dialect.quote = byte(d.Quote)
			}
		}
	}
	sc := newRecordScanner(br, in.dialect.delim, in.dialect.quote, in.label, chunkBytes)
	header, err := pl.findHeader(in, func() ([]string, int64, error) {
		rec, line, err := sc.next()
		if err != nil {
			return nil, 0, err
		}
		return splitRecord(string(rec), in.dialect.delim, in.dialect.quote, nil), line, nil
	})
	if err != nil {
		return err
	}
	if in.plan, err = compilePlan(pl.m, in, header); err != nil {
		return err
	}
	for {
		data, line, err := sc.chunk(chunkBytes)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctxErr := pl.ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			return fmt.Errorf("read %s: %w", in.label, err)
		}
		if !pl.emit(&chunk{in: in, data: data, line: line}) {
			return pl.ctx.Err()
		}
	}
	if !pl.emit(&chunk{in: in, last: true}) {
		return pl.ctx.Err()
	}
	return nil
}

func (pl *pipeline) readSheet(in *input) error {
	x, err := openSheet(in, pl.maxBytes, pl.countBytes)
	if err != nil {
		return err
	}
	defer x.close()
	header, err := pl.findHeader(in, x.next)
	if err != nil {
		return err
	}
	if in.plan, err = compilePlan(pl.m, in, header); err != nil {
		return err
	}
	c := &chunk{in: in}
	for {
		if err := pl.ctx.Err(); err != nil {
			return err
		}
		cells, row, err := x.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.label, err)
		}
		c.rows = append(c.rows, cells)
		c.rowNums = append(c.rowNums, row)
		if len(c.rows) == chunkRows {
			if !pl.emit(c) {
				return pl.ctx.Err()
			}
			c = &chunk{in: in}
		}
	}
	c.last = true
	if !pl.emit(c) {
		return pl.ctx.Err()
	}
	return nil
}

// findHeader reads rows until the header: the declared header row, or the
// first row naming every column the mapping uses.
func (pl *pipeline) findHeader(in *input, next func() ([]string, int64, error)) ([]string, error) {
	spec := &in.raw.spec
	wanted := wantedColumns(spec)
	var pattern *regexp.Regexp
	if u := spec.Mapping.Unpivot; u != nil && u.Pattern != "" {
		pattern = regexp.MustCompile(u.Pattern)
	}
	bestFound, bestLine := -1, int64(0)
	var bestMissing []string
	for n := 0; ; n++ {
		fields, line, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", in.label, err)
		}
		if spec.HeaderRow > 0 {
			if line < int64(spec.HeaderRow) {
				continue
			}
			if line > int64(spec.HeaderRow) {
				return nil, mizan.Errorf(mizan.EINVALID, "%s: header_row %d falls inside a multi-line record", in.label, spec.HeaderRow)
			}
			if _, missing, ok := headerScore(fields, wanted, pattern); !ok {
				return nil, mizan.Errorf(mizan.EINVALID, "%s row %d (header_row) lacks the columns %s", in.label, line, quoteList(missing))
			}
			return cloneAll(fields), nil
		}
		if n >= headerScanRows {
			break
		}
		found, missing, ok := headerScore(fields, wanted, pattern)
		if ok {
			return cloneAll(fields), nil
		}
		if found > bestFound {
			bestFound, bestLine, bestMissing = found, line, missing
		}
	}
	if bestFound < 0 {
		return nil, mizan.Errorf(mizan.EINVALID, "%s is empty", in.label)
	}
	return nil, mizan.Errorf(mizan.EINVALID, "%s: no row among the first %d names every mapped column; the closest, row %d, lacks %s",
		in.label, headerScanRows, bestLine, quoteList(bestMissing))
}

func cloneAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.Clone(s)
	}
	return out
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
