package api

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// guesses slows down anyone guessing the API token. Every wrong token a
// client address sends (at the sign-in, as a bearer header or as a forged
// session cookie) spends one of a few allowances that come back one every
// few seconds; a client with none left is answered 429 before its token is
// even looked at. Right tokens and requests with no token spend nothing, so
// a signed-in dashboard or a script with the token is never slowed, and a
// person who mistypes it a few times is not either.
type guesses struct {
	burst int
	every time.Duration

	mu      sync.Mutex
	clients map[netip.Prefix]*rate.Limiter
	swept   time.Time // the last forget: at most one sweep per allowance
}

// guessBurst and guessEvery: ten wrong tokens at once, then one every six
// seconds, 14,400 a day: nothing for a person, hopeless for a search of any
// token worth the name.
const (
	guessBurst = 10
	guessEvery = 6 * time.Second
	// guessClients is how many addresses are remembered before those whose
	// allowance is whole again are forgotten (they lose nothing by it).
	// Past sixteen times that, with every one of them still guessing, new
	// addresses share one allowance: memory stays bounded in a flood.
	guessClients = 4096
)

func newGuesses(burst int, every time.Duration) *guesses {
	return &guesses{burst: burst, every: every, clients: map[netip.Prefix]*rate.Limiter{}}
}

// guesser is whom an address's guesses count against: the address itself, or
// for IPv6 its /64, since one machine is usually handed a whole /64.
// Unparsable addresses share one allowance rather than escape it.
func guesser(addr string) netip.Prefix {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap()
	bits := a.BitLen()
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// wait is how long the address must wait before its next guess; 0 when it
// may guess now.
func (g *guesses) wait(addr string, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	lim, ok := g.clients[g.key(addr)]
	if !ok {
		return 0
	}
	tokens := lim.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	// To the millisecond: the allowance is a float, and a wait of
	// 2.000000001 s helps nobody. Never 0 while the allowance is short.
	return max(time.Duration((1-tokens)*float64(g.every)).Round(time.Millisecond), time.Millisecond)
}

// wrong spends one of the address's allowances and reports whether that was
// its last: the moment to say so in the log, at most once an allowance.
func (g *guesses) wrong(addr string, now time.Time) (spent bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := g.key(addr)
	lim, ok := g.clients[key]
	if !ok && len(g.clients) >= guessClients && now.Sub(g.swept) >= g.every {
		g.forget(now)
		g.swept = now
		key = g.key(addr)
		lim, ok = g.clients[key]
	}
	if !ok {
		lim = rate.NewLimiter(rate.Every(g.every), g.burst)
		g.clients[key] = lim
	}
	lim.AllowN(now, 1)
	return lim.TokensAt(now) < 1
}

// key is the allowance the address spends: its own, or the shared one when
// it has none and the table is full. g.mu must be held.
func (g *guesses) key(addr string) netip.Prefix {
	k := guesser(addr)
	if _, ok := g.clients[k]; !ok && len(g.clients) >= 16*guessClients {
		return netip.Prefix{}
	}
	return k
}

// forget drops the addresses whose allowance has come back in full: a new
// limiter for them would be the same. g.mu must be held.
func (g *guesses) forget(now time.Time) {
	for key, lim := range g.clients {
		if lim.TokensAt(now) >= float64(g.burst) {
			delete(g.clients, key)
		}
	}
}
