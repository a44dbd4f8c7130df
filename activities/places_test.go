package activities

import (
	"testing"
)

// A slice's idle places serve the job's other slices on the worker; a
// slice that leaves takes its places back before it returns, so the job
// never runs more firms than its open slices brought.
func TestPlacesLendAndTakeBack(t *testing.T) {
	var p places
	a, leaveA := p.join("job", 2)
	b, leaveB := p.join("job", 2)
	if a != b {
		t.Fatal("two slices of one job got two pools")
	}
	other, leaveOther := p.join("other job", 1)
	if other == a {
		t.Fatal("two jobs share a pool")
	}

	// A has no firm left to start: B runs four, in its places and A's.
	for i := range 4 {
		if !b.TryAcquire(1) {
			t.Fatalf("place %d of 4 refused", i+1)
		}
	}
	if b.TryAcquire(1) {
		t.Fatal("a fifth firm started on four places")
	}
	if !other.TryAcquire(1) || other.TryAcquire(1) {
		t.Fatal("the other job's one place is not its own")
	}

	// A leaves while B runs in its places: A returns only once two of
	// them are back.
	left := make(chan struct{})
	go func() { leaveA(); close(left) }()
	b.Release(1)
	select {
	case <-left:
		t.Fatal("the slice left with its places still running another slice's firms")
	default:
	}
	b.Release(1)
	<-left
	// B's two places remain, both taken.
	if b.TryAcquire(1) {
		t.Fatal("a place outlived the slice that brought it")
	}
	b.Release(2)
	other.Release(1)
	leaveB()
	leaveOther()
	if len(p.jobs) != 0 {
		t.Fatalf("pools left after every slice left: %v", p.jobs)
	}

	// A job's next slices start a fresh pool.
	c, leaveC := p.join("job", 1)
	if !c.TryAcquire(1) || c.TryAcquire(1) {
		t.Fatal("a fresh pool does not hold exactly its slice's places")
	}
	c.Release(1)
	leaveC()
}
