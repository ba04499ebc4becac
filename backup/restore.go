package backup

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// RestoreOptions tune a restore.
type RestoreOptions struct {
	// Force replaces a database already in the data directory; the old
	// file is kept beside it as mizan.duckdb.pre-restore.
	Force bool
	// MemoryLimit is DuckDB's memory_limit while restoring ("" keeps
	// DuckDB's default).
	MemoryLimit string
}

// PreRestoreSuffix is appended to the database file (and its write-ahead
// log) that a forced restore replaces.
const PreRestoreSuffix = ".pre-restore"

// readBatchRows is the number of rows of one Arrow batch read from a
// Parquet file on its way into DuckDB.
const readBatchRows = 64 * 1024

// Restore rebuilds a database from the backup in dir into dataDir. It
// first checks the manifest and the size and sha256 of every file; it
// refuses a data directory that already holds a database unless
// opts.Force. The database is built in a temporary directory inside
// dataDir, checked (row counts of every table, totals of every version
// against the manifest) and only then moved into place, so a failed
// restore leaves the data directory as it was.
func Restore(ctx context.Context, dir, dataDir string, opts RestoreOptions) (*Manifest, error) {
	start := time.Now()
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if err := Verify(dir, m); err != nil {
		return nil, err
	}
	target := filepath.Join(dataDir, store.FileName)
	existing := false
	for _, p := range []string{target, target + ".wal"} {
		if _, err := os.Stat(p); err == nil {
			existing = true
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	if existing && !opts.Force {
		return nil, &mizan.Error{Code: mizan.EINVALID, Field: "data", Message: fmt.Sprintf("%s already holds a database; restore into an empty data directory, or pass --force to replace it (the old file is kept as %s%s)", dataDir, store.FileName, PreRestoreSuffix)}
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	tmp, err := os.MkdirTemp(dataDir, ".restore-")
	if err != nil {
		return nil, fmt.Errorf("create temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	db, err := store.Open(ctx, store.Options{Dir: tmp, MemoryLimit: opts.MemoryLimit})
	if err != nil {
		return nil, err
	}
	err = load(ctx, db, dir, m)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close restored database: %w", cerr)
	}
	if err != nil {
		return nil, err
	}
	// Closing checkpointed the restored database: it is one file, moved into
	// place in one rename.
	if _, err := os.Stat(filepath.Join(tmp, store.FileName+".wal")); err == nil {
		return nil, fmt.Errorf("the restored database still has a write-ahead log after closing")
	}
	if existing {
		// The old log first, then the old file: the data directory never
		// holds a log without the database it belongs to.
		for _, p := range []string{target + ".wal", target} {
			if err := os.Rename(p, p+PreRestoreSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("move the old database aside: %w", err)
			}
		}
	}
	if err := os.Rename(filepath.Join(tmp, store.FileName), target); err != nil {
		return nil, fmt.Errorf("move the restored database into place: %w", err)
	}
	if err := syncDir(dataDir); err != nil {
		return nil, err
	}
	slog.InfoContext(ctx, "restore finished", "data", dataDir, "tables", m.Totals.Tables, "rows", m.Totals.Rows, "duration", time.Since(start).Round(time.Millisecond))
	return m, nil
}

// Verify checks that every file the manifest lists is inside dir, has the
// listed size and sha256, and that row counts add up.
func Verify(dir string, m *Manifest) error {
	seen := map[string]bool{}
	var files int
	var bytes, rows int64
	for _, t := range m.Tables {
		var sum int64
		for _, f := range t.Files {
			if !filepath.IsLocal(filepath.FromSlash(f.Path)) || strings.Contains(f.Path, `\`) || seen[f.Path] {
				return fmt.Errorf("backup manifest: file path %q of table %s is not a distinct path inside the backup", f.Path, t.Name)
			}
			seen[f.Path] = true
			sha, n, err := fileSHA256(filepath.Join(dir, filepath.FromSlash(f.Path)))
			if err != nil {
				return fmt.Errorf("backup file %s: %w", f.Path, err)
			}
			if n != f.Bytes || sha != f.SHA256 {
				return fmt.Errorf("backup file %s is damaged: %d bytes, sha256 %s; the manifest says %d bytes, sha256 %s", f.Path, n, sha, f.Bytes, f.SHA256)
			}
			sum += f.Rows
			files++
			bytes += n
		}
		if sum != t.Rows {
			return fmt.Errorf("backup manifest: table %s has %d rows but its files hold %d", t.Name, t.Rows, sum)
		}
		rows += t.Rows
	}
	if files != m.Totals.Files || bytes != m.Totals.Bytes || rows != m.Totals.Rows || len(m.Tables) != m.Totals.Tables {
		return fmt.Errorf("backup manifest: totals (%d tables, %d files, %d rows, %d bytes) differ from its tables (%d, %d, %d, %d)",
			m.Totals.Tables, m.Totals.Files, m.Totals.Rows, m.Totals.Bytes, len(m.Tables), files, rows, bytes)
	}
	return nil
}

// load fills a freshly migrated database from the backup and checks it.
func load(ctx context.Context, db *store.DB, dir string, m *Manifest) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	have, err := migrationsOf(ctx, conn)
	if err != nil {
		return err
	}
	for _, name := range m.Migrations {
		if !slices.Contains(have, name) {
			return fmt.Errorf("the backup's schema has migration %s, which this program does not know: restore it with a newer Mizan", name)
		}
	}
	for i := range m.Tables {
		t := &m.Tables[i]
		if t.Name == "schema_migrations" {
			continue // the new database's own, checked above
		}
		if err := restoreTable(ctx, conn, dir, t); err != nil {
			return fmt.Errorf("restore table %s: %w", t.Name, err)
		}
		slog.InfoContext(ctx, "restored table", "table", t.Name, "rows", t.Rows)
	}
	for _, d := range m.Datasets {
		for _, v := range d.Versions {
			got, err := factTotals(ctx, conn, v.FactsTable)
			if err != nil {
				return err
			}
			if err := sameTotals(v.Totals, got); err != nil {
				return fmt.Errorf("restored version %d of %s: %w", v.Number, d.ID, err)
			}
		}
	}
	return nil
}

func restoreTable(ctx context.Context, conn *sql.Conn, dir string, t *Table) error {
	if len(t.Columns) == 0 {
		return fmt.Errorf("no columns in the manifest")
	}
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		if !supportedType.MatchString(c.Type) {
			return fmt.Errorf("column %s has type %q, which restore does not support", c.Name, c.Type)
		}
		names[i] = store.Quote(c.Name)
	}
	existing, err := tableColumns(ctx, conn, t.Name)
	if err != nil {
		return err
	}
	if len(existing) > 0 && t.Role != RoleCatalog {
		return fmt.Errorf("a %s table named %s already exists", t.Role, t.Name)
	}
	for _, c := range t.Columns {
		if len(existing) > 0 && !slices.ContainsFunc(existing, func(e Column) bool { return e.Name == c.Name }) {
			return fmt.Errorf("column %s is not in this program's schema", c.Name)
		}
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	if len(existing) == 0 {
		if _, err := conn.ExecContext(ctx, createTable(t.Name, t.Columns)); err != nil {
			return fmt.Errorf("create: %w", err)
		}
	}
	// A facts table comes back clustered by year (its partitions in order):
	// every query orders its results totally, so answers are the same as
	// before, and year filters, the most common, skip more. Sorting it back
	// into row_id order would cost a second copy and a sort of the whole
	// table for no difference in any answer.
	list := strings.Join(names, ", ")
	for _, f := range t.Files {
		if err := insertParquet(ctx, conn, filepath.Join(dir, filepath.FromSlash(f.Path)), t.Name, list); err != nil {
			return fmt.Errorf("load %s: %w", f.Path, err)
		}
	}
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+store.Quote(t.Name)).Scan(&n); err != nil {
		return err
	}
	if n != t.Rows {
		return fmt.Errorf("%d rows restored, the backup has %d", n, t.Rows)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// createTable declares a table from the manifest's columns, whose types
// were checked against supportedType.
func createTable(name string, cols []Column) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = store.Quote(c.Name) + " " + c.Type
		if !c.Nullable {
			defs[i] += " NOT NULL"
		}
	}
	return fmt.Sprintf("CREATE TABLE %s (%s)", store.Quote(name), strings.Join(defs, ", "))
}

// insertParquet streams one Parquet file into a table through an Arrow
// view, a batch at a time.
func insertParquet(ctx context.Context, conn *sql.Conn, name, table, cols string) error {
	pf, err := file.OpenParquetFile(name, false)
	if err != nil {
		return err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: readBatchRows}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	return store.RawConn(ctx, conn, func(c driver.Conn) error {
		ar, err := duckdb.NewArrowFromConn(c)
		if err != nil {
			return err
		}
		release, err := ar.RegisterView(rr, "mizan_restore_batch")
		if err != nil {
			return err
		}
		defer release()
		_, err = c.(driver.ExecerContext).ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM mizan_restore_batch", store.Quote(table), cols, cols), nil)
		return err
	})
}

// sameTotals reports the first difference between the backup's totals and
// the restored ones.
func sameTotals(want, got []Total) error {
	key := func(t Total) string {
		y := "NULL"
		if t.Year != nil {
			y = fmt.Sprint(*t.Year)
		}
		return fmt.Sprintf("%s/%s/%s/%s", y, t.Phase, t.Direction, t.Currency)
	}
	for i := 0; i < max(len(want), len(got)); i++ {
		switch {
		case i >= len(got):
			return fmt.Errorf("total %s (%s, %d rows) is missing", key(want[i]), want[i].Amount, want[i].Rows)
		case i >= len(want):
			return fmt.Errorf("total %s (%s, %d rows) is not in the backup", key(got[i]), got[i].Amount, got[i].Rows)
		case key(want[i]) != key(got[i]) || want[i].Amount != got[i].Amount || want[i].Rows != got[i].Rows:
			return fmt.Errorf("total %s is %s (%d rows), the backup says %s %s (%d rows)", key(got[i]), got[i].Amount, got[i].Rows, key(want[i]), want[i].Amount, want[i].Rows)
		}
	}
	return nil
}
