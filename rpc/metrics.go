package rpc

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds the server's Prometheus collectors in a registry of its own,
// so that two servers in one process (tests) never collide.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inflight *prometheus.GaugeVec
	dbQuery  *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mizan_rpc_requests_total",
			Help: "RPCs handled, by procedure and result code.",
		}, []string{"procedure", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mizan_rpc_request_duration_seconds",
			Help:    "Time to handle an RPC, by procedure and result code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"procedure", "code"}),
		inflight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mizan_rpc_requests_in_flight",
			Help: "RPCs being handled, by procedure.",
		}, []string{"procedure"}),
		dbQuery: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mizan_db_query_duration_seconds",
			Help:    "Time DuckDB spent on one query, by kind of query.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"kind"}),
	}
	reg.MustRegister(m.requests, m.latency, m.inflight, m.dbQuery,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

// observe records one finished call.
func (m *metrics) observe(procedure string, err error, d time.Duration) {
	code := codeLabel(err)
	m.requests.WithLabelValues(procedure, code).Inc()
	m.latency.WithLabelValues(procedure, code).Observe(d.Seconds())
}

// started counts a call in flight until the returned function runs.
func (m *metrics) started(procedure string) func() {
	g := m.inflight.WithLabelValues(procedure)
	g.Inc()
	return g.Dec
}

// observeDB records one database query.
func (m *metrics) observeDB(kind string, d time.Duration) {
	m.dbQuery.WithLabelValues(kind).Observe(d.Seconds())
}

// ServeHTTP writes every metric in the Prometheus exposition format.
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }
