package rpc

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// TestRateLimiterForgetsIdleClients drives the limiter with a fake clock:
// buckets idle long enough to be full again are dropped, busy ones kept,
// and a returning client starts with a full bucket, as it would have had.
func TestRateLimiterForgetsIdleClients(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newRateLimiter(RateLimit{Rate: 10, Burst: 20})
	l.now = func() time.Time { return now }
	for i := 0; i < 1000; i++ {
		if ok, _ := l.allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256)); !ok {
			t.Fatalf("client %d refused on its first request", i)
		}
	}
	if l.size() != 1000 {
		t.Fatalf("%d clients tracked, want 1000", l.size())
	}
	for i := 0; i < 20; i++ {
		l.allow("busy")
	}
	if ok, wait := l.allow("busy"); ok || wait <= 0 {
		t.Fatalf("busy client past its burst: ok %v, wait %v", ok, wait)
	}
	// Time passes; only "busy" keeps asking.
	for step := 0; step < 3; step++ {
		now = now.Add(l.idle / 2)
		l.allow("busy")
	}
	l.allow("newcomer") // any request may sweep
	if got := l.size(); got != 2 {
		t.Errorf("%d clients tracked after the idle ones left, want 2 (busy, newcomer)", got)
	}
	for i := 0; i < 20; i++ {
		if ok, _ := l.allow("10.0.0.1"); !ok {
			t.Fatalf("returning client refused at request %d of its burst", i+1)
		}
	}
}

// TestRateLimiterBoundsMemory fills the table: past maxClients, strangers
// share one bucket instead of growing the map.
func TestRateLimiterBoundsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the client table")
	}
	l := newRateLimiter(RateLimit{Rate: 1, Burst: 1})
	for i := 0; i < maxClients+50; i++ {
		l.allow(fmt.Sprintf("c%d", i))
	}
	if l.size() != maxClients {
		t.Errorf("%d clients tracked, want at most %d", l.size(), maxClients)
	}
	if ok, _ := l.allow("another stranger"); ok {
		t.Error("strangers past the table do not share the overflow bucket")
	}
}

func TestClientKey(t *testing.T) {
	proxies, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	trusting := newRateLimiter(RateLimit{Rate: 1, TrustedProxies: proxies})
	plain := newRateLimiter(RateLimit{Rate: 1})
	for _, tc := range []struct {
		l    *rateLimiter
		peer string
		xff  []string
		want string
	}{
		{plain, "192.0.2.1:5000", []string{"198.51.100.1"}, "192.0.2.1"},
		{plain, "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64"},
		{plain, "[::ffff:192.0.2.7]:443", nil, "192.0.2.7"},
		{trusting, "127.0.0.1:1", []string{"198.51.100.1"}, "198.51.100.1"},
		{trusting, "127.0.0.1:1", []string{"198.51.100.9, 198.51.100.1, 10.1.2.3"}, "198.51.100.1"},
		{trusting, "127.0.0.1:1", []string{"198.51.100.9", "198.51.100.2"}, "198.51.100.2"},
		{trusting, "127.0.0.1:1", nil, "127.0.0.1"},
		{trusting, "127.0.0.1:1", []string{"10.0.0.5"}, "10.0.0.5"},         // only proxies: the farthest one
		{trusting, "192.0.2.1:5000", []string{"198.51.100.1"}, "192.0.2.1"}, // not from a proxy: header ignored
		{trusting, "127.0.0.1:1", []string{"garbage"}, "127.0.0.1"},
	} {
		h := http.Header{}
		for _, v := range tc.xff {
			h.Add("X-Forwarded-For", v)
		}
		if got := tc.l.clientKey(tc.peer, h); got != tc.want {
			t.Errorf("clientKey(%s, %v) = %s, want %s", tc.peer, tc.xff, got, tc.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8, nonsense"); err == nil {
		t.Error("bad proxy accepted")
	}
	if p, _ := ParseTrustedProxies("::1"); len(p) != 1 || !p[0].Contains(netip.MustParseAddr("::1")) {
		t.Errorf("::1 parsed as %v", p)
	}
}
