// Package extract analyses one fetched HTML page without touching the
// network: the people it lists (team members and, separately, advisors,
// board members, portfolio founders and the like), the links to follow when
// looking for a team page, contact addresses and the firm's description.
//
// Extraction is heuristic. Signals are used strongest first: schema.org
// Person data (JSON-LD, microdata), then repeated sibling "cards" that each
// hold one name, then headings or bold names followed by a title and "Name –
// Title" lines. Results from all of them are merged per page.
package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/utf8body"
)

// Bounds that keep one hostile or enormous page from costing unbounded time
// and memory downstream.
const (
	maxHTMLBytes        = 5 << 20
	maxMembers          = 500
	maxCandidates       = 4 * maxMembers
	maxLinks            = 2000
	maxEmails           = 200
	maxDescriptionRunes = 1000
	minDescriptionRunes = 60
	jsOnlyTextBytes     = 200
	maxTextBytes        = 32 << 10
	maxCompanies        = 500
)

// Link is an absolute http(s) URL found on a page with its visible text.
// Score is 0 from Parse and set by TeamLinks and PortfolioLinks.
type Link struct {
	URL, Text string
	Score     int
	Rel       string // the rel attribute, lower case ("next" marks pagination)
}

// Page is what Parse found on one page.
type Page struct {
	URL         string
	Title       string
	Description string        // meta description, else og:description, else first substantial <p> (>= 60 chars, not cookie/legal boilerplate)
	Members     []firm.Member // team members only (see sections), SourceURL = page URL
	Others      []firm.Member // people found in non-team sections (advisors, board, venture partners, portfolio founders, operators); Title prefixed/kept and a role recorded as Title when none, e.g. "Advisor"
	Links       []Link        // every <a href> resolved to an absolute http(s) URL, fragment dropped, deduplicated, with its text (Score 0 here)
	Emails      []string      // mailto addresses on the page (decoded), deduplicated
	JSOnly      bool          // body has almost no text but scripts / an app root: the page needs JavaScript

	Companies []firm.Company // portfolio companies: on a portfolio page, or under a portfolio heading elsewhere
	Text      string         // visible text of the content (navigation, banners and footers removed), at most 32 KB
	Location  string         // where the firm says it is (structured address, <address>, "based in ..."), as stated
	LinkedIn  string         // the firm's LinkedIn company page
	Twitter   string         // the firm's X/Twitter profile
	Parked    bool           // a parked or for-sale domain page, not a firm's site
}

// Parse analyses body, the HTML fetched from pageURL. It fails when pageURL
// is missing, the page is over 5 MB, or the markup nests deeper than the HTML
// parser allows; any other markup parses, as browsers render anything.
func Parse(body []byte, pageURL *url.URL) (*Page, error) {
	if pageURL == nil {
		return nil, fmt.Errorf("extract: page URL is required")
	}
	if len(body) > maxHTMLBytes {
		return nil, fmt.Errorf("extract: %s: page is %d bytes, over the %d byte limit", pageURL.Redacted(), len(body), maxHTMLBytes)
	}
	// Valid UTF-8 is left alone: the fetcher has decoded it already, and
	// left the page's <meta charset> in place, which would decode it twice.
	if !utf8.Valid(body) {
		body = utf8body.Decode(body, "")
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("extract: parse %s: %w", pageURL.Redacted(), err)
	}
	root := doc.Get(0)
	p := &Page{URL: pageURL.String()}
	base := baseURL(doc, pageURL)

	p.Title = pageTitle(doc)
	p.Description = metaDescription(doc)
	ld, org := jsonLD(root)
	embedded := append(embeddedPeople(root), frontMatter(body)...)
	embedded = append(embedded, templatePeople(body)...)
	p.Links, p.Emails = collectLinks(root, base)
	p.LinkedIn, p.Twitter = socialProfiles(p.Links, org.sameAs)
	jsOnly := needsJavaScript(doc)
	p.Location = org.location
	if p.Location == "" {
		p.Location = statedAddress(root)
	}
	footer := footerText(root)

	clean(root)
	if p.Description == "" {
		p.Description = paragraphDescription(root)
	}
	p.Text = visibleText(root, maxTextBytes)
	if p.Location == "" {
		p.Location = basedIn(p.Text)
	}
	if p.Location == "" {
		p.Location = basedIn(footer)
	}
	p.Parked = parked(p.Title + "\n" + p.Text)
	p.Members, p.Others = people(root, ld, embedded, base)
	for i := range p.Members {
		p.Members[i].SourceURL = p.URL
	}
	for i := range p.Others {
		p.Others[i].SourceURL = p.URL
	}
	p.Companies = companies(root, base, pageURL, portfolioPage(pageURL, p.Title))
	p.JSOnly = jsOnly && len(p.Members) == 0 && len(p.Others) == 0
	return p, nil
}

func baseURL(doc *goquery.Document, pageURL *url.URL) *url.URL {
	href, ok := doc.Find("base[href]").First().Attr("href")
	if !ok {
		return pageURL
	}
	ref, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return pageURL
	}
	u := pageURL.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return pageURL
	}
	return u
}

func pageTitle(doc *goquery.Document) string {
	t := collapse(doc.Find("head title").First().Text())
	if t == "" {
		t = collapse(doc.Find("title").First().Text())
	}
	if t == "" {
		t = metaContent(doc, "og:title")
	}
	return truncateRunes(t, 300)
}

// metaContent returns the content of the first <meta> whose name or property
// is key.
func metaContent(doc *goquery.Document, key string) string {
	var out string
	doc.Find("meta").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		name, _ := s.Attr("name")
		prop, _ := s.Attr("property")
		if strings.EqualFold(strings.TrimSpace(name), key) || strings.EqualFold(strings.TrimSpace(prop), key) {
			if c := collapse(s.AttrOr("content", "")); c != "" {
				out = c
				return false
			}
		}
		return true
	})
	return out
}

func metaDescription(doc *goquery.Document) string {
	d := metaContent(doc, "description")
	if d == "" {
		d = metaContent(doc, "og:description")
	}
	return truncateRunes(d, maxDescriptionRunes)
}

// paragraphDescription is the first paragraph long enough to describe the
// firm, skipping banners and legal text.
func paragraphDescription(root *html.Node) string {
	var out string
	forEachElement(root, func(n *html.Node) {
		if out != "" || n.Data != "p" {
			return
		}
		t := collapse(textOf(n))
		if utf8.RuneCountInString(t) >= minDescriptionRunes && !isBoilerplate(t) {
			out = truncateRunes(t, maxDescriptionRunes)
		}
	})
	return out
}

// appRootIDs are the mount points of single-page-app frameworks.
var appRootIDs = map[string]bool{
	"root": true, "app": true, "__next": true, "___gatsby": true, "__nuxt": true,
	"svelte": true, "q-app": true, "app-root": true,
}

// needsJavaScript reports a body with almost no text but scripts or an app
// mount point: the content arrives only after JavaScript runs.
func needsJavaScript(doc *goquery.Document) bool {
	body := doc.Find("body").First()
	if body.Length() == 0 {
		return false
	}
	size := 0
	appRoot := false
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxWalkDepth || size >= jsOnlyTextBytes {
			return
		}
		switch n.Type {
		case html.TextNode:
			size += len(strings.TrimSpace(n.Data))
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template", "svg":
				return
			}
			if appRootIDs[strings.ToLower(attr(n, "id"))] || hasAttr(n, "ng-app") || hasAttr(n, "ng-version") || hasAttr(n, "data-reactroot") {
				appRoot = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(body.Get(0), 0)
	if size >= jsOnlyTextBytes {
		return false
	}
	scripts := doc.Find("script").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return !strings.Contains(strings.ToLower(s.AttrOr("type", "")), "json")
	}).Length()
	return appRoot || scripts > 0
}

// chromeClasses mark site navigation, banners and footers built from divs.
var chromeClasses = map[string]bool{
	"site-header": true, "global-header": true, "navbar": true, "main-menu": true,
	"site-footer": true, "footer": true, "page-footer": true, "main-footer": true,
	"global-footer": true, "cookie-banner": true, "cookie-notice": true, "cookie-consent": true,
}

// cloneClasses mark carousel slides that repeat real ones.
var cloneClasses = map[string]bool{"slick-cloned": true, "swiper-slide-duplicate": true, "cloned": true}

// clean removes what never holds team content: scripts and styles, site
// navigation, banners and footers, and carousel clones.
func clean(root *html.Node) {
	var drop []*html.Node
	forEachElement(root, func(n *html.Node) {
		switch n.Data {
		case "nav":
			// A card's own row of social links is marked up as a <nav>
			// too; site navigation never links a person's profile.
			if !linksPersonalProfile(n) {
				drop = append(drop, n)
			}
			return
		case "script", "style", "noscript", "template", "svg", "iframe", "footer", "select", "button":
			drop = append(drop, n)
			return
		case "header":
			// The site banner goes; a <header> inside content (a card's, or
			// a page intro holding the section heading) stays.
			if !hasAncestor(n, "article", "section", "li", "main", "aside") && siteBanner(n) {
				drop = append(drop, n)
				return
			}
		}
		switch strings.ToLower(attr(n, "role")) {
		case "navigation", "contentinfo", "banner":
			drop = append(drop, n)
			return
		}
		for _, c := range classes(n) {
			if chromeClasses[c] || cloneClasses[c] || strings.HasSuffix(c, "--clone") {
				drop = append(drop, n)
				return
			}
		}
	})
	for _, n := range drop {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

// linksPersonalProfile reports an element holding a link to a person's
// LinkedIn profile.
func linksPersonalProfile(n *html.Node) bool {
	found := false
	forEachElement(n, func(c *html.Node) {
		if !found && c.Data == "a" && normaliseLinkedIn(attr(c, "href")) != "" {
			found = true
		}
	})
	return found
}

// siteBanner reports a page-level header that holds navigation rather than
// a page title: a <nav>, or a handful of links.
func siteBanner(n *html.Node) bool {
	links, nav := 0, false
	forEachElement(n, func(c *html.Node) {
		switch c.Data {
		case "a":
			links++
		case "nav":
			nav = true
		}
	})
	return nav || links >= 3
}

// people runs every extractor over the cleaned document and splits the
// result by section. ld holds the JSON-LD people, which have no place in the
// document and so count as members unless the page lists them elsewhere.
//
// embedded holds the people of the page's data scripts: they fill in what
// the markup leaves out of the people it shows (a LinkedIn URL kept for a
// modal), and they are the team when the markup shows nobody.
func people(root *html.Node, ld, embedded []firm.Member, base *url.URL) (members, others []firm.Member) {
	x := newExtractor(root, base)
	x.microdata()
	x.visit(root, 0)
	x.standalone()
	x.lineLists()
	x.nameLists()
	if len(x.found) == 0 && len(ld) == 0 && len(embedded) == 0 {
		x.prose()
	}
	dropSharedLinkedIn(x.found)
	dropOthersLinkedIn(x.found)
	members, others = assign(x.found, x.sections())
	members, others = splitAffiliates(members, others, base)
	otherKeys := map[string]bool{}
	for _, o := range others {
		otherKeys[nameKey(o.Name)] = true
	}
	for _, m := range ld {
		if otherKeys[nameKey(m.Name)] {
			others = append(others, m)
		} else {
			members = append(members, m)
		}
	}
	if len(members) == 0 && len(others) == 0 {
		for _, m := range embedded {
			m.Confidence = confidence(methodStructured, m)
			m.Rule = firm.RuleEmbedded
			if outsideRole(m.Title) != "" {
				others = append(others, m)
			} else {
				members = append(members, m)
			}
		}
	} else {
		fillFrom(members, embedded)
		fillFrom(others, embedded)
	}
	members = Merge(members)
	others = Merge(others)
	memberKeys := map[string]bool{}
	for _, m := range members {
		memberKeys[nameKey(m.Name)] = true
	}
	kept := others[:0]
	for _, o := range others {
		if !memberKeys[nameKey(o.Name)] {
			kept = append(kept, o)
		}
	}
	others = kept
	if len(members) > maxMembers {
		members = members[:maxMembers]
	}
	if len(others) > maxMembers {
		others = others[:maxMembers]
	}
	for i := range members {
		members[i].Tier = TierOf(members[i].Title)
	}
	for i := range others {
		others[i].Tier = TierOf(others[i].Title)
	}
	return members, others
}

// fillFrom completes people with the LinkedIn profile, email and title that
// another source gives the same name.
func fillFrom(people, from []firm.Member) {
	if len(from) == 0 {
		return
	}
	byKey := map[string]firm.Member{}
	for _, m := range from {
		byKey[nameKey(m.Name)] = m
	}
	for i := range people {
		e, ok := byKey[nameKey(people[i].Name)]
		if !ok {
			continue
		}
		if people[i].LinkedIn == "" {
			people[i].LinkedIn = e.LinkedIn
		}
		if people[i].Email == "" {
			people[i].Email = e.Email
		}
		if people[i].Title == "" {
			people[i].Title = e.Title
		}
	}
}

// dropOthersLinkedIn clears a LinkedIn URL whose address names another
// person of the page and not the one who carries it: a card that copied a
// colleague's link.
func dropOthersLinkedIn(found []candidate) {
	for i := range found {
		slug := linkedInSlug(found[i].m.LinkedIn)
		if slug == "" || slugNames(slug, found[i].m.Name) {
			continue
		}
		for j := range found {
			if j != i && nameKey(found[j].m.Name) != nameKey(found[i].m.Name) && slugNames(slug, found[j].m.Name) {
				found[i].m.LinkedIn = ""
				break
			}
		}
	}
}

// linkedInSlug is the folded name part of a /in/ profile address.
func linkedInSlug(li string) string {
	_, rest, ok := strings.Cut(li, "/in/")
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "/")
	return strings.Join(nameTokens(rest), "")
}

// slugNames reports whether slug carries the name's last name and its first
// name or initial.
func slugNames(slug, name string) bool {
	t := nameTokens(name)
	if len(t) < 2 {
		return false
	}
	first, last := t[0], t[len(t)-1]
	return len(last) > 2 && strings.Contains(slug, last) && strings.Contains(slug, first[:1])
}

// dropSharedLinkedIn clears a LinkedIn URL that several different people
// carry: a template bug (every card linking the firm's founder), not theirs.
func dropSharedLinkedIn(found []candidate) {
	names := map[string]map[string]bool{}
	for _, c := range found {
		if k := linkedInKey(c.m.LinkedIn); k != "" {
			if names[k] == nil {
				names[k] = map[string]bool{}
			}
			names[k][nameKey(c.m.Name)] = true
		}
	}
	for i := range found {
		if k := linkedInKey(found[i].m.LinkedIn); k != "" && len(names[k]) >= 3 {
			found[i].m.LinkedIn = ""
		}
	}
}
