package crawl

import (
	"context"
	"sync"
	"time"
)

// hostGate serialises requests per host and spaces them out. Entries for
// hosts nobody is using are dropped once the map reaches max, so a long run
// over many firms keeps a bounded map.
type hostGate struct {
	mu    sync.Mutex
	slots map[string]*hostSlot
	max   int
}

type hostSlot struct {
	turn  chan struct{} // capacity 1: holding it means a request to the host is in flight
	users int           // holders plus waiters; guarded by hostGate.mu
	next  time.Time     // earliest start of the next request; guarded by hostGate.mu
}

func newHostGate(max int) *hostGate {
	return &hostGate{slots: make(map[string]*hostSlot), max: max}
}

// acquire waits until host is free and its interval since the previous
// request has passed. The returned release records interval as the gap the
// next request must keep.
func (g *hostGate) acquire(ctx context.Context, host string, interval time.Duration) (release func(), err error) {
	g.mu.Lock()
	s := g.slots[host]
	if s == nil {
		if len(g.slots) >= g.max {
			g.evictLocked(time.Now())
		}
		s = &hostSlot{turn: make(chan struct{}, 1)}
		g.slots[host] = s
	}
	s.users++
	g.mu.Unlock()

	leave := func() {
		g.mu.Lock()
		s.users--
		g.mu.Unlock()
	}
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}

	g.mu.Lock()
	wait := time.Until(s.next)
	g.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-s.turn
			leave()
			return nil, ctx.Err()
		}
	}

	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			s.next = time.Now().Add(interval)
			s.users--
			g.mu.Unlock()
			<-s.turn
		})
	}, nil
}

// evictLocked drops idle hosts whose interval has run out; forgetting them
// loses nothing.
func (g *hostGate) evictLocked(now time.Time) {
	for host, s := range g.slots {
		if s.users == 0 && !now.Before(s.next) {
			delete(g.slots, host)
		}
	}
}
