package crawl

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vcenrich/vcenrich/internal/utf8body"
)

// Sitemaps returns the sitemap URLs that the robots.txt of site's origin
// lists (absolute http(s) URLs on any host, as RFC 9309 allows; relative ones
// resolved against the origin), at most ten. Without robots.txt, or with
// IgnoreRobots, there are none. Like Get, it fails only when the host
// cannot be reached for robots.txt.
func (f *Fetcher) Sitemaps(ctx context.Context, site string) ([]string, error) {
	if f.cfg.IgnoreRobots {
		return nil, nil
	}
	u, err := parseTarget(site)
	if err != nil {
		return nil, err
	}
	rules, err := f.robots.get(ctx, originKey(u), func(ctx context.Context) (*robotsRules, time.Duration, error) {
		return f.loadRobots(ctx, u)
	})
	if err != nil {
		return nil, classify(ctx, u.String(), err)
	}
	var out []string
	for _, s := range rules.sitemaps {
		ref, err := url.Parse(s)
		if err != nil {
			continue
		}
		abs := u.ResolveReference(ref)
		if refuseURL(abs) != "" {
			continue
		}
		out = append(out, abs.String())
	}
	return out, nil
}

// GetSitemap fetches a sitemap as Get fetches a page (robots.txt, the guard,
// politeness and limits all apply) but accepts XML and plain text, and
// inflates a gzipped sitemap (sitemap.xml.gz) up to the body cap.
func (f *Fetcher) GetSitemap(ctx context.Context, rawURL string) (*Response, error) {
	resp, err := f.get(ctx, rawURL, isSitemapType, false)
	if err != nil {
		return nil, err
	}
	if len(resp.Body) < 2 || resp.Body[0] != 0x1f || resp.Body[1] != 0x8b {
		resp.Body = utf8body.Decode(resp.Body, resp.ContentType)
		return resp, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(resp.Body))
	if err != nil {
		return nil, &Error{Kind: KindNotHTML, URL: resp.URL.String(), Status: resp.Status, Err: fmt.Errorf("unreadable gzip sitemap: %w", err)}
	}
	// Capping the inflated stream is what defuses a gzip bomb.
	body, truncated, err := readCapped(zr, f.cfg.MaxBodyBytes, -1)
	if err != nil {
		return nil, &Error{Kind: KindNotHTML, URL: resp.URL.String(), Status: resp.Status, Err: fmt.Errorf("unreadable gzip sitemap: %w", err)}
	}
	resp.Body, resp.Truncated = body, resp.Truncated || truncated
	return resp, nil
}

// isSitemapType accepts what a sitemap is served as, a missing type
// included.
func isSitemapType(contentType string) bool {
	mt := mediaType(contentType)
	if mt == "" {
		return true
	}
	switch mt {
	case "application/xml", "text/xml", "text/plain", "application/gzip", "application/x-gzip", "application/octet-stream":
		return true
	}
	return strings.HasSuffix(mt, "+xml")
}
