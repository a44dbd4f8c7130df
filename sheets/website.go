package sheets

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/idna"

	"github.com/vcenrich/vcenrich/internal/urlkey"
)

// NormalizeWebsite turns what people type into a website cell ("accel.com",
// "www.Accel.com/team", "https://accel.com:443/#x") into an absolute http(s)
// URL with a lower-case host, no fragment, no default port and a path of at
// least "/". It rejects anything that is not a public-looking web address.
func NormalizeWebsite(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("the website is empty")
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "", fmt.Errorf("%q contains spaces", clip(s, 100))
	}
	switch scheme, ok := explicitScheme(s); {
	case ok && scheme != "http" && scheme != "https":
		return "", fmt.Errorf("%q is not a web address: only http and https links are supported", clip(s, 100))
	case ok:
	case strings.HasPrefix(s, "//"):
		s = "https:" + s
	default:
		if at := strings.IndexByte(s, '@'); at >= 0 && !strings.ContainsAny(s[:at], "/?#") {
			return "", fmt.Errorf("%q looks like an email address, not a website", clip(s, 100))
		}
		s = "https://" + s
	}

	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a valid web address", clip(raw, 100))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.User != nil {
		return "", fmt.Errorf("%q contains a user name or password", clip(raw, 100))
	}
	if u.Opaque != "" {
		return "", fmt.Errorf("%q is not a valid web address", clip(raw, 100))
	}
	host, err := normalizeHost(u.Hostname())
	if err != nil {
		return "", fmt.Errorf("%q: %w", clip(raw, 100), err)
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%q has an invalid port", clip(raw, 100))
		}
		if (u.Scheme == "http" && n == 80) || (u.Scheme == "https" && n == 443) {
			port = ""
		} else {
			port = strconv.Itoa(n)
		}
	}
	switch {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		u.Host = "[" + host + "]"
	default:
		u.Host = host
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.ForceQuery = false
	return u.String(), nil
}

// explicitScheme finds a URL scheme the user typed. "accel.com:8080" has no
// scheme even though url.Parse would read "accel.com" as one.
func explicitScheme(s string) (string, bool) {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return "", false
	}
	scheme := s[:colon]
	for i, r := range scheme {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return "", false
		}
	}
	rest := s[colon+1:]
	if strings.HasPrefix(rest, "//") {
		return strings.ToLower(scheme), true
	}
	// host:port, or a path that merely contains a colon
	if strings.Contains(scheme, ".") || rest == "" || (rest[0] >= '0' && rest[0] <= '9') {
		return "", false
	}
	return strings.ToLower(scheme), true // mailto:, javascript:, tel:…
}

// normalizeHost lower-cases a host (internationalised names become their
// ASCII form) and checks that it can be a web host: an IP literal or a dotted
// DNS name whose last label is not numeric.
func normalizeHost(host string) (string, error) {
	if host == "" {
		return "", errors.New("no host name")
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.String(), nil
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("invalid host name %q", host)
	}
	if !strings.Contains(ascii, ".") {
		return "", fmt.Errorf("host name %q has no domain ending such as .com", host)
	}
	if len(ascii) > 253 {
		return "", errors.New("host name is too long")
	}
	labels := strings.Split(ascii, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", fmt.Errorf("invalid host name %q", host)
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", fmt.Errorf("invalid host name %q", host)
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", fmt.Errorf("invalid host name %q", host)
	}
	return ascii, nil
}

// siteKey identifies a website for duplicate detection: what makes the same
// page (urlkey.Page) makes the same firm, and so does a different query,
// which on a website cell is tracking ("?utm_source=...") and never names
// another firm.
func siteKey(site string) string {
	u, err := url.Parse(site)
	if err != nil {
		return site
	}
	u.RawQuery = ""
	return urlkey.Page(u)
}

func hostOf(site string) string {
	u, err := url.Parse(site)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
