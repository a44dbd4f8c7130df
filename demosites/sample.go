package demosites

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// The sample sheet mimics a hand-kept export: title rows above the header,
// a blank row and a bad website, so the demo exercises the upload parser.
const (
	sampleSheet       = "VC Firms"
	sampleTitle       = "Demo VC list"
	sampleSubtitle    = "exported 2026-11-01"
	sampleInvalidName = "Typo Capital"
	sampleInvalidURL  = "not a url"
)

// sampleHeader is the header row of the sample sheet.
func sampleHeader() []any {
	return []any{"Firm Name", "Website", "HQ", "Notes"}
}

// WriteSample writes the workbook `make demo` uploads: one row per bundled
// site, plus a blank row and a row whose website the parser must reject.
func WriteSample(w io.Writer) error {
	entries, err := loadIndex()
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()

	if err := f.SetSheetName(f.GetSheetName(0), sampleSheet); err != nil {
		return fmt.Errorf("name sample sheet: %w", err)
	}
	rows := sampleRows(entries)
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return fmt.Errorf("sample row %d: %w", i+1, err)
		}
		if err := f.SetSheetRow(sampleSheet, cell, &row); err != nil {
			return fmt.Errorf("write sample row %d: %w", i+1, err)
		}
	}
	if err := styleSample(f); err != nil {
		return err
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write sample workbook: %w", err)
	}
	return nil
}

// sampleRows lays out the sheet: titles, header, then the sites with a blank
// row halfway (where a careless parser would stop reading) and the invalid row
// just before the last site (so rejecting it must not end the sheet either).
func sampleRows(entries []entry) [][]any {
	rows := [][]any{{sampleTitle}, {sampleSubtitle}, sampleHeader()}
	for i, e := range entries {
		if i == len(entries)/2 {
			rows = append(rows, []any{})
		}
		if i == len(entries)-1 {
			rows = append(rows, []any{sampleInvalidName, sampleInvalidURL, "London, UK", "check website"})
		}
		rows = append(rows, []any{e.Name, e.SampleWebsite, e.HQ, e.Notes})
	}
	return rows
}

func styleSample(f *excelize.File) error {
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("create sample style: %w", err)
	}
	if err := f.SetCellStyle(sampleSheet, "A1", "A1", bold); err != nil {
		return fmt.Errorf("style sample title: %w", err)
	}
	if err := f.SetCellStyle(sampleSheet, "A3", "D3", bold); err != nil {
		return fmt.Errorf("style sample header: %w", err)
	}
	if err := f.SetColWidth(sampleSheet, "A", "D", 28); err != nil {
		return fmt.Errorf("size sample columns: %w", err)
	}
	return nil
}
