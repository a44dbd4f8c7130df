package store

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/vcenrich/vcenrich/firm"
)

// Whatever the order of reads, each gets its own firm (and its own error),
// and no more loads run at once than the read-ahead's workers.
func TestReadAhead(t *testing.T) {
	const total = 3*readAheadDepth + 5
	broken := errors.New("broken")
	seq := func(from, to int) []int {
		var out []int
		for i := from; i < to; i++ {
			out = append(out, i)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		reads []int
	}{
		{"one pass", seq(0, total)},
		{"four passes, as the workbook's sheets", append(append(append(seq(0, total), seq(0, total)...), seq(0, total)...), seq(0, total)...)},
		{"jumps", []int{7, 8, 9, 3, 4, total - 1, 0, 1, 200, 199}},
		{"past the end", []int{total - 1, total, total + 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var running, most atomic.Int32
			r := newReadAhead(total, func(i int) (firm.Input, firm.Result, error) {
				n := running.Add(1)
				defer running.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				if i%50 == 17 || i >= total {
					return firm.Input{}, firm.Result{}, fmt.Errorf("firm %d: %w", i, broken)
				}
				return firm.Input{Index: i, Name: fmt.Sprint("Firm ", i)}, firm.Result{Index: i}, nil
			})
			for _, i := range tc.reads {
				in, res, err := r.get(i)
				if i%50 == 17 || i >= total {
					if !errors.Is(err, broken) || err.Error() != fmt.Sprintf("firm %d: broken", i) {
						t.Fatalf("read %d: error %v, want firm %d's", i, err, i)
					}
					continue
				}
				if err != nil || in.Index != i || res.Index != i || in.Name != fmt.Sprint("Firm ", i) {
					t.Fatalf("read %d: got firm %d result %d, %v", i, in.Index, res.Index, err)
				}
			}
			if m := most.Load(); m > readAheadWorkers {
				t.Errorf("%d loads at once, more than the %d workers", m, readAheadWorkers)
			}
		})
	}
}
