package sheetindex

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// FromWorkbook writes into w the rows of every sheet of the .xlsx at path,
// for a workbook written before its rows index was. Sheets larger than a
// megabyte are inflated into temporary files in tmpDir (empty: the system's),
// so a large job's rows are streamed, not held in memory. The caller closes
// w.
func FromWorkbook(path, tmpDir string, w *Writer) error {
	wb, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: 1 << 20, TmpDir: tmpDir})
	if err != nil {
		return fmt.Errorf("rows index from workbook: %w", err)
	}
	defer wb.Close()
	for _, name := range wb.GetSheetList() {
		if err := copySheet(wb, name, w); err != nil {
			return fmt.Errorf("rows index from workbook: sheet %s: %w", name, err)
		}
	}
	return nil
}

func copySheet(wb *excelize.File, name string, w *Writer) error {
	if err := w.StartSheet(name); err != nil {
		return err
	}
	rows, err := wb.Rows(name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		if err := w.Row(name, cols); err != nil {
			return err
		}
	}
	return rows.Error()
}
