package sheets_test

import (
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/sheets"
)

// Website cells of real lists that are not the firm's website: each row's
// outcome, from the preview's point of view (accepted with its website and
// where it came from, or rejected with a reason a person understands).
func TestProfileAndDerivedWebsites(t *testing.T) {
	csv := strings.Join([]string{
		"Name,Website,Email,Domain",
		"Acme Ventures,https://www.linkedin.com/company/acme-ventures/,jane@acmevc.com,", // 2: LinkedIn page, company email
		"Bare LinkedIn,http://www.linkedin.com,,",                                        // 3: nothing to go by
		"Gmail Fund,,founder@gmail.com,",                                                 // 4: free mail only
		"Domain Capital,,,domaincap.com",                                                 // 5: a Domain column
		"Hub Partners,https://linktr.ee/hubpartners,,",                                   // 6: a link hub
		"Angel Group,https://wellfound.com/company/angel-group,ops@angelgroup.vc,",       // 7: AngelList profile, email
		"Crunch Capital,crunchbase.com/organization/crunch-capital,,",                    // 8
		"Acme Again,acmevc.com,,",                                                        // 9: same firm as row 2
		"Acme Thrice,https://www.acmevc.com/,,",                                          // 10: and again
		"Free Domain,,,hotmail.com",                                                      // 11: a free provider as the domain
		"Normal Firm,normal.vc,,",                                                        // 12
	}, "\n")
	up, err := sheets.Parse(strings.NewReader(csv), "list.csv", sheets.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ website, source, linkedin string }
	firms := map[int]got{}
	for _, f := range up.Firms {
		firms[f.Row] = got{f.Website, f.WebsiteSource, f.LinkedIn}
	}
	rejected := map[int]string{}
	for _, r := range up.Rejected {
		rejected[r.Row] = r.Reason
	}
	wantFirms := map[int]got{
		2:  {"https://acmevc.com/", "https://www.linkedin.com/company/acme-ventures/ is a page on LinkedIn, not the firm's own website; taken from the email address in column Email (jane@acmevc.com)", "https://www.linkedin.com/company/acme-ventures"},
		5:  {"https://domaincap.com/", "column Domain", ""},
		7:  {"https://angelgroup.vc/", "https://wellfound.com/company/angel-group is a page on Wellfound (AngelList), not the firm's own website; taken from the email address in column Email (ops@angelgroup.vc)", ""},
		12: {"https://normal.vc/", "", ""},
	}
	for row, w := range wantFirms {
		if g, ok := firms[row]; !ok || g != w {
			t.Errorf("row %d: firm %+v (ok %v), want %+v; rejected %q", row, g, ok, w, rejected[row])
		}
	}
	if len(up.Firms) != len(wantFirms) {
		t.Errorf("%d firms, want %d: %+v", len(up.Firms), len(wantFirms), up.Firms)
	}
	wantRejected := map[int]string{
		3:  "page on LinkedIn, not the firm's own website, and the row has no company email or domain",
		4:  "no website, and the only email address is at a free provider (gmail.com)",
		6:  "is a link hub (linktr.ee), not the firm's website",
		8:  "page on Crunchbase, not the firm's own website",
		9:  "same website as row 2",
		10: "same website as row 2",
		11: "no website",
	}
	for row, w := range wantRejected {
		if !strings.Contains(rejected[row], w) {
			t.Errorf("row %d: rejected %q, want it to say %q", row, rejected[row], w)
		}
	}
	if len(up.Duplicates) != 1 || up.Duplicates[0].Website != "https://acmevc.com/" || len(up.Duplicates[0].Rows) != 3 {
		t.Errorf("duplicates %+v, want acmevc.com on rows 2, 9 and 10 once", up.Duplicates)
	}
}
