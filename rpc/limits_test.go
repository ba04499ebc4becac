package rpc_test

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// okPage is a stand-in dashboard.
var okPage = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	io.WriteString(w, "<!doctype html><title>ok</title>")
})

// get fetches url with optional headers.
func get(t *testing.T, method, url string, body string, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestRateLimitPerClient exhausts one client's burst: the API answers
// ResourceExhausted (HTTP 429 in the Connect protocol) and the dashboard
// 429, both with Retry-After. The refill rate is so slow that no token
// comes back during the test, however slow the machine.
func TestRateLimitPerClient(t *testing.T) {
	const burst = 3
	e := newEnv(t, func(o *rpc.Options) {
		o.RateLimit = rpc.RateLimit{Rate: 0.001, Burst: burst}
		o.Dashboard = okPage
	})
	p := e.protos[1] // connect+proto over h2c
	ctx := context.Background()
	for i := 0; i < burst; i++ {
		if _, err := p.cat.ListDatasets(ctx, connect.NewRequest(&mizanv1.ListDatasetsRequest{})); err != nil {
			t.Fatalf("request %d within the burst: %v", i+1, err)
		}
	}
	_, err := p.cat.ListDatasets(ctx, connect.NewRequest(&mizanv1.ListDatasetsRequest{}))
	wantCode(t, "request past the burst", err, connect.CodeResourceExhausted)
	// Plain HTTP clients see 429 and when to come back, on the API and on
	// the dashboard (one bucket per client, whatever it asks for), and a
	// made-up X-Forwarded-For does not buy a new bucket.
	for _, req := range []struct{ method, path, body string }{
		{http.MethodPost, "/mizan.v1.CatalogService/ListDatasets", "{}"},
		{http.MethodGet, "/", ""},
		{http.MethodGet, "/explore", ""},
	} {
		resp := get(t, req.method, e.url+req.path, req.body, map[string]string{"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9"})
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s %s: status %d, want 429", req.method, req.path, resp.StatusCode)
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("%s %s: Retry-After %q", req.method, req.path, resp.Header.Get("Retry-After"))
		}
	}
	// Health checks and metrics are not the dashboard: /metrics still works.
	if resp := get(t, http.MethodGet, e.url+rpc.MetricsPath, "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("/metrics: %d", resp.StatusCode)
	}
	if !strings.Contains(e.logs.String(), "code=resource_exhausted") {
		t.Error("refusals are not logged")
	}
}

// TestRateLimitBehindTrustedProxy keys clients by X-Forwarded-For only
// when the peer is a trusted proxy.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	e := newEnv(t, func(o *rpc.Options) {
		o.RateLimit = rpc.RateLimit{Rate: 0.001, Burst: 2, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
		o.Dashboard = okPage
	})
	status := func(xff string) int {
		return get(t, http.MethodGet, e.url+"/", "", map[string]string{"X-Forwarded-For": xff}).StatusCode
	}
	for i := 0; i < 2; i++ {
		if s := status("198.51.100.1"); s != http.StatusOK {
			t.Fatalf("client A request %d: %d", i+1, s)
		}
	}
	if s := status("198.51.100.1"); s != http.StatusTooManyRequests {
		t.Errorf("client A past its burst: %d", s)
	}
	if s := status("198.51.100.2"); s != http.StatusOK {
		t.Errorf("client B: %d, want its own bucket", s)
	}
	// The client may prepend anything; the proxy's own entry (rightmost
	// untrusted) is who it is.
	if s := status("198.51.100.2, 198.51.100.1"); s != http.StatusTooManyRequests {
		t.Errorf("client A claiming to forward for B: %d, want A's empty bucket", s)
	}
	if s := status("not-an-ip, 198.51.100.3"); s != http.StatusOK {
		t.Errorf("client C with junk on the left: %d", s)
	}
}

// TestSecurityHeaders checks the headers on the dashboard, the API and
// errors, for the default and other frame-ancestors.
func TestSecurityHeaders(t *testing.T) {
	for _, tc := range []struct {
		frameAncestors string
		wantFA         string
		wantXFO        string
	}{
		{"", "frame-ancestors *", ""},
		{"'self'", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"'none'", "frame-ancestors 'none'", "DENY"},
		{"https://news.example https://*.paper.example", "frame-ancestors https://news.example https://*.paper.example", ""},
	} {
		e := newEnv(t, func(o *rpc.Options) {
			o.Dashboard = okPage
			o.FrameAncestors = tc.frameAncestors
		})
		for _, req := range []struct{ method, path, body string }{
			{http.MethodGet, "/", ""},
			{http.MethodGet, "/?embed=1", ""},
			{http.MethodPost, "/mizan.v1.CatalogService/ListDatasets", "{}"},
			{http.MethodPost, "/mizan.v1.QueryService/Aggregate", `{"dataset":"no-such"}`},
			{http.MethodGet, rpc.MetricsPath, ""},
		} {
			resp := get(t, req.method, e.url+req.path, req.body, map[string]string{"Content-Type": "application/json"})
			h := resp.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", tc.wantFA} {
				if !strings.Contains(csp, want) {
					t.Errorf("%q %s %s: CSP %q lacks %q", tc.frameAncestors, req.method, req.path, csp, want)
				}
			}
			if strings.Contains(csp, "script-src 'self' 'unsafe-inline'") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP allows inline or eval'd scripts: %q", csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "strict-origin-when-cross-origin" {
				t.Errorf("%s %s: nosniff %q, referrer %q", req.method, req.path, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
			if got := h.Get("X-Frame-Options"); got != tc.wantXFO {
				t.Errorf("%q %s: X-Frame-Options %q, want %q", tc.frameAncestors, req.path, got, tc.wantXFO)
			}
		}
	}
	for _, bad := range []string{"https://a.example; script-src *", "'none' https://a.example", " ", "x\ny"} {
		_, err := rpc.NewServer(rpc.Options{Catalog: openFixture(t), Query: &fakeQuery{}, FrameAncestors: bad})
		if err == nil {
			t.Errorf("frame-ancestors %q accepted", bad)
		}
	}
}

// blockingWriter holds an export (and so its query slot) on its first
// write until released.
type blockingWriter struct {
	w       io.Writer
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blockingWriter) Write(p []byte) (int, error) {
	b.once.Do(func() {
		close(b.entered)
		<-b.release
	})
	return b.w.Write(p)
}

// TestFullQueueAnswersResourceExhausted holds the only query slot with an
// export and checks that another query waits its turn, then fails with
// ResourceExhausted, and that the slot serves again once free.
// A call to a service this server does not have is Unimplemented, not
// the dashboard's 405.
func TestUnknownServiceWithDashboard(t *testing.T) {
	e := newEnv(t, func(o *rpc.Options) { o.Dashboard = okPage })
	resp := get(t, http.MethodPost, e.url+"/mizan.v1.NoSuchService/Call", "{}", map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST to an unknown service: HTTP %d, want 404", resp.StatusCode)
	}
	if resp := get(t, http.MethodGet, e.url+"/", "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /: HTTP %d, want 200", resp.StatusCode)
	}
}

func TestFullQueueAnswersResourceExhausted(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	e := newEnv(t, func(o *rpc.Options) {
		db := o.Catalog.(*store.DB)
		svc := query.NewService(db, query.NewDuckDB(db), query.Options{MaxConcurrent: 1, QueueWait: 50 * time.Millisecond})
		o.Query = svc
		o.Exporter = rpc.ExporterFunc(func(ctx context.Context, req query.ExportRequest, w io.Writer) error {
			return svc.Export(ctx, req, &blockingWriter{w: w, entered: entered, release: release})
		})
	})
	p := e.protos[1]
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV,
			Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: fixtureDataset}}})
		done <- err
	}()
	select {
	case <-entered:
	case err := <-done:
		t.Fatalf("export ended before writing: %v", err)
	}
	// Exports have slots of their own: a query still runs, a second export
	// finds the only export slot taken.
	if _, err := p.q.Aggregate(ctx, connect.NewRequest(&mizanv1.AggregateRequest{Dataset: fixtureDataset})); err != nil {
		t.Errorf("query while an export runs: %v", err)
	}
	_, err := exportAll(ctx, p, &mizanv1.ExportRequest{Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV,
		Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: fixtureDataset}}})
	wantCode(t, "export while the only export slot is taken", err, connect.CodeResourceExhausted)
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("export: %v", err)
	}
	if _, err := p.q.Aggregate(ctx, connect.NewRequest(&mizanv1.AggregateRequest{Dataset: fixtureDataset})); err != nil {
		t.Errorf("query after the slot is free: %v", err)
	}
}

// TestIngestWhileQuerying uploads a new version while queries run on the
// same database: every answer is the previous version's or the new one's,
// never a mix, and nothing fails.
func TestIngestWhileQuerying(t *testing.T) {
	ctx := context.Background()
	e := newAccessEnv(t, nil)
	ing := e.as(e.tokens["ingester"])
	csv1, total1 := budgetCSV(1000, 1)
	if _, err := sendUpload(ctx, ing.ing, descriptorHeader("acc-live.yaml", false), budgetUpload("acc-live", csv1)); err != nil {
		t.Fatal(err)
	}
	csv2, total2 := budgetCSV(60000, 2)
	want := map[int32]string{1: asDecimal(total1), 2: asDecimal(total2)}
	done := make(chan error, 1)
	go func() {
		_, err := sendUpload(ctx, ing.ing, descriptorHeader("acc-live.yaml", false), budgetUpload("acc-live", csv2))
		done <- err
	}()
	anon := e.as("")
	seen := map[int32]int{}
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			running = false
		default:
		}
		v, total, err := aggregateTotal(ctx, anon, "acc-live", 0)
		if err != nil {
			t.Fatalf("query during the ingest: %v", err)
		}
		if want[v] != total {
			t.Fatalf("version %d total %s, want %s", v, total, want[v])
		}
		seen[v]++
	}
	if v, total, err := aggregateTotal(ctx, anon, "acc-live", 0); err != nil || v != 2 || total != want[2] {
		t.Errorf("after the ingest: v%d %s (%v), want v2 %s", v, total, err, want[2])
	}
	t.Logf("answers by version while ingesting: %v", seen)
}
