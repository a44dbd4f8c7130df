package crawl

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func newTestRobotsCache(t *testing.T, size int) *robotsCache {
	t.Helper()
	c, err := newRobotsCache(size)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRobotsCacheExpiresAndEvicts(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newTestRobotsCache(t, 2)
	c.now = func() time.Time { return now }
	loads := map[string]int{}
	get := func(key string, ttl time.Duration) *robotsRules {
		t.Helper()
		r, err := c.get(context.Background(), key, func(context.Context) (*robotsRules, time.Duration, error) {
			loads[key]++
			return &robotsRules{delay: time.Duration(loads[key])}, ttl, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	get("a", robotsTTL)
	get("a", robotsTTL)
	if loads["a"] != 1 {
		t.Fatalf("a loaded %d times within its TTL", loads["a"])
	}
	now = now.Add(robotsTTL + time.Second)
	if r := get("a", robotsTTL); loads["a"] != 2 || r.delay != 2 {
		t.Fatalf("expired entry not reloaded: loads %d, delay %v", loads["a"], r.delay)
	}
	// Each entry keeps its own TTL.
	get("b", robotsErrorTTL)
	now = now.Add(robotsErrorTTL + time.Second)
	get("a", robotsTTL)
	get("b", robotsErrorTTL)
	if loads["a"] != 2 || loads["b"] != 2 {
		t.Fatalf("loads %v: want a kept for its hour, b reloaded after its minute", loads)
	}
	get("c", robotsTTL) // evicts a, the least recently used
	if n := c.rules.Len(); n != 2 {
		t.Fatalf("cache holds %d entries, want 2", n)
	}
	get("b", robotsTTL)
	get("a", robotsTTL)
	if loads["a"] != 3 || loads["b"] != 2 {
		t.Fatalf("loads %v: want a evicted and reloaded, b kept", loads)
	}
}

func TestRobotsCacheDoesNotKeepFailures(t *testing.T) {
	c := newTestRobotsCache(t, 4)
	calls := 0
	load := func(context.Context) (*robotsRules, time.Duration, error) {
		calls++
		if calls == 1 {
			return nil, 0, errors.New("connection refused")
		}
		return &robotsRules{}, time.Hour, nil
	}
	if _, err := c.get(context.Background(), "k", load); err == nil {
		t.Fatal("first load's error was lost")
	}
	if _, err := c.get(context.Background(), "k", load); err != nil || calls != 2 {
		t.Fatalf("second get: err %v after %d loads, want a fresh load", err, calls)
	}
}

// blockingLoad is a load that waits for release, counting its runs and
// reporting whether its context had ended by then.
type blockingLoad struct {
	started, release chan struct{}
	loads            atomic.Int64
	cancelled        atomic.Bool
}

func newBlockingLoad() *blockingLoad {
	return &blockingLoad{started: make(chan struct{}), release: make(chan struct{})}
}

func (b *blockingLoad) load(ctx context.Context) (*robotsRules, time.Duration, error) {
	if b.loads.Add(1) == 1 {
		close(b.started)
	}
	<-b.release
	b.cancelled.Store(ctx.Err() != nil)
	return &robotsRules{delay: 5}, time.Hour, nil
}

type robotsResult struct {
	rules *robotsRules
	err   error
}

func TestRobotsCacheSharesOneLoad(t *testing.T) {
	tests := []struct {
		name        string
		cancelFirst bool // the caller that started the load gives up before it ends
	}{
		{"every caller waits", false},
		{"the first caller gives up", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestRobotsCache(t, 4)
			b := newBlockingLoad()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			first := make(chan robotsResult, 1)
			go func() {
				r, err := c.get(ctx, "k", b.load)
				first <- robotsResult{r, err}
			}()
			<-b.started
			waiter := make(chan robotsResult, 1)
			go func() {
				r, err := c.get(context.Background(), "k", b.load)
				waiter <- robotsResult{r, err}
			}()
			if tc.cancelFirst {
				cancel()
				// It returns while the load it started is still running.
				if got := <-first; !errors.Is(got.err, context.Canceled) {
					t.Fatalf("cancelled first caller got %v, %v", got.rules, got.err)
				}
			}
			close(b.release)
			got := <-waiter
			if got.err != nil || got.rules.delay != 5 || b.loads.Load() != 1 || b.cancelled.Load() {
				t.Fatalf("waiter got %v, %v after %d loads (load cancelled: %v)", got.rules, got.err, b.loads.Load(), b.cancelled.Load())
			}
			if !tc.cancelFirst {
				if f := <-first; f.err != nil || f.rules != got.rules {
					t.Fatalf("first caller got %v, %v; waiter %v", f.rules, f.err, got.rules)
				}
			}
		})
	}
}

func TestRobotsCacheWaiterLeavesAtOnce(t *testing.T) {
	c := newTestRobotsCache(t, 4)
	b := newBlockingLoad()
	defer close(b.release)
	go c.get(context.Background(), "k", b.load)
	<-b.started
	ctx, cancel := context.WithCancel(context.Background())
	waiter := make(chan error, 1)
	go func() {
		_, err := c.get(ctx, "k", b.load)
		waiter <- err
	}()
	cancel()
	// The load is still blocked: only leaving at once can return.
	if err := <-waiter; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter whose context ended got %v, want it to leave at once", err)
	}
}

func TestHostGateForgetsIdleHosts(t *testing.T) {
	g := newHostGate(2)
	for i := range 5 {
		release, err := g.acquire(context.Background(), fmt.Sprintf("h%d", i), 0)
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	if n := len(g.slots); n > 2 {
		t.Errorf("gate holds %d idle hosts, bound is 2", n)
	}

	// A host in use is never dropped, even over the bound.
	busy, err := g.acquire(context.Background(), "busy", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer busy()
	for i := range 3 {
		release, _ := g.acquire(context.Background(), fmt.Sprintf("x%d", i), 0)
		release()
	}
	if _, ok := g.slots["busy"]; !ok {
		t.Error("busy host was evicted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := g.acquire(ctx, "busy", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second acquire of a busy host: %v, want deadline exceeded", err)
	}
}
