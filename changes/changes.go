// Package changes compares two runs of one list firm by firm, as a watch's
// refresh reports them: who joined, left or changed title, a LinkedIn or an
// email that changed, portfolio companies added or removed, a website whose
// status or address moved, a firm that failed now after succeeding before
// (and the reverse).
package changes

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/urlkey"
)

// Kind is what changed.
type Kind string

// Kinds of change, in the order a firm's changes are listed.
const (
	FirmFailed      Kind = "firm failed"    // failed this time after succeeding before: its people were not checked
	FirmRecovered   Kind = "firm recovered" // succeeded this time after failing before
	WebsiteStatus   Kind = "website status changed"
	FinalURL        Kind = "website moved"
	PersonJoined    Kind = "person joined"
	PersonLeft      Kind = "person left"
	TitleChanged    Kind = "title changed"
	LinkedInChanged Kind = "linkedin changed"
	EmailChanged    Kind = "email changed"
	CompanyAdded    Kind = "portfolio company added"
	CompanyRemoved  Kind = "portfolio company removed"
)

// Kinds lists every kind in order, for summaries.
func Kinds() []Kind {
	return []Kind{FirmFailed, FirmRecovered, WebsiteStatus, FinalURL, PersonJoined, PersonLeft,
		TitleChanged, LinkedInChanged, EmailChanged, CompanyAdded, CompanyRemoved}
}

// Change is one row of a refresh's Changes sheet.
type Change struct {
	Index   int    `json:"index"` // the firm's index in this run
	Firm    string `json:"firm"`
	Website string `json:"website"`
	Kind    Kind   `json:"kind"`
	Subject string `json:"subject,omitempty"` // the person or the company
	Old     string `json:"old,omitempty"`
	New     string `json:"new,omitempty"`
	Detail  string `json:"detail,omitempty"` // a title change's tier move, a failure's reason
}

// Firm lists what changed at one firm between the previous run's result
// and this one's. A firm not enriched this time (failed, or not processed
// in a job cut short) was not checked: it reports that it failed, if it
// had succeeded before, and nothing about its people.
func Firm(in firm.Input, prev, cur firm.Result) []Change {
	row := func(k Kind, subject, old, new, detail string) Change {
		return Change{Index: in.Index, Firm: in.Name, Website: in.Website, Kind: k, Subject: subject, Old: old, New: new, Detail: detail}
	}
	was, is := prev.Status == firm.StatusOK, cur.Status == firm.StatusOK
	switch {
	case was && !is:
		why := cur.Reason
		if cur.Status != firm.StatusFailed {
			why = string(cur.Status)
		}
		return []Change{row(FirmFailed, "", "ok", string(cur.Status), "not checked this time: "+why)}
	case !was && is:
		return []Change{row(FirmRecovered, "", string(prev.Status), "ok", "no earlier team to compare with")}
	case !is:
		return nil
	}
	var out []Change
	if o, n := prev.SiteStatus(), cur.SiteStatus(); o != n {
		out = append(out, row(WebsiteStatus, "", string(o), string(n), cur.WebsiteNote))
	}
	if o, n := prev.FinalURL, cur.FinalURL; o != "" && n != "" && WebsiteKey(o) != WebsiteKey(n) {
		out = append(out, row(FinalURL, "", o, n, ""))
	}
	out = append(out, people(prev.Team, cur.Team, row)...)
	out = append(out, portfolio(prev.Portfolio, cur.Portfolio, row)...)
	return out
}

type rowFunc func(k Kind, subject, old, new, detail string) Change

// people matches members across the runs by LinkedIn when both have one,
// otherwise by normalised name, so a title change is not a leave and a
// join. Joins and changes come in this run's order, leaves in the last's.
func people(prev, cur []firm.Member, row rowFunc) []Change {
	matched := make([]int, len(cur)) // index into prev, or -1
	taken := make([]bool, len(prev))
	byLinkedIn := map[string]int{}
	for i, m := range prev {
		if k := linkedInKey(m.LinkedIn); k != "" {
			byLinkedIn[k] = i
		}
	}
	for j, m := range cur {
		matched[j] = -1
		if k := linkedInKey(m.LinkedIn); k != "" {
			if i, ok := byLinkedIn[k]; ok && !taken[i] {
				matched[j], taken[i] = i, true
			}
		}
	}
	for j, m := range cur {
		if matched[j] >= 0 {
			continue
		}
		for i, p := range prev {
			bothLinked := linkedInKey(p.LinkedIn) != "" && linkedInKey(m.LinkedIn) != ""
			if !taken[i] && !bothLinked && nameKey(p.Name) == nameKey(m.Name) && nameKey(m.Name) != "" {
				matched[j], taken[i] = i, true
				break
			}
		}
	}
	var out []Change
	for i, p := range prev {
		if !taken[i] {
			out = append(out, row(PersonLeft, p.Name, p.Title, "", tierName(p.Tier)))
		}
	}
	for j, m := range cur {
		i := matched[j]
		if i < 0 {
			out = append(out, row(PersonJoined, m.Name, "", m.Title, tierName(m.Tier)))
			continue
		}
		p := prev[i]
		if nameKey(p.Title) != nameKey(m.Title) {
			detail := ""
			if p.Tier != m.Tier {
				detail = tierName(p.Tier) + " → " + tierName(m.Tier)
			}
			out = append(out, row(TitleChanged, m.Name, p.Title, m.Title, detail))
		}
		if linkedInKey(p.LinkedIn) != linkedInKey(m.LinkedIn) {
			out = append(out, row(LinkedInChanged, m.Name, p.LinkedIn, m.LinkedIn, ""))
		}
		if !strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(m.Email)) {
			out = append(out, row(EmailChanged, m.Name, p.Email, m.Email, ""))
		}
	}
	return out
}

// portfolio lists companies added and removed, by normalised name.
func portfolio(prev, cur []firm.Company, row rowFunc) []Change {
	had := map[string]bool{}
	for _, c := range prev {
		had[nameKey(c.Name)] = true
	}
	has := map[string]bool{}
	var out []Change
	for _, c := range cur {
		k := nameKey(c.Name)
		has[k] = true
		if !had[k] {
			out = append(out, row(CompanyAdded, c.Name, "", c.Website, ""))
		}
	}
	for _, c := range prev {
		if !has[nameKey(c.Name)] {
			out = append(out, row(CompanyRemoved, c.Name, c.Website, "", ""))
		}
	}
	return out
}

func tierName(t int) string {
	if t >= firm.Tier1 && t <= firm.Tier3 {
		return fmt.Sprintf("tier %d", t)
	}
	return "other"
}

var folder = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// nameKey is how names, titles and companies are told apart: case, accents,
// punctuation and spacing do not make another.
func nameKey(s string) string {
	if f, _, err := transform.String(folder, s); err == nil {
		s = f
	}
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// linkedInKey is a profile URL without its scheme, "www.", case and
// trailing slash; "" for none.
func linkedInKey(u string) string {
	if strings.TrimSpace(u) == "" {
		return ""
	}
	return WebsiteKey(u)
}

// WebsiteKey is how addresses are told apart across runs: scheme, "www.",
// case and a trailing slash aside. Firms are matched by their website's.
func WebsiteKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimSpace(raw))
	}
	return strings.ToLower(urlkey.Page(u))
}

// FirstKept is how many changes a Summary keeps to show.
const FirstKept = 10

// Summary counts a comparison's changes and keeps the first few, for the
// refresh's notification.
type Summary struct {
	Counts     map[Kind]int `json:"counts,omitempty"`
	Total      int          `json:"total"`
	First      []Change     `json:"first,omitempty"`
	Checked    int          `json:"checked"`     // firms enriched in both runs
	NotChecked int          `json:"not_checked"` // firms not enriched this time
}

// Compare runs Firm over n firms, loaded one at a time with their previous
// and current results, and hands each change to emit as it goes, so
// neither run is ever held whole.
func Compare(n int, load func(i int) (in firm.Input, prev, cur firm.Result, err error), emit func(Change) error) (Summary, error) {
	sum := Summary{Counts: map[Kind]int{}}
	for i := range n {
		in, prev, cur, err := load(i)
		if err != nil {
			return sum, fmt.Errorf("compare firm %d: %w", i, err)
		}
		switch {
		case cur.Status != firm.StatusOK:
			sum.NotChecked++
		case prev.Status == firm.StatusOK:
			sum.Checked++
		}
		for _, c := range Firm(in, prev, cur) {
			sum.Counts[c.Kind]++
			sum.Total++
			if len(sum.First) < FirstKept {
				sum.First = append(sum.First, c)
			}
			if err := emit(c); err != nil {
				return sum, fmt.Errorf("compare firm %d: %w", i, err)
			}
		}
	}
	return sum, nil
}

// Text says what changed in a line: "person joined: 2, title changed: 1";
// "no change" when nothing did.
func (s Summary) Text() string {
	var parts []string
	for _, k := range Kinds() {
		if n := s.Counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", k, n))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no change")
	}
	text := strings.Join(parts, ", ")
	switch {
	case s.NotChecked == 1:
		text += " (1 firm not checked: it failed this time)"
	case s.NotChecked > 1:
		text += fmt.Sprintf(" (%d firms not checked: they failed this time)", s.NotChecked)
	}
	return text
}

// String is one change in words, for a notification.
func (c Change) String() string {
	var what string
	switch c.Kind {
	case PersonJoined:
		what = c.Subject + " joined" + as(c.New)
	case PersonLeft:
		what = c.Subject + " left" + as(c.Old)
	case TitleChanged:
		what = fmt.Sprintf("%s: %s → %s", c.Subject, c.Old, c.New)
	case CompanyAdded, CompanyRemoved, LinkedInChanged, EmailChanged:
		what = string(c.Kind) + ": " + c.Subject
	default:
		what = string(c.Kind)
		if c.Old != "" || c.New != "" {
			what += fmt.Sprintf(" (%s → %s)", c.Old, c.New)
		}
	}
	if c.Detail != "" && c.Kind != PersonJoined && c.Kind != PersonLeft {
		what += ", " + c.Detail
	}
	return c.Firm + ": " + what
}

func as(title string) string {
	if title == "" {
		return ""
	}
	return " as " + title
}

// Encoder writes changes one JSON object a line, as they come: the form a
// refresh's changes are stored in.
func Encoder(w io.Writer) func(Change) error {
	enc := json.NewEncoder(w)
	return func(c Change) error { return enc.Encode(c) }
}

// Decode reads changes as Encoder wrote them, one at a time.
func Decode(r io.Reader, each func(Change) error) error {
	dec := json.NewDecoder(r)
	for {
		var c Change
		if err := dec.Decode(&c); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("read changes: %w", err)
		}
		if err := each(c); err != nil {
			return err
		}
	}
}
