package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/contract"
)

// slice is a range of a job's firms run by one EnrichBatch activity.
type slice struct {
	start, end int
}

// sliceOutcome is what a slice's coroutine reports: what its firms came
// to, or that it was cancelled with nothing to say.
type sliceOutcome struct {
	slice     slice
	counts    contract.BatchCounts
	cancelled bool
	parked    *contract.Parked // the slice stopped for a pause, to be started again
}

// SliceActivityID names a slice's activity, so the API can tell which of
// a job's pending activities the progress query counts as in flight.
func SliceActivityID(start int) string { return fmt.Sprintf("slice-%d", start) }

// maxSliceAttempts bounds the attempts at a slice: each attempt resumes
// where the last stopped and firms count their own attempts, so these are
// lost workers and store outages, not the web's failures.
const maxSliceAttempts = 10

// concurrency is how many firms one slice runs at once.
func (j *job) concurrency() int { return max(min(contract.SliceConcurrency, j.opts.Window), 1) }

// sliceSize is how many firms the next slice holds, of remaining: SliceFirms
// rounds of its concurrency, fewer when the firms left, shared among the
// window's free places, would not fill them that way (a small job, a job's
// last firms), but at least one round, so every place a slice takes is used.
func (j *job) sliceSize(remaining int) int {
	c := j.concurrency()
	free := max(j.opts.Window/c-len(j.slices), 1)
	fill := (remaining + free - 1) / free
	return min(c*contract.SliceFirms, max(c, fill), remaining)
}

// busy is how much of the window is taken: firms in flight, or the
// places of the slices in flight.
func (j *job) busy() int {
	if j.sliced {
		return len(j.slices) * j.concurrency()
	}
	return len(j.inFlight)
}

// startSlice runs firms [start, end) in one activity; counted are firms of
// it an earlier, paused activity finished.
func (j *job) startSlice(ctx workflow.Context, start, end int, counted []int) {
	s := slice{start: start, end: end}
	j.slices = append(j.slices, s)
	conc := j.concurrency()
	// The longest a slice can honestly take: every firm all its attempts
	// with the longest backoff, its firms conc at a time. A dead worker is
	// noticed by the heartbeat long before.
	rounds := (end - start + conc - 1) / conc
	timeout := time.Duration(rounds*j.opts.MaxAttempts) * (j.opts.FirmTimeout + time.Minute)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		ActivityID:          SliceActivityID(start),
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    j.opts.HeartbeatTimeout,
		// A cancelled slice returns what finished: the job's figures count it.
		WaitForCancellation: true,
		Priority:            temporal.Priority{PriorityKey: j.opts.Priority, FairnessKey: j.in.JobID},
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    j.opts.RetryInterval,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    maxSliceAttempts,
		},
	})
	task := contract.BatchTask{
		JobID: j.in.JobID, Run: j.run, Start: start, End: end, Concurrency: conc,
		MaxAttempts: j.opts.MaxAttempts, FirmTimeout: j.opts.FirmTimeout, RetryInterval: j.opts.RetryInterval,
		Counted: counted,
	}
	workflow.Go(ctx, func(gctx workflow.Context) {
		o := sliceOutcome{slice: s}
		var r contract.BatchResult
		err := workflow.ExecuteActivity(actx, contract.ActivityEnrichBatch, task).Get(gctx, &r)
		switch {
		case err == nil:
			o.counts = r.BatchCounts
			// A slice that stopped while its job goes on (paused, or cut
			// short otherwise) is started again for the firms it left.
			if r.Paused || r.Stopped && gctx.Err() == nil {
				o.parked = &contract.Parked{Start: start, End: end, Counted: r.Finished}
			}
		case temporal.IsCanceledError(err) || gctx.Err() != nil:
			o.cancelled = true
		default:
			// Out of attempts: every firm of the slice without a result
			// is recorded failed, with a context that outlives a cancel.
			reason, msg := failureOf(err, j.opts)
			rctx, _ := workflow.NewDisconnectedContext(gctx)
			rctx = workflow.WithActivityOptions(rctx, workflow.ActivityOptions{
				StartToCloseTimeout: 5 * time.Minute,
				RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 30 * time.Second},
			})
			if rerr := workflow.ExecuteActivity(rctx, contract.ActivityRecordFailure, contract.Failure{
				JobID: j.in.JobID, Index: start, End: end, Run: j.run, Reason: reason, Message: msg,
			}).Get(rctx, &o.counts); rerr != nil {
				j.logger.Error("could not record failed slice", applog.FieldFirm, start, "end", end, "error", rerr)
			}
		}
		j.outcomes.Send(gctx, outcome{slice: &o})
	})
}

// recordSlice adds a finished slice's firms to the job's figures.
func (j *job) recordSlice(ctx workflow.Context, o sliceOutcome) {
	j.slices = slices.DeleteFunc(j.slices, func(s slice) bool { return s == o.slice })
	if o.parked != nil {
		j.st.Parked = append(j.st.Parked, *o.parked)
	}
	c := o.counts
	if c.Done+c.Failed == 0 {
		return
	}
	now := workflow.Now(ctx)
	j.st.Updated = now
	if j.st.Stalled {
		j.st.Stalled = false
		j.logger.Info("job no longer stalled", applog.FieldFirm, o.slice.start)
		j.upsert(ctx)
	}
	j.st.Done += c.Done
	j.st.Failed += c.Failed
	j.st.TeamMembers += c.TeamMembers
	for _, reason := range workflow.DeterministicKeys(c.FailuresByReason) {
		j.st.FailuresByReason[reason] += c.FailuresByReason[reason]
	}
	j.st.Marks = append(j.st.Marks, contract.Mark{At: now, Processed: j.st.Done + j.st.Failed})
	if len(j.st.Marks) > recentMarks {
		j.st.Marks = j.st.Marks[len(j.st.Marks)-recentMarks:]
	}
	if c.Failed > 0 {
		j.logger.Warn("firms failed", applog.FieldFirm, o.slice.start, "end", o.slice.end, "failed", c.Failed)
	}
	if j.st.Done+j.st.Failed-j.upserted >= j.opts.Window || len(j.slices) == 0 {
		j.upsert(ctx)
	}
}

// markPaused tells the job's slices, through the store, to start no more
// firms (or to go on): a slice reads the mark before starting each firm,
// lets the firms it has going finish, and parks.
func (j *job) markPaused(ctx workflow.Context, paused bool) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 10 * time.Second},
	})
	if err := workflow.ExecuteActivity(actx, contract.ActivityMarkPaused, contract.PauseMark{JobID: j.in.JobID, Paused: paused}).Get(ctx, nil); err != nil {
		j.logger.Error("could not mark the job paused for its slices", "paused", paused, "error", err)
	}
}

// recentMarks is how many slice ends a sliced job's rate is averaged over.
const recentMarks = 20

// RateOfMarks is firms per minute between the first and last marks, and
// the seconds left at that rate for remaining firms (0 when unknown).
func RateOfMarks(marks []contract.Mark, remaining int) (perMinute, etaSeconds float64) {
	if len(marks) < 2 {
		return 0, 0
	}
	first, last := marks[0], marks[len(marks)-1]
	span := last.At.Sub(first.At)
	if span <= 0 {
		return 0, 0
	}
	perMinute = float64(last.Processed-first.Processed) / span.Minutes()
	if remaining > 0 && perMinute > 0 {
		etaSeconds = float64(remaining) / perMinute * 60
	}
	return perMinute, etaSeconds
}
