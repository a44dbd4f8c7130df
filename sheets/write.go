package sheets

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

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
}

const (
	sheetFirms   = "Firms"
	sheetMembers = "Team Members"
	sheetSummary = "Summary"
	// maxCellChars is Excel's limit on a cell, counted in UTF-16 units.
	maxCellChars = 32_767
)

// WriteWorkbook writes the enriched workbook: Firms, Team Members, Summary.
// Every text cell is written as a string, never a formula, so a value such as
// "=cmd()" taken from a website stays inert.
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
	for _, name := range []string{sheetMembers, sheetSummary} {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("write workbook: add sheet %s: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("write workbook: header style: %w", err)
	}

	if err := writeFirms(f, e, bold); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetFirms, err)
	}
	if err := writeMembers(f, e, bold); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetMembers, err)
	}
	if err := writeSummary(f, e.Summary, bold); err != nil {
		return fmt.Errorf("write workbook: %s sheet: %w", sheetSummary, err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// newStream starts a sheet with a bold, frozen header row.
func newStream(f *excelize.File, sheet string, headers []string, widths []float64, bold int) (*excelize.StreamWriter, error) {
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
	if err := sw.SetRow("A1", row); err != nil {
		return nil, err
	}
	return sw, nil
}

func writeFirms(f *excelize.File, e Export, bold int) error {
	extra := []string{"Status", "Error", "Failure Reason", "Team Count", "Team Page URL", "Description", "Final URL"}
	headers := append(slices.Clip(e.InputHeaders), extra...)
	widths := make([]float64, len(headers))
	for i := range widths {
		widths[i] = 18
	}
	n := len(e.InputHeaders)
	widths[n+1], widths[n+4], widths[n+5], widths[n+6] = 40, 40, 60, 40
	sw, err := newStream(f, sheetFirms, headers, widths, bold)
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
		row[n] = text(string(res.Status))
		row[n+1] = str(res.Error)
		row[n+2] = str(res.Reason)
		if res.Status != firm.StatusPending {
			row[n+3] = len(res.Team)
		}
		row[n+4] = str(res.TeamPageURL)
		row[n+5] = str(res.Description)
		row[n+6] = str(res.FinalURL)
		if err := sw.SetRow(cellName(i+2), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func writeMembers(f *excelize.File, e Export, bold int) error {
	headers := []string{"Firm", "Website", "Name", "Title", "LinkedIn", "Email", "Source URL"}
	sw, err := newStream(f, sheetMembers, headers, []float64{28, 32, 28, 32, 40, 30, 40}, bold)
	if err != nil {
		return err
	}
	r := 2
	for i := range e.Total {
		in, res, err := e.Load(i)
		if err != nil {
			return fmt.Errorf("load firm %d: %w", i, err)
		}
		for _, m := range res.Team {
			row := []any{str(in.Name), str(in.Website), str(m.Name), str(m.Title), str(m.LinkedIn), str(m.Email), str(m.SourceURL)}
			if err := sw.SetRow(cellName(r), row); err != nil {
				return err
			}
			r++
		}
	}
	return sw.Flush()
}

func writeSummary(f *excelize.File, s Summary, bold int) error {
	sw, err := newStream(f, sheetSummary, []string{"Field", "Value"}, []float64{24, 60}, bold)
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
	if len(s.FailuresByReason) > 0 {
		rows = append(rows, nil, []any{excelize.Cell{StyleID: bold, Value: "Failures by reason"}, excelize.Cell{StyleID: bold, Value: "Firms"}})
		// Most frequent first, so the main problem is at the top.
		reasons := slices.SortedFunc(maps.Keys(s.FailuresByReason), func(a, b string) int {
			return cmp.Or(cmp.Compare(s.FailuresByReason[b], s.FailuresByReason[a]), cmp.Compare(a, b))
		})
		for _, r := range reasons {
			rows = append(rows, []any{text(r), s.FailuresByReason[r]})
		}
	}
	if len(s.Rejected) > 0 {
		rows = append(rows, nil, []any{excelize.Cell{StyleID: bold, Value: "Rejected rows"}, excelize.Cell{StyleID: bold, Value: "Reason"}})
		for _, rj := range s.Rejected {
			rows = append(rows, []any{rj.Row, text(rj.Reason)})
		}
	}
	for i, row := range rows {
		if row == nil {
			continue // a blank separator row
		}
		if err := sw.SetRow(cellName(i+2), row); err != nil {
			return err
		}
	}
	return sw.Flush()
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
