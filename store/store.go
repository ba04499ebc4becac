// Package store owns Mizan's DuckDB database: opening it locked down (no
// file or network access from SQL, no extension loading), embedded schema
// migrations, the catalog of datasets and versions, and the transactional
// writer that stores one ingest as one immutable version.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the DuckDB file inside the data directory.
const FileName = "mizan.duckdb"

// Options configure Open.
type Options struct {
	// Dir is the data directory; "" opens an in-memory database (tests).
	Dir string
	// MemoryLimit is DuckDB's memory_limit, e.g. "4GB"; "" keeps DuckDB's default.
	MemoryLimit string
	// Threads is DuckDB's thread count; 0 keeps DuckDB's default.
	Threads int
}

// DB is an open Mizan database.
type DB struct {
	// SQL is the pool every reader uses. Its connections cannot touch the
	// file system or the network.
	SQL  *sql.DB
	path string
	// threads is DuckDB's thread count, as set or defaulted at Open.
	threads int

	// writeMu serialises ingests: versions are numbered inside the writing
	// transaction, and one writer at a time keeps memory predictable.
	writeMu sync.Mutex

	catMu    sync.Mutex
	catCache []mizan.Dataset // nil: reload
}

// Open opens (creating if needed) the database in opts.Dir and applies
// pending migrations.
func Open(ctx context.Context, opts Options) (*DB, error) {
	path := ""
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path = filepath.Join(opts.Dir, FileName)
	}
	q := url.Values{}
	// Settings fixed at start-up: SQL can never read or write files, reach
	// the network, or install and load extensions; lock_configuration keeps
	// any statement from turning them back on.
	q.Set("enable_external_access", "false")
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	if opts.MemoryLimit != "" {
		q.Set("memory_limit", opts.MemoryLimit)
	}
	if opts.Threads > 0 {
		q.Set("threads", fmt.Sprint(opts.Threads))
	}
	dsn := path + "?" + q.Encode()
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", displayPath(path), err)
	}
	db := &DB{SQL: sql.OpenDB(connector), path: path}
	if _, err := db.SQL.ExecContext(ctx, "SET lock_configuration = true"); err != nil {
		db.SQL.Close()
		return nil, fmt.Errorf("lock database configuration: %w", err)
	}
	if err := db.SQL.QueryRowContext(ctx, "SELECT CAST(current_setting('threads') AS INTEGER)").Scan(&db.threads); err != nil {
		db.SQL.Close()
		return nil, fmt.Errorf("read thread count: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.SQL.Close()
		return nil, err
	}
	return db, nil
}

func displayPath(p string) string {
	if p == "" {
		return "(in memory)"
	}
	return p
}

// Path returns the database file path ("" in memory).
func (db *DB) Path() string { return db.path }

// Close closes the database, checkpointing the write-ahead log.
func (db *DB) Close() error { return db.SQL.Close() }

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_timestamp)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		var n int
		if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return fmt.Errorf("read migrations: %w", err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			return err
		}
		if err := db.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES (?)`, name)
			return err
		}); err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
		slog.InfoContext(ctx, "applied migration", "name", name)
	}
	return nil
}

func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// FactsTable returns the table name of a dataset version's facts. Dataset
// ids are validated (mizan.ValidDatasetID), so the name is a safe identifier.
func FactsTable(dataset string, version int) string {
	return fmt.Sprintf("facts_%s_v%d", strings.ReplaceAll(dataset, "-", "_"), version)
}

// RollupTable returns the table name of a version's n-th rollup.
func RollupTable(dataset string, version, n int) string {
	return fmt.Sprintf("rollup_%s_v%d_%d", strings.ReplaceAll(dataset, "-", "_"), version, n)
}

// Quote quotes an identifier for DuckDB. Identifiers come from the catalog,
// never from a request, but are quoted all the same.
func Quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

// RawConn runs fn with a dedicated DuckDB driver connection (for the Arrow
// and Appender interfaces).
func RawConn(ctx context.Context, conn *sql.Conn, fn func(driver.Conn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("not a driver connection: %T", dc)
		}
		return fn(c)
	})
}
