package crawl

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRobotsCacheExpiresAndEvicts(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newRobotsCache(2)
	c.now = func() time.Time { return now }
	loads := map[string]int{}
	get := func(key string) *robotsRules {
		t.Helper()
		r, err := c.get(context.Background(), key, func(context.Context) (*robotsRules, time.Duration, error) {
			loads[key]++
			return &robotsRules{delay: time.Duration(loads[key])}, time.Hour, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	get("a")
	get("a")
	if loads["a"] != 1 {
		t.Fatalf("a loaded %d times within its TTL", loads["a"])
	}
	now = now.Add(time.Hour + time.Second)
	if r := get("a"); loads["a"] != 2 || r.delay != 2 {
		t.Fatalf("expired entry not reloaded: loads %d, delay %v", loads["a"], r.delay)
	}
	get("b")
	get("c") // evicts a, the least recently used
	if len(c.byKey) != 2 || c.order.Len() != 2 {
		t.Fatalf("cache holds %d/%d entries, want 2", len(c.byKey), c.order.Len())
	}
	get("b")
	get("a")
	if loads["a"] != 3 || loads["b"] != 1 {
		t.Fatalf("loads %v: want a evicted and reloaded, b kept", loads)
	}
}

func TestRobotsCacheDoesNotKeepFailures(t *testing.T) {
	c := newRobotsCache(4)
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

func TestRobotsCacheWaitersShareOneLoad(t *testing.T) {
	c := newRobotsCache(4)
	release := make(chan struct{})
	started := make(chan struct{})
	loads := 0
	load := func(context.Context) (*robotsRules, time.Duration, error) {
		loads++
		close(started)
		<-release
		return &robotsRules{delay: 5}, time.Hour, nil
	}
	first := make(chan *robotsRules)
	go func() {
		r, _ := c.get(context.Background(), "k", load)
		first <- r
	}()
	<-started
	waiter := make(chan *robotsRules)
	go func() {
		r, _ := c.get(context.Background(), "k", func(context.Context) (*robotsRules, time.Duration, error) {
			t.Error("a second load ran while the first was in flight")
			return nil, 0, nil
		})
		waiter <- r
	}()
	close(release)
	if a, b := <-first, <-waiter; a != b || a.delay != 5 || loads != 1 {
		t.Fatalf("first %v waiter %v loads %d", a, b, loads)
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
