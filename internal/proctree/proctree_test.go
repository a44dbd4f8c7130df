package proctree_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/internal/proctree"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    proctree.Stat
		wantErr bool
	}{
		{"ordinary", "4242 (worker) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1500 250 40 10 20 0 12 0 100 0",
			proctree.Stat{PPID: 1, CPU: 17500 * time.Millisecond, ChildCPU: 500 * time.Millisecond, Start: 100}, false},
		{"name with spaces and parens", "7 (a (b) c) R 3 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 0",
			proctree.Stat{PPID: 3, CPU: 70 * time.Millisecond, Start: 5}, false},
		{"truncated", "7 (x) R 1 2", proctree.Stat{}, true},
		{"no starttime", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0", proctree.Stat{}, true},
		{"no name", "7 x R", proctree.Stat{}, true},
		{"garbled", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 lots 4 0 0 20 0 1 0 5 0", proctree.Stat{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := proctree.ParseStat([]byte(tt.in))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %+v %v; want %+v error=%v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDescendants(t *testing.T) {
	root := t.TempDir()
	for _, p := range []struct{ pid, ppid int }{{10, 1}, {11, 10}, {12, 11}, {13, 1}, {14, 10}} {
		dir := filepath.Join(root, fmt.Sprint(p.pid))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		stat := fmt.Sprintf("%d (p%d) S %d 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0", p.pid, p.pid, p.ppid)
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "self"), 0o755); err != nil { // not a process number
		t.Fatal(err)
	}
	tests := []struct {
		pid  int
		want []int
	}{
		{10, []int{11, 14, 12}},
		{11, []int{12}},
		{12, nil},
		{99, nil},
	}
	for _, tt := range tests {
		got, err := proctree.Descendants(root, tt.pid)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Descendants(%d) = %v, %v; want %v", tt.pid, got, err, tt.want)
		}
	}
	if _, err := proctree.Descendants(filepath.Join(root, "none"), 10); err == nil {
		t.Error("no procfs: no error")
	}
}

func TestTreeMemory(t *testing.T) {
	root := t.TempDir()
	procs := []struct {
		pid, ppid int
		comm      string
		pssKB     int
	}{
		{10, 1, "chromium", 100},
		{11, 10, "chromium (renderer) x", 50}, // spaces and parentheses in the name
		{12, 11, "worker", 25},
		{13, 1, "other", 1000},
	}
	for _, p := range procs {
		dir := filepath.Join(root, fmt.Sprint(p.pid))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		stat := fmt.Sprintf("%d (%s) S %d 1 1 0 -1 4194560 500 0 0 0 12 3 0 0 20 0 1 0 100 0", p.pid, p.comm, p.ppid)
		rollup := fmt.Sprintf("55d0-7ffc ---p 00000000 00:00 0 [rollup]\nRss:\t 9999 kB\nPss:\t %d kB\nShared_Clean:\t 1 kB\n", p.pssKB)
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "smaps_rollup"), []byte(rollup), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := proctree.TreeMemory(root, 10, "smaps_rollup", "Pss")
	if err != nil || got != 175<<10 {
		t.Errorf("TreeMemory = %d, %v; want %d", got, err, 175<<10)
	}
	if _, err := proctree.TreeMemory(root, 99, "smaps_rollup", "Pss"); err == nil {
		t.Error("TreeMemory of a missing process: no error")
	}
	if n, err := proctree.TreeMemory("/proc", os.Getpid(), "status", "VmRSS"); err != nil || n <= 0 {
		t.Errorf("our own RSS = %d, %v", n, err)
	}
	for _, tc := range []struct {
		data string
		want int64
		bad  bool
	}{
		{"VmRSS:\t  12 kB\n", 12 << 10, false},
		{"Name:\tzombie\n", 0, false},
		{"VmRSS:\t  12 MB\n", 0, true},
	} {
		got, err := proctree.MemoryField([]byte(tc.data), "VmRSS")
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("MemoryField(%q) = %d, %v", tc.data, got, err)
		}
	}
}
