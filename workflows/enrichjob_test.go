package workflows_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/vcenrich/vcenrich/activities"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/workflows"
)

// fakeFirms stands in for the enrich activity: it counts calls per firm and
// lets each test decide what a firm does.
type fakeFirms struct {
	mu         sync.Mutex
	calls      map[int]int
	failures   []contract.Failure
	exports    []contract.ExportTask
	notified   []contract.NotifyTask
	behave     func(t contract.FirmTask, attempt int) (firm.Summary, error)
	delay      time.Duration // workflow time each firm takes
	exportIn   time.Duration // workflow time the export takes
	exportErr  error         // what the export fails with, if anything
	retried    []contract.RetryTask
	retryFirms int // how many failed firms PrepareRetry finds
	compared   []contract.CompareTask
	changes    contract.ChangeSummary // what CompareRuns finds
	compareErr error
}

func newFake(behave func(t contract.FirmTask, attempt int) (firm.Summary, error)) *fakeFirms {
	if behave == nil {
		behave = func(t contract.FirmTask, _ int) (firm.Summary, error) {
			return firm.Summary{Index: t.Index, Status: firm.StatusOK, TeamCount: 2}, nil
		}
	}
	return &fakeFirms{calls: map[int]int{}, behave: behave}
}

func (f *fakeFirms) install(env *testsuite.TestWorkflowEnvironment) {
	var a *activities.Activities
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.EnrichFirm, mock.Anything, mock.Anything).After(f.delay).Return(
		func(_ context.Context, t contract.FirmTask) (firm.Summary, error) {
			f.mu.Lock()
			f.calls[t.Index]++
			n := f.calls[t.Index]
			f.mu.Unlock()
			return f.behave(t, n)
		})
	env.OnActivity(a.RecordFailure, mock.Anything, mock.Anything).Return(
		func(_ context.Context, fl contract.Failure) (contract.BatchCounts, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.failures = append(f.failures, fl)
			return contract.BatchCounts{Failed: 1, FailuresByReason: map[string]int{fl.Reason: 1}}, nil
		})
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(
		func(_ context.Context, n contract.NotifyTask) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.notified = append(f.notified, n)
			return nil
		})
	env.OnActivity(a.PrepareRetry, mock.Anything, mock.Anything).Return(
		func(_ context.Context, t contract.RetryTask) (contract.RetryResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.retried = append(f.retried, t)
			return contract.RetryResult{Firms: f.retryFirms}, nil
		})
	env.OnActivity(a.CompareRuns, mock.Anything, mock.Anything).Return(
		func(_ context.Context, t contract.CompareTask) (contract.ChangeSummary, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.compared = append(f.compared, t)
			return f.changes, f.compareErr
		})
	env.OnActivity(a.ExportWorkbook, mock.Anything, mock.Anything).After(f.exportIn).Return(
		func(_ context.Context, t contract.ExportTask) (contract.ExportResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.exports = append(f.exports, t)
			if f.exportErr != nil {
				return contract.ExportResult{}, f.exportErr
			}
			return contract.ExportResult{Key: "jobs/" + t.JobID + "/result.xlsx"}, nil
		})
}

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(applog.Temporal(testenv.Logger(t)))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.EnrichJob, workflow.RegisterOptions{Name: contract.Workflow})
	return env
}

func input(total int, opts contract.Options) contract.Input {
	opts.RetryInterval = time.Second
	return contract.Input{JobID: "job-test", Name: "test", Total: total, Options: opts}
}

// A retry job gathers its firms before the first one starts, once, and
// runs exactly those, however many the API guessed.
func TestRetryGathersItsFirms(t *testing.T) {
	fake := newFake(nil)
	fake.retryFirms = 5
	in := input(2, contract.Options{Window: 2, ContinueEvery: 3})
	in.RetryOf = &contract.RunRef{JobID: "job-parent", Run: "run-1"}
	var res contract.Result
	for runs := 1; ; runs++ {
		env := newEnv(t)
		fake.install(env)
		env.ExecuteWorkflow(workflows.EnrichJob, in)
		err := env.GetWorkflowError()
		if err == nil {
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			break
		}
		// The next run carries the gathered total and gathers nothing again.
		in = decodeContinue(t, err)
		if in.Total != 5 || runs > 2 {
			t.Fatalf("run %d continued with a total of %d, want 5", runs, in.Total)
		}
	}
	if len(fake.retried) != 1 || fake.retried[0].From != (contract.RunRef{JobID: "job-parent", Run: "run-1"}) || fake.retried[0].JobID != in.JobID {
		t.Errorf("PrepareRetry calls %+v, want one for job-parent's run-1", fake.retried)
	}
	if res.Total != 5 || res.Done != 5 || len(fake.calls) != 5 {
		t.Errorf("result %+v after %d firms, want all 5 gathered firms done", res, len(fake.calls))
	}
}

func TestEveryFirmProcessedOnce(t *testing.T) {
	for _, tc := range []struct {
		name          string
		total, window int
	}{
		{"window smaller than job", 23, 4},
		{"window larger than job", 3, 10},
		{"window of one", 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			fake := newFake(nil)
			fake.install(env)
			env.ExecuteWorkflow(workflows.EnrichJob, input(tc.total, contract.Options{Window: tc.window}))
			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			var res contract.Result
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			if len(fake.calls) != tc.total {
				t.Fatalf("%d distinct firms enriched, want %d", len(fake.calls), tc.total)
			}
			for i := 0; i < tc.total; i++ {
				if fake.calls[i] != 1 {
					t.Errorf("firm %d enriched %d times", i, fake.calls[i])
				}
			}
			if res.Done != tc.total || res.Failed != 0 || res.TeamMembers != 2*tc.total || res.Status != contract.StatusCompleted {
				t.Errorf("result = %+v", res)
			}
			if len(fake.exports) != 1 || fake.exports[0].Status != contract.StatusCompleted || fake.exports[0].Done != tc.total {
				t.Errorf("exports = %+v", fake.exports)
			}
		})
	}
}

func TestWindowBoundsFirmsInFlight(t *testing.T) {
	env := newEnv(t)
	var mu sync.Mutex
	inFlight, most := 0, 0
	fake := newFake(func(t contract.FirmTask, _ int) (firm.Summary, error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		return firm.Summary{Index: t.Index, Status: firm.StatusOK}, nil
	})
	fake.install(env)
	// The query during the run sees at most the window in flight.
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(contract.QueryProgress)
		if err != nil {
			t.Error(err)
			return
		}
		var p contract.Progress
		if err := v.Get(&p); err != nil {
			t.Error(err)
		}
		if len(p.InFlight) > 3 {
			t.Errorf("in flight %v exceeds the window", p.InFlight)
		}
	}, time.Millisecond)
	env.ExecuteWorkflow(workflows.EnrichJob, input(30, contract.Options{Window: 3}))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if most > 3 {
		t.Errorf("%d firms ran at once with a window of 3", most)
	}
}

// decodeContinue returns the input a continue-as-new error carries.
func decodeContinue(t *testing.T, err error) contract.Input {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next contract.Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	return next
}

func TestContinueAsNewCarriesCursorAndCounters(t *testing.T) {
	const total, every = 10, 4
	fake := newFake(func(t contract.FirmTask, _ int) (firm.Summary, error) {
		if t.Index == 1 {
			return firm.Summary{}, temporal.NewNonRetryableApplicationError("no such host", "dns", nil)
		}
		return firm.Summary{Index: t.Index, Status: firm.StatusOK, TeamCount: 1}, nil
	})
	in := input(total, contract.Options{Window: 3, ContinueEvery: every})
	runs := 0
	for {
		env := newEnv(t)
		fake.install(env)
		env.ExecuteWorkflow(workflows.EnrichJob, in)
		runs++
		err := env.GetWorkflowError()
		if err == nil {
			var res contract.Result
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			if res.Done != total-1 || res.Failed != 1 || res.TeamMembers != total-1 || res.FailuresByReason["dns"] != 1 {
				t.Errorf("final result %+v", res)
			}
			break
		}
		next := decodeContinue(t, err)
		if next.State == nil || next.State.Next != runs*every {
			t.Fatalf("run %d: continued with state %+v, want cursor %d", runs, next.State, runs*every)
		}
		if got := next.State.Done + next.State.Failed; got != next.State.Next {
			t.Errorf("run %d: %d firms counted but cursor at %d (in-flight firms must finish first)", runs, got, next.State.Next)
		}
		if next.State.Runs != runs {
			t.Errorf("run count %d, want %d", next.State.Runs, runs)
		}
		in = next
		if runs > 5 {
			t.Fatal("too many runs")
		}
	}
	if runs != 3 {
		t.Errorf("%d runs for %d firms at %d per run, want 3", runs, total, every)
	}
	for i := 0; i < total; i++ {
		if fake.calls[i] != 1 {
			t.Errorf("firm %d enriched %d times across runs", i, fake.calls[i])
		}
	}
}

func TestFirmThatExhaustsRetriesIsFailedAndJobCompletes(t *testing.T) {
	env := newEnv(t)
	fake := newFake(func(t contract.FirmTask, _ int) (firm.Summary, error) {
		if t.Index == 2 {
			return firm.Summary{}, temporal.NewApplicationError("example.com timed out", "timeout")
		}
		return firm.Summary{Index: t.Index, Status: firm.StatusOK, TeamCount: 3}, nil
	})
	fake.install(env)
	env.ExecuteWorkflow(workflows.EnrichJob, input(5, contract.Options{Window: 2, MaxAttempts: 3}))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res contract.Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if fake.calls[2] != 3 {
		t.Errorf("failing firm tried %d times, want 3", fake.calls[2])
	}
	if res.Done != 4 || res.Failed != 1 || res.FailuresByReason["timeout"] != 1 {
		t.Errorf("result %+v", res)
	}
	if len(fake.failures) != 1 || fake.failures[0].Index != 2 || fake.failures[0].Reason != "timeout" || fake.failures[0].Message != "example.com timed out" {
		t.Errorf("recorded failures %+v", fake.failures)
	}
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	env := newEnv(t)
	fake := newFake(func(t contract.FirmTask, _ int) (firm.Summary, error) {
		return firm.Summary{}, temporal.NewNonRetryableApplicationError("HTTP 404 for the homepage", "http_status", nil)
	})
	fake.install(env)
	env.ExecuteWorkflow(workflows.EnrichJob, input(2, contract.Options{MaxAttempts: 5}))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if fake.calls[i] != 1 {
			t.Errorf("firm %d tried %d times", i, fake.calls[i])
		}
	}
}

func TestPauseStopsNewFirmsAndResumeCarriesOn(t *testing.T) {
	env := newEnv(t)
	var mu sync.Mutex
	started := 0
	fake := newFake(func(t contract.FirmTask, _ int) (firm.Summary, error) {
		mu.Lock()
		started++
		mu.Unlock()
		return firm.Summary{Index: t.Index, Status: firm.StatusOK}, nil
	})
	// Each firm takes a minute of workflow time, so the signals land mid-job.
	fake.delay = time.Minute
	fake.install(env)
	var atPause, atResume int
	var pausedProgress contract.Progress
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionPause}) }, 90*time.Second)
	env.RegisterDelayedCallback(func() {
		mu.Lock()
		atPause = started
		mu.Unlock()
		v, err := env.QueryWorkflow(contract.QueryProgress)
		if err == nil {
			_ = v.Get(&pausedProgress)
		}
	}, 10*time.Minute)
	env.RegisterDelayedCallback(func() {
		mu.Lock()
		atResume = started
		mu.Unlock()
		env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionResume})
	}, 60*time.Minute)
	env.ExecuteWorkflow(workflows.EnrichJob, input(8, contract.Options{Window: 2}))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !pausedProgress.Paused || pausedProgress.Status != contract.StatusPaused || pausedProgress.PausedSince.IsZero() {
		t.Errorf("progress while paused: %+v", pausedProgress)
	}
	if atPause == 0 || atPause != atResume {
		t.Errorf("firms started: %d at pause check, %d at resume; none may start while paused", atPause, atResume)
	}
	var res contract.Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Done != 8 {
		t.Errorf("done %d after resume, want 8", res.Done)
	}
	for i := 0; i < 8; i++ {
		if fake.calls[i] != 1 {
			t.Errorf("firm %d enriched %d times", i, fake.calls[i])
		}
	}
}

func TestPauseJustBeforeContinueAsNewIsCarried(t *testing.T) {
	env := newEnv(t)
	fake := newFake(nil)
	fake.delay = time.Minute
	fake.install(env)
	// Two firms per run, both in flight from the start and done at minute
	// one: the pause arrives while the run is draining towards its end.
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionPause}) }, 59*time.Second)
	env.ExecuteWorkflow(workflows.EnrichJob, input(6, contract.Options{Window: 2, ContinueEvery: 2}))
	next := decodeContinue(t, env.GetWorkflowError())
	if next.State == nil || !next.State.Paused || next.State.Next != 2 {
		t.Fatalf("continued with %+v; the pause must travel with the cursor", next.State)
	}
}

func TestCancelExportsPartialWorkbook(t *testing.T) {
	env := newEnv(t)
	fake := newFake(nil)
	fake.delay = time.Minute
	fake.install(env)
	env.RegisterDelayedCallback(env.CancelWorkflow, 150*time.Second)
	env.ExecuteWorkflow(workflows.EnrichJob, input(20, contract.Options{Window: 2}))
	err := env.GetWorkflowError()
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("want a cancelled job, got %v", err)
	}
	if len(fake.exports) != 1 {
		t.Fatalf("exports %+v; the workbook must still be written", fake.exports)
	}
	ex := fake.exports[0]
	if ex.Status != contract.StatusCancelled || ex.Done != 4 || ex.Total != 20 {
		t.Errorf("export task %+v, want cancelled with the 4 firms finished before the cancel", ex)
	}
}

func TestRate(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(secs ...int) []time.Time {
		out := make([]time.Time, len(secs))
		for i, s := range secs {
			out[i] = base.Add(time.Duration(s) * time.Second)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		recent    []time.Time
		remaining int
		rate, eta float64
	}{
		{"nothing yet", nil, 10, 0, 0},
		{"one completion", at(0), 10, 0, 0},
		{"same instant", at(5, 5), 10, 0, 0},
		{"one a second", at(0, 1, 2, 3), 120, 60, 120},
		{"two a minute", at(0, 30, 60), 4, 2, 120},
		{"finished", at(0, 60), 0, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rate, eta := workflows.Rate(tc.recent, tc.remaining)
			if rate != tc.rate || eta != tc.eta {
				t.Errorf("Rate = %v/min, eta %vs; want %v, %v", rate, eta, tc.rate, tc.eta)
			}
		})
	}
}

func TestStallIsFlaggedAndClears(t *testing.T) {
	env := newEnv(t)
	fake := newFake(nil)
	fake.delay = 2 * time.Hour // every firm hangs far past the stall threshold
	fake.install(env)
	var during, after contract.Progress
	query := func(into *contract.Progress) func() {
		return func() {
			v, err := env.QueryWorkflow(contract.QueryProgress)
			if err != nil {
				t.Error(err)
				return
			}
			if err := v.Get(into); err != nil {
				t.Error(err)
			}
		}
	}
	env.RegisterDelayedCallback(query(&during), 45*time.Minute)
	env.RegisterDelayedCallback(query(&after), 2*time.Hour+time.Minute)
	env.ExecuteWorkflow(workflows.EnrichJob, input(4, contract.Options{Window: 2, StallAfter: 30 * time.Minute}))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !during.Stalled || during.Status != contract.StatusStalled {
		t.Errorf("45 minutes without a finished firm: progress %+v, want stalled", during)
	}
	if after.Stalled || after.Status != contract.StatusRunning || after.Done != 2 {
		t.Errorf("after firms finished again: progress %+v, want running and not stalled", after)
	}
}

func TestPausedJobIsNotStalled(t *testing.T) {
	env := newEnv(t)
	fake := newFake(nil)
	fake.delay = time.Minute
	fake.install(env)
	var p contract.Progress
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionPause}) }, 30*time.Second)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(contract.QueryProgress)
		if err == nil {
			_ = v.Get(&p)
		}
		env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionResume})
	}, 3*time.Hour)
	env.ExecuteWorkflow(workflows.EnrichJob, input(3, contract.Options{Window: 1, StallAfter: 30 * time.Minute}))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if p.Stalled || p.Status != contract.StatusPaused {
		t.Errorf("paused for hours: progress %+v, want paused, not stalled", p)
	}
}

func TestFirmsCarryPriorityAndRun(t *testing.T) {
	env := newEnv(t)
	fake := newFake(nil)
	fake.install(env)
	var seen []contract.FirmTask
	var mu sync.Mutex
	fake.behave = func(task contract.FirmTask, _ int) (firm.Summary, error) {
		mu.Lock()
		seen = append(seen, task)
		mu.Unlock()
		return firm.Summary{Index: task.Index, Status: firm.StatusOK}, nil
	}
	env.ExecuteWorkflow(workflows.EnrichJob, input(3, contract.Options{Priority: 1}))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res contract.Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Run == "" {
		t.Fatal("result names no run")
	}
	for _, task := range seen {
		if task.Run != res.Run {
			t.Errorf("firm %d stored under run %q, want %q", task.Index, task.Run, res.Run)
		}
	}
	if len(fake.exports) != 1 || fake.exports[0].Run != res.Run {
		t.Errorf("export %+v, want run %q", fake.exports, res.Run)
	}
}

func TestSignalsAppliedInSendOrder(t *testing.T) {
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ctl := func(action string, at time.Time) contract.Control { return contract.Control{Action: action, At: at} }
	for _, tc := range []struct {
		name       string
		legacy     bool // a run recorded before the control channel
		send       func(env *testsuite.TestWorkflowEnvironment)
		wantPaused bool
	}{
		{"resume then pause", false, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalControl, ctl(contract.ActionResume, base))
			env.SignalWorkflow(contract.SignalControl, ctl(contract.ActionPause, base.Add(time.Second)))
		}, true},
		{"pause then resume", false, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalControl, ctl(contract.ActionPause, base))
			env.SignalWorkflow(contract.SignalControl, ctl(contract.ActionResume, base.Add(time.Second)))
		}, false},
		// One channel keeps the order sent; the senders' clocks are not consulted.
		{"pause then resume, clocks disagreeing", false, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalControl, ctl(contract.ActionPause, base.Add(time.Second)))
			env.SignalWorkflow(contract.SignalControl, ctl(contract.ActionResume, base))
		}, false},
		{"bare pause", false, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionPause})
		}, true},
		{"unknown action ignored", false, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionPause})
			env.SignalWorkflow(contract.SignalControl, contract.Control{Action: "stop"})
		}, true},
		{"legacy: resume then pause", true, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalResume, contract.Control{At: base})
			env.SignalWorkflow(contract.SignalPause, contract.Control{At: base.Add(time.Second)})
		}, true},
		{"legacy: pause then resume", true, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalPause, contract.Control{At: base})
			env.SignalWorkflow(contract.SignalResume, contract.Control{At: base.Add(time.Second)})
		}, false},
		{"legacy: bare pause", true, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalPause, nil)
		}, true},
		// A job that ran through the upgrade obeys the new senders too.
		{"legacy run, control sent", true, func(env *testsuite.TestWorkflowEnvironment) {
			env.SignalWorkflow(contract.SignalControl, ctl(contract.ActionPause, base))
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			if tc.legacy {
				env.OnGetVersion("control-channel", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			fake := newFake(nil)
			fake.delay = time.Minute
			fake.install(env)
			var p contract.Progress
			env.RegisterDelayedCallback(func() { tc.send(env) }, 30*time.Second)
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(contract.QueryProgress)
				if err == nil {
					_ = v.Get(&p)
				}
				env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionResume})
			}, 10*time.Minute)
			env.ExecuteWorkflow(workflows.EnrichJob, input(4, contract.Options{Window: 1}))
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			if p.Paused != tc.wantPaused {
				t.Errorf("paused = %v after %s, want %v", p.Paused, tc.name, tc.wantPaused)
			}
		})
	}
}

// A cancel that arrives while the workbook is written comes after every
// firm finished: it must not lose the workbook or fail the job.
func TestCancelDuringExportStillWritesTheWorkbook(t *testing.T) {
	env := newEnv(t)
	fake := newFake(nil)
	fake.delay = time.Minute
	fake.exportIn = 10 * time.Minute
	fake.install(env)
	env.RegisterDelayedCallback(env.CancelWorkflow, 5*time.Minute)
	in := input(4, contract.Options{Window: 4})
	in.Notify = []string{"analyst@example.com"}
	env.ExecuteWorkflow(workflows.EnrichJob, in)
	var res contract.Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatalf("job cancelled during its export ended with %v; want it completed", err)
	}
	if len(fake.exports) != 1 || fake.exports[0].Done != 4 || fake.exports[0].Status != contract.StatusCompleted {
		t.Fatalf("exports %+v, want one, completed, with the 4 firms", fake.exports)
	}
	if res.Workbook == "" || res.Status != contract.StatusCompleted {
		t.Errorf("result %+v names no workbook", res)
	}
	if len(fake.notified) != 1 || fake.notified[0].Event.Kind != "job_completed" {
		t.Errorf("notified %+v, want job_completed", fake.notified)
	}
}

// A workbook that cannot be written fails the job with the activity's own
// words, told to whoever is notified; nothing around them (event IDs,
// worker identities) reaches the user.
func TestExportFailureFailsTheJobInPlainWords(t *testing.T) {
	env := newEnv(t)
	fake := newFake(nil)
	fake.exportErr = temporal.NewNonRetryableApplicationError("the result store refused the write: disk full", "store", nil)
	fake.install(env)
	in := input(2, contract.Options{Window: 2})
	in.Notify = []string{"analyst@example.com"}
	env.ExecuteWorkflow(workflows.EnrichJob, in)
	var ae *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &ae) || ae.Message() != "could not write the workbook: the result store refused the write: disk full" {
		t.Fatalf("job error %v; want an application error in plain words", err)
	}
	if len(fake.notified) != 1 || fake.notified[0].Event.Kind != "job_failed" || !strings.HasPrefix(fake.notified[0].Event.Text, "could not write the workbook: the result store refused the write: disk full\n") {
		t.Errorf("notified %+v", fake.notified)
	}
}

func TestNotifiesWhenJobEndsAndStalls(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cancel bool
		stall  bool
		kinds  []string
	}{
		{"completed", false, false, []string{"job_completed"}},
		{"cancelled", true, false, []string{"job_cancelled"}},
		{"stalled twice, then completed", false, true, []string{"job_stalled", "job_stalled", "job_completed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			fake := newFake(nil)
			fake.delay = time.Minute
			if tc.stall {
				fake.delay = 2 * time.Hour
			}
			fake.install(env)
			if tc.cancel {
				env.RegisterDelayedCallback(env.CancelWorkflow, 90*time.Second)
			}
			in := input(6, contract.Options{Window: 3, StallAfter: 30 * time.Minute})
			in.Notify = []string{"analyst@example.com"}
			in.Link = "http://127.0.0.1:8080/#job-test"
			env.ExecuteWorkflow(workflows.EnrichJob, in)
			var kinds []string
			keys := map[string]bool{}
			for _, n := range fake.notified {
				kinds = append(kinds, n.Event.Kind)
				if keys[n.Event.Key] {
					t.Errorf("key %s used twice", n.Event.Key)
				}
				keys[n.Event.Key] = true
				if len(n.To) != 1 || n.To[0] != "analyst@example.com" || n.Event.Link != in.Link || n.Event.JobID != "job-test" {
					t.Errorf("notification %+v", n)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(tc.kinds, ",") {
				t.Errorf("notified %v, want %v", kinds, tc.kinds)
			}
		})
	}
}

// A job started to be compared with an earlier run compares before its
// export, which then writes a Changes sheet, and its notification says what
// changed; unchanged and asked to be quiet, it says nothing. A failed
// comparison costs the Changes sheet, never the job.
func TestComparedWithThePreviousRun(t *testing.T) {
	changed := contract.ChangeSummary{Total: 2, Counts: map[string]int{"person joined": 1, "title changed": 1},
		Text: "person joined: 1, title changed: 1", First: []string{"Acme: Cy joined as Partner", "Acme: Ada: Principal → Partner, tier 2 → tier 1"}}
	for _, tc := range []struct {
		name        string
		previous    bool
		quiet       bool
		changes     contract.ChangeSummary
		compareErr  error
		wantCompare bool
		wantSheet   bool
		wantNote    string // in the completion's text; "" for no notification
	}{
		{"not a refresh", false, false, changed, nil, false, false, "10 of 10 firms processed"},
		{"changes", true, false, changed, nil, true, true, "Since the previous refresh: person joined: 1, title changed: 1.\n- Acme: Cy joined as Partner\n- Acme: Ada: Principal → Partner, tier 2 → tier 1"},
		{"no change, said", true, false, contract.ChangeSummary{Text: "no change"}, nil, true, true, "Since the previous refresh: no change."},
		{"no change, quiet", true, true, contract.ChangeSummary{Text: "no change"}, nil, true, true, ""},
		{"comparison failed", true, true, changed, temporal.NewNonRetryableApplicationError("store down", "store", nil), true, false, "Not compared with the previous refresh (job-before)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			fake := newFake(nil)
			fake.changes, fake.compareErr = tc.changes, tc.compareErr
			fake.install(env)
			in := input(10, contract.Options{Window: 4})
			in.Notify = []string{"analyst@example.com"}
			if tc.previous {
				in.Previous = &contract.RunRef{JobID: "job-before", Run: "run-before"}
			}
			in.QuietUnchanged = tc.quiet
			env.ExecuteWorkflow(workflows.EnrichJob, in)
			var res contract.Result
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatalf("the job failed: %v", err)
			}
			if got := len(fake.compared) > 0; got != tc.wantCompare {
				t.Fatalf("compared %v, want %v", fake.compared, tc.wantCompare)
			}
			if tc.wantCompare && (fake.compared[0].Previous != *in.Previous || fake.compared[0].JobID != "job-test") {
				t.Errorf("compare task %+v", fake.compared[0])
			}
			if len(fake.exports) != 1 || fake.exports[0].Changes != tc.wantSheet {
				t.Errorf("exports %+v, want one with Changes %v", fake.exports, tc.wantSheet)
			}
			if (res.Changes != nil) != tc.wantSheet {
				t.Errorf("the result's changes %+v", res.Changes)
			}
			if tc.wantNote == "" {
				if len(fake.notified) != 0 {
					t.Errorf("a quiet refresh with no change notified %+v", fake.notified)
				}
				return
			}
			if len(fake.notified) != 1 || !strings.Contains(fake.notified[0].Event.Text, tc.wantNote) {
				t.Errorf("notified %+v, want a text with %q", fake.notified, tc.wantNote)
			}
		})
	}
}
