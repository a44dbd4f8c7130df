package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/vcenrich/vcenrich/internal/proctree"
)

// Children is what the processes below one process cost together: the
// browser a worker starts, with its renderers and services.
type Children struct {
	Procs int     // running now
	RSSMB float64 // their resident memory summed; pages they share count in each
	// PSSMB splits each shared page between the processes that map it:
	// what they take together. Chromium's processes share most of their
	// code, so their RSS sum can be twice this. 0 when the kernel would
	// not tell (smaps_rollup needs Linux 4.14 and access to the process).
	PSSMB float64
	// CPU is theirs and that of the ones already gone, reaped by the
	// process or by one of them: it only grows while the process lives.
	CPU time.Duration
}

// ReadChildren reads the processes below pid.
func ReadChildren(pid int) (Children, error) {
	c, _, err := readChildren(pid)
	return c, err
}

// process names one process: a pid is reused once its process exits.
type process struct {
	pid   int
	start uint64
}

// readChildren is ReadChildren with each process's own CPU time.
func readChildren(pid int) (Children, map[process]time.Duration, error) {
	own, err := proctree.ReadStat("/proc", pid)
	if err != nil {
		return Children{}, nil, err
	}
	below, err := proctree.Descendants("/proc", pid)
	if err != nil {
		return Children{}, nil, err
	}
	c := Children{CPU: own.ChildCPU}
	each := make(map[process]time.Duration, len(below))
	pssKnown := true
	for _, p := range below {
		s, st, err := read(p)
		if err != nil {
			continue // exited as we looked; its parent's figures will hold it once reaped
		}
		each[process{p, st.Start}] = st.CPU
		c.Procs++
		c.RSSMB += s.RSSMB
		c.CPU += st.CPU + st.ChildCPU
		kb, err := readPSS(p)
		pssKnown = pssKnown && err == nil
		c.PSSMB += float64(kb) / 1024
	}
	if !pssKnown {
		c.PSSMB = 0 // a part would pass for the whole
	}
	return c, each, nil
}

// readPSS reads the Pss line of /proc/<pid>/smaps_rollup, in kB.
func readPSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, fmt.Errorf("read process %d: %w", pid, err)
	}
	return pssKB(data)
}

// pssKB is the Pss of an smaps_rollup, in kB; a file without one is an
// error, since a part would pass for the whole.
func pssKB(data []byte) (int64, error) {
	if !bytes.HasPrefix(data, []byte("Pss:")) && !bytes.Contains(data, []byte("\nPss:")) {
		return 0, errors.New("no Pss line")
	}
	n, err := proctree.MemoryField(data, "Pss")
	return n >> 10, err
}

// ChildPeak is what a ChildWatcher saw.
type ChildPeak struct {
	PeakRSSMB float64 // the most the processes' RSS summed to at one reading
	PeakPSSMB float64 // the same of their PSS
	MostProcs int     // the most processes at one reading
	// CPU is what the processes spent from the first reading to the last,
	// summed over every process a reading found. The figures of the ones
	// reaped are not used: a browser that is closed leaves its renderers to
	// init, so what they spent would vanish from below the process. What a
	// process spends after the last reading before it exits is missed; for
	// a browser's closed tab that is little.
	CPU     time.Duration
	Samples int
}

// ChildWatcher reads the processes below one process on a ticker. Their
// summed memory peaks at a moment none of their own high-water marks
// records, and processes come and go between readings, so it keeps the
// highest sum it read, and the CPU of each process it saw.
type ChildWatcher struct {
	pid  int
	stop chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	started bool
	first   map[process]time.Duration // CPU at the first reading
	last    map[process]time.Duration // CPU at the latest reading that found it
	peak    ChildPeak
}

// WatchChildren reads the processes below pid now and every interval until
// Stop.
func WatchChildren(interval time.Duration, pid int) *ChildWatcher {
	w := &ChildWatcher{pid: pid, stop: make(chan struct{}), last: map[process]time.Duration{}}
	w.read()
	w.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.read()
			}
		}
	})
	return w
}

func (w *ChildWatcher) read() {
	c, each, err := readChildren(w.pid)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started {
		w.started, w.first = true, each
	}
	w.peak.Samples++
	w.peak.PeakRSSMB = max(w.peak.PeakRSSMB, c.RSSMB)
	w.peak.PeakPSSMB = max(w.peak.PeakPSSMB, c.PSSMB)
	w.peak.MostProcs = max(w.peak.MostProcs, c.Procs)
	var cpu time.Duration
	for p, t := range each {
		w.last[p] = t
	}
	for p, t := range w.last {
		cpu += t - w.first[p]
	}
	w.peak.CPU = cpu
}

// Stop ends the readings, after a last one while the process still lives,
// and returns what they saw.
func (w *ChildWatcher) Stop() ChildPeak {
	select {
	case <-w.stop:
	default:
		close(w.stop)
		w.wg.Wait()
		w.read()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.peak
}
