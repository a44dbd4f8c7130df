package extract

import (
	"math"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/vcenrich/vcenrich/firm"
)

// Anchor ranks: how strongly an element's text is presented as a name. A card
// is named by its best-ranked anchor, so a company name in <b> does not
// compete with the person's name in <h3>.
const (
	rankNameClass = iota // class contains "name"
	rankHeading          // h1–h6
	rankStrong           // strong, b
	rankLeaf             // a short leaf block: p, td, li, a, span, div
	rankAlt              // image alt text, the last resort
	rankNone
)

// anchor is an element whose text is (or starts with) a person's name.
type anchor struct {
	node  *html.Node
	rank  int
	name  string
	key   string
	title string // from "Name – Title" or a second line inside the element
}

// summary describes the names inside a subtree at its best rank: count is the
// number of distinct names, capped at 2 since only 0, 1 and many matter.
type summary struct {
	rank  int
	key   string
	count int
}

func combine(a, b summary) summary {
	switch {
	case b.count == 0:
		return a
	case a.count == 0 || b.rank < a.rank:
		return b
	case a.rank < b.rank:
		return a
	}
	if a.key != b.key {
		a.count = 2
	}
	return a
}

// candidate is a person found somewhere in the document.
type candidate struct {
	m      firm.Member
	pos    int
	method method
}

// method is how a person was found; it sets the base of their confidence.
type method int

const (
	methodStructured method = iota // schema.org Person in JSON-LD or microdata
	methodCard                     // one of a group of repeated cards, named in text
	methodStandalone               // a heading or bold name with a title, or a "Name – Title" line
	methodAlt                      // a card named only by its photo's alt text
)

// methodBase is the confidence a method gives on its own; the evidence a
// record carries adds to it (see confidence).
var methodBase = map[method]float64{
	methodStructured: 0.8,
	methodCard:       0.6,
	methodStandalone: 0.5,
	methodAlt:        0.4,
}

// methodRules name the methods in results.
var methodRules = map[method]string{
	methodStructured: firm.RuleMicrodata,
	methodCard:       firm.RuleCard,
	methodStandalone: firm.RuleHeading,
	methodAlt:        firm.RulePhotoAlt,
}

// confidence combines how a person was found with what their record holds:
// a title adds 0.1, a LinkedIn profile or an email 0.1, a profile page of
// their own 0.05. Rounded to hundredths so that reports stay readable.
func confidence(how method, m firm.Member) float64 {
	c := methodBase[how]
	if m.Title != "" {
		c += 0.1
	}
	if m.LinkedIn != "" || m.Email != "" {
		c += 0.1
	}
	if m.ProfileURL != "" {
		c += 0.05
	}
	return math.Round(min(c, 1)*100) / 100
}

// extractor holds the per-page state of people extraction.
type extractor struct {
	root      *html.Node
	base      *url.URL
	lists     []lineList // blocks holding one "Name – Title" per line
	pos       map[*html.Node]int
	anchors   map[*html.Node]*anchor
	order     []*anchor
	sum       map[*html.Node]summary
	cardNodes map[*html.Node]bool
	found     []candidate
	ids       map[string]*html.Node // elements by id, for tabs and modals a card opens
}

// notPersonClasses mark elements holding an organisation's name, which reads
// just like a person's ("Arbor Analytics").
var notPersonClasses = []string{"company", "firm", "brand", "logo", "startup", "organization", "organisation"}

// excludedNameClasses mark other "name" classes that do not hold a person's
// name; such elements may still be headings.
var excludedNameClasses = []string{"site", "user", "file", "fund", "portfolio", "product", "project", "event"}

var altNoise = regexp.MustCompile(`(?i)^(photo|picture|image|headshot|portrait|profile(?: photo| picture)?)\s+of\s+|\s*[-–,|]?\s*\b(headshot|portrait|photo|profile photo|profile picture|image)$`)

func newExtractor(root *html.Node, base *url.URL) *extractor {
	x := &extractor{
		root:      root,
		base:      base,
		pos:       map[*html.Node]int{},
		anchors:   map[*html.Node]*anchor{},
		sum:       map[*html.Node]summary{},
		cardNodes: map[*html.Node]bool{},
	}
	i := 0
	x.ids = map[string]*html.Node{}
	forEachElement(root, func(n *html.Node) {
		x.pos[n] = i
		i++
		if id := attr(n, "id"); id != "" {
			if _, dup := x.ids[id]; !dup {
				x.ids[id] = n
			}
		}
		if a := x.anchorFor(n); a != nil {
			x.anchors[n] = a
			x.order = append(x.order, a)
		}
	})
	x.summarise(root, 0)
	return x
}

// anchorFor decides whether n presents a name and how strongly.
func (x *extractor) anchorFor(n *html.Node) *anchor {
	a := x.nameAnchor(n)
	if a != nil && proseMention(n) {
		return nil
	}
	return a
}

func (x *extractor) nameAnchor(n *html.Node) *anchor {
	if hasAncestor(n, "blockquote") || inQuote(n) {
		// Quotes carry attributions ("— Jane Doe, CEO of Acme"), not the team.
		return nil
	}

	if n.Data == "img" {
		label := attr(n, "alt")
		if strings.TrimSpace(label) == "" {
			label = attr(n, "title")
		}
		alt := collapse(altNoise.ReplaceAllString(collapse(label), ""))
		if strings.Contains(strings.ToLower(attr(n, "alt")), "logo") {
			return nil
		}
		if nameLike(alt) {
			return &anchor{node: n, rank: rankAlt, name: alt, key: nameKey(alt)}
		}
		if name, title, ok := splitNameTitle(alt); ok {
			return &anchor{node: n, rank: rankAlt, name: name, key: nameKey(name), title: title}
		}
		return nil
	}
	if classContains(n, notPersonClasses...) {
		return nil
	}
	rank := rankNone
	switch {
	case classContains(n, "name") && !classContains(n, excludedNameClasses...):
		rank = rankNameClass
	case headingLevel(n) > 0:
		rank = rankHeading
	case n.Data == "strong" || n.Data == "b":
		rank = rankStrong
	case isElement(n, "p", "td", "th", "dt", "dd", "li", "a", "span", "div", "figcaption", "label", "em", "small", "cite") && onlyInlineChildren(n):
		rank = rankLeaf
	}
	if rank == rankNone || !shortText(n, 200) {
		return nil
	}
	ls := lines(n)
	if rank == rankLeaf && len(ls) >= 2 && x.lineList(n, ls) {
		return nil
	}
	if len(ls) == 0 || len(ls) > 4 {
		return nil
	}
	ls = joinSplitName(ls, n)
	if len(ls) > 3 {
		return nil
	}
	first := stripNickname(strings.TrimRight(ls[0].text, ",;:"))
	if rest, ok := strings.CutPrefix(first, "Meet "); ok && nameLike(rest) {
		first = rest // "Meet Jane Doe"
	}
	if nameLike(first) {
		a := &anchor{node: n, rank: rank, name: first, key: nameKey(first)}
		for _, l := range ls[1:] {
			if titleLike(l.text, first) {
				a.title = cleanTitle(l.text)
				break
			}
		}
		return a
	}
	if name, title, ok := splitNameTitle(stripNickname(ls[0].text)); ok {
		return &anchor{node: n, rank: rank, name: name, key: nameKey(name), title: title}
	}
	// "<h3>Jane Doe <small>Partner</small></h3>": the name is the element's
	// own text and the title sits in an inline child.
	if own := stripNickname(ownText(n)); nameLike(own) {
		a := &anchor{node: n, rank: rank, name: own, key: nameKey(own)}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && titleLike(textOf(c), own) {
				a.title = cleanTitle(textOf(c))
				break
			}
		}
		return a
	}
	return nil
}

// quoteClasses mark the boxes of quotations and testimonials, whose speaker
// is named like a team member.
var quoteClasses = []string{"quote", "testimonial", "statement", "speaker"}

func inQuote(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && classContains(p, quoteClasses...) {
			return true
		}
	}
	return false
}

// proseMention reports an inline element inside a paragraph of prose, not
// at its start: a name the text mentions ("named by <em>Business Week</em>"),
// not one it is about.
func proseMention(n *html.Node) bool {
	if breaksLine(n) {
		return false
	}
	block := n.Parent
	for block != nil && block.Type == html.ElementNode && !breaksLine(block) {
		block = block.Parent
	}
	if block == nil || block.Type != html.ElementNode || shortText(block, 150) {
		return false
	}
	own := collapse(textOf(n))
	return own != "" && !strings.HasPrefix(textPrefix(block, len(own)+64), own)
}

// textPrefix is the start of n's visible text, at least limit bytes of it
// when there are, reading no further than it needs.
func textPrefix(n *html.Node, limit int) string {
	var b strings.Builder
	var walk func(c *html.Node, depth int)
	walk = func(c *html.Node, depth int) {
		if b.Len() >= limit || depth > maxWalkDepth {
			return
		}
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
			return
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k, depth+1)
		}
	}
	walk(n, 0)
	return collapse(b.String())
}

// lineList is a block whose lines each give a person, as "Name – Title"
// lines separated by <br>.
type lineList struct {
	node   *html.Node
	people []firm.Member
}

// lineList records n when at least two of its lines, and most of them,
// read as "Name – Title".
func (x *extractor) lineList(n *html.Node, ls []line) bool {
	var people []firm.Member
	for _, l := range ls {
		if name, title, ok := splitNameTitle(stripNickname(l.text)); ok {
			people = append(people, firm.Member{Name: name, Title: title})
		}
	}
	if len(people) < 2 || 2*len(people) < len(ls) {
		return false
	}
	x.lists = append(x.lists, lineList{node: n, people: people})
	return true
}

// joinSplitName joins a first name set on a line of its own to the line
// after it ("Dany<br>Roizman", "Laurent Cudré<br>Mauroux, CEO"), as
// designs that stack first and last name do.
//
// A first line that is a name already is joined only when the card says
// the longer name too (a photo's alt or title), since "Jane Doe<br>Boston"
// is a name and a place.
func joinSplitName(ls []line, n *html.Node) []line {
	if len(ls) < 2 || hasCJK(ls[0].text) {
		return ls
	}
	first := strings.Fields(ls[0].text)
	if len(first) == 0 || len(first) > 3 {
		return ls
	}
	joined := ls[0].text + " " + ls[1].text
	name, title, _ := strings.Cut(joined, ",")
	name = strings.TrimSpace(name)
	if !nameLike(name) || strings.Count(name, " ") > 3 {
		return ls
	}
	if nameLike(ls[0].text) && !photoNames(n, nameKey(name)) {
		return ls
	}
	out := []line{{text: name, el: ls[0].el}}
	if t := strings.TrimSpace(title); t != "" {
		out = append(out, line{text: t, el: ls[1].el})
	}
	return append(out, ls[2:]...)
}

// photoNames reports whether an image near n (in its card) is labelled
// with the name whose key is key.
func photoNames(n *html.Node, key string) bool {
	card := n
	for i := 0; i < 2 && card.Parent != nil; i++ {
		card = card.Parent
	}
	return photoNamesIn(card, key)
}

// photoNamesIn reports whether an image in card is labelled with the name
// whose key is key.
func photoNamesIn(card *html.Node, key string) bool {
	found := false
	forEachElement(card, func(e *html.Node) {
		if !found && e.Data == "img" {
			for _, a := range []string{attr(e, "alt"), attr(e, "title")} {
				l, _, _ := strings.Cut(a, ",")
				if nameKey(strings.ReplaceAll(l, "-", " ")) == strings.ReplaceAll(key, "-", " ") {
					found = true
				}
			}
		}
	})
	return found
}

// ownText is the text of n's direct text children.
func ownText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	}
	return collapse(b.String())
}

var nickname = regexp.MustCompile(`\s*(“[^”]{1,20}”|"[^"]{1,20}"|‘[^’]{1,20}’|\([^)]{1,20}\))\s*`)

// stripNickname drops a quoted or bracketed nickname: Devendra “Dev” Patel.
func stripNickname(s string) string {
	if !strings.ContainsAny(s, "“\"‘(") {
		return s
	}
	return collapse(nickname.ReplaceAllString(s, " "))
}

func (x *extractor) summarise(n *html.Node, depth int) summary {
	s := summary{rank: rankNone}
	if depth > maxWalkDepth {
		return s
	}
	if a, ok := x.anchors[n]; ok {
		s = summary{rank: a.rank, key: a.key, count: 1}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			s = combine(s, x.summarise(c, depth+1))
		}
	}
	x.sum[n] = s
	return s
}

// unstableClass marks class tokens that differ between otherwise identical
// cards: per-element ids, grid sizes, animation and carousel state.
func unstableClass(c string) bool {
	for _, r := range c {
		if r >= '0' && r <= '9' {
			return true
		}
	}
	switch c {
	case "active", "current", "selected", "open", "visible", "hidden", "first", "last",
		"odd", "even", "wow", "animated", "show", "in", "aos-animate":
		return true
	}
	for _, p := range []string{"is-", "slick-", "swiper-slide-", "w--", "aos-", "fade", "animate", "elementor-element-"} {
		if strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// signature groups siblings that a template repeated: tag and first stable
// class (base classes come first; BEM modifiers and state come after).
func signature(n *html.Node) string {
	for _, c := range classes(n) {
		if !unstableClass(c) {
			return n.Data + "." + c
		}
	}
	return n.Data
}

// visit walks down from n looking for groups of repeated sibling cards that
// each hold exactly one name.
func (x *extractor) visit(n *html.Node, depth int) {
	if depth > maxWalkDepth || len(x.found) >= maxCandidates {
		return
	}
	var sigs []string
	groups := map[string][]*html.Node{}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		sig := signature(c)
		if _, ok := groups[sig]; !ok {
			sigs = append(sigs, sig)
		}
		groups[sig] = append(groups[sig], c)
	}
	cards := map[*html.Node]bool{}
	var cardGroups [][]*html.Node
	for _, sig := range sigs {
		g := groups[sig]
		if len(g) < 2 {
			continue
		}
		var named []*html.Node
		keys := map[string]bool{}
		for _, c := range g {
			if s := x.sum[c]; s.count == 1 {
				named = append(named, c)
				keys[s.key] = true
			}
		}
		// Two distinct names, and most of the group named: a grid of people,
		// not a name and its photo, nor prose that mentions two people.
		if len(named) >= 2 && len(keys) >= 2 && 2*len(named) >= len(g) {
			for _, c := range named {
				cards[c] = true
			}
			cardGroups = append(cardGroups, named)
		}
	}
	for _, g := range cardGroups {
		x.emitGroup(g, cards)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || cards[c] || x.cardNodes[c] {
			continue
		}
		if x.sum[c].count > 0 {
			x.visit(c, depth+1)
		}
	}
}

// emitGroup extracts a group of cards. A grid of names where hardly any card
// has a title, LinkedIn profile, email or profile link is more likely a grid
// of companies ("Arbor Analytics", "Tidal Freight") than of people, so at
// least a third of the cards must carry such evidence.
func (x *extractor) emitGroup(g []*html.Node, cards map[*html.Node]bool) {
	var got []candidate
	var evs []bool
	var idx []int
	evidence := 0
	for i, c := range g {
		m, how, ev, ok := x.emitCard(c, cards)
		if !ok {
			continue
		}
		if ev {
			evidence++
		}
		got = append(got, candidate{m: m, pos: x.pos[c], method: how})
		evs = append(evs, ev)
		idx = append(idx, i)
	}
	if evidence == 0 || 3*evidence < len(got) {
		return
	}
	// In a grid where a third of the cards or more show a title or a
	// profile, a card without one is a person all the same; a weakly named
	// card (a plain paragraph or alt text) with nothing else is kept only
	// when most of the grid has evidence.
	keepWeak := 3*evidence >= 2*len(got)
	// A weak card's own photo labelled with the name is evidence too.
	for i, c := range got {
		if !evs[i] && x.sum[g[idx[i]]].rank >= rankLeaf && !keepWeak && !photoNamesIn(g[idx[i]], nameKey(c.m.Name)) {
			continue
		}
		x.found = append(x.found, c)
	}
}

// emitCard extracts the person in card c. A card that holds only the name
// (an <h3> followed by a <p> title, flat div.name/div.title lists) extends
// over its following siblings up to the next card or heading.
func (x *extractor) emitCard(c *html.Node, cards map[*html.Node]bool) (firm.Member, method, bool, bool) {
	s := x.sum[c]
	var a *anchor
	forEachElement(c, func(n *html.Node) {
		if an, ok := x.anchors[n]; ok && a == nil && an.rank == s.rank && an.key == s.key {
			a = an
		}
	})
	if a == nil {
		return firm.Member{}, 0, false, false
	}
	how := methodCard
	if a.rank == rankAlt {
		how = methodAlt
	}
	if isUpper(a.name) {
		// Prefer "Marisol Vega" from the photo's alt over "MARISOL VEGA".
		forEachElement(c, func(n *html.Node) {
			if an, ok := x.anchors[n]; ok && an.key == a.key && !isUpper(an.name) && isUpper(a.name) {
				cp := *a
				cp.name = an.name
				a = &cp
			}
		})
	}
	nodes := []*html.Node{c}
	if ls := lines(c); len(ls) <= 1 && a.title == "" {
		stop := headingLevel(c)
		if stop == 0 {
			stop = 3
		}
		for sib, n := c.NextSibling, 0; sib != nil && n < 6; sib = sib.NextSibling {
			if sib.Type != html.ElementNode {
				continue
			}
			if cards[sib] || x.sum[sib].count > 0 || classContains(sib, "section-title", "section-heading") {
				break
			}
			if l := headingLevel(sib); l > 0 && l <= stop {
				break
			}
			nodes = append(nodes, sib)
			n++
		}
	}
	for _, n := range nodes {
		x.cardNodes[n] = true
	}
	m, ev := x.person(nodes, a)
	return m, how, ev, true
}

func isUpper(s string) bool {
	return strings.ToUpper(s) == s && strings.ToLower(s) != s
}

// person builds the member a card describes and reports whether anything
// besides the name says it is a person: a title, a LinkedIn profile, an email
// or a link to a profile page named after them. Weakly named cards (a plain
// paragraph or image alt) count only with such evidence, so that grids of
// company names are not taken for people.
func (x *extractor) person(nodes []*html.Node, a *anchor) (firm.Member, bool) {
	profile := false
	m := firm.Member{Name: a.name, Title: a.title}
	if m.Title == "" {
		m.Title = designatedTitle(nodes, a)
	}
	ls := lines(nodes...)
	if m.Title == "" {
		m.Title = titleFromLines(ls, a.name)
	}
	for _, n := range nodes {
		forEachElement(n, func(e *html.Node) {
			if e.Data == "a" {
				href := attr(e, "href")
				if m.LinkedIn == "" {
					m.LinkedIn = normaliseLinkedIn(href)
				}
				if profileLink(href, a.name) {
					profile = true
					if m.ProfileURL == "" && x.base != nil {
						m.ProfileURL = resolveHTTP(x.base, href)
					}
				}
			}
			if m.Email == "" {
				if es := elementEmails(e); len(es) > 0 {
					m.Email = es[0]
				}
			}
		})
	}
	if m.LinkedIn == "" {
		m.LinkedIn = x.openedProfile(nodes)
	}
	if m.Email == "" {
		for _, l := range ls {
			if e := firstTextEmail(l.text); e != "" {
				m.Email = e
				break
			}
		}
	}
	return m, profile || richness(m) > 0
}

// openedProfile is the LinkedIn profile in the tab panel or modal that a
// card opens (href="#id", aria-controls, data-target), when that panel links
// exactly one profile.
func (x *extractor) openedProfile(nodes []*html.Node) string {
	found := ""
	for _, n := range nodes {
		forEachElement(n, func(e *html.Node) {
			if found != "" {
				return
			}
			for _, ref := range []string{attr(e, "href"), attr(e, "data-target"), attr(e, "data-bs-target"), "#" + attr(e, "aria-controls")} {
				// Scripted tabs may name the panel without the '#'.
				id, hash := strings.CutPrefix(strings.TrimSpace(ref), "#")
				ok := hash || !strings.ContainsAny(id, "/.:?=")
				target := x.ids[id]
				if !ok || id == "" || target == nil || contains(target, e) || contains(n, target) || target == n {
					continue
				}
				profiles := map[string]bool{}
				forEachElement(target, func(a *html.Node) {
					if li := normaliseLinkedIn(attr(a, "href")); a.Data == "a" && li != "" {
						profiles[li] = true
					}
				})
				if len(profiles) == 1 {
					for li := range profiles {
						found = li
					}
					return
				}
			}
		})
	}
	return found
}

// peopleSegments name the folders that hold personal profile pages.
var peopleSegments = []string{"team", "people", "person", "partner", "staff", "bio", "leadership", "member", "advisor", "who"}

// profileLink reports whether href is a personal page named after name, like
// /team/jane-doe or /people/jane_doe.html.
func profileLink(href, name string) bool {
	u, err := url.Parse(href)
	if err != nil {
		return false
	}
	segs := strings.FieldsFunc(strings.ToLower(u.Path), func(r rune) bool { return r == '/' })
	if len(segs) < 2 {
		return false
	}
	folder := false
	for _, s := range segs[:len(segs)-1] {
		for _, p := range peopleSegments {
			if strings.Contains(s, p) {
				folder = true
			}
		}
	}
	if !folder {
		return false
	}
	slug := strings.Join(nameTokens(strings.TrimSuffix(segs[len(segs)-1], path.Ext(segs[len(segs)-1]))), "")
	t := nameTokens(name)
	return len(t) >= 2 && strings.Contains(slug, t[0]) && strings.Contains(slug, t[len(t)-1])
}

// designatedTitle looks for an element the site marked as the title.
func designatedTitle(nodes []*html.Node, a *anchor) string {
	title := ""
	for _, n := range nodes {
		forEachElement(n, func(e *html.Node) {
			if title != "" || e == a.node || contains(e, a.node) || contains(a.node, e) {
				return
			}
			if !classContains(e, "title", "role", "position", "designation", "job") || classContains(e, "section-title", "name") {
				return
			}
			t := cleanTitle(textOf(e))
			if t == "" || strings.EqualFold(t, a.name) || nameLike(t) {
				return
			}
			if titleLike(t, a.name) {
				title = t
			}
		})
	}
	return title
}

// eyebrowTitle reports a heading above a name that is the person's title
// rather than a section's: a title that names no section.
func eyebrowTitle(t, name string) bool {
	k, _ := classifySection(t)
	return k == sectionNeutral && titleLike(t, name)
}

// titleModifiers begin titles and mean nothing alone.
var titleModifiers = set("managing", "general", "founding", "senior", "junior", "vice", "executive", "chief",
	"deputy", "operating", "venture", "investment", "associate", "co", "assistant", "group", "regional")

func allModifiers(t string) bool {
	w := words(t)
	if len(w) == 0 || len(w) > 3 {
		return false
	}
	for _, x := range w {
		if !titleModifiers[x] {
			return false
		}
	}
	return true
}

// continues reports a line that ends where the next one goes on.
func continues(t string) bool {
	t = strings.TrimSpace(t)
	for _, j := range []string{"–", "—", " -", "&", ",", "/", " and", " of", " for", " y", " et", " und", " e"} {
		if strings.HasSuffix(t, j) {
			return true
		}
	}
	return false
}

// titleFromLines takes the first short line after the name that reads as a
// title, skipping department labels; failing that a short line just before
// the name (an eyebrow above it).
func titleFromLines(ls []line, name string) string {
	lname := strings.ToLower(name)
	idx := -1
	for i, l := range ls {
		if strings.Contains(strings.ToLower(l.text), lname) {
			idx = i
			break
		}
		// A name stacked over two lines ends on the second.
		if i+1 < len(ls) && strings.HasPrefix(strings.ToLower(l.text+" "+ls[i+1].text), lname) {
			idx = i + 1
			break
		}
	}
	for i := idx + 1; i < len(ls) && i <= idx+4; i++ {
		t := ls[i].text
		// A bio may open with the role: "Sócio-fundador, brasileiro, …".
		if lead, _, ok := strings.Cut(t, ","); ok && i == idx+1 && isBio(t) && utf8.RuneCountInString(lead) <= 40 && titleLike(lead, name) {
			return cleanTitle(lead)
		}
		if utf8.RuneCountInString(t) > 120 {
			break
		}
		if strings.EqualFold(t, name) {
			continue
		}
		// "Managing<br>Partner": a title's modifiers on a line of their own.
		if i+1 < len(ls) && !titleLike(t, name) && allModifiers(t) && titleLike(t+" "+ls[i+1].text, name) {
			return cleanTitle(t + " " + ls[i+1].text)
		}
		if titleLike(t, name) {
			// A title broken over two lines ends its first with a joint:
			// "Founder and Chair –<br>Screening Committee".
			if i+1 < len(ls) && continues(t) && utf8.RuneCountInString(ls[i+1].text) <= 60 && !isBio(ls[i+1].text) {
				return cleanTitle(t + " " + ls[i+1].text)
			}
			return cleanTitle(t)
		}
	}
	if idx >= 0 {
		// The name's own line may continue with the title: "<b>Jane Doe</b>, Partner".
		t := ls[idx].text
		if j := strings.Index(strings.ToLower(t), lname); j >= 0 {
			rest := t[j+len(lname):]
			if titleLike(rest, name) {
				return cleanTitle(rest)
			}
		}
		for i := idx - 1; i >= 0 && i >= idx-2; i-- {
			t := ls[i].text
			if utf8.RuneCountInString(t) <= 60 && titleLike(t, name) {
				return cleanTitle(t)
			}
		}
	}
	return ""
}

func contains(outer, inner *html.Node) bool {
	for p := inner.Parent; p != nil; p = p.Parent {
		if p == outer {
			return true
		}
	}
	return false
}

func (x *extractor) inCard(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if x.cardNodes[p] {
			return true
		}
	}
	return false
}

// standalone picks up named elements outside any card: a heading or bold
// name followed by a title, or a "Name – Title" line. Without a title they are
// too weak to count.
func (x *extractor) standalone() {
	for _, a := range x.order {
		if len(x.found) >= maxCandidates {
			return
		}
		if a.rank > rankLeaf || x.inCard(a.node) {
			continue
		}
		nodes := []*html.Node{a.node}
		if a.title == "" {
			if a.rank == rankLeaf {
				continue
			}
			block := a.node
			for block.Parent != nil && block.Parent.Type == html.ElementNode && !breaksLine(block) {
				block = block.Parent
			}
			nodes = []*html.Node{block}
			for sib, n := block.NextSibling, 0; sib != nil && n < 2; sib = sib.NextSibling {
				if sib.Type != html.ElementNode {
					continue
				}
				if x.sum[sib].count > 0 && x.sum[sib].key != a.key || headingLevel(sib) > 0 && headingLevel(sib) <= max(headingLevel(a.node), 1) {
					break
				}
				nodes = append(nodes, sib)
				n++
			}
			// An eyebrow above the name may be the title:
			// <p class="tagline">Founder &amp; Principal</p><h3>Name</h3>.
			if prev := prevElement(block); prev != nil && x.sum[prev].count == 0 && shortText(prev, 80) && !x.inCard(prev) &&
				(headingLevel(prev) == 0 || headingLevel(prev) >= headingLevel(a.node) || eyebrowTitle(textOf(prev), a.name)) {
				nodes = append([]*html.Node{prev}, nodes...)
			}
		}
		m, _ := x.person(nodes, a)
		if m.Title == "" && (a.rank > rankHeading || !introducedBy(nodes, a.name)) {
			continue
		}
		if m.LinkedIn == "" && m.Email == "" {
			// The card's links may sit beside the block holding the name
			// and title: <div><h3/><p/></div><div>icons</div>.
			if extra := x.siblingLinks(nodes[0]); len(extra) > 0 {
				if more, _ := x.person(extra, a); more.LinkedIn != "" || more.Email != "" {
					m.LinkedIn, m.Email = more.LinkedIn, more.Email
					nodes = append(nodes, extra...)
				}
			}
		}
		for _, n := range nodes {
			x.cardNodes[n] = true
		}
		x.found = append(x.found, candidate{m: m, pos: x.pos[a.node], method: methodStandalone})
	}
}

// bioVerbs follow a person's name at the start of a bio.
var bioVerbs = []string{"is", "was", "has", "had", "joined", "brings", "serves", "leads", "founded", "co-founded",
	"cofounded", "holds", "began", "started", "spent", "works", "oversees", "manages", "heads", "ist", "est", "es", "é"}

// introducedBy reports a name heading whose next block is a bio about that
// person ("Sanjay Krishnan is an accomplished …", "Jane has spent …"): a
// team member whose page shows no title.
func introducedBy(nodes []*html.Node, name string) bool {
	first := strings.Fields(name)
	if len(nodes) < 2 || len(first) == 0 {
		return false
	}
	var text string
	for _, n := range nodes[1:] {
		if text = textPrefix(n, 200); text != "" {
			break
		}
	}
	for _, lead := range []string{name, first[0]} {
		rest, ok := strings.CutPrefix(text, lead)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " ,’'s")
		w := strings.Fields(strings.ToLower(rest))
		if len(w) > 0 && slices.Contains(bioVerbs, w[0]) {
			return true
		}
	}
	return false
}

// proseLead reads the opening of a bio paragraph that introduces a person:
// an optional role, the name (honorific and credentials allowed) and a
// verb: "Founder Nicolas West holds …", "Dr. John Roe is a …", "Clinical
// Director, Jane Doe, MS, received …".
var proseLead = regexp.MustCompile(`^(?:((?:[A-Z][\p{L}&-]*\s){0,3}[A-Z][\p{L}&-]*),?\s)?(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s)?((?:\p{Lu}[\p{L}'’.-]*\s){1,3}\p{Lu}[\p{L}'’-]+)(?:,\s(?:[A-Z]{2,5}\.?,?\s?)+)?,?\s(is|was|has|holds|serves|joined|leads|founded|co-founded|brings|received|began|oversees|manages|heads)\s`)

// maxProseParagraphs bounds the paragraphs read for people named only in
// prose.
const maxProseParagraphs = 200

// prose finds people a page names only in bio paragraphs, when nothing
// else on the page named anyone: the first sentence of a paragraph that
// opens with a person's name (and perhaps their role) and a verb.
func (x *extractor) prose() {
	seen := map[string]bool{}
	read := 0
	forEachElement(x.root, func(n *html.Node) {
		if n.Data != "p" || read >= maxProseParagraphs || len(x.found) >= maxCandidates || inQuote(n) {
			return
		}
		read++
		m := proseLead.FindStringSubmatch(textPrefix(n, 160))
		if m == nil {
			return
		}
		role, name := strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
		if !nameLike(name) || seen[nameKey(name)] || !aboutAPerson(textPrefix(n, 800), name) {
			return
		}
		title := ""
		if role != "" {
			if !titleLike(role, name) {
				return // "Acme Capital Jane Doe is …": not a role
			}
			title = cleanTitle(role)
		}
		seen[nameKey(name)] = true
		x.found = append(x.found, candidate{m: firm.Member{Name: name, Title: title}, pos: x.pos[n], method: methodStandalone})
	})
}

// aboutAPerson reports a paragraph that goes on about a person, as
// paragraphs about companies ("Acme Robotics is a …") do not: a personal
// pronoun, or the first name again.
func aboutAPerson(text, name string) bool {
	l := " " + strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return ' '
	}, text)) + " "
	for _, p := range []string{" he ", " she ", " his ", " her ", " him "} {
		if strings.Contains(l, p) {
			return true
		}
	}
	first := strings.ToLower(strings.Fields(name)[0])
	return strings.Count(l, " "+first+" ") >= 2
}

// siblingLinks are the elements after the block that holds n, when that
// block names no one else, up to the next named element.
func (x *extractor) siblingLinks(n *html.Node) []*html.Node {
	p := n.Parent
	if p == nil || p.Type != html.ElementNode || x.sum[p].count != 1 {
		return nil
	}
	var out []*html.Node
	for sib := p.NextSibling; sib != nil && len(out) < 2; sib = sib.NextSibling {
		if sib.Type != html.ElementNode {
			continue
		}
		if x.sum[sib].count > 0 || headingLevel(sib) > 0 {
			break
		}
		out = append(out, sib)
	}
	return out
}

// nameLists emits the people of a list under a team heading whose every
// item is a name alone ("<h4>Our team</h4><ul><li>Jane Doe, CPA</li>…"), a
// roster or a sidebar of the team without titles.
func (x *extractor) nameLists() {
	forEachElement(x.root, func(n *html.Node) {
		if !isElement(n, "ul", "ol") || x.inCard(n) || len(x.found) >= maxCandidates {
			return
		}
		h := prevElement(n)
		if h == nil || headingLevel(h) == 0 && !classContains(h, "section-title", "section-heading") {
			return
		}
		if k, _ := classifySection(textOf(h)); k != sectionTeam {
			return
		}
		var names []string
		items := 0
		for li := n.FirstChild; li != nil; li = li.NextSibling {
			if !isElement(li, "li") {
				continue
			}
			items++
			if t := stripNickname(collapse(textOf(li))); nameLike(t) {
				names = append(names, t)
			}
		}
		if len(names) < 3 || 5*len(names) < 4*items {
			return
		}
		x.cardNodes[n] = true
		for _, name := range names {
			x.found = append(x.found, candidate{m: firm.Member{Name: name}, pos: x.pos[n], method: methodStandalone})
		}
	})
}

// prevElement is the element before n among its siblings.
func prevElement(n *html.Node) *html.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		if p.Type == html.ElementNode {
			return p
		}
	}
	return nil
}

// lineLists emits the people of blocks of "Name – Title" lines that no
// card already took.
func (x *extractor) lineLists() {
	for _, l := range x.lists {
		if x.inCard(l.node) {
			continue
		}
		x.cardNodes[l.node] = true
		for _, m := range l.people {
			if len(x.found) >= maxCandidates {
				return
			}
			x.found = append(x.found, candidate{m: m, pos: x.pos[l.node], method: methodStandalone})
		}
	}
}

// microdata collects itemtype schema.org/Person elements.
func (x *extractor) microdata() {
	forEachElement(x.root, func(n *html.Node) {
		if len(x.found) >= maxCandidates || !isMicrodataPerson(n) {
			return
		}
		if m, ok := microdataPerson(n); ok {
			x.cardNodes[n] = true
			x.found = append(x.found, candidate{m: m, pos: x.pos[n], method: methodStructured})
		}
	})
}

// section is the kind of page section a heading opens.
type sectionKind int

const (
	sectionNeutral sectionKind = iota // anything else: people there are team
	sectionTeam
	sectionOther // advisors, board, portfolio founders...: people go to Others
	sectionSkip  // testimonials: quoted people are neither
)

type sectionRule struct {
	phrase string
	kind   sectionKind
	role   string
}

// sectionRules are matched on heading words; multi-word phrases come first so
// "venture partners" wins over "partners".
var sectionRules = []sectionRule{
	{"venture partners", sectionOther, "Venture Partner"},
	{"venture partner", sectionOther, "Venture Partner"},
	{"operating partners", sectionOther, "Operating Partner"},
	{"limited partners", sectionOther, "Limited Partner"},
	{"advisory board", sectionOther, "Advisor"},
	{"advisory council", sectionOther, "Advisor"},
	{"board of advisors", sectionOther, "Advisor"},
	{"board of advisers", sectionOther, "Advisor"},
	{"board of directors", sectionOther, "Board Member"},
	{"entrepreneurs in residence", sectionOther, "Entrepreneur in Residence"},
	{"entrepreneur in residence", sectionOther, "Entrepreneur in Residence"},
	{"executives in residence", sectionOther, "Executive in Residence"},
	{"portfolio founders", sectionOther, "Portfolio Founder"},
	{"portfolio companies", sectionOther, "Portfolio Founder"},
	{"portfolio ceos", sectionOther, "Portfolio Founder"},
	{"investment team", sectionTeam, ""},
	{"leadership team", sectionTeam, ""},
	{"team", sectionTeam, ""},
	{"teams", sectionTeam, ""},
	{"partners", sectionTeam, ""},
	{"leadership", sectionTeam, ""},
	{"people", sectionTeam, ""},
	{"staff", sectionTeam, ""},
	{"management", sectionTeam, ""},
	{"advisors", sectionOther, "Advisor"},
	{"advisers", sectionOther, "Advisor"},
	{"advisor", sectionOther, "Advisor"},
	{"board", sectionOther, "Board Member"},
	{"portfolio", sectionOther, "Portfolio Founder"},
	{"founders", sectionOther, "Founder"},
	{"operators", sectionOther, "Operator"},
	{"eirs", sectionOther, "Entrepreneur in Residence"},
	{"eir", sectionOther, "Entrepreneur in Residence"},
	{"alumni", sectionOther, "Alumni"},
	{"mentors", sectionOther, "Mentor"},
	{"scouts", sectionOther, "Scout"},
	{"fellows", sectionOther, "Fellow"},
	{"testimonials", sectionSkip, ""},
	// other languages (accents folded)
	{"conseil consultatif", sectionOther, "Advisor"},
	{"comite consultatif", sectionOther, "Advisor"},
	{"consejo asesor", sectionOther, "Advisor"},
	{"consejo consultivo", sectionOther, "Advisor"},
	{"comite asesor", sectionOther, "Advisor"},
	{"conselho consultivo", sectionOther, "Advisor"},
	{"comitato consultivo", sectionOther, "Advisor"},
	{"raad van advies", sectionOther, "Advisor"},
	{"raad van commissarissen", sectionOther, "Board Member"},
	{"beirat", sectionOther, "Advisor"},
	{"aufsichtsrat", sectionOther, "Board Member"},
	{"berater", sectionOther, "Advisor"},
	{"asesores", sectionOther, "Advisor"},
	{"conseillers", sectionOther, "Advisor"},
	{"consultores", sectionOther, "Advisor"},
	{"equipo", sectionTeam, ""},
	{"equipe", sectionTeam, ""},
	{"mitarbeiter", sectionTeam, ""},
	{"socios", sectionTeam, ""},
	{"associes", sectionTeam, ""},
	{"squadra", sectionTeam, ""},
	{"medewerkers", sectionTeam, ""},
	{"principals", sectionTeam, ""},
}

// sectionPhrases are the words of each of sectionRules' phrases, split
// once: every heading of a page is classified.
var sectionPhrases = sync.OnceValue(func() [][]string {
	out := make([][]string, len(sectionRules))
	for i, r := range sectionRules {
		out[i] = strings.Fields(r.phrase)
	}
	return out
})

// classifySection reads a heading. The last matching phrase wins because
// English puts the head noun last: "Portfolio Founders", "Board of Advisors".
// A heading that names the team and others together ("Team & Advisors",
// "Partners and Board") is the team's: its people are sorted by their own
// titles (see outsideRole).
func classifySection(text string) (sectionKind, string) {
	if hasCJK(text) && len([]rune(text)) <= 20 {
		switch {
		case containsAny(text, cjkOutsideMarkers):
			return sectionOther, "Advisor"
		case containsAny(text, cjkTeamMarkers):
			return sectionTeam, ""
		}
	}
	w := words(foldAccents(text))
	if len(w) == 0 || len(w) > 6 {
		return sectionNeutral, ""
	}
	kind, role := sectionNeutral, ""
	team := false
	phrases := sectionPhrases()
	for i := 0; i < len(w); {
		matched := false
		for k, r := range sectionRules {
			p := phrases[k]
			if i+len(p) > len(w) || !slices.Equal(w[i:i+len(p)], p) {
				continue
			}
			kind, role = r.kind, r.role
			team = team || r.kind == sectionTeam
			i += len(p)
			matched = true
			break
		}
		if !matched {
			i++
		}
	}
	if team && kind == sectionOther {
		return sectionTeam, ""
	}
	return kind, role
}

// outsideRoles are titles that say a person advises or helps the firm from
// outside its team, wherever the page lists them.
var outsideRoles = []struct{ marker, role string }{
	{"advisor", "Advisor"}, {"adviser", "Advisor"}, {"advisory", "Advisor"},
	{"board member", "Board Member"}, {"board observer", "Board Member"},
	{"mentor", "Mentor"}, {"scout", "Scout"},
	{"alumni", "Alumni"}, {"alumna", "Alumni"}, {"alumnus", "Alumni"},
}

// outsideRole is the outside role a title states ("Senior Advisor",
// "Board Member"), or "" for a title of the team. Only the current role
// counts ("Partner, former advisor to …" is the team's), and a title that
// also states a deal role is the team's ("Partner & Board Member").
func outsideRole(title string) string {
	cur := currentRole(title)
	// Independent and non-executive members of a board or committee are
	// outsiders whatever their title's rank.
	if l := " " + strings.Join(cur, " ") + " "; strings.Contains(l, " independent ") || strings.Contains(l, " non executive ") || strings.Contains(l, " nonexecutive ") {
		return "Board Member"
	}
	if TierOf(title) != firm.TierOther {
		return ""
	}
	l := " " + strings.Join(cur, " ") + " "
	for _, r := range outsideRoles {
		if strings.Contains(l, " "+r.marker+" ") {
			return r.role
		}
	}
	for _, w := range cur {
		if foreignOutsideRoles[w] {
			return "Advisor"
		}
	}
	if hasCJK(title) && containsAny(title, cjkOutsideMarkers) {
		return "Advisor"
	}
	return ""
}

type sectionEvent struct {
	pos, level int
	kind       sectionKind
	role       string
}

// sections lists the section headings outside cards in document order.
func (x *extractor) sections() []sectionEvent {
	var out []sectionEvent
	forEachElement(x.root, func(n *html.Node) {
		level := headingLevel(n)
		if level > 4 {
			return
		}
		if level == 0 {
			if !classContains(n, "section-title", "section-heading") {
				return
			}
			level = 2
		}
		if x.inCard(n) || !shortText(n, 120) {
			return
		}
		t := textOf(n)
		if t == "" || nameLike(t) {
			return
		}
		kind, role := classifySection(t)
		out = append(out, sectionEvent{pos: x.pos[n], level: level, kind: kind, role: role})
	})
	return out
}

// assign sorts candidates into team members and others by the section they
// sit in. A neutral heading below the current section (a department label
// under "Advisors") keeps it; one at the same or a higher level ends it.
func assign(found []candidate, events []sectionEvent) (members, others []firm.Member) {
	sort.SliceStable(found, func(i, j int) bool { return found[i].pos < found[j].pos })
	cur := sectionEvent{level: 0, kind: sectionNeutral}
	e := 0
	for _, c := range found {
		for e < len(events) && events[e].pos <= c.pos {
			ev := events[e]
			if ev.kind != sectionNeutral || cur.kind == sectionNeutral || ev.level <= cur.level {
				cur = ev
			}
			e++
		}
		c.m.Confidence = confidence(c.method, c.m)
		c.m.Rule = methodRules[c.method]
		switch cur.kind {
		case sectionOther:
			m := c.m
			m.Title = withRole(m.Title, cur.role)
			others = append(others, m)
		case sectionSkip:
		default:
			if outsideRole(c.m.Title) != "" {
				others = append(others, c.m)
				continue
			}
			members = append(members, c.m)
		}
	}
	return members, others
}

// roleMarkers say which title words already state a section's role.
var roleMarkers = map[string][]string{
	"Advisor":                   {"advisor", "adviser", "advisory"},
	"Board Member":              {"board", "director", "chair", "chairman", "chairwoman"},
	"Venture Partner":           {"venture partner"},
	"Operating Partner":         {"operating partner"},
	"Limited Partner":           {"limited partner"},
	"Entrepreneur in Residence": {"entrepreneur in residence", "eir"},
	"Executive in Residence":    {"executive in residence"},
	"Portfolio Founder":         {"founder", "cofounder", "co-founder"},
	"Founder":                   {"founder", "cofounder", "co-founder"},
	"Operator":                  {"operator"},
	"Alumni":                    {"alumni", "alumna", "alumnus"},
	"Mentor":                    {"mentor"},
	"Scout":                     {"scout"},
	"Fellow":                    {"fellow"},
}

// orgWords end a company's name and never a department's ("Private
// Investments", "Retirement Consulting" are departments).
var orgWords = set("group", "partners", "llc", "inc", "ltd", "llp", "lp", "gmbh", "ag", "sa",
	"holdings", "ventures", "corp", "corporation", "company", "co")

// otherOrg is the organisation a title names after its role ("Principal,
// Rookery Management Group") when the site's host shares none of that
// name's own words; "" otherwise.
func otherOrg(title, host string) string {
	i := strings.LastIndex(title, ", ")
	if i < 0 {
		return ""
	}
	org := title[i+2:]
	w := words(org)
	if len(w) < 2 || !orgWords[w[len(w)-1]] || hasRoleWord(org) {
		return ""
	}
	own := strings.ToLower(host)
	for _, x := range w {
		if !orgWords[x] && len(x) >= 3 && strings.Contains(own, x) {
			return ""
		}
	}
	return org
}

// splitAffiliates moves out of the team the few people whose title names
// another organisation than the firm's, on a page where the others' titles
// name none: affiliates of the firm shown in its grid. Where titles
// routinely name organisations (the firm's own and its portfolio's), the
// title says nothing of who is staff, and everyone stays.
func splitAffiliates(members, others []firm.Member, base *url.URL) ([]firm.Member, []firm.Member) {
	if base == nil || len(members) < 3 {
		return members, others
	}
	host := base.Hostname()
	naming, other := 0, 0
	for _, m := range members {
		if otherOrg(m.Title, host) != "" {
			other++
		}
		if i := strings.LastIndex(m.Title, ", "); i >= 0 {
			if w := words(m.Title[i+2:]); len(w) >= 2 && orgWords[w[len(w)-1]] {
				naming++ // names an organisation, the firm's own included
			}
		}
	}
	if other == 0 || naming > other || 3*other > len(members) {
		return members, others
	}
	kept := members[:0:0]
	for _, m := range members {
		if otherOrg(m.Title, host) != "" {
			others = append(others, m)
			continue
		}
		kept = append(kept, m)
	}
	return kept, others
}

// withRole records the section as the person's role: it becomes the title
// when there is none, and prefixes a title that does not already say it.
func withRole(title, role string) string {
	if title == "" {
		return role
	}
	l := " " + strings.Join(words(title), " ") + " "
	for _, mk := range roleMarkers[role] {
		if strings.Contains(l, " "+strings.Join(words(mk), " ")+" ") {
			return title
		}
	}
	return role + ", " + title
}
