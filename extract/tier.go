package extract

import (
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
	{"partner emeritus", firm.TierOther},
	{"emeritus", firm.TierOther},
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
	w := words(title)
	if len(w) == 0 {
		return firm.TierOther
	}
	// "Partner & CFO": the best tier any part states.
	best := firm.TierOther
	joined := " " + strings.Join(w, " ") + " "
	used := make([]bool, len(joined))
	for _, r := range tierRules {
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
