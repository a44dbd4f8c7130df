package extract

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// visibleText renders the content a reader sees, one line per block, cut at
// limit bytes on a line boundary when it can be.
func visibleText(root *html.Node, limit int) string {
	var b strings.Builder
	var kids []*html.Node
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			kids = append(kids, c)
		}
	}
	for _, l := range lines(kids...) {
		if b.Len()+len(l.text)+1 > limit {
			// The line that does not fit is cut, counting runes at up to
			// four bytes each so the result stays within limit.
			if room := (limit - b.Len() - 1) / 4; room > 0 {
				if b.Len() > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(truncateRunes(l.text, room))
			}
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.text)
	}
	return b.String()
}

// statedAddress is the text of the first <address> element, or of an
// element whose class says it holds one, before footers are cleaned away.
func statedAddress(root *html.Node) string {
	var out string
	forEachElement(root, func(n *html.Node) {
		if out != "" {
			return
		}
		if n.Data != "address" && !classContains(n, "address", "location") {
			return
		}
		if !shortText(n, 200) {
			return
		}
		ls := lines(n)
		var parts []string
		for _, l := range ls {
			t := strings.Trim(l.text, " ,;|")
			// Phone numbers and addresses of mail are contact details,
			// not the location.
			if t == "" || strings.Contains(t, "@") || phoneLike.MatchString(t) {
				continue
			}
			parts = append(parts, t)
		}
		out = truncateRunes(strings.Join(parts, ", "), 200)
	})
	return out
}

var phoneLike = regexp.MustCompile(`^[+()\d][\d\s().\-+]{6,}$|(?i)^(tel|phone|t|p|fax)\b`)

// basedInPattern finds "based in Denver, Colorado" and its variants; the
// place is a run of capitalised words, commas and "and".
var basedInPattern = regexp.MustCompile(`(?:[Bb]ased|[Hh]eadquartered|HQ'd|[Ll]ocated|[Oo]ffices?(?: are| is)?) in ((?:the )?` + placeWord + `(?:(?:,? | and | & )` + placeWord + `){0,5})`)

// placeWord is one capitalised word of a place name: "Menlo", "Saint-Malo",
// "St. Louis", "D.C.". A sentence's full stop ends the place.
const placeWord = `(?:(?:St|Ft|Mt)\. )?(?:[\p{Lu}]\.(?:[\p{Lu}]\.)+|[\p{Lu}][\p{L}'\-]*)`

// basedIn returns the first place the text says the firm is based in.
func basedIn(text string) string {
	m := basedInPattern.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	place := m[1]
	// "Washington D.C. Call us": the abbreviation's full stop ends the
	// sentence too, unlike the one of "St. Louis".
	for from := 0; ; {
		i := strings.Index(place[from:], ". ")
		if i < 0 {
			break
		}
		i += from
		word := place[strings.LastIndexByte(place[:i], ' ')+1 : i]
		if word == "St" || word == "Ft" || word == "Mt" {
			from = i + 2
			continue
		}
		place = place[:i+1]
		break
	}
	if !strings.Contains(place, ".") || !strings.HasSuffix(place, ".") || strings.Count(place, ".") < 2 {
		place = strings.TrimRight(place, " ,.")
	}
	return strings.TrimRight(place, " ,")
}

// parkedMarkers are phrases of domain parking and for-sale pages.
var parkedMarkers = []string{
	"domain is for sale", "domain may be for sale", "buy this domain", "this domain is available",
	"domain name is for sale", "make an offer on this domain", "inquire about this domain",
	"this domain has been registered", "domain parking", "parked free", "parked domain",
	"is parked", "sedoparking", "parkingcrew", "bodis.com", "hugedomains", "afternic",
	"dan.com", "this web page is parked", "the domain owner", "domain for sale",
}

// parked reports a domain parking or for-sale page.
func parked(text string) bool {
	l := strings.ToLower(text)
	for _, m := range parkedMarkers {
		if strings.Contains(l, m) {
			return true
		}
	}
	return false
}

// firmWords are the words of a site about investing; a site with none of
// them anywhere is not a firm's.
var firmWords = map[string]bool{
	"invest": true, "invests": true, "investing": true, "investment": true, "investments": true,
	"investor": true, "investors": true, "venture": true, "ventures": true, "capital": true,
	"fund": true, "funds": true, "funding": true, "portfolio": true, "startup": true,
	"startups": true, "founder": true, "founders": true, "equity": true, "angel": true,
	"angels": true, "accelerator": true, "incubator": true, "seed": true, "vc": true,
	"backs": true, "backed": true, "entrepreneurs": true, "buyout": true, "lp": true,
}

// FirmSignals reports whether text says anything about investing.
func FirmSignals(text string) bool {
	for _, w := range words(text) {
		if firmWords[w] {
			return true
		}
	}
	return false
}

// maxFooterBytes bounds the footer text kept for finding a location.
const maxFooterBytes = 2 << 10

// footerText is the text of the page's footers, which cleaning removes but
// which is where many firms say where they are.
func footerText(root *html.Node) string {
	var b strings.Builder
	forEachElement(root, func(n *html.Node) {
		if b.Len() >= maxFooterBytes {
			return
		}
		footer := n.Data == "footer" || strings.EqualFold(attr(n, "role"), "contentinfo")
		if !footer {
			for _, c := range classes(n) {
				if c == "footer" || c == "site-footer" || c == "page-footer" || c == "main-footer" || c == "global-footer" {
					footer = true
					break
				}
			}
		}
		if !footer || hasFooterAncestor(n) {
			return
		}
		b.WriteString(truncateRunes(textOf(n), maxFooterBytes))
		b.WriteByte('\n')
	})
	return b.String()
}

func hasFooterAncestor(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Data == "footer" {
			return true
		}
	}
	return false
}
