package app_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/api"
	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/demosites"
	"github.com/vcenrich/vcenrich/jobclient"
)

// gate holds every homepage request until opened, so a test can act while
// firms are known to be in flight, and counts homepage requests per host.
type gate struct {
	next  http.Handler
	open  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	homes map[string]int
}

func newGate() *gate {
	return &gate{next: demosites.Handler(), open: make(chan struct{}), homes: map[string]int{}}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		g.mu.Lock()
		g.homes[host]++
		g.mu.Unlock()
		select {
		case <-g.open:
		case <-r.Context().Done():
			return
		}
	}
	g.next.ServeHTTP(w, r)
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

func (g *gate) homepages() (total int, most int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range g.homes {
		total += n
		most = max(most, n)
	}
	return total, most
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", within, what)
		}
		<-tick.C
	}
}

func (s *stack) job(t *testing.T, id string) answer.Job {
	t.Helper()
	j, err := s.client.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestPauseAndResumeOnRealServer pauses a job with firms in flight: they
// finish, no firm starts while paused (no homepage is fetched, and firm by
// firm no activity is scheduled between the signals, read from the
// workflow's own history; in slices, the slice parks), and after resume
// every firm is done once.
func TestPauseAndResumeOnRealServer(t *testing.T) {
	for _, slices := range []string{"false", "true"} {
		t.Run("slices="+slices, func(t *testing.T) { pauseAndResume(t, slices) })
	}
}

func pauseAndResume(t *testing.T, slices string) {
	g := newGate()
	t.Cleanup(g.release)
	s := startStackWith(t, stackOptions{sites: g, env: map[string]string{"VCENRICH_WINDOW": "2", "VCENRICH_SLICES": slices}})
	ctx := context.Background()
	created, err := s.client.Upload(ctx, writeSample(t), jobclient.UploadOptions{Name: "pause"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "two firms in flight", func() bool { n, _ := g.homepages(); return n == 2 })
	if err := s.client.Control(ctx, created.JobID, "pause"); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the job to read paused", func() bool { return s.job(t, created.JobID).Status == "paused" })
	g.release()
	eventually(t, time.Minute, "in-flight firms to finish while paused", func() bool {
		j := s.job(t, created.JobID)
		return j.Processed == 2 && len(j.InFlight) == 0 && j.Paused
	})
	if n, _ := g.homepages(); n != 2 {
		t.Errorf("%d homepages fetched while paused with two firms in flight", n)
	}
	if err := s.client.Control(ctx, created.JobID, "resume"); err != nil {
		t.Fatal(err)
	}
	final, err := s.client.Follow(ctx, created.JobID, 100*time.Millisecond, func(answer.Job) {})
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != "completed" || final.Processed != created.Firms {
		t.Fatalf("final %+v", final)
	}
	if _, most := g.homepages(); most != 1 {
		t.Errorf("a firm's homepage was fetched %d times; every firm must run once", most)
	}
	if slices == "true" {
		recordHistories(t, s.temporal, created.JobID, "sliced-pause-resume")
		return
	}
	if scheduled := enrichScheduledWhilePaused(t, s.temporal, created.JobID); scheduled != 0 {
		t.Errorf("%d firms started between the pause and the resume signals", scheduled)
	}
	recordHistories(t, s.temporal, created.JobID, "pause-resume")
}

// enrichScheduledWhilePaused counts EnrichFirm activities scheduled between
// the pause signal and the resume signal in the job's history.
func enrichScheduledWhilePaused(t *testing.T, c client.Client, id string) int {
	t.Helper()
	iter := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	paused, sawPause, sawResume, n := false, false, false, 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			a := e.GetWorkflowExecutionSignaledEventAttributes()
			if a.GetSignalName() != contract.SignalControl {
				continue
			}
			var ctl contract.Control
			if err := converter.GetDefaultDataConverter().FromPayloads(a.GetInput(), &ctl); err != nil {
				t.Fatal(err)
			}
			switch ctl.Action {
			case contract.ActionPause:
				paused, sawPause = true, true
			case contract.ActionResume:
				paused, sawResume = false, true
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			if paused && e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "EnrichFirm" {
				n++
			}
		}
	}
	if !sawPause || !sawResume {
		t.Fatalf("history lacks the signals (pause %v, resume %v)", sawPause, sawResume)
	}
	return n
}

// TestCancelWritesPartialWorkbook cancels a job with firms in flight: the
// job reads cancelled and its workbook still lists every firm, the finished
// ones with their results.
func TestCancelWritesPartialWorkbook(t *testing.T) {
	for _, slices := range []string{"false", "true"} {
		t.Run("slices="+slices, func(t *testing.T) { cancelWritesPartialWorkbook(t, slices) })
	}
}

func cancelWritesPartialWorkbook(t *testing.T, slices string) {
	g := newGate()
	t.Cleanup(g.release)
	s := startStackWith(t, stackOptions{sites: g, env: map[string]string{"VCENRICH_WINDOW": "2", "VCENRICH_SLICES": slices}})
	ctx := context.Background()
	created, err := s.client.Upload(ctx, writeSample(t), jobclient.UploadOptions{Name: "cancel"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "two firms in flight", func() bool { n, _ := g.homepages(); return n == 2 })
	if err := s.client.Control(ctx, created.JobID, "cancel"); err != nil {
		t.Fatal(err)
	}
	final, err := s.client.Follow(ctx, created.JobID, 100*time.Millisecond, func(answer.Job) {})
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != "cancelled" || !final.ResultReady {
		t.Fatalf("final %+v, want cancelled with a workbook", final)
	}
	out := filepath.Join(t.TempDir(), "partial.xlsx")
	if err := s.client.Download(ctx, created.JobID, out); err != nil {
		t.Fatal(err)
	}
	rows := sheetRows(t, out, "Firms")
	if len(rows)-1 != created.Firms {
		t.Fatalf("partial workbook has %d firm rows, want all %d", len(rows)-1, created.Firms)
	}
	col := columns(rows[0])
	pending := 0
	for _, r := range rows[1:] {
		if cell(r, col["Status"]) == "not processed" {
			pending++
		}
	}
	if pending < created.Firms-2 {
		t.Errorf("%d firms not processed, want at least %d after cancelling with 2 in flight", pending, created.Firms-2)
	}
	// The job's figures are the workbook's, however it ended.
	if final.Done+final.Failed != created.Firms-pending {
		t.Errorf("the cancelled job says %d done and %d failed; its workbook has %d processed", final.Done, final.Failed, created.Firms-pending)
	}
	if total, _ := g.homepages(); total > 2 {
		t.Errorf("%d homepages fetched; no firm may start after the cancel", total)
	}
	if slices == "false" {
		recordHistories(t, s.temporal, created.JobID, "cancel")
	}
}

// TestIdempotentStartAndRetryFailed: the same upload while its job runs is
// that job; after it ends the same upload runs again; and the failed firms
// of a finished job can be retried as a new job.
func TestIdempotentStartAndRetryFailed(t *testing.T) {
	g := newGate()
	t.Cleanup(g.release)
	s := startStackWith(t, stackOptions{sites: g, env: map[string]string{"VCENRICH_CONTINUE_EVERY": "4"}})
	ctx := context.Background()
	path := writeSample(t)
	first, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "same"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "same"})
	if err != nil {
		t.Fatal(err)
	}
	if again.JobID != first.JobID || !again.Existing || first.Existing {
		t.Fatalf("second upload while running: %+v; want the running job %s", again, first.JobID)
	}
	other, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "same", Window: 3})
	if err != nil {
		t.Fatal(err)
	}
	if other.JobID == first.JobID || other.Existing {
		t.Fatalf("other options gave job %+v; want a new job", other)
	}
	g.release()
	for _, id := range []string{first.JobID, other.JobID} {
		if _, err := s.client.Follow(ctx, id, 100*time.Millisecond, func(answer.Job) {}); err != nil {
			t.Fatal(err)
		}
	}
	rerun, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "same"})
	if err != nil {
		t.Fatal(err)
	}
	if rerun.JobID != first.JobID || rerun.Existing {
		t.Fatalf("upload after the job ended: %+v; want a new run of %s", rerun, first.JobID)
	}
	final, err := s.client.Follow(ctx, rerun.JobID, 100*time.Millisecond, func(answer.Job) {})
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != "completed" || final.Processed != first.Firms {
		t.Fatalf("rerun %+v", final)
	}
	recordHistories(t, s.temporal, first.JobID, "continue-as-new-with-failures")

	retry, err := s.client.RetryFailed(ctx, first.JobID)
	if err != nil {
		t.Fatal(err)
	}
	if retry.Firms != final.Failed || retry.Firms == 0 {
		t.Fatalf("retry job has %d firms, want the %d failed ones", retry.Firms, final.Failed)
	}
	rf, err := s.client.Follow(ctx, retry.JobID, 100*time.Millisecond, func(answer.Job) {})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "retry.xlsx")
	if err := s.client.Download(ctx, retry.JobID, out); err != nil {
		t.Fatal(err)
	}
	rows := sheetRows(t, out, "Firms")
	if len(rows)-1 != retry.Firms || rf.Processed != retry.Firms {
		t.Fatalf("retry workbook has %d rows, job %+v; want %d", len(rows)-1, rf, retry.Firms)
	}
	failing := map[string]bool{}
	for _, site := range demosites.Sites() {
		if site.Failure != "" {
			failing[site.Name] = true
		}
	}
	for _, r := range rows[1:] {
		if name := cell(r, columns(rows[0])["Firm Name"]); !failing[name] {
			t.Errorf("retried firm %q was not one that failed", name)
		}
	}
	recordHistories(t, s.temporal, retry.JobID, "retry-failed")
	if _, err := s.client.RetryFailed(ctx, "job-missing"); err == nil {
		t.Error("retry of an unknown job accepted")
	}
}

// TestWorkerLossAlert: a job with no worker to run it raises the alert
// outside the workers, and the job waits rather than fails.
func TestWorkerLossAlert(t *testing.T) {
	s := startStackWith(t, stackOptions{noWorker: true})
	ctx := context.Background()
	created, err := s.client.Upload(ctx, writeSample(t), jobclient.UploadOptions{Name: "orphan"})
	if err != nil {
		t.Fatal(err)
	}
	// Visibility on a real cluster counts a new job a moment after it
	// starts: check until the running job is seen.
	var alerts []api.Alert
	eventually(t, 30*time.Second, "a worker-loss alert", func() bool {
		alerts = s.server.CheckAlerts(ctx, time.Minute)
		return len(alerts) > 0
	})
	if len(alerts) != 1 || alerts[0].Kind != "worker_loss" || !strings.Contains(alerts[0].Message, "start a worker") {
		t.Fatalf("alerts %+v, want one worker-loss alert", alerts)
	}
	j := s.job(t, created.JobID)
	if j.Status != "running" || j.WorkerAnswering || !strings.Contains(j.Note, "no worker") {
		t.Errorf("job without worker: %+v", j)
	}
}

func sheetRows(t *testing.T, path, sheet string) [][]string {
	t.Helper()
	wb, err := excelize.OpenFile(path)
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

// recordHistories writes every run of a job's history as JSON for the
// replay tests in workflows/, when VCENRICH_RECORD_HISTORIES names the
// folder (make record-histories). Recorded from real runs, they make any
// change that breaks determinism fail the replay test.
func recordHistories(t *testing.T, c client.Client, id, name string) {
	t.Helper()
	dir := os.Getenv("VCENRICH_RECORD_HISTORIES")
	if dir == "" {
		return
	}
	ctx := context.Background()
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: "default", Query: "WorkflowId = '" + id + "'", PageSize: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range resp.GetExecutions() {
		iter := c.GetWorkflowHistory(ctx, id, e.GetExecution().GetRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		var h historypb.History
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				t.Fatal(err)
			}
			h.Events = append(h.Events, ev)
		}
		b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+"-run"+string(rune('a'+i))+".json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded %s (%d events)", path, len(h.Events))
	}
}
