package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/demosites"
	"github.com/vcenrich/vcenrich/jobclient"
)

// chromiumBin finds headless Chromium: VCENRICH_CHROMIUM, else Debian's
// package. Without it the browser tests are skipped, except in CI, where a
// missing browser is a failure (.ci/run installs it).
func chromiumBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	for _, name := range []string{os.Getenv("VCENRICH_CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium binary found; install Debian's chromium package (.ci/run does)")
	}
	t.Skip("no chromium binary found: apt-get install chromium, or set VCENRICH_CHROMIUM")
	return ""
}

// artifacts is where screenshots go: VCENRICH_TEST_ARTIFACTS, else the
// test's temporary folder.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VCENRICH_TEST_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// page is one headless Chromium tab driven by the test.
type page struct {
	t      *testing.T
	ctx    context.Context
	shots  string
	prefix string

	mu         sync.Mutex
	exceptions []string
}

func openBrowser(t *testing.T, bin, prefix string) *page {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	p := &page{t: t, ctx: ctx, shots: artifacts(t), prefix: prefix}
	// The first action starts the browser; it lives as long as ctx.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	messages := chromedp.Console(ctx)
	go func() {
		defer wg.Done()
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() {
				p.mu.Lock()
				p.exceptions = append(p.exceptions, m.String())
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		stop, cancelStop := context.WithTimeout(ctx, 10*time.Second)
		defer cancelStop()
		_ = chromedp.Cancel(stop)
		cancel()
		cancelAlloc()
		wg.Wait()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, e := range p.exceptions {
			t.Errorf("the dashboard threw: %s", e)
		}
	})
	return p
}

// do runs browser steps within a time limit; on failure it saves a
// screenshot of what the page showed.
func (p *page) do(what string, within time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, within)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		p.t.Fatalf("%s: %v", what, err)
	}
}

// until waits for a JavaScript condition on the page.
func (p *page) until(what, expr string, within time.Duration) {
	p.t.Helper()
	p.do(what, within+5*time.Second, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(within)))
}

func eval[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// shot saves a full-page screenshot as a test artifact.
func (p *page) shot(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(p.shots, p.prefix+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
	return path
}

// row is the CSS selector of a job's row in the jobs table.
func row(id string) string { return fmt.Sprintf(`#jobs tr[data-job=%q]`, id) }

// TestDashboardInBrowser drives the dashboard as a person would, in headless
// Chromium against a real dev server and worker: sign in with the API token,
// drop a spreadsheet, edit and confirm the column mapping, start the job,
// pause it with firms in flight, resume it, watch it reach 100%, download
// the workbook and open it, page through the team members with a search,
// and check the page at phone width. Screenshots are saved as artifacts.
func TestDashboardInBrowser(t *testing.T) {
	bin := chromiumBin(t)
	g := newGate()
	t.Cleanup(g.release)
	const token = "browser-test-token"
	s := startStackWith(t, stackOptions{sites: g, env: map[string]string{"VCENRICH_WINDOW": "2", "VCENRICH_API_TOKEN": token}})
	s.client.SetToken(token)
	p := openBrowser(t, bin, "dashboard-")
	sample := writeSample(t)

	p.do("open the dashboard", time.Minute, chromedp.Navigate(s.api.URL), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	p.do("sign in", time.Minute,
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#drop")))

	// A sheet with no recognisable website column: the preview asks, and
	// the person's choice is read with the row the parser took as headers.
	odd := filepath.Join(t.TempDir(), "odd.csv")
	if err := os.WriteFile(odd, []byte("Our funds\nFund,Home page link here\nAcme,acme.example\nBeta,beta.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do("choose a sheet without a website column", time.Minute, chromedp.SetUploadFiles(chromedp.CSS("#file-input"), []string{odd}))
	p.until("the request for a mapping", `!document.querySelector("#preview-message").hidden && document.querySelector("#start").disabled`, time.Minute)
	if name := eval[string](p, `document.querySelector("#map-name").selectedOptions[0].textContent`); name != "Fund" {
		t.Errorf("the name column offered is %q, want Fund", name)
	}
	p.do("choose the website column", time.Minute, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector("#map-website");
		s.value = [...s.options].find(o => o.textContent === "Home page link here").value;
		s.dispatchEvent(new Event("change", { bubbles: true }));
	})()`))
	p.until("the preview of the chosen columns", `document.querySelector("#preview-summary").textContent.startsWith("2 firms") && !document.querySelector("#start").disabled`, time.Minute)
	p.shot("0-mapping-chosen")
	p.do("discard it", time.Minute, chromedp.Click(chromedp.CSS("#discard")))

	// Upload: the preview shows the detected columns; mapping the Notes
	// column as the description is the person's edit.
	p.do("choose the spreadsheet", time.Minute, chromedp.SetUploadFiles(chromedp.CSS("#file-input"), []string{sample}))
	p.until("the preview", `!document.querySelector("#preview").hidden && document.querySelector("#preview-summary").textContent.includes("firms")`, time.Minute)
	mapped := eval[[]string](p, `[...document.querySelectorAll("#mapping select")].map(s => s.selectedOptions[0].textContent)`)
	if strings.Join(mapped, "|") != "Firm Name|Website|(none)" {
		t.Fatalf("detected mapping %q", mapped)
	}
	p.do("map Notes as the description", time.Minute, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector("#map-description");
		s.value = [...s.options].find(o => o.textContent === "Notes").value;
		s.dispatchEvent(new Event("change", { bubbles: true }));
	})()`))
	p.until("the preview with the edited mapping", `document.querySelectorAll("#samples th.mapped").length === 3`, time.Minute)
	p.shot("1-preview")

	p.do("start the job", time.Minute,
		chromedp.SetValue(chromedp.CSS("#job-name"), "Browser test"),
		chromedp.Click(chromedp.CSS("#start")))
	p.until("the job to start", `document.querySelector("#upload-msg").textContent.startsWith("Started")`, time.Minute)
	p.until("the job's row", `document.querySelector("#jobs tr[data-job]") !== null`, time.Minute)
	id := eval[string](p, `document.querySelector("#jobs tr[data-job]").dataset.job`)
	first, err := s.store.Firm(context.Background(), id, 0)
	if err != nil || first.Description == "" {
		t.Errorf("the confirmed mapping did not reach the job: first firm %+v, %v", first, err)
	}

	// Pause with two firms in flight; they finish, nothing else starts.
	eventually(t, time.Minute, "two firms in flight", func() bool { n, _ := g.homepages(); return n == 2 })
	p.until("the pause button", fmt.Sprintf(`document.querySelector('%s button[data-action="pause"]') !== null`, row(id)), time.Minute)
	p.do("pause", time.Minute, chromedp.Click(chromedp.CSS(row(id)+` button[data-action="pause"]`)))
	p.until("the paused chip", fmt.Sprintf(`document.querySelector('%s').dataset.status === "paused"`, row(id)), time.Minute)
	g.release()
	eventually(t, time.Minute, "in-flight firms to finish while paused", func() bool {
		j := s.job(t, id)
		return j.Processed == 2 && len(j.InFlight) == 0 && j.Paused
	})
	p.until("the paused progress", fmt.Sprintf(`document.querySelector('%s .pct').textContent.includes("2 / ")`, row(id)), time.Minute)
	p.shot("2-paused")

	p.do("resume", time.Minute, chromedp.Click(chromedp.CSS(row(id)+` button[data-action="resume"]`)))
	p.until("100%", fmt.Sprintf(`(() => { const r = document.querySelector('%s');
		return r.dataset.status === "completed" && r.querySelector(".pct").textContent.startsWith("100%%"); })()`, row(id)), 2*time.Minute)
	p.shot("3-completed")

	// The sample's failed firms show: the count beside the chip and the
	// bar, a red share of the bar, and a retry.
	failedFirms := 0
	for _, site := range demosites.Sites() {
		if site.Failure != "" {
			failedFirms++
		}
	}
	if failedFirms == 0 {
		t.Fatal("the sample has no failing site: this test needs one")
	}
	if got := s.job(t, id).Failed; got != failedFirms {
		t.Fatalf("the job failed %d firms, want the sample's %d failing sites", got, failedFirms)
	}
	r := fmt.Sprintf(`document.querySelector('%s')`, row(id))
	for _, c := range []struct{ what, cond string }{
		{"the failed count on the row", fmt.Sprintf(`%s.dataset.failed === "%d"`, r, failedFirms)},
		{"the chip", fmt.Sprintf(`%s.querySelector(".chip").textContent === "completed · %d failed"`, r, failedFirms)},
		{"the figures", fmt.Sprintf(`%s.querySelector(".pct").textContent.includes("%d failed")`, r, failedFirms)},
		{"a red share of the bar", fmt.Sprintf(`%s.querySelector(".bar .failed").getBoundingClientRect().width > 0
			&& getComputedStyle(%s.querySelector(".bar .failed")).backgroundColor !== getComputedStyle(%s.querySelector(".bar .done")).backgroundColor`, r, r, r)},
		{"the retry", fmt.Sprintf(`%s.querySelector('button[data-action="retry-failed"]') !== null`, r)},
	} {
		p.until(c.what, c.cond, time.Minute)
	}

	// Download the workbook through the page and open it.
	downloads := t.TempDir()
	enabled := true
	if _, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &enabled,
	}); err != nil {
		t.Fatal(err)
	}
	dctx, cancelDownload := context.WithTimeout(p.ctx, time.Minute)
	defer cancelDownload()
	progress := chromedp.BrowserEvents(dctx, browser.DownloadProgress)
	p.do("click download", time.Minute, chromedp.Click(chromedp.CSS(row(id)+` a[data-action="download"]`)))
	guid := ""
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
	}
	cancelDownload()
	rows := sheetRows(t, filepath.Join(downloads, guid), "Firms")
	created, err := s.store.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != created.Total {
		t.Fatalf("downloaded workbook has %d firm rows, want %d", len(rows)-1, created.Total)
	}
	for _, r := range rows[1:] {
		if st := cell(r, columns(rows[0])["Status"]); st != "ok" && st != "failed" {
			t.Errorf("firm %q reads %q in the final workbook", cell(r, 0), st)
		}
	}

	// Results: team members, paged and searched.
	var member string
	for _, site := range demosites.Sites() {
		if len(site.Team) > 0 && site.Failure == "" {
			member = site.Team[0].Name
			break
		}
	}
	p.do("open the results", time.Minute, chromedp.Click(chromedp.CSS(row(id)+` button[data-action="results"]`)))
	p.until("team member rows", `document.querySelector('#tabs button[aria-selected="true"]')?.textContent === "Team Members" && document.querySelectorAll("#rows tbody tr").length > 1`, time.Minute)
	p.do("search", time.Minute, chromedp.SendKeys(chromedp.CSS("#q"), member))
	p.until("the searched member", fmt.Sprintf(`document.querySelectorAll("#rows tbody tr").length === 1 && document.querySelector("#rows tbody").textContent.includes(%s)`, strconv.Quote(member)), time.Minute)
	p.shot("4-results")

	// The job page: a bar for each failure reason the job recorded, the
	// firms-per-minute chart, the coverage tiles.
	final := s.job(t, id)
	p.until("the failures chart", fmt.Sprintf(`document.querySelectorAll("#chart-failures svg rect.hbar").length === %d`, len(final.FailuresByReason)), time.Minute)
	for reason := range final.FailuresByReason {
		if !eval[bool](p, fmt.Sprintf(`document.querySelector('#chart-failures svg rect.hbar[data-label=%q]') !== null`, reason)) {
			t.Errorf("the failures chart has no bar for %q", reason)
		}
	}
	p.until("the firms-per-minute chart", `document.querySelectorAll("#chart-rate svg rect.done").length > 0`, time.Minute)
	p.until("the coverage tiles", `document.querySelector("#coverage dt")?.textContent === "Firms"`, time.Minute)

	// A firm row opens what the workbook says of it: a failed firm its
	// reason, a good one its pages and people.
	var good, bad demosites.Site
	for _, site := range demosites.Sites() {
		if site.Failure == "" && len(site.Team) > 0 && good.Name == "" {
			good = site
		}
		if site.Failure != "" && bad.Name == "" {
			bad = site
		}
	}
	search := func(q string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const q = document.querySelector("#q"); q.value = %q; q.dispatchEvent(new Event("input")); })()`, q))
	}
	p.do("the Firms sheet", time.Minute, search(""), chromedp.Click(chromedp.CSS(`#tabs button[data-sheet="Firms"]`)))
	p.until("firm rows", `document.querySelectorAll("#rows tbody tr.openable").length > 0`, time.Minute)
	openFirm := func(name string) {
		p.t.Helper()
		p.do("search "+name, time.Minute, search(name))
		p.until("the row of "+name, fmt.Sprintf(`(() => { const r = document.querySelectorAll("#rows tbody tr.openable");
			return r.length === 1 && r[0].textContent.includes(%q); })()`, name), time.Minute)
		p.do("open "+name, time.Minute, chromedp.Click(chromedp.CSS(`#rows tbody tr.openable td.pinned`)))
		p.until("the detail of "+name, `document.querySelector("#rows tr.detail .detail-body") !== null`, time.Minute)
	}
	openFirm(bad.Name)
	detail := eval[string](p, `document.querySelector("#rows tr.detail").textContent`)
	reasonShown := false
	for reason := range final.FailuresByReason {
		reasonShown = reasonShown || strings.Contains(detail, "failed ("+reason+")")
	}
	if !reasonShown {
		t.Errorf("the failed firm %s does not say why: %q", bad.Name, detail)
	}
	openFirm(good.Name)
	detail = eval[string](p, `document.querySelector("#rows tr.detail").textContent`)
	if !strings.Contains(detail, "Pages visited") || !strings.Contains(detail, good.Team[0].Name) || !strings.Contains(detail, good.Host) {
		t.Errorf("the firm %s does not show its pages and people: %q", good.Name, detail)
	}
	// The sheet scrolls inside its frame with the name column pinned; the
	// page itself does not scroll sideways.
	if !eval[bool](p, `(() => { const f = document.querySelector("#rows-frame"); return f.scrollWidth > f.clientWidth; })()`) {
		t.Error("the Firms sheet fits its frame at laptop width: the pinned column is untested")
	}
	pinned := eval[bool](p, `(() => { const f = document.querySelector("#rows-frame"); f.scrollLeft = 600;
		const c = f.querySelector("tbody tr.openable td.pinned");
		return c !== null && Math.abs(c.getBoundingClientRect().left - f.getBoundingClientRect().left) < 3; })()`)
	if !pinned {
		t.Error("the name column scrolled away with the rest of the sheet")
	}
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 1280 {
		t.Errorf("the page is %d px wide at a 1280 px laptop width", w)
	}
	p.do("back to the start", time.Minute, chromedp.Evaluate[chromedp.Void](`document.querySelector("#rows-frame").scrollLeft = 0; document.querySelector("#results").scrollIntoView()`))
	p.shot("4c-job-page")

	// A job with no failed firm offers no retry.
	clean := filepath.Join(t.TempDir(), "clean.csv")
	if err := os.WriteFile(clean, []byte("Firm,Website\n"+good.Name+",http://"+good.Host+"/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cleanJob, err := s.client.Upload(context.Background(), clean, jobclient.UploadOptions{Name: "No failures"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Follow(context.Background(), cleanJob.JobID, 100*time.Millisecond, func(answer.Job) {}); err != nil {
		t.Fatal(err)
	}
	p.until("the clean job's row, completed", fmt.Sprintf(`document.querySelector('%s')?.dataset.status === "completed"`, row(cleanJob.JobID)), time.Minute)
	if eval[bool](p, fmt.Sprintf(`document.querySelector('%s button[data-action="retry-failed"]') !== null`, row(cleanJob.JobID))) {
		t.Error("a job with no failed firm offers Retry failed")
	}
	p.shot("4b-failed-and-clean")

	// Listed afresh, with no job's details fetched, a finished job's
	// figures come from visibility alone.
	p.do("reload", time.Minute, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#drop")))
	p.until("the failed job's row from visibility", fmt.Sprintf(`(() => { const r = document.querySelector('%s');
		return r && r.dataset.failed === "%d" && r.querySelector(".chip").textContent === "completed · %d failed"
			&& r.querySelector(".bar .failed").getBoundingClientRect().width > 0; })()`, row(id), failedFirms, failedFirms), time.Minute)
	p.do("reopen the job page", time.Minute, chromedp.Click(chromedp.CSS(row(id)+` button[data-action="results"]`)))
	p.until("the job page again", `document.querySelector("#coverage dt")?.textContent === "Firms"`, time.Minute)

	// Phone width: nothing overflows sideways.
	p.do("phone viewport", time.Minute, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	p.until("the phone layout", `document.querySelector(".jobs thead").offsetParent === null`, time.Minute)
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
		p.shot("failed-phone-overflow")
		t.Errorf("the page is %d px wide at a 390 px phone width", w)
	}
	p.shot("5-phone")
	p.do("the job page at phone width", time.Minute, chromedp.Evaluate[chromedp.Void](`document.querySelector("#results").scrollIntoView()`))
	p.shot("5b-job-page-phone")
}

// TestDashboardWorkerBanner: jobs running with no worker polling put a red
// banner on the page, and the job's row says its figures are the last ones
// recorded.
func TestDashboardWorkerBanner(t *testing.T) {
	bin := chromiumBin(t)
	s := startStackWith(t, stackOptions{noWorker: true})
	created, err := s.client.Upload(context.Background(), writeSample(t), jobclient.UploadOptions{Name: "orphan"})
	if err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t, bin, "dashboard-")
	p.do("open the dashboard", time.Minute, chromedp.Navigate(s.api.URL), chromedp.WaitVisible(chromedp.CSS("#drop")))
	p.until("the red banner", `!document.querySelector("#banner").hidden && document.querySelector("#banner").textContent.includes("No worker is polling")`, time.Minute)
	p.until("the row's warning", fmt.Sprintf(`document.querySelector('%s .warn')?.textContent.includes("No worker is answering")`, row(created.JobID)), time.Minute)
	if bg := eval[string](p, `getComputedStyle(document.querySelector("#banner")).backgroundColor`); bg != "rgb(254, 228, 226)" {
		t.Errorf("banner background %s, want the red one", bg)
	}
	p.shot("6-no-worker")
}

// TestDashboardWatches: a watch created from the dashboard over a finished
// job refreshes on its own, on its schedule; paused from the page it does
// not refresh, resumed it does again, deleted its schedule is gone.
func TestDashboardWatches(t *testing.T) {
	bin := chromiumBin(t)
	s := startStack(t, nil)
	ctx := context.Background()
	created, err := s.client.Upload(ctx, writeSample(t), jobclient.UploadOptions{Name: "Watched list"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Follow(ctx, created.JobID, 100*time.Millisecond, func(answer.Job) {}); err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t, bin, "dashboard-")
	p.do("open the dashboard", time.Minute, chromedp.Navigate(s.api.URL), chromedp.WaitVisible(chromedp.CSS("#drop")))
	p.until("the job's Watch button", fmt.Sprintf(`document.querySelector('%s button[data-action="watch"]') !== null`, row(created.JobID)), time.Minute)
	p.do("watch the job's list every 2 s, not now", time.Minute,
		chromedp.Click(chromedp.CSS(row(created.JobID)+` button[data-action="watch"]`)),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const every = document.querySelector("#watch-every");
			every.value = "custom"; every.dispatchEvent(new Event("change"));
			document.querySelector("#watch-custom").value = "2s";
			document.querySelector("#watch-now").checked = false;
		})()`),
		chromedp.Click(chromedp.CSS("#watch-create")))
	p.until("the watch listed", `document.querySelectorAll("#watches tr[data-watch]").length === 1`, time.Minute)
	id := eval[string](p, `document.querySelector("#watches tr[data-watch]").dataset.watch`)
	w, err := s.client.Watch(ctx, id)
	if err != nil || w.List != created.JobID || w.Interval != "2s" || len(w.Jobs) != 0 {
		t.Fatalf("the watch created from the page: %+v, %v", w, err)
	}
	// No refresh was asked for: the schedule makes one on its own.
	p.until("a refresh of its own, listed", `Number(document.querySelector("#watches tr[data-watch]").dataset.refreshes) >= 1`, time.Minute)
	eventually(t, time.Minute, "the refresh to complete", func() bool {
		w, err := s.client.Watch(ctx, id)
		return err == nil && w.Last != ""
	})
	p.shot("7-watch")
	p.do("pause", time.Minute, chromedp.Click(chromedp.CSS(`#watches button[data-action="pause"]`)))
	p.until("paused", `document.querySelector("#watches tr[data-watch]")?.dataset.paused === "true"`, time.Minute)
	sh := s.temporal.ScheduleClient().GetHandle(ctx, id)
	d, err := sh.Describe(ctx)
	if err != nil || !d.Schedule.State.Paused || len(d.Info.NextActionTimes) < 2 {
		t.Fatalf("the schedule after Pause on the page: %+v, %v", d, err)
	}
	// Paused, the schedule still lists when it would run: past the second
	// of those times, no refresh has started.
	actions, due := d.Info.NumActions, d.Info.NextActionTimes[1]
	eventually(t, time.Minute, "two of the paused schedule's times to pass", func() bool { return time.Now().After(due.Add(time.Second)) })
	if d, err := sh.Describe(ctx); err != nil || d.Info.NumActions != actions || len(d.Info.RunningWorkflows) != 0 {
		t.Errorf("the paused watch refreshed: %d actions, then %d (running %v), %v", actions, d.Info.NumActions, d.Info.RunningWorkflows, err)
	}
	p.do("resume", time.Minute, chromedp.Click(chromedp.CSS(`#watches button[data-action="resume"]`)))
	eventually(t, time.Minute, "a refresh after Resume", func() bool {
		d, err := sh.Describe(ctx)
		return err == nil && d.Info.NumActions > actions
	})
	p.do("delete", time.Minute, chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`#watches button[data-action="delete"]`)))
	p.until("no watch left", `document.querySelectorAll("#watches tr[data-watch]").length === 0`, time.Minute)

	// A spreadsheet can be watched straight away too.
	p.do("watch a spreadsheet", time.Minute, chromedp.SetUploadFiles(chromedp.CSS("#watch-file"), []string{writeSample(t)}),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const every = document.querySelector("#watch-every");
			every.value = "monthly"; every.dispatchEvent(new Event("change"));
			document.querySelector("#watch-job").value = "";
		})()`),
		chromedp.Click(chromedp.CSS("#watch-create")))
	p.until("the spreadsheet's watch listed", `document.querySelectorAll("#watches tr[data-watch]").length === 1`, time.Minute)
	id = eval[string](p, `document.querySelector("#watches tr[data-watch]").dataset.watch`)
	if w, err := s.client.Watch(ctx, id); err != nil || w.Interval != "monthly" || w.Firms != created.Firms || w.List == created.JobID {
		t.Errorf("the watch of a spreadsheet: %+v, %v", w, err)
	}
	if err := s.client.WatchControl(ctx, id, "delete"); err != nil {
		t.Error(err)
	}
	if _, err := sh.Describe(ctx); err == nil {
		t.Error("the watch deleted on the page still has its schedule")
	}
}
