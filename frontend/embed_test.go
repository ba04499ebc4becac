package frontend

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

var site = fstest.MapFS{
	"index.html":             {Data: []byte("<!doctype html><title>Mizan</title>")},
	"assets/index-AbC12.js":  {Data: []byte("console.log(1)")},
	"assets/index-AbC12.css": {Data: []byte("body{}")},
	"robots.txt":             {Data: []byte("User-agent: *")},
	".gitkeep":               {Data: nil},
}

func get(t *testing.T, h http.Handler, method, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHandler(t *testing.T) {
	h := newHandler(site, true)
	tests := []struct {
		target, wantBody, wantType, wantCache string
		wantStatus                            int
	}{
		{"/", "<!doctype html><title>Mizan</title>", "text/html; charset=utf-8", "no-cache", 200},
		{"/index.html", "<!doctype html><title>Mizan</title>", "text/html; charset=utf-8", "no-cache", 200},
		// Permalinks: app routes get index.html, whatever their query.
		{"/explore?ds=demo&v=2&dd=admin.ministry", "<!doctype html><title>Mizan</title>", "text/html; charset=utf-8", "no-cache", 200},
		{"/execution/", "<!doctype html><title>Mizan</title>", "text/html; charset=utf-8", "no-cache", 200},
		{"/data/extra/segments", "<!doctype html><title>Mizan</title>", "text/html; charset=utf-8", "no-cache", 200},
		// Hashed assets are cached for good.
		{"/assets/index-AbC12.js", "console.log(1)", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/assets/index-AbC12.css", "body{}", "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/robots.txt", "User-agent: *", "text/plain; charset=utf-8", "no-cache", 200},
		// Missing assets are 404s, not the app.
		{"/assets/gone-123.js", "", "", "", 404},
		{"/favicon.ico", "", "", "", 404},
		{"/assets", "", "", "", 404},
		// Dot files (dist/.gitkeep) are never served, nor can paths escape.
		{"/.gitkeep", "", "", "", 404},
		{"/../embed.go", "", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res := get(t, h, http.MethodGet, tt.target)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				return
			}
			if got := body(t, res); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if got := res.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := res.Header.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
		})
	}
}

func TestHandlerMethods(t *testing.T) {
	h := newHandler(site, true)
	if res := get(t, h, http.MethodHead, "/explore"); res.StatusCode != 200 || body(t, res) != "" {
		t.Errorf("HEAD: status %d", res.StatusCode)
	}
	res := get(t, h, http.MethodPost, "/")
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestHandlerNotBuilt(t *testing.T) {
	h := newHandler(fstest.MapFS{".gitkeep": {}}, true)
	res := get(t, h, http.MethodGet, "/trends")
	if res.StatusCode != 200 || res.Header.Get("X-Mizan-Dashboard") != "not-built" {
		t.Fatalf("status %d, header %q", res.StatusCode, res.Header.Get("X-Mizan-Dashboard"))
	}
	if b := body(t, res); !strings.Contains(b, "make build") {
		t.Errorf("placeholder does not say how to build: %q", b)
	}
}

// The embedded copy always compiles and serves something at /: the built
// dashboard, or the placeholder when dist/ holds only .gitkeep.
func TestHandlerEmbedded(t *testing.T) {
	res := get(t, Handler(""), http.MethodGet, "/")
	if res.StatusCode != 200 || !strings.Contains(body(t, res), "<html") {
		t.Fatalf("GET / on the embedded dashboard: status %d", res.StatusCode)
	}
	if res := get(t, Handler(""), http.MethodGet, "/.gitkeep"); res.StatusCode != 404 {
		t.Errorf("GET /.gitkeep: status %d, want 404", res.StatusCode)
	}
}

// With a dev directory, files are read from disk on every request.
func TestHandlerDevDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.html", "one")
	write("assets/a-1.js", "js")
	h := Handler(dir)
	if got := body(t, get(t, h, http.MethodGet, "/overview")); got != "one" {
		t.Fatalf("index = %q", got)
	}
	write("index.html", "two")
	if got := body(t, get(t, h, http.MethodGet, "/")); got != "two" {
		t.Errorf("index after edit = %q, want the new file", got)
	}
	if got := body(t, get(t, h, http.MethodGet, "/assets/a-1.js")); got != "js" {
		t.Errorf("asset = %q", got)
	}
}
