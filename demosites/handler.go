package demosites

import (
	"bytes"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strings"
	"time"
)

// genericNotFound is what hosts without a site of their own get, so a request
// for a vanished firm looks like a plain web server's 404.
const genericNotFound = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>404 Not Found</title></head>
<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>
`

// Handler serves the bundled sites: the host comes from the request's Host
// header (port ignored), the page from the path, with the pretty-URL rules
// static hosts use ("/team" finds team.html or team/index.html).
func Handler() http.Handler {
	root, err := fs.Sub(siteFiles, siteRoot)
	if err != nil {
		// fs.Sub only fails on an invalid directory name, which is a constant.
		panic(err)
	}
	return &handler{root: root}
}

type handler struct {
	root fs.FS
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	host, ok := h.siteDir(r.Host)
	if !ok {
		h.notFound(w, r, "")
		return
	}
	name, ok := h.resolve(host, r.URL.Path)
	if !ok {
		h.notFound(w, r, host)
		return
	}
	data, err := fs.ReadFile(h.root, name)
	if err != nil {
		http.Error(w, "cannot read page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType(name, data))
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

// siteDir maps a Host header to the directory of a bundled site.
func (h *handler) siteDir(hostHeader string) (string, bool) {
	host := hostHeader
	if hh, _, err := net.SplitHostPort(hostHeader); err == nil {
		host = hh
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	// Only a single, plain path element can name a site directory; anything
	// else (".", "..", slashes) would let a Host header escape the site root.
	if host == "" || host == "." || strings.ContainsAny(host, `/\`) || !fs.ValidPath(host) {
		return "", false
	}
	info, err := fs.Stat(h.root, host)
	if err != nil || !info.IsDir() {
		return "", false
	}
	return host, true
}

// resolve finds the file a URL path refers to within a site directory.
func (h *handler) resolve(host, urlPath string) (string, bool) {
	rel := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
	var candidates []string
	switch {
	case rel == "":
		candidates = []string{"index.html"}
	case strings.HasSuffix(urlPath, "/"):
		candidates = []string{rel + "/index.html", rel + ".html"}
	default:
		candidates = []string{rel + ".html", rel + "/index.html", rel}
	}
	for _, c := range candidates {
		name := host + "/" + c
		if !fs.ValidPath(name) {
			continue
		}
		if info, err := fs.Stat(h.root, name); err == nil && info.Mode().IsRegular() {
			return name, true
		}
	}
	return "", false
}

// notFound serves the site's own 404.html when it has one, like real hosts do.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request, host string) {
	body := []byte(genericNotFound)
	if host != "" {
		if page, err := fs.ReadFile(h.root, host+"/404.html"); err == nil {
			body = page
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// contentType is decided by extension rather than mime.TypeByExtension so the
// answer does not depend on the host's mime tables (and .php is HTML here).
func contentType(name string, data []byte) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".php":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".xml":
		return "application/xml; charset=utf-8"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".ico":
		return "image/x-icon"
	default:
		return http.DetectContentType(data)
	}
}
