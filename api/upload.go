package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/notify"
	"github.com/vcenrich/vcenrich/sheets"
)

// multipartSlack covers the multipart framing around the file, so a file of
// exactly the limit is accepted.
const multipartSlack = 64 << 10

// readUpload reads the multipart field "file" within the upload limit. The
// limit is enforced on the request body itself: gin's MaxMultipartMemory is
// only the point where the form spills to disk.
func (s *Server) readUpload(c *gin.Context) (data []byte, filename string, err error) {
	limit := s.cfg.UploadMaxBytes
	tooBig := newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the upload is larger than the %s limit; split the list into smaller files", sizeText(limit)))
	if c.Request.ContentLength > limit+multipartSlack {
		return nil, "", tooBig
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+multipartSlack)
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", tooBig
		}
		return nil, "", newProblem(http.StatusBadRequest, "send the spreadsheet as a multipart form field named \"file\" (.xlsx or .csv)")
	}
	if fh.Size > limit {
		return nil, "", tooBig
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", newProblem(http.StatusBadRequest, "could not read the uploaded file")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", newProblem(http.StatusBadRequest, "could not read the uploaded file")
	}
	return data, filepath.Base(fh.Filename), nil
}

// sizeText says a byte count the way people read file sizes, in the unit
// the limit was most likely set in (20MiB and 20MB both read "20 MB").
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1_000_000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64), ".0") + " MB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KB"
	case n >= 1000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64), ".0") + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// choice is the column mapping a person confirmed: for each role a header
// name as the preview listed it or a 0-based column index; null, "" or -1
// for no such column (name and description only).
type choice struct {
	Name        json.RawMessage `json:"name"`
	Website     json.RawMessage `json:"website"`
	Description json.RawMessage `json:"description"`
}

// parseChoice reads the "mapping" form field; nil when none was sent.
func parseChoice(raw string) (*choice, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var ch choice
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ch); err != nil {
		return nil, newProblem(http.StatusBadRequest, `mapping must be JSON such as {"name": "Firm Name", "website": "URL", "description": null}, naming headers or 0-based column numbers`)
	}
	return &ch, nil
}

// resolve turns the choice into indexes into headers.
func (ch *choice) resolve(headers []string) (sheets.Mapping, error) {
	m := sheets.Mapping{}
	for _, r := range []struct {
		role string
		raw  json.RawMessage
		into *int
	}{{"name", ch.Name, &m.Name}, {"website", ch.Website, &m.Website}, {"description", ch.Description, &m.Description}} {
		i, err := columnIndex(r.role, r.raw, headers)
		if err != nil {
			return m, err
		}
		*r.into = i
	}
	if m.Website < 0 {
		return m, newProblem(http.StatusBadRequest, "the mapping must name the website column")
	}
	for _, pair := range [][2]int{{m.Name, m.Website}, {m.Name, m.Description}, {m.Website, m.Description}} {
		if pair[0] >= 0 && pair[0] == pair[1] {
			return m, newProblem(http.StatusBadRequest, fmt.Sprintf("column %q is mapped to two roles; give each role its own column", headers[pair[0]]))
		}
	}
	return m, nil
}

func columnIndex(role string, raw json.RawMessage, headers []string) (int, error) {
	v := strings.TrimSpace(string(raw))
	if v == "" || v == "null" || v == `""` || v == "-1" {
		return -1, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 || n >= len(headers) {
			return 0, newProblem(http.StatusBadRequest, fmt.Sprintf("the %s column number %d is out of range: the sheet has columns 0 to %d", role, n, len(headers)-1))
		}
		return n, nil
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		return 0, newProblem(http.StatusBadRequest, fmt.Sprintf("the %s column must be a header name or a column number", role))
	}
	name = strings.TrimSpace(name)
	if i := slices.Index(headers, name); i >= 0 {
		return i, nil
	}
	for i, h := range headers {
		if strings.EqualFold(h, name) {
			return i, nil
		}
	}
	return 0, newProblem(http.StatusBadRequest, fmt.Sprintf("there is no column named %q; the columns are %s", name, strings.Join(quoted(headers, 12), ", ")))
}

func quoted(ss []string, limit int) []string {
	var out []string
	for i, s := range ss {
		if i == limit {
			out = append(out, fmt.Sprintf("and %d more", len(ss)-limit))
			break
		}
		out = append(out, strconv.Quote(s))
	}
	return out
}

// parsed is an upload read with the columns to use.
type parsed struct {
	up *sheets.Upload
	// remapped is true when the confirmed columns differ from the detected
	// ones: the job is then a different job from the same file as detected.
	remapped bool
}

// parseUpload reads the spreadsheet with the confirmed mapping, if any. The
// mapping also applies to a sheet whose website column was not recognised:
// its most header-like row, as the preview showed it, is the header row.
func (s *Server) parseUpload(data []byte, filename string, ch *choice) (parsed, error) {
	if ch == nil {
		up, err := sheets.Parse(bytes.NewReader(data), filename, s.cfg.Limits)
		return parsed{up: up}, err
	}
	var p parsed
	up, err := sheets.ParseWith(data, filename, s.cfg.Limits, func(headers []string, detected sheets.Mapping) (sheets.Mapping, error) {
		m, err := ch.resolve(headers)
		p.remapped = m != detected
		return m, err
	})
	p.up = up
	return p, err
}

// jobForm is a job's options as sent with the upload.
type jobForm struct {
	name     string
	window   int // 0: the server's default
	priority int // 0: the server's default
	notify   []string
}

// readJobForm validates the options sent with an upload.
func readJobForm(c *gin.Context, email bool) (jobForm, error) {
	var f jobForm
	f.name = strings.TrimSpace(c.PostForm("name"))
	if len([]rune(f.name)) > 200 {
		return f, newProblem(http.StatusBadRequest, "the job name is longer than 200 characters; shorten it")
	}
	if w := strings.TrimSpace(c.PostForm("window")); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > contract.MaxWindow {
			return f, newProblem(http.StatusBadRequest, fmt.Sprintf("window must be a whole number from 1 to %d (firms enriched at once)", contract.MaxWindow))
		}
		f.window = n
	}
	if v := c.PostForm("priority"); strings.TrimSpace(v) != "" {
		p, err := parsePriority(v)
		if err != nil {
			return f, newProblem(http.StatusBadRequest, err.Error())
		}
		f.priority = p
	}
	notify, err := parseNotify(c.PostFormArray("notify"), email)
	if err != nil {
		return f, err
	}
	f.notify = notify
	return f, nil
}

// parseNotify reads who is told when the job ends or stalls: email
// addresses or https webhook URLs, in repeated fields or separated by
// commas.
func parseNotify(values []string, email bool) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			if err := notify.ValidateAddress(a); err != nil {
				return nil, newProblem(http.StatusBadRequest, "notify: "+err.Error()+"; give email addresses (name@example.com) or https:// webhook URLs, separated by commas")
			}
			if !email && !strings.HasPrefix(a, "https://") {
				// Refused now rather than failing, retried, at the end of
				// a job hours away.
				return nil, newProblem(http.StatusBadRequest, "notify: "+a+": this server sends no email (no VCENRICH_SMTP_ADDR); give https:// webhook URLs instead")
			}
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	if len(out) > 10 {
		return nil, newProblem(http.StatusBadRequest, "notify: at most 10 addresses per job")
	}
	return out, nil
}

// previewList caps the rows listed in a preview; the counts are complete.
const previewList = 100

func (s *Server) previewJob(c *gin.Context) {
	data, filename, err := s.readUpload(c)
	if err != nil {
		s.answer(c, err, "read upload")
		return
	}
	ch, err := parseChoice(c.PostForm("mapping"))
	if err != nil {
		s.answer(c, err, "read mapping")
		return
	}
	p, err := s.parseUpload(data, filename, ch)
	var se *sheets.Error
	if errors.As(err, &se) && se.Kind == sheets.KindMissingColumn {
		c.JSON(http.StatusOK, answer.Preview{
			Filename: filename, Sheet: se.Sheet, HeaderRow: se.HeaderRow, Headers: orEmpty(se.Headers), MappingRequired: true, Message: se.Msg,
			Mapping: &answer.Mapping{Name: se.Guess.Name, Website: -1, Description: se.Guess.Description},
			Columns: map[string]string{}, Samples: []answer.Sample{}, Rejected: []sheets.Rejected{}, Duplicates: []answer.Duplicate{},
			DuplicateFirms: []sheets.Duplicate{},
		})
		return
	}
	if err != nil {
		s.uploadError(c, err)
		return
	}
	up := p.up
	pv := answer.Preview{
		Filename: filename, Format: up.Format, Sheet: up.Sheet, HeaderRow: up.HeaderRow, Headers: up.Headers,
		Mapping: &answer.Mapping{Name: up.Mapping.Name, Website: up.Mapping.Website, Description: up.Mapping.Description},
		Columns: columnsOf(up), Firms: len(up.Firms), Samples: []answer.Sample{}, Rejected: []sheets.Rejected{},
		Duplicates: []answer.Duplicate{}, RejectedCount: len(up.Rejected),
		DuplicateFirms: up.Duplicates[:min(previewList, len(up.Duplicates))],
	}
	if pv.DuplicateFirms == nil {
		pv.DuplicateFirms = []sheets.Duplicate{}
	}
	sampleOf := func(in firm.Input) answer.Sample {
		return answer.Sample{Row: in.Row, Name: in.Name, Website: in.Website, WebsiteSource: in.WebsiteSource, LinkedIn: in.LinkedIn,
			Description: in.Description, Values: in.Values}
	}
	for _, in := range up.Firms[:min(5, len(up.Firms))] {
		pv.Samples = append(pv.Samples, sampleOf(in))
	}
	// Firms whose website was derived are shown too, so that a person sees
	// each kind of guess before starting the job.
	for _, in := range up.Firms[min(5, len(up.Firms)):] {
		if in.WebsiteSource != "" && len(pv.Samples) < previewList {
			pv.Samples = append(pv.Samples, sampleOf(in))
		}
	}
	for _, in := range up.Firms {
		if in.WebsiteSource != "" {
			pv.Derived++
		}
	}
	for _, r := range up.Rejected {
		if len(pv.Rejected) < previewList {
			pv.Rejected = append(pv.Rejected, r)
		}
		if r.SameAs > 0 {
			pv.DuplicateCount++
			if len(pv.Duplicates) < previewList {
				pv.Duplicates = append(pv.Duplicates, answer.Duplicate{Row: r.Row, SameAs: r.SameAs})
			}
		}
	}
	c.JSON(http.StatusOK, pv)
}

func orEmpty(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// uploadError answers a failure to read an upload: the file's own problems
// with their status (415 not a spreadsheet, 413 too large, 422 unusable),
// anything else as the request's problem or a server fault.
func (s *Server) uploadError(c *gin.Context, err error) {
	var se *sheets.Error
	var p *problem
	switch {
	case errors.As(err, &p):
		c.AbortWithStatusJSON(p.status, p.body)
	case errors.As(err, &se):
		status := http.StatusUnprocessableEntity
		switch se.Kind {
		case sheets.KindUnsupported:
			status = http.StatusUnsupportedMediaType
		case sheets.KindTooLarge:
			status = http.StatusRequestEntityTooLarge
		}
		c.AbortWithStatusJSON(status, answer.Error{Error: se.Msg, Headers: se.Headers})
	default:
		s.log.Error("parse upload", zap.Error(err))
		fail(c, http.StatusUnprocessableEntity, "the file could not be read as a spreadsheet")
	}
}
