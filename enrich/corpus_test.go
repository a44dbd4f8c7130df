package enrich_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/firm"
)

// The corpus is a set of small firm websites under testdata/corpus, one
// directory per host (<name>.corpus.test), each with the pages a crawler
// would find and an expected.json written by reading those pages as a
// person would: who is on the team, with what title, LinkedIn and email;
// which portfolio companies are listed; what the site says about the firm;
// and, for sites that fail, why.
const (
	corpusDir    = "testdata/corpus"
	corpusSuffix = ".corpus.test"
	// loopbackToken in a redirect target is replaced by an address on
	// loopback that the guard must refuse.
	loopbackToken = "{loopback}"
)

// site is one corpus site's expected.json.
type site struct {
	Host      string         `json:"-"`
	Name      string         `json:"name"`
	Website   string         `json:"website"`   // default http://<host>/
	Structure string         `json:"structure"` // what the site exercises, for people reading the corpus
	Error     string         `json:"error"`     // the crawl kind when the homepage fails
	Status    string         `json:"website_status"`
	Team      []person       `json:"team"`
	Portfolio []company      `json:"portfolio"`
	Profile   *profile       `json:"profile"`
	Refusals  map[string]int `json:"refusals"`
	Serve     serve          `json:"serve"`
	Retry     bool           `json:"retry"` // the first attempt fails temporarily; the second must succeed
	// Limitation explains a site the heuristics are known to read wrongly:
	// its people still count in the scores, but a miss there is logged
	// rather than failing the site.
	Limitation string `json:"limitation"`
}

type person struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	LinkedIn string `json:"linkedin"`
	Email    string `json:"email"`
	Tier     *int   `json:"tier"`
}

func (p person) key() string {
	return fmt.Sprintf("%s|%s|%s|%s", p.Name, p.Title, p.LinkedIn, p.Email)
}

type company struct {
	Name    string `json:"name"`
	Website string `json:"website"`
}

type profile struct {
	InvestorType *string  `json:"investor_type"`
	Stages       []string `json:"stages"`
	Sectors      []string `json:"sectors"`
	ContactEmail *string  `json:"contact_email"`
	LinkedIn     *string  `json:"linkedin"`
	Twitter      *string  `json:"twitter"`
	Location     *string  `json:"location"`
}

// serve describes how a site misbehaves.
type serve struct {
	RateLimitOnce   []string          `json:"rate_limit_once"`  // paths answered 429 (Retry-After 30) the first time
	UnavailableOnce []string          `json:"unavailable_once"` // paths answered 503 (Retry-After 1) the first time
	Redirects       map[string]string `json:"redirects"`        // path -> Location (301)
	Charset         string            `json:"charset"`          // charset declared for its HTML, stored in that encoding
	Gzip            bool              `json:"gzip"`             // compress answers for clients that accept gzip
}

func loadCorpus(t testing.TB) []site {
	t.Helper()
	dirs, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var sites []site
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(corpusDir, d.Name(), "expected.json"))
		if err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		var s site
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("%s/expected.json: %v", d.Name(), err)
		}
		s.Host = d.Name()
		if s.Website == "" {
			s.Website = "http://" + s.Host + "/"
		}
		sites = append(sites, s)
	}
	return sites
}

// corpusServer serves every corpus site from one loopback listener, by Host
// header, with each site's misbehaviour.
type corpusServer struct {
	srv      *httptest.Server
	sites    map[string]site
	loopback string // a URL on loopback the guard refuses

	mu       sync.Mutex
	once     map[string]bool // host+path answered with its one-time failure
	requests map[string]int  // per host, robots.txt included
}

// startCorpus listens on 127.0.0.2 where the system allows it, so that a
// redirect to 127.0.0.1 is refused for being loopback, exactly as in
// production; elsewhere it listens on 127.0.0.1 and the refused target is
// a port the guard does not allow.
func startCorpus(t testing.TB, sites []site) *corpusServer {
	t.Helper()
	cs := &corpusServer{sites: map[string]site{}, once: map[string]bool{}, requests: map[string]int{}}
	for _, s := range sites {
		cs.sites[s.Host] = s
	}
	cs.srv = httptest.NewUnstartedServer(cs)
	if l, err := net.Listen("tcp", "127.0.0.2:0"); err == nil {
		cs.srv.Listener.Close()
		cs.srv.Listener = l
	}
	cs.srv.Start()
	t.Cleanup(cs.srv.Close)
	addr := cs.srv.Listener.Addr().(*net.TCPAddr)
	if addr.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		cs.loopback = "http://127.0.0.1:9/admin"
	} else {
		cs.loopback = fmt.Sprintf("http://127.0.0.1:%d/admin", addr.Port)
	}
	return cs
}

func (cs *corpusServer) addrPort() netip.AddrPort {
	return cs.srv.Listener.Addr().(*net.TCPAddr).AddrPort()
}

// fetcher is a production fetcher that may reach only the corpus server.
func (cs *corpusServer) fetcher(t testing.TB) *crawl.Fetcher {
	t.Helper()
	ap := cs.addrPort()
	cfg := crawl.DefaultConfig()
	cfg.Allow = []netip.Prefix{netip.PrefixFrom(ap.Addr(), 32)}
	cfg.AllowPorts = []uint16{ap.Port()}
	cfg.Hosts = map[string]string{corpusSuffix: ap.String()}
	cfg.MinHostInterval = 0
	cfg.RequestTimeout = 5 * time.Second
	f, err := crawl.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (cs *corpusServer) requestCount(host string) int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.requests[host]
}

func (cs *corpusServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	cs.mu.Lock()
	cs.requests[host]++
	cs.mu.Unlock()
	s, ok := cs.sites[host]
	if !ok {
		http.NotFound(w, r)
		return
	}
	p := r.URL.Path
	if target, ok := s.Serve.Redirects[p]; ok {
		http.Redirect(w, r, strings.ReplaceAll(target, loopbackToken, cs.loopback), http.StatusMovedPermanently)
		return
	}
	if cs.firstTime(host, p, s.Serve.RateLimitOnce) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if cs.firstTime(host, p, s.Serve.UnavailableOnce) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "back soon", http.StatusServiceUnavailable)
		return
	}
	name, ok := resolveFile(host, r.URL.Path, r.URL.RawQuery)
	if !ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>")
		return
	}
	body, err := os.ReadFile(name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ct := contentType(name, s.Serve.Charset)
	w.Header().Set("Content-Type", ct)
	if s.Serve.Gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
		return
	}
	_, _ = w.Write(body)
}

func (cs *corpusServer) firstTime(host, p string, paths []string) bool {
	for _, x := range paths {
		if x != p {
			continue
		}
		cs.mu.Lock()
		defer cs.mu.Unlock()
		if cs.once[host+p] {
			return false
		}
		cs.once[host+p] = true
		return true
	}
	return false
}

// resolveFile maps a request to a file the way static hosts do: /team finds
// team.html or team/index.html; a query string selects
// "<path>@<query>.html" (team@page=2.html).
func resolveFile(host, urlPath, query string) (string, bool) {
	rel := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
	var cands []string
	if query != "" {
		q := strings.NewReplacer("&", "_", "=", "=").Replace(query)
		if rel == "" {
			cands = append(cands, "index@"+q+".html")
		}
		cands = append(cands, rel+"@"+q+".html", rel+"/index@"+q+".html")
	}
	switch {
	case rel == "":
		cands = append(cands, "index.html", "index.php")
	case strings.HasSuffix(urlPath, "/"):
		cands = append(cands, rel+"/index.html", rel+".html", rel+"/index.php")
	default:
		cands = append(cands, rel+".html", rel+"/index.html", rel)
	}
	for _, c := range cands {
		if c == "expected.json" || !fs.ValidPath(c) {
			continue
		}
		name := filepath.Join(corpusDir, host, filepath.FromSlash(c))
		if info, err := os.Stat(name); err == nil && info.Mode().IsRegular() {
			return name, true
		}
	}
	return "", false
}

func contentType(name, charset string) string {
	if charset == "" {
		charset = "utf-8"
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".php":
		return "text/html; charset=" + charset
	case ".xml":
		return "application/xml; charset=utf-8"
	case ".gz":
		return "application/gzip"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".js":
		return "text/javascript"
	}
	return "application/octet-stream"
}

// enrichSite runs the engine on one site, attempting again (as Temporal
// would after the error's RetryAfter) when the site expects a retry.
func enrichSite(t testing.TB, e *enrich.Engine, s site, index int) (firm.Result, []string, error) {
	t.Helper()
	var pages []string
	in := firm.Input{Index: index, Name: s.Name, Website: s.Website}
	progress := func(u string) { pages = append(pages, u) }
	res, err := e.Enrich(context.Background(), in, progress)
	if s.Retry {
		var ce *crawl.Error
		if !errors.As(err, &ce) || !ce.Temporary() || ce.RetryAfter <= 0 {
			t.Errorf("%s: first attempt: error %v, want a temporary *crawl.Error with RetryAfter", s.Host, err)
		}
		pages = nil
		res, err = e.Enrich(context.Background(), in, progress)
	}
	return res, pages, err
}

// corpusScore accumulates precision and recall over the corpus.
type corpusScore struct {
	peopleTP, peopleGot, peopleWant int
	nameTP                          int
	tierOK, tierWant                int
	compTP, compGot, compWant       int
	countOK, countFirms             int
	fieldOK, fieldWant              int
	pages, firms                    int
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// TestCorpus enriches every corpus site with a production fetcher and the
// default page budget, checks each against its expectations, and scores
// people extraction over the whole corpus: a person counts only when name,
// title, LinkedIn and email all match. It fails below 0.95 precision or
// 0.90 recall.
func TestCorpus(t *testing.T) {
	sites := loadCorpus(t)
	if len(sites) < 25 {
		t.Errorf("the corpus has %d sites, want at least 25", len(sites))
	}
	cs := startCorpus(t, sites)
	e := &enrich.Engine{Fetcher: cs.fetcher(t), MaxPages: config.DefaultMaxPages, Budget: 30 * time.Second}
	var sc corpusScore
	for i, s := range sites {
		t.Run(s.Host, func(t *testing.T) {
			res, pages, err := enrichSite(t, e, s, i)
			if n := cs.requestCount(s.Host); n > 0 {
				t.Logf("%d pages: %s", res.Pages, strings.Join(pages, " "))
			}
			sc.firms++
			sc.pages += res.Pages
			if res.Pages > e.MaxPages {
				t.Errorf("fetched %d pages, over the budget of %d", res.Pages, e.MaxPages)
			}
			if err == nil && len(pages) != res.Pages {
				t.Errorf("%d pages fetched but %d announced to progress", res.Pages, len(pages))
			}
			report := t.Errorf
			if s.Limitation != "" {
				report = t.Logf
				t.Logf("known limitation: %s", s.Limitation)
			}
			checkSite(t, report, s, res, err, &sc)
		})
	}
	precision := ratio(sc.peopleTP, sc.peopleGot)
	recall := ratio(sc.peopleTP, sc.peopleWant)
	t.Logf("CORPUS sites=%d people: precision %.3f (%d/%d) recall %.3f (%d/%d); names only: precision %.3f recall %.3f",
		len(sites), precision, sc.peopleTP, sc.peopleGot, recall, sc.peopleTP, sc.peopleWant,
		ratio(sc.nameTP, sc.peopleGot), ratio(sc.nameTP, sc.peopleWant))
	t.Logf("CORPUS team count exact for %d/%d firms (%.0f%%); tiers right for %d/%d people",
		sc.countOK, sc.countFirms, 100*ratio(sc.countOK, sc.countFirms), sc.tierOK, sc.tierWant)
	t.Logf("CORPUS portfolio: precision %.3f (%d/%d) recall %.3f (%d/%d); profile fields right %d/%d; pages per firm %.2f",
		ratio(sc.compTP, sc.compGot), sc.compTP, sc.compGot, ratio(sc.compTP, sc.compWant), sc.compTP, sc.compWant,
		sc.fieldOK, sc.fieldWant, float64(sc.pages)/float64(max(sc.firms, 1)))
	if precision < 0.95 {
		t.Errorf("people precision %.3f below 0.95", precision)
	}
	if recall < 0.90 {
		t.Errorf("people recall %.3f below 0.90", recall)
	}
	if r := ratio(sc.countOK, sc.countFirms); r < 0.9 {
		t.Errorf("team count exact for %.0f%% of firms, want at least 90%%", 100*r)
	}
	if p, r := ratio(sc.compTP, sc.compGot), ratio(sc.compTP, sc.compWant); p < 0.9 || r < 0.85 {
		t.Errorf("portfolio precision %.3f / recall %.3f, want at least 0.9 / 0.85", p, r)
	}
	if r := ratio(sc.fieldOK, sc.fieldWant); r < 0.9 {
		t.Errorf("profile fields right %.3f, want at least 0.9", r)
	}
	if r := ratio(sc.tierOK, sc.tierWant); r < 0.95 {
		t.Errorf("tiers right %.3f, want at least 0.95", r)
	}
}

// checkSite compares one site's result with its expectations; people and
// companies go through report, which a known limitation turns into a log.
func checkSite(t *testing.T, report func(string, ...any), s site, res firm.Result, err error, sc *corpusScore) {
	t.Helper()
	if s.Error != "" {
		var ce *crawl.Error
		if !errors.As(err, &ce) {
			t.Fatalf("error %v, want a *crawl.Error of kind %s", err, s.Error)
		}
		if string(ce.Kind) != s.Error {
			t.Errorf("error kind %s (%v), want %s", ce.Kind, err, s.Error)
		}
		if got := firm.WebsiteStatusForReason(string(ce.Kind)); string(got) != s.Status {
			t.Errorf("website status for %s = %q, want %q", ce.Kind, got, s.Status)
		}
		sc.peopleWant += len(s.Team)
		return
	}
	if err != nil {
		t.Fatalf("Enrich: %v", err)
	}
	if res.Status != firm.StatusOK {
		t.Errorf("status %q, want ok", res.Status)
	}
	if string(res.Website) != s.Status {
		t.Errorf("website status %q (%s), want %q", res.Website, res.WebsiteNote, s.Status)
	}
	if res.Website != firm.WebsiteOK && res.WebsiteNote == "" {
		t.Errorf("website status %q without a note saying why", res.Website)
	}
	for kind, n := range s.Refusals {
		if res.Refusals[kind] < n {
			t.Errorf("refusals %v, want at least %d %s", res.Refusals, n, kind)
		}
	}

	want := map[string]person{}
	wantName := map[string]bool{}
	for _, p := range s.Team {
		want[p.key()] = p
		wantName[p.Name] = true
	}
	sc.peopleWant += len(s.Team)
	sc.countFirms++
	if len(res.Team) == len(s.Team) {
		sc.countOK++
	}
	got := map[string]bool{}
	for _, m := range res.Team {
		sc.peopleGot++
		k := person{Name: m.Name, Title: m.Title, LinkedIn: m.LinkedIn, Email: m.Email}.key()
		w, ok := want[k]
		switch {
		case ok && !got[k]:
			got[k] = true
			sc.peopleTP++
		case !wantName[m.Name]:
			report("extra person %q (%q, %s, %s) from %s", m.Name, m.Title, m.LinkedIn, m.Email, m.SourceURL)
		default:
			report("person %q got (%q, %q, %q)", m.Name, m.Title, m.LinkedIn, m.Email)
		}
		if wantName[m.Name] {
			sc.nameTP++
		}
		if ok && w.Tier != nil {
			sc.tierWant++
			if m.Tier == *w.Tier {
				sc.tierOK++
			} else {
				report("%s (%s): tier %d, want %d", m.Name, m.Title, m.Tier, *w.Tier)
			}
		}
		if m.Confidence <= 0 || m.Confidence > 1 || m.SourceURL == "" {
			report("%s: confidence %.2f, source %q", m.Name, m.Confidence, m.SourceURL)
		}
	}
	for k, p := range want {
		if !got[k] {
			report("missing %s", p.key())
		}
	}
	if len(s.Team) > 0 && res.TeamPageURL == "" {
		report("no team page URL")
	}

	wantComp := map[string]company{}
	for _, c := range s.Portfolio {
		wantComp[strings.ToLower(c.Name)] = c
	}
	sc.compWant += len(s.Portfolio)
	for _, c := range res.Portfolio {
		sc.compGot++
		w, ok := wantComp[strings.ToLower(c.Name)]
		if !ok {
			report("extra company %q (%s)", c.Name, c.Website)
			continue
		}
		if w.Website != c.Website {
			report("company %q website %q, want %q", c.Name, c.Website, w.Website)
			continue
		}
		sc.compTP++
		delete(wantComp, strings.ToLower(c.Name))
	}
	for _, c := range wantComp {
		report("missing company %q", c.Name)
	}

	if s.Profile != nil {
		checkProfile(t, *s.Profile, res.Profile, sc)
	}
}

func checkProfile(t *testing.T, want profile, got firm.Profile, sc *corpusScore) {
	t.Helper()
	field := func(name string, w *string, g string) {
		if w == nil {
			return
		}
		sc.fieldWant++
		if *w == g {
			sc.fieldOK++
		} else {
			t.Logf("profile %s %q, want %q", name, g, *w)
		}
	}
	list := func(name string, w, g []string) {
		if w == nil {
			return
		}
		sc.fieldWant++
		if strings.Join(w, ";") == strings.Join(g, ";") {
			sc.fieldOK++
		} else {
			t.Logf("profile %s %q, want %q", name, g, w)
		}
	}
	field("investor type", want.InvestorType, got.InvestorType)
	list("stages", want.Stages, got.Stages)
	list("sectors", want.Sectors, got.Sectors)
	field("contact email", want.ContactEmail, got.ContactEmail)
	field("linkedin", want.LinkedIn, got.LinkedIn)
	field("twitter", want.Twitter, got.Twitter)
	field("location", want.Location, got.Location)
}

// TestCorpusFilesAreServed guards the corpus itself: every expected.json
// names a firm, and every working site has a homepage.
func TestCorpusFilesAreServed(t *testing.T) {
	for _, s := range loadCorpus(t) {
		if s.Name == "" || s.Structure == "" || s.Status == "" {
			t.Errorf("%s: expected.json needs name, structure and website_status", s.Host)
		}
		if !strings.HasSuffix(s.Host, corpusSuffix) {
			t.Errorf("%s: host must end in %s", s.Host, corpusSuffix)
		}
		if s.Error == "" && len(s.Serve.Redirects) == 0 {
			if _, ok := resolveFile(s.Host, "/", ""); !ok {
				t.Errorf("%s: no homepage", s.Host)
			}
		}
		names := map[string]bool{}
		for _, p := range s.Team {
			if names[p.Name] {
				t.Errorf("%s: %s listed twice", s.Host, p.Name)
			}
			names[p.Name] = true
		}
	}
}
