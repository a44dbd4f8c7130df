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
	"time"

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
// lease and naming it leaves a temporary file, removed without a hand-back
// once it is old enough not to be a worker starting right now.
func TestHalfWrittenLeaseIsRemoved(t *testing.T) {
	dir := t.TempDir()
	old, young := filepath.Join(dir, tmpPrefix+"123"), filepath.Join(dir, tmpPrefix+"456")
	for _, p := range []string{old, young} {
		if err := os.WriteFile(p, []byte("x@y@q"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	then := time.Now().Add(-2 * tmpGrace)
	if err := os.Chtimes(old, then, then); err != nil {
		t.Fatal(err)
	}
	w := &Watcher{Dir: dir, Self: "me", Logger: zap.NewNop()}
	n, err := w.Sweep(t.Context())
	if err != nil || n != 0 || !slices.Equal(leases(t, dir), []string{tmpPrefix + "456"}) {
		t.Fatalf("sweep: %d, %v; leases %v (want only the young one kept)", n, err, leases(t, dir))
	}
}

// A dead-looking lease of another host (a shared filesystem whose locks do
// not cross machines) is not ours to judge; one of this host is.
func TestOtherHostsLeasesAreLeftAlone(t *testing.T) {
	dir := t.TempDir()
	for id, host := range map[string]string{"1@far@q": "far", "2@here@q": "here", "3@old@q": ""} {
		content := id
		if host != "" {
			content += "\n" + host
		}
		if err := os.WriteFile(filepath.Join(dir, fileName(id)), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w := &Watcher{Dir: dir, Self: "me@here@q", Host: "here", Logger: zap.NewNop()}
	var dead []string
	if _, err := w.sweep(t.Context(), func(_ context.Context, identity string) (int, error) {
		dead = append(dead, identity)
		return 1, nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(dead)
	if !slices.Equal(dead, []string{"2@here@q", "3@old@q"}) || !slices.Equal(leases(t, dir), []string{fileName("1@far@q")}) {
		t.Fatalf("handed back %v, leases left %v; want this host's and the host-less one, and the far one kept", dead, leases(t, dir))
	}
}

// Hold writes the identity and this host into the lease.
func TestLeaseNamesItsHost(t *testing.T) {
	dir := t.TempDir()
	l, err := Hold(dir, "7@here@q")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	b, err := os.ReadFile(filepath.Join(dir, fileName("7@here@q")))
	host, _ := os.Hostname()
	if err != nil || string(b) != "7@here@q\n"+host {
		t.Fatalf("lease holds %q, %v", b, err)
	}
}
