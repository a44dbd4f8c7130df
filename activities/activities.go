// Package activities holds vcenrich's Temporal activities: enrich one firm,
// record a firm that ran out of attempts, and export a job's workbook. Each
// reads its inputs from the result store and writes its output there, so
// workflow history carries only keys and small summaries.
package activities

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/changes"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/metrics"
	"github.com/vcenrich/vcenrich/notify"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

// Activities carries what every activity needs. Register a *Activities with
// the worker; the workflow refers to its methods.
type Activities struct {
	Store    *store.Store
	Engine   *enrich.Engine
	Metrics  *metrics.Metrics // nil records nothing
	Notifier *notify.Notifier // nil sends nothing

	places places // the places of each job's slices on this worker
}

// EnrichFirm enriches one firm and stores its result under (job, index). It
// heartbeats on a ticker with the page being fetched as the detail; the
// heartbeat's answer is how a cancelled job reaches it, within one tick.
func (a *Activities) EnrichFirm(ctx context.Context, t contract.FirmTask) (firm.Summary, error) {
	logger := log.With(activity.GetLogger(ctx), applog.FieldJob, t.JobID, applog.FieldFirm, t.Index)
	info := activity.GetInfo(ctx)
	in, err := a.Store.Firm(ctx, t.JobID, t.Index)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return firm.Summary{}, temporal.NewNonRetryableApplicationError("firm not in the result store", contract.ReasonStore, err)
		}
		return firm.Summary{}, temporal.NewApplicationError("read firm from the result store", contract.ReasonStore, err)
	}
	logger.Info("enriching", "website", in.Website, "attempt", info.Attempt)
	started := time.Now()
	var page atomic.Value // the page being fetched, sent with the next heartbeat
	stop := heartbeatWhile(ctx, info.HeartbeatTimeout, func() any { return page.Load() })
	defer stop()
	res, err := a.Engine.Enrich(ctx, in, func(p string) { page.Store(p) })
	if err != nil {
		if ctx.Err() != nil {
			return firm.Summary{}, ctx.Err()
		}
		appErr := classify(err)
		if k := appErr.Type(); k == string(crawl.KindRobots) || k == string(crawl.KindBlocked) {
			a.Metrics.Refused(k)
		}
		logger.Warn("firm attempt failed", "error", err.Error(), "reason", appErr.Type(), "retryable", !appErr.NonRetryable())
		return firm.Summary{}, error(appErr)
	}
	res.Attempt = int(info.Attempt)
	res.Run = t.Run
	if err := a.Store.PutResult(ctx, t.JobID, res); err != nil {
		return firm.Summary{}, temporal.NewApplicationError("write result to the result store", contract.ReasonStore, err)
	}
	a.Metrics.FirmEnriched(res.Pages, time.Since(started))
	logger.Info("enriched", "team", len(res.Team), "pages", res.Pages, "elapsed", time.Since(started).Round(time.Millisecond).String())
	return res.Summarise(), nil
}

// heartbeatWhile heartbeats on a ticker until stopped, with details() as
// the details. A ticker rather than the pages: one slow page (a rate-limited
// host, a long timeout) must not look like a dead worker, so the heartbeat
// timeout can be short whatever pages cost. And the first heartbeat only
// after a tick: every heartbeat is a write to Temporal's store, and most
// firms finish before the first tick, so they cost none (a dead worker is
// still noticed, since the heartbeat timeout counts from the start).
func heartbeatWhile(ctx context.Context, timeout time.Duration, details func() any) (stop func()) {
	if timeout <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(min(timeout/3, 2*time.Second))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if d := details(); d != nil {
					activity.RecordHeartbeat(ctx, d)
				} else {
					activity.RecordHeartbeat(ctx)
				}
			}
		}
	}()
	return cancel
}

// classify turns an engine error into an application error whose type is
// the failure reason and whose retryability follows the web's answer: a
// missing host or a 404 homepage will not come back on retry, a timeout may.
func classify(err error) *temporal.ApplicationError {
	var (
		ce  *crawl.Error
		out error
	)
	switch {
	case errors.As(err, &ce) && ce.Temporary():
		out = temporal.NewApplicationErrorWithOptions(ce.Error(), string(ce.Kind), temporal.ApplicationErrorOptions{
			NextRetryDelay: ce.RetryAfter, // zero keeps the policy's backoff
		})
	case errors.As(err, &ce):
		out = temporal.NewNonRetryableApplicationError(ce.Error(), string(ce.Kind), nil)
	default:
		out = temporal.NewNonRetryableApplicationError(err.Error(), contract.ReasonInternal, nil)
	}
	var appErr *temporal.ApplicationError
	errors.As(out, &appErr)
	return appErr
}

// RecordFailure stores a failed firm's result so the workbook says why. It
// runs after the last attempt, whatever killed it (a timeout included), so
// the enrich activity never has to guess whether its attempt is the last.
// Given a slice (End past Index), it records the failure for every firm of
// the slice the run has no result for, and returns what the slice came to.
func (a *Activities) RecordFailure(ctx context.Context, f contract.Failure) (contract.BatchCounts, error) {
	var counts contract.BatchCounts
	for i := f.Index; i < max(f.End, f.Index+1); i++ {
		if f.End > f.Index {
			res, ok, err := a.Store.Result(ctx, f.JobID, i)
			if err != nil {
				return counts, fmt.Errorf("record failure: %w", err)
			}
			if ok && res.Run == f.Run && (res.Status == firm.StatusOK || res.Status == firm.StatusFailed) {
				counts.Add(res.Status == firm.StatusFailed, res.Reason, len(res.Team))
				continue
			}
		}
		res := firm.Result{Index: i, Run: f.Run, Status: firm.StatusFailed, Reason: f.Reason, Error: f.Message}
		if err := a.Store.PutResult(ctx, f.JobID, res); err != nil {
			return counts, fmt.Errorf("record failure: %w", err)
		}
		a.Metrics.FirmFailed(f.Reason)
		counts.Add(true, f.Reason, 0)
	}
	return counts, nil
}

// PrepareRetry makes a retry job's firm list: the firms that failed in the
// run it retries, numbered anew, stored as the job's own. Run again (a
// retried attempt) it writes the same list, so it is safe to repeat.
func (a *Activities) PrepareRetry(ctx context.Context, t contract.RetryTask) (contract.RetryResult, error) {
	logger := log.With(activity.GetLogger(ctx), applog.FieldJob, t.JobID)
	stop := heartbeatWhile(ctx, activity.GetInfo(ctx).HeartbeatTimeout, func() any { return nil })
	defer stop()
	parent, err := a.Store.Job(ctx, t.From.JobID)
	if err != nil {
		return contract.RetryResult{}, fmt.Errorf("prepare retry: %w", err)
	}
	failed, err := a.Store.Failed(ctx, parent.ID, t.From.Run, parent.Total)
	if err != nil {
		return contract.RetryResult{}, fmt.Errorf("prepare retry: %w", err)
	}
	firms := make([]firm.Input, 0, len(failed))
	for _, i := range failed {
		in, err := a.Store.Firm(ctx, parent.ID, i)
		if err != nil {
			return contract.RetryResult{}, fmt.Errorf("prepare retry: %w", err)
		}
		in.Index = len(firms)
		firms = append(firms, in)
	}
	if err := a.Store.PutFirms(ctx, t.JobID, firms); err != nil {
		return contract.RetryResult{}, fmt.Errorf("prepare retry: %w", err)
	}
	rec, err := a.Store.Job(ctx, t.JobID)
	if err != nil {
		return contract.RetryResult{}, fmt.Errorf("prepare retry: %w", err)
	}
	rec.Total = len(firms)
	if err := a.Store.UpdateJob(ctx, rec); err != nil {
		return contract.RetryResult{}, fmt.Errorf("prepare retry: %w", err)
	}
	logger.Info("retry prepared", "parent", parent.ID, "firms", len(firms))
	return contract.RetryResult{Firms: len(firms)}, nil
}

// ExportWorkbook writes the job's workbook from the stored firms and
// results, streaming firm by firm so a 50,000-firm job is never held in
// memory, and heartbeats as it goes. The rows index the API pages the
// results view from is written in the same pass.
func (a *Activities) ExportWorkbook(ctx context.Context, t contract.ExportTask) (contract.ExportResult, error) {
	logger := log.With(activity.GetLogger(ctx), applog.FieldJob, t.JobID)
	rec, err := a.Store.Job(ctx, t.JobID)
	if err != nil {
		return contract.ExportResult{}, fmt.Errorf("export: %w", err)
	}
	export := a.Store.Export(ctx, rec, t.Run, sheets.Summary{
		Status: t.Status, Started: t.Started, Finished: t.Finished,
		Total: t.Total, Done: t.Done, Failed: t.Failed, TeamMembers: t.TeamMembers,
		FailuresByReason: t.FailuresByReason,
	}, func(i int) {
		if i%200 == 0 {
			activity.RecordHeartbeat(ctx, i)
		}
	})
	if t.Changes {
		export.Changes = func(each func(changes.Change) error) error {
			r, err := a.Store.Changes(ctx, t.JobID)
			if err != nil {
				return err
			}
			defer r.Close()
			return changes.Decode(r, each)
		}
	}
	err = a.Store.PutExport(ctx, t.JobID, export)
	if err != nil {
		return contract.ExportResult{}, fmt.Errorf("export: %w", err)
	}
	logger.Info("workbook written", "firms", rec.Total, "status", t.Status)
	return contract.ExportResult{Key: store.WorkbookKey(t.JobID)}, nil
}

// Notify sends a notification once per idempotency key: a key already
// recorded in the result store is not sent again, so an activity retried
// after a send that succeeded does not send twice.
func (a *Activities) Notify(ctx context.Context, t contract.NotifyTask) error {
	logger := log.With(activity.GetLogger(ctx), applog.FieldJob, t.Event.JobID)
	sent, err := a.Notifier.SendOnce(ctx, a.Store, t.Event, t.To)
	if sent {
		logger.Info("notification sent", "kind", t.Event.Kind, "key", t.Event.Key)
	}
	return err
}
