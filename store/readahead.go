package store

import (
	"github.com/vcenrich/vcenrich/firm"
)

// Read-ahead of an export: the workbook reads every firm in order, once per
// sheet, and each read is a stored object to fetch and decode (a GET each
// on object storage). Read one by one they were half the export's time;
// fetched a few dozen ahead, several at once, the reads overlap each other
// and the writing of the sheets, while memory holds only those few dozen.
const (
	readAheadDepth   = 64
	readAheadWorkers = 8
)

type loaded struct {
	done chan struct{}
	in   firm.Input
	res  firm.Result
	err  error
}

// readAhead serves load(i) for i in order from loads started ahead of it.
// Any other order is served too, only without the head start. Not safe for
// concurrent use; the loads it starts are.
type readAhead struct {
	load  func(i int) (firm.Input, firm.Result, error)
	total int
	base  int       // the index queue[0] loads
	queue []*loaded // loads of base, base+1, …
	slots chan struct{}
}

func newReadAhead(total int, load func(i int) (firm.Input, firm.Result, error)) *readAhead {
	return &readAhead{load: load, total: total, slots: make(chan struct{}, readAheadWorkers)}
}

func (r *readAhead) get(i int) (firm.Input, firm.Result, error) {
	if i != r.base {
		// A new pass, or a jump: what was read ahead is not wanted. Loads
		// under way finish on their own and are dropped.
		r.base, r.queue = i, nil
	}
	for len(r.queue) < readAheadDepth && r.base+len(r.queue) < r.total {
		r.queue = append(r.queue, r.start(r.base+len(r.queue)))
	}
	if len(r.queue) == 0 { // out of range: let load say why
		return r.load(i)
	}
	l := r.queue[0]
	r.queue[0] = nil
	r.queue = r.queue[1:]
	r.base++
	<-l.done
	return l.in, l.res, l.err
}

func (r *readAhead) start(i int) *loaded {
	l := &loaded{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		r.slots <- struct{}{}
		defer func() { <-r.slots }()
		l.in, l.res, l.err = r.load(i)
	}()
	return l
}
