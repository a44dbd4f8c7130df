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
		extract.TeamLinks(p, pageURL, 10)
		extract.Merge(p.Members, p.Others)
	})
}
