package workflows_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/vcenrich/vcenrich/activities"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/workflows"
)

// fakeSlices stands in for the slice activity as the real one behaves:
// each firm of the slice tried up to its attempts (a non-retryable error
// ends it at once), failures counted by reason.
type fakeSlices struct {
	*fakeFirms
	tasks    []contract.BatchTask
	marks    []bool // MarkPaused calls, in order
	parkOnce bool   // the first activity of every slice parks after half its firms
	stopOnce bool   // likewise, but says stopped (cut short without its job's cancel)
	parked   map[int]bool
}

func (f *fakeSlices) install(env *testsuite.TestWorkflowEnvironment) {
	f.fakeFirms.install(env)
	var a *activities.Activities
	env.OnActivity(a.EnrichBatch, mock.Anything, mock.Anything).After(f.delay).Return(
		func(_ context.Context, t contract.BatchTask) (contract.BatchResult, error) {
			f.mu.Lock()
			f.tasks = append(f.tasks, t)
			park := (f.parkOnce || f.stopOnce) && !f.parked[t.Start]
			if park {
				f.parked[t.Start] = true
			}
			f.mu.Unlock()
			var r contract.BatchResult
			end := t.End
			if park {
				end = t.Start + (t.End-t.Start)/2
				r.Paused, r.Stopped = f.parkOnce, f.stopOnce
			}
			for i := t.Start; i < end; i++ {
				if slices.Contains(t.Counted, i) {
					r.Finished = append(r.Finished, i)
					continue
				}
				for attempt := 1; ; attempt++ {
					f.mu.Lock()
					f.calls[i]++
					f.mu.Unlock()
					sum, err := f.behave(contract.FirmTask{JobID: t.JobID, Index: i, Run: t.Run}, attempt)
					if err == nil {
						r.Add(false, "", sum.TeamCount)
						break
					}
					var ae *temporal.ApplicationError
					errors.As(err, &ae)
					if ae.NonRetryable() || attempt >= t.MaxAttempts {
						r.Add(true, ae.Type(), 0)
						break
					}
				}
				r.Finished = append(r.Finished, i)
			}
			if !park {
				r.Finished = nil
			}
			return r, nil
		})
	env.OnActivity(a.MarkPaused, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m contract.PauseMark) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.marks = append(f.marks, m.Paused)
			return nil
		})
}

func newSlices(behave func(t contract.FirmTask, attempt int) (firm.Summary, error)) *fakeSlices {
	return &fakeSlices{fakeFirms: newFake(behave), parked: map[int]bool{}}
}

func slicedInput(total int, opts contract.Options) contract.Input {
	opts.Slices = true
	return input(total, opts)
}

// Every firm is enriched once, in slices that never hold more than the
// window, and the job's figures are exact to the firm.
func TestSlicesProcessEveryFirmOnce(t *testing.T) {
	for _, tc := range []struct {
		name               string
		total, window      int
		parkOnce, stopOnce bool
	}{
		{"window of one", 7, 1, false, false},
		{"small window", 50, 8, false, false},
		{"window of many slices", 1000, 64, false, false},
		{"slices parked and resumed", 300, 32, true, false},
		// A slice cut short while its job goes on leaves no firm behind.
		{"slices stopped and started again", 300, 32, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			fake := newSlices(func(t contract.FirmTask, _ int) (firm.Summary, error) {
				if t.Index%10 == 3 {
					return firm.Summary{}, temporal.NewNonRetryableApplicationError("no such host", "dns", nil)
				}
				return firm.Summary{Index: t.Index, Status: firm.StatusOK, TeamCount: 2}, nil
			})
			fake.delay = 10 * time.Second
			fake.parkOnce, fake.stopOnce = tc.parkOnce, tc.stopOnce
			fake.install(env)
			env.ExecuteWorkflow(workflows.EnrichJob, slicedInput(tc.total, contract.Options{Window: tc.window}))
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			var res contract.Result
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			failed := 0
			for i := range tc.total {
				if i%10 == 3 {
					failed++
				}
				if fake.calls[i] != 1 {
					t.Fatalf("firm %d enriched %d times", i, fake.calls[i])
				}
			}
			if res.Done != tc.total-failed || res.Failed != failed || res.TeamMembers != 2*(tc.total-failed) || res.FailuresByReason["dns"] != failed {
				t.Errorf("result %+v, want %d done, %d failed", res, tc.total-failed, failed)
			}
			conc := min(contract.SliceConcurrency, tc.window)
			for _, task := range fake.tasks {
				if task.Concurrency != conc || task.End-task.Start > conc*contract.SliceFirms {
					t.Errorf("slice %+v for a window of %d", task, tc.window)
				}
			}
			if tc.total >= 1000 && len(fake.tasks) > tc.total/32 {
				t.Errorf("%d activities for %d firms", len(fake.tasks), tc.total)
			}
		})
	}
}

// A pause reaches the slices through MarkPaused, no slice starts while the
// job is paused, and resume marks it again and carries on.
func TestSlicesPauseAndResume(t *testing.T) {
	env := newEnv(t)
	fake := newSlices(nil)
	fake.delay = time.Minute
	fake.install(env)
	started := 0 // slice activities started, counted as they start
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == contract.ActivityEnrichBatch {
			started++
		}
	})
	var atPause, atResume int
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionPause})
	}, 30*time.Second)
	env.RegisterDelayedCallback(func() { atPause = started }, 31*time.Second)
	env.RegisterDelayedCallback(func() {
		atResume = started
		env.SignalWorkflow(contract.SignalControl, contract.Control{Action: contract.ActionResume})
	}, 10*time.Minute)
	env.ExecuteWorkflow(workflows.EnrichJob, slicedInput(2000, contract.Options{Window: 32}))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if atPause == 0 || atResume != atPause {
		t.Errorf("%d slices had started at the pause and %d at the resume; none may start while paused", atPause, atResume)
	}
	if !slices.Equal(fake.marks, []bool{true, false}) {
		t.Errorf("MarkPaused calls %v, want pause then resume", fake.marks)
	}
	var res contract.Result
	if err := env.GetWorkflowResult(&res); err != nil || res.Done != 2000 {
		t.Errorf("result %+v, %v", res, err)
	}
}

// A sliced run continues as new every ContinueEvery slices, carrying the
// counts.
func TestSlicesAcrossContinueAsNew(t *testing.T) {
	fake := newSlices(nil)
	in := slicedInput(500, contract.Options{Window: 16, ContinueEvery: 1})
	for runs := 1; ; runs++ {
		env := newEnv(t)
		fake.install(env)
		env.ExecuteWorkflow(workflows.EnrichJob, in)
		err := env.GetWorkflowError()
		if err == nil {
			var res contract.Result
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			if res.Done != 500 || runs != 2 {
				t.Errorf("result %+v after %d runs, want 500 done in 2", res, runs)
			}
			break
		}
		in = decodeContinue(t, err)
		// One slice a run, of at most 16 rounds of 16.
		if in.State.Next != 256 || in.State.Done != 256 || runs != 1 {
			t.Fatalf("run %d continued at %d with %d done", runs, in.State.Next, in.State.Done)
		}
	}
	for i := range 500 {
		if fake.calls[i] != 1 {
			t.Fatalf("firm %d enriched %d times", i, fake.calls[i])
		}
	}
}

// Slices shrink when the firms left would not fill the window's places,
// but never below one round of their concurrency.
func TestSliceSizes(t *testing.T) {
	for _, tc := range []struct {
		total, window int
		want          []int // sizes of the slices, in order
	}{
		{100, 8, []int{100}}, // one place takes the job
		{1000, 8, []int{128, 128, 128, 128, 128, 128, 128, 104}}, // at most 16 rounds a slice
		{100, 64, []int{25, 25, 25, 25}},                         // four places share the job
		{40, 64, []int{16, 16, 8}},                               // never below a round of 16
		{300, 32, []int{150, 150}},                               // two places, one slice each
		{10, 1, []int{10}},                                       // a window of one
	} {
		env := newEnv(t)
		fake := newSlices(nil)
		fake.install(env)
		env.ExecuteWorkflow(workflows.EnrichJob, slicedInput(tc.total, contract.Options{Window: tc.window}))
		if err := env.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, task := range fake.tasks {
			got = append(got, task.End-task.Start)
		}
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%d firms, window %d: slices of %v, want %v", tc.total, tc.window, got, tc.want)
		}
	}
}
