package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/ingest"
)

// run drives Main the way main does and returns what it printed.
func run(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain(&out, &errOut)
	err := m.Run(ctx, args)
	if err != nil {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

func TestIngestCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	out, err := run(t, ctx, "ingest", "--data", data, "--json", "testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var s ingest.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, out)
	}
	if s.Dataset != "tiny-budget" || s.Version != 1 || s.RowsRead != 4 || s.RowsAccepted != 3 || s.RowsRejected != 1 {
		t.Errorf("summary = dataset %s v%d read %d accepted %d rejected %d; want tiny-budget v1 4/3/1",
			s.Dataset, s.Version, s.RowsRead, s.RowsAccepted, s.RowsRejected)
	}
	want := map[int]string{2024: "3000.125", 2025: "-5.500"}
	for _, tot := range s.Totals {
		if want[tot.Year] != tot.Amount {
			t.Errorf("total %d = %s, want %s", tot.Year, tot.Amount, want[tot.Year])
		}
	}

	// The same bytes again: nothing new.
	out, err = run(t, ctx, "ingest", "--data", data, "testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "unchanged") {
		t.Errorf("second ingest printed %q, want it to say unchanged", out)
	}

	out, err = run(t, ctx, "datasets", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tiny-budget", "JOD", "2024-2025", "tiny.csv"} {
		if !strings.Contains(out, want) {
			t.Errorf("datasets output lacks %q:\n%s", want, out)
		}
	}
}

func TestIngestErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("id: bad\ntitle: {en: Bad}\ncurrency: XYZ\nsources: [{name: ../outside.csv}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := run(t, context.Background(), "ingest", "--data", t.TempDir(), bad)
	if err == nil {
		t.Fatal("bad descriptor accepted")
	}
	if exitCode(err) != 2 {
		t.Errorf("exit code %d for invalid input, want 2 (%v)", exitCode(err), err)
	}
	if msg := err.Error(); !strings.Contains(msg, "XYZ") && !strings.Contains(msg, "outside") {
		t.Errorf("error %q names neither the currency nor the path", msg)
	}
}

func TestUnknownCommand(t *testing.T) {
	if _, err := run(t, context.Background(), "frobnicate"); exitCode(err) != 2 {
		t.Errorf("unknown command: %v", err)
	}
}

// TestServeSeedsTheDemoOnce starts the real server on an empty data
// directory, queries it over HTTP, stops it with a cancelled context (as
// SIGTERM does), and starts it again on the same directory.
func TestServeSeedsTheDemoOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the demo twice")
	}
	data := t.TempDir()
	var search []byte
	versions := func() map[string]any {
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := run(t, ctx, "serve", "--data", data, "--addr", addr)
			done <- err
		}()
		body := waitPost(t, "http://"+addr+"/mizan.v1.CatalogService/ListDatasets", `{}`, done)
		// A query reaches DuckDB, and the metrics say how long it took there.
		waitPost(t, "http://"+addr+"/mizan.v1.QueryService/Aggregate", `{"dataset":"demo-budget","drilldown":["year"]}`, done)
		// The demo contracts are searchable, an Arabic name spelled without
		// hamza or ta marbuta included.
		search = waitPost(t, "http://"+addr+"/mizan.v1.ContractService/SearchContracts",
			`{"query":"موسسه","datasets":[{"id":"demo-contracts"}],"page_size":500}`, done)
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		metrics, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`mizan_db_query_duration_seconds_count{kind="aggregate"}`, `mizan_rpc_requests_total{code="ok",procedure="/mizan.v1.QueryService/Aggregate"}`} {
			if !strings.Contains(string(metrics), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve returned %v", err)
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	first := versions()
	datasets, _ := first["datasets"].([]any)
	ids := map[string]bool{}
	for _, d := range datasets {
		m := d.(map[string]any)
		ids[m["id"].(string)] = true
		if m["latestVersion"] != float64(1) {
			t.Errorf("%v: latest version %v, want 1", m["id"], m["latestVersion"])
		}
		if (m["id"] == "demo-budget" || m["id"] == "demo-contracts") && m["synthetic"] != true {
			t.Errorf("the demo is not marked synthetic: %v", m)
		}
		if m["id"] == "demo-contracts" && (m["kind"] != "DATASET_KIND_CONTRACTS" || m["currency"] != "KWD" || m["country"] != "ZZ") {
			t.Errorf("demo contracts: %v", m)
		}
	}
	if !ids["demo-budget"] || !ids["demo-contracts"] || len(ids) < 3 {
		t.Fatalf("datasets after first start: %v", ids)
	}
	checkDemoSearch(t, search)
	second := versions()
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if !bytes.Equal(a, b) {
		t.Errorf("second start changed the catalog:\nfirst  %s\nsecond %s", a, b)
	}
}

// checkDemoSearch compares a search of the demo contracts for "موسسه"
// with the processes of the generated package whose supplier's name has
// the word مؤسسة, read with encoding/json.
func checkDemoSearch(t *testing.T, body []byte) {
	t.Helper()
	_, data, err := synth.DemoContracts(synth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Releases []struct {
			OCID   string `json:"ocid"`
			Awards []struct {
				Suppliers []struct {
					Name string `json:"name"`
				} `json:"suppliers"`
			} `json:"awards"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, r := range pkg.Releases {
		for _, a := range r.Awards {
			for _, s := range a.Suppliers {
				if slices.Contains(strings.Fields(s.Name), "مؤسسة") {
					want[r.OCID] = true
				}
			}
		}
	}
	var res struct {
		Results []struct {
			OCID      string `json:"ocid"`
			Suppliers []struct {
				Name string `json:"name"`
			} `json:"suppliers"`
		} `json:"results"`
		TotalCount string `json:"totalCount"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, h := range res.Results {
		got[h.OCID] = true
	}
	t.Logf("search for موسسه: %d processes, total %s", len(got), res.TotalCount)
	if len(want) == 0 || !maps.Equal(got, want) || res.TotalCount != strconv.Itoa(len(want)) {
		t.Errorf("search for موسسه found %d processes (total %s), the package has %d with a مؤسسة as supplier", len(got), res.TotalCount, len(want))
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveBackground runs `mizan serve --no-demo` on data at a free address
// until stop, which cancels it and checks that it returned cleanly (a
// second call does nothing). done receives serve's result.
func serveBackground(t *testing.T, ctx context.Context, data string) (url string, done <-chan error, stop func()) {
	t.Helper()
	addr := freeAddr(t)
	sctx, cancel := context.WithCancel(ctx)
	ch := make(chan error, 1)
	go func() {
		_, err := run(t, sctx, "serve", "--data", data, "--addr", addr, "--no-demo")
		ch <- err
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-ch; err != nil {
				t.Errorf("serve returned %v", err)
			}
		}
	}
	return "http://" + addr, ch, stop
}

// waitPost retries a JSON POST until the server answers 200 or serve exits.
func waitPost(t *testing.T, url, body string, done <-chan error) []byte {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v", err)
		default:
		}
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("server did not answer in time")
	return nil
}
