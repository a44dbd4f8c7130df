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
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/sheetindex"
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
	// partialName is a partial workbook's file in its cache folder, beside
	// its rows index.
	partialName = "workbook.xlsx"
)

// resultSource is where a job's workbook comes from right now: the final
// workbook in the store (final, described by info), or one built from the
// stored results of the job's run, with view giving its Summary.
type resultSource struct {
	final bool
	info  store.WorkbookInfo
	view  answer.Job
}

// finalWorkbook opens the workbook a closed run wrote: one older than the
// run's start (since; zero when unknown) is an earlier run's, left by a run
// that ended without writing its own, and is store.ErrNotFound here.
func (s *Server) finalWorkbook(ctx context.Context, id string, since time.Time) (io.ReadCloser, int64, time.Time, error) {
	r, size, mod, err := s.store.Workbook(ctx, id)
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	if err := earlierRun(id, mod, since); err != nil {
		r.Close()
		return nil, 0, time.Time{}, err
	}
	return r, size, mod, nil
}

// finalInfo describes the workbook a closed run wrote, as finalWorkbook
// finds it, without reading it.
func (s *Server) finalInfo(ctx context.Context, id string, since time.Time) (store.WorkbookInfo, error) {
	info, err := s.store.WorkbookInfo(ctx, id)
	if err == nil {
		err = earlierRun(id, info.Modified, since)
	}
	if err != nil {
		return store.WorkbookInfo{}, err
	}
	return info, nil
}

func earlierRun(id string, modified, since time.Time) error {
	if !since.IsZero() && modified.Before(since) {
		return fmt.Errorf("job %s: the workbook is an earlier run's: %w", id, store.ErrNotFound)
	}
	return nil
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
		info, err := s.finalInfo(ctx, job.ID, since)
		if err == nil {
			return resultSource{final: true, info: info}, nil
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
// job is never held in memory, and its rows to rows. Firms without a result
// read "not processed".
func (s *Server) writePartial(ctx context.Context, job store.Job, v answer.Job, w io.Writer, rows sheets.RowSink) error {
	export := s.store.Export(ctx, job, job.Run, sheets.Summary{
		Status:  v.Status + " (partial workbook: the job has not finished)",
		Started: v.Started, Total: job.Total, Done: v.Done, Failed: v.Failed, TeamMembers: v.TeamMembers,
		FailuresByReason: v.FailuresByReason,
	}, nil)
	export.Rows = rows
	return sheets.WriteWorkbook(w, export)
}

// partialKey is what a job's partial workbook is built from, for the cache.
func partialKey(job store.Job) string { return "partial " + job.Run }

// buildPartial builds into a cache folder a job's partial workbook and, in
// the same pass, its rows index, so that downloading it and paging through
// it cost one build between them.
func (s *Server) buildPartial(ctx context.Context, job store.Job, v answer.Job) func(dir string) error {
	return func(dir string) error {
		f, err := os.Create(filepath.Join(dir, partialName))
		if err != nil {
			return fmt.Errorf("partial workbook: %w", err)
		}
		rows := sheetindex.NewWriter(sheetindex.Dir(dir))
		err = s.writePartial(ctx, job, v, f, rows)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			rows.Abort()
			return fmt.Errorf("partial workbook: %w", err)
		}
		ix, err := rows.Finish()
		if err != nil {
			return fmt.Errorf("partial workbook: %w", err)
		}
		return sheetindex.Save(dir, ix)
	}
}

// buildRows builds into a cache folder the rows index of a final workbook
// exported before rows indexes were, from the workbook itself: once per
// version of it while the cache keeps it, rather than once per page. The
// workbook's copy goes once the index is built.
func (s *Server) buildRows(ctx context.Context, id string) func(dir string) error {
	return func(dir string) error {
		r, _, _, err := s.store.Workbook(ctx, id)
		if err != nil {
			return err
		}
		defer r.Close()
		path := filepath.Join(dir, "final.xlsx")
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("rows of the final workbook: %w", err)
		}
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("rows of the final workbook: %w", err)
		}
		rows := sheetindex.NewWriter(sheetindex.Dir(dir))
		if err := sheetindex.FromWorkbook(path, s.cfg.TempDir, rows); err != nil {
			rows.Abort()
			return err
		}
		ix, err := rows.Finish()
		if err != nil {
			return fmt.Errorf("rows of the final workbook: %w", err)
		}
		if err := sheetindex.Save(dir, ix); err != nil {
			return err
		}
		return os.Remove(path)
	}
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
	ctx := c.Request.Context()
	src, err := s.resultSource(c, job)
	if err != nil {
		s.answer(c, err, "result")
		return
	}
	if src.final {
		r, size, mod, err := s.store.Workbook(ctx, job.ID)
		if err != nil {
			s.answer(c, err, "result")
			return
		}
		defer r.Close()
		c.Header("Content-Disposition", attachment(job.Name, "-enriched.xlsx"))
		c.Header("Last-Modified", mod.UTC().Format(http.TimeFormat))
		c.Header("Vcenrich-Result", "final")
		c.DataFromReader(http.StatusOK, size, xlsxType, r, nil)
		return
	}
	var f *os.File
	err = s.workbooks.use(job.ID, partialKey(job), partialMaxAge, s.buildPartial(ctx, job, src.view),
		func(dir string) (err error) { f, err = os.Open(filepath.Join(dir, partialName)); return err })
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

// sheetRows is one sheet of a job's current workbook, read through a rows
// index.
type sheetRows struct {
	sheets  []string // the workbook's, in order
	sheet   sheetindex.Sheet
	src     sheetindex.Source
	partial bool
}

// withSheet calls read with the named sheet of the job's current workbook,
// answering 400 when the workbook has no such sheet. A final workbook's rows
// come from the index its export wrote beside it; a partial workbook's, and
// a final one's exported before rows indexes were, from an index the cache
// builds. Sheets are named as the workbook names them, so new sheets need
// nothing here.
func (s *Server) withSheet(c *gin.Context, job store.Job, sheet string, read func(sheetRows) error) error {
	ctx := c.Request.Context()
	src, err := s.resultSource(c, job)
	if err != nil {
		return err
	}
	if src.final {
		err := s.storedSheet(ctx, job.ID, src.info, sheet, read)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// No index for this workbook (an older one, or its export has not
		// written the index yet), or its files went with a newer export's:
		// the rows come from the workbook itself, as for a partial one.
	}
	key, maxAge, build := partialKey(job), partialMaxAge, s.buildPartial(ctx, job, src.view)
	if src.final {
		key, maxAge, build = "final "+src.info.Version, 0, s.buildRows(ctx, job.ID)
	}
	var (
		rows sheetRows
		f    *os.File
	)
	err = s.workbooks.use(job.ID, key, maxAge, build, func(dir string) error {
		ix, err := sheetindex.Load(dir)
		if err != nil {
			return err
		}
		sh, ok := ix.Sheet(sheet)
		if !ok {
			return noSheet(sheet, ix.Names())
		}
		if f, err = os.Open(filepath.Join(dir, sh.File)); err != nil {
			return err
		}
		rows = sheetRows{sheets: ix.Names(), sheet: sh, src: sheetindex.ReaderAt(f, sh.Size), partial: !src.final}
		return nil
	})
	if err != nil {
		return err
	}
	defer f.Close()
	return read(rows)
}

// storedSheet calls read with a sheet of a final workbook read through the
// rows index its export wrote, which is store.ErrNotFound when there is
// none. Indexes are kept by workbook version, so an index is never used
// with a workbook it was not written with.
func (s *Server) storedSheet(ctx context.Context, id string, wb store.WorkbookInfo, sheet string, read func(sheetRows) error) error {
	key := id + " " + wb.Version
	rows, ok := s.indexes.Get(key)
	if !ok {
		var err error
		if rows, err = s.store.Rows(ctx, id, wb); err != nil {
			return err
		}
		s.indexes.Add(key, rows)
	}
	sh, ok := rows.Sheet(sheet)
	if !ok {
		return noSheet(sheet, rows.Names())
	}
	return read(sheetRows{sheets: rows.Names(), sheet: sh, src: rows.Source(sh)})
}

func noSheet(sheet string, sheets []string) error {
	return newProblem(http.StatusBadRequest, fmt.Sprintf("the workbook has no sheet %q; its sheets are %s", sheet, strings.Join(quoted(sheets, 10), ", ")))
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
	err := s.withSheet(c, job, sheet, func(rows sheetRows) error {
		r, err := rows.sheet.Reader(c.Request.Context(), rows.src)
		if err != nil {
			return err
		}
		defer r.Close()
		suffix := "-" + sheet
		if rows.partial {
			suffix += "-partial"
			c.Header("Cache-Control", "no-store")
		}
		c.Header("Content-Disposition", attachment(job.Name, suffix+".csv"))
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Vcenrich-Result", map[bool]string{true: "partial", false: "final"}[rows.partial])
		c.Status(http.StatusOK)
		// The byte-order mark makes Excel read the file as UTF-8, so
		// accented names survive a double click.
		if _, err := io.WriteString(c.Writer, "\ufeff"); err != nil {
			return nil
		}
		w := csv.NewWriter(c.Writer)
		width := -1
		for {
			cols, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				// Too late for an error answer: the cut-off file is the
				// signal.
				s.log.Error("read sheet", zap.String("job", job.ID), zap.String("sheet", sheet), zap.Error(err))
				return nil
			}
			if width < 0 {
				width = len(cols)
			}
			record := make([]string, max(width, len(cols)))
			for i, v := range cols {
				record[i] = neutralise(v)
			}
			if err := w.Write(record); err != nil {
				return nil
			}
		}
		w.Flush()
		return nil
	})
	if err != nil {
		s.answer(c, err, "open sheet")
	}
}

// rowsPage is a page of one sheet's rows for the dashboard's results view.
type rowsPage struct {
	JobID   string     `json:"job_id"`
	Sheet   string     `json:"sheet"`
	Sheets  []string   `json:"sheets"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
	// Positions are the rows' places below the header, from 0: on the
	// Firms sheet, each firm's index (GET /api/jobs/:id/firms/:index).
	Positions []int  `json:"positions"`
	Total     int    `json:"total"` // rows matching q
	Offset    int    `json:"offset"`
	Limit     int    `json:"limit"`
	Query     string `json:"q,omitempty"`
	Partial   bool   `json:"partial"`
}

// getResultRows answers a page of one sheet's rows, optionally only those
// with a cell containing q (ignoring case). A page reads only its rows; a
// search reads only its sheet's.
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
	ctx := c.Request.Context()
	err = s.withSheet(c, job, sheet, func(rows sheetRows) error {
		page := rowsPage{JobID: job.ID, Sheet: sheet, Sheets: rows.sheets, Columns: rows.sheet.Columns,
			Offset: offset, Limit: limit, Query: q, Partial: rows.partial}
		var err error
		if q == "" {
			page.Total = rows.sheet.Rows
			page.Rows, err = rows.sheet.Page(ctx, rows.src, offset, limit)
			page.Positions = make([]int, len(page.Rows))
			for i := range page.Positions {
				page.Positions[i] = offset + i
			}
		} else {
			page.Rows, page.Positions, page.Total, err = rows.sheet.Search(ctx, rows.src, q, offset, limit)
		}
		if err != nil {
			return err
		}
		for i, r := range page.Rows {
			if len(r) < len(page.Columns) {
				page.Rows[i] = append(r, make([]string, len(page.Columns)-len(r))...)
			}
		}
		if rows.partial {
			c.Header("Cache-Control", "no-store")
		}
		c.JSON(http.StatusOK, page)
		return nil
	})
	if err != nil {
		s.answer(c, err, "rows")
	}
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
