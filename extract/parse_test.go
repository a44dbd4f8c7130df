package extract_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/extract"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func parse(t testing.TB, html, pageURL string) *extract.Page {
	t.Helper()
	p, err := extract.Parse([]byte(html), mustURL(t, pageURL))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

func TestDescription(t *testing.T) {
	long := "Acme Ventures invests in seed-stage climate software companies across Europe."
	cases := []struct {
		name, html, want string
	}{
		{
			name: "meta description wins",
			html: `<head><meta name="description" content="  Meta   text "><meta property="og:description" content="OG text"></head><body><p>` + long + `</p></body>`,
			want: "Meta text",
		},
		{
			name: "og description when meta is empty",
			html: `<head><meta name="description" content=""><meta property="og:description" content="OG text"></head><body><p>` + long + `</p></body>`,
			want: "OG text",
		},
		{
			name: "first substantial paragraph skipping short, cookie and footer text",
			html: `<body><div class="cookie-notice"><p>We use cookies to give you the best experience on our website, see our policy.</p></div>
				<p>Hello there.</p><p>By using this site you accept our cookie policy and our terms of use in full.</p>
				<p>` + long + `</p><footer><p>Footer text that is long enough to count as a description if it were not a footer.</p></footer></body>`,
			want: long,
		},
		{
			name: "paragraph inside navigation is skipped",
			html: `<body><nav><p>Navigation blurb long enough to qualify as a description for the page at hand.</p></nav><p>` + long + `</p></body>`,
			want: long,
		},
		{
			name: "nothing suitable",
			html: `<body><p>Short.</p><div>` + long + `</div></body>`,
			want: "",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := parse(t, c.html, "https://acme.vc/").Description; got != c.want {
				t.Errorf("Description = %q, want %q", got, c.want)
			}
		})
	}
}

func TestJSOnly(t *testing.T) {
	cases := []struct {
		name, html string
		want       bool
	}{
		{"app root and bundle", `<html><head><script src="/app.js"></script></head><body><div id="app"></div></body></html>`, true},
		{"next.js mount with no text", `<body><div id="__next"><div class="spinner"></div></div></body>`, true},
		{"noscript text does not count", `<body><noscript>` + strings.Repeat("Please enable JavaScript. ", 20) + `</noscript><script src="/x.js"></script></body>`, true},
		{"rendered page", `<body><div id="root"><p>` + strings.Repeat("Real content rendered on the server. ", 10) + `</p></div><script src="/x.js"></script></body>`, false},
		{"tiny static page without scripts", `<body><p>Under construction</p></body>`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := parse(t, c.html, "https://acme.vc/").JSOnly; got != c.want {
				t.Errorf("JSOnly = %v, want %v", got, c.want)
			}
		})
	}
}

func TestLinksAndEmails(t *testing.T) {
	html := `<html><head><title> Acme  Ventures </title></head><body>
	<nav><a href="/team#top">Team</a> <a href="about-us.php">About</a></nav>
	<a href="/team">Our team page</a>
	<a href="https://other.example/x?q=1#frag"><img src="x.png" alt="Partner site"></a>
	<a href="javascript:void(0)">Menu</a>
	<a href="tel:+15551234">Call</a>
	<a href="mailto:Jane.Doe%40acme.vc?subject=Hi">Write</a>
	<a href="mailto:info@acme.vc,deals@acme.vc">Both</a>
	<a href="mailto:info@acme.vc">Again</a>
	<a href="/cdn-cgi/l/email-protection#0b6a6f66626525...">broken</a>
	<span class="__cf_email__" data-cfemail="5a2e323f351a28333e3d3f3633343f742c39">[email protected]</span>
	<a href="ftp://files.acme.vc/">FTP</a>
	<a href="//cdn.acme.vc/deck.pdf" aria-label="Deck"></a>
	</body></html>`
	p := parse(t, html, "https://acme.vc/about/")
	want := []extract.Link{
		{URL: "https://acme.vc/team", Text: "Team"},
		{URL: "https://acme.vc/about/about-us.php", Text: "About"},
		{URL: "https://other.example/x?q=1", Text: "Partner site"},
		{URL: "https://cdn.acme.vc/deck.pdf", Text: "Deck"},
	}
	if fmt.Sprint(p.Links) != fmt.Sprint(want) {
		t.Errorf("Links =\n %v\nwant\n %v", p.Links, want)
	}
	wantEmails := []string{"jane.doe@acme.vc", "info@acme.vc", "deals@acme.vc", "theo@ridgeline.vc"}
	if fmt.Sprint(p.Emails) != fmt.Sprint(wantEmails) {
		t.Errorf("Emails = %v, want %v", p.Emails, wantEmails)
	}
	if p.Title != "Acme Ventures" {
		t.Errorf("Title = %q", p.Title)
	}
}

func TestBaseHref(t *testing.T) {
	p := parse(t, `<head><base href="https://acme.vc/en/"></head><body><a href="team">Team</a></body>`, "https://acme.vc/")
	if len(p.Links) != 1 || p.Links[0].URL != "https://acme.vc/en/team" {
		t.Errorf("Links = %v, want the link resolved against <base>", p.Links)
	}
}

func TestLinkCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><body>")
	for i := range 100_000 {
		fmt.Fprintf(&b, `<a href="/p/%d">%d</a>`, i, i)
	}
	b.WriteString("</body></html>")
	if b.Len() > 5<<20 {
		t.Fatalf("test page is %d bytes, over the parse limit", b.Len())
	}
	p := parse(t, b.String(), "https://acme.vc/")
	if len(p.Links) != 2000 {
		t.Fatalf("len(Links) = %d, want the cap of 2000", len(p.Links))
	}
	if p.Links[1999].URL != "https://acme.vc/p/1999" {
		t.Errorf("last kept link = %q, want the 2000th in page order", p.Links[1999].URL)
	}
}

func TestMemberCap(t *testing.T) {
	first := []string{"Anna", "Boris", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Irene", "Jonas", "Karla", "Leon", "Mira", "Nico", "Olga", "Paul", "Rosa", "Simon", "Tara", "Ugo", "Vera", "Walter", "Xenia", "Yusuf", "Zora"}
	last := []string{"Abbott", "Barker", "Carver", "Dalton", "Eaton", "Fowler", "Garner", "Hughes", "Ingram", "Jarvis", "Keller", "Lawson", "Mercer", "Norris", "Oakley", "Porter", "Quinn", "Rhodes", "Sutton", "Tucker", "Underwood", "Vaughn", "Walsh", "Yates", "Zimmer"}
	var b strings.Builder
	b.WriteString(`<body><div class="grid">`)
	for _, f := range first {
		for _, l := range last {
			fmt.Fprintf(&b, `<div class="card"><h3>%s %s</h3><p>Partner</p></div>`, f, l)
		}
	}
	b.WriteString(`</div></body>`)
	p := parse(t, b.String(), "https://acme.vc/team")
	if len(p.Members) != 500 {
		t.Errorf("len(Members) = %d, want the cap of 500", len(p.Members))
	}
}

func TestParseErrors(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 5<<20+1)
	if _, err := extract.Parse(big, mustURL(t, "https://acme.vc/")); err == nil {
		t.Error("Parse of a page over 5 MB: want an error")
	}
	if _, err := extract.Parse([]byte("<p>x</p>"), nil); err == nil {
		t.Error("Parse without a URL: want an error")
	}
	if _, err := extract.Parse(bytes.Repeat([]byte("a"), 5<<20), mustURL(t, "https://acme.vc/")); err != nil {
		t.Errorf("Parse of exactly 5 MB: %v", err)
	}
}

func TestLegacyCharset(t *testing.T) {
	page := func(name string) []byte {
		return []byte("<html><head><meta charset=\"iso-8859-1\"></head><body><div><div class=\"m\"><h3>" + name + "</h3><p>Partner</p></div><div class=\"m\"><h3>Ines Rowe</h3><p>Principal</p></div></div></body></html>")
	}
	tests := []struct {
		name string
		body []byte
	}{
		// As old sites still serve it.
		{"in ISO-8859-1", page("J\xfcrgen M\xfcller")},
		// As the fetcher hands it on, decoded but with its <meta> kept.
		{"decoded already", page("Jürgen Müller")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := extract.Parse(tc.body, mustURL(t, "https://acme.de/team"))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Members) != 2 || p.Members[0].Name != "Jürgen Müller" {
				t.Errorf("Members = %v, want Jürgen Müller", p.Members)
			}
		})
	}
}
