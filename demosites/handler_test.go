package demosites_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/demosites"
)

// get performs one request against h and returns the recorded response.
func get(t *testing.T, h http.Handler, method, host, target string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	req.Host = host
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return res, string(body)
}

func TestHandlerRouting(t *testing.T) {
	h := demosites.Handler()
	tests := []struct {
		name     string
		method   string
		host     string
		target   string
		status   int
		ctype    string // expected Content-Type prefix, "" to skip
		contains string // expected body substring, "" to skip
	}{
		{"index", "GET", "northwind.demo.test", "/", 200, "text/html", "We back the engineers"},
		{"host with port", "GET", "northwind.demo.test:8090", "/", 200, "text/html", "We back the engineers"},
		{"host in upper case", "GET", "NorthWind.Demo.Test", "/team", 200, "text/html", "Eleanor Vance"},
		{"fully qualified host", "GET", "northwind.demo.test.", "/about", 200, "text/html", "About Northwind"},
		{"pretty path to x.html", "GET", "northwind.demo.test", "/team", 200, "text/html", "Marcus Okonkwo"},
		{"pretty path with slash", "GET", "northwind.demo.test", "/team/", 200, "text/html", "Marcus Okonkwo"},
		{"explicit .html", "GET", "northwind.demo.test", "/team.html", 200, "text/html", "Marcus Okonkwo"},
		{"query ignored", "GET", "northwind.demo.test", "/portfolio?utm_source=demo", 200, "text/html", "Relaystack"},
		{"directory index with slash", "GET", "harbor-capital.demo.test", "/about-us/", 200, "text/html", "Our Team"},
		{"directory index without slash", "GET", "harbor-capital.demo.test", "/about-us", 200, "text/html", "Our Team"},
		{"php page is html", "GET", "summit-seed.demo.test", "/about-us.php", 200, "text/html", "Rachel Okafor"},
		{"stylesheet", "GET", "northwind.demo.test", "/css/northwind.webflow.css", 200, "text/css", ".team-member"},
		{"svg image", "GET", "northwind.demo.test", "/images/logos/relaystack.svg", 200, "image/svg+xml", "<svg"},
		{"javascript", "GET", "lattice.demo.test", "/assets/app.js", 200, "text/javascript", "people-root"},
		{"sitemap", "GET", "northwind.demo.test", "/sitemap.xml", 200, "application/xml", "<urlset"},
		{"robots.txt present", "GET", "northwind.demo.test", "/robots.txt", 200, "text/plain", "Sitemap:"},
		{"robots.txt blocking", "GET", "closed.demo.test", "/robots.txt", 200, "text/plain", "Disallow: /"},
		{"robots.txt absent", "GET", "lattice.demo.test", "/robots.txt", 404, "text/html", ""},
		{"site's own 404 page", "GET", "northwind.demo.test", "/careers", 404, "text/html", "Page not found"},
		{"generic 404 page", "GET", "harbor-capital.demo.test", "/careers/", 404, "text/html", "Not Found"},
		{"unknown host", "GET", "example.com", "/", 404, "text/html", "Not Found"},
		{"gone host index", "GET", "gone.demo.test", "/", 404, "text/html", ""},
		{"gone host robots", "GET", "gone.demo.test", "/robots.txt", 404, "text/html", ""},
		{"empty host", "GET", "", "/", 404, "", ""},
		{"dot-dot host", "GET", "..", "/index.json", 404, "", ""},
		{"index file is not a host", "GET", "index.json", "/", 404, "", ""},
		{"ipv6 host", "GET", "[::1]:8090", "/", 404, "", ""},
		{"path escaping the site", "GET", "northwind.demo.test", "/../closed.demo.test/team", 404, "", ""},
		{"directory itself", "GET", "northwind.demo.test", "/images/logos", 404, "", ""},
		{"post refused", "POST", "northwind.demo.test", "/", 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, h, tt.method, tt.host, tt.target)
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (body %.120q)", res.StatusCode, tt.status, body)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type = %q, want prefix %q", ct, tt.ctype)
			}
			if !strings.Contains(body, tt.contains) {
				t.Errorf("body does not contain %q: %.200q", tt.contains, body)
			}
		})
	}
}

func TestHandlerHead(t *testing.T) {
	h := demosites.Handler()
	for _, tt := range []struct {
		target string
		status int
	}{
		{"/team", 200},
		{"/missing", 404},
	} {
		res, body := get(t, h, "HEAD", "northwind.demo.test", tt.target)
		if res.StatusCode != tt.status {
			t.Errorf("HEAD %s: status = %d, want %d", tt.target, res.StatusCode, tt.status)
		}
		if body != "" {
			t.Errorf("HEAD %s: body has %d bytes, want none", tt.target, len(body))
		}
	}
}
