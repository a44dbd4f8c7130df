package enrich_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/testbrowser"
	"github.com/vcenrich/vcenrich/render"
)

// A single-page app: the static page is an empty root, and the team comes
// from a JSON file its script fetches.
const scriptBuiltHome = `<html><head><title>Script Capital</title></head><body><div id="root"></div>
<script>
fetch('/api/team.json').then(r => r.json()).then(team => {
  document.getElementById('root').innerHTML = '<section><h2>Our team</h2><div class="grid">' +
    team.map(p => '<div class="card"><h3>' + p.name + '</h3><p>' + p.title + '</p></div>').join('') + '</div></section>';
});
</script></body></html>`

const scriptTeam = `[{"name": "Amara Nwosu", "title": "Managing Partner"}, {"name": "Lukas Brandt", "title": "Principal"}, {"name": "Mei Tanaka", "title": "Associate"}]`

func TestScriptBuiltTeam(t *testing.T) {
	site := newTestSite(t, map[string]string{"/": scriptBuiltHome, "/api/team.json": scriptTeam})

	t.Run("without a browser the workbook says so", func(t *testing.T) {
		res, err := site.engine(t).Enrich(context.Background(), firm.Input{Website: "http://script.engine.test/"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Team) != 0 || res.Website != firm.WebsiteJSOnly || res.TeamReason != firm.TeamJSOnlyNoBrowser {
			t.Errorf("team %d, website %q, reason %q; want none, js_only, %q", len(res.Team), res.Website, res.TeamReason, firm.TeamJSOnlyNoBrowser)
		}
	})

	t.Run("rendered", func(t *testing.T) {
		e := site.engine(t)
		e.Renderer = testbrowser.Renderer(t, e.Fetcher)
		res, err := e.Enrich(context.Background(), firm.Input{Website: "http://script.engine.test/"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, m := range res.Team {
			names[m.Name] = true
		}
		if len(res.Team) != 3 || !names["Amara Nwosu"] || !names["Lukas Brandt"] || !names["Mei Tanaka"] {
			t.Fatalf("team %+v, want the three people of team.json", res.Team)
		}
		if res.Website != firm.WebsiteOK || res.TeamReason != "" || res.Rendered != 1 {
			t.Errorf("website %q, reason %q, rendered %d; want ok, none, 1", res.Website, res.TeamReason, res.Rendered)
		}
		if res.Pages > e.MaxPages {
			t.Errorf("%d pages with a budget of %d", res.Pages, e.MaxPages)
		}
		var rendered *firm.PageVisit
		for i, v := range res.Visited {
			if v.Kind == firm.PageRendered {
				rendered = &res.Visited[i]
			}
		}
		// The document and the JSON: both through the fetcher.
		if rendered == nil || rendered.Render == nil || rendered.Render.Requests < 2 || rendered.People != 3 {
			t.Errorf("rendered visit %+v, want the page's 3 people from at least 2 fetched requests", rendered)
		}
	})
}

// A render that fails (here a "browser" that exits at once) costs the firm
// nothing it found statically, and the Pages sheet says so.
func TestFailedRenderKeepsTheFirm(t *testing.T) {
	site := newTestSite(t, map[string]string{"/": scriptBuiltHome, "/api/team.json": scriptTeam})
	e := site.engine(t)
	r, err := render.New(render.Config{Browser: "false"}, e.Fetcher, nil)
	if err != nil {
		t.Skip(err) // no false(1) on the path
	}
	t.Cleanup(func() { r.Close() })
	e.Renderer = r
	res, err := e.Enrich(context.Background(), firm.Input{Website: "http://script.engine.test/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rendered *firm.PageVisit
	for i, v := range res.Visited {
		if v.Kind == firm.PageRendered {
			rendered = &res.Visited[i]
		}
	}
	if res.Status != firm.StatusOK || res.Website != firm.WebsiteJSOnly || rendered == nil || !strings.HasPrefix(rendered.Note, "render") {
		t.Errorf("status %q, website %q, rendered visit %+v; want ok, js_only and a failed render noted", res.Status, res.Website, rendered)
	}
}

// A team page found only by guessing its path, built by script, is the
// page rendered.
func TestGuessedScriptBuiltTeamPageIsRendered(t *testing.T) {
	home := `<html><head><title>Quiet Capital</title><meta name="description" content="Quiet Capital is a seed venture fund investing in software."></head>
<body><h1>Quiet Capital</h1><p>We invest in seed-stage software companies and back founders early, with conviction and patience, across Europe and North America.</p>
<p>Our fund partners with technical founders from the first cheque to the growth rounds that follow.</p></body></html>`
	site := newTestSite(t, map[string]string{"/": home, "/team": scriptBuiltHome, "/api/team.json": scriptTeam})
	e := site.engine(t)
	e.Renderer = testbrowser.Renderer(t, e.Fetcher)
	res, err := e.Enrich(context.Background(), firm.Input{Website: "http://quiet.engine.test/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Team) != 3 || res.Rendered != 1 || !strings.HasSuffix(res.TeamPageURL, "/team") {
		t.Errorf("team %d, rendered %d, team page %q; want the guessed /team rendered with its 3 people", len(res.Team), res.Rendered, res.TeamPageURL)
	}
}
