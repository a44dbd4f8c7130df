package enrich_test

import (
	"context"
	"testing"

	"github.com/vcenrich/vcenrich/firm"
)

// Every firm says what was fetched, and one with no team says why in fixed
// words, so that a row with Team Count 0 tells whether to look at the site
// or at the engine.
func TestTeamReasonAndVisits(t *testing.T) {
	const home = `<html><head><title>Acme Ventures</title></head><body>
<nav><a href="/team">Team</a><a href="/portfolio">Portfolio</a></nav>
<main><h1>Acme Ventures</h1><p>Acme Ventures is a seed fund investing in software companies.</p></main></body></html>`
	const noLinks = `<html><head><title>Acme Ventures</title></head><body>
<main><h1>Acme Ventures</h1><p>Acme Ventures is a seed fund investing in software companies.</p></main></body></html>`
	const prose = `<html><body><main><h1>Our team</h1><p>We are a small group of investors who have built companies before and now back founders at the earliest stage.</p></main></body></html>`
	const people = `<html><body><main><h2>Team</h2><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Managing Partner</p></div>
<div class="card"><h3>Tom Reyes</h3><p>Principal</p></div></div></main></body></html>`
	cases := []struct {
		name     string
		pages    map[string]string
		reason   string
		teamPage string // path of the team page URL the result names
		kinds    []string
		people   int
	}{
		{"team found", map[string]string{"/": home, "/team": people}, "", "/team",
			[]string{firm.PageHome, firm.PageTeam}, 2},
		{"team page without people", map[string]string{"/": home, "/team": prose}, firm.TeamNobody, "/team",
			[]string{firm.PageHome, firm.PageTeam}, 0},
		{"no team page", map[string]string{"/": noLinks}, firm.TeamNoPage, "",
			[]string{firm.PageHome}, 0},
		{"team page fails", map[string]string{"/": home}, firm.TeamFetchFailed, "",
			[]string{firm.PageHome, firm.PageTeam}, 0},
		{"robots", map[string]string{"/": home, "/team": people, "/robots.txt": "User-agent: *\nDisallow: /team\n"},
			firm.TeamRobots, "", []string{firm.PageHome}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestSite(t, c.pages)
			res, err := s.engine(t).Enrich(context.Background(), firm.Input{Name: "Acme", Website: "http://acme.engine.test/"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.TeamReason != c.reason {
				t.Errorf("reason %q, want %q", res.TeamReason, c.reason)
			}
			if len(res.Team) != c.people {
				t.Errorf("%d people, want %d", len(res.Team), c.people)
			}
			want := ""
			if c.teamPage != "" {
				want = "http://acme.engine.test" + c.teamPage
			}
			if res.TeamPageURL != want {
				t.Errorf("team page %q, want %q", res.TeamPageURL, want)
			}
			if len(res.Visited) < len(c.kinds) {
				t.Fatalf("visited %+v, want at least kinds %v", res.Visited, c.kinds)
			}
			for i, k := range c.kinds {
				if res.Visited[i].Kind != k {
					t.Errorf("visit %d is %+v, want kind %s", i, res.Visited[i], k)
				}
			}
			if res.Visited[0].Status != 200 {
				t.Errorf("home visit %+v", res.Visited[0])
			}
			if c.people > 0 {
				if res.Visited[1].People != c.people || res.Team[0].Rule != firm.RuleCard {
					t.Errorf("team visit %+v, first member %+v", res.Visited[1], res.Team[0])
				}
			}
		})
	}
}

// Addresses the site shows are the page's; when they follow one pattern,
// the others' are proposed and marked as inferred.
func TestEmailsFromPageAndPattern(t *testing.T) {
	const team = `<html><body><main><h2>Team</h2><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Managing Partner</p><a href="mailto:jane.okafor@acme.engine.test">Email</a></div>
<div class="card"><h3>Tom Reyes</h3><p>Principal</p><a href="mailto:tom.reyes@acme.engine.test">Email</a></div>
<div class="card"><h3>José Núñez</h3><p>Partner</p><a href="mailto:jose.nunez@acme.engine.test">Email</a></div>
<div class="card"><h3>Ann van der Berg</h3><p>Associate</p></div>
</div><p>Pitch us at <a href="mailto:deals@acme.engine.test">deals@acme.engine.test</a></p></main></body></html>`
	s := newTestSite(t, map[string]string{"/": `<html><body><nav><a href="/team">Team</a></nav><p>Acme Ventures is a seed fund investing in software.</p></body></html>`, "/team": team})
	res, err := s.engine(t).Enrich(context.Background(), firm.Input{Name: "Acme", Website: "http://www.acme.engine.test/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]firm.Member{}
	for _, m := range res.Team {
		got[m.Name] = m
	}
	if m := got["Jane Okafor"]; m.Email != "jane.okafor@acme.engine.test" || m.EmailSource != firm.EmailFromPage {
		t.Errorf("page email %+v", m)
	}
	if m := got["Ann van der Berg"]; m.Email != "ann.vanderberg@acme.engine.test" || m.EmailSource != firm.EmailFromPattern ||
		m.EmailPattern != "first.last" || m.EmailSupport != 3 {
		t.Errorf("inferred email %+v", m)
	}
}
