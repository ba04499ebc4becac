// Package backup writes a Mizan database out as Parquet files plus a
// manifest, and rebuilds a database from them.
//
// A backup directory holds:
//
//	manifest.json                                    what is there: datasets, versions, tables, files, sha256s, totals
//	DATASET/version=V/year=YYYY/part-N.parquet       each version's facts, Hive-partitioned by fiscal year
//	DATASET/version=V/year=__HIVE_DEFAULT_PARTITION__/part-N.parquet   facts without a year
//	_catalog/TABLE/part-N.parquet                    every other table: datasets, versions, members, rejects, reconciliation, contract_*, ...
//	_rollups/TABLE/part-N.parquet                    each version's materialised rollups
//
// Amounts are Parquet DECIMAL (INT64 up to 18 digits, FIXED_LEN_BYTE_ARRAY
// up to 38), so other engines (ClickHouse, Trino, Spark, DuckDB) read the
// same exact values; facts files keep their year column too, so each file
// is complete on its own. Directories starting with "_" are ignored by
// those engines when they read a dataset's folder.
//
// DuckDB is opened locked down (no file access from SQL), so files are
// written and read in Go with arrow-go's Parquet package: rows leave
// DuckDB as Arrow batches, a bounded chunk at a time, and come back in
// through an Arrow view.
package backup

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ManifestName is the manifest's file name inside a backup directory.
const ManifestName = "manifest.json"

// Format identifies a Mizan backup manifest.
const Format = "mizan-backup"

// FormatVersion is the version of the layout this package writes and reads.
const FormatVersion = 1

// Table roles.
const (
	RoleFacts   = "facts"   // one version's facts
	RoleRollup  = "rollup"  // one version's materialised rollup
	RoleCatalog = "catalog" // every other table (migrations' tables and anything else)
)

// NullYearPartition is the year directory of facts without a fiscal year:
// the name Hive, Spark and Trino read as NULL.
const NullYearPartition = "__HIVE_DEFAULT_PARTITION__"

// Manifest describes a backup: what it holds and how to check it.
type Manifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	CreatedAt     time.Time `json:"created_at"`
	// Mizan is the version of the program that wrote the backup.
	Mizan string `json:"mizan_version,omitempty"`
	// Migrations are the schema migrations the database had applied.
	Migrations []string  `json:"migrations"`
	Datasets   []Dataset `json:"datasets"`
	Tables     []Table   `json:"tables"`
	Totals     Totals    `json:"totals"`
}

// Dataset is one dataset of the backup with all its versions.
type Dataset struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Versions []Version `json:"versions"`
}

// Version is one stored version: its status and metadata, its facts table
// and the totals a restore must find again.
type Version struct {
	Number      int       `json:"version"`
	Status      string    `json:"status"`
	ContentHash string    `json:"content_hash"`
	CreatedAt   time.Time `json:"created_at"`
	FactsTable  string    `json:"facts_table"`
	Rows        int64     `json:"rows"`
	// Meta is the version's catalog metadata (mizan.Version as stored).
	Meta json.RawMessage `json:"meta"`
	// Totals are the sums of the facts per year, phase, direction and
	// currency, as exact decimal strings.
	Totals []Total `json:"totals"`
}

// Total is the sum of one group of a version's facts. Empty strings and a
// nil year stand for NULL.
type Total struct {
	Year      *int   `json:"year"`
	Phase     string `json:"phase,omitempty"`
	Direction string `json:"direction,omitempty"`
	Currency  string `json:"currency"`
	Amount    string `json:"amount"`
	Rows      int64  `json:"rows"`
}

// Table is one database table and the files that hold its rows.
type Table struct {
	Name    string   `json:"name"`
	Role    string   `json:"role"`
	Dataset string   `json:"dataset,omitempty"`
	Version int      `json:"version,omitempty"`
	Columns []Column `json:"columns"`
	Rows    int64    `json:"rows"`
	Files   []File   `json:"files"`
}

// Column is a table column as DuckDB declares it.
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// File is one Parquet file, by its path relative to the backup directory.
type File struct {
	Path   string `json:"path"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Totals count what the whole backup holds.
type Totals struct {
	Datasets int   `json:"datasets"`
	Versions int   `json:"versions"`
	Tables   int   `json:"tables"`
	Files    int   `json:"files"`
	Rows     int64 `json:"rows"`
	Bytes    int64 `json:"bytes"`
}

// ReadManifest reads and checks the manifest of the backup in dir.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, fmt.Errorf("read backup manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read backup manifest %s: %w", filepath.Join(dir, ManifestName), err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%s is not a Mizan backup manifest (format %q)", filepath.Join(dir, ManifestName), m.Format)
	}
	if m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("backup format version %d is not supported (this program reads version %d)", m.FormatVersion, FormatVersion)
	}
	return &m, nil
}
