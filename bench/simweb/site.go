package simweb

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html"
	"strings"
)

// Shape is how a site presents its team, in the proportions real firm sites
// show them: most link a team page from the menu, some call it People or
// Leadership, some list the team on the homepage, some hide it where only the
// fallback paths find it, and a few have no team page at all.
type Shape int

const (
	ShapeTeamLink   Shape = iota // menu "Team" -> /team, a card grid
	ShapePeopleLink              // menu "People" -> /people, a list
	ShapeHomeTeam                // the team is a section of the homepage
	ShapeHiddenTeam              // /our-team exists but no menu links it
	ShapeLeadership              // menu "Leadership" -> /leadership, "Name – Title" lines
	ShapeNoTeam                  // no team anywhere
)

func (s Shape) String() string {
	return [...]string{"team-link", "people-link", "home-team", "hidden-team", "leadership", "no-team"}[s]
}

// shapeShares are the cumulative per-cent bounds of each shape.
var shapeShares = []struct {
	upTo  uint32
	shape Shape
}{{55, ShapeTeamLink}, {70, ShapePeopleLink}, {80, ShapeHomeTeam}, {90, ShapeHiddenTeam}, {95, ShapeLeadership}, {100, ShapeNoTeam}}

// Member is one person on a simulated site.
type Member struct {
	Name, Title, LinkedIn string
}

// Site is one simulated firm website.
type Site struct {
	Host        string
	Name        string
	Description string
	Shape       Shape
	Team        []Member // empty for ShapeNoTeam
	// ScriptBuilt sites serve their team page as an app shell: an empty
	// root and an inline script that fetches PathTeamData and writes the
	// cards, so only a browser sees the team.
	ScriptBuilt bool
	seed        uint32
}

// PathTeamData is where a script-built site's shell fetches its team from.
const PathTeamData = "/api/team.json"

var (
	firstNames = []string{"Amelia", "Benjamin", "Chiara", "Daniel", "Elena", "Farid", "Grace", "Hiroshi", "Ingrid", "Jonas",
		"Kavya", "Lucas", "Maria", "Nikolai", "Olivia", "Patrick", "Rachel", "Samuel", "Tamsin", "Ulrich",
		"Valeria", "William", "Ximena", "Yusuf", "Zofia", "Adrian", "Beatrice", "Carlos", "Diana", "Ethan",
		"Fiona", "Gabriel", "Hannah", "Isaac", "Julia", "Kenji", "Laura", "Michael", "Nadia", "Oscar", "Priya"}
	lastNames = []string{"Abernathy", "Bianchi", "Castellano", "Drummond", "Eriksen", "Fairbanks", "Gallagher", "Halvorsen",
		"Iwasaki", "Jankowski", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okonkwo", "Pellegrini", "Quintero",
		"Rasmussen", "Sorensen", "Tanaka", "Underwood", "Vasquez", "Whitfield", "Yamamoto", "Zielinski", "Bergstrom",
		"Chandra", "Delacroix", "Esposito", "Fitzgerald", "Gonzalez", "Hoffmann", "Ivanova", "Jorgensen", "Kimura",
		"Lombardi", "Mendoza", "Novak", "Oyelaran", "Petrov", "Reinholt", "Sato", "Thornton"}
	titles = []string{"Managing Partner", "General Partner", "General Partner", "Partner", "Principal", "Vice President",
		"Senior Associate", "Associate", "Associate", "Analyst", "Head of Platform", "Chief Financial Officer",
		"Operating Partner", "Investor", "Senior Associate", "Analyst"}
	companies = []string{"Arbor Analytics", "Brightline Robotics", "Cobalt Health", "Driftwood Labs", "Ember Payments",
		"Fathom Security", "Glasshouse", "Helio Grid", "Inkwell", "Juniper Bio", "Kestrel Logistics", "Lumen Data",
		"Mosaic Learning", "Northstar Freight", "Orchard Finance", "Parallax AI", "Quarry", "Redwood Compute",
		"Saltmarsh Energy", "Tessellate", "Umbra Space", "Vantage Legal", "Wayfinder", "Yarrow Foods", "Zephyr Mobility"}
	sectors = []string{"infrastructure software", "fintech", "climate", "healthcare", "developer tools", "marketplaces",
		"security", "applied AI", "consumer", "industrial technology", "biotech", "data platforms"}
	fillerWords = strings.Fields(`the we our fund firm founders company companies build building market markets product
		early stage seed series capital growth team teams customers software platform data network ecosystem
		investment portfolio operators years global partner partnership long term thesis conviction support
		hiring scale scaling revenue category categories technology technical research insight quarter update`)
)

// SiteFor derives the site at host. The content depends only on the host
// name, so any process serving it serves the same site.
func SiteFor(host string) Site {
	host = strings.ToLower(host)
	h := fnv.New32a()
	_, _ = h.Write([]byte(host))
	seed := h.Sum32()
	s := Site{Host: host, seed: seed, Name: displayName(host)}
	pick := seed % 100
	for _, sh := range shapeShares {
		if pick < sh.upTo {
			s.Shape = sh.shape
			break
		}
	}
	s.Description = fmt.Sprintf("%s is an early-stage venture capital firm investing in %s and %s founders across North America and Europe.",
		s.Name, sectors[int(seed>>7)%len(sectors)], sectors[int(seed>>11)%len(sectors)])
	if s.Shape != ShapeNoTeam {
		n := 4 + int(seed>>13)%13
		s.Team = make([]Member, n)
		f0, l0 := int(seed>>3), int(seed>>17)
		for k := range s.Team {
			// Steps coprime with both list lengths keep names distinct
			// within a firm.
			first := firstNames[(f0+k*7)%len(firstNames)]
			last := lastNames[(l0+k*5)%len(lastNames)]
			s.Team[k] = Member{
				Name:     first + " " + last,
				Title:    titles[k%len(titles)],
				LinkedIn: fmt.Sprintf("https://www.linkedin.com/in/%s-%s-%x", strings.ToLower(first), strings.ToLower(last), (seed+uint32(k))%4096),
			}
		}
	}
	return s
}

// Site is the site at host on this web: SiteFor's, script-built for a
// share of the sites whose homepage links their team page.
func (c Config) Site(host string) Site {
	s := SiteFor(host)
	s.ScriptBuilt = c.ScriptShare > 0 && s.Shape.linksTeam() && scriptDraw(s.Host) < c.ScriptShare
	return s
}

// linksTeam reports whether the homepage's menu links the team page. Only
// those sites can be script-built: the engine renders a shell it reached
// through a team link, and a script-built homepage would be served twice
// to every rendered firm, which the web's count of firms enriched twice
// could not tell from a repeat.
func (s Shape) linksTeam() bool {
	return s == ShapeTeamLink || s == ShapePeopleLink || s == ShapeLeadership
}

// scriptDraw is a host's draw in [0, 1) for being script-built, hashed
// apart from the seed so that which sites are script-built does not follow
// their shape or team size.
func scriptDraw(host string) float64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte("script-built:" + host))
	return float64(h.Sum32()%10_000) / 10_000
}

// displayName turns "northwind-com-00042.bench.test" into "Northwind Com Capital".
func displayName(host string) string {
	label := strings.TrimSuffix(host, Suffix)
	if i := strings.IndexByte(label, '.'); i >= 0 {
		label = label[:i]
	}
	var words []string
	for w := range strings.SplitSeq(label, "-") {
		if w == "" || strings.Trim(w, "0123456789") == "" {
			continue
		}
		words = append(words, strings.ToUpper(w[:1])+w[1:])
	}
	if len(words) == 0 {
		words = []string{"Bench"}
	}
	return strings.Join(words, " ") + " Capital"
}

// teamPath is where the team page lives, "" when it has none of its own.
func (s Site) teamPath() string {
	switch s.Shape {
	case ShapeTeamLink:
		return "/team"
	case ShapePeopleLink:
		return "/people"
	case ShapeHiddenTeam:
		return "/our-team"
	case ShapeLeadership:
		return "/leadership"
	}
	return ""
}

// Page renders the page at path padded to about pad bytes; false for a
// path the site does not have.
func (s Site) Page(path string, pad int) (string, bool) {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	var main string
	title := s.Name
	switch {
	case path == "/":
		main = s.homeMain()
	case path == s.teamPath() && path != "" && s.ScriptBuilt:
		return s.shell("Team | "+s.Name, pad), true
	case path == s.teamPath() && path != "":
		title = "Team | " + s.Name
		main = s.teamMain()
	case path == "/about":
		title = "About | " + s.Name
		main = s.aboutMain()
	case path == "/portfolio":
		title = "Portfolio | " + s.Name
		main = s.portfolioMain()
	case path == "/contact":
		title = "Contact | " + s.Name
		main = fmt.Sprintf(`<section class="contact"><h1>Contact</h1><p>Founders: send us a short note and a deck at pitches@%s.</p><p>1 Market Street, Suite 400</p></section>`, s.Host)
	default:
		return "", false
	}
	return s.render(title, main, pad), true
}

func (s Site) nav() string {
	var b strings.Builder
	b.WriteString(`<nav class="nav-menu" role="navigation"><a href="/about" class="nav-link">About</a>`)
	switch s.Shape {
	case ShapeTeamLink:
		b.WriteString(`<a href="/team" class="nav-link">Team</a>`)
	case ShapePeopleLink:
		b.WriteString(`<a href="/people" class="nav-link">People</a>`)
	case ShapeLeadership:
		b.WriteString(`<a href="/leadership" class="nav-link">Leadership</a>`)
	}
	b.WriteString(`<a href="/portfolio" class="nav-link">Portfolio</a><a href="/news" class="nav-link">Insights</a><a href="/contact" class="nav-link">Contact</a></nav>`)
	return b.String()
}

func (s Site) homeMain() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<section class="hero"><h1 class="hero-heading">Backing bold founders from day one.</h1><p class="hero-sub">%s</p><a href="/portfolio" class="button">See our portfolio</a></section>`,
		html.EscapeString(s.Description))
	b.WriteString(`<section class="logos"><h2>Selected portfolio</h2><ul class="logo-strip">`)
	for k := range 8 {
		c := companies[(int(s.seed)+k*3)%len(companies)]
		fmt.Fprintf(&b, `<li class="logo-item"><img src="/images/logos/%d.svg" alt="%s logo" class="company-logo"></li>`, k, html.EscapeString(c))
	}
	b.WriteString(`</ul></section>`)
	if s.Shape == ShapeHomeTeam {
		b.WriteString(`<section class="team"><h2>Our team</h2>`)
		b.WriteString(s.cards())
		b.WriteString(`</section>`)
	}
	return b.String()
}

func (s Site) teamMain() string {
	var b strings.Builder
	b.WriteString(`<section class="section team-section"><h1 class="section-heading">Our Team</h1><p class="section-sub">Investors and operators who have built, scaled and sold companies.</p>`)
	switch s.Shape {
	case ShapePeopleLink:
		b.WriteString(`<ul class="people-list">`)
		for _, m := range s.Team {
			fmt.Fprintf(&b, `<li class="person"><strong>%s</strong><br><span class="role">%s</span> <a href="%s" class="linkedin" aria-label="LinkedIn">in</a></li>`,
				html.EscapeString(m.Name), html.EscapeString(m.Title), m.LinkedIn)
		}
		b.WriteString(`</ul>`)
	case ShapeLeadership:
		b.WriteString(`<div class="leadership">`)
		for _, m := range s.Team {
			fmt.Fprintf(&b, `<p>%s – %s</p>`, html.EscapeString(m.Name), html.EscapeString(m.Title))
		}
		b.WriteString(`</div>`)
	default:
		b.WriteString(s.cards())
	}
	b.WriteString(`</section>`)
	return b.String()
}

// cards is the grid most site builders produce: one card per person with a
// photo, a name heading, a title and a LinkedIn link.
func (s Site) cards() string {
	var b strings.Builder
	b.WriteString(`<div class="w-dyn-list"><div role="list" class="team-grid w-dyn-items">`)
	for _, m := range s.Team {
		slug := strings.ToLower(strings.ReplaceAll(m.Name, " ", "-"))
		fmt.Fprintf(&b, `<div role="listitem" class="team-member w-dyn-item"><img src="/images/team/%s.jpg" loading="lazy" alt="%s" class="team-photo"><h3 class="name">%s</h3><p class="position">%s</p><a href="%s" target="_blank" class="social-link">LinkedIn</a></div>`,
			slug, html.EscapeString(m.Name), html.EscapeString(m.Name), html.EscapeString(m.Title), m.LinkedIn)
	}
	b.WriteString(`</div></div>`)
	return b.String()
}

func (s Site) aboutMain() string {
	return fmt.Sprintf(`<section class="about"><h1>About us</h1><p>%s</p><p>We write first cheques of $500k to $3M, lead or co-lead, and reserve for follow-on rounds. We invest across %s with a long-term view and hands-on support after the cheque.</p></section>`,
		html.EscapeString(s.Description), sectors[int(s.seed>>5)%len(sectors)])
}

func (s Site) portfolioMain() string {
	var b strings.Builder
	b.WriteString(`<section class="portfolio"><h1>Portfolio</h1><div class="portfolio-grid">`)
	for k := range 18 {
		c := companies[(int(s.seed)+k)%len(companies)]
		fmt.Fprintf(&b, `<div class="company-card"><h3 class="company-name">%s</h3><p class="company-meta">%s · %d</p><a href="https://%s.example" class="company-link">Website</a></div>`,
			html.EscapeString(c), sectors[(int(s.seed)+k)%len(sectors)], 2014+k%11, strings.ToLower(strings.ReplaceAll(c, " ", "")))
	}
	b.WriteString(`</div></section>`)
	return b.String()
}

// teamData is the JSON a script-built team page's script fetches.
func (s Site) teamData() string {
	data, _ := json.Marshal(s.Team) // strings only: it cannot fail
	return string(data)
}

// shell is a single-page app's document: nothing but an empty root and a
// script, padded with the bundle's bulk to about pad bytes, which builds
// the team cards from PathTeamData once it runs.
func (s Site) shell(title string, pad int) string {
	var b strings.Builder
	b.Grow(pad + 2048)
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title><meta name="description" content="%s"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div><script>`,
		html.EscapeString(title), html.EscapeString(s.Description))
	s.filler(&b, pad-b.Len()-len(appScript)-len(shellEnd), jsChunk)
	b.WriteString(appScript)
	b.WriteString(shellEnd)
	return b.String()
}

// appScript writes the team through the DOM, as a framework would, in the
// card markup of the static sites.
const appScript = `fetch("` + PathTeamData + `").then(function (r) { return r.json(); }).then(function (team) {
  var grid = document.createElement("div");
  grid.className = "team-grid";
  team.forEach(function (m) {
    var card = grid.appendChild(document.createElement("div"));
    card.className = "team-member";
    var name = card.appendChild(document.createElement("h3"));
    name.className = "name";
    name.textContent = m.Name;
    var title = card.appendChild(document.createElement("p"));
    title.className = "position";
    title.textContent = m.Title;
    var link = card.appendChild(document.createElement("a"));
    link.className = "social-link";
    link.href = m.LinkedIn;
    link.textContent = "LinkedIn";
  });
  var heading = document.createElement("h1");
  heading.textContent = "Our Team";
  var section = document.createElement("section");
  section.className = "section team-section";
  section.append(heading, grid);
  document.getElementById("root").append(section);
});
`

const shellEnd = `</script></body></html>`

// render wraps main in the chrome every page shares and pads it with the
// kind of bulk real pages carry: inline styles, a script bundle and a
// footer of article teasers.
func (s Site) render(title, main string, pad int) string {
	var b strings.Builder
	b.Grow(pad + 4096)
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title><meta name="description" content="%s"><meta name="viewport" content="width=device-width, initial-scale=1"><link href="/css/site.css" rel="stylesheet">`,
		html.EscapeString(title), html.EscapeString(s.Description))
	base := b.Len() + len(main) + 1500
	rest := max(pad-base, 0)
	b.WriteString(`<style>`)
	s.filler(&b, rest*3/10, cssChunk)
	b.WriteString(`</style></head><body class="body"><header class="navbar"><a href="/" class="brand">`)
	b.WriteString(html.EscapeString(s.Name))
	b.WriteString(`</a>`)
	b.WriteString(s.nav())
	b.WriteString(`</header><main>`)
	b.WriteString(main)
	b.WriteString(`</main><footer class="footer"><section class="insights"><h2>Insights</h2>`)
	s.filler(&b, rest*4/10, s.teaser)
	fmt.Fprintf(&b, `</section><div class="footer-links"><a href="/about">About</a><a href="/portfolio">Portfolio</a><a href="/contact">Contact</a><a href="https://www.linkedin.com/company/%s">LinkedIn</a></div><p class="legal">&copy; 2026 %s Management LLC. All rights reserved.</p></footer><script>`,
		strings.TrimSuffix(s.Host, Suffix), html.EscapeString(s.Name))
	s.filler(&b, rest*3/10, jsChunk)
	b.WriteString(`</script></body></html>`)
	return b.String()
}

// filler appends chunks until n more bytes are written.
func (s Site) filler(b *strings.Builder, n int, chunk func(b *strings.Builder, k int)) {
	end := b.Len() + n
	for k := 0; b.Len() < end; k++ {
		chunk(b, k)
	}
}

func cssChunk(b *strings.Builder, k int) {
	fmt.Fprintf(b, ".w-block-%d{display:flex;margin:0 auto;padding:%dpx %dpx;color:#1a1a1a;font-family:Inter,Helvetica,sans-serif;line-height:1.5}\n", k, 8+k%24, 12+k%16)
}

func jsChunk(b *strings.Builder, k int) {
	fmt.Fprintf(b, "!function(e,t){var n=e.querySelectorAll('[data-w-id=\"%x\"]');for(var r=0;r<n.length;r++){n[r].style.opacity=%d/10}}(document,window);\n", k*7919, k%10)
}

// teaser is one article card: a sentence-case headline (never name-like)
// and a paragraph of prose.
func (s Site) teaser(b *strings.Builder, k int) {
	w := func(i int) string { return fillerWords[(int(s.seed)+k*13+i*7)%len(fillerWords)] }
	fmt.Fprintf(b, `<article class="post-card"><h4 class="post-title">Why %s %s %s matter for the next decade of %s</h4><p class="post-excerpt">`,
		w(0), w(1), w(2), sectors[(int(s.seed)+k)%len(sectors)])
	for i := range 40 {
		b.WriteString(w(i + 3))
		b.WriteByte(' ')
	}
	fmt.Fprintf(b, `</p><a href="/news/post-%d" class="post-link">Read more</a></article>`, k)
}
