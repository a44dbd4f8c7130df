package extract_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/extract"
)

func TestTeamLinks(t *testing.T) {
	page := &extract.Page{Links: []extract.Link{
		{URL: "https://acme.vc/"},
		{URL: "https://acme.vc/about-us", Text: "About Us"},
		{URL: "https://acme.vc/news", Text: "News"},
		{URL: "https://www.acme.vc/who-we-are/", Text: "Who we are"},
		{URL: "https://acme.vc/our-team.html", Text: "Meet the team"},
		{URL: "https://acme.vc/people", Text: "People"},
		{URL: "https://acme.vc/about/team", Text: ""},
		{URL: "https://acme.vc/partners.php", Text: "Partners"},
		{URL: "https://acme.vc/leadership", Text: "Leadership"},
		{URL: "https://acme.vc/careers/join-our-team", Text: "Join our team"},
		{URL: "https://jobs.acme.vc/team", Text: "Team"},
		{URL: "https://other.example/team", Text: "Team"},
		{URL: "https://acme.vc/team/jane-doe", Text: "Jane Doe"},
		{URL: "https://acme.vc/team/", Text: "Team"},
		{URL: "https://acme.vc/contact", Text: "Contact"},
		{URL: "https://acme.vc/team", Text: "Team"},
	}}
	site := mustURL(t, "https://www.acme.vc/")
	got := extract.TeamLinks(page, site, 10)
	want := []string{
		"105 https://acme.vc/our-team.html",
		"105 https://acme.vc/team/",
		"100 https://acme.vc/people",
		"100 https://acme.vc/about/team",
		"90 https://acme.vc/partners.php",
		"85 https://acme.vc/leadership",
		"65 https://www.acme.vc/who-we-are/",
		"45 https://acme.vc/about-us",
	}
	var gotS []string
	for _, l := range got {
		gotS = append(gotS, fmt.Sprintf("%d %s", l.Score, l.URL))
	}
	if strings.Join(gotS, "\n") != strings.Join(want, "\n") {
		t.Errorf("TeamLinks =\n%s\nwant\n%s", strings.Join(gotS, "\n"), strings.Join(want, "\n"))
	}

	if top := extract.TeamLinks(page, site, 2); len(top) != 2 || top[0].URL != "https://acme.vc/our-team.html" {
		t.Errorf("TeamLinks max 2 = %v, want the two best", top)
	}
	if none := extract.TeamLinks(page, site, 0); len(none) != 0 {
		t.Errorf("TeamLinks max 0 = %v, want none", none)
	}
	if page.Links[4].Score != 0 {
		t.Error("TeamLinks changed the page's links")
	}
}

func TestTeamLinksPriority(t *testing.T) {
	// Whatever the order on the page, team/people/partners pages beat about pages.
	cases := []struct{ better, worse extract.Link }{
		{extract.Link{URL: "https://a.vc/team"}, extract.Link{URL: "https://a.vc/about-us", Text: "About us"}},
		{extract.Link{URL: "https://a.vc/people"}, extract.Link{URL: "https://a.vc/about.html"}},
		{extract.Link{URL: "https://a.vc/partners"}, extract.Link{URL: "https://a.vc/who-we-are"}},
		{extract.Link{URL: "https://a.vc/x", Text: "Our Team"}, extract.Link{URL: "https://a.vc/about"}},
		{extract.Link{URL: "https://a.vc/team"}, extract.Link{URL: "https://a.vc/en/about/team"}},
	}
	site := mustURL(t, "https://a.vc")
	for _, c := range cases {
		got := extract.TeamLinks(&extract.Page{Links: []extract.Link{c.worse, c.better}}, site, 5)
		if len(got) != 2 || got[0].URL != c.better.URL {
			t.Errorf("TeamLinks(%v, %v) = %v, want %s first", c.worse, c.better, got, c.better.URL)
		}
	}
}

func TestTeamLinksFromParsedPage(t *testing.T) {
	p := parseFixture(t, "no_people.html")
	got := extract.TeamLinks(p, mustURL(t, "https://example-vc.com"), 5)
	if len(got) != 1 || got[0].URL != "https://www.example-vc.com/team.html" || got[0].Text != "Our Team" {
		t.Errorf("TeamLinks = %v, want only /team.html", got)
	}
}

func TestFallbackPaths(t *testing.T) {
	paths := extract.FallbackPaths()
	seen := map[string]bool{}
	for _, p := range paths {
		if !strings.HasPrefix(p, "/") {
			t.Errorf("%q is not an absolute path", p)
		}
		if seen[p] {
			t.Errorf("%q listed twice", p)
		}
		seen[p] = true
	}
	for _, need := range []string{"/team", "/our-team", "/people", "/about", "/about-us", "/about-us.php", "/team.html"} {
		if !seen[need] {
			t.Errorf("FallbackPaths lacks %q", need)
		}
	}
	if paths[0] != "/team" {
		t.Errorf("first fallback = %q, want /team", paths[0])
	}
	paths[0] = "/mutated"
	if extract.FallbackPaths()[0] != "/team" {
		t.Error("FallbackPaths shares its backing array with callers")
	}
}

func TestTeamLinksOtherLanguagesAndFolders(t *testing.T) {
	site := mustURL(t, "https://acme.vc/")
	cases := []struct {
		url, text string
		team      bool
	}{
		{"https://acme.vc/nuestro-equipo.html", "Nuestro equipo", true},
		{"https://acme.vc/equipe", "Équipe", true},
		{"https://acme.vc/unser-team", "Unser Team", true},
		{"https://acme.vc/ueber-uns", "Über uns", true},
		{"https://acme.vc/quienes-somos", "Quiénes somos", true},
		{"https://acme.vc/pt/time.php", "Time", true},
		{"https://acme.vc/members/", "メンバー", true},
		{"https://acme.vc/team.html", "管理团队", true},
		{"https://acme.vc/principals.html", "Principals", true},
		{"https://acme.vc/who-we-are/korea.jsp", "Korea", true},
		{"https://acme.vc/team/jane-doe", "Jane Doe", false},
		{"https://acme.vc/kontakt", "Kontakt", false},
		{"https://acme.vc/approach", "Approach", false},
	}
	for _, c := range cases {
		got := extract.TeamLinks(&extract.Page{Links: []extract.Link{{URL: c.url, Text: c.text}}}, site, 4)
		if (len(got) > 0) != c.team {
			t.Errorf("%s %q: team link %v, want %v", c.url, c.text, got, c.team)
		}
	}
}

func TestNavLinks(t *testing.T) {
	page := &extract.Page{Links: []extract.Link{
		{URL: "https://acme.vc/", Text: "Home"},
		{URL: "https://acme.vc/team", Text: "Team"},                    // a team link: TeamLinks has it
		{URL: "https://acme.vc/intro/", Text: "Intro"},                 // kept
		{URL: "https://acme.vc/advisory-board.html", Text: "Advisors"}, // outsiders
		{URL: "https://acme.vc/contact", Text: "Contact"},
		{URL: "https://acme.vc/portfolio", Text: "Companies"},
		{URL: "https://acme.vc/deck.pdf", Text: "Deck"},
		{URL: "https://other.example/crew", Text: "Crew"},
		{URL: "https://acme.vc/executive-committee.php", Text: "Executive Committee"}, // TeamLinks has it
		{URL: "https://acme.vc/crew", Text: "Our crew"},                               // kept
		{URL: "https://acme.vc/approach", Text: "Approach"},
	}}
	got := extract.NavLinks(page, mustURL(t, "https://acme.vc/"), 2)
	var urls []string
	for _, l := range got {
		urls = append(urls, l.URL)
	}
	want := []string{"https://acme.vc/intro/", "https://acme.vc/crew"}
	if fmt.Sprint(urls) != fmt.Sprint(want) {
		t.Errorf("NavLinks = %v, want %v", urls, want)
	}
}
