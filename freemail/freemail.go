// Package freemail knows the domains of free email providers (gmail.com,
// outlook.com and some fourteen thousand more), whose addresses say nothing
// about the company a person works for.
package freemail

import (
	_ "embed"
	"strings"
	"sync"
)

//go:generate sh gen.sh

//go:embed domains.txt
var list string

var domains = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 16000)
	for line := range strings.Lines(list) {
		if d := strings.TrimSpace(line); d != "" && !strings.HasPrefix(d, "#") {
			m[d] = true
		}
	}
	return m
})

// IsFree reports whether domain (or a domain it is under, as mail.yahoo.co.uk
// is under yahoo.co.uk) belongs to a free email provider.
func IsFree(domain string) bool {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	for d != "" {
		if domains()[d] {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 || !strings.Contains(d[i+1:], ".") {
			return false
		}
		d = d[i+1:]
	}
	return false
}
