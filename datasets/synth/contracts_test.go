package synth

import (
	"context"
	"testing"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/store"
)

// contractsDigest summarises every generated table in one row of text, so
// two runs can be compared.
const contractsDigest = `SELECT
	(SELECT count(*) || '/' || sum(hash(process_id, ocid, buyer_entity, method, tenderers, tender_start, tender_end, CAST(tender_amount AS VARCHAR), CAST(amount AS VARCHAR))) FROM contract_processes WHERE dataset_id = $1),
	(SELECT count(*) || '/' || sum(hash(process_id, entity_id)) FROM contract_tenderers WHERE dataset_id = $1),
	(SELECT count(*) || '/' || sum(hash(process_id, amendment_id, CAST(amount_before AS VARCHAR), CAST(amount_after AS VARCHAR))) FROM contract_amendments WHERE dataset_id = $1),
	(SELECT count(*) || '/' || sum(hash(entity_id, name, processes)) FROM contract_entities WHERE dataset_id = $1)`

func TestWriteContracts(t *testing.T) {
	ctx := context.Background()
	digest := func(seed uint64) (*ContractsSummary, [4]string, *store.DB) {
		db, err := store.Open(ctx, store.Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		sum, err := WriteContracts(ctx, db, ContractsConfig{Processes: 5000, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		var d [4]string
		if err := db.SQL.QueryRowContext(ctx, contractsDigest, DefaultContractsID).Scan(&d[0], &d[1], &d[2], &d[3]); err != nil {
			t.Fatal(err)
		}
		return sum, d, db
	}
	sum, a, db := digest(7)
	_, b, _ := digest(7)
	_, c, _ := digest(8)
	if a != b {
		t.Errorf("same seed, different rows:\n%v\n%v", a, b)
	}
	if a == c {
		t.Errorf("another seed gave the same rows: %v", a)
	}

	ds, v, err := db.ResolveVersion(ctx, DefaultContractsID, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Kind != mizan.KindContracts || !ds.Synthetic || v.Number != 1 || len(v.Sources) != 1 {
		t.Fatalf("catalog: %+v %+v", ds, v)
	}
	// The tables agree with each other and with the summary.
	checks := []struct {
		what string
		sql  string
		want int64
	}{
		{"processes", `SELECT count(*) FROM contract_processes WHERE dataset_id = $1`, sum.Processes},
		{"awards", `SELECT count(*) FROM contract_awards WHERE dataset_id = $1`, sum.Processes},
		{"contracts", `SELECT count(*) FROM contract_contracts WHERE dataset_id = $1`, sum.Processes},
		{"award suppliers", `SELECT count(*) FROM contract_award_suppliers WHERE dataset_id = $1`, sum.Processes},
		{"tenderer rows = numberOfTenderers of competitive processes", `SELECT count(*) FROM contract_tenderers WHERE dataset_id = $1`, sum.Tenderers},
		{"amendment rows = contracts' amendments", `SELECT count(*) FROM contract_amendments WHERE dataset_id = $1`, sum.Amendments},
		{"amendment rows by contracts' count", `SELECT sum(amendments) FROM contract_contracts WHERE dataset_id = $1`, sum.Amendments},
		{"entities", `SELECT count(*) FROM contract_entities WHERE dataset_id = $1`,
			mustCount(t, db, `SELECT count(DISTINCT buyer_entity) + (SELECT count(DISTINCT entity_id) FROM contract_award_suppliers WHERE dataset_id = $1) FROM contract_processes WHERE dataset_id = $1`)},
		{"every party an entity", `SELECT count(*) FROM contract_parties p LEFT JOIN contract_entities e USING (dataset_id, version, entity_id) WHERE p.dataset_id = $1 AND e.entity_id IS NULL`, 0},
		{"amendment chains start at the initial value and end at the contract's", `SELECT count(*) FROM contract_contracts c JOIN contract_amendments a
			ON a.dataset_id = c.dataset_id AND a.process_id = c.process_id
			WHERE c.dataset_id = $1 AND (a.amendment_id = '1' AND a.amount_before <> c.initial_amount OR a.amendment_id = CAST(c.amendments AS VARCHAR) AND a.amount_after <> c.amount)`, 0},
		{"winners among the tenderers", `SELECT count(*) FROM contract_processes p JOIN contract_award_suppliers s USING (dataset_id, version, process_id)
			WHERE p.dataset_id = $1 AND p.competitive AND NOT EXISTS (SELECT 1 FROM contract_tenderers t WHERE t.dataset_id = $1 AND t.process_id = p.process_id AND t.entity_id = s.entity_id)`, 0},
		{"tender periods of 5 to 60 days", `SELECT count(*) FROM contract_processes WHERE dataset_id = $1 AND NOT date_diff('day', tender_start, tender_end) BETWEEN 5 AND 60`, 0},
	}
	for _, c := range checks {
		if got := mustCount(t, db, c.sql); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	// Every kind of procedure and of red flag is represented.
	for _, q := range []string{
		`SELECT count(*) FROM contract_processes WHERE dataset_id = $1 AND method = 'direct'`,
		`SELECT count(*) FROM contract_processes WHERE dataset_id = $1 AND competitive AND tenderers = 1`,
		`SELECT count(*) FROM contract_processes WHERE dataset_id = $1 AND date_diff('day', tender_start, tender_end) < 15`,
		`SELECT count(*) FROM contract_processes WHERE dataset_id = $1 AND amount > tender_amount * 1.2`,
		`SELECT count(*) FROM contract_contracts WHERE dataset_id = $1 AND amount > initial_amount * 1.15`,
		`SELECT count(*) FROM contract_contracts WHERE dataset_id = $1 AND amount >= 22500 AND amount < 25000`,
	} {
		if mustCount(t, db, q) == 0 {
			t.Errorf("none: %s", q)
		}
	}
	if _, err := WriteContracts(ctx, db, ContractsConfig{Processes: 10, Currency: "xts"}); mizan.ErrorCode(err) != mizan.EINVALID {
		t.Errorf("lower-case currency: %v", err)
	}
}

func mustCount(t *testing.T, db *store.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.SQL.QueryRow(q, DefaultContractsID).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
