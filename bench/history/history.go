// Package history reads what a job cost Temporal from the job's own
// histories: events per firm across every continue-as-new run, how long
// firm activities waited between being scheduled and being picked up, and
// when each firm completed.
package history

import (
	"context"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
)

// FirmActivity is the activity type that enriches one firm, SliceActivity
// the one that enriches a slice of them.
const (
	FirmActivity  = "EnrichFirm"
	SliceActivity = "EnrichBatch"
)

// HeartbeatEvery is the most often a running activity's heartbeats reach
// the server: the worker's MaxHeartbeatThrottleInterval (app/workerapp).
const HeartbeatEvery = 3 * time.Second

// Stats are the figures of one job, summed over its runs.
type Stats struct {
	Runs   int `json:"runs"`
	Events int `json:"events"`
	// Firm activities scheduled, and those whose final attempt was not the
	// first (retried after an error, a timeout or a lost worker).
	FirmActivities int `json:"firm_activities"`
	Retried        int `json:"retried"`
	// Time from scheduled to started of each firm activity whose first
	// attempt is the one recorded: later attempts are started after a
	// backoff, which is not waiting for a worker.
	ScheduleToStart []time.Duration `json:"-"`
	// Firm activities' time from started to completed, first attempts
	// only: the engine's time for a firm, as the stack sees it.
	RunTime []time.Duration `json:"-"`
	// Workflow tasks' time from started to completed: handed to the
	// worker, run, and its commands back at the server. (Their scheduled
	// time says nothing: the server writes it when the task starts.)
	TaskRun     []time.Duration `json:"-"`
	Completions []time.Time     `json:"-"`       // when each firm activity completed, ascending
	Started     time.Time       `json:"started"` // first run's start
	Closed      time.Time       `json:"closed"`  // last run's close
	// Busy is the firm activities' time from scheduled to closed, summed:
	// over the window times the firms' span it says how full the window
	// was kept.
	Busy                     time.Duration `json:"busy"`
	FirstScheduled, LastDone time.Time
	// Drain is, summed over the runs that continued as new, the time from
	// a run's last firm scheduled to its end: the window empties while the
	// run waits for its last firms before rolling over.
	Drain time.Duration `json:"drain"`
	// Actions are the Temporal actions the histories record (what Temporal
	// Cloud bills): runs started, activities scheduled and their retries,
	// timers, signals, search attribute upserts, markers. Heartbeats are
	// not in a history: HeartbeatsAtMost bounds them by every activity's
	// running time over HeartbeatEvery.
	Actions          int `json:"actions"`
	HeartbeatsAtMost int `json:"heartbeats_at_most"`
}

// Add folds one run's events into the stats.
func (s *Stats) Add(events []*historypb.HistoryEvent) {
	s.Runs++
	s.Events += len(events)
	scheduled := map[int64]time.Time{} // firm activities' scheduled event id -> time
	var lastScheduled time.Time
	firstStarted := map[int64]time.Time{} // firm activities started on their first attempt
	taskStarted := map[int64]time.Time{}
	closeFirm := func(id int64, t time.Time) {
		at, ok := scheduled[id]
		if !ok {
			return
		}
		s.Busy += t.Sub(at)
		if t.After(s.LastDone) {
			s.LastDone = t
		}
	}
	started := map[int64]time.Time{} // every activity's last attempt's start, by scheduled event id
	for _, e := range events {
		t := e.GetEventTime().AsTime()
		s.Actions += actions(e)
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			started[e.GetActivityTaskStartedEventAttributes().GetScheduledEventId()] = t
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
			enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
			if at, ok := started[scheduledID(e)]; ok {
				s.HeartbeatsAtMost += int(t.Sub(at) / HeartbeatEvery)
			}
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			if s.Started.IsZero() || t.Before(s.Started) {
				s.Started = t
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
			// A continued-as-new run does not close the job.
			if t.After(s.Closed) {
				s.Closed = t
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
			if !lastScheduled.IsZero() {
				s.Drain += t.Sub(lastScheduled)
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			// A slice stands for its firms: its completion is the moment
			// they reach the job's figures.
			if name := e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName(); name == FirmActivity || name == SliceActivity {
				scheduled[e.GetEventId()] = t
				s.FirmActivities++
				lastScheduled = t
				if s.FirstScheduled.IsZero() || t.Before(s.FirstScheduled) {
					s.FirstScheduled = t
				}
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			a := e.GetActivityTaskStartedEventAttributes()
			at, ok := scheduled[a.GetScheduledEventId()]
			if !ok {
				continue
			}
			if a.GetAttempt() > 1 {
				s.Retried++
			} else {
				s.ScheduleToStart = append(s.ScheduleToStart, t.Sub(at))
				firstStarted[a.GetScheduledEventId()] = t
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			id := e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()
			if _, ok := scheduled[id]; ok {
				s.Completions = append(s.Completions, t)
			}
			if st, ok := firstStarted[id]; ok {
				s.RunTime = append(s.RunTime, t.Sub(st))
			}
			closeFirm(id, t)
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			taskStarted[e.GetEventId()] = t
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			if at, ok := taskStarted[e.GetWorkflowTaskCompletedEventAttributes().GetStartedEventId()]; ok {
				s.TaskRun = append(s.TaskRun, t.Sub(at))
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			closeFirm(e.GetActivityTaskFailedEventAttributes().GetScheduledEventId(), t)
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			closeFirm(e.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId(), t)
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
			closeFirm(e.GetActivityTaskCanceledEventAttributes().GetScheduledEventId(), t)
		}
	}
	slices.SortFunc(s.Completions, func(a, b time.Time) int { return a.Compare(b) })
}

// actions is what one event costs in Temporal actions.
func actions(e *historypb.HistoryEvent) int {
	switch e.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_TIMER_STARTED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, enumspb.EVENT_TYPE_MARKER_RECORDED,
		enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
		return 1
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		// The history keeps an activity's last attempt only: the ones
		// before it were each started, and each is an action.
		return int(max(e.GetActivityTaskStartedEventAttributes().GetAttempt()-1, 0))
	}
	return 0
}

// scheduledID is the scheduled event id an activity's closing event names.
func scheduledID(e *historypb.HistoryEvent) int64 {
	switch e.GetEventType() {
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		return e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
		return e.GetActivityTaskFailedEventAttributes().GetScheduledEventId()
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		return e.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId()
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
		return e.GetActivityTaskCanceledEventAttributes().GetScheduledEventId()
	}
	return 0
}

// Occupancy is how full the window was kept, 0..1: the firms' busy time
// over window × the span from the first firm scheduled to the last done.
func (s *Stats) Occupancy(window int) float64 {
	span := s.LastDone.Sub(s.FirstScheduled)
	if span <= 0 || window <= 0 {
		return 0
	}
	return float64(s.Busy) / (float64(window) * float64(span))
}

// FirstCompletionAfter is the first firm completion after t; false if none.
func (s *Stats) FirstCompletionAfter(t time.Time) (time.Time, bool) {
	i, _ := slices.BinarySearchFunc(s.Completions, t, func(c, t time.Time) int {
		if c.After(t) {
			return 1
		}
		return -1
	})
	if i >= len(s.Completions) {
		return time.Time{}, false
	}
	return s.Completions[i], true
}

// Percentile is the p-th percentile (0..100) of ds by nearest rank; zero
// for none.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// Fetch reads every run of the job workflowID, newest first, following each
// run's link to the run it continued.
func Fetch(ctx context.Context, c client.Client, workflowID string) (*Stats, error) {
	s := &Stats{}
	runID := ""
	for {
		var events []*historypb.HistoryEvent
		it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("history of %s run %q: %w", workflowID, runID, err)
			}
			events = append(events, e)
		}
		if len(events) == 0 {
			return nil, fmt.Errorf("history of %s run %q is empty", workflowID, runID)
		}
		s.Add(events)
		prev := events[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		if prev == "" {
			return s, nil
		}
		runID = prev
	}
}
