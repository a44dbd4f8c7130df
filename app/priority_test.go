package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/jobclient"
)

// firmByFirm is the settings of the priority and fairness tests: a worker
// that runs one activity at a time, and jobs of one firm an activity, so
// the order activities are handed out in is the order firms run in. Slices
// carry the same priority and fairness key, a slice for dozens of firms.
var firmByFirm = map[string]string{
	"VCENRICH_WORKER_MAX_ACTIVITIES": "1",
	"VCENRICH_WINDOW":                "4",
	"VCENRICH_SLICES":                "false",
}

// TestUrgentJobGoesFirst runs a normal job and then an urgent one on a
// worker that takes one firm at a time: once the urgent job is queued, its
// firms are handed out before the normal job's waiting ones (task-queue
// priority, which temporal-dev turns on in the dev server).
func TestUrgentJobGoesFirst(t *testing.T) {
	g := newGate()
	t.Cleanup(g.release)
	s := startStackWith(t, stackOptions{sites: g, env: firmByFirm})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	path := writeSample(t)
	normal, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "normal", Priority: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the normal job's first firm to be running", func() bool { n, _ := g.homepages(); return n == 1 })
	urgent, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "urgent", Priority: "urgent"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the urgent job's firms to be queued", func() bool {
		return len(s.job(t, urgent.JobID).InFlight) == 4
	})
	g.release()
	for _, id := range []string{normal.JobID, urgent.JobID} {
		if _, err := s.client.Follow(ctx, id, 100*time.Millisecond, func(answer.Job) {}); err != nil {
			t.Fatal(err)
		}
	}
	// When the urgent job was queued, the normal job had one firm running
	// and three waiting; the urgent job had four waiting. Priority hands out
	// the urgent four first. Later the two jobs refill their windows at
	// their own pace, so only those first hand-outs say anything.
	type done struct {
		at     time.Time
		urgent bool
	}
	var all []done
	for _, at := range enrichStarts(t, s.temporal, normal.JobID)[1:] {
		all = append(all, done{at, false})
	}
	for _, at := range enrichStarts(t, s.temporal, urgent.JobID) {
		all = append(all, done{at, true})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	urgentFirst := 0
	for _, d := range all[:4] {
		if d.urgent {
			urgentFirst++
		}
	}
	// One slip is tolerated: the matcher promises close to priority order.
	if urgentFirst < 3 {
		t.Errorf("%d of the first 4 firms handed out after the urgent job was queued were urgent; want at least 3", urgentFirst)
	}
	t.Logf("urgent firms among the first 4 handed out: %d", urgentFirst)
}

// enrichStarts lists when each EnrichFirm activity of a job finished, in
// time order (the job runs in one workflow run here).
func enrichStarts(t *testing.T, c client.Client, id string) []time.Time {
	t.Helper()
	return activityEnds(t, c, id, "EnrichFirm")
}

// activityEnds lists when each activity of a type of a job finished, in
// time order (the job runs in one workflow run here).
func activityEnds(t *testing.T, c client.Client, id, activity string) []time.Time {
	t.Helper()
	iter := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	scheduled := map[int64]bool{}
	var ends []time.Time
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			scheduled[e.GetEventId()] = e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == activity
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			// One activity at a time on this worker: the order they finish
			// in is the order they were handed out.
			id := e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()
			if f := e.GetActivityTaskFailedEventAttributes(); f != nil {
				id = f.GetScheduledEventId()
			}
			if scheduled[id] {
				ends = append(ends, e.GetEventTime().AsTime())
			}
		}
	}
	sort.Slice(ends, func(i, j int) bool { return ends[i].Before(ends[j]) })
	if len(ends) == 0 {
		t.Fatalf("job %s ran no %s", id, activity)
	}
	return ends
}

// TestEqualJobsShareTheWorker runs two jobs of the same priority on a worker
// that takes one firm at a time, the second queued behind the first's
// backlog: with fairness (each job its own fairness key) the second job's
// firms are handed out alongside the first's, not after all of them.
func TestEqualJobsShareTheWorker(t *testing.T) {
	g := newGate()
	t.Cleanup(g.release)
	s := startStackWith(t, stackOptions{sites: g, env: firmByFirm})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	path := writeSample(t)
	first, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "first"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the first job's first firm to be running", func() bool { n, _ := g.homepages(); return n == 1 })
	second, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "second"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the second job's firms to be queued", func() bool {
		return len(s.job(t, second.JobID).InFlight) == 4
	})
	g.release()
	for _, id := range []string{first.JobID, second.JobID} {
		if _, err := s.client.Follow(ctx, id, 100*time.Millisecond, func(answer.Job) {}); err != nil {
			t.Fatal(err)
		}
	}
	firstDone := enrichStarts(t, s.temporal, first.JobID)
	secondDone := enrichStarts(t, s.temporal, second.JobID)
	// The first job had three firms waiting when the second job's four were
	// queued. First come, first served hands out all three before any of
	// the second's; sharing interleaves them (two of the second's come
	// before the third of the first's).
	thirdWaiting := firstDone[3]
	interleaved := 0
	for _, at := range secondDone {
		if at.Before(thirdWaiting) {
			interleaved++
		}
	}
	if interleaved < 1 {
		t.Errorf("none of the second job's firms was handed out before the first job's waiting ones were done; jobs of equal priority must share the worker")
	}
	t.Logf("second job's firms handed out before the first job's third waiting one: %d", interleaved)
}

// bySlices is the settings of the priority and fairness tests for sliced
// jobs: a worker that runs one slice at a time, and a window of three
// slices of 16, so a job of 40 firms is slices of 16, 16 and 8.
var bySlices = map[string]string{
	"VCENRICH_WORKER_MAX_ACTIVITIES": "1",
	"VCENRICH_WINDOW":                "48",
	"VCENRICH_SLICES":                "true",
}

// writeFirms writes a list of n firms on hosts of the demo sites' domain
// (the gate holds their homepages; past it, each is a firm whose site
// has no team).
func writeFirms(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Firm,Website\n")
	for i := range n {
		fmt.Fprintf(&b, "Firm %02d,http://firm-%02d.demo.test/\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "firms.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// pendingSlices counts a job's slices scheduled or running.
func pendingSlices(t *testing.T, c client.Client, id string) int {
	t.Helper()
	d, err := c.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	return len(d.GetPendingActivities())
}

// Sliced jobs keep priority and fairness between jobs: a slice carries its
// job's priority and fairness key. The first job has a slice running and
// two waiting when the second job's three are queued; first come, first
// served would hand out the first job's two before any of the second's.
// Priority hands out the urgent job's first; sharing interleaves equal
// jobs, the second's first slice before the first's last.
func TestSlicesKeepPriorityAndFairness(t *testing.T) {
	if testenv.ClusterAddr() != "" {
		// There an activity task reaches matching a moment after the
		// workflow records it (the describe this test waits on), so the
		// second job's slices may not be queued yet when the first job's
		// slice frees the worker: with three slices a job, one such slip
		// decides the test. It needs a wait on the task queue's backlog.
		t.Skip("on a cluster the slices' queueing is not yet waited for")
	}
	for _, tc := range []struct {
		name   string
		second jobclient.UploadOptions
		before int // the first job's slice the second job's first must end before
		why    string
	}{
		{"urgent goes first", jobclient.UploadOptions{Name: "urgent", Priority: "urgent"}, 1, "task-queue priority"},
		{"equal jobs share", jobclient.UploadOptions{Name: "second"}, 2, "fairness"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGate()
			t.Cleanup(g.release)
			s := startStackWith(t, stackOptions{sites: g, env: bySlices})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			path := writeFirms(t, 40)
			first, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "first", Priority: "normal"})
			if err != nil {
				t.Fatal(err)
			}
			// The first job's first slice runs (its firms at the gate), its
			// others wait for the worker's one slot.
			eventually(t, time.Minute, "the first job's first slice to be running", func() bool { n, _ := g.homepages(); return n > 0 })
			eventually(t, time.Minute, "the first job's other slices to be queued", func() bool { return pendingSlices(t, s.temporal, first.JobID) == 3 })
			second, err := s.client.Upload(ctx, path, tc.second)
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, time.Minute, "the second job's slices to be queued", func() bool { return pendingSlices(t, s.temporal, second.JobID) == 3 })
			g.release()
			for _, id := range []string{first.JobID, second.JobID} {
				if _, err := s.client.Follow(ctx, id, 100*time.Millisecond, func(answer.Job) {}); err != nil {
					t.Fatal(err)
				}
			}
			firstEnds := activityEnds(t, s.temporal, first.JobID, "EnrichBatch")
			secondEnds := activityEnds(t, s.temporal, second.JobID, "EnrichBatch")
			if len(firstEnds) != 3 || len(secondEnds) != 3 {
				t.Fatalf("slices: first job %d, second %d; want 3 each", len(firstEnds), len(secondEnds))
			}
			if !secondEnds[0].Before(firstEnds[tc.before]) {
				t.Errorf("slice %d of the first job ran before any of the second job's: no %s between sliced jobs", tc.before+1, tc.why)
			}
		})
	}
}
