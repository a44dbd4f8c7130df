package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/store"
)

// maxFirmBackoff caps the wait between a firm's attempts, as the firm
// activity's retry policy did.
const maxFirmBackoff = time.Minute

// EnrichBatch enriches the firms of one slice, Concurrency at a time, each
// with its own attempts, time budget and backoff (Retry-After honoured),
// storing each firm's result or failure as it ends. Its heartbeat carries
// the firms finished and the attempts spent, so a retried attempt (a dead
// worker, a lost heartbeat) skips what is done and counts what was tried.
// Cancelled with its job, it returns what finished instead of an error, so
// the job's figures stay exact.
func (a *Activities) EnrichBatch(ctx context.Context, t contract.BatchTask) (contract.BatchResult, error) {
	logger := log.With(activity.GetLogger(ctx), applog.FieldJob, t.JobID)
	info := activity.GetInfo(ctx)
	b := &batch{a: a, t: t, logger: logger, finished: map[int]bool{}, running: map[int]bool{}, attempts: map[int]int{}}
	if activity.HasHeartbeatDetails(ctx) {
		var prev contract.BatchProgress
		if err := activity.GetHeartbeatDetails(ctx, &prev); err == nil {
			b.resume(prev)
		}
	}
	b.skip(t.Counted)
	if info.Attempt > 1 {
		// Firms that finished after the last heartbeat are in the store.
		if err := b.recover(ctx); err != nil {
			return contract.BatchResult{}, temporal.NewApplicationError("read results from the result store", contract.ReasonStore, err)
		}
	}
	stop := heartbeatWhile(ctx, info.HeartbeatTimeout, func() any { return b.progress() })
	defer stop()

	// A place is taken before each firm starts, and the pause mark read
	// then: once the job is marked paused, no firm of the slice starts.
	pool := a.places.join(t.JobID, max(t.Concurrency, 1))
	var (
		wg        sync.WaitGroup
		failure   error
		failOnce  sync.Once
		wasPaused bool
	)
	defer pool.leave(ctx) // after wg.Wait below: every firm of the slice has ended
	fctx, stopFirms := context.WithCancel(ctx)
	defer stopFirms()
	// A worker told to stop starts no firm: those running finish within
	// its stop timeout, and the slice hands back the rest.
	stopping := activity.GetWorkerStopChannel(ctx)
	feed, stopFeeding := context.WithCancel(fctx)
	defer stopFeeding()
	go func() {
		select {
		case <-stopping:
			stopFeeding()
		case <-feed.Done():
		}
	}()
	for i := t.Start; i < t.End; i++ {
		if b.isFinished(i) {
			continue
		}
		if pool.acquire(feed) != nil {
			break
		}
		// Acquire may succeed on a done context, and the stop be told
		// while it waited.
		if feed.Err() != nil || workerStopping(stopping) {
			pool.release()
			break
		}
		if p, err := a.Store.Paused(fctx, t.JobID); err == nil && p {
			wasPaused = true
			pool.release()
			break
		}
		wg.Go(func() {
			defer pool.release()
			if err := b.firm(ctx, i); err != nil {
				// The store failed: the slice's next attempt resumes.
				failOnce.Do(func() { failure = err; stopFirms() })
			}
		})
	}
	pool.fed()
	wg.Wait()
	if failure != nil {
		return contract.BatchResult{}, failure
	}
	if ctx.Err() != nil {
		if !cancelledByJob(ctx) {
			// The worker is stopping or the attempt ran out of time: the
			// slice is not done, and the next attempt resumes it.
			return contract.BatchResult{}, ctx.Err()
		}
		logger.Info("slice stopped with its job", "start", t.Start, "end", t.End, "finished", len(b.finished))
		return contract.BatchResult{BatchCounts: b.countsCopy(), Stopped: true, Finished: b.progress().Finished}, nil
	}
	if workerStopping(stopping) && b.left() > 0 {
		// Returned, not failed: the job counts what finished at once and
		// starts the rest again on a worker that stays.
		logger.Info("slice handed back by a stopping worker", "start", t.Start, "end", t.End, "finished", len(b.finished))
		return contract.BatchResult{BatchCounts: b.countsCopy(), Stopped: true, Finished: b.progress().Finished}, nil
	}
	if wasPaused {
		// The firms running finished; the rest wait for the job's resume.
		logger.Info("slice paused with its job", "start", t.Start, "end", t.End, "finished", len(b.finished))
		return contract.BatchResult{BatchCounts: b.countsCopy(), Paused: true, Finished: b.progress().Finished}, nil
	}
	return contract.BatchResult{BatchCounts: b.countsCopy()}, nil
}

func workerStopping(stopping <-chan struct{}) bool {
	select {
	case <-stopping:
		return true
	default:
		return false
	}
}

// MarkPaused records in the store whether the job is paused, which its
// slices on every worker read before starting each firm.
func (a *Activities) MarkPaused(ctx context.Context, m contract.PauseMark) error {
	return a.Store.SetPaused(ctx, m.JobID, m.Paused)
}

// cancelledByJob tells a cancellation the server delivered (the workflow
// asked for it) from the others the SDK signals the same way: the worker
// stopping, a heartbeat the server no longer knows, heartbeats failing
// until the attempt must be taken for lost. Only the first may end the
// slice with what it has; after the others the next attempt resumes it.
func cancelledByJob(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled) && temporal.IsCanceledError(context.Cause(ctx))
}

// batch is one attempt at a slice.
type batch struct {
	a      *Activities
	t      contract.BatchTask
	logger log.Logger

	mu       sync.Mutex
	finished map[int]bool
	running  map[int]bool
	attempts map[int]int
	counts   contract.BatchCounts
}

// skip marks as finished, uncounted, the firms an earlier activity of the
// slice finished and counted.
func (b *batch) skip(counted []int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, i := range counted {
		b.finished[i] = true
	}
}

func (b *batch) resume(p contract.BatchProgress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, i := range p.Finished {
		b.finished[i] = true
	}
	for i, n := range p.Attempts {
		b.attempts[i] = n
	}
	b.counts = p.Counts
}

// recover counts as finished the firms of the slice whose result for this
// run is in the store but not in the last heartbeat.
func (b *batch) recover(ctx context.Context) error {
	for i := b.t.Start; i < b.t.End; i++ {
		if b.isFinished(i) {
			continue
		}
		res, ok, err := b.a.Store.Result(ctx, b.t.JobID, i)
		if err != nil {
			return err
		}
		if ok && res.Run == b.t.Run && (res.Status == firm.StatusOK || res.Status == firm.StatusFailed) {
			b.finish(i, res.Status == firm.StatusFailed, res.Reason, len(res.Team))
		}
	}
	return nil
}

// left counts the firms of the slice not finished.
func (b *batch) left() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.t.End - b.t.Start - len(b.finished)
}

func (b *batch) isFinished(i int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.finished[i]
}

func (b *batch) finish(i int, failed bool, reason string, team int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.finished[i] = true
	delete(b.running, i)
	delete(b.attempts, i)
	b.counts.Add(failed, reason, team)
}

func (b *batch) progress() contract.BatchProgress {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := contract.BatchProgress{Counts: b.counts, Attempts: map[int]int{}}
	p.Counts.FailuresByReason = maps.Clone(b.counts.FailuresByReason)
	for i := range b.finished {
		p.Finished = append(p.Finished, i)
	}
	for i := range b.running {
		p.Running = append(p.Running, i)
	}
	for i, n := range b.attempts {
		p.Attempts[i] = n
	}
	slices.Sort(p.Finished)
	slices.Sort(p.Running)
	return p
}

func (b *batch) countsCopy() contract.BatchCounts {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.counts
	c.FailuresByReason = maps.Clone(c.FailuresByReason)
	return c
}

// startAttempt records that firm i starts its next attempt and returns it.
func (b *batch) startAttempt(i int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.running[i] = true
	b.attempts[i]++
	return b.attempts[i]
}

func (b *batch) attempted(i int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.attempts[i]
}

// firm enriches firm i to its end: a stored result, or a failure stored
// with its reason once its attempts are spent or the web's answer will not
// change. It returns an error only when the store fails, which the slice's
// next attempt can cure; a cancelled ctx leaves the firm unfinished.
func (b *batch) firm(ctx context.Context, i int) error {
	logger := log.With(b.logger, applog.FieldFirm, i)
	in, err := b.a.Store.Firm(ctx, b.t.JobID, i)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return b.fail(ctx, i, contract.ReasonStore, "the firm is not in the result store")
	case err != nil:
		return temporal.NewApplicationError("read firm from the result store", contract.ReasonStore, err)
	}
	if n := b.attempted(i); n >= b.t.MaxAttempts {
		// Its attempts went with workers that died holding it.
		return b.fail(ctx, i, contract.ReasonFirmTimeout, fmt.Sprintf("%d attempts ended without an answer (the worker running it stopped)", n))
	}
	for {
		attempt := b.startAttempt(i)
		started := time.Now()
		fctx, cancel := context.WithTimeout(ctx, b.t.FirmTimeout)
		res, err := b.a.Engine.Enrich(fctx, in, nil)
		timedOut := fctx.Err() != nil && ctx.Err() == nil
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err == nil && !timedOut {
			res.Attempt, res.Run = attempt, b.t.Run
			if err := b.a.Store.PutResult(ctx, b.t.JobID, res); err != nil {
				return temporal.NewApplicationError("write result to the result store", contract.ReasonStore, err)
			}
			b.a.Metrics.FirmEnriched(res.Pages, time.Since(started))
			logger.Info("enriched", "team", len(res.Team), "pages", res.Pages, "attempt", attempt, "elapsed", time.Since(started).Round(time.Millisecond).String())
			b.finish(i, false, "", len(res.Team))
			return nil
		}
		var (
			reason, msg string
			retryable   bool
			wait        time.Duration
		)
		if timedOut {
			reason, retryable = contract.ReasonFirmTimeout, true
			msg = fmt.Sprintf("no answer within the firm's time budget (%s)", b.t.FirmTimeout)
		} else {
			appErr := classify(err)
			reason, msg, retryable = appErr.Type(), appErr.Message(), !appErr.NonRetryable()
			if k := reason; k == string(crawl.KindRobots) || k == string(crawl.KindBlocked) {
				b.a.Metrics.Refused(k)
			}
			var ce *crawl.Error
			if errors.As(err, &ce) {
				wait = ce.RetryAfter
			}
		}
		logger.Warn("firm attempt failed", "reason", reason, "attempt", attempt, "retryable", retryable, "error", msg)
		if !retryable || attempt >= b.t.MaxAttempts {
			return b.fail(ctx, i, reason, msg)
		}
		if wait <= 0 {
			wait = min(b.t.RetryInterval<<(attempt-1), maxFirmBackoff)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
	}
}

// fail stores firm i's failure so the workbook says why.
func (b *batch) fail(ctx context.Context, i int, reason, msg string) error {
	res := firm.Result{Index: i, Run: b.t.Run, Status: firm.StatusFailed, Reason: reason, Error: msg, Attempt: b.attempted(i)}
	if err := b.a.Store.PutResult(ctx, b.t.JobID, res); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return temporal.NewApplicationError("record failure in the result store", contract.ReasonStore, err)
	}
	b.a.Metrics.FirmFailed(reason)
	log.With(b.logger, applog.FieldFirm, i).Warn("firm failed", "reason", reason)
	b.finish(i, true, reason, 0)
	return nil
}
