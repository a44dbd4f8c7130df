package crawl

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/temoto/robotstxt"
)

func FuzzRobots(f *testing.F) {
	for _, seed := range []string{
		"",
		"User-agent: *\nDisallow: /\n",
		"User-agent: vcenrich\nDisallow: /team\n\nUser-agent: *\nAllow: /\n",
		"Disallow: /x\nUser-agent: *\nDisallow: /private\n",
		"User-agent: *\nCrawl-delay: soon\nCrawl-delay: -1\nCrawl-delay: 2.5\n",
		"user-agent:a\r\nuser-agent:b\rdisallow:/*.pdf$ # comment\n",
		"\xef\xbb\xbfUser-agent: *\nDisallow: /\xff\xfe\n",
		"Sitemap: https://x/sitemap.xml\nHost: x\nUser-agent:\nDisallow\n:\n",
		"User-agent: *\nDisallow: /a b c\nAllow: \\*\\$\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		clean := cleanRobots(body)
		// The library rejects a whole file for one bad line; what we hand it
		// must always parse.
		if _, err := robotstxt.FromBytes(clean); err != nil {
			t.Fatalf("cleaned robots.txt %q does not parse: %v", clean, err)
		}
		if again := cleanRobots(clean); !bytes.Equal(again, clean) {
			t.Fatalf("cleaning is not idempotent:\n%q\n%q", clean, again)
		}
		rules := parseRobots(body, len(body)%2 == 0, "vcenrich")
		if rules.delay < 0 {
			t.Fatalf("negative crawl delay %v", rules.delay)
		}
		for _, p := range []string{"/", "/team?x=1"} {
			_ = rules.check(&url.URL{Path: p}, "vcenrich")
		}
		if len(rules.sitemaps) > maxRobotsSitemaps {
			t.Fatalf("%d sitemaps kept, over the bound", len(rules.sitemaps))
		}
		for _, s := range rules.sitemaps {
			if s == "" || len(s) > maxRobotsLineLen || strings.ContainsAny(s, " \t\r\n") {
				t.Fatalf("bad sitemap entry %q", s)
			}
		}
	})
}

func TestRobotsSitemaps(t *testing.T) {
	body := "Sitemap: https://a.vc/s1.xml\nUser-agent: *\nDisallow: /x\n  SITEMAP :  /s2.xml  # relative\nsitemap:\n# Sitemap: https://a.vc/commented.xml\nSitemap: https://a.vc/s3.xml trailing words\n"
	got := parseRobots([]byte(body), false, "vcenrich").sitemaps
	want := []string{"https://a.vc/s1.xml", "/s2.xml", "https://a.vc/s3.xml"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sitemaps = %q, want %q", got, want)
	}
}

func TestCleanRobots(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Disallow: /x\nUser-agent: *\nDisallow: /y\n", "User-agent: *\nDisallow: /y\n"},
		{"USER-AGENT : Bot # ours\r\nDISALLOW:/a b\n", "User-agent: Bot\nDisallow: /a\n"},
		{"User-agent: *\nCrawl-delay: 1s\nCrawl-delay: 2\nDisallow:\n", "User-agent: *\nCrawl-delay: 2\nDisallow:\n"},
		{"Sitemap: https://x/s.xml\nfoo: bar\nno colon\n", ""},
	}
	for _, tc := range tests {
		if got := string(cleanRobots([]byte(tc.in))); got != tc.want {
			t.Errorf("cleanRobots(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRobotsTruncatedLineIsDropped(t *testing.T) {
	// Cut mid-line, "Disallow: /private" would read as "Disallow: /".
	rules := parseRobots([]byte("User-agent: *\nDisallow: /private\nDisallow: /"), true, "vcenrich")
	if err := rules.check(&url.URL{Path: "/team"}, "vcenrich"); err != nil {
		t.Errorf("/team refused by a half line: %v", err)
	}
	if err := rules.check(&url.URL{Path: "/private"}, "vcenrich"); err == nil {
		t.Error("/private allowed")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"-5", 0},
		{"0", 0},
		{"600", 10 * time.Minute},
		{"99999999999999999999", 0}, // not a number we can read; ignored
		{"86400", 10 * time.Minute},
		{now.Add(90 * time.Second).Format("Mon, 02 Jan 2006 15:04:05 GMT"), 90 * time.Second},
		{now.Add(-time.Hour).Format("Mon, 02 Jan 2006 15:04:05 GMT"), 0},
		{now.Add(48 * time.Hour).Format("Mon, 02 Jan 2006 15:04:05 GMT"), 10 * time.Minute},
		{"soon", 0},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
