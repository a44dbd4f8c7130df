package api

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	// partialMaxAge is how long a partial workbook built for a running job
	// serves further requests (longer when building it took long).
	partialMaxAge = 5 * time.Second
	// defaultSheet is the sheet CSV and row pages show when none is named.
	defaultSheet = "Firms"
)

// resultSource is where a job's workbook comes from right now: the final
// workbook in the store (final != nil, to be closed), or one built from the
// stored results of the job's run, with view giving its Summary.
type resultSource struct {
	final    io.ReadCloser
	size     int64
	modified time.Time
	view     answer.Job
}

// finalWorkbook opens the workbook a closed run wrote: one older than the
// run's start (since; zero when unknown) is an earlier run's, left by a run
// that ended without writing its own, and is store.ErrNotFound here.
func (s *Server) finalWorkbook(ctx context.Context, id string, since time.Time) (io.ReadCloser, int64, time.Time, error) {
	r, size, mod, err := s.store.Workbook(ctx, id)
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	if !since.IsZero() && mod.Before(since) {
		r.Close()
		return nil, 0, time.Time{}, fmt.Errorf("job %s: the workbook is an earlier run's: %w", id, store.ErrNotFound)
	}
	return r, size, mod, nil
}

// resultSource decides what a job's result is: its final workbook once its
// run has closed, else a partial workbook built from what has finished.
func (s *Server) resultSource(c *gin.Context, job store.Job) (resultSource, error) {
	ctx := c.Request.Context()
	desc, derr := s.temporal.DescribeWorkflow(ctx, job.ID, "")
	var nf *serviceerror.NotFound
	unknown := errors.As(derr, &nf)
	// A job run again keeps its previous workbook until the new run writes
	// its own, so a running job's stored workbook is not its result.
	if derr != nil || desc.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		var since time.Time
		if derr == nil {
			since = desc.WorkflowStartTime
		}
		r, size, mod, err := s.finalWorkbook(ctx, job.ID, since)
		if err == nil {
			return resultSource{final: r, size: size, modified: mod}, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return resultSource{}, err
		}
		if derr != nil && !unknown {
			return resultSource{}, derr
		}
	}
	if unknown || job.Run == "" {
		return resultSource{}, newProblem(http.StatusConflict, fmt.Sprintf("job %s never started, so it has no workbook", job.ID))
	}
	v, err := s.view(c, job)
	if err != nil {
		return resultSource{}, err
	}
	return resultSource{view: v}, nil
}

// writePartial writes the workbook of a job that has not finished (or whose
// export failed) from the stored results of its run, firm by firm, so the
// job is never held in memory. Firms without a result read "not processed".
func (s *Server) writePartial(ctx context.Context, job store.Job, v answer.Job, w io.Writer) error {
	load := func(i int) (firm.Input, firm.Result, error) {
		if err := ctx.Err(); err != nil {
			return firm.Input{}, firm.Result{}, err
		}
		return s.store.RunResult(ctx, job.ID, job.Run, i)
	}
	summary := sheets.Summary{
		JobID: job.ID, Name: job.Name, Status: v.Status + " (partial workbook: the job has not finished)",
		Started: v.Started, Total: job.Total, Done: v.Done, Failed: v.Failed, TeamMembers: v.TeamMembers,
		FailuresByReason: v.FailuresByReason, Rejected: job.Rejected,
	}
	return sheets.WriteWorkbook(w, sheets.Export{InputHeaders: job.Headers, Total: job.Total, Load: load, Summary: summary})
}

// attachment is a Content-Disposition that survives any job name.
func attachment(name, suffix string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`"/\:*?<>|`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" {
		name = "vcenrich"
	}
	return mime.FormatMediaType("attachment", map[string]string{"filename": name + suffix})
}

func (s *Server) getResult(c *gin.Context) {
	job, ok := s.jobRecord(c)
	if !ok {
		return
	}
	src, err := s.resultSource(c, job)
	if err != nil {
		s.answer(c, err, "result")
		return
	}
	if src.final != nil {
		defer src.final.Close()
		c.Header("Content-Disposition", attachment(job.Name, "-enriched.xlsx"))
		c.Header("Last-Modified", src.modified.UTC().Format(http.TimeFormat))
		c.Header("Vcenrich-Result", "final")
		c.DataFromReader(http.StatusOK, src.size, xlsxType, src.final, nil)
		return
	}
	var f *os.File
	err = s.workbooks.use(job.ID, "partial "+job.Run, partialMaxAge,
		func(w io.Writer) error { return s.writePartial(c.Request.Context(), job, src.view, w) },
		func(path string) (err error) { f, err = os.Open(path); return err })
	if err != nil {
		s.answer(c, err, "build partial workbook")
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		s.answer(c, err, "build partial workbook")
		return
	}
	c.Header("Content-Disposition", attachment(job.Name, "-partial.xlsx"))
	c.Header("Cache-Control", "no-store")
	c.Header("Vcenrich-Result", "partial")
	c.DataFromReader(http.StatusOK, info.Size(), xlsxType, f, nil)
}

// openWorkbook opens a job's current workbook (final or partial) for
// reading sheets; partial says which. The caller closes the file.
func (s *Server) openWorkbook(c *gin.Context, job store.Job) (wb *excelize.File, partial bool, err error) {
	src, err := s.resultSource(c, job)
	if err != nil {
		return nil, false, err
	}
	open := func(path string) (err error) {
		// Sheets larger than a megabyte are read from temporary files, so
		// a large job's rows are streamed, not held in memory.
		wb, err = excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: 1 << 20, TmpDir: s.cfg.TempDir})
		return err
	}
	if src.final != nil {
		defer src.final.Close()
		key := fmt.Sprintf("final %d %d", src.modified.UnixNano(), src.size)
		err = s.workbooks.use(job.ID, key, 0, func(w io.Writer) error { _, err := io.Copy(w, src.final); return err }, open)
		return wb, false, err
	}
	err = s.workbooks.use(job.ID, "partial "+job.Run, partialMaxAge,
		func(w io.Writer) error { return s.writePartial(c.Request.Context(), job, src.view, w) }, open)
	return wb, true, err
}

// openSheet opens the job's current workbook and the named sheet's rows,
// answering 400 when the workbook has no such sheet. Sheets are named as the
// workbook names them, so new sheets need nothing here. The caller closes
// both.
func (s *Server) openSheet(c *gin.Context, job store.Job, sheet string) (wb *excelize.File, rows *excelize.Rows, partial bool, err error) {
	wb, partial, err = s.openWorkbook(c, job)
	if err != nil {
		return nil, nil, false, err
	}
	list := wb.GetSheetList()
	if !slices.Contains(list, sheet) {
		wb.Close()
		return nil, nil, false, newProblem(http.StatusBadRequest, fmt.Sprintf("the workbook has no sheet %q; its sheets are %s", sheet, strings.Join(quoted(list, 10), ", ")))
	}
	if rows, err = wb.Rows(sheet); err != nil {
		wb.Close()
		return nil, nil, false, err
	}
	return wb, rows, partial, nil
}

// neutralise keeps a spreadsheet program from reading a cell as a formula:
// a value starting with = + - @ (or a tab or carriage return, which some
// programs skip before looking) gets a leading single quote.
func neutralise(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// getResultCSV streams one sheet of the job's workbook as CSV.
func (s *Server) getResultCSV(c *gin.Context) {
	job, ok := s.jobRecord(c)
	if !ok {
		return
	}
	sheet := c.DefaultQuery("sheet", defaultSheet)
	wb, rows, partial, err := s.openSheet(c, job, sheet)
	if err != nil {
		s.answer(c, err, "open sheet")
		return
	}
	defer wb.Close()
	defer rows.Close()
	suffix := "-" + sheet
	if partial {
		suffix += "-partial"
		c.Header("Cache-Control", "no-store")
	}
	c.Header("Content-Disposition", attachment(job.Name, suffix+".csv"))
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Vcenrich-Result", map[bool]string{true: "partial", false: "final"}[partial])
	c.Status(http.StatusOK)
	// The byte-order mark makes Excel read the file as UTF-8, so accented
	// names survive a double click.
	if _, err := io.WriteString(c.Writer, "\ufeff"); err != nil {
		return
	}
	w := csv.NewWriter(c.Writer)
	width := -1
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			// Too late for an error answer: the cut-off file is the signal.
			s.log.Error("read sheet", zap.String("job", job.ID), zap.String("sheet", sheet), zap.Error(err))
			return
		}
		if width < 0 {
			width = len(cols)
		}
		record := make([]string, max(width, len(cols)))
		for i, v := range cols {
			record[i] = neutralise(v)
		}
		if err := w.Write(record); err != nil {
			return
		}
	}
	w.Flush()
}

// rowsPage is a page of one sheet's rows for the dashboard's results view.
type rowsPage struct {
	JobID   string     `json:"job_id"`
	Sheet   string     `json:"sheet"`
	Sheets  []string   `json:"sheets"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
	Total   int        `json:"total"` // rows matching q
	Offset  int        `json:"offset"`
	Limit   int        `json:"limit"`
	Query   string     `json:"q,omitempty"`
	Partial bool       `json:"partial"`
}

// getResultRows answers a page of one sheet's rows, optionally only those
// with a cell containing q (ignoring case).
func (s *Server) getResultRows(c *gin.Context) {
	job, ok := s.jobRecord(c)
	if !ok {
		return
	}
	offset, err := queryInt(c, "offset", 0, 0, 1<<30)
	if err != nil {
		s.answer(c, err, "rows")
		return
	}
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		s.answer(c, err, "rows")
		return
	}
	q := strings.ToLower(strings.TrimSpace(c.Query("q")))
	sheet := c.DefaultQuery("sheet", defaultSheet)
	wb, rows, partial, err := s.openSheet(c, job, sheet)
	if err != nil {
		s.answer(c, err, "open sheet")
		return
	}
	defer wb.Close()
	defer rows.Close()
	page := rowsPage{JobID: job.ID, Sheet: sheet, Sheets: wb.GetSheetList(), Columns: []string{}, Rows: [][]string{},
		Offset: offset, Limit: limit, Query: q, Partial: partial}
	first := true
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			s.answer(c, err, "read sheet")
			return
		}
		if first {
			page.Columns, first = cols, false
			continue
		}
		if q != "" && !slices.ContainsFunc(cols, func(v string) bool { return strings.Contains(strings.ToLower(v), q) }) {
			continue
		}
		page.Total++
		if page.Total > offset && len(page.Rows) < limit {
			row := make([]string, max(len(page.Columns), len(cols)))
			copy(row, cols)
			page.Rows = append(page.Rows, row)
		}
	}
	if err := rows.Error(); err != nil {
		s.answer(c, err, "read sheet")
		return
	}
	if partial {
		c.Header("Cache-Control", "no-store")
	}
	c.JSON(http.StatusOK, page)
}

// queryInt reads a whole-number query parameter within [lo, hi].
func queryInt(c *gin.Context, key string, def, lo, hi int) (int, error) {
	v := strings.TrimSpace(c.Query(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, newProblem(http.StatusBadRequest, fmt.Sprintf("%s must be a whole number from %d to %d", key, lo, hi))
	}
	return n, nil
}
