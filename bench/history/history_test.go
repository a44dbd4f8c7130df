package history_test

import (
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vcenrich/vcenrich/bench/history"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(ms int) *timestamppb.Timestamp {
	return timestamppb.New(t0.Add(time.Duration(ms) * time.Millisecond))
}

func started(id int64, ms int) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventId: id, EventTime: at(ms), EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{}}}
}

func scheduled(id int64, ms int, activity string) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventId: id, EventTime: at(ms), EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
			ActivityType: &commonpb.ActivityType{Name: activity}}}}
}

func taskStarted(id, sched int64, ms int, attempt int32) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventId: id, EventTime: at(ms), EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		Attributes: &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{ActivityTaskStartedEventAttributes: &historypb.ActivityTaskStartedEventAttributes{
			ScheduledEventId: sched, Attempt: attempt}}}
}

func completed(id, sched int64, ms int) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventId: id, EventTime: at(ms), EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
		Attributes: &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{
			ScheduledEventId: sched}}}
}

func wft(id int64, ms int, typ enumspb.EventType, ref int64) *historypb.HistoryEvent {
	e := &historypb.HistoryEvent{EventId: id, EventTime: at(ms), EventType: typ}
	switch typ {
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
		e.Attributes = &historypb.HistoryEvent_WorkflowTaskStartedEventAttributes{WorkflowTaskStartedEventAttributes: &historypb.WorkflowTaskStartedEventAttributes{ScheduledEventId: ref}}
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
		e.Attributes = &historypb.HistoryEvent_WorkflowTaskCompletedEventAttributes{WorkflowTaskCompletedEventAttributes: &historypb.WorkflowTaskCompletedEventAttributes{StartedEventId: ref}}
	}
	return e
}

func closed(id int64, ms int, typ enumspb.EventType) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventId: id, EventTime: at(ms), EventType: typ}
}

func TestAddTwoRuns(t *testing.T) {
	var s history.Stats
	// The later run is read first, as Fetch does.
	s.Add([]*historypb.HistoryEvent{
		started(1, 1000),
		scheduled(5, 1010, history.FirmActivity),
		scheduled(6, 1010, "ExportWorkbook"),
		taskStarted(7, 5, 1030, 1),
		completed(8, 5, 1500),
		taskStarted(9, 6, 1600, 1),
		completed(10, 6, 1700),
		closed(11, 1800, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
	})
	s.Add([]*historypb.HistoryEvent{
		started(1, 0),
		wft(2, 1, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0),
		wft(3, 4, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, 2),
		wft(4, 9, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 3),
		scheduled(5, 10, history.FirmActivity),
		scheduled(6, 10, history.FirmActivity),
		taskStarted(7, 5, 12, 1),
		completed(8, 5, 300),
		taskStarted(9, 6, 5000, 2), // retried: its wait is not a worker's
		completed(10, 6, 5200),
		closed(11, 990, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW),
	})
	// Firm busy time: 490 + 290 + 5190 ms over the span 10..5200 ms.
	if s.Busy != 5970*time.Millisecond || !s.FirstScheduled.Equal(t0.Add(10*time.Millisecond)) || !s.LastDone.Equal(t0.Add(5200*time.Millisecond)) {
		t.Errorf("busy %v from %v to %v", s.Busy, s.FirstScheduled.Sub(t0), s.LastDone.Sub(t0))
	}
	if got, want := s.Occupancy(2), 5970.0/(2*5190); got < want-1e-9 || got > want+1e-9 {
		t.Errorf("occupancy %v, want %v", got, want)
	}
	if s.Occupancy(0) != 0 {
		t.Error("occupancy of no window")
	}
	// Only the run that continued as new drains: 990 - 10 ms.
	if s.Drain != 980*time.Millisecond {
		t.Errorf("drain %v", s.Drain)
	}
	if len(s.TaskRun) != 1 || s.TaskRun[0] != 5*time.Millisecond {
		t.Errorf("workflow task run %v", s.TaskRun)
	}
	// First attempts only: 1500-1030 and 300-12.
	if len(s.RunTime) != 2 || s.RunTime[0] != 470*time.Millisecond || s.RunTime[1] != 288*time.Millisecond {
		t.Errorf("run times %v", s.RunTime)
	}
	if s.Runs != 2 || s.Events != 19 || s.FirmActivities != 3 || s.Retried != 1 {
		t.Errorf("stats %+v", s)
	}
	if !s.Started.Equal(t0) || !s.Closed.Equal(t0.Add(1800*time.Millisecond)) {
		t.Errorf("started %v closed %v", s.Started, s.Closed)
	}
	if len(s.ScheduleToStart) != 2 {
		t.Fatalf("schedule-to-start %v, want the two first attempts", s.ScheduleToStart)
	}
	if got := history.Percentile(s.ScheduleToStart, 99); got != 20*time.Millisecond {
		t.Errorf("p99 %v", got)
	}
	if len(s.Completions) != 3 {
		t.Fatalf("completions %v", s.Completions)
	}
	tests := []struct {
		after  int
		want   int
		wantOK bool
	}{{0, 300, true}, {300, 1500, true}, {1501, 5200, true}, {5200, 0, false}}
	for _, tt := range tests {
		got, ok := s.FirstCompletionAfter(t0.Add(time.Duration(tt.after) * time.Millisecond))
		if ok != tt.wantOK || ok && !got.Equal(t0.Add(time.Duration(tt.want)*time.Millisecond)) {
			t.Errorf("after %dms: %v %v, want %dms %v", tt.after, got.Sub(t0), ok, tt.want, tt.wantOK)
		}
	}
}

func TestPercentile(t *testing.T) {
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[99-i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}}
	for _, tt := range tests {
		if got := history.Percentile(ds, tt.p); got != tt.want {
			t.Errorf("p%.0f = %v, want %v", tt.p, got, tt.want)
		}
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("Percentile sorted its argument")
	}
	if history.Percentile(nil, 50) != 0 {
		t.Error("percentile of nothing")
	}
}

// Actions count what Temporal bills; heartbeats are bounded by each
// activity's running time.
func TestActions(t *testing.T) {
	var s history.Stats
	s.Add([]*historypb.HistoryEvent{
		started(1, 0),                           // 1 action
		scheduled(5, 10, history.SliceActivity), // 1
		taskStarted(6, 5, 20, 3),                // two retries before it: 2
		completed(7, 5, 20+int(10*history.HeartbeatEvery/time.Millisecond)), // ran 10 heartbeat periods
		scheduled(8, 30, history.FirmActivity),                              // 1
		taskStarted(9, 8, 40, 1),                                            // 0
		completed(10, 8, 50),                                                // ran under one period: no heartbeat
		{EventId: 11, EventTime: at(60), EventType: enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES}, // 1
		{EventId: 12, EventTime: at(70), EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED},       // 1
		wft(13, 80, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0),                                        // 0
	})
	if s.Actions != 7 || s.HeartbeatsAtMost != 10 {
		t.Errorf("actions %d, heartbeats at most %d; want 7 and 10", s.Actions, s.HeartbeatsAtMost)
	}
}
