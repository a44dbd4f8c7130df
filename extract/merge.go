package extract

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/vcenrich/vcenrich/firm"
)

// honorifics are dropped before comparing names.
var honorifics = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "mx": true, "prof": true, "sir": true, "dame": true}

// nameTokens folds a name to comparable words: lowercase, accents removed,
// apostrophes joined ("O'Brien" = "obrien"), other punctuation split, and
// honorifics, suffixes and middle initials dropped.
func nameTokens(name string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '\'' || r == '’' || r == '‘':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	var kept, initials []string
	for _, t := range strings.Fields(b.String()) {
		switch {
		case honorifics[t] || nameSuffixes[t]:
		case len([]rune(t)) == 1:
			initials = append(initials, t)
		default:
			kept = append(kept, t)
		}
	}
	if len(kept) < 2 {
		// "J. Smith": the initial is all there is of the first name.
		return append(initials, kept...)
	}
	return kept
}

// nameKey identifies a person by first and last name, so "Jane A. Doe",
// "Jane Doe" and "JANE DOE" coincide.
func nameKey(name string) string {
	t := nameTokens(name)
	switch len(t) {
	case 0:
		return ""
	case 1:
		return t[0]
	}
	return t[0] + " " + t[len(t)-1]
}

// namesCompatible guards LinkedIn-based merging against a template that gives
// every card the same profile link: the names must share a first or last word.
func namesCompatible(a, b string) bool {
	ta, tb := nameTokens(a), nameTokens(b)
	if len(ta) == 0 || len(tb) == 0 {
		return false
	}
	return ta[0] == tb[0] || ta[len(ta)-1] == tb[len(tb)-1]
}

func richness(m firm.Member) int {
	n := 0
	for _, s := range []string{m.Title, m.LinkedIn, m.Email} {
		if s != "" {
			n++
		}
	}
	return n
}

// Merge deduplicates members across pages by normalised name (case, accents,
// punctuation, middle initials) and LinkedIn URL, keeping the richest record
// (fill missing title/linkedin/email/profile from duplicates, keep the
// highest confidence). Output is in order of first appearance.
func Merge(lists ...[]firm.Member) []firm.Member {
	var all []firm.Member
	for _, l := range lists {
		for _, m := range l {
			m.Name = collapse(m.Name)
			if nameKey(m.Name) == "" {
				continue
			}
			all = append(all, m)
		}
	}
	parent := make([]int, len(all))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if ra < rb {
			parent[rb] = ra
		} else {
			parent[ra] = rb
		}
	}
	byName := map[string]int{}
	byLinkedIn := map[string][]int{}
	for i, m := range all {
		k := nameKey(m.Name)
		if j, ok := byName[k]; ok {
			union(i, j)
		} else {
			byName[k] = i
		}
		li := linkedInKey(m.LinkedIn)
		if li == "" {
			continue
		}
		for _, j := range byLinkedIn[li] {
			if namesCompatible(m.Name, all[j].Name) {
				union(i, j)
			}
		}
		byLinkedIn[li] = append(byLinkedIn[li], i)
	}
	groups := map[int][]int{}
	var roots []int
	for i := range all {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	out := make([]firm.Member, 0, len(roots))
	for _, r := range roots {
		idx := groups[r]
		best := idx[0]
		for _, i := range idx[1:] {
			if richness(all[i]) > richness(all[best]) {
				best = i
			}
		}
		m := all[best]
		for _, i := range idx {
			d := all[i]
			if m.Title == "" {
				m.Title = d.Title
			}
			if m.LinkedIn == "" {
				m.LinkedIn = d.LinkedIn
			}
			if m.Email == "" {
				m.Email = d.Email
			}
			if m.SourceURL == "" {
				m.SourceURL = d.SourceURL
			}
			if m.ProfileURL == "" {
				m.ProfileURL = d.ProfileURL
			}
			m.Confidence = max(m.Confidence, d.Confidence)
		}
		out = append(out, m)
	}
	return out
}
