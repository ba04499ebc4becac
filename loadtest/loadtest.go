// Package loadtest drives a running `mizan serve` with many concurrent
// clients sending a realistic mix of requests (overview aggregates,
// treemap drilldowns, execution, facts pages, member and contract
// searches, CSV exports), and measures what each kind of request cost:
// counts, errors by Connect code, latency percentiles, and the server's
// resident memory sampled from /proc.
//
// The clients are the generated Connect clients (Connect protocol, binary
// protobuf, HTTP/1.1 keep-alive or h2c) over loopback. Parameters (years,
// members, search words) are drawn from what the server lists at the
// start, so the label cache does not answer everything and each request
// is a fresh query.
//
// ResourceExhausted is the server's intended answer when its bounded
// query queue is full; it is counted apart and is not an error. A client
// that gets it waits 50 to 150 ms before its next request, as a
// well-behaved client does.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	mizanv1 "github.com/mizan-budget/mizan/gen/mizan/v1"
	"github.com/mizan-budget/mizan/gen/mizan/v1/mizanv1connect"
)

// Options configure Run.
type Options struct {
	// URL is the server's base URL ("http://127.0.0.1:8080").
	URL string
	// PID is the server's process id, for memory sampling; 0 skips it.
	PID int
	// Clients is the number of concurrent clients (default 16).
	Clients int
	// Duration is how long clients start new requests (default 5 s);
	// requests in flight at the end finish and are counted.
	Duration time.Duration
	// RequestTimeout bounds one request (default 2 min): a request that
	// hangs ends as DeadlineExceeded, an error.
	RequestTimeout time.Duration
	// Mix weighs the request kinds; nil means DefaultMix.
	Mix map[Kind]int
	// HTTP2 uses h2c (HTTP/2 without TLS) instead of HTTP/1.1.
	HTTP2 bool
	// Seed seeds the clients' random choices; the same seed gives each
	// client the same sequence of choices.
	Seed uint64
	// ForwardedFor makes each client send X-Forwarded-For with an address
	// of its own (ClientAddr), as readers behind a reverse proxy do, so
	// that a server trusting the loopback proxy rate-limits each reader
	// apart rather than all of them as one client.
	ForwardedFor bool
}

// ClientAddr is the address client i names in X-Forwarded-For: one of the
// 198.18.0.0/15 range set aside for benchmark tests (RFC 2544). No packet
// is ever sent to it; it is only a header.
func ClientAddr(i int) string {
	return fmt.Sprintf("198.18.%d.%d", (i/250)%256, i%250+1)
}

// ProxyArgs are the `mizan serve` flags that make the server trust the
// loopback address as a reverse proxy (for Options.ForwardedFor).
var ProxyArgs = []string{"--trusted-proxy", "127.0.0.1,::1"}

// newClients returns the generated clients over tr; forwardedFor, when
// set, is sent as X-Forwarded-For on every request.
func newClients(tr http.RoundTripper, url, forwardedFor string) clients {
	if forwardedFor != "" {
		tr = forwardingTransport{next: tr, addr: forwardedFor}
	}
	hc := &http.Client{Transport: tr}
	return clients{
		catalog:   mizanv1connect.NewCatalogServiceClient(hc, url),
		query:     mizanv1connect.NewQueryServiceClient(hc, url),
		contracts: mizanv1connect.NewContractServiceClient(hc, url),
	}
}

// forwardingTransport adds X-Forwarded-For to each request.
type forwardingTransport struct {
	next http.RoundTripper
	addr string
}

func (t forwardingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Forwarded-For", t.addr)
	return t.next.RoundTrip(req)
}

// Run discovers what the server holds, then runs the clients for
// o.Duration and returns what they measured. It fails only when the load
// cannot start or the server cannot be observed; errors of requests are
// in the result.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Clients <= 0 {
		o.Clients = 16
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 2 * time.Minute
	}
	if o.Mix == nil {
		o.Mix = DefaultMix
	}
	tr := newTransport(o.Clients, o.HTTP2)
	defer tr.CloseIdleConnections()
	p, err := discover(ctx, newClients(tr, o.URL, ""), o.Mix)
	if err != nil {
		return nil, err
	}
	res := &Result{Clients: o.Clients, Notes: p.notes}
	for _, d := range p.datasets {
		res.Datasets = append(res.Datasets, fmt.Sprintf("%s (%d rows)", d.id, d.rows))
	}
	// The goroutines of an idle server, without this run's connections.
	tr.CloseIdleConnections()
	if res.GoroutinesBefore, _, err = serverGauges(ctx, o.URL); err != nil {
		return nil, err
	}

	var mem *memSampler
	if o.PID > 0 {
		mem = sampleMemory(o.PID, 100*time.Millisecond)
	}
	start := time.Now()
	end := start.Add(o.Duration)
	stats := make([]*clientStats, o.Clients)
	var wg sync.WaitGroup
	for i := range o.Clients {
		stats[i] = newClientStats()
		fwd := ""
		if o.ForwardedFor {
			fwd = ClientAddr(i)
		}
		cl := &client{c: newClients(tr, o.URL, fwd), p: p, st: stats[i], timeout: o.RequestTimeout,
			r: rand.New(rand.NewPCG(o.Seed, uint64(i)))}
		wg.Go(func() { cl.loop(ctx, end) })
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if mem != nil {
		var merr error
		res.PeakRSS, res.HWM, res.RSSSamples, merr = mem.finish()
		if merr != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("memory sampling: %v", merr))
		}
	}
	res.summarize(stats, p)

	// Every request has ended on the client; the server must have let go of
	// them too (no request still in flight, no goroutine left behind).
	tr.CloseIdleConnections()
	res.GoroutinesAfter, res.InFlightAfter, err = settle(ctx, o.URL, res.GoroutinesBefore)
	if err != nil {
		return nil, err
	}
	return res, ctx.Err()
}

// newTransport is an HTTP transport for n concurrent clients: one
// keep-alive connection each (HTTP/1.1), or h2c.
func newTransport(n int, h2 bool) *http.Transport {
	tr := &http.Transport{
		MaxIdleConns:        n + 4,
		MaxIdleConnsPerHost: n + 4,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // Connect negotiates its own compression
	}
	if h2 {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = &p
	}
	return tr
}

// client is one simulated reader: a loop of requests drawn from the mix.
type client struct {
	c       clients
	p       *plan
	r       *rand.Rand
	st      *clientStats
	timeout time.Duration
	// nextFacts continues a reader's paging through a facts table.
	nextFacts *mizanv1.FactsRequest
	pages     int
	// last is the request do sent last, for the report of the slowest.
	last proto.Message
}

// loop sends requests until end (or ctx ends).
func (cl *client) loop(ctx context.Context, end time.Time) {
	for ctx.Err() == nil && time.Now().Before(end) {
		k := cl.p.pickKind(cl.r)
		if cl.nextFacts != nil {
			k = KindFacts // a reader who is paging goes on paging
		}
		rctx, cancel := context.WithTimeout(ctx, cl.timeout)
		start := time.Now()
		err := cl.do(rctx, k)
		d := time.Since(start)
		cancel()
		cl.st.record(k, d, err, cl.last)
		if connect.CodeOf(err) == connect.CodeResourceExhausted {
			time.Sleep(time.Duration(50+cl.r.IntN(100)) * time.Millisecond)
		}
	}
}

// do sends one request of kind k and reads its whole answer.
func (cl *client) do(ctx context.Context, k Kind) error {
	p, r := cl.p, cl.r
	switch k {
	case KindOverview:
		req := p.overview(r)
		cl.last = req
		_, err := cl.c.query.Aggregate(ctx, connect.NewRequest(req))
		return err
	case KindDrilldown:
		req := p.drilldown(r)
		cl.last = req
		_, err := cl.c.query.Aggregate(ctx, connect.NewRequest(req))
		return err
	case KindExecution:
		req := p.execution(r)
		cl.last = req
		_, err := cl.c.query.Execution(ctx, connect.NewRequest(req))
		return err
	case KindFacts:
		req := cl.nextFacts
		if req == nil {
			req, cl.pages = p.facts(r), 0
		}
		cl.nextFacts = nil
		cl.last = req
		res, err := cl.c.query.Facts(ctx, connect.NewRequest(req))
		if err != nil {
			return err
		}
		cl.pages++
		// Two readers in three turn the page, up to five pages.
		if tok := res.Msg.NextPageToken; tok != "" && cl.pages < 5 && r.IntN(3) > 0 {
			next := proto.CloneOf(req)
			next.PageToken = tok
			cl.nextFacts = next
		}
		return nil
	case KindMemberSearch:
		req := p.memberSearch(r)
		cl.last = req
		_, err := cl.c.catalog.ListMembers(ctx, connect.NewRequest(req))
		return err
	case KindContractSearch:
		req := p.contractSearch(r)
		cl.last = req
		_, err := cl.c.contracts.SearchContracts(ctx, connect.NewRequest(req))
		return err
	case KindExport:
		req := p.export(r)
		cl.last = req
		return cl.export(ctx, req)
	}
	return fmt.Errorf("unknown request kind %q", k)
}

// export streams an export to its end and checks that it is a file: a
// header first, then data.
func (cl *client) export(ctx context.Context, req *mizanv1.ExportRequest) error {
	stream, err := cl.c.query.Export(ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	defer stream.Close()
	var n int
	var bytes int64
	for stream.Receive() {
		msg := stream.Msg()
		if n == 0 && msg.GetHeader() == nil {
			return connect.NewError(connect.CodeInternal, errors.New("export: the first message is not a header"))
		}
		bytes += int64(len(msg.GetData()))
		n++
	}
	if err := stream.Err(); err != nil {
		return err
	}
	if n == 0 {
		return connect.NewError(connect.CodeInternal, errors.New("export: empty stream"))
	}
	cl.st.exportBytes += bytes
	return nil
}

// serverGauges reads the server's goroutine count and requests in flight
// from its Prometheus metrics.
func serverGauges(ctx context.Context, url string) (goroutines, inflight int, err error) {
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("read server metrics: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, fmt.Errorf("read server metrics: %w", err)
	}
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(val, &v); err != nil {
			continue
		}
		switch {
		case name == "go_goroutines":
			goroutines, found = int(v), true
		case strings.HasPrefix(name, "mizan_rpc_requests_in_flight{"):
			inflight += int(v)
		}
	}
	if !found {
		return 0, 0, errors.New("server metrics have no go_goroutines")
	}
	return goroutines, inflight, nil
}

// settle waits (at most 10 s) for the server's goroutines to come back to
// within goroutineSlack of before and for no request to be in flight, and
// returns the last reading.
func settle(ctx context.Context, url string, before int) (goroutines, inflight int, err error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		goroutines, inflight, err = serverGauges(ctx, url)
		if err != nil || (goroutines <= before+GoroutineSlack && inflight == 0) || time.Now().After(deadline) {
			return goroutines, inflight, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// GoroutineSlack is how many more goroutines than before the load an idle
// server may hold after it without that being called a leak: the metrics
// request itself, and runtime and HTTP server goroutines that come and go.
const GoroutineSlack = 10

// Measure starts `mizan serve` as so describes, runs the load o describes
// against it (URL and PID are filled in), stops the server gracefully and
// returns what the load measured. A server that exits during the load, or
// does not shut down cleanly after it, is an error.
func Measure(ctx context.Context, so ServerOptions, o Options) (res *Result, err error) {
	srv, err := StartServer(ctx, so)
	if err != nil {
		return nil, err
	}
	// Deferred, so that the server stops on every return, a panic included.
	defer func() {
		if serr := srv.Stop(); serr != nil {
			err = errors.Join(err, fmt.Errorf("stop after the load: %w", serr))
		}
	}()
	o.URL, o.PID = srv.URL(), srv.PID()
	res, err = Run(ctx, o)
	if err == nil && srv.Exited() {
		err = errors.New("mizan serve exited during the load")
	}
	return res, err
}
