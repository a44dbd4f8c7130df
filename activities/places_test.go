package activities

import (
	"context"
	"testing"
)

// A slice's idle places serve the job's other slices on the worker; a
// slice that leaves takes its places back before it returns, so the job
// never runs more firms than its open slices brought.
func TestPlacesLendAndTakeBack(t *testing.T) {
	ctx := context.Background()
	var p places
	a := p.join("job", 2)
	b := p.join("job", 2)
	if a.jp != b.jp {
		t.Fatal("two slices of one job got two pools")
	}
	other := p.join("other job", 1)
	if other.jp == a.jp {
		t.Fatal("two jobs share a pool")
	}

	// A has no firm left to start: B runs four, in its places and A's.
	a.fed()
	for i := range 4 {
		if !b.jp.sem.TryAcquire(1) {
			t.Fatalf("place %d of 4 refused", i+1)
		}
	}
	if b.jp.sem.TryAcquire(1) {
		t.Fatal("a fifth firm started on four places")
	}
	if !other.jp.sem.TryAcquire(1) || other.jp.sem.TryAcquire(1) {
		t.Fatal("the other job's one place is not its own")
	}

	// A leaves once B has started its last firm, and returns only once
	// two of B's firms running in its places have ended.
	left := make(chan struct{})
	go func() { a.leave(ctx); close(left) }()
	b.fed()
	b.release()
	select {
	case <-left:
		t.Fatal("the slice left with its places still running another slice's firms")
	default:
	}
	b.release()
	<-left
	// B's two places remain, both taken.
	if b.jp.sem.TryAcquire(1) {
		t.Fatal("a place outlived the slice that brought it")
	}
	b.jp.sem.Release(2)
	other.release()
	b.leave(ctx)
	other.leave(ctx)
	if len(p.jobs) != 0 {
		t.Fatalf("pools left after every slice left: %v", p.jobs)
	}

	// A job's next slices start a fresh pool.
	c := p.join("job", 1)
	if !c.jp.sem.TryAcquire(1) || c.jp.sem.TryAcquire(1) {
		t.Fatal("a fresh pool does not hold exactly its slice's places")
	}
	c.release()
	c.leave(ctx)
}

// A slice that has started all its firms stays open, its places lent,
// while another slice of its job here still has firms to start; then it
// leaves. A slice whose attempt ends (ctx) does not wait.
func TestPlacesStayWhileOthersHaveFirmsToStart(t *testing.T) {
	var p places
	a := p.join("job", 2)
	b := p.join("job", 2)
	left := make(chan struct{})
	go func() { a.leave(context.Background()); close(left) }()
	// B still feeds: A must stay, and B may start firms in A's places.
	for i := range 4 {
		if err := b.acquire(context.Background()); err != nil {
			t.Fatalf("place %d: %v", i+1, err)
		}
	}
	select {
	case <-left:
		t.Fatal("the slice left while another had firms to start")
	default:
	}
	b.fed()
	for range 4 {
		b.release()
	}
	<-left

	// An attempt that ends stops waiting for the others.
	c := p.join("job", 1)
	d := p.join("job", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.leave(ctx) // returns though d has not finished feeding
	d.leave(context.Background())
	b.leave(context.Background())
	if len(p.jobs) != 0 {
		t.Fatalf("pools left after every slice left: %v", p.jobs)
	}
}
