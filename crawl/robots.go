package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/temoto/robotstxt"
	"golang.org/x/sync/singleflight"
)

const (
	robotsMaxBytes   = 512 << 10
	robotsTTL        = time.Hour
	robotsErrorTTL   = time.Minute // a 5xx robots.txt shuts a site; look again soon
	robotsCacheSize  = 1024
	maxCrawlDelay    = 10 * time.Second
	maxRobotsLineLen = 2048 // longer paths are junk, and huge wildcard patterns are slow to compile
)

// robotsRules is what one origin's robots.txt says about us.
type robotsRules struct {
	data      *robotstxt.RobotsData // nil: everything is allowed
	offLimits int                   // non-zero: robots.txt answered this status, so nothing is allowed
	delay     time.Duration         // Crawl-delay of the group that applies to us
	sitemaps  []string              // Sitemap: lines, which apply whatever the group
}

// check returns a *robotsError when u may not be fetched.
func (r *robotsRules) check(u *url.URL, agent string) error {
	path := robotsPath(u)
	if r.offLimits != 0 {
		return &robotsError{path: path, agent: agent, status: r.offLimits}
	}
	if r.data != nil && !r.data.TestAgent(path, agent) {
		return &robotsError{path: path, agent: agent}
	}
	return nil
}

// interval is the gap to keep between requests to the host: Crawl-delay may
// raise the configured minimum, but only up to maxCrawlDelay so a site cannot
// stall a worker.
func (r *robotsRules) interval(minimum time.Duration) time.Duration {
	return max(minimum, min(r.delay, maxCrawlDelay))
}

// robotsPath is what rules are matched against: the escaped path and query.
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

// parseRobots reads a robots.txt body. Real files often hold lines the
// library rejects outright (rules before any User-agent, "Crawl-delay: 1s"),
// and it then returns nothing at all; RFC 9309 wants such lines skipped, so
// the body is cleaned first.
func parseRobots(body []byte, truncated bool, agent string) *robotsRules {
	if truncated {
		// A line cut in half could turn "Disallow: /private" into "Disallow: /".
		if i := bytes.LastIndexAny(body, "\r\n"); i >= 0 {
			body = body[:i+1]
		}
	}
	data, err := robotstxt.FromBytes(cleanRobots(body))
	if err != nil {
		// cleanRobots should make this unreachable; an unreadable file is
		// treated as absent, as crawlers commonly do.
		return &robotsRules{}
	}
	return &robotsRules{data: data, delay: data.FindGroup(agent).CrawlDelay, sitemaps: robotsSitemaps(body)}
}

// maxRobotsSitemaps bounds the Sitemap: lines kept per robots.txt.
const maxRobotsSitemaps = 10

// robotsSitemaps reads the Sitemap: lines, which stand outside the groups
// (and which cleanRobots drops for that reason).
func robotsSitemaps(body []byte) []string {
	var out []string
	for len(body) > 0 && len(out) < maxRobotsSitemaps {
		var line []byte
		if i := bytes.IndexAny(body, "\r\n"); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			line, body = body, nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok || !strings.EqualFold(strings.TrimSpace(string(key)), "sitemap") {
			continue
		}
		if v := robotsValue(val); v != "" && len(v) <= maxRobotsLineLen {
			out = append(out, v)
		}
	}
	return out
}

// cleanRobots rewrites a robots.txt into canonical "Field: value" lines,
// keeping only the fields we use and only lines the library can parse.
func cleanRobots(body []byte) []byte {
	var out bytes.Buffer
	inGroup := false
	for len(body) > 0 {
		var line []byte
		if i := bytes.IndexAny(body, "\r\n"); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			line, body = body, nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value := robotsValue(val)
		if len(value) > maxRobotsLineLen {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(string(key))) {
		case "user-agent", "useragent":
			if value == "" {
				continue
			}
			inGroup = true
			out.WriteString("User-agent: " + value + "\n")
		case "allow":
			if inGroup {
				writeRule(&out, "Allow:", value)
			}
		case "disallow":
			if inGroup {
				writeRule(&out, "Disallow:", value)
			}
		case "crawl-delay", "crawldelay":
			if !inGroup {
				continue
			}
			d, err := strconv.ParseFloat(value, 64)
			if err != nil || d < 0 || math.IsInf(d, 0) || math.IsNaN(d) {
				continue
			}
			out.WriteString("Crawl-delay: " + strconv.FormatFloat(d, 'f', -1, 64) + "\n")
		}
	}
	return out.Bytes()
}

func writeRule(out *bytes.Buffer, field, value string) {
	out.WriteString(field)
	if value != "" {
		out.WriteString(" " + value)
	}
	out.WriteString("\n")
}

// robotsValue is the first word of a field value, as valid UTF-8 without
// control characters, which the library's tokenizer would split or choke on.
func robotsValue(val []byte) string {
	s := strings.ToValidUTF8(string(val), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
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

// originKey names the origin a robots.txt belongs to (RFC 9309 2.3).
func originKey(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" || u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443" {
		port = defaultPort(u.Scheme)
	}
	return u.Scheme + "://" + net.JoinHostPort(host, port)
}
