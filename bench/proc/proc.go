// Package proc runs the benchmark's child processes (the dev server, the
// worker, the server, the simulated web, the baseline) and measures them the
// way the kernel sees them: resident memory now and at its peak (VmRSS,
// VmHWM) and CPU time, from /proc while they run and from their rusage once
// they have exited.
package proc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vcenrich/vcenrich/internal/proctree"
)

// Proc is one child process.
type Proc struct {
	Name    string
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
	log     *os.File

	mu   sync.Mutex
	last Sample // the last sample taken while it ran
}

// Start runs bin with args and env (nil: the benchmark's own), its output
// appended to logPath.
func Start(name, logPath, bin string, args, env []string) (*Proc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: log file: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group, so a Ctrl-C meant for the benchmark reaches
	// the benchmark, which then stops its children in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Proc{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{}), log: f}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process ID.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Done is closed once the process has exited and been reaped.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Alive reports whether the process still runs.
func (p *Proc) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Kill is kill -9: the process gets no chance to finish anything.
func (p *Proc) Kill() error {
	if p.Alive() {
		p.Sample() // the last figures before it goes
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) still running 10s after SIGKILL", p.Name, p.Pid())
	}
}

// Stop sends SIGTERM and waits up to grace before killing.
func (p *Proc) Stop(grace time.Duration) error {
	if !p.Alive() {
		return nil
	}
	p.Sample()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		return p.Kill()
	}
}

// Wait waits for the process to exit by itself and returns its error.
func (p *Proc) Wait() error {
	<-p.done
	if st := p.cmd.ProcessState; st != nil && !st.Success() {
		return fmt.Errorf("%s: %s", p.Name, st)
	}
	return nil
}

// Sample is one reading of a process.
type Sample struct {
	RSSMB     float64       `json:"rss_mb"`
	PeakRSSMB float64       `json:"peak_rss_mb"`
	CPU       time.Duration `json:"cpu"`
}

// Sample reads the process now; once it has exited, its final rusage (peak
// RSS and CPU over its whole life, RSS now zero).
func (p *Proc) Sample() Sample {
	if p.Alive() {
		s, err := Read(p.Pid())
		p.mu.Lock()
		defer p.mu.Unlock()
		if err != nil {
			return p.last // exiting as we looked
		}
		p.last = s
		return s
	}
	if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return Sample{
			PeakRSSMB: float64(ru.Maxrss) / 1024, // kilobytes on Linux
			CPU:       time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return Sample{PeakRSSMB: p.last.PeakRSSMB, CPU: p.last.CPU}
}

// Tail is the end of the process's log, for error messages.
func (p *Proc) Tail(lines int) string {
	data, err := os.ReadFile(p.LogPath)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// Read samples process pid from /proc.
func Read(pid int) (Sample, error) {
	s, _, err := read(pid)
	return s, err
}

// read is Read with the process's stat, which also holds its parent and
// the CPU time of the children it has reaped.
func read(pid int) (Sample, proctree.Stat, error) {
	status, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Sample{}, proctree.Stat{}, fmt.Errorf("read process %d: %w", pid, err)
	}
	defer status.Close()
	rss, hwm, err := parseStatus(status)
	if err != nil {
		return Sample{}, proctree.Stat{}, fmt.Errorf("process %d status: %w", pid, err)
	}
	st, err := proctree.ReadStat("/proc", pid)
	if err != nil {
		return Sample{}, proctree.Stat{}, err
	}
	return Sample{RSSMB: float64(rss) / 1024, PeakRSSMB: float64(hwm) / 1024, CPU: st.CPU}, st, nil
}

// parseStatus returns VmRSS and VmHWM in kB.
func parseStatus(r io.Reader) (rss, hwm int64, err error) {
	sc := bufio.NewScanner(r)
	found := 0
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || key != "VmRSS" && key != "VmHWM" {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), "kB")), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s %q: %w", key, val, err)
		}
		if key == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if found < 2 {
		return 0, 0, errors.New("no VmRSS or VmHWM (a zombie?)")
	}
	return rss, hwm, nil
}

// Point is one RSS reading in a series.
type Point struct {
	At    time.Duration `json:"at"` // since the series began
	RSSMB float64       `json:"rss_mb"`
}

// Watcher samples the RSS of processes on a ticker, so a report can show
// whether memory stays flat over a long job.
type Watcher struct {
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup

	mu     sync.Mutex
	series map[*Proc][]Point
}

// Watch samples procs every interval until Stop.
func Watch(interval time.Duration, procs ...*Proc) *Watcher {
	w := &Watcher{start: time.Now(), stop: make(chan struct{}), series: map[*Proc][]Point{}}
	for _, p := range procs {
		w.Add(p)
	}
	w.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.sampleAll()
			}
		}
	})
	return w
}

// Add starts watching p too (a restarted worker).
func (w *Watcher) Add(p *Proc) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.series[p]; !ok {
		w.series[p] = nil
	}
}

func (w *Watcher) sampleAll() {
	w.mu.Lock()
	procs := make([]*Proc, 0, len(w.series))
	for p := range w.series {
		procs = append(procs, p)
	}
	w.mu.Unlock()
	at := time.Since(w.start)
	for _, p := range procs {
		if !p.Alive() {
			continue
		}
		s := p.Sample()
		w.mu.Lock()
		w.series[p] = append(w.series[p], Point{At: at, RSSMB: s.RSSMB})
		w.mu.Unlock()
	}
}

// Stop ends the sampling.
func (w *Watcher) Stop() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.wg.Wait()
}

// Series is p's readings so far.
func (w *Watcher) Series(p *Proc) []Point {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Point(nil), w.series[p]...)
}

// At returns the reading nearest to each fraction (0..1) of the series'
// span, e.g. At(s, 0.25, 0.5, 0.75, 1) for the quartiles of a job.
func At(series []Point, fractions ...float64) []float64 {
	out := make([]float64, len(fractions))
	if len(series) == 0 {
		return out
	}
	first, last := series[0].At, series[len(series)-1].At
	for k, f := range fractions {
		target := first + time.Duration(f*float64(last-first))
		best := 0
		for i, pt := range series {
			if absDur(pt.At-target) < absDur(series[best].At-target) {
				best = i
			}
		}
		out[k] = series[best].RSSMB
	}
	return out
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
