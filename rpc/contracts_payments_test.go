package rpc_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/flags"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/ocds"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
)

// paymentsCSV is a small spending file with spelling variants of one
// supplier and repeated payments (same payer, payee, date and amount).
const paymentsCSV = `Date,Payer,Supplier,Service Area,Expense Type,Transaction,Amount
2021-01-05,Test Council,ACME LTD,Highways,Road Repairs,T1,1200.00
2021-01-05,Test Council,ACME LTD,Highways,Road Repairs,T2,1200.00
2021-01-05,Test Council,Acme Limited,Highways,Road Repairs,T3,1200.00
2021-02-10,Test Council,Acme Limited,Parks,Tree Surgery,T4,830.50
2021-03-31,Test Council,مؤسسة النور للتجارة,Libraries,Books,T5,99.99
2021-03-31,Test Council,موسسه النور للتجاره,Libraries,Books,T6,99.99
2021-04-01,Borough Trust,Beta Services,Social Care,Care Fees,T7,25000.00
2021-04-01,Borough Trust,Beta Services,Social Care,Care Fees,T8,25000.00
2021-04-02,Borough Trust,Beta Services,Social Care,Care Fees,T9,24999.99
`

// paymentsStore ingests paymentsCSV as dataset "test-payments" next to
// the Arabic OCDS fixture.
func paymentsStore(t *testing.T) (*contractsEnv, [][]string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "payments.csv"), []byte(paymentsCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(paymentsCSV))
	desc := fmt.Sprintf(`id: test-payments
kind: payments
title: {en: Test payments}
currency: GBP
language: en
dimensions:
  - {id: buyer, kind: attribute, label: {en: Payer}, levels: [{id: buyer, label: {en: Payer}}]}
  - {id: supplier, kind: attribute, label: {en: Supplier}, levels: [{id: supplier, label: {en: Supplier}}]}
  - {id: service_area, kind: attribute, label: {en: Service area}, levels: [{id: service_area, label: {en: Service area}}]}
  - {id: expense_type, kind: attribute, label: {en: Expense type}, levels: [{id: expense_type, label: {en: Expense type}}]}
  - {id: transaction, kind: attribute, label: {en: Transaction}, levels: [{id: transaction, label: {en: Transaction}}]}
defaults:
  format: csv
  encoding: utf-8
  delimiter: ","
  header_row: 1
  number: {decimal: "."}
  mapping:
    date: {column: Date, format: Y-m-d}
    year: {from: date}
    phase: {value: paid}
    direction: {value: expenditure}
    amount: {column: Amount}
    dimensions:
      buyer: [{level: buyer, label: Payer}]
      supplier: [{level: supplier, label: Supplier}]
      service_area: [{level: service_area, label: Service Area}]
      expense_type: [{level: expense_type, label: Expense Type}]
      transaction: [{level: transaction, code: Transaction}]
sources:
  - name: payments.csv
    sha256: %s
`, hex.EncodeToString(sum[:]))
	if err := os.WriteFile(filepath.Join(dir, "test-payments.yaml"), []byte(desc), 0o644); err != nil {
		t.Fatal(err)
	}
	db := arabicStore(t)
	d, err := ingest.Load(filepath.Join(dir, "test-payments.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Ingest(context.Background(), db, d, ingest.Options{From: dir}); err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(paymentsCSV), "\n")[1:] {
		rows = append(rows, strings.Split(l, ","))
	}
	fl := flags.NewService(db)
	svc := contracts.NewService(db, contracts.ServiceOptions{Flags: fl})
	logs := &syncBuffer{}
	srv, err := rpc.NewServer(rpc.Options{
		Catalog:   db,
		Query:     query.NewService(db, query.NewDuckDB(db), query.Options{}),
		Contracts: svc,
		Flags:     fl,
		Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, srv)
	h2 := h2cClient()
	t.Cleanup(func() {
		h2.CloseIdleConnections()
		if t.Failed() {
			t.Logf("server log:\n%s", lastLines(logs.String(), 40))
		}
	})
	e := &contractsEnv{db: db, svc: svc, logs: logs}
	e.clients = append(e.clients, contractsClient{"connect+proto/h2c", mizanv1connect.NewContractServiceClient(h2, url)})
	return e, rows
}

func TestContractsPaymentsRPC(t *testing.T) {
	e, rows := paymentsStore(t)
	c := e.clients[0].c
	ctx := context.Background()
	// Across both datasets: "موسسه" finds the Arabic processes and payments.
	res, err := c.SearchContracts(ctx, connect.NewRequest(&mizanv1.SearchContractsRequest{Query: "موسسه", PageSize: 1}))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int64{}
	for _, f := range res.Msg.GetFacets() {
		if f.GetName() == "kind" {
			for _, v := range f.GetValues() {
				kinds[v.GetKey()] = v.GetCount()
			}
		}
	}
	if res.Msg.GetTotalCount() != 4 || kinds["process"] != 2 || kinds["payment"] != 2 {
		t.Fatalf("موسسه: total %d, kinds %v", res.Msg.GetTotalCount(), kinds)
	}
	// Paging with tokens returns each record once, in amount order, over
	// the versions the first page pinned.
	seen := map[string]bool{}
	req := &mizanv1.SearchContractsRequest{Query: "موسسه", PageSize: 1}
	for {
		r, err := c.SearchContracts(ctx, connect.NewRequest(req))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range r.Msg.GetResults() {
			k := fmt.Sprintf("%s/%d", h.GetDataset().GetId(), h.GetRecordId())
			if seen[k] {
				t.Fatalf("%s twice", k)
			}
			seen[k] = true
		}
		if r.Msg.GetNextPageToken() == "" {
			break
		}
		req.PageToken = r.Msg.GetNextPageToken()
	}
	if len(seen) != 4 {
		t.Fatalf("pages gave %d records, want 4", len(seen))
	}
	// A token used with another query is refused.
	req.Query = "acme"
	if _, err := c.SearchContracts(ctx, connect.NewRequest(req)); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("token of another query: %v", err)
	}

	// Spellings of one supplier are one party.
	acme := "name:" + ocds.NormalizeName("ACME LTD")
	var acmeRows, acmeNames = 0, map[string]bool{}
	for _, r := range rows {
		if ocds.NormalizeName(r[2]) == ocds.NormalizeName("ACME LTD") {
			acmeRows++
			acmeNames[r[2]] = true
		}
	}
	res, err = c.SearchContracts(ctx, connect.NewRequest(&mizanv1.SearchContractsRequest{Suppliers: []string{acme}}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Msg.GetTotalCount() != int64(acmeRows) {
		t.Errorf("supplier %s: %d records, want %d", acme, res.Msg.GetTotalCount(), acmeRows)
	}
	p, err := c.GetParty(ctx, connect.NewRequest(&mizanv1.GetPartyRequest{Dataset: &mizanv1.DatasetVersion{Id: "test-payments"}, Entity: acme}))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range acmeNames {
		names = append(names, n)
	}
	sort.Strings(names)
	if got := p.Msg.GetParty(); !slices.Equal(got.GetSpellings(), names) || got.GetRecords() != int64(acmeRows) || len(got.GetTopPayments()) != acmeRows {
		t.Errorf("party %s: %v", acme, got)
	}

	// Duplicate payments: groups of rows with the same payer, payee, date
	// and amount, counted here.
	groups := map[string][]int{}
	for i, r := range rows {
		k := strings.Join([]string{r[1], r[2], r[0], r[6]}, "|")
		groups[k] = append(groups[k], i+1) // row_id is 1-based, in file order
	}
	dupRows, dupGroups := 0, 0
	for _, g := range groups {
		if len(g) > 1 {
			dupRows += len(g)
			dupGroups++
		}
	}
	lf, err := c.ListRedFlags(ctx, connect.NewRequest(&mizanv1.ListRedFlagsRequest{Dataset: &mizanv1.DatasetVersion{Id: "test-payments"}, Codes: []string{flags.DuplicatePayment}}))
	if err != nil {
		t.Fatal(err)
	}
	if lf.Msg.GetTotalCount() != int64(dupGroups) || lf.Msg.GetParams()["duplicate_min_amount"] == "" {
		t.Errorf("duplicate_payment flags: %d, want %d; params %v", lf.Msg.GetTotalCount(), dupGroups, lf.Msg.GetParams())
	}
	for _, f := range lf.Msg.GetFlags() {
		for _, ev := range f.GetEvidence() {
			if ev.GetRecordId() < 1 || ev.GetSource().GetRow() < 2 || ev.GetKind() != mizanv1.RecordKind_RECORD_KIND_PAYMENT {
				t.Errorf("evidence %v", ev)
			}
		}
		if !strings.HasPrefix(f.GetSupplier().GetEntity(), "name:") {
			t.Errorf("flag supplier %v", f.GetSupplier())
		}
	}
	res, err = c.SearchContracts(ctx, connect.NewRequest(&mizanv1.SearchContractsRequest{Flags: []string{flags.DuplicatePayment}}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Msg.GetTotalCount() != int64(dupRows) {
		t.Errorf("search with flag duplicate_payment: %d records, want %d", res.Msg.GetTotalCount(), dupRows)
	}
	for _, h := range res.Msg.GetResults() {
		if !slices.Contains(h.GetFlags(), flags.DuplicatePayment) {
			t.Errorf("hit %d without the flag: %v", h.GetRecordId(), h.GetFlags())
		}
	}
	// The party filter on flags takes the entity, whichever spelling.
	lf, err = c.ListRedFlags(ctx, connect.NewRequest(&mizanv1.ListRedFlagsRequest{Dataset: &mizanv1.DatasetVersion{Id: "test-payments"}, Supplier: acme,
		Codes: []string{flags.DuplicatePayment}}))
	if err != nil || lf.Msg.GetTotalCount() != 1 {
		t.Errorf("acme's duplicate flags: %v %v", lf, err)
	}
	// Parameters: overridden by name, validated with the field named.
	lf, err = c.ListRedFlags(ctx, connect.NewRequest(&mizanv1.ListRedFlagsRequest{Dataset: &mizanv1.DatasetVersion{Id: "test-payments"},
		Codes: []string{flags.DuplicatePayment}, Params: map[string]string{"duplicate_min_amount": "5000"}}))
	if err != nil || lf.Msg.GetTotalCount() != 1 || lf.Msg.GetParams()["duplicate_min_amount"] != "5000" {
		t.Errorf("duplicate_min_amount 5000: %v %v", lf, err)
	}
	for _, params := range []map[string]string{{"no_such": "1"}, {"short_tender_days": "many"}, {"split_margin": "7"}} {
		_, err := c.ListRedFlags(ctx, connect.NewRequest(&mizanv1.ListRedFlagsRequest{Dataset: &mizanv1.DatasetVersion{Id: "test-payments"}, Params: params}))
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "params") {
			t.Errorf("params %v: %v", params, err)
		}
	}
	defs, err := c.ListRedFlagDefinitions(ctx, connect.NewRequest(&mizanv1.ListRedFlagDefinitionsRequest{}))
	if err != nil || len(defs.Msg.GetDefinitions()) != len(flags.Definitions()) {
		t.Fatalf("definitions: %v", err)
	}
	// The party profile carries its flags.
	p, err = c.GetParty(ctx, connect.NewRequest(&mizanv1.GetPartyRequest{Dataset: &mizanv1.DatasetVersion{Id: "test-payments"}, Entity: acme}))
	if err != nil || p.Msg.GetParty().GetFlagCounts()[flags.DuplicatePayment] != 1 {
		t.Errorf("party flags: %v %v", p.Msg.GetParty().GetFlagCounts(), err)
	}
}
