package sheets

// WithRowLimit lowers the rows a sheet holds, so tests see sheets spill
// without writing a million rows.
func WithRowLimit(e Export, rows int) Export {
	e.rowLimit = rows
	return e
}
