// Package enrich is the enrichment engine: for one firm it fetches the
// homepage, discovers the team, portfolio and profile pages (navigation and
// footer links, sitemaps, common paths), and extracts team members,
// portfolio companies and the firm's profile. It knows nothing of Temporal,
// so the same engine runs inside an activity and in a plain goroutine pool.
//
// Every page costs one of MaxPages and is announced to Progress first, so a
// caller can heartbeat between pages; the whole firm runs within Budget.
package enrich

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/emails"
	"github.com/vcenrich/vcenrich/extract"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/urlkey"
	"github.com/vcenrich/vcenrich/llm"
	"github.com/vcenrich/vcenrich/render"
)

// Defaults for the zero values of Engine's limits.
const (
	DefaultMaxProfiles  = 4
	DefaultMaxRetryWait = 5 * time.Second
	maxListPages        = 4 // further pages of one paginated team list
	maxTeamCandidates   = 4 // team/people/about pages tried before the fallbacks
	maxNavPages         = 2 // unnamed navigation links tried before the fallbacks
	strongTeamScore     = 80
	maxContactEmails    = 20
	maxTaxonomyText     = 64 << 10
	maxRenders          = 2 // the script-built page, then the team page its rendered links name
)

// Engine enriches firms. It is safe for concurrent use: the fetcher is
// shared, everything else is per call.
type Engine struct {
	Fetcher *crawl.Fetcher
	// MaxPages caps requests per firm: homepage, sitemaps, team, profile,
	// portfolio and contact pages (robots.txt aside). Default
	// config.DefaultMaxPages.
	MaxPages int
	// Budget caps the time spent on one firm: when it runs out, the firm
	// returns what it found so far. Zero means no budget beyond ctx.
	Budget time.Duration
	// MaxProfiles caps the individual profile pages visited to fill in
	// titles and LinkedIn profiles a listing lacks. Default 4.
	MaxProfiles int
	// MaxRetryWait is the longest Retry-After (on a 429 or 503 for a page
	// after the homepage) waited for before trying that page once more.
	// Longer waits skip the page. Default 5s; negative never waits.
	MaxRetryWait time.Duration
	// LLM, when set, reads the best candidate team page on which the
	// heuristics found nobody.
	LLM *llm.Extractor
	// Renderer, when set, runs in a browser the pages whose people only
	// appear after their scripts run (static analysis found nobody and the
	// page is script-built), every request through Fetcher. Each render
	// costs one page of MaxPages and its time comes out of Budget.
	Renderer *render.Renderer
	// RenderSites are sites (as urlkey.Site gives them; "*" for all) whose
	// team is rendered even when the static page did not look script-built.
	RenderSites map[string]bool

	parses     sync.Once
	bigParsing *semaphore.Weighted // bytes of large pages being parsed; see parse
}

// Large pages share a parse budget: a page's DOM takes 15 to 40 times its
// size (a dense 4 MiB page of cards, 160 MB), so 64 firms each parsing one
// at once could need gigabytes. Pages from bigPage up wait until their
// bytes fit in bigParseBudget; smaller ones never wait.
const (
	bigPage        = 256 << 10
	bigParseBudget = 8 << 20
)

func newParseBudget() *semaphore.Weighted { return semaphore.NewWeighted(bigParseBudget) }

// parse parses a fetched page, waiting for a share of the budget first
// when it is large.
func (e *Engine) parse(ctx context.Context, body []byte, u *url.URL) (*extract.Page, error) {
	if len(body) >= bigPage {
		e.parses.Do(func() { e.bigParsing = newParseBudget() })
		n := min(int64(len(body)), bigParseBudget)
		if err := e.bigParsing.Acquire(ctx, n); err != nil {
			return nil, err
		}
		defer e.bigParsing.Release(n)
	}
	return extract.Parse(body, u)
}

// Progress is told about each page before it is fetched, so a caller can
// heartbeat between pages.
type Progress func(pageURL string)

// Enrich visits in's website. A homepage that cannot be fetched is the
// firm's failure and comes back as an error (a *crawl.Error when the web
// said no); anything after the homepage only lowers what is found, and a
// spent Budget ends the firm with what it has. Only ctx's cancellation
// fails a firm after its homepage.
func (e *Engine) Enrich(ctx context.Context, in firm.Input, progress Progress) (firm.Result, error) {
	res := firm.Result{Index: in.Index}
	if progress == nil {
		progress = func(string) {}
	}
	bctx := ctx
	if e.Budget > 0 {
		var cancel context.CancelFunc
		bctx, cancel = context.WithTimeout(ctx, e.Budget)
		defer cancel()
	}
	progress(in.Website)
	home, err := e.Fetcher.Home(bctx, in.Website)
	if err != nil {
		return res, err
	}
	res.Pages = 1
	res.FinalURL = home.URL.String()
	res.Visited = append(res.Visited, firm.PageVisit{URL: home.URL.String(), Status: home.Status, Kind: firm.PageHome})
	homePage, err := e.parse(bctx, home.Body, home.URL)
	if err != nil {
		return res, fmt.Errorf("read homepage %s: %w", home.URL, err)
	}
	r := &run{
		e: e, ctx: ctx, bctx: bctx, res: &res, progress: progress,
		site:      home.URL,
		pagesLeft: max(e.maxPages()-1, 0),
		seen:      map[string]bool{pageKey(home.URL.String()): true},
	}
	if in.Description != "" {
		r.taxonomy.WriteString(in.Description + "\n")
	}
	res.Visited[0].People = len(homePage.Members)
	r.home(homePage, home.Redirected)
	if !homePage.Parked {
		if err := r.discover(homePage); err != nil {
			return res, err
		}
	}
	r.finish(homePage)
	res.Status = firm.StatusOK
	return res, nil
}

func (e *Engine) maxPages() int {
	if e.MaxPages <= 0 {
		return config.DefaultMaxPages
	}
	return e.MaxPages
}

func (e *Engine) maxProfiles() int {
	if e.MaxProfiles <= 0 {
		return DefaultMaxProfiles
	}
	return e.MaxProfiles
}

func (e *Engine) maxRetryWait() time.Duration {
	switch {
	case e.MaxRetryWait < 0:
		return 0
	case e.MaxRetryWait == 0:
		return DefaultMaxRetryWait
	}
	return e.MaxRetryWait
}

// run is one firm's enrichment in progress.
type run struct {
	e         *Engine
	ctx       context.Context // the caller's: its end fails the firm
	bctx      context.Context // ctx within the budget: its end only stops the crawl
	res       *firm.Result
	progress  Progress
	site      *url.URL // the homepage as finally fetched
	pagesLeft int
	seen      map[string]bool
	aborted   error // the caller's cancellation, once seen

	lists       [][]firm.Member // team members per page, in visit order
	bestCount   int
	companies   []firm.Company
	emails      []string // candidate contact addresses, best sources first
	otherEmails []string // addresses on other pages (team, portfolio), a last resort
	taxonomy    strings.Builder
	signals     bool   // some page talks about investing
	jsOnly      bool   // a page that should have named the team needs JavaScript
	jsPage      string // the first such team candidate, rendered before the homepage
	llmPage     *extract.Page
	budgetSpent bool
}

// pageKey identifies a URL for "already fetched"; one that does not parse
// is only ever the same as itself.
func pageKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return urlkey.Page(u)
}

// fetch gets and parses one more page within the page and time budgets. It
// returns nil when the page is skipped, refused or fails; a page that fails
// is a lost page, not a lost firm. A cancelled caller is recorded in
// r.aborted.
func (r *run) fetch(target, kind string) *extract.Page {
	resp := r.get(target, kind, r.e.Fetcher.Get)
	if resp == nil {
		return nil
	}
	v := &r.res.Visited[len(r.res.Visited)-1]
	p, err := r.e.parse(r.bctx, resp.Body, resp.URL)
	if err != nil {
		v.Note = "could not be read"
		return nil
	}
	v.People = len(p.Members)
	if p.JSOnly {
		v.Note = "needs JavaScript"
	}
	return p
}

// fetchSitemap is fetch for a sitemap, whose body is XML.
func (r *run) fetchSitemap(target string) *crawl.Response {
	return r.get(target, firm.PageSitemap, r.e.Fetcher.GetSitemap)
}

// get spends one page of the budget on target (two when a short
// Retry-After is worth waiting for), announcing each request first and
// recording it as a visit of the given kind.
func (r *run) get(target, kind string, fetch func(context.Context, string) (*crawl.Response, error)) *crawl.Response {
	if r.aborted != nil || r.pagesLeft == 0 {
		return nil
	}
	key := pageKey(target)
	if r.seen[key] {
		return nil
	}
	if r.bctx.Err() != nil {
		r.stopped()
		return nil
	}
	r.seen[key] = true
	for attempt := 0; ; attempt++ {
		r.pagesLeft--
		r.progress(target)
		resp, err := fetch(r.bctx, target)
		r.res.Pages++
		visit := firm.PageVisit{URL: target, Kind: kind}
		if err == nil {
			visit.URL, visit.Status = resp.URL.String(), resp.Status
			r.res.Visited = append(r.res.Visited, visit)
			return resp
		}
		var fe *crawl.Error
		if errors.As(err, &fe) {
			visit.Status, visit.Note = fe.Status, string(fe.Kind)
		} else {
			visit.Note = "failed"
		}
		r.res.Visited = append(r.res.Visited, visit)
		if r.ctx.Err() != nil {
			r.aborted = r.ctx.Err()
			return nil
		}
		if r.bctx.Err() != nil {
			r.stopped()
			return nil
		}
		var ce *crawl.Error
		if !errors.As(err, &ce) {
			return nil
		}
		switch ce.Kind {
		case crawl.KindRobots, crawl.KindBlocked:
			r.refused(ce.Kind)
			return nil
		}
		if attempt == 0 && r.pagesLeft > 0 && r.waitRetryAfter(ce) {
			continue
		}
		return nil
	}
}

// waitRetryAfter waits out a short Retry-After on a 429 or 503 so the page
// can be tried once more; it reports whether to retry.
func (r *run) waitRetryAfter(ce *crawl.Error) bool {
	if ce.RetryAfter <= 0 || ce.RetryAfter > r.e.maxRetryWait() || !(ce.Kind == crawl.KindRateLimited || ce.Status == 503) {
		return false
	}
	if d, ok := r.bctx.Deadline(); ok && time.Until(d) < ce.RetryAfter {
		return false
	}
	t := time.NewTimer(ce.RetryAfter)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.bctx.Done():
		if r.ctx.Err() != nil {
			r.aborted = r.ctx.Err()
		} else {
			r.stopped()
		}
		return false
	}
}

func (r *run) refused(kind crawl.Kind) {
	if r.res.Refusals == nil {
		r.res.Refusals = map[string]int{}
	}
	r.res.Refusals[string(kind)]++
}

func (r *run) stopped() {
	r.budgetSpent = true
	r.pagesLeft = 0
}

// home takes in the homepage.
func (r *run) home(p *extract.Page, redirected bool) {
	r.res.Description = p.Description
	r.res.Profile.LinkedIn, r.res.Profile.Twitter = p.LinkedIn, p.Twitter
	r.res.Profile.Location = p.Location
	r.jsOnly = p.JSOnly
	r.page(p, true)
	if redirected {
		r.res.Website = firm.WebsiteRedirected
		r.res.WebsiteNote = fmt.Sprintf("The website redirects to %s.", r.site.Hostname())
	}
}

// page takes in what every visited page offers: people, companies,
// contact addresses and, for pages about the firm, words for the taxonomy.
func (r *run) page(p *extract.Page, aboutFirm bool) int {
	if len(p.Members) > 0 {
		r.lists = append(r.lists, p.Members)
		if len(p.Members) > r.bestCount {
			r.bestCount = len(p.Members)
			r.res.TeamPageURL = p.URL
		}
	}
	r.companies = append(r.companies, p.Companies...)
	if !aboutFirm && len(r.otherEmails) < maxContactEmails {
		r.otherEmails = append(r.otherEmails, p.Emails...)
	}
	if aboutFirm {
		r.emails = append(r.emails, p.Emails...)
		r.emails = append(r.emails, extract.EmailsInText(p.Text, maxContactEmails)...)
		if r.taxonomy.Len() < maxTaxonomyText {
			r.taxonomy.WriteString(p.Title + "\n" + p.Description + "\n" + p.Text + "\n")
		}
		if r.res.Description == "" {
			r.res.Description = p.Description
		}
		if r.res.Profile.Location == "" {
			r.res.Profile.Location = p.Location
		}
		if r.res.Profile.LinkedIn == "" {
			r.res.Profile.LinkedIn = p.LinkedIn
		}
		if r.res.Profile.Twitter == "" {
			r.res.Profile.Twitter = p.Twitter
		}
	}
	if !r.signals && extract.FirmSignals(p.Title+" "+p.Description+" "+p.Text) {
		r.signals = true
	}
	return len(p.Members)
}

// discover finds and reads the team, profile, portfolio and contact pages.
func (r *run) discover(home *extract.Page) error {
	team := extract.TeamLinks(home, r.site, 8)
	portfolio := extract.PortfolioLinks(home, r.site, 2)
	if len(team) == 0 || team[0].Score < strongTeamScore {
		smTeam, smPortfolio := r.sitemap()
		// A team page the sitemap names beats an about page the homepage links.
		team = mergeLinks(team, smTeam)
		sort.SliceStable(team, func(i, j int) bool { return team[i].Score > team[j].Score })
		if len(portfolio) == 0 {
			portfolio = smPortfolio
		}
	}
	found := r.team(team)
	if r.aborted != nil {
		return r.aborted
	}
	if !found && len(home.Members) == 0 && !r.explore(extract.NavLinks(home, r.site, maxNavPages)) {
		r.fallbacks(extract.PageExtension(home, r.site))
	}
	if r.aborted != nil {
		return r.aborted
	}
	if r.bestCount == 0 && (r.jsOnly || r.e.renderForced(r.site)) {
		r.renderTeam(team)
		if r.aborted != nil {
			return r.aborted
		}
	}
	if r.llmPage == nil && !home.JSOnly && home.Text != "" {
		// No better candidate: founders often name the team on the homepage.
		r.llmPage = home
	}
	if r.bestCount == 0 && r.e.LLM != nil && r.llmPage != nil {
		r.askLLM()
	} else if r.e.LLM != nil && r.bestCount == 0 {
		r.res.LLM = "no candidate page"
	}
	r.profiles()
	if r.aborted != nil {
		return r.aborted
	}
	r.portfolio(portfolio)
	if r.aborted != nil {
		return r.aborted
	}
	r.contact(home)
	return r.aborted
}

// mergeLinks appends the links of b not in a, keeping a's order first.
func mergeLinks(a, b []extract.Link) []extract.Link {
	seen := map[string]bool{}
	for _, l := range a {
		seen[pageKey(l.URL)] = true
	}
	for _, l := range b {
		if !seen[pageKey(l.URL)] {
			seen[pageKey(l.URL)] = true
			a = append(a, l)
		}
	}
	return a
}

// sitemap reads the site's sitemap (the robots.txt Sitemap: lines first,
// else /sitemap.xml; from an index, the child most likely to list pages)
// for team and portfolio pages. It costs one or two pages, so it runs only
// when the homepage links no strong team page.
func (r *run) sitemap() (team, portfolio []extract.Link) {
	if r.pagesLeft < 2 {
		// Keep the last page for a team page found by other means.
		return nil, nil
	}
	var candidates []string
	if listed, err := r.e.Fetcher.Sitemaps(r.bctx, r.site.String()); err == nil {
		candidates = listed
	}
	if len(candidates) == 0 {
		candidates = []string{r.site.ResolveReference(&url.URL{Path: "/sitemap.xml"}).String()}
	}
	for depth := 0; depth < 2 && len(candidates) > 0 && r.pagesLeft > 1; depth++ {
		sm := r.fetchSitemap(candidates[0])
		if sm == nil {
			return nil, nil
		}
		locs, index, err := extract.ParseSitemap(sm.Body)
		if err != nil {
			return nil, nil
		}
		if index {
			candidates = rankSitemaps(locs)
			continue
		}
		p := extract.SitemapPage(sm.URL.String(), locs)
		return extract.TeamLinks(p, r.site, 8), extract.PortfolioLinks(p, r.site, 2)
	}
	return nil, nil
}

// rankSitemaps puts the children of a sitemap index most likely to list a
// site's pages first, and those of blog posts, products and media last.
func rankSitemaps(locs []string) []string {
	var good, rest []string
	for _, l := range locs {
		low := strings.ToLower(l)
		switch {
		case strings.Contains(low, "page") || strings.Contains(low, "team") || strings.Contains(low, "people"):
			good = append(good, l)
		case strings.Contains(low, "post") || strings.Contains(low, "blog") || strings.Contains(low, "news") ||
			strings.Contains(low, "product") || strings.Contains(low, "image") || strings.Contains(low, "video"):
		default:
			rest = append(rest, l)
		}
	}
	return append(good, rest...)
}

// team visits candidate team pages, best first, and follows a paginated
// list. Once a page lists people, only strong candidates (team, people,
// partners, leadership) are still visited, not about pages. It reports
// whether anyone was found.
func (r *run) team(cands []extract.Link) bool {
	found := false
	tried := 0
	for i := 0; i < len(cands) && tried < maxTeamCandidates; i++ {
		c := cands[i]
		if found && c.Score < strongTeamScore {
			break
		}
		kind := firm.PageTeam
		if c.Score < strongTeamScore {
			kind = firm.PageAbout
		}
		p := r.fetch(c.URL, kind)
		if r.aborted != nil || r.pagesLeft == 0 && p == nil {
			return found
		}
		if p == nil {
			continue
		}
		tried++
		if r.page(p, c.Score < strongTeamScore) > 0 {
			found = true
			r.paginate(p)
			continue
		}
		if p.JSOnly {
			r.noteScriptBuilt(p)
		} else if r.llmPage == nil && p.Text != "" {
			r.llmPage = p
		}
		// An about page may lead on to the team page the homepage did not link.
		for _, l := range extract.TeamLinks(p, r.site, 4) {
			if l.Score >= strongTeamScore && !r.seen[pageKey(l.URL)] {
				cands = mergeLinks(cands, []extract.Link{l})
			}
		}
	}
	return found
}

// paginate follows the further pages of the list on p while they list
// people.
func (r *run) paginate(p *extract.Page) {
	for i := 0; i < maxListPages && r.pagesLeft > 0; i++ {
		var next string
		for _, u := range extract.NextPages(p, 4) {
			if !r.seen[pageKey(u)] {
				next = u
				break
			}
		}
		if next == "" {
			return
		}
		np := r.fetch(next, firm.PageNext)
		if np == nil || r.page(np, false) == 0 {
			return
		}
		p = np
	}
}

// explore visits links of the home page that no rule took for the team
// page, before guessing paths: a small site's navigation may call its team
// page anything ("Intro", "Executive Committee", the firm's own word). It
// reports whether one listed people.
func (r *run) explore(links []extract.Link) bool {
	for _, l := range links {
		if r.pagesLeft < 2+r.renderReserve() || r.aborted != nil {
			return false
		}
		p := r.fetch(l.URL, firm.PageNav)
		if p != nil && r.page(p, false) > 0 {
			r.paginate(p)
			return true
		}
		r.noteScriptBuilt(p)
	}
	return false
}

// fallbacks tries the common team paths, in the site's own page extension
// first, until one lists people.
func (r *run) fallbacks(ext string) {
	for _, path := range extract.FallbackPathsFor(ext) {
		if r.pagesLeft <= r.renderReserve() || r.aborted != nil {
			return
		}
		target := r.site.ResolveReference(&url.URL{Path: path}).String()
		p := r.fetch(target, firm.PageGuess)
		if p == nil {
			continue
		}
		if r.page(p, strings.Contains(path, "about")) > 0 {
			r.paginate(p)
			return
		}
		r.noteScriptBuilt(p)
		if r.llmPage == nil && !p.JSOnly && p.Text != "" {
			r.llmPage = p
		}
	}
}

// askLLM hands the best candidate page to the optional LLM extractor. Only
// a short reason of ours is recorded when it fails.
func (r *run) askLLM() {
	if r.bctx.Err() != nil {
		return
	}
	p := r.llmPage
	links := make([]string, len(p.Links))
	for i, l := range p.Links {
		links[i] = l.URL
	}
	people, err := r.e.LLM.ExtractPeople(r.bctx, llm.Page{URL: p.URL, Text: p.Text, Links: links, Emails: p.Emails})
	if err != nil {
		var le *llm.Error
		if errors.As(err, &le) {
			r.res.LLM = "error: " + le.Short()
		} else {
			r.res.LLM = "error"
		}
		return
	}
	if len(people) == 0 {
		r.res.LLM = "found nobody"
		return
	}
	r.res.LLM = fmt.Sprintf("found %d", len(people))
	for i := range people {
		people[i].Rule = firm.RuleLLM
	}
	r.lists = append(r.lists, people)
	r.bestCount = len(people)
	r.res.TeamPageURL = p.URL
}

// profiles visits the own pages of listed people whose title or LinkedIn
// profile the listing lacks. The team is what matters most, so profiles
// come before the portfolio page in the page budget.
func (r *run) profiles() {
	limit := r.e.maxProfiles()
	team := extract.Merge(r.lists...)
	var extra []firm.Member
	for _, m := range team {
		if limit == 0 || r.pagesLeft == 0 || r.aborted != nil {
			break
		}
		if m.ProfileURL == "" || m.Title != "" && m.LinkedIn != "" {
			continue
		}
		u, err := url.Parse(m.ProfileURL)
		if err != nil || !extract.SameSite(u.Hostname(), r.site.Hostname()) || r.seen[pageKey(m.ProfileURL)] {
			continue
		}
		limit--
		p := r.fetch(m.ProfileURL, firm.PageProfile)
		if p == nil {
			continue
		}
		if got, ok := personOn(p, m.Name); ok {
			got.SourceURL = m.SourceURL
			got.ProfileURL = m.ProfileURL
			got.Confidence = min(1, max(got.Confidence, m.Confidence)+0.1)
			extra = append(extra, got)
		}
	}
	if len(extra) > 0 {
		r.lists = append(r.lists, extra)
	}
}

// personOn finds name on a profile page.
func personOn(p *extract.Page, name string) (firm.Member, bool) {
	key := extract.NameKey(name)
	for _, list := range [][]firm.Member{p.Members, p.Others} {
		for _, m := range list {
			if extract.NameKey(m.Name) == key {
				return m, true
			}
		}
	}
	return firm.Member{}, false
}

// portfolio reads the best portfolio page and the next page of its list.
func (r *run) portfolio(cands []extract.Link) {
	for _, c := range cands {
		if r.pagesLeft == 0 || r.aborted != nil {
			return
		}
		p := r.fetch(c.URL, firm.PagePortfolio)
		if p == nil {
			continue
		}
		if len(p.Companies) > 0 {
			// People on a page of companies are the companies' founders
			// and CEOs, whatever its headings say: never the firm's team.
			p.Others, p.Members = append(p.Others, p.Members...), nil
		}
		r.page(p, false)
		if len(p.Companies) > 0 {
			if next := extract.NextPages(p, 1); len(next) > 0 && r.pagesLeft > 0 {
				if np := r.fetch(next[0], firm.PagePortfolio); np != nil {
					r.page(np, false)
				}
			}
			return
		}
	}
}

// contact reads the contact page when the firm's address or location is
// still missing and a page is left.
func (r *run) contact(home *extract.Page) {
	if r.pagesLeft == 0 || r.aborted != nil || r.contactEmail() != "" && r.res.Profile.Location != "" {
		return
	}
	for _, l := range home.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !extract.SameSite(u.Hostname(), r.site.Hostname()) {
			continue
		}
		slug := strings.Trim(strings.ToLower(u.Path), "/")
		slug = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(slug, ".html"), ".php"), ".htm")
		text := strings.ToLower(strings.TrimSpace(l.Text))
		if slug == "contact" || slug == "contact-us" || slug == "contacts" || text == "contact" || text == "contact us" {
			if p := r.fetch(l.URL, firm.PageContact); p != nil {
				r.page(p, true)
			}
			return
		}
	}
}

// contactEmail picks the firm's address: a shared mailbox on the firm's
// domain first, then any address on it, then any address, never a team
// member's own.
func (r *run) contactEmail() string {
	personal := map[string]bool{}
	for _, l := range r.lists {
		for _, m := range l {
			if m.Email != "" {
				personal[m.Email] = true
			}
		}
	}
	site := urlkey.Site(r.site.Hostname())
	var onSite, other string
	for _, e := range r.emails {
		if personal[e] {
			continue
		}
		local, domain, _ := strings.Cut(e, "@")
		mine := domain == site || strings.HasSuffix(site, "."+domain) || strings.HasSuffix(domain, "."+site)
		if mine && emails.IsRole(local) {
			return e
		}
		if mine && onSite == "" {
			onSite = e
		}
		if other == "" {
			other = e
		}
	}
	if onSite != "" {
		return onSite
	}
	if other != "" {
		return other
	}
	// A team page's "write to info@..." is the firm's; its people's own
	// addresses are not.
	for _, e := range r.otherEmails {
		local, _, _ := strings.Cut(e, "@")
		if !personal[e] && emails.IsRole(local) {
			return e
		}
	}
	return ""
}

// finish merges what the pages gave and decides the website status.
func (r *run) finish(home *extract.Page) {
	res := r.res
	res.Team = extract.Merge(r.lists...)
	for i := range res.Team {
		res.Team[i].Tier = extract.TierOf(res.Team[i].Title)
	}
	r.inferEmails()
	res.Portfolio = dedupeCompanies(r.companies)
	res.Profile.ContactEmail = r.contactEmail()
	c := extract.Classify(r.taxonomy.String())
	res.Profile.InvestorType, res.Profile.Stages, res.Profile.Sectors = c.InvestorType, c.Stages, c.Sectors

	var notes []string
	switch {
	case home.Parked:
		res.Website = firm.WebsiteNotAFirm
		notes = append(notes, "The domain is parked or for sale.")
	case len(res.Team) == 0 && r.jsOnly:
		res.Website = firm.WebsiteJSOnly
		notes = append(notes, "The website builds its pages with JavaScript, so there was no text to read the team from.")
	case len(res.Team) == 0 && len(res.Portfolio) == 0 && !r.signals:
		res.Website = firm.WebsiteNotAFirm
		notes = append(notes, "Nothing on the website is about investing.")
	case res.Website == firm.WebsiteRedirected:
		notes = append(notes, res.WebsiteNote)
	default:
		res.Website = firm.WebsiteOK
	}
	if len(res.Team) == 0 {
		res.TeamReason = r.teamReason(home)
		if res.TeamReason == firm.TeamNobody {
			res.TeamPageURL = r.llmPage.URL
		}
	}
	if n := res.Refusals[string(crawl.KindRobots)]; n > 0 {
		notes = append(notes, fmt.Sprintf("robots.txt kept us from %d page(s).", n))
	}
	if n := res.Refusals[string(crawl.KindBlocked)]; n > 0 {
		notes = append(notes, fmt.Sprintf("%d page(s) led to addresses we never fetch.", n))
	}
	if r.budgetSpent {
		notes = append(notes, "The time budget ran out, so the results may be incomplete.")
	}
	res.WebsiteNote = strings.Join(notes, " ")
}

// inferEmails marks the addresses the site shows as the page's and, when
// the site's personal addresses follow one pattern, proposes the others'.
func (r *run) inferEmails() {
	team := r.res.Team
	domain := urlkey.Site(r.site.Hostname())
	var known []emails.Known
	for i, m := range team {
		if m.Email != "" {
			team[i].EmailSource = firm.EmailFromPage
			known = append(known, emails.Known{Name: m.Name, Email: m.Email})
		}
	}
	learned, ok := emails.Learn(known, domain)
	if !ok {
		return
	}
	for i, m := range team {
		if m.Email != "" {
			continue
		}
		if e := learned.Propose(m.Name); e != "" {
			team[i].Email = e
			team[i].EmailSource = firm.EmailFromPattern
			team[i].EmailPattern = string(learned.Pattern)
			team[i].EmailSupport = learned.Support
		}
	}
}

// teamReason says in fixed words why no team was found.
func (r *run) teamReason(home *extract.Page) string {
	switch r.res.Website {
	case firm.WebsiteNotAFirm:
		return firm.TeamNotAFirm
	case firm.WebsiteJSOnly:
		if r.e.Renderer == nil {
			return firm.TeamJSOnlyNoBrowser
		}
		return firm.TeamJSOnly
	}
	if r.llmPage != nil && r.llmPage != home {
		return firm.TeamNobody
	}
	tried, failed := 0, 0
	for _, v := range r.res.Visited {
		switch v.Kind {
		case firm.PageTeam, firm.PageAbout, firm.PageGuess:
		default:
			continue
		}
		tried++
		switch v.Note {
		case string(crawl.KindRobots):
			return firm.TeamRobots
		case string(crawl.KindBlocked):
			return firm.TeamGuard
		}
		if v.Note != "" || v.Status >= 400 {
			failed++
		}
	}
	if tried > 0 && failed == tried && !r.guessesOnly() {
		return firm.TeamFetchFailed
	}
	return firm.TeamNoPage
}

// guessesOnly reports that every team page tried was a guessed path (a 404
// there means no such page, not a failure).
func (r *run) guessesOnly() bool {
	for _, v := range r.res.Visited {
		if v.Kind == firm.PageTeam || v.Kind == firm.PageAbout {
			return false
		}
	}
	return true
}

// dedupeCompanies keeps the first of each company by name and by website
// host, across pages.
func dedupeCompanies(in []firm.Company) []firm.Company {
	seenName, seenHost := map[string]bool{}, map[string]bool{}
	var out []firm.Company
	for _, c := range in {
		name := strings.ToLower(strings.Join(strings.Fields(c.Name), " "))
		host := ""
		if u, err := url.Parse(c.Website); err == nil && c.Website != "" {
			host = urlkey.Site(u.Hostname())
		}
		if name == "" || seenName[name] || host != "" && seenHost[host] {
			continue
		}
		seenName[name] = true
		if host != "" {
			seenHost[host] = true
		}
		out = append(out, c)
	}
	return out
}
