package main

import (
	"context"
	"fmt"

	"github.com/mizan-budget/mizan/backup"
	"github.com/mizan-budget/mizan/store"
)

// backup writes the whole database as Parquet plus a manifest.
func (m *Main) backup(ctx context.Context, args []string) error {
	fs := m.flagSet("backup")
	rowsPerFile := fs.Int64("rows-per-file", backup.DefaultRowsPerFile, "rows after which a partition continues in the next part file")
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, "usage: mizan backup [--data DIR] BACKUP_DIR\n\nWrites every table as Parquet (facts as DATASET/version=V/year=YYYY/part-N.parquet) plus manifest.json.\nBACKUP_DIR must not exist or be empty; stop `mizan serve` first (it holds the database file).")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	db, err := store.Open(ctx, store.Options{Dir: m.DataDir})
	if err != nil {
		return err
	}
	defer db.Close()
	man, err := backup.Backup(ctx, db, fs.Arg(0), backup.Options{Mizan: version(), RowsPerFile: *rowsPerFile})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(m.Stdout, "backup %s: %d datasets, %d versions, %d tables, %d files, %d rows, %s\n",
		fs.Arg(0), man.Totals.Datasets, man.Totals.Versions, man.Totals.Tables, man.Totals.Files, man.Totals.Rows, humanBytes(man.Totals.Bytes))
	return nil
}

// restore rebuilds a database from a backup.
func (m *Main) restore(ctx context.Context, args []string) error {
	fs := m.flagSet("restore")
	force := fs.Bool("force", false, "replace the database in the data directory (the old file is kept as mizan.duckdb"+backup.PreRestoreSuffix+")")
	memLimit := fs.String("memory-limit", envOr("MIZAN_MEMORY_LIMIT", ""), "DuckDB memory limit while restoring, e.g. 4GB (env MIZAN_MEMORY_LIMIT)")
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, "usage: mizan restore [--data DIR] [--force] BACKUP_DIR\n\nChecks the sha256 of every file, then rebuilds the database into the data directory,\nwhich must hold no database unless --force.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	man, err := backup.Restore(ctx, fs.Arg(0), m.DataDir, backup.RestoreOptions{Force: *force, MemoryLimit: *memLimit})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(m.Stdout, "restored %s into %s: %d datasets, %d versions, %d tables, %d rows; every file's sha256 and every version's totals checked\n",
		fs.Arg(0), m.DataDir, man.Totals.Datasets, man.Totals.Versions, man.Totals.Tables, man.Totals.Rows)
	return nil
}
