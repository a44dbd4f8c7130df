package app_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"

	"github.com/vcenrich/vcenrich/api"
	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/app"
	"github.com/vcenrich/vcenrich/app/workerapp"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/demosites"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/jobclient"
	"github.com/vcenrich/vcenrich/store"
)

// stack is one in-process vcenrich on a real dev server: a worker, the API
// on a loopback HTTP server, the demo sites on another, a file result store.
type stack struct {
	cfg      config.Config
	api      *httptest.Server
	server   *api.Server
	client   *jobclient.Client
	store    *store.Store
	temporal client.Client
}

// stackOptions vary a stack: settings, the websites it crawls (the demo
// sites by default) and whether a worker runs.
type stackOptions struct {
	env      map[string]string
	sites    http.Handler
	noWorker bool
}

func startStack(t *testing.T, env map[string]string) *stack {
	t.Helper()
	return startStackWith(t, stackOptions{env: env})
}

func startStackWith(t *testing.T, o stackOptions) *stack {
	t.Helper()
	env := o.env
	tc, _ := testenv.Temporal(t)
	handler := o.sites
	if handler == nil {
		handler = demosites.Handler()
	}
	sites := httptest.NewServer(handler)
	t.Cleanup(sites.Close)
	u, _ := url.Parse(sites.URL)
	dataDir := t.TempDir()
	vars := map[string]string{
		"VCENRICH_DATA_DIR":          dataDir,
		"VCENRICH_TASK_QUEUE":        "vcenrich-" + strings.ReplaceAll(t.Name(), "/", "-"),
		"VCENRICH_FETCH_HOSTS":       ".demo.test=" + u.Host,
		"VCENRICH_FETCH_ALLOW":       "127.0.0.1:" + u.Port(),
		"VCENRICH_HOST_INTERVAL":     "0s",
		"VCENRICH_HEARTBEAT_TIMEOUT": "10s",
		"VCENRICH_FETCH_TIMEOUT":     "5s",
		"VCENRICH_LOG_LEVEL":         "debug",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.LoadFrom(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	logger := testenv.Logger(t)
	st, err := store.Open(context.Background(), cfg.StoreURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if !o.noWorker {
		w, err := workerapp.NewWorker(cfg, workerapp.WorkerIdentity(cfg), tc, st, nil, testenv.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
	}
	a := app.NewAPI(cfg, tc, st, logger)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &stack{cfg: cfg, api: srv, server: a, client: jobclient.New(srv.URL), store: st, temporal: tc}
}

func writeSample(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo-firms.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := demosites.WriteSample(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEnrichSampleEndToEnd uploads the demo spreadsheet through the API,
// lets a real worker on a real dev server enrich it against the demo sites,
// and checks the downloaded workbook firm by firm.
// It runs the job firm by firm, and in slices (several firms to an
// activity), which must give the same workbook.
func TestEnrichSampleEndToEnd(t *testing.T) {
	for _, slices := range []string{"false", "true"} {
		t.Run("slices="+slices, func(t *testing.T) { enrichSampleEndToEnd(t, slices) })
	}
}

func enrichSampleEndToEnd(t *testing.T, slices string) {
	s := startStack(t, map[string]string{"VCENRICH_CONTINUE_EVERY": "4", "VCENRICH_WINDOW": "3", "VCENRICH_SLICES": slices})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	created, err := s.client.Upload(ctx, writeSample(t), jobclient.UploadOptions{Name: "Demo"})
	if err != nil {
		t.Fatal(err)
	}
	sites := demosites.Sites()
	if created.Firms != len(sites) {
		t.Fatalf("%d firms accepted, want one per demo site (%d)", created.Firms, len(sites))
	}
	if len(created.Rejected) != 1 || !strings.Contains(created.Rejected[0].Reason, "not a url") {
		t.Errorf("rejected rows %+v, want the one invalid website", created.Rejected)
	}
	final, err := s.client.Follow(ctx, created.JobID, 200*time.Millisecond, func(answer.Job) {})
	if err != nil {
		t.Fatal(err)
	}
	failing := 0
	for _, site := range sites {
		if site.Failure != "" {
			failing++
		}
	}
	if final.Status != "completed" || final.Done != len(sites)-failing || final.Failed != failing {
		t.Fatalf("final state %+v; want completed with %d done and %d failed", final, len(sites)-failing, failing)
	}

	out := filepath.Join(t.TempDir(), "out.xlsx")
	if err := s.client.Download(ctx, created.JobID, out); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()

	firms, err := wb.GetRows("Firms")
	if err != nil {
		t.Fatal(err)
	}
	if len(firms)-1 != len(sites) {
		t.Fatalf("Firms sheet has %d rows, want exactly one per input firm (%d)", len(firms)-1, len(sites))
	}
	col := columns(firms[0])
	byName := map[string][]string{}
	for _, row := range firms[1:] {
		name := cell(row, col["Firm Name"])
		if _, dup := byName[name]; dup {
			t.Errorf("firm %q appears twice", name)
		}
		byName[name] = row
	}
	for _, site := range sites {
		row, ok := byName[site.Name]
		if !ok {
			t.Errorf("firm %q missing from the Firms sheet", site.Name)
			continue
		}
		status := cell(row, col["Status"])
		if site.Failure != "" {
			if status != "failed" || cell(row, col["Error"]) == "" || cell(row, col["Failure Reason"]) != site.Failure {
				t.Errorf("%s: status %q, error %q, reason %q; want failed for %s", site.Name, status, cell(row, col["Error"]), cell(row, col["Failure Reason"]), site.Failure)
			}
			continue
		}
		if status != "ok" {
			t.Errorf("%s: status %q (%s), want ok", site.Name, status, cell(row, col["Error"]))
		}
		if got := cell(row, col["Team Count"]); got != fmt.Sprint(len(site.Team)) {
			t.Errorf("%s: team count %s, want %d", site.Name, got, len(site.Team))
		}
	}

	team, err := wb.GetRows("Team Members")
	if err != nil {
		t.Fatal(err)
	}
	tcol := columns(team[0])
	found := map[string]map[string]string{} // firm -> name -> title
	for _, row := range team[1:] {
		f := cell(row, tcol["Firm"])
		if found[f] == nil {
			found[f] = map[string]string{}
		}
		name := cell(row, tcol["Name"])
		if _, dup := found[f][name]; dup {
			t.Errorf("%s: %s listed twice", f, name)
		}
		found[f][name] = cell(row, tcol["Title"])
	}
	for _, site := range sites {
		for _, m := range site.Team {
			title, ok := found[site.Name][m.Name]
			if !ok {
				t.Errorf("%s: team member %q not found", site.Name, m.Name)
				continue
			}
			if title != m.Title {
				t.Errorf("%s: %s has title %q, want %q", site.Name, m.Name, title, m.Title)
			}
		}
		if len(found[site.Name]) != len(site.Team) {
			t.Errorf("%s: %d team members in the workbook, want %d", site.Name, len(found[site.Name]), len(site.Team))
		}
	}
}

func columns(header []string) map[string]int {
	m := map[string]int{}
	for i, h := range header {
		m[h] = i
	}
	return m
}

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// TestAPIErrors checks the answers a person gets for bad requests: each is
// JSON with a sentence, and none starts a job.
func TestAPIErrors(t *testing.T) {
	s := startStack(t, nil)
	noWebsite := func() []byte {
		f := excelize.NewFile()
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Firm Name", "City"})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"Accel", "Palo Alto"})
		var b bytes.Buffer
		_ = f.Write(&b)
		return b.Bytes()
	}()
	for _, tc := range []struct {
		name     string
		method   string
		path     string
		file     []byte
		filename string
		status   int
		contains string
	}{
		{"no website column", "POST", "/api/jobs", noWebsite, "list.xlsx", http.StatusUnprocessableEntity, "City"},
		{"legacy xls", "POST", "/api/jobs", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), "old.xls", http.StatusUnsupportedMediaType, "xlsx"},
		{"not a spreadsheet", "POST", "/api/jobs", []byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0}, "logo.png", http.StatusUnsupportedMediaType, ""},
		{"no file field", "POST", "/api/jobs", nil, "", http.StatusBadRequest, "file"},
		{"unknown job", "GET", "/api/jobs/job-nope", nil, "", http.StatusNotFound, "job-nope"},
		{"unknown job result", "GET", "/api/jobs/job-nope/result", nil, "", http.StatusNotFound, "job-nope"},
		{"pause unknown job", "POST", "/api/jobs/job-nope/pause", nil, "", http.StatusNotFound, "job-nope"},
		{"bad status filter", "GET", "/api/jobs?status=sleeping", nil, "", http.StatusBadRequest, "status"},
		{"unknown route", "GET", "/api/nothing", nil, "", http.StatusNotFound, "no such page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body bytes.Buffer
			req, _ := http.NewRequest(tc.method, s.api.URL+tc.path, nil)
			if tc.file != nil {
				mw := multipart.NewWriter(&body)
				fw, _ := mw.CreateFormFile("file", tc.filename)
				_, _ = fw.Write(tc.file)
				_ = mw.Close()
				req, _ = http.NewRequest(tc.method, s.api.URL+tc.path, &body)
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, b.String(), tc.status)
			}
			if !strings.Contains(resp.Header.Get("Content-Type"), "json") || !strings.Contains(b.String(), `"error"`) {
				t.Errorf("answer is not a JSON error: %s", b.String())
			}
			if !strings.Contains(b.String(), tc.contains) {
				t.Errorf("answer %s does not mention %q", b.String(), tc.contains)
			}
		})
	}
	// None of those started a job.
	resp, err := http.Get(s.api.URL + "/api/jobs")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(b.String(), `"jobs":[]`) {
		t.Errorf("job list after bad requests: %d %s", resp.StatusCode, b.String())
	}
}

// TestProfileWebsitesEndToEnd runs a list whose website cells are not the
// firms' sites through the whole product: the preview's verdicts hold in the
// job and its workbook (the site crawled is the email's domain, marked as
// derived, with a LinkedIn page in Firm LinkedIn; the bare LinkedIn row
// and the repeat are reported, never crawled).
func TestProfileWebsitesEndToEnd(t *testing.T) {
	s := startStack(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var ok demosites.Site
	for _, site := range demosites.Sites() {
		if site.Failure == "" && len(site.Team) > 0 {
			ok = site
			break
		}
	}
	list := "Firm,Website,Contact\n" +
		ok.Name + ",https://www.linkedin.com/company/acme-demo/,partners@" + ok.Host + "\n" +
		"Bare LinkedIn,http://www.linkedin.com,\n" +
		ok.Name + " again,http://" + ok.Host + "/,\n"
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	created, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "Profiles"})
	if err != nil {
		t.Fatal(err)
	}
	if created.Firms != 1 || len(created.Rejected) != 2 {
		t.Fatalf("created %+v, want 1 firm and 2 rejected rows", created)
	}
	if _, err := s.client.Follow(ctx, created.JobID, 200*time.Millisecond, func(answer.Job) {}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.xlsx")
	if err := s.client.Download(ctx, created.JobID, out); err != nil {
		t.Fatal(err)
	}
	rows := sheetRows(t, out, "Firms")
	col := columns(rows[0])
	if len(rows) != 2 {
		t.Fatalf("Firms rows %q", rows)
	}
	r := rows[1]
	if cell(r, col["Status"]) != "ok" || cell(r, col["Final URL"]) == "" || !strings.Contains(cell(r, col["Final URL"]), ok.Host) ||
		cell(r, col["Firm LinkedIn"]) == "" || // the site's own page, else the list's

		!strings.Contains(cell(r, col["Website Source"]), "partners@"+ok.Host) {
		t.Errorf("derived firm row %q", r)
	}
	if got := cell(r, col["Team Count"]); got != fmt.Sprint(len(ok.Team)) {
		t.Errorf("team count %s, want %d", got, len(ok.Team))
	}
	summary := sheetRows(t, out, "Summary")
	text := fmt.Sprint(summary)
	if !strings.Contains(text, "not the firm's own website") || !strings.Contains(text, "same website as row 2") {
		t.Errorf("Summary does not report the rejected rows: %s", text)
	}
}
