// Package frontend serves the Mizan dashboard: the single-page app that
// `npm run build` writes to frontend/dist, embedded into the binary.
//
// dist/ is not committed except for dist/.gitkeep, so `//go:embed all:dist`
// always compiles: a binary built before the dashboard serves a short page
// that says how to build it, instead of failing to compile. The `all:`
// prefix is what embeds .gitkeep; dot files are never served.
package frontend

import (
	"bytes"
	"embed"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Handler serves the dashboard. Files that exist are served as they are,
// hashed files under /assets/ with a year-long immutable cache; any other
// path without a file extension gets index.html, so that permalinks such as
// /explore?ds=… load the app, which then reads its state from the URL.
// Missing assets are 404s.
//
// When devDir is not empty the files are read from that directory on every
// request (for example frontend/dist while `vite build --watch` runs)
// instead of from the embedded copy.
func Handler(devDir string) http.Handler {
	if devDir != "" {
		return newHandler(os.DirFS(devDir), false)
	}
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // cannot happen: "dist" is a valid path
	}
	return newHandler(sub, true)
}

type handler struct {
	fsys fs.FS
	// embedded files never change, so index.html can be read once.
	embedded bool
	index    []byte
}

func newHandler(fsys fs.FS, embedded bool) *handler {
	h := &handler{fsys: fsys, embedded: embedded}
	if embedded {
		h.index, _ = fs.ReadFile(fsys, "index.html")
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")

	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || name == "index.html" {
		h.serveIndex(w, r)
		return
	}
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			http.NotFound(w, r)
			return
		}
	}
	f, err := h.fsys.Open(name)
	if err == nil {
		defer f.Close()
		if st, err := f.Stat(); err == nil && !st.IsDir() {
			h.serveFile(w, r, name, f, st)
			return
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// Not a file: an app route gets index.html, a missing asset a 404.
	if name == "assets" || strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
		http.NotFound(w, r)
		return
	}
	h.serveIndex(w, r)
}

func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string, f fs.File, st fs.FileInfo) {
	if strings.HasPrefix(name, "assets/") {
		// Vite puts a content hash in every asset's name.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		rs = bytes.NewReader(b)
	}
	// Embedded files have a zero ModTime, so no Last-Modified is sent for them.
	http.ServeContent(w, r, name, st.ModTime(), rs)
}

func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	index := h.index
	if !h.embedded {
		index, _ = fs.ReadFile(h.fsys, "index.html")
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if len(index) == 0 {
		w.Header().Set("X-Mizan-Dashboard", "not-built")
		index = []byte(placeholder)
	}
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(index))
}

// placeholder is served when the binary was built without the dashboard.
const placeholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mizan · ميزان</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Mizan</h1>
<p>The API is running, but this binary was built without the dashboard.
Build it with <code>make build</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>, then rebuild the binary).</p>
<p dir="rtl" lang="ar">الواجهة البرمجية تعمل، لكن هذا البرنامج بُني دون لوحة العرض. ابنِها بالأمر <code>make build</code>.</p>
</body></html>
`
