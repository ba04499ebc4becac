package rpc_test

// The real-data store the RealData tests share: the public datasets of
// ../../shared/datasets (never copied into the repository) and the synthetic
// demo, ingested once per test binary through the real pipeline
// (ingest.Load + ingest.Ingest) into one DuckDB store in a temporary
// directory, then served by the real rpc.Server and query.Service on a
// loopback port.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan/datasets/synth"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/ingest"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

var updateRealData = flag.Bool("update-realdata", false, "rewrite the golden files in testdata/realdata")

// realSharedRoot is where CI and developers keep the real public files.
const realSharedRoot = "../../shared/datasets"

// realDatasets are the descriptors the tests ingest and the shared folder
// each one reads its sources from.
var realDatasets = []struct{ id, folder string }{
	{"bahrain-budget", "bh-bahrain-budgets"},
	{"madrid-budget", "fdp-madrid-municipal-gastos"},
	{"macedonia-budget", "fdp-openspending-macedonia"},
	{"mexico-pef-2016", "mx-pef-2016"},
}

// Dataset ids used throughout the tests.
const (
	bahrainID   = "bahrain-budget"
	madridID    = "madrid-budget"
	macedoniaID = "macedonia-budget"
	mexicoID    = "mexico-pef-2016"
	demoID      = "realdata-demo"
)

// demoConfig is the synthetic budget ingested next to the real ones: it has
// approved, revised and executed figures.
var demoConfig = synth.Config{ID: demoID, Rows: 20000}

// realStore is the shared, ingested store.
type realStore struct {
	db      *store.DB
	dir     string
	sums    map[string]*ingest.Summary // by dataset id
	descs   map[string]*ingest.Descriptor
	folders map[string]string // dataset id → absolute shared folder
	took    map[string]time.Duration
	// demoFS holds the synthetic demo's generated source.
	demoFS fs.FS
	err    error
	skip   string
}

var (
	realOnce   sync.Once
	realShared *realStore
)

// TestMain closes and removes the shared store after every test ran.
func TestMain(m *testing.M) {
	code := m.Run()
	if realShared != nil {
		if realShared.db != nil {
			realShared.db.Close()
		}
		if realShared.dir != "" {
			os.RemoveAll(realShared.dir)
		}
	}
	os.Exit(code)
}

// realData returns the shared store, ingesting it on first use, or skips
// the test when the shared folder is not on this machine.
func realData(t *testing.T) *realStore {
	t.Helper()
	realOnce.Do(func() { realShared = ingestRealData() })
	if realShared.skip != "" {
		t.Skip(realShared.skip)
	}
	if realShared.err != nil {
		t.Fatal(realShared.err)
	}
	return realShared
}

func ingestRealData() *realStore {
	rs := &realStore{sums: map[string]*ingest.Summary{}, descs: map[string]*ingest.Descriptor{}, folders: map[string]string{}, took: map[string]time.Duration{}}
	root, err := filepath.Abs(realSharedRoot)
	if err != nil {
		rs.err = err
		return rs
	}
	if _, err := os.Stat(root); err != nil {
		rs.skip = fmt.Sprintf("real data not available (%s): %v", root, err)
		return rs
	}
	for _, ds := range realDatasets {
		dir := filepath.Join(root, ds.folder)
		if _, err := os.Stat(dir); err != nil {
			rs.skip = fmt.Sprintf("real data not available (%s): %v", dir, err)
			return rs
		}
		rs.folders[ds.id] = dir
	}
	ctx := context.Background()
	if rs.dir, err = os.MkdirTemp("", "mizan-rpc-realdata-"); err != nil {
		rs.err = err
		return rs
	}
	if rs.db, err = store.Open(ctx, store.Options{Dir: rs.dir}); err != nil {
		rs.err = err
		return rs
	}
	for _, ds := range realDatasets {
		start := time.Now()
		d, err := ingest.Load(filepath.Join("..", "datasets", ds.id+".yaml"))
		if err != nil {
			rs.err = fmt.Errorf("load %s: %w", ds.id, err)
			return rs
		}
		s, err := ingest.Ingest(ctx, rs.db, d, ingest.Options{From: rs.folders[ds.id]})
		if err != nil {
			rs.err = fmt.Errorf("ingest %s: %w", ds.id, err)
			return rs
		}
		rs.descs[ds.id], rs.sums[ds.id], rs.took[ds.id] = d, s, time.Since(start)
	}
	start := time.Now()
	descs, fsys, err := synth.Bundle(demoConfig)
	if err != nil {
		rs.err = err
		return rs
	}
	s, err := ingest.Ingest(ctx, rs.db, descs[0], ingest.Options{FS: fsys})
	if err != nil {
		rs.err = fmt.Errorf("ingest %s: %w", demoID, err)
		return rs
	}
	rs.descs[demoID], rs.sums[demoID], rs.took[demoID], rs.demoFS = descs[0], s, time.Since(start), fsys
	return rs
}

// realEnv is a server over the shared store and clients for it.
type realEnv struct {
	*realStore
	url    string
	logs   *syncBuffer
	protos []protocol
	// c is the Connect JSON client most tests use.
	c protocol
}

// newRealDataEnv serves the shared store through the real query service on
// 127.0.0.1, with clients for every protocol.
func newRealDataEnv(t *testing.T) *realEnv {
	t.Helper()
	rs := realData(t)
	svc := query.NewService(rs.db, query.NewDuckDB(rs.db), query.Options{})
	logs := &syncBuffer{}
	srv, err := rpc.NewServer(rpc.Options{
		Catalog:  rs.db,
		Query:    svc,
		Exporter: svc,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// Small enough that exports span many messages.
		ExportChunkBytes: 64 << 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &realEnv{realStore: rs, logs: logs}
	e.url = serve(t, srv)
	h1, h2 := http1Client(), h2cClient()
	t.Cleanup(func() {
		h1.CloseIdleConnections()
		h2.CloseIdleConnections()
	})
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
		e.protos = append(e.protos, protocol{
			name: p.name,
			cat:  mizanv1connect.NewCatalogServiceClient(p.hc, e.url, p.opts...),
			q:    mizanv1connect.NewQueryServiceClient(p.hc, e.url, p.opts...),
		})
	}
	e.c = e.protos[0]
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", lastLines(logs.String(), 40))
		}
	})
	return e
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// realGolden compares v, as indented JSON, with testdata/realdata/name, or
// rewrites the file with -update-realdata.
func realGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "realdata", name)
	if *updateRealData {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-realdata to create it)", err)
	}
	if !bytes.Equal(got, want) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("%s differs from the golden file at line %d (run with -update-realdata after checking):\n  want %s\n  got  %s", path, i+1, w, g)
				return
			}
		}
	}
}
