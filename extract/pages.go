package extract

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// pageParams are query parameters that number the pages of a list.
var pageParams = []string{"page", "p", "pg", "paged", "pagenum", "page_num", "start", "offset"}

// pagedPath matches paths that number pages: /team/page/2, /team/2/,
// /team-2.html, /team/p2.
var pagedPath = regexp.MustCompile(`(?i)^(.*?)(?:/page/|/p|/|-|_)(\d{1,3})(?:\.[a-z]+)?/?$`)

// nextTexts are link texts that lead to the next page of a list.
var nextTexts = map[string]bool{
	"next": true, "next page": true, "more": true, "older": true, "load more": true,
	"show more": true, "see more": true, "view more": true, "next »": true,
}

// NextPages returns the further pages of the paginated list p shows, best
// first, at most max: a rel="next" link, a "Next" / "›" / "»" link, or page
// numbers whose URL differs from this page's only by the number. Only the
// page's own site is followed.
func NextPages(p *Page, max int) []string {
	if p == nil || max <= 0 {
		return nil
	}
	cur, err := url.Parse(p.URL)
	if err != nil {
		return nil
	}
	type cand struct {
		url  string
		rank int // 0 rel=next, 1 "next" text, 2+ page number
	}
	var found []cand
	seen := map[string]bool{stripPage(cur): true, cur.String(): true}
	for _, l := range p.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !SameSite(u.Hostname(), cur.Hostname()) || seen[u.String()] {
			continue
		}
		num, paged := pageNumber(cur, u)
		text := strings.ToLower(collapse(l.Text))
		arrow := strings.Trim(text, " ›»→>")
		rank := -1
		switch {
		case strings.Contains(" "+l.Rel+" ", " next ") && (paged || samePath(cur, u)):
			rank = 0
		case paged && (nextTexts[text] || nextTexts[arrow] || text != "" && strings.Trim(text, "›»→> ") == ""):
			rank = 1
		case paged && num >= 2 && text == strconv.Itoa(num):
			rank = 1 + num
		}
		if rank < 0 {
			continue
		}
		seen[u.String()] = true
		found = append(found, cand{url: u.String(), rank: rank})
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].rank < found[j].rank })
	var out []string
	for _, c := range found {
		if len(out) == max {
			break
		}
		out = append(out, c.url)
	}
	return out
}

func samePath(a, b *url.URL) bool {
	return strings.TrimSuffix(a.Path, "/") == strings.TrimSuffix(b.Path, "/")
}

// pageNumber reports whether u is another page of the list at cur, and its
// number: the same path with a page parameter, or cur's path followed by a
// page number.
func pageNumber(cur, u *url.URL) (int, bool) {
	if samePath(cur, u) {
		q := u.Query()
		for _, k := range pageParams {
			if v := q.Get(k); v != "" {
				n, err := strconv.Atoi(v)
				return n, err == nil && n >= 0
			}
		}
		return 0, false
	}
	m := pagedPath.FindStringSubmatch(u.Path)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[2])
	// The list's own path: cur itself, or cur's path without its number.
	stem := strings.TrimSuffix(cur.Path, "/")
	if cm := pagedPath.FindStringSubmatch(cur.Path); cm != nil && cm[1] != "" {
		stem = cm[1]
	}
	stem = strings.TrimSuffix(strings.TrimSuffix(stem, ".html"), ".php")
	return n, strings.EqualFold(strings.TrimSuffix(m[1], "/"), strings.TrimSuffix(stem, "/")) && n >= 2
}

// stripPage is the URL of the list's first page as a page number link would
// spell it, so "1" is not taken for a further page.
func stripPage(u *url.URL) string {
	c := *u
	q := c.Query()
	for _, k := range pageParams {
		q.Del(k)
	}
	c.RawQuery = q.Encode()
	return c.String()
}

// Sitemap bounds: a sitemap may hold 50,000 URLs; we read the first ones.
const (
	maxSitemapURLs  = 5000
	maxSitemapBytes = 10 << 20
)

// ParseSitemap reads a sitemap or sitemap index (sitemaps.org protocol),
// returning the <loc> URLs (http and https only, at most 5000) and whether
// the file is an index of further sitemaps. A file that is not XML returns
// an error; one that breaks off midway returns what came before.
func ParseSitemap(body []byte) (locs []string, index bool, err error) {
	if len(body) > maxSitemapBytes {
		body = body[:maxSitemapBytes]
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var (
		inLoc   bool
		buf     strings.Builder
		started bool
	)
	for len(locs) < maxSitemapURLs {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) || started {
				break
			}
			return nil, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if !started {
				switch name {
				case "urlset":
				case "sitemapindex":
					index = true
				default:
					return nil, false, errors.New("extract: not a sitemap: root element is <" + t.Name.Local + ">")
				}
				started = true
			}
			if name == "loc" {
				inLoc = true
				buf.Reset()
			}
		case xml.CharData:
			if inLoc && buf.Len() < 2048 {
				buf.Write(t)
			}
		case xml.EndElement:
			if strings.EqualFold(t.Name.Local, "loc") && inLoc {
				inLoc = false
				if u, err := url.Parse(strings.TrimSpace(buf.String())); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
					u.Fragment = ""
					locs = append(locs, u.String())
				}
			}
		}
	}
	if !started {
		return nil, false, errors.New("extract: not a sitemap: no root element")
	}
	return locs, index, nil
}

// SitemapPage wraps a sitemap's URLs as a page of links, so TeamLinks and
// PortfolioLinks can score them by path.
func SitemapPage(sitemapURL string, locs []string) *Page {
	p := &Page{URL: sitemapURL, Links: make([]Link, 0, len(locs))}
	for _, l := range locs {
		p.Links = append(p.Links, Link{URL: l})
	}
	return p
}
