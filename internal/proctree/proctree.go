// Package proctree reads processes from a procfs: a process's parent and
// CPU time from its stat file, and the processes below it. The renderer
// weighs its browser's processes with it, and the benchmark measures them.
package proctree

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of CPU times in /proc/<pid>/stat: 100 on
// every Linux architecture Go supports.
const clockTick = 100

// Stat is what the project reads of /proc/<pid>/stat.
type Stat struct {
	PPID int
	CPU  time.Duration // user and system time of the process itself
	// ChildCPU is that of its children it has waited for, and of theirs:
	// what a process tree spent in processes that are gone.
	ChildCPU time.Duration
	// Start is when the process started, in clock ticks since boot: with
	// the pid, it names one process, a pid being reused once it exits.
	Start uint64
}

// ParseStat reads a stat file. The command name (field 2) may hold spaces
// and parentheses, so fields are counted after its last ')'.
func ParseStat(stat []byte) (Stat, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return Stat{}, errors.New("no command name")
	}
	f := strings.Fields(string(stat[i+1:]))
	// After the name: state is field 3, ppid 4, utime 14 to cstime 17,
	// starttime 22.
	if len(f) < 20 {
		return Stat{}, fmt.Errorf("%d fields", len(f)+2)
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return Stat{}, fmt.Errorf("ppid: %w", err)
	}
	var ticks [4]int64
	for k := range ticks {
		if ticks[k], err = strconv.ParseInt(f[11+k], 10, 64); err != nil {
			return Stat{}, fmt.Errorf("field %d: %w", 14+k, err)
		}
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return Stat{}, fmt.Errorf("starttime: %w", err)
	}
	return Stat{
		PPID:     ppid,
		Start:    start,
		CPU:      time.Duration(ticks[0]+ticks[1]) * time.Second / clockTick,
		ChildCPU: time.Duration(ticks[2]+ticks[3]) * time.Second / clockTick,
	}, nil
}

// ReadStat reads process pid's stat from a procfs mounted at root.
func ReadStat(root string, pid int) (Stat, error) {
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "stat"))
	if err != nil {
		return Stat{}, fmt.Errorf("read process %d: %w", pid, err)
	}
	s, err := ParseStat(data)
	if err != nil {
		return Stat{}, fmt.Errorf("process %d stat: %w", pid, err)
	}
	return s, nil
}

// Descendants lists the processes below pid, pid excluded, each parent
// before its children, from a procfs mounted at root. A process that exits
// while they are listed may be missing.
func Descendants(root string, pid int) ([]int, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	children := make(map[int][]int)
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, err := ReadStat(root, child); err == nil {
			children[s.PPID] = append(children[s.PPID], child)
		}
	}
	var out []int
	queue := children[pid]
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		out = append(out, p)
	}
	return out, nil
}

// TreeMemory sums one memory field ("Pss" of smaps_rollup, "VmRSS" of
// status: file names the file) over pid and the processes below it, in
// bytes. A process below that exits meanwhile is left out; pid itself must
// be readable.
func TreeMemory(root string, pid int, file, field string) (int64, error) {
	below, err := Descendants(root, pid)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, p := range append([]int{pid}, below...) {
		data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(p), file))
		if err != nil {
			if p == pid {
				return 0, fmt.Errorf("process %d memory: %w", pid, err)
			}
			continue
		}
		n, err := MemoryField(data, field)
		if err != nil {
			return 0, fmt.Errorf("process %d %s: %w", p, file, err)
		}
		total += n
	}
	return total, nil
}

// MemoryField reads the "field:  N kB" line of a status or smaps_rollup
// file, in bytes; 0 when the file has no such line (zombies and kernel
// threads have no VmRSS).
func MemoryField(data []byte, field string) (int64, error) {
	for line := range bytes.Lines(data) {
		rest, ok := bytes.CutPrefix(line, []byte(field+":"))
		if !ok {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unreadable %s line %q", field, strings.TrimSpace(string(line)))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unreadable %s line %q", field, strings.TrimSpace(string(line)))
		}
		return kb << 10, nil
	}
	return 0, nil
}
