package urlkey_test

import (
	"net/url"
	"testing"

	"github.com/vcenrich/vcenrich/internal/urlkey"
)

func TestSite(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"WWW.Acme.vc", "acme.vc", true},
		{"acme.vc:8080", "www.acme.vc:8080", true},
		{"blog.acme.vc", "acme.vc", false},
		{"wwwacme.vc", "acme.vc", false},
		{"acme.vc:8080", "acme.vc", false},
	}
	for _, tc := range tests {
		if same := urlkey.Site(tc.a) == urlkey.Site(tc.b); same != tc.same {
			t.Errorf("Site(%q) == Site(%q) is %v, want %v", tc.a, tc.b, same, tc.same)
		}
	}
}

func TestPage(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"https://www.acme.vc/team/", "http://acme.vc/team", true},
		{"https://ACME.vc/team", "https://acme.vc/team/", true},
		{"https://acme.vc/", "https://acme.vc", true},
		{"https://acme.vc/team?lang=de", "https://acme.vc/team/?lang=de", true},
		{"https://acme.vc/team#people", "https://acme.vc/team", true},
		{"https://acme.vc/team?lang=de", "https://acme.vc/team", false},
		{"https://acme.vc/Team", "https://acme.vc/team", false},
		{"https://acme.vc/a%2Fb", "https://acme.vc/a/b", false},
		{"https://acme.vc:8443/team", "https://acme.vc/team", false},
	}
	for _, tc := range tests {
		a, err := url.Parse(tc.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := url.Parse(tc.b)
		if err != nil {
			t.Fatal(err)
		}
		if same := urlkey.Page(a) == urlkey.Page(b); same != tc.same {
			t.Errorf("Page(%s) = %q, Page(%s) = %q: same %v, want %v", tc.a, urlkey.Page(a), tc.b, urlkey.Page(b), same, tc.same)
		}
	}
}
