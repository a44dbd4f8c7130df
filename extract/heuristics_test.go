package extract

import "testing"

func TestNameLike(t *testing.T) {
	cases := map[string]bool{
		"Jane Doe":                true,
		"Jane A. Doe":             true,
		"J.T. Brooks":             true,
		"Anne-Marie Duval":        true,
		"Sean O'Brien":            true,
		"Tom O’Connell":           true,
		"Ludwig van Beethoven":    true,
		"Chloé Dubois":            true,
		"MARISOL VEGA":            true,
		"Martin Luther King Jr":   true,
		"Jane":                    false,
		"jane doe":                false,
		"Read More":               false,
		"Learn More":              false,
		"Our Team":                false,
		"Meet The Team":           false,
		"Managing Partner":        false,
		"Acme Capital":            false,
		"Blue Ventures":           false,
		"Foo Partners LLC":        false,
		"Seed/Early":              false,
		"Investment Team":         false,
		"San Francisco":           false,
		"New York":                false,
		"Jane Doe, Partner":       false,
		"Fund II":                 false,
		"Could This Be You?":      false,
		"One Two Three Four Five": false,
	}
	for in, want := range cases {
		if got := nameLike(in); got != want {
			t.Errorf("nameLike(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTitles(t *testing.T) {
	cases := []struct {
		in         string
		title, dep bool
	}{
		{"Managing Partner", true, false},
		{"Co-Founder & CEO", true, false},
		{"VP, Platform", true, false},
		{"Head of Talent", true, false},
		{"Chief of Staff", true, false},
		{"Seed/Early", false, true},
		{"Growth", false, true},
		{"Investment Team", false, true},
		{"Operations", false, true},
		{"Platform", false, true},
		{"Team", false, true},
		{"Portfolio", false, true},
		{"Jane joined the firm in 2019 as a Partner after a decade in banking.", false, false},
	}
	for _, c := range cases {
		if got := titleLike(c.in, "Jane Doe"); got != c.title {
			t.Errorf("titleLike(%q) = %v, want %v", c.in, got, c.title)
		}
		if got := departmentLabel(c.in); got != c.dep {
			t.Errorf("departmentLabel(%q) = %v, want %v", c.in, got, c.dep)
		}
	}
}

func TestSplitNameTitle(t *testing.T) {
	cases := []struct{ in, name, title string }{
		{"Jane Doe – Managing Partner", "Jane Doe", "Managing Partner"},
		{"Jane Doe, Partner", "Jane Doe", "Partner"},
		{"Jane Doe | Chief Financial Officer", "Jane Doe", "Chief Financial Officer"},
		{"Jane Doe - Investor Relations Director", "Jane Doe", "Investor Relations Director"},
		{"Jane Doe, who joined us in 2019", "", ""},
		{"Acme Capital – Partner", "", ""},
	}
	for _, c := range cases {
		name, title, ok := splitNameTitle(c.in)
		if name != c.name || title != c.title || ok != (c.name != "") {
			t.Errorf("splitNameTitle(%q) = %q, %q, %v; want %q, %q", c.in, name, title, ok, c.name, c.title)
		}
	}
}

func TestClassifySection(t *testing.T) {
	cases := []struct {
		in   string
		kind sectionKind
		role string
	}{
		{"Our Team", sectionTeam, ""},
		{"Investment Team", sectionTeam, ""},
		{"Meet the Partners", sectionTeam, ""},
		{"Leadership", sectionTeam, ""},
		{"Advisory Board", sectionOther, "Advisor"},
		{"Board of Advisors", sectionOther, "Advisor"},
		{"Board of Directors", sectionOther, "Board Member"},
		{"Venture Partners", sectionOther, "Venture Partner"},
		{"Portfolio Founders", sectionOther, "Portfolio Founder"},
		{"Entrepreneurs in Residence", sectionOther, "Entrepreneur in Residence"},
		{"Operators", sectionOther, "Operator"},
		{"Alumni", sectionOther, "Alumni"},
		{"Mentors", sectionOther, "Mentor"},
		{"Testimonials", sectionSkip, ""},
		{"Team & Advisors", sectionTeam, ""},
		{"Partners and Board", sectionTeam, ""},
		{"Our Approach", sectionNeutral, ""},
		{"We partner with founders at the very earliest stage", sectionNeutral, ""},
	}
	for _, c := range cases {
		kind, role := classifySection(c.in)
		if kind != c.kind || role != c.role {
			t.Errorf("classifySection(%q) = %v %q, want %v %q", c.in, kind, role, c.kind, c.role)
		}
	}
}

func TestWithRole(t *testing.T) {
	cases := []struct{ title, role, want string }{
		{"", "Advisor", "Advisor"},
		{"Senior Advisor", "Advisor", "Senior Advisor"},
		{"Former CFO, Stripe", "Advisor", "Advisor, Former CFO, Stripe"},
		{"Co-Founder & CEO, Acme", "Portfolio Founder", "Co-Founder & CEO, Acme"},
		{"Independent Director", "Board Member", "Independent Director"},
	}
	for _, c := range cases {
		if got := withRole(c.title, c.role); got != c.want {
			t.Errorf("withRole(%q, %q) = %q, want %q", c.title, c.role, got, c.want)
		}
	}
}

func TestNormaliseLinkedIn(t *testing.T) {
	cases := map[string]string{
		"https://www.linkedin.com/in/janedoe/":                 "https://www.linkedin.com/in/janedoe",
		"http://linkedin.com/in/jane-doe-123?trk=x#about":      "https://www.linkedin.com/in/jane-doe-123",
		"https://uk.linkedin.com/in/janedoe":                   "https://www.linkedin.com/in/janedoe",
		"www.linkedin.com/in/janedoe":                          "https://www.linkedin.com/in/janedoe",
		"https://www.linkedin.com/pub/jane-doe/1/2/3":          "https://www.linkedin.com/pub/jane-doe/1/2/3",
		"https://www.linkedin.com/company/acme":                "",
		"https://www.linkedin.com/in/":                         "",
		"https://notlinkedin.com/in/janedoe":                   "",
		"https://evil.example/?u=https://linkedin.com/in/jane": "",
		"https://www.linkedin.com/pub/dir/Jane/Doe":            "",
	}
	for in, want := range cases {
		if got := normaliseLinkedIn(in); got != want {
			t.Errorf("normaliseLinkedIn(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Jane.Doe@Firm.com":        "jane.doe@firm.com",
		" <ops@firm.vc>, ":         "ops@firm.vc",
		"o'brien+deals@firm.co.uk": "o'brien+deals@firm.co.uk",
		"jane@xn--80ak6aa92e.com":  "jane@xn--80ak6aa92e.com",
		"info@example.xn--p1ai":    "info@example.xn--p1ai",
		"jane..doe@firm.com":       "",
		"jane.@firm.com":           "",
		"a@b.123":                  "",
		"a@b.c":                    "",
		"jane@firm":                "",
		"not an address":           "",
	} {
		if got := cleanEmail(in); got != want {
			t.Errorf("cleanEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCloudflareEmail(t *testing.T) {
	cases := map[string]string{
		"5a2e323f351a28333e3d3f3633343f742c39": "theo@ridgeline.vc",
		"5a2e":                                 "",
		"zz":                                   "",
		"":                                     "",
	}
	for in, want := range cases {
		if got := decodeCFEmail(in); got != want {
			t.Errorf("decodeCFEmail(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cfHrefEmail("/cdn-cgi/l/email-protection#5a2e323f351a28333e3d3f3633343f742c39"); got != "theo@ridgeline.vc" {
		t.Errorf("cfHrefEmail = %q", got)
	}
}

func TestNameKey(t *testing.T) {
	cases := map[string]string{
		"Jane A. Doe":           "jane doe",
		"JANE DOE":              "jane doe",
		"Dr. José Núñez-García": "jose garcia",
		"Sean O'Brien Jr.":      "sean obrien",
		"J. Smith":              "j smith",
	}
	for in, want := range cases {
		if got := nameKey(in); got != want {
			t.Errorf("nameKey(%q) = %q, want %q", in, got, want)
		}
	}
}
