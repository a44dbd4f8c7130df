package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/store"
)

// PrepareRefresh copies a watch's list as the refresh's job (once: a retry
// finds it copied) and says which run it is to be compared with.
func (a *Activities) PrepareRefresh(ctx context.Context, t contract.RefreshTask) (contract.Refresh, error) {
	logger := log.With(activity.GetLogger(ctx), applog.FieldJob, t.JobID)
	w, err := a.Store.Watch(ctx, t.WatchID)
	if errors.Is(err, store.ErrNotFound) {
		return contract.Refresh{}, temporal.NewNonRetryableApplicationError("the watch was deleted", contract.ReasonStore, err)
	}
	if err != nil {
		return contract.Refresh{}, fmt.Errorf("refresh: %w", err)
	}
	job, err := a.Store.Job(ctx, t.JobID)
	if errors.Is(err, store.ErrNotFound) {
		name := fmt.Sprintf("%s, %s", w.Name, time.Now().UTC().Format("2006-01-02 15:04"))
		job, err = a.Store.CopyJob(ctx, w.List, store.Job{ID: t.JobID, Name: name, Created: time.Now().UTC(), Notify: w.Notify})
	}
	if err != nil {
		return contract.Refresh{}, fmt.Errorf("refresh: %w", err)
	}
	logger.Info("refresh prepared", "watch", w.ID, "firms", job.Total, "previous", w.Last)
	return contract.Refresh{JobID: job.ID, Name: job.Name, Total: job.Total, Notify: w.Notify, Quiet: w.Quiet, Previous: w.Last}, nil
}

// RecordRefresh tells the watch of its refresh's job: its run once it has
// started, so the API finds its results, and once it has completed, that it
// is the run the next refresh compares with.
func (a *Activities) RecordRefresh(ctx context.Context, r contract.RefreshRecord) error {
	job, err := a.Store.Job(ctx, r.Job.JobID)
	if err != nil {
		return fmt.Errorf("record refresh: %w", err)
	}
	if job.Run != r.Job.Run {
		job.Run = r.Job.Run
		if err := a.Store.UpdateJob(ctx, job); err != nil {
			return fmt.Errorf("record refresh: %w", err)
		}
	}
	w, err := a.Store.Watch(ctx, r.WatchID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile: its jobs stay, nothing to tell
	}
	if err != nil {
		return fmt.Errorf("record refresh: %w", err)
	}
	if r.Completed {
		last := r.Job
		w.Last = &last
	}
	if len(w.Jobs) == 0 || w.Jobs[len(w.Jobs)-1] != r.Job.JobID {
		w.Jobs = append(w.Jobs, r.Job.JobID)
		if len(w.Jobs) > store.MaxWatchJobs {
			w.Jobs = w.Jobs[len(w.Jobs)-store.MaxWatchJobs:]
		}
	}
	return a.Store.PutWatch(ctx, w)
}
