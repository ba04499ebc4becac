package contracts

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/mizan-budget/mizan"
)

// YearTotal is a party's contract value in one year and currency.
type YearTotal struct {
	Year      int    `json:"year"`
	Currency  string `json:"currency"`
	Amount    string `json:"amount"`
	Contracts int    `json:"contracts"`
}

// Counterpart is a party on the other side of a party's contracts.
type Counterpart struct {
	Entity    string `json:"entity"`
	Name      string `json:"name"`
	Currency  string `json:"currency"`
	Amount    string `json:"amount"`
	Contracts int    `json:"contracts"`
}

// NonCompetitive is the share of a party's contract value (per currency)
// awarded without competition (limited or direct procurement).
type NonCompetitive struct {
	Currency  string `json:"currency"`
	Amount    string `json:"amount"`    // without competition
	Total     string `json:"total"`     // all contracts
	Share     string `json:"share"`     // Amount ÷ Total, 4 decimals; "" when Total is 0
	Contracts int    `json:"contracts"` // without competition
	Unknown   int    `json:"unknown"`   // contracts whose method is unknown
}

// ContractRef is one contract of a party's top list, with provenance.
type ContractRef struct {
	OCID        string `json:"ocid"`
	ContractID  string `json:"contract_id"`
	Title       string `json:"title"`
	Counterpart string `json:"counterpart"`
	Method      string `json:"method"`
	Date        string `json:"date"`
	Amount      string `json:"amount"`
	Currency    string `json:"currency"`
	File        string `json:"file"`
	Pointer     string `json:"pointer"`
}

// Party is an entity's profile: its names and identifiers, and its
// contracts as buyer or as supplier.
type Party struct {
	Entity     string   `json:"entity"`
	Name       string   `json:"name"`
	Spellings  []string `json:"spellings"`
	Scheme     string   `json:"scheme,omitempty"`
	Identifier string   `json:"identifier,omitempty"`
	Processes  int      `json:"processes"`
	// Role is "buyer" or "supplier": the side of the contracts summarised
	// (the one with more contracts when the entity is on both).
	Role           string           `json:"role"`
	ByYear         []YearTotal      `json:"by_year"`
	Counterparts   []Counterpart    `json:"counterparts"` // top 20 by value
	NonCompetitive []NonCompetitive `json:"non_competitive"`
	TopContracts   []ContractRef    `json:"top_contracts"` // top 10 by value
	Dataset        string           `json:"dataset"`
	Version        int              `json:"version"`
}

// GetParty returns an entity's profile.
func (s *Service) GetParty(ctx context.Context, dataset string, version int, entity string, includeDrafts bool) (*Party, error) {
	v, err := s.resolve(ctx, dataset, version, includeDrafts)
	if err != nil {
		return nil, err
	}
	db := s.db.SQL
	p := &Party{Entity: entity, Dataset: dataset, Version: v}
	var spell string
	var scheme, ident sql.NullString
	err = db.QueryRowContext(ctx, `SELECT coalesce(name, ''), spellings, scheme, identifier, processes FROM contract_entities WHERE dataset_id = ? AND version = ? AND entity_id = ?`,
		dataset, v, entity).Scan(&p.Name, &spell, &scheme, &ident, &p.Processes)
	if err == sql.ErrNoRows {
		return nil, &mizan.Error{Code: mizan.ENOTFOUND, Field: "entity", Message: fmt.Sprintf("no party %q in %s version %d", entity, dataset, v)}
	}
	if err != nil {
		return nil, fmt.Errorf("read party: %w", err)
	}
	p.Scheme, p.Identifier = scheme.String, ident.String
	_ = json.Unmarshal([]byte(spell), &p.Spellings)
	var asBuyer, asSupplier int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE p.buyer_entity = $3), count(*) FILTER (WHERE c.supplier_entity = $3)
		FROM contract_contracts c JOIN contract_processes p USING (dataset_id, version, process_id)
		WHERE c.dataset_id = $1 AND c.version = $2`, dataset, v, entity).Scan(&asBuyer, &asSupplier); err != nil {
		return nil, fmt.Errorf("read party: %w", err)
	}
	self, other, otherName := "p.buyer_entity", "c.supplier_entity", "coalesce(e.name, c.supplier_entity)"
	p.Role = "buyer"
	if asSupplier > asBuyer {
		self, other, otherName = "c.supplier_entity", "p.buyer_entity", "coalesce(p.buyer_name, p.buyer_entity)"
		p.Role = "supplier"
	}
	base := `FROM contract_contracts c JOIN contract_processes p USING (dataset_id, version, process_id)
		LEFT JOIN contract_entities e ON e.dataset_id = c.dataset_id AND e.version = c.version AND e.entity_id = c.supplier_entity
		WHERE c.dataset_id = $1 AND c.version = $2 AND ` + self + ` = $3 AND c.amount IS NOT NULL`
	rows, err := db.QueryContext(ctx, `SELECT coalesce(year(c.date), 0), c.currency, CAST(sum(c.amount) AS VARCHAR), count(*) `+base+` GROUP BY ALL ORDER BY 1, 2`, dataset, v, entity)
	if err != nil {
		return nil, fmt.Errorf("read party totals: %w", err)
	}
	for rows.Next() {
		var t YearTotal
		if err := rows.Scan(&t.Year, &t.Currency, &t.Amount, &t.Contracts); err != nil {
			rows.Close()
			return nil, err
		}
		t.Amount = trimAmount(t.Amount, t.Currency)
		p.ByYear = append(p.ByYear, t)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT coalesce(`+other+`, ''), coalesce(any_value(`+otherName+`), ''), c.currency, CAST(sum(c.amount) AS VARCHAR), count(*) `+base+`
		GROUP BY 1, 3 ORDER BY sum(c.amount) DESC, 1 LIMIT 20`, dataset, v, entity)
	if err != nil {
		return nil, fmt.Errorf("read party counterparts: %w", err)
	}
	for rows.Next() {
		var c Counterpart
		if err := rows.Scan(&c.Entity, &c.Name, &c.Currency, &c.Amount, &c.Contracts); err != nil {
			rows.Close()
			return nil, err
		}
		c.Amount = trimAmount(c.Amount, c.Currency)
		p.Counterparts = append(p.Counterparts, c)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT c.currency, CAST(coalesce(sum(c.amount) FILTER (WHERE p.competitive = false), 0) AS VARCHAR), CAST(sum(c.amount) AS VARCHAR),
		CASE WHEN sum(c.amount) = 0 THEN '' ELSE CAST(round(coalesce(sum(c.amount) FILTER (WHERE p.competitive = false), 0) / sum(c.amount), 4) AS VARCHAR) END,
		count(*) FILTER (WHERE p.competitive = false), count(*) FILTER (WHERE p.competitive IS NULL) `+base+` GROUP BY 1 ORDER BY 1`, dataset, v, entity)
	if err != nil {
		return nil, fmt.Errorf("read party competition: %w", err)
	}
	for rows.Next() {
		var n NonCompetitive
		if err := rows.Scan(&n.Currency, &n.Amount, &n.Total, &n.Share, &n.Contracts, &n.Unknown); err != nil {
			rows.Close()
			return nil, err
		}
		n.Amount, n.Total = trimAmount(n.Amount, n.Currency), trimAmount(n.Total, n.Currency)
		p.NonCompetitive = append(p.NonCompetitive, n)
	}
	rows.Close()
	_, ver, err := s.db.ResolveVersion(ctx, dataset, v, true)
	if err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, `SELECT p.ocid, coalesce(c.contract_id, ''), coalesce(c.title, p.title, ''), coalesce(`+otherName+`, ''), coalesce(p.method, ''),
		coalesce(CAST(c.date AS VARCHAR), ''), CAST(c.amount AS VARCHAR), c.currency, p.source_id, c.pointer `+base+` ORDER BY c.amount DESC, p.ocid LIMIT 10`, dataset, v, entity)
	if err != nil {
		return nil, fmt.Errorf("read party contracts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c ContractRef
		var sid int
		if err := rows.Scan(&c.OCID, &c.ContractID, &c.Title, &c.Counterpart, &c.Method, &c.Date, &c.Amount, &c.Currency, &sid, &c.Pointer); err != nil {
			return nil, err
		}
		c.Amount = trimAmount(c.Amount, c.Currency)
		if sid >= 1 && sid <= len(ver.Sources) {
			c.File = ver.Sources[sid-1].Name
		}
		p.TopContracts = append(p.TopContracts, c)
	}
	return p, rows.Err()
}
