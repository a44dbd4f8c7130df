// Package workflows holds EnrichJob, the durable workflow behind every
// upload: it feeds the job's firms to per-firm activities through a bounded
// window, records failures and goes on, continues as new every so many
// firms so history stays small, obeys pause and resume signals, answers a
// progress query, and ends by exporting the workbook.
package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/contract/visibility"
	"github.com/vcenrich/vcenrich/firm"
)

// A run rolls over before its history reaches these, below the server's
// warning levels (10,240 events, 10 MiB): at 4.2 events a firm, a run of
// the default 2,000 firms stays near 8,500.
const (
	maxRunEvents = 9_000
	maxRunBytes  = 8 << 20
)

// recentWindow is how many completions the rate is averaged over.
const recentWindow = 50

// outcome is what a firm's coroutine, or a slice's, reports to the main
// loop.
type outcome struct {
	index     int
	summary   firm.Summary
	failed    bool
	reason    string
	cancelled bool
	slice     *sliceOutcome
}

// EnrichJob runs one job. See the package comment.
func EnrichJob(ctx workflow.Context, in contract.Input) (contract.Result, error) {
	opts := in.Options.WithDefaults()
	logger := log.With(workflow.GetLogger(ctx), applog.FieldJob, in.JobID)
	st := in.State
	if st == nil {
		now := workflow.Now(ctx)
		st = &contract.State{Started: now, Updated: now}
	}
	if st.FailuresByReason == nil {
		st.FailuresByReason = map[string]int{}
	}
	info := workflow.GetInfo(ctx)
	run := info.FirstRunID
	if run == "" { // the SDK's test environment leaves it empty
		run = info.WorkflowExecution.RunID
	}
	j := &job{in: in, opts: opts, st: st, logger: logger, run: run}
	// Notifications came after jobs were already running: histories
	// recorded before them replay without (DefaultVersion), new runs send
	// them. The replay tests hold histories of both.
	j.notifies = workflow.GetVersion(ctx, "notifications", workflow.DefaultVersion, 1) >= 1
	// Runs used to end at the server's continue-as-new suggestion (4,096
	// events, about 950 firms); they now run to ContinueEvery firms unless
	// the history nears the server's warning levels, since every roll-over
	// drains the window. Histories from before keep the old rule.
	longRuns := workflow.GetVersion(ctx, "run-length", workflow.DefaultVersion, 1) >= 1

	if err := workflow.SetQueryHandler(ctx, contract.QueryProgress, func() (contract.Progress, error) { return j.progress(), nil }); err != nil {
		return contract.Result{}, fmt.Errorf("register progress query: %w", err)
	}
	// Pause and resume came on two channels, whose relative order the
	// workflow had to rebuild; they now come on one. Histories from before
	// replay the old way (the replay tests hold both).
	j.controlChannel = workflow.GetVersion(ctx, "control-channel", workflow.DefaultVersion, 1) >= 1
	// Firms ran one activity each; a job started with Options.Slices runs
	// them in slices, one activity for dozens of firms. The choice is the
	// input's, so histories recorded before replay as they ran.
	j.sliced = opts.Slices
	// The jobs list reads failed firms and team members from visibility;
	// runs recorded before those attributes replay upserting without them.
	j.listFigures = workflow.GetVersion(ctx, "list-figures", workflow.DefaultVersion, 1) >= 1
	j.control = workflow.GetSignalChannel(ctx, contract.SignalControl)
	if !j.controlChannel {
		j.pause = workflow.GetSignalChannel(ctx, contract.SignalPause)
		j.resume = workflow.GetSignalChannel(ctx, contract.SignalResume)
	}
	// Buffered to the window, so a firm's coroutine never blocks reporting,
	// even after the job was cancelled.
	j.outcomes = workflow.NewBufferedChannel(ctx, opts.Window)
	// A retry of failed firms gathers them first. No history recorded
	// before retries became job work has RetryOf set, so this needs no
	// version of its own.
	if in.RetryOf != nil && in.State == nil {
		n, err := j.prepareRetry(ctx)
		if err != nil {
			return contract.Result{}, err
		}
		in.Total, j.in.Total = n, n
	}
	j.upsert(ctx)

	startedThisRun := 0
	cancelled := false
	// One timer per watch period, not per firm: resetting a timer on every
	// completion would double the history each firm costs.
	watchCtx, stopWatch := workflow.WithCancel(ctx)
	defer stopWatch()
	watch := workflow.NewTimer(watchCtx, stallWatchPeriod(opts.StallAfter))
	for {
		for !cancelled && !st.Paused && j.busy() < opts.Window && len(st.Parked) > 0 {
			p := st.Parked[0]
			st.Parked = st.Parked[1:]
			j.startSlice(ctx, p.Start, p.End, p.Counted)
		}
		for !cancelled && !st.Paused && j.busy() < opts.Window && st.Next < in.Total && startedThisRun < opts.ContinueEvery {
			if j.sliced {
				// A sliced run counts slices, not firms, towards
				// ContinueEvery: a slice costs a firm's history for dozens.
				n := min(j.sliceSize(in.Total-st.Next), in.Total-st.Next)
				j.startSlice(ctx, st.Next, st.Next+n, nil)
				st.Next += n
			} else {
				j.start(ctx, st.Next)
				st.Next++
			}
			startedThisRun++
		}
		if len(j.inFlight) == 0 && len(j.slices) == 0 {
			if cancelled || st.Next >= in.Total && len(st.Parked) == 0 {
				break
			}
			if startedThisRun >= opts.ContinueEvery {
				// Signals that came in with the last completions are applied
				// now and travel in State, never lost with this run.
				j.applySignals(ctx)
				st.Runs++
				logger.Info("continuing as new", "next", st.Next, "done", st.Done, "failed", st.Failed)
				next := in
				next.State = st
				return contract.Result{}, workflow.NewContinueAsNewError(ctx, EnrichJob, next)
			}
		}
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(j.outcomes, func(c workflow.ReceiveChannel, _ bool) {
			var o outcome
			c.Receive(ctx, &o)
			if o.slice != nil {
				j.recordSlice(ctx, *o.slice)
				return
			}
			j.record(ctx, o)
		})
		sel.AddReceive(j.control, func(workflow.ReceiveChannel, bool) { j.applySignals(ctx) })
		if !j.controlChannel {
			sel.AddReceive(j.pause, func(workflow.ReceiveChannel, bool) { j.applySignals(ctx) })
			sel.AddReceive(j.resume, func(workflow.ReceiveChannel, bool) { j.applySignals(ctx) })
		}
		if !cancelled {
			// Once cancelled the watch timer is cancelled too, and a
			// cancelled future is always ready: it must leave the selector.
			sel.AddFuture(watch, func(workflow.Future) {
				j.checkStall(ctx)
				watch = workflow.NewTimer(watchCtx, stallWatchPeriod(opts.StallAfter))
			})
			sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {
				cancelled = true
				logger.Info("job cancelled; waiting for firms in flight to stop", "in_flight", len(j.inFlight))
			})
		}
		sel.Select(ctx)
		// A history grown large (many retries, many signals) stops the run
		// starting firms and rolls it over.
		if info := workflow.GetInfo(ctx); longRuns && (info.GetCurrentHistoryLength() >= maxRunEvents || info.GetCurrentHistorySize() >= maxRunBytes) ||
			!longRuns && info.GetContinueAsNewSuggested() {
			startedThisRun = opts.ContinueEvery
		}
	}

	stopWatch()
	status := contract.StatusCompleted
	if cancelled {
		status = contract.StatusCancelled
	}
	// The workbook is written with everything that finished, whenever the
	// cancel comes: one that arrives during the export finds no firm left to
	// stop, so the export and its notification go on and the job ends as
	// it would have. Histories from before exported on the job's own
	// context unless it was already cancelled, and replay that way.
	exportCtx := ctx
	if workflow.GetVersion(ctx, "export-uncancellable", workflow.DefaultVersion, 1) >= 1 || cancelled {
		exportCtx, _ = workflow.NewDisconnectedContext(ctx)
	}
	j.status = contract.StatusExporting
	j.upsert(exportCtx)
	if !cancelled { // a refresh cut short has most firms unchecked: nothing to tell
		j.compare(exportCtx)
	}
	finished := workflow.Now(exportCtx)
	var exported contract.ExportResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(exportCtx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: time.Minute},
	}), contract.ActivityExportWorkbook, contract.ExportTask{
		JobID: in.JobID, Run: j.run, Status: status, Started: st.Started, Finished: finished,
		Total: in.Total, Done: st.Done, Failed: st.Failed, TeamMembers: st.TeamMembers,
		FailuresByReason: st.FailuresByReason, Changes: j.changes != nil,
	}).Get(exportCtx, &exported)
	if err != nil {
		// Say what went wrong in the activity's own words: the error
		// around them names event IDs and worker identities.
		why := err.Error()
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) && ae.Message() != "" {
			why = ae.Message()
		}
		j.status = contract.StatusFailed
		j.upsert(exportCtx)
		_ = j.notify(exportCtx, contract.JobFailed, "could not write the workbook: "+why).Get(exportCtx, nil)
		return contract.Result{}, temporal.NewApplicationErrorWithCause("could not write the workbook: "+why, "export_failed", err)
	}
	j.status = status
	j.upsert(exportCtx)
	kind := contract.JobCompleted
	if cancelled {
		kind = contract.JobCancelled
	}
	// A notification that cannot be sent is logged by its activity; it
	// never fails a job whose workbook is written.
	if detail, quiet := j.changesNote(); !quiet {
		_ = j.notify(exportCtx, kind, detail).Get(exportCtx, nil)
	}
	logger.Info("job finished", "status", status, "done", st.Done, "failed", st.Failed, "team_members", st.TeamMembers)
	if !cancelled && ctx.Err() != nil {
		logger.Info("the cancel came after every firm had finished: the job completed")
	}
	res := contract.Result{
		JobID: in.JobID, Status: status, Total: in.Total, Done: st.Done, Failed: st.Failed,
		TeamMembers: st.TeamMembers, FailuresByReason: st.FailuresByReason,
		Workbook: exported.Key, Run: j.run, Started: st.Started, Finished: finished,
		Changes: j.changes,
	}
	if cancelled {
		// The figures travel with the cancellation: a cancelled job has no
		// result, but its counts are as true as a finished one's.
		return contract.Result{}, temporal.NewCanceledError(fmt.Sprintf("cancelled after %d of %d firms; partial workbook written", st.Done+st.Failed, in.Total), res)
	}
	return res, nil
}

// job is one run's working state around the carried State.
type job struct {
	notifies bool
	run      string // results are stored with it, so a later run of the same job never counts this one's
	in       contract.Input
	opts     contract.Options
	st       *contract.State
	logger   log.Logger
	inFlight []int // in start order; at most the window, so a slice is cheap
	outcomes workflow.Channel
	control  workflow.ReceiveChannel
	pause    workflow.ReceiveChannel // legacy: runs recorded before the control channel
	resume   workflow.ReceiveChannel // legacy, likewise
	// controlChannel: pause and resume come on control alone.
	controlChannel bool
	// sliced: firms run in slices (startSlice), not one activity each.
	sliced bool
	// listFigures: upserts carry failed firms and team members too.
	listFigures bool
	slices      []slice                 // in flight, in start order
	status      string                  // set once the firms are all done; "" while they run
	upserted    int                     // firms done+failed at the last search-attribute upsert
	changes     *contract.ChangeSummary // since Input.Previous, once compared
}

// start runs firm index in its own coroutine: enrich, and when every
// attempt failed, record the failure so the workbook says why.
func (j *job) start(ctx workflow.Context, index int) {
	j.inFlight = append(j.inFlight, index)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: j.opts.FirmTimeout,
		HeartbeatTimeout:    j.opts.HeartbeatTimeout,
		Priority:            temporal.Priority{PriorityKey: j.opts.Priority, FairnessKey: j.in.JobID},
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    j.opts.RetryInterval,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    int32(j.opts.MaxAttempts),
		},
	})
	workflow.Go(ctx, func(gctx workflow.Context) {
		o := outcome{index: index}
		err := workflow.ExecuteActivity(actx, contract.ActivityEnrichFirm, contract.FirmTask{JobID: j.in.JobID, Index: index, Run: j.run}).Get(gctx, &o.summary)
		switch {
		case err == nil:
		case temporal.IsCanceledError(err) || gctx.Err() != nil:
			o.cancelled = true
		default:
			o.failed = true
			var msg string
			o.reason, msg = failureOf(err, j.opts)
			// Recorded with a context that outlives cancellation: a firm
			// that failed before the cancel still says why in the workbook.
			rctx, _ := workflow.NewDisconnectedContext(gctx)
			rctx = workflow.WithActivityOptions(rctx, workflow.ActivityOptions{
				StartToCloseTimeout: 30 * time.Second,
				RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 30 * time.Second},
			})
			if rerr := workflow.ExecuteActivity(rctx, contract.ActivityRecordFailure, contract.Failure{
				JobID: j.in.JobID, Index: index, Run: j.run, Reason: o.reason, Message: msg,
			}).Get(rctx, nil); rerr != nil {
				j.logger.Error("could not record failed firm", applog.FieldFirm, index, "error", rerr)
			}
		}
		j.outcomes.Send(gctx, o)
	})
}

// prepareRetry runs the activity that stores the failed firms of the run
// this job retries as its own, and says how many there are.
func (j *job) prepareRetry(ctx workflow.Context) (int, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: time.Minute},
	})
	var r contract.RetryResult
	err := workflow.ExecuteActivity(actx, contract.ActivityPrepareRetry, contract.RetryTask{JobID: j.in.JobID, From: *j.in.RetryOf}).Get(ctx, &r)
	switch {
	case err == nil:
		j.logger.Info("retry of failed firms prepared", "parent", j.in.RetryOf.JobID, "firms", r.Firms)
		return r.Firms, nil
	case temporal.IsCanceledError(err) || ctx.Err() != nil:
		return 0, temporal.NewCanceledError("cancelled before its failed firms were gathered")
	}
	j.status = contract.StatusFailed
	j.upsert(ctx)
	why := "could not gather the failed firms to retry: " + err.Error()
	_ = j.notify(ctx, contract.JobFailed, why).Get(ctx, nil)
	return 0, temporal.NewApplicationErrorWithCause(why, "prepare_retry_failed", err)
}

// failureOf names why a firm failed and says it in a sentence.
func failureOf(err error, opts contract.Options) (reason, message string) {
	var appErr *temporal.ApplicationError
	var timeoutErr *temporal.TimeoutError
	switch {
	case errors.As(err, &appErr):
		reason = appErr.Type()
		message = appErr.Message()
	case errors.As(err, &timeoutErr):
		reason = contract.ReasonFirmTimeout
		message = fmt.Sprintf("no answer within the firm's time budget (%s, or no heartbeat for %s)", opts.FirmTimeout, opts.HeartbeatTimeout)
	default:
		reason = contract.ReasonInternal
		message = err.Error()
	}
	if reason == "" {
		reason = contract.ReasonInternal
	}
	return reason, message
}

func (j *job) record(ctx workflow.Context, o outcome) {
	j.inFlight = slices.DeleteFunc(j.inFlight, func(i int) bool { return i == o.index })
	if o.cancelled {
		return // neither done nor failed: the workbook shows it as not processed
	}
	now := workflow.Now(ctx)
	j.st.Updated = now
	j.st.Recent = append(j.st.Recent, now)
	if len(j.st.Recent) > recentWindow {
		j.st.Recent = j.st.Recent[len(j.st.Recent)-recentWindow:]
	}
	if j.st.Stalled {
		j.st.Stalled = false
		j.logger.Info("job no longer stalled", applog.FieldFirm, o.index)
		j.upsert(ctx)
	}
	if o.failed {
		j.st.Failed++
		j.st.FailuresByReason[o.reason]++
		j.logger.Warn("firm failed", applog.FieldFirm, o.index, "reason", o.reason)
	} else {
		j.st.Done++
		j.st.TeamMembers += o.summary.TeamCount
	}
	// A batch boundary: keep visibility current without an upsert per firm.
	if j.st.Done+j.st.Failed-j.upserted >= j.opts.Window || len(j.inFlight) == 0 {
		j.upsert(ctx)
	}
}

// notify asks the Notify activity to tell people about the job, keyed so a
// retry never sends twice. The future is ready at once when the job does
// not notify (histories from before notifications existed).
func (j *job) notify(ctx workflow.Context, kind, detail string) workflow.Future {
	if !j.notifies {
		f, set := workflow.NewFuture(ctx)
		set.Set(nil, nil)
		return f
	}
	processed := j.st.Done + j.st.Failed
	title := fmt.Sprintf("vcenrich job %s %s", j.in.Name, strings.TrimPrefix(kind, "job_"))
	text := fmt.Sprintf("%d of %d firms processed: %d enriched, %d failed; %d team members found.",
		processed, j.in.Total, j.st.Done, j.st.Failed, j.st.TeamMembers)
	if detail != "" {
		text = detail + "\n" + text
	}
	key := j.in.JobID + "/" + j.run + "/" + kind
	if kind == contract.JobStalled {
		key += fmt.Sprintf("/%d", j.st.Stalls)
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: 5 * time.Minute, MaximumAttempts: 10},
	})
	return workflow.ExecuteActivity(actx, contract.ActivityNotify, contract.NotifyTask{
		Event: contract.Event{
			Key: key, Kind: kind, JobID: j.in.JobID, JobName: j.in.Name, Title: title, Text: text,
			Link: j.in.Link, At: workflow.Now(ctx),
			Fields: map[string]any{"total": j.in.Total, "done": j.st.Done, "failed": j.st.Failed, "team_members": j.st.TeamMembers},
		},
		To: j.in.Notify,
	})
}

// compare asks what changed since the earlier run the job was started to
// be compared with, if any. A comparison that fails is logged and the job
// goes on: its workbook then has no Changes sheet, and its notification
// says so.
func (j *job) compare(ctx workflow.Context) {
	if j.in.Previous == nil {
		return
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: time.Minute, MaximumAttempts: 5},
	})
	var sum contract.ChangeSummary
	err := workflow.ExecuteActivity(actx, contract.ActivityCompareRuns, contract.CompareTask{
		JobID: j.in.JobID, Run: j.run, Previous: *j.in.Previous,
	}).Get(ctx, &sum)
	if err != nil {
		j.logger.Warn("could not compare with the previous run", "previous", j.in.Previous.JobID, "error", err)
		return
	}
	j.changes = &sum
}

// changesNote is what a compared job's notification says of the changes,
// and whether it stays quiet (nothing changed and the job was asked not to
// say so).
func (j *job) changesNote() (string, bool) {
	switch {
	case j.in.Previous == nil:
		return "", false
	case j.changes == nil:
		return "Not compared with the previous refresh (" + j.in.Previous.JobID + "): the workbook has no Changes sheet.", false
	}
	note := "Since the previous refresh: " + j.changes.Text + "."
	if j.changes.Total == 0 {
		return note, j.in.QuietUnchanged
	}
	for _, c := range j.changes.First {
		note += "\n- " + c
	}
	if more := j.changes.Total - len(j.changes.First); more > 0 {
		note += fmt.Sprintf("\n…and %d more in the workbook's Changes sheet.", more)
	}
	return note, false
}

// stallWatchPeriod is how often the stall check runs: often enough to notice
// a stall soon after StallAfter, rarely enough to cost almost no history.
func stallWatchPeriod(stallAfter time.Duration) time.Duration {
	return max(stallAfter/4, time.Second)
}

// checkStall marks the job stalled when it is running, unpaused, has work
// left and no firm finished for StallAfter. A worker must be running for this
// timer to fire: the loss of every worker is watched from outside, by the
// server.
func (j *job) checkStall(ctx workflow.Context) {
	if j.st.Paused || j.st.Stalled || j.status != "" || j.st.Done+j.st.Failed >= j.in.Total {
		return
	}
	now := workflow.Now(ctx)
	// A pause restarts the clock: time spent paused is not a stall.
	since := j.st.Updated
	if quiet := now.Sub(since); quiet >= j.opts.StallAfter {
		j.st.Stalled = true
		j.st.Stalls++
		j.notify(ctx, contract.JobStalled, fmt.Sprintf("No firm has finished for %s.", quiet.Round(time.Minute)))
		j.logger.Warn("job stalled: no firm finished recently", "quiet_for", quiet.String(), "in_flight", len(j.inFlight))
		j.upsert(ctx)
	}
}

func (j *job) setPaused(ctx workflow.Context, paused bool) {
	if j.st.Paused == paused {
		return
	}
	if j.sliced {
		// Marked first, so that once the job reads paused, no slice
		// starts a firm.
		j.markPaused(ctx, paused)
	}
	now := workflow.Now(ctx)
	j.st.Paused = paused
	j.st.Updated = now
	if paused {
		j.st.PausedSince = now
		j.logger.Info("job paused", "in_flight", len(j.inFlight))
	} else {
		j.st.PausedSince = time.Time{}
		j.logger.Info("job resumed")
	}
	j.upsert(ctx)
}

// applySignals applies every pause and resume already delivered. Jobs
// started since the control channel (controlChannel) read one channel, in
// which Temporal keeps the order they were sent in.
func (j *job) applySignals(ctx workflow.Context) {
	if j.controlChannel {
		var ctl contract.Control
		for j.control.ReceiveAsync(&ctl) {
			j.apply(ctx, ctl)
			ctl = contract.Control{}
		}
		return
	}
	j.applyLegacySignals(ctx)
}

// apply carries out one control signal.
func (j *job) apply(ctx workflow.Context, ctl contract.Control) {
	switch ctl.Action {
	case contract.ActionPause:
		j.setPaused(ctx, true)
	case contract.ActionResume:
		j.setPaused(ctx, false)
	default:
		j.logger.Warn("control signal ignored: action must be pause or resume", "action", ctl.Action)
	}
}

// applyLegacySignals serves runs recorded before the control channel, which
// read pause and resume on two channels (and control too, so a job running
// through the upgrade obeys the new senders). The SDK hands the signals of
// one workflow task to their channels before the workflow runs, which loses
// their order across channels: the senders' timestamps restore it, and bare
// signals keep the order in which they are read here.
func (j *job) applyLegacySignals(ctx workflow.Context) {
	var pending []contract.Control
	for {
		var ctl contract.Control
		switch {
		case j.pause.ReceiveAsync(&ctl):
			ctl.Action = contract.ActionPause
		case j.resume.ReceiveAsync(&ctl):
			ctl.Action = contract.ActionResume
		case j.control.ReceiveAsync(&ctl):
		default:
			for _, c := range inSendOrder(pending) {
				j.apply(ctx, c)
			}
			return
		}
		pending = append(pending, ctl)
	}
}

// inSendOrder sorts signals by their send time when every one has it.
func inSendOrder(pending []contract.Control) []contract.Control {
	if slices.ContainsFunc(pending, func(c contract.Control) bool { return c.At.IsZero() }) {
		return pending
	}
	slices.SortStableFunc(pending, func(a, b contract.Control) int { return a.At.Compare(b.At) })
	return pending
}

func (j *job) currentStatus() string {
	return contract.LiveStatus(j.status, j.st.Paused, j.st.Stalled)
}

func (j *job) upsert(ctx workflow.Context) {
	j.upserted = j.st.Done + j.st.Failed
	updates := []temporal.SearchAttributeUpdate{
		visibility.StatusKey().ValueSet(j.currentStatus()),
		visibility.DoneKey().ValueSet(int64(j.upserted)),
		visibility.TotalKey().ValueSet(int64(j.in.Total)),
		visibility.UploadKey().ValueSet(j.in.Name),
	}
	if j.listFigures {
		updates = append(updates,
			visibility.FailedKey().ValueSet(int64(j.st.Failed)),
			visibility.TeamKey().ValueSet(float64(j.st.TeamMembers)))
	}
	err := workflow.UpsertTypedSearchAttributes(ctx, updates...)
	if err != nil {
		j.logger.Warn("could not update search attributes", "error", err)
	}
}

func (j *job) progress() contract.Progress {
	p := contract.Progress{
		JobID: j.in.JobID, Name: j.in.Name, Status: j.currentStatus(),
		Total: j.in.Total, Done: j.st.Done, Failed: j.st.Failed,
		InFlight: make([]int, 0, len(j.inFlight)), TeamMembers: j.st.TeamMembers,
		FailuresByReason: j.st.FailuresByReason,
		Paused:           j.st.Paused, PausedSince: j.st.PausedSince, Stalled: j.st.Stalled,
		Started: j.st.Started, Updated: j.st.Updated, Runs: j.st.Runs,
	}
	p.InFlight = append(p.InFlight, j.inFlight...)
	p.RatePerMinute, p.ETASeconds = Rate(j.st.Recent, j.in.Total-j.st.Done-j.st.Failed)
	if j.sliced {
		for _, s := range j.slices {
			p.Slices = append(p.Slices, SliceActivityID(s.start))
		}
		p.RatePerMinute, p.ETASeconds = RateOfMarks(j.st.Marks, j.in.Total-j.st.Done-j.st.Failed)
	}
	return p
}

// Rate is firms per minute over the recent completion times, and the
// seconds left at that rate for remaining firms (0 when unknown).
func Rate(recent []time.Time, remaining int) (perMinute, etaSeconds float64) {
	if len(recent) < 2 {
		return 0, 0
	}
	span := recent[len(recent)-1].Sub(recent[0])
	if span <= 0 {
		return 0, 0
	}
	perMinute = float64(len(recent)-1) / span.Minutes()
	if remaining > 0 {
		etaSeconds = float64(remaining) / perMinute * 60
	}
	return perMinute, etaSeconds
}
