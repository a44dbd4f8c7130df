package extract

import (
	"net/url"
	"path"
	"sort"
	"strings"

	"golang.org/x/net/html"

	"github.com/vcenrich/vcenrich/internal/urlkey"
)

// collectLinks gathers every http(s) link and mailto/Cloudflare address on
// the page, bounded by maxLinks and maxEmails.
func collectLinks(root *html.Node, base *url.URL) ([]Link, []string) {
	var links []Link
	var emails []string
	seenLink := map[string]int{}
	seenEmail := map[string]bool{}
	addEmail := func(e string) {
		if e != "" && !seenEmail[e] && len(emails) < maxEmails {
			seenEmail[e] = true
			emails = append(emails, e)
		}
	}
	forEachElement(root, func(n *html.Node) {
		for _, e := range elementEmails(n) {
			addEmail(e)
		}
		rel := strings.ToLower(collapse(attr(n, "rel")))
		switch n.Data {
		case "a", "area":
		case "link":
			// <link rel="next"> in the head is how many CMSs mark pagination.
			if !strings.Contains(" "+rel+" ", " next ") {
				return
			}
		default:
			return
		}
		href := strings.TrimSpace(attr(n, "href"))
		if href == "" || strings.Contains(href, cfPath) {
			return
		}
		abs := resolveHTTP(base, href)
		if abs == "" {
			return
		}
		if i, ok := seenLink[abs]; ok {
			if links[i].Text == "" {
				links[i].Text = linkText(n)
			}
			if links[i].Rel == "" {
				links[i].Rel = rel
			}
			return
		}
		if len(links) >= maxLinks {
			return
		}
		seenLink[abs] = len(links)
		links = append(links, Link{URL: abs, Text: linkText(n), Rel: rel})
	})
	return links, emails
}

// resolveHTTP resolves href against base and keeps it only if it is an
// absolute http(s) URL; the fragment is dropped since it names a place on
// the same page.
func resolveHTTP(base *url.URL, href string) string {
	ref, err := url.Parse(href)
	if err != nil {
		return ""
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

func linkText(n *html.Node) string {
	t := collapse(textOf(n))
	if t == "" {
		t = collapse(attr(n, "aria-label"))
	}
	if t == "" {
		t = collapse(attr(n, "title"))
	}
	if t == "" {
		forEachElement(n, func(c *html.Node) {
			if t == "" && c.Data == "img" {
				t = collapse(attr(c, "alt"))
			}
		})
	}
	return truncateRunes(t, 200)
}

// teamSlugScores rank the last path segment (extension removed) of a link.
// Team and people pages list everyone; about pages often list only founders.
var teamSlugScores = map[string]int{
	"team": 100, "our-team": 100, "the-team": 100, "meet-the-team": 100, "ourteam": 100,
	"meet-our-team": 100, "teams": 95, "people": 95, "our-people": 95, "investment-team": 95,
	"partners": 85, "our-partners": 85, "leadership": 80, "leadership-team": 80,
	"management": 75, "who-we-are": 60, "whoweare": 60, "about-us": 40, "about": 40,
	"aboutus": 40, "our-firm": 35, "firm": 35, "the-firm": 35,
	"principals": 85, "our-principals": 85, "members": 80, "our-members": 80,
	"executive-committee": 60, "time": 70, "nosso-time": 90,
}

// teamTextScores rank a link's text.
var teamTextScores = map[string]int{
	"team": 100, "our team": 100, "the team": 100, "meet the team": 100, "meet our team": 100,
	"people": 95, "our people": 95, "investment team": 95, "partners": 85, "our partners": 85,
	"the partners": 85, "leadership": 80, "leadership team": 80, "management": 75,
	"who we are": 60, "about": 40, "about us": 40, "our firm": 35, "the firm": 35, "firm": 35,
	"principals": 85, "our principals": 85, "the principals": 85, "members": 80, "our members": 80,
	"executive committee": 60, "time": 70, "nosso time": 90, "o time": 90,
}

// notTeamWords mark links that mention the team but lead elsewhere.
var notTeamWords = []string{"join", "career", "job", "hiring", "portfolio", "login", "news", "blog"}

func teamSlugScore(u *url.URL) int {
	p := strings.Trim(strings.ToLower(u.Path), "/")
	if p == "" {
		return 0
	}
	if s := segmentScore(path.Base(p)); s > 0 {
		return s
	}
	// A page under a team folder (/who-we-are/korea, /team/berlin) is
	// likely a part of the team, less surely than the folder itself; one
	// named like a person (/team/jane-doe) is that person's profile.
	last := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if strings.ContainsAny(last, "-_") {
		return 0
	}
	segs := strings.Split(path.Dir(p), "/")
	for i := len(segs) - 1; i >= 0 && i >= len(segs)-3; i-- {
		if s := segmentScore(segs[i]); s >= 60 {
			return s - 20
		}
	}
	return 0
}

// segmentScore scores one path segment as a team page's name.
func segmentScore(last string) int {
	if last == "" || last == "." {
		return 0
	}
	if ext := path.Ext(last); ext != "" {
		if !pageExt[ext] {
			return 0
		}
		last = strings.TrimSuffix(last, ext)
	}
	last = strings.ReplaceAll(last, "_", "-")
	if s, ok := teamSlugScores[last]; ok {
		return s
	}
	if strings.Contains(last, "team") {
		return 90
	}
	if d, err := url.PathUnescape(last); err == nil {
		last = d
	}
	return foreignTeamScore(strings.ReplaceAll(last, "-", " "))
}

// foreignTeamScore scores a link's text or slug in another language: a team
// page as "team", an about page as "about".
func foreignTeamScore(text string) int {
	if hasCJK(text) {
		if len([]rune(text)) <= 12 && containsAny(text, cjkTeamMarkers) {
			return 90
		}
		return 0
	}
	w := words(foldAccents(text))
	if len(w) == 0 || len(w) > 4 {
		return 0
	}
	for _, x := range w {
		if foreignTeamWords[x] {
			return 90
		}
	}
	joined := strings.Join(w, " ")
	for _, a := range foreignAboutWords {
		if joined == a {
			return 40
		}
	}
	return 0
}

func teamTextScore(text string) int {
	t := strings.Join(words(text), " ")
	if s, ok := teamTextScores[t]; ok {
		return s
	}
	if len(strings.Fields(t)) <= 4 && strings.Contains(t, "team") {
		return 90
	}
	return foreignTeamScore(text)
}

// SameSite reports two host names of one site (urlkey.Site).
func SameSite(a, b string) bool {
	a, b = urlkey.Site(a), urlkey.Site(b)
	return a != "" && a == b
}

// notPageSlugs are the pages of a site that never list its team.
var notPageSlugs = []string{"contact", "privacy", "terms", "legal", "imprint", "impressum", "cookie", "faq",
	"press", "media", "event", "invest", "compan", "apply", "pitch", "submit", "search", "tag", "categor",
	"feed", "rss", "cart", "account", "signin", "signup", "register", "download", "insight", "podcast", "thesis",
	"datenschutz", "kontakt", "contacto", "contato", "aviso", "mentions"}

// NavLinks returns the same-site links of p that no team rule scored and
// that name no page known to lie elsewhere (contact, legal, news, portfolio,
// jobs), in page order, at most max: on a small site whose navigation says
// "Intro" or the firm's own word for its people, one of them may hold the
// team.
func NavLinks(p *Page, site *url.URL, max int) []Link {
	if p == nil || site == nil || max <= 0 {
		return nil
	}
	var out []Link
	seen := map[string]bool{}
	for _, l := range p.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !SameSite(u.Hostname(), site.Hostname()) || strings.Trim(u.Path, "/") == "" || u.RawQuery != "" {
			continue
		}
		low := strings.ToLower(u.Path + " " + l.Text)
		skip := teamSlugScore(u) > 0 || teamTextScore(l.Text) > 0 || strings.Count(strings.Trim(u.Path, "/"), "/") > 2 ||
			len(strings.Fields(l.Text)) > 4 || l.Text == ""
		for _, w := range append(notTeamWords, notPageSlugs...) {
			skip = skip || strings.Contains(low, w)
		}
		// Advisors, boards and alumni have pages like the team's.
		slug := strings.NewReplacer("-", " ", "_", " ", "/", " ").Replace(strings.TrimSuffix(u.Path, path.Ext(u.Path)))
		if k, _ := classifySection(l.Text); k == sectionOther {
			skip = true
		}
		if k, _ := classifySection(slug); k == sectionOther {
			skip = true
		}
		if ext := path.Ext(u.Path); ext != "" && !pageExt[ext] {
			skip = true
		}
		key := urlkey.Page(u)
		if skip || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Link{URL: l.URL, Text: l.Text})
		if len(out) == max {
			break
		}
	}
	return out
}

// pageExt are the extensions of pages a server renders.
var pageExt = map[string]bool{".php": true, ".html": true, ".htm": true, ".aspx": true, ".asp": true, ".jsp": true, ".shtml": true}

// TeamLinks returns same-site links (host equal ignoring a leading "www.")
// that look like team/people/about pages, scored by link text and path
// (team, our-team, people, leadership, partners, who-we-are, about, about-us,
// including .php/.html variants; team/people/partners score above about),
// best first, at most max. A link matching on both text and path scores a
// little higher; among equal scores shallower paths come first, then page
// order.
func TeamLinks(p *Page, site *url.URL, max int) []Link {
	if p == nil || site == nil || max <= 0 {
		return nil
	}
	type scored struct {
		Link
		depth, order int
	}
	var found []scored
	seen := map[string]bool{}
	for i, l := range p.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !SameSite(u.Hostname(), site.Hostname()) {
			continue
		}
		lowURL, lowText := strings.ToLower(u.Path), strings.ToLower(l.Text)
		skip := false
		for _, w := range notTeamWords {
			if strings.Contains(lowURL, w) || strings.Contains(lowText, w) {
				skip = true
				break
			}
		}
		if skip {
			continue
		}
		ps, ts := teamSlugScore(u), teamTextScore(l.Text)
		score := max2(ps, ts)
		if score == 0 {
			continue
		}
		if ps > 0 && ts > 0 {
			score += 5
		}
		key := urlkey.Page(u)
		if seen[key] {
			continue
		}
		seen[key] = true
		depth := strings.Count(strings.Trim(u.Path, "/"), "/")
		found = append(found, scored{Link: Link{URL: l.URL, Text: l.Text, Score: score}, depth: depth, order: i})
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		return a.order < b.order
	})
	if len(found) > max {
		found = found[:max]
	}
	out := make([]Link, len(found))
	for i, f := range found {
		out[i] = f.Link
	}
	return out
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// fallbackPaths are tried in this order, most common first.
var fallbackPaths = []string{
	"/team", "/our-team", "/people", "/about", "/about-us", "/leadership", "/partners",
	"/who-we-are", "/about/team", "/team.html", "/about-us.php", "/about.html",
	"/team.php", "/about-us.html", "/our-people", "/company/team",
}

// FallbackPaths are common team page paths to try when TeamLinks finds
// nothing: /team, /our-team, /people, /about, /about-us, /about-us.php,
// /team.html, ... The slice is a fresh copy each call.
func FallbackPaths() []string {
	return append([]string(nil), fallbackPaths...)
}

// extBases are the team and about pages tried first with a site's own page
// extension.
var extBases = []string{"/team", "/about-us", "/about", "/our-team", "/people", "/leadership"}

// FallbackPathsFor is FallbackPaths for a site whose pages end in ext
// (".php", ".html", ...; see PageExtension): the team and about pages with
// that extension come first, then the rest.
func FallbackPathsFor(ext string) []string {
	if ext == "" {
		return FallbackPaths()
	}
	out := make([]string, 0, len(extBases)+len(fallbackPaths))
	seen := map[string]bool{}
	for _, b := range extBases {
		out = append(out, b+ext)
		seen[b+ext] = true
	}
	for _, p := range fallbackPaths {
		if !seen[p] {
			out = append(out, p)
		}
	}
	return out
}

// PageExtension is the file extension most of a page's same-site links end
// in (".php", ".html", ".htm", ".asp", ".aspx"), or "" when most have none:
// old sites name every page alike.
func PageExtension(p *Page, site *url.URL) string {
	if p == nil || site == nil {
		return ""
	}
	counts := map[string]int{}
	total := 0
	for _, l := range p.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !SameSite(u.Hostname(), site.Hostname()) || strings.Trim(u.Path, "/") == "" {
			continue
		}
		total++
		switch ext := strings.ToLower(path.Ext(u.Path)); ext {
		case ".php", ".html", ".htm", ".asp", ".aspx":
			counts[ext]++
		}
	}
	best, n := "", 0
	for ext, c := range counts {
		if c > n || c == n && ext < best {
			best, n = ext, c
		}
	}
	if 2*n <= total {
		return ""
	}
	return best
}
