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
// is missed, and it completes.
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
	c.stopDev(syscall.SIGTERM)
	if time.Now().After(due) {
		t.Fatalf("Temporal took until %s to stop, past the refresh due at %s", time.Now().Format(time.TimeOnly), due.Format(time.TimeOnly))
	}
	waitFor(t, time.Minute, "the refresh's time to pass with Temporal down", func() bool { return time.Now().After(due.Add(2 * time.Second)) })
	c.startDev()
	serving := time.Now()
	var ran time.Time
	waitFor(t, 2*time.Minute, "the refresh due while Temporal was down", func() bool {
		d, err := sh.Describe(ctx)
		if err != nil {
			return false
		}
		for _, a := range d.Info.RecentActions {
			if a.ScheduleTime.Equal(due) {
				ran = a.ActualTime
				return true
			}
		}
		return false
	})
	t.Logf("the refresh due at %s, with Temporal down, started %.1f s after it served again", due.Format(time.TimeOnly), ran.Sub(serving).Seconds())
	if d, err := sh.Describe(ctx); err != nil || d.Info.NumActionsMissedCatchupWindow != 0 {
		t.Errorf("refreshes missed the catch-up window: %+v, %v", d.Info, err)
	}
	waitFor(t, 2*time.Minute, "the caught-up refresh to complete", func() bool {
		got, err := c.api.Watch(ctx, watch.WatchID)
		return err == nil && got.Last != ""
	})
	_ = sh.Delete(ctx)
}
