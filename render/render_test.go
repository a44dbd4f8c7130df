package render_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/render"
)

// file is what a test site serves at a path.
type file struct {
	contentType string
	body        string
}

// site is a firm's site on loopback that counts the hits on each path.
type site struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

// newSite serves files; a path missing from files is a 404. Handlers in
// extra take their paths first.
func newSite(t testing.TB, files map[string]file, extra map[string]http.HandlerFunc) *site {
	t.Helper()
	s := &site{hits: make(map[string]int)}
	mux := http.NewServeMux()
	for path, h := range extra {
		mux.HandleFunc(path, h)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		io.WriteString(w, f.body)
	})
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) url(path string) string { return s.srv.URL + path }

func (s *site) hitsOn(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) totalHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hits {
		n += h
	}
	return n
}

func (s *site) endpoint(t testing.TB) netip.AddrPort {
	t.Helper()
	u, err := url.Parse(s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

// newRenderer renders through a fetcher that may reach the site and nothing
// else the guard refuses.
func newRenderer(t testing.TB, cfg render.Config, s *site) *render.Renderer {
	t.Helper()
	cfg.Browser = render.BrowserSetting(t)
	fcfg := crawl.DefaultConfig()
	fcfg.AllowEndpoints = []netip.AddrPort{s.endpoint(t)}
	fcfg.MinHostInterval = 0
	fcfg.RequestTimeout = 5 * time.Second
	fetcher, err := crawl.New(fcfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(cfg, fetcher, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func renderOK(t testing.TB, r *render.Renderer, rawURL string) render.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := r.Render(ctx, rawURL)
	if err != nil {
		t.Fatalf("Render(%s): %v", rawURL, err)
	}
	return res
}

func html(body string) file { return file{"text/html; charset=utf-8", body} }
func js(body string) file   { return file{"application/javascript", body} }
func json(body string) file { return file{"application/json", body} }

const teamJSON = `[{"name": "Ada Lovelace", "role": "Partner"}, {"name": "Grace Hopper", "role": "Principal"}]`

// showTeam is a script that writes the people of a JSON answer into #team.
const showTeam = `
function show(people) {
	const ul = document.getElementById("team");
	for (const p of people) {
		const li = document.createElement("li");
		li.textContent = p.name + ", " + p.role;
		ul.appendChild(li);
	}
}`

func TestRendersScriptBuiltTeams(t *testing.T) {
	s := newSite(t, map[string]file{
		"/json/":            html(`<ul id="team"></ul><script src="/json/app.js"></script>`),
		"/json/app.js":      js(showTeam + `fetch("/team.json").then(r => r.json()).then(show);`),
		"/team.json":        json(teamJSON),
		"/api/":             html(`<ul id="team"></ul><script>` + showTeam + `addEventListener("load", () => setTimeout(() => fetch("/api/people", {headers: {Accept: "application/json"}}).then(r => r.json()).then(show), 200));</script>`),
		"/api/people":       json(teamJSON),
		"/people/":          html(`<ul id="team"></ul><script src="app.js"></script>`),
		"/people/app.js":    js(showTeam + `fetch("team.json").then(r => r.json()).then(show);`),
		"/people/team.json": json(teamJSON),
		"/alert/":           html(`<ul id="team"></ul><script>` + showTeam + `alert("Welcome"); if (confirm("Cookies?")) fetch("/team.json").then(r => r.json()).then(show);</script>`),
	}, map[string]http.HandlerFunc{
		"/team": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/people/", http.StatusMovedPermanently)
		},
	})
	r := newRenderer(t, render.Config{}, s)
	tests := []struct {
		name, path, wantPath string
		wantFulfilled        int
	}{
		{"team from a JSON file", "/json/", "/json/", 3},
		{"team after an API call", "/api/", "/api/", 2},
		// Relative links resolve against where the redirect led.
		{"redirected page", "/team", "/people/", 4},
		// Dialogs are answered, or the script would wait forever.
		{"after an alert and a confirm", "/alert/", "/alert/", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := renderOK(t, r, s.url(tc.path))
			for _, want := range []string{"Ada Lovelace, Partner", "Grace Hopper, Principal"} {
				if !strings.Contains(res.HTML, want) {
					t.Errorf("rendered HTML lacks %q:\n%s", want, res.HTML)
				}
			}
			if res.URL != s.url(tc.wantPath) {
				t.Errorf("URL = %s, want %s", res.URL, s.url(tc.wantPath))
			}
			// The browser may ask for a favicon, which is skipped.
			if !res.Idle || res.Fulfilled != tc.wantFulfilled || res.Refused.Total() != res.Refused.Skipped || res.Abandoned != 0 ||
				res.Requests != res.Fulfilled+res.Refused.Skipped {
				t.Errorf("result %+v: want idle, %d fulfilled and nothing else", res, tc.wantFulfilled)
			}
		})
	}
}

// pollForever fetches /poll every 25 ms for as long as the page lives.
const pollForever = `<p id="out">nothing yet</p><script>
let n = 0;
setInterval(() => fetch("/poll?n=" + n++).then(r => r.text())
	.then(t => { document.getElementById("out").textContent = "polled " + t; }).catch(() => {}), 25);
</script>`

// teamPage builds its team from /team.json.
var teamPage = html(`<ul id="team"></ul><script>` + showTeam + `fetch("/team.json").then(r => r.json()).then(show);</script>`)

// pollingSite serves pollForever at / and teamPage at /team/.
func pollingSite(t *testing.T, polled chan<- struct{}) *site {
	return newSite(t, map[string]file{"/": html(pollForever), "/team/": teamPage, "/team.json": json(teamJSON)}, map[string]http.HandlerFunc{
		"/poll": func(w http.ResponseWriter, r *http.Request) {
			if polled != nil {
				select {
				case polled <- struct{}{}:
				default:
				}
			}
			io.WriteString(w, r.URL.Query().Get("n"))
		},
	})
}

func TestBudgetsEndAPageThatPollsForever(t *testing.T) {
	tests := []struct {
		name        string
		cfg         render.Config
		wantIdle    bool
		wantWithin  time.Duration
		wantAtLeast time.Duration
	}{
		// Refused requests bring nothing: the page is idle soon after the
		// last one the fetcher answered.
		{"the request budget", render.Config{MaxRequests: 8, PageBudget: 20 * time.Second}, true, 10 * time.Second, 0},
		{"the time budget", render.Config{MaxRequests: 100000, PageBudget: 2 * time.Second}, false, 2*time.Second + 5*time.Second, 2 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := pollingSite(t, nil)
			r := newRenderer(t, tc.cfg, s)
			start := time.Now()
			res := renderOK(t, r, s.url("/"))
			took := time.Since(start)
			if took > tc.wantWithin || took < tc.wantAtLeast {
				t.Errorf("render took %s, want between %s and %s", took, tc.wantAtLeast, tc.wantWithin)
			}
			if res.Idle != tc.wantIdle {
				t.Errorf("Idle = %v, want %v", res.Idle, tc.wantIdle)
			}
			if !strings.Contains(res.HTML, "polled ") {
				t.Errorf("the page's own progress is lost:\n%s", res.HTML)
			}
			if fetched := s.totalHits() - s.hitsOn("/robots.txt"); fetched > tc.cfg.MaxRequests {
				t.Errorf("%d fetches, over the budget of %d", fetched, tc.cfg.MaxRequests)
			}
			if tc.cfg.MaxRequests < 100 && res.Refused.Budget == 0 {
				t.Errorf("no request refused for the budget: %+v", res)
			}
			if res.Requests != res.Fulfilled+res.Refused.Total()+res.Abandoned {
				t.Errorf("counts do not add up: %+v", res)
			}
		})
	}
}

func TestAPageReachesNothingTheFetcherRefuses(t *testing.T) {
	other := newSite(t, map[string]file{"/": html("secret")}, nil)
	otherHost := other.endpoint(t).String()
	s := newSite(t, map[string]file{
		"/robots.txt":        {"text/plain", "User-agent: *\nDisallow: /private/\n"},
		"/private/data.json": json(`{"secret": true}`),
		"/private/":          html("private"),
		"/": html(`<p id="out">pending</p>
<img src="http://` + otherHost + `/pixel.png">
<script>
const tries = [
	"http://` + otherHost + `/secret",
	"http://169.254.169.254/latest/meta-data/",
	"http://10.0.0.1/",
	"/private/data.json",
];
try { new WebSocket("ws://` + otherHost + `/socket"); } catch (e) {}
fetch("/api/write", {method: "POST", body: "x"}).catch(() => {});
Promise.allSettled(tries.map(u => fetch(u).then(r => r.text()))).then(rs => {
	document.getElementById("out").textContent = "tries: " + rs.map(r => r.status).join(",");
});
</script>`),
	}, nil)
	r := newRenderer(t, render.Config{}, s)
	res := renderOK(t, r, s.url("/"))

	if !strings.Contains(res.HTML, "tries: rejected,rejected,rejected,rejected") {
		t.Errorf("the page's requests were not all failed:\n%s", res.HTML)
	}
	if n := other.totalHits(); n != 0 {
		t.Errorf("the other loopback server got %d hits: %v", n, other.hits)
	}
	if n := s.hitsOn("/private/data.json") + s.hitsOn("/api/write"); n != 0 {
		t.Errorf("disallowed or non-GET paths got %d hits", n)
	}
	// The image is skipped, and maybe a favicon.
	want := render.Refused{Guard: 3, Robots: 1, Skipped: res.Refused.Skipped, Other: 1}
	if res.Refused != want || res.Refused.Skipped < 1 {
		t.Errorf("refusals %+v, want %+v with at least one skipped", res.Refused, want)
	}

	_, err := r.Render(context.Background(), s.url("/private/"))
	var fe *crawl.Error
	if !errors.As(err, &fe) || fe.Kind != crawl.KindRobots {
		t.Errorf("rendering a disallowed page: %v, want the fetcher's robots refusal", err)
	}
}

func TestImagesFontsAndMediaAreNotFetched(t *testing.T) {
	s := newSite(t, map[string]file{
		"/": html(`<style>@font-face { font-family: Brand; src: url(/brand.woff2); } h1 { font-family: Brand; }
.hero { background: url(/hero.jpg); }</style>
<link rel="icon" href="/favicon.ico">
<h1 class="hero">Our team</h1><img src="/logo.png"><video src="/clip.mp4" autoplay muted></video>
<ul id="team"></ul><script>` + showTeam + `fetch("/team.json").then(r => r.json()).then(show);</script>`),
		"/team.json": json(teamJSON),
	}, nil)
	r := newRenderer(t, render.Config{}, s)
	res := renderOK(t, r, s.url("/"))
	if !strings.Contains(res.HTML, "Ada Lovelace") {
		t.Errorf("team missing:\n%s", res.HTML)
	}
	for _, path := range []string{"/logo.png", "/brand.woff2", "/hero.jpg", "/clip.mp4", "/favicon.ico"} {
		if n := s.hitsOn(path); n != 0 {
			t.Errorf("%s fetched %d times", path, n)
		}
	}
	if res.Refused.Skipped < 3 || res.Refused.Total() != res.Refused.Skipped {
		t.Errorf("refusals %+v: want the image, font and media skipped, nothing else refused", res.Refused)
	}
}

func TestABrowserKilledMidPageIsRestarted(t *testing.T) {
	polled := make(chan struct{}, 1)
	s := pollingSite(t, polled)
	r := newRenderer(t, render.Config{PageBudget: 30 * time.Second}, s)

	done := make(chan error, 1)
	go func() {
		_, err := r.Render(context.Background(), s.url("/"))
		done <- err
	}()
	select {
	case <-polled:
	case <-time.After(30 * time.Second):
		t.Fatal("the page never polled")
	}
	pid := r.BrowserPID()
	if pid == 0 {
		t.Fatal("no browser process")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, render.ErrBrowserLost) {
			t.Errorf("render during the crash: %v, want ErrBrowserLost", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the render outlived its browser")
	}

	res := renderOK(t, r, s.url("/team/"))
	if !strings.Contains(res.HTML, "Ada Lovelace") {
		t.Errorf("the render after the crash got nothing:\n%s", res.HTML)
	}
	if got := r.BrowserPID(); got == 0 || got == pid {
		t.Errorf("browser pid %d after the crash, was %d: want a new one", got, pid)
	}
}

func TestBrowserOverItsMemoryCapIsRestartedBetweenRenders(t *testing.T) {
	s := newSite(t, map[string]file{"/": html(`<p id="p"></p><script>document.getElementById("p").textContent = "built";</script>`)}, nil)
	r := newRenderer(t, render.Config{MaxMemory: 1}, s)
	for range 2 {
		res := renderOK(t, r, s.url("/"))
		if !strings.Contains(res.HTML, "built") {
			t.Errorf("script did not run:\n%s", res.HTML)
		}
		// The over-cap browser is retired after the render: the next
		// render starts another.
		if pid := r.BrowserPID(); pid != 0 {
			t.Errorf("browser %d still in use after going over the cap", pid)
		}
	}
}

// The fetcher answers network requests only: anything else would be read by
// the browser itself, so it is refused before any browser starts.
func TestOnlyWebPagesAreRendered(t *testing.T) {
	s := newSite(t, nil, nil)
	r := newRenderer(t, render.Config{}, s)
	for _, u := range []string{"file:///etc/passwd", "chrome://version", "javascript:alert(1)", "data:text/html,<p>x", "about:blank", "http:///nohost"} {
		if _, err := r.Render(context.Background(), u); err == nil || !strings.Contains(err.Error(), "bad URL") {
			t.Errorf("Render(%s) = %v, want a bad URL", u, err)
		}
	}
	if pid := r.BrowserPID(); pid != 0 {
		t.Errorf("a browser (%d) was started for nothing", pid)
	}
}

func TestUnavailable(t *testing.T) {
	fetcher, err := crawl.New(crawl.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, setting, path string
	}{
		{"off", "off", os.Getenv("PATH")},
		{"OFF", "OFF", os.Getenv("PATH")},
		{"missing path", filepath.Join(t.TempDir(), "chromium"), os.Getenv("PATH")},
		{"auto, nothing on PATH", "auto", t.TempDir()},
		{"empty means auto", "", t.TempDir()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", tc.path)
			r, err := render.New(render.Config{Browser: tc.setting}, fetcher, nil)
			if !errors.Is(err, render.ErrUnavailable) || r != nil {
				t.Errorf("New(%q) = %v, %v; want no renderer and ErrUnavailable", tc.setting, r, err)
			}
			t.Log(err)
		})
	}
}
