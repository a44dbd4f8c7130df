package liveness

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"go.uber.org/zap"
)

// TestMain lets the test binary stand in for a worker: with
// LIVENESS_TEST_HOLD set it holds a lease, says so, and waits to be killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("LIVENESS_TEST_HOLD"); dir != "" {
		if _, err := Hold(dir, "child@host@q"); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("held\n")
		select {}
	}
	os.Exit(m.Run())
}

// sweeper sweeps dir as self, recording the dead workers found instead of
// handing their firms back; fail makes the hand-back fail.
func sweeper(t *testing.T, dir, self string, dead *[]string, fail error) func() {
	w := &Watcher{Dir: dir, Self: self, Logger: zap.NewNop()}
	return func() {
		_, err := w.sweep(t.Context(), func(_ context.Context, identity string) (int, error) {
			*dead = append(*dead, identity)
			return 1, fail
		})
		if !errors.Is(err, fail) {
			t.Fatalf("sweep: %v, want %v", err, fail)
		}
	}
}

func leases(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestLiveWorkersAreLeftAlone(t *testing.T) {
	dir := t.TempDir()
	a, err := Hold(dir, "1@host@q")
	if err != nil {
		t.Fatal(err)
	}
	self, err := Hold(dir, "2@host@q")
	if err != nil {
		t.Fatal(err)
	}
	var dead []string
	sweeper(t, dir, "2@host@q", &dead, nil)()
	if len(dead) != 0 || len(leases(t, dir)) != 2 {
		t.Fatalf("live workers taken for dead: %v; leases %v", dead, leases(t, dir))
	}
	// A clean stop removes the lease: nothing to hand back.
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	sweeper(t, dir, "2@host@q", &dead, nil)()
	if len(dead) != 0 || !slices.Equal(leases(t, dir), []string{fileName("2@host@q")}) {
		t.Fatalf("after a clean stop: dead %v, leases %v", dead, leases(t, dir))
	}
	_ = self.Release()
}

// TestKilledWorkerIsSeenDead kills a real process holding a lease with
// SIGKILL: its lease is then claimable, handed back once, and removed; a
// failed hand-back keeps it for the next sweep.
func TestKilledWorkerIsSeenDead(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LIVENESS_TEST_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("child said %q, %v", line, err)
	}

	var dead []string
	sweep := sweeper(t, dir, "me@host@q", &dead, nil)
	sweep()
	if len(dead) != 0 {
		t.Fatalf("a running process taken for dead: %v", dead)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // the kernel has dropped its locks once it is reaped

	failing := sweeper(t, dir, "me@host@q", &dead, errors.New("temporal unreachable"))
	failing()
	if !slices.Equal(dead, []string{"child@host@q"}) || len(leases(t, dir)) != 1 {
		t.Fatalf("after a failed hand-back: dead %v, leases %v (want it kept)", dead, leases(t, dir))
	}
	sweep()
	sweep()
	if !slices.Equal(dead, []string{"child@host@q", "child@host@q"}) || len(leases(t, dir)) != 0 {
		t.Fatalf("dead %v, leases %v: want one more hand-back and the lease gone", dead, leases(t, dir))
	}
}

// TestHalfWrittenLeaseIsRemoved: a worker that died between creating its
// lease and naming it leaves a temporary file, removed without a hand-back.
func TestHalfWrittenLeaseIsRemoved(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, tmpPrefix+"123"), []byte("x@y@q"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &Watcher{Dir: dir, Self: "me", Logger: zap.NewNop()}
	n, err := w.Sweep(t.Context())
	if err != nil || n != 0 || len(leases(t, dir)) != 0 {
		t.Fatalf("sweep: %d, %v; leases %v", n, err, leases(t, dir))
	}
}
