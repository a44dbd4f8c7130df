package realpages

import "testing"

func TestNameKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Jane Doe", "jane doe"},
		{"JANE DOE, CFA, CPA", "jane doe"},
		{"Dr. John Roe", "john roe"},
		{"John Roe, Esq.", "john roe"},
		{"Seán O’Brien", "sean obrien"},
		{"José-María Núñez", "jose maria nunez"},
		{"Dr. Who", "who"},
		{"Don Smith", "don smith"},
		{"岡田 太郎", "岡田太郎"},
		{"Jane Q. Doe PhD", "jane q doe"},
	}
	for _, c := range cases {
		if got := nameKey(c.in); got != c.want {
			t.Errorf("nameKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if k := keysOf("Jane Q. Doe"); k[1] != "jane doe" || k[2] != "doe jane" {
		t.Errorf("keysOf: %q", k)
	}
}

func TestGoldLinkedInKey(t *testing.T) {
	cases := []struct{ a, b string }{
		{"https://www.linkedin.com/in/Jane-Doe/", "linkedin.com/in/jane-doe"},
		{"http://uk.linkedin.com/in/jane?trk=x", "https://linkedin.com/in/jane"},
		{"https://www.linkedin.com/in/jos%C3%A9", "https://linkedin.com/in/josé"},
		{"https://www.linkedin.com/profile/view?id=123&trk=a", "linkedin.com/profile/view?id=123"},
	}
	for _, c := range cases {
		if goldLinkedInKey(c.a) != goldLinkedInKey(c.b) {
			t.Errorf("%q and %q differ: %q vs %q", c.a, c.b, goldLinkedInKey(c.a), goldLinkedInKey(c.b))
		}
	}
	if goldLinkedInKey("https://linkedin.com/in/a") == goldLinkedInKey("https://linkedin.com/in/b") || goldLinkedInKey("") != "" {
		t.Error("different profiles compare equal")
	}
}

func TestTitleOK(t *testing.T) {
	cases := []struct {
		pred          string
		gold          []string
		strict, loose bool
	}{
		{"Managing Partner", []string{"Managing Partner"}, true, true},
		{"Director of Finance and Operations", []string{"Director of Finance & Operations"}, true, true},
		{"Partners", []string{"Partner"}, false, true},
		{"Partner", []string{"General Partner"}, false, true},
		{"Analyst", []string{"Partner", "Analyst"}, true, true},
		{"", []string{"Partner"}, false, false},
		{"Associate", []string{"Partner"}, false, false},
	}
	for _, c := range cases {
		s, l := titleOK(c.pred, c.gold)
		if s != c.strict || l != c.loose {
			t.Errorf("titleOK(%q, %q) = %v, %v; want %v, %v", c.pred, c.gold, s, l, c.strict, c.loose)
		}
	}
}

func TestScorePage(t *testing.T) {
	p := Page{Stem: "x", People: []Person{
		{Name: "Jane Doe", Title: "Partner", LinkedIn: "https://linkedin.com/in/jane"},
		{Name: "John Roe", Title: "Analyst"},
		{Name: "Opt Ional", MentionOnly: true},
	}, NotTeam: []Person{{Name: "Ada Advisor", Kind: "advisor"}}}
	s := ScorePage(p, []Row{
		{Name: "JANE DOE", Title: "Partner", LinkedIn: "https://www.linkedin.com/in/jane/"},
		{Name: "Jane Doe", Title: "Partner"},
		{Name: "Ada Advisor"},
		{Name: "Opt Ional"},
		{Name: "Someone Else"},
	})
	want := PageScore{Page: "x", Gold: 2, Pred: 5, TP: 1, FP: 3, FN: 1, Dup: 1, NotTeam: 1,
		TitleN: 1, TitleOK: 1, TitleLenOK: 1, LinkN: 1, LinkOK: 1, LinkGold: 1, LinkFound: 1}
	s.Notes = nil
	if s.Page != want.Page || s.Gold != want.Gold || s.Pred != want.Pred || s.TP != want.TP || s.FP != want.FP ||
		s.FN != want.FN || s.Dup != want.Dup || s.NotTeam != want.NotTeam || s.TitleOK != want.TitleOK ||
		s.LinkFound != want.LinkFound || s.LinkGold != want.LinkGold {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
}
