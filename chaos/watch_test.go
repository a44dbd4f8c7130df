package chaos

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/jobclient"
)

// TestWatchCatchesUp: a watch's refresh that falls due while Temporal is
// down runs when it comes back, inside the schedule's catch-up window; none
// is missed, and it completes. (Due several times while down, the watch
// refreshes once: the later times find that refresh running and are
// skipped, as the overlap policy says.)
func TestWatchCatchesUp(t *testing.T) {
	w := newWeb(t, 0, nil)
	c := newCluster(t, w, nil)
	if !c.canRestartTemporal() {
		t.Skip("the shared cluster's Temporal cannot be restarted here (VCENRICH_TEST_TEMPORAL_CTL)")
	}
	c.startServer()
	c.waitPolling(c.startWorker())
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const every = 15 * time.Second
	watch, err := c.api.CreateWatch(ctx, jobclient.WatchOptions{Path: writeFirms(t, 3), Name: "catch-up", Interval: every.String(), Later: true})
	if err != nil {
		t.Fatal(err)
	}
	sh := c.tc.ScheduleClient().GetHandle(ctx, watch.WatchID)
	d, err := sh.Describe(ctx)
	if err != nil || len(d.Info.NextActionTimes) < 2 {
		t.Fatalf("the watch's schedule: %+v, %v", d, err)
	}
	// The first time it falls due far enough ahead to stop Temporal first.
	due := d.Info.NextActionTimes[0]
	if time.Until(due) < 5*time.Second {
		due = d.Info.NextActionTimes[1]
	}
	stopped := time.Now()
	c.stopDev(syscall.SIGTERM)
	if time.Now().After(due) {
		t.Fatalf("Temporal took until %s to stop, past the refresh due at %s", time.Now().Format(time.TimeOnly), due.Format(time.TimeOnly))
	}
	waitFor(t, time.Minute, "the refresh's time to pass with Temporal down", func() bool { return time.Now().After(due.Add(2 * time.Second)) })
	restarted := time.Now()
	c.startDev()
	var refresh string
	t.Cleanup(func() {
		if t.Failed() {
			d, err := c.tc.ScheduleClient().GetHandle(context.Background(), watch.WatchID).Describe(context.Background())
			if err == nil {
				t.Logf("due %s; the schedule: actions %d, missed %d, skipped %d, recent %+v, next %v", due, d.Info.NumActions,
					d.Info.NumActionsMissedCatchupWindow, d.Info.NumActionsSkippedOverlap, d.Info.RecentActions, d.Info.NextActionTimes[:2])
			}
		}
	})
	waitFor(t, 2*time.Minute, "the refresh due while Temporal was down", func() bool {
		d, err := sh.Describe(ctx)
		if err != nil {
			return false
		}
		for _, a := range d.Info.RecentActions {
			if !a.ScheduleTime.Before(stopped) && !a.ScheduleTime.After(restarted) && a.StartWorkflowResult != nil {
				refresh = a.StartWorkflowResult.WorkflowID
				return true
			}
		}
		return false
	})
	if desc, err := c.tc.DescribeWorkflowExecution(ctx, refresh, ""); err == nil {
		t.Logf("a refresh due with Temporal down (%s to %s) started %.1f s after the dev server was started again",
			stopped.Format(time.TimeOnly), restarted.Format(time.TimeOnly),
			desc.GetWorkflowExecutionInfo().GetStartTime().AsTime().Sub(restarted).Seconds())
	}
	if d, err := sh.Describe(ctx); err != nil || d.Info.NumActionsMissedCatchupWindow != 0 {
		t.Errorf("refreshes missed the catch-up window: %+v, %v", d.Info, err)
	}
	waitFor(t, 2*time.Minute, "the caught-up refresh to complete", func() bool {
		got, err := c.api.Watch(ctx, watch.WatchID)
		return err == nil && got.Last != ""
	})
	_ = sh.Delete(ctx)
}
