package proc

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		rss, hwm int64
		wantErr  bool
	}{
		{"ordinary", "Name:\tworker\nVmPeak:\t 900 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t9\n", 102400, 204800, false},
		{"zombie", "Name:\tworker\nState:\tZ (zombie)\n", 0, 0, true},
		{"garbled", "VmHWM:\tlots kB\nVmRSS:\t1 kB\n", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rss, hwm, err := parseStatus(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr || rss != tt.rss || hwm != tt.hwm {
				t.Errorf("got %d %d %v; want %d %d error=%v", rss, hwm, err, tt.rss, tt.hwm, tt.wantErr)
			}
		})
	}
}

func TestReadSelf(t *testing.T) {
	s, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSSMB <= 1 || s.PeakRSSMB < s.RSSMB {
		t.Errorf("sample %+v", s)
	}
}

func TestStartSampleKill(t *testing.T) {
	logPath := t.TempDir() + "/child.log"
	p, err := Start("child", logPath, "/bin/sh", []string{"-c", "echo started; exec sleep 60"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.Tail(5), "started") {
		if time.Now().After(deadline) {
			t.Fatal("the child never wrote to its log")
		}
		time.Sleep(10 * time.Millisecond)
	}
	w := Watch(time.Millisecond, p)
	if s := p.Sample(); !p.Alive() || s.RSSMB <= 0 {
		t.Errorf("running child: alive=%v sample %+v", p.Alive(), s)
	}
	for len(w.Series(p)) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the watcher took no samples")
		}
		time.Sleep(time.Millisecond)
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	w.Stop()
	if p.Alive() {
		t.Error("alive after kill")
	}
	if s := p.Sample(); s.PeakRSSMB <= 0 || s.RSSMB != 0 {
		t.Errorf("exited child: sample %+v, want its peak from rusage", s)
	}
	if err := p.Wait(); err == nil {
		t.Error("a killed child reported success")
	}
}

func TestAt(t *testing.T) {
	series := []Point{{0, 10}, {time.Second, 20}, {2 * time.Second, 30}, {3 * time.Second, 40}, {4 * time.Second, 50}}
	got := At(series, 0, 0.25, 0.5, 1)
	want := []float64{10, 20, 30, 50}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("At = %v, want %v", got, want)
			break
		}
	}
	if got := At(nil, 0.5); got[0] != 0 {
		t.Errorf("empty series: %v", got)
	}
}
