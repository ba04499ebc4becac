package rpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"github.com/google/go-cmp/cmp"

	"github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/rpc"
)

// post sends body as a plain JSON POST, the way curl would.
func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
	return resp.StatusCode, out
}

// TestPlainJSONPost calls the API like curl -H 'Content-Type: application/json' -d '...'.
func TestPlainJSONPost(t *testing.T) {
	e := newEnv(t, nil)
	code, out := post(t, e.url+"/mizan.v1.QueryService/Aggregate", `{"dataset":"`+fixtureDataset+`","drilldown":["year"]}`)
	if code != http.StatusOK {
		t.Fatalf("status %d: %v", code, out)
	}
	cells, _ := out["cells"].([]any)
	if len(cells) != 2 || out["datasetVersion"] != float64(1) || out["totalCellCount"] != "2" {
		t.Errorf("response = %v", out)
	}
	first, _ := cells[0].(map[string]any)
	if diff := cmp.Diff(map[string]any{"year": "2023"}, first["keys"]); diff != "" {
		t.Errorf("first cell keys (-want +got):\n%s", diff)
	}
	// Proto field names work as well as JSON names.
	code, out = post(t, e.url+"/mizan.v1.CatalogService/ListMembers", `{"dataset":"`+fixtureDataset+`","dimension":"admin.ministry","page_size":1}`)
	if code != http.StatusOK || out["nextPageToken"] == "" || len(out["members"].([]any)) != 1 {
		t.Errorf("ListMembers: %d %v", code, out)
	}
	code, out = post(t, e.url+"/mizan.v1.QueryService/Aggregate", `{"drilldown":["year"]}`)
	if code != http.StatusBadRequest || out["code"] != "invalid_argument" || out["message"] != "dataset: required" {
		t.Errorf("invalid request: %d %v", code, out)
	}
	// Side-effect-free RPCs also answer GET, which caches can keep.
	resp, err := http.Get(e.url + "/mizan.v1.CatalogService/ListDatasets?encoding=json&message=%7B%7D")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET ListDatasets: %s", resp.Status)
	}
}

// TestHealthAndReflection checks the gRPC health service (as JSON) and that
// server reflection lists every service.
func TestHealthAndReflection(t *testing.T) {
	e := newEnv(t, nil)
	code, out := post(t, e.url+"/grpc.health.v1.Health/Check", `{}`)
	if code != http.StatusOK || out["status"] != "SERVING_STATUS_SERVING" {
		t.Errorf("health: %d %v", code, out)
	}
	code, out = post(t, e.url+"/grpc.health.v1.Health/Check", `{"service":"mizan.v1.QueryService"}`)
	if code != http.StatusOK || out["status"] != "SERVING_STATUS_SERVING" {
		t.Errorf("health of QueryService: %d %v", code, out)
	}
	e.srv.SetServing(false)
	if _, out = post(t, e.url+"/grpc.health.v1.Health/Check", `{}`); out["status"] != "SERVING_STATUS_NOT_SERVING" {
		t.Errorf("health after SetServing(false): %v", out)
	}

	h2 := h2cClient()
	defer h2.CloseIdleConnections()
	client := grpcreflect.NewClient(h2, e.url, connect.WithGRPC())
	stream := client.NewStream(context.Background())
	names, err := stream.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range names {
		got = append(got, string(n))
	}
	want := []string{"grpc.health.v1.Health", "mizan.v1.CatalogService", "mizan.v1.QueryService"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reflection services (-want +got):\n%s", diff)
	}
	fd, err := stream.FileContainingSymbol("mizan.v1.QueryService")
	if err != nil || len(fd) == 0 || fd[0].GetPackage() != "mizan.v1" {
		t.Errorf("file containing QueryService: %v, %v", fd, err)
	}
	if _, err := stream.Close(); err != nil {
		t.Error(err)
	}
	// Older tools (grpcurl before 1.9) ask v1alpha: it is mounted too.
	req, _ := http.NewRequest(http.MethodPost, e.url+"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/grpc")
	resp, err := h2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Trailer.Get("Grpc-Status") == "" && resp.Header.Get("Grpc-Status") == "" {
		t.Errorf("v1alpha reflection: %s, headers %v, trailers %v", resp.Status, resp.Header, resp.Trailer)
	}
}

// TestInternalErrorsAreHidden checks that a storage failure reaches the
// client as "internal error" only, and the log has the detail.
func TestInternalErrorsAreHidden(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range e.protos {
		_, err := p.q.Aggregate(context.Background(), connect.NewRequest(&mizanv1.AggregateRequest{Dataset: boomDataset}))
		var ce *connect.Error
		if !errors.As(err, &ce) || ce.Code() != connect.CodeInternal || ce.Message() != "internal error" {
			t.Errorf("%s: %v", p.name, err)
		}
	}
	code, out := post(t, e.url+"/mizan.v1.QueryService/Facts", `{"dataset":"boom"}`)
	if code != http.StatusInternalServerError || out["message"] != "internal error" {
		t.Errorf("plain POST: %d %v", code, out)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "secret_column") || !strings.Contains(logs, "QueryService/Aggregate") {
		t.Errorf("log lacks the internal error:\n%s", logs)
	}
}

// TestMetricsAndLogs checks per-procedure request counts, latency
// histograms and request logs.
func TestMetricsAndLogs(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range e.protos {
		if _, err := p.cat.ListDatasets(context.Background(), connect.NewRequest(&mizanv1.ListDatasetsRequest{})); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = e.protos[0].cat.GetDataset(context.Background(), connect.NewRequest(&mizanv1.GetDatasetRequest{}))
	e.srv.ObserveDBQuery("aggregate", 3*time.Millisecond)
	resp, err := http.Get(e.url + rpc.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`mizan_rpc_requests_total{code="ok",procedure="/mizan.v1.CatalogService/ListDatasets"} 4`,
		`mizan_rpc_requests_total{code="invalid_argument",procedure="/mizan.v1.CatalogService/GetDataset"} 1`,
		`mizan_rpc_request_duration_seconds_count{code="ok",procedure="/mizan.v1.CatalogService/ListDatasets"} 4`,
		`mizan_rpc_request_duration_seconds_bucket{code="ok",procedure="/mizan.v1.CatalogService/ListDatasets",le="+Inf"} 4`,
		`mizan_rpc_requests_in_flight{procedure="/mizan.v1.CatalogService/ListDatasets"} 0`,
		`mizan_db_query_duration_seconds_bucket{kind="aggregate",le="0.005"} 1`,
		"# TYPE mizan_rpc_request_duration_seconds histogram",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	logs := e.logs.String()
	for _, want := range []string{"procedure=/mizan.v1.CatalogService/GetDataset", "code=invalid_argument", "protocol=connect", "protocol=grpc", "protocol=grpcweb", "duration="} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// TestRequestSizeLimit checks that an oversized request is refused.
func TestRequestSizeLimit(t *testing.T) {
	e := newEnv(t, func(o *rpc.Options) { o.MaxRequestBytes = 256 })
	big := &mizanv1.AggregateRequest{Dataset: fixtureDataset, Cuts: []*mizanv1.Cut{{Dimension: "year", Values: []string{strings.Repeat("9", 1000)}}}}
	for _, p := range e.protos {
		_, err := p.q.Aggregate(context.Background(), connect.NewRequest(big))
		if code := connect.CodeOf(err); code != connect.CodeResourceExhausted {
			t.Errorf("%s: %v (code %v), want resource_exhausted", p.name, err, code)
		}
		if _, err := p.q.Aggregate(context.Background(), connect.NewRequest(&mizanv1.AggregateRequest{Dataset: fixtureDataset})); err != nil {
			t.Errorf("%s: small request: %v", p.name, err)
		}
	}
}

// TestExportStream checks the header-then-chunks layout of an export.
func TestExportStream(t *testing.T) {
	e := newEnv(t, nil)
	r, err := exportAll(context.Background(), e.protos[2], &mizanv1.ExportRequest{
		Query:  &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: fixtureDataset, Cuts: []*mizanv1.Cut{{Dimension: "year", Values: []string{"2024"}}}}},
		Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := r.parts[0].GetHeader()
	if h.GetContentType() != "text/csv; charset=utf-8" || h.GetFilename() != "test-budget-v1-facts.csv" || h.GetDatasetVersion() != 1 {
		t.Errorf("header = %v", h)
	}
	var data []byte
	for i, p := range r.parts[1:] {
		if p.GetHeader() != nil || len(p.GetData()) == 0 || len(p.GetData()) > 16 {
			t.Errorf("part %d = %v", i+1, p)
		}
		data = append(data, p.GetData()...)
	}
	if want := "format=csv version=1\nrow,amount\n6,1100.000\n7,2200.000\n"; string(data) != want {
		t.Errorf("export = %q, want %q", data, want)
	}
	// Without an exporter, Export is unimplemented.
	e2 := newEnv(t, func(o *rpc.Options) { o.Exporter = nil })
	_, err = exportAll(context.Background(), e2.protos[0], &mizanv1.ExportRequest{
		Query: &mizanv1.ExportRequest_Facts{Facts: &mizanv1.FactsRequest{Dataset: fixtureDataset}}, Format: mizanv1.ExportFormat_EXPORT_FORMAT_CSV,
	})
	if connect.CodeOf(err) != connect.CodeUnimplemented {
		t.Errorf("export without exporter: %v", err)
	}
}

// TestDashboardMount checks that Options.Dashboard serves what the API does not.
func TestDashboardMount(t *testing.T) {
	dash := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "dashboard "+r.URL.Path) })
	e := newEnv(t, func(o *rpc.Options) { o.Dashboard = dash })
	for path, want := range map[string]string{"/": "dashboard /", "/datasets/x": "dashboard /datasets/x"} {
		resp, err := http.Get(e.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != want {
			t.Errorf("GET %s = %q, want %q", path, body, want)
		}
	}
	if code, _ := post(t, e.url+"/mizan.v1.CatalogService/ListDatasets", `{}`); code != http.StatusOK {
		t.Errorf("API behind the dashboard: %d", code)
	}
}

// TestGracefulShutdown checks that ending Serve's context lets an in-flight
// request finish while new connections are refused.
func TestGracefulShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rpc.ServeListener(ctx, ln, h) }()

	got := make(chan string, 1)
	go func() {
		resp, err := h2cClient().Get(url)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Serve returned before the in-flight request finished: %v", err)
	default:
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("new connections still accepted during shutdown")
	}
	close(release)
	if s := <-got; s != "finished" {
		t.Errorf("in-flight request got %q", s)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
