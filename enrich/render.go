package enrich

import (
	"errors"
	"net/url"
	"time"

	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/extract"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/urlkey"
	"github.com/vcenrich/vcenrich/render"
)

// noteScriptBuilt remembers a page that should have named the team but
// needs JavaScript (a team link, a navigation link, a guessed path): the
// first of them is what the browser renders.
func (r *run) noteScriptBuilt(p *extract.Page) {
	if p == nil || !p.JSOnly {
		return
	}
	r.jsOnly = true
	if r.jsPage == "" {
		r.jsPage = p.URL
	}
}

// renderForced reports whether the settings ask for site's team to be
// rendered whatever its static pages looked like.
func (e *Engine) renderForced(site *url.URL) bool {
	return e.Renderer != nil && (e.RenderSites["*"] || e.RenderSites[urlkey.Site(site.Hostname())])
}

// renderReserve is the pages the static crawl leaves for rendering: a
// script-built site's guessed paths are the same empty shell, so they must
// not spend the page the browser needs.
func (r *run) renderReserve() int {
	if r.e.Renderer != nil && (r.jsOnly || r.e.renderForced(r.site)) {
		return 1
	}
	return 0
}

// renderTeam runs in the browser the page most likely to hold the team:
// the first script-built team candidate, else the best candidate the
// settings force, else the homepage. When the rendered page names nobody
// but links a team page (a single-page app's route), that is rendered too.
func (r *run) renderTeam(cands []extract.Link) {
	if r.e.Renderer == nil {
		return
	}
	target := r.jsPage
	if target == "" && len(cands) > 0 && !r.jsOnly {
		target = cands[0].URL
	}
	if target == "" {
		target = r.site.String()
	}
	for range maxRenders {
		p := r.render(target)
		if p == nil {
			return
		}
		if r.page(p, true) > 0 {
			return
		}
		if r.llmPage == nil && p.Text != "" {
			r.llmPage = p
		}
		target = ""
		for _, l := range extract.TeamLinks(p, r.site, 4) {
			if l.Score >= strongTeamScore && !r.seen[renderKey(l.URL)] {
				target = l.URL
				break
			}
		}
		if target == "" {
			return
		}
	}
}

// renderKey marks a page as rendered, apart from its having been fetched:
// the shell a script-built site serves on every path was fetched already.
func renderKey(raw string) string { return "render " + pageKey(raw) }

// render spends one page of the budget on running target in the browser
// and parses what its scripts built. It returns nil when the render fails;
// the firm keeps what the static pages gave.
func (r *run) render(target string) *extract.Page {
	key := renderKey(target)
	if r.aborted != nil || r.pagesLeft == 0 || r.seen[key] {
		return nil
	}
	if r.bctx.Err() != nil {
		r.stopped()
		return nil
	}
	r.seen[key] = true
	r.pagesLeft--
	r.progress(target)
	out, err := r.e.Renderer.Render(r.bctx, target)
	r.res.Pages++
	r.res.Rendered++
	visit := firm.PageVisit{URL: target, Kind: firm.PageRendered, Render: renderVisit(out)}
	if out.URL != "" {
		visit.URL = out.URL
	}
	if err != nil {
		visit.Note = renderFailure(err)
		r.res.Visited = append(r.res.Visited, visit)
		switch {
		case r.ctx.Err() != nil:
			r.aborted = r.ctx.Err()
		case r.bctx.Err() != nil:
			r.stopped()
		}
		return nil
	}
	if !out.Idle {
		visit.Note = "still busy when its time ran out"
	}
	r.res.Visited = append(r.res.Visited, visit)
	v := &r.res.Visited[len(r.res.Visited)-1]
	u, err := url.Parse(visit.URL)
	if err != nil {
		v.Note = "could not be read"
		return nil
	}
	p, err := r.e.parse(r.bctx, []byte(out.HTML), u)
	if err != nil {
		v.Note = "could not be read"
		return nil
	}
	// The page has been run: whatever it shows now is what it has.
	r.jsOnly = false
	v.People = len(p.Members)
	return p
}

func renderVisit(out render.Result) *firm.RenderVisit {
	return &firm.RenderVisit{
		Requests: out.Fulfilled,
		Refused:  out.Refused.Total() - out.Refused.Skipped,
		Skipped:  out.Refused.Skipped,
		Millis:   int(out.Elapsed / time.Millisecond),
	}
}

// renderFailure says in a few words why a render gave nothing.
func renderFailure(err error) string {
	var ce *crawl.Error
	switch {
	case errors.As(err, &ce):
		return "render: " + string(ce.Kind)
	case errors.Is(err, render.ErrBrowserLost):
		return "render: the browser died"
	default:
		return "render failed"
	}
}
