package extract

import (
	"os"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/firm"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		text    string
		typ     string
		stages  string
		sectors string
	}{
		{"Acme Ventures is a seed fund for fintech founders.", "Venture Capital", "Seed", "Fintech"},
		{"We invest at pre-seed and seed in digital health and medical devices.", "", "Pre-seed;Seed", "Healthcare"},
		{"A venture capital firm investing from seed through growth stage in B2B software.", "Venture Capital", "Seed;Series A;Series B;Series C+;Growth", "Enterprise Software"},
		{"Leading Series A and B rounds in AI-first companies.", "", "Series A;Series B", "AI & Machine Learning"},
		{"We back founders from pre-seed to Series A in climate tech.", "Venture Capital", "Pre-seed;Seed;Series A", "Climate & Energy"}, // three hints
		{"An early-stage venture fund for logistics and supply chain software.", "Venture Capital", "Early stage", "Mobility & Logistics"},
		{"Early stage investors, leading seed rounds.", "", "Seed", ""},
		{"Cascade Angels is an angel network; our angel members invest together.", "Angel Network", "", ""},
		{"We co-invest with angel investors and other venture capital firms.", "Venture Capital", "", ""},
		{"A private equity firm making control investments in lower middle market manufacturers.", "Private Equity", "", "Industrial & Hardware"},
		{"Ashford is a growth equity firm for software companies.", "Private Equity", "Growth", "Enterprise Software"},
		{"The 12-week accelerator program ends with Demo Day for each cohort.", "Accelerator", "", ""},
		{"Our incubator gives founders desks and mentorship.", "Incubator", "", ""},
		{"Assembly is a venture studio: a company builder that co-founds startups.", "Venture Studio", "", ""},
		{"Helix Ventures is the corporate venture capital arm of Helix Therapeutics.", "Corporate VC", "", "Biotech & Life Sciences"},
		{"The Whitmore Family Office manages capital for three generations.", "Family Office", "", ""},
		{"Keystone provides venture debt and growth debt to venture-backed companies.", "Venture Debt", "", ""},
		{"A fund of funds backing emerging managers.", "Fund of Funds", "", ""},
		{"We said hello and waited.", "", "", ""},                              // "said" is not "ai"
		{"We help founders in this space and that space.", "", "", ""},         // "this space" is not space tech
		{"Keystone Venture Lending makes term loans.", "Venture Debt", "", ""}, // a lender's lending is not fintech
		{"Investing in satellites, defence and dual-use robotics.", "", "", "Robotics;Space & Aerospace;Defense"},
		{"Crypto, web3 and gaming.", "", "", "Crypto & Web3;Gaming & Media"},
	}
	for _, tc := range cases {
		c := Classify(tc.text)
		if c.InvestorType != tc.typ || strings.Join(c.Stages, ";") != tc.stages || strings.Join(c.Sectors, ";") != tc.sectors {
			t.Errorf("Classify(%q) = %q %q %q, want %q %q %q", tc.text, c.InvestorType, c.Stages, c.Sectors, tc.typ, tc.stages, tc.sectors)
		}
	}
}

// TestTaxonomyDocumented holds TAXONOMY.md and the tables together: every
// label in the tables is documented, and every label the document lists in
// bold or in a table's first column is in the tables.
func TestTaxonomyDocumented(t *testing.T) {
	raw, err := os.ReadFile("TAXONOMY.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	labels := map[string]bool{}
	for _, r := range investorTypes {
		labels[r.label] = true
	}
	for _, s := range stages {
		labels[s.label] = true
	}
	for _, s := range sectors {
		labels[s.label] = true
	}
	for l := range labels {
		if !strings.Contains(doc, "| "+l+" |") && !strings.Contains(doc, "**"+l+"**") {
			t.Errorf("label %q is not documented in TAXONOMY.md", l)
		}
	}
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| label") || strings.HasPrefix(line, "| ---") {
			continue
		}
		l := strings.TrimSpace(strings.Split(line, "|")[1])
		if !labels[l] {
			t.Errorf("TAXONOMY.md documents %q, which the tables do not have", l)
		}
	}
	for _, part := range strings.Split(doc, "**")[1:] {
		if l, _, ok := strings.Cut(part, "**"); ok && len(l) < 30 && !labels[l] && strings.Contains(doc, "**"+l+"**,") {
			t.Errorf("TAXONOMY.md names stage %q, which the tables do not have", l)
		}
	}
}

func TestTierOf(t *testing.T) {
	cases := map[string]int{
		"Managing Partner":                     firm.Tier1,
		"General Partner":                      firm.Tier1,
		"Founding Partner":                     firm.Tier1,
		"Partner":                              firm.Tier1,
		"Partner & Chief Financial Officer":    firm.Tier1,
		"Co-Founder & Managing Partner":        firm.Tier1,
		"Managing Director":                    firm.Tier1,
		"MD":                                   firm.Tier1,
		"Chief Investment Officer":             firm.Tier1,
		"CIO":                                  firm.Tier1,
		"CEO":                                  firm.Tier1,
		"Chief Executive Officer":              firm.Tier1,
		"Founder":                              firm.Tier1,
		"President":                            firm.Tier1,
		"Venture Partner":                      firm.Tier2,
		"Operating Partner, Go-to-Market":      firm.Tier2,
		"Principal":                            firm.Tier2,
		"Principal, Digital Health":            firm.Tier2,
		"Vice President":                       firm.Tier2,
		"Senior Vice President":                firm.Tier2,
		"VP, Platform":                         firm.Tier2,
		"Director of Deal Flow":                firm.Tier2,
		"Investment Director":                  firm.Tier2,
		"Senior Associate":                     firm.Tier2,
		"Associate":                            firm.Tier3,
		"Investment Associate":                 firm.Tier3,
		"Analyst":                              firm.Tier3,
		"Investment Analyst":                   firm.Tier3,
		"Head of Platform":                     firm.TierOther,
		"Chief Financial Officer":              firm.TierOther,
		"Office Manager":                       firm.TierOther,
		"Limited Partner":                      firm.TierOther,
		"Partner Emeritus":                     firm.TierOther,
		"":                                     firm.TierOther,
		"Seed/Early":                           firm.TierOther,
		"Vice President, Finance & Operations": firm.Tier2,
		// Titles that are not the person's role at the firm now.
		"General Partner Emeritus":                        firm.TierOther,
		"Emeritus Partner":                                firm.TierOther,
		"Managing Director (Emeritus)":                    firm.TierOther,
		"Retired Partner":                                 firm.TierOther,
		"Ex-Partner":                                      firm.TierOther,
		"Executive Assistant to the Managing Partner":     firm.TierOther,
		"Chief of Staff to the General Partners":          firm.TierOther,
		"Venture Partner, former CEO of Acme":             firm.Tier2,
		"Associate; previously Partner at Other Ventures": firm.Tier3,
		"Principal, MD, PhD":                              firm.Tier2,
		"Senior Associate, MBA":                           firm.Tier2,
		"Partner, Head of Platform":                       firm.Tier1,
		"Talent Partner":                                  firm.TierOther,
		"Platform Partner":                                firm.TierOther,
		"Investment Partner":                              firm.Tier1,
	}
	for title, want := range cases {
		if got := TierOf(title); got != want {
			t.Errorf("TierOf(%q) = %d, want %d", title, got, want)
		}
	}
}
