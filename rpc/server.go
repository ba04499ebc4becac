package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"

	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
)

// DefaultMaxRequestBytes bounds a request message when Options names no
// limit. Mizan's requests are small queries; 1 MiB is generous.
const DefaultMaxRequestBytes = 1 << 20

// MetricsPath is where the Prometheus metrics are served.
const MetricsPath = "/metrics"

// Options configure NewServer.
type Options struct {
	// Catalog answers CatalogService and pins versions. Required; a
	// *store.DB fits.
	Catalog Catalog
	// Query answers the unary QueryService RPCs. Required; the query
	// package's *Service fits.
	Query Querier
	// Exporter writes exports. Nil makes Export answer Unimplemented.
	Exporter Exporter
	// Contracts answers ContractService; nil leaves it unmounted. The
	// contracts package's *Service fits.
	Contracts Contracts
	// Flags answers the red flag RPCs of ContractService (and adds flags to
	// contracts and party profiles); nil makes ListRedFlags answer
	// Unimplemented. The flags package's *Service fits.
	Flags RedFlags
	// Logger receives request logs and internal errors; nil means
	// slog.Default().
	Logger *slog.Logger
	// DisableMetrics leaves /metrics unmounted (say, to serve it on another
	// port with MetricsHandler).
	DisableMetrics bool
	// MaxRequestBytes bounds the size of one request message (after
	// decompression); 0 means DefaultMaxRequestBytes.
	MaxRequestBytes int64
	// ExportChunkBytes is the size of Export's data messages; 0 means 256 KiB.
	ExportChunkBytes int
	// Dashboard, when set, is mounted at "/" and serves every path the API,
	// health, reflection and metrics handlers do not.
	Dashboard http.Handler
	// Tokens verifies bearer tokens (a *store.Tokens fits). Nil means the
	// server accepts none: every call is anonymous and drafts stay hidden;
	// Publisher and Ingester then must be nil. When it is also a
	// TokenManager, AdminService manages tokens through it.
	Tokens TokenVerifier
	// Publisher answers AdminService; nil leaves it unmounted.
	Publisher Publisher
	// Ingester answers IngestService; nil leaves it unmounted.
	Ingester Ingester
	// UploadDir is where uploads are staged before their ingest (under
	// the data directory, so large uploads fill the disk the database is
	// on, not /tmp); "" means the system's temporary directory.
	UploadDir string
	// MaxUploadBytes bounds the bytes of one upload; 0 means
	// DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// RateLimit limits the requests of each client; a zero Rate disables it.
	RateLimit RateLimit
	// FrameAncestors is the Content-Security-Policy frame-ancestors source
	// list; "" means DefaultFrameAncestors.
	FrameAncestors string
}

// Server is Mizan's API as one http.Handler: the Connect, gRPC and
// gRPC-Web services, health, reflection, metrics and the optional dashboard.
type Server struct {
	mux     *http.ServeMux
	handler http.Handler // mux behind the security headers
	health  *grpchealth.StaticChecker
	metrics *metrics
	names   []string
}

// NewServer builds the API handler.
func NewServer(opts Options) (*Server, error) {
	if opts.Catalog == nil || opts.Query == nil {
		return nil, errors.New("rpc: Options.Catalog and Options.Query are required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	m := newMetrics()
	maxBytes := opts.MaxRequestBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxRequestBytes
	}
	chunk := opts.ExportChunkBytes
	if chunk <= 0 {
		chunk = defaultChunkSize
	}
	if opts.Tokens == nil && (opts.Publisher != nil || opts.Ingester != nil) {
		return nil, errors.New("rpc: Options.Publisher and Options.Ingester need Options.Tokens")
	}
	if opts.FrameAncestors != "" {
		if err := ValidateFrameAncestors(opts.FrameAncestors); err != nil {
			return nil, fmt.Errorf("rpc: %w", err)
		}
	}
	// Calls are observed first (so refusals are counted and logged), then
	// rate-limited (so guessing tokens is limited too), then authenticated.
	interceptors := []connect.Interceptor{&observer{m: m, log: log}}
	limiter := newRateLimiter(opts.RateLimit)
	if limiter != nil {
		interceptors = append(interceptors, limiter)
	}
	interceptors = append(interceptors, &authenticator{tokens: opts.Tokens, log: log})
	handlerOpts := []connect.HandlerOption{
		connect.WithInterceptors(interceptors...),
		connect.WithReadMaxBytes(int(min(maxBytes, int64(^uint32(0)>>1)))),
		connect.WithCompressMinBytes(1024),
		connect.WithRecover(func(ctx context.Context, spec connect.Spec, _ http.Header, p any) error {
			log.ErrorContext(ctx, "panic in handler", "procedure", spec.Procedure, "panic", fmt.Sprint(p))
			return connect.NewError(connect.CodeInternal, errors.New("internal error"))
		}),
	}
	s := &Server{
		mux:     http.NewServeMux(),
		metrics: m,
		names:   []string{mizanv1connect.CatalogServiceName, mizanv1connect.QueryServiceName},
	}
	if opts.Contracts != nil {
		s.names = append(s.names, mizanv1connect.ContractServiceName)
		s.mux.Handle(mizanv1connect.NewContractServiceHandler(&contractService{c: opts.Contracts, flags: opts.Flags, cat: opts.Catalog, log: log}, handlerOpts...))
	}
	if opts.Publisher != nil {
		s.names = append(s.names, mizanv1connect.AdminServiceName)
		s.mux.Handle(mizanv1connect.NewAdminServiceHandler(&adminService{pub: opts.Publisher, tokens: tokenManager(opts.Tokens), log: log}, handlerOpts...))
	}
	if opts.Ingester != nil {
		ing, err := newIngestService(opts.Ingester, opts.UploadDir, opts.MaxUploadBytes, log)
		if err != nil {
			return nil, err
		}
		s.names = append(s.names, mizanv1connect.IngestServiceName)
		s.mux.Handle(mizanv1connect.NewIngestServiceHandler(ing, handlerOpts...))
	}
	s.health = grpchealth.NewStaticChecker(s.names...)
	s.mux.Handle(mizanv1connect.NewCatalogServiceHandler(&catalogService{cat: opts.Catalog, log: log}, handlerOpts...))
	s.mux.Handle(mizanv1connect.NewQueryServiceHandler(&queryService{
		q: opts.Query, exp: opts.Exporter, cat: opts.Catalog, log: log, chunkSize: chunk,
	}, handlerOpts...))
	s.mux.Handle(grpchealth.NewHandler(s.health, handlerOpts...))
	reflector := grpcreflect.NewStaticReflector(append([]string{grpchealth.HealthV1ServiceName}, s.names...)...)
	s.mux.Handle(grpcreflect.NewHandlerV1(reflector, handlerOpts...))
	s.mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector, handlerOpts...))
	if !opts.DisableMetrics {
		s.mux.Handle(MetricsPath, m)
	}
	if opts.Dashboard != nil {
		dash := rpcNotFound(opts.Dashboard)
		if limiter != nil {
			dash = limiter.limitHTTP(dash)
		}
		s.mux.Handle("/", dash)
	}
	s.handler = securityHeaders(opts.FrameAncestors, s.mux)
	return s, nil
}

// rpcNotFound answers 404 to a POST the dashboard would refuse with 405:
// every POST is a call to some service, and for one this server does not
// have, Connect and gRPC clients turn a 404 into Unimplemented.
func rpcNotFound(dash http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			http.NotFound(w, r)
			return
		}
		dash.ServeHTTP(w, r)
	})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// SetServing sets what the health service reports for the whole server and
// each Mizan service: SERVING, or NOT_SERVING (say, while draining before a
// shutdown).
func (s *Server) SetServing(serving bool) {
	status := grpchealth.StatusServing
	if !serving {
		status = grpchealth.StatusNotServing
	}
	s.health.SetStatus("", status)
	for _, n := range s.names {
		s.health.SetStatus(n, status)
	}
}

// ObserveDBQuery records the time DuckDB spent on one query of the given
// kind ("aggregate", "facts"...) in the mizan_db_query_duration_seconds
// histogram. Wire it to the query service's timing hook.
func (s *Server) ObserveDBQuery(kind string, d time.Duration) {
	s.metrics.observeDB(kind, d)
}

// MetricsHandler serves the server's metrics in the Prometheus text format.
func (s *Server) MetricsHandler() http.Handler { return s.metrics }
