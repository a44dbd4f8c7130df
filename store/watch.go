package store

import (
	"context"
	"fmt"
	"time"

	"gocloud.dev/gcerrors"

	"github.com/vcenrich/vcenrich/contract"
)

// Watch is a list enriched again on a schedule: the schedule is Temporal's
// (its ID is the watch's); this is what the refreshes need beside it.
type Watch struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// List is the job whose firms each refresh enriches: the watch's own
	// upload, stored as a job that never runs, or a finished job's.
	List     string    `json:"list"`
	Interval string    `json:"interval"` // as given: weekly, monthly, a cron expression or a duration
	Notify   []string  `json:"notify,omitempty"`
	Quiet    bool      `json:"quiet,omitempty"` // no notification for a refresh that found no change
	Created  time.Time `json:"created"`
	// Last is the last refresh that completed: the next compares with it.
	Last *contract.RunRef `json:"last,omitempty"`
	// Jobs are the refreshes' jobs, oldest first (the last MaxWatchJobs).
	Jobs []string `json:"jobs,omitempty"`
}

// MaxWatchJobs is how many refresh jobs a watch record lists.
const MaxWatchJobs = 100

func watchKey(id string) string { return "watches/" + id + ".json" }

// PutWatch writes a watch record.
func (s *Store) PutWatch(ctx context.Context, w Watch) error {
	if err := s.putJSON(ctx, watchKey(w.ID), w); err != nil {
		return fmt.Errorf("put watch %s: %w", w.ID, err)
	}
	return nil
}

// Watch reads a watch record.
func (s *Store) Watch(ctx context.Context, id string) (Watch, error) {
	var w Watch
	if err := s.getJSON(ctx, watchKey(id), &w); err != nil {
		return Watch{}, fmt.Errorf("watch %s: %w", id, err)
	}
	return w, nil
}

// DeleteWatch removes a watch record; its refreshes' jobs stay.
func (s *Store) DeleteWatch(ctx context.Context, id string) error {
	err := s.b.Delete(ctx, watchKey(id))
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("delete watch %s: %w", id, err)
	}
	return nil
}

// CopyJob stores job to as a copy of job from's upload and firms, for a
// refresh of a watch's list: the objects are copied within the store, never
// read into memory. The record is written last, as PutJob does.
func (s *Store) CopyJob(ctx context.Context, from string, to Job) (Job, error) {
	src, err := s.Job(ctx, from)
	if err != nil {
		return Job{}, err
	}
	if err := s.b.Copy(ctx, uploadKey(to.ID), uploadKey(from), nil); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return Job{}, fmt.Errorf("copy job %s upload: %w", from, err)
	}
	for c := 0; c*ChunkSize < src.Total; c++ {
		if err := s.b.Copy(ctx, chunkKey(to.ID, c), chunkKey(from, c), nil); err != nil {
			return Job{}, fmt.Errorf("copy job %s firms: %w", from, notFound(err))
		}
	}
	j := src
	j.ID, j.Name, j.Created, j.Notify, j.Run, j.Parent = to.ID, to.Name, to.Created, to.Notify, "", ""
	if err := s.putJSON(ctx, jobKey(j.ID), j); err != nil {
		return Job{}, fmt.Errorf("copy job %s: %w", from, err)
	}
	return j, nil
}
