// Package firm holds the domain types every other package shares: a firm as
// read from an upload, and what enrichment found about it.
package firm

import "time"

// Input is one firm from an uploaded spreadsheet. Values keeps every input
// column, in the order of the upload's headers, so the output can carry it.
type Input struct {
	Index       int      `json:"index"` // 0-based position among accepted firms
	Row         int      `json:"row"`   // 1-based row number in the source sheet
	Name        string   `json:"name"`
	Website     string   `json:"website"` // normalised absolute URL
	Description string   `json:"description,omitempty"`
	Values      []string `json:"values"`
	// WebsiteSource says where Website came from when the website column
	// did not give it ("the email address in column Contact (jane@acme.com)").
	WebsiteSource string `json:"website_source,omitempty"`
	// LinkedIn is the firm's LinkedIn company page when the list gave it in
	// place of a website.
	LinkedIn string `json:"linkedin,omitempty"`
}

// Status of a firm after enrichment.
type Status string

const (
	StatusOK      Status = "ok"
	StatusFailed  Status = "failed"
	StatusPending Status = "not processed" // the job ended (cancelled) before this firm ran
)

// Decision-maker tiers of a member, from their title. TierOther covers
// everything else, an unknown title included.
const (
	TierOther = 0
	Tier1     = 1 // managing, general or founding partner, partner, managing director, CIO, the firm's CEO, founder, president
	Tier2     = 2 // principal, vice president, director, senior associate, venture or operating partner
	Tier3     = 3 // associate, analyst
)

// Member is one person found on a firm's website.
type Member struct {
	Name       string  `json:"name"`
	Title      string  `json:"title,omitempty"`
	Tier       int     `json:"tier,omitempty"` // Tier1..Tier3, TierOther (0) otherwise
	LinkedIn   string  `json:"linkedin,omitempty"`
	Email      string  `json:"email,omitempty"`
	ProfileURL string  `json:"profile_url,omitempty"` // the person's own page on the firm's site
	SourceURL  string  `json:"source_url,omitempty"`
	Confidence float64 `json:"confidence,omitempty"` // 0–1, from the signals that found the person
	Rule       string  `json:"rule,omitempty"`       // how the person was found (RuleCard, RuleJSONLD, …)
	// EmailSource says where Email came from: EmailFromPage (shown on the
	// site, on SourceURL's page) or EmailFromPattern (inferred from the
	// site's other addresses by EmailPattern, which EmailSupport of them
	// follow; never verified).
	EmailSource  string `json:"email_source,omitempty"`
	EmailPattern string `json:"email_pattern,omitempty"`
	EmailSupport int    `json:"email_support,omitempty"`
}

// Where a member's email address came from.
const (
	EmailFromPage    = "page"
	EmailFromPattern = "pattern"
)

// Rules that find people, recorded on each member so that a person
// debugging a site sees why someone was taken for the team.
const (
	RuleJSONLD    = "json-ld"       // schema.org Person in JSON-LD
	RuleMicrodata = "microdata"     // schema.org Person in microdata
	RuleEmbedded  = "embedded-data" // a person object in the page's data scripts (Next.js, Nuxt, …)
	RuleCard      = "card"          // one of a group of repeated cards, named in text
	RuleHeading   = "heading"       // a heading or bold name with a title, or a "Name – Title" line
	RulePhotoAlt  = "photo-alt"     // a card named only by its photo's alt text
	RuleLLM       = "llm"           // the optional LLM extractor
)

// PageVisit is one page fetched for a firm: what the engine took it for
// and what it gave.
type PageVisit struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"` // HTTP status; 0 when no answer came
	Kind   string `json:"kind"`             // PageHome, PageTeam, …
	People int    `json:"people"`           // team members it yielded
	Note   string `json:"note,omitempty"`   // why it was not read, or what it was
	// Render, for a page run in the browser because its content is built
	// by script, is what that took; nil for a page read as fetched.
	Render *RenderVisit `json:"render,omitempty"`
}

// RenderVisit is what rendering one page in the browser took: every
// request the page made went through the crawler's fetcher.
type RenderVisit struct {
	Requests int `json:"requests"` // asked for by the page and fetched for it
	Refused  int `json:"refused"`  // refused by the guard, robots.txt, a cap or the request budget
	Skipped  int `json:"skipped"`  // images, fonts and media, never fetched
	Millis   int `json:"ms"`       // wall time of the render
}

// What a page was fetched as.
const (
	PageHome      = "home"
	PageTeam      = "team"    // a candidate team page (team, people, partners, leadership…)
	PageAbout     = "about"   // an about page, tried for the team
	PageGuess     = "guess"   // a common team path tried when nothing links one
	PageNav       = "nav"     // a link of the home page's navigation, tried when no link names the team
	PageNext      = "next"    // a further page of a paginated team list
	PageProfile   = "profile" // a person's own page
	PagePortfolio = "portfolio"
	PageContact   = "contact"
	PageSitemap   = "sitemap"
	PageRendered  = "rendered" // a script-built page run in the browser (home or team page)
)

// Why a firm whose website was read has no team, in a few fixed words.
const (
	TeamNoPage = "no team page found"
	TeamNobody = "team page without recognisable people"
	TeamJSOnly = "JavaScript-only"
	// TeamJSOnlyNoBrowser: the page needs JavaScript and no browser was
	// there to run it (VCENRICH_BROWSER off, or no Chromium found).
	TeamJSOnlyNoBrowser = "JavaScript-only, no browser to render it"
	TeamRobots          = "blocked by robots.txt"
	TeamGuard           = "refused by the guard"
	TeamFetchFailed     = "fetch failed"
	TeamNotAFirm        = "not a firm's website"
)

// Company is one portfolio company listed on a firm's website.
type Company struct {
	Name      string `json:"name"`
	Website   string `json:"website,omitempty"`
	SourceURL string `json:"source_url,omitempty"`
}

// Profile is what a firm's website says about the firm itself.
type Profile struct {
	ContactEmail string   `json:"contact_email,omitempty"`
	LinkedIn     string   `json:"linkedin,omitempty"` // the firm's company page
	Twitter      string   `json:"twitter,omitempty"`  // X/Twitter profile
	Location     string   `json:"location,omitempty"` // as stated on the site
	InvestorType string   `json:"investor_type,omitempty"`
	Stages       []string `json:"stages,omitempty"`
	Sectors      []string `json:"sectors,omitempty"`
}

// WebsiteStatus says what state a firm's website was found in.
type WebsiteStatus string

const (
	WebsiteOK              WebsiteStatus = "ok"
	WebsiteRedirected      WebsiteStatus = "redirected"        // the homepage moved to another host
	WebsiteDead            WebsiteStatus = "dead"              // the homepage could not be fetched
	WebsiteBlockedByRobots WebsiteStatus = "blocked_by_robots" // robots.txt shuts us out
	WebsiteBlockedByGuard  WebsiteStatus = "blocked_by_guard"  // the site leads to an address we never fetch
	WebsiteNotAFirm        WebsiteStatus = "not_a_firm"        // a parked or for-sale domain, or nothing about investing
	WebsiteJSOnly          WebsiteStatus = "js_only"           // the content needs JavaScript, so nothing could be read
)

// Result is everything enrichment recorded for one firm. It is stored whole in
// the result store; the workflow only ever sees a Summary of it.
type Result struct {
	Index       int      `json:"index"`
	Run         string   `json:"run,omitempty"` // the job run that wrote it
	Status      Status   `json:"status"`
	Error       string   `json:"error,omitempty"`  // a sentence a person understands
	Reason      string   `json:"reason,omitempty"` // a short machine-readable failure class
	Attempt     int      `json:"attempt,omitempty"`
	FinalURL    string   `json:"final_url,omitempty"`
	TeamPageURL string   `json:"team_page_url,omitempty"`
	Description string   `json:"description,omitempty"`
	Pages       int      `json:"pages,omitempty"`    // pages fetched
	Rendered    int      `json:"rendered,omitempty"` // of those, pages run in the browser
	Team        []Member `json:"team,omitempty"`

	Website     WebsiteStatus  `json:"website_status,omitempty"`
	WebsiteNote string         `json:"website_note,omitempty"` // a sentence saying why, when the status is not plain ok
	Portfolio   []Company      `json:"portfolio,omitempty"`
	Profile     Profile        `json:"profile"`
	Refusals    map[string]int `json:"refusals,omitempty"` // pages not fetched, by reason (blocked_by_robots, blocked_by_guard)
	LLM         string         `json:"llm,omitempty"`      // what the optional LLM extractor did, in a few words of ours
	// TeamReason says why Team is empty (TeamNoPage, TeamNobody, …); ""
	// when a team was found. TeamPageURL then names the best candidate.
	TeamReason string      `json:"team_reason,omitempty"`
	Visited    []PageVisit `json:"visited,omitempty"` // every page fetched, in order
	// Finished is when the result was recorded (the result store stamps
	// it); zero in results recorded before it was kept.
	Finished time.Time `json:"finished,omitzero"`
}

// SiteStatus is the website status, derived from the failure reason for a
// firm that failed before the engine could say (a failed homepage).
func (r Result) SiteStatus() WebsiteStatus {
	if r.Website != "" {
		return r.Website
	}
	if r.Status != StatusFailed {
		return ""
	}
	return WebsiteStatusForReason(r.Reason)
}

// WebsiteStatusForReason maps a homepage failure class (the crawl package's
// kinds) to a website status. Reasons that are ours rather than the site's
// (the result store, an internal error) map to "".
func WebsiteStatusForReason(reason string) WebsiteStatus {
	switch reason {
	case string(WebsiteBlockedByRobots):
		return WebsiteBlockedByRobots
	case string(WebsiteBlockedByGuard):
		return WebsiteBlockedByGuard
	case "dns", "connect", "tls", "timeout", "http_status", "redirects", "not_html", "rate_limited", "bad_url":
		return WebsiteDead
	}
	return ""
}

// Summary is the small record of a firm's outcome that travels through
// workflow history.
type Summary struct {
	Index     int    `json:"index"`
	Status    Status `json:"status"`
	Reason    string `json:"reason,omitempty"`
	TeamCount int    `json:"team_count"`
}

// Summarise reduces a result to what the workflow needs.
func (r Result) Summarise() Summary {
	return Summary{Index: r.Index, Status: r.Status, Reason: r.Reason, TeamCount: len(r.Team)}
}
