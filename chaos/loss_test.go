package chaos

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/jobclient"
)

// workerStopTimeout is how long a worker lets in-flight firms finish on
// SIGTERM (workerapp.NewWorker's WorkerStopTimeout).
const workerStopTimeout = 20 * time.Second

// TestProcessLoss runs one job through every kind of process loss, one after
// the other, and then checks that the workbook has every firm exactly once:
//   - the worker killed with SIGKILL three times, a new one started each time;
//   - the server killed with SIGKILL, and restarted;
//   - the dev server stopped and restarted on the same db file, then
//     killed with SIGKILL and restarted;
//   - no worker at all for twice the firm timeout;
//   - the worker stopped with SIGTERM.
//
// Continue-as-new every 15 firms (every slice, for a sliced job) makes runs
// roll over during the kills.
func TestProcessLoss(t *testing.T) {
	const (
		firms       = 360
		window      = 8
		kills       = 3
		step        = 10 // firms processed between two blows
		firmTimeout = 10 * time.Second
	)
	w := newWeb(t, 700*time.Millisecond, nil)
	c := newCluster(t, w, map[string]string{
		"VCENRICH_WINDOW":       fmt.Sprint(window),
		"VCENRICH_FIRM_TIMEOUT": firmTimeout.String(),
		"VCENRICH_MAX_ATTEMPTS": "3",
	})
	// A sliced job's runs count slices, a few here: continuing as new
	// after each makes its runs roll over during the kills too.
	continueEvery, wantRuns := 15, firms/15
	if c.sliced() {
		continueEvery, wantRuns = 1, 3
	}
	c.env["VCENRICH_CONTINUE_EVERY"] = fmt.Sprint(continueEvery)
	hb := c.setting("VCENRICH_HEARTBEAT_TIMEOUT")
	c.startServer()
	worker := c.startWorker()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := c.api.Upload(ctx, writeFirms(t, firms), jobclient.UploadOptions{Name: "chaos"})
	if err != nil {
		t.Fatal(err)
	}
	if created.Firms != firms {
		t.Fatalf("upload accepted %d firms, want %d", created.Firms, firms)
	}
	id := created.JobID

	// Before each blow the job runs step more firms: firms redone after the
	// previous blow have all been started again by then (they hold the
	// window's first slots), so the homepage requests counted since that
	// blow are the firms it made the job redo.
	redone := map[string]int{}
	lastBlow, mark := "", 0
	blow := func(what string) answer.Job {
		t.Helper()
		_, p := c.answering(id)
		c.waitProcessed(id, p+step, 2*time.Minute)
		// Strike with a full window in flight (not while a run drains
		// before continuing as new), so the blow hurts all it can.
		var j answer.Job
		most := 0
		// A sliced job names its firms in flight from its slices'
		// heartbeats, seconds behind: there the firms half-way through
		// below are the test of a full window.
		sliced := c.sliced()
		waitFor(t, time.Minute, "a full window in flight before the "+what, func() bool {
			j, _ = c.answering(id)
			most = max(most, len(j.InFlight))
			return len(j.InFlight) == window || sliced || j.Finished()
		})
		if j.Finished() || j.Total-j.Processed < 2*window {
			t.Fatalf("job nearly over (%d of %d, at most %d in flight seen) before the %s: make it longer", j.Processed, j.Total, most, what)
		}
		// And while firms are between their two pages: surely running on a
		// worker, not just finished.
		waitFor(t, 30*time.Second, "firms half-way through before the "+what, func() bool { return w.midway() >= window/2 })
		if lastBlow != "" {
			redone[lastBlow] = w.redone() - mark
		}
		lastBlow, mark = what, w.redone()
		return j
	}
	// A resume is timed from the new process's start to the next firm a
	// worker reports done.
	resumeAfter := func(what string, started time.Time, baseline int) time.Duration {
		t.Helper()
		c.waitProcessed(id, baseline+1, 2*time.Minute)
		d := time.Since(started)
		t.Logf("%s: progress resumed %s after the start", what, d.Round(10*time.Millisecond))
		return d
	}

	// 1. kill -9 the worker, three times.
	var resumes []time.Duration
	var runsAtKill []int
	for k := range kills {
		what := fmt.Sprintf("worker kill %d", k+1)
		before := blow(what)
		runsAtKill = append(runsAtKill, c.query(id).Runs)
		worker.kill(t)
		worker = c.startWorker()
		resumes = append(resumes, resumeAfter(fmt.Sprintf("%s (%d in flight)", what, len(before.InFlight)), worker.started, before.Processed))
	}

	// 2. kill -9 the server: the job goes on without it, and a restarted
	// server shows the progress made meanwhile.
	// The web tells the job goes on: a sliced job's own figures move only
	// when a slice ends, which may be after the server is back.
	srvBefore := blow("server kill")
	served := w.teamsServed()
	c.server.kill(t)
	waitFor(t, time.Minute, "the job to go on while the server is down", func() bool {
		return w.teamsServed() >= served+step
	})
	whileDown := w.teamsServed() - served
	c.startServer()
	shown := c.waitProcessed(id, srvBefore.Processed+step, 30*time.Second)
	t.Logf("server down: %d firms finished meanwhile after the %d before; the restarted server shows %d", whileDown, srvBefore.Processed, shown.Processed)

	// 3. Stop the dev server (or the cluster's Temporal server) and start
	// it again on the same database; then kill -9 it: what it had written
	// is all there is. A resume is timed from when it serves again.
	var devResume, devKillResume, devStartup time.Duration
	restart := func(what string, sig syscall.Signal) time.Duration {
		before := blow(what)
		c.stopDev(sig)
		begin := time.Now()
		c.startDev()
		serving := time.Now()
		devStartup = max(devStartup, serving.Sub(begin))
		return resumeAfter(what, serving, before.Processed)
	}
	if c.canRestartTemporal() {
		devResume = restart("dev server restart", syscall.SIGTERM)
		devKillResume = restart("dev server kill", syscall.SIGKILL)
	} else {
		t.Log("not restarting Temporal: a shared cluster without VCENRICH_TEST_TEMPORAL_CTL")
	}

	// 4. No worker for twice the firm timeout: the job waits, it does not
	// fail, and a new worker carries on.
	before := blow("outage")
	worker.kill(t)
	outage := 2 * firmTimeout
	outageStart := time.Now()
	// The loop lasts as long as the outage; it watches the job meanwhile.
	for time.Since(outageStart) < outage {
		if j, ok := c.job(id); ok && j.Finished() {
			t.Fatalf("job ended with status %s while no worker ran", j.Status)
		}
		time.Sleep(500 * time.Millisecond)
	}
	c.checkNoRunTimeout(id)
	worker = c.startWorker()
	outageResume := resumeAfter(fmt.Sprintf("worker back after %s without one", outage), worker.started, before.Processed)

	// 5. SIGTERM: the worker takes no new firm, finishes or hands back those
	// in flight within the stop timeout, and exits 0.
	before = blow("SIGTERM")
	busy := w.midway()
	if err := worker.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	termAt := time.Now()
	if !worker.exited(workerStopTimeout + 10*time.Second) {
		t.Fatalf("worker still running %s after SIGTERM", workerStopTimeout+10*time.Second)
	}
	stopTook := time.Since(termAt)
	termCode := worker.exitCode()
	if termCode != 0 {
		t.Errorf("worker exited %d after SIGTERM, want 0", termCode)
	}
	if stopTook > workerStopTimeout+5*time.Second {
		t.Errorf("worker took %s to stop, over its %s stop timeout", stopTook, workerStopTimeout)
	}
	// No other worker ran meanwhile, so a firm first requested between the
	// signal and the exit was taken by the stopping worker. A task handed
	// over in the very instant of the signal is not taking work after it;
	// new work only comes once in-flight firms finish, well past this grace.
	takenAfterTerm := w.startedAfter(termAt.Add(300 * time.Millisecond))
	if len(takenAfterTerm) > 0 {
		t.Errorf("worker started %d new firms after SIGTERM: %v", len(takenAfterTerm), takenAfterTerm)
	}
	worker = c.startWorker()
	final := c.waitDone(id, 3*time.Minute)
	rss, err := worker.peakRSSMB()
	if err != nil {
		t.Fatal(err)
	}
	redone[lastBlow] = w.redone() - mark
	t.Logf("SIGTERM with %d firms half-way: exit code %d after %s; %d firms redone", busy, termCode, stopTook.Round(10*time.Millisecond), redone[lastBlow])

	// The workbook: every firm once, all enriched, every team member once.
	if final.Status != "completed" || final.Done != firms || final.Failed != 0 {
		t.Errorf("final state %s: %d done, %d failed of %d; want completed with all %d done", final.Status, final.Done, final.Failed, final.Total, firms)
	}
	lost, dups := c.checkResult(id, firms)
	runs := c.runs(id)
	if runs < wantRuns {
		t.Errorf("%d workflow runs, want at least %d (continue-as-new every %d)", runs, wantRuns, continueEvery)
	}

	var perKill []int
	for k := range kills {
		perKill = append(perKill, redone[fmt.Sprintf("worker kill %d", k+1)])
	}
	if n := redone["server kill"]; n != 0 {
		t.Errorf("%d firms redone after the server kill: the server runs no firm, so none should be", n)
	}
	for what, n := range redone {
		if n > window {
			t.Errorf("%d firms redone after the %s, more than the %d a window holds", n, what, window)
		}
	}
	// A new worker on the machine where one died sees its lease free at
	// once and fails the dead worker's firms by ID; they are retried after
	// the first backoff (1s) and the first needs one firm's time (two
	// pages). The bound is the heartbeat timeout.
	for i, d := range resumes {
		if d > hb {
			t.Errorf("resume after worker kill %d took %s, over the %s heartbeat timeout", i+1, d, hb)
		}
	}
	// After a Temporal restart the workers were never lost: they reconnect
	// (the SDK's backoff, up to a few seconds) and carry on.
	devBound := hb + 2*time.Second + 2*w.latency + 5*time.Second
	for what, d := range map[string]time.Duration{"dev server restart": devResume, "dev server kill -9": devKillResume, "worker back after an outage": outageResume} {
		if d > devBound {
			t.Errorf("resume after %s took %s, over %s", what, d, devBound)
		}
	}
	slices.Sort(resumes)
	t.Logf("RELIABILITY process-loss: firms=%d window=%d heartbeat_timeout=%s lost=%d duplicates=%d runs=%d runs_at_worker_kills=%v "+
		"worker_kills=%d redone_per_kill=%v max_redone_per_kill=%d resume_after_kill_p50=%s resume_after_kill_max=%s "+
		"server_kill: at %d, %d firms finished while down, restarted server shows %d; "+
		"temporal=%s startup_max=%s; temporal_restart: resume=%s redone=%d; temporal_kill9: resume=%s redone=%d; no_worker_for=%s: resume=%s redone=%d; "+
		"sigterm: busy=%d exit=%d stop=%s new_firms_taken=%d redone=%d worker_peak_rss=%.0fMiB",
		firms, window, hb, lost, dups, runs, runsAtKill,
		kills, perKill, slices.Max(perKill), resumes[len(resumes)/2].Round(10*time.Millisecond), resumes[len(resumes)-1].Round(10*time.Millisecond),
		srvBefore.Processed, whileDown, shown.Processed,
		cmp.Or(c.external, "dev server"), devStartup.Round(10*time.Millisecond), devResume.Round(10*time.Millisecond), redone["dev server restart"], devKillResume.Round(10*time.Millisecond), redone["dev server kill"], outage, outageResume.Round(10*time.Millisecond), redone["outage"],
		busy, termCode, stopTook.Round(10*time.Millisecond), len(takenAfterTerm), redone["SIGTERM"], rss)
}

// TestTwoWorkersOneKilled kills one of two workers mid-job: the other keeps
// the job moving, and progress never stalls for long.
func TestTwoWorkersOneKilled(t *testing.T) {
	const (
		firms  = 48
		window = 8
	)
	w := newWeb(t, 700*time.Millisecond, nil)
	c := newCluster(t, w, map[string]string{
		"VCENRICH_WINDOW": fmt.Sprint(window), "VCENRICH_CONTINUE_EVERY": "20",
	})
	hb := c.setting("VCENRICH_HEARTBEAT_TIMEOUT")
	c.startServer()
	w1, w2 := c.startWorker(), c.startWorker()
	c.waitPolling(w1)
	c.waitPolling(w2)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := c.api.Upload(ctx, writeFirms(t, firms), jobclient.UploadOptions{Name: "two workers"})
	if err != nil {
		t.Fatal(err)
	}
	id := created.JobID
	// Progress as a user sees it: a stall is the time between two increases
	// of the processed count, counted when it ends after the kill.
	last, lastAt := -1, time.Now()
	var killedAt time.Time
	var stalls []time.Duration
	observe := func() answer.Job {
		j, p := c.progress(id)
		if p > last {
			if !killedAt.IsZero() {
				stalls = append(stalls, time.Since(lastAt))
			}
			last, lastAt = p, time.Now()
		}
		return j
	}
	waitFor(t, time.Minute, "10 firms done and more half-way", func() bool {
		observe()
		return last >= 10 && w.midway() >= window/2
	})
	// Kill the worker that runs the workflow itself, the worse of the two:
	// its workflow tasks must time out on its sticky queue first.
	victim, survivor := w1, w2
	if owner := c.workflowOwner(id); strings.HasPrefix(owner, fmt.Sprintf("%d@", w2.pid())) {
		victim, survivor = w2, w1
	} else if !strings.HasPrefix(owner, fmt.Sprintf("%d@", w1.pid())) {
		t.Fatalf("the workflow runs on %q, neither worker", owner)
	}
	redone := w.redone()
	killedAt = time.Now()
	victim.kill(t)
	waitFor(t, 3*time.Minute, "the job to finish on one worker", func() bool {
		j := observe()
		return j.Finished() && j.ResultReady
	})
	redone = w.redone() - redone
	lost, dups := c.checkResult(id, firms)
	if !survivor.alive() {
		t.Errorf("the surviving worker exited")
	}
	// Firms on the survivor keep finishing, but the workflow that counts
	// them (and starts the next ones) waits for its task to leave the dead
	// worker's sticky queue (2s, set in workerapp.NewWorker). The dead worker's own
	// firms would hold their window slots until their heartbeat timed out;
	// the survivor sees the dead worker's lease free within a second and
	// hands them back, so they are retried after the first backoff.
	maxStall := slices.Max(stalls)
	if maxStall > hb {
		t.Errorf("progress stalled for %s after the kill, longer than the %s heartbeat timeout", maxStall, hb)
	}
	t.Logf("RELIABILITY two-workers: firms=%d killed=%s(held the workflow) lost=%d duplicates=%d redone=%d max_stall=%s heartbeat_timeout=%s",
		firms, victim.name, lost, dups, redone, maxStall.Round(10*time.Millisecond), hb)
}

// answering waits for a worker to answer the progress query.
func (c *cluster) answering(id string) (answer.Job, int) {
	c.t.Helper()
	var j answer.Job
	p := -1
	waitFor(c.t, time.Minute, "a worker to answer for job "+id, func() bool {
		j, p = c.progress(id)
		return p >= 0 || j.Finished()
	})
	return j, p
}

// workflowOwner is the identity of the worker that took the job's latest
// workflow task: the one whose cache holds the workflow.
func (c *cluster) workflowOwner(id string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	owner := ""
	it := c.tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			c.t.Fatal(err)
		}
		if a := e.GetWorkflowTaskStartedEventAttributes(); a != nil {
			owner = a.GetIdentity()
		}
	}
	return owner
}

// query asks the workflow for its progress through Temporal, without the
// server.
func (c *cluster) query(id string) contract.Progress {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var p contract.Progress
	v, err := c.tc.QueryWorkflow(ctx, id, "", contract.QueryProgress)
	if err == nil {
		err = v.Get(&p)
	}
	if err != nil {
		c.t.Logf("query %s: %v", id, err)
	}
	return p
}

// checkNoRunTimeout: jobs run for hours, so no workflow timeout may end them.
func (c *cluster) checkNoRunTimeout(id string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := c.tc.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		c.t.Fatal(err)
	}
	if st := d.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		c.t.Errorf("job %s is %s while waiting for a worker, want running", id, st)
	}
	cfg := d.GetExecutionConfig()
	if cfg.GetWorkflowExecutionTimeout().AsDuration() != 0 || cfg.GetWorkflowRunTimeout().AsDuration() != 0 {
		c.t.Errorf("job %s has execution timeout %s and run timeout %s: a long job would be killed", id,
			cfg.GetWorkflowExecutionTimeout().AsDuration(), cfg.GetWorkflowRunTimeout().AsDuration())
	}
}

// runs counts the job's workflow runs (one more per continue-as-new).
func (c *cluster) runs(id string) int {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	var token []byte
	for {
		resp, err := c.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: c.ns, Query: fmt.Sprintf("WorkflowId = '%s'", id), NextPageToken: token,
		})
		if err != nil {
			c.t.Fatal(err)
		}
		n += len(resp.GetExecutions())
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return n
		}
	}
}

// checkResult downloads the job's workbook and checks that every input
// firm is in it exactly once, enriched, with its whole team listed once.
// It returns the firms lost (missing or not enriched) and the duplicates.
func (c *cluster) checkResult(id string, firms int) (lost, dups int) {
	c.t.Helper()
	t := c.t
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "result.xlsx")
	if err := c.api.Download(ctx, id, path); err != nil {
		t.Fatal(err)
	}
	wb := readWorkbook(t, path)
	seen := map[string]int{}
	for _, r := range wb.firms {
		seen[r["Firm Name"]]++
		if r["Status"] != "ok" {
			t.Errorf("%s: status %q (%s: %s), want ok", r["Firm Name"], r["Status"], r["Failure Reason"], r["Error"])
		}
	}
	members := map[string]int{}
	for _, r := range wb.team {
		members[r["Firm"]+"|"+r["Name"]+"|"+r["Title"]]++
	}
	for i := range firms {
		name := firmName(i)
		switch n := seen[name]; {
		case n == 0:
			lost++
			t.Errorf("%s is missing from the workbook", name)
		case n > 1:
			dups += n - 1
			t.Errorf("%s is in the workbook %d times", name, n)
		}
		delete(seen, name)
		for _, m := range teamOf(i) {
			key := name + "|" + m.Name + "|" + m.Title
			if n := members[key]; n != 1 {
				t.Errorf("%s: %s (%s) listed %d times, want once", name, m.Name, m.Title, n)
				if n > 1 {
					dups += n - 1
				}
			}
			delete(members, key)
		}
	}
	for name := range seen {
		t.Errorf("the workbook has a firm that was not uploaded: %q", name)
	}
	for key := range members {
		t.Errorf("the workbook has a team member nobody listed: %s", strings.ReplaceAll(key, "|", ", "))
	}
	return lost, dups
}
