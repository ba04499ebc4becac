package backup

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// chunkRows is the number of table rows (by DuckDB rowid) read in one
// query: DuckDB materialises a query's result, so a table is read a chunk
// at a time and memory stays bounded whatever its size.
const chunkRows = 128 * 1024

// Options tune a backup.
type Options struct {
	// Mizan is the program version recorded in the manifest.
	Mizan string
	// RowsPerFile bounds the rows of one Parquet file (default
	// DefaultRowsPerFile).
	RowsPerFile int64
}

// Backup writes every table of db into dir as Parquet files plus
// manifest.json. dir must not exist or be empty. Everything is written
// into a hidden temporary directory beside dir, made durable (fsync) and
// renamed to dir at the end, so an interrupted backup never leaves a
// directory that looks complete. All tables are read in one transaction:
// the backup is a consistent snapshot.
func Backup(ctx context.Context, db *store.DB, dir string, opts Options) (*Manifest, error) {
	if opts.RowsPerFile <= 0 {
		opts.RowsPerFile = DefaultRowsPerFile
	}
	dir = filepath.Clean(dir)
	if err := checkEmptyTarget(dir); err != nil {
		return nil, err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return nil, fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("create temporary backup directory: %w", err)
	}
	m, err := writeBackup(ctx, db, tmp, opts)
	if err == nil {
		err = syncTree(tmp)
	}
	if err == nil {
		if err = os.Rename(tmp, dir); err != nil {
			err = fmt.Errorf("move the finished backup into place: %w", err)
		}
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := syncDir(parent); err != nil {
		return nil, err
	}
	return m, nil
}

// checkEmptyTarget refuses a backup directory that already holds files.
func checkEmptyTarget(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup directory %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return &mizan.Error{Code: mizan.EINVALID, Field: "dir", Message: fmt.Sprintf("backup directory %s is not empty; choose a new one", dir)}
	}
	return nil
}

func writeBackup(ctx context.Context, db *store.DB, tmp string, opts Options) (*Manifest, error) {
	start := time.Now()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	// One read transaction: every table is read from the same snapshot.
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	m := &Manifest{Format: Format, FormatVersion: FormatVersion, CreatedAt: time.Now().UTC().Truncate(time.Second), Mizan: opts.Mizan}
	if m.Migrations, err = migrationsOf(ctx, conn); err != nil {
		return nil, err
	}
	if m.Datasets, err = readVersions(ctx, conn); err != nil {
		return nil, err
	}
	tables, err := planTables(ctx, conn, m.Datasets)
	if err != nil {
		return nil, err
	}
	for i := range tables {
		t := &tables[i]
		if err := backupTable(ctx, conn, tmp, t, opts.RowsPerFile); err != nil {
			return nil, err
		}
		slog.InfoContext(ctx, "backed up table", "table", t.Name, "role", t.Role, "rows", t.Rows, "files", len(t.Files))
		m.Totals.Tables++
		m.Totals.Rows += t.Rows
		for _, f := range t.Files {
			m.Totals.Files++
			m.Totals.Bytes += f.Bytes
		}
	}
	m.Tables = tables
	for di := range m.Datasets {
		d := &m.Datasets[di]
		m.Totals.Datasets++
		for vi := range d.Versions {
			v := &d.Versions[vi]
			m.Totals.Versions++
			if v.Totals, err = factTotals(ctx, conn, v.FactsTable); err != nil {
				return nil, err
			}
			v.Rows = 0
			for _, t := range v.Totals {
				v.Rows += t.Rows
			}
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(tmp, ManifestName), append(data, '\n')); err != nil {
		return nil, err
	}
	slog.InfoContext(ctx, "backup written", "tables", m.Totals.Tables, "files", m.Totals.Files, "rows", m.Totals.Rows, "bytes", m.Totals.Bytes, "duration", time.Since(start).Round(time.Millisecond))
	return m, nil
}

func migrationsOf(ctx context.Context, conn *sql.Conn) ([]string, error) {
	return queryStrings(ctx, conn, "read migrations", `SELECT name FROM schema_migrations ORDER BY name`)
}

// queryStrings runs q, whose rows are one string each, and returns them.
func queryStrings(ctx context.Context, conn *sql.Conn, what, q string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// readVersions lists every dataset and version, drafts included.
func readVersions(ctx context.Context, conn *sql.Conn) ([]Dataset, error) {
	rows, err := conn.QueryContext(ctx, `SELECT v.dataset_id, d.kind, v.version, v.status, v.content_hash, v.created_at, v.facts_table, v.meta
FROM versions v JOIN datasets d ON d.id = v.dataset_id ORDER BY v.dataset_id, v.version`)
	if err != nil {
		return nil, fmt.Errorf("read versions: %w", err)
	}
	defer rows.Close()
	var out []Dataset
	for rows.Next() {
		var id, kind, meta string
		var v Version
		if err := rows.Scan(&id, &kind, &v.Number, &v.Status, &v.ContentHash, &v.CreatedAt, &v.FactsTable, &meta); err != nil {
			return nil, fmt.Errorf("read versions: %w", err)
		}
		v.Meta = json.RawMessage(meta)
		if n := len(out); n > 0 && out[n-1].ID == id {
			out[n-1].Versions = append(out[n-1].Versions, v)
			continue
		}
		out = append(out, Dataset{ID: id, Kind: kind, Versions: []Version{v}})
	}
	return out, rows.Err()
}

// planTables lists every table of the database with its role, columns and
// where its files go: catalog tables first, then each version's facts and
// rollups.
func planTables(ctx context.Context, conn *sql.Conn, datasets []Dataset) ([]Table, error) {
	names, err := tableNames(ctx, conn)
	if err != nil {
		return nil, err
	}
	type owner struct {
		role    string
		dataset string
		version int
	}
	owners := map[string]owner{}
	var ordered []string
	for _, d := range datasets {
		for _, v := range d.Versions {
			owners[v.FactsTable] = owner{RoleFacts, d.ID, v.Number}
			ordered = append(ordered, v.FactsTable)
			var meta mizan.Version
			if err := json.Unmarshal(v.Meta, &meta); err != nil {
				return nil, fmt.Errorf("decode version %d of %s: %w", v.Number, d.ID, err)
			}
			for _, r := range meta.Rollups {
				owners[r.Table] = owner{RoleRollup, d.ID, v.Number}
				ordered = append(ordered, r.Table)
			}
		}
	}
	exists := map[string]bool{}
	var out []Table
	for _, n := range names {
		exists[n] = true
		if _, ok := owners[n]; !ok {
			out = append(out, Table{Name: n, Role: RoleCatalog})
		}
	}
	for _, n := range ordered {
		if !exists[n] {
			o := owners[n]
			return nil, fmt.Errorf("version %d of %s names table %s, which does not exist", o.version, o.dataset, n)
		}
		o := owners[n]
		out = append(out, Table{Name: n, Role: o.role, Dataset: o.dataset, Version: o.version})
	}
	for i := range out {
		if out[i].Columns, err = tableColumns(ctx, conn, out[i].Name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func tableNames(ctx context.Context, conn *sql.Conn) ([]string, error) {
	return queryStrings(ctx, conn, "list tables", `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary ORDER BY table_name`)
}

func tableColumns(ctx context.Context, conn *sql.Conn, table string) ([]Column, error) {
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type, is_nullable FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ? ORDER BY column_index`, table)
	if err != nil {
		return nil, fmt.Errorf("list columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type, &c.Nullable); err != nil {
			return nil, err
		}
		if !supportedType.MatchString(c.Type) {
			return nil, fmt.Errorf("table %s column %s has type %s, which backup does not support", table, c.Name, c.Type)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// backupTable writes one table's rows: facts partitioned by year, other
// tables as they are.
func backupTable(ctx context.Context, conn *sql.Conn, root string, t *Table, rowsPerFile int64) error {
	var lo, hi, n int64
	if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT coalesce(min(rowid), 0), coalesce(max(rowid), -1), count(*) FROM %s`, store.Quote(t.Name))).Scan(&lo, &hi, &n); err != nil {
		return fmt.Errorf("count %s: %w", t.Name, err)
	}
	t.Rows = n
	if n == 0 {
		return nil
	}
	if t.Role != RoleFacts {
		dir := "_catalog/" + t.Name
		if t.Role == RoleRollup {
			dir = "_rollups/" + t.Name
		}
		pw := &partWriter{root: root, dir: dir, maxRows: rowsPerFile}
		if err := copyChunks(ctx, conn, pw, t, lo, hi, ""); err != nil {
			return err
		}
		t.Files = pw.files
		return nil
	}
	years, err := distinctYears(ctx, conn, t.Name)
	if err != nil {
		return err
	}
	for _, y := range years {
		part, cond := NullYearPartition, fmt.Sprintf("%s IS NULL", store.Quote(store.ColYear))
		if y != nil {
			part, cond = strconv.Itoa(*y), fmt.Sprintf("%s = %d", store.Quote(store.ColYear), *y)
		}
		pw := &partWriter{root: root, dir: path.Join(t.Dataset, fmt.Sprintf("version=%d", t.Version), "year="+part), maxRows: rowsPerFile}
		if err := copyChunks(ctx, conn, pw, t, lo, hi, cond); err != nil {
			return err
		}
		t.Files = append(t.Files, pw.files...)
	}
	var sum int64
	for _, f := range t.Files {
		sum += f.Rows
	}
	if sum != t.Rows {
		return fmt.Errorf("facts table %s: %d rows written, %d in the table", t.Name, sum, t.Rows)
	}
	return nil
}

func distinctYears(ctx context.Context, conn *sql.Conn, table string) ([]*int, error) {
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT %s FROM %s ORDER BY 1 NULLS LAST`, store.Quote(store.ColYear), store.Quote(table)))
	if err != nil {
		return nil, fmt.Errorf("years of %s: %w", table, err)
	}
	defer rows.Close()
	var out []*int
	for rows.Next() {
		var y sql.NullInt64
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		if y.Valid {
			v := int(y.Int64)
			out = append(out, &v)
		} else {
			out = append(out, nil)
		}
	}
	return out, rows.Err()
}

// copyChunks reads table rows with rowid in [lo, hi] (and matching cond,
// when given) a chunk at a time, in storage order, into pw. The files'
// schema is DuckDB's Arrow schema with each field's nullability from the
// table's declaration (Parquet REQUIRED for NOT NULL columns).
func copyChunks(ctx context.Context, conn *sql.Conn, pw *partWriter, t *Table, lo, hi int64, cond string) error {
	defer pw.abort()
	table := t.Name
	nullable := make(map[string]bool, len(t.Columns))
	for _, c := range t.Columns {
		nullable[c.Name] = c.Nullable
	}
	where := "rowid BETWEEN ? AND ?"
	if cond != "" {
		where += " AND " + cond
	}
	stmt := fmt.Sprintf(`SELECT * FROM %s WHERE %s`, store.Quote(table), where)
	for from := lo; from <= hi; from += chunkRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := store.RawConn(ctx, conn, func(c driver.Conn) error {
			ar, err := duckdb.NewArrowFromConn(c)
			if err != nil {
				return err
			}
			rdr, err := ar.QueryContext(ctx, stmt, from, from+chunkRows-1)
			if err != nil {
				return err
			}
			defer rdr.Release()
			for rdr.Next() {
				rec := rdr.RecordBatch()
				if rec.NumRows() == 0 {
					continue
				}
				if pw.schema == nil {
					pw.schema = withNullability(rec.Schema(), nullable)
				}
				if err := pw.write(rec); err != nil {
					return err
				}
			}
			return rdr.Err()
		})
		if err != nil {
			return fmt.Errorf("back up %s: %w", table, err)
		}
	}
	return pw.closeFile()
}

func withNullability(s *arrow.Schema, nullable map[string]bool) *arrow.Schema {
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		if n, ok := nullable[f.Name]; ok {
			f.Nullable = n
		}
		fields[i] = f
	}
	return arrow.NewSchema(fields, nil)
}

// factTotals sums a facts table per year, phase, direction and currency.
func factTotals(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, table string) ([]Total, error) {
	cols := strings.Join([]string{store.Quote(store.ColYear), store.Quote(store.ColPhase), store.Quote(store.ColDirection), store.Quote(store.ColCurrency)}, ", ")
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT %s, CAST(sum(%s) AS VARCHAR), count(*) FROM %s GROUP BY ALL ORDER BY ALL NULLS FIRST`,
		cols, store.Quote(store.ColAmount), store.Quote(table)))
	if err != nil {
		return nil, fmt.Errorf("totals of %s: %w", table, err)
	}
	defer rows.Close()
	out := []Total{}
	for rows.Next() {
		var y sql.NullInt64
		var phase, dir sql.NullString
		var t Total
		if err := rows.Scan(&y, &phase, &dir, &t.Currency, &t.Amount, &t.Rows); err != nil {
			return nil, fmt.Errorf("totals of %s: %w", table, err)
		}
		if y.Valid {
			v := int(y.Int64)
			t.Year = &v
		}
		t.Phase, t.Direction = phase.String, dir.String
		out = append(out, t)
	}
	return out, rows.Err()
}

func writeFileSync(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncTree makes the entries of a directory and of every directory below
// it durable.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncDir(p)
	})
}

// syncDir makes a directory's entries durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
