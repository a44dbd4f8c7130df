package sheets

import (
	"strings"
	"unicode"
)

// columnRule describes how one kind of column may be titled. Aliases are in
// priority order and already normalised. Filler words may surround an alias
// in a looser match ("Main Website", "Name of firm"); anything else around it
// means a different column ("Website Status", "Investor Type", "LinkedIn URL").
type columnRule struct {
	aliases []string
	filler  []string
}

var (
	nameRule = columnRule{
		aliases: []string{"companyname", "firmname", "firm", "name", "organization", "organisation", "investor", "investorname", "fund", "fundname", "company", "vcfirm"},
		filler:  []string{"company", "firm", "fund", "investor", "organization", "organisation", "vc", "full", "legal", "official", "registered", "trading", "display", "the", "of", "s"},
	}
	websiteRule = columnRule{
		aliases: []string{"website", "url", "companywebsiteurl", "websiteurl", "domain", "homepage", "site", "web", "webaddress", "companywebsite", "firmwebsite"},
		filler:  []string{"company", "firm", "fund", "investor", "organization", "organisation", "vc", "main", "primary", "official", "corporate", "our", "the", "of", "url", "link", "address", "s"},
	}
	descriptionRule = columnRule{
		aliases: []string{"description", "about", "overview", "linkedindescription", "summary", "shortdescription"},
		filler:  []string{"company", "firm", "fund", "investor", "organization", "organisation", "vc", "short", "long", "full", "brief", "text", "us", "the", "of", "s"},
	}
)

// normalizeHeader keeps only lower-cased letters and digits, so "Website URL",
// "website_url" and "WebsiteURL" compare equal.
func normalizeHeader(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// matchHeaders maps a candidate header row; ok is false without a website
// column, though name and description may still be recognised for a person
// to confirm.
func matchHeaders(cells []string) (Mapping, bool) {
	norm := make([]string, len(cells))
	for i, c := range cells {
		norm[i] = normalizeHeader(c)
	}
	m := Mapping{Name: -1, Website: -1, Description: -1}
	m.Website = websiteRule.find(norm)
	m.Name = nameRule.find(norm, m.Website)
	m.Description = descriptionRule.find(norm, m.Website, m.Name)
	return m, m.Website >= 0
}

// find returns the column that best matches the rule, skipping taken
// columns: any exact alias beats any looser match, and earlier aliases beat
// later ones.
func (cr columnRule) find(norm []string, taken ...int) int {
	free := func(i int) bool {
		for _, t := range taken {
			if t == i {
				return false
			}
		}
		return norm[i] != ""
	}
	for _, a := range cr.aliases {
		for i, h := range norm {
			if free(i) && h == a {
				return i
			}
		}
	}
	for _, a := range cr.aliases {
		for i, h := range norm {
			if free(i) && cr.loose(h, a) {
				return i
			}
		}
	}
	return -1
}

// maxLooseHeader bounds the looser match: real headers are short, and the
// word-break search is quadratic in the header's length.
const maxLooseHeader = 64

// loose reports whether h is alias a surrounded only by filler words.
func (cr columnRule) loose(h, a string) bool {
	if len(h) > maxLooseHeader {
		return false
	}
	for start := strings.Index(h, a); start >= 0; {
		if cr.fillerOnly(h[:start]) && cr.fillerOnly(h[start+len(a):]) {
			return true
		}
		next := strings.Index(h[start+1:], a)
		if next < 0 {
			break
		}
		start += 1 + next
	}
	return false
}

// fillerOnly reports whether s splits entirely into filler words. Headers
// are short, so the quadratic word-break search is cheap.
func (cr columnRule) fillerOnly(s string) bool {
	ok := make([]bool, len(s)+1)
	ok[0] = true
	for i := 1; i <= len(s); i++ {
		for _, w := range cr.filler {
			if len(w) <= i && ok[i-len(w)] && s[i-len(w):i] == w {
				ok[i] = true
				break
			}
		}
	}
	return ok[len(s)]
}
