// Package enrich is the enrichment engine: for one firm it fetches the
// homepage, discovers team pages and extracts team members and a
// description. It knows nothing of Temporal, so the same engine runs inside
// an activity and in a plain goroutine pool (the benchmark's baseline).
package enrich

import (
	"context"
	"fmt"
	"net/url"

	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/extract"
	"github.com/vcenrich/vcenrich/firm"
)

// Engine enriches firms. It is safe for concurrent use: the fetcher is shared.
type Engine struct {
	Fetcher  *crawl.Fetcher
	MaxPages int // pages per firm, homepage included
}

// Progress is told about each page before it is fetched, so a caller can
// heartbeat between pages.
type Progress func(pageURL string)

// Enrich visits in's website. A homepage that cannot be fetched is the
// firm's failure and comes back as an error (a *crawl.Error when the web
// said no); anything after the homepage only lowers what is found.
func (e *Engine) Enrich(ctx context.Context, in firm.Input, progress Progress) (firm.Result, error) {
	res := firm.Result{Index: in.Index}
	if progress == nil {
		progress = func(string) {}
	}
	progress(in.Website)
	home, err := e.Fetcher.Home(ctx, in.Website)
	if err != nil {
		return res, err
	}
	res.Pages = 1
	res.FinalURL = home.URL.String()
	homePage, err := extract.Parse(home.Body, home.URL)
	if err != nil {
		return res, fmt.Errorf("read homepage %s: %w", home.URL, err)
	}
	res.Description = homePage.Description

	best, bestCount := "", 0
	lists := [][]firm.Member{homePage.Members}
	if len(homePage.Members) > 0 {
		best, bestCount = home.URL.String(), len(homePage.Members)
	}
	seen := map[string]bool{home.URL.String(): true}
	budget := max(e.MaxPages-1, 0)

	// visit fetches one more page within the budget. A page that fails is
	// only a lost page, not a lost firm (and a guessed path that 404s is
	// normal); only cancellation stops the firm.
	visit := func(target string) (found int, err error) {
		if budget == 0 || seen[target] {
			return 0, nil
		}
		seen[target] = true
		budget--
		progress(target)
		resp, err := e.Fetcher.Get(ctx, target)
		res.Pages++
		if err != nil {
			return 0, ctx.Err()
		}
		p, err := extract.Parse(resp.Body, resp.URL)
		if err != nil {
			return 0, nil
		}
		lists = append(lists, p.Members)
		if len(p.Members) > bestCount {
			best, bestCount = resp.URL.String(), len(p.Members)
		}
		if res.Description == "" {
			res.Description = p.Description
		}
		return len(p.Members), nil
	}

	found := 0
	for _, l := range extract.TeamLinks(homePage, home.URL, budget) {
		n, err := visit(l.URL)
		if err != nil {
			return res, err
		}
		found += n
	}
	if found == 0 && len(homePage.Members) == 0 {
		for _, p := range extract.FallbackPaths() {
			if budget == 0 {
				break
			}
			ref, err := url.Parse(p)
			if err != nil {
				continue
			}
			n, err := visit(home.URL.ResolveReference(ref).String())
			if err != nil {
				return res, err
			}
			if n > 0 {
				break
			}
		}
	}

	res.Team = extract.Merge(lists...)
	res.TeamPageURL = best
	res.Status = firm.StatusOK
	return res, nil
}
