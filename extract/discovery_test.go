package extract_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/extract"
)

func TestNextPages(t *testing.T) {
	cases := []struct {
		name, page, html string
		want             []string
	}{
		{
			name: "WordPress numbered pages and Next",
			page: "https://a.vc/team/",
			html: `<span class="current">1</span><a href="/team/page/2/">2</a><a href="/team/page/3/">3</a><a class="next" href="/team/page/2/">Next &raquo;</a><a href="/blog/page/2/">Older posts</a>`,
			want: []string{"https://a.vc/team/page/2/", "https://a.vc/team/page/3/"},
		},
		{
			name: "second page: back links are not further pages",
			page: "https://a.vc/team/page/2/",
			html: `<a href="/team/">1</a><span>2</span><a href="/team/page/3/">3</a><a href="/team/">&laquo; Previous</a><a href="/team/page/3/">›</a>`,
			want: []string{"https://a.vc/team/page/3/"},
		},
		{
			name: "rel=next in the head and a query parameter",
			page: "https://a.vc/people",
			html: `<head><link rel="next" href="/people?page=2"></head><body><a href="/people?page=2">More people</a><a href="/people?page=1">1</a></body>`,
			want: []string{"https://a.vc/people?page=2"},
		},
		{
			name: "a .html series",
			page: "https://a.vc/team.html",
			html: `<a href="team-2.html">2</a><a href="team-3.html">3</a>`,
			want: []string{"https://a.vc/team-2.html", "https://a.vc/team-3.html"},
		},
		{
			name: "links elsewhere and on other sites are not pagination",
			page: "https://a.vc/team",
			html: `<a href="/news?page=2">Next</a><a href="https://b.vc/team?page=2">Next</a><a href="/team/jane-doe">Jane Doe</a><a href="/portfolio">2</a>`,
			want: nil,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := extract.NextPages(parse(t, tc.html, tc.page), 5)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("NextPages = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseSitemap(t *testing.T) {
	cases := []struct {
		name, body string
		locs       []string
		index, err bool
	}{
		{
			name: "urlset",
			body: `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
				<url><loc> https://a.vc/team </loc><lastmod>2024-01-01</lastmod></url><url><loc>ftp://a.vc/x</loc></url><url><loc>https://a.vc/about#x</loc></url></urlset>`,
			locs: []string{"https://a.vc/team", "https://a.vc/about"},
		},
		{
			name:  "index",
			body:  `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.vc/page-sitemap.xml</loc></sitemap></sitemapindex>`,
			locs:  []string{"https://a.vc/page-sitemap.xml"},
			index: true,
		},
		{
			name: "cut off midway keeps what came before",
			body: `<urlset><url><loc>https://a.vc/team</loc></url><url><loc>https://a.vc/peo`,
			locs: []string{"https://a.vc/team"},
		},
		{name: "an HTML page", body: `<!DOCTYPE html><html><body>Not found</body></html>`, err: true},
		{name: "empty", body: ``, err: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			locs, index, err := extract.ParseSitemap([]byte(tc.body))
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if fmt.Sprint(locs) != fmt.Sprint(tc.locs) || index != tc.index {
				t.Errorf("got %v (index %v), want %v (index %v)", locs, index, tc.locs, tc.index)
			}
		})
	}
	// Team pages are found among a sitemap's URLs by path.
	locs, _, _ := extract.ParseSitemap([]byte(`<urlset><url><loc>https://a.vc/</loc></url><url><loc>https://a.vc/firm/our-people</loc></url><url><loc>https://a.vc/our-portfolio</loc></url></urlset>`))
	p := extract.SitemapPage("https://a.vc/sitemap.xml", locs)
	site := mustURL(t, "https://a.vc/")
	if team := extract.TeamLinks(p, site, 3); len(team) != 1 || team[0].URL != "https://a.vc/firm/our-people" {
		t.Errorf("TeamLinks over the sitemap = %v", team)
	}
	if port := extract.PortfolioLinks(p, site, 3); len(port) != 1 || port[0].URL != "https://a.vc/our-portfolio" {
		t.Errorf("PortfolioLinks over the sitemap = %v", port)
	}
}

func TestFallbackPathsFor(t *testing.T) {
	p := parse(t, `<a href="/companies.php">Companies</a><a href="/contact.php">Contact</a><a href="/">Home</a><a href="https://x.com/a.html">X</a>`, "https://a.vc/")
	ext := extract.PageExtension(p, mustURL(t, "https://a.vc/"))
	if ext != ".php" {
		t.Fatalf("PageExtension = %q, want .php", ext)
	}
	paths := extract.FallbackPathsFor(ext)
	if paths[0] != "/team.php" || paths[1] != "/about-us.php" {
		t.Errorf("FallbackPathsFor(.php) starts %v, want the .php team and about pages first", paths[:3])
	}
	seen := map[string]bool{}
	for _, p := range paths {
		if seen[p] {
			t.Errorf("%s twice", p)
		}
		seen[p] = true
	}
	if !seen["/team"] || !seen["/our-team"] {
		t.Error("the common paths are missing")
	}
	if got := extract.PageExtension(parse(t, `<a href="/team">Team</a><a href="/about.html">About</a>`, "https://a.vc/"), mustURL(t, "https://a.vc/")); got != "" {
		t.Errorf("PageExtension of a mixed site = %q, want none", got)
	}
	if fmt.Sprint(extract.FallbackPathsFor("")) != fmt.Sprint(extract.FallbackPaths()) {
		t.Error("FallbackPathsFor(\"\") differs from FallbackPaths")
	}
}

func TestPortfolio(t *testing.T) {
	cases := []struct {
		name, page, html string
		want             []string // "Name <website>"
	}{
		{
			name: "logo grid on a portfolio page: alt text, link title, domain",
			page: "https://a.vc/portfolio",
			html: `<nav><a href="/team">Team</a></nav><h1>Portfolio</h1><div class="grid">
				<a href="https://www.acme.com/?utm_source=a"><img src="a.png" alt="Acme logo"></a>
				<a href="https://bolt.io" title="Bolt"><img src="b.png" alt=""></a>
				<a href="https://kelpworks.co.uk/"><img src="k.png" alt=""></a>
				<a href="https://twitter.com/avc"><img src="t.png" alt="Twitter"></a>
				<a href="/portfolio/acme">Acme</a></div>`,
			want: []string{"Acme <https://www.acme.com>", "Bolt <https://bolt.io>", "Kelpworks <https://kelpworks.co.uk>"},
		},
		{
			name: "cards with headings, one without a link, one naming its founder",
			page: "https://a.vc/companies",
			html: `<h1>Companies</h1><div class="list">
				<div class="co"><h3>Tallybook</h3><p>Payables.</p><a href="https://tallybook.io">Visit website</a></div>
				<div class="co"><h3>Fieldnote</h3><p>In stealth.</p></div>
				<div class="co"><h3>Jane Doe</h3><p>CEO, Renewly</p><a href="https://renewly.com"><img alt="Renewly" src="r.png"></a></div></div>`,
			want: []string{"Tallybook <https://tallybook.io>", "Fieldnote <>", "Renewly <https://renewly.com>"},
		},
		{
			name: "a portfolio section on another page, but not the limited partners",
			page: "https://a.vc/",
			html: `<section><h2>Backed by</h2><div><img alt="Big Pension Fund"></div></section>
				<section><div class="t"><h2>Selected portfolio</h2></div><div class="row">
				<div class="c"><a href="https://one.com"><img alt="One"></a></div>
				<div class="c"><a href="https://two.com"><img alt="Two"></a></div>
				<div class="c"><a href="https://three.com"><img alt="Three"></a></div></div></section>
				<section><h2>News</h2><a href="https://techcrunch.com/x">One raises</a><a href="https://news.example/y">Two launches</a></section>`,
			want: []string{"One <https://one.com>", "Two <https://two.com>", "Three <https://three.com>"},
		},
		{
			name: "no portfolio on a team page",
			page: "https://a.vc/team",
			html: `<h1>Team</h1><div><a href="https://other-fund.com">Our friends at Other Fund</a></div>`,
			want: nil,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.html, tc.page)
			var got []string
			for _, c := range p.Companies {
				got = append(got, fmt.Sprintf("%s <%s>", c.Name, c.Website))
				if c.SourceURL != tc.page {
					t.Errorf("%s: source %q", c.Name, c.SourceURL)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Companies =\n %q\nwant\n %q", got, tc.want)
			}
		})
	}
	links := extract.PortfolioLinks(parse(t, `<a href="/portfolio/acme">Acme</a><a href="/about">About</a><a href="/investments.php">Investments</a><a href="/portfolio/">Portfolio</a>`, "https://a.vc/"), mustURL(t, "https://a.vc/"), 5)
	if len(links) != 2 || links[0].URL != "https://a.vc/portfolio/" || links[1].URL != "https://a.vc/investments.php" {
		t.Errorf("PortfolioLinks = %v", links)
	}
}

func TestFirmInfo(t *testing.T) {
	cases := []struct {
		name, html                  string
		location, linkedin, twitter string
		parked                      bool
	}{
		{
			name:     "JSON-LD organisation",
			html:     `<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"A","address":{"@type":"PostalAddress","addressLocality":"Boston","addressRegion":"MA"},"sameAs":["https://twitter.com/avc","https://www.linkedin.com/company/a-vc/"]}</script><p>x</p>`,
			location: "Boston, MA", linkedin: "https://www.linkedin.com/company/a-vc", twitter: "https://x.com/avc",
		},
		{
			name:     "footer links and a 'based in' sentence",
			html:     `<main><p>We are a seed fund based in San Francisco. We invest widely.</p></main><footer><a href="https://x.com/intent/tweet?text=hi">Share</a><a href="https://x.com/avc">X</a><a href="https://linkedin.com/in/someone">Jane</a><a href="https://www.linkedin.com/company/a-vc">LinkedIn</a></footer>`,
			location: "San Francisco", linkedin: "https://www.linkedin.com/company/a-vc", twitter: "https://x.com/avc",
		},
		{
			name:     "an address element, phone and mail dropped",
			html:     `<footer><address>A Ventures<br>1 Main St<br>Denver, CO 80202<br>+1 (303) 555-0100<br><a href="mailto:a@a.vc">a@a.vc</a></address></footer>`,
			location: "A Ventures, 1 Main St, Denver, CO 80202",
		},
		{
			name:     "offices in two cities, then a sentence",
			html:     `<div class="footer">Offices in St. Louis and Washington D.C. Call us.</div>`,
			location: "St. Louis and Washington D.C.",
		},
		{
			name:   "a parked domain",
			html:   `<h1>acme.vc</h1><p>This domain is for sale! Make an offer.</p>`,
			parked: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.html, "https://a.vc/")
			if p.Location != tc.location || p.LinkedIn != tc.linkedin || p.Twitter != tc.twitter || p.Parked != tc.parked {
				t.Errorf("location %q linkedin %q twitter %q parked %v; want %q %q %q %v", p.Location, p.LinkedIn, p.Twitter, p.Parked, tc.location, tc.linkedin, tc.twitter, tc.parked)
			}
		})
	}
	if extract.FirmSignals("Welcome to our bakery. Fresh bread daily.") || !extract.FirmSignals("We invest in founders.") {
		t.Error("FirmSignals misreads a bakery or a fund")
	}
}

func TestEmailsInText(t *testing.T) {
	cases := map[string][]string{
		"Write to Jane [at] acme [dot] vc or tom(at)acme.vc.": {"jane@acme.vc", "tom@acme.vc"},
		"deals{at}acme{dot}vc":                                {"deals@acme.vc"},
		"Plain INFO@Acme.vc, and again info@acme.vc":          {"info@acme.vc"},
		"We meet at noon at the office":                       nil,
		"":                                                    nil,
	}
	for in, want := range cases {
		if got := extract.EmailsInText(in, 5); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("EmailsInText(%q) = %v, want %v", in, got, want)
		}
	}
	if got := extract.EmailsInText(strings.Repeat("a@b.co x ", 50), 3); len(got) != 1 {
		t.Errorf("repeated address gave %v", got)
	}
}

func TestMultiLinePeople(t *testing.T) {
	p := parse(t, `<h2>Staff</h2><p>Maureen Fitzgerald &mdash; Executive Director<br>Diego Salinas &mdash; Program Manager<br>Tessa Kim &mdash; Membership Coordinator</p>
		<h2>Board of Directors</h2><p>Robert Hanley &mdash; Chair<br>Priya Desai &mdash; Treasurer</p>`, "https://a.org/leadership")
	var got []string
	for _, m := range p.Members {
		got = append(got, m.Name+"/"+m.Title)
	}
	want := []string{"Maureen Fitzgerald/Executive Director", "Diego Salinas/Program Manager", "Tessa Kim/Membership Coordinator"}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(p.Others) != 2 {
		t.Errorf("Members %v, %d others; want %v and the board as others", got, len(p.Others), want)
	}
}

func TestProfileURLAndConfidence(t *testing.T) {
	p := parse(t, `<div class="grid">
		<div class="card"><a href="/team/jane-doe"><h3>Jane Doe</h3></a><p>Partner</p><a href="https://linkedin.com/in/janedoe">in</a></div>
		<div class="card"><a href="/team/tom-roe"><h3>Tom Roe</h3></a></div></div>`, "https://a.vc/team")
	if len(p.Members) != 2 {
		t.Fatalf("Members = %v", p.Members)
	}
	jane, tom := p.Members[0], p.Members[1]
	if jane.ProfileURL != "https://a.vc/team/jane-doe" || tom.ProfileURL != "https://a.vc/team/tom-roe" {
		t.Errorf("profile URLs %q, %q", jane.ProfileURL, tom.ProfileURL)
	}
	if !(jane.Confidence > tom.Confidence && tom.Confidence > 0 && jane.Confidence <= 1) {
		t.Errorf("confidence %.2f (title, LinkedIn) vs %.2f (name only): want the richer record higher", jane.Confidence, tom.Confidence)
	}
	if jane.Tier != 1 || tom.Tier != 0 {
		t.Errorf("tiers %d, %d", jane.Tier, tom.Tier)
	}
}
