package contracts

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/mizan-budget/mizan"
)

// Money is an exact amount and its currency; both empty when unknown.
type Money struct {
	Amount   string `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
}

// Tender is the call for bids of a process.
type Tender struct {
	Method          string `json:"method,omitempty"`
	MethodDetails   string `json:"method_details,omitempty"`
	MethodRationale string `json:"method_rationale,omitempty"`
	Tenderers       int    `json:"tenderers"` // -1 unknown
	StartDate       string `json:"start_date,omitempty"`
	EndDate         string `json:"end_date,omitempty"`
	Value           Money  `json:"value"`
}

// Award is a decision to award.
type Award struct {
	ID        string     `json:"id"`
	Title     string     `json:"title,omitempty"`
	Status    string     `json:"status,omitempty"`
	Date      string     `json:"date,omitempty"`
	Value     Money      `json:"value"`
	Suppliers []PartyRef `json:"suppliers,omitempty"`
	Pointer   string     `json:"pointer"`
}

// Amendment is a change to a contract.
type Amendment struct {
	ID          string `json:"id,omitempty"`
	Date        string `json:"date,omitempty"`
	Rationale   string `json:"rationale,omitempty"`
	Description string `json:"description,omitempty"`
	ValueBefore Money  `json:"value_before"`
	ValueAfter  Money  `json:"value_after"`
	Pointer     string `json:"pointer"`
}

// Contract is a signed agreement.
type Contract struct {
	ID           string      `json:"id"`
	AwardID      string      `json:"award_id,omitempty"`
	Title        string      `json:"title,omitempty"`
	Status       string      `json:"status,omitempty"`
	DateSigned   string      `json:"date_signed,omitempty"`
	StartDate    string      `json:"start_date,omitempty"`
	EndDate      string      `json:"end_date,omitempty"`
	Value        Money       `json:"value"`
	InitialValue Money       `json:"initial_value"`
	Supplier     PartyRef    `json:"supplier"`
	Amendments   []Amendment `json:"amendments,omitempty"`
	Pointer      string      `json:"pointer"`
}

// Item is a line of goods, works or services.
type Item struct {
	ID             string `json:"id,omitempty"`
	Description    string `json:"description,omitempty"`
	Scheme         string `json:"scheme,omitempty"`
	Classification string `json:"classification,omitempty"`
	Quantity       string `json:"quantity,omitempty"`
	Unit           string `json:"unit,omitempty"`
	UnitValue      Money  `json:"unit_value"`
	Parent         string `json:"parent"` // tender, award or contract
	ParentID       string `json:"parent_id,omitempty"`
	Pointer        string `json:"pointer"`
}

// BudgetLink ties a process to the budget that funds it.
type BudgetLink struct {
	ID          string `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	Project     string `json:"project,omitempty"`
	ProjectID   string `json:"project_id,omitempty"`
	URI         string `json:"uri,omitempty"`
	Amount      Money  `json:"amount"`
}

// ContractParty is an organisation taking part in a process.
type ContractParty struct {
	Entity     PartyRef `json:"entity"`
	Name       string   `json:"name"` // as this process's sources spell it
	Scheme     string   `json:"scheme,omitempty"`
	Identifier string   `json:"identifier,omitempty"`
	Roles      []string `json:"roles"`
}

// ContractDetail is one contracting process in full.
type ContractDetail struct {
	Summary     Hit             `json:"summary"`
	Description string          `json:"description,omitempty"`
	Tags        []string        `json:"tags"`
	Releases    int             `json:"releases"`
	Tender      *Tender         `json:"tender,omitempty"`
	Awards      []Award         `json:"awards"`
	Contracts   []Contract      `json:"contracts"`
	Items       []Item          `json:"items"`
	Budget      []BudgetLink    `json:"budget"`
	Parties     []ContractParty `json:"parties"`
	Compiled    string          `json:"compiled"` // the compiled release, JSON
}

// GetContract returns one process of a contracts version (0: latest
// visible) by ocid.
func (s *Service) GetContract(ctx context.Context, dataset string, version int, ocid string, includeDrafts bool) (*ContractDetail, error) {
	if ocid == "" {
		return nil, mizan.FieldErrorf("ocid", "required")
	}
	d, v, err := s.resolveKind(ctx, dataset, version, includeDrafts, "dataset", mizan.KindContracts)
	if err != nil {
		return nil, err
	}
	db := s.db.SQL
	ds, vn := d.ID, v.Number
	var pid int32
	c := &ContractDetail{}
	var desc, method, details, rationale, tags, tStart, tEnd, tAmount, tCur sql.NullString
	var tenderers sql.NullInt32
	err = db.QueryRowContext(ctx, `SELECT process_id, description, method, method_details, method_rationale, tenderers, CAST(tender_start AS VARCHAR), CAST(tender_end AS VARCHAR),
		CAST(tender_amount AS VARCHAR), tender_currency, releases, tags, compiled FROM contract_processes WHERE dataset_id = ? AND version = ? AND ocid = ?`, ds, vn, ocid).
		Scan(&pid, &desc, &method, &details, &rationale, &tenderers, &tStart, &tEnd, &tAmount, &tCur, &c.Releases, &tags, &c.Compiled)
	if err == sql.ErrNoRows {
		return nil, &mizan.Error{Code: mizan.ENOTFOUND, Field: "ocid", Message: fmt.Sprintf("no process %q in %s version %d", ocid, ds, vn)}
	}
	if err != nil {
		return nil, fmt.Errorf("read process: %w", err)
	}
	c.Description = desc.String
	c.Tags = splitList(tags.String)
	if method.Valid || details.Valid || tenderers.Valid || tStart.Valid || tEnd.Valid || tAmount.Valid {
		c.Tender = &Tender{Method: method.String, MethodDetails: details.String, MethodRationale: rationale.String, Tenderers: -1,
			StartDate: tStart.String, EndDate: tEnd.String, Value: money(tAmount, tCur)}
		if tenderers.Valid {
			c.Tender.Tenderers = int(tenderers.Int32)
		}
	}
	ix, err := s.index(ctx, d, v)
	if err != nil {
		return nil, err
	}
	if r := ix.record(int64(pid)); r >= 0 {
		c.Summary = ix.hit(r)
	}
	names := map[string]string{}
	each := func(what, q string, row func(*sql.Rows) error) error {
		rows, err := db.QueryContext(ctx, q, ds, vn, pid)
		if err != nil {
			return fmt.Errorf("read process %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return fmt.Errorf("read process %s: %w", what, err)
			}
		}
		return rows.Err()
	}
	// The process's parties, each with its entity's resolved name: the
	// names that awards' suppliers are shown by too.
	type partyRow struct {
		p          ContractParty
		ent, roles string
	}
	var parties []partyRow
	err = each("parties", `SELECT coalesce(p.entity_id, ''), coalesce(p.name, ''), coalesce(p.scheme, ''), coalesce(p.identifier, ''), coalesce(p.roles, ''),
			coalesce(e.name, '')
		FROM contract_parties p LEFT JOIN contract_entities e ON e.dataset_id = p.dataset_id AND e.version = p.version AND e.entity_id = p.entity_id
		WHERE p.dataset_id = ? AND p.version = ? AND p.process_id = ? ORDER BY p.party_index`, func(rows *sql.Rows) error {
		var r partyRow
		var name string
		if err := rows.Scan(&r.ent, &r.p.Name, &r.p.Scheme, &r.p.Identifier, &r.roles, &name); err != nil {
			return err
		}
		if r.ent != "" {
			names[r.ent] = name
		}
		parties = append(parties, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	party := func(entity, raw string) PartyRef {
		if entity == "" {
			return PartyRef{Name: raw}
		}
		n := names[entity]
		if n == "" {
			n = raw
		}
		return PartyRef{Entity: entity, Name: n}
	}
	for _, r := range parties {
		r.p.Entity, r.p.Roles = party(r.ent, r.p.Name), splitList(r.roles)
		c.Parties = append(c.Parties, r.p)
	}
	suppliers := map[int32][]PartyRef{}
	err = each("suppliers", `SELECT award_index, coalesce(entity_id, ''), coalesce(name, '') FROM contract_award_suppliers
		WHERE dataset_id = ? AND version = ? AND process_id = ? ORDER BY award_index`, func(rows *sql.Rows) error {
		var i int32
		var ent, name string
		if err := rows.Scan(&i, &ent, &name); err != nil {
			return err
		}
		suppliers[i] = append(suppliers[i], party(ent, name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each("awards", `SELECT award_index, coalesce(award_id, ''), coalesce(title, ''), coalesce(status, ''), coalesce(CAST(date AS VARCHAR), ''),
		CAST(amount AS VARCHAR), currency, coalesce(pointer, '') FROM contract_awards WHERE dataset_id = ? AND version = ? AND process_id = ? ORDER BY award_index`,
		func(rows *sql.Rows) error {
			var a Award
			var i int32
			var amt, cur sql.NullString
			if err := rows.Scan(&i, &a.ID, &a.Title, &a.Status, &a.Date, &amt, &cur, &a.Pointer); err != nil {
				return err
			}
			a.Value, a.Suppliers = money(amt, cur), suppliers[i]
			c.Awards = append(c.Awards, a)
			return nil
		})
	if err != nil {
		return nil, err
	}
	amendments := map[string][]Amendment{}
	err = each("amendments", `SELECT coalesce(contract_id, ''), coalesce(amendment_id, ''), coalesce(CAST(date AS VARCHAR), ''), coalesce(rationale, ''), coalesce(description, ''),
		CAST(amount_before AS VARCHAR), CAST(amount_after AS VARCHAR), currency, coalesce(pointer, '') FROM contract_amendments
		WHERE dataset_id = ? AND version = ? AND process_id = ? ORDER BY date NULLS LAST, pointer`, func(rows *sql.Rows) error {
		var a Amendment
		var cid string
		var before, after, cur sql.NullString
		if err := rows.Scan(&cid, &a.ID, &a.Date, &a.Rationale, &a.Description, &before, &after, &cur, &a.Pointer); err != nil {
			return err
		}
		a.ValueBefore, a.ValueAfter = money(before, cur), money(after, cur)
		amendments[cid] = append(amendments[cid], a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each("contracts", `SELECT coalesce(contract_id, ''), coalesce(award_id, ''), coalesce(supplier_entity, ''), coalesce(title, ''), coalesce(status, ''),
		coalesce(CAST(date_signed AS VARCHAR), ''), coalesce(CAST(start_date AS VARCHAR), ''), coalesce(CAST(end_date AS VARCHAR), ''),
		CAST(amount AS VARCHAR), currency, CAST(initial_amount AS VARCHAR), initial_currency, coalesce(pointer, '')
		FROM contract_contracts WHERE dataset_id = ? AND version = ? AND process_id = ? ORDER BY contract_index`, func(rows *sql.Rows) error {
		var k Contract
		var sup string
		var amt, cur, iamt, icur sql.NullString
		if err := rows.Scan(&k.ID, &k.AwardID, &sup, &k.Title, &k.Status, &k.DateSigned, &k.StartDate, &k.EndDate, &amt, &cur, &iamt, &icur, &k.Pointer); err != nil {
			return err
		}
		k.Value, k.InitialValue = money(amt, cur), money(iamt, icur)
		if sup != "" {
			k.Supplier = party(sup, "")
		}
		k.Amendments = amendments[k.ID]
		c.Contracts = append(c.Contracts, k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each("items", `SELECT parent, coalesce(parent_id, ''), coalesce(item_id, ''), coalesce(description, ''), coalesce(scheme, ''), coalesce(classification, ''),
		coalesce(quantity, ''), coalesce(unit, ''), CAST(unit_amount AS VARCHAR), unit_currency, coalesce(pointer, '')
		FROM contract_items WHERE dataset_id = ? AND version = ? AND process_id = ? ORDER BY pointer`, func(rows *sql.Rows) error {
		var it Item
		var amt, cur sql.NullString
		if err := rows.Scan(&it.Parent, &it.ParentID, &it.ID, &it.Description, &it.Scheme, &it.Classification, &it.Quantity, &it.Unit, &amt, &cur, &it.Pointer); err != nil {
			return err
		}
		it.UnitValue = money(amt, cur)
		c.Items = append(c.Items, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each("budget", `SELECT coalesce(budget_id, ''), coalesce(description, ''), coalesce(project, ''), coalesce(project_id, ''), coalesce(uri, ''),
		CAST(amount AS VARCHAR), currency FROM contract_budget WHERE dataset_id = ? AND version = ? AND process_id = ? ORDER BY pointer`, func(rows *sql.Rows) error {
		var b BudgetLink
		var amt, cur sql.NullString
		if err := rows.Scan(&b.ID, &b.Description, &b.Project, &b.ProjectID, &b.URI, &amt, &cur); err != nil {
			return err
		}
		b.Amount = money(amt, cur)
		c.Budget = append(c.Budget, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func money(amount, currency sql.NullString) Money {
	if !amount.Valid {
		return Money{}
	}
	return Money{Amount: trimAmount(amount.String, currency.String), Currency: currency.String}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
