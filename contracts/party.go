package contracts

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/ingest/parse"
	"github.com/mizan-budget/mizan/ocds"
)

// Record kinds of a party's top lists besides KindPayment.
const KindContract = "contract" // a contract of a process

// Party roles.
const (
	RoleBuyer    = "buyer"
	RoleSupplier = "supplier"
)

// TopRecords is the length of a party's top contracts and top payments;
// TopCounterparts the length of its counterparts list.
const (
	TopRecords      = 10
	TopCounterparts = 20
)

// YearTotal is a party's money in one year and currency.
type YearTotal struct {
	Year     int    `json:"year"`
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
	Count    int64  `json:"count"`
}

// Counterpart is a party on the other side of a party's contracts or
// payments, with the money between them.
type Counterpart struct {
	Party    PartyRef `json:"party"`
	Currency string   `json:"currency"`
	Amount   string   `json:"amount"`
	Count    int64    `json:"count"`
}

// NonCompetitive is the share of a party's contract value (per currency)
// awarded without competition (limited or direct procurement).
type NonCompetitive struct {
	Currency  string `json:"currency"`
	Amount    string `json:"amount"`    // without competition
	Total     string `json:"total"`     // all contracts
	Share     string `json:"share"`     // Amount ÷ Total, 4 decimals; "" when Total is 0
	Contracts int64  `json:"contracts"` // without competition
	Unknown   int64  `json:"unknown"`   // contracts whose method is unknown
}

// PartyRecord is one contract or payment of a party's top lists.
type PartyRecord struct {
	Kind     string     `json:"kind"` // KindContract or KindPayment
	Dataset  VersionRef `json:"dataset"`
	RecordID int64      `json:"record_id"` // process id, or facts row of a payment
	OCID     string     `json:"ocid,omitempty"`
	// ID is the contract id, or a payment's transaction number.
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Counterpart PartyRef `json:"counterpart"`
	Method      string   `json:"method,omitempty"`
	Date        string   `json:"date,omitempty"`
	Amount      string   `json:"amount"`
	Currency    string   `json:"currency"`
	Source      Source   `json:"source"`
	// NameMatch is set on a record of another dataset found by the
	// party's normalised name (not by entity id): likely, not certain,
	// the same organisation.
	NameMatch bool `json:"name_match,omitempty"`
}

// Party is an entity's profile: its names and identifiers, and its
// contracts or payments as buyer or as supplier.
type Party struct {
	Entity     PartyRef `json:"entity"`
	Spellings  []string `json:"spellings"`
	Scheme     string   `json:"scheme,omitempty"`
	Identifier string   `json:"identifier,omitempty"`
	// Role is RoleBuyer or RoleSupplier: the side summarised (the one with
	// more records when the entity is on both).
	Role           string           `json:"role"`
	Records        int64            `json:"records"` // processes or payments the party appears in
	ByYear         []YearTotal      `json:"by_year"`
	Counterparts   []Counterpart    `json:"counterparts"` // top 20 by value
	NonCompetitive []NonCompetitive `json:"non_competitive"`
	// TopContracts are the top 10 contracts by value: the party's own in a
	// contracts dataset; for a payments party, contracts of the latest
	// contracts datasets whose party on the same side has the same
	// normalised name (NameMatch).
	TopContracts []PartyRecord `json:"top_contracts"`
	// TopPayments are the top 10 payments by value: the party's own in a
	// payments dataset; for a contracts party, payments to (or by) the
	// same normalised name in the latest payments datasets (NameMatch).
	TopPayments []PartyRecord `json:"top_payments"`
	Dataset     VersionRef    `json:"dataset"`
}

// GetParty returns an entity's profile in a contracts or payments dataset
// version (0: latest visible).
func (s *Service) GetParty(ctx context.Context, dataset string, version int, entity string, includeDrafts bool) (*Party, error) {
	if entity == "" {
		return nil, mizan.FieldErrorf("entity", "required")
	}
	d, v, err := s.resolveKind(ctx, dataset, version, includeDrafts, "dataset", mizan.KindContracts, mizan.KindPayments)
	if err != nil {
		return nil, err
	}
	if d.Kind == mizan.KindPayments {
		ix, err := s.index(ctx, d, v)
		if err != nil {
			return nil, err
		}
		p := ix.party(entity)
		if p == nil {
			return nil, &mizan.Error{Code: mizan.ENOTFOUND, Field: "entity", Message: fmt.Sprintf("no party %q in %s version %d", entity, dataset, v.Number)}
		}
		if norm := ocds.KeyName(entity); norm != "" {
			if p.TopContracts, err = s.contractsByName(ctx, norm, p.Role, includeDrafts); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
	p, norm, err := s.contractsParty(ctx, d.ID, v, entity)
	if err != nil {
		return nil, err
	}
	if norm != "" {
		if p.TopPayments, err = s.paymentsByName(ctx, ocds.NameKey(norm), p.Role, includeDrafts); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// paymentsByName returns the top payments of the entity key on the given
// side in the latest visible payments datasets, marked NameMatch.
func (s *Service) paymentsByName(ctx context.Context, key, role string, drafts bool) ([]PartyRecord, error) {
	refs, err := s.latest(ctx, drafts)
	if err != nil {
		return nil, err
	}
	var out []PartyRecord
	var amounts []float64
	for _, r := range refs {
		if r.d.Kind != mizan.KindPayments {
			continue
		}
		ix, err := s.index(ctx, r.d, r.v)
		if err != nil {
			return nil, err
		}
		e, ok := ix.strID[key]
		if !ok || e == 0 {
			continue
		}
		for _, rec := range ix.topPayments(e, role) {
			pr := ix.partyRecord(rec, role)
			pr.NameMatch = true
			out = append(out, pr)
			amounts = append(amounts, ix.amount[rec])
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return amounts[idx[a]] > amounts[idx[b]] })
	sorted := make([]PartyRecord, 0, min(len(out), TopRecords))
	for _, i := range idx[:min(len(idx), TopRecords)] {
		sorted = append(sorted, out[i])
	}
	return sorted, nil
}

// contractsByName returns the top contracts, across the latest contracts
// datasets, whose party on the given side has the normalised name norm.
func (s *Service) contractsByName(ctx context.Context, norm, role string, drafts bool) ([]PartyRecord, error) {
	refs, err := s.latest(ctx, drafts)
	if err != nil {
		return nil, err
	}
	var out []PartyRecord
	for _, r := range refs {
		if r.d.Kind != mizan.KindContracts {
			continue
		}
		recs, err := s.topContracts(ctx, r.d.ID, r.v, role, true, norm)
		if err != nil {
			return nil, err
		}
		for i := range recs {
			recs[i].NameMatch = true
		}
		out = append(out, recs...)
	}
	// Largest first across datasets (amounts in one currency compare
	// exactly; across currencies the order is only indicative).
	slices.SortStableFunc(out, func(a, b PartyRecord) int { return cmp.Compare(amountOf(b.Amount), amountOf(a.Amount)) })
	return out[:min(len(out), TopRecords)], nil
}

// amountOf is a decimal string as a float, for ordering only.
func amountOf(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.Inf(-1)
	}
	return f
}

// sums accumulates exact amounts at one scale, per key.
type sums struct {
	scale int32
	m     map[string]*sum
	keys  []string
}

type sum struct {
	key      string
	currency string
	other    int32
	year     int32
	total    big.Int
	count    int64
	f        float64
}

func (ix *index) add(s *sums, key string, r int32, mk func(*sum)) {
	x := s.m[key]
	if x == nil {
		x = &sum{key: key}
		mk(x)
		s.m[key] = x
		s.keys = append(s.keys, key)
	}
	p := ix.pay
	if w, ok := p.wide[r]; ok {
		if d, err := parse.ParseAmount(w, parse.NumberFormat{DecimalSep: '.', GroupSep: ','}); err == nil {
			if n, err := d.Rescale(p.scale); err == nil {
				x.total.Add(&x.total, n.BigInt())
			}
		}
	} else {
		var b big.Int
		b.SetInt64(p.unscaled[r])
		x.total.Add(&x.total, &b)
	}
	x.count++
	x.f += ix.amount[r]
}

// formatBig writes n × 10^-scale with at least two decimals: the one way
// contracts formats payment amounts, in search hits and profiles alike.
func formatBig(n *big.Int, scale int32) string {
	r := new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	return trimAmount(r.FloatString(int(max(scale, 2))), "")
}

// party returns the profile of a payments entity, or nil.
func (ix *index) party(entity string) *Party {
	e, ok := ix.strID[entity]
	if !ok || e == 0 {
		return nil
	}
	var asBuyer, asSupplier int64
	for r := range int32(ix.n) {
		if ix.buyer[r] == e {
			asBuyer++
		}
		if slices.Contains(ix.suppliers(r), e) {
			asSupplier++
		}
	}
	if asBuyer == 0 && asSupplier == 0 {
		return nil
	}
	p := &Party{Entity: PartyRef{Entity: entity, Name: ix.name(e)}, Spellings: slices.Clone(ix.spell[e]), Role: RoleSupplier, Records: asSupplier,
		Dataset: VersionRef{Dataset: ix.ds, Version: ix.version}}
	if asBuyer > asSupplier {
		p.Role, p.Records = RoleBuyer, asBuyer
	}
	byYear := &sums{scale: ix.pay.scale, m: map[string]*sum{}}
	counter := &sums{scale: ix.pay.scale, m: map[string]*sum{}}
	for r := range int32(ix.n) {
		if !ix.on(r, e, p.Role) {
			continue
		}
		cur := ix.currency[r]
		y := ix.year[r]
		ix.add(byYear, fmt.Sprint(y, "/", cur), r, func(x *sum) { x.year, x.currency = y, ix.strs[cur] })
		o := ix.other(r, p.Role)
		ix.add(counter, fmt.Sprint(o, "/", cur), r, func(x *sum) { x.other, x.currency = o, ix.strs[cur] })
	}
	for _, k := range byYear.keys {
		x := byYear.m[k]
		p.ByYear = append(p.ByYear, YearTotal{Year: int(x.year), Currency: x.currency, Amount: formatBig(&x.total, ix.pay.scale), Count: x.count})
	}
	sort.Slice(p.ByYear, func(i, j int) bool {
		if p.ByYear[i].Year != p.ByYear[j].Year {
			return p.ByYear[i].Year < p.ByYear[j].Year
		}
		return p.ByYear[i].Currency < p.ByYear[j].Currency
	})
	cs := make([]*sum, 0, len(counter.keys))
	for _, k := range counter.keys {
		cs = append(cs, counter.m[k])
	}
	sort.Slice(cs, func(i, j int) bool {
		if c := cs[i].total.Cmp(&cs[j].total); c != 0 {
			return c > 0
		}
		return ix.strs[cs[i].other] < ix.strs[cs[j].other]
	})
	for _, x := range cs[:min(len(cs), TopCounterparts)] {
		p.Counterparts = append(p.Counterparts, Counterpart{Party: PartyRef{Entity: ix.strs[x.other], Name: ix.name(x.other)}, Currency: x.currency,
			Amount: formatBig(&x.total, ix.pay.scale), Count: x.count})
	}
	for _, r := range ix.topPayments(e, p.Role) {
		p.TopPayments = append(p.TopPayments, ix.partyRecord(r, p.Role))
	}
	return p
}

// on says whether entity e is on the given side of payment r.
func (ix *index) on(r, e int32, role string) bool {
	if role == RoleBuyer {
		return ix.buyer[r] == e
	}
	return slices.Contains(ix.suppliers(r), e)
}

// other returns the entity on the other side of payment r.
func (ix *index) other(r int32, role string) int32 {
	if role == RoleBuyer {
		if s := ix.suppliers(r); len(s) > 0 {
			return s[0]
		}
		return 0
	}
	return ix.buyer[r]
}

// topPayments returns the records of entity e's largest payments on a side.
func (ix *index) topPayments(e int32, role string) []int32 {
	var rs []int32
	for r := range int32(ix.n) {
		if ix.on(r, e, role) && !math.IsNaN(ix.amount[r]) {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b int32) int {
		if c := cmp.Compare(ix.amount[b], ix.amount[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return rs[:min(len(rs), TopRecords)]
}

// partyRecord returns payment r as a party's record, seen from role.
func (ix *index) partyRecord(r int32, role string) PartyRecord {
	h := ix.hit(r)
	o := ix.other(r, role)
	pr := PartyRecord{Kind: KindPayment, Dataset: VersionRef{Dataset: ix.ds, Version: ix.version}, RecordID: h.RecordID, ID: h.Attributes["transaction"],
		Title: cmp.Or(h.Attributes["expense_type"], h.Title), Date: h.Date, Amount: h.Amount, Currency: h.Currency, Source: h.Source}
	if o != 0 {
		pr.Counterpart = PartyRef{Entity: ix.strs[o], Name: ix.name(o)}
	}
	return pr
}

// contractsParty returns the profile of a contracts entity and its
// normalised name.
func (s *Service) contractsParty(ctx context.Context, dataset string, ver mizan.Version, entity string) (*Party, string, error) {
	v := ver.Number
	db := s.db.SQL
	p := &Party{Entity: PartyRef{Entity: entity}, Dataset: VersionRef{Dataset: dataset, Version: v}}
	var spell string
	var scheme, ident, norm sql.NullString
	err := db.QueryRowContext(ctx, `SELECT coalesce(name, ''), spellings, scheme, identifier, norm_name, processes FROM contract_entities WHERE dataset_id = ? AND version = ? AND entity_id = ?`,
		dataset, v, entity).Scan(&p.Entity.Name, &spell, &scheme, &ident, &norm, &p.Records)
	if err == sql.ErrNoRows {
		return nil, "", &mizan.Error{Code: mizan.ENOTFOUND, Field: "entity", Message: fmt.Sprintf("no party %q in %s version %d", entity, dataset, v)}
	}
	if err != nil {
		return nil, "", fmt.Errorf("read party: %w", err)
	}
	p.Scheme, p.Identifier = scheme.String, ident.String
	if err := json.Unmarshal([]byte(spell), &p.Spellings); err != nil {
		return nil, "", fmt.Errorf("read party spellings: %w", err)
	}
	var asBuyer, asSupplier int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE p.buyer_entity = $3), count(*) FILTER (WHERE c.supplier_entity = $3)
		FROM contract_contracts c JOIN contract_processes p USING (dataset_id, version, process_id)
		WHERE c.dataset_id = $1 AND c.version = $2`, dataset, v, entity).Scan(&asBuyer, &asSupplier); err != nil {
		return nil, "", fmt.Errorf("read party: %w", err)
	}
	p.Role = RoleBuyer
	if asSupplier > asBuyer {
		p.Role = RoleSupplier
	}
	self, other, otherName := roleColumns(p.Role)
	base := `FROM contract_contracts c JOIN contract_processes p USING (dataset_id, version, process_id)
		LEFT JOIN contract_entities e ON e.dataset_id = c.dataset_id AND e.version = c.version AND e.entity_id = c.supplier_entity
		WHERE c.dataset_id = $1 AND c.version = $2 AND ` + self + ` = $3 AND c.amount IS NOT NULL`
	scan := func(what, q string, row func(*sql.Rows) error) error {
		rows, err := db.QueryContext(ctx, q, dataset, v, entity)
		if err != nil {
			return fmt.Errorf("read party %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return fmt.Errorf("read party %s: %w", what, err)
			}
		}
		return rows.Err()
	}
	err = scan("totals", `SELECT coalesce(year(c.date), 0), c.currency, CAST(sum(c.amount) AS VARCHAR), count(*) `+base+` GROUP BY ALL ORDER BY 1, 2`, func(rows *sql.Rows) error {
		var t YearTotal
		if err := rows.Scan(&t.Year, &t.Currency, &t.Amount, &t.Count); err != nil {
			return err
		}
		t.Amount = trimAmount(t.Amount, t.Currency)
		p.ByYear = append(p.ByYear, t)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	err = scan("counterparts", `SELECT coalesce(`+other+`, ''), coalesce(any_value(`+otherName+`), ''), c.currency, CAST(sum(c.amount) AS VARCHAR), count(*) `+base+`
		GROUP BY 1, 3 ORDER BY sum(c.amount) DESC, 1 LIMIT `+fmt.Sprint(TopCounterparts), func(rows *sql.Rows) error {
		var c Counterpart
		if err := rows.Scan(&c.Party.Entity, &c.Party.Name, &c.Currency, &c.Amount, &c.Count); err != nil {
			return err
		}
		c.Amount = trimAmount(c.Amount, c.Currency)
		p.Counterparts = append(p.Counterparts, c)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	err = scan("competition", `SELECT c.currency, CAST(coalesce(sum(c.amount) FILTER (WHERE p.competitive = false), 0) AS VARCHAR), CAST(sum(c.amount) AS VARCHAR),
		CASE WHEN sum(c.amount) = 0 THEN '' ELSE CAST(round(coalesce(sum(c.amount) FILTER (WHERE p.competitive = false), 0) / sum(c.amount), 4) AS VARCHAR) END,
		count(*) FILTER (WHERE p.competitive = false), count(*) FILTER (WHERE p.competitive IS NULL) `+base+` GROUP BY 1 ORDER BY 1`, func(rows *sql.Rows) error {
		var n NonCompetitive
		if err := rows.Scan(&n.Currency, &n.Amount, &n.Total, &n.Share, &n.Contracts, &n.Unknown); err != nil {
			return err
		}
		n.Amount, n.Total = trimAmount(n.Amount, n.Currency), trimAmount(n.Total, n.Currency)
		p.NonCompetitive = append(p.NonCompetitive, n)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if p.TopContracts, err = s.topContracts(ctx, dataset, ver, p.Role, false, entity); err != nil {
		return nil, "", err
	}
	return p, strings.TrimSpace(norm.String), nil
}

// topContracts returns a contracts version's largest contracts (at most
// TopRecords) whose party on the role's side is the entity, or, byName,
// any entity with that normalised name.
func (s *Service) topContracts(ctx context.Context, dataset string, ver mizan.Version, role string, byName bool, party string) ([]PartyRecord, error) {
	self, other, otherName := roleColumns(role)
	match := self + " = $3"
	if byName {
		match = self + " IN (SELECT entity_id FROM contract_entities WHERE dataset_id = $1 AND version = $2 AND norm_name = $3)"
	}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT p.process_id, p.ocid, coalesce(c.contract_id, ''), coalesce(c.title, p.title, ''), coalesce(`+other+`, ''),
			coalesce(`+otherName+`, ''), coalesce(p.method, ''), coalesce(CAST(c.date AS VARCHAR), ''), CAST(c.amount AS VARCHAR), c.currency,
			p.source_id, p.value, coalesce(c.pointer, '')
		FROM contract_contracts c JOIN contract_processes p USING (dataset_id, version, process_id)
		LEFT JOIN contract_entities e ON e.dataset_id = c.dataset_id AND e.version = c.version AND e.entity_id = c.supplier_entity
		WHERE c.dataset_id = $1 AND c.version = $2 AND `+match+` AND c.amount IS NOT NULL
		ORDER BY c.amount DESC, p.ocid, c.contract_index LIMIT `+fmt.Sprint(TopRecords), dataset, ver.Number, party)
	if err != nil {
		return nil, fmt.Errorf("read party contracts: %w", err)
	}
	defer rows.Close()
	var out []PartyRecord
	for rows.Next() {
		c := PartyRecord{Kind: KindContract, Dataset: VersionRef{Dataset: dataset, Version: ver.Number}}
		var sid int
		if err := rows.Scan(&c.RecordID, &c.OCID, &c.ID, &c.Title, &c.Counterpart.Entity, &c.Counterpart.Name, &c.Method, &c.Date, &c.Amount, &c.Currency,
			&sid, &c.Source.Value, &c.Source.Pointer); err != nil {
			return nil, fmt.Errorf("read party contracts: %w", err)
		}
		c.Amount = trimAmount(c.Amount, c.Currency)
		if sid >= 1 && sid <= len(ver.Sources) {
			c.Source.File, c.Source.SHA256 = ver.Sources[sid-1].Name, ver.Sources[sid-1].SHA256
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// roleColumns returns, for a party on the role's side of contracts, the
// column of its own entity, of its counterpart's and the counterpart's name.
func roleColumns(role string) (self, other, otherName string) {
	if role == RoleSupplier {
		return "c.supplier_entity", "p.buyer_entity", "coalesce(p.buyer_name, p.buyer_entity)"
	}
	return "p.buyer_entity", "c.supplier_entity", "coalesce(e.name, c.supplier_entity)"
}

// PartyKeys returns the keys red flags name an entity by: the entity id
// itself in a contracts dataset; in a payments dataset, the member keys of
// every spelling the entity groups (flags work on names as published).
func (s *Service) PartyKeys(ctx context.Context, dataset string, version int, entity string, includeDrafts bool) ([]string, error) {
	d, v, err := s.resolveKind(ctx, dataset, version, includeDrafts, "dataset", mizan.KindContracts, mizan.KindPayments)
	if err != nil {
		return nil, err
	}
	if d.Kind == mizan.KindContracts {
		return []string{entity}, nil
	}
	ix, err := s.index(ctx, d, v)
	if err != nil {
		return nil, err
	}
	e, ok := ix.strID[entity]
	if !ok || e == 0 {
		return nil, nil
	}
	return slices.Clone(ix.keys[e]), nil
}

// RecordOf returns the record id (process id, or payment row) of a record
// named as evidence is: by ocid in a contracts version, by source file and
// row in a payments version; -1 when there is none.
func (s *Service) RecordOf(ctx context.Context, dataset string, version int, ocid, file string, row int64) (int64, error) {
	d, v, err := s.resolveKind(ctx, dataset, version, true, "dataset", mizan.KindContracts, mizan.KindPayments)
	if err != nil {
		return -1, err
	}
	ix, err := s.index(ctx, d, v)
	if err != nil {
		return -1, err
	}
	ix.lookups()
	if ix.pay == nil {
		if r, ok := ix.byOCID[ocid]; ok {
			return ix.recID[r], nil
		}
		return -1, nil
	}
	for i, src := range ix.sources {
		if src.Name == file {
			if r, ok := ix.bySource[[2]int64{int64(i + 1), row}]; ok {
				return ix.recID[r], nil
			}
		}
	}
	return -1, nil
}
