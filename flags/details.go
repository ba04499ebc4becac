package flags

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// txKey names a record of txTable: a contract (process, contract index),
// an award (process, award index) or a payment (fact row).
type txKey struct {
	rec  int64
	sub  int32
	kind string
}

// keysTable holds the keys of the evidence to fetch details of.
const keysTable = "flags_keys"

// source returns the file name and sha256 of a source id (1-based).
func (c *computation) source(id int64) (string, string) {
	if id >= 1 && id <= int64(len(c.v.Sources)) {
		s := c.v.Sources[id-1]
		return s.Name, s.SHA256
	}
	return "", ""
}

// details fills in the texts and provenance of the evidence records that
// came from txTable: rules order and group on keys only, and the few
// records shown as evidence are looked up here in three set-based joins.
func (c *computation) details(ctx context.Context, conn *sql.Conn, fs []Flag) error {
	var keys []*Evidence
	for i := range fs {
		for j := range fs[i].Evidence {
			if fs[i].Evidence[j].key != nil {
				keys = append(keys, &fs[i].Evidence[j])
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	if err := c.storeKeys(ctx, conn, keys); err != nil {
		return fmt.Errorf("flags: evidence keys: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS temp."+keysTable)

	type proc struct {
		ocid, title string
		src, value  int64
	}
	type item struct{ id, title, pointer string }
	procs := map[int64]proc{}
	items := map[txKey]item{}
	payments := map[int64][2]int64{}
	if c.kind == mizan.KindContracts {
		rows, err := conn.QueryContext(ctx, `SELECT p.process_id, p.ocid, coalesce(p.title, ''), p.source_id, p.value FROM contract_processes p
			WHERE p.dataset_id = $1 AND p.version = $2 AND p.process_id IN (SELECT rec FROM temp.`+keysTable+`)`, c.ds.ID, c.v.Number)
		if err != nil {
			return fmt.Errorf("flags: evidence processes: %w", err)
		}
		for rows.Next() {
			var id int64
			var p proc
			if err := rows.Scan(&id, &p.ocid, &p.title, &p.src, &p.value); err != nil {
				rows.Close()
				return err
			}
			procs[id] = p
		}
		rows.Close()
		for _, t := range []struct{ kind, table, index, id string }{
			{EvidenceContract, "contract_contracts", "contract_index", "contract_id"},
			{EvidenceAward, "contract_awards", "award_index", "award_id"},
		} {
			rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT x.process_id, x.%[2]s, coalesce(x.%[3]s, ''), coalesce(x.title, ''), coalesce(x.pointer, '')
				FROM %[1]s x JOIN (SELECT DISTINCT rec, sub FROM temp.%[4]s WHERE kind = $3) k ON k.rec = x.process_id AND k.sub = x.%[2]s
				WHERE x.dataset_id = $1 AND x.version = $2`, t.table, t.index, t.id, keysTable), c.ds.ID, c.v.Number, t.kind)
			if err != nil {
				return fmt.Errorf("flags: evidence %ss: %w", t.kind, err)
			}
			for rows.Next() {
				k := txKey{kind: t.kind}
				var it item
				if err := rows.Scan(&k.rec, &k.sub, &it.id, &it.title, &it.pointer); err != nil {
					rows.Close()
					return err
				}
				items[k] = it
			}
			rows.Close()
		}
	} else {
		rows, err := conn.QueryContext(ctx, `SELECT f.row_id, f.source_id, f.source_row FROM `+c.facts()+` f
			WHERE f.row_id IN (SELECT rec FROM temp.`+keysTable+`)`)
		if err != nil {
			return fmt.Errorf("flags: evidence payments: %w", err)
		}
		for rows.Next() {
			var id int64
			var v [2]int64
			if err := rows.Scan(&id, &v[0], &v[1]); err != nil {
				rows.Close()
				return err
			}
			payments[id] = v
		}
		rows.Close()
	}
	for _, e := range keys {
		k := *e.key
		e.key = nil
		if c.kind == mizan.KindPayments {
			v := payments[k.rec]
			e.File, e.SHA256 = c.source(v[0])
			e.Row = v[1]
			continue
		}
		p, it := procs[k.rec], items[k]
		e.OCID, e.ID, e.Pointer, e.Row = p.ocid, it.id, it.pointer, p.value
		e.Title = it.title
		if e.Title == "" {
			e.Title = p.title
		}
		e.File, e.SHA256 = c.source(p.src)
	}
	for i := range fs {
		if f := &fs[i]; f.OCID == "" && f.ProcessID >= 0 && len(f.Evidence) > 0 {
			f.OCID = f.Evidence[0].OCID
		}
	}
	return nil
}

// storeKeys copies the evidence keys into a temporary table with an
// appender (Go calling DuckDB only: no callbacks into Go, which would
// block if Compute ever ran during package initialisation).
func (c *computation) storeKeys(ctx context.Context, conn *sql.Conn, keys []*Evidence) error {
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+keysTable+" (rec BIGINT, sub INTEGER, kind VARCHAR)"); err != nil {
		return err
	}
	return store.RawConn(ctx, conn, func(dc driver.Conn) error {
		a, err := duckdb.NewAppenderFromConn(dc, "", keysTable)
		if err != nil {
			return err
		}
		for _, e := range keys {
			if err := a.AppendRow(e.key.rec, e.key.sub, e.key.kind); err != nil {
				return errors.Join(err, a.Close())
			}
		}
		return a.Close()
	})
}
