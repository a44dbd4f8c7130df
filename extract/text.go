package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// collapse folds every run of whitespace (including non-breaking spaces) into
// one space and drops zero-width characters that site builders sprinkle into
// names.
func collapse(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// truncateRunes bounds a string without splitting a rune.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return strings.TrimSpace(s[:j])
		}
		i++
	}
	return s
}

// words splits lowercased text into letter/digit runs, so "Co-Founder & CEO"
// gives co, founder, ceo.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// nameStopWords are words that never appear in a person's displayed name on a
// team page but do appear in the phrases that otherwise look like names:
// calls to action, section labels, company names, roles and places.
var nameStopWords = map[string]bool{
	// calls to action and page furniture
	"read": true, "more": true, "learn": true, "view": true, "see": true, "all": true,
	"our": true, "the": true, "meet": true, "about": true, "us": true, "contact": true,
	"email": true, "bio": true, "profile": true, "linkedin": true, "twitter": true,
	"follow": true, "home": true, "news": true, "blog": true, "careers": true, "jobs": true,
	"privacy": true, "policy": true, "terms": true, "cookie": true, "cookies": true,
	"settings": true, "accept": true, "subscribe": true, "newsletter": true, "menu": true,
	"close": true, "open": true, "next": true, "previous": true, "back": true, "top": true,
	"search": true, "login": true, "sign": true, "apply": true, "submit": true,
	"download": true, "share": true, "watch": true, "play": true, "load": true,
	"show": true, "hide": true, "expand": true, "full": true, "page": true, "site": true,
	"website": true, "welcome": true, "hello": true, "thank": true, "thanks": true,
	"you": true, "we": true, "what": true, "who": true, "how": true, "why": true,
	"where": true, "when": true, "get": true, "touch": true, "join": true, "click": true,
	"here": true, "now": true, "today": true, "new": true, "featured": true,
	// section and department labels
	"team": true, "people": true, "leadership": true, "advisors": true, "advisory": true,
	"board": true, "founders": true, "operators": true, "alumni": true, "mentors": true,
	"staff": true, "approach": true, "philosophy": true, "strategy": true, "mission": true,
	"values": true, "companies": true, "company": true, "firm": true, "office": true,
	"offices": true, "headquarters": true, "location": true, "locations": true,
	"press": true, "media": true, "events": true, "resources": true, "insights": true,
	"podcast": true, "rights": true, "reserved": true, "copyright": true, "focus": true,
	"sectors": true, "stage": true, "seed": true, "early": true, "growth": true,
	"platform": true, "operations": true, "finance": true, "marketing": true,
	"legal": true, "engineering": true, "product": true, "design": true, "sales": true,
	"talent": true, "community": true, "network": true, "programs": true, "program": true,
	"investment": true, "investments": true, "portfolio": true, "testimonials": true,
	// company-like words
	"fund": true, "funds": true, "capital": true, "ventures": true, "venture": true,
	"partners": true, "partner": true, "llc": true, "inc": true, "ltd": true, "llp": true,
	"lp": true, "gmbh": true, "corp": true, "corporation": true, "group": true,
	"holdings": true, "management": true, "labs": true, "technologies": true,
	"technology": true, "tech": true, "health": true, "solutions": true, "systems": true,
	"software": true, "global": true, "international": true, "associates": true,
	"equity": true, "asset": true, "assets": true, "investors": true, "investor": true,
	"foundation": true, "institute": true, "university": true, "school": true,
	"college": true, "bank": true, "studio": true, "studios": true, "agency": true,
	"therapeutics": true, "pharma": true, "energy": true, "logo": true,
	// roles
	"ceo": true, "cfo": true, "coo": true, "cto": true, "cmo": true, "founder": true,
	"cofounder": true, "director": true, "managing": true, "general": true,
	"principal": true, "associate": true, "analyst": true, "manager": true,
	"president": true, "vice": true, "chair": true, "chairman": true, "head": true,
	"chief": true, "officer": true, "counsel": true, "controller": true,
	"assistant": true, "engineer": true, "executive": true, "senior": true,
	"junior": true, "lead": true, "member": true, "scout": true, "intern": true,
	"advisor": true, "adviser": true, "secretary": true, "coordinator": true,
	"specialist": true,
	// places that read like two capitalised words
	"york": true, "francisco": true, "angeles": true, "alto": true, "menlo": true,
	"silicon": true, "valley": true, "kong": true, "aviv": true, "street": true,
	"avenue": true, "suite": true, "floor": true,
}

// nameParticles may appear lowercase inside a name ("Ludwig van Beethoven").
var nameParticles = map[string]bool{
	"van": true, "von": true, "de": true, "der": true, "den": true, "da": true, "di": true,
	"du": true, "la": true, "le": true, "del": true, "della": true, "dos": true, "das": true,
	"bin": true, "al": true, "el": true, "ter": true, "ten": true, "y": true, "e": true,
}

// nameSuffixes are generational or credential suffixes that do not count as
// one of a name's words.
var nameSuffixes = map[string]bool{
	"jr": true, "sr": true, "ii": true, "iii": true, "iv": true, "phd": true, "md": true,
	"mba": true, "cfa": true, "cpa": true, "jd": true, "esq": true,
}

// nameLike reports whether s reads as a person's displayed name: two to four
// capitalised words made of letters, apostrophes, hyphens and periods, none of
// them a word that belongs to a phrase rather than a name.
func nameLike(s string) bool {
	s = strings.TrimRight(collapse(s), ",;:")
	if s == "" || utf8.RuneCountInString(s) > 50 {
		return false
	}
	if hasCJK(s) {
		return cjkNameLike(s)
	}
	tokens := strings.Fields(s)
	if len(tokens) < 2 || len(tokens) > 6 {
		return false
	}
	core := 0
	longest := 0
	for i, tok := range tokens {
		tok = strings.TrimSuffix(tok, ",")
		letters := 0
		for _, r := range tok {
			switch {
			case unicode.IsLetter(r):
				letters++
			case r == '\'' || r == '’' || r == '-' || r == '.':
			default:
				return false
			}
		}
		if letters == 0 {
			return false
		}
		for _, w := range words(tok) {
			if nameStopWords[w] || foreignNameStopWords[w] || foreignRoleWords[w] && !surnameRoles[w] {
				return false
			}
		}
		lower := strings.ToLower(strings.TrimSuffix(tok, "."))
		if nameSuffixes[lower] && i > 0 {
			continue
		}
		first, _ := utf8.DecodeRuneInString(tok)
		if !unicode.IsUpper(first) && !unicode.IsTitle(first) {
			if i == 0 || i == len(tokens)-1 || !nameParticles[lower] {
				return false
			}
			continue
		}
		core++
		if letters > longest {
			longest = letters
		}
		if i == len(tokens)-1 && letters < 2 {
			return false
		}
	}
	return core >= 2 && core <= 4 && longest >= 2
}

// roleWords mark a line as a job title; a line without one is a department
// label ("Seed/Early", "Operations") or something else entirely.
var roleWords = map[string]bool{
	"partner": true, "partners": true, "principal": true, "associate": true,
	"analyst": true, "director": true, "manager": true, "founder": true,
	"founders": true, "cofounder": true, "ceo": true, "cfo": true, "coo": true,
	"cto": true, "cmo": true, "cio": true, "cpo": true, "cro": true, "vp": true,
	"svp": true, "evp": true, "avp": true, "vice": true, "president": true,
	"chair": true, "chairman": true, "chairwoman": true, "chairperson": true,
	"head": true, "lead": true, "leader": true, "officer": true, "advisor": true,
	"adviser": true, "counsel": true, "controller": true, "assistant": true,
	"engineer": true, "investor": true, "scout": true, "fellow": true, "intern": true,
	"chief": true, "executive": true, "secretary": true, "coordinator": true,
	"specialist": true, "administrator": true, "accountant": true, "consultant": true,
	"member": true, "treasurer": true, "entrepreneur": true, "eir": true,
	"operator": true, "strategist": true, "designer": true, "developer": true,
	"scientist": true, "researcher": true, "recruiter": true, "receptionist": true,
	"attorney": true, "lawyer": true, "editor": true, "writer": true, "producer": true,
	"mentor": true, "trustee": true, "owner": true, "representative": true,
	"paralegal": true, "professor": true, "lecturer": true, "bookkeeper": true, "marketer": true, "md": true, "gp": true,
	"cofounders": true, "directors": true,
}

func hasRoleWord(s string) bool {
	for _, w := range words(s) {
		if roleWords[w] || foreignRoleWords[w] {
			return true
		}
	}
	return hasCJK(s) && containsAny(s, cjkRoleMarkers)
}

// bioMarkers betray a sentence about a person rather than their title.
var bioMarkers = []string{" is ", " was ", " has ", " had ", " joined ", " she ", " he ", " her ", " his ", " i ", " previously ", " prior to "}

func isBio(s string) bool {
	n := len(strings.Fields(s))
	if n > 14 {
		return true
	}
	if strings.HasSuffix(s, ".") && n > 6 {
		return true
	}
	l := " " + strings.ToLower(s) + " "
	for _, m := range bioMarkers {
		if strings.Contains(l, m) {
			return true
		}
	}
	return false
}

// cleanTitle trims separators left over from "Name – Title" layouts, and
// the text of links that follow a title on the same line ("Partner
// LinkedIn", "Principal · Email").
func cleanTitle(s string) string {
	s = strings.Trim(collapse(s), " ,;:|–—-·•/")
	for {
		i := strings.LastIndexAny(s, " ,;|·•/")
		if i < 0 {
			return s
		}
		if !trailingLinkWords[strings.ToLower(s[i+1:])] {
			return s
		}
		s = strings.Trim(s[:i], " ,;:|–—-·•/")
	}
}

// trailingLinkWords are the texts of links set after a title.
var trailingLinkWords = map[string]bool{
	"linkedin": true, "twitter": true, "email": true, "e-mail": true, "mail": true,
	"bio": true, "profile": true, "website": true, "x": true, "vcard": true,
}

// titleLike reports whether s can be a person's job title: short, containing
// a role word, and not a department label, a bio sentence, an address or the
// name itself.
func titleLike(s, name string) bool {
	s = cleanTitle(s)
	if s == "" || utf8.RuneCountInString(s) > 100 {
		return false
	}
	if strings.EqualFold(s, name) || nameLike(s) {
		return false
	}
	if strings.Contains(s, "@") || strings.Contains(strings.ToLower(s), "http") {
		return false
	}
	return hasRoleWord(s) && !isBio(s) && !departmentLabel(s)
}

// nameTitleSeparators split "Name – Title" strings, strongest first.
var nameTitleSeparators = []string{" – ", " — ", " - ", " | ", " · ", " • ", ", ", ": ", "–", "—", "|"}

// splitNameTitle parses "Jane Doe – Managing Partner" and its comma, pipe and
// colon variants. The title part must carry a role word so that "Jane Doe,
// who joined in 2019" is not mistaken for a title.
func splitNameTitle(s string) (name, title string, ok bool) {
	s = collapse(s)
	if utf8.RuneCountInString(s) > 150 {
		return "", "", false
	}
	for _, sep := range nameTitleSeparators {
		i := strings.Index(s, sep)
		if i <= 0 {
			continue
		}
		left := strings.TrimSpace(s[:i])
		right := cleanTitle(s[i+len(sep):])
		if nameLike(left) && titleLike(right, left) {
			return strings.TrimRight(left, ","), right, true
		}
	}
	return "", "", false
}

// cookieish marks paragraphs that are banners or legal text, never a firm's
// description.
var boilerplateMarkers = []string{"cookie", "privacy", "gdpr", "consent", "all rights reserved", "©", "copyright", "terms of use", "terms of service", "javascript", "your browser", "this website uses", "subscribe", "newsletter"}

func isBoilerplate(s string) bool {
	l := strings.ToLower(s)
	for _, m := range boilerplateMarkers {
		if strings.Contains(l, m) {
			return true
		}
	}
	return false
}

// LooksLikeName reports whether s reads as a person's displayed name: two to
// four capitalised words, none of them a word that belongs to a phrase
// (calls to action, company words, roles, places).
func LooksLikeName(s string) bool { return nameLike(s) }

// LooksLikeTitle reports whether s can be the job title of the person named
// name: short, with a role word, not a department label or a sentence.
func LooksLikeTitle(s, name string) bool { return titleLike(s, name) }

// CleanTitle trims the separators that "Name – Title" layouts leave around
// a title.
func CleanTitle(s string) string { return cleanTitle(s) }

// NameKey identifies a person across pages: first and last name folded for
// case, accents, punctuation, honorifics and middle initials.
func NameKey(name string) string { return nameKey(name) }
