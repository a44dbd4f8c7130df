package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/jobclient"
)

// TestSupervisedWorkerComesBack runs the worker as `make up` does, under
// scripts/supervise.sh, and kills it with SIGKILL mid-job: the supervisor
// starts a new one by itself, the job completes with every firm once, and
// SIGTERM to the supervisor stops the worker cleanly and exits 0.
func TestSupervisedWorkerComesBack(t *testing.T) {
	const (
		firms  = 40
		window = 8
	)
	w := newWeb(t, 700*time.Millisecond, nil)
	c := newCluster(t, w, map[string]string{"VCENRICH_WINDOW": fmt.Sprint(window)})
	hb := c.setting("VCENRICH_HEARTBEAT_TIMEOUT")
	c.startServer()
	sup := c.start("supervise", filepath.Join(testenv.RepoRoot(t), "scripts", "supervise.sh"), []string{binaries.worker})
	var first int
	waitFor(t, 30*time.Second, "the supervisor to start a worker", func() bool { first = childOf(t, sup); return first != 0 })
	t.Cleanup(func() { killPid(first) })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := c.api.Upload(ctx, writeFirms(t, firms), jobclient.UploadOptions{Name: "supervised"})
	if err != nil {
		t.Fatal(err)
	}
	id := created.JobID
	waitFor(t, time.Minute, "firms done and more half-way", func() bool {
		_, p := c.progress(id)
		return p >= 5 && w.midway() >= window/2
	})
	_, before := c.progress(id)
	killedAt := time.Now()
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var second int
	waitFor(t, time.Minute, "the supervisor to start a new worker", func() bool {
		second = childOf(t, sup)
		return second != 0 && second != first
	})
	t.Cleanup(func() { killPid(second) })
	restarted := time.Since(killedAt)
	c.waitProcessed(id, before+1, time.Minute)
	resumed := time.Since(killedAt)

	final := c.waitDone(id, 2*time.Minute)
	if final.Status != "completed" || final.Done != firms {
		t.Errorf("final state %s: %d done, %d failed of %d", final.Status, final.Done, final.Failed, firms)
	}
	lost, dups := c.checkResult(id, firms)

	// SIGTERM to the supervisor reaches the worker, which stops cleanly.
	if err := sup.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !sup.exited(workerStopTimeout + 10*time.Second) {
		t.Fatalf("supervisor still running after SIGTERM")
	}
	if code := sup.exitCode(); code != 0 {
		t.Errorf("supervisor exited %d after SIGTERM, want 0", code)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", second)); err == nil {
		t.Errorf("worker %d still runs after its supervisor stopped", second)
	}
	if !strings.Contains(sup.tail(20), "worker stopped") {
		t.Errorf("the worker did not log a clean stop:\n%s", sup.tail(10))
	}
	// The new worker is on the dead one's machine: it hands the dead one's
	// firms back at once, well within the heartbeat timeout of its start.
	if resumed-restarted > hb {
		t.Errorf("progress resumed %s after the new worker started, over the %s heartbeat timeout", resumed-restarted, hb)
	}
	t.Logf("RELIABILITY supervised: worker killed, a new one started after %s, progress resumed %s after the kill; lost=%d duplicates=%d",
		restarted.Round(10*time.Millisecond), resumed.Round(10*time.Millisecond), lost, dups)
}

// childOf is the pid of p's worker child, 0 while it has none (between two
// workers the supervisor's only child is its backoff sleep).
func childOf(t *testing.T, p *proc) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", p.pid(), p.pid()))
	if err != nil {
		return 0
	}
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("children of %s: %q", p.name, data)
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err == nil && strings.Split(string(cmdline), "\x00")[0] == binaries.worker {
			return pid
		}
	}
	return 0
}

// killPid makes sure a process the test did not start itself is gone.
func killPid(pid int) {
	if pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}
