package contracts

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ocds"
	"github.com/mizan-budget/mizan/store"
	"github.com/mizan-budget/mizan/textnorm"
)

// Payments dimensions with a role: the payee and the payer. Every other
// dimension level of a payments dataset is a searchable attribute.
const (
	DimSupplier = "supplier"
	DimBuyer    = "buyer"
)

// noDate marks a record without a date.
const noDate = math.MinInt32

// index is the in-memory search index of one dataset version (contracts or
// payments): sorted tokens with postings, and per record the columns that
// filters, facets, sorting and a page of results need, so a search never
// goes back to the database.
type index struct {
	ds      string
	version int
	kind    mizan.Kind
	title   string
	sources []mizan.SourceFile
	built   time.Duration

	n        int
	tokens   []string
	postings [][]int32

	recID    []int64   // process id, or the facts row_id of a payment
	year     []int32   // 0: unknown
	date     []int32   // days since 1970-01-01, or noDate
	amount   []float64 // NaN when unknown; for sorting and range filters
	currency []int32   // interned
	buyer    []int32   // interned entity id
	method   []int32   // interned
	compet   []int8    // -1 unknown, 0 no, 1 yes
	suppOff  []int32   // suppliers of record i: supp[suppOff[i]:suppOff[i+1]]
	supp     []int32
	flagOff  []int32 // flag codes of record i: flags[flagOff[i]:flagOff[i+1]]
	flags    []int32
	budOff   []int32 // contracts: budget line ids of process i: bud[budOff[i]:budOff[i+1]]
	bud      []int32

	strs   []string
	strID  map[string]int32
	labels map[int32]string   // entity → the name shown
	spell  map[int32][]string // entity → raw spellings (payments)
	keys   map[int32][]string // entity → member keys (payments)

	lookupOnce sync.Once
	byOCID     map[string]int32   // contracts: ocid → record
	bySource   map[[2]int64]int32 // payments: (source id, row) → record

	procs []procInfo // contracts: per process
	pay   *payInfo   // payments
}

// procInfo is what a page shows of a process besides the indexed columns.
type procInfo struct {
	ocid, title, details, amount, date string
	awards, contracts, tenderers       int32
	sourceID, value                    int32
	pointer                            string
}

// payInfo is what a page shows of a payment besides the indexed columns.
type payInfo struct {
	scale    int32
	unscaled []int64          // amount × 10^scale
	wide     map[int32]string // amounts that do not fit an int64
	srcID    []int32
	srcRow   []int64
	attrCols []string  // attribute columns ("service_area", ...)
	attrVals [][]int32 // per column, per record: index into labels, -1 none
	labels   []string
	// rowOf maps a facts row_id to its record when row ids are not dense.
	rowOf map[int64]int32
}

func newIndex(ds string, version int, kind mizan.Kind) *index {
	ix := &index{ds: ds, version: version, kind: kind, strID: map[string]int32{}, labels: map[int32]string{}, spell: map[int32][]string{},
		keys: map[int32][]string{}}
	ix.intern("")
	return ix
}

func (ix *index) intern(s string) int32 {
	if id, ok := ix.strID[s]; ok {
		return id
	}
	id := int32(len(ix.strs))
	s = strings.Clone(s) // s may point into an Arrow buffer
	ix.strs = append(ix.strs, s)
	ix.strID[s] = id
	return id
}

// name returns the name shown for an entity.
func (ix *index) name(e int32) string { return cmp.Or(ix.labels[e], ix.strs[e]) }

// suppliers returns the supplier entities of record r.
func (ix *index) suppliers(r int32) []int32 { return ix.supp[ix.suppOff[r]:ix.suppOff[r+1]] }

// budgets returns the interned budget line ids a record cites (none for
// payments).
func (ix *index) budgets(r int32) []int32 {
	if ix.budOff == nil {
		return nil
	}
	return ix.bud[ix.budOff[r]:ix.budOff[r+1]]
}

// flagsOf returns the flag codes (interned) of record r.
func (ix *index) flagsOf(r int32) []int32 {
	if ix.flagOff == nil {
		return nil
	}
	return ix.flags[ix.flagOff[r]:ix.flagOff[r+1]]
}

// record returns the record of a record id (process id or payment row), or -1.
func (ix *index) record(id int64) int32 {
	if ix.pay != nil && ix.pay.rowOf != nil {
		if r, ok := ix.pay.rowOf[id]; ok {
			return r
		}
		return -1
	}
	if ix.kind == mizan.KindPayments {
		// Dense row ids 1..n.
		if id >= 1 && id <= int64(ix.n) && ix.recID[id-1] == id {
			return int32(id - 1)
		}
		return -1
	}
	if id >= 0 && id < int64(ix.n) {
		return int32(id)
	}
	return -1
}

// amountString returns the exact amount of record r ("" when unknown).
func (ix *index) amountString(r int32) string {
	if ix.pay == nil {
		return ix.procs[r].amount
	}
	if math.IsNaN(ix.amount[r]) {
		return ""
	}
	if s, ok := ix.pay.wide[r]; ok {
		return s
	}
	return formatBig(big.NewInt(ix.pay.unscaled[r]), ix.pay.scale)
}

// finishTokens sorts the token table (tokens with their postings).
func (ix *index) finishTokens(tokID map[string]int32, post [][]int32) {
	ix.tokens = make([]string, 0, len(tokID))
	for t := range tokID {
		ix.tokens = append(ix.tokens, t)
	}
	sort.Strings(ix.tokens)
	ix.postings = make([][]int32, len(ix.tokens))
	for i, t := range ix.tokens {
		ix.postings[i] = post[tokID[t]]
	}
}

// loadContractsIndex reads a contracts version's processes, suppliers and
// search postings.
func loadContractsIndex(ctx context.Context, db *sql.DB, ix *index) error {
	ds, version := ix.ds, ix.version
	rows, err := db.QueryContext(ctx, `WITH first AS (
			SELECT process_id, min(d) AS d FROM (
				SELECT process_id, date AS d FROM contract_awards WHERE dataset_id = $1 AND version = $2
				UNION ALL SELECT process_id, date FROM contract_contracts WHERE dataset_id = $1 AND version = $2)
			GROUP BY process_id)
		SELECT p.process_id, p.ocid, coalesce(p.year, 0), coalesce(p.method, ''), coalesce(p.currency, ''), coalesce(p.buyer_entity, ''),
			coalesce(p.buyer_name, ''), CAST(p.amount AS DOUBLE), coalesce(CAST(coalesce(f.d, p.date) AS VARCHAR), ''), p.competitive,
			coalesce(p.title, ''), coalesce(p.method_details, ''), coalesce(CAST(p.amount AS VARCHAR), ''), p.awards, p.contracts,
			p.source_id, p.value, p.pointer, coalesce(p.tenderers, -1)
		FROM contract_processes p LEFT JOIN first f USING (process_id)
		WHERE p.dataset_id = $1 AND p.version = $2 ORDER BY p.process_id`, ds, version)
	if err != nil {
		return fmt.Errorf("load search index: %w", err)
	}
	for rows.Next() {
		var id, y int32
		var ocid, method, currency, buyer, buyerName, d string
		var amount sql.NullFloat64
		var comp sql.NullBool
		var p procInfo
		if err := rows.Scan(&id, &ocid, &y, &method, &currency, &buyer, &buyerName, &amount, &d, &comp,
			&p.title, &p.details, &p.amount, &p.awards, &p.contracts, &p.sourceID, &p.value, &p.pointer, &p.tenderers); err != nil {
			rows.Close()
			return fmt.Errorf("load search index: %w", err)
		}
		if int(id) != ix.n {
			rows.Close()
			return fmt.Errorf("load search index: process ids are not dense")
		}
		ix.n++
		p.ocid, p.date, p.amount = ocid, d, trimAmount(p.amount, currency)
		ix.procs = append(ix.procs, p)
		ix.recID = append(ix.recID, int64(id))
		ix.year = append(ix.year, y)
		ix.date = append(ix.date, days(d))
		ix.method = append(ix.method, ix.intern(method))
		ix.currency = append(ix.currency, ix.intern(currency))
		b := ix.intern(buyer)
		ix.buyer = append(ix.buyer, b)
		if buyerName != "" {
			ix.labels[b] = buyerName
		}
		a := math.NaN()
		if amount.Valid {
			a = amount.Float64
		}
		ix.amount = append(ix.amount, a)
		c := int8(-1)
		if comp.Valid {
			c = 0
			if comp.Bool {
				c = 1
			}
		}
		ix.compet = append(ix.compet, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load search index: %w", err)
	}
	supp := make([][]int32, ix.n)
	rows, err = db.QueryContext(ctx, `SELECT s.process_id, s.entity_id, coalesce(any_value(e.name), any_value(s.name), '') FROM contract_award_suppliers s
		LEFT JOIN contract_entities e ON e.dataset_id = s.dataset_id AND e.version = s.version AND e.entity_id = s.entity_id
		WHERE s.dataset_id = ? AND s.version = ? AND s.entity_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, min(s.award_index), 2`, ds, version)
	if err != nil {
		return fmt.Errorf("load search index: %w", err)
	}
	for rows.Next() {
		var id int32
		var ent, name string
		if err := rows.Scan(&id, &ent, &name); err != nil {
			rows.Close()
			return fmt.Errorf("load search index: %w", err)
		}
		e := ix.intern(ent)
		ix.labels[e] = name
		if int(id) < ix.n {
			supp[id] = append(supp[id], e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load search index: %w", err)
	}
	ix.suppOff, ix.supp = flatten(supp)
	// Budget lines cited, for the budget filter: ids and project ids.
	bud := make([][]int32, ix.n)
	rows, err = db.QueryContext(ctx, `SELECT process_id, budget_id FROM contract_budget WHERE dataset_id = $1 AND version = $2 AND budget_id IS NOT NULL
		UNION ALL SELECT process_id, project_id FROM contract_budget WHERE dataset_id = $1 AND version = $2 AND project_id IS NOT NULL
		ORDER BY 1`, ds, version)
	if err != nil {
		return fmt.Errorf("load search index: %w", err)
	}
	for rows.Next() {
		var id int32
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return fmt.Errorf("load search index: %w", err)
		}
		// Trimmed as SearchQuery.Budgets are (spaces, tabs, NBSP...).
		if v = strings.TrimSpace(v); v != "" && int(id) < ix.n {
			if k := ix.intern(v); !slices.Contains(bud[id], k) {
				bud[id] = append(bud[id], k)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load search index: %w", err)
	}
	ix.budOff, ix.bud = flatten(bud)
	rows, err = db.QueryContext(ctx, `SELECT token, list(process_id ORDER BY process_id) FROM contract_tokens WHERE dataset_id = ? AND version = ? GROUP BY token ORDER BY token`, ds, version)
	if err != nil {
		return fmt.Errorf("load search index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tok string
		var ids []any
		if err := rows.Scan(&tok, &ids); err != nil {
			return fmt.Errorf("load search index: %w", err)
		}
		p := make([]int32, len(ids))
		for i, v := range ids {
			p[i] = v.(int32)
		}
		ix.tokens = append(ix.tokens, tok)
		ix.postings = append(ix.postings, p)
	}
	return rows.Err()
}

// days returns the days since 1970-01-01 of a YYYY-MM-DD date, or noDate.
func days(s string) int32 {
	if len(s) < 10 {
		return noDate
	}
	t, err := time.Parse("2006-01-02", s[:10])
	if err != nil {
		return noDate
	}
	return int32(t.Unix() / 86400)
}

// dayString formats days since 1970-01-01 as YYYY-MM-DD.
func dayString(d int32) string {
	if d == noDate {
		return ""
	}
	return time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02")
}

// PaymentEntity returns the entity id of a payee or payer name, keyed
// like an OCDS party without identifiers (ocds.NameKey).
func PaymentEntity(name string) string { return ocds.NameKey(ocds.NormalizeName(name)) }

// loadPaymentsIndex reads a payments version's facts through Arrow and
// tokenises each distinct member label once.
func loadPaymentsIndex(ctx context.Context, db *sql.DB, ix *index, d *mizan.Dataset, v mizan.Version) error {
	type col struct {
		name string // facts column
		dim  string
	}
	var attrs []col
	hasBuyer, hasSupplier := false, false
	for _, dim := range v.Dimensions {
		for _, l := range dim.Levels {
			c := mizan.ColumnFor(dim.ID, l.ID)
			switch {
			case dim.ID == DimBuyer && c == DimBuyer:
				hasBuyer = true
			case dim.ID == DimSupplier && c == DimSupplier:
				hasSupplier = true
			default:
				attrs = append(attrs, col{c, dim.ID})
			}
		}
	}
	// Member labels: one value per (column, key), tokenised once.
	type value struct {
		label  string
		tokens []int32
	}
	tokID := map[string]int32{}
	var post [][]int32
	tokenIDs := func(texts ...string) []int32 {
		var out []int32
		for _, t := range texts {
			for _, tok := range textnorm.Tokens(t) {
				id, ok := tokID[tok]
				if !ok {
					id = int32(len(post))
					// tok may point into the Arrow buffer t came from.
					tokID[strings.Clone(tok)] = id
					post = append(post, nil)
				}
				if !slices.Contains(out, id) {
					out = append(out, id)
				}
			}
		}
		return out
	}
	colOf := map[string]int{} // facts column → position in vals
	vals := []map[string]int32{}
	var values []value
	addCol := func(c string) {
		colOf[c] = len(vals)
		vals = append(vals, map[string]int32{})
	}
	if hasBuyer {
		addCol(DimBuyer)
	}
	if hasSupplier {
		addCol(DimSupplier)
	}
	for _, a := range attrs {
		addCol(a.name)
	}
	err := arrowQuery(ctx, db, `SELECT dim, level, key, coalesce(label_en, label_src, label_ar, key), coalesce(label_ar, ''), coalesce(label_src, '')
		FROM members WHERE dataset_id = ? AND version = ?`, func(rec arrow.RecordBatch) error {
		var c [6]stringColumn
		for i := range c {
			var ok bool
			if c[i], ok = rec.Column(i).(stringColumn); !ok {
				return fmt.Errorf("members column %d is %s", i, rec.Column(i).DataType())
			}
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			i, ok := colOf[mizan.ColumnFor(c[0].Value(r), c[1].Value(r))]
			if !ok {
				continue
			}
			key, label := c[2].Value(r), c[3].Value(r)
			texts := []string{label}
			for _, t := range []string{key, c[4].Value(r), c[5].Value(r)} {
				if t != "" && !slices.Contains(texts, t) {
					texts = append(texts, t)
				}
			}
			vals[i][strings.Clone(key)] = int32(len(values))
			values = append(values, value{label: strings.Clone(label), tokens: tokenIDs(texts...)})
		}
		return nil
	}, ix.ds, ix.version)
	if err != nil {
		return fmt.Errorf("load payments index: %w", err)
	}
	// Entities of buyer and supplier values.
	entOf := make([]int32, len(values))
	for _, c := range []string{DimBuyer, DimSupplier} {
		i, ok := colOf[c]
		if !ok {
			continue
		}
		for key, vid := range vals[i] {
			lab := values[vid].label
			e := ix.intern(PaymentEntity(lab))
			entOf[vid] = e
			if e == 0 {
				continue
			}
			if !slices.Contains(ix.spell[e], lab) {
				ix.spell[e] = append(ix.spell[e], lab)
			}
			if !slices.Contains(ix.keys[e], key) {
				ix.keys[e] = append(ix.keys[e], key)
			}
		}
	}
	for e, sp := range ix.spell {
		sort.Strings(sp)
		ix.labels[e] = bestSpelling(sp)
		sort.Strings(ix.keys[e])
	}
	p := &payInfo{scale: v.Scale, wide: map[int32]string{}}
	ix.pay = p
	for _, a := range attrs {
		p.attrCols = append(p.attrCols, a.name)
		p.attrVals = append(p.attrVals, nil)
	}
	for _, val := range values {
		p.labels = append(p.labels, val.label)
	}
	payMethod := ix.intern("")
	sel := []string{"row_id", "coalesce(year, 0)::INTEGER", fmt.Sprintf("coalesce(date_diff('day', DATE '1970-01-01', date), %d)::INTEGER", noDate),
		"CAST(amount AS DOUBLE)", "amount", "currency", "source_id", "source_row"}
	cols := []string{}
	for c := range colOf {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		sel = append(sel, store.Quote(c))
	}
	q := `SELECT ` + strings.Join(sel, ", ") + ` FROM ` + store.Quote(store.FactsTable(ix.ds, ix.version)) + ` ORDER BY row_id`
	var lastTok []int32 = make([]int32, len(post))
	for i := range lastTok {
		lastTok[i] = -1
	}
	dense := true
	err = arrowQuery(ctx, db, q, func(rec arrow.RecordBatch) error {
		rowID := rec.Column(0).(*array.Int64)
		yr := rec.Column(1).(*array.Int32)
		dt := rec.Column(2).(*array.Int32)
		fl := rec.Column(3).(*array.Float64)
		am, ok := rec.Column(4).(*array.Decimal128)
		if !ok {
			return fmt.Errorf("amount column is %s, not decimal128", rec.Column(4).DataType())
		}
		cur := rec.Column(5).(stringColumn)
		sid := rec.Column(6).(*array.Int32)
		srow := rec.Column(7).(*array.Int64)
		strCols := make([]stringColumn, len(cols))
		for i := range cols {
			strCols[i] = rec.Column(8 + i).(stringColumn)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			r := int32(ix.n)
			ix.n++
			id := rowID.Value(i)
			if id != int64(r)+1 {
				dense = false
			}
			ix.recID = append(ix.recID, id)
			ix.year = append(ix.year, yr.Value(i))
			ix.date = append(ix.date, dt.Value(i))
			ix.amount = append(ix.amount, fl.Value(i))
			n := am.Value(i)
			if n.HighBits() == 0 && n.LowBits() <= math.MaxInt64 || n.HighBits() == -1 && n.LowBits() > math.MaxInt64 {
				p.unscaled = append(p.unscaled, int64(n.LowBits()))
			} else {
				p.unscaled = append(p.unscaled, 0)
				p.wide[r] = formatBig(n.BigInt(), p.scale)
			}
			ix.currency = append(ix.currency, ix.intern(cur.Value(i)))
			ix.method = append(ix.method, payMethod)
			ix.compet = append(ix.compet, -1)
			p.srcID = append(p.srcID, sid.Value(i))
			p.srcRow = append(p.srcRow, srow.Value(i))
			buyer, supplier := int32(0), int32(-1)
			for ci, c := range cols {
				vid := int32(-1)
				if !strCols[ci].IsNull(i) {
					if id, ok := vals[colOf[c]][strCols[ci].Value(i)]; ok {
						vid = id
					}
				}
				switch c {
				case DimBuyer:
					if vid >= 0 {
						buyer = entOf[vid]
					}
				case DimSupplier:
					if vid >= 0 && entOf[vid] != 0 {
						supplier = entOf[vid]
					}
				default:
					k := slices.Index(p.attrCols, c)
					p.attrVals[k] = append(p.attrVals[k], vid)
				}
				if vid >= 0 {
					for _, t := range values[vid].tokens {
						if lastTok[t] != r {
							lastTok[t] = r
							post[t] = append(post[t], r)
						}
					}
				}
			}
			ix.buyer = append(ix.buyer, buyer)
			if supplier >= 0 {
				ix.supp = append(ix.supp, supplier)
			}
			if ix.suppOff == nil {
				ix.suppOff = []int32{0}
			}
			ix.suppOff = append(ix.suppOff, int32(len(ix.supp)))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load payments index: %w", err)
	}
	if ix.suppOff == nil {
		ix.suppOff = []int32{0}
	}
	if !dense {
		p.rowOf = make(map[int64]int32, ix.n)
		for r, id := range ix.recID {
			p.rowOf[id] = int32(r)
		}
	}
	ix.finishTokens(tokID, post)
	return nil
}

// bestSpelling picks the name shown for an entity among its spellings: the
// one with the most capital-and-lower-case letters looks least like a
// shouting export, then the shortest, then the first in order.
func bestSpelling(sp []string) string {
	best := ""
	for _, s := range sp {
		if best == "" || mixedCase(s) && !mixedCase(best) || mixedCase(s) == mixedCase(best) && len(s) < len(best) {
			best = s
		}
	}
	return best
}

func mixedCase(s string) bool { return strings.ToUpper(s) != s && strings.ToLower(s) != s }

// stringColumn is an Arrow string array of any layout.
type stringColumn interface {
	arrow.Array
	Value(int) string
}

// arrowQuery runs q on a connection of db and hands each record batch to fn.
func arrowQuery(ctx context.Context, db *sql.DB, q string, fn func(arrow.RecordBatch) error, args ...any) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return store.RawConn(ctx, conn, func(c driver.Conn) error {
		ar, err := duckdb.NewArrowFromConn(c)
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rdr.Release()
		for rdr.Next() {
			if err := fn(rdr.RecordBatch()); err != nil {
				return err
			}
		}
		return rdr.Err()
	})
}

// FlagSource says which red flags each record of a dataset version raises
// (codes, default parameters), keyed by record id: the process id of a
// contracts version, the facts row of a payments version. Package flags
// implements it.
type FlagSource interface {
	ByRecord(ctx context.Context, dataset string, version int) (map[int64][]string, error)
}

// loadFlags fills the index's flag codes from src.
func (ix *index) loadFlags(ctx context.Context, src FlagSource) error {
	if src == nil {
		return nil
	}
	m, err := src.ByRecord(ctx, ix.ds, ix.version)
	if err != nil {
		return fmt.Errorf("red flags of %s version %d: %w", ix.ds, ix.version, err)
	}
	per := make([][]int32, ix.n)
	for id, codes := range m {
		r := ix.record(id)
		if r < 0 {
			continue
		}
		for _, c := range codes {
			k := ix.intern(c)
			if !slices.Contains(per[r], k) {
				per[r] = append(per[r], k)
			}
		}
	}
	for _, codes := range per {
		slices.SortFunc(codes, func(a, b int32) int { return strings.Compare(ix.strs[a], ix.strs[b]) })
	}
	ix.flagOff, ix.flags = flatten(per)
	return nil
}

// flatten lays lists out end to end: list i is flat[off[i]:off[i+1]].
func flatten(lists [][]int32) (off, flat []int32) {
	off = make([]int32, len(lists)+1)
	for i, l := range lists {
		flat = append(flat, l...)
		off[i+1] = int32(len(flat))
	}
	return off, flat
}

// cacheEntry is one version's index, built once.
type cacheEntry struct {
	ready chan struct{}
	ix    *index
	err   error
	used  int64
}

// DefaultMaxIndexes is how many versions' indexes are kept in memory when
// ServiceOptions.MaxIndexes is 0.
const DefaultMaxIndexes = 8

// index returns the search index of a version, building it on first use.
// Concurrent callers for one version wait for one build; the least recently
// used indexes are evicted beyond ServiceOptions.MaxIndexes.
func (s *Service) index(ctx context.Context, d *mizan.Dataset, v mizan.Version) (*index, error) {
	key := d.ID + "/" + strconv.Itoa(v.Number)
	s.mu.Lock()
	s.clock++
	e := s.ix[key]
	if e == nil {
		e = &cacheEntry{ready: make(chan struct{})}
		s.ix[key] = e
		e.used = s.clock
		s.mu.Unlock()
		e.ix, e.err = s.build(context.WithoutCancel(ctx), d, v)
		close(e.ready)
		s.mu.Lock()
		if e.err != nil {
			delete(s.ix, key)
		}
		s.evict()
		s.mu.Unlock()
		return e.ix, e.err
	}
	e.used = s.clock
	s.mu.Unlock()
	select {
	case <-e.ready:
		return e.ix, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// evict drops the least recently used built indexes beyond the limit.
// s.mu is held.
func (s *Service) evict() {
	for len(s.ix) > max(s.maxIndexes, s.nLatest+1) {
		oldest, when := "", int64(math.MaxInt64)
		for k, e := range s.ix {
			select {
			case <-e.ready:
			default:
				continue // being built
			}
			if e.used < when {
				oldest, when = k, e.used
			}
		}
		if oldest == "" {
			return
		}
		delete(s.ix, oldest)
	}
}

func (s *Service) build(ctx context.Context, d *mizan.Dataset, v mizan.Version) (*index, error) {
	start := time.Now()
	ix := newIndex(d.ID, v.Number, d.Kind)
	ix.title = cmp.Or(d.Title["en"], d.Title["ar"], d.ID)
	ix.sources = v.Sources
	var err error
	switch d.Kind {
	case mizan.KindContracts:
		err = loadContractsIndex(ctx, s.db.SQL, ix)
	case mizan.KindPayments:
		err = loadPaymentsIndex(ctx, s.db.SQL, ix, d, v)
	default:
		err = &mizan.Error{Code: mizan.ECONFLICT, Field: "datasets", Message: fmt.Sprintf("%s is a %s dataset, not contracts or payments", d.ID, d.Kind)}
	}
	if err != nil {
		return nil, err
	}
	if err := ix.loadFlags(ctx, s.flags); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		// Search works without flags; the error is the flags service's.
		slog.WarnContext(ctx, "search index without red flags", "dataset", d.ID, "version", v.Number, "err", err)
		ix.flagOff, ix.flags = nil, nil
	}
	ix.built = time.Since(start)
	slog.InfoContext(ctx, "search index built", "dataset", d.ID, "version", v.Number, "records", ix.n, "tokens", len(ix.tokens), "took", ix.built.Round(time.Millisecond))
	return ix, nil
}

// Warm builds the indexes of the latest published version of every
// contracts and payments dataset, so the first searches are fast. Serve
// runs it in the background at start; it stops at the first error.
func (s *Service) Warm(ctx context.Context) error {
	refs, err := s.latest(ctx, false)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := s.index(ctx, r.d, r.v); err != nil {
			return err
		}
	}
	return nil
}

// resolved is a dataset version to search.
type resolved struct {
	d *mizan.Dataset
	v mizan.Version
}

// latest returns the latest visible version of every contracts and
// payments dataset, by id.
func (s *Service) latest(ctx context.Context, drafts bool) ([]resolved, error) {
	ds, err := s.db.ListDatasets(ctx, drafts)
	if err != nil {
		return nil, err
	}
	var out []resolved
	for i := range ds {
		d := &ds[i]
		if d.Kind != mizan.KindContracts && d.Kind != mizan.KindPayments {
			continue
		}
		if v, ok := d.Latest(drafts); ok {
			out = append(out, resolved{d, v})
		}
	}
	s.mu.Lock()
	s.nLatest = max(s.nLatest, len(out))
	s.mu.Unlock()
	return out, nil
}

// lookups builds the maps from evidence (ocid, or source file and row) to
// records, once.
func (ix *index) lookups() {
	ix.lookupOnce.Do(func() {
		if ix.pay == nil {
			ix.byOCID = make(map[string]int32, ix.n)
			for r := range ix.procs {
				ix.byOCID[ix.procs[r].ocid] = int32(r)
			}
			return
		}
		ix.bySource = make(map[[2]int64]int32, ix.n)
		for r := range int32(ix.n) {
			ix.bySource[[2]int64{int64(ix.pay.srcID[r]), ix.pay.srcRow[r]}] = r
		}
	})
}
