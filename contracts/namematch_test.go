package contracts

import (
	"context"
	"math/big"
	"slices"
	"sort"
	"testing"

	"github.com/mizan-budget/mizan/ocds"
	"github.com/mizan-budget/mizan/store"
)

// TestNameMatchBothWays checks that a payee of Manchester's payments and a
// supplier of Canada's contracts with the same normalised name see each
// other: the payee's profile lists the supplier's largest contracts, and
// the supplier's lists the payee's payments, all marked as name matches.
// The expected contracts come from a plain join in the test.
func TestNameMatchBothWays(t *testing.T) {
	rs := realStore(t)
	ctx := context.Background()
	rows, err := rs.db.SQL.Query(`SELECT DISTINCT supplier FROM ` + store.FactsTable(manchesterID, 1) + ` WHERE supplier IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	payees := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		payees[ocds.NormalizeName(k)] = true
	}
	rows.Close()
	// Canada's contracts by their supplier's normalised name.
	type contract struct{ ocid, amount string }
	byName := map[string][]contract{}
	entityOf := map[string]string{}
	rows, err = rs.db.SQL.Query(`SELECT e.norm_name, e.entity_id, p.ocid, CAST(c.amount AS VARCHAR) FROM contract_contracts c
		JOIN contract_processes p ON p.dataset_id = c.dataset_id AND p.version = c.version AND p.process_id = c.process_id
		JOIN contract_entities e ON e.dataset_id = c.dataset_id AND e.version = c.version AND e.entity_id = c.supplier_entity
		WHERE c.dataset_id = ? AND c.amount IS NOT NULL`, canadaID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var norm, ent string
		var c contract
		if err := rows.Scan(&norm, &ent, &c.ocid, &c.amount); err != nil {
			t.Fatal(err)
		}
		if payees[norm] {
			byName[norm] = append(byName[norm], c)
			entityOf[norm] = ent
		}
	}
	rows.Close()
	if len(byName) < 5 {
		t.Fatalf("only %d names shared by Manchester's payees and Canada's suppliers", len(byName))
	}
	rat := func(s string) *big.Rat {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("amount %q", s)
		}
		return r
	}
	for norm, cs := range byName {
		sort.SliceStable(cs, func(i, j int) bool { return rat(cs[i].amount).Cmp(rat(cs[j].amount)) > 0 })
		want := cs[:min(len(cs), TopRecords)]
		p, err := rs.svc.GetParty(ctx, manchesterID, 0, ocds.NameKey(norm), false)
		if err != nil {
			t.Fatalf("payee %q: %v", norm, err)
		}
		if len(p.TopContracts) != len(want) {
			t.Errorf("payee %q: %d contracts, want %d", norm, len(p.TopContracts), len(want))
			continue
		}
		for i, c := range p.TopContracts {
			if !c.NameMatch || c.Dataset.Dataset != canadaID || c.Kind != KindContract || rat(c.Amount).Cmp(rat(want[i].amount)) != 0 {
				t.Errorf("payee %q contract %d: %+v, want %s of %s, a name match", norm, i, c, want[i].amount, canadaID)
			}
		}
		// The other way: the supplier's profile shows the payee's payments.
		q, err := rs.svc.GetParty(ctx, canadaID, 0, entityOf[norm], false)
		if err != nil {
			t.Fatalf("supplier %q: %v", norm, err)
		}
		if q.Role == RoleSupplier && !slices.ContainsFunc(q.TopPayments, func(r PartyRecord) bool { return r.NameMatch && r.Dataset.Dataset == manchesterID }) {
			t.Errorf("supplier %q: no Manchester payment among %d", norm, len(q.TopPayments))
		}
	}
	t.Logf("%d names shared by payees and suppliers", len(byName))
}
