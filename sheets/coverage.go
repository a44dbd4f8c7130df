package sheets

import (
	"cmp"
	"maps"
	"slices"

	"github.com/vcenrich/vcenrich/firm"
)

// Coverage is what the Summary says about the quality of a job's results,
// counted firm by firm: the workbook counts it while its sheets stream, and
// the API's glance of a job counts it the same way from the stored results.
type Coverage struct {
	Enriched, WithTeam, Members   int
	LinkedIn, Email, Title, Tier1 int
	Tier2, Tier3                  int
	InferredEmail                 int // of Email: proposed from the site's pattern, not shown on it
	Portfolio                     int
	Websites                      map[firm.WebsiteStatus]int
}

// AddFirm counts a firm's own figures; its members are counted by AddMember.
func (c *Coverage) AddFirm(res firm.Result) {
	if res.Status == firm.StatusOK {
		c.Enriched++
		c.Portfolio += len(res.Portfolio)
		if len(res.Team) > 0 {
			c.WithTeam++
		}
	}
	if ws := res.SiteStatus(); ws != "" {
		if c.Websites == nil {
			c.Websites = map[firm.WebsiteStatus]int{}
		}
		c.Websites[ws]++
	}
}

// AddMember counts one team member.
func (c *Coverage) AddMember(m firm.Member) {
	c.Members++
	if m.LinkedIn != "" {
		c.LinkedIn++
	}
	if m.Email != "" {
		c.Email++
	}
	if m.EmailSource == firm.EmailFromPattern {
		c.InferredEmail++
	}
	if m.Title != "" {
		c.Title++
	}
	switch m.Tier {
	case firm.Tier1:
		c.Tier1++
	case firm.Tier2:
		c.Tier2++
	case firm.Tier3:
		c.Tier3++
	}
}

// websiteOrder lists website statuses for the Summary, most telling first.
var websiteOrder = []firm.WebsiteStatus{
	firm.WebsiteOK, firm.WebsiteRedirected, firm.WebsiteJSOnly, firm.WebsiteNotAFirm,
	firm.WebsiteBlockedByRobots, firm.WebsiteBlockedByGuard, firm.WebsiteDead,
}

// SiteCount is how many firms' websites had one status.
type SiteCount struct {
	Status firm.WebsiteStatus
	Firms  int
}

// Sites lists the website statuses seen, most telling first.
func (c Coverage) Sites() []SiteCount {
	var out []SiteCount
	for _, ws := range websiteOrder {
		if n := c.Websites[ws]; n > 0 {
			out = append(out, SiteCount{ws, n})
		}
	}
	return out
}

// ReasonsByCount orders failure reasons most frequent first, so the main
// problem comes first.
func ReasonsByCount(byReason map[string]int) []string {
	return slices.SortedFunc(maps.Keys(byReason), func(a, b string) int {
		return cmp.Or(cmp.Compare(byReason[b], byReason[a]), cmp.Compare(a, b))
	})
}
