package enrich

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// Large pages wait for their share of the parse budget; small ones never
// wait.
func TestLargePagesShareTheParseBudget(t *testing.T) {
	e := &Engine{}
	u, _ := url.Parse("http://firm.test/team")
	big := []byte("<html><body><p>" + strings.Repeat("x", bigPage) + "</p></body></html>")
	small := []byte("<html><body><p>Jane Doe, Partner</p></body></html>")

	e.parses.Do(func() {}) // the budget, made here so the test can hold it
	e.bigParsing = newParseBudget()
	if err := e.bigParsing.Acquire(t.Context(), bigParseBudget); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.parse(gone, big, u); err == nil {
		t.Fatal("a large page parsed although the budget was spent")
	}
	if _, err := e.parse(gone, small, u); err != nil {
		t.Fatalf("a small page waited for the budget: %v", err)
	}
	e.bigParsing.Release(bigParseBudget)
	if _, err := e.parse(t.Context(), big, u); err != nil {
		t.Fatalf("a large page with the budget free: %v", err)
	}
}
