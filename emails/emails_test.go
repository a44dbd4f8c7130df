package emails_test

import (
	"testing"

	"github.com/vcenrich/vcenrich/emails"
)

func TestLearnAndPropose(t *testing.T) {
	cases := []struct {
		name    string
		known   []emails.Known
		pattern emails.Pattern // "" when nothing may be learned
		propose map[string]string
	}{
		{"first.last with accents and particles", []emails.Known{
			{"Jane Doe", "jane.doe@acme.vc"}, {"José Núñez", "jose.nunez@acme.vc"}, {"info", "info@acme.vc"},
		}, "first.last", map[string]string{
			"Ludwig van Beethoven": "ludwig.vanbeethoven@acme.vc",
			"Zoë Saldaña-Pérez":    "zoe.saldanaperez@acme.vc",
			"Tom O'Brien, CFA":     "tom.obrien@acme.vc",
			"Dr. Ann Lee":          "ann.lee@acme.vc",
		}},
		{"flast, a particle joined", []emails.Known{
			{"Jane Doe", "jdoe@acme.vc"}, {"Pieter de Vries", "pdevries@acme.vc"}, {"Sam Hill", "SHill@acme.vc"},
		}, "flast", map[string]string{"Maria da Silva": "mdasilva@acme.vc", "Ben Ng": "bng@acme.vc"}},
		{"umlauts spelt out", []emails.Known{{"Käthe Müller", "kaethe.mueller@acme.vc"}, {"Jörg Schütz", "joerg.schuetz@acme.vc"}},
			"first.last", map[string]string{"Tom Reyes": "tom.reyes@acme.vc"}},
		{"directory order: last, first", []emails.Known{{"Becker, Georg", "georg.becker@acme.vc"}, {"Branz, Manuela", "manuela.branz@acme.vc"}},
			"first.last", map[string]string{"Doe, Jane": "jane.doe@acme.vc", "Tom Reyes, CFA": "tom.reyes@acme.vc"}},
		{"first names only", []emails.Known{{"Jane Doe", "jane@acme.vc"}, {"Tom Reyes", "tom@acme.vc"}},
			"first", map[string]string{"Ann Lee": "ann@acme.vc"}},
		{"hyphenated last name matched by one half", []emails.Known{
			{"Ann Smith-Jones", "ann.smith@acme.vc"}, {"Bo Chen", "bo.chen@acme.vc"},
		}, "first.last", nil},
		{"firstl", []emails.Known{{"Jane Doe", "janed@acme.vc"}, {"Tom Reyes", "tomr@acme.vc"}}, "firstl",
			map[string]string{"Ann Lee": "annl@acme.vc"}},
		{"one address is not enough", []emails.Known{{"Jane Doe", "jane.doe@acme.vc"}}, "", nil},
		{"addresses that disagree teach nothing", []emails.Known{
			{"Jane Doe", "jane.doe@acme.vc"}, {"Tom Reyes", "tom.reyes@acme.vc"}, {"Ann Lee", "alee@acme.vc"},
		}, "", nil},
		{"role mailboxes and other domains are left out", []emails.Known{
			{"Jane Doe", "info@acme.vc"}, {"Tom Reyes", "team@acme.vc"}, {"Ann Lee", "ann.lee@gmail.com"}, {"Bo Chen", "bo.chen@other.com"},
		}, "", nil},
		{"initials", []emails.Known{{"J. Robert Doe", "jdoe@acme.vc"}, {"Sam Hill", "shill@acme.vc"}}, "flast",
			map[string]string{"A. B. Smith": "asmith@acme.vc"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, ok := emails.Learn(c.known, "www.acme.vc")
			if c.pattern == "" {
				if ok {
					t.Fatalf("learned %+v from %v", l, c.known)
				}
				return
			}
			if !ok || l.Pattern != c.pattern {
				t.Fatalf("learned %+v (%v), want %s", l, ok, c.pattern)
			}
			for n, want := range c.propose {
				if got := l.Propose(n); got != want {
					t.Errorf("Propose(%q) = %q, want %q", n, got, want)
				}
			}
		})
	}
}

func TestProposeRefusesNamesItCannotSpell(t *testing.T) {
	l := emails.Learned{Domain: "acme.vc", Pattern: "first.last", Support: 3}
	for _, n := range []string{"山田 航司", "Madonna", ""} {
		if got := l.Propose(n); got != "" {
			t.Errorf("Propose(%q) = %q", n, got)
		}
	}
}

func TestHoldout(t *testing.T) {
	known := []emails.Known{
		{"Jane Doe", "jane.doe@acme.vc"}, {"Tom Reyes", "tom.reyes@acme.vc"}, {"Ann Lee", "ann.lee@acme.vc"},
		{"Bo Chen", "bchen@acme.vc"}, // the odd one out
		{"Deals", "deals@acme.vc"},
	}
	r := emails.Holdout(known, "acme.vc")
	// Hiding any first.last address leaves a site that disagrees (bchen),
	// so nothing is learned; hiding bchen leaves three first.last that
	// propose bo.chen, which is wrong.
	if r.Tried != 1 || r.Right != 0 || r.Unlearned != 3 || r.ByPattern["first.last"] != [2]int{1, 0} || len(r.Misses) != 1 {
		t.Errorf("%+v", r)
	}
	r = emails.Holdout(known[:3], "acme.vc")
	if r.Tried != 3 || r.Right != 3 || r.Unlearned != 0 {
		t.Errorf("%+v", r)
	}
}
