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
}

// Server is Mizan's API as one http.Handler: the Connect, gRPC and
// gRPC-Web services, health, reflection, metrics and the optional dashboard.
type Server struct {
	mux     *http.ServeMux
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
	handlerOpts := []connect.HandlerOption{
		connect.WithInterceptors(&observer{m: m, log: log}),
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
		s.mux.Handle(mizanv1connect.NewContractServiceHandler(&contractService{c: opts.Contracts, log: log}, handlerOpts...))
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
		s.mux.Handle("/", opts.Dashboard)
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

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
