package extract

import (
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/vcenrich/vcenrich/internal/urlkey"
)

// cfPath is where Cloudflare's email obfuscation points protected mailto links.
const cfPath = "/cdn-cgi/l/email-protection"

var emailPattern = regexp.MustCompile(`^[A-Za-z0-9._%+\-']+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+$`)

var emailInText = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// cleanEmail lowercases and validates an address; "" when it is not one.
// Beyond the pattern: no dot at either end of the name or two in a row
// ("jane..doe@"), and a top-level domain of letters ("a@b.123" is not mail).
func cleanEmail(s string) string {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "<>.,;"))
	if len(s) > 254 || !emailPattern.MatchString(s) {
		return ""
	}
	local, domain, _ := strings.Cut(s, "@")
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return ""
	}
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if !strings.HasPrefix(tld, "xn--") && (len(tld) < 2 || strings.ContainsFunc(tld, func(r rune) bool { return r < 'a' || r > 'z' })) {
		return ""
	}
	return s
}

// mailtoAddresses decodes a mailto: href into its addresses.
func mailtoAddresses(href string) []string {
	href = strings.TrimSpace(href)
	if len(href) < 7 || !strings.EqualFold(href[:7], "mailto:") {
		return nil
	}
	rest := href[7:]
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	if dec, err := url.PathUnescape(rest); err == nil {
		rest = dec
	}
	var out []string
	for _, part := range strings.Split(rest, ",") {
		if e := cleanEmail(part); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// decodeCFEmail reverses Cloudflare's obfuscation: hex bytes where the first
// byte is the XOR key for the rest.
func decodeCFEmail(encoded string) string {
	raw, err := hex.DecodeString(strings.TrimSpace(encoded))
	if err != nil || len(raw) < 2 {
		return ""
	}
	key := raw[0]
	out := make([]byte, len(raw)-1)
	for i, b := range raw[1:] {
		out[i] = b ^ key
	}
	return cleanEmail(string(out))
}

// cfHrefEmail decodes an href pointing at Cloudflare's protection page.
func cfHrefEmail(href string) string {
	i := strings.Index(href, cfPath)
	if i < 0 {
		return ""
	}
	rest := href[i+len(cfPath):]
	j := strings.IndexByte(rest, '#')
	if j < 0 {
		return ""
	}
	return decodeCFEmail(rest[j+1:])
}

// elementEmails returns the addresses an element itself carries: a mailto or
// Cloudflare-protected href, or a data-cfemail attribute.
func elementEmails(n *html.Node) []string {
	var out []string
	if n.Data == "a" {
		href := attr(n, "href")
		out = append(out, mailtoAddresses(href)...)
		if e := cfHrefEmail(href); e != "" {
			out = append(out, e)
		}
	}
	if v := attr(n, "data-cfemail"); v != "" {
		if e := decodeCFEmail(v); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// normaliseLinkedIn turns any spelling of a LinkedIn profile URL into
// https://www.linkedin.com/in/<slug>; "" when href is not a personal profile.
func normaliseLinkedIn(href string) string {
	href = strings.TrimSpace(href)
	if !strings.Contains(strings.ToLower(href), "linkedin.com/") {
		return ""
	}
	if strings.HasPrefix(href, "//") {
		href = "https:" + href
	} else if !strings.Contains(href, "://") {
		href = "https://" + href
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return ""
	}
	segs := strings.FieldsFunc(u.EscapedPath(), func(r rune) bool { return r == '/' })
	if len(segs) < 2 {
		return ""
	}
	kind := strings.ToLower(segs[0])
	if kind == "profile" && strings.EqualFold(segs[1], "view") {
		// The old profile address: the member's number is the profile.
		if id := u.Query().Get("id"); id != "" {
			return "https://www.linkedin.com/profile/view?id=" + url.QueryEscape(id)
		}
		return ""
	}
	switch kind {
	case "in":
		return "https://www.linkedin.com/in/" + segs[1]
	case "pub":
		if strings.EqualFold(segs[1], "dir") {
			return "" // a directory search for a name, not a profile
		}
		return "https://www.linkedin.com/pub/" + strings.Join(segs[1:], "/")
	}
	return ""
}

// linkedInKey compares profile URLs regardless of case.
func linkedInKey(s string) string {
	if n := normaliseLinkedIn(s); n != "" {
		return strings.ToLower(n)
	}
	return ""
}

// Text obfuscations of "@" and "." that sites use to keep addresses from
// harvesters: "jane [at] firm [dot] com", "jane(at)firm.com".
var (
	obfuscatedAt  = regexp.MustCompile(`(?i)\s*[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]\s*`)
	obfuscatedDot = regexp.MustCompile(`(?i)\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*`)
)

// deobfuscate rewrites bracketed "at" and "dot" back to "@" and ".".
func deobfuscate(s string) string {
	if !obfuscatedAt.MatchString(s) {
		return s
	}
	return obfuscatedDot.ReplaceAllString(obfuscatedAt.ReplaceAllString(s, "@"), ".")
}

// firstTextEmail is the first address written out in s, plain or obfuscated.
func firstTextEmail(s string) string {
	if !strings.Contains(s, "@") && !obfuscatedAt.MatchString(s) {
		return ""
	}
	return cleanEmail(emailInText.FindString(deobfuscate(s)))
}

// EmailsInText returns the addresses written out in text, plain or
// obfuscated ("jane [at] firm [dot] com"), lower case and deduplicated, at
// most max.
func EmailsInText(text string, max int) []string {
	if max <= 0 || !strings.Contains(text, "@") && !obfuscatedAt.MatchString(text) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, raw := range emailInText.FindAllString(deobfuscate(text), 4*max) {
		if e := cleanEmail(raw); e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

// CleanEmail lowercases and validates an address; "" when it is not one.
func CleanEmail(s string) string {
	return cleanEmail(strings.TrimPrefix(strings.TrimSpace(s), "mailto:"))
}

// NormaliseLinkedIn turns any spelling of a LinkedIn personal profile URL
// into https://www.linkedin.com/in/<slug>; "" when it is not one.
func NormaliseLinkedIn(href string) string { return normaliseLinkedIn(href) }

// companyLinkedIn turns a LinkedIn company page URL into
// https://www.linkedin.com/company/<slug>; "" when it is not one.
func companyLinkedIn(href string) string {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return ""
	}
	segs := strings.FieldsFunc(u.EscapedPath(), func(r rune) bool { return r == '/' })
	if len(segs) < 2 || !strings.EqualFold(segs[0], "company") && !strings.EqualFold(segs[0], "school") {
		return ""
	}
	return "https://www.linkedin.com/company/" + segs[1]
}

// notTwitterHandles are paths on twitter.com and x.com that are features,
// not accounts.
var notTwitterHandles = map[string]bool{
	"intent": true, "share": true, "home": true, "search": true, "hashtag": true, "i": true,
	"login": true, "signup": true, "explore": true, "settings": true, "messages": true,
	"notifications": true, "tos": true, "privacy": true, "widgets": true,
}

// twitterProfile turns a link to an X/Twitter account into
// https://x.com/<handle>; "" for share buttons, tweets' intents and the like.
func twitterProfile(href string) string {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	switch urlkey.Site(u.Hostname()) {
	case "twitter.com", "x.com", "mobile.twitter.com":
	default:
		return ""
	}
	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	if len(segs) == 0 {
		return ""
	}
	handle := strings.TrimPrefix(segs[0], "@")
	if notTwitterHandles[strings.ToLower(handle)] || !twitterHandle.MatchString(handle) {
		return ""
	}
	return "https://x.com/" + handle
}

var twitterHandle = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)

// socialProfiles picks the firm's LinkedIn company page and X/Twitter
// account from the page's links and the organisation's sameAs list. A page
// links many profiles (portfolio companies', a share button's); the firm's
// own are the ones linked most often, the first of equals winning.
func socialProfiles(links []Link, sameAs []string) (linkedin, twitter string) {
	for _, s := range sameAs {
		if linkedin == "" {
			linkedin = companyLinkedIn(s)
		}
		if twitter == "" {
			twitter = twitterProfile(s)
		}
	}
	if linkedin != "" && twitter != "" {
		return linkedin, twitter
	}
	var liOrder, twOrder []string
	liCount, twCount := map[string]int{}, map[string]int{}
	for _, l := range links {
		if li := companyLinkedIn(l.URL); li != "" {
			if liCount[li] == 0 {
				liOrder = append(liOrder, li)
			}
			liCount[li]++
		}
		if tw := twitterProfile(l.URL); tw != "" {
			if twCount[tw] == 0 {
				twOrder = append(twOrder, tw)
			}
			twCount[tw]++
		}
	}
	most := func(order []string, count map[string]int) string {
		best := ""
		for _, k := range order {
			if best == "" || count[k] > count[best] {
				best = k
			}
		}
		return best
	}
	if linkedin == "" {
		linkedin = most(liOrder, liCount)
	}
	if twitter == "" {
		twitter = most(twOrder, twCount)
	}
	return linkedin, twitter
}
