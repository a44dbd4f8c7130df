package extract

import (
	"slices"
	"strings"

	"github.com/vcenrich/vcenrich/firm"
)

// tierRule maps a phrase of a title to a decision-maker tier. Rules are
// tried in order, so the specific phrases ("venture partner", "senior
// associate", "managing director", "vice president") come before the words
// they contain.
type tierRule struct {
	phrase string
	tier   int
}

// tierRules: tier 1 decides on investments (partners, managing directors,
// the CIO, the firm's own CEO, founder or president); tier 2 leads deals
// without the final say (principals, vice presidents, directors, senior
// associates, and partners by courtesy: venture, operating, associate
// partners); tier 3 supports deals (associates, analysts). Everything else
// (platform, finance, operations, assistants) is other.
var tierRules = []tierRule{
	{"venture partner", firm.Tier2},
	{"operating partner", firm.Tier2},
	{"associate partner", firm.Tier2},
	{"limited partner", firm.TierOther},
	// Partners by name only: platform roles that carry the word.
	{"talent partner", firm.TierOther},
	{"platform partner", firm.TierOther},
	{"marketing partner", firm.TierOther},
	{"community partner", firm.TierOther},
	{"people partner", firm.TierOther},
	{"content partner", firm.TierOther},
	{"managing partner", firm.Tier1},
	{"general partner", firm.Tier1},
	{"founding partner", firm.Tier1},
	{"managing director", firm.Tier1},
	{"chief investment officer", firm.Tier1},
	{"chief executive officer", firm.Tier1},
	{"partner", firm.Tier1},
	{"partners", firm.Tier1},
	{"gp", firm.Tier1},
	{"md", firm.Tier1},
	{"cio", firm.Tier1},
	{"ceo", firm.Tier1},
	{"founder", firm.Tier1},
	{"cofounder", firm.Tier1},
	{"co founder", firm.Tier1},
	{"senior associate", firm.Tier2},
	{"senior vice president", firm.Tier2},
	{"vice president", firm.Tier2},
	{"principal", firm.Tier2},
	{"vp", firm.Tier2},
	{"svp", firm.Tier2},
	{"evp", firm.Tier2},
	{"president", firm.Tier1},
	{"investment director", firm.Tier2},
	{"director", firm.Tier2},
	{"associate", firm.Tier3},
	{"analyst", firm.Tier3},
}

// TierOf is the decision-maker tier a title states: firm.Tier1, Tier2,
// Tier3 or TierOther. A title naming another company ("CEO of Acme",
// "Founder, Acme") is read as the person's role there, which the section
// split already keeps out of the team, so only its leading role counts.
func TierOf(title string) int {
	w := currentRole(title)
	if len(w) == 0 {
		return firm.TierOther
	}
	if hasCJK(title) {
		for _, m := range cjkTierMarkers {
			if strings.Contains(title, m.marker) {
				return m.tier
			}
		}
	}
	// "Partner & CFO": the best tier any part states.
	best := firm.TierOther
	joined := " " + strings.Join(w, " ") + " "
	used := make([]bool, len(joined))
	for _, r := range slices.Concat(tierRules, foreignTierRules) {
		p := " " + r.phrase + " "
		for from := 0; ; {
			i := strings.Index(joined[from:], p)
			if i < 0 {
				break
			}
			i += from
			from = i + 1
			if used[i+1] {
				continue // part of a more specific phrase already matched
			}
			for k := i + 1; k < i+len(p)-1; k++ {
				used[k] = true
			}
			if r.tier != firm.TierOther && (best == firm.TierOther || r.tier < best) {
				best = r.tier
			}
		}
	}
	return best
}

// currentRole is the words of the part of a title that states the person's
// role at the firm now. An emeritus or retired title states none; a clause
// from "former", "ex-" or "to" on is someone else's role or an old one
// ("Venture Partner, former CEO of Acme", "Assistant to the Managing
// Partner"); and degrees after a comma are not roles ("Principal, MD, PhD").
func currentRole(title string) []string {
	var w []string
	for i, seg := range strings.Split(title, ",") {
		sw := words(seg)
		if i > 0 && len(sw) > 0 && !slices.ContainsFunc(sw, func(x string) bool { return !degrees[x] }) {
			continue
		}
		w = append(w, sw...)
	}
	for i, x := range w {
		switch x {
		case "emeritus", "retired":
			return nil
		case "former", "formerly", "previously", "ex", "to":
			return w[:i]
		}
	}
	return w
}

// degrees are the letters after a name that are qualifications, not roles.
var degrees = map[string]bool{
	"md": true, "phd": true, "dphil": true, "mba": true, "cfa": true, "cpa": true, "jd": true,
	"mph": true, "msc": true, "ms": true, "ma": true, "mphil": true, "bsc": true, "ba": true, "bs": true,
	"pharmd": true, "dds": true, "dvm": true, "frcs": true, "frcp": true, "mrcp": true, "acca": true, "aca": true,
}
