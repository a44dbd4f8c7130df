package sheets

import (
	"archive/zip"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/changes"
	"github.com/vcenrich/vcenrich/firm"
)

// Summary describes a finished (or cancelled) job for the Summary sheet.
type Summary struct {
	JobID, Name, Status              string
	Started, Finished                time.Time
	Total, Done, Failed, TeamMembers int
	FailuresByReason                 map[string]int
	Rejected                         []Rejected
}

// Export is what WriteWorkbook needs. Firms are loaded one at a time so a
// large job is never held in memory.
type Export struct {
	InputHeaders []string
	Total        int
	// Load returns firm i (0 <= i < Total) and its result; a firm with no
	// result yet comes back with Result.Status == firm.StatusPending. Called
	// once per firm per sheet, in order.
	Load    func(i int) (firm.Input, firm.Result, error)
	Summary Summary
	// Rows, when set, is told every row as it is written, so a form of the
	// sheets made for paging comes out of the same pass as the workbook.
	Rows RowSink
	// Changes, when set, hands each change since the run the job was
	// compared with to each, in order: the workbook gets a Changes sheet,
	// after Firms.
	Changes func(each func(changes.Change) error) error

	rowLimit int // rows per sheet, header included; 0 is Excel's 1,048,576 (tests lower it)
}

// RowSink receives a workbook's rows as WriteWorkbook writes them: sheet by
// sheet in the workbook's order, each header first, every cell as the text a
// reader of the workbook gets back (numbers formatted, trailing empty cells
// dropped, an empty row for each blank one).
type RowSink interface {
	Row(sheet string, cells []string) error
}

const (
	sheetFirms     = "Firms"
	sheetChanges   = "Changes"
	sheetMembers   = "Team Members"
	sheetPortfolio = "Portfolio Companies"
	sheetPages     = "Pages"
	sheetSummary   = "Summary"
	// maxCellChars is Excel's limit on a cell, counted in UTF-16 units.
	maxCellChars = 32_767
)

// WriteWorkbook writes the enriched workbook: Firms, Team Members, Portfolio
// Companies and Summary, each streamed firm by firm. Every text cell is
// written as a string, never a formula, so a value such as "=cmd()" taken
// from a website stays inert; no cell exceeds Excel's 32,767 characters.
// The Summary's coverage figures are counted while the other sheets stream.
func WriteWorkbook(w io.Writer, e Export) error {
	if e.Load == nil && e.Total > 0 {
		return fmt.Errorf("write workbook: Export.Load is nil")
	}
	f := excelize.NewFile()
	defer f.Close()
	// Renaming the default sheet, rather than adding one and deleting it,
	// keeps Firms first and active.
	if err := f.SetSheetName("Sheet1", sheetFirms); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	names := []string{sheetMembers, sheetPortfolio, sheetPages, sheetSummary}
	if e.Changes != nil {
		names = append([]string{sheetChanges}, names...)
	}
	for _, name := range names {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("write workbook: add sheet %s: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("write workbook: header style: %w", err)
	}

	var cov Coverage
	if err := writeFirms(f, e, bold, &cov); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetFirms, err)
	}
	if err := writeChanges(f, e, bold); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetChanges, err)
	}
	if err := writeMembers(f, e, bold, &cov); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetMembers, err)
	}
	if err := writePortfolio(f, e, bold); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetPortfolio, err)
	}
	if err := writePages(f, e, bold); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetPages, err)
	}
	if err := writeSummary(f, e.Summary, cov, bold, e.Rows); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetSummary, err)
	}
	// excelize's Write assembles the whole zip in a buffer before copying it
	// out (23 MB for 50,000 firms, and twice that while the buffer grows);
	// its zip writer hook lets the zip go straight to w instead, leaving
	// that buffer empty.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// stream writes one sheet's rows to the workbook and to the row sink, if any.
type stream struct {
	sw    *excelize.StreamWriter
	sheet string
	sink  RowSink
	next  int // the row the sink expects next
}

// setRow writes row (1 is the header). Rows skipped since the last one reach
// the sink as empty rows, as a reader of the sheet sees them.
func (s *stream) setRow(row int, cells []any) error {
	if err := s.sw.SetRow(cellName(row), cells); err != nil {
		return err
	}
	if s.sink == nil {
		return nil
	}
	for ; s.next < row; s.next++ {
		if err := s.sink.Row(s.sheet, nil); err != nil {
			return err
		}
	}
	s.next = row + 1
	texts := make([]string, len(cells))
	last := 0
	for i, v := range cells {
		if texts[i] = cellText(v); texts[i] != "" {
			last = i + 1
		}
	}
	return s.sink.Row(s.sheet, texts[:last])
}

func (s *stream) flush() error { return s.sw.Flush() }

// cellText is a cell's value as reading the workbook gives it back. The
// values WriteWorkbook writes are text and numbers in the General format,
// which shows at most 15 significant digits, as Excel does.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case excelize.Cell:
		return cellText(v.Value)
	case string:
		return xmlText(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		t := strconv.FormatFloat(v, 'f', -1, 64)
		if len(t)-strings.Count(t, ".") > 15 {
			t = strconv.FormatFloat(v, 'G', 15, 64)
		}
		return t
	}
	return fmt.Sprint(v)
}

// newStream starts a sheet with a bold, frozen header row.
func newStream(f *excelize.File, sheet string, headers []string, widths []float64, bold int, sink RowSink) (*stream, error) {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = excelize.Cell{StyleID: bold, Value: text(h)}
	}
	s := &stream{sw: sw, sheet: sheet, sink: sink, next: 1}
	if err := s.setRow(1, row); err != nil {
		return nil, err
	}
	return s, nil
}

// firmColumns are the Firms sheet's columns after the input's own.
var firmColumns = []string{
	"Status", "Error", "Failure Reason", "Team Count", "Team Page URL", "Description", "Final URL",
	"Website Status", "Website Note", "Investor Type", "Stages", "Sectors", "Location",
	"Contact Email", "Firm LinkedIn", "Firm X/Twitter", "Portfolio Count", "Pages Fetched",
	"Refusals", "LLM", "Team Reason", "Website Source",
}

var firmWidths = []float64{12, 40, 18, 12, 40, 60, 40, 16, 40, 18, 28, 36, 28, 30, 40, 32, 14, 12, 24, 18, 34, 50}

func writeFirms(f *excelize.File, e Export, bold int, cov *Coverage) error {
	headers := append(slices.Clip(e.InputHeaders), firmColumns...)
	widths := make([]float64, len(headers))
	for i := range widths {
		widths[i] = 18
	}
	n := len(e.InputHeaders)
	copy(widths[n:], firmWidths)
	sw, err := newStream(f, sheetFirms, headers, widths, bold, e.Rows)
	if err != nil {
		return err
	}
	row := make([]any, len(headers))
	for i := range e.Total {
		in, res, err := e.Load(i)
		if err != nil {
			return fmt.Errorf("load firm %d: %w", i, err)
		}
		clear(row)
		for j := range n {
			if j < len(in.Values) {
				row[j] = str(in.Values[j])
			}
		}
		p := res.Profile
		if p.LinkedIn == "" {
			p.LinkedIn = in.LinkedIn // the list gave the company page in place of a website
		}
		cells := []any{
			text(string(res.Status)), str(res.Error), str(res.Reason), nil, str(res.TeamPageURL),
			str(res.Description), str(res.FinalURL), str(string(res.SiteStatus())), str(res.WebsiteNote),
			str(p.InvestorType), str(strings.Join(p.Stages, "; ")), str(strings.Join(p.Sectors, "; ")),
			str(p.Location), str(p.ContactEmail), str(p.LinkedIn), str(p.Twitter), nil, nil,
			str(refusals(res.Refusals)), str(res.LLM), str(res.TeamReason), str(in.WebsiteSource),
		}
		if res.Status != firm.StatusPending {
			cells[3] = len(res.Team)
		}
		if res.Status == firm.StatusOK {
			cells[16] = len(res.Portfolio)
			cells[17] = res.Pages
		}
		cov.AddFirm(res)
		copy(row[n:], cells)
		if err := sw.setRow(i+2, row); err != nil {
			return err
		}
	}
	return sw.flush()
}

// refusals renders pages not fetched by reason: "blocked_by_robots: 2".
func refusals(m map[string]int) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, "; ")
}

func writeMembers(f *excelize.File, e Export, bold int, cov *Coverage) error {
	headers := []string{"Firm", "Website", "Name", "Title", "LinkedIn", "Email", "Source URL", "Tier", "Profile URL", "Confidence", "Found By", "Email Source"}
	sw := newSpill(f, sheetMembers, headers, []float64{28, 32, 28, 32, 40, 30, 40, 8, 40, 12, 14, 44}, bold, e.rowLimit, e.Rows)
	for i := range e.Total {
		in, res, err := e.Load(i)
		if err != nil {
			return fmt.Errorf("load firm %d: %w", i, err)
		}
		for _, m := range res.Team {
			var tier any = "other"
			if m.Tier >= firm.Tier1 && m.Tier <= firm.Tier3 {
				tier = m.Tier
			}
			var conf any
			if m.Confidence > 0 {
				conf = m.Confidence
			}
			row := []any{str(in.Name), str(in.Website), str(m.Name), str(m.Title), str(m.LinkedIn), str(m.Email), str(m.SourceURL), tier, str(m.ProfileURL), conf, str(m.Rule), str(emailSource(m))}
			if err := sw.add(row); err != nil {
				return err
			}
			cov.AddMember(m)
		}
	}
	return sw.flush()
}

// writeChanges lists what changed since the run the job was compared
// with, a row a change.
func writeChanges(f *excelize.File, e Export, bold int) error {
	if e.Changes == nil {
		return nil
	}
	headers := []string{"Firm", "Website", "Change", "Person or Company", "Old", "New", "Detail"}
	sw := newSpill(f, sheetChanges, headers, []float64{28, 32, 24, 28, 32, 32, 40}, bold, e.rowLimit, e.Rows)
	err := e.Changes(func(c changes.Change) error {
		return sw.add([]any{str(c.Firm), str(c.Website), text(string(c.Kind)), str(c.Subject), str(c.Old), str(c.New), str(c.Detail)})
	})
	if err != nil {
		return err
	}
	return sw.flush()
}

func writePortfolio(f *excelize.File, e Export, bold int) error {
	headers := []string{"Firm", "Website", "Company", "Company Website", "Source URL"}
	sw := newSpill(f, sheetPortfolio, headers, []float64{28, 32, 32, 40, 40}, bold, e.rowLimit, e.Rows)
	for i := range e.Total {
		in, res, err := e.Load(i)
		if err != nil {
			return fmt.Errorf("load firm %d: %w", i, err)
		}
		for _, c := range res.Portfolio {
			if err := sw.add([]any{str(in.Name), str(in.Website), str(c.Name), str(c.Website), str(c.SourceURL)}); err != nil {
				return err
			}
		}
	}
	return sw.flush()
}

func joinRows(rows []int) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = strconv.Itoa(r)
	}
	return strings.Join(parts, ", ")
}

// emailSource says where a member's email came from: the page that shows
// it, or the pattern it was inferred by and how many of the site's
// addresses follow that pattern.
func emailSource(m firm.Member) string {
	switch m.EmailSource {
	case firm.EmailFromPage:
		return "page: " + m.SourceURL
	case firm.EmailFromPattern:
		return fmt.Sprintf("pattern: %s@, from %d addresses on the site (unverified)", m.EmailPattern, m.EmailSupport)
	}
	return ""
}

// writePages lists every page fetched for every firm: its HTTP status, what
// the engine took it for and how many team members it yielded, so that a
// firm with no team shows what was tried.
func writePages(f *excelize.File, e Export, bold int) error {
	headers := []string{"Firm", "Website", "Page URL", "HTTP Status", "Taken For", "People", "Note", "Rendered"}
	sw := newSpill(f, sheetPages, headers, []float64{28, 32, 50, 12, 12, 8, 30, 30}, bold, e.rowLimit, e.Rows)
	for i := range e.Total {
		in, res, err := e.Load(i)
		if err != nil {
			return fmt.Errorf("load firm %d: %w", i, err)
		}
		for _, v := range res.Visited {
			var status any
			if v.Status > 0 {
				status = v.Status
			}
			if err := sw.add([]any{str(in.Name), str(in.Website), str(v.URL), status, str(v.Kind), v.People, str(v.Note), str(renderNote(v.Render))}); err != nil {
				return err
			}
		}
	}
	return sw.flush()
}

// renderNote says what rendering a page took, for the Pages sheet.
func renderNote(r *firm.RenderVisit) string {
	if r == nil {
		return ""
	}
	note := fmt.Sprintf("in the browser: %d requests", r.Requests)
	if r.Refused > 0 {
		note += fmt.Sprintf(", %d refused", r.Refused)
	}
	if r.Skipped > 0 {
		note += fmt.Sprintf(", %d images/fonts skipped", r.Skipped)
	}
	return note + fmt.Sprintf(", %.1f s", float64(r.Millis)/1000)
}

// spill streams rows into a sheet and, when it is full, on into
// "Name (2)", "Name (3)"…, each with the headers, placed before the Summary:
// a big job has more team members or portfolio companies than Excel's
// 1,048,576 rows a sheet, and a workbook that cannot be written at all would
// lose the whole job's answer.
type spill struct {
	f       *excelize.File
	name    string
	headers []string
	widths  []float64
	bold    int
	limit   int

	sink RowSink

	sw   *stream
	part int
	row  int // the next row to write
}

func newSpill(f *excelize.File, name string, headers []string, widths []float64, bold, limit int, sink RowSink) *spill {
	if limit <= 1 {
		limit = excelize.TotalRows
	}
	return &spill{f: f, name: name, headers: headers, widths: widths, bold: bold, limit: limit, sink: sink}
}

func (s *spill) add(row []any) error {
	if s.sw == nil || s.row > s.limit {
		if err := s.next(); err != nil {
			return err
		}
	}
	if err := s.sw.setRow(s.row, row); err != nil {
		return err
	}
	s.row++
	return nil
}

// next opens the sheet's next part: the sheet itself first, which exists
// already, then new ones.
func (s *spill) next() error {
	if s.sw != nil {
		if err := s.sw.flush(); err != nil {
			return err
		}
	}
	s.part++
	name := s.name
	if s.part > 1 {
		name = fmt.Sprintf("%s (%d)", s.name, s.part)
		if _, err := s.f.NewSheet(name); err != nil {
			return fmt.Errorf("add sheet %s: %w", name, err)
		}
		// Right after the part before it, so that a sheet's parts stay
		// together whatever sheets follow.
		prev := s.name
		if s.part > 2 {
			prev = fmt.Sprintf("%s (%d)", s.name, s.part-1)
		}
		list := s.f.GetSheetList()
		if i := slices.Index(list, prev); i >= 0 && i+1 < len(list) && list[i+1] != name {
			if err := s.f.MoveSheet(name, list[i+1]); err != nil {
				return fmt.Errorf("place sheet %s: %w", name, err)
			}
		}
	}
	sw, err := newStream(s.f, name, s.headers, s.widths, s.bold, s.sink)
	if err != nil {
		return err
	}
	s.sw, s.row = sw, 2
	return nil
}

// flush finishes the part being written; a sheet that had no rows gets its
// headers all the same.
func (s *spill) flush() error {
	if s.sw == nil && s.part == 0 {
		if err := s.next(); err != nil {
			return err
		}
	}
	if s.sw == nil {
		return nil
	}
	sw := s.sw
	s.sw = nil
	return sw.flush()
}

// share renders part of whole as "87.5% (35 of 40)".
func share(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%% (%d of %d)", 100*float64(part)/float64(whole), part, whole)
}

func writeSummary(f *excelize.File, s Summary, cov Coverage, bold int, sink RowSink) error {
	sw, err := newStream(f, sheetSummary, []string{"Field", "Value"}, []float64{30, 60}, bold, sink)
	if err != nil {
		return err
	}
	duration := ""
	if !s.Started.IsZero() && !s.Finished.IsZero() {
		duration = s.Finished.Sub(s.Started).Round(time.Second).String()
	}
	rows := [][]any{
		{"Job", text(s.JobID)},
		{"Name", text(s.Name)},
		{"Status", text(s.Status)},
		{"Started", timeText(s.Started)},
		{"Finished", timeText(s.Finished)},
		{"Duration", duration},
		{"Total", s.Total},
		{"Done", s.Done},
		{"Failed", s.Failed},
		{"Team members", s.TeamMembers},
	}
	perFirm := "–"
	if cov.WithTeam > 0 {
		perFirm = fmt.Sprintf("%.1f", float64(cov.Members)/float64(cov.WithTeam))
	}
	rows = append(rows, nil,
		[]any{excelize.Cell{StyleID: bold, Value: "Coverage"}, excelize.Cell{StyleID: bold, Value: "Share"}},
		[]any{"Firms with a team found", share(cov.WithTeam, cov.Enriched)},
		[]any{"Members per firm with a team", perFirm},
		[]any{"Members with a title", share(cov.Title, cov.Members)},
		[]any{"Members with LinkedIn", share(cov.LinkedIn, cov.Members)},
		[]any{"Members with an email shown on the site", share(cov.Email-cov.InferredEmail, cov.Members)},
		[]any{"Members with an inferred email (unverified)", share(cov.InferredEmail, cov.Members)},
		[]any{"Decision makers (tier 1)", share(cov.Tier1, cov.Members)},
		[]any{"Portfolio companies", cov.Portfolio},
	)
	// Each block of counts gets a chart beside it, drawn from its cells.
	var charts []summaryChart
	block := func(title, unit, chartTitle string, labels []string, counts []int) {
		rows = append(rows, nil, []any{excelize.Cell{StyleID: bold, Value: title}, excelize.Cell{StyleID: bold, Value: unit}})
		first := len(rows) + 2 // sheet rows start at 2, after the header
		for i, l := range labels {
			rows = append(rows, []any{text(l), counts[i]})
		}
		charts = append(charts, summaryChart{title: chartTitle, header: first - 1, first: first, last: first + len(labels) - 1})
	}
	if cov.Members > 0 {
		block("Tier mix", "Members", "Team members by tier",
			[]string{"Tier 1 (decision makers)", "Tier 2", "Tier 3", "Other"},
			[]int{cov.Tier1, cov.Tier2, cov.Tier3, cov.Members - cov.Tier1 - cov.Tier2 - cov.Tier3})
	}
	if sites := cov.Sites(); len(sites) > 0 {
		var labels []string
		var counts []int
		for _, sc := range sites {
			labels, counts = append(labels, string(sc.Status)), append(counts, sc.Firms)
		}
		block("Website status", "Firms", "Firms by website status", labels, counts)
	}
	if len(s.FailuresByReason) > 0 {
		reasons := ReasonsByCount(s.FailuresByReason)
		counts := make([]int, len(reasons))
		for i, r := range reasons {
			counts[i] = s.FailuresByReason[r]
		}
		block("Failures by reason", "Firms", "Firms failed, by reason", reasons, counts)
	}
	if len(s.Rejected) > 0 {
		rows = append(rows, nil, []any{excelize.Cell{StyleID: bold, Value: "Rejected rows"}, excelize.Cell{StyleID: bold, Value: "Reason"}})
		// A firm repeated on several rows is one line with every row.
		repeats := map[int][]int{}
		for _, rj := range s.Rejected {
			if rj.SameAs > 0 {
				repeats[rj.SameAs] = append(repeats[rj.SameAs], rj.Row)
			}
		}
		for _, rj := range s.Rejected {
			switch more := repeats[rj.SameAs]; {
			case len(more) <= 1: // not a repeat, or the only one of its firm
				rows = append(rows, []any{rj.Row, text(rj.Reason)})
			case more[0] == rj.Row:
				rows = append(rows, []any{text(joinRows(more)), text(fmt.Sprintf("same website as row %d (rows %s)", rj.SameAs, joinRows(append([]int{rj.SameAs}, more...))))})
			}
		}
	}
	for i, row := range rows {
		if row == nil {
			continue // a blank separator row
		}
		if err := sw.setRow(i+2, row); err != nil {
			return err
		}
	}
	// Before the flush: the stream writes the sheet's drawing reference
	// with its closing fields.
	if err := addCharts(f, charts); err != nil {
		return err
	}
	return sw.flush()
}

// summaryChart is a chart of one block of the Summary: its title, the row of
// its headers and the rows of its labels and counts (columns A and B).
type summaryChart struct {
	title               string
	header, first, last int
}

// chartRows is how many rows a Summary chart covers (its height, 15 rows
// of the default 20 pixels, and a row of space).
const chartRows = 16

// addCharts draws each block as a bar chart in column D, beside its block,
// or below the chart before it when that one reaches further down. Native
// charts of the cells, so they follow an edit of the figures in Excel or
// LibreOffice.
func addCharts(f *excelize.File, charts []summaryChart) error {
	free := 0
	for _, c := range charts {
		at := max(c.header, free)
		free = at + chartRows
		ref := func(col string, from, to int) string {
			return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheetSummary, col, from, col, to)
		}
		err := f.AddChart(sheetSummary, fmt.Sprintf("D%d", at), &excelize.Chart{
			Type: excelize.Bar,
			Series: []excelize.ChartSeries{{
				Name:       fmt.Sprintf("'%s'!$B$%d", sheetSummary, c.header),
				Categories: ref("A", c.first, c.last),
				Values:     ref("B", c.first, c.last),
			}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.title}}},
			Legend:    excelize.ChartLegend{Position: "none"},
			PlotArea:  excelize.ChartPlotArea{ShowVal: true},
			YAxis:     excelize.ChartAxis{MajorGridLines: true},
			XAxis:     excelize.ChartAxis{ReverseOrder: true}, // the first row at the top
			Dimension: excelize.ChartDimension{Width: 480, Height: 300},
		})
		if err != nil {
			return fmt.Errorf("chart %q: %w", c.title, err)
		}
	}
	return nil
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func cellName(row int) string {
	return "A" + strconv.Itoa(row)
}

// str is text for a cell that is left out entirely when empty.
func str(s string) any {
	if s == "" {
		return nil
	}
	return text(s)
}

// text caps a string at Excel's cell limit. The StreamWriter writes a Go
// string as an inline string, never a formula, whatever its first character.
func text(s string) string {
	if len(s) <= maxCellChars {
		return s // every UTF-16 unit takes at least one byte
	}
	units := 0
	for i, r := range s {
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1
		}
		if units+n > maxCellChars {
			return s[:i]
		}
		units += n
	}
	return s
}

// xmlText is s as it comes back out of the workbook's XML, which cannot
// carry most control characters nor invalid UTF-8: the encoder writes U+FFFD
// in their place.
func xmlText(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			b.WriteString(s[done:i])
			b.WriteRune(utf8.RuneError)
			done = i + n
		}
		i += n
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
