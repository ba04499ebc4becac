package rpc

import (
	"fmt"
	"net/http"
	"strings"
)

// DefaultFrameAncestors lets any site frame the dashboard: its embed mode
// (?embed=1) exists so that newspapers can put a live chart in an article,
// and the data it shows is public. Operators who do not want that set
// "'self'" or "'none'" (or a list of news sites).
const DefaultFrameAncestors = "*"

// contentSecurityPolicy is the policy of every response, before
// frame-ancestors. The dashboard is same-origin scripts and styles built by
// Vite (no inline script), calls the API on its own origin, draws charts on
// canvas, and has a data: favicon. Inline styles are allowed: ECharts writes
// style attributes into its tooltips' HTML, and styles cannot run code.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'"

// ValidateFrameAncestors checks a frame-ancestors source list: "*",
// "'self'", "'none'" or space-separated origins such as
// "https://news.example". Quotes and semicolons that would end the
// directive are refused.
func ValidateFrameAncestors(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("frame-ancestors is empty: use \"*\", \"'self'\", \"'none'\" or origins")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && (r < 0x21 || r > 0x7e) }) {
		return fmt.Errorf("frame-ancestors %q holds a character other than printable ASCII and spaces", s)
	}
	for _, src := range strings.Fields(s) {
		switch {
		case src == "*" || src == "'self'" || src == "'none'":
		case strings.ContainsAny(src, ";,'\"") || strings.ContainsFunc(src, func(r rune) bool { return r < 0x21 || r > 0x7e }):
			return fmt.Errorf("frame-ancestors source %q is not \"*\", \"'self'\", \"'none'\", a scheme or an origin", src)
		}
	}
	if strings.Contains(s, "'none'") && len(strings.Fields(s)) > 1 {
		return fmt.Errorf("frame-ancestors: 'none' cannot be combined with other sources")
	}
	return nil
}

// securityHeaders sets the headers every response carries: a
// Content-Security-Policy with the configured frame-ancestors,
// X-Content-Type-Options and Referrer-Policy. X-Frame-Options, the older
// header browsers without frame-ancestors read, is sent only when it can
// say the same thing: DENY for 'none', SAMEORIGIN for 'self'; any other
// value would forbid the embeds frame-ancestors allows.
func securityHeaders(frameAncestors string, next http.Handler) http.Handler {
	if frameAncestors == "" {
		frameAncestors = DefaultFrameAncestors
	}
	csp := contentSecurityPolicy + "; frame-ancestors " + frameAncestors
	xfo := ""
	switch frameAncestors {
	case "'none'":
		xfo = "DENY"
	case "'self'":
		xfo = "SAMEORIGIN"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		if xfo != "" {
			h.Set("X-Frame-Options", xfo)
		}
		next.ServeHTTP(w, r)
	})
}
