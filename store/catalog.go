package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/textnorm"
)

// ListDatasets returns every dataset with its versions (drafts only when
// asked), ordered by id. Datasets with no visible version are left out.
// The catalog is cached in memory and reloaded after each commit (this
// process is the database's only writer: DuckDB locks the file); callers
// must treat what it returns as read-only.
func (db *DB) ListDatasets(ctx context.Context, includeDrafts bool) ([]mizan.Dataset, error) {
	all, err := db.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]mizan.Dataset, 0, len(all))
	for _, d := range all {
		var vs []mizan.Version
		for _, v := range d.Versions {
			if v.Status == mizan.StatusPublished || includeDrafts {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			continue
		}
		d.Versions = vs
		out = append(out, d)
	}
	return out, nil
}

// catalog returns every dataset with all its versions, from the cache or,
// after a commit, from the database.
func (db *DB) catalog(ctx context.Context) ([]mizan.Dataset, error) {
	db.catMu.Lock()
	defer db.catMu.Unlock()
	if db.catCache != nil {
		return db.catCache, nil
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT d.id, d.meta, v.meta FROM datasets d JOIN versions v ON v.dataset_id = d.id ORDER BY d.id, v.version`)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	defer rows.Close()
	out := []mizan.Dataset{}
	for rows.Next() {
		var id, dm, vm string
		if err := rows.Scan(&id, &dm, &vm); err != nil {
			return nil, err
		}
		var v mizan.Version
		if err := json.Unmarshal([]byte(vm), &v); err != nil {
			return nil, fmt.Errorf("decode version: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == id {
			out[n-1].Versions = append(out[n-1].Versions, v)
			continue
		}
		var d mizan.Dataset
		if err := json.Unmarshal([]byte(dm), &d); err != nil {
			return nil, fmt.Errorf("decode dataset: %w", err)
		}
		d.Versions = []mizan.Version{v}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	db.catCache = out
	return out, nil
}

// invalidateCatalog makes the next catalog read go to the database.
func (db *DB) invalidateCatalog() {
	db.catMu.Lock()
	db.catCache = nil
	db.catMu.Unlock()
}

// GetDataset returns one dataset with its visible versions. It reads the
// cached catalog and copies only that dataset (it is on every query's path).
func (db *DB) GetDataset(ctx context.Context, id string, includeDrafts bool) (*mizan.Dataset, error) {
	all, err := db.catalog(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		if d.ID != id {
			continue
		}
		vs := make([]mizan.Version, 0, len(d.Versions))
		for _, v := range d.Versions {
			if v.Status == mizan.StatusPublished || includeDrafts {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			break // like ListDatasets: a dataset with no visible version is not listed
		}
		d.Versions = vs
		return &d, nil
	}
	return nil, &mizan.Error{Code: mizan.ENOTFOUND, Field: "dataset", Message: fmt.Sprintf("no dataset %q", id)}
}

// ResolveVersion returns the dataset and the version a query addresses:
// number, or the latest visible version when number is 0.
func (db *DB) ResolveVersion(ctx context.Context, id string, number int, includeDrafts bool) (*mizan.Dataset, mizan.Version, error) {
	d, err := db.GetDataset(ctx, id, includeDrafts)
	if err != nil {
		return nil, mizan.Version{}, err
	}
	if number == 0 {
		v, ok := d.Latest(includeDrafts)
		if !ok {
			return nil, mizan.Version{}, &mizan.Error{Code: mizan.ENOTFOUND, Field: "dataset", Message: fmt.Sprintf("dataset %q has no published version", id)}
		}
		return d, v, nil
	}
	for _, v := range d.Versions {
		if v.Number == number {
			return d, v, nil
		}
	}
	return nil, mizan.Version{}, &mizan.Error{Code: mizan.ENOTFOUND, Field: "version", Message: fmt.Sprintf("dataset %q has no version %d", id, number)}
}

// Unchanged reports whether the dataset's newest version already holds
// the content an ingest would store (same content hash), and which version
// that is. Storing it again as a draft, or as published over a published
// version, changes nothing; storing it as published when the newest
// version is a draft of the same content is refused with ECONFLICT, since
// what the caller wants is to publish that draft.
func (db *DB) Unchanged(ctx context.Context, id, hash, status string) (int, bool, error) {
	var latest, latestStatus string
	var v int
	err := db.SQL.QueryRowContext(ctx, `SELECT content_hash, status, version FROM versions WHERE dataset_id = ? ORDER BY version DESC LIMIT 1`, id).Scan(&latest, &latestStatus, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read versions of %s: %w", id, err)
	}
	if latest != hash {
		return v, false, nil
	}
	if latestStatus == mizan.StatusDraft && status == mizan.StatusPublished {
		return v, false, &mizan.Error{Code: mizan.ECONFLICT, Field: "status", Message: fmt.Sprintf(
			"%s version %d is a draft of exactly these sources: publish it (mizan publish %s %d) rather than ingesting them again", id, v, id, v)}
	}
	return v, true, nil
}

// Summary returns the stored ingest summary (JSON) of a version.
func (db *DB) Summary(ctx context.Context, id string, version int) (json.RawMessage, error) {
	var s string
	err := db.SQL.QueryRowContext(ctx, `SELECT summary FROM versions WHERE dataset_id = ? AND version = ?`, id, version).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mizan.Error{Code: mizan.ENOTFOUND, Field: "version", Message: fmt.Sprintf("dataset %q has no version %d", id, version)}
	}
	return json.RawMessage(s), err
}

// Rejects returns a page of a version's rejected rows in source order.
func (db *DB) Rejects(ctx context.Context, id string, version, offset, limit int) ([]Reject, error) {
	rows, err := db.SQL.QueryContext(ctx, `SELECT source_id, source_row, "column", raw, reason FROM rejects WHERE dataset_id = ? AND version = ? ORDER BY source_id, source_row, "column" LIMIT ? OFFSET ?`, id, version, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("read rejects: %w", err)
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var r Reject
		if err := rows.Scan(&r.SourceID, &r.SourceRow, &r.Column, &r.Raw, &r.Reason); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Reconciliation returns a version's checks of published totals, in source order.
func (db *DB) Reconciliation(ctx context.Context, id string, version int) ([]Mismatch, error) {
	rows, err := db.SQL.QueryContext(ctx, `SELECT source_id, source_row, scope, published, computed, matches FROM reconciliation WHERE dataset_id = ? AND version = ? ORDER BY source_id, source_row, scope`, id, version)
	if err != nil {
		return nil, fmt.Errorf("read reconciliation: %w", err)
	}
	defer rows.Close()
	var out []Mismatch
	for rows.Next() {
		var m Mismatch
		if err := rows.Scan(&m.SourceID, &m.SourceRow, &m.Scope, &m.Published, &m.Computed, &m.Matches); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ListMembers returns members of one level of a dimension, optionally under
// a parent and matching a search (Arabic- and accent-folded), by label.
func (db *DB) ListMembers(ctx context.Context, q mizan.MembersQuery) (*mizan.MembersResult, error) {
	d, v, err := db.ResolveVersion(ctx, q.Dataset, q.Version, q.IncludeDrafts)
	if err != nil {
		return nil, err
	}
	srcLang := d.Language
	dimID, levelID := mizan.SplitRef(q.Ref)
	dim, ok := v.Dimension(dimID)
	if !ok {
		return nil, mizan.FieldErrorf("dimension", "dataset %q has no dimension %q", q.Dataset, dimID)
	}
	level, depth, ok := dim.Level(levelID)
	if !ok {
		return nil, mizan.FieldErrorf("dimension", "dimension %q has no level %q", dimID, levelID)
	}
	if q.PageSize <= 0 {
		q.PageSize = 100
	}
	if q.PageSize > mizan.MaxPageSize {
		return nil, mizan.FieldErrorf("page_size", "at most %d, got %d", mizan.MaxPageSize, q.PageSize)
	}
	where := []string{"m.dataset_id = ?", "m.version = ?", "m.dim = ?", "m.level = ?"}
	args := []any{q.Dataset, v.Number, dim.ID, level.ID}
	if q.Parent != "" {
		where = append(where, "m.parent = ?")
		args = append(args, q.Parent)
	}
	for _, tok := range strings.Fields(textnorm.Fold(q.Search)) {
		where = append(where, "contains(m.search, ?)")
		args = append(args, tok)
	}
	// Members are ordered by the label the caller reads: the requested
	// language first, as mizan.Text.Get falls back.
	labelCol := "coalesce(m.label_en, m.label_ar, m.label_src, m.key)"
	switch {
	case q.Lang == "ar":
		labelCol = "coalesce(m.label_ar, m.label_en, m.label_src, m.key)"
	case q.Lang != "" && q.Lang != "en" && q.Lang == srcLang:
		labelCol = "coalesce(m.label_src, m.label_en, m.label_ar, m.key)"
	}
	childCount := "0"
	var childArgs []any
	if depth+1 < len(dim.Levels) {
		childCount = `(SELECT count(*) FROM members c WHERE c.dataset_id = m.dataset_id AND c.version = m.version AND c.dim = m.dim AND c.level = ? AND c.parent = m.key)`
		childArgs = []any{dim.Levels[depth+1].ID}
	}
	cond := strings.Join(where, " AND ")
	var total int64
	if err := db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM members m WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	stmt := fmt.Sprintf(`SELECT m.key, coalesce(m.parent, ''), coalesce(m.label_en, ''), coalesce(m.label_ar, ''), coalesce(m.label_src, ''), %s
FROM members m WHERE %s ORDER BY %s, m.key LIMIT ? OFFSET ?`, childCount, cond, labelCol)
	rows, err := db.SQL.QueryContext(ctx, stmt, append(append(childArgs, args...), q.PageSize, q.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	res := &mizan.MembersResult{TotalCount: total}
	for rows.Next() {
		m := mizan.Member{Dimension: dim.ID, Level: level.ID, Label: mizan.Text{}}
		var en, ar, src string
		if err := rows.Scan(&m.Key, &m.Parent, &en, &ar, &src, &m.Children); err != nil {
			return nil, err
		}
		setText(m.Label, "en", en)
		setText(m.Label, "ar", ar)
		setText(m.Label, srcLang, src)
		res.Members = append(res.Members, m)
	}
	if q.Offset+len(res.Members) < int(total) {
		res.NextOffset = q.Offset + len(res.Members)
	}
	return res, rows.Err()
}

func setText(t mizan.Text, lang, s string) {
	if s != "" && lang != "" {
		t[lang] = s
	}
}
