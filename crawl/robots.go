package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jimsmart/grobotstxt"
	"golang.org/x/sync/singleflight"
)

const (
	robotsMaxBytes   = 512 << 10
	robotsTTL        = time.Hour
	robotsErrorTTL   = time.Minute // a 5xx robots.txt shuts a site; look again soon
	robotsCacheSize  = 1024
	maxCrawlDelay    = 10 * time.Second
	maxSitemapURLLen = 2048 // longer Sitemap: values are junk
)

// robotsRules is what one origin's robots.txt says about us. The rules are
// read by github.com/jimsmart/grobotstxt, a port of Google's parser, the
// reference implementation of RFC 9309: it reads each line as the RFC asks
// and skips what it cannot read, where a stricter library would reject the
// whole file over one odd line.
type robotsRules struct {
	body      string        // robots.txt as served; "" when no rule of it can apply to us
	offLimits int           // non-zero: robots.txt answered this status, so nothing is allowed
	delay     time.Duration // Crawl-delay of the groups that apply to us, at most maxCrawlDelay so a site cannot stall a worker
	sitemaps  []string      // Sitemap: lines, which apply whatever the group
}

// check returns a *robotsError when u may not be fetched.
func (r *robotsRules) check(u *url.URL, agent string) error {
	if r.offLimits != 0 {
		return &robotsError{path: robotsPath(u), agent: agent, status: r.offLimits}
	}
	// The whole URL, not its path alone: the library would read a path
	// starting "//" as a host.
	if r.body != "" && !grobotstxt.AgentAllowed(r.body, agent, u.String()) {
		return &robotsError{path: robotsPath(u), agent: agent}
	}
	return nil
}

// interval is the gap to keep between requests to the host: Crawl-delay may
// raise the configured minimum.
func (r *robotsRules) interval(minimum time.Duration) time.Duration {
	return max(minimum, r.delay)
}

// robotsPath is the part of u that rules match, the escaped path and query,
// which a refusal names.
func robotsPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// parseRobots reads a robots.txt body for agent, a product token.
func parseRobots(body []byte, truncated bool, agent string) *robotsRules {
	if truncated {
		// A line cut in half could turn "Disallow: /private" into "Disallow: /".
		if i := bytes.LastIndexAny(body, "\r\n"); i >= 0 {
			body = body[:i+1]
		}
	}
	text := string(body)
	x := &robotsExtras{agent: agent}
	grobotstxt.Parse(text, x)
	rules := &robotsRules{delay: x.delay(), sitemaps: x.sitemaps}
	if x.rules {
		// Kept only then: a site that answers robots.txt with its
		// homepage would otherwise hold half a megabyte of cache for
		// nothing, and be parsed again for every page.
		rules.body = text
	}
	return rules
}

// maxRobotsSitemaps bounds the Sitemap: lines kept per robots.txt.
const maxRobotsSitemaps = 10

// robotsExtras reads, in a pass of the library's parser, what its matcher
// leaves out: the Crawl-delay of the groups that apply to agent (Google
// ignores the field) and the Sitemap: lines, which stand outside the
// groups. It groups lines as the matcher does, so that the delay comes
// from the group whose rules are obeyed: a run of User-agent lines opens a
// group, and only an Allow or Disallow line in a group that applies to us
// closes the run.
type robotsExtras struct {
	agent            string
	global, specific bool // the current group names "*", or agent
	ruled            bool // a rule line ended the current run of User-agent lines
	rules            bool // some rule line stood in a group that applies to us
	seenSpecific     bool // some group names agent, so "*" groups do not apply
	globalDelay      time.Duration
	specificDelay    time.Duration
	sitemaps         []string
}

func (x *robotsExtras) HandleRobotsStart() {}
func (x *robotsExtras) HandleRobotsEnd()   {}

func (x *robotsExtras) HandleUserAgent(_ int, value string) {
	if x.ruled {
		x.global, x.specific, x.ruled = false, false, false
	}
	// "*" may be followed by words after a space, as the matcher allows.
	if value == "*" || strings.HasPrefix(value, "*") && unicode.IsSpace(rune(value[1])) {
		x.global = true
		return
	}
	if strings.EqualFold(agentToken(value), x.agent) {
		x.specific, x.seenSpecific = true, true
	}
}

func (x *robotsExtras) HandleAllow(int, string)    { x.rule() }
func (x *robotsExtras) HandleDisallow(int, string) { x.rule() }

func (x *robotsExtras) rule() {
	if x.global || x.specific {
		x.ruled, x.rules = true, true
	}
}

func (x *robotsExtras) HandleSitemap(_ int, value string) {
	if f := strings.Fields(value); len(f) > 0 && len(f[0]) <= maxSitemapURLLen && len(x.sitemaps) < maxRobotsSitemaps {
		x.sitemaps = append(x.sitemaps, f[0])
	}
}

func (x *robotsExtras) HandleUnknownAction(_ int, action, value string) {
	if !strings.EqualFold(action, "crawl-delay") && !strings.EqualFold(action, "crawldelay") || !x.global && !x.specific {
		return
	}
	f := strings.Fields(value)
	if len(f) == 0 {
		return
	}
	secs, err := strconv.ParseFloat(f[0], 64)
	if err != nil || !(secs >= 0) { // NaN too
		return
	}
	// Capped before the conversion, which a huge value would overflow.
	d := time.Duration(min(secs, maxCrawlDelay.Seconds()) * float64(time.Second))
	if x.specific {
		x.specificDelay = max(x.specificDelay, d)
	} else {
		x.globalDelay = max(x.globalDelay, d)
	}
}

// delay is the Crawl-delay of the groups that apply to us; where several
// do, their rules combine (RFC 9309 2.2.1), and so the longest delay holds.
func (x *robotsExtras) delay() time.Duration {
	if x.seenSpecific {
		return x.specificDelay
	}
	return x.globalDelay
}

// agentToken is the product token a User-agent line names, cut where the
// matcher cuts it: "Googlebot/2.1" names "Googlebot".
func agentToken(value string) string {
	if i := strings.IndexFunc(value, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("~#$%'*+-.^_`|", r))
	}); i >= 0 {
		return value[:i]
	}
	return value
}

// loadRobots fetches and interprets an origin's robots.txt. The error is
// non-nil only when the host could not be reached at all; the caller reports
// that instead of a robots refusal, since the page would fail the same way.
func (f *Fetcher) loadRobots(ctx context.Context, u *url.URL) (*robotsRules, time.Duration, error) {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	res, err := f.exchange(ctx, ru, f.cfg.MinHostInterval, robotsMaxBytes, newFetchJar(), func(status int, _ http.Header) bool {
		return status >= 200 && status < 300
	})
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) && (fe.Kind == KindTooManyRedirects || fe.Kind == KindBadURL) {
			// RFC 9309 2.3.1.2: a robots.txt lost in redirects counts as unavailable.
			return &robotsRules{}, robotsTTL, nil
		}
		return nil, 0, err
	}
	switch {
	case res.status >= 200 && res.status < 300:
		return parseRobots(res.body, res.truncated, f.agent), robotsTTL, nil
	case res.status == http.StatusTooManyRequests || res.status >= 500:
		// RFC 9309 2.3.1.4: unreachable means complete disallow. 429 is
		// counted here too: the server is asking us to stay away.
		return &robotsRules{offLimits: res.status}, robotsErrorTTL, nil
	default:
		// 4xx (and oddities like 3xx without Location): no robots.txt.
		return &robotsRules{}, robotsTTL, nil
	}
}

// robotsCache keeps the rules of the origins seen most recently, each until
// its own expiry (an hour, a minute for a 5xx; golang-lru's expirable cache
// has one TTL for all), and lets concurrent requests for one origin share a
// single fetch.
type robotsCache struct {
	rules  *lru.Cache[string, robotsEntry]
	flight singleflight.Group
	now    func() time.Time
}

type robotsEntry struct {
	rules   *robotsRules
	expires time.Time
}

func newRobotsCache(size int) (*robotsCache, error) {
	rules, err := lru.New[string, robotsEntry](size)
	if err != nil {
		return nil, fmt.Errorf("robots cache of %d origins: %w", size, err)
	}
	return &robotsCache{rules: rules, now: time.Now}, nil
}

// fresh is key's rules unless they have expired.
func (c *robotsCache) fresh(key string) (*robotsRules, bool) {
	e, ok := c.rules.Get(key)
	if !ok || !c.now().Before(e.expires) {
		return nil, false
	}
	return e.rules, true
}

// get returns key's rules, loading them when they are missing or expired.
// Failures are not remembered: the next request tries again. The load is
// shared, so it runs detached from the cancellation of whoever started it
// (bounded by the fetch's own timeouts), and every caller stops waiting as
// soon as its own context ends.
func (c *robotsCache) get(ctx context.Context, key string, load func(context.Context) (*robotsRules, time.Duration, error)) (*robotsRules, error) {
	if rules, ok := c.fresh(key); ok {
		return rules, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	detached := context.WithoutCancel(ctx)
	done := c.flight.DoChan(key, func() (any, error) {
		// A load that ended between our look and this flight has stored
		// what we want.
		if rules, ok := c.fresh(key); ok {
			return rules, nil
		}
		rules, ttl, err := load(detached)
		if err != nil {
			return nil, err
		}
		c.rules.Add(key, robotsEntry{rules: rules, expires: c.now().Add(ttl)})
		return rules, nil
	})
	select {
	case res := <-done:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*robotsRules), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// originKey names the origin a robots.txt belongs to (RFC 9309 2.3). It is
// not urlkey.Site: the scheme, the port and "www." each make another origin
// with a robots.txt of its own.
func originKey(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" || u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443" {
		port = defaultPort(u.Scheme)
	}
	return u.Scheme + "://" + net.JoinHostPort(host, port)
}
