package emails

import "strings"

// HoldoutResult is how well the pattern learned from a site's other
// addresses predicts each one in turn.
type HoldoutResult struct {
	Tried, Right, Unlearned int
	ByPattern               map[Pattern][2]int // pattern learned -> {tried, right}
	Misses                  []string           // "name: proposed, shown"
}

// Holdout hides each personal address on domain in turn, learns from the
// rest and compares the address proposed for the hidden person with the
// one the site shows: the measure of Learn and Propose on real sites.
func Holdout(known []Known, domain string) HoldoutResult {
	r := HoldoutResult{ByPattern: map[Pattern][2]int{}}
	for i, k := range known {
		if _, _, ok := personal(k, domain); !ok {
			continue // a role mailbox, another domain, or a name no address is made from
		}
		rest := append(append([]Known{}, known[:i]...), known[i+1:]...)
		l, ok := Learn(rest, domain)
		if !ok {
			r.Unlearned++
			continue
		}
		got := l.Propose(k.Name)
		r.Tried++
		c := r.ByPattern[l.Pattern]
		c[0]++
		if got == strings.ToLower(strings.TrimSpace(k.Email)) {
			r.Right++
			c[1]++
		} else {
			r.Misses = append(r.Misses, k.Name+": "+got+", shown "+k.Email)
		}
		r.ByPattern[l.Pattern] = c
	}
	return r
}
