package realpages

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"path"
	"regexp"
	"strings"
	"unicode"

	"github.com/vcenrich/vcenrich/app/workerapp"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/enrich"
)

// HostSuffix ends the host name of every page's site: NNN-name.realpages.test.
const HostSuffix = ".realpages.test"

// Sites serves each page as a firm's website on loopback. A page that was a
// site's home page (index.html at the top of its repository) is the home
// page; any other page sits at its own path under a small home page that
// links to it the way the page's own navigation does.
type Sites struct {
	srv   *http.Server
	ln    net.Listener
	pages map[string]Page // by host
}

// Serve starts the sites on a free loopback port.
func Serve(pages []Page) (*Sites, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("realpages: listen: %w", err)
	}
	s := &Sites{ln: ln, pages: map[string]Page{}}
	for _, p := range pages {
		s.pages[Host(p)] = p
	}
	s.srv = &http.Server{Handler: s}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Sites) Close() error { return s.srv.Close() }

// Addr is the server's address:port, which the fetcher must be allowed to
// reach (VCENRICH_FETCH_ALLOW) and to which every site's host is dialled
// (VCENRICH_FETCH_HOSTS).
func (s *Sites) Addr() string { return s.ln.Addr().String() }

// Engine is the product's engine with the settings cfg holds (read from
// the environment), whose fetcher may reach these sites on loopback and
// nothing else there. The optional LLM stays off: the figures are the
// heuristics'.
func (s *Sites) Engine(cfg config.Config) (*enrich.Engine, error) {
	cfg.FetchAllow = s.Addr()
	cfg.FetchHosts = s.Hosts()
	cfg.HostInterval = 0
	cfg.LLMBaseURL, cfg.LLMModel = "", ""
	return workerapp.Engine(cfg)
}

// Hosts is the dial override for VCENRICH_FETCH_HOSTS.
func (s *Sites) Hosts() string { return HostSuffix + "=" + s.Addr() }

// Host is the host name a page's site is served at.
func Host(p Page) string { return strings.ToLower(p.Stem) + HostSuffix }

// Website is the firm's website as an upload would give it.
func Website(p Page) string { return "http://" + Host(p) + "/" }

// Name is a firm name for the page, from its repository's name.
func Name(p Page) string {
	n := p.Repo
	if i := strings.LastIndex(n, "/"); i >= 0 {
		n = n[i+1:]
	}
	n = strings.TrimSuffix(strings.TrimSuffix(n, ".github.io"), ".com")
	return titleWords(n)
}

// URLPath is where the page is served: "/" for a home page (the top
// index file, or a view or template named home or landing), else the
// repository path as a web server would map it: a static site's build
// folder (_site, out, dist, public, docs) is its root, an index file is its
// folder's address, and a Hugo layout's list.html is its folder's index.
func URLPath(p Page) string {
	fp := strings.TrimPrefix(p.Path, "/")
	for _, root := range []string{"_site/", "out/", "dist/", "public/", "docs/", "build/", "layouts/"} {
		fp = strings.TrimPrefix(fp, root)
	}
	dir, file := path.Split(fp)
	stem := strings.TrimSuffix(file, path.Ext(file))
	switch {
	case stem == "index" && dir == "", stem == "home", stem == "landing":
		return "/"
	case stem == "index" || strings.HasPrefix(file, "list."):
		return "/" + dir
	}
	return "/" + fp
}

func (s *Sites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	p, ok := s.pages[host]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page := URLPath(p)
	switch {
	case r.URL.Path == page || r.URL.Path == strings.TrimSuffix(page, "/"):
		body, err := os.ReadFile(p.HTMLFile)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(body)
	case r.URL.Path == "/":
		_, _ = fmt.Fprint(w, homePage(p))
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprint(w, "<html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>")
	}
}

// homePage is a plain home page whose navigation links to the page with the
// text the page's own navigation gives that link, or its file name's words.
func homePage(p Page) string {
	name := html.EscapeString(Name(p))
	link := html.EscapeString(URLPath(p))
	text := html.EscapeString(linkText(p))
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + name + `</title></head><body>
<header><nav><a href="/">Home</a> <a href="` + link + `">` + text + `</a></nav></header>
<main><h1>` + name + `</h1><p>` + name + ` invests in companies and the people who build them.</p></main>
</body></html>`
}

var anchorRE = regexp.MustCompile(`(?is)<a\s[^>]*href\s*=\s*["']([^"'#?]*)[^"']*["'][^>]*>(.*?)</a>`)
var tagRE = regexp.MustCompile(`(?s)<[^>]*>`)

// linkText is the text of the page's own link to itself (its navigation
// names the page as the home page would), else its file name's words.
func linkText(p Page) string {
	body, err := os.ReadFile(p.HTMLFile)
	file := path.Base(p.Path)
	if err == nil {
		for _, m := range anchorRE.FindAllSubmatch(body, -1) {
			href := strings.TrimSpace(string(m[1]))
			if href == "" || path.Base(href) != file {
				continue
			}
			t := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(string(m[2]), " "))), " ")
			if t != "" && len(t) < 40 && !strings.ContainsAny(t, "{}<>$") {
				return t
			}
		}
	}
	stem := strings.TrimSuffix(file, path.Ext(file))
	if strings.HasPrefix(stem, "list") || stem == "index" {
		stem = path.Base(path.Dir(p.Path))
	}
	stem = strings.TrimSuffix(stem, ".blade")
	for _, prefix := range []string{"page-", "section-", "content-"} {
		stem = strings.TrimPrefix(stem, prefix)
	}
	return titleWords(stem)
}

func titleWords(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == '.' || unicode.IsSpace(r) })
	for i, w := range f {
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		f[i] = string(rs)
	}
	return strings.Join(f, " ")
}
