// Package simweb is the benchmark's simulated web: one loopback HTTP server
// that answers for every host under Suffix, each host a venture firm's site
// (homepage, team or people page, about, portfolio) whose content is a pure
// function of the host name and the web's Config. Every answer waits a delay
// drawn from a configurable distribution before its first byte, as a remote
// site would, and a configurable share of pages answers 503 or 429. A
// configurable share of the sites is script-built: their team page is an app
// shell whose script fetches the team as JSON, so only a crawler that runs
// it finds the team.
//
// The same server serves the full stack and the goroutine-pool baseline, so
// both meet exactly the same web. It counts what it served, and counts every
// host whose homepage it served whole more than once: a firm enriched twice.
package simweb

import (
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Suffix is the domain every simulated firm lives under. The fetcher's dial
// override maps it to the server's loopback address.
const Suffix = ".bench.test"

// Control paths, answered on any Host that is not under Suffix (the server's
// own address), so no firm site can reach them.
const (
	PathStats = "/_bench/stats" // GET: counters so far
	PathReset = "/_bench/reset" // POST: counters so far, then zeroed
)

// Config shapes the web.
type Config struct {
	Latency     time.Duration // centre of the delay before each answer
	Jitter      time.Duration // the delay is uniform in Latency±Jitter
	SlowRate    float64       // share of answers delayed SlowLatency instead: the long tail
	SlowLatency time.Duration
	ErrorRate   float64 // share of pages answered 503
	Rate429     float64 // share of pages answered 429 with Retry-After: 1
	PageBytes   int     // pages are padded with ordinary markup to about this size
	// ScriptShare is the share of the sites whose menu links their team
	// page that are script-built (Site.ScriptBuilt); 0 serves every team
	// as static markup.
	ScriptShare float64
}

// Stats is what the web served.
type Stats struct {
	Requests  int64 `json:"requests"`
	Pages     int64 `json:"pages"`       // 200 answers with a page, robots.txt excluded
	Robots    int64 `json:"robots"`      // robots.txt answers
	NotFound  int64 `json:"not_found"`   // 404s: guessed paths that do not exist
	Errors5xx int64 `json:"errors_5xx"`  // injected 503s
	Limited   int64 `json:"limited_429"` // injected 429s
	Bytes     int64 `json:"bytes"`       // body bytes written
	// Requests for a script-built team page's data, whatever the answer:
	// only a page whose script ran asks, so each is one render.
	TeamData int64 `json:"team_data,omitempty"`
	// Hosts whose homepage was served whole at least once, and more than
	// once: a homepage that failed (503, 429) is retried by design, but a
	// second whole homepage means a firm was enriched again.
	Hosts         int `json:"hosts"`
	HostsRepeated int `json:"hosts_repeated"`
}

// Web is the simulated web's handler.
type Web struct {
	cfg Config

	requests, pages, robots, notFound, errs, limited, bytes, teamData atomic.Int64

	mu    sync.Mutex
	homes map[string]int32 // host -> whole homepages served
}

// New returns a web shaped by cfg.
func New(cfg Config) *Web {
	return &Web{cfg: cfg, homes: make(map[string]int32)}
}

// Stats returns the counters so far.
func (w *Web) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.statsLocked()
}

// Reset returns the counters so far and zeroes them, so each scenario of a
// benchmark counts only its own traffic.
func (w *Web) Reset() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.statsLocked()
	for _, c := range []*atomic.Int64{&w.requests, &w.pages, &w.robots, &w.notFound, &w.errs, &w.limited, &w.bytes, &w.teamData} {
		c.Store(0)
	}
	w.homes = make(map[string]int32)
	return s
}

func (w *Web) statsLocked() Stats {
	s := Stats{
		Requests: w.requests.Load(), Pages: w.pages.Load(), Robots: w.robots.Load(),
		NotFound: w.notFound.Load(), Errors5xx: w.errs.Load(), Limited: w.limited.Load(),
		Bytes: w.bytes.Load(), TeamData: w.teamData.Load(), Hosts: len(w.homes),
	}
	for _, n := range w.homes {
		if n > 1 {
			s.HostsRepeated++
		}
	}
	return s
}

// ServeHTTP answers for firm hosts, and for the control paths on the
// server's own address.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	host := hostOnly(r.Host)
	if !strings.HasSuffix(host, Suffix) {
		w.control(rw, r)
		return
	}
	w.requests.Add(1)
	if !w.wait(r) {
		return // the client gave up; nobody reads an answer
	}
	if r.URL.Path == "/robots.txt" {
		// Never an injected failure: a 5xx robots.txt means "disallow all"
		// for an hour (RFC 9309), which would turn one unlucky answer into
		// a firm that can never succeed, not into a retry.
		w.robots.Add(1)
		w.write(rw, http.StatusOK, "text/plain; charset=utf-8", robotsTxt)
		return
	}
	site := w.cfg.Site(host)
	data := r.URL.Path == PathTeamData && site.ScriptBuilt
	if data {
		w.teamData.Add(1)
	}
	if roll := rand.Float64(); roll < w.cfg.ErrorRate {
		w.errs.Add(1)
		w.write(rw, http.StatusServiceUnavailable, "text/html; charset=utf-8", unavailablePage)
		return
	} else if roll < w.cfg.ErrorRate+w.cfg.Rate429 {
		w.limited.Add(1)
		rw.Header().Set("Retry-After", "1")
		w.write(rw, http.StatusTooManyRequests, "text/html; charset=utf-8", tooManyPage)
		return
	}
	if data {
		w.write(rw, http.StatusOK, "application/json", site.teamData())
		return
	}
	page, ok := site.Page(r.URL.Path, w.cfg.PageBytes)
	if !ok {
		w.notFound.Add(1)
		w.write(rw, http.StatusNotFound, "text/html; charset=utf-8", notFoundPage)
		return
	}
	if r.URL.Path == "/" {
		w.mu.Lock()
		w.homes[host]++
		w.mu.Unlock()
	}
	w.pages.Add(1)
	w.write(rw, http.StatusOK, "text/html; charset=utf-8", page)
}

// Delay draws one answer's delay.
func (c Config) Delay() time.Duration {
	if c.SlowRate > 0 && rand.Float64() < c.SlowRate {
		return c.SlowLatency
	}
	d := c.Latency
	if c.Jitter > 0 {
		d += time.Duration(rand.Int64N(int64(2*c.Jitter)+1)) - c.Jitter
	}
	return max(d, 0)
}

// wait holds the answer back for one drawn delay; false when the client
// went away meanwhile.
func (w *Web) wait(r *http.Request) bool {
	d := w.cfg.Delay()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (w *Web) write(rw http.ResponseWriter, status int, contentType, body string) {
	rw.Header().Set("Content-Type", contentType)
	rw.WriteHeader(status)
	n, _ := rw.Write([]byte(body))
	w.bytes.Add(int64(n))
}

func (w *Web) control(rw http.ResponseWriter, r *http.Request) {
	var s Stats
	switch {
	case r.URL.Path == PathStats && r.Method == http.MethodGet:
		s = w.Stats()
	case r.URL.Path == PathReset && r.Method == http.MethodPost:
		s = w.Reset()
	default:
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(rw).Encode(s)
}

func hostOnly(hostport string) string {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

const robotsTxt = "User-agent: *\nDisallow: /wp-admin/\nAllow: /\n"

const notFoundPage = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Page not found</title></head>
<body><h1>404</h1><p>Sorry, we couldn't find that page.</p><a href="/">Back home</a></body></html>`

const unavailablePage = `<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>
<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>`

const tooManyPage = `<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head>
<body><h1>Too Many Requests</h1><p>Please slow down.</p></body></html>`
