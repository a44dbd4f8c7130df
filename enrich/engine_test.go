package enrich_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/llm"
)

// site serves pages by path for every host under .engine.test and counts
// the requests for pages (robots.txt aside).
type testSite struct {
	srv   *httptest.Server
	pages map[string]string
	hang  map[string]bool // paths that never answer until the client gives up
	reqs  atomic.Int32
}

func newTestSite(t *testing.T, pages map[string]string, hang ...string) *testSite {
	t.Helper()
	s := &testSite{pages: pages, hang: map[string]bool{}}
	for _, h := range hang {
		s.hang[h] = true
	}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			s.reqs.Add(1)
		}
		if s.hang[r.URL.Path] {
			<-r.Context().Done()
			return
		}
		body, ok := s.pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *testSite) engine(t *testing.T) *enrich.Engine {
	t.Helper()
	ap := s.srv.Listener.Addr().(*net.TCPAddr).AddrPort()
	cfg := crawl.DefaultConfig()
	cfg.Allow = []netip.Prefix{netip.PrefixFrom(ap.Addr(), 32)}
	cfg.AllowPorts = []uint16{ap.Port()}
	cfg.Hosts = map[string]string{".engine.test": ap.String()}
	cfg.MinHostInterval = 0
	cfg.RequestTimeout = 10 * time.Second
	f, err := crawl.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &enrich.Engine{Fetcher: f, MaxPages: 6}
}

const teamHome = `<html><head><title>Acme Ventures</title><meta name="description" content="Acme Ventures is a seed fund."></head><body>
<nav><a href="/portfolio">Portfolio</a></nav>
<section><h2>Team</h2><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Managing Partner</p></div>
<div class="card"><h3>Tom Reyes</h3><p>Principal</p></div>
</div></section></body></html>`

// TestBudgetKeepsWhatWasFound: a page that never answers cannot keep a
// firm past its budget, and what was found before it is returned.
func TestBudgetKeepsWhatWasFound(t *testing.T) {
	s := newTestSite(t, map[string]string{"/": teamHome}, "/portfolio")
	e := s.engine(t)
	e.Budget = 400 * time.Millisecond
	start := time.Now()
	res, err := e.Enrich(context.Background(), firm.Input{Website: "http://acme.engine.test/"}, nil)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("Enrich: %v", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %v with a budget of %v", elapsed, e.Budget)
	}
	if len(res.Team) != 2 || res.Status != firm.StatusOK {
		t.Errorf("result %+v, want ok with the homepage's two people", res)
	}
	if !strings.Contains(res.WebsiteNote, "time budget") {
		t.Errorf("website note %q does not say the budget ran out", res.WebsiteNote)
	}
}

// TestCancellationFailsTheFirm: the caller's cancellation, unlike the
// budget, is an error, so the activity stops rather than storing half a
// result as if it were whole.
func TestCancellationFailsTheFirm(t *testing.T) {
	s := newTestSite(t, map[string]string{"/": teamHome}, "/portfolio")
	e := s.engine(t)
	ctx, cancel := context.WithCancel(context.Background())
	progress := func(page string) {
		if strings.HasSuffix(page, "/portfolio") {
			cancel()
		}
	}
	_, err := e.Enrich(ctx, firm.Input{Website: "http://acme.engine.test/"}, progress)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

// TestPagesStayWithinBudget: a homepage of a thousand team links still
// costs at most MaxPages requests, and every one is announced first.
func TestPagesStayWithinBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<html><head><title>Many Links Capital</title></head><body>`)
	for i := range 1000 {
		fmt.Fprintf(&b, `<a href="/team-%d">Team</a> <a href="/people/p%d">Our people</a>`, i, i)
	}
	b.WriteString(`</body></html>`)
	pages := map[string]string{"/": b.String()}
	s := newTestSite(t, pages)
	e := s.engine(t)
	var announced []string
	res, err := e.Enrich(context.Background(), firm.Input{Website: "http://links.engine.test/"}, func(p string) { announced = append(announced, p) })
	if err != nil {
		t.Fatal(err)
	}
	if n := int(s.reqs.Load()); n > e.MaxPages || res.Pages != n || len(announced) != n {
		t.Errorf("%d requests, %d pages counted, %d announced; want equal and at most %d", n, res.Pages, len(announced), e.MaxPages)
	}
}

// fakeLLM answers chat completions with a fixed status and body.
func fakeLLM(t *testing.T, status int, content string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if status != http.StatusOK {
			http.Error(w, "upstream exploded: stack trace at pod-17", status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"content": content}}}})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// proseTeam describes the team in sentences, which the heuristics do not
// read as a team list.
const proseTeam = `<html><head><title>About | Prose Capital</title></head><body><main>
<h1>About us</h1>
<p>Prose Capital was founded in 2015 by Helen Marsh, who leads the firm as Managing Partner, together with David Osei.
Our newest colleague, Rita Lang, joined in 2023 as Associate.</p></main></body></html>`

func TestLLMFallback(t *testing.T) {
	pages := map[string]string{
		"/":      `<html><head><title>Prose Capital</title></head><body><nav><a href="/about">About</a></nav><p>Prose Capital is a venture capital firm that invests in seed-stage software companies.</p></body></html>`,
		"/about": proseTeam,
	}
	answer := `{"people":[{"name":"Helen Marsh","title":"Managing Partner","linkedin":"","email":""},{"name":"David Osei","title":"","linkedin":"","email":""},{"name":"Rita Lang","title":"Associate","linkedin":"","email":""}]}`
	cases := []struct {
		name     string
		status   int
		wantTeam int
		wantLLM  string
	}{
		{"the extractor finds the team", http.StatusOK, 3, "found 3"},
		{"a failing endpoint leaves a short reason", http.StatusInternalServerError, 0, "error: http 500"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSite(t, pages)
			srv, calls := fakeLLM(t, tc.status, answer)
			x, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "m", Retries: -1, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			e := s.engine(t)
			e.LLM = x
			res, err := e.Enrich(context.Background(), firm.Input{Website: "http://prose.engine.test/"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Team) != tc.wantTeam || res.LLM != tc.wantLLM || calls.Load() != 1 {
				t.Errorf("team %+v, llm %q, %d calls; want %d people, %q, one call", res.Team, res.LLM, calls.Load(), tc.wantTeam, tc.wantLLM)
			}
			raw, _ := json.Marshal(res)
			if strings.Contains(string(raw), "exploded") || strings.Contains(string(raw), "pod-17") {
				t.Errorf("the endpoint's error text reached the result: %s", raw)
			}
			if tc.wantTeam > 0 && (res.TeamPageURL != "http://prose.engine.test/about" || res.Team[0].Confidence >= 0.7) {
				t.Errorf("team page %q, confidence %.2f; want the about page and a low confidence", res.TeamPageURL, res.Team[0].Confidence)
			}
		})
	}
}

// TestLLMOffByDefault: without an extractor, a page the heuristics cannot
// read yields no team and no LLM note.
func TestLLMOffByDefault(t *testing.T) {
	s := newTestSite(t, map[string]string{
		"/":      `<html><head><title>Prose Capital</title></head><body><nav><a href="/about">About</a></nav><p>Prose Capital is a venture capital firm.</p></body></html>`,
		"/about": proseTeam,
	})
	res, err := s.engine(t).Enrich(context.Background(), firm.Input{Website: "http://prose.engine.test/"}, nil)
	if err != nil || len(res.Team) != 0 || res.LLM != "" {
		t.Errorf("team %v, llm %q, err %v; want nothing", res.Team, res.LLM, err)
	}
}

// TestConcurrentFirms runs many firms at once on one engine, as a worker
// does, so the race detector can see the shared parts.
func TestConcurrentFirms(t *testing.T) {
	s := newTestSite(t, map[string]string{"/": teamHome})
	e := s.engine(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.Enrich(context.Background(), firm.Input{Index: i, Website: fmt.Sprintf("http://f%d.engine.test/", i)}, nil)
			if err == nil && len(res.Team) != 2 {
				err = fmt.Errorf("firm %d: %d people", i, len(res.Team))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
