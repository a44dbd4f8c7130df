package api

import (
	"fmt"
	"testing"
	"time"
)

func TestGuesses(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	type step struct {
		addr     string
		at       time.Duration // after t0
		wrongs   int           // wrong tokens sent at that moment
		wantWait time.Duration // wait afterwards
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"a few mistakes cost nothing", []step{
			{"192.0.2.1", 0, 3, 0},
		}},
		{"out of guesses after the burst, back one every period", []step{
			{"192.0.2.1", 0, 10, 6 * time.Second},
			{"192.0.2.1", 4 * time.Second, 0, 2 * time.Second},
			{"192.0.2.1", 6 * time.Second, 0, 0},
			{"192.0.2.1", 6 * time.Second, 1, 6 * time.Second},
		}},
		{"other addresses keep theirs", []step{
			{"192.0.2.1", 0, 10, 6 * time.Second},
			{"192.0.2.2", 0, 0, 0},
			{"2001:db8::1", 0, 0, 0},
		}},
		{"an IPv6 /64 is one client", []step{
			{"2001:db8:0:1::1", 0, 5, 0},
			{"2001:db8:0:1::2", 0, 5, 6 * time.Second},
			{"2001:db8:0:2::1", 0, 0, 0},
		}},
		{"an IPv4 address mapped into IPv6 is the same address", []step{
			{"192.0.2.9", 0, 9, 0},
			{"::ffff:192.0.2.9", 0, 1, 6 * time.Second},
		}},
		{"unparsable addresses share one allowance", []step{
			{"not an address", 0, 10, 6 * time.Second},
			{"", 0, 0, 6 * time.Second},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuesses(10, 6*time.Second)
			for i, s := range tc.steps {
				now := t0.Add(s.at)
				for range s.wrongs {
					g.wrong(s.addr, now)
				}
				if got := g.wait(s.addr, now); got != s.wantWait {
					t.Errorf("step %d (%s at +%s): wait %s, want %s", i, s.addr, s.at, got, s.wantWait)
				}
			}
		})
	}
}

func TestGuessesSaysOnceWhenSpent(t *testing.T) {
	g := newGuesses(3, time.Second)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var spent []bool
	for range 4 {
		spent = append(spent, g.wrong("192.0.2.1", now))
	}
	if fmt.Sprint(spent) != "[false false true true]" {
		t.Errorf("spent after each wrong token: %v", spent)
	}
}

// The table of addresses stays bounded: those whose allowance is whole again
// are forgotten, and past the hard bound new ones share one allowance.
func TestGuessesForgetAndBound(t *testing.T) {
	g := newGuesses(2, time.Second)
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for i := range guessClients {
		g.wrong(fmt.Sprintf("10.0.%d.%d", i/256, i%256), t0)
	}
	if len(g.clients) != guessClients {
		t.Fatalf("%d clients remembered, want %d", len(g.clients), guessClients)
	}
	// Two seconds on, every allowance is whole: the next new address
	// sweeps them all away.
	g.wrong("192.0.2.1", t0.Add(2*time.Second))
	if len(g.clients) != 1 {
		t.Fatalf("%d clients remembered after the sweep, want 1", len(g.clients))
	}

	// A flood of addresses that all keep guessing: the table stops growing
	// and newcomers share the overflow allowance, which runs out.
	g = newGuesses(2, time.Hour)
	for i := range 16 * guessClients {
		g.wrong(fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255), t0)
	}
	for _, addr := range []string{"172.16.0.1", "172.16.0.2"} {
		g.wrong(addr, t0)
	}
	if len(g.clients) != 16*guessClients+1 {
		t.Errorf("%d clients remembered, want %d", len(g.clients), 16*guessClients+1)
	}
	if g.wait("172.16.0.3", t0) == 0 {
		t.Error("a new address in a flood may guess although the shared allowance is spent")
	}
	if g.wait("10.0.0.1", t0) != 0 {
		t.Error("an address with one guess spent of two is refused")
	}
}
