package changes

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/firm"
)

func ok(team []firm.Member, companies ...string) firm.Result {
	r := firm.Result{Status: firm.StatusOK, Team: team, Website: firm.WebsiteOK, FinalURL: "https://acme.vc/"}
	for _, c := range companies {
		r.Portfolio = append(r.Portfolio, firm.Company{Name: c})
	}
	return r
}

// brief is a change without the firm's fields, for comparing.
type brief struct {
	Kind              Kind
	Subject, Old, New string
	Detail            string
}

func briefs(cs []Change) []brief {
	out := make([]brief, len(cs))
	for i, c := range cs {
		out[i] = brief{c.Kind, c.Subject, c.Old, c.New, c.Detail}
	}
	return out
}

func TestFirm(t *testing.T) {
	ada := firm.Member{Name: "Ada Lovelace", Title: "Principal", Tier: firm.Tier2, LinkedIn: "https://www.linkedin.com/in/ada"}
	bob := firm.Member{Name: "Bob Ng", Title: "Associate", Tier: firm.Tier3}
	cy := firm.Member{Name: "Cy Young", Title: "Partner", Tier: firm.Tier1}
	in := firm.Input{Index: 4, Name: "Acme Ventures", Website: "https://acme.vc/"}
	with := func(m firm.Member, f func(*firm.Member)) firm.Member { f(&m); return m }
	failed := firm.Result{Status: firm.StatusFailed, Reason: "dns"}
	for _, tc := range []struct {
		name      string
		prev, cur firm.Result
		want      []brief
	}{
		{"nothing changed", ok([]firm.Member{ada, bob}, "Relay"), ok([]firm.Member{bob, ada}, "Relay"), nil},
		{"case, accents and spacing are no change",
			ok([]firm.Member{with(ada, func(m *firm.Member) { m.Name = "Ada  Lovelace"; m.LinkedIn = "" })}, "Quarry DB"),
			ok([]firm.Member{with(ada, func(m *firm.Member) { m.Name = "ada lovelacé"; m.LinkedIn = "" })}, "quarry db."), nil},
		{"a join and a leave",
			ok([]firm.Member{ada, bob}), ok([]firm.Member{ada, cy}),
			[]brief{{PersonLeft, "Bob Ng", "Associate", "", "tier 3"}, {PersonJoined, "Cy Young", "", "Partner", "tier 1"}}},
		{"a promotion is a title change with its tier move, not a leave and a join",
			ok([]firm.Member{ada}), ok([]firm.Member{with(ada, func(m *firm.Member) { m.Title = "Partner"; m.Tier = firm.Tier1 })}),
			[]brief{{TitleChanged, "Ada Lovelace", "Principal", "Partner", "tier 2 → tier 1"}}},
		{"matched by LinkedIn when the name is spelt otherwise",
			ok([]firm.Member{ada}), ok([]firm.Member{with(ada, func(m *firm.Member) { m.Name = "Augusta Ada King"; m.LinkedIn = "http://linkedin.com/in/ada/" })}), nil},
		{"two LinkedIns are two people, whatever the name",
			ok([]firm.Member{ada}), ok([]firm.Member{with(ada, func(m *firm.Member) { m.LinkedIn = "https://www.linkedin.com/in/ada-2" })}),
			[]brief{{PersonLeft, "Ada Lovelace", "Principal", "", "tier 2"}, {PersonJoined, "Ada Lovelace", "", "Principal", "tier 2"}}},
		{"a LinkedIn and an email found",
			ok([]firm.Member{bob}), ok([]firm.Member{with(bob, func(m *firm.Member) { m.LinkedIn = "https://linkedin.com/in/bob"; m.Email = "bob@acme.vc" })}),
			[]brief{{LinkedInChanged, "Bob Ng", "", "https://linkedin.com/in/bob", ""}, {EmailChanged, "Bob Ng", "", "bob@acme.vc", ""}}},
		{"portfolio",
			ok(nil, "Relay", "Quarry"), ok(nil, "Relay", "Tessellate"),
			[]brief{{CompanyAdded, "Tessellate", "", "", ""}, {CompanyRemoved, "Quarry", "", "", ""}}},
		{"failed this time: not checked, not everyone left",
			ok([]firm.Member{ada, bob}), failed,
			[]brief{{FirmFailed, "", "ok", "failed", "not checked this time: dns"}}},
		{"not processed this time (a job cut short)",
			ok([]firm.Member{ada}), firm.Result{Status: firm.StatusPending},
			[]brief{{FirmFailed, "", "ok", string(firm.StatusPending), "not checked this time: " + string(firm.StatusPending)}}},
		{"back after failing", failed, ok([]firm.Member{ada}),
			[]brief{{FirmRecovered, "", "failed", "ok", "no earlier team to compare with"}}},
		{"failed both times", failed, failed, nil},
		{"the site moved",
			ok(nil), func() firm.Result {
				r := ok(nil)
				r.Website, r.FinalURL, r.WebsiteNote = firm.WebsiteRedirected, "https://acme.capital/", "redirected to another site"
				return r
			}(),
			[]brief{{WebsiteStatus, "", "ok", "redirected", "redirected to another site"}, {FinalURL, "", "https://acme.vc/", "https://acme.capital/", ""}}},
		{"www and a trailing slash are the same address",
			ok(nil), func() firm.Result { r := ok(nil); r.FinalURL = "https://www.acme.vc"; return r }(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Firm(in, tc.prev, tc.cur)
			for _, c := range got {
				if c.Index != 4 || c.Firm != "Acme Ventures" || c.Website != "https://acme.vc/" {
					t.Errorf("change %+v does not name its firm", c)
				}
			}
			if b := briefs(got); !slices.Equal(b, tc.want) {
				t.Errorf("changes\n got %+v\nwant %+v", b, tc.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	ada := firm.Member{Name: "Ada Lovelace", Title: "Principal", Tier: firm.Tier2}
	runs := []struct{ prev, cur firm.Result }{
		{ok([]firm.Member{ada}), ok(nil)},                                // Ada left
		{ok(nil), ok([]firm.Member{ada}, "Relay")},                       // Ada joined, Relay added
		{ok([]firm.Member{ada}), firm.Result{Status: firm.StatusFailed}}, // failed now
		{ok(nil), ok(nil)},                                               // no change
	}
	var emitted []Change
	load := func(i int) (firm.Input, firm.Result, firm.Result, error) {
		return firm.Input{Index: i, Name: "Firm"}, runs[i].prev, runs[i].cur, nil
	}
	sum, err := Compare(len(runs), load, func(c Change) error { emitted = append(emitted, c); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total != 4 || len(emitted) != 4 || sum.Counts[PersonLeft] != 1 || sum.Counts[PersonJoined] != 1 ||
		sum.Counts[CompanyAdded] != 1 || sum.Counts[FirmFailed] != 1 || sum.Checked != 3 || sum.NotChecked != 1 {
		t.Errorf("summary %+v, %d emitted", sum, len(emitted))
	}
	if want := "firm failed: 1, person joined: 1, person left: 1, portfolio company added: 1 (1 firm not checked: it failed this time)"; sum.Text() != want {
		t.Errorf("text %q, want %q", sum.Text(), want)
	}
	if len(sum.First) != 4 || sum.First[0].String() != "Firm: Ada Lovelace left as Principal" {
		t.Errorf("first changes %v", sum.First)
	}
	if (Summary{}).Text() != "no change" {
		t.Errorf("an empty summary reads %q", Summary{}.Text())
	}
	boom := errors.New("boom")
	if _, err := Compare(len(runs), load, func(Change) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("an emit error comes back as %v", err)
	}
	if _, err := Compare(1, func(int) (firm.Input, firm.Result, firm.Result, error) {
		return firm.Input{}, firm.Result{}, firm.Result{}, boom
	}, func(Change) error { return nil }); !errors.Is(err, boom) {
		t.Errorf("a load error comes back as %v", err)
	}
}

func TestEncodeDecode(t *testing.T) {
	want := []Change{
		{Index: 1, Firm: "Acme", Kind: PersonJoined, Subject: "Ada", New: "Partner", Detail: "tier 1"},
		{Index: 7, Firm: "Beta \"quoted\"\n", Kind: CompanyRemoved, Subject: "Relay"},
	}
	var buf bytes.Buffer
	emit := Encoder(&buf)
	for _, c := range want {
		if err := emit(c); err != nil {
			t.Fatal(err)
		}
	}
	var got []Change
	if err := Decode(&buf, func(c Change) error { got = append(got, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if err := Decode(strings.NewReader("{\"index\": 1}\n{broken"), func(Change) error { return nil }); err == nil {
		t.Error("a torn file reads without error")
	}
}
