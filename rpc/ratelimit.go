package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/time/rate"

	"github.com/mizan-budget/mizan"
)

// Defaults of the per-client rate limit. A dashboard page load is about
// ten asset and API requests; a user clicking through drilldowns makes a
// few a second. The burst lets a page load at once, the rate lets a busy
// person (or several people behind one NAT) work without waiting, and a
// scraper hammering the API is slowed to the rate.
const (
	DefaultRate  = 20  // requests per second, sustained
	DefaultBurst = 100 // requests at once
)

// maxClients bounds the limiters kept at once; past it, new clients share
// one limiter (the busy server then slows strangers down, not its memory).
const maxClients = 100_000

// RateLimit configures the per-client rate limit.
type RateLimit struct {
	// Rate is the sustained requests per second one client may make; 0
	// disables the limit.
	Rate float64
	// Burst is how many requests a client may make at once; 0 means
	// max(1, Rate).
	Burst int
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For header names the client. Without them the header is
	// ignored (anyone can write it) and the peer address is the client.
	TrustedProxies []netip.Prefix
}

// ParseTrustedProxies reads a comma-separated list of IP addresses and
// CIDR prefixes ("127.0.0.1, 10.0.0.0/8").
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// clientLimiter is one client's token bucket.
type clientLimiter struct {
	lim  *rate.Limiter
	last time.Time // last request
}

// rateLimiter keeps one token bucket per client and forgets clients idle
// long enough for their bucket to be full again (a full bucket is the
// same as a new one, so forgetting it changes nothing but memory).
type rateLimiter struct {
	cfg      RateLimit
	idle     time.Duration // after this long unused, a bucket is full
	mu       sync.Mutex
	clients  map[string]*clientLimiter
	overflow *rate.Limiter
	swept    time.Time
	now      func() time.Time
}

func newRateLimiter(cfg RateLimit) *rateLimiter {
	if cfg.Rate <= 0 {
		return nil
	}
	if cfg.Burst <= 0 {
		cfg.Burst = max(1, int(math.Ceil(cfg.Rate)))
	}
	idle := time.Duration(float64(cfg.Burst)/cfg.Rate*float64(time.Second)) + time.Minute
	return &rateLimiter{
		cfg: cfg, idle: idle, clients: map[string]*clientLimiter{},
		overflow: rate.NewLimiter(rate.Limit(cfg.Rate), cfg.Burst),
		now:      time.Now,
	}
}

// allow takes one request from client's bucket; when it is empty it
// returns how long until a request would be allowed.
func (l *rateLimiter) allow(client string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	if now.Sub(l.swept) > l.idle {
		l.sweep(now)
	}
	c, ok := l.clients[client]
	var lim *rate.Limiter
	switch {
	case ok:
		c.last = now
		lim = c.lim
	case len(l.clients) < maxClients:
		lim = rate.NewLimiter(rate.Limit(l.cfg.Rate), l.cfg.Burst)
		l.clients[client] = &clientLimiter{lim: lim, last: now}
	default:
		lim = l.overflow
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // the request is refused, so it takes no token
		return false, d
	}
	return true, 0
}

// sweep forgets idle clients; l.mu is held.
func (l *rateLimiter) sweep(now time.Time) {
	for k, c := range l.clients {
		if now.Sub(c.last) > l.idle {
			delete(l.clients, k)
		}
	}
	l.swept = now
}

// size returns the number of clients tracked.
func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientKey names the client of a request from its peer address
// ("ip:port") and X-Forwarded-For header. IPv6 clients are keyed by their
// /64, which one subscriber usually holds whole.
func (l *rateLimiter) clientKey(peer string, h http.Header) string {
	addr := parseHostAddr(peer)
	if addr.IsValid() && len(l.cfg.TrustedProxies) > 0 && l.trusted(addr) {
		addr = l.forwardedFor(addr, h.Values("X-Forwarded-For"))
	}
	if !addr.IsValid() {
		return peer
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

func (l *rateLimiter) trusted(a netip.Addr) bool {
	for _, p := range l.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the right (the entry the
// trusted proxy added) past trusted proxies: the first address that is not
// one is the client. Entries left of it are the client's to write and are
// never believed.
func (l *rateLimiter) forwardedFor(peer netip.Addr, values []string) netip.Addr {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseHostAddr(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			break
		}
		client = a
		if !l.trusted(a) {
			break
		}
	}
	return client
}

// parseHostAddr reads "ip", "ip:port" or "[ipv6]:port".
func parseHostAddr(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// retryAfter formats a delay as whole seconds for Retry-After (at least 1).
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// exhausted is the error a limited call gets.
func exhausted(ctx context.Context, procedure string, d time.Duration) error {
	err := connectError(ctx, slog.Default(), procedure, mizan.Errorf(mizan.EEXHAUSTED, "too many requests from this address; retry in %s s", retryAfter(d)))
	var ce *connect.Error
	if errors.As(err, &ce) {
		ce.Meta().Set("Retry-After", retryAfter(d))
	}
	return err
}

// WrapUnary implements connect.Interceptor.
func (l *rateLimiter) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		if ok, d := l.allow(l.clientKey(req.Peer().Addr, req.Header())); !ok {
			return nil, exhausted(ctx, req.Spec().Procedure, d)
		}
		return next(ctx, req)
	}
}

// WrapStreamingClient implements connect.Interceptor; clients pass through.
func (l *rateLimiter) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor: a stream counts as
// one request.
func (l *rateLimiter) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if ok, d := l.allow(l.clientKey(conn.Peer().Addr, conn.RequestHeader())); !ok {
			return exhausted(ctx, conn.Spec().Procedure, d)
		}
		return next(ctx, conn)
	}
}

// limitHTTP applies the limit to plain HTTP requests (the dashboard's
// pages and assets): 429 Too Many Requests with Retry-After.
func (l *rateLimiter) limitHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, d := l.allow(l.clientKey(r.RemoteAddr, r.Header)); !ok {
			w.Header().Set("Retry-After", retryAfter(d))
			http.Error(w, "too many requests; retry in "+retryAfter(d)+" s", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
