package extract

import (
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/net/html"

	"github.com/vcenrich/vcenrich/firm"
)

const (
	maxJSONLDDepth   = 32
	maxJSONLDPersons = maxMembers
)

// personKeys are the JSON-LD properties under which a Person is a member of
// the organisation. A Person elsewhere (top level, @graph) counts only with a
// jobTitle or worksFor, because CMSs emit the page author as a bare Person.
var personKeys = map[string]bool{
	"employee": true, "employees": true, "member": true, "members": true,
	"founder": true, "founders": true, "item": true, "itemlistelement": true,
	"hasmember": true,
}

// orgInfo is what JSON-LD says about the organisation itself.
type orgInfo struct {
	location string
	sameAs   []string
	names    []string // the page's own organisation's names, normalised
}

// orgTypes are the schema.org types a firm describes itself with.
var orgTypes = map[string]bool{
	"organization": true, "corporation": true, "localbusiness": true, "financialservice": true,
	"professionalservice": true, "investmentfund": true, "ngo": true,
}

// jsonLD reads schema.org Person objects, and the organisation's address and
// profiles, from every JSON-LD script.
func jsonLD(root *html.Node) ([]firm.Member, orgInfo) {
	var found []ldPerson
	var org orgInfo
	forEachElement(root, func(n *html.Node) {
		if n.Data != "script" || !strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") {
			return
		}
		if n.FirstChild == nil || len(found) >= maxJSONLDPersons {
			return
		}
		raw := strings.TrimSpace(n.FirstChild.Data)
		// Some CMSs wrap the JSON in an HTML comment or CDATA marker.
		raw = strings.TrimPrefix(strings.TrimPrefix(raw, "<!--"), "//<![CDATA[")
		raw = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(raw), "-->"), "//]]>")
		v, err := decodeOrdered(json.NewDecoder(strings.NewReader(raw)), 0)
		if err != nil {
			return
		}
		walkJSONLD(v, "", 0, &found, &org)
	})
	var out []firm.Member
	for _, p := range found {
		if p.elsewhere(org) {
			continue
		}
		p.m.Confidence = confidence(methodStructured, p.m)
		p.m.Rule = firm.RuleJSONLD
		out = append(out, p.m)
	}
	return out, org
}

// ldPerson is a Person found in JSON-LD, with the organisations it says the
// person works for.
type ldPerson struct {
	m        firm.Member
	worksFor []string // normalised names
}

// elsewhere reports a person who works for another organisation than the
// page's own: the CEO of a portfolio company on a case-study page, not a
// member of the firm's team. Without names on either side, nothing is said
// against them.
func (p ldPerson) elsewhere(org orgInfo) bool {
	if len(p.worksFor) == 0 || len(org.names) == 0 {
		return false
	}
	for _, w := range p.worksFor {
		for _, o := range org.names {
			if strings.Contains(w, o) || strings.Contains(o, w) {
				return false
			}
		}
	}
	return true
}

// orgKey normalises an organisation's name for comparison: letters and
// digits only, lower case ("Acme Ventures, LLC" and "acme ventures" meet).
func orgKey(s string) string {
	return strings.Join(words(s), "")
}

// ldNames are the names an organisation object (or a plain string) gives.
func ldNames(v any) []string {
	var out []string
	switch t := v.(type) {
	case string:
		if k := orgKey(t); k != "" {
			out = append(out, k)
		}
	case []any:
		for _, e := range t {
			out = append(out, ldNames(e)...)
		}
	case *ldObject:
		for _, k := range []string{"name", "alternateName", "legalName"} {
			for _, n := range jsonStrings(t.get(k)) {
				if k := orgKey(n); k != "" {
					out = append(out, k)
				}
			}
		}
	}
	return out
}

func isOrgType(v any) bool {
	switch t := v.(type) {
	case string:
		t = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(t, "http://schema.org/"), "https://schema.org/"), "schema:")
		return orgTypes[strings.ToLower(t)]
	case []any:
		for _, e := range t {
			if isOrgType(e) {
				return true
			}
		}
	}
	return false
}

// readOrg keeps the first address and every profile link of an organisation.
func readOrg(t *ldObject, org *orgInfo, own bool) {
	if org.location == "" {
		org.location = ldAddress(t.get("address"))
	}
	if len(org.sameAs) < 20 {
		org.sameAs = append(org.sameAs, jsonStrings(t.get("sameAs"))...)
	}
	// What a page is about (a case study's company) is not whom it
	// belongs to: only the page's own organisation names its staff.
	if own && len(org.names) < 10 {
		org.names = append(org.names, ldNames(t)...)
	}
}

// ldAddress renders a PostalAddress (or a plain string) as "City, Region,
// Country", which is what a reader wants from a firm's location.
func ldAddress(v any) string {
	switch t := v.(type) {
	case string:
		return truncateRunes(collapse(t), 200)
	case []any:
		for _, e := range t {
			if s := ldAddress(e); s != "" {
				return s
			}
		}
	case *ldObject:
		var parts []string
		for _, k := range []string{"addressLocality", "addressRegion", "addressCountry"} {
			if s := jsonString(t.get(k)); s != "" && !containsFold(parts, s) {
				parts = append(parts, s)
			}
		}
		return truncateRunes(strings.Join(parts, ", "), 200)
	}
	return ""
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// ldObject is a JSON object that remembers its key order, so people come
// out in the order the page lists them.
type ldObject struct {
	keys []string
	vals map[string]any
}

func (o *ldObject) get(k string) any { return o.vals[k] }

// decodeOrdered decodes one JSON value, keeping object key order.
func decodeOrdered(dec *json.Decoder, depth int) (any, error) {
	if depth > maxJSONLDDepth {
		return nil, fmt.Errorf("json-ld nested deeper than %d", maxJSONLDDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("json-ld: %w", err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch d {
	case '{':
		o := &ldObject{vals: map[string]any{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("json-ld key: %w", err)
			}
			k, _ := kt.(string)
			v, err := decodeOrdered(dec, depth+1)
			if err != nil {
				return nil, err
			}
			if _, dup := o.vals[k]; !dup {
				o.keys = append(o.keys, k)
			}
			o.vals[k] = v
		}
		_, err = dec.Token()
		return o, err
	case '[':
		var a []any
		for dec.More() {
			v, err := decodeOrdered(dec, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err = dec.Token()
		return a, err
	}
	return nil, fmt.Errorf("json-ld: unexpected %v", d)
}

func walkJSONLD(v any, key string, depth int, out *[]ldPerson, org *orgInfo) {
	if depth > maxJSONLDDepth || len(*out) >= maxJSONLDPersons {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			walkJSONLD(e, key, depth+1, out, org)
		}
	case *ldObject:
		switch strings.ToLower(key) {
		case "", "@graph", "mainentity", "about":
			// Only the page's own organisation, not a worksFor or
			// alumniOf nested inside a person.
			if isOrgType(t.get("@type")) {
				readOrg(t, org, strings.ToLower(key) != "about")
			}
		}
		if isPersonType(t.get("@type")) {
			_, hasJob := t.vals["jobTitle"]
			_, hasWorks := t.vals["worksFor"]
			if personKeys[strings.ToLower(key)] || hasJob || hasWorks {
				if m, ok := jsonLDPerson(t); ok {
					*out = append(*out, ldPerson{m: m, worksFor: ldNames(t.get("worksFor"))})
				}
			}
		}
		for _, k := range t.keys {
			switch strings.ToLower(k) {
			case "author", "creator", "publisher", "editor", "reviewedby", "accountableperson", "copyrightholder":
				continue
			}
			walkJSONLD(t.vals[k], k, depth+1, out, org)
		}
	}
}

func isPersonType(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(t, "http://schema.org/"), "https://schema.org/"), "person") ||
			strings.EqualFold(t, "schema:Person")
	case []any:
		for _, e := range t {
			if isPersonType(e) {
				return true
			}
		}
	}
	return false
}

// jsonString reads a JSON-LD value that may be a string, a list of strings
// or an object with a name or @value.
func jsonString(v any) string {
	switch t := v.(type) {
	case string:
		return collapse(t)
	case []any:
		for _, e := range t {
			if s := jsonString(e); s != "" {
				return s
			}
		}
	case *ldObject:
		if s := jsonString(t.get("name")); s != "" {
			return s
		}
		return jsonString(t.get("@value"))
	}
	return ""
}

func jsonStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case *ldObject:
		return jsonStrings(t.get("@id"))
	}
	return nil
}

func jsonLDPerson(t *ldObject) (firm.Member, bool) {
	name := jsonString(t.get("name"))
	if name == "" {
		name = collapse(jsonString(t.get("givenName")) + " " + jsonString(t.get("familyName")))
	}
	if !nameLike(name) {
		return firm.Member{}, false
	}
	m := firm.Member{Name: name, Title: cleanTitle(jsonString(t.get("jobTitle")))}
	if m.Title != "" && !titleLike(m.Title, name) {
		m.Title = ""
	}
	for _, k := range []string{"sameAs", "url", "@id"} {
		for _, s := range jsonStrings(t.get(k)) {
			if li := normaliseLinkedIn(s); li != "" && m.LinkedIn == "" {
				m.LinkedIn = li
			}
		}
	}
	if e := jsonString(t.get("email")); e != "" {
		if addrs := mailtoAddresses("mailto:" + strings.TrimPrefix(strings.TrimPrefix(e, "mailto:"), "MAILTO:")); len(addrs) > 0 {
			m.Email = addrs[0]
		}
	}
	return m, true
}

// departmentLabels are group names sites print where a title would go.
var departmentLabels = map[string]bool{
	"seed": true, "early": true, "seed early": true, "growth": true, "investment": true,
	"investment team": true, "investments": true, "operations": true, "platform": true,
	"team": true, "portfolio": true, "finance": true, "marketing": true, "legal": true,
	"administration": true, "admin": true, "talent": true, "community": true,
	"investor relations": true, "finance operations": true, "operations finance": true,
	"platform team": true, "operations team": true, "venture": true, "ventures": true,
	"early stage": true, "late stage": true, "growth stage": true, "seed stage": true,
	"emeritus": true, "alumni": true, "advisors": true, "staff": true, "people": true,
}

func departmentLabel(s string) bool {
	w := words(s)
	var kept []string
	for _, x := range w {
		if x != "and" {
			kept = append(kept, x)
		}
	}
	return departmentLabels[strings.Join(kept, " ")] || !hasRoleWord(s) && len(kept) <= 2 && allDepartmentWords(kept)
}

func allDepartmentWords(w []string) bool {
	if len(w) == 0 {
		return true
	}
	for _, x := range w {
		if !departmentLabels[x] {
			return false
		}
	}
	return true
}

// microdataPerson reads an itemscope element typed schema.org/Person.
func microdataPerson(n *html.Node) (firm.Member, bool) {
	props := map[string]string{}
	var linkedin string
	var walk func(c *html.Node, depth int)
	walk = func(c *html.Node, depth int) {
		if depth > maxWalkDepth {
			return
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			if k.Type != html.ElementNode {
				continue
			}
			for _, prop := range strings.Fields(attr(k, "itemprop")) {
				val := microdataValue(k)
				if li := normaliseLinkedIn(val); li != "" && linkedin == "" {
					linkedin = li
				}
				if _, ok := props[prop]; !ok && val != "" {
					props[prop] = val
				}
			}
			// A nested item (worksFor Organization) has its own name.
			if !hasAttr(k, "itemscope") {
				walk(k, depth+1)
			}
		}
	}
	walk(n, 0)
	name := props["name"]
	if name == "" {
		name = collapse(props["givenName"] + " " + props["familyName"])
	}
	if !nameLike(name) {
		return firm.Member{}, false
	}
	m := firm.Member{Name: name, LinkedIn: linkedin}
	if t := props["jobTitle"]; t != "" && titleLike(t, name) {
		m.Title = cleanTitle(t)
	}
	if e := props["email"]; e != "" {
		if addrs := mailtoAddresses("mailto:" + strings.TrimPrefix(e, "mailto:")); len(addrs) > 0 {
			m.Email = addrs[0]
		}
	}
	return m, true
}

func microdataValue(n *html.Node) string {
	switch n.Data {
	case "a", "link", "area":
		return strings.TrimSpace(attr(n, "href"))
	case "meta":
		return collapse(attr(n, "content"))
	case "img":
		return strings.TrimSpace(attr(n, "src"))
	}
	return collapse(textOf(n))
}

func isMicrodataPerson(n *html.Node) bool {
	if !hasAttr(n, "itemscope") {
		return false
	}
	t := strings.ToLower(attr(n, "itemtype"))
	return strings.Contains(t, "schema.org/person")
}
