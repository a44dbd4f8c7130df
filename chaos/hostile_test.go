package chaos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/vcenrich/vcenrich/jobclient"
)

// memoryBound is the most a worker or server may hold after hostile input.
const memoryBound = 400.0 // MiB

// TestHostileUploads sends files built to hurt the server. Each gets a clear
// 4xx answer with a sentence, starts no job, and leaves the server healthy
// and small.
func TestHostileUploads(t *testing.T) {
	const maxRows = 100
	w := newWeb(t, 0, nil)
	c := newCluster(t, w, map[string]string{
		"VCENRICH_MAX_ROWS":         fmt.Sprint(maxRows),
		"VCENRICH_UPLOAD_MAX_BYTES": "4MiB",
	})
	server := c.startServer()
	bomb := newBomb(t, 1<<30)

	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1016)...)
	firms20, err := os.ReadFile(writeFirms(t, 20))
	if err != nil {
		t.Fatal(err)
	}
	tooManyRows, err := os.ReadFile(writeFirms(t, maxRows+1))
	if err != nil {
		t.Fatal(err)
	}
	xfd := []string{xrow(1, xcell{ref: "A1", text: "Firm Name"}, xcell{ref: "B1", text: "Website"})}
	for r := 2; r <= 3_001; r++ {
		xfd = append(xfd, fmt.Sprintf(`<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r))
	}
	xfdBook := rawXLSX(t, xfd...)
	if len(xfdBook) > 24<<10 {
		t.Fatalf("the XFD workbook is %d bytes; it is meant to be a few kilobytes", len(xfdBook))
	}
	oversize := bytes.Repeat([]byte("Firm Name,Website\nAccel,accel.com\n"), 5<<20/34)

	tried, handled := 0, 0
	for _, tc := range []struct {
		name, filename string
		data           []byte
		status         int
		says           string // a word the answer must contain
	}{
		{"not a spreadsheet", "logo.png", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 256)...), http.StatusUnsupportedMediaType, "not a spreadsheet"},
		{"empty file", "empty.xlsx", nil, http.StatusUnprocessableEntity, "empty"},
		{"truncated zip", "cut.xlsx", firms20[:len(firms20)/2], http.StatusUnprocessableEntity, ""},
		{"zip bomb, sizes declared", "bomb.xlsx", bomb.xlsx(t, bomb.size), http.StatusRequestEntityTooLarge, ""},
		{"zip bomb, sizes hidden", "bomb2.xlsx", bomb.xlsx(t, 4096), http.StatusUnprocessableEntity, ""},
		{"encrypted workbook", "secret.xlsx", encryptedWorkbook(t), http.StatusUnsupportedMediaType, "password"},
		{"legacy xls", "old.xls", ole, http.StatusUnsupportedMediaType, ".xlsx"},
		{"empty sheet", "blank.xlsx", emptyWorkbook(t), http.StatusUnprocessableEntity, ""},
		{"no website column", "cities.csv", []byte("Firm Name,City\nAccel,Palo Alto\n"), http.StatusUnprocessableEntity, "City"},
		{"more rows than the limit", "many.xlsx", tooManyRows, http.StatusRequestEntityTooLarge, fmt.Sprint(maxRows)},
		{"non-UTF-8 CSV", "latin1.csv", []byte("Firm Name,Website\nCaf\xe9 Capital,cafe.example\n"), http.StatusUnprocessableEntity, "UTF-8"},
		{"over the upload limit", "huge.csv", oversize, http.StatusRequestEntityTooLarge, "MB"},
		{"XFD on every row", "wide.xlsx", xfdBook, http.StatusUnprocessableEntity, ""},
		{"one cell at row 1,048,576", "deep.xlsx", rawXLSX(t, xrow(1_048_576, xcell{ref: "A1048576", text: "https://accel.com"})), http.StatusUnprocessableEntity, ""},
		// Small on the wire, each would have cost the parser gigabytes.
		{"a row of 3.5 million commas", "commas.csv", []byte("Firm Name,Website\nAccel,accel.com" + strings.Repeat(",", 3_500_000) + "\n"), http.StatusUnprocessableEntity, "columns"},
		{"a tag of 12 million attributes", "attrs.xlsx", rawXLSX(t, `<row r="1" `+strings.Repeat(`a="" `, 12_000_000)+`></row>`), http.StatusUnprocessableEntity, "damaged"},
	} {
		tried++
		ok := true
		bad := func(format string, args ...any) {
			t.Helper()
			t.Errorf(tc.name+": "+format, args...)
			ok = false
		}
		path := writeFile(t, tc.filename, tc.data)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		start := time.Now()
		created, err := c.api.Upload(ctx, path, jobclient.UploadOptions{})
		took := time.Since(start)
		cancel()
		var apiErr *jobclient.Error
		switch {
		case err == nil:
			bad("accepted as job %s with %d firms; want HTTP %d", created.JobID, created.Firms, tc.status)
		case !errors.As(err, &apiErr):
			bad("no answer: %v", err)
		case apiErr.Status != tc.status:
			bad("HTTP %d (%s), want %d", apiErr.Status, apiErr.Message, tc.status)
		case apiErr.Message == http.StatusText(apiErr.Status) || !strings.Contains(apiErr.Error(), tc.says):
			bad("answer %q is not a sentence saying %q", apiErr.Error(), tc.says)
		}
		if took > 10*time.Second {
			bad("the answer took %s", took)
		}
		if code, body := c.get("/api/health"); code != http.StatusOK || !server.alive() {
			t.Fatalf("%s: server unhealthy afterwards: %d %s", tc.name, code, body)
		}
		if apiErr != nil {
			t.Logf("%-26s HTTP %d in %s: %s", tc.name, apiErr.Status, took.Round(time.Millisecond), apiErr.Message)
		}
		if ok {
			handled++
		}
	}

	// None of them started a job.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	count, err := c.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: c.ns, Query: "WorkflowType = 'EnrichJob'"})
	if err != nil {
		t.Fatal(err)
	}
	if count.GetCount() != 0 {
		t.Errorf("%d jobs were started by rejected uploads", count.GetCount())
	}
	rss, err := server.peakRSSMB()
	if err != nil {
		t.Fatal(err)
	}
	if rss > memoryBound {
		t.Errorf("server peak RSS %.0f MiB, over %.0f MiB", rss, memoryBound)
	}
	t.Logf("RELIABILITY hostile-uploads: tried=%d handled=%d jobs_started=%d server_peak_rss=%.0fMiB", tried, handled, count.GetCount(), rss)
}

func encryptedWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"Firm Name", "Website"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Sheet1", "A2", &[]any{"Accel", "accel.com"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "secret.xlsx")
	if err := f.SaveAs(path, excelize.Options{Password: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func emptyWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hostileSite is one row of the hostile-websites upload and what must
// become of it.
type hostileSite struct {
	name, host string
	status     string // ok or failed
	reason     string // Failure Reason when failed
}

// TestHostileWebsites runs one job over websites built to hurt a crawler,
// from a workbook built to hurt a spreadsheet reader, and checks that each
// firm ends with a clear outcome, that the worker stays up and small, and
// that the result workbook is safe to open.
func TestHostileWebsites(t *testing.T) {
	bomb := newBomb(t, 1<<30)
	w := newWeb(t, 0, bomb.gzip())
	c := newCluster(t, w, map[string]string{
		"VCENRICH_FETCH_TIMEOUT": "3s",
		"VCENRICH_MAX_ATTEMPTS":  "2",
		"VCENRICH_WINDOW":        "16",
	})
	maxPages := 3 // VCENRICH_MAX_PAGES in newCluster
	server := c.startServer()
	worker := c.startWorker()

	// The honest outcome of each: a body too big is read up to the body
	// cap (after decompression for the gzip bomb) and the firm is what
	// that much of it says, with no team; a page that never ends times out.
	sites := []hostileSite{
		{"Loop Ventures", hostLoop, "failed", "redirects"},
		{"Huge Body Capital", hostHuge, "ok", ""},
		{"Drip Partners", hostDrip, "failed", "timeout"},
		{"Gzip Bomb Fund", hostGzipBomb, "ok", ""},
		{"Charset Partners", hostCharset, "ok", ""},
		{"Metadata Ventures", hostMetadata, "failed", "blocked_by_guard"},
		{"Many Links Capital", hostLinks, "ok", ""},
		// Pages that are hostile to the workbook rather than the crawler.
		{"Inject Partners", hostInject, "ok", ""},
		{"Long Description Ventures", hostLongDesc, "ok", ""},
	}
	// Names a spreadsheet program would run as formulas if written as such.
	injected := []string{"=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)"}
	longNote := strings.Repeat("a note that goes on ", 100<<10/20) // 100 KB
	rows := []string{xrow(1, xcell{ref: "A1", text: "Firm Name"}, xcell{ref: "B1", text: "Website"}, xcell{ref: "C1", text: "Notes"})}
	r := 2
	for i, name := range injected {
		rows = append(rows, xrow(r, xcell{ref: fmt.Sprintf("A%d", r), text: name}, xcell{ref: fmt.Sprintf("B%d", r), text: "http://" + firmHost(i) + "/"}))
		r++
	}
	// A formula in each column: read as the value Excel cached for it.
	rows = append(rows, xrow(r,
		xcell{ref: fmt.Sprintf("A%d", r), formula: `"Formula "&"Capital"`, text: "Formula Capital"},
		xcell{ref: fmt.Sprintf("B%d", r), formula: `"http://"&"` + hostFormula + `/"`, text: "http://" + hostFormula + "/"}))
	r++
	// A 100 KB cell: accepted, and cut to what a cell may hold.
	rows = append(rows, xrow(r, xcell{ref: fmt.Sprintf("A%d", r), text: "Long Notes Partners"},
		xcell{ref: fmt.Sprintf("B%d", r), text: "http://" + firmHost(len(injected)) + "/"}, xcell{ref: fmt.Sprintf("C%d", r), text: longNote}))
	r++
	for _, s := range sites {
		rows = append(rows, xrow(r, xcell{ref: fmt.Sprintf("A%d", r), text: s.name}, xcell{ref: fmt.Sprintf("B%d", r), text: "http://" + s.host + "/"}))
		r++
	}
	firms := r - 2

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := c.api.Upload(ctx, writeFile(t, "hostile.xlsx", rawXLSX(t, rows...)), jobclient.UploadOptions{Name: "hostile"})
	if err != nil {
		t.Fatal(err)
	}
	if created.Firms != firms || len(created.Rejected) != 0 {
		t.Fatalf("upload accepted %d firms and rejected %+v; want all %d accepted", created.Firms, created.Rejected, firms)
	}
	final := c.waitDone(created.JobID, 3*time.Minute)
	if final.Status != "completed" {
		t.Fatalf("job ended %s, want completed", final.Status)
	}
	if !worker.alive() || !server.alive() {
		t.Fatalf("a process died: worker alive %v, server alive %v", worker.alive(), server.alive())
	}
	workerRSS, err := worker.peakRSSMB()
	if err != nil {
		t.Fatal(err)
	}
	if workerRSS > memoryBound {
		t.Errorf("worker peak RSS %.0f MiB, over %.0f MiB", workerRSS, memoryBound)
	}

	path := filepath.Join(t.TempDir(), "hostile-result.xlsx")
	if err := c.api.Download(ctx, created.JobID, path); err != nil {
		t.Fatal(err)
	}
	cells := checkCellsSafe(t, path)
	wb := readWorkbook(t, path)
	byName := map[string]map[string]string{}
	for _, row := range wb.firms {
		if _, dup := byName[row["Firm Name"]]; dup {
			t.Errorf("%q is in the workbook twice", row["Firm Name"])
		}
		byName[row["Firm Name"]] = row
		t.Logf("%-28q %-6s %-17s team=%-2s final=%s error=%q", row["Firm Name"], row["Status"], row["Failure Reason"], row["Team Count"], row["Final URL"], row["Error"])
	}
	if len(wb.firms) != firms {
		t.Errorf("%d firms in the workbook, want %d", len(wb.firms), firms)
	}

	handled := 0
	for _, s := range sites {
		row, ok := byName[s.name]
		switch {
		case !ok:
			t.Errorf("%s is missing from the workbook", s.name)
		case row["Status"] != s.status || row["Failure Reason"] != s.reason:
			t.Errorf("%s: status %q reason %q (%s); want %q %q", s.name, row["Status"], row["Failure Reason"], row["Error"], s.status, s.reason)
		case s.status == "failed" && len(row["Error"]) < 10:
			t.Errorf("%s: failed without a sentence saying why: %q", s.name, row["Error"])
		default:
			handled++
		}
	}
	// The crawler stopped reading the endless body at its cap; the server
	// only got as far ahead as socket buffers allow.
	if sent := w.bytesSent(hostHuge); sent > 64<<20 {
		t.Errorf("the crawler read %d MB of the endless body", sent>>20)
	}
	// 100,000 links, all of them team pages: still at most MAX_PAGES pages.
	if n := w.requests(hostLinks); n > maxPages {
		t.Errorf("%d requests to the site with %d links, want at most %d", n, linkCount, maxPages)
	}
	// Formula cells were read as their cached values.
	if row, ok := byName["Formula Capital"]; !ok || row["Website"] != "http://"+hostFormula+"/" || row["Status"] != "ok" {
		t.Errorf("the formula row came out as %v; want Formula Capital, its cached website, enriched", row)
	}
	// The 100 KB cell was accepted and cut to a cell's limit.
	if note := byName["Long Notes Partners"]["Notes"]; len(note) == 0 || len(note) > excelCellLimit || !strings.HasPrefix(longNote, note) {
		t.Errorf("the 100 KB note came out %d characters long; want a prefix of at most %d", len(note), excelCellLimit)
	}
	// Text that looks like a formula stays text, in both sheets.
	for _, name := range injected {
		if row, ok := byName[name]; !ok || row["Status"] != "ok" {
			t.Errorf("firm %q: %v; want it listed, as text, and enriched", name, row)
		}
	}
	perFirm := map[string][]map[string]string{}
	for _, m := range wb.team {
		perFirm[m["Firm"]] = append(perFirm[m["Firm"]], m)
	}
	for _, name := range injected {
		if n := len(perFirm[name]); n != 3 {
			t.Errorf("firm %q has %d rows in Team Members, want 3", name, n)
		}
	}
	// What the extractor keeps of the formula-like titles is its business;
	// what it keeps must be text (checkCellsSafe found no formula).
	formulaLike := 0
	for _, m := range perFirm["Inject Partners"] {
		t.Logf("Inject Partners member: %q, title %q", m["Name"], m["Title"])
		if strings.ContainsAny(m["Title"][:min(1, len(m["Title"]))], "=+-@") {
			formulaLike++
		}
	}
	if formulaLike == 0 {
		t.Errorf("no formula-like title of %s reached the workbook, so the check proves nothing", hostInject)
	}
	if d := byName["Inject Partners"]["Description"]; !strings.HasPrefix(d, "=HYPERLINK") {
		t.Errorf("Inject Partners description %q, want the page's own, starting with =HYPERLINK", d)
	}
	// Undecodable bytes under an unknown charset: the page is still read,
	// and the workbook holds valid UTF-8 (checkCellsSafe).
	charsetTeam := map[string]bool{}
	for _, m := range perFirm["Charset Partners"] {
		charsetTeam[m["Name"]] = true
		t.Logf("Charset Partners member: %q", m["Name"])
	}
	// Bytes that are not UTF-8 under a charset nobody knows are read the
	// way browsers read them (windows-1252), so the Latin-1 name survives.
	for _, m := range append(teamOf(902), member{Name: "José Martínez"}) {
		if !charsetTeam[m.Name] {
			t.Errorf("Charset Partners: %s not found", m.Name)
		}
	}
	t.Logf("RELIABILITY hostile-websites: tried=%d handled=%d worker_alive=%v worker_peak_rss=%.0fMiB huge_body_bytes_sent=%dMB links_site_requests=%d output_cells_checked=%d formulas=0",
		len(sites), handled, worker.alive(), workerRSS, w.bytesSent(hostHuge)>>20, w.requests(hostLinks), cells)
}
