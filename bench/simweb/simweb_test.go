package simweb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/bench/simweb"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/extract"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/testbrowser"
)

// serve starts the web on loopback and returns it with a fetcher whose dial
// override sends every simulated host there.
func serve(t *testing.T, cfg simweb.Config) (*simweb.Web, *httptest.Server, *crawl.Fetcher) {
	t.Helper()
	w := simweb.New(cfg)
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	cc := crawl.DefaultConfig()
	cc.MinHostInterval = 0
	cc.RequestTimeout = 5 * time.Second
	cc.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	cc.AllowPorts = []uint16{uint16(port)}
	cc.Hosts = map[string]string{simweb.Suffix: u.Host}
	f, err := crawl.New(cc)
	if err != nil {
		t.Fatal(err)
	}
	return w, srv, f
}

// hostWithShape finds a firm host of the given shape.
func hostWithShape(t *testing.T, shape simweb.Shape) string {
	t.Helper()
	for i := range 10_000 {
		h := fmt.Sprintf("firm-%05d%s", i, simweb.Suffix)
		if simweb.SiteFor(h).Shape == shape {
			return h
		}
	}
	t.Fatalf("no host of shape %s", shape)
	return ""
}

// TestEngineFindsEveryTeam runs the real enrichment engine against one site
// of each shape: the benchmark only measures real work if the pages are
// ones the extractor understands.
func TestEngineFindsEveryTeam(t *testing.T) {
	_, _, f := serve(t, simweb.Config{PageBytes: 40 << 10})
	eng := &enrich.Engine{Fetcher: f, MaxPages: 6}
	tests := []struct {
		shape     simweb.Shape
		wantTitle bool
		minPages  int
	}{
		{simweb.ShapeTeamLink, true, 3},
		{simweb.ShapePeopleLink, true, 3},
		{simweb.ShapeHomeTeam, true, 2},
		{simweb.ShapeHiddenTeam, true, 4},
		{simweb.ShapeLeadership, true, 3},
		{simweb.ShapeNoTeam, false, 6},
	}
	for _, tt := range tests {
		t.Run(tt.shape.String(), func(t *testing.T) {
			host := hostWithShape(t, tt.shape)
			site := simweb.SiteFor(host)
			res, err := eng.Enrich(context.Background(), firm.Input{Website: "http://" + host}, nil)
			if err != nil {
				t.Fatalf("enrich %s: %v", host, err)
			}
			got := map[string]string{}
			for _, m := range res.Team {
				got[m.Name] = m.Title
			}
			for _, m := range site.Team {
				title, ok := got[m.Name]
				if !ok {
					t.Errorf("%s: %s not found; found %v", host, m.Name, got)
					continue
				}
				if tt.wantTitle && title != m.Title {
					t.Errorf("%s: %s has title %q, want %q", host, m.Name, title, m.Title)
				}
			}
			if len(res.Team) != len(site.Team) {
				t.Errorf("%s: %d members found, want %d: %v", host, len(res.Team), len(site.Team), got)
			}
			if res.Pages < tt.minPages {
				t.Errorf("%s: %d pages fetched, want at least %d", host, res.Pages, tt.minPages)
			}
			if res.Description == "" {
				t.Errorf("%s: no description", host)
			}
		})
	}
}

func TestSitesAreStableAndVaried(t *testing.T) {
	a, b := simweb.SiteFor("alpha-1"+simweb.Suffix), simweb.SiteFor("ALPHA-1"+simweb.Suffix)
	if a.Name != b.Name || !slices.Equal(a.Team, b.Team) {
		t.Errorf("the same host gave two sites: %+v and %+v", a, b)
	}
	if a.Name != "Alpha Capital" {
		t.Errorf("name %q, want %q", a.Name, "Alpha Capital")
	}
	shapes := map[simweb.Shape]int{}
	sizes := map[int]bool{}
	for i := range 2000 {
		s := simweb.SiteFor(fmt.Sprintf("f-%d%s", i, simweb.Suffix))
		shapes[s.Shape]++
		sizes[len(s.Team)] = true
		seen := map[string]bool{}
		for _, m := range s.Team {
			if seen[m.Name] {
				t.Fatalf("%s lists %s twice", s.Host, m.Name)
			}
			seen[m.Name] = true
		}
	}
	if len(shapes) != 6 {
		t.Errorf("shapes %v, want all six", shapes)
	}
	if shapes[simweb.ShapeTeamLink] < 900 || shapes[simweb.ShapeTeamLink] > 1300 {
		t.Errorf("%d of 2000 sites link a team page, want about 55%%", shapes[simweb.ShapeTeamLink])
	}
	if len(sizes) < 10 {
		t.Errorf("team sizes %v: too little variety", sizes)
	}
}

func TestPagesArePaddedToSize(t *testing.T) {
	site := simweb.SiteFor("padding-7" + simweb.Suffix)
	for _, pad := range []int{0, 10 << 10, 100 << 10} {
		page, ok := site.Page("/", pad)
		if !ok {
			t.Fatal("no homepage")
		}
		if pad > 0 && (len(page) < pad*9/10 || len(page) > pad*11/10+2048) {
			t.Errorf("pad %d: page of %d bytes", pad, len(page))
		}
	}
	if _, ok := site.Page("/no-such-page", 0); ok {
		t.Error("a path the site does not have was served")
	}
}

func TestInjectedFailures(t *testing.T) {
	tests := []struct {
		name       string
		cfg        simweb.Config
		path       string
		wantStatus int
		wantRetry  string
	}{
		{"every page 503", simweb.Config{ErrorRate: 1}, "/", http.StatusServiceUnavailable, ""},
		{"every page 429", simweb.Config{Rate429: 1}, "/about", http.StatusTooManyRequests, "1"},
		{"robots.txt never fails", simweb.Config{ErrorRate: 0.5, Rate429: 0.5}, "/robots.txt", http.StatusOK, ""},
		{"unknown path", simweb.Config{}, "/wp-login.php", http.StatusNotFound, ""},
		{"clean web", simweb.Config{}, "/", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := simweb.New(tt.cfg)
			for range 20 {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "http://x-1"+simweb.Suffix+tt.path, nil)
				w.ServeHTTP(rec, req)
				if rec.Code != tt.wantStatus {
					t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
				}
				if got := rec.Header().Get("Retry-After"); got != tt.wantRetry {
					t.Fatalf("Retry-After %q, want %q", got, tt.wantRetry)
				}
			}
			if s := w.Stats(); s.Requests != 20 {
				t.Errorf("%d requests counted, want 20", s.Requests)
			}
		})
	}
}

func TestStatsCountRepeatedFirms(t *testing.T) {
	w, srv, _ := serve(t, simweb.Config{})
	get := func(host, path string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get("a-1"+simweb.Suffix, "/")
	get("a-1"+simweb.Suffix, "/about")
	get("b-2"+simweb.Suffix, "/")
	get("b-2"+simweb.Suffix, "/")
	get("c-3"+simweb.Suffix, "/nope")

	resp, err := http.Get(srv.URL + simweb.PathStats)
	if err != nil {
		t.Fatal(err)
	}
	var s simweb.Stats
	err = json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := simweb.Stats{Requests: 5, Pages: 4, NotFound: 1, Hosts: 2, HostsRepeated: 1}
	s.Bytes = 0
	if s != want {
		t.Errorf("stats %+v, want %+v", s, want)
	}
	if got := w.Reset(); got.Requests != 5 {
		t.Errorf("reset returned %+v", got)
	}
	if got := w.Stats(); got != (simweb.Stats{}) {
		t.Errorf("after reset: %+v", got)
	}
	if resp, err := http.Get(srv.URL + "/anything"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("control host served an unknown path: %v %v", resp.Status, err)
	}
}

func TestDelayDistribution(t *testing.T) {
	tests := []struct {
		name   string
		cfg    simweb.Config
		lo, hi time.Duration
	}{
		{"fixed", simweb.Config{Latency: 200 * time.Millisecond}, 200 * time.Millisecond, 200 * time.Millisecond},
		{"jitter", simweb.Config{Latency: 200 * time.Millisecond, Jitter: 50 * time.Millisecond}, 150 * time.Millisecond, 250 * time.Millisecond},
		{"never negative", simweb.Config{Latency: 10 * time.Millisecond, Jitter: 50 * time.Millisecond}, 0, 60 * time.Millisecond},
		{"all slow", simweb.Config{Latency: time.Millisecond, SlowRate: 1, SlowLatency: 2 * time.Second}, 2 * time.Second, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sum time.Duration
			for range 1000 {
				d := tt.cfg.Delay()
				if d < tt.lo || d > tt.hi {
					t.Fatalf("delay %s outside [%s, %s]", d, tt.lo, tt.hi)
				}
				sum += d
			}
			if mean := sum / 1000; tt.lo > 0 && (mean < tt.lo || mean > tt.hi) {
				t.Errorf("mean %s", mean)
			}
		})
	}
}

func TestScriptBuiltShare(t *testing.T) {
	tests := []struct {
		name   string
		share  float64
		lo, hi int // script-built sites of the 1,000 or so that link their team page
	}{
		{"none by default", 0, 0, 0},
		{"a tenth", 0.1, 70, 130},
		{"all", 1, -1, -1}, // every one
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := simweb.Config{ScriptShare: tt.share}
			linked, built := 0, 0
			for i := range 1200 {
				host := fmt.Sprintf("share-%d%s", i, simweb.Suffix)
				s := cfg.Site(host)
				static := simweb.SiteFor(host)
				if s.Shape != static.Shape || !slices.Equal(s.Team, static.Team) {
					t.Fatalf("%s: the share changed the site's shape or team", host)
				}
				switch s.Shape {
				case simweb.ShapeTeamLink, simweb.ShapePeopleLink, simweb.ShapeLeadership:
					linked++
				default:
					if s.ScriptBuilt {
						t.Fatalf("%s (%s) is script-built: only sites that link their team page may be", host, s.Shape)
					}
				}
				if s.ScriptBuilt {
					built++
				}
			}
			lo, hi := tt.lo, tt.hi
			if lo < 0 {
				lo, hi = linked, linked
			}
			if built < lo || built > hi {
				t.Errorf("%d of %d sites that link their team page are script-built, want %d to %d", built, linked, lo, hi)
			}
		})
	}
}

// hostScriptBuilt finds a firm host of the given shape that cfg makes
// script-built.
func hostScriptBuilt(t *testing.T, cfg simweb.Config, shape simweb.Shape) string {
	t.Helper()
	for i := range 10_000 {
		h := fmt.Sprintf("app-%05d%s", i, simweb.Suffix)
		if s := cfg.Site(h); s.Shape == shape && s.ScriptBuilt {
			return h
		}
	}
	t.Fatalf("no script-built host of shape %s", shape)
	return ""
}

func TestScriptBuiltTeamPage(t *testing.T) {
	cfg := simweb.Config{ScriptShare: 0.5, PageBytes: 40 << 10}
	host := hostScriptBuilt(t, cfg, simweb.ShapeTeamLink)
	w := simweb.New(cfg)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		w.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://"+host+path, nil))
		return rec
	}

	shell := get("/team")
	if shell.Code != http.StatusOK || shell.Body.Len() < 30<<10 {
		t.Fatalf("team page: status %d, %d bytes; want 200 and a shell padded like other pages", shell.Code, shell.Body.Len())
	}
	u, _ := url.Parse("http://" + host + "/team")
	p, err := extract.Parse(shell.Body.Bytes(), u)
	if err != nil {
		t.Fatal(err)
	}
	if !p.JSOnly || len(p.Members) != 0 {
		t.Errorf("shell: JSOnly %v with %d members; want a page that needs JavaScript and names nobody", p.JSOnly, len(p.Members))
	}

	data := get(simweb.PathTeamData)
	var team []simweb.Member
	if err := json.Unmarshal(data.Body.Bytes(), &team); err != nil || data.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("team data %q (%s): %v", data.Body.String(), data.Header().Get("Content-Type"), err)
	}
	if want := cfg.Site(host).Team; !slices.Equal(team, want) {
		t.Errorf("team data %+v, want %+v", team, want)
	}

	static := hostWithShape(t, simweb.ShapeHomeTeam) // never script-built
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://"+static+simweb.PathTeamData, nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("a static site's team data: status %d, want 404", rec.Code)
	}
	if s := w.Stats(); s.TeamData != 1 || s.Pages != 1 || s.NotFound != 1 || s.Requests != 3 {
		t.Errorf("stats %+v; want the script-built site's data request counted apart from the shell and the 404", s)
	}
}

// TestEngineRendersScriptBuiltTeams: on a script-built site the static
// engine finds nobody and says why, and the engine with a browser finds
// the whole team, for every shape that can be script-built. Without that,
// the rendering scenario would measure renders that find nothing.
func TestEngineRendersScriptBuiltTeams(t *testing.T) {
	cfg := simweb.Config{ScriptShare: 1, PageBytes: 40 << 10}
	_, _, f := serve(t, cfg)
	static := &enrich.Engine{Fetcher: f, MaxPages: 8}
	rendering := &enrich.Engine{Fetcher: f, MaxPages: 8, Renderer: testbrowser.Renderer(t, f)}
	for _, shape := range []simweb.Shape{simweb.ShapeTeamLink, simweb.ShapePeopleLink, simweb.ShapeLeadership} {
		t.Run(shape.String(), func(t *testing.T) {
			host := hostScriptBuilt(t, cfg, shape)
			site := cfg.Site(host)
			in := firm.Input{Website: "http://" + host}
			res, err := static.Enrich(context.Background(), in, nil)
			if err != nil {
				t.Fatalf("enrich %s: %v", host, err)
			}
			if len(res.Team) != 0 || res.TeamReason != firm.TeamJSOnlyNoBrowser {
				t.Errorf("without a browser: %d members, reason %q; want none, %q", len(res.Team), res.TeamReason, firm.TeamJSOnlyNoBrowser)
			}
			res, err = rendering.Enrich(context.Background(), in, nil)
			if err != nil {
				t.Fatalf("enrich %s: %v", host, err)
			}
			got := map[string]string{}
			for _, m := range res.Team {
				got[m.Name] = m.Title
			}
			for _, m := range site.Team {
				if got[m.Name] != m.Title {
					t.Errorf("rendered: %s (%s) not found; found %v", m.Name, m.Title, got)
				}
			}
			if len(res.Team) != len(site.Team) || res.Rendered != 1 {
				t.Errorf("rendered: %d members in %d renders, want %d in 1", len(res.Team), res.Rendered, len(site.Team))
			}
		})
	}
}
