// Package emails learns how a firm forms its people's email addresses
// (jane.doe@, jdoe@, jane@ …) from the addresses its site shows, and
// proposes the addresses of the people whose own the site does not show.
// Proposed addresses are inferred, never verified: they are marked so
// wherever they are written.
package emails

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/vcenrich/vcenrich/internal/urlkey"
)

// Pattern names how a local part is made from a name, e.g. "first.last".
type Pattern string

type patternRule struct {
	name Pattern
	make func(f, l, fi, li string) string
}

// patterns are the ways firms form addresses from a first name f, a last
// name l and their initials, most common first: among equally supported
// patterns the earlier one is taken.
var patterns = []patternRule{
	{"first.last", func(f, l, _, _ string) string { return f + "." + l }},
	{"flast", func(_, l, fi, _ string) string { return fi + l }},
	{"first", func(f, _, _, _ string) string { return f }},
	{"firstlast", func(f, l, _, _ string) string { return f + l }},
	{"f.last", func(_, l, fi, _ string) string { return fi + "." + l }},
	{"first_last", func(f, l, _, _ string) string { return f + "_" + l }},
	{"first-last", func(f, l, _, _ string) string { return f + "-" + l }},
	{"firstl", func(f, _, _, li string) string { return f + li }},
	{"first.l", func(f, _, _, li string) string { return f + "." + li }},
	{"last", func(_, l, _, _ string) string { return l }},
	{"last.first", func(f, l, _, _ string) string { return l + "." + f }},
	{"lastf", func(_, l, fi, _ string) string { return l + fi }},
	{"lastfirst", func(f, l, _, _ string) string { return l + f }},
	{"f_last", func(_, l, fi, _ string) string { return fi + "_" + l }},
	{"last_first", func(f, l, _, _ string) string { return l + "_" + f }},
	{"fl", func(_, _, fi, li string) string { return fi + li }},
}

// roleMailboxes are the local parts of shared addresses, which say nothing
// of how the firm names its people.
var roleMailboxes = map[string]bool{
	"info": true, "hello": true, "contact": true, "team": true, "office": true, "deals": true,
	"pitch": true, "pitches": true, "invest": true, "investments": true, "ir": true, "admin": true,
	"general": true, "enquiries": true, "inquiries": true, "hi": true, "founders": true,
	"submissions": true, "dealflow": true, "mail": true, "press": true, "media": true, "careers": true,
	"jobs": true, "hr": true, "support": true, "legal": true, "privacy": true, "accounts": true,
	"finance": true, "operations": true, "ops": true, "partners": true, "news": true, "newsletter": true,
	"webmaster": true, "noreply": true, "no-reply": true, "investors": true, "events": true, "marketing": true,
}

// IsRole reports a shared mailbox's local part (info, team, deals…).
func IsRole(local string) bool { return roleMailboxes[strings.ToLower(local)] }

// name is a person's name folded to what addresses use: lower case, no
// accents, the first name's and the last name's spellings (a particle
// joined or dropped, a hyphen kept, dropped or either half).
type name struct {
	firsts []string
	lasts  []string
}

var particles = map[string]bool{
	"van": true, "von": true, "de": true, "der": true, "den": true, "da": true, "di": true, "du": true,
	"la": true, "le": true, "del": true, "della": true, "dos": true, "das": true, "bin": true, "al": true,
	"el": true, "ter": true, "ten": true,
}

var suffixes = map[string]bool{
	"jr": true, "sr": true, "ii": true, "iii": true, "iv": true, "phd": true, "md": true, "mba": true,
	"cfa": true, "cpa": true, "jd": true, "esq": true, "dr": true, "mr": true, "mrs": true, "ms": true, "prof": true,
}

var folder = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

func fold(s string) string {
	out, _, err := transform.String(folder, s)
	if err != nil {
		out = s
	}
	out = strings.NewReplacer("ß", "ss", "ø", "o", "Ø", "o", "æ", "ae", "œ", "oe", "ł", "l", "đ", "d").Replace(out)
	return strings.ToLower(out)
}

// germanUmlauts spell ä, ö and ü as German addresses do (Müller: mueller).
var germanUmlauts = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue")

// parseName reads a displayed name; ok is false when it has no first and
// last name to go by. Umlauts give both spellings (Müller: muller, mueller).
func parseName(display string) (name, bool) {
	// "Doe, Jane" in a directory; "Jane Doe, CFA" after a name.
	if before, after, ok := strings.Cut(display, ","); ok {
		display = before
		if a := strings.TrimSpace(after); !strings.Contains(a, ",") && len(strings.Fields(before)) == 1 && !isCredential(a) {
			display = a + " " + before
		}
	}
	n, ok := parseFolded(fold(display))
	if g := germanUmlauts.Replace(display); ok && g != display {
		if gn, gok := parseFolded(fold(g)); gok {
			n.firsts = dedupe(append(n.firsts, gn.firsts...))
			n.lasts = dedupe(append(n.lasts, gn.lasts...))
		}
	}
	return n, ok
}

// isCredential reports letters after a name that are a qualification or a
// suffix ("CFA", "Jr.", "PhD"), not a given name.
func isCredential(s string) bool {
	t := strings.ToLower(strings.Trim(s, ". "))
	if suffixes[t] {
		return true
	}
	return strings.ToUpper(s) == s && len(strings.Fields(s)) == 1 && len(s) <= 6
}

func parseFolded(folded string) (name, bool) {
	var toks []string
	for _, t := range strings.Fields(folded) {
		t = strings.Trim(t, ".'’\"()“”")
		t = strings.ReplaceAll(strings.ReplaceAll(t, "'", ""), "’", "")
		if t == "" || suffixes[t] {
			continue
		}
		if strings.IndexFunc(t, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '-') }) >= 0 {
			return name{}, false // not a Latin-script name an address can be built from
		}
		toks = append(toks, t)
	}
	if len(toks) < 2 {
		return name{}, false
	}
	first := toks[0]
	// The last name with the particles before it: "van der Berg".
	i := len(toks) - 1
	for i > 1 && particles[toks[i-1]] {
		i--
	}
	lastParts := toks[i:]
	var n name
	n.firsts = variants(first)
	joined := strings.Join(lastParts, "")
	n.lasts = append(n.lasts, variants(joined)...)
	if len(lastParts) > 1 {
		n.lasts = append(n.lasts, strings.Join(lastParts, "-"), lastParts[len(lastParts)-1])
	}
	n.lasts = dedupe(n.lasts)
	return n, true
}

// variants of a hyphenated name part: without the hyphen, with it, and
// each half ("smith-jones": smithjones, smith-jones, smith, jones).
func variants(part string) []string {
	if !strings.Contains(part, "-") {
		return []string{part}
	}
	halves := strings.Split(part, "-")
	return dedupe(append([]string{strings.Join(halves, ""), part}, halves...))
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// render makes the local parts p gives for n, one per spelling, in the
// order of n's spellings (the usual one first).
func render(p Pattern, n name) []string {
	i := slices.IndexFunc(patterns, func(r patternRule) bool { return r.name == p })
	if i < 0 {
		return nil
	}
	var out []string
	for _, f := range n.firsts {
		for _, l := range n.lasts {
			out = append(out, patterns[i].make(f, l, f[:1], l[:1]))
		}
	}
	return dedupe(out)
}

// Known is a person whose address the site shows.
type Known struct {
	Name, Email string
}

// Learned is how a firm forms its addresses.
type Learned struct {
	Domain  string
	Pattern Pattern
	Support int // addresses on the site that the pattern explains
}

// Learn finds the pattern behind the personal addresses on domain among
// known. It needs two addresses the pattern explains and none on the
// domain that it does not: a site whose addresses disagree teaches nothing.
// Role mailboxes and addresses on other domains are left out.
func Learn(known []Known, domain string) (Learned, bool) {
	domain = urlkey.Site(domain)
	type pair struct {
		n     name
		local string
	}
	var pairs []pair
	for _, k := range known {
		if local, n, ok := personal(k, domain); ok {
			pairs = append(pairs, pair{n, local})
		}
	}
	best, support := Pattern(""), 0
	for _, pt := range patterns {
		p := pt.name
		explained := 0
		for _, pr := range pairs {
			if slices.Contains(render(p, pr.n), pr.local) {
				explained++
			}
		}
		if explained > support {
			best, support = p, explained
		}
	}
	if support < 2 || support < len(pairs) {
		return Learned{}, false
	}
	return Learned{Domain: domain, Pattern: best, Support: support}, true
}

// personal reads a known address that is a person's own on domain: its
// local part and the person's name as addresses spell it.
func personal(k Known, domain string) (string, name, bool) {
	local, d, ok := strings.Cut(strings.ToLower(strings.TrimSpace(k.Email)), "@")
	if !ok || d != urlkey.Site(domain) || IsRole(local) {
		return "", name{}, false
	}
	n, ok := parseName(k.Name)
	return local, n, ok
}

// Propose is the address l gives the person named display, or "" when
// the name cannot be read.
func (l Learned) Propose(display string) string {
	n, ok := parseName(display)
	if !ok || l.Pattern == "" {
		return ""
	}
	locals := render(l.Pattern, n)
	if len(locals) == 0 {
		return ""
	}
	return locals[0] + "@" + l.Domain
}
