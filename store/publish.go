package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mizan-budget/mizan"
)

// Version events recorded in version_events.
const (
	EventPublish = "publish"
	EventDelete  = "delete"
)

// VersionEvent is one entry of the audit log of publications and deletions.
type VersionEvent struct {
	Dataset string
	Version int
	Action  string // EventPublish or EventDelete
	Actor   string // the token's name, or "cli"
	At      time.Time
}

// PublishVersion makes a draft version visible to everyone, in one
// transaction that also records who published it. It returns the version as
// published and whether it changed: publishing a published version changes
// nothing and is not an error, so a retried publish is harmless.
func (db *DB) PublishVersion(ctx context.Context, dataset string, version int, actor string) (mizan.Version, bool, error) {
	var out mizan.Version
	changed := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		v, err := versionForUpdate(ctx, tx, dataset, version)
		if err != nil {
			return err
		}
		out = v
		if v.Status == mizan.StatusPublished {
			return nil
		}
		v.Status = mizan.StatusPublished
		meta, err := json.Marshal(v)
		if err != nil {
			return err
		}
		// The status lives twice: as a column (for SQL) and in the version's
		// JSON (for the catalog); both change together.
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET status = ?, meta = ? WHERE dataset_id = ? AND version = ?`,
			v.Status, string(meta), dataset, version); err != nil {
			return fmt.Errorf("publish %s version %d: %w", dataset, version, err)
		}
		if err := recordEvent(ctx, tx, dataset, version, EventPublish, actor); err != nil {
			return err
		}
		out, changed = v, true
		return nil
	})
	if err != nil {
		return mizan.Version{}, false, err
	}
	if changed {
		db.invalidateCatalog()
	}
	return out, changed, nil
}

// DeleteVersion removes a draft version and everything stored with it (its
// facts and rollup tables, members, rejects, reconciliation, contract rows)
// in one transaction. Published versions are refused with ECONFLICT: they
// may be cited (a newspaper's link names the version), so they never
// vanish; a mistake is corrected by publishing a new version. The dataset
// itself goes when its last version does.
func (db *DB) DeleteVersion(ctx context.Context, dataset string, version int, actor string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		v, err := versionForUpdate(ctx, tx, dataset, version)
		if err != nil {
			return err
		}
		if v.Status != mizan.StatusDraft {
			return &mizan.Error{Code: mizan.ECONFLICT, Field: "version", Message: fmt.Sprintf(
				"version %d of %s is %s: published versions are permanent so that citations keep working; publish a corrected version instead", version, dataset, v.Status)}
		}
		tables := []string{FactsTable(dataset, version)}
		for _, r := range v.Rollups {
			tables = append(tables, r.Table)
		}
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+Quote(t)); err != nil {
				return fmt.Errorf("delete %s version %d: drop %s: %w", dataset, version, t, err)
			}
		}
		companions, err := versionedTables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range companions {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+Quote(t)+" WHERE dataset_id = ? AND version = ?", dataset, version); err != nil {
				return fmt.Errorf("delete %s version %d from %s: %w", dataset, version, t, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE dataset_id = ? AND version = ?`, dataset, version); err != nil {
			return fmt.Errorf("delete %s version %d: %w", dataset, version, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM datasets WHERE id = ? AND NOT EXISTS (SELECT 1 FROM versions WHERE dataset_id = ?)`, dataset, dataset); err != nil {
			return fmt.Errorf("delete dataset %s: %w", dataset, err)
		}
		return recordEvent(ctx, tx, dataset, version, EventDelete, actor)
	})
	if err != nil {
		return err
	}
	db.invalidateCatalog()
	return nil
}

// VersionEvents returns the audit log of a dataset's publications and
// deletions, oldest first.
func (db *DB) VersionEvents(ctx context.Context, dataset string) ([]VersionEvent, error) {
	rows, err := db.SQL.QueryContext(ctx, `SELECT dataset_id, version, action, actor, happened_at FROM version_events WHERE dataset_id = ? ORDER BY happened_at, version`, dataset)
	if err != nil {
		return nil, fmt.Errorf("read version events: %w", err)
	}
	defer rows.Close()
	var out []VersionEvent
	for rows.Next() {
		var e VersionEvent
		if err := rows.Scan(&e.Dataset, &e.Version, &e.Action, &e.Actor, &e.At); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// versionForUpdate reads a version's metadata inside tx.
func versionForUpdate(ctx context.Context, tx *sql.Tx, dataset string, version int) (mizan.Version, error) {
	var status, meta string
	err := tx.QueryRowContext(ctx, `SELECT status, meta FROM versions WHERE dataset_id = ? AND version = ?`, dataset, version).Scan(&status, &meta)
	if errors.Is(err, sql.ErrNoRows) {
		return mizan.Version{}, &mizan.Error{Code: mizan.ENOTFOUND, Field: "version", Message: fmt.Sprintf("dataset %q has no version %d", dataset, version)}
	}
	if err != nil {
		return mizan.Version{}, fmt.Errorf("read %s version %d: %w", dataset, version, err)
	}
	var v mizan.Version
	if err := json.Unmarshal([]byte(meta), &v); err != nil {
		return mizan.Version{}, fmt.Errorf("decode %s version %d: %w", dataset, version, err)
	}
	v.Status = status
	return v, nil
}

// versionedTables lists the tables whose rows belong to one dataset
// version (they have dataset_id and version columns), other than the
// versions table and the audit log. Reading them from the catalog keeps
// deletion complete when a migration adds a table.
func versionedTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM information_schema.columns
WHERE table_schema = 'main' AND column_name IN ('dataset_id', 'version')
GROUP BY table_name HAVING count(*) = 2 ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("list versioned tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if t != "versions" && t != "version_events" {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

func recordEvent(ctx context.Context, tx *sql.Tx, dataset string, version int, action, actor string) error {
	if actor == "" {
		actor = "cli"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO version_events (dataset_id, version, action, actor, happened_at) VALUES (?, ?, ?, ?, ?)`,
		dataset, version, action, actor, time.Now().UTC().Truncate(time.Second)); err != nil {
		return fmt.Errorf("record %s of %s version %d: %w", action, dataset, version, err)
	}
	return nil
}
