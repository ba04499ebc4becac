package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		if m["id"] == "demo-budget" && m["synthetic"] != true {
			t.Errorf("the demo is not marked synthetic: %v", m)
		}
	}
	if !ids["demo-budget"] || len(ids) < 2 {
		t.Fatalf("datasets after first start: %v", ids)
	}
	second := versions()
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if !bytes.Equal(a, b) {
		t.Errorf("second start changed the catalog:\nfirst  %s\nsecond %s", a, b)
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
