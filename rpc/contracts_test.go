package rpc_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/ocds"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// contractsEnv is a real server with ContractService over db, and a client
// per protocol.
type contractsEnv struct {
	db      *store.DB
	svc     *contracts.Service
	clients []contractsClient
	logs    *syncBuffer
}

type contractsClient struct {
	name string
	c    mizanv1connect.ContractServiceClient
}

func newContractsEnv(t *testing.T, db *store.DB) *contractsEnv {
	t.Helper()
	svc := contracts.NewService(db, contracts.ServiceOptions{})
	q := query.NewService(db, query.NewDuckDB(db), query.Options{})
	logs := &syncBuffer{}
	srv, err := rpc.NewServer(rpc.Options{
		Catalog:   db,
		Query:     q,
		Contracts: svc,
		Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, srv)
	h1, h2 := http1Client(), h2cClient()
	t.Cleanup(func() {
		h1.CloseIdleConnections()
		h2.CloseIdleConnections()
		if t.Failed() {
			t.Logf("server log:\n%s", lastLines(logs.String(), 40))
		}
	})
	e := &contractsEnv{db: db, svc: svc, logs: logs}
	for _, p := range []struct {
		name string
		hc   *http.Client
		opts []connect.ClientOption
	}{
		{"connect+json/http1.1", h1, []connect.ClientOption{connect.WithProtoJSON()}},
		{"connect+proto/h2c", h2, nil},
		{"grpc/h2c", h2, []connect.ClientOption{connect.WithGRPC()}},
		{"grpc-web/http1.1", h1, []connect.ClientOption{connect.WithGRPCWeb()}},
	} {
		e.clients = append(e.clients, contractsClient{p.name, mizanv1connect.NewContractServiceClient(p.hc, url, p.opts...)})
	}
	return e
}

// arabicStore is a store holding the Arabic OCDS fixture of package
// contracts as dataset "ar-fixture".
func arabicStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{Dir: t.TempDir(), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := contracts.Ingest(context.Background(), db, []string{"../contracts/testdata/arabic.json"},
		contracts.Options{Dataset: mizan.Dataset{ID: "ar-fixture", Title: mizan.Text{"en": "Arabic fixture"}}}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestContractsArabicRPC(t *testing.T) {
	e := newContractsEnv(t, arabicStore(t))
	ctx := context.Background()
	want := ocds.NormalizeName("مؤسسة النور للتجارة")
	for _, cl := range e.clients {
		t.Run(cl.name, func(t *testing.T) {
			// "موسسه" (no hamza, heh for ta marbuta) finds both spellings.
			res, err := cl.c.SearchContracts(ctx, connect.NewRequest(&mizanv1.SearchContractsRequest{Query: "موسسه"}))
			if err != nil {
				t.Fatal(err)
			}
			r := res.Msg
			if r.GetTotalCount() != 2 || len(r.GetResults()) != 2 {
				t.Fatalf("موسسه: %d results, total %d, want 2", len(r.GetResults()), r.GetTotalCount())
			}
			for _, h := range r.GetResults() {
				if len(h.GetSuppliers()) != 1 || h.GetSuppliers()[0].GetEntity() != "name:"+want || h.GetKind() != mizanv1.RecordKind_RECORD_KIND_PROCESS {
					t.Errorf("hit %s: suppliers %v kind %v", h.GetOcid(), h.GetSuppliers(), h.GetKind())
				}
			}
			if len(r.GetDatasets()) != 1 || r.GetDatasets()[0].GetId() != "ar-fixture" || r.GetDatasets()[0].GetVersion() != 1 {
				t.Errorf("datasets searched: %v", r.GetDatasets())
			}
			// Party and contract detail through the API.
			p, err := cl.c.GetParty(ctx, connect.NewRequest(&mizanv1.GetPartyRequest{Dataset: &mizanv1.DatasetVersion{Id: "ar-fixture"}, Entity: "name:" + want}))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Msg.GetParty(); got.GetRole() != "supplier" || len(got.GetSpellings()) != 2 || got.GetRecords() != 2 {
				t.Errorf("party: %v", got)
			}
			c, err := cl.c.GetContract(ctx, connect.NewRequest(&mizanv1.GetContractRequest{Dataset: &mizanv1.DatasetVersion{Id: "ar-fixture"}, Ocid: "ocds-test-ar-002"}))
			if err != nil {
				t.Fatal(err)
			}
			d := c.Msg.GetContract()
			if d.GetTender().GetMethodRationale() != "حالة طارئة" || len(d.GetAwards()) != 1 || d.GetAwards()[0].GetValue().GetAmount() != "900.00" ||
				d.GetSummary().GetCompetitive() || d.GetSummary().Competitive == nil {
				t.Errorf("contract: %v", d)
			}
			// Errors name the field and carry the right code.
			for _, tc := range []struct {
				req   *mizanv1.SearchContractsRequest
				field string
			}{
				{&mizanv1.SearchContractsRequest{MinAmount: "ten"}, "min_amount"},
				{&mizanv1.SearchContractsRequest{DateFrom: "2024-13-01"}, "date_from"},
				{&mizanv1.SearchContractsRequest{Sort: "title"}, "sort"},
				{&mizanv1.SearchContractsRequest{PageToken: "!!"}, "page_token"},
				{&mizanv1.SearchContractsRequest{PageSize: 501}, "page_size"},
				{&mizanv1.SearchContractsRequest{Kinds: []mizanv1.RecordKind{mizanv1.RecordKind_RECORD_KIND_AWARD}}, "kinds"},
			} {
				_, err := cl.c.SearchContracts(ctx, connect.NewRequest(tc.req))
				var ce *connect.Error
				if !errors.As(err, &ce) || ce.Code() != connect.CodeInvalidArgument || !strings.Contains(ce.Message(), tc.field) {
					t.Errorf("%v: %v, want InvalidArgument naming %s", tc.req, err, tc.field)
				}
			}
			_, err = cl.c.GetParty(ctx, connect.NewRequest(&mizanv1.GetPartyRequest{Dataset: &mizanv1.DatasetVersion{Id: "ar-fixture"}, Entity: "name:nobody"}))
			if connect.CodeOf(err) != connect.CodeNotFound {
				t.Errorf("unknown party: %v", err)
			}
		})
	}
}
