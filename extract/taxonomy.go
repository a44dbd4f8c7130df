package extract

import "strings"

// The keyword taxonomy that classifies a firm from what its site says:
// investor type, stages and sectors. TAXONOMY.md explains it for people;
// these tables are the source of truth and the tests hold the two together.
// Phrases are matched as whole words on lower-cased text whose punctuation
// has been turned into spaces, so "pre-seed" is written "pre seed".

// typeRule scores one investor type: a strong phrase says it outright (3
// points each), a weak one hints at it (1 point, once).
type typeRule struct {
	label  string
	strong []string
	weak   []string
}

// investorTypes in order of precedence: on equal scores the more specific
// type (earlier) wins, since a corporate arm or an accelerator also calls
// itself venture capital.
var investorTypes = []typeRule{
	{"Corporate VC", []string{"corporate venture", "corporate venture capital", "cvc", "corporate venturing", "strategic investment arm", "venture arm", "corporate investment arm"}, []string{"strategic investments", "subsidiary"}},
	{"Venture Debt", []string{"venture debt", "venture lending", "growth debt", "venture loans", "non dilutive capital", "debt financing"}, []string{"lender", "loans", "credit facility"}},
	{"Family Office", []string{"family office", "single family office", "multi family office"}, []string{"family capital", "generations"}},
	{"Fund of Funds", []string{"fund of funds", "invests in venture funds", "emerging managers"}, []string{"limited partner in"}},
	{"Venture Studio", []string{"venture studio", "startup studio", "company builder", "venture builder", "we build companies", "studio model"}, []string{"co found", "cofound"}},
	{"Accelerator", []string{"accelerator", "accelerator program", "acceleration program", "demo day"}, []string{"cohort", "batch", "program"}},
	{"Incubator", []string{"incubator", "incubation program", "incubation"}, []string{"co working", "coworking"}},
	{"Angel Network", []string{"angel network", "angel group", "network of angel investors", "angel investing group", "angel members"}, []string{"angels", "members", "angel investors"}},
	{"Private Equity", []string{"private equity", "buyout", "buyouts", "leveraged buyout", "middle market", "lower middle market", "control investments", "growth equity"}, []string{"add on acquisitions", "ebitda", "platform investments"}},
	{"Venture Capital", []string{"venture capital", "venture firm", "vc firm", "venture fund", "seed fund", "early stage fund", "early stage venture", "venture investor", "venture investors"}, []string{"ventures", "startups", "founders", "series a", "seed"}},
}

// stageRule is one investment stage and the phrases that name it.
type stageRule struct {
	label   string
	phrases []string
	ranged  []string // how a range ("from seed to series a") names it
}

// stages in the order of a company's life. "Early stage" stands in only
// when no specific early stage is named.
var stages = []stageRule{
	{"Pre-seed", []string{"pre seed", "preseed", "idea stage"}, []string{"pre seed", "preseed"}},
	{"Seed", []string{"seed", "seed stage", "seed round"}, []string{"seed"}},
	{"Early stage", []string{"early stage", "early stages"}, nil},
	{"Series A", []string{"series a"}, []string{"series a"}},
	{"Series B", []string{"series b", "series a and b", "series a b", "series a or b"}, []string{"series b"}},
	{"Series C+", []string{"series c", "series d", "series e", "late stage", "later stage", "pre ipo"}, []string{"series c", "series d", "late stage", "later stage"}},
	{"Growth", []string{"growth stage", "growth stages", "growth equity", "growth capital", "expansion stage", "growth rounds", "growth round"}, []string{"growth", "growth stage"}},
}

// rangeWords join the two ends of a stage range.
var rangeWords = []string{"to", "through", "thru", "until", "and up to"}

// sectorRule is one sector niche and the phrases that name it.
type sectorRule struct {
	label   string
	phrases []string
}

var sectors = []sectorRule{
	{"Fintech", []string{"fintech", "financial services", "financial technology", "payments", "banking", "digital lending", "lending platforms", "wealth management", "embedded finance", "neobank"}},
	{"Insurtech", []string{"insurtech", "insurance"}},
	{"Healthcare", []string{"healthcare", "health care", "digital health", "healthtech", "health tech", "medtech", "medical devices", "care delivery"}},
	{"Biotech & Life Sciences", []string{"biotech", "biotechnology", "life sciences", "therapeutics", "drug discovery", "genomics", "synthetic biology"}},
	{"Enterprise Software", []string{"enterprise software", "b2b software", "saas", "b2b saas", "enterprise saas", "vertical saas", "future of work", "software companies"}},
	{"Developer Tools", []string{"developer tools", "devtools", "developer platforms", "developer infrastructure", "open source"}},
	{"AI & Machine Learning", []string{"ai", "artificial intelligence", "machine learning", "applied ai", "generative ai", "llm", "llms", "deep learning"}},
	{"Data & Cloud Infrastructure", []string{"data infrastructure", "infrastructure software", "cloud infrastructure", "devops", "databases", "data platforms", "analytics infrastructure"}},
	{"Cybersecurity", []string{"cybersecurity", "cyber security", "security", "infosec", "identity and access"}},
	{"Climate & Energy", []string{"climate", "climate tech", "cleantech", "clean energy", "energy", "sustainability", "decarbonization", "decarbonisation", "renewable", "renewables", "carbon"}},
	{"Industrial & Hardware", []string{"industrial", "industrials", "hardware", "manufacturing", "manufacturers", "advanced manufacturing", "industrial tech", "factory", "factories"}},
	{"Robotics", []string{"robotics", "robots", "autonomous systems"}},
	{"Consumer", []string{"consumer", "d2c", "dtc", "direct to consumer", "consumer brands", "cpg"}},
	{"Marketplaces", []string{"marketplace", "marketplaces"}},
	{"Commerce & Retail", []string{"ecommerce", "e commerce", "retail", "commerce"}},
	{"Edtech", []string{"edtech", "education", "education technology"}},
	{"Real Estate & Proptech", []string{"proptech", "real estate", "construction", "construction tech", "contech"}},
	{"Mobility & Logistics", []string{"mobility", "logistics", "transportation", "freight", "shipping", "supply chain"}},
	{"Food & Agriculture", []string{"agtech", "agriculture", "agrifood", "foodtech", "food tech", "food", "farming"}},
	{"Space & Aerospace", []string{"aerospace", "space tech", "spacetech", "satellites", "satellite", "space economy", "new space"}},
	{"Defense", []string{"defense", "defence", "national security", "dual use"}},
	{"Crypto & Web3", []string{"crypto", "web3", "blockchain", "defi", "digital assets"}},
	{"Gaming & Media", []string{"gaming", "games", "entertainment", "creator economy", "digital media"}},
	{"Deep Tech", []string{"deep tech", "deeptech", "quantum", "semiconductors", "photonics", "frontier tech"}},
}

// Classification is what the taxonomy reads from a firm's own words.
type Classification struct {
	InvestorType string   // one of the investorTypes labels, "" when nothing says
	Stages       []string // in the order of the stages table
	Sectors      []string // in the order of the sectors table
}

// Classify reads investor type, stages and sectors from text: the firm's
// description and the text of its homepage and about page (not its team
// page, whose department labels would read as stages).
func Classify(text string) Classification {
	norm := " " + strings.Join(words(text), " ") + " "
	var c Classification

	best, bestScore := "", 0
	for _, r := range investorTypes {
		score := 0
		for _, p := range r.strong {
			score += 3 * min(strings.Count(norm, " "+p+" "), 3)
		}
		for _, p := range r.weak {
			if strings.Contains(norm, " "+p+" ") {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = r.label, score
		}
	}
	// A type needs one strong phrase, or several hints together.
	if bestScore >= 3 {
		c.InvestorType = best
	}

	found := make([]bool, len(stages))
	for i, s := range stages {
		for _, p := range s.phrases {
			n := strings.Count(norm, " "+p+" ")
			if s.label == "Seed" && p == "seed" {
				// "pre-seed" holds "seed" but is not seed.
				n -= strings.Count(norm, " pre seed ")
			}
			if n > 0 {
				found[i] = true
			}
		}
	}
	// "from seed to series B" covers everything in between.
	for i, a := range stages {
		for j := i + 1; j < len(stages); j++ {
			if inRange(norm, a.ranged, stages[j].ranged) {
				for k := i; k <= j; k++ {
					found[k] = stages[k].ranged != nil || found[k]
				}
			}
		}
	}
	specificEarly := found[0] || found[1] || found[3]
	for i, s := range stages {
		if found[i] && !(s.label == "Early stage" && specificEarly) {
			c.Stages = append(c.Stages, s.label)
		}
	}

	for _, s := range sectors {
		for _, p := range s.phrases {
			if strings.Contains(norm, " "+p+" ") {
				c.Sectors = append(c.Sectors, s.label)
				break
			}
		}
	}
	return c
}

func inRange(norm string, from, to []string) bool {
	for _, a := range from {
		for _, w := range rangeWords {
			for _, b := range to {
				if strings.Contains(norm, " "+a+" "+w+" "+b+" ") {
					return true
				}
			}
		}
	}
	return false
}
