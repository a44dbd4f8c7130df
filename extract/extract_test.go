package extract_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/extract"
	"github.com/vcenrich/vcenrich/firm"
)

// person is the part of a firm.Member a fixture pins down.
type person struct{ Name, Title, LinkedIn, Email string }

func (p person) String() string {
	return fmt.Sprintf("{%q %q %q %q}", p.Name, p.Title, p.LinkedIn, p.Email)
}

func people(ms []firm.Member) []person {
	out := make([]person, len(ms))
	for i, m := range ms {
		out[i] = person{m.Name, m.Title, m.LinkedIn, m.Email}
	}
	return out
}

type fixture struct {
	file       string
	descPrefix string // "" means the page has no description
	jsOnly     bool
	members    []person
	others     []person
}

// fixtures are hand-written pages in the markup of common site builders;
// each lists exactly who a careful reader would take from it.
var fixtures = []fixture{
	{
		file:       "squarespace_grid.html",
		descPrefix: "Larkspur Ventures backs technical founders",
		members: []person{
			{"Maya Okafor", "Founding Partner", "https://www.linkedin.com/in/mayaokafor", ""},
			{"Daniel Fischer", "General Partner", "https://www.linkedin.com/in/daniel-fischer-7b2a1", ""},
			{"Priya Raman", "Principal", "", ""},
			{"Tom O’Connell", "Associate", "", "tom@larkspur.vc"},
		},
	},
	{
		file:       "webflow_cms.html",
		descPrefix: "Northgate is a seed-stage fund",
		members: []person{
			{"Sofia Lindqvist", "Managing Partner", "https://www.linkedin.com/in/sofialindqvist", ""},
			{"Jonas Berg", "Partner", "https://www.linkedin.com/in/jonas-berg-12345", ""},
			{"Amara Nwosu", "Head of Platform", "", "amara@northgate.vc"},
			{"Lukas Meier", "", "", ""},
			{"Chloé Dubois", "Senior Associate", "https://www.linkedin.com/in/chloedubois", ""},
		},
	},
	{
		file:       "wordpress_elementor.html",
		descPrefix: "Harbor Light Capital is a Boston-based venture firm",
		members: []person{
			{"Dr. Ruth Adler", "Co-Founder & Managing Partner", "https://www.linkedin.com/in/ruthadlermd", ""},
			{"Marcus Chen", "General Partner", "https://www.linkedin.com/in/marcus-chen-hlc", ""},
			{"Elena Petrova-Smith", "Vice President, Finance & Operations", "", ""},
		},
	},
	{
		// A case study names the portfolio company's founders in JSON-LD,
		// working for that company: they are not the firm's team.
		file: "jsonld_case_study.html",
		members: []person{
			{"Kenji Watanabe", "Partner", "", ""},
		},
	},
	{
		file:       "jsonld_team.html",
		descPrefix: "Meridian Peak invests in B2B software",
		members: []person{
			{"Harold Whitaker", "Founding Partner", "https://www.linkedin.com/in/haroldwhitaker", ""},
			{"Beatriz Santos", "Managing Partner", "", "beatriz@meridianpeak.com"},
			{"Kenji Watanabe", "Partner", "https://www.linkedin.com/in/kenjiwatanabe", ""},
			{"Olivia Grant", "Associate", "", ""},
			{"Sam Rivera", "", "", ""},
			{"Isabelle Moreau", "Chief Financial Officer", "", ""},
		},
	},
	{
		file:       "microdata.html",
		descPrefix: "Ashford Growth Equity partners with",
		members: []person{
			{"Charlotte Whitfield", "Managing Director", "https://www.linkedin.com/in/cwhitfield", "cwhitfield@ashfordge.com"},
			{"Emeka Okoro", "Principal", "https://www.linkedin.com/in/emeka-okoro", ""},
			{"Grace Lee", "Chief Operating Officer", "", "grace.lee@ashfordge.com"},
		},
	},
	{
		file: "table_team.html",
		members: []person{
			{"Robert J. Callahan", "Managing Partner", "", "rcallahan@granitehill.com"},
			{"Linda Nakamura", "Partner", "", "lnakamura@granitehill.com"},
			{"Steven Park", "Chief Financial Officer", "", "spark@granitehill.com"},
			{"Maria Gonzalez", "Office Manager", "", ""},
		},
	},
	{
		file:       "carousel.html",
		descPrefix: "Bluewater Ventures is an early-stage fund",
		members: []person{
			{"Hannah Schultz", "Managing Partner", "https://www.linkedin.com/in/hannahschultz", ""},
			{"Ravi Menon", "Partner", "https://www.linkedin.com/in/ravimenon", ""},
			{"Grace O'Neill", "Principal", "", ""},
			{"Mateo Alvarez", "Investment Associate", "https://www.linkedin.com/in/mateo-alvarez", ""},
		},
	},
	{
		file:       "advisors_portfolio.html",
		descPrefix: "Cedar & Flint is a pre-seed and seed firm",
		members: []person{
			{"Nadia Haddad", "Founding Partner", "https://www.linkedin.com/in/nadiahaddad", ""},
			{"Owen Price", "Partner", "https://www.linkedin.com/in/owenprice", ""},
			{"Lena Fischer", "Associate", "", ""},
		},
		others: []person{
			{"Arjun Mehta", "Venture Partner", "", ""},
			{"Sara Lindgren", "Venture Partner, Former CMO, Klarna", "", ""},
			{"Dr. Paul Bergström", "Advisor, Professor of Medicine, Karolinska Institutet", "", ""},
			{"Amy Zhao", "Advisor", "", ""},
			{"Kofi Mensah", "Co-Founder & CEO", "", ""},
			{"Ines Carvalho", "Portfolio Founder, CEO", "", ""},
			{"Ben Adeyemi", "Portfolio Founder", "", ""},
		},
	},
	{
		file:       "department_labels.html",
		descPrefix: "Summit Row Capital invests across seed",
		members: []person{
			{"Alex Kowalski", "General Partner", "", ""},
			{"Beatrice Novak", "", "", ""},
			{"Carl Jensen", "Principal", "", ""},
			{"Dina Haddad", "", "", ""},
			{"Eli Rosen", "Head of Talent", "", ""},
			{"Fay Martin", "", "", ""},
			{"Gus Lindholm", "", "", ""},
		},
	},
	{
		file:       "name_title_list.html",
		descPrefix: "Pinecrest Seed Fund was formed in 2012",
		members: []person{
			{"Gregory Hale", "Managing Partner", "", ""},
			{"Anne-Marie Duval", "Partner", "", ""},
			{"Wei Zhang", "Partner & Chief Financial Officer", "", ""},
			{"Jordan Blake", "Associate", "", ""},
			{"Kim Tran", "Office Manager", "", ""},
		},
		others: []person{
			{"Harriet Osei", "Advisor, former CEO, Cascade Bank", "", ""},
			{"Victor Ruiz", "Advisor, Professor of Entrepreneurship, University of Washington", "", ""},
		},
	},
	{
		// One list under a heading naming both: the people are sorted by
		// their own titles, not all sent to the advisors.
		file: "mixed_team_advisors.html",
		members: []person{
			{"Nora Lindgren", "Managing Partner", "", ""},
			{"Felix Adeyemi", "Principal", "", ""},
			{"Omar Haddad", "Partner & Board Member", "", ""},
		},
		others: []person{
			{"Grace Holloway", "Senior Advisor", "", ""},
			{"Lena Fischer", "Board Member", "", ""},
		},
	},
	{
		file:       "cloudflare_emails.html",
		descPrefix: "Ridgeline Ventures backs developer-tools",
		members: []person{
			{"Theo Marchetti", "Managing Partner", "", "theo@ridgeline.vc"},
			{"Yasmin Farouk", "Partner", "", "yasmin@ridgeline.vc"},
			{"Nils Eriksson", "Senior Associate", "", "nils.eriksson@ridgeline.vc"},
		},
	},
	{
		file:       "image_alt_grid.html",
		descPrefix: "Foxglove Capital is a women-led venture firm",
		members: []person{
			{"Julia Hartmann", "Founding Partner", "", ""},
			{"Marco Rossi", "Partner", "", ""},
			{"Aisha Bello", "Investment Manager", "https://www.linkedin.com/in/aishabello", ""},
		},
	},
	{
		file:   "spa_shell.html",
		jsOnly: true,
	},
	{
		file:       "no_people.html",
		descPrefix: "Oakline Ventures invests $1–3M in seed-stage companies",
	},
	{
		file:       "heading_pairs.html",
		descPrefix: "Beacon Street Partners is a Boston venture firm",
		members: []person{
			{"James Donnelly", "Managing General Partner", "https://www.linkedin.com/in/jamesdonnelly", "james@beaconstreet.example"},
			{"Sarah Kim", "General Partner", "https://www.linkedin.com/in/sarah-kim-bsp", ""},
			{"Michael A. Torres", "Vice President", "", ""},
		},
	},
	{
		file:       "divi_modals.html",
		descPrefix: "Copperline Ventures is a Chicago-based seed fund",
		members: []person{
			{"Rachel Goldberg", "Founder & Managing Partner", "https://www.linkedin.com/in/rachelgoldberg", ""},
			{"Devendra Patel", "Partner", "https://www.linkedin.com/in/devpatel-chi", ""},
			{"Marisol Vega", "ASSOCIATE", "", ""},
			{"J.T. Brooks", "Chief of Staff", "", ""},
		},
	},
	{
		file:       "rows_sections.html",
		descPrefix: "Bill co-founded Stonebridge in 2004.",
		members: []person{
			{"William Hollis", "Managing General Partner", "https://www.linkedin.com/in/billhollis", ""},
			{"Ngozi Achebe", "General Partner", "https://www.linkedin.com/in/ngoziachebe", "ngozi@stonebridgevp.com"},
		},
		others: []person{
			{"Deborah Kaplan", "Operating Partner, Go-to-Market", "", ""},
			{"Rafael Silva", "Operating Partner", "", ""},
			{"Frances Oduya", "Chair", "", ""},
			{"Thomas van der Berg", "Independent Director", "", ""},
		},
	},
	{
		file:       "name_links.html",
		descPrefix: "Fjord Capital is an Oslo and Stockholm based seed investor",
		members: []person{
			{"Ingrid Solberg", "", "", ""},
			{"Magnus Aas", "", "", ""},
			{"Linnéa Holm", "", "", ""},
			{"Erik Johansson", "", "", ""},
		},
	},
	{
		file:       "single_profile.html",
		descPrefix: "Eleanor joined Thistle Ventures in 2019",
		members: []person{
			{"Eleanor Whitcombe", "Partner", "https://www.linkedin.com/in/eleanorwhitcombe", "eleanor@thistle.vc"},
		},
	},
}

const fixtureURL = "https://www.example-vc.com/team"

func parseFixture(t testing.TB, file string) *extract.Page {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(fixtureURL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := extract.Parse(body, u)
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return p
}

func TestParseFixtures(t *testing.T) {
	for _, f := range fixtures {
		t.Run(strings.TrimSuffix(f.file, ".html"), func(t *testing.T) {
			p := parseFixture(t, f.file)
			comparePeople(t, "Members", people(p.Members), f.members)
			comparePeople(t, "Others", people(p.Others), f.others)
			for _, m := range append(append([]firm.Member(nil), p.Members...), p.Others...) {
				if m.SourceURL != fixtureURL {
					t.Errorf("%s: SourceURL = %q, want the page URL", m.Name, m.SourceURL)
				}
			}
			if f.descPrefix == "" && p.Description != "" {
				t.Errorf("Description = %q, want none", p.Description)
			}
			if !strings.HasPrefix(p.Description, f.descPrefix) {
				t.Errorf("Description = %q, want prefix %q", p.Description, f.descPrefix)
			}
			if p.JSOnly != f.jsOnly {
				t.Errorf("JSOnly = %v, want %v", p.JSOnly, f.jsOnly)
			}
		})
	}
}

func comparePeople(t *testing.T, what string, got, want []person) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d, want %d\n got: %v\nwant: %v", what, len(got), len(want), got, want)
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestCorpusQuality scores extraction over every fixture as a whole: a record
// counts as found only when name, title, LinkedIn and email all match and it
// landed on the right side (Members or Others).
func TestCorpusQuality(t *testing.T) {
	var tp, extracted, expected int
	for _, f := range fixtures {
		p := parseFixture(t, f.file)
		want := map[string]bool{}
		for _, w := range f.members {
			want["M"+w.String()] = true
		}
		for _, w := range f.others {
			want["O"+w.String()] = true
		}
		expected += len(want)
		for _, g := range people(p.Members) {
			extracted++
			if want["M"+g.String()] {
				tp++
			}
		}
		for _, g := range people(p.Others) {
			extracted++
			if want["O"+g.String()] {
				tp++
			}
		}
	}
	if extracted == 0 || expected == 0 {
		t.Fatalf("extracted %d, expected %d: nothing to score", extracted, expected)
	}
	precision := float64(tp) / float64(extracted)
	recall := float64(tp) / float64(expected)
	t.Logf("precision %.3f (%d/%d), recall %.3f (%d/%d)", precision, tp, extracted, recall, tp, expected)
	if precision < 0.95 {
		t.Errorf("precision %.3f below 0.95", precision)
	}
	if recall < 0.90 {
		t.Errorf("recall %.3f below 0.90", recall)
	}
}

func TestFixturesAllListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range fixtures {
		listed[f.file] = true
	}
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s has no expectations in the fixtures table", f)
		}
	}
}
