package crawl

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jimsmart/grobotstxt"
)

func FuzzRobots(f *testing.F) {
	for _, seed := range []string{
		"",
		"User-agent: *\nDisallow: /\n",
		"User-agent: vcenrich\nDisallow: /team\n\nUser-agent: *\nAllow: /\n",
		"Disallow: /x\nUser-agent: *\nDisallow: /private\n",
		"User-agent: *\nCrawl-delay: soon\nCrawl-delay: -1\nCrawl-delay: 2.5\nCrawl-delay: 1e308\n",
		"user-agent:a\r\nuser-agent:b\rdisallow:/*.pdf$ # comment\n",
		"\xef\xbb\xbfUser-agent: *\nDisallow: /\xff\xfe\n",
		"Sitemap: https://x/sitemap.xml\nHost: x\nUser-agent:\nDisallow\n:\n",
		"User-agent: *\nDisallow: /a b c\nAllow: \\*\\$\n",
		"User-agent: * bot\nDisallow /x\nUser-agent: vcenrich/2\nCrawl-delay 3\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rules := parseRobots(body, len(body)%2 == 0, "vcenrich")
		if rules.delay < 0 || rules.delay > maxCrawlDelay {
			t.Fatalf("crawl delay %v outside [0, %v]", rules.delay, maxCrawlDelay)
		}
		whole := parseRobots(body, false, "vcenrich")
		for _, p := range []string{"/", "/team?x=1", "//private"} {
			u := &url.URL{Scheme: "https", Host: "a.vc", Path: p}
			_ = rules.check(u, "vcenrich")
			// A body is dropped only when none of its rules could apply.
			if whole.body == "" && !grobotstxt.AgentAllowed(string(body), "vcenrich", u.String()) {
				t.Fatalf("body dropped, yet it refuses %s", p)
			}
		}
		if len(rules.sitemaps) > maxRobotsSitemaps {
			t.Fatalf("%d sitemaps kept, over the bound", len(rules.sitemaps))
		}
		for _, s := range rules.sitemaps {
			if s == "" || len(s) > maxSitemapURLLen || strings.ContainsAny(s, " \t\r\n") {
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

// Lines the parser cannot use are skipped, not the file.
func TestRobotsReadsWhatItCan(t *testing.T) {
	tests := []struct {
		name             string
		body             string
		allowed, refused []string
		delay            time.Duration
		kept             bool // the body is kept for matching
	}{
		{"rule before any group", "Disallow: /x\nUser-agent: *\nDisallow: /y\n", []string{"/x"}, []string{"/y/z"}, 0, true},
		{"case, spacing, comment, CRLF", "USER-AGENT : VCEnrich/2.0 # ours\r\nDISALLOW:/a\r\n", []string{"/b"}, []string{"/a/x"}, 0, true},
		// RFC 9309 2.2.2: a path pattern holds no space, so the line is no
		// rule (the parser keeps "/a b", which no escaped path matches).
		{"space in a pattern", "User-agent: *\nDisallow: /a b\n", []string{"/a", "/a/b"}, nil, 0, true},
		{"unreadable crawl-delay", "User-agent: *\nCrawl-delay: 1s\nCrawl-delay: 2\nDisallow:\n", []string{"/"}, nil, 2 * time.Second, true},
		{"crawl-delay capped", "User-agent: *\nCrawl-delay: 86400\nDisallow: /x\n", []string{"/"}, []string{"/x"}, maxCrawlDelay, true},
		{"our group's delay, not the star's", "User-agent: *\nCrawl-delay: 5\nDisallow: /\n\nUser-agent: vcenrich\nCrawl-delay: 1\nAllow: /\n", []string{"/team"}, nil, time.Second, true},
		{"a group shared with another bot", "User-agent: otherbot\nUser-agent: vcenrich\nCrawl-delay: 7\nDisallow: /x\n", nil, []string{"/x"}, 7 * time.Second, true},
		{"a delay line ends no run of agents", "User-agent: vcenrich\nCrawl-delay: 3\nUser-agent: otherbot\nDisallow: /x\n", nil, []string{"/x"}, 3 * time.Second, true},
		{"another bot's group", "User-agent: otherbot\nCrawl-delay: 7\nDisallow: /\n", []string{"/"}, nil, 0, false},
		{"no groups at all", "Sitemap: https://x/s.xml\nfoo: bar\nno colon\n<html><body>Not found</body></html>\n", []string{"/"}, nil, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules := parseRobots([]byte(tc.body), false, "vcenrich")
			for _, p := range tc.allowed {
				if err := rules.check(&url.URL{Scheme: "https", Host: "a.vc", Path: p}, "vcenrich"); err != nil {
					t.Errorf("%s refused: %v", p, err)
				}
			}
			for _, p := range tc.refused {
				if err := rules.check(&url.URL{Scheme: "https", Host: "a.vc", Path: p}, "vcenrich"); err == nil {
					t.Errorf("%s allowed", p)
				}
			}
			if rules.delay != tc.delay {
				t.Errorf("delay %v, want %v", rules.delay, tc.delay)
			}
			if kept := rules.body != ""; kept != tc.kept {
				t.Errorf("body kept %v, want %v", kept, tc.kept)
			}
		})
	}
}

func TestRobotsTruncatedLineIsDropped(t *testing.T) {
	// Cut mid-line, "Disallow: /private" would read as "Disallow: /".
	rules := parseRobots([]byte("User-agent: *\nDisallow: /private\nDisallow: /"), true, "vcenrich")
	if err := rules.check(&url.URL{Scheme: "https", Host: "a.vc", Path: "/team"}, "vcenrich"); err != nil {
		t.Errorf("/team refused by a half line: %v", err)
	}
	if err := rules.check(&url.URL{Scheme: "https", Host: "a.vc", Path: "/private"}, "vcenrich"); err == nil {
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
