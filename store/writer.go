package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/textnorm"
)

// Fixed fact columns, present in every facts table, in this order, followed
// by one VARCHAR column per dimension level, then amount and provenance.
const (
	ColRow       = "row_id"
	ColYear      = mizan.DimYear
	ColPeriod    = mizan.DimPeriod
	ColDate      = mizan.DimDate
	ColPhase     = mizan.DimPhase
	ColDirection = mizan.DimDirection
	ColCurrency  = mizan.DimCurrency
	ColMeasure   = mizan.DimMeasure
	ColAmount    = "amount"
	ColSourceID  = "source_id"
	ColSourceRow = "source_row"
)

// VersionSpec describes the version an ingest is about to write.
type VersionSpec struct {
	Dataset     mizan.Dataset
	ContentHash string
	Status      string // mizan.StatusPublished or mizan.StatusDraft
	Scale       int32
	// Precision is the number of digits of a stored amount: 18 (the
	// default when 0) or 38 for sources with larger single amounts.
	Precision int32
	Factor    string
	// Dimensions are the classification and attribute dimensions; each
	// level's Column is filled in by BeginVersion.
	Dimensions []mizan.Dimension
	Sources    []mizan.SourceFile
}

// Reject is an input row, or one cell of it, that was not stored.
type Reject struct {
	SourceID  int
	SourceRow int64
	Column    string
	Raw       string
	Reason    string
}

// Mismatch is a published total checked against the sum of its parts.
type Mismatch struct {
	SourceID  int
	SourceRow int64
	Scope     string
	Published string
	Computed  string
	Matches   bool
}

// MaxStoredRejects bounds the reject rows kept per version; the count of
// all rejects is always exact.
const MaxStoredRejects = 100_000

// VersionWriter writes one version inside one transaction: nothing it wrote
// is visible until Commit, and Rollback (or a crash) leaves no trace.
type VersionWriter struct {
	db      *DB
	conn    *sql.Conn
	spec    VersionSpec
	version int
	table   string
	schema  *arrow.Schema
	rows    int64
	rejects int64
	members map[memberID]*mizan.Member
	order   []memberID
	done    bool
	stats   factStats
}

type memberID struct{ dim, level, key string }

// DefaultPrecision is the number of digits of a stored amount unless a
// version asks for WidePrecision. DuckDB keeps DECIMAL(18, s) as 64-bit
// integers and sums them quickly into DECIMAL(38, s) at any size.
const (
	DefaultPrecision int32 = 18
	WidePrecision    int32 = 38
)

// FactSchema returns the Arrow schema of a facts table for the given
// dimensions, amount precision (0 means DefaultPrecision) and scale.
func FactSchema(dims []mizan.Dimension, precision, scale int32) *arrow.Schema {
	if precision == 0 {
		precision = DefaultPrecision
	}
	fields := []arrow.Field{
		{Name: ColRow, Type: arrow.PrimitiveTypes.Int64},
		{Name: ColYear, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: ColPeriod, Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: ColDate, Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: ColPhase, Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: ColDirection, Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: ColCurrency, Type: arrow.BinaryTypes.String},
		{Name: ColMeasure, Type: arrow.BinaryTypes.String, Nullable: true},
	}
	for _, d := range dims {
		for _, l := range d.Levels {
			fields = append(fields, arrow.Field{Name: mizan.ColumnFor(d.ID, l.ID), Type: arrow.BinaryTypes.String, Nullable: true})
		}
	}
	fields = append(fields,
		arrow.Field{Name: ColAmount, Type: &arrow.Decimal128Type{Precision: precision, Scale: scale}},
		arrow.Field{Name: ColSourceID, Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: ColSourceRow, Type: arrow.PrimitiveTypes.Int64},
	)
	return arrow.NewSchema(fields, nil)
}

func sqlType(t arrow.DataType) string {
	switch t := t.(type) {
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	}
	switch t.ID() {
	case arrow.INT64:
		return "BIGINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.DATE32:
		return "DATE"
	default:
		return "VARCHAR"
	}
}

// BeginVersion starts writing the next version of spec.Dataset. The caller
// must end it with Commit or Rollback.
func (db *DB) BeginVersion(ctx context.Context, spec VersionSpec) (*VersionWriter, error) {
	if !mizan.ValidDatasetID(spec.Dataset.ID) {
		return nil, mizan.FieldErrorf("id", "%q is not a valid dataset id (lower-case letters, digits and hyphens)", spec.Dataset.ID)
	}
	if spec.Status == "" {
		spec.Status = mizan.StatusPublished
	}
	if spec.Precision == 0 {
		spec.Precision = DefaultPrecision
	}
	if spec.Precision != DefaultPrecision && spec.Precision != WidePrecision {
		return nil, mizan.FieldErrorf("precision", "precision %d is not supported (use %d or %d)", spec.Precision, DefaultPrecision, WidePrecision)
	}
	if spec.Scale < 0 || spec.Scale >= spec.Precision {
		return nil, mizan.FieldErrorf("scale", "scale %d does not fit precision %d", spec.Scale, spec.Precision)
	}
	for i := range spec.Dimensions {
		d := &spec.Dimensions[i]
		if !mizan.ValidName(d.ID) {
			return nil, mizan.FieldErrorf("dimensions", "%q is not a valid dimension id", d.ID)
		}
		for j := range d.Levels {
			if !mizan.ValidName(d.Levels[j].ID) {
				return nil, mizan.FieldErrorf("dimensions", "%q is not a valid level id of %s", d.Levels[j].ID, d.ID)
			}
			d.Levels[j].Column = mizan.ColumnFor(d.ID, d.Levels[j].ID)
		}
	}
	db.writeMu.Lock()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		db.writeMu.Unlock()
		return nil, fmt.Errorf("connect: %w", err)
	}
	w := &VersionWriter{db: db, conn: conn, spec: spec, members: map[memberID]*mizan.Member{}}
	if err := w.begin(ctx); err != nil {
		w.Rollback()
		return nil, err
	}
	return w, nil
}

func (w *VersionWriter) begin(ctx context.Context) error {
	if _, err := w.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Numbers of deleted drafts (still in version_events) are not reused:
	// caches and citations keyed by (dataset, version) must never see a
	// different version under an old number.
	if err := w.conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM (
			SELECT version FROM versions WHERE dataset_id = $1
			UNION ALL SELECT version FROM version_events WHERE dataset_id = $1)`, w.spec.Dataset.ID).Scan(&w.version); err != nil {
		return fmt.Errorf("number version: %w", err)
	}
	w.table = FactsTable(w.spec.Dataset.ID, w.version)
	w.schema = FactSchema(w.spec.Dimensions, w.spec.Precision, w.spec.Scale)
	cols := make([]string, 0, w.schema.NumFields())
	for _, f := range w.schema.Fields() {
		c := Quote(f.Name) + " " + sqlType(f.Type)
		if !f.Nullable {
			c += " NOT NULL"
		}
		cols = append(cols, c)
	}
	if _, err := w.conn.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", Quote(w.table), strings.Join(cols, ", "))); err != nil {
		return fmt.Errorf("create facts table: %w", err)
	}
	return nil
}

// Version returns the number the version will have.
func (w *VersionWriter) Version() int { return w.version }

// Schema returns the Arrow schema Write expects.
func (w *VersionWriter) Schema() *arrow.Schema { return w.schema }

// Conn returns the connection of the version's transaction, for companion
// tables written atomically with the version: what is written through it is
// committed by Commit and undone by Rollback. It must not be used after
// either, nor to commit or roll back itself.
func (w *VersionWriter) Conn() *sql.Conn { return w.conn }

// RowGroupRows is the number of rows in a DuckDB row group (DuckDB's
// default row_group_size). Write stores batches of a multiple of this many
// rows at the lowest cost: each fills whole row groups, compressed as they
// are inserted, while other sizes leave partial groups that DuckDB merges
// and compresses again.
const RowGroupRows = 122880

// WriteBatches returns how many batches of RowGroupRows one Write should
// carry: one per DuckDB thread, so that the threads store row groups in
// parallel, but at most maxWriteBatches. BenchmarkWriteBatches measures it
// (983,040 facts with 16 text columns, on 2 cores, commit included): 2.6
// µs a fact on 1 thread in batches of 262,144, 3.5 on 2 threads, 2.8 on 2
// threads with 2 batches of 131,072 per call, 1.4 with 2 of 122,880.
func (w *VersionWriter) WriteBatches() int { return min(max(1, w.db.threads), maxWriteBatches) }

// maxWriteBatches bounds the rows an ingest holds on many-core machines:
// the pending facts, the batch being stored and the next one are each
// WriteBatches row groups.
const maxWriteBatches = 4

// Write appends batches of facts, in order. Their schema must equal
// Schema(). Batches of RowGroupRows rows, WriteBatches() at a time, are
// stored fastest; any size is stored correctly.
func (w *VersionWriter) Write(ctx context.Context, recs ...arrow.RecordBatch) error {
	var n int64
	for _, rec := range recs {
		if !rec.Schema().Equal(w.schema) {
			return fmt.Errorf("write facts: batch schema differs from the version's")
		}
		if err := w.checkAmounts(rec); err != nil {
			return err
		}
		n += rec.NumRows()
	}
	if n == 0 {
		return nil
	}
	rdr, err := array.NewRecordReader(w.schema, recs)
	if err != nil {
		return err
	}
	defer rdr.Release()
	err = RawConn(ctx, w.conn, func(c driver.Conn) error {
		ar, err := duckdb.NewArrowFromConn(c)
		if err != nil {
			return err
		}
		release, err := ar.RegisterView(rdr, "mizan_ingest_batch")
		if err != nil {
			return err
		}
		defer release()
		_, err = c.(driver.ExecerContext).ExecContext(ctx, fmt.Sprintf("INSERT INTO %s SELECT * FROM mizan_ingest_batch", Quote(w.table)), nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("store facts: %w", err)
	}
	for _, rec := range recs {
		w.stats.add(rec)
		w.rows += rec.NumRows()
	}
	return nil
}

// checkAmounts refuses amounts with more digits than the version stores:
// DuckDB would otherwise keep only their low 64 bits.
func (w *VersionWriter) checkAmounts(rec arrow.RecordBatch) error {
	if w.spec.Precision >= WidePrecision {
		return nil
	}
	col, ok := rec.Column(w.schema.NumFields() - 3).(*array.Decimal128)
	if !ok {
		return fmt.Errorf("write facts: amount column is %s", rec.Column(w.schema.NumFields()-3).DataType())
	}
	for i, v := range col.Values() {
		if !v.FitsInPrecision(w.spec.Precision) && col.IsValid(i) {
			return fmt.Errorf("write facts: amount %s has more than %d digits", v.ToString(w.spec.Scale), w.spec.Precision)
		}
	}
	return nil
}

// AddMember records a member (first sighting wins; later labels fill in
// languages that were missing).
func (w *VersionWriter) AddMember(m mizan.Member) {
	id := memberID{m.Dimension, m.Level, m.Key}
	if old, ok := w.members[id]; ok {
		for l, s := range m.Label {
			if old.Label[l] == "" && s != "" {
				old.Label[l] = s
			}
		}
		return
	}
	if m.Label == nil {
		m.Label = mizan.Text{}
	}
	w.members[id] = &m
	w.order = append(w.order, id)
}

// HasMember reports whether a member was already recorded.
func (w *VersionWriter) HasMember(dim, level, key string) bool {
	_, ok := w.members[memberID{dim, level, key}]
	return ok
}

// AddRejects stores rejected rows (up to MaxStoredRejects) and counts all.
func (w *VersionWriter) AddRejects(ctx context.Context, rs []Reject) error {
	w.rejects += int64(len(rs))
	room := MaxStoredRejects - (w.rejects - int64(len(rs)))
	if room <= 0 || len(rs) == 0 {
		return nil
	}
	if int64(len(rs)) > room {
		rs = rs[:room]
	}
	return w.appendRows(ctx, "rejects", len(rs), func(a *duckdb.Appender, i int) error {
		r := rs[i]
		return a.AppendRow(w.spec.Dataset.ID, int32(w.version), int32(r.SourceID), r.SourceRow, r.Column, r.Raw, r.Reason)
	})
}

// AddReconciliation stores the result of checking published totals.
func (w *VersionWriter) AddReconciliation(ctx context.Context, ms []Mismatch) error {
	return w.appendRows(ctx, "reconciliation", len(ms), func(a *duckdb.Appender, i int) error {
		m := ms[i]
		diff := ""
		if !m.Matches {
			diff = "differs"
		}
		return a.AppendRow(w.spec.Dataset.ID, int32(w.version), int32(m.SourceID), m.SourceRow, m.Scope, m.Published, m.Computed, diff, m.Matches)
	})
}

func (w *VersionWriter) appendRows(ctx context.Context, table string, n int, row func(*duckdb.Appender, int) error) error {
	if n == 0 {
		return nil
	}
	return RawConn(ctx, w.conn, func(c driver.Conn) error {
		a, err := duckdb.NewAppenderFromConn(c, "", table)
		if err != nil {
			return fmt.Errorf("append %s: %w", table, err)
		}
		for i := 0; i < n; i++ {
			if err := row(a, i); err != nil {
				return errors.Join(fmt.Errorf("append %s: %w", table, err), a.Close())
			}
		}
		return a.Close()
	})
}

// Rows returns the number of facts written so far.
func (w *VersionWriter) Rows() int64 { return w.rows }

// Commit finishes the version: stores members, computes the catalog facts
// (years, phases, member counts), materialises rollups and commits.
func (w *VersionWriter) Commit(ctx context.Context, rowsRead int64, summary any) (mizan.Version, error) {
	defer w.Rollback()
	if err := w.storeMembers(ctx); err != nil {
		return mizan.Version{}, err
	}
	v := mizan.Version{
		Number:      w.version,
		Status:      w.spec.Status,
		CreatedAt:   time.Now().UTC().Truncate(time.Second),
		ContentHash: w.spec.ContentHash,
		Scale:       w.spec.Scale,
		Precision:   w.spec.Precision,
		Factor:      w.spec.Factor,
		Rows:        w.rows,
		RowsRead:    rowsRead,
		Rejected:    w.rejects,
		Dimensions:  w.spec.Dimensions,
		Sources:     w.spec.Sources,
	}
	v.Years, v.Phases, v.Directions, v.Currencies = sortedInts(&w.stats.years), sortedStrings(&w.stats.phases), sortedStrings(&w.stats.directions), sortedStrings(&w.stats.currencies)
	sortPhases(v.Phases)
	counts := map[[2]string]int64{}
	for _, id := range w.order {
		counts[[2]string{id.dim, id.level}]++
	}
	for i := range v.Dimensions {
		for j := range v.Dimensions[i].Levels {
			l := &v.Dimensions[i].Levels[j]
			l.Members = counts[[2]string{v.Dimensions[i].ID, l.ID}]
		}
	}
	var err error
	if v.Rollups, err = w.buildRollups(ctx); err != nil {
		return v, err
	}
	dsMeta := w.spec.Dataset
	dsMeta.Versions = nil
	dsJSON, err := json.Marshal(dsMeta)
	if err != nil {
		return v, err
	}
	// A newer descriptor may update titles and labels; the dataset row keeps the latest.
	if _, err := w.conn.ExecContext(ctx, `INSERT INTO datasets (id, kind, meta) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, meta = excluded.meta`,
		dsMeta.ID, string(dsMeta.Kind), string(dsJSON)); err != nil {
		return v, fmt.Errorf("record dataset: %w", err)
	}
	vJSON, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	sJSON, err := json.Marshal(summary)
	if err != nil {
		return v, err
	}
	if _, err := w.conn.ExecContext(ctx, `INSERT INTO versions (dataset_id, version, status, content_hash, created_at, facts_table, meta, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		dsMeta.ID, w.version, v.Status, v.ContentHash, v.CreatedAt, w.table, string(vJSON), string(sJSON)); err != nil {
		return v, fmt.Errorf("record version: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return v, fmt.Errorf("commit version %d of %s: %w", w.version, dsMeta.ID, err)
	}
	w.done = true
	w.release()
	w.db.invalidateCatalog()
	return v, nil
}

// Rollback abandons the version. It is safe to call after Commit.
func (w *VersionWriter) Rollback() {
	if w.done {
		return
	}
	w.done = true
	// A fresh context: rollback must happen even when the ingest's was cancelled.
	_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
	w.release()
}

func (w *VersionWriter) release() {
	w.conn.Close()
	w.db.writeMu.Unlock()
}

func (w *VersionWriter) storeMembers(ctx context.Context) error {
	depth := map[[2]string]int{}
	for _, d := range w.spec.Dimensions {
		for i, l := range d.Levels {
			depth[[2]string{d.ID, l.ID}] = i
		}
	}
	return w.appendRows(ctx, "members", len(w.order), func(a *duckdb.Appender, i int) error {
		m := w.members[w.order[i]]
		src := ""
		if w.spec.Dataset.Language != "" && w.spec.Dataset.Language != "en" && w.spec.Dataset.Language != "ar" {
			src = m.Label[w.spec.Dataset.Language]
		}
		search := m.Key
		for _, l := range []string{"en", "ar", w.spec.Dataset.Language} {
			if s := m.Label[l]; s != "" {
				search += " " + s
			}
		}
		return a.AppendRow(w.spec.Dataset.ID, int32(w.version), m.Dimension, m.Level, int32(depth[[2]string{m.Dimension, m.Level}]),
			m.Key, nullable(m.Parent), nullable(m.Label["en"]), nullable(m.Label["ar"]), nullable(src), textnorm.Fold(search))
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rollupSets lists the columns of the aggregates the dashboard asks for
// most: totals by year, phase, direction and currency with the top level
// of every dimension, and, per hierarchical dimension, its first two levels.
func rollupSets(dims []mizan.Dimension) [][]string {
	base := []string{ColYear, ColPhase, ColDirection, ColCurrency, ColMeasure}
	top := append([]string{}, base...)
	for _, d := range dims {
		if d.Kind == mizan.KindClassification && len(d.Levels) > 0 {
			top = append(top, mizan.ColumnFor(d.ID, d.Levels[0].ID))
		}
	}
	sets := [][]string{top}
	for _, d := range dims {
		if len(d.Levels) >= 2 {
			sets = append(sets, append(append([]string{}, base...), mizan.ColumnFor(d.ID, d.Levels[0].ID), mizan.ColumnFor(d.ID, d.Levels[1].ID)))
		}
	}
	return sets
}

// buildRollups materialises the rollups, scanning the facts once: the
// finest grouping (every column of every rollup) is aggregated first,
// and each rollup is re-aggregated from it (never more rows than the
// facts, and usually far fewer). When one rollup is that finest grouping
// it is the base itself; otherwise a temporary table holds it.
func (w *VersionWriter) buildRollups(ctx context.Context) ([]mizan.Rollup, error) {
	sets := rollupSets(w.spec.Dimensions)
	var union []string
	for _, cols := range sets {
		for _, c := range cols {
			if !slices.Contains(union, c) {
				union = append(union, c)
			}
		}
	}
	quoteList := func(cols []string) string {
		q := make([]string, len(cols))
		for i, c := range cols {
			q[i] = Quote(c)
		}
		return strings.Join(q, ", ")
	}
	const fromFacts = `sum(amount) AS amount_sum, count(*) AS amount_count, min(amount) AS amount_min, max(amount) AS amount_max`
	const fromRollup = `sum(amount_sum) AS amount_sum, CAST(sum(amount_count) AS BIGINT) AS amount_count, min(amount_min) AS amount_min, max(amount_max) AS amount_max`
	count := func(table string) (int64, error) {
		var n int64
		err := w.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s", Quote(table))).Scan(&n)
		return n, err
	}
	out := make([]mizan.Rollup, len(sets))
	built := make([]bool, len(sets))
	src, agg := w.table, fromFacts // where the remaining rollups come from
	if len(sets) > 1 {
		baseIdx := slices.IndexFunc(sets, func(cols []string) bool { return len(cols) == len(union) })
		baseTable := "mizan_rollup_base"
		if baseIdx >= 0 {
			baseTable = RollupTable(w.spec.Dataset.ID, w.version, baseIdx)
			union = sets[baseIdx]
		}
		kind := "TEMP TABLE"
		if baseIdx >= 0 {
			kind = "TABLE"
		}
		list := quoteList(union)
		if _, err := w.conn.ExecContext(ctx, fmt.Sprintf(`CREATE %s %s AS SELECT %s, %s FROM %s GROUP BY %s`,
			kind, Quote(baseTable), list, fromFacts, Quote(w.table), list)); err != nil {
			return nil, fmt.Errorf("materialise rollup: %w", err)
		}
		rows, err := count(baseTable)
		if err != nil {
			return nil, err
		}
		if baseIdx >= 0 {
			out[baseIdx], built[baseIdx] = mizan.Rollup{Table: baseTable, Columns: union, Rows: rows}, true
		} else {
			defer w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+Quote(baseTable))
		}
		src, agg = baseTable, fromRollup
	}
	for n, cols := range sets {
		if built[n] {
			continue
		}
		table := RollupTable(w.spec.Dataset.ID, w.version, n)
		list := quoteList(cols)
		stmt := fmt.Sprintf(`CREATE TABLE %s AS SELECT %s, %s FROM %s GROUP BY %s`, Quote(table), list, agg, Quote(src), list)
		if _, err := w.conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("materialise rollup: %w", err)
		}
		rows, err := count(table)
		if err != nil {
			return nil, err
		}
		out[n] = mizan.Rollup{Table: table, Columns: cols, Rows: rows}
	}
	return out, nil
}

// factStats collects, as batches are written, the distinct values the
// catalog lists: years, phases, directions and currencies.
type factStats struct {
	years                          distinct[int32]
	phases, directions, currencies distinct[string]
}

// Positions of the columns factStats reads, as FactSchema lays them out.
const (
	idxYear      = 1
	idxPhase     = 4
	idxDirection = 5
	idxCurrency  = 6
)

func (st *factStats) add(rec arrow.RecordBatch) {
	if years, ok := rec.Column(idxYear).(*array.Int32); ok {
		for i := 0; i < years.Len(); i++ {
			if years.IsValid(i) {
				st.years.add(years.Value(i))
			}
		}
	}
	for _, c := range []struct {
		idx int
		set *distinct[string]
	}{{idxPhase, &st.phases}, {idxDirection, &st.directions}, {idxCurrency, &st.currencies}} {
		col, ok := rec.Column(c.idx).(*array.String)
		if !ok {
			continue
		}
		for i := 0; i < col.Len(); i++ {
			if col.IsValid(i) {
				if v := col.Value(i); !c.set.has(v) {
					c.set.add(strings.Clone(v))
				}
			}
		}
	}
}

// distinct is a set of values; the few a column usually holds are
// searched in a slice, more in a map.
type distinct[T comparable] struct {
	few  []T
	many map[T]struct{}
}

func (d *distinct[T]) has(v T) bool {
	if d.many != nil {
		_, ok := d.many[v]
		return ok
	}
	for i := len(d.few) - 1; i >= 0; i-- {
		if d.few[i] == v {
			return true
		}
	}
	return false
}

func (d *distinct[T]) add(v T) {
	if d.has(v) {
		return
	}
	d.few = append(d.few, v)
	if d.many != nil {
		d.many[v] = struct{}{}
	} else if len(d.few) > 16 {
		d.many = make(map[T]struct{}, 2*len(d.few))
		for _, x := range d.few {
			d.many[x] = struct{}{}
		}
	}
}

// sortedInts lists the years in order (nil when there are none).
func sortedInts(d *distinct[int32]) []int {
	var out []int
	for _, v := range d.few {
		out = append(out, int(v))
	}
	slices.Sort(out)
	return out
}

// sortedStrings lists the values in byte order, as DuckDB sorts them (nil
// when there are none).
func sortedStrings(d *distinct[string]) []string {
	out := slices.Clone(d.few)
	slices.Sort(out)
	return out
}

func sortPhases(ps []string) {
	rank := map[string]int{}
	for i, p := range mizan.Phases {
		rank[p] = i + 1
	}
	sort.SliceStable(ps, func(i, j int) bool {
		ri, rj := rank[ps[i]], rank[ps[j]]
		if ri == 0 {
			ri = 100
		}
		if rj == 0 {
			rj = 100
		}
		if ri != rj {
			return ri < rj
		}
		return ps[i] < ps[j]
	})
}

// NewFactBuilder returns a record builder for the writer's schema.
func (w *VersionWriter) NewFactBuilder(mem memory.Allocator) *array.RecordBuilder {
	return array.NewRecordBuilder(mem, w.schema)
}
