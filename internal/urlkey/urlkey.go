// Package urlkey holds the keys URLs are compared by, so that the sheet
// reader, the fetcher, the extractor and the engine tell the same site and
// the same page alike.
package urlkey

import (
	"net/url"
	"strings"
)

// Site is the key of the site a host (with or without a port) belongs to:
// case and a leading "www." do not make another site, since firms answer
// under both names and link to either.
func Site(host string) string {
	return strings.TrimPrefix(strings.ToLower(host), "www.")
}

// Page is the key of the page u names, for "already seen": beyond Site, the
// scheme and a trailing slash do not make another page either. The query
// does, since pages are told apart by it.
func Page(u *url.URL) string {
	return Site(u.Host) + strings.TrimSuffix(u.EscapedPath(), "/") + "?" + u.RawQuery
}
