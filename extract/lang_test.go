package extract_test

import (
	"testing"

	"github.com/vcenrich/vcenrich/extract"
	"github.com/vcenrich/vcenrich/firm"
)

func TestNamesInOtherScripts(t *testing.T) {
	cases := []struct {
		s    string
		name bool
	}{
		{"张发明", true},
		{"欧阳明远", true},
		{"山田 航司", true},
		{"김창규", true},
		{"José Núñez", true},
		{"高管团队", false}, // "management team"
		{"合伙人", false},  // "partner"
		{"メンバー", false},
		{"投资团队", false},
		{"Nuestro Equipo", false},
		{"Unser Team", false},
		{"Geschäftsführer Partner", false},
	}
	for _, c := range cases {
		if got := extract.LooksLikeName(c.s); got != c.name {
			t.Errorf("LooksLikeName(%q) = %v, want %v", c.s, got, c.name)
		}
	}
}

func TestTitlesInOtherLanguages(t *testing.T) {
	cases := []struct {
		title string
		ok    bool
		tier  int
	}{
		{"Socio Fundador", true, firm.Tier1},
		{"Geschäftsführerin", true, firm.Tier1},
		{"Partner:in", true, firm.Tier1},
		{"Associé", true, firm.Tier1},
		{"Directora de Inversiones", true, firm.Tier2},
		{"Analista", true, firm.Tier3},
		{"共同创始人、合伙人", true, firm.Tier1},
		{"投资经理", true, firm.Tier3},
		{"代表取締役", true, firm.Tier1},
		{"Investimentos", false, firm.TierOther},
	}
	for _, c := range cases {
		if got := extract.LooksLikeTitle(c.title, "Jane Doe"); got != c.ok {
			t.Errorf("LooksLikeTitle(%q) = %v, want %v", c.title, got, c.ok)
		}
		if got := extract.TierOf(c.title); got != c.tier {
			t.Errorf("TierOf(%q) = %d, want %d", c.title, got, c.tier)
		}
	}
}
