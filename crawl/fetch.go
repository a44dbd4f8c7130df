// Package crawl fetches web pages safely and politely: every connection is
// checked against an SSRF guard at dial time, robots.txt is honoured, each
// host sees one request at a time, and bodies, redirects and time are capped.
package crawl

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"code.dny.dev/ssrf"
	"github.com/go-resty/resty/v2"
	"golang.org/x/net/publicsuffix"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/internal/urlkey"
	"github.com/vcenrich/vcenrich/internal/utf8body"
)

const (
	dialTimeout     = 10 * time.Second
	tlsTimeout      = 10 * time.Second
	gateSize        = 4096
	drainMax        = 4 << 10 // small error bodies are read so the connection can be reused
	maxHomeAttempts = 4
	acceptHeader    = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
)

// Fetcher fetches pages. It is safe for concurrent use; share one.
type Fetcher struct {
	cfg      Config
	agent    string            // robots product token, lower case
	hosts    map[string]string // exact dial overrides
	suffixes []hostSuffix      // ".example.test" overrides, longest first
	dialer   *net.Dialer
	client   *resty.Client
	gate     *hostGate
	robots   *robotsCache
}

type hostSuffix struct{ suffix, target string }

// Response is a fetched page.
type Response struct {
	URL         *url.URL // final URL after redirects
	Status      int
	ContentType string
	Body        []byte // decoded to UTF-8 (utf8body.Decode: header, BOM or meta), gzip handled; as sent for Resource
	Truncated   bool
	Redirected  bool // final host differs from requested host (ignoring www.)
	// Header is the final answer's header as the server sent it. Its
	// length and encoding lines describe the wire, not Body, which the
	// transport inflated (and Get decoded).
	Header http.Header
}

// New builds a Fetcher with its own transport: no proxy (through a proxy the
// guard would only ever see the proxy's address), and a dialer whose every
// connection, redirects and re-resolved names included, passes the guard.
func New(cfg Config) (*Fetcher, error) {
	return newFetcher(cfg, nil)
}

func newFetcher(cfg Config, resolver *net.Resolver) (*Fetcher, error) {
	cfg = cfg.withDefaults()
	f := &Fetcher{
		cfg:   cfg,
		agent: productToken(cfg.UserAgent),
		hosts: make(map[string]string),
		gate:  newHostGate(gateSize),
	}
	var err error
	if f.robots, err = newRobotsCache(robotsCacheSize); err != nil {
		return nil, fmt.Errorf("crawl: %w", err)
	}
	for name, target := range cfg.Hosts {
		ap, err := netip.ParseAddrPort(strings.TrimSpace(target))
		if err != nil {
			return nil, fmt.Errorf("crawl: host override %s=%s is not ip:port: %w", name, target, err)
		}
		name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
		if strings.HasPrefix(name, ".") && len(name) > 1 {
			f.suffixes = append(f.suffixes, hostSuffix{suffix: name, target: ap.String()})
		} else {
			f.hosts[name] = ap.String()
		}
	}
	slices.SortFunc(f.suffixes, func(a, b hostSuffix) int { return len(b.suffix) - len(a.suffix) })

	var v4, v6 []netip.Prefix
	for _, p := range cfg.Allow {
		if !p.IsValid() {
			return nil, fmt.Errorf("crawl: invalid allow prefix %v", p)
		}
		if p.Addr().Is4() {
			v4 = append(v4, p.Masked())
		} else {
			v6 = append(v6, p.Masked())
		}
	}
	guard := ssrf.New(
		ssrf.WithAllowedV4Prefixes(v4...),
		ssrf.WithAllowedV6Prefixes(v6...),
		ssrf.WithPorts(append([]uint16{80, 443}, cfg.AllowPorts...)...),
	)
	endpoints := slices.Clone(cfg.AllowEndpoints)
	f.dialer = &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		// The guard sees the address actually dialled, after DNS and
		// overrides; an allowed endpoint is that exact pair only.
		Control: func(network, address string, c syscall.RawConn) error {
			if ap, err := netip.ParseAddrPort(address); err == nil && strings.HasPrefix(network, "tcp") &&
				slices.Contains(endpoints, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())) {
				return nil
			}
			return guard.Safe(network, address, c)
		},
		Resolver: resolver,
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            f.dial,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    tlsTimeout,
		ResponseHeaderTimeout:  cfg.RequestTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    2,
		MaxConnsPerHost:        4,
		IdleConnTimeout:        60 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	maxRedirects := max(cfg.MaxRedirects, 0)
	f.client = resty.NewWithClient(&http.Client{Transport: transport}).
		SetLogger(applog.Silent{}).
		SetDoNotParseResponse(true).
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(req *http.Request, via []*http.Request) error {
			if req.Context().Value(hopByHop{}) != nil {
				return http.ErrUseLastResponse
			}
			return checkRedirect(req, via, maxRedirects)
		})).
		SetHeader("User-Agent", cfg.UserAgent).
		SetHeader("Accept", acceptHeader).
		SetHeader("Accept-Language", "en;q=1.0, *;q=0.5")
	return f, nil
}

// dial applies the host overrides and dials through the guard, which sees
// the overridden address.
func (f *Fetcher) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	target := addr
	if t, ok := f.override(host); ok {
		target = t
	}
	conn, err := f.dialer.DialContext(ctx, network, target)
	if err != nil && (errors.Is(err, ssrf.ErrProhibitedIP) || errors.Is(err, ssrf.ErrProhibitedPort) ||
		errors.Is(err, ssrf.ErrProhibitedNetwork) || errors.Is(err, ssrf.ErrInvalidHostPort)) {
		b := &blockedError{host: host, err: err}
		var op *net.OpError
		if errors.As(err, &op) {
			if ta, ok := op.Addr.(*net.TCPAddr); ok {
				b.addr = ta.AddrPort()
			}
		}
		return nil, b
	}
	return conn, err
}

func (f *Fetcher) override(host string) (string, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if t, ok := f.hosts[host]; ok {
		return t, true
	}
	for _, s := range f.suffixes {
		if strings.HasSuffix(host, s.suffix) {
			return s.target, true
		}
	}
	return "", false
}

// checkRedirect, for robots.txt (pages follow their redirects hop by hop in
// get), limits the chain, refuses targets we would refuse as input, and
// carries cookies set along the chain in the fetch's jar.
func checkRedirect(req *http.Request, via []*http.Request, maxRedirects int) error {
	if len(via) > maxRedirects {
		return &redirectLimitError{max: maxRedirects}
	}
	if why := refuseURL(req.URL); why != "" {
		return &redirectTargetError{target: req.URL.Redacted(), why: why}
	}
	jar, _ := req.Context().Value(fetchJar{}).(*cookiejar.Jar)
	if resp := req.Response; jar != nil && resp != nil && resp.Request != nil {
		jar.SetCookies(resp.Request.URL, resp.Cookies())
		for _, c := range jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
	}
	return nil
}

// hopByHop marks a request context whose redirects get follows itself.
type hopByHop struct{}

// fetchJar keys, in a request context, the cookie jar of the fetch the
// request belongs to, so that checkRedirect can reach it.
type fetchJar struct{}

// newFetchJar is the cookie jar of one fetch. Without one, sites that set a
// cookie and redirect to themselves to check it would loop forever; no jar
// outlives its fetch, so no site can follow us from one firm to the next and
// what a page says never depends on what was fetched before it.
func newFetchJar() *cookiejar.Jar {
	// New checks nothing in its options: its error is always nil.
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	return jar
}

// Get fetches a page. It checks robots.txt for the URL's host first (cached
// per origin for an hour; per RFC 9309 a 4xx robots.txt allows all, a 5xx one
// disallows all) unless IgnoreRobots. When the host cannot be reached for
// robots.txt, that network error is returned, as the page would fail alike.
// Every failure is an *Error; non-2xx statuses are KindHTTP (KindRateLimited
// for 429) with Status set, and non-HTML content is KindNotHTML.
func (f *Fetcher) Get(ctx context.Context, rawURL string) (*Response, error) {
	return f.get(ctx, rawURL, isPageType, true)
}

// Resource fetches what a page running in a browser asks for (its scripts,
// styles and data) on Get's terms, robots.txt, guard, politeness and caps
// included, so that rendering a page reaches nothing a crawl could not. It
// accepts what a page needs to run, not images, fonts or media, and leaves
// the body as the server sent it, since the browser reads the charset itself.
func (f *Fetcher) Resource(ctx context.Context, rawURL string) (*Response, error) {
	return f.get(ctx, rawURL, isResourceType, false)
}

// get is Get with the content types to accept, and whether to decode the
// body to UTF-8 (a gzipped sitemap must stay as it came). It follows
// redirects itself, one hop at a time, so every hop is checked against its
// own origin's robots.txt and waits its own host's turn.
func (f *Fetcher) get(ctx context.Context, rawURL string, accept func(contentType string) bool, decode bool) (*Response, error) {
	first, err := parseTarget(rawURL)
	if err != nil {
		return nil, err
	}
	// Only the page's own requests stop at redirects: robots.txt, loaded
	// on the way, follows its own.
	pageCtx := context.WithValue(ctx, hopByHop{}, true)
	u := first
	jar := newFetchJar()
	var res *exchangeResult
	for hops := 0; ; hops++ {
		interval, err := f.allowed(ctx, u)
		if err != nil {
			return nil, err
		}
		res, err = f.exchange(pageCtx, u, interval, f.cfg.MaxBodyBytes, jar, func(status int, h http.Header) bool {
			return status >= 200 && status < 300 && accept(h.Get("Content-Type"))
		})
		if err != nil {
			return nil, err
		}
		next := redirectTarget(res)
		if next == nil {
			break
		}
		if limit := max(f.cfg.MaxRedirects, 0); hops >= limit {
			return nil, classify(ctx, u.String(), &redirectLimitError{max: limit})
		}
		if why := refuseURL(next); why != "" {
			return nil, classify(ctx, u.String(), &redirectTargetError{target: next.Redacted(), why: why})
		}
		u = next
	}
	final := res.final.String()
	if res.status < 200 || res.status > 299 {
		e := &Error{Kind: KindHTTP, URL: final, Status: res.status, Err: fmt.Errorf("status %d", res.status)}
		if res.status == http.StatusTooManyRequests {
			e.Kind = KindRateLimited
		}
		e.RetryAfter = parseRetryAfter(res.header.Get("Retry-After"), time.Now())
		return nil, e
	}
	ct := res.header.Get("Content-Type")
	if !accept(ct) {
		return nil, &Error{Kind: KindNotHTML, URL: final, Status: res.status, Err: &notHTMLError{contentType: ct}}
	}
	body, truncated := res.body, res.truncated
	if decode {
		body = utf8body.Decode(body, ct)
		// A legacy charset can take three UTF-8 bytes for one: the cap
		// holds for the text the caller gets, not only for the wire.
		if limit := int(f.cfg.MaxBodyBytes); len(body) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(body[cut]) {
				cut--
			}
			body, truncated = body[:cut], true
		}
	}
	return &Response{
		URL:         res.final,
		Status:      res.status,
		ContentType: ct,
		Body:        body,
		Truncated:   truncated,
		Redirected:  siteName(first) != siteName(res.final),
		Header:      res.header,
	}, nil
}

// allowed checks u against its origin's robots.txt (cached per origin for
// an hour) and returns the gap to keep between requests to its host.
func (f *Fetcher) allowed(ctx context.Context, u *url.URL) (time.Duration, error) {
	interval := f.cfg.MinHostInterval
	if f.cfg.IgnoreRobots {
		return interval, nil
	}
	rules, err := f.robots.get(ctx, originKey(u), func(ctx context.Context) (*robotsRules, time.Duration, error) {
		return f.loadRobots(ctx, u)
	})
	if err != nil {
		return 0, classify(ctx, u.String(), err)
	}
	if err := rules.check(u, f.agent); err != nil {
		return 0, &Error{Kind: KindRobots, URL: u.String(), Err: err}
	}
	return rules.interval(interval), nil
}

// redirectTarget is where a redirect answer points, or nil when the answer
// is not one (a 3xx without a usable Location is answered as it is).
func redirectTarget(res *exchangeResult) *url.URL {
	switch res.status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil
	}
	loc := res.header.Get("Location")
	if loc == "" {
		return nil
	}
	next, err := res.final.Parse(loc)
	if err != nil {
		return nil
	}
	next.Fragment, next.RawFragment = "", ""
	return next
}

// Home fetches a firm's homepage with fallbacks for a dead homepage: on a DNS
// failure it toggles "www.", on a connect or TLS failure it swaps https and
// http. It returns the first success, else the first error.
func (f *Fetcher) Home(ctx context.Context, website string) (*Response, error) {
	website = strings.TrimSpace(website)
	if website != "" && !strings.Contains(website, "://") {
		website = "https://" + website
	}
	queue := []string{website}
	tried := make(map[string]bool)
	var best error
	for len(queue) > 0 && len(tried) < maxHomeAttempts {
		candidate := queue[0]
		queue = queue[1:]
		if tried[candidate] {
			continue
		}
		tried[candidate] = true
		resp, err := f.Get(ctx, candidate)
		if err == nil {
			return resp, nil
		}
		if best == nil || reach(err) > reach(best) {
			best = err
		}
		var fe *Error
		if ctx.Err() != nil || !errors.As(err, &fe) {
			break
		}
		u, perr := url.Parse(candidate)
		if perr != nil {
			break
		}
		switch fe.Kind {
		case KindDNS:
			if alt := toggleWWW(u); alt != "" {
				queue = append(queue, alt)
			}
		case KindConnect, KindTLS:
			queue = append(queue, swapScheme(u))
		}
	}
	return nil, best
}

// reach ranks how far an attempt got, so Home reports the most telling
// failure (the first of equals): a site that answers plain HTTP with a 404
// or a robots.txt disallow, or at least accepts the connection and then
// times out, says more than its refusal to speak HTTPS, which says more
// than a missing www. name. A site that does speak TLS but with a
// bad certificate is ranked with the answers: its http:// twin answering
// "400, use HTTPS" would only hide the real problem.
func reach(err error) int {
	var fe *Error
	if !errors.As(err, &fe) {
		return 0
	}
	switch {
	case fe.Kind == KindDNS:
		return 1
	case fe.Kind == KindConnect, fe.Kind == KindTLS && errors.Is(fe.Err, http.ErrSchemeMismatch):
		return 2
	case fe.Kind == KindTimeout: // something answered the connection, too slowly
		return 3
	default:
		return 4
	}
}

func toggleWWW(u *url.URL) string {
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil || !strings.Contains(host, ".") {
		return ""
	}
	alt := *u
	if rest, ok := strings.CutPrefix(strings.ToLower(host), "www."); ok {
		host = rest
	} else {
		host = "www." + host
	}
	if port := u.Port(); port != "" {
		host = net.JoinHostPort(host, port)
	}
	alt.Host = host
	return alt.String()
}

func swapScheme(u *url.URL) string {
	alt := *u
	if strings.EqualFold(u.Scheme, "https") {
		alt.Scheme = "http"
	} else {
		alt.Scheme = "https"
	}
	return alt.String()
}

// exchangeResult is one request's outcome; body is read only when the
// caller's wantBody said so.
type exchangeResult struct {
	final     *url.URL
	status    int
	header    http.Header
	body      []byte
	truncated bool
}

// exchange performs one GET under the host's politeness gate and the request
// timeout, reading at most limit bytes of body, sending the cookies jar holds
// for u and keeping those the answers set. Errors are *Error.
func (f *Fetcher) exchange(ctx context.Context, u *url.URL, interval time.Duration, limit int64, jar *cookiejar.Jar, wantBody func(int, http.Header) bool) (*exchangeResult, error) {
	release, err := f.gate.acquire(ctx, strings.ToLower(u.Hostname()), interval)
	if err != nil {
		return nil, classify(ctx, u.String(), err)
	}
	defer release()

	// The timeout covers the body too, so a server dripping bytes forever
	// is cut off.
	rctx, cancel := context.WithTimeout(context.WithValue(ctx, fetchJar{}, jar), f.cfg.RequestTimeout)
	defer cancel()
	res, err := f.client.R().SetContext(rctx).SetCookies(jar.Cookies(u)).Get(u.String())
	var raw *http.Response
	if res != nil {
		raw = res.RawResponse
	}
	if err != nil {
		if raw != nil && raw.Body != nil {
			raw.Body.Close()
		}
		return nil, classify(ctx, u.String(), err)
	}
	defer raw.Body.Close()
	jar.SetCookies(raw.Request.URL, raw.Cookies())

	out := &exchangeResult{final: raw.Request.URL, status: raw.StatusCode, header: raw.Header}
	if !wantBody(raw.StatusCode, raw.Header) {
		if raw.ContentLength >= 0 && raw.ContentLength <= drainMax {
			_, _ = io.Copy(io.Discard, raw.Body)
		}
		return out, nil
	}
	// The transport asked for gzip itself and so inflates it; capping the
	// inflated stream is what defuses a gzip bomb.
	out.body, out.truncated, err = readCapped(raw.Body, limit, raw.ContentLength)
	if err != nil {
		return nil, classify(ctx, u.String(), fmt.Errorf("reading the body: %w", err))
	}
	return out, nil
}

// readCapped reads up to limit bytes, reporting whether there was more. The
// buffer never grows past limit+1, whatever Content-Length claims.
func readCapped(r io.Reader, limit, hint int64) ([]byte, bool, error) {
	size := int64(32 << 10)
	if hint >= 0 {
		size = max(hint+1, 512)
	}
	buf := make([]byte, 0, min(size, limit+1))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				break
			}
			grown := make([]byte, len(buf), min(int64(cap(buf))*2, limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
	}
	if int64(len(buf)) > limit {
		return buf[:limit], true, nil
	}
	return buf, false, nil
}

// mediaType is the lower-case media type of a Content-Type header, without
// parameters, even when the parameters are malformed; "" when there is none.
func mediaType(contentType string) string {
	if strings.TrimSpace(contentType) == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// isPageType accepts what could hold a firm's page; a missing type is given
// the benefit of the doubt.
func isPageType(contentType string) bool {
	mt := mediaType(contentType)
	if mt == "" {
		return true
	}
	switch mt {
	case "text/html", "application/xhtml+xml", "text/plain":
		return true
	}
	return false
}

// isResourceType accepts what a page's scripts run on: markup, code, styles
// and data. A missing type is given the benefit of the doubt, as for pages.
func isResourceType(contentType string) bool {
	mt := mediaType(contentType)
	if mt == "" || strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") {
		return true
	}
	switch mt {
	case "application/javascript", "application/x-javascript", "application/ecmascript",
		"application/json", "application/xml":
		return true
	}
	return false
}

// parseTarget refuses, before any network I/O, what we never fetch.
func parseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &Error{Kind: KindBadURL, URL: raw, Err: cause(err)}
	}
	if why := refuseURL(u); why != "" {
		// Redacted keeps a password in the URL out of logs and reports.
		return nil, &Error{Kind: KindBadURL, URL: u.Redacted(), Err: errors.New(why)}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	// "Example.com." and "example.com" are one host for robots, politeness
	// and the Redirected flag.
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// refuseURL says why u is not fetchable, or "" when it is.
func refuseURL(u *url.URL) string {
	switch {
	case u.Scheme == "":
		return "it has no http:// or https:// scheme"
	case !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https"):
		return fmt.Sprintf("scheme %q is not http or https", u.Scheme)
	case u.User != nil:
		return "it carries a user name or password"
	case u.Hostname() == "":
		return "it has no host"
	}
	return ""
}

// siteName is the site u is on (urlkey.Site), so that a redirect between
// "www." and the bare name does not count as leaving the site.
func siteName(u *url.URL) string {
	return urlkey.Site(u.Hostname())
}

// productToken is what robots.txt groups are matched on: "vcenrich" for
// "vcenrich/0.1 (+https://...)".
func productToken(ua string) string {
	ua = strings.TrimSpace(ua)
	if i := strings.IndexAny(ua, "/ \t"); i >= 0 {
		ua = ua[:i]
	}
	return strings.ToLower(ua)
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}
