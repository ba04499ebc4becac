package rpc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// accessEnv is a real server over a real database file, with tokens of
// every scope and uploads enabled.
type accessEnv struct {
	db        *store.DB
	url       string
	hc        *http.Client
	uploadDir string
	tokens    map[string]string // token name → text
}

// accessTokens are the tokens every accessEnv has, by name.
var accessTokens = map[string][]string{
	"ingester":  {store.ScopeIngest},
	"publisher": {store.ScopePublish},
	"deleter":   {store.ScopeDelete},
	"reader":    {store.ScopeReadDrafts},
}

// testIngester runs uploads through the same ingests as the command line
// (cmd/mizan wires the same two calls).
type testIngester struct{ db *store.DB }

func (ti testIngester) Ingest(ctx context.Context, job rpc.IngestJob) (*rpc.IngestResult, error) {
	status := mizan.StatusPublished
	if job.Draft {
		status = mizan.StatusDraft
	}
	if job.ContractsDataset != "" {
		s, err := contracts.Ingest(ctx, ti.db, job.Files, contracts.Options{Dataset: mizan.Dataset{ID: job.ContractsDataset}, Status: status, Force: job.Force, TempDir: job.Dir})
		if err != nil {
			return nil, err
		}
		return &rpc.IngestResult{Dataset: s.Dataset, Version: s.Version, NoOp: s.NoOp, Status: s.Status, Summary: s}, nil
	}
	d, err := ingest.Load(job.Descriptor)
	if err != nil {
		return nil, err
	}
	refuse := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, mizan.Errorf(mizan.EINVALID, "%s was not uploaded: the server never downloads", r.URL)
	})}
	s, err := ingest.Ingest(ctx, ti.db, d, ingest.Options{Status: status, Force: job.Force, HTTPClient: refuse})
	if err != nil {
		return nil, err
	}
	return &rpc.IngestResult{Dataset: s.Dataset, Version: s.Version, NoOp: s.NoOp, Status: s.Status, Summary: s}, nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func newAccessEnv(t *testing.T, edit func(*rpc.Options)) *accessEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ts := store.NewTokens(db)
	e := &accessEnv{db: db, uploadDir: t.TempDir(), tokens: map[string]string{}}
	for name, scopes := range accessTokens {
		secret, _, err := ts.CreateToken(ctx, name, scopes)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[name] = secret
	}
	svc := query.NewService(db, query.NewDuckDB(db), query.Options{})
	opts := rpc.Options{
		Catalog: db, Query: svc, Exporter: svc,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Tokens:    ts,
		Publisher: db,
		Ingester:  testIngester{db: db},
		UploadDir: e.uploadDir,
	}
	if edit != nil {
		edit(&opts)
	}
	srv, err := rpc.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.url = serve(t, srv)
	e.hc = h2cClient()
	t.Cleanup(e.hc.CloseIdleConnections)
	return e
}

// bearerToken is a client interceptor sending a token.
type bearerToken string

func (b bearerToken) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if b != "" {
			req.Header().Set("Authorization", "Bearer "+string(b))
		}
		return next(ctx, req)
	}
}

func (b bearerToken) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if b != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		}
		return conn
	}
}

func (b bearerToken) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// accessClients are the API's clients calling with one token ("" for none).
type accessClients struct {
	cat   mizanv1connect.CatalogServiceClient
	q     mizanv1connect.QueryServiceClient
	admin mizanv1connect.AdminServiceClient
	ing   mizanv1connect.IngestServiceClient
}

func (e *accessEnv) as(token string) accessClients {
	o := connect.WithInterceptors(bearerToken(token))
	return accessClients{
		cat:   mizanv1connect.NewCatalogServiceClient(e.hc, e.url, o),
		q:     mizanv1connect.NewQueryServiceClient(e.hc, e.url, o),
		admin: mizanv1connect.NewAdminServiceClient(e.hc, e.url, o),
		ing:   mizanv1connect.NewIngestServiceClient(e.hc, e.url, o),
	}
}

// upFile is a file of a test upload; the declared size and sha256 are the
// data's unless set.
type upFile struct {
	name   string
	data   []byte
	size   int64
	sha256 string
}

// sendUpload streams an upload and returns the server's answer.
func sendUpload(ctx context.Context, c mizanv1connect.IngestServiceClient, h *mizanv1.UploadHeader, files []upFile) (*mizanv1.UploadResponse, error) {
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		uf := &mizanv1.UploadFile{Name: f.name, Size: int64(len(f.data)), Sha256: hex.EncodeToString(sum[:])}
		if f.size != 0 {
			uf.Size = f.size
		}
		if f.sha256 != "" {
			uf.Sha256 = f.sha256
		}
		h.Files = append(h.Files, uf)
	}
	stream := c.Upload(ctx)
	msgs := []*mizanv1.UploadRequest{{Part: &mizanv1.UploadRequest_Header{Header: h}}}
	for i, f := range files {
		for off := 0; off < len(f.data); off += 64 << 10 {
			end := min(off+64<<10, len(f.data))
			msgs = append(msgs, &mizanv1.UploadRequest{Part: &mizanv1.UploadRequest_Chunk{Chunk: &mizanv1.UploadChunk{File: int32(i), Data: f.data[off:end]}}})
		}
	}
	for _, m := range msgs {
		if err := stream.Send(m); err != nil {
			if errors.Is(err, io.EOF) {
				break // the server answered early
			}
			return nil, err
		}
	}
	resp, err := stream.CloseAndReceive()
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

// budgetDescriptor is a descriptor of one CSV file of year, ministry and
// amount, in JOD (3 decimals).
func budgetDescriptor(id, csvName string) []byte {
	return fmt.Appendf(nil, `id: %s
title: {en: Access test, ar: اختبار}
country: JO
currency: JOD
dimensions:
  - id: admin
    levels:
      - {id: ministry, label: {en: Ministry}}
sources:
  - name: %s
    mapping:
      year: {column: Year}
      phase: {value: approved}
      direction: {value: expenditure}
      amount: {column: Amount}
      dimensions:
        admin:
          - {level: ministry, label: Ministry}
`, id, csvName)
}

// budgetCSV makes rows of a budget whose amount in fils is a simple
// function of the row and salt, and returns the total in fils.
func budgetCSV(rows int, salt int64) ([]byte, int64) {
	var b bytes.Buffer
	b.WriteString("Year,Ministry,Amount\n")
	var total int64
	for i := 0; i < rows; i++ {
		fils := int64(i)*1237 + salt
		total += fils
		fmt.Fprintf(&b, "%d,Ministry %d,%d.%03d\n", 2020+i%4, i%7, fils/1000, fils%1000)
	}
	return b.Bytes(), total
}

// budgetUpload is the upload of a descriptor and its CSV.
func budgetUpload(id string, csv []byte) []upFile {
	return []upFile{{name: id + ".yaml", data: budgetDescriptor(id, "data/budget.csv")}, {name: "data/budget.csv", data: csv}}
}

func descriptorHeader(name string, draft bool) *mizanv1.UploadHeader {
	return &mizanv1.UploadHeader{Target: &mizanv1.UploadHeader_DescriptorFile{DescriptorFile: name}, Draft: draft}
}

// asDecimal formats an amount in fils as the API's exact decimal string.
func asDecimal(n int64) string { return fmt.Sprintf("%d.%03d", n/1000, n%1000) }

// aggregateTotal returns the version and total an Aggregate answers.
func aggregateTotal(ctx context.Context, c accessClients, dataset string, version int32) (int32, string, error) {
	resp, err := c.q.Aggregate(ctx, connect.NewRequest(&mizanv1.AggregateRequest{Dataset: dataset, Version: version}))
	if err != nil {
		return 0, "", err
	}
	return resp.Msg.GetDatasetVersion(), resp.Msg.GetSummary().GetValues()["amount.sum"], nil
}

func wantCode(t *testing.T, what string, err error, code connect.Code) {
	t.Helper()
	if got := connect.CodeOf(err); err == nil || got != code {
		t.Errorf("%s: %v (code %v), want %v", what, err, got, code)
	}
}

// TestProtectedRPCsNeedTheirScope calls every protected RPC without a
// token, with an invalid one, with tokens of the wrong scopes and with the
// right one.
func TestProtectedRPCsNeedTheirScope(t *testing.T) {
	ctx := context.Background()
	e := newAccessEnv(t, nil)
	csv1, _ := budgetCSV(20, 1)
	csv2, _ := budgetCSV(20, 2)
	calls := []struct {
		name  string
		scope string
		call  func(c accessClients) error
	}{
		{"Upload", "ingester", func(c accessClients) error {
			_, err := sendUpload(ctx, c.ing, descriptorHeader("acc.yaml", true), budgetUpload("acc", csv1))
			return err
		}},
		{"PublishVersion", "publisher", func(c accessClients) error {
			_, err := c.admin.PublishVersion(ctx, connect.NewRequest(&mizanv1.PublishVersionRequest{Dataset: "acc", Version: 1}))
			return err
		}},
		{"Upload another", "ingester", func(c accessClients) error {
			_, err := sendUpload(ctx, c.ing, descriptorHeader("acc.yaml", true), budgetUpload("acc", csv2))
			return err
		}},
		{"DeleteVersion", "deleter", func(c accessClients) error {
			_, err := c.admin.DeleteVersion(ctx, connect.NewRequest(&mizanv1.DeleteVersionRequest{Dataset: "acc", Version: 2}))
			return err
		}},
	}
	for _, tc := range calls {
		wantCode(t, tc.name+" without a token", tc.call(e.as("")), connect.CodeUnauthenticated)
		wantCode(t, tc.name+" with an invalid token", tc.call(e.as(store.TokenPrefix+"not-a-token")), connect.CodeUnauthenticated)
		for name, secret := range e.tokens {
			if name != tc.scope {
				wantCode(t, tc.name+" with the "+name+" token", tc.call(e.as(secret)), connect.CodePermissionDenied)
			}
		}
		if err := tc.call(e.as(e.tokens[tc.scope])); err != nil {
			t.Fatalf("%s with the %s token: %v", tc.name, tc.scope, err)
		}
	}
	// A published version is never deleted, whoever asks.
	_, err := e.as(e.tokens["deleter"]).admin.DeleteVersion(ctx, connect.NewRequest(&mizanv1.DeleteVersionRequest{Dataset: "acc", Version: 1}))
	wantCode(t, "delete a published version", err, connect.CodeFailedPrecondition)
	events, err := e.db.VersionEvents(ctx, "acc")
	if err != nil || len(events) != 2 || events[0].Actor != "token:publisher" || events[1].Actor != "token:deleter" {
		t.Errorf("audit log = %+v, %v", events, err)
	}

	// Every RPC of the admin and ingest services is protected, so that a
	// new one cannot be added without a scope.
	for _, desc := range []protoreflect.FileDescriptor{mizanv1.File_mizan_v1_admin_proto, mizanv1.File_mizan_v1_ingest_proto} {
		for i := 0; i < desc.Services().Len(); i++ {
			s := desc.Services().Get(i)
			for j := 0; j < s.Methods().Len(); j++ {
				proc := fmt.Sprintf("/%s/%s", s.FullName(), s.Methods().Get(j).Name())
				if rpc.RequiredScope(proc) == "" {
					t.Errorf("%s needs no scope", proc)
				}
			}
		}
	}
}

// TestDraftsHiddenFromAnonymousCallers checks every catalog and query RPC:
// drafts are invisible without a token, visible with any valid token, and
// visible to everyone once published.
func TestDraftsHiddenFromAnonymousCallers(t *testing.T) {
	ctx := context.Background()
	e := newAccessEnv(t, nil)
	ingester := e.as(e.tokens["ingester"])
	csvPub, totalPub := budgetCSV(30, 5)
	csvDraft, totalDraft := budgetCSV(40, 9)
	for _, u := range []struct {
		id    string
		csv   []byte
		draft bool
	}{{"acc-mixed", csvPub, false}, {"acc-mixed", csvDraft, true}, {"acc-draft", csvDraft, true}} {
		if _, err := sendUpload(ctx, ingester.ing, descriptorHeader(u.id+".yaml", u.draft), budgetUpload(u.id, u.csv)); err != nil {
			t.Fatal(err)
		}
	}
	anon, reader := e.as(""), e.as(e.tokens["reader"])

	// Every RPC on a dataset version, by name.
	rpcs := map[string]func(c accessClients, dataset string, version int32) error{
		"GetDataset": func(c accessClients, ds string, v int32) error {
			_, err := c.cat.GetDataset(ctx, connect.NewRequest(&mizanv1.GetDatasetRequest{Dataset: ds, Version: v}))
			return err
		},
		"ListMembers": func(c accessClients, ds string, v int32) error {
			_, err := c.cat.ListMembers(ctx, connect.NewRequest(&mizanv1.ListMembersRequest{Dataset: ds, Version: v, Dimension: "admin.ministry"}))
			return err
		},
		"GetIngestReport": func(c accessClients, ds string, v int32) error {
			_, err := c.cat.GetIngestReport(ctx, connect.NewRequest(&mizanv1.GetIngestReportRequest{Dataset: ds, Version: v}))
			return err
		},
		"Aggregate": func(c accessClients, ds string, v int32) error {
			_, _, err := aggregateTotal(ctx, c, ds, v)
			return err
		},
		"Execution": func(c accessClients, ds string, v int32) error {
			_, err := c.q.Execution(ctx, connect.NewRequest(&mizanv1.ExecutionRequest{Dataset: ds, Version: v, Drilldown: []string{"admin.ministry"}}))
			return err
		},
		"Facts": func(c accessClients, ds string, v int32) error {
			_, err := c.q.Facts(ctx, connect.NewRequest(&mizanv1.FactsRequest{Dataset: ds, Version: v}))
			return err
		},
		"Export": func(c accessClients, ds string, v int32) error {
			stream, err := c.q.Export(ctx, connect.NewRequest(&mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV,
				Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: ds, Version: v}}}))
			if err != nil {
				return err
			}
			defer stream.Close()
			for stream.Receive() {
			}
			return stream.Err()
		},
	}
	for name, call := range rpcs {
		wantCode(t, name+" of a draft-only dataset, anonymous", call(anon, "acc-draft", 0), connect.CodeNotFound)
		wantCode(t, name+" of a draft version, anonymous", call(anon, "acc-mixed", 2), connect.CodeNotFound)
		if err := call(anon, "acc-mixed", 1); err != nil {
			t.Errorf("%s of the published version, anonymous: %v", name, err)
		}
		for _, target := range []struct {
			ds string
			v  int32
		}{{"acc-draft", 0}, {"acc-mixed", 2}, {"acc-mixed", 0}} {
			if err := call(reader, target.ds, target.v); err != nil {
				t.Errorf("%s of %s v%d with a token: %v", name, target.ds, target.v, err)
			}
		}
		wantCode(t, name+" with a bad token", call(e.as(store.TokenPrefix+"x"), "acc-mixed", 1), connect.CodeUnauthenticated)
	}

	listed := func(c accessClients) map[string]int32 {
		t.Helper()
		resp, err := c.cat.ListDatasets(ctx, connect.NewRequest(&mizanv1.ListDatasetsRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int32{}
		for _, d := range resp.Msg.GetDatasets() {
			out[d.GetId()] = d.GetLatestVersion()
		}
		return out
	}
	if diff := cmp.Diff(map[string]int32{"acc-mixed": 1}, listed(anon)); diff != "" {
		t.Errorf("anonymous ListDatasets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int32{"acc-mixed": 2, "acc-draft": 1}, listed(reader)); diff != "" {
		t.Errorf("ListDatasets with a token (-want +got):\n%s", diff)
	}
	// The latest version differs by who asks, and so do the totals.
	for _, tc := range []struct {
		who         string
		c           accessClients
		wantVersion int32
		wantTotal   int64
	}{{"anonymous", anon, 1, totalPub}, {"reader", reader, 2, totalDraft}} {
		v, total, err := aggregateTotal(ctx, tc.c, "acc-mixed", 0)
		if err != nil || v != tc.wantVersion || total != asDecimal(tc.wantTotal) {
			t.Errorf("%s: latest acc-mixed = v%d total %s (%v), want v%d total %s", tc.who, v, total, err, tc.wantVersion, asDecimal(tc.wantTotal))
		}
	}
	gd, err := anon.cat.GetDataset(ctx, connect.NewRequest(&mizanv1.GetDatasetRequest{Dataset: "acc-mixed"}))
	if err != nil || len(gd.Msg.GetDataset().GetVersions()) != 1 {
		t.Errorf("anonymous GetDataset lists %d versions (%v), want only the published one", len(gd.Msg.GetDataset().GetVersions()), err)
	}

	// Publishing shows the draft to everyone.
	if _, err := e.as(e.tokens["publisher"]).admin.PublishVersion(ctx, connect.NewRequest(&mizanv1.PublishVersionRequest{Dataset: "acc-draft", Version: 1})); err != nil {
		t.Fatal(err)
	}
	v, total, err := aggregateTotal(ctx, anon, "acc-draft", 0)
	if err != nil || v != 1 || total != asDecimal(totalDraft) {
		t.Errorf("after publish, anonymous acc-draft = v%d %s (%v), want v1 %s", v, total, err, asDecimal(totalDraft))
	}
	for name, call := range rpcs {
		if err := call(anon, "acc-draft", 1); err != nil {
			t.Errorf("%s after publish, anonymous: %v", name, err)
		}
	}
}

// TestUploadIngestsLikeTheCommandLine uploads a descriptor with its CSV
// and real OCDS files, and compares with the same ingests run locally.
func TestUploadIngestsLikeTheCommandLine(t *testing.T) {
	ctx := context.Background()
	e := newAccessEnv(t, nil)
	c := e.as(e.tokens["ingester"])
	local, err := store.Open(ctx, store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()

	csv, total := budgetCSV(500, 3)
	files := budgetUpload("acc-upload", csv)
	resp, err := sendUpload(ctx, c.ing, descriptorHeader("acc-upload.yaml", false), files)
	if err != nil {
		t.Fatal(err)
	}
	var remote ingest.Summary
	decodeSummary(t, resp, &remote)
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d, err := ingest.Load(filepath.Join(dir, "acc-upload.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ingest.Ingest(ctx, local, d, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetDataset() != "acc-upload" || resp.GetDatasetVersion() != 1 || resp.GetNoOp() || resp.GetStatus() != mizan.StatusPublished {
		t.Errorf("response = %v", resp)
	}
	if diff := cmp.Diff(want.Totals, remote.Totals); diff != "" {
		t.Errorf("totals (-local +upload):\n%s", diff)
	}
	if remote.RowsRead != 500 || remote.RowsAccepted != want.RowsAccepted || remote.ContentHash != want.ContentHash || len(remote.Sources) != 1 || remote.Sources[0].SHA256 != want.Sources[0].SHA256 {
		t.Errorf("upload summary: read %d accepted %d hash %s, local: accepted %d hash %s", remote.RowsRead, remote.RowsAccepted, remote.ContentHash, want.RowsAccepted, want.ContentHash)
	}
	if _, got, err := aggregateTotal(ctx, e.as(""), "acc-upload", 0); err != nil || got != asDecimal(total) {
		t.Errorf("stored total %s (%v), want %s", got, err, asDecimal(total))
	}
	// The same files again change nothing.
	again, err := sendUpload(ctx, c.ing, descriptorHeader("acc-upload.yaml", false), files)
	if err != nil || !again.GetNoOp() || again.GetDatasetVersion() != 1 {
		t.Errorf("second upload: %v, %v", again, err)
	}
	assertNoUploadsLeft(t, e)

	// Real OCDS files.
	root := filepath.Join(realSharedRoot, "ocds-real-examples/colombia/sample/releases")
	if _, err := os.Stat(root); err != nil {
		t.Skip("shared datasets not present")
	}
	paths, err := filepath.Glob(filepath.Join(root, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no OCDS files in %s: %v", root, err)
	}
	var ocdsFiles []upFile
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ocdsFiles = append(ocdsFiles, upFile{name: "releases/" + filepath.Base(p), data: b})
	}
	resp, err = sendUpload(ctx, c.ing, &mizanv1.UploadHeader{Target: &mizanv1.UploadHeader_ContractsDataset{ContractsDataset: "acc-contracts"}}, ocdsFiles)
	if err != nil {
		t.Fatal(err)
	}
	var remoteC contracts.Summary
	decodeSummary(t, resp, &remoteC)
	wantC, err := contracts.Ingest(ctx, local, paths, contracts.Options{Dataset: mizan.Dataset{ID: "acc-contracts"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantC.Totals, remoteC.Totals); diff != "" {
		t.Errorf("contract totals (-local +upload):\n%s", diff)
	}
	if remoteC.Releases != wantC.Releases || remoteC.Processes != wantC.Processes || remoteC.Awards != wantC.Awards ||
		remoteC.Contracts != wantC.Contracts || remoteC.Entities != wantC.Entities || remoteC.ContentHash != wantC.ContentHash || remoteC.Releases == 0 {
		t.Errorf("upload: %d releases %d processes %d awards %d contracts %d entities; local: %d %d %d %d %d",
			remoteC.Releases, remoteC.Processes, remoteC.Awards, remoteC.Contracts, remoteC.Entities,
			wantC.Releases, wantC.Processes, wantC.Awards, wantC.Contracts, wantC.Entities)
	}
	assertNoUploadsLeft(t, e)
}

func mustJSON(t *testing.T, m interface{ MarshalJSON() ([]byte, error) }) []byte {
	t.Helper()
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeSummary reads an upload's summary into the ingest's own type.
func decodeSummary(t *testing.T, resp *mizanv1.UploadResponse, into any) {
	t.Helper()
	b := mustJSON(t, resp.GetSummary())
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("summary: %v\n%s", err, b)
	}
}

// assertNoUploadsLeft checks that the staging directory is empty.
func assertNoUploadsLeft(t *testing.T, e *accessEnv) {
	t.Helper()
	left, err := os.ReadDir(e.uploadDir)
	if err != nil || len(left) != 0 {
		t.Errorf("upload directory holds %d entries (%v)", len(left), err)
	}
}

// TestUploadRefusals sends broken and oversized uploads: each fails with a
// clear code and leaves nothing behind.
func TestUploadRefusals(t *testing.T) {
	ctx := context.Background()
	const maxBytes = 4096
	e := newAccessEnv(t, func(o *rpc.Options) { o.MaxUploadBytes = maxBytes })
	c := e.as(e.tokens["ingester"])
	small, _ := budgetCSV(5, 1)
	big, _ := budgetCSV(400, 1) // more than maxBytes
	if len(big) <= maxBytes || len(small)+200 > maxBytes {
		t.Fatalf("test data sizes %d, %d do not straddle %d", len(small), len(big), maxBytes)
	}
	desc := budgetDescriptor("acc-refused", "data/budget.csv")
	withCSV := func(csv upFile) []upFile {
		return []upFile{{name: "acc-refused.yaml", data: desc}, csv}
	}
	for _, tc := range []struct {
		name   string
		header *mizanv1.UploadHeader
		files  []upFile
		code   connect.Code
	}{
		{"above the maximum size", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "data/budget.csv", data: big}), connect.CodeResourceExhausted},
		{"more bytes than declared", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "data/budget.csv", data: small, size: 10}), connect.CodeInvalidArgument},
		{"fewer bytes than declared", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "data/budget.csv", data: small, size: int64(len(small)) + 1}), connect.CodeInvalidArgument},
		{"sha256 mismatch", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "data/budget.csv", data: small, sha256: strings.Repeat("ab", 32)}), connect.CodeInvalidArgument},
		{"parent directory", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "../budget.csv", data: small}), connect.CodeInvalidArgument},
		{"absolute path", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "/tmp/budget.csv", data: small}), connect.CodeInvalidArgument},
		{"unclean path", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "data/./budget.csv", data: small}), connect.CodeInvalidArgument},
		{"hidden file", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: ".budget.csv", data: small}), connect.CodeInvalidArgument},
		{"descriptor not uploaded", descriptorHeader("other.yaml", false), withCSV(upFile{name: "data/budget.csv", data: small}), connect.CodeInvalidArgument},
		{"source not uploaded", descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "data/other.csv", data: small}), connect.CodeInvalidArgument},
		{"no target", &mizanv1.UploadHeader{}, withCSV(upFile{name: "data/budget.csv", data: small}), connect.CodeInvalidArgument},
		{"bad contracts id", &mizanv1.UploadHeader{Target: &mizanv1.UploadHeader_ContractsDataset{ContractsDataset: "Bad Id"}}, withCSV(upFile{name: "data/budget.csv", data: small}), connect.CodeInvalidArgument},
		{"no files", descriptorHeader("acc-refused.yaml", false), nil, connect.CodeInvalidArgument},
	} {
		_, err := sendUpload(ctx, c.ing, tc.header, tc.files)
		wantCode(t, tc.name, err, tc.code)
	}
	// A source only at a URL: the server does not fetch it.
	urlDesc := bytes.Replace(desc, []byte("  - name: data/budget.csv\n"), []byte("  - url: http://127.0.0.1:9/budget.csv\n"), 1)
	_, err := sendUpload(ctx, c.ing, descriptorHeader("d.yaml", false), []upFile{{name: "d.yaml", data: urlDesc}})
	wantCode(t, "source at a URL", err, connect.CodeInvalidArgument)
	if err != nil && !strings.Contains(err.Error(), "never downloads") {
		t.Errorf("source at a URL: %v", err)
	}
	// Messages out of order.
	stream := c.ing.Upload(ctx)
	_ = stream.Send(&mizanv1.UploadRequest{Part: &mizanv1.UploadRequest_Chunk{Chunk: &mizanv1.UploadChunk{Data: []byte("x")}}})
	_, err = stream.CloseAndReceive()
	wantCode(t, "chunk before the header", err, connect.CodeInvalidArgument)

	// Nothing was stored, and nothing is left on disk.
	var versions int
	if err := e.db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM versions`).Scan(&versions); err != nil || versions != 0 {
		t.Errorf("%d versions stored (%v)", versions, err)
	}
	assertNoUploadsLeft(t, e)
	// The same upload within the limit works.
	if _, err := sendUpload(ctx, c.ing, descriptorHeader("acc-refused.yaml", false), withCSV(upFile{name: "data/budget.csv", data: small})); err != nil {
		t.Errorf("valid upload after refusals: %v", err)
	}
}
