package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/mizan-budget/mizan"
	"github.com/mizan-budget/mizan/contracts"
	"github.com/mizan-budget/mizan/flags"
	"github.com/mizan-budget/mizan/frontend"
	"github.com/mizan-budget/mizan/query"
	"github.com/mizan-budget/mizan/rpc"
	"github.com/mizan-budget/mizan/store"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flagSet("serve")
	fs.StringVar(&m.Addr, "addr", m.Addr, "address to listen on (env MIZAN_ADDR)")
	devDir := fs.String("frontend-dir", "", "serve the dashboard from this directory (e.g. frontend/dist) instead of the embedded copy")
	noDemo := fs.Bool("no-demo", false, "do not ingest the bundled synthetic demo into an empty data directory")
	memLimit := fs.String("memory-limit", envOr("MIZAN_MEMORY_LIMIT", ""), "DuckDB memory limit, e.g. 4GB (env MIZAN_MEMORY_LIMIT)")
	maxConcurrent := fs.Int("max-concurrent", 0, "queries that may run at once (0: 2×CPUs)")
	maxExports := fs.Int("max-concurrent-exports", 0, "exports that may run at once, in slots of their own (0: a quarter of --max-concurrent, at least 1)")
	queryTimeout := fs.Duration("query-timeout", 30*time.Second, "time limit of one query")
	maxUpload := fs.Int64("max-upload-bytes", rpc.DefaultMaxUploadBytes, "largest upload (all files of one mizan ingest --server) in bytes")
	rateLimit := fs.Float64("rate", rpc.DefaultRate, "requests per second one client (IP address, IPv6 /64) may make, sustained; 0 turns the limit off")
	burst := fs.Int("burst", rpc.DefaultBurst, "requests one client may make at once")
	trustedProxy := fs.String("trusted-proxy", "", "comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client")
	frameAncestors := fs.String("frame-ancestors", rpc.DefaultFrameAncestors, "Content-Security-Policy frame-ancestors: who may embed the dashboard (\"*\" for news sites' embeds, \"'self'\", \"'none'\", or origins)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	proxies, err := rpc.ParseTrustedProxies(*trustedProxy)
	if err != nil {
		return mizan.FieldErrorf("trusted-proxy", "%v", err)
	}
	if err := rpc.ValidateFrameAncestors(*frameAncestors); err != nil {
		return mizan.FieldErrorf("frame-ancestors", "%v", err)
	}
	db, err := store.Open(ctx, store.Options{Dir: m.DataDir, MemoryLimit: *memLimit})
	if err != nil {
		return err
	}
	defer db.Close()
	slog.InfoContext(ctx, "mizan starting", "version", version(), "data", db.Path(), "addr", m.Addr,
		"memory_limit", *memLimit, "max_concurrent", *maxConcurrent, "query_timeout", *queryTimeout, "frontend_dir", *devDir,
		"max_upload_bytes", *maxUpload, "rate", *rateLimit, "burst", *burst, "trusted_proxy", *trustedProxy, "frame_ancestors", *frameAncestors)

	if !*noDemo {
		if err := seedDemo(ctx, db); err != nil {
			return fmt.Errorf("ingest the bundled demo: %w", err)
		}
	}
	eng := query.NewDuckDB(db)
	svc := query.NewService(db, eng, query.Options{MaxConcurrent: *maxConcurrent, MaxConcurrentExports: *maxExports, QueryTimeout: *queryTimeout})
	fl := flags.NewService(db)
	cs := contracts.NewService(db, contracts.ServiceOptions{Flags: fl})
	go func() {
		// Build the search indexes now so the first searches are fast.
		if err := cs.Warm(ctx); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "search index warm-up", "err", err)
		}
	}()
	srv, err := rpc.NewServer(rpc.Options{
		Catalog:   db,
		Query:     svc,
		Exporter:  svc,
		Contracts: cs,
		Flags:     fl,
		Logger:    m.Logger,
		Dashboard: frontend.Handler(*devDir),
		// Uploads need the database file, which this process holds.
		Tokens:         store.NewTokens(db),
		Publisher:      db,
		Ingester:       serverIngester{db: db},
		UploadDir:      filepath.Join(m.DataDir, "uploads"),
		MaxUploadBytes: *maxUpload,
		RateLimit:      rpc.RateLimit{Rate: *rateLimit, Burst: *burst, TrustedProxies: proxies},
		FrameAncestors: *frameAncestors,
	})
	if err != nil {
		return err
	}
	eng.OnQuery = srv.ObserveDBQuery
	return rpc.Serve(ctx, m.Addr, srv)
}
