package activities

import (
	"context"
	"math"
	"sync"

	"golang.org/x/sync/semaphore"
)

// places pools, per job, the places of the job's slices running on this
// worker. Each slice brings its Concurrency and takes a place for each firm
// it starts. A slice ends with its slowest firm, so on its own its other
// places would sit idle meanwhile; pooled, the job's other slices here
// start their firms in them. And a slice that has started all its firms
// stays open, its places in the pool, until no slice of the job here has
// firms left to start: the job's slices are all cut at its start, so a
// slice that left early would take its places out of the job while others
// still had firms waiting, and the job's last minutes would run on ever
// fewer places. A slice that leaves takes its places back before it
// returns, waiting for the firms of other slices running in them, so a job
// never has more firms in flight on a worker than its open slices brought,
// and the window the workflow counts holds.
//
// The zero value is ready to use.
type places struct {
	mu   sync.Mutex
	jobs map[string]*jobPlaces
}

type jobPlaces struct {
	// sem's capacity is what its slices brought: it is made full (all
	// held), a slice joining releases its places into it and a slice
	// leaving acquires them back.
	sem     *semaphore.Weighted
	slices  int
	feeding int           // slices with firms left to start
	fed     chan struct{} // closed while feeding is 0
}

// slicePlaces is one slice's share of its job's pool.
type slicePlaces struct {
	p      *places
	job    string
	jp     *jobPlaces
	n      int64
	fedOne sync.Once
}

// join adds n places to job's pool for a slice that has firms to start.
func (p *places) join(job string, n int) *slicePlaces {
	p.mu.Lock()
	if p.jobs == nil {
		p.jobs = map[string]*jobPlaces{}
	}
	jp := p.jobs[job]
	if jp == nil {
		jp = &jobPlaces{sem: semaphore.NewWeighted(math.MaxInt32)}
		// Nothing else holds the new semaphore, so this cannot block.
		_ = jp.sem.Acquire(context.Background(), math.MaxInt32)
		p.jobs[job] = jp
	}
	jp.slices++
	if jp.feeding++; jp.feeding == 1 {
		jp.fed = make(chan struct{})
	}
	p.mu.Unlock()
	jp.sem.Release(int64(n))
	return &slicePlaces{p: p, job: job, jp: jp, n: int64(n)}
}

// acquire takes a place for a firm about to start.
func (s *slicePlaces) acquire(ctx context.Context) error { return s.jp.sem.Acquire(ctx, 1) }

// release gives back a firm's place.
func (s *slicePlaces) release() { s.jp.sem.Release(1) }

// fed says the slice starts no more firms: all are started, or it stops.
func (s *slicePlaces) fed() {
	s.fedOne.Do(func() {
		s.p.mu.Lock()
		defer s.p.mu.Unlock()
		if s.jp.feeding--; s.jp.feeding == 0 {
			close(s.jp.fed)
		}
	})
}

// leave waits, its places lent, until no slice of the job here has firms
// left to start (or ctx ends), then takes its places back and returns.
// Call it once the slice's own firms have ended.
func (s *slicePlaces) leave(ctx context.Context) {
	s.fed()
	s.p.mu.Lock()
	fed := s.jp.fed
	s.p.mu.Unlock()
	select {
	case <-fed:
	case <-ctx.Done():
	}
	// The places come back as the firms of other slices running in them
	// end, each within its time budget or at once on cancel;
	// semaphore.Weighted serves in order, so none starts meanwhile.
	_ = s.jp.sem.Acquire(context.Background(), s.n)
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.jp.slices--; s.jp.slices == 0 && s.p.jobs[s.job] == s.jp {
		delete(s.p.jobs, s.job)
	}
}
