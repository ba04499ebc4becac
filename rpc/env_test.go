package rpc_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

// env is a real server on a loopback port and clients for it.
type env struct {
	db     *store.DB
	srv    *rpc.Server
	url    string
	logs   *syncBuffer
	protos []protocol
}

// protocol is one way to call the API: a wire protocol, a codec and an HTTP
// version.
type protocol struct {
	name string
	cat  mizanv1connect.CatalogServiceClient
	q    mizanv1connect.QueryServiceClient
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// h2cClient speaks HTTP/2 without TLS (prior knowledge), as gRPC needs.
func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

// http1Client speaks HTTP/1.1 only.
func http1Client() *http.Client {
	var p http.Protocols
	p.SetHTTP1(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

// newEnv serves the fixture database on 127.0.0.1 with the fake query
// service, after letting edit change the options.
func newEnv(t *testing.T, edit func(*rpc.Options)) *env {
	t.Helper()
	db := openFixture(t)
	fake := &fakeQuery{db: db}
	logs := &syncBuffer{}
	opts := rpc.Options{
		Catalog:          db,
		Query:            fake,
		Exporter:         fake,
		Logger:           slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ExportChunkBytes: 16,
	}
	if edit != nil {
		edit(&opts)
	}
	srv, err := rpc.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, srv: srv, logs: logs}
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
	return e
}

// serve runs h with rpc.ServeListener on a loopback port until the test
// ends, and returns its base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rpc.ServeListener(ctx, ln, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not shut down")
		}
	})
	return "http://" + ln.Addr().String()
}
