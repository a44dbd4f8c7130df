package firm_test

import (
	"testing"

	"github.com/vcenrich/vcenrich/firm"
)

func TestSiteStatus(t *testing.T) {
	cases := []struct {
		res  firm.Result
		want firm.WebsiteStatus
	}{
		{firm.Result{Status: firm.StatusOK, Website: firm.WebsiteRedirected}, firm.WebsiteRedirected},
		{firm.Result{Status: firm.StatusOK, Website: firm.WebsiteJSOnly}, firm.WebsiteJSOnly},
		{firm.Result{Status: firm.StatusFailed, Reason: "blocked_by_robots"}, firm.WebsiteBlockedByRobots},
		{firm.Result{Status: firm.StatusFailed, Reason: "blocked_by_guard"}, firm.WebsiteBlockedByGuard},
		{firm.Result{Status: firm.StatusFailed, Reason: "dns"}, firm.WebsiteDead},
		{firm.Result{Status: firm.StatusFailed, Reason: "http_status"}, firm.WebsiteDead},
		{firm.Result{Status: firm.StatusFailed, Reason: "timeout"}, firm.WebsiteDead},
		{firm.Result{Status: firm.StatusFailed, Reason: "store"}, ""},
		{firm.Result{Status: firm.StatusPending}, ""},
		{firm.Result{Status: firm.StatusOK}, ""},
	}
	for _, tc := range cases {
		if got := tc.res.SiteStatus(); got != tc.want {
			t.Errorf("%+v: SiteStatus() = %q, want %q", tc.res, got, tc.want)
		}
	}
}
