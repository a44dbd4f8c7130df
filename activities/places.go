package activities

import (
	"context"
	"math"
	"sync"

	"golang.org/x/sync/semaphore"
)

// places pools, per job, the places of the job's slices running on this
// worker. Each slice brings its Concurrency and takes a place for each firm
// it starts. A slice whose last firms are still running would otherwise
// leave its other places idle until its slowest firm ends (a slice ends
// with its slowest firm); pooled, the job's other slices here start their
// firms in them. A slice that ends takes its places back before it
// returns, waiting for the firms of other slices running in them, so a
// job never has more firms in flight on a worker than its open slices
// brought, and the window the workflow counts holds.
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
	sem    *semaphore.Weighted
	slices int
}

// join adds n places to job's pool and returns the pool with the function
// that takes them back; call it once the slice's own firms have ended.
func (p *places) join(job string, n int) (pool *semaphore.Weighted, leave func()) {
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
	p.mu.Unlock()
	jp.sem.Release(int64(n))
	return jp.sem, func() {
		// The places come back as the firms of other slices running in
		// them end, each within its time budget or at once on cancel;
		// semaphore.Weighted serves in order, so none starts meanwhile.
		_ = jp.sem.Acquire(context.Background(), int64(n))
		p.mu.Lock()
		defer p.mu.Unlock()
		if jp.slices--; jp.slices == 0 && p.jobs[job] == jp {
			delete(p.jobs, job)
		}
	}
}
