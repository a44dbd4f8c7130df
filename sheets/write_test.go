package sheets_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
)

type loaded struct {
	in  firm.Input
	res firm.Result
}

func derived(in firm.Input, source, linkedIn string) firm.Input {
	in.WebsiteSource, in.LinkedIn = source, linkedIn
	return in
}

func TestWriteWorkbook(t *testing.T) {
	longDesc := strings.Repeat("d", 40_000)
	firms := []loaded{
		{
			in: in(0, 2, "Accel", "https://accel.com/", "", "Accel", "accel.com", "Palo Alto"),
			res: firm.Result{Index: 0, Status: firm.StatusOK, FinalURL: "https://www.accel.com/", TeamPageURL: "https://www.accel.com/team",
				Description: "Early and growth", Pages: 4, Website: firm.WebsiteOK, LLM: "found nobody",
				Team: []firm.Member{
					{Name: "Ann Lee", Title: "Partner", Tier: firm.Tier1, LinkedIn: "https://linkedin.com/in/annlee", SourceURL: "https://www.accel.com/team", ProfileURL: "https://www.accel.com/team/ann-lee", Confidence: 0.85, Rule: firm.RuleCard},
					{Name: "Bo Chen", Email: "bo@accel.com", SourceURL: "https://www.accel.com/team", Confidence: 0.7,
						EmailSource: firm.EmailFromPattern, EmailPattern: "first", EmailSupport: 2},
				},
				Portfolio: []firm.Company{
					{Name: "Slack", Website: "https://slack.com", SourceURL: "https://www.accel.com/portfolio"},
					{Name: "Etsy", SourceURL: "https://www.accel.com/portfolio"},
				},
				Profile: firm.Profile{
					ContactEmail: "info@accel.com", LinkedIn: "https://www.linkedin.com/company/accel", Twitter: "https://x.com/accel",
					Location: "Palo Alto", InvestorType: "Venture Capital", Stages: []string{"Seed", "Growth"}, Sectors: []string{"Fintech", "Consumer"},
				},
				Refusals: map[string]int{"blocked_by_robots": 2, "blocked_by_guard": 1},
				Visited: []firm.PageVisit{
					{URL: "https://www.accel.com/", Status: 200, Kind: firm.PageHome},
					{URL: "https://www.accel.com/team", Status: 200, Kind: firm.PageTeam, People: 2},
					{URL: "https://www.accel.com/people", Status: 404, Kind: firm.PageGuess, Note: "http_status"},
					{URL: "https://www.accel.com/#/team", Kind: firm.PageRendered, People: 2,
						Render: &firm.RenderVisit{Requests: 7, Refused: 1, Skipped: 3, Millis: 1300}},
				},
			},
		},
		{
			in:  derived(in(1, 3, "Gone Capital", "https://gone.vc/", "", "Gone Capital", "gone.vc", ""), "the email address in column Email (a@gone.vc)", "https://www.linkedin.com/company/gone"),
			res: firm.Result{Index: 1, Status: firm.StatusFailed, Error: "The website did not answer.", Reason: "timeout"},
		},
		{
			in:  in(2, 4, "Later", "https://later.vc/", "", "Later", "later.vc"),
			res: firm.Result{Index: 2, Status: firm.StatusPending},
		},
		{
			in: in(3, 5, "=cmd()", "https://evil.example/", "", "=cmd()", "evil.example", "+1 555 0100"),
			res: firm.Result{Index: 3, Status: firm.StatusOK, FinalURL: "https://evil.example/", Description: longDesc, Pages: 1,
				Website: firm.WebsiteRedirected, WebsiteNote: "+redirected", TeamReason: firm.TeamNobody,
				Team:      []firm.Member{{Name: "@SUM(A1)", Title: "-2+3", Tier: firm.Tier3}},
				Portfolio: []firm.Company{{Name: "=HYPERLINK(\"x\")", Website: "https://evil.example/co"}}},
		},
	}
	var calls []int
	started := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	e := sheets.Export{
		InputHeaders: []string{"Name", "Website", "City"},
		Total:        len(firms),
		Load: func(i int) (firm.Input, firm.Result, error) {
			calls = append(calls, i)
			return firms[i].in, firms[i].res, nil
		},
		Summary: sheets.Summary{
			JobID: "job-1", Name: "My list", Status: "cancelled",
			Started: started, Finished: started.Add(time.Hour + time.Minute + time.Second),
			Total: 4, Done: 3, Failed: 1, TeamMembers: 3,
			FailuresByReason: map[string]int{"dns": 1, "timeout": 2, "blocked": 1},
			Rejected: []sheets.Rejected{{Row: 9, Reason: "no website"}, {Row: 12, Reason: "same website as row 5", SameAs: 5},
				{Row: 13, Reason: "same website as row 2", SameAs: 2}, {Row: 14, Reason: "same website as row 2", SameAs: 2}},
		},
	}
	var buf bytes.Buffer
	if err := sheets.WriteWorkbook(&buf, e); err != nil {
		t.Fatalf("WriteWorkbook: %v", err)
	}
	if want := []int{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}; !reflect.DeepEqual(calls, want) {
		t.Errorf("Load calls = %v, want %v", calls, want)
	}

	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"Firms", "Team Members", "Portfolio Companies", "Pages", "Summary"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet = %d, want 0 (Firms)", got)
	}

	truncated := longDesc[:32_767]
	sheetsWant := map[string][][]string{
		"Firms": {
			{"Name", "Website", "City", "Status", "Error", "Failure Reason", "Team Count", "Team Page URL", "Description", "Final URL",
				"Website Status", "Website Note", "Investor Type", "Stages", "Sectors", "Location", "Contact Email", "Firm LinkedIn",
				"Firm X/Twitter", "Portfolio Count", "Pages Fetched", "Refusals", "LLM", "Team Reason", "Website Source"},
			{"Accel", "accel.com", "Palo Alto", "ok", "", "", "2", "https://www.accel.com/team", "Early and growth", "https://www.accel.com/",
				"ok", "", "Venture Capital", "Seed; Growth", "Fintech; Consumer", "Palo Alto", "info@accel.com", "https://www.linkedin.com/company/accel",
				"https://x.com/accel", "2", "4", "blocked_by_guard: 1; blocked_by_robots: 2", "found nobody"},
			{"Gone Capital", "gone.vc", "", "failed", "The website did not answer.", "timeout", "0", "", "", "", "dead",
				"", "", "", "", "", "", "https://www.linkedin.com/company/gone", "", "", "", "", "", "", "the email address in column Email (a@gone.vc)"},
			{"Later", "later.vc", "", "not processed"},
			{"=cmd()", "evil.example", "+1 555 0100", "ok", "", "", "1", "", truncated, "https://evil.example/",
				"redirected", "+redirected", "", "", "", "", "", "", "", "1", "1", "", "", firm.TeamNobody},
		},
		"Team Members": {
			{"Firm", "Website", "Name", "Title", "LinkedIn", "Email", "Source URL", "Tier", "Profile URL", "Confidence", "Found By", "Email Source"},
			{"Accel", "https://accel.com/", "Ann Lee", "Partner", "https://linkedin.com/in/annlee", "", "https://www.accel.com/team", "1", "https://www.accel.com/team/ann-lee", "0.85", "card"},
			{"Accel", "https://accel.com/", "Bo Chen", "", "", "bo@accel.com", "https://www.accel.com/team", "other", "", "0.7", "", "pattern: first@, from 2 addresses on the site (unverified)"},
			{"=cmd()", "https://evil.example/", "@SUM(A1)", "-2+3", "", "", "", "3"},
		},
		"Portfolio Companies": {
			{"Firm", "Website", "Company", "Company Website", "Source URL"},
			{"Accel", "https://accel.com/", "Slack", "https://slack.com", "https://www.accel.com/portfolio"},
			{"Accel", "https://accel.com/", "Etsy", "", "https://www.accel.com/portfolio"},
			{"=cmd()", "https://evil.example/", "=HYPERLINK(\"x\")", "https://evil.example/co"},
		},
		"Pages": {
			{"Firm", "Website", "Page URL", "HTTP Status", "Taken For", "People", "Note", "Rendered"},
			{"Accel", "https://accel.com/", "https://www.accel.com/", "200", "home", "0"},
			{"Accel", "https://accel.com/", "https://www.accel.com/team", "200", "team", "2"},
			{"Accel", "https://accel.com/", "https://www.accel.com/people", "404", "guess", "0", "http_status"},
			{"Accel", "https://accel.com/", "https://www.accel.com/#/team", "", "rendered", "2", "", "in the browser: 7 requests, 1 refused, 3 images/fonts skipped, 1.3 s"},
		},
		"Summary": {
			{"Field", "Value"},
			{"Job", "job-1"},
			{"Name", "My list"},
			{"Status", "cancelled"},
			{"Started", "2025-01-02 03:04:05 UTC"},
			{"Finished", "2025-01-02 04:05:06 UTC"},
			{"Duration", "1h1m1s"},
			{"Total", "4"},
			{"Done", "3"},
			{"Failed", "1"},
			{"Team members", "3"},
			nil,
			{"Coverage", "Share"},
			{"Firms with a team found", "100.0% (2 of 2)"},
			{"Members per firm with a team", "1.5"},
			{"Members with a title", "66.7% (2 of 3)"},
			{"Members with LinkedIn", "33.3% (1 of 3)"},
			{"Members with an email shown on the site", "0.0% (0 of 3)"},
			{"Members with an inferred email (unverified)", "33.3% (1 of 3)"},
			{"Decision makers (tier 1)", "33.3% (1 of 3)"},
			{"Portfolio companies", "3"},
			nil,
			{"Tier mix", "Members"},
			{"Tier 1 (decision makers)", "1"},
			{"Tier 2", "0"},
			{"Tier 3", "1"},
			{"Other", "1"},
			nil,
			{"Website status", "Firms"},
			{"ok", "1"},
			{"redirected", "1"},
			{"dead", "1"},
			nil,
			{"Failures by reason", "Firms"},
			{"timeout", "2"},
			{"blocked", "1"},
			{"dns", "1"},
			nil,
			{"Rejected rows", "Reason"},
			{"9", "no website"},
			{"12", "same website as row 5"},
			{"13, 14", "same website as row 2 (rows 2, 13, 14)"},
		},
	}
	for sheet, want := range sheetsWant {
		got, err := f.GetRows(sheet)
		if err != nil {
			t.Fatalf("GetRows(%s): %v", sheet, err)
		}
		for i := range got {
			if len(got[i]) == 0 {
				got[i] = nil
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s rows:\n got %q\nwant %q", sheet, shorten(got), shorten(want))
		}
	}

	for _, cell := range []struct{ sheet, ref string }{{"Firms", "A5"}, {"Firms", "C5"}, {"Firms", "L5"}, {"Team Members", "C4"}, {"Team Members", "D4"}, {"Portfolio Companies", "C4"}} {
		formula, err := f.GetCellFormula(cell.sheet, cell.ref)
		if err != nil || formula != "" {
			t.Errorf("%s!%s formula = %q, %v; want a plain value", cell.sheet, cell.ref, formula, err)
		}
		typ, err := f.GetCellType(cell.sheet, cell.ref)
		if err != nil || typ != excelize.CellTypeInlineString {
			t.Errorf("%s!%s type = %v, %v; want an inline string", cell.sheet, cell.ref, typ, err)
		}
	}
	style, err := f.GetCellStyle("Firms", "A1")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("Firms header is not bold (style %d, %v)", style, err)
	}
	if panes, err := f.GetPanes("Firms"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("Firms panes = %+v, %v; want the header row frozen", panes, err)
	}
}

// shorten keeps failure output readable when a cell holds 32,767 characters.
func shorten(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for _, c := range r {
			if utf8.RuneCountInString(c) > 40 {
				c = fmt.Sprintf("%.20s…(%d bytes)", c, len(c))
			}
			out[i] = append(out[i], c)
		}
	}
	return out
}

// writeAndOpen writes e's workbook and opens it again, as a reader would.
func writeAndOpen(t *testing.T, e sheets.Export) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := sheets.WriteWorkbook(&buf, e); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWriteWorkbookCellLimitCountsUTF16(t *testing.T) {
	// Each emoji is two UTF-16 units, so only half of 20,000 fit with the
	// 32,767-unit cap after 12,767 ASCII characters.
	desc := strings.Repeat("a", 12_767) + strings.Repeat("😀", 20_000)
	e := sheets.Export{
		InputHeaders: []string{"Website"},
		Total:        1,
		Load: func(int) (firm.Input, firm.Result, error) {
			return in(0, 2, "A", "https://a.vc/", "", "a.vc"), firm.Result{Status: firm.StatusOK, Description: desc}, nil
		},
	}
	f := writeAndOpen(t, e)
	got, err := f.GetCellValue("Firms", "G2")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("a", 12_767) + strings.Repeat("😀", 10_000); got != want {
		t.Errorf("description has %d runes, want %d", utf8.RuneCountInString(got), utf8.RuneCountInString(want))
	}
}

func TestWriteWorkbookLoadError(t *testing.T) {
	boom := errors.New("store unavailable")
	e := sheets.Export{
		InputHeaders: []string{"Website"},
		Total:        3,
		Load: func(i int) (firm.Input, firm.Result, error) {
			if i == 1 {
				return firm.Input{}, firm.Result{}, boom
			}
			return in(i, i+2, "A", "https://a.vc/", "", "a.vc"), firm.Result{Status: firm.StatusOK}, nil
		},
	}
	if err := sheets.WriteWorkbook(&bytes.Buffer{}, e); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
}

// Rows past a sheet's limit go on in "Name (2)", "Name (3)"…, each with the
// headers, in order and before the Summary; nothing is lost.
func TestWriteWorkbookSpillsFullSheets(t *testing.T) {
	const firms, perFirm = 3, 3
	e := sheets.WithRowLimit(sheets.Export{
		InputHeaders: []string{"Website"},
		Total:        firms,
		Load: func(i int) (firm.Input, firm.Result, error) {
			res := firm.Result{Index: i, Status: firm.StatusOK}
			for j := range perFirm {
				res.Portfolio = append(res.Portfolio, firm.Company{Name: fmt.Sprintf("co-%d-%d", i, j)})
			}
			res.Team = []firm.Member{{Name: fmt.Sprintf("Partner %d", i)}}
			return in(i, i+2, "A", "https://a.vc/", "", "a.vc"), res, nil
		},
	}, 5) // a header and four rows a sheet
	f := writeAndOpen(t, e)
	want := []string{"Firms", "Team Members", "Portfolio Companies", "Portfolio Companies (2)", "Portfolio Companies (3)", "Pages", "Summary"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	var companies []string
	for _, sheet := range want[2:5] {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 || len(rows) > 5 || rows[0][2] != "Company" {
			t.Fatalf("%s: %d rows, first %q", sheet, len(rows), rows[0])
		}
		for _, r := range rows[1:] {
			companies = append(companies, r[2])
		}
	}
	if got := strings.Join(companies, " "); got != "co-0-0 co-0-1 co-0-2 co-1-0 co-1-1 co-1-2 co-2-0 co-2-1 co-2-2" {
		t.Errorf("companies across the sheets: %s", got)
	}
	if rows, _ := f.GetRows("Team Members"); len(rows) != 4 {
		t.Errorf("Team Members has %d rows, want the header and 3", len(rows))
	}
}

// rowsSeen records what WriteWorkbook tells its row sink.
type rowsSeen struct {
	order []string
	rows  map[string][][]string
}

func (r *rowsSeen) Row(sheet string, cells []string) error {
	if len(r.order) == 0 || r.order[len(r.order)-1] != sheet {
		r.order = append(r.order, sheet)
	}
	r.rows[sheet] = append(r.rows[sheet], cells)
	return nil
}

// The row sink must see exactly what reading the workbook gives, or pages
// served from it would differ from the file people download: numbers,
// blank Summary rows, trailing empty cells, spilled sheets, text the XML
// cannot carry.
func TestWriteWorkbookRowSinkMatchesTheWorkbook(t *testing.T) {
	odd := []string{
		"Société Générale ☃ 日本", "  padded\t", "line\nbreak\r\nand CR\r", "bell\x07 nul\x00 bad\xff utf8",
		"_x0041_ literal", "<&> \"quoted\"", "😀" + strings.Repeat("é", 40),
	}
	e := sheets.WithRowLimit(sheets.Export{
		InputHeaders: []string{"Name", "Website", "", "Note", ""},
		Total:        len(odd),
		Load: func(i int) (firm.Input, firm.Result, error) {
			res := firm.Result{Index: i, Status: firm.StatusOK, Pages: i, Description: odd[i],
				Team:    []firm.Member{{Name: odd[i], Tier: i % 4, Confidence: []float64{0, 0.85, 1.0 / 3, 0.1 + 0.2}[i%4]}},
				Visited: []firm.PageVisit{{URL: "https://a.vc/" + odd[i], Status: 200 * (i % 2)}}}
			if i%3 == 0 {
				res = firm.Result{Index: i, Status: firm.StatusPending}
			}
			return in(i, i+2, odd[i], "https://a.vc/", "", odd[i], "a.vc", "", odd[len(odd)-1-i]), res, nil
		},
		Summary: sheets.Summary{JobID: "job-1", Status: "completed", Total: len(odd), FailuresByReason: map[string]int{"dns": 1},
			Rejected: []sheets.Rejected{{Row: 9, Reason: "no website"}, {Row: 12, Reason: "same", SameAs: 5}, {Row: 13, Reason: "same", SameAs: 5}}},
	}, 3)
	seen := &rowsSeen{rows: map[string][][]string{}}
	e.Rows = seen
	f := writeAndOpen(t, e)
	if got := f.GetSheetList(); !reflect.DeepEqual(seen.order, got) {
		t.Fatalf("sink sheets %q, workbook sheets %q", seen.order, got)
	}
	for _, sheet := range seen.order {
		rows, err := f.Rows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]string
		for rows.Next() {
			cols, err := rows.Columns()
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, cols)
		}
		rows.Close()
		got := seen.rows[sheet]
		if len(got) != len(want) {
			t.Errorf("%s: sink has %d rows, workbook %d", sheet, len(got), len(want))
			continue
		}
		for i := range want {
			if len(got[i]) != len(want[i]) || len(want[i]) > 0 && !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s row %d:\n sink     %q\n workbook %q", sheet, i+1, got[i], want[i])
			}
		}
	}
}
