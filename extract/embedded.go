package extract

import (
	"encoding/json"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html"

	"github.com/vcenrich/vcenrich/firm"
)

// Sites built with Next.js, Nuxt, Gatsby and most site builders inline the
// data their pages are rendered from: __NEXT_DATA__, window.__NUXT__,
// <script type="application/json"> blobs, or a plain script object
// (`const team = {...}`). People in that data carry fields a card may not
// show (a LinkedIn URL kept for a modal), and on a page rendered by
// JavaScript they are the only people there are.

const (
	maxEmbeddedScriptBytes = 2 << 20 // script text read per page
	maxEmbeddedAttempts    = 4000    // positions where a JSON value is tried in plain scripts
	maxEmbeddedPeople      = maxMembers
)

// nameKeys, titleKeys and linkedInKeys are the field names that data
// objects give a person's name, title and LinkedIn profile.
var (
	personNameKeys  = []string{"name", "fullName", "full_name", "fullname", "displayName", "personName", "memberName"}
	personTitleKeys = []string{"title", "jobTitle", "job_title", "role", "position", "designation", "jobtitle", "subtitle", "occupation"}
	firstNameKeys   = []string{"firstName", "first_name", "firstname", "givenName"}
	lastNameKeys    = []string{"lastName", "last_name", "lastname", "familyName", "surname"}
)

// phpArrays reads the array literals of PHP code left in a template served
// as it is (<?php $team = [["name" => "…", "image" => "…"], …]; ?>): such
// templates keep their people in them and print them with a loop.
func phpArrays(body []byte) []any {
	text := string(body[:min(len(body), maxEmbeddedScriptBytes)])
	var out []any
	for {
		i := strings.Index(text, "<?php")
		if i < 0 {
			return out
		}
		text = text[i+5:]
		j := strings.Index(text, "?>")
		if j < 0 {
			j = len(text)
		}
		if code := text[:j]; strings.Contains(code, "=>") {
			out = append(out, jsonValuesIn(phpToJSON(code))...)
		}
		text = text[j:]
	}
}

// phpToJSON rewrites PHP array literals as JSON: an array whose first item
// is "key" => value becomes an object, single-quoted strings become double
// quoted, and => becomes a colon. Anything else is left for the JSON reader
// to refuse.
func phpToJSON(code string) string {
	var b strings.Builder
	var stack []byte // the closer of each open bracket
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(code) && code[j] != c {
				if code[j] == '\\' {
					j++
				}
				j++
			}
			lit := code[i+1 : min(j, len(code))]
			if c == '\'' {
				lit = strings.ReplaceAll(strings.ReplaceAll(lit, `\'`, `'`), `"`, `\"`)
			}
			b.WriteString(`"` + lit + `"`)
			i = j
		case c == '[':
			rest := strings.TrimLeft(code[i+1:], " \t\r\n")
			if k := strings.IndexAny(rest, "\"'"); k == 0 {
				end := strings.IndexByte(rest[1:], rest[0])
				if end >= 0 && strings.HasPrefix(strings.TrimLeft(rest[end+2:], " \t\r\n"), "=>") {
					b.WriteByte('{')
					stack = append(stack, '}')
					continue
				}
			}
			b.WriteByte('[')
			stack = append(stack, ']')
		case c == ']':
			closer := byte(']')
			if len(stack) > 0 {
				closer, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
			// PHP allows a comma before the closing bracket; JSON does not.
			out := strings.TrimRight(b.String(), " \t\r\n")
			if strings.HasSuffix(out, ",") {
				b.Reset()
				b.WriteString(strings.TrimSuffix(out, ","))
			}
			b.WriteByte(closer)
		case c == '=' && i+1 < len(code) && code[i+1] == '>':
			b.WriteByte(':')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pageLang is the primary language the page declares (<html lang="fr-FR">
// gives "fr").
func pageLang(root *html.Node) string {
	lang := ""
	forEachElement(root, func(n *html.Node) {
		if lang == "" && n.Data == "html" {
			lang = strings.ToLower(attr(n, "lang"))
		}
	})
	l, _, _ := strings.Cut(lang, "-")
	return l
}

// frontMatter reads the YAML front matter of a Jekyll or Hugo source page
// served as it is ("---\nteam_members:\n  - name: …\n---"): such sites keep
// their people in it and render them with a layout.
func frontMatter(body []byte) []firm.Member {
	text := strings.TrimLeft(string(body[:min(len(body), maxEmbeddedScriptBytes)]), "\ufeff \t\r\n")
	rest, ok := strings.CutPrefix(text, "---")
	if !ok || !strings.HasPrefix(rest, "\n") && !strings.HasPrefix(rest, "\r\n") {
		return nil
	}
	end := strings.Index(rest, "\n---")
	if end < 0 {
		return nil
	}
	var v any
	if yaml.Unmarshal([]byte(rest[:end]), &v) != nil {
		return nil
	}
	var out []firm.Member
	seen := map[string]bool{}
	walkEmbedded(v, 0, "", func(m firm.Member) {
		if k := nameKey(m.Name); !seen[k] && len(out) < maxEmbeddedPeople {
			seen[k] = true
			out = append(out, m)
		}
	})
	return out
}

// embeddedPeople reads people from the data scripts of the page (before
// clean removes them).
func embeddedPeople(root *html.Node) []firm.Member {
	lang := pageLang(root)
	var out []firm.Member
	seen := map[string]bool{}
	budget := maxEmbeddedScriptBytes
	add := func(v any) {
		walkEmbedded(v, 0, lang, func(m firm.Member) {
			k := nameKey(m.Name)
			if k == "" || seen[k] || len(out) >= maxEmbeddedPeople {
				return
			}
			seen[k] = true
			out = append(out, m)
		})
	}
	forEachElement(root, func(n *html.Node) {
		if n.Data != "script" || n.FirstChild == nil || budget <= 0 {
			return
		}
		typ := strings.ToLower(attr(n, "type"))
		if strings.Contains(typ, "ld+json") || attr(n, "src") != "" {
			return // JSON-LD has its own reader
		}
		text := n.FirstChild.Data
		if len(text) > budget {
			text = text[:budget]
		}
		budget -= len(text)
		if strings.Contains(typ, "json") {
			var v any
			if json.Unmarshal([]byte(strings.TrimSpace(text)), &v) == nil {
				if arr, ok := v.([]any); ok && attr(n, "id") == "__NUXT_DATA__" {
					v = unflatten(arr)
				}
				add(v)
			}
			return
		}
		if typ != "" && !strings.Contains(typ, "javascript") && typ != "module" {
			return // templates (text/x-template) are markup, read as such elsewhere
		}
		for _, v := range jsonValuesIn(text) {
			add(v)
		}
		// Nuxt 2 and hand-written scripts write object literals with bare
		// keys ({name:"Jane Doe",role:"Partner"}); quoted, they read as JSON.
		if bareKey.MatchString(text) {
			for _, v := range jsonValuesIn(bareKey.ReplaceAllString(text, `$1"$2":`)) {
				add(v)
			}
		}
	})
	return out
}

var bareKey = regexp.MustCompile(`([{,]\s*)([A-Za-z_$][A-Za-z0-9_$]*)\s*:`)

// unflatten rebuilds the data Nuxt 3 serialises flat (devalue): every value
// is an index into the array, objects' fields and arrays' items included,
// and ["Reactive", i]-style pairs wrap a value.
func unflatten(arr []any) any {
	if len(arr) == 0 {
		return nil
	}
	var at func(i, depth int) any
	resolve := func(v any, depth int) any {
		if f, ok := v.(float64); ok && f >= 0 && int(f) < len(arr) && float64(int(f)) == f {
			return at(int(f), depth+1)
		}
		return v
	}
	at = func(i, depth int) any {
		if depth > 32 {
			return nil
		}
		switch t := arr[i].(type) {
		case map[string]any:
			o := make(map[string]any, len(t))
			for k, v := range t {
				o[k] = resolve(v, depth)
			}
			return o
		case []any:
			if len(t) == 2 {
				if tag, ok := t[0].(string); ok && (strings.Contains(tag, "Reactive") || tag == "Ref" || tag == "Set" || tag == "Map") {
					return resolve(t[1], depth)
				}
			}
			out := make([]any, len(t))
			for j, v := range t {
				out[j] = resolve(v, depth)
			}
			return out
		}
		return arr[i]
	}
	return at(0, 0)
}

// jsonValuesIn finds the JSON objects and arrays inside a script: at each
// '{' or '[' outside a value already read, it tries to decode one. JavaScript
// that is not JSON (unquoted keys, functions) fails at its first such token,
// and the objects nested inside it are tried in turn.
func jsonValuesIn(script string) []any {
	var out []any
	attempts := 0
	for i := 0; i < len(script) && attempts < maxEmbeddedAttempts; i++ {
		c := script[i]
		if c != '{' && c != '[' {
			continue
		}
		attempts++
		dec := json.NewDecoder(strings.NewReader(script[i:]))
		var v any
		if err := dec.Decode(&v); err != nil {
			continue
		}
		if _, ok := v.([]any); ok || isObject(v) {
			out = append(out, v)
			i += int(dec.InputOffset()) - 1
		}
	}
	return out
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

// walkEmbedded visits every object in v and reports those that describe a
// person: a field that reads as a person's name and one that reads as their
// title, or a LinkedIn profile.
func walkEmbedded(v any, depth int, lang string, emit func(firm.Member)) {
	if depth > 32 {
		return
	}
	switch t := v.(type) {
	case []any:
		if people := photoRoster(t, lang); len(people) > 0 {
			for _, m := range people {
				emit(m)
			}
			return
		}
		for _, x := range t {
			walkEmbedded(x, depth+1, lang, emit)
		}
	case map[string]any:
		if m, ok := embeddedPerson(t, lang); ok {
			emit(m)
		}
		for _, x := range t {
			walkEmbedded(x, depth+1, lang, emit)
		}
	case string:
		// Next.js and Nuxt sometimes carry their page data as a JSON string,
		// and the App Router as lines of JSON inside script strings
		// (self.__next_f.push([1, "5:[\"$\",\"div\",...]"])).
		if len(t) > 2 && strings.Contains(t, "\"") && strings.ContainsAny(t, "{[") {
			for _, inner := range jsonValuesIn(t) {
				walkEmbedded(inner, depth+1, lang, emit)
			}
		}
	}
}

// firstString is the first of keys that o holds as text; a field
// translated per language ({"fr": "Président", "en": "President"}) gives
// the page's language, else English, else any.
// photoKeys and linkKeys tell a roster of people (each with a photo) from a
// list of companies (each with a logo or a website).
var (
	photoKeys = []string{"image", "photo", "picture", "avatar", "headshot", "portrait", "img"}
	linkKeys  = []string{"logo", "url", "website", "link", "href", "site", "domain"}
)

// photoRoster reads a list of two or more records that each name a person
// and carry a photo and no website: a roster of people even where no title
// is given. Records that name people with titles are read by walkEmbedded.
func photoRoster(list []any, lang string) []firm.Member {
	if len(list) < 2 {
		return nil
	}
	var out []firm.Member
	for _, x := range list {
		o, ok := x.(map[string]any)
		if !ok || firstString(o, photoKeys, "") == "" || firstString(o, linkKeys, "") != "" {
			return nil
		}
		name := stripNickname(firstString(o, personNameKeys, lang))
		if !nameLike(name) {
			return nil
		}
		m, ok := embeddedPerson(o, lang)
		if !ok {
			m = firm.Member{Name: name}
		}
		out = append(out, m)
	}
	return out
}

func firstString(o map[string]any, keys []string, lang string) string {
	for _, k := range keys {
		switch v := o[k].(type) {
		case string:
			if strings.TrimSpace(v) != "" {
				return collapse(stripTags(v))
			}
		case map[string]any:
			for _, l := range []string{lang, "en"} {
				if s, ok := v[l].(string); ok && strings.TrimSpace(s) != "" && l != "" {
					return collapse(stripTags(s))
				}
			}
		}
	}
	return ""
}

// stripTags drops markup a CMS leaves in a field ("<p>Partner</p>").
func stripTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	n, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	return textOf(n)
}

func embeddedPerson(o map[string]any, lang string) (firm.Member, bool) {
	name := firstString(o, personNameKeys, lang)
	if name == "" {
		name = collapse(firstString(o, firstNameKeys, lang) + " " + firstString(o, lastNameKeys, lang))
	}
	name = stripNickname(name)
	if !nameLike(name) {
		return firm.Member{}, false
	}
	m := firm.Member{Name: name}
	if t := cleanTitle(firstString(o, personTitleKeys, lang)); t != "" && titleLike(t, name) {
		m.Title = t
	}
	m.LinkedIn = linkedInIn(o, 0)
	for _, k := range []string{"email", "mail", "emailAddress"} {
		if s, ok := o[k].(string); ok && m.Email == "" {
			if es := EmailsInText(strings.TrimPrefix(s, "mailto:"), 1); len(es) > 0 {
				m.Email = es[0]
			}
		}
	}
	if m.Title == "" && m.LinkedIn == "" {
		return firm.Member{}, false // a name alone: an author, a company, a testimonial
	}
	return m, true
}

// linkedInIn finds a personal LinkedIn profile among the object's own
// string fields and its social-link lists, not in nested people.
func linkedInIn(o map[string]any, depth int) string {
	if depth > 2 {
		return ""
	}
	for k, v := range o {
		switch t := v.(type) {
		case string:
			if li := normaliseLinkedIn(t); li != "" {
				return li
			}
		case map[string]any:
			if _, person := embeddedPerson(t, ""); !person && depth < 2 {
				if li := linkedInIn(t, depth+1); li != "" {
					return li
				}
			}
		case []any:
			low := strings.ToLower(k)
			if strings.Contains(low, "social") || strings.Contains(low, "link") {
				for _, x := range t {
					if s, ok := x.(string); ok {
						if li := normaliseLinkedIn(s); li != "" {
							return li
						}
					}
					if xo, ok := x.(map[string]any); ok {
						if li := linkedInIn(xo, depth+1); li != "" {
							return li
						}
					}
				}
			}
		}
	}
	return ""
}

// templatePeople reads the people of the PHP arrays in a raw template.
func templatePeople(body []byte) []firm.Member {
	var out []firm.Member
	seen := map[string]bool{}
	for _, v := range phpArrays(body) {
		walkEmbedded(v, 0, "", func(m firm.Member) {
			if k := nameKey(m.Name); !seen[k] && len(out) < maxEmbeddedPeople {
				seen[k] = true
				out = append(out, m)
			}
		})
	}
	return out
}
