package extract

import (
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// cfPath is where Cloudflare's email obfuscation points protected mailto links.
const cfPath = "/cdn-cgi/l/email-protection"

var emailPattern = regexp.MustCompile(`^[A-Za-z0-9._%+\-']+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+$`)

var emailInText = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// cleanEmail lowercases and validates an address; "" when it is not one.
func cleanEmail(s string) string {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "<>.,;"))
	if len(s) > 254 || !emailPattern.MatchString(s) {
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
	switch kind {
	case "in":
		return "https://www.linkedin.com/in/" + segs[1]
	case "pub":
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
