package loadtest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// sharedDatasets is where CI and the machines keep the real public data.
const sharedDatasets = "/work/shared/datasets"

// loadSize is one size of the load test.
type loadSize struct {
	clients int
	seconds int
	rows    int64 // generated synthetic rows; 0: the demo only
	// contracts ingests the Canadian OCDS contracts too (when the shared
	// data is there); without them searches find Manchester's payments.
	contracts bool
}

// ciSize runs in every `go test`; fullSize is `make load`
// (MIZAN_LOAD_FULL=1).
var (
	ciSize   = loadSize{clients: 16, seconds: 5}
	fullSize = loadSize{clients: 64, seconds: 60, rows: 10_000_000, contracts: true}
)

// TestLoad runs the real `mizan serve` under concurrent clients and checks
// that nothing fails but the intended ResourceExhausted, that the server's
// memory stays under its DuckDB memory limit plus MemoryMargin, and that no
// request or goroutine is left behind. There is no timing assertion: the
// latencies are reported, not judged.
//
// Environment: MIZAN_LOAD_FULL=1 for the full size; MIZAN_LOAD_CLIENTS,
// MIZAN_LOAD_SECONDS, MIZAN_LOAD_ROWS, MIZAN_LOAD_MEMORY_LIMIT override;
// MIZAN_LOAD_BIN uses a built mizan binary instead of building one;
// MIZAN_LOAD_DATA uses (and keeps) a data directory prepared earlier.
func TestLoad(t *testing.T) {
	size := ciSize
	if os.Getenv("MIZAN_LOAD_FULL") == "1" {
		size = fullSize
	}
	size.clients = envInt(t, "MIZAN_LOAD_CLIENTS", size.clients)
	size.seconds = envInt(t, "MIZAN_LOAD_SECONDS", size.seconds)
	size.rows = int64(envInt(t, "MIZAN_LOAD_ROWS", int(size.rows)))
	limit := envOr("MIZAN_LOAD_MEMORY_LIMIT", DefaultMemoryLimit)
	ctx := context.Background()
	work := t.TempDir()

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := os.Getenv("MIZAN_LOAD_BIN")
	if bin == "" {
		start := time.Now()
		if bin, err = BuildBinary(ctx, root, work); err != nil {
			t.Fatal(err)
		}
		t.Logf("built mizan in %s", time.Since(start).Round(time.Millisecond))
	}
	data := os.Getenv("MIZAN_LOAD_DATA")
	if data == "" {
		data = filepath.Join(work, "data")
		shared := ""
		if dirExists(sharedDatasets) && !testing.Short() {
			shared = sharedDatasets
		}
		notes, err := PrepareData(ctx, DataOptions{Bin: bin, Root: root, Dir: data, Scratch: work,
			Demo: true, GeneratedRows: size.rows, Shared: shared, Contracts: size.contracts, Logf: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("data: %v", notes)
	}

	logf, err := os.Create(filepath.Join(work, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	// The clients are readers behind a reverse proxy on loopback: each is
	// rate-limited on its own, at the server's default rate.
	so := ServerOptions{Bin: bin, DataDir: data, MemoryLimit: limit, Args: ProxyArgs, Log: logf}
	res, err := Measure(ctx, so, Options{Clients: size.clients, Duration: time.Duration(size.seconds) * time.Second, ForwardedFor: true})
	if res != nil {
		res.WriteReport(os.Stdout)
	}
	if err != nil {
		t.Fatalf("%v\nserver log:\n%s", err, tailFile(logf.Name(), 4000))
	}
	limitBytes, err := ParseBytes(limit)
	if err != nil {
		t.Fatal(err)
	}
	bound := limitBytes + MemoryMargin
	t.Logf("load_errors=%d load_p99_ms=%.0f load_rss_mb=%d (bound %d MiB: memory limit %s + margin %d MiB; GOMAXPROCS here %d)",
		res.Errors(), float64(res.Overall.P99)/float64(time.Millisecond), MiB(res.PeakMemory()), MiB(bound), limit, MiB(MemoryMargin), runtime.GOMAXPROCS(0))

	if n := res.Errors(); n > 0 {
		t.Errorf("%d requests failed with errors other than ResourceExhausted: %v; first: %q", n, res.Overall.Errors, res.ErrorSamples)
	}
	for _, k := range res.Kinds {
		if k.OK == 0 {
			t.Errorf("%s: no request answered (%d sent, %d exhausted)", k.Kind, k.Requests, k.Exhausted)
		}
	}
	if res.RSSSamples == 0 {
		t.Error("no memory sample of the server")
	}
	if peak := res.PeakMemory(); peak > bound {
		t.Errorf("server peak RSS %d MiB above the memory limit %s plus the %d MiB margin", MiB(peak), limit, MiB(MemoryMargin))
	}
	if res.InFlightAfter != 0 {
		t.Errorf("%d requests still in flight on the server after every client had its answer", res.InFlightAfter)
	}
	if res.GoroutinesAfter > res.GoroutinesBefore+GoroutineSlack {
		t.Errorf("server goroutines: %d before the load, %d after it settled: a leak", res.GoroutinesBefore, res.GoroutinesAfter)
	}
}

func envInt(t *testing.T, key string, def int) int {
	s := os.Getenv(key)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", key, s, err)
	}
	return n
}

func envOr(key, def string) string {
	if s := os.Getenv(key); s != "" {
		return s
	}
	return def
}

func tailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
