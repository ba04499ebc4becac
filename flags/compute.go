package flags

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

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
func (c *computation) money() string { return fmt.Sprintf("DECIMAL(%d, %d)", c.width, c.scale) }

// shown is the SQL type of amounts computed for display (averages).
func (c *computation) shown() string { return fmt.Sprintf("DECIMAL(38, %d)", c.keep) }

// createTx fills the temporary table of money records.
func (c *computation) createTx(ctx context.Context, conn *sql.Conn) error {
	q := &query{}
	q.w("CREATE OR REPLACE TEMP TABLE %s AS ", txTable)
	if c.kind == mizan.KindContracts {
		ds, ver := q.arg(c.ds.ID), q.arg(c.v.Number)
		q.w(`WITH p AS (SELECT process_id, ocid, title, buyer_entity, source_id, value FROM contract_processes WHERE dataset_id = %[1]s AND version = %[2]s),
valued AS (SELECT DISTINCT process_id FROM contract_contracts WHERE dataset_id = %[1]s AND version = %[2]s AND amount IS NOT NULL AND currency IS NOT NULL),
sup AS (SELECT process_id, award_index, min(entity_id) AS supplier FROM contract_award_suppliers WHERE dataset_id = %[1]s AND version = %[2]s GROUP BY ALL)
SELECT CAST(c.process_id AS BIGINT) AS rec, 'contract' AS ekind, p.ocid, c.contract_id AS eid, coalesce(c.title, p.title) AS title,
	p.buyer_entity AS buyer, c.supplier_entity AS supplier, c.date AS d, CAST(c.amount AS DECIMAL(38, 6)) AS amount, c.currency,
	p.source_id AS src, CAST(p.value AS BIGINT) AS srow, c.pointer AS ptr
FROM contract_contracts c JOIN p ON p.process_id = c.process_id
WHERE c.dataset_id = %[1]s AND c.version = %[2]s AND c.amount IS NOT NULL AND c.currency IS NOT NULL
UNION ALL
SELECT CAST(a.process_id AS BIGINT), 'award', p.ocid, a.award_id, coalesce(a.title, p.title), p.buyer_entity, s.supplier, a.date,
	CAST(a.amount AS DECIMAL(38, 6)), a.currency, p.source_id, CAST(p.value AS BIGINT), a.pointer
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
		q.w(`SELECT f.row_id AS rec, 'payment' AS ekind, CAST(NULL AS VARCHAR) AS ocid, %s AS eid, CAST(NULL AS VARCHAR) AS title,
	%s AS buyer, %s AS supplier, f.date AS d, CAST(f.amount AS %s) AS amount, f.currency,
	f.source_id AS src, f.source_row AS srow, CAST(NULL AS VARCHAR) AS ptr
FROM %s f WHERE f.direction IS DISTINCT FROM %s`,
			col(c.txnCol), col(c.buyerCol), col(c.supplierCol), c.money(), store.Quote(store.FactsTable(c.ds.ID, c.v.Number)), q.arg(mizan.DirectionRevenue))
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

// evTx selects a money record (alias a, of txTable) as evidence columns.
func evTx(a string) string {
	return fmt.Sprintf(`%[1]s.ekind, %[1]s.ocid, %[1]s.eid, %[1]s.title, CAST(%[1]s.d AS VARCHAR), CAST(%[1]s.amount AS VARCHAR), %[1]s.currency,
	%[1]s.src, %[1]s.ptr, %[1]s.srow`, a)
}

// scanRows runs a rule's query and groups its rows into flags.
func (c *computation) scanRows(ctx context.Context, conn *sql.Conn, r rule, q *query) ([]Flag, error) {
	rows, err := conn.QueryContext(ctx, q.b.String(), q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out      []Flag
		lastKey  int64
		gkey     int64
		pid      int64
		ocid     sql.NullString
		buyer    sql.NullString
		supplier sql.NullString
		yr       sql.NullInt64
		amount   sql.NullString
		currency sql.NullString
		score    sql.NullFloat64
		recs     any
		figs     = make([]sql.NullString, len(r.figures))
		ev       [evCols]any
		eStr     [8]sql.NullString
		eSrc     sql.NullInt64
		eRow     sql.NullInt64
	)
	dest := []any{&gkey, &pid, &ocid, &buyer, &supplier, &yr, &amount, &currency, &score, &recs}
	for i := range figs {
		dest = append(dest, &figs[i])
	}
	// Evidence columns: kind, ocid, id, title, date, amount, currency, src, pointer, row.
	ev = [evCols]any{&eStr[0], &eStr[1], &eStr[2], &eStr[3], &eStr[4], &eStr[5], &eStr[6], &eSrc, &eStr[7], &eRow}
	dest = append(dest, ev[:]...)
	for rows.Next() {
		recs = nil
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if len(out) == 0 || gkey != lastKey {
			lastKey = gkey
			f := Flag{Code: r.code, Dataset: c.ds.ID, Version: c.v.Number, ProcessID: pid, OCID: ocid.String,
				Buyer: buyer.String, Supplier: supplier.String, Year: int(yr.Int64), Currency: currency.String,
				Amount: trimAmount(amount.String, c.keep), Score: score.Float64, Figures: make(map[string]string, len(figs))}
			for i, fg := range r.figures {
				s := figs[i].String
				if fg.money {
					s = trimAmount(s, c.keep)
				}
				f.Figures[fg.name] = s
			}
			f.Records = records(recs, pid)
			out = append(out, f)
		}
		f := &out[len(out)-1]
		if eStr[0].Valid && len(f.Evidence) < MaxEvidence {
			e := Evidence{Kind: eStr[0].String, OCID: eStr[1].String, ID: eStr[2].String, Title: eStr[3].String,
				Date: isoDate(eStr[4].String), Amount: trimAmount(eStr[5].String, c.keep), Currency: eStr[6].String,
				Pointer: eStr[7].String, Row: eRow.Int64}
			if i := int(eSrc.Int64); eSrc.Valid && i >= 1 && i <= len(c.v.Sources) {
				e.File, e.SHA256 = c.v.Sources[i-1].Name, c.v.Sources[i-1].SHA256
			}
			f.Evidence = append(f.Evidence, e)
		}
	}
	return out, rows.Err()
}

// records converts a BIGINT[] (as the driver returns it) to a sorted list;
// nil means the flag is about the one record pid.
func records(v any, pid int64) []int64 {
	list, ok := v.([]any)
	if !ok {
		if pid >= 0 {
			return []int64{pid}
		}
		return nil
	}
	out := make([]int64, 0, len(list))
	for _, x := range list {
		switch n := x.(type) {
		case int64:
			out = append(out, n)
		case int32:
			out = append(out, int64(n))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
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
