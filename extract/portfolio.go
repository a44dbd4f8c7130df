package extract

import (
	"net/url"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/urlkey"
)

// portfolioSlugs are the last path segments (extension removed) of a page
// that lists a firm's companies, with how strongly they say so.
var portfolioSlugs = map[string]int{
	"portfolio": 100, "our-portfolio": 100, "portfolio-companies": 100, "companies": 90,
	"our-companies": 95, "investments": 85, "our-investments": 85, "portfolio-company": 80,
}

// portfolioTexts rank a link's text.
var portfolioTexts = map[string]int{
	"portfolio": 100, "our portfolio": 100, "portfolio companies": 100, "companies": 90,
	"our companies": 95, "investments": 85, "our investments": 85,
}

func portfolioSlugScore(u *url.URL) int {
	last := lastSegment(u)
	if last == "" {
		return 0
	}
	return portfolioSlugs[last]
}

// lastSegment is the last path segment of u, lower case, with a page
// extension and underscores normalised; "" for the root or another file type.
func lastSegment(u *url.URL) string {
	p := strings.Trim(strings.ToLower(u.Path), "/")
	if p == "" {
		return ""
	}
	last := path.Base(p)
	if ext := path.Ext(last); ext != "" {
		switch ext {
		case ".php", ".html", ".htm", ".aspx", ".asp", ".jsp", ".shtml":
			last = strings.TrimSuffix(last, ext)
		default:
			return ""
		}
	}
	return strings.ReplaceAll(last, "_", "-")
}

// PortfolioLinks returns same-site links to pages that list portfolio
// companies (portfolio, companies, investments, by path or text), best first,
// at most max.
func PortfolioLinks(p *Page, site *url.URL, max int) []Link {
	if p == nil || site == nil || max <= 0 {
		return nil
	}
	type scored struct {
		Link
		order int
	}
	var found []scored
	seen := map[string]bool{}
	for i, l := range p.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !SameSite(u.Hostname(), site.Hostname()) {
			continue
		}
		score := max2(portfolioSlugScore(u), portfolioTexts[strings.Join(words(l.Text), " ")])
		if score == 0 {
			continue
		}
		key := urlkey.Page(u)
		if seen[key] {
			continue
		}
		seen[key] = true
		found = append(found, scored{Link: Link{URL: l.URL, Text: l.Text, Score: score, Rel: l.Rel}, order: i})
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Score > found[j].Score })
	if len(found) > max {
		found = found[:max]
	}
	out := make([]Link, len(found))
	for i, f := range found {
		out[i] = f.Link
	}
	return out
}

// portfolioPage reports a page whose whole content is a portfolio list.
func portfolioPage(u *url.URL, title string) bool {
	if portfolioSlugScore(u) > 0 {
		return true
	}
	t := words(title)
	return len(t) > 0 && len(t) <= 3 && portfolioHeading(title)
}

// portfolioHeading reports a heading that opens a list of companies, not
// of the people who run them.
func portfolioHeading(text string) bool {
	w := words(text)
	if len(w) == 0 || len(w) > 6 {
		return false
	}
	hit := false
	for _, x := range w {
		switch x {
		case "founders", "ceos", "team", "people", "news", "founder", "jobs", "careers":
			return false
		case "portfolio", "companies", "investments":
			hit = true
		}
	}
	return hit
}

// notCompanyHosts are sites a portfolio page links to that are not
// companies: social networks, app stores, the press, databases of startups.
var notCompanyHosts = []string{
	"linkedin.com", "twitter.com", "x.com", "facebook.com", "instagram.com", "youtube.com",
	"youtu.be", "medium.com", "github.com", "crunchbase.com", "angel.co", "wellfound.com",
	"apps.apple.com", "itunes.apple.com", "play.google.com", "google.com", "goo.gl",
	"t.co", "bit.ly", "vimeo.com", "tiktok.com", "substack.com", "wikipedia.org",
	"techcrunch.com", "bloomberg.com", "forbes.com", "wsj.com", "nytimes.com", "reuters.com",
	"businesswire.com", "prnewswire.com", "globenewswire.com", "pitchbook.com",
	"cdn-cgi", "wordpress.org", "squarespace.com", "wix.com", "webflow.io", "webflow.com",
}

func companyHost(host string) bool {
	host = urlkey.Site(host)
	if host == "" {
		return false
	}
	for _, h := range notCompanyHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return false
		}
	}
	return true
}

// genericLinkTexts are calls to action, never a company's name.
var genericLinkTexts = map[string]bool{
	"visit": true, "visit website": true, "visit site": true, "website": true, "site": true,
	"learn more": true, "read more": true, "more": true, "view": true, "view site": true,
	"link": true, "homepage": true, "go to website": true, "open": true, "details": true,
	"view company": true, "visit the website": true, "external link": true,
	"follow us": true, "follow": true, "share": true, "contact us": true,
}

// companyName cleans a candidate company name from alt text, a heading or
// link text; "" when nothing usable is left.
func companyName(s string) string {
	s = collapse(altNoise.ReplaceAllString(collapse(s), ""))
	l := strings.ToLower(s)
	for _, noise := range []string{" logo", "logo of ", "logo ", "-logo", "_logo"} {
		if i := strings.Index(l, noise); i >= 0 {
			s = collapse(s[:i] + " " + s[i+len(noise):])
			l = strings.ToLower(s)
		}
	}
	s = strings.Trim(s, " -–|·•:")
	l = strings.ToLower(s)
	switch {
	case s == "", l == "logo", genericLinkTexts[strings.Join(words(s), " ")], !strings.ContainsFunc(s, unicode.IsLetter):
		return ""
	case utf8.RuneCountInString(s) > 60, strings.ContainsAny(s, "/\\"), strings.HasSuffix(l, ".png"),
		strings.HasSuffix(l, ".jpg"), strings.HasSuffix(l, ".svg"), strings.HasSuffix(l, ".webp"):
		return ""
	}
	return s
}

// domainName guesses a company's name from its website when the page gives
// none (a logo without alt text): "https://www.kelpworks.io" gives "Kelpworks".
func domainName(host string) string {
	labels := strings.Split(urlkey.Site(host), ".")
	if len(labels) < 2 {
		return ""
	}
	i := len(labels) - 2
	// "acme.co.uk": skip the second-level registry label.
	if i > 0 && len(labels[i]) <= 3 && (labels[i] == "co" || labels[i] == "com" || labels[i] == "org" || labels[i] == "net" || labels[i] == "ac") {
		i--
	}
	name := labels[i]
	if name == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[size:]
}

// companyWebsite keeps scheme, host and path of an external link, dropping
// queries (mostly tracking) and fragments.
func companyWebsite(u *url.URL) string {
	out := url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host), Path: u.Path}
	if out.Path == "/" {
		out.Path = ""
	}
	return out.String()
}

// companies reads portfolio companies: from the whole page when it is a
// portfolio page, else from the sections under portfolio headings. A
// company is a linked logo or name pointing off the site, or one of a group
// of repeated cards named by a logo's alt text or a heading.
func companies(root *html.Node, base, pageURL *url.URL, wholePage bool) []firm.Company {
	var scopes [][]*html.Node
	if wholePage {
		scopes = [][]*html.Node{{root}}
	} else {
		scopes = portfolioSections(root)
	}
	if len(scopes) == 0 {
		return nil
	}
	c := &companyCollector{base: base, site: pageURL.Hostname(), source: pageURL.String(), seenName: map[string]bool{}, seenHost: map[string]bool{}, done: map[*html.Node]bool{}}
	for _, s := range scopes {
		c.cards(s, 0)
	}
	for _, s := range scopes {
		for _, n := range s {
			forEachElement(n, func(e *html.Node) {
				if e.Data == "a" && !c.inDone(e) {
					c.link(e)
				}
			})
		}
	}
	return c.out
}

type companyCollector struct {
	base     *url.URL
	site     string
	source   string
	out      []firm.Company
	seenName map[string]bool
	seenHost map[string]bool
	done     map[*html.Node]bool // cards already read
}

func (c *companyCollector) inDone(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if c.done[p] {
			return true
		}
	}
	return false
}

func (c *companyCollector) add(name, website string) {
	if len(c.out) >= maxCompanies {
		return
	}
	host := ""
	if website != "" {
		if u, err := url.Parse(website); err == nil {
			host = urlkey.Site(u.Hostname())
		}
	}
	if name == "" {
		name = domainName(host)
	}
	key := strings.Join(words(name), " ")
	if key == "" || c.seenName[key] || host != "" && c.seenHost[host] {
		return
	}
	c.seenName[key] = true
	if host != "" {
		c.seenHost[host] = true
	}
	c.out = append(c.out, firm.Company{Name: name, Website: website, SourceURL: c.source})
}

// external resolves an href to a company's website, "" when it stays on the
// firm's site or leads to a site that is not a company.
func (c *companyCollector) external(href string) string {
	abs := resolveHTTP(c.base, strings.TrimSpace(href))
	if abs == "" {
		return ""
	}
	u, err := url.Parse(abs)
	if err != nil || SameSite(u.Hostname(), c.site) || !companyHost(u.Hostname()) {
		return ""
	}
	return companyWebsite(u)
}

// companyPage reports a link to a company's own page on the firm's site,
// such as /portfolio/acme or /companies/acme/.
func (c *companyCollector) companyPage(href string) bool {
	abs := resolveHTTP(c.base, strings.TrimSpace(href))
	if abs == "" {
		return false
	}
	u, err := url.Parse(abs)
	if err != nil || !SameSite(u.Hostname(), c.site) {
		return false
	}
	segs := strings.FieldsFunc(strings.ToLower(u.Path), func(r rune) bool { return r == '/' })
	if len(segs) < 2 {
		return false
	}
	_, ok := portfolioSlugs[segs[len(segs)-2]]
	return ok
}

// link reads one link off the site as a company.
func (c *companyCollector) link(a *html.Node) {
	website := c.external(attr(a, "href"))
	if website == "" {
		return
	}
	name := ""
	forEachElement(a, func(n *html.Node) {
		if name == "" && n.Data == "img" {
			name = companyName(attr(n, "alt"))
		}
	})
	if name == "" {
		name = companyName(textOf(a))
	}
	if name == "" {
		name = companyName(attr(a, "title"))
	}
	if name == "" {
		name = companyName(attr(a, "aria-label"))
	}
	c.add(name, website)
}

// cards finds groups of three or more repeated siblings among nodes and
// below them, and reads each as a company card: named by a logo's alt text,
// else a heading or bold text, else a link's text, with the first link off
// the site as its website.
func (c *companyCollector) cards(nodes []*html.Node, depth int) {
	if depth > maxWalkDepth || len(c.out) >= maxCompanies {
		return
	}
	groups := map[string][]*html.Node{}
	var sigs []string
	for _, ch := range nodes {
		sig := signature(ch)
		if _, ok := groups[sig]; !ok {
			sigs = append(sigs, sig)
		}
		groups[sig] = append(groups[sig], ch)
	}
	for _, sig := range sigs {
		g := groups[sig]
		if len(g) < 3 {
			continue
		}
		type card struct {
			node          *html.Node
			name, website string
		}
		var read []card
		for _, el := range g {
			name, website := c.card(el)
			if name != "" || website != "" {
				read = append(read, card{el, name, website})
			}
		}
		if 2*len(read) < len(g) {
			continue
		}
		for _, r := range read {
			c.done[r.node] = true
			c.add(r.name, r.website)
		}
	}
	for _, n := range nodes {
		if c.done[n] {
			continue
		}
		var kids []*html.Node
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type == html.ElementNode {
				kids = append(kids, ch)
			}
		}
		if len(kids) > 0 {
			c.cards(kids, depth+1)
		}
	}
}

// card reads one company card: its name from a heading, else a logo's alt
// text, bold text or its link's text; its website from its first link off
// the site.
func (c *companyCollector) card(el *html.Node) (name, website string) {
	if !shortText(el, 400) {
		return "", ""
	}
	var alt, heading, strong, linkText string
	person, social := false, false
	forEachElement(el, func(n *html.Node) {
		if !person && onlyInlineChildren(n) && shortText(n, 100) && hasRoleWord(textOf(n)) && !isBio(textOf(n)) {
			person = true
		}
		switch {
		case n.Data == "img" && alt == "" && !strings.Contains(strings.ToLower(attr(n, "alt")), "photo"):
			alt = companyName(attr(n, "alt"))
		case headingLevel(n) > 0 && heading == "":
			heading = companyName(textOf(n))
		case (n.Data == "strong" || n.Data == "b") && strong == "":
			strong = companyName(textOf(n))
		case n.Data == "a":
			if u, err := url.Parse(resolveHTTP(c.base, attr(n, "href"))); err == nil && u.Host != "" && !SameSite(u.Hostname(), c.site) && !companyHost(u.Hostname()) {
				social = true
			}
			if website == "" {
				if w := c.external(attr(n, "href")); w != "" {
					website = w
					linkText = companyName(textOf(n))
				} else if linkText == "" && c.companyPage(attr(n, "href")) {
					// A company's page on the firm's own site names it.
					linkText = companyName(textOf(n))
				}
			}
		}
	})
	if website == "" && social {
		// A "follow us" button among the logos.
		return "", ""
	}
	// A card that holds a person with a title (a founder) may be headed by
	// their name; its company is then named by the logo or the link.
	for _, s := range []string{heading, alt, strong, linkText} {
		if s != "" && !(person && nameLike(s)) {
			return s, website
		}
	}
	if website == "" {
		// Nothing but a person's name and no site: not a company card.
		return "", ""
	}
	return "", website
}

// portfolioSections returns the content under each portfolio heading: the
// heading's following siblings up to the next heading of its level, or, for
// a heading alone in its wrappers, the outermost wrapper's following
// siblings.
func portfolioSections(root *html.Node) [][]*html.Node {
	var out [][]*html.Node
	forEachElement(root, func(n *html.Node) {
		level := headingLevel(n)
		if level == 0 || level > 4 || !shortText(n, 80) || !portfolioHeading(textOf(n)) {
			return
		}
		// A heading alone in its wrappers (a page builder's text module)
		// is followed by its content at the level of the outermost of them.
		start := n
		for up := 0; up < 4 && nextElement(start) == nil && start.Parent != nil && start.Parent.Type == html.ElementNode; up++ {
			start = start.Parent
		}
		var region []*html.Node
		for s := start.NextSibling; s != nil; s = s.NextSibling {
			if l := headingLevel(s); l > 0 && l <= level {
				break
			}
			if s.Type == html.ElementNode {
				region = append(region, s)
			}
		}
		if len(region) > 0 {
			out = append(out, region)
		}
	})
	return out
}

func nextElement(n *html.Node) *html.Node {
	for s := n.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode {
			return s
		}
	}
	return nil
}
