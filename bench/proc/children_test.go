package proc

import (
	"bufio"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestReadChildren runs a shell that burns some CPU in a child it reaps,
// then starts two sleeping children and says so: by then the figures below
// it are fixed.
func TestReadChildren(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", `i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done & wait; sleep 60 & sleep 60 & echo started; wait`)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the sleeps too
		_ = cmd.Wait()
	})
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "started\n" {
		t.Fatalf("child said %q, %v", line, err)
	}

	c, err := ReadChildren(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if c.Procs != 2 || c.RSSMB <= 0 || c.PSSMB <= 0 || c.PSSMB > c.RSSMB || c.CPU <= 0 {
		t.Errorf("children %+v; want the 2 sleeps' memory and the reaped loop's CPU", c)
	}

	w := WatchChildren(time.Millisecond, cmd.Process.Pid)
	peak := w.Stop()
	if peak.Samples < 2 || peak.MostProcs != 2 || peak.PeakRSSMB < c.RSSMB/2 || peak.CPU > 50*time.Millisecond {
		t.Errorf("watched %+v; want at least the first and last readings of 2 idle processes, next to no CPU between them (the sleeps may still be starting)", peak)
	}
	if again := w.Stop(); again != peak {
		t.Errorf("a second Stop gave %+v, want %+v", again, peak)
	}

	if _, err := ReadChildren(1 << 30); err == nil {
		t.Error("a process that does not exist: no error")
	}
}

func TestPSS(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr bool
	}{
		{"ordinary", "5564ca777000-7ffdf45e8000 ---p 00000000 00:00 0   [rollup]\nRss:   1768 kB\nPss:    572 kB\nPss_Dirty:  116 kB\n", 572, false},
		{"no Pss", "Rss:   1768 kB\n", 0, true},
		{"garbled", "Pss:   lots kB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pssKB([]byte(tt.in))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %d %v; want %d error=%v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestWatchChildrenCountsCPUSeen: CPU that a process below spends while
// watched counts, though nothing has reaped it yet.
func TestWatchChildrenCountsCPUSeen(t *testing.T) {
	inner := `echo ready; read x; i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo burned; exec sleep 60`
	cmd := exec.Command("/bin/sh", "-c", `/bin/sh -c '`+inner+`' <&0 & wait`)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	lines := bufio.NewReader(out)
	if line, err := lines.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("child said %q, %v", line, err)
	}
	w := WatchChildren(time.Hour, cmd.Process.Pid) // the first and last readings only
	if _, err := in.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := lines.ReadString('\n'); err != nil || line != "burned\n" {
		t.Fatalf("child said %q, %v", line, err)
	}
	if peak := w.Stop(); peak.CPU < 50*time.Millisecond || peak.Samples != 2 {
		t.Errorf("watched %+v; want the loop's CPU from 2 readings", peak)
	}
}
