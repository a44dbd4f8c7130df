package extract_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/extract"
)

// FuzzParse checks that no input panics Parse and that its output stays
// within the documented bounds.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<div><h3>Jane Doe</h3><p>Partner</p></div><div><h3>John Roe</h3><p>Principal</p></div>`))
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[{"@type":"Person","name":"Jane Doe","jobTitle":"Partner"}]}</script>`))
	f.Add([]byte(strings.Repeat("<div>", 2000) + "<h3>Jane Doe</h3>"))
	pageURL, err := url.Parse("https://www.example-vc.com/team")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		start := time.Now()
		p, err := extract.Parse(body, pageURL)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("slow parse: %v", d)
		}
		if err != nil {
			return
		}
		if len(p.Members) > 500 || len(p.Others) > 500 || len(p.Links) > 2000 {
			t.Fatalf("unbounded output: %d members, %d others, %d links", len(p.Members), len(p.Others), len(p.Links))
		}
		for _, m := range append(p.Members, p.Others...) {
			if strings.TrimSpace(m.Name) == "" {
				t.Fatalf("member without a name: %+v", m)
			}
		}
		seen := map[string]bool{}
		for _, l := range p.Links {
			u, err := url.Parse(l.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				t.Fatalf("bad link %q", l.URL)
			}
			if seen[l.URL] {
				t.Fatalf("duplicate link %q", l.URL)
			}
			seen[l.URL] = true
		}
		for _, e := range p.Emails {
			if !strings.Contains(e, "@") {
				t.Fatalf("bad email %q", e)
			}
		}
		if len(p.Companies) > 500 || len(p.Text) > 32<<10 {
			t.Fatalf("unbounded output: %d companies, %d bytes of text", len(p.Companies), len(p.Text))
		}
		for _, c := range p.Companies {
			if strings.TrimSpace(c.Name) == "" {
				t.Fatalf("company without a name: %+v", c)
			}
		}
		for _, m := range p.Members {
			if m.Confidence <= 0 || m.Confidence > 1 {
				t.Fatalf("confidence %v out of range: %+v", m.Confidence, m)
			}
		}
		extract.TeamLinks(p, pageURL, 10)
		extract.PortfolioLinks(p, pageURL, 10)
		extract.NextPages(p, 10)
		extract.Merge(p.Members, p.Others)
		extract.Classify(p.Text)
	})
}

// FuzzParseSitemap checks that no input panics the sitemap reader, that it
// stays fast, and that what it returns is bounded and absolute.
func FuzzParseSitemap(f *testing.F) {
	for _, seed := range []string{
		`<?xml version="1.0"?><urlset><url><loc>https://a.vc/team</loc></url></urlset>`,
		`<sitemapindex><sitemap><loc>https://a.vc/s1.xml</loc></sitemap></sitemapindex>`,
		`<urlset><url><loc>https://a.vc/x`,
		`<!DOCTYPE html><html></html>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><urlset><url><loc>http://a.vc/caf&#233;</loc></url></urlset>`,
		strings.Repeat("<urlset>", 1000),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		start := time.Now()
		locs, _, err := extract.ParseSitemap(body)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("slow sitemap parse: %v", d)
		}
		if err != nil {
			return
		}
		if len(locs) > 5000 {
			t.Fatalf("%d URLs, over the bound", len(locs))
		}
		for _, l := range locs {
			u, err := url.Parse(l)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("bad URL %q", l)
			}
		}
	})
}
