package proc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
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
	own, err := proctree.ReadStat("/proc", pid)
	if err != nil {
		return Children{}, err
	}
	below, err := proctree.Descendants("/proc", pid)
	if err != nil {
		return Children{}, err
	}
	c := Children{CPU: own.ChildCPU}
	pssKnown := true
	for _, p := range below {
		s, st, err := read(p)
		if err != nil {
			continue // exited as we looked; its parent's figures will hold it once reaped
		}
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
	return c, nil
}

// readPSS reads the Pss line of /proc/<pid>/smaps_rollup, in kB.
func readPSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, fmt.Errorf("read process %d: %w", pid, err)
	}
	defer f.Close()
	return parsePSS(f)
}

// parsePSS reads the Pss line of an smaps_rollup, in kB.
func parsePSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		val, ok := strings.CutPrefix(sc.Text(), "Pss:")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), "kB")), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("Pss %q: %w", val, err)
		}
		return n, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no Pss line")
}

// ChildPeak is what a ChildWatcher saw.
type ChildPeak struct {
	PeakRSSMB float64       // the most the processes' RSS summed to at one reading
	PeakPSSMB float64       // the same of their PSS
	MostProcs int           // the most processes at one reading
	CPU       time.Duration // spent between the first reading and the last
	Samples   int
}

// ChildWatcher reads the processes below one process on a ticker. Their
// summed memory peaks at a moment none of their own high-water marks
// records, and processes come and go between readings, so it keeps the
// highest sum it read.
type ChildWatcher struct {
	pid  int
	stop chan struct{}
	wg   sync.WaitGroup

	mu    sync.Mutex
	first time.Duration
	peak  ChildPeak
}

// WatchChildren reads the processes below pid now and every interval until
// Stop.
func WatchChildren(interval time.Duration, pid int) *ChildWatcher {
	w := &ChildWatcher{pid: pid, stop: make(chan struct{})}
	if c, err := ReadChildren(pid); err == nil {
		w.first = c.CPU
		w.add(c)
	}
	w.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				if c, err := ReadChildren(pid); err == nil {
					w.add(c)
				}
			}
		}
	})
	return w
}

func (w *ChildWatcher) add(c Children) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.peak.Samples++
	w.peak.PeakRSSMB = max(w.peak.PeakRSSMB, c.RSSMB)
	w.peak.PeakPSSMB = max(w.peak.PeakPSSMB, c.PSSMB)
	w.peak.MostProcs = max(w.peak.MostProcs, c.Procs)
	w.peak.CPU = c.CPU - w.first
}

// Stop ends the readings, after a last one while the process still lives,
// and returns what they saw.
func (w *ChildWatcher) Stop() ChildPeak {
	select {
	case <-w.stop:
	default:
		close(w.stop)
		w.wg.Wait()
		if c, err := ReadChildren(w.pid); err == nil {
			w.add(c)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.peak
}
