package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api"
	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

// env is one API server over a fake Temporal and an in-memory store.
type env struct {
	t     *testing.T
	fake  *fakeTemporal
	store *store.Store
	cfg   api.Config
	h     http.Handler
}

func newEnv(t *testing.T, mod func(*api.Config)) *env {
	t.Helper()
	gin.SetMode(gin.TestMode)
	st, err := store.Open(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := api.Config{
		TaskQueue: "vcenrich-test", PublicURL: "http://vc.test", TemporalUIURL: "http://ui.test",
		UploadMaxBytes: 64 << 10, QueryTimeout: time.Second, TempDir: t.TempDir(),
		JobOptions: contract.Options{Window: 4, Priority: 3}, Email: true,
	}
	if mod != nil {
		mod(&cfg)
	}
	fake := newFakeTemporal()
	srv := api.New(cfg, fake, st, zap.NewNop())
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{t: t, fake: fake, store: st, cfg: cfg, h: srv.Handler()}
}

func (e *env) do(method, target string, body io.Reader, header http.Header) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, target, body)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// upload posts a multipart form with the file (when data is not nil) and
// fields.
func (e *env) upload(target, filename string, data []byte, fields map[string]string) *httptest.ResponseRecorder {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if data != nil {
		fw, _ := mw.CreateFormFile("file", filename)
		_, _ = fw.Write(data)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	return e.do(http.MethodPost, target, &b, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("answer %d is not the JSON expected: %v\n%s", rec.Code, err, rec.Body.String())
	}
	return v
}

// wantError checks an error answer: its status, JSON with a sentence, and
// that the sentence mentions what the person must know.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, mention string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body.String())
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("error answer is %q, not JSON", rec.Header().Get("Content-Type"))
	}
	var body struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Error) < 10 {
		t.Fatalf("error answer has no sentence: %s", rec.Body.String())
	}
	if !strings.Contains(strings.ToLower(body.Error), strings.ToLower(mention)) {
		t.Errorf("error %q does not mention %q", body.Error, mention)
	}
}

// firmsCSV has six usable firms, a row without a website, a repeated
// website, and a second column of addresses for remapping.
const firmsCSV = `Firm Name,Website,Description,City,Other Site
Accel,accel.com,Early and growth,Palo Alto,accel.example.com
Benchmark,https://www.benchmark.com/,,San Francisco,benchmark.example.com
Sequoia,sequoiacap.com,,Menlo Park,
Index Ventures,indexventures.com,,London,index.example.com
Greylock,greylock.com,,Menlo Park,greylock.example.com
Balderton,balderton.com,,London,accel.example.com
Nowhere Capital,,,Nowhere,nowhere.example.com
Accel Again,https://accel.com,,Palo Alto,again.example.com
`

type previewAnswer struct {
	Headers         []string          `json:"headers"`
	HeaderRow       int               `json:"header_row"`
	MappingRequired bool              `json:"mapping_required"`
	Message         string            `json:"message"`
	Mapping         map[string]int    `json:"mapping"`
	Columns         map[string]string `json:"columns"`
	Firms           int               `json:"firms"`
	Samples         []struct {
		Row           int    `json:"row"`
		Name          string `json:"name"`
		Website       string `json:"website"`
		WebsiteSource string `json:"website_source"`
		LinkedIn      string `json:"linkedin"`
	} `json:"samples"`
	DuplicateFirms []sheets.Duplicate `json:"duplicate_firms"`
	Derived        int                `json:"derived"`
	Rejected       []sheets.Rejected  `json:"rejected"`
	RejectedCount  int                `json:"rejected_count"`
	Duplicates     []struct {
		Row    int `json:"row"`
		SameAs int `json:"same_as"`
	} `json:"duplicates"`
	DuplicateCount int `json:"duplicate_count"`
}

// unrecognisedCSV has a title row and a header row where no column is
// recognised as the website.
const unrecognisedCSV = "Fund list\nFirm,City,Home\nAccel,Palo Alto,accel.com\nGreylock,Menlo Park,greylock.com\n"

func TestPreview(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.upload("/api/jobs/preview", "firms.csv", []byte(firmsCSV), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body.String())
	}
	p := decode[previewAnswer](t, rec)
	if p.HeaderRow != 1 || p.Firms != 6 || len(p.Samples) != 5 || p.MappingRequired {
		t.Errorf("preview %+v: want header row 1, 6 firms, 5 samples", p)
	}
	if p.Mapping["name"] != 0 || p.Mapping["website"] != 1 || p.Mapping["description"] != 2 || p.Columns["website"] != "Website" {
		t.Errorf("detected mapping %v %v", p.Mapping, p.Columns)
	}
	if p.Samples[1].Website != "https://www.benchmark.com/" || p.Samples[0].Website != "https://accel.com/" || p.Samples[0].Row != 2 {
		t.Errorf("samples %+v", p.Samples)
	}
	if p.RejectedCount != 2 || p.DuplicateCount != 1 || len(p.Duplicates) != 1 || p.Duplicates[0].Row != 9 || p.Duplicates[0].SameAs != 2 {
		t.Errorf("rejected %+v (%d), duplicates %+v (%d)", p.Rejected, p.RejectedCount, p.Duplicates, p.DuplicateCount)
	}
	if len(e.fake.started) != 0 {
		t.Error("a preview started a workflow")
	}

	t.Run("a confirmed mapping is applied", func(t *testing.T) {
		rec := e.upload("/api/jobs/preview", "firms.csv", []byte(firmsCSV), map[string]string{"mapping": `{"name": "City", "website": 4, "description": null}`})
		p := decode[previewAnswer](t, rec)
		if rec.Code != http.StatusOK || p.Mapping["name"] != 3 || p.Mapping["website"] != 4 || p.Mapping["description"] != -1 {
			t.Fatalf("%d %+v", rec.Code, p)
		}
		// Every row is read again with the chosen columns: Sequoia has no
		// other site and Balderton repeats Accel's, while the two rows
		// rejected for their Website cell now have an address.
		if p.Firms != 6 || p.Samples[0].Name != "Palo Alto" || p.Samples[0].Website != "https://accel.example.com/" {
			t.Errorf("remapped preview %+v", p)
		}
		if p.RejectedCount != 2 || p.DuplicateCount != 1 || p.Duplicates[0].Row != 7 || p.Duplicates[0].SameAs != 2 {
			t.Errorf("remapped rejections %+v", p.Rejected)
		}
	})

	t.Run("profile pages and derived websites", func(t *testing.T) {
		const list = "Name,Website,Email\n" +
			"A,a.vc,\n" + "B,b.vc,\n" + "C,c.vc,\n" + "D,d.vc,\n" + "E,e.vc,\n" +
			"Acme,https://www.linkedin.com/company/acme/,jane@acme.vc\n" +
			"Bare,http://www.linkedin.com,\n" +
			"A again,https://a.vc/,\n" + "A thrice,www.a.vc,\n"
		rec := e.upload("/api/jobs/preview", "list.csv", []byte(list), nil)
		p := decode[previewAnswer](t, rec)
		if rec.Code != http.StatusOK || p.Firms != 6 || p.Derived != 1 || len(p.Samples) != 6 {
			t.Fatalf("%d %+v", rec.Code, p)
		}
		if s := p.Samples[5]; s.Row != 7 || s.Website != "https://acme.vc/" || !strings.Contains(s.WebsiteSource, "jane@acme.vc") || s.LinkedIn != "https://www.linkedin.com/company/acme" {
			t.Errorf("derived sample %+v", s)
		}
		if len(p.DuplicateFirms) != 1 || !slices.Equal(p.DuplicateFirms[0].Rows, []int{2, 9, 10}) {
			t.Errorf("duplicate firms %+v", p.DuplicateFirms)
		}
		var bare string
		for _, r := range p.Rejected {
			if r.Row == 8 {
				bare = r.Reason
			}
		}
		if !strings.Contains(bare, "LinkedIn, not the firm's own website") {
			t.Errorf("bare LinkedIn row: %q", bare)
		}
	})

	t.Run("no website column asks for a mapping", func(t *testing.T) {
		rec := e.upload("/api/jobs/preview", "list.csv", []byte(unrecognisedCSV), nil)
		p := decode[previewAnswer](t, rec)
		if rec.Code != http.StatusOK || !p.MappingRequired || !slices.Equal(p.Headers, []string{"Firm", "City", "Home"}) || p.HeaderRow != 2 || p.Message == "" ||
			p.Mapping["name"] != 0 || p.Mapping["website"] != -1 {
			t.Errorf("%d %+v", rec.Code, p)
		}
	})

	t.Run("the mapping a person gives applies to a sheet nothing was recognised in", func(t *testing.T) {
		rec := e.upload("/api/jobs/preview", "list.csv", []byte(unrecognisedCSV), map[string]string{"mapping": `{"name": "Firm", "website": "Home"}`})
		p := decode[previewAnswer](t, rec)
		if rec.Code != http.StatusOK || p.MappingRequired || p.Firms != 2 || p.HeaderRow != 2 || p.Samples[1].Website != "https://greylock.com/" || p.Mapping["website"] != 2 {
			t.Errorf("%d %+v", rec.Code, p)
		}
	})

	for _, tc := range []struct {
		name     string
		file     []byte
		filename string
		fields   map[string]string
		status   int
		mention  string
	}{
		{"no file", nil, "", nil, http.StatusBadRequest, `"file"`},
		{"mapping not JSON", []byte(firmsCSV), "f.csv", map[string]string{"mapping": "website=URL"}, http.StatusBadRequest, "mapping must be JSON"},
		{"mapping names no column", []byte(firmsCSV), "f.csv", map[string]string{"mapping": `{"website": "URL"}`}, http.StatusBadRequest, `no column named "URL"`},
		{"mapping without website", []byte(firmsCSV), "f.csv", map[string]string{"mapping": `{"name": "Firm Name"}`}, http.StatusBadRequest, "website column"},
		{"column number out of range", []byte(firmsCSV), "f.csv", map[string]string{"mapping": `{"website": 9}`}, http.StatusBadRequest, "out of range"},
		{"one column, two roles", []byte(firmsCSV), "f.csv", map[string]string{"mapping": `{"name": "Website", "website": "Website"}`}, http.StatusBadRequest, "two roles"},
		{"mapping names no column of an unrecognised sheet", []byte(unrecognisedCSV), "f.csv", map[string]string{"mapping": `{"website": "Website"}`}, http.StatusBadRequest, `no column named "Website"`},
		{"too large", bytes.Repeat([]byte("a"), 70<<10), "big.csv", nil, http.StatusRequestEntityTooLarge, "64 KB limit"},
		{"legacy xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 64)...), "old.xls", nil, http.StatusUnsupportedMediaType, "xlsx"},
		{"no firm rows", []byte("Firm Name,Website\n"), "empty.csv", nil, http.StatusUnprocessableEntity, "no firms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.upload("/api/jobs/preview", tc.filename, tc.file, tc.fields), tc.status, tc.mention)
		})
	}
}

// TestUploadLimitOnBody sends a body larger than the limit that declares
// no length: the limit holds on the bytes themselves.
func TestUploadLimitOnBody(t *testing.T) {
	e := newEnv(t, nil)
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "big.csv")
	_, _ = fw.Write([]byte("Firm Name,Website\n"))
	_, _ = fw.Write(bytes.Repeat([]byte("x,y.com\n"), 20<<10))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/jobs", io.MultiReader(&b)) // no Content-Length
	req.ContentLength = -1
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	wantError(t, rec, http.StatusRequestEntityTooLarge, "limit")
}

type createdAnswer struct {
	JobID    string            `json:"job_id"`
	Name     string            `json:"name"`
	Firms    int               `json:"firms"`
	Existing bool              `json:"existing"`
	Columns  map[string]string `json:"columns"`
	Rejected []sheets.Rejected `json:"rejected"`
	Window   int               `json:"window"`
	Priority int               `json:"priority"`
	Notify   []string          `json:"notify"`
	Links    map[string]string `json:"links"`
}

func (e *env) create(fields map[string]string) createdAnswer {
	e.t.Helper()
	rec := e.upload("/api/jobs", "firms.csv", []byte(firmsCSV), fields)
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("create job: %d %s", rec.Code, rec.Body.String())
	}
	return decode[createdAnswer](e.t, rec)
}

func TestCreateJob(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(map[string]string{"name": "Q3 list", "window": "2", "priority": "urgent", "notify": "ops@example.com, https://hooks.example.com/vc"})
	if c.Firms != 6 || c.Name != "Q3 list" || c.Window != 2 || c.Priority != 1 || len(c.Rejected) != 2 {
		t.Errorf("created %+v", c)
	}
	if !slices.Equal(c.Notify, []string{"ops@example.com", "https://hooks.example.com/vc"}) {
		t.Errorf("notify %v", c.Notify)
	}
	// A server that cannot send email says so at the upload, not hours
	// later when the job ends.
	noMail := newEnv(t, func(c *api.Config) { c.Email = false })
	wantError(t, noMail.upload("/api/jobs", "firms.csv", []byte(firmsCSV), map[string]string{"notify": "ops@example.com"}), http.StatusBadRequest, "sends no email")
	if len(noMail.fake.started) != 0 {
		t.Errorf("a job started with an email address the server cannot use")
	}
	if c.Links["temporal_ui"] != "http://ui.test/namespaces/default/workflows/"+c.JobID || c.Links["result"] != "http://vc.test/api/jobs/"+c.JobID+"/result" {
		t.Errorf("links %v", c.Links)
	}
	job, err := e.store.Job(context.Background(), c.JobID)
	if err != nil {
		t.Fatal(err)
	}
	if job.Total != 6 || job.Run == "" || !slices.Equal(job.Notify, c.Notify) || job.Mapping != (sheets.Mapping{Name: 0, Website: 1, Description: 2}) {
		t.Errorf("stored job %+v", job)
	}
	in, opts := e.fake.inputs[0], e.fake.started[0]
	if in.Options.Window != 2 || in.Options.Priority != 1 || !slices.Equal(in.Notify, c.Notify) || in.Link != c.Links["dashboard"] || opts.Priority.PriorityKey != 1 {
		t.Errorf("workflow started with %+v, %+v", in, opts.Priority)
	}

	t.Run("the same upload while it runs is that job", func(t *testing.T) {
		rec := e.upload("/api/jobs", "firms.csv", []byte(firmsCSV), map[string]string{"name": "Q3 list", "window": "2", "priority": "urgent", "notify": "someone-else@example.com"})
		again := decode[createdAnswer](t, rec)
		if rec.Code != http.StatusOK || !again.Existing || again.JobID != c.JobID {
			t.Errorf("%d %+v", rec.Code, again)
		}
		// The running job keeps whom it notifies, and the answer says so.
		if !slices.Equal(again.Notify, c.Notify) {
			t.Errorf("answer notify %v; the running job notifies %v", again.Notify, c.Notify)
		}
	})
	t.Run("the detected mapping confirmed is the same job", func(t *testing.T) {
		rec := e.upload("/api/jobs", "firms.csv", []byte(firmsCSV), map[string]string{"name": "Q3 list", "window": "2", "priority": "urgent",
			"mapping": `{"name": 0, "website": 1, "description": 2}`})
		if again := decode[createdAnswer](t, rec); again.JobID != c.JobID {
			t.Errorf("confirming the detected columns gave job %s, want %s", again.JobID, c.JobID)
		}
	})
	t.Run("another mapping is another job", func(t *testing.T) {
		other := e.create(map[string]string{"name": "Q3 list", "window": "2", "priority": "urgent", "mapping": `{"name": "City", "website": "Website"}`})
		if other.JobID == c.JobID || other.Columns["name"] != "City" {
			t.Fatalf("%+v", other)
		}
		first, err := e.store.Firm(context.Background(), other.JobID, 0)
		if err != nil || first.Name != "Palo Alto" || len(first.Values) != 5 {
			t.Errorf("first firm %+v, %v", first, err)
		}
	})
	t.Run("a mapping starts a job from a sheet nothing was recognised in", func(t *testing.T) {
		rec := e.upload("/api/jobs", "list.csv", []byte(unrecognisedCSV), map[string]string{"mapping": `{"name": "Firm", "website": 2}`})
		got := decode[createdAnswer](t, rec)
		if rec.Code != http.StatusCreated || got.Firms != 2 || got.Columns["website"] != "Home" {
			t.Fatalf("%d %+v", rec.Code, got)
		}
		job, err := e.store.Job(context.Background(), got.JobID)
		if err != nil || job.HeaderRow != 2 || job.Mapping != (sheets.Mapping{Name: 0, Website: 2, Description: -1}) {
			t.Errorf("stored job %+v, %v", job, err)
		}
		second, err := e.store.Firm(context.Background(), got.JobID, 1)
		if err != nil || second.Name != "Greylock" || second.Website != "https://greylock.com/" || second.Row != 4 {
			t.Errorf("second firm %+v, %v", second, err)
		}
		wantError(t, e.upload("/api/jobs", "list.csv", []byte(unrecognisedCSV), nil), http.StatusUnprocessableEntity, "website")
	})

	for _, tc := range []struct {
		name    string
		fields  map[string]string
		file    string
		status  int
		mention string
	}{
		{"window too large", map[string]string{"window": "4097"}, firmsCSV, http.StatusBadRequest, "window"},
		{"unknown priority", map[string]string{"priority": "asap"}, firmsCSV, http.StatusBadRequest, "priority"},
		{"notify not an address", map[string]string{"notify": "call me"}, firmsCSV, http.StatusBadRequest, "notify"},
		{"notify over http", map[string]string{"notify": "http://hooks.example.com/x"}, firmsCSV, http.StatusBadRequest, "https"},
		{"name too long", map[string]string{"name": strings.Repeat("n", 201)}, firmsCSV, http.StatusBadRequest, "200 characters"},
		{"no usable website", nil, "Firm Name,Website\nAccel,not a url\n", http.StatusUnprocessableEntity, "usable website"},
		{"no website column", nil, "Firm,City\nAccel,Palo Alto\n", http.StatusUnprocessableEntity, "no website column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.upload("/api/jobs", "f.csv", []byte(tc.file), tc.fields), tc.status, tc.mention)
		})
	}
	t.Run("without options the server's defaults hold", func(t *testing.T) {
		low := newEnv(t, func(c *api.Config) { c.JobOptions.Priority = 5 })
		c := low.create(nil)
		if c.Priority != 5 || c.Window != 4 || c.Name != "firms" || c.Notify != nil {
			t.Errorf("defaults: %+v", c)
		}
	})
	t.Run("Temporal down", func(t *testing.T) {
		e.fake.down = true
		defer func() { e.fake.down = false }()
		wantError(t, e.upload("/api/jobs", "f.csv", []byte(firmsCSV), map[string]string{"name": "down"}), http.StatusServiceUnavailable, "Temporal")
	})
	t.Run("a refused re-run keeps the last run on record", func(t *testing.T) {
		first := e.create(map[string]string{"name": "again"})
		before, err := e.store.Job(context.Background(), first.JobID)
		if err != nil || before.Run == "" {
			t.Fatalf("first run not recorded: %+v %v", before, err)
		}
		e.fake.workflows[first.JobID].status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
		e.fake.down = true
		wantError(t, e.upload("/api/jobs", "f.csv", []byte(firmsCSV), map[string]string{"name": "again"}), http.StatusServiceUnavailable, "Temporal")
		e.fake.down = false
		if after, err := e.store.Job(context.Background(), first.JobID); err != nil || after.Run != before.Run {
			t.Errorf("after a refused re-run the record says run %q (%v), want %q", after.Run, err, before.Run)
		}
	})
}

// A failed job says why in the workflow's words, without the chain of IDs
// Temporal wraps around them.
func TestFailedJobNote(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	w := e.fake.workflows[c.JobID]
	w.status = enumspb.WORKFLOW_EXECUTION_STATUS_FAILED
	w.err = fmt.Errorf("workflow execution error (type: EnrichJob, workflowID: %s, runID: 0b1c): %w", c.JobID,
		temporal.NewApplicationErrorWithCause("could not write the workbook: disk full", "export_failed",
			errors.New("activity error (type: ExportWorkbook, scheduledEventID: 41, identity: 77@host)")))
	type view struct{ Status, Note string }
	got := decode[view](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID, nil, nil))
	if got.Status != contract.StatusFailed || got.Note != "could not write the workbook: disk full" {
		t.Errorf("failed job: %+v", got)
	}
	w.status, w.err = enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, errors.New("workflow timeout")
	if got := decode[view](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID, nil, nil)); !strings.Contains(got.Note, "time limit") {
		t.Errorf("timed-out job: %+v", got)
	}
}

func TestListJobs(t *testing.T) {
	e := newEnv(t, nil)
	a := e.create(map[string]string{"name": "a"})
	b := e.create(map[string]string{"name": "b"})
	e.fake.workflows[b.JobID].status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	e.fake.workflows[b.JobID].vcStatus = contract.StatusCompleted
	e.fake.workflows[b.JobID].progress.Done = 2
	e.fake.workflows[b.JobID].progress.Failed = 4
	e.fake.workflows[b.JobID].progress.TeamMembers = 9

	type list struct {
		Jobs []struct {
			JobID       string `json:"job_id"`
			Name        string `json:"name"`
			Status      string `json:"status"`
			Total       int    `json:"total"`
			Processed   int    `json:"processed"`
			Done        int    `json:"done"`
			Failed      int    `json:"failed"`
			TeamMembers int    `json:"team_members"`
		} `json:"jobs"`
	}
	all := decode[list](t, e.do(http.MethodGet, "/api/jobs", nil, nil))
	if len(all.Jobs) != 2 {
		t.Fatalf("jobs %+v", all)
	}
	// A finished job's figures come from visibility, with no query of it.
	for _, j := range all.Jobs {
		if j.JobID == b.JobID && (j.Processed != 6 || j.Done != 2 || j.Failed != 4 || j.TeamMembers != 9) {
			t.Errorf("the completed job lists %+v, want 6 processed: 2 done, 4 failed, 9 people", j)
		}
	}
	running := decode[list](t, e.do(http.MethodGet, "/api/jobs?status=running&page_size=10", nil, nil))
	if len(running.Jobs) != 1 || running.Jobs[0].JobID != a.JobID || running.Jobs[0].Total != 6 || running.Jobs[0].Name != "a" {
		t.Errorf("running jobs %+v", running)
	}
	for _, tc := range []struct {
		query   string
		status  int
		mention string
	}{
		{"?status=sleeping", http.StatusBadRequest, "status must be"},
		{"?page_size=0", http.StatusBadRequest, "page_size"},
		{"?page_token=zz", http.StatusBadRequest, "page_token"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			wantError(t, e.do(http.MethodGet, "/api/jobs"+tc.query, nil, nil), tc.status, tc.mention)
		})
	}
	e.fake.down = true
	wantError(t, e.do(http.MethodGet, "/api/jobs", nil, nil), http.StatusServiceUnavailable, "Temporal")
}

type jobAnswer struct {
	Status          string `json:"status"`
	Total           int    `json:"total"`
	Processed       int    `json:"processed"`
	Done            int    `json:"done"`
	RatePerMinute   float64
	WorkerAnswering bool   `json:"worker_answering"`
	ResultReady     bool   `json:"result_ready"`
	Note            string `json:"note"`
}

func TestGetJob(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	w := e.fake.workflows[c.JobID]
	w.progress.Done, w.progress.Failed, w.progress.RatePerMinute = 3, 1, 12

	j := decode[jobAnswer](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID, nil, nil))
	if j.Status != "running" || j.Processed != 4 || j.Done != 3 || !j.WorkerAnswering || j.ResultReady {
		t.Errorf("running job %+v", j)
	}
	e.fake.noWorker = true
	j = decode[jobAnswer](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID, nil, nil))
	if j.WorkerAnswering || !strings.Contains(j.Note, "no worker") || j.Processed != 4 {
		t.Errorf("job without a worker %+v", j)
	}
	wantError(t, e.do(http.MethodGet, "/api/jobs/job-nope", nil, nil), http.StatusNotFound, "job-nope")
	delete(e.fake.workflows, c.JobID)
	wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID, nil, nil), http.StatusNotFound, "not known to Temporal")
	e.fake.down = true
	wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID, nil, nil), http.StatusServiceUnavailable, "Temporal")
}

// A sliced job's figures are the workflow's for slices that ended plus
// what the heartbeats of the slices it still runs say; a slice the query
// no longer lists (it ended between the two reads) is not counted twice.
func TestGetSlicedJob(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	w := e.fake.workflows[c.JobID]
	w.progress.Done, w.progress.Failed, w.progress.TeamMembers = 10, 2, 30
	w.progress.FailuresByReason = map[string]int{"dns": 2}
	w.progress.Slices = []string{"slice-64"}
	w.pending = map[string]contract.BatchProgress{
		"slice-64": {Finished: []int{64, 65, 66}, Running: []int{68, 67},
			Counts: contract.BatchCounts{Done: 2, Failed: 1, TeamMembers: 5, FailuresByReason: map[string]int{"timeout": 1}}},
		"slice-0": {Finished: []int{0, 1}, Counts: contract.BatchCounts{Done: 2, TeamMembers: 4}},
	}
	rec := e.do(http.MethodGet, "/api/jobs/"+c.JobID, nil, nil)
	var j answer.Job
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j.Done != 12 || j.Failed != 3 || j.Processed != 15 || j.TeamMembers != 35 ||
		j.FailuresByReason["dns"] != 2 || j.FailuresByReason["timeout"] != 1 || fmt.Sprint(j.InFlight) != "[67 68]" {
		t.Errorf("sliced job %+v", j)
	}
}

func TestJobControl(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	before := time.Now()
	for _, action := range []string{"pause", "resume", "cancel"} {
		rec := e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/"+action, nil, nil)
		if rec.Code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", action, rec.Code, rec.Body.String())
		}
	}
	// Pause and resume travel on one channel, which keeps their order.
	sig := e.fake.signals
	if len(sig) != 3 || sig[0].name != contract.SignalControl || sig[0].ctl.Action != contract.ActionPause ||
		sig[1].name != contract.SignalControl || sig[1].ctl.Action != contract.ActionResume || sig[2].name != "cancel" {
		t.Fatalf("signals %+v", sig)
	}
	if at := sig[0].ctl.At; at.Before(before) || at.After(time.Now()) {
		t.Errorf("pause stamped %v, sent between %v and now", at, before)
	}
	wantError(t, e.do(http.MethodPost, "/api/jobs/job-nope/pause", nil, nil), http.StatusNotFound, "job-nope")
	e.fake.workflows[c.JobID].status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	for _, action := range []string{"pause", "resume", "cancel"} {
		wantError(t, e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/"+action, nil, nil), http.StatusConflict, "no longer running")
	}
	e.fake.down = true
	wantError(t, e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/pause", nil, nil), http.StatusServiceUnavailable, "Temporal")
	wantError(t, e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/cancel", nil, nil), http.StatusServiceUnavailable, "Temporal")
}

func TestRetryFailedAndAlerts(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.JobOptions.Priority = 4 })
	c := e.create(map[string]string{"priority": "urgent"})
	wantError(t, e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/retry-failed", nil, nil), http.StatusConflict, "still running")
	wantError(t, e.do(http.MethodPost, "/api/jobs/job-nope/retry-failed", nil, nil), http.StatusNotFound, "job-nope")

	// Once it ends, its failed firm is retried at the server's default
	// priority unless another is asked for, and a bad one is refused.
	parent := e.finish(c.JobID)
	e.fake.workflows[c.JobID].status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	e.fake.workflows[c.JobID].result = &contract.Result{JobID: c.JobID, Status: contract.StatusCompleted, Total: 3, Done: 1, Failed: 0}
	wantError(t, e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/retry-failed", nil, nil), http.StatusConflict, "no failed firms")
	e.fake.workflows[c.JobID].result = &contract.Result{JobID: c.JobID, Status: contract.StatusCompleted, Total: 3, Done: 1, Failed: 1}
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	wantError(t, e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/retry-failed", strings.NewReader("priority=asap"), form), http.StatusBadRequest, "priority")
	rec := e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/retry-failed", nil, nil)
	if rec.Code != http.StatusCreated {
		t.Fatalf("retry-failed: %d %s", rec.Code, rec.Body.String())
	}
	// The request reads no result: the job's figures give the count, and
	// the new job's workflow gathers the failed firms of the parent's run.
	if retry := decode[createdAnswer](t, rec); retry.Firms != 1 {
		t.Errorf("the retry job has %d firms, want 1", retry.Firms)
	}
	if in := e.fake.inputs[len(e.fake.inputs)-1]; in.RetryOf == nil || *in.RetryOf != (contract.RunRef{JobID: c.JobID, Run: parent.Run}) {
		t.Errorf("the retry job's input names %+v, want job %s run %s", in.RetryOf, c.JobID, parent.Run)
	}
	if last := e.fake.started[len(e.fake.started)-1]; last.Priority.PriorityKey != 4 {
		t.Errorf("the retry job has priority %d, want the server's default 4", last.Priority.PriorityKey)
	}
	if rec := e.do(http.MethodGet, "/api/alerts", nil, nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"alerts":[]`) {
		t.Errorf("alerts: %d %s", rec.Code, rec.Body.String())
	}
}

// finish records results for some firms of a job's run: firm 0 found two
// people, one named like a formula; firm 1 failed.
func (e *env) finish(id string) store.Job {
	e.t.Helper()
	ctx := context.Background()
	job, err := e.store.Job(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	results := []firm.Result{
		{Index: 0, Run: job.Run, Status: firm.StatusOK, Team: []firm.Member{
			{Name: "Ada Partner", Title: "General Partner"}, {Name: "=cmd()", Title: "@attack"},
		}},
		{Index: 1, Run: job.Run, Status: firm.StatusFailed, Reason: "dns", Error: "the host does not exist"},
		{Index: 2, Run: "an-earlier-run", Status: firm.StatusOK, Team: []firm.Member{{Name: "Old Result"}}},
	}
	for _, r := range results {
		if err := e.store.PutResult(ctx, id, r); err != nil {
			e.t.Fatal(err)
		}
	}
	return job
}

func rowsOf(t *testing.T, body []byte, sheet string) [][]string {
	t.Helper()
	wb, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func column(header []string, name string) int { return slices.Index(header, name) }

func TestResultWorkbook(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(map[string]string{"name": "Q3: top/firms"})
	e.finish(c.JobID)

	rec := e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result", nil, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Vcenrich-Result") != "partial" {
		t.Fatalf("partial result: %d %v %s", rec.Code, rec.Header(), rec.Body.String())
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="Q3- top-firms-partial.xlsx"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	firms := rowsOf(t, rec.Body.Bytes(), "Firms")
	if len(firms) != 7 {
		t.Fatalf("partial workbook has %d rows, want a header and all 6 firms", len(firms))
	}
	st := column(firms[0], "Status")
	got := []string{}
	for _, r := range firms[1:] {
		got = append(got, r[st])
	}
	want := []string{"ok", "failed", "not processed", "not processed", "not processed", "not processed"}
	if !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v (a result of an earlier run is not this run's)", got, want)
	}
	team := rowsOf(t, rec.Body.Bytes(), "Team Members")
	if len(team) != 3 {
		t.Errorf("team rows %v", team)
	}

	t.Run("final once the job ended", func(t *testing.T) {
		job, _ := e.store.Job(context.Background(), c.JobID)
		err := e.store.PutWorkbook(context.Background(), c.JobID, func(w io.Writer) error {
			return sheets.WriteWorkbook(w, sheets.Export{InputHeaders: job.Headers, Summary: sheets.Summary{JobID: job.ID, Status: "completed"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		e.fake.workflows[c.JobID].status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
		rec := e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result", nil, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Vcenrich-Result") != "final" || len(rowsOf(t, rec.Body.Bytes(), "Firms")) != 1 {
			t.Errorf("final result: %d %v", rec.Code, rec.Header())
		}
		e.fake.down = true
		if rec := e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result", nil, nil); rec.Code != http.StatusOK {
			t.Errorf("a written workbook needs no Temporal, got %d", rec.Code)
		}
		e.fake.down = false
	})

	t.Run("a later run that ended without a workbook does not pass off the earlier one", func(t *testing.T) {
		w := e.fake.workflows[c.JobID]
		w.status, w.started = enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, time.Now().Add(time.Minute)
		w.err = errors.New("workflow failed")
		defer func() {
			w.status, w.started, w.err = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, time.Now().Add(-time.Minute), nil
		}()
		if v := decode[struct {
			ResultReady bool `json:"result_ready"`
		}](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID, nil, nil)); v.ResultReady {
			t.Error("result_ready for a run that wrote no workbook")
		}
		rec := e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result", nil, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Vcenrich-Result") != "partial" {
			t.Errorf("result of the failed later run: %d %v, want the partial workbook of its own results", rec.Code, rec.Header())
		}
	})

	wantError(t, e.do(http.MethodGet, "/api/jobs/job-nope/result", nil, nil), http.StatusNotFound, "job-nope")
	never := e.create(map[string]string{"name": "never"})
	delete(e.fake.workflows, never.JobID)
	wantError(t, e.do(http.MethodGet, "/api/jobs/"+never.JobID+"/result", nil, nil), http.StatusConflict, "never started")
	other := e.create(map[string]string{"name": "other"})
	e.fake.down = true
	wantError(t, e.do(http.MethodGet, "/api/jobs/"+other.JobID+"/result", nil, nil), http.StatusServiceUnavailable, "not answering")
}

func TestResultCSV(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	e.finish(c.JobID)

	rec := e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.csv?sheet="+url.QueryEscape("Team Members"), nil, nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %v", rec.Code, rec.Header())
	}
	body := strings.TrimPrefix(rec.Body.String(), "\ufeff")
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 3 {
		t.Fatalf("records %v", records)
	}
	name, title := column(records[0], "Name"), column(records[0], "Title")
	if records[2][name] != "'=cmd()" || records[2][title] != "'@attack" || records[1][name] != "Ada Partner" {
		t.Errorf("rows %v: formula-like values must get a leading quote", records[1:])
	}
	for _, r := range records {
		for _, v := range r {
			if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
				t.Errorf("value %q could run as a formula", v)
			}
		}
	}
	firms := e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.csv", nil, nil)
	if n := strings.Count(firms.Body.String(), "\n"); firms.Code != http.StatusOK || n != 7 {
		t.Errorf("Firms as CSV: %d with %d lines, want 7", firms.Code, n)
	}
	wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.csv?sheet=People", nil, nil), http.StatusBadRequest, `no sheet "People"`)
	wantError(t, e.do(http.MethodGet, "/api/jobs/job-nope/result.csv", nil, nil), http.StatusNotFound, "job-nope")
	delete(e.fake.workflows, c.JobID)
	wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.csv", nil, nil), http.StatusConflict, "never started")
	e.fake.down = true
	wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.csv", nil, nil), http.StatusServiceUnavailable, "not answering")
}

func TestResultRows(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	e.finish(c.JobID)
	type page struct {
		Sheets  []string   `json:"sheets"`
		Columns []string   `json:"columns"`
		Rows    [][]string `json:"rows"`
		Total   int        `json:"total"`
		Partial bool       `json:"partial"`
	}
	p := decode[page](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.json?sheet=Firms&offset=2&limit=3", nil, nil))
	if p.Total != 6 || len(p.Rows) != 3 || !p.Partial || !slices.Contains(p.Sheets, "Team Members") || p.Columns[0] != "Firm Name" {
		t.Fatalf("page %+v", p)
	}
	if p.Rows[0][0] != "Sequoia" || len(p.Rows[0]) != len(p.Columns) {
		t.Errorf("third firm %v", p.Rows[0])
	}
	p = decode[page](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.json?sheet=Team+Members&q=PARTNER", nil, nil))
	if p.Total != 1 || p.Rows[0][column(p.Columns, "Name")] != "Ada Partner" {
		t.Errorf("search: %+v", p)
	}
	for _, q := range []string{"offset=-1", "limit=0", "limit=501", "sheet=Nope"} {
		wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.json?"+q, nil, nil), http.StatusBadRequest, strings.Split(q, "=")[0])
	}
	wantError(t, e.do(http.MethodGet, "/api/jobs/job-nope/result.json", nil, nil), http.StatusNotFound, "job-nope")
	delete(e.fake.workflows, c.JobID)
	wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.json", nil, nil), http.StatusConflict, "never started")
}

func TestHealth(t *testing.T) {
	type answer struct {
		Status      string `json:"status"`
		LiveWorkers int    `json:"live_workers"`
		RunningJobs int    `json:"running_jobs"`
		Warning     string `json:"warning"`
		Workers     []struct {
			Identity string `json:"identity"`
			Live     bool   `json:"live"`
		} `json:"workers"`
	}
	e := newEnv(t, func(c *api.Config) { c.WorkerLossAfter = time.Minute })
	e.fake.pollers = append(e.fake.pollers, poller("1@worker-a@", time.Now()), poller("2@worker-b@", time.Now().Add(-5*time.Minute)))
	h := decode[answer](t, e.do(http.MethodGet, "/api/health", nil, nil))
	if h.Status != "ok" || h.LiveWorkers != 1 || len(h.Workers) != 2 || !h.Workers[0].Live || h.Workers[1].Live {
		t.Errorf("health %+v", h)
	}
	e.create(nil)
	e.fake.pollers = e.fake.pollers[1:]
	h = decode[answer](t, e.do(http.MethodGet, "/api/health", nil, nil))
	if h.Status != "degraded" || h.RunningJobs != 1 || !strings.Contains(h.Warning, "no worker") {
		t.Errorf("jobs running with only a quiet worker: %+v", h)
	}
	e.fake.down = true
	rec := e.do(http.MethodGet, "/api/health", nil, nil)
	if h := decode[answer](t, rec); rec.Code != http.StatusServiceUnavailable || h.Status != "down" {
		t.Errorf("Temporal down: %d %+v", rec.Code, h)
	}
}

func TestToken(t *testing.T) {
	const token = "s3cret-token-for-tests"
	e := newEnv(t, func(c *api.Config) { c.Token = token })
	bearer := http.Header{"Authorization": {"Bearer " + token}}

	for _, target := range []string{"/api/jobs", "/api/jobs/job-x", "/api/openapi.json", "/api/alerts"} {
		rec := e.do(http.MethodGet, target, nil, nil)
		wantError(t, rec, http.StatusUnauthorized, "token")
		if rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", target)
		}
	}
	wantError(t, e.do(http.MethodGet, "/api/jobs", nil, http.Header{"Authorization": {"Bearer wrong"}}), http.StatusUnauthorized, "token")
	if rec := e.do(http.MethodGet, "/api/jobs", nil, bearer); rec.Code != http.StatusOK {
		t.Errorf("with the token: %d %s", rec.Code, rec.Body.String())
	}
	wantError(t, e.upload("/api/jobs", "f.csv", []byte(firmsCSV), nil), http.StatusUnauthorized, "token")

	// Health stays open for probes, in its short form.
	probe := e.do(http.MethodGet, "/api/health", nil, nil)
	if probe.Code != http.StatusOK || strings.Contains(probe.Body.String(), `"workers":`) || !strings.Contains(probe.Body.String(), `"auth_required":true`) {
		t.Errorf("health without the token: %d %s", probe.Code, probe.Body.String())
	}
	if full := e.do(http.MethodGet, "/api/health", nil, bearer); !strings.Contains(full.Body.String(), `"workers":[]`) {
		t.Errorf("health with the token: %s", full.Body.String())
	}

	// The dashboard's sign-in sets a cookie that works in place of the header.
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	wantError(t, e.do(http.MethodPost, "/api/login", strings.NewReader(`{"token":"nope"}`), jsonHeader), http.StatusUnauthorized, "not this server's API token")
	wantError(t, e.do(http.MethodPost, "/api/login", strings.NewReader(`{}`), jsonHeader), http.StatusBadRequest, "token")
	login := e.do(http.MethodPost, "/api/login", strings.NewReader(`{"token":"`+token+`"}`), jsonHeader)
	cookie := login.Header().Get("Set-Cookie")
	if login.Code != http.StatusNoContent || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") || strings.Contains(cookie, token) {
		t.Fatalf("login: %d, cookie %q", login.Code, cookie)
	}
	withCookie := http.Header{"Cookie": {strings.Split(cookie, ";")[0]}}
	if rec := e.do(http.MethodGet, "/api/jobs", nil, withCookie); rec.Code != http.StatusOK {
		t.Errorf("with the session cookie: %d", rec.Code)
	}
	logout := e.do(http.MethodPost, "/api/logout", nil, withCookie)
	if logout.Code != http.StatusNoContent || !strings.Contains(logout.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("logout: %d %q", logout.Code, logout.Header().Get("Set-Cookie"))
	}
}

// Wrong tokens are limited per client address, through every door a token
// can come in by; right ones and requests without one are not.
func TestWrongTokensAreLimited(t *testing.T) {
	const token = "s3cret-token-for-tests"
	for _, tc := range []struct {
		name    string
		proxies []string
	}{{"no proxy trusted", nil}, {"behind a trusted proxy", []string{"198.51.100.0/24"}}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *api.Config) { c.Token = token; c.TrustedProxies = tc.proxies })
			// from sends a request from a client; behind the proxy the
			// connection comes from the proxy, which names the client.
			from := func(client, method, target, body string, header http.Header) *httptest.ResponseRecorder {
				t.Helper()
				req := httptest.NewRequest(method, target, strings.NewReader(body))
				req.RemoteAddr = client + ":40000"
				if tc.proxies != nil {
					req.RemoteAddr = "198.51.100.7:40000"
					req.Header.Set("X-Forwarded-For", client)
				}
				for k, v := range header {
					req.Header[k] = v
				}
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, req)
				return rec
			}
			jsonHeader := http.Header{"Content-Type": {"application/json"}}
			wrongLogin := func(client string) *httptest.ResponseRecorder {
				return from(client, http.MethodPost, "/api/login", `{"token":"guess"}`, jsonHeader)
			}
			const mallory, alice = "203.0.113.66", "203.0.113.10"

			// Requests without a token are no guesses.
			for range 20 {
				wantError(t, from(mallory, http.MethodGet, "/api/jobs", "", nil), http.StatusUnauthorized, "token")
			}
			// Ten wrong tokens, by the sign-in, a bearer header and a forged
			// cookie (which the answer clears).
			for range 8 {
				wantError(t, wrongLogin(mallory), http.StatusUnauthorized, "not this server's API token")
			}
			wantError(t, from(mallory, http.MethodGet, "/api/jobs", "", http.Header{"Authorization": {"Bearer guess"}}), http.StatusUnauthorized, "token")
			forged := from(mallory, http.MethodGet, "/api/jobs", "", http.Header{"Cookie": {"vcenrich_session=guess"}})
			wantError(t, forged, http.StatusUnauthorized, "token")
			if !strings.Contains(forged.Header().Get("Set-Cookie"), "Max-Age=0") {
				t.Errorf("a wrong session cookie is not cleared: %q", forged.Header().Get("Set-Cookie"))
			}

			// The eleventh is refused before its token is looked at, even
			// the right one, through every door.
			for _, rec := range []*httptest.ResponseRecorder{
				wrongLogin(mallory),
				from(mallory, http.MethodPost, "/api/login", `{"token":"`+token+`"}`, jsonHeader),
				from(mallory, http.MethodGet, "/api/jobs", "", http.Header{"Authorization": {"Bearer " + token}}),
			} {
				wantError(t, rec, http.StatusTooManyRequests, "try again in")
				// One guess comes back every 6 s of the wall clock.
				if n, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || n < 1 || n > 6 {
					t.Errorf("Retry-After %q, want 1 to 6 seconds", rec.Header().Get("Retry-After"))
				}
			}
			if h := from(mallory, http.MethodGet, "/api/health", "", http.Header{"Authorization": {"Bearer " + token}}); h.Code != http.StatusOK || strings.Contains(h.Body.String(), `"workers":`) || !strings.Contains(h.Body.String(), `"retry_after_s":`) {
				t.Errorf("health for a refused address: %d %s (probes still answered, in the short form)", h.Code, h.Body.String())
			}

			// Someone else is not affected, and a right token costs nothing.
			for range 20 {
				if rec := from(alice, http.MethodGet, "/api/jobs", "", http.Header{"Authorization": {"Bearer " + token}}); rec.Code != http.StatusOK {
					t.Fatalf("another address with the token: %d %s", rec.Code, rec.Body.String())
				}
			}
			if rec := from(alice, http.MethodPost, "/api/login", `{"token":"`+token+`"}`, jsonHeader); rec.Code != http.StatusNoContent {
				t.Errorf("another address signing in: %d %s", rec.Code, rec.Body.String())
			}
			if tc.proxies == nil {
				// Untrusted, a forwarded-for header changes nothing.
				rec := from(mallory, http.MethodPost, "/api/login", `{"token":"guess"}`, http.Header{"Content-Type": {"application/json"}, "X-Forwarded-For": {alice}})
				wantError(t, rec, http.StatusTooManyRequests, "try again")
			}
		})
	}
}

// Only the two upload routes take big bodies: anything else, the open
// sign-in included, is refused past 64 KB, declared or not.
func TestSmallBodies(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.Token = "s3cret-token-for-tests" })
	huge := `{"token":"` + strings.Repeat("A", 100<<10) + `"}`
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	wantError(t, e.do(http.MethodPost, "/api/login", strings.NewReader(huge), jsonHeader), http.StatusRequestEntityTooLarge, "larger than")
	// A body that does not say its length is cut at the cap as it is read.
	req := httptest.NewRequest(http.MethodPost, "/api/login", io.MultiReader(strings.NewReader(huge)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("an unsized huge sign-in: %d %s", rec.Code, rec.Body.String())
	}
	// The upload routes keep their own, larger limit.
	open := newEnv(t, func(c *api.Config) { c.UploadMaxBytes = 1 << 20 })
	big := []byte(firmsCSV + strings.Repeat("Firm X,https://x.vc\n", 4000))
	if rec := open.upload("/api/jobs/preview", "firms.csv", big, nil); rec.Code != http.StatusOK {
		t.Errorf("a %d KB preview: %d %s", len(big)>>10, rec.Code, rec.Body.String())
	}
}

func TestCrossOriginProtection(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}
	for _, target := range []string{"/api/jobs/" + c.JobID + "/cancel", "/api/jobs/" + c.JobID + "/pause", "/api/login"} {
		wantError(t, e.do(http.MethodPost, target, nil, cross), http.StatusForbidden, "cross-site")
	}
	if len(e.fake.signals) != 0 {
		t.Fatalf("a cross-site request reached the job: %+v", e.fake.signals)
	}
	same := http.Header{"Sec-Fetch-Site": {"same-origin"}}
	if rec := e.do(http.MethodPost, "/api/jobs/"+c.JobID+"/pause", nil, same); rec.Code != http.StatusAccepted {
		t.Errorf("same-origin pause: %d %s", rec.Code, rec.Body.String())
	}
	if rec := e.do(http.MethodGet, "/api/jobs", nil, cross); rec.Code != http.StatusOK {
		t.Errorf("a cross-site read is harmless and allowed; got %d", rec.Code)
	}
}

func TestDashboardAndRoutes(t *testing.T) {
	e := newEnv(t, nil)
	page := e.do(http.MethodGet, "/", nil, nil)
	csp := page.Header().Get("Content-Security-Policy")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `src="/assets/app.js"`) || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("dashboard: %d, CSP %q", page.Code, csp)
	}
	for target, ctype := range map[string]string{"/assets/app.js": "text/javascript", "/assets/app.css": "text/css", "/api/openapi.json": "application/json"} {
		rec := e.do(http.MethodGet, target, nil, nil)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), ctype) || rec.Body.Len() < 1000 {
			t.Errorf("%s: %d %s, %d bytes", target, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
	}
	wantError(t, e.do(http.MethodGet, "/assets/index.html", nil, nil), http.StatusNotFound, "no such page")
	wantError(t, e.do(http.MethodGet, "/api/nothing", nil, nil), http.StatusNotFound, "no such page")
	wantError(t, e.do(http.MethodDelete, "/api/jobs", nil, nil), http.StatusMethodNotAllowed, "not allowed")
}

// TestOpenAPICoversEveryRoute keeps the description and the routes in step:
// every route is described, with each status its handler can answer, and
// nothing is described that is not served.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	e := newEnv(t, nil)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Description string         `json:"description"`
			Responses   map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(e.do(http.MethodGet, "/api/openapi.json", nil, nil).Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:(\w+)`)
	served := map[string]bool{}
	for _, r := range e.h.(*gin.Engine).Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + path
		served[key] = true
		op, ok := doc.Paths[path][strings.ToLower(r.Method)]
		if !ok {
			t.Errorf("%s is served but not described", key)
			continue
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s describes no responses", key)
		}
		if strings.Contains(path, "{id}") {
			if _, ok := op.Responses["404"]; !ok {
				t.Errorf("%s does not describe its 404", key)
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[method+" "+path] {
				t.Errorf("%s %s is described but not served", method, path)
			}
		}
	}
	if d := doc.Paths["/api/jobs/{id}/result.csv"]["get"].Description; !strings.Contains(d, "single quote") {
		t.Errorf("the CSV export does not document its formula neutralisation: %q", d)
	}
}

// The glance counts the run's stored results as the Summary does, and a
// firm's detail is what the workbook says of it.
func TestGlanceAndFirm(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	e.finish(c.JobID)
	g := decode[answer.Glance](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/glance", nil, nil))
	// Firm 2's result is an earlier run's: not this run's, not counted.
	if g.Total != 6 || g.Done != 1 || g.Failed != 1 || !g.Partial {
		t.Errorf("glance %+v, want 1 done and 1 failed of 6, partial", g)
	}
	if cv := g.Coverage; cv.Enriched != 1 || cv.WithTeam != 1 || cv.Members != 2 || cv.WithTitle != 2 || cv.WithLinkedIn != 0 {
		t.Errorf("coverage %+v", cv)
	}
	if !reflect.DeepEqual(g.FailuresByReason, []answer.Count{{Label: "dns", Count: 1}}) {
		t.Errorf("failures by reason %+v", g.FailuresByReason)
	}
	finished := 0
	for k := range g.Timeline.Done {
		finished += g.Timeline.Done[k] + g.Timeline.Failed[k]
	}
	if finished != 2 || g.Timeline.BucketSeconds != 10 || g.Timeline.Start.IsZero() {
		t.Errorf("timeline %+v: want the two firms of this run in 10 s buckets", g.Timeline)
	}

	type detail struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
		Error  string `json:"error"`
		Name   string `json:"name"`
		Team   []struct {
			Name  string `json:"name"`
			Title string `json:"title"`
		} `json:"team"`
		Pages []answer.FirmPage `json:"pages"`
	}
	f := decode[detail](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/firms/0", nil, nil))
	if f.Status != "ok" || f.Name != "Accel" || len(f.Team) != 2 || f.Team[0].Name != "Ada Partner" || f.Pages == nil {
		t.Errorf("firm 0: %+v", f)
	}
	f = decode[detail](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/firms/1", nil, nil))
	if f.Status != "failed" || f.Reason != "dns" || f.Error != "the host does not exist" {
		t.Errorf("firm 1: %+v", f)
	}
	if f = decode[detail](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/firms/2", nil, nil)); f.Status != string(firm.StatusPending) || len(f.Team) != 0 {
		t.Errorf("firm 2, with only an earlier run's result: %+v", f)
	}
	for _, bad := range []string{"6", "-1", "x"} {
		wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/firms/"+bad, nil, nil), http.StatusNotFound, "firms 0 to 5")
	}
	wantError(t, e.do(http.MethodGet, "/api/jobs/job-nope/glance", nil, nil), http.StatusNotFound, "job-nope")

	// The Firms sheet's rows carry their positions, searched or not, so a
	// row opens its firm.
	type page struct {
		Rows      [][]string `json:"rows"`
		Positions []int      `json:"positions"`
	}
	p := decode[page](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.json?sheet=Firms&offset=2&limit=2", nil, nil))
	if !reflect.DeepEqual(p.Positions, []int{2, 3}) {
		t.Errorf("positions %v, want [2 3]", p.Positions)
	}
	p = decode[page](t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.json?sheet=Firms&q=greylock", nil, nil))
	if len(p.Rows) != 1 || !reflect.DeepEqual(p.Positions, []int{4}) {
		t.Errorf("search positions %v of %v, want Greylock's [4]", p.Positions, p.Rows)
	}
}
