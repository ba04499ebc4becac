package flags

import (
	"fmt"
	"slices"
)

// rules lists the SQL of every flag. Each statement returns the columns
// scanRows reads: the flag columns (see evCols), the rule's figures as
// VARCHAR, and one evidence record; one row per evidence record, the rows
// of one flag together.
var rules = []rule{
	{code: SingleBidder, figures: figs("tenderers", "method", "method_details"), build: singleBidder},
	{code: NonCompetitiveShare, figures: []figure{{"share", false}, {"noncompetitive_value", true}, {"total_value", true},
		{"noncompetitive_processes", false}, {"processes", false}, {"noncompetitive_awards", false}, {"threshold_share", false}, {"min_processes", false}},
		build: nonCompetitiveShare},
	{code: ShortTender, figures: figs("tender_days", "threshold_days", "tender_start", "tender_end", "method"), build: shortTender},
	{code: AmendmentIncrease, figures: []figure{{"initial_amount", true}, {"final_amount", true}, {"increase", true}, {"increase_pct", false},
		{"amendments", false}, {"threshold_pct", false}, {"contract_id", false}}, build: amendmentIncrease},
	{code: AboveEstimate, figures: []figure{{"estimate", true}, {"awarded", true}, {"excess", true}, {"excess_pct", false}, {"threshold_pct", false}},
		build: aboveEstimate},
	{code: SplitPurchase, figures: []figure{{"records", false}, {"total", true}, {"threshold", true}, {"floor", true},
		{"first_date", false}, {"last_date", false}, {"span_days", false}, {"window_days", false}}, build: splitPurchase},
	{code: SupplierConcentration, figures: []figure{{"hhi", false}, {"threshold_hhi", false}, {"suppliers", false}, {"records", false},
		{"total_value", true}, {"top_supplier_value", true}, {"top_supplier_share_pct", false}}, build: supplierConcentration},
	{code: NewSupplierLargeAward, figures: []figure{{"first_date", false}, {"buyer_quantile_value", true}, {"quantile", false},
		{"buyer_records", false}, {"ratio", false}, {"dataset_start", false}}, build: newSupplierLargeAward},
	{code: DuplicatePayment, figures: []figure{{"copies", false}, {"amount", true}, {"date", false}, {"transactions", false}}, build: duplicatePayment},
	{code: RoundAmount, figures: []figure{{"round_payments", false}, {"payments", false}, {"share_pct", false}, {"dataset_share_pct", false},
		{"z", false}, {"unit", true}, {"min_amount", true}}, build: roundAmount},
	{code: YearEndSpike, figures: []figure{{"fiscal_year", false}, {"fiscal_year_end_month", false}, {"last_month", false},
		{"last_month_amount", true}, {"average_other_month", true}, {"ratio", false}, {"threshold_ratio", false}, {"records", false}},
		build: yearEndSpike},
}

func figs(names ...string) []figure {
	out := make([]figure, len(names))
	for i, n := range names {
		out[i] = figure{name: n}
	}
	return out
}

// processes is the CTE of a contracts version's processes.
func processes(c *computation, q *query) string {
	return fmt.Sprintf("p AS (SELECT * FROM contract_processes WHERE dataset_id = %s AND version = %s)", q.arg(c.ds.ID), q.arg(c.v.Number))
}

// winners is the CTE of the supplier of each flagged process (CTE f): the
// one of its largest award or contract.
const winners = "win AS (SELECT rec, arg_max(supplier, amount) AS supplier FROM " + txTable + " WHERE rec IN (SELECT process_id FROM f) GROUP BY rec)"

// dec renders a decimal parameter as a placeholder cast to the money type.
func (c *computation) dec(q *query, s string) string {
	return fmt.Sprintf("CAST(%s AS %s)", q.arg(s), c.money())
}

func singleBidder(c *computation, q *query) {
	q.w(`WITH %s, f AS (SELECT * FROM p WHERE competitive AND tenderers = 1), %s
SELECT p.process_id, p.process_id, p.ocid, p.buyer_entity, win.supplier, p.year, CAST(p.amount AS VARCHAR), p.currency, CAST(1 AS DOUBLE), NULL,
	CAST(p.tenderers AS VARCHAR), coalesce(p.method, ''), coalesce(p.method_details, ''),
	%s
FROM f p LEFT JOIN win ON win.rec = p.process_id
ORDER BY 1`, processes(c, q), winners, evProcess("p"))
}

func nonCompetitiveShare(c *computation, q *query) {
	share := q.arg(ppm(c.p.NonCompetitiveShare))
	q.w(`WITH %s,
g AS (SELECT buyer_entity AS buyer, year AS yr, currency, sum(amount) AS total,
		coalesce(sum(amount) FILTER (WHERE NOT competitive), 0) AS nc, count(*) AS n,
		count(*) FILTER (WHERE NOT competitive) AS ncn, coalesce(sum(awards) FILTER (WHERE NOT competitive), 0) AS nca,
		list(process_id ORDER BY process_id) FILTER (WHERE NOT competitive) AS recs
	FROM p WHERE competitive IS NOT NULL AND amount IS NOT NULL AND currency IS NOT NULL AND buyer_entity IS NOT NULL AND year IS NOT NULL
	GROUP BY ALL),
f AS (SELECT *, CASE WHEN total > 0 THEN CAST(nc AS DOUBLE) / CAST(total AS DOUBLE) ELSE 0 END AS share,
		row_number() OVER (ORDER BY buyer, yr, currency) AS gkey
	FROM g WHERE ncn >= %s AND (%s = 0 OR total > 0 AND nc * 1000000 >= total * %s)),
ev AS (SELECT f.gkey, p.*, row_number() OVER (PARTITION BY f.gkey ORDER BY p.amount DESC, p.process_id) AS rk
	FROM f JOIN p ON p.buyer_entity = f.buyer AND p.year = f.yr AND p.currency = f.currency AND p.competitive = false AND p.amount IS NOT NULL)
SELECT f.gkey, -1, NULL, f.buyer, NULL, f.yr, CAST(f.nc AS VARCHAR), f.currency, f.share, f.recs,
	CAST(round(f.share, 4) AS VARCHAR), CAST(f.nc AS VARCHAR), CAST(f.total AS VARCHAR), CAST(f.ncn AS VARCHAR), CAST(f.n AS VARCHAR),
	CAST(f.nca AS VARCHAR), %s, %s,
	%s
FROM f JOIN ev ON ev.gkey = f.gkey
WHERE ev.rk <= %d
ORDER BY f.gkey, ev.rk`, processes(c, q), q.arg(c.p.NonCompetitiveMinProcesses), share, share,
		q.str(num(c.p.NonCompetitiveShare)), q.str(fmt.Sprint(c.p.NonCompetitiveMinProcesses)), evProcess("ev"), MaxEvidence)
}

func shortTender(c *computation, q *query) {
	days := q.arg(c.p.ShortTenderDays)
	q.w(`WITH %s,
f AS (SELECT *, date_diff('day', tender_start, tender_end) AS dd FROM p WHERE competitive IS DISTINCT FROM false AND date_diff('day', tender_start, tender_end) BETWEEN 0 AND %s - 1), %s
SELECT p.process_id, p.process_id, p.ocid, p.buyer_entity, win.supplier, p.year,
	CAST(coalesce(p.amount, p.tender_amount) AS VARCHAR), CASE WHEN p.amount IS NOT NULL THEN p.currency ELSE p.tender_currency END,
	CAST(%s - p.dd AS DOUBLE) / %s, NULL,
	CAST(p.dd AS VARCHAR), CAST(%s AS VARCHAR), CAST(p.tender_start AS VARCHAR), CAST(p.tender_end AS VARCHAR), coalesce(p.method, ''),
	%s
FROM f p LEFT JOIN win ON win.rec = p.process_id
ORDER BY 1`, processes(c, q), days, winners, days, days, days, evProcess("p"))
}

func amendmentIncrease(c *computation, q *query) {
	ds, ver := q.arg(c.ds.ID), q.arg(c.v.Number)
	inc := q.arg(ppm(c.p.AmendmentIncrease))
	q.w(`WITH p AS (SELECT * FROM contract_processes WHERE dataset_id = %[1]s AND version = %[2]s),
ct AS (SELECT * FROM contract_contracts WHERE dataset_id = %[1]s AND version = %[2]s AND initial_amount > 0 AND amount IS NOT NULL
	AND currency = initial_currency AND amount * 1000000 > initial_amount * (1000000 + %[3]s)),
f AS (SELECT ct.*, p.ocid, p.buyer_entity, p.year, p.source_id, p.value, row_number() OVER (ORDER BY ct.process_id, ct.contract_index) AS gkey
	FROM ct JOIN p ON p.process_id = ct.process_id),
ev AS (SELECT gkey, 0 AS rk, 'contract' AS k, NULL AS ocid, NULL AS id, NULL AS title, CAST(date AS VARCHAR) AS dt, CAST(amount AS VARCHAR) AS amt,
		currency AS cur, contract_index AS src, NULL AS ptr, CAST(process_id AS BIGINT) AS srow FROM f
	UNION ALL
	SELECT f.gkey, row_number() OVER (PARTITION BY f.gkey ORDER BY a.date NULLS LAST, a.amendment_id, a.pointer), 'amendment', f.ocid, a.amendment_id,
		coalesce(a.description, a.rationale), CAST(a.date AS VARCHAR), CAST(a.amount_after AS VARCHAR), a.currency, f.source_id, a.pointer, CAST(f.value AS BIGINT)
	FROM f JOIN contract_amendments a ON a.dataset_id = %[1]s AND a.version = %[2]s AND a.process_id = f.process_id
		AND a.contract_id IS NOT DISTINCT FROM f.contract_id)
SELECT f.gkey, f.process_id, f.ocid, f.buyer_entity, f.supplier_entity, f.year, CAST(f.amount - f.initial_amount AS VARCHAR), f.currency,
	CAST(f.amount - f.initial_amount AS DOUBLE) / CAST(f.initial_amount AS DOUBLE), NULL,
	CAST(f.initial_amount AS VARCHAR), CAST(f.amount AS VARCHAR), CAST(f.amount - f.initial_amount AS VARCHAR),
	CAST(round(100 * CAST(f.amount - f.initial_amount AS DOUBLE) / CAST(f.initial_amount AS DOUBLE), 1) AS VARCHAR),
	CAST(f.amendments AS VARCHAR), %[4]s, coalesce(f.contract_id, ''),
	ev.k, ev.ocid, ev.id, ev.title, ev.dt, ev.amt, ev.cur, ev.src, ev.ptr, ev.srow
FROM f JOIN ev ON ev.gkey = f.gkey
WHERE ev.rk < %[5]d
ORDER BY f.gkey, ev.rk`, ds, ver, inc, q.str(pctNum(c.p.AmendmentIncrease)), MaxEvidence)
}

func aboveEstimate(c *computation, q *query) {
	over := q.arg(ppm(c.p.AboveEstimate))
	cols := evTx("t")
	q.w(`WITH %s,
f AS (SELECT * FROM p WHERE tender_amount > 0 AND amount IS NOT NULL AND currency = tender_currency
	AND amount * 1000000 > tender_amount * (1000000 + %s)),
ev AS (SELECT process_id AS gkey, 0 AS rk, %s FROM f
	UNION ALL
	SELECT t.rec, row_number() OVER (PARTITION BY t.rec ORDER BY t.amount DESC, t.sub), %s
	FROM %s t WHERE t.rec IN (SELECT process_id FROM f)),
w AS (SELECT rec, arg_max(supplier, amount) AS supplier FROM %s WHERE rec IN (SELECT process_id FROM f) GROUP BY rec)
SELECT f.process_id, f.process_id, f.ocid, f.buyer_entity, w.supplier, f.year, CAST(f.amount - f.tender_amount AS VARCHAR), f.currency,
	CAST(f.amount AS DOUBLE) / CAST(f.tender_amount AS DOUBLE) - 1, NULL,
	CAST(f.tender_amount AS VARCHAR), CAST(f.amount AS VARCHAR), CAST(f.amount - f.tender_amount AS VARCHAR),
	CAST(round(100 * (CAST(f.amount AS DOUBLE) / CAST(f.tender_amount AS DOUBLE) - 1), 1) AS VARCHAR), %s,
	ev.* EXCLUDE (gkey, rk)
FROM f JOIN ev ON ev.gkey = f.process_id LEFT JOIN w ON w.rec = f.process_id
WHERE ev.rk < %d
ORDER BY f.process_id, ev.rk`, processes(c, q), over, evProcess("f"), cols, txTable, txTable, q.str(pctNum(c.p.AboveEstimate)), MaxEvidence)
}

// thresholds is the CTE of split_purchase thresholds per currency.
func (c *computation) thresholds(q *query) string {
	curs := make([]string, 0, len(c.p.SplitThresholds))
	for cur := range c.p.SplitThresholds {
		curs = append(curs, cur)
	}
	slices.Sort(curs)
	if len(curs) == 0 {
		return fmt.Sprintf("thr AS (SELECT CAST(NULL AS VARCHAR) AS currency, CAST(NULL AS %s) AS lim WHERE false)", c.money())
	}
	s := "thr AS (SELECT * FROM (VALUES "
	for i, cur := range curs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("(CAST(%s AS VARCHAR), %s)", q.arg(cur), c.dec(q, c.p.SplitThresholds[cur]))
	}
	return s + ") AS v(currency, lim))"
}

func splitPurchase(c *computation, q *query) {
	def := fmt.Sprintf("CAST(NULL AS %s)", c.money())
	if c.p.SplitDefaultThreshold != "" {
		def = c.dec(q, c.p.SplitDefaultThreshold)
	}
	thr := c.thresholds(q)
	win := q.arg(c.p.SplitWindowDays)
	cols := evTx("ev")
	q.w(`WITH %s,
near AS (SELECT t.*, coalesce(thr.lim, %s) AS lim FROM %s t LEFT JOIN thr ON thr.currency = t.currency
	WHERE t.buyer IS NOT NULL AND t.supplier IS NOT NULL AND t.d IS NOT NULL),
o AS (SELECT *, lag(d) OVER (PARTITION BY buyer, supplier, currency ORDER BY d, rec, sub) AS prev
	FROM near WHERE lim IS NOT NULL AND amount < lim AND amount * 1000000 >= lim * %s),
isl AS (SELECT *, sum(CASE WHEN prev IS NULL OR date_diff('day', prev, d) > %s THEN 1 ELSE 0 END)
		OVER (PARTITION BY buyer, supplier, currency ORDER BY d, rec, sub ROWS UNBOUNDED PRECEDING) AS island FROM o),
g AS (SELECT buyer, supplier, currency, island, count(*) AS n, sum(amount) AS total, any_value(lim) AS lim, min(d) AS first, max(d) AS last,
		list(DISTINCT rec) AS recs
	FROM isl GROUP BY ALL HAVING count(*) >= 2 AND sum(amount) >= any_value(lim)),
f AS (SELECT *, row_number() OVER (ORDER BY buyer, supplier, currency, first) AS gkey FROM g),
ev AS (SELECT f.gkey, i.*, row_number() OVER (PARTITION BY f.gkey ORDER BY i.d, i.rec, i.sub) AS rk
	FROM f JOIN isl i ON i.buyer = f.buyer AND i.supplier = f.supplier AND i.currency = f.currency AND i.island = f.island)
SELECT f.gkey, -1, NULL, f.buyer, f.supplier, year(f.first), CAST(f.total AS VARCHAR), f.currency,
	CAST(f.total AS DOUBLE) / CAST(f.lim AS DOUBLE), f.recs,
	CAST(f.n AS VARCHAR), CAST(f.total AS VARCHAR), CAST(f.lim AS VARCHAR), CAST(CAST(f.lim * %s / 1000000 AS %s) AS VARCHAR),
	CAST(f.first AS VARCHAR), CAST(f.last AS VARCHAR), CAST(date_diff('day', f.first, f.last) AS VARCHAR), CAST(%s AS VARCHAR),
	%s
FROM f JOIN ev ON ev.gkey = f.gkey
WHERE ev.rk <= %d
ORDER BY f.gkey, ev.rk`, thr, def, txTable, q.arg(ppm(c.p.SplitMargin)), win, q.arg(ppm(c.p.SplitMargin)), c.shown(), win, cols, MaxEvidence)
}

func supplierConcentration(c *computation, q *query) {
	cols := evTx("t")
	q.w(`WITH s AS (SELECT buyer, year(d) AS yr, currency, supplier, sum(amount) AS amt, count(*) AS n FROM %[1]s
	WHERE buyer IS NOT NULL AND supplier IS NOT NULL AND d IS NOT NULL AND amount > 0 GROUP BY ALL),
b AS (SELECT buyer, yr, currency, sum(amt) AS total, sum(n) AS n, count(*) AS suppliers,
		10000 * sum(power(CAST(amt AS DOUBLE), 2)) / power(sum(CAST(amt AS DOUBLE)), 2) AS hhi
	FROM s GROUP BY ALL),
f0 AS (SELECT * FROM b WHERE n >= %[2]s AND suppliers >= %[3]s AND hhi > %[4]s),
top AS (SELECT s.buyer, s.yr, s.currency, s.supplier AS top, s.amt AS topamt,
		row_number() OVER (PARTITION BY s.buyer, s.yr, s.currency ORDER BY s.amt DESC, s.supplier) AS rk
	FROM s JOIN f0 ON f0.buyer = s.buyer AND f0.yr = s.yr AND f0.currency = s.currency),
f AS (SELECT f0.*, top.top, top.topamt, row_number() OVER (ORDER BY f0.buyer, f0.yr, f0.currency) AS gkey
	FROM f0 JOIN top ON top.buyer = f0.buyer AND top.yr = f0.yr AND top.currency = f0.currency AND top.rk = 1),
t AS (SELECT f.gkey, x.*, row_number() OVER (PARTITION BY f.gkey ORDER BY x.amount DESC, x.rec, x.sub) AS rk
	FROM f JOIN %[1]s x ON x.buyer = f.buyer AND year(x.d) = f.yr AND x.currency = f.currency AND x.supplier = f.top AND x.amount > 0),
r AS (SELECT gkey, list(DISTINCT rec) AS recs FROM t GROUP BY gkey)
SELECT f.gkey, -1, NULL, f.buyer, f.top, f.yr, CAST(f.topamt AS VARCHAR), f.currency, f.hhi / 10000, r.recs,
	CAST(round(f.hhi, 1) AS VARCHAR), %[5]s, CAST(f.suppliers AS VARCHAR), CAST(f.n AS VARCHAR), CAST(f.total AS VARCHAR), CAST(f.topamt AS VARCHAR),
	CAST(round(100 * CAST(f.topamt AS DOUBLE) / CAST(f.total AS DOUBLE), 1) AS VARCHAR),
	%[6]s
FROM f JOIN r ON r.gkey = f.gkey JOIN t ON t.gkey = f.gkey
WHERE t.rk <= %[7]d
ORDER BY f.gkey, t.rk`, txTable, q.arg(c.p.ConcentrationMinRecords), q.arg(c.p.ConcentrationMinSuppliers), q.arg(c.p.ConcentrationHHI),
		q.str(num(c.p.ConcentrationHHI)), cols, MaxEvidence)
}

func newSupplierLargeAward(c *computation, q *query) {
	// One flag per supplier: its key is the row, not the record, since
	// several new suppliers can share one process (a standing offer
	// awarded to many at once) and rows with one key make one flag.
	// quantile_disc needs a constant: the validated float is written as a
	// literal, never text from a request.
	quant := fmt.Sprintf("%g", c.p.NewSupplierQuantile)
	cols := evTx("t")
	q.w(`WITH fs AS (SELECT supplier, min(d) AS fd FROM %[1]s WHERE supplier IS NOT NULL AND d IS NOT NULL GROUP BY 1),
d0 AS (SELECT min(d) AS d0 FROM %[1]s WHERE d IS NOT NULL),
qb AS (SELECT buyer, currency, quantile_disc(amount, %[2]s) AS qv, count(*) AS n FROM %[1]s WHERE buyer IS NOT NULL GROUP BY ALL HAVING count(*) >= %[3]s),
cand AS (SELECT t.*, qb.qv, qb.n AS bn, d0.d0, row_number() OVER (PARTITION BY t.supplier ORDER BY t.amount DESC, t.rec, t.sub) AS rk
	FROM %[1]s t JOIN fs ON fs.supplier = t.supplier AND fs.fd = t.d JOIN qb ON qb.buyer = t.buyer AND qb.currency = t.currency CROSS JOIN d0
	WHERE date_diff('day', d0.d0, t.d) >= %[4]s AND t.amount > qb.qv AND qb.qv > 0)
SELECT row_number() OVER (ORDER BY t.rec, t.supplier), t.rec, NULL, t.buyer, t.supplier, year(t.d), CAST(t.amount AS VARCHAR), t.currency,
	CAST(t.amount AS DOUBLE) / CAST(t.qv AS DOUBLE), NULL,
	CAST(t.d AS VARCHAR), CAST(t.qv AS VARCHAR), %[5]s, CAST(t.bn AS VARCHAR),
	CAST(round(CAST(t.amount AS DOUBLE) / CAST(t.qv AS DOUBLE), 2) AS VARCHAR), CAST(t.d0 AS VARCHAR),
	%[6]s
FROM cand t WHERE t.rk = 1
ORDER BY t.rec, t.supplier`, txTable, quant, q.arg(c.p.NewSupplierMinBuyerRecords), q.arg(c.p.NewSupplierWarmupDays), q.str(num(c.p.NewSupplierQuantile)), cols)
}

func duplicatePayment(c *computation, q *query) {
	cols := evTx("ev")
	q.w(`WITH g AS (SELECT buyer, supplier, d, amount, currency, count(*) AS n, list(rec) AS recs, count(DISTINCT eid) AS txns FROM %[1]s
	WHERE supplier IS NOT NULL AND d IS NOT NULL AND amount >= %[2]s GROUP BY ALL HAVING count(*) >= 2 AND (%[5]s <= 1 OR count(DISTINCT eid) >= %[5]s)),
f AS (SELECT *, row_number() OVER (ORDER BY d, buyer, supplier, amount, currency) AS gkey FROM g),
ev AS (SELECT f.gkey, t.*, row_number() OVER (PARTITION BY f.gkey ORDER BY t.rec) AS rk
	FROM f JOIN %[1]s t ON t.buyer IS NOT DISTINCT FROM f.buyer AND t.supplier = f.supplier AND t.d = f.d AND t.amount = f.amount AND t.currency = f.currency)
SELECT f.gkey, -1, NULL, f.buyer, f.supplier, year(f.d), CAST(f.amount * (f.n - 1) AS VARCHAR), f.currency, CAST(f.n - 1 AS DOUBLE), f.recs,
	CAST(f.n AS VARCHAR), CAST(f.amount AS VARCHAR), CAST(f.d AS VARCHAR), CAST(f.txns AS VARCHAR),
	%[3]s
FROM f JOIN ev ON ev.gkey = f.gkey
WHERE ev.rk <= %[4]d
ORDER BY f.gkey, ev.rk`, txTable, c.dec(q, c.p.DuplicateMinAmount), cols, MaxEvidence, q.arg(c.p.DuplicateMinTransactions))
}

func roundAmount(c *computation, q *query) {
	unit, minAmt := c.dec(q, c.p.RoundUnit), c.dec(q, c.p.RoundMinAmount)
	cols := evTx("ev")
	q.w(`WITH x AS (SELECT *, amount %% %[2]s = 0 AS rnd FROM %[1]s WHERE amount >= %[3]s),
base AS (SELECT currency, CAST(count(*) FILTER (WHERE rnd) AS DOUBLE) / count(*) AS p FROM x GROUP BY 1),
s AS (SELECT supplier, currency, count(*) AS n, count(*) FILTER (WHERE rnd) AS k, coalesce(sum(amount) FILTER (WHERE rnd), 0) AS amt,
		count(DISTINCT buyer) AS nb, min(buyer) AS b, list(rec) FILTER (WHERE rnd) AS recs
	FROM x WHERE supplier IS NOT NULL GROUP BY ALL),
z AS (SELECT s.*, base.p, (s.k - s.n * base.p) / sqrt(s.n * base.p * (1 - base.p)) AS z
	FROM s JOIN base ON base.currency = s.currency WHERE base.p > 0 AND base.p < 1),
f AS (SELECT *, row_number() OVER (ORDER BY supplier, currency) AS gkey FROM z
	WHERE k >= %[4]s AND k * 1000000 >= n * %[5]s AND z >= %[6]s),
ev AS (SELECT f.gkey, t.*, row_number() OVER (PARTITION BY f.gkey ORDER BY t.amount DESC, t.d, t.rec) AS rk
	FROM f JOIN x t ON t.supplier = f.supplier AND t.currency = f.currency AND t.rnd)
SELECT f.gkey, -1, NULL, CASE WHEN f.nb = 1 THEN f.b END, f.supplier, NULL, CAST(f.amt AS VARCHAR), f.currency,
	(CAST(f.k AS DOUBLE) / f.n) / f.p, f.recs,
	CAST(f.k AS VARCHAR), CAST(f.n AS VARCHAR), CAST(round(100.0 * f.k / f.n, 1) AS VARCHAR), CAST(round(100 * f.p, 2) AS VARCHAR),
	CAST(round(f.z, 1) AS VARCHAR), CAST(%[2]s AS VARCHAR), CAST(%[3]s AS VARCHAR),
	%[8]s
FROM f JOIN ev ON ev.gkey = f.gkey
WHERE ev.rk <= %[7]d
ORDER BY f.gkey, ev.rk`, txTable, unit, minAmt, q.arg(c.p.RoundMinPayments), q.arg(ppm(c.p.RoundMinShare)), q.arg(c.p.RoundMinZ), MaxEvidence, cols)
}

func yearEndSpike(c *computation, q *query) {
	m := q.arg(c.fyEnd)
	cols := evTx("ev")
	q.w(`WITH cov AS (SELECT min(date_trunc('month', d)) AS m0, max(date_trunc('month', d)) AS m1 FROM %[1]s WHERE d IS NOT NULL),
t AS (SELECT *, year(d) + CASE WHEN month(d) > %[2]s THEN 1 ELSE 0 END AS fy, month(d) = %[2]s AS last FROM %[1]s
	WHERE buyer IS NOT NULL AND d IS NOT NULL),
g AS (SELECT buyer, currency, fy, sum(amount) AS total, coalesce(sum(amount) FILTER (WHERE last), 0) AS lastamt, count(*) AS n,
		list(rec) FILTER (WHERE last) AS recs
	FROM t GROUP BY ALL),
f AS (SELECT g.*, total - lastamt AS rest, row_number() OVER (ORDER BY buyer, currency, fy) AS gkey FROM g CROSS JOIN cov
	WHERE n >= %[3]s AND total - lastamt > 0 AND lastamt * 11 * 1000000 >= (total - lastamt) * %[4]s
		AND CASE WHEN %[2]s = 12 THEN make_date(fy, 1, 1) ELSE make_date(fy - 1, %[2]s + 1, 1) END >= cov.m0
		AND make_date(fy, %[2]s, 1) <= cov.m1),
ev AS (SELECT f.gkey, t.*, row_number() OVER (PARTITION BY f.gkey ORDER BY t.amount DESC, t.d, t.rec) AS rk
	FROM f JOIN t ON t.buyer = f.buyer AND t.currency = f.currency AND t.fy = f.fy AND t.last)
SELECT f.gkey, -1, NULL, f.buyer, NULL, f.fy, CAST(f.lastamt AS VARCHAR), f.currency,
	11 * CAST(f.lastamt AS DOUBLE) / CAST(f.rest AS DOUBLE), f.recs,
	CAST(f.fy AS VARCHAR), CAST(%[2]s AS VARCHAR), strftime(make_date(f.fy, %[2]s, 1), '%%Y-%%m'), CAST(f.lastamt AS VARCHAR),
	CAST(CAST(f.rest / 11 AS %[5]s) AS VARCHAR), CAST(round(11 * CAST(f.lastamt AS DOUBLE) / CAST(f.rest AS DOUBLE), 2) AS VARCHAR), %[6]s,
	CAST(f.n AS VARCHAR),
	%[8]s
FROM f JOIN ev ON ev.gkey = f.gkey
WHERE ev.rk <= %[7]d
ORDER BY f.gkey, ev.rk`, txTable, m, q.arg(c.p.YearEndMinRecords), q.arg(ppm(c.p.YearEndRatio)), c.shown(), q.str(num(c.p.YearEndRatio)), MaxEvidence, cols)
}

// pctNum formats a fraction as a percentage number without the sign.
func pctNum(f float64) string {
	s := pct(f)
	return s[:len(s)-1]
}
