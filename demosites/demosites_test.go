package demosites_test

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jimsmart/grobotstxt"

	"github.com/vcenrich/vcenrich/demosites"
)

const crawlerAgent = "vcenrich"

func TestSitesIndex(t *testing.T) {
	sites := demosites.Sites()
	if !reflect.DeepEqual(sites, demosites.Sites()) {
		t.Fatal("Sites() is not stable between calls")
	}
	hosts := map[string]bool{}
	people := map[string]string{}
	working, failing := 0, 0
	for _, s := range sites {
		if s.Name == "" || !strings.HasSuffix(s.Host, ".demo.test") || strings.ToLower(s.Host) != s.Host {
			t.Errorf("site %+v: want a name and a lower-case host under .demo.test", s)
		}
		if hosts[s.Host] {
			t.Errorf("host %s listed twice", s.Host)
		}
		hosts[s.Host] = true
		switch s.Failure {
		case "":
			working++
		case "blocked_by_robots", "http_status":
			failing++
			if len(s.Team) != 0 {
				t.Errorf("%s: failure site expects %d team members, want none", s.Host, len(s.Team))
			}
		default:
			t.Errorf("%s: unknown failure class %q", s.Host, s.Failure)
		}
		for _, m := range s.Team {
			if other, dup := people[m.Name]; dup {
				t.Errorf("%s appears on both %s and %s", m.Name, other, s.Host)
			}
			people[m.Name] = s.Host
		}
	}
	if working < 7 || failing < 2 {
		t.Errorf("got %d working and %d failing sites, want at least 7 and 2", working, failing)
	}
}

// TestWorkingSites checks each working site against its own index entry the
// way a crawler would see it: starting from the homepage and following links.
func TestWorkingSites(t *testing.T) {
	h := demosites.Handler()
	for _, site := range demosites.Sites() {
		if site.Failure != "" {
			continue
		}
		t.Run(site.Host, func(t *testing.T) {
			if n := len(site.Team); n < 3 || n > 9 {
				t.Errorf("team has %d members, want 3-9", n)
			}
			pages := crawl(t, h, site.Host)
			checkPages(t, site, pages)
			checkRobotsAllow(t, h, site)
			for _, m := range site.Team {
				doc, ok := pages[m.SourceURL]
				if !ok {
					t.Errorf("%s: source page %q is not linked from the homepage", m.Name, m.SourceURL)
					continue
				}
				found := fragments(t, doc)
				for what, want := range map[string]string{"name": m.Name, "title": m.Title, "linkedin": m.LinkedIn, "email": m.Email} {
					if want != "" && !found[want] {
						t.Errorf("%s: %s %q not found on %s", m.Name, what, want, m.SourceURL)
					}
				}
			}
		})
	}
}

func checkPages(t *testing.T, site demosites.Site, pages map[string]*goquery.Document) {
	t.Helper()
	home, ok := pages["/"]
	if !ok {
		t.Fatal("homepage not served")
	}
	if got := metaContent(home, `meta[name="description"]`); got != site.Description {
		t.Errorf("homepage meta description = %q, want %q", got, site.Description)
	}
	if got := metaContent(home, `meta[property="og:description"]`); got != site.Description {
		t.Errorf("homepage og:description = %q, want %q", got, site.Description)
	}
	content, maxLogos := 0, 0
	for p, doc := range pages {
		// A page that states a different description would make the
		// expected one ambiguous.
		if got := metaContent(doc, `meta[name="description"]`); got != "" && got != site.Description {
			t.Errorf("%s: meta description %q differs from the site's", p, got)
		}
		if strings.HasPrefix(p, "/cdn-cgi/") {
			continue
		}
		content++
		logos := doc.Find(`a[href^="https://"] img[alt]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.TrimSpace(s.AttrOr("alt", "")) != ""
		}).Length()
		maxLogos = max(maxLogos, logos)
	}
	if content < 3 || content > 6 {
		t.Errorf("site has %d pages, want 3-6", content)
	}
	if maxLogos < 4 || maxLogos > 8 {
		t.Errorf("best portfolio page has %d linked logos with alt text, want 4-8", maxLogos)
	}
}

// checkRobotsAllow guards against a working site accidentally shutting out
// the crawler from the pages it is expected to read.
func checkRobotsAllow(t *testing.T, h http.Handler, site demosites.Site) {
	t.Helper()
	res, body := get(t, h, "GET", site.Host, "/robots.txt")
	switch {
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		t.Fatalf("robots.txt status = %d: the whole site is off limits", res.StatusCode)
	case res.StatusCode != http.StatusOK:
		return // no robots.txt: everything is allowed
	}
	paths := map[string]bool{"/": true}
	for _, m := range site.Team {
		paths[m.SourceURL] = true
	}
	for p := range paths {
		if !grobotstxt.AgentAllowed(body, crawlerAgent, "http://"+site.Host+p) {
			t.Errorf("robots.txt disallows %s", p)
		}
	}
}

func TestFailureSites(t *testing.T) {
	h := demosites.Handler()
	for _, site := range demosites.Sites() {
		if site.Failure == "" {
			continue
		}
		t.Run(site.Host, func(t *testing.T) {
			switch site.Failure {
			case "blocked_by_robots":
				res, body := get(t, h, "GET", site.Host, "/robots.txt")
				if res.StatusCode != http.StatusOK {
					t.Fatalf("robots.txt status = %d, want 200", res.StatusCode)
				}
				if grobotstxt.AgentAllowed(body, crawlerAgent, "http://"+site.Host+"/") {
					t.Error("robots.txt allows /, want it blocked")
				}
				// The site must still exist, so the failure is the robots
				// rule and not a missing page.
				if res, _ := get(t, h, "GET", site.Host, "/"); res.StatusCode != http.StatusOK {
					t.Errorf("homepage status = %d, want 200", res.StatusCode)
				}
			case "http_status":
				for _, p := range []string{"/", "/robots.txt", "/team", "/about"} {
					if res, _ := get(t, h, "GET", site.Host, p); res.StatusCode != http.StatusNotFound {
						t.Errorf("%s status = %d, want 404", p, res.StatusCode)
					}
				}
			default:
				t.Fatalf("no check for failure class %q", site.Failure)
			}
		})
	}
}

// crawl fetches every page reachable from host's homepage through internal
// links, failing on any internal link or asset that is not served. It returns
// the HTML pages by path.
func crawl(t *testing.T, h http.Handler, host string) map[string]*goquery.Document {
	t.Helper()
	pages := map[string]*goquery.Document{}
	seen := map[string]bool{"/": true}
	queue := []string{"/"}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		res, body := get(t, h, "GET", host, p)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s%s: status %d", host, p, res.StatusCode)
			continue
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		pages[p] = doc
		base := &url.URL{Path: p}
		doc.Find("a[href], link[href], img[src], script[src]").Each(func(_ int, s *goquery.Selection) {
			ref := s.AttrOr("href", s.AttrOr("src", ""))
			u, err := url.Parse(ref)
			if err != nil {
				t.Errorf("%s: bad link %q: %v", p, ref, err)
				return
			}
			if u.Scheme != "" || u.Host != "" || u.Path == "" {
				return
			}
			target := base.ResolveReference(u).Path
			if !seen[target] {
				seen[target] = true
				queue = append(queue, target)
			}
		})
	}
	return pages
}

// fragments gathers, as exact strings, everything an extractor could
// legitimately read off a page: the text of each element (and the parts of
// "Name – Title" lines), link targets, Cloudflare-protected emails and JSON-LD
// strings (which may use \u escapes the raw text does not show). Exact
// matches keep a truncated URL or title from passing as a substring.
func fragments(t *testing.T, doc *goquery.Document) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	add := func(s string) {
		s = strings.Join(strings.Fields(strings.TrimPrefix(s, "mailto:")), " ")
		out[s] = true
		for _, part := range strings.Split(s, " – ") {
			out[strings.TrimSpace(part)] = true
		}
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) { add(s.Text()) })
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) { add(s.AttrOr("href", "")) })
	doc.Find("[data-cfemail]").Each(func(_ int, s *goquery.Selection) {
		email, err := decodeCFEmail(s.AttrOr("data-cfemail", ""))
		if err != nil {
			t.Errorf("bad data-cfemail: %v", err)
		}
		add(email)
	})
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		var v any
		if err := json.Unmarshal([]byte(s.Text()), &v); err != nil {
			t.Errorf("bad JSON-LD: %v", err)
			return
		}
		for _, str := range jsonStrings(v) {
			add(str)
		}
	})
	return out
}

func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}

// decodeCFEmail reverses Cloudflare's obfuscation: the first byte is an XOR
// key for the remaining bytes.
func decodeCFEmail(h string) (string, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) < 2 {
		return "", err
	}
	out := make([]byte, len(b)-1)
	for i, c := range b[1:] {
		out[i] = c ^ b[0]
	}
	return string(out), nil
}

func metaContent(doc *goquery.Document, selector string) string {
	return strings.TrimSpace(doc.Find(selector).First().AttrOr("content", ""))
}

func TestDecodeCFEmail(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"1e777078715e737b6c777a777f70307a7b7371306a7b6d6a", "info@meridian.demo.test", false},
		{"42", "", false},
		{"zz", "", true},
	}
	for _, tt := range tests {
		got, err := decodeCFEmail(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("decodeCFEmail(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
