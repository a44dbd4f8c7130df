// Package render runs pages that only show their content after JavaScript
// in headless Chromium, without letting the browser reach the network: every
// request the page makes is paused over the DevTools protocol and answered
// from the crawler's guarded fetcher (crawl.Fetcher.Resource), so a rendered
// page can read nothing a crawl could not, and what the fetcher refuses the
// page's script sees as a failed request.
package render

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/crawl"
)

// Config tunes a Renderer. A zero Config finds Chromium on PATH and uses the
// defaults below.
type Config struct {
	// Browser is "auto" (or empty): the first of chromium, chromium-browser
	// and google-chrome on PATH; "off"; or a binary, as a path or a name
	// looked up on PATH.
	Browser     string
	Tabs        int           // renders at once, one tab each (default 2)
	PageBudget  time.Duration // per render, from opening the tab to reading the DOM (default 15s)
	MaxRequests int           // fetches one render may make; later requests fail (default 60)
	Idle        time.Duration // no fetch pending this long after the load event means the page is done (default 500ms)
	MaxMemory   int64         // resident bytes of the browser's processes past which it is restarted between renders (default 1 GiB)
	MaxHTML     int           // characters of the rendered document kept (default 4 Mi)
}

const (
	defaultTabs        = config.DefaultBrowserTabs
	defaultPageBudget  = config.DefaultRenderBudget
	defaultMaxRequests = config.DefaultRenderMaxRequests
	defaultIdle        = 500 * time.Millisecond
	defaultMaxMemory   = config.DefaultBrowserMaxMemory
	defaultMaxHTML     = 4 << 20
)

func (c Config) withDefaults() Config {
	if c.Tabs <= 0 {
		c.Tabs = defaultTabs
	}
	if c.PageBudget <= 0 {
		c.PageBudget = defaultPageBudget
	}
	if c.MaxRequests <= 0 {
		c.MaxRequests = defaultMaxRequests
	}
	if c.Idle <= 0 {
		c.Idle = defaultIdle
	}
	if c.MaxMemory <= 0 {
		c.MaxMemory = defaultMaxMemory
	}
	if c.MaxHTML <= 0 {
		c.MaxHTML = defaultMaxHTML
	}
	return c
}

var (
	// ErrUnavailable is what New returns, wrapped with the reason, when
	// rendering is off or no browser was found: the engine carries on
	// without rendering and can say why.
	ErrUnavailable = errors.New("rendering is unavailable")
	// ErrBrowserLost is a render cut short by the browser dying; the next
	// render starts a new one.
	ErrBrowserLost = errors.New("the browser died")
	// ErrClosed is a render asked of a closed Renderer.
	ErrClosed = errors.New("the renderer is closed")
)

// Result is one rendered page.
type Result struct {
	URL       string // where the page ended, after redirects and script navigations
	HTML      string // document.documentElement.outerHTML when the page went idle or the budget ended
	Truncated bool   // HTML was cut at MaxHTML
	Idle      bool   // the page went idle; false when the time budget ended it
	Requests  int    // requests the page made: Fulfilled + Refused.Total() + Abandoned
	Fulfilled int    // answered from the fetcher, error statuses included
	Refused   Refused
	Abandoned int // still being fetched when the DOM was read
	Elapsed   time.Duration
}

// Refused counts the requests failed without an answer, by reason.
type Refused struct {
	Guard   int // the SSRF guard: private, loopback, link-local or metadata addresses, ports not allowed
	Robots  int // robots.txt disallows them
	Skipped int // images, fonts, media, pings and the like, never fetched
	Budget  int // past MaxRequests
	Other   int // not GET, bad URLs, unreachable hosts, timeouts, unwanted types, bodies over the cap
}

// Total is every refusal.
func (r Refused) Total() int { return r.Guard + r.Robots + r.Skipped + r.Budget + r.Other }

// Renderer renders pages in a pool of tabs of one Chromium, started at the
// first render and restarted when it dies or grows too big. It is safe for
// concurrent use; share one.
type Renderer struct {
	cfg     Config
	bin     string
	fetcher *crawl.Fetcher
	log     *zap.Logger
	tabs    chan struct{} // a slot per tab

	mu      sync.Mutex
	cur     *browser          // the browser new renders use; nil until needed
	live    map[*browser]bool // every browser not being closed, cur included
	closed  bool
	closing sync.WaitGroup // browsers being closed
}

// New makes a Renderer that fetches through fetcher. When rendering is off
// or no browser is found it returns an error wrapping ErrUnavailable, and
// no Renderer. The browser is started by the first render, so a Renderer
// nobody uses costs nothing.
func New(cfg Config, fetcher *crawl.Fetcher, log *zap.Logger) (*Renderer, error) {
	if fetcher == nil {
		return nil, errors.New("render: no fetcher")
	}
	if log == nil {
		log = zap.NewNop()
	}
	cfg = cfg.withDefaults()
	bin, err := findBrowser(cfg.Browser)
	if err != nil {
		return nil, err
	}
	return &Renderer{
		cfg:     cfg,
		bin:     bin,
		fetcher: fetcher,
		log:     log.Named("render"),
		tabs:    make(chan struct{}, cfg.Tabs),
		live:    make(map[*browser]bool),
	}, nil
}

// browserNames are tried on PATH, in order, for "auto".
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// findBrowser resolves the Browser setting to an executable.
func findBrowser(setting string) (string, error) {
	setting = strings.TrimSpace(setting)
	switch strings.ToLower(setting) {
	case "off":
		return "", fmt.Errorf("render: %w: turned off", ErrUnavailable)
	case "", "auto":
		for _, name := range browserNames {
			if p, err := exec.LookPath(name); err == nil {
				return p, nil
			}
		}
		return "", fmt.Errorf("render: %w: none of %s is on PATH", ErrUnavailable, strings.Join(browserNames, ", "))
	}
	p, err := exec.LookPath(setting)
	if err != nil {
		return "", fmt.Errorf("render: %w: browser %q: %w", ErrUnavailable, setting, err)
	}
	return p, nil
}

// Binary is the browser executable renders use.
func (r *Renderer) Binary() string { return r.bin }

// Render opens rawURL in a fresh tab with its own browser context (no
// cookies or storage from earlier renders), lets its scripts run on what
// the fetcher answers, and returns the DOM once no fetch has been pending
// for Config.Idle after the load event, or when Config.PageBudget ends,
// whichever comes first. It fails when the page's own document cannot be
// fetched (the *crawl.Error is wrapped), when the browser dies
// (ErrBrowserLost), or when ctx ends.
func (r *Renderer) Render(ctx context.Context, rawURL string) (Result, error) {
	if err := checkURL(rawURL); err != nil {
		return Result{}, fmt.Errorf("render: %w", err)
	}
	select {
	case r.tabs <- struct{}{}:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("render %s: waiting for a tab: %w", rawURL, ctx.Err())
	}
	defer func() { <-r.tabs }()

	b, err := r.acquire()
	if err != nil {
		return Result{}, fmt.Errorf("render %s: %w", rawURL, err)
	}
	res, err := r.renderIn(ctx, b, rawURL)
	r.release(b)
	if err != nil {
		return res, fmt.Errorf("render %s: %w", rawURL, err)
	}
	return res, nil
}

// Close stops the browser; renders under way fail. The Renderer cannot be
// used afterwards.
func (r *Renderer) Close() error {
	r.mu.Lock()
	r.closed = true
	r.cur = nil
	var all []*browser
	for b := range r.live {
		all = append(all, b)
	}
	clear(r.live)
	r.mu.Unlock()
	var errs []error
	for _, b := range all {
		errs = append(errs, b.close())
	}
	r.closing.Wait()
	return errors.Join(errs...)
}

// acquire returns the browser to render in, starting one when there is
// none or the last one died.
func (r *Renderer) acquire() (*browser, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ErrClosed
	}
	if r.cur != nil && r.cur.dead() {
		r.log.Warn("browser died; starting another", zap.Int("pid", r.cur.pid))
		r.retireLocked(r.cur)
	}
	if r.cur == nil {
		// Starting under the lock makes concurrent first renders share one
		// browser; they would only wait for it anyway.
		b, err := startBrowser(r.bin, browserFlags(), r.log)
		if err != nil {
			return nil, err
		}
		r.log.Info("browser started", zap.String("binary", r.bin), zap.Int("pid", b.pid))
		r.cur = b
		r.live[b] = true
	}
	r.cur.users++
	return r.cur, nil
}

// release ends a render's use of b. Memory is checked here, between
// renders, so that a restart never cuts a page short; the old browser is
// closed once its last render is done.
func (r *Renderer) release(b *browser) {
	r.mu.Lock()
	b.users--
	if b == r.cur && !b.dead() {
		if rss, err := b.rss(); err != nil {
			r.log.Debug("browser memory unreadable", zap.Error(err))
		} else if rss > r.cfg.MaxMemory {
			r.log.Info("browser over its memory cap; restarting",
				zap.Int("pid", b.pid), zap.Int64("rss_bytes", rss), zap.Int64("cap_bytes", r.cfg.MaxMemory))
			r.retireLocked(b)
		}
	}
	if b.retired && b.users == 0 {
		r.closeLocked(b)
	}
	r.mu.Unlock()
}

// retireLocked takes b out of use; it is closed now when idle, else by the
// release of its last render.
func (r *Renderer) retireLocked(b *browser) {
	b.retired = true
	if r.cur == b {
		r.cur = nil
	}
	if b.users == 0 {
		r.closeLocked(b)
	}
}

// closeLocked closes b in the background: a live browser's graceful close
// can take a moment, which no render should wait for. Close waits for it.
func (r *Renderer) closeLocked(b *browser) {
	if !r.live[b] {
		return
	}
	delete(r.live, b)
	r.closing.Go(func() {
		if err := b.close(); err != nil {
			r.log.Debug("closing a retired browser", zap.Int("pid", b.pid), zap.Error(err))
		}
	})
}
