package flags

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// txTable is the temporary table, private to Compute's connection, holding
// the money records of one version in one shape: for contracts, every
// contract with a value (an award's when its process has no contract with
// a value); for payments, every payment.
const txTable = "flags_tx"

// computation is one Compute call's state.
type computation struct {
	ds    *mizan.Dataset
	v     mizan.Version
	p     Params
	kind  mizan.Kind
	scale int32 // decimals of the money columns
	width int32 // digits of the money columns
	keep  int   // decimals money strings keep at least
	fyEnd int   // last month of the fiscal year
	// supplierCol, buyerCol and txnCol are the payments facts columns of
	// those dimensions ("" when the dataset has none).
	supplierCol, buyerCol, txnCol string
}

// query is one SQL statement with its arguments, built with numbered
// parameters.
type query struct {
	b    strings.Builder
	args []any
}

// arg appends a parameter and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

// str appends a text parameter and returns it cast to VARCHAR (a bare
// parameter in a SELECT list has no type).
func (q *query) str(s string) string { return "CAST(" + q.arg(s) + " AS VARCHAR)" }

func (q *query) w(format string, a ...any) { fmt.Fprintf(&q.b, format, a...) }

// figure is one named number a rule returns, in column order.
type figure struct {
	name  string
	money bool // an amount: trimmed like amounts
}

// rule computes one flag code: its SQL returns the columns of scanRows.
type rule struct {
	code    string
	figures []figure
	build   func(c *computation, q *query)
}

// Compute returns every flag of a contracts or payments dataset version
// with the given parameters, ordered by code (as in Codes), then by score,
// strongest first. It reads the version's tables only; the connection it
// uses holds a temporary table for the duration of the call.
func Compute(ctx context.Context, db *sql.DB, ds *mizan.Dataset, v mizan.Version, p Params) ([]Flag, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := &computation{ds: ds, v: v, p: p, kind: ds.Kind, fyEnd: p.FiscalYearEndMonth}
	if c.fyEnd == 0 {
		c.fyEnd = FiscalYearEnd(ds.Country)
	}
	switch ds.Kind {
	case mizan.KindContracts:
		c.scale, c.keep, c.width = 6, 2, 38
	case mizan.KindPayments:
		c.scale = max(v.Scale, 0)
		c.keep = int(c.scale)
		// DECIMAL(18, s) amounts stay 64-bit integers, which DuckDB
		// compares and groups much faster than 128-bit ones.
		c.width = 38
		if v.Precision == store.DefaultPrecision {
			c.width = store.DefaultPrecision
		}
		c.supplierCol = dimColumn(v, "supplier")
		c.buyerCol = dimColumn(v, "buyer")
		c.txnCol = dimColumn(v, "transaction")
	default:
		return nil, &mizan.Error{Code: mizan.ECONFLICT, Field: "dataset", Message: fmt.Sprintf("%s is a %s dataset: red flags are computed for contracts and payments datasets", ds.ID, ds.Kind)}
	}
	if err := c.checkMoney(); err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("flags: connect: %w", err)
	}
	defer conn.Close()
	if err := c.createTx(ctx, conn); err != nil {
		return nil, err
	}
	defer func() {
		// A fresh context: the table must go even when ctx was cancelled,
		// since the connection returns to the pool.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS temp."+txTable)
	}()
	var out []Flag
	for _, r := range rules {
		if !applies(r.code, c.kind) || !c.can(r.code) {
			continue
		}
		q := &query{}
		r.build(c, q)
		start := time.Now()
		fs, err := c.scanRows(ctx, conn, r, q)
		if err != nil {
			return nil, fmt.Errorf("flags: compute %s for %s version %d: %w", r.code, ds.ID, v.Number, err)
		}
		slog.DebugContext(ctx, "red flags computed", "dataset", ds.ID, "version", v.Number, "code", r.code, "flags", len(fs), "took", time.Since(start))
		out = append(out, fs...)
	}
	if err := c.finish(ctx, conn, out); err != nil {
		return nil, err
	}
	sortFlags(out)
	return out, nil
}

// can reports whether the version has what a code needs.
func (c *computation) can(code string) bool {
	if c.kind != mizan.KindPayments {
		return true
	}
	switch code {
	case SplitPurchase, SupplierConcentration:
		return c.supplierCol != "" && c.buyerCol != ""
	case YearEndSpike:
		return c.buyerCol != ""
	}
	return c.supplierCol != ""
}

// dimColumn returns the column of a payments dimension's finest level.
func dimColumn(v mizan.Version, dim string) string {
	d, ok := v.Dimension(dim)
	if !ok || len(d.Levels) == 0 {
		return ""
	}
	l := d.Levels[len(d.Levels)-1]
	return cmp.Or(l.Column, mizan.ColumnFor(d.ID, l.ID))
}

// money is the SQL type of amounts in this computation.
// checkMoney refuses amount parameters the version's amounts cannot hold
// exactly: more decimals than they keep (a round unit of 0.001 would round
// to 0 for pence), or more integer digits than fit.
func (c *computation) checkMoney() error {
	check := func(field, v string) error {
		if v == "" {
			return nil
		}
		whole, frac, _ := strings.Cut(strings.TrimLeft(v, "0"), ".")
		if frac = strings.TrimRight(frac, "0"); len(frac) > int(c.scale) {
			return mizan.FieldErrorf(field, "%s has more than the %d decimals amounts of %s keep", v, c.scale, c.ds.ID)
		}
		if len(whole) > int(c.width-c.scale) {
			return mizan.FieldErrorf(field, "%s has more than the %d integer digits amounts of %s hold", v, c.width-c.scale, c.ds.ID)
		}
		return nil
	}
	for cur, v := range c.p.SplitThresholds {
		if err := check("split_thresholds."+cur, v); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{
		{"split_default_threshold", c.p.SplitDefaultThreshold}, {"duplicate_min_amount", c.p.DuplicateMinAmount},
		{"round_unit", c.p.RoundUnit}, {"round_min_amount", c.p.RoundMinAmount},
	} {
		if err := check(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

func (c *computation) money() string { return fmt.Sprintf("DECIMAL(%d, %d)", c.width, c.scale) }

// shown is the SQL type of amounts computed for display (averages).
func (c *computation) shown() string { return fmt.Sprintf("DECIMAL(38, %d)", c.keep) }

// createTx fills the temporary table of money records.
func (c *computation) createTx(ctx context.Context, conn *sql.Conn) error {
	q := &query{}
	q.w("CREATE OR REPLACE TEMP TABLE %s AS ", txTable)
	// Only what the rules group, order and compare on: evidence rows fetch
	// their texts and provenance by key (evTx), so a million records copy
	// no strings but the parties'.
	if c.kind == mizan.KindContracts {
		ds, ver := q.arg(c.ds.ID), q.arg(c.v.Number)
		q.w(`WITH p AS (SELECT process_id, buyer_entity FROM contract_processes WHERE dataset_id = %[1]s AND version = %[2]s),
valued AS (SELECT DISTINCT process_id FROM contract_contracts WHERE dataset_id = %[1]s AND version = %[2]s AND amount IS NOT NULL AND currency IS NOT NULL),
sup AS (SELECT process_id, award_index, min(entity_id) AS supplier FROM contract_award_suppliers WHERE dataset_id = %[1]s AND version = %[2]s GROUP BY ALL)
SELECT CAST(c.process_id AS BIGINT) AS rec, c.contract_index AS sub, 'contract' AS ekind, CAST(NULL AS VARCHAR) AS eid,
	p.buyer_entity AS buyer, c.supplier_entity AS supplier, c.date AS d, c.amount, c.currency
FROM contract_contracts c JOIN p ON p.process_id = c.process_id
WHERE c.dataset_id = %[1]s AND c.version = %[2]s AND c.amount IS NOT NULL AND c.currency IS NOT NULL
UNION ALL
SELECT CAST(a.process_id AS BIGINT), a.award_index, 'award', NULL, p.buyer_entity, s.supplier, a.date, a.amount, a.currency
FROM contract_awards a JOIN p ON p.process_id = a.process_id
LEFT JOIN sup s ON s.process_id = a.process_id AND s.award_index = a.award_index
WHERE a.dataset_id = %[1]s AND a.version = %[2]s AND a.amount IS NOT NULL AND a.currency IS NOT NULL
	AND a.process_id NOT IN (SELECT process_id FROM valued)`, ds, ver)
	} else {
		col := func(name string) string {
			if name == "" {
				return "CAST(NULL AS VARCHAR)"
			}
			return "f." + store.Quote(name)
		}
		q.w(`SELECT f.row_id AS rec, 0 AS sub, 'payment' AS ekind, %s AS eid, %s AS buyer, %s AS supplier, f.date AS d, CAST(f.amount AS %s) AS amount, f.currency
FROM %s f WHERE f.direction IS DISTINCT FROM %s`,
			col(c.txnCol), col(c.buyerCol), col(c.supplierCol), c.money(), c.facts(), q.arg(mizan.DirectionRevenue))
	}
	if _, err := conn.ExecContext(ctx, q.b.String(), q.args...); err != nil {
		return fmt.Errorf("flags: read the records of %s version %d: %w", c.ds.ID, c.v.Number, err)
	}
	return nil
}

// Columns every rule's SELECT returns, in order, before its figures:
//
//	gkey BIGINT        the flag (rows of one flag are consecutive)
//	process_id BIGINT  the record, or -1
//	ocid, buyer, supplier VARCHAR
//	yr INTEGER
//	amount VARCHAR, currency VARCHAR
//	score DOUBLE
//	recs BIGINT[]      every record (NULL: just process_id)
//
// and after them, one evidence record (evCols).
const evCols = 10

// evProcess selects a process (alias a) as evidence columns.
func evProcess(a string) string {
	return fmt.Sprintf(`'process', %[1]s.ocid, CAST(NULL AS VARCHAR), %[1]s.title, CAST(%[1]s.date AS VARCHAR), CAST(%[1]s.amount AS VARCHAR), %[1]s.currency,
	%[1]s.source_id, %[1]s.pointer, CAST(%[1]s.value AS BIGINT)`, a)
}

// evTx selects a money record (alias a, of txTable) as evidence columns:
// its key travels in the source and row columns, and details fills in its
// texts and provenance once every flag is read.
func evTx(a string) string {
	return fmt.Sprintf(`%[1]s.ekind, CAST(NULL AS VARCHAR), %[1]s.eid, CAST(NULL AS VARCHAR), CAST(%[1]s.d AS VARCHAR), CAST(%[1]s.amount AS VARCHAR),
	%[1]s.currency, %[1]s.sub, CAST(NULL AS VARCHAR), %[1]s.rec`, a)
}

// facts is the quoted facts table of a payments version.
func (c *computation) facts() string { return store.Quote(store.FactsTable(c.ds.ID, c.v.Number)) }

// scanRows runs a rule's query and groups its rows into flags. Rows are
// read as Arrow record batches: hundreds of thousands of flags scan in a
// fraction of the time database/sql's per-value conversions take.
func (c *computation) scanRows(ctx context.Context, conn *sql.Conn, r rule, q *query) ([]Flag, error) {
	var out []Flag
	err := store.RawConn(ctx, conn, func(dc driver.Conn) error {
		ar, err := duckdb.NewArrowFromConn(dc)
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, q.b.String(), q.args...)
		if err != nil {
			return err
		}
		defer rdr.Release()
		nf := len(r.figures)
		want := 10 + nf + evCols
		var lastKey int64
		for rdr.Next() {
			rec := rdr.RecordBatch()
			if int(rec.NumCols()) != want {
				return fmt.Errorf("%d columns, want %d", rec.NumCols(), want)
			}
			cols := make([]column, rec.NumCols())
			for i := range cols {
				cols[i] = column{rec.Column(i)}
			}
			head, figs, ev := cols[:10], cols[10:10+nf], cols[10+nf:]
			for i := 0; i < int(rec.NumRows()); i++ {
				gkey := head[0].int(i)
				if len(out) == 0 || gkey != lastKey {
					lastKey = gkey
					pid := head[1].int(i)
					f := Flag{Code: r.code, Dataset: c.ds.ID, Version: c.v.Number, ProcessID: pid, OCID: head[2].str(i),
						Buyer: head[3].str(i), Supplier: head[4].str(i), Year: int(head[5].int(i)),
						Amount: trimAmount(head[6].str(i), c.keep), Currency: head[7].str(i), Score: head[8].float(i),
						Figures: make(map[string]string, nf)}
					for j, fg := range r.figures {
						v := figs[j].str(i)
						if fg.money {
							v = trimAmount(v, c.keep)
						}
						f.Figures[fg.name] = v
					}
					f.Records = head[9].list(i)
					if f.Records == nil && pid >= 0 {
						f.Records = []int64{pid}
					}
					out = append(out, f)
				}
				f := &out[len(out)-1]
				if ev[0].null(i) || len(f.Evidence) >= MaxEvidence {
					continue
				}
				// Evidence columns: kind, ocid, id, title, date, amount, currency, src, pointer, row.
				e := Evidence{Kind: ev[0].str(i), OCID: ev[1].str(i), ID: ev[2].str(i), Title: ev[3].str(i),
					Date: isoDate(ev[4].str(i)), Amount: trimAmount(ev[5].str(i), c.keep), Currency: ev[6].str(i),
					Pointer: ev[8].str(i), Row: ev[9].int(i)}
				switch e.Kind {
				case EvidenceContract, EvidenceAward, EvidencePayment: // a record of txTable: (sub, rec) are its key
					e.key = &txKey{rec: e.Row, sub: int32(ev[7].int(i)), kind: e.Kind}
					e.Row = 0
				default:
					e.File, e.SHA256 = c.source(ev[7].int(i))
				}
				f.Evidence = append(f.Evidence, e)
			}
		}
		return rdr.Err()
	})
	return out, err
}

// finish fills in names and reasons.
func (c *computation) finish(ctx context.Context, conn *sql.Conn, fs []Flag) error {
	if len(fs) == 0 {
		return nil
	}
	names, err := c.names(ctx, conn)
	if err != nil {
		return err
	}
	if err := c.details(ctx, conn, fs); err != nil {
		return err
	}
	for i := range fs {
		f := &fs[i]
		if f.Buyer != "" {
			f.BuyerName = cmp.Or(names[nameKey{"buyer", f.Buyer}], f.Buyer)
		}
		if f.Supplier != "" {
			f.SupplierName = cmp.Or(names[nameKey{"supplier", f.Supplier}], f.Supplier)
		}
		f.Reason = reason(f, c)
	}
	return nil
}

type nameKey struct{ role, id string }

// names returns the names of the version's buyers and suppliers: entity
// names for contracts, member labels for payments.
func (c *computation) names(ctx context.Context, conn *sql.Conn) (map[nameKey]string, error) {
	out := map[nameKey]string{}
	var rows *sql.Rows
	var err error
	if c.kind == mizan.KindContracts {
		rows, err = conn.QueryContext(ctx, `SELECT 'any', entity_id, coalesce(name, entity_id) FROM contract_entities WHERE dataset_id = $1 AND version = $2`, c.ds.ID, c.v.Number)
	} else {
		rows, err = conn.QueryContext(ctx, `SELECT dim, key, coalesce(label_en, label_src, label_ar, key) FROM members
			WHERE dataset_id = $1 AND version = $2 AND dim IN ('buyer', 'supplier') AND level = dim`, c.ds.ID, c.v.Number)
	}
	if err != nil {
		return nil, fmt.Errorf("flags: read names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var role, id, name string
		if err := rows.Scan(&role, &id, &name); err != nil {
			return nil, err
		}
		if role == "any" {
			out[nameKey{"buyer", id}], out[nameKey{"supplier", id}] = name, name
			continue
		}
		out[nameKey{role, id}] = name
	}
	return out, rows.Err()
}

// sortFlags orders flags by code, then strongest first, then by a stable
// key.
func sortFlags(fs []Flag) {
	slices.SortStableFunc(fs, func(a, b Flag) int {
		if c := cmp.Compare(codeOrder[a.Code], codeOrder[b.Code]); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.ProcessID, b.ProcessID), cmp.Compare(a.Buyer, b.Buyer), cmp.Compare(a.Supplier, b.Supplier),
			cmp.Compare(a.Year, b.Year), cmp.Compare(a.Currency, b.Currency), slices.Compare(a.Records, b.Records))
	})
}

// trimAmount drops trailing zeros of a decimal string beyond keep decimals.
func trimAmount(s string, keep int) string {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return s
	}
	for len(s) > i+1+keep && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return strings.TrimSuffix(s, ".")
}

// isoDate keeps the date part of a DATE or TIMESTAMP text.
func isoDate(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}
