package chaos

import (
	"bytes"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The web the workers crawl: one loopback server answering for many virtual
// hosts. fNNN.chaos.test are ordinary firm sites (a homepage linking to a
// team page of three people); the named hosts below are hostile.
const (
	hostLoop     = "loop.chaos.test"     // redirects forever
	hostHuge     = "huge.chaos.test"     // a homepage of several gigabytes
	hostDrip     = "drip.chaos.test"     // a byte now and then, never the end
	hostGzipBomb = "gzipbomb.chaos.test" // a gigabyte of gzip in a megabyte
	hostCharset  = "charset.chaos.test"  // a charset nobody knows and bytes that are not UTF-8
	hostMetadata = "metadata.chaos.test" // redirects to the cloud metadata address
	hostLinks    = "links.chaos.test"    // 100,000 links, every one of them a team page
	hostInject   = "inject.chaos.test"   // text that a spreadsheet would run as a formula
	hostLongDesc = "longdesc.chaos.test" // a 100 KB description
	hostFormula  = "formula.chaos.test"  // the website a formula cell computes
)

var (
	firstNames = []string{"Amelia", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiroshi", "Ingrid", "Jonas", "Kavya", "Lucas", "Mirela", "Nikolai", "Olivia", "Pavel", "Quinn", "Rosa", "Stefan", "Tamsin", "Ulrich", "Valeria", "Wendell", "Ximena", "Yusuf", "Zofia"}
	lastNames  = []string{"Abernathy", "Bianchi", "Castellano", "Drummond", "Eriksen", "Fairbanks", "Gallagher", "Halvorsen", "Iwasaki", "Jankowski", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okonkwo", "Pellegrini", "Quintero", "Rasmussen", "Sorensen", "Tanaka", "Underwood", "Vasquez", "Whitfield", "Yamamoto", "Zielinski"}
	titles     = []string{"Managing Partner", "General Partner", "Principal", "Associate"}
)

type member struct{ Name, Title string }

// firmHost and firmName are firm i's website host and name in uploads.
func firmHost(i int) string { return fmt.Sprintf("f%03d.chaos.test", i) }
func firmName(i int) string { return fmt.Sprintf("Chaos Fund %03d", i) }

// teamOf is firm i's team: three people whose names differ from firm to
// firm, so a member listed under the wrong firm would be noticed.
func teamOf(i int) []member {
	out := make([]member, 3)
	for k := range out {
		out[k] = member{
			Name:  firstNames[(i*3+k)%len(firstNames)] + " " + lastNames[(i*7+k*11)%len(lastNames)],
			Title: titles[(i+k)%len(titles)],
		}
	}
	return out
}

func homePage(name, description string) string {
	return fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%[1]s</title>
<meta name="description" content="%[2]s"></head>
<body><header><a href="/">%[1]s</a><nav><a href="/team">Team</a></nav></header>
<main><h1>We back builders.</h1><p>%[1]s invests at pre-seed and seed in software companies.</p></main></body></html>`,
		html.EscapeString(name), html.EscapeString(description))
}

func teamPage(name string, team []member) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Team | %s</title></head><body><h1>Our Team</h1><section class="team">`, html.EscapeString(name))
	for _, m := range team {
		slug := strings.ToLower(strings.ReplaceAll(m.Name, " ", "-"))
		fmt.Fprintf(&b, `<div class="person-card"><h3>%s</h3><p class="role">%s</p><a href="https://www.linkedin.com/in/%s">LinkedIn</a></div>`,
			html.EscapeString(m.Name), html.EscapeString(m.Title), slug)
	}
	b.WriteString(`</section></body></html>`)
	return b.String()
}

// injectTeam is the team of hostInject: titles a spreadsheet program would
// run as formulas if they were written as formulas.
var injectTeam = []member{
	{"Amelia Abernathy", "=HYPERLINK(\"http://evil.example/\",\"Partner\")"},
	{"Bruno Bianchi", "+1 Partner"},
	{"Chiara Castellano", "@SUM(A1:A9)"},
}

// web is the in-test web server. It counts requests per host: homepage
// requests of firm hosts are how the tests measure firms redone.
type web struct {
	srv      *httptest.Server
	latency  time.Duration // per firm page, so a job lasts long enough to be hurt mid-way
	gzipBomb []byte        // gzip body served by hostGzipBomb

	mu    sync.Mutex
	homes map[string]int       // homepage requests per firm host
	first map[string]time.Time // first homepage request per firm host
	home  map[string]time.Time // latest homepage request per firm host
	team  map[string]time.Time // latest team page request per firm host
	reqs  map[string]int       // every request per host
	sent  map[string]int64     // body bytes written per host
}

func newWeb(t *testing.T, latency time.Duration, gzipBomb []byte) *web {
	w := &web{latency: latency, gzipBomb: gzipBomb, homes: map[string]int{}, first: map[string]time.Time{}, home: map[string]time.Time{}, team: map[string]time.Time{}, reqs: map[string]int{}, sent: map[string]int64{}}
	w.srv = httptest.NewServer(w)
	t.Cleanup(w.srv.Close)
	return w
}

func (w *web) addr() string { return w.srv.Listener.Addr().String() }
func (w *web) port() int    { return w.srv.Listener.Addr().(*net.TCPAddr).Port }

func (w *web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	w.mu.Lock()
	w.reqs[host]++
	w.mu.Unlock()
	if i, ok := firmIndex(host); ok {
		w.firm(rw, r, host, i)
		return
	}
	switch host {
	case hostLoop:
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		http.Redirect(rw, r, fmt.Sprintf("/hop/%d", n+1), http.StatusFound)
	case hostMetadata:
		http.Redirect(rw, r, "http://169.254.169.254/latest/meta-data/iam/security-credentials/", http.StatusFound)
	case hostHuge:
		w.endless(rw, r, host, 5<<30, 0)
	case hostDrip:
		w.endless(rw, r, host, 0, 200*time.Millisecond)
	case hostGzipBomb:
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Content-Encoding", "gzip")
		rw.Header().Set("Content-Length", strconv.Itoa(len(w.gzipBomb)))
		n, _ := rw.Write(w.gzipBomb)
		w.count(host, int64(n))
	case hostCharset:
		w.charset(rw, r)
	case hostLinks:
		w.links(rw, r)
	case hostInject:
		w.page(rw, r, homePage("=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example/\",\"Click\") is what this firm's description says."), teamPage("Inject", injectTeam))
	case hostLongDesc:
		w.page(rw, r, homePage("Long Description Ventures", strings.Repeat("Long Description Ventures backs builders. ", 100<<10/42)), teamPage("Long Description Ventures", teamOf(900)))
	case hostFormula:
		w.page(rw, r, homePage("Formula Capital", "Formula Capital backs founders who compute their way to product-market fit."), teamPage("Formula Capital", teamOf(901)))
	default:
		http.NotFound(rw, r)
	}
}

func firmIndex(host string) (int, bool) {
	num, ok := strings.CutSuffix(strings.TrimPrefix(host, "f"), ".chaos.test")
	if !ok || len(num) != 3 || !strings.HasPrefix(host, "f") {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	return i, err == nil
}

func (w *web) count(host string, n int64) {
	w.mu.Lock()
	w.sent[host] += n
	w.mu.Unlock()
}

// wait is server-side latency: a page that takes time to come, not a way
// for the test to wait for anything.
func (w *web) wait(r *http.Request) bool {
	select {
	case <-r.Context().Done():
		return false
	case <-time.After(w.latency):
		return true
	}
}

func (w *web) firm(rw http.ResponseWriter, r *http.Request, host string, i int) {
	w.mu.Lock()
	switch now := time.Now(); r.URL.Path {
	case "/":
		if w.homes[host] == 0 {
			w.first[host] = now
		}
		w.homes[host]++
		w.home[host] = now
	case "/team":
		w.team[host] = now
	}
	w.mu.Unlock()
	if !w.wait(r) {
		return
	}
	w.page(rw, r, homePage(firmName(i), fmt.Sprintf("%s backs founders building infrastructure software from the first cheque onwards.", firmName(i))), teamPage(firmName(i), teamOf(i)))
}

// page serves a homepage at / and a team page at /team.
func (w *web) page(rw http.ResponseWriter, r *http.Request, home, team string) {
	var body string
	switch r.URL.Path {
	case "/":
		body = home
	case "/team":
		body = team
	default:
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = rw.Write([]byte(body))
}

// endless writes an HTML body that never ends: declaring size bytes when
// size > 0, a byte every gap when gap > 0, as fast as the client reads
// otherwise. It stops when the client hangs up.
func (w *web) endless(rw http.ResponseWriter, r *http.Request, host string, size int64, gap time.Duration) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	if size > 0 {
		rw.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}
	rc := http.NewResponseController(rw)
	n, _ := rw.Write([]byte("<!DOCTYPE html><html><head><title>Endless Ventures</title></head><body><p>"))
	w.count(host, int64(n))
	chunk := bytes.Repeat([]byte("endless "), 8<<10)
	if gap > 0 {
		chunk = []byte("e")
	}
	var written int64
	for size == 0 || written < size {
		if gap > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(gap):
			}
		}
		n, err := rw.Write(chunk)
		written += int64(n)
		w.count(host, int64(n))
		if err != nil || rc.Flush() != nil {
			return
		}
	}
}

// charset serves pages that declare a charset that does not exist and hold
// bytes that are not UTF-8 (Latin-1 é and stray 0xFF).
func (w *web) charset(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "text/html; charset=x-no-such-charset")
	team := teamOf(902)
	team = append(team, member{"Jos\xe9 Mart\xednez", "Partner"})
	var body string
	switch r.URL.Path {
	case "/":
		body = homePage("Charset Caf\xe9 Partners", "Charset Caf\xe9 Partners \xff\xfe backs founders who write in every encoding there is.")
	case "/team":
		body = teamPage("Charset Caf\xe9 Partners", team)
	default:
		http.NotFound(rw, r)
		return
	}
	// The page's own declaration is no better than the header's.
	body = strings.Replace(body, `<meta charset="utf-8">`, `<meta charset="x-no-such-charset">`, 1)
	_, _ = rw.Write([]byte(body))
}

// linkCount is how many links hostLinks's homepage carries.
const linkCount = 100_000

func (w *web) links(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Path != "/" {
		_, _ = rw.Write([]byte(teamPage("Many Links Capital", teamOf(903))))
		return
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><title>Many Links Capital</title></head><body><h1>Many Links Capital</h1>`)
	for i := range linkCount {
		fmt.Fprintf(&b, `<a href="/team-%d">Team</a>`, i)
	}
	b.WriteString(`</body></html>`)
	_, _ = rw.Write([]byte(b.String()))
}

// homeCounts is a copy of the homepage requests per firm host.
func (w *web) homeCounts() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, len(w.homes))
	for k, v := range w.homes {
		out[k] = v
	}
	return out
}

// midway counts the firms a worker is busy with right now: asked for their
// homepage since they last asked for their team page.
func (w *web) midway() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for h, at := range w.home {
		if at.After(w.team[h]) {
			n++
		}
	}
	return n
}

// teamsServed counts the firms whose team page, their last, was served:
// the web's view of the job's progress, which needs no server to ask.
func (w *web) teamsServed() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.team)
}

// startedAfter lists the firm hosts first requested after t.
func (w *web) startedAfter(t time.Time) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var hosts []string
	for h, at := range w.first {
		if at.After(t) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// redone is how many firm homepages were requested again: each is a firm
// started a second time.
func (w *web) redone() int {
	n := 0
	for _, c := range w.homeCounts() {
		n += c - 1
	}
	return n
}

func (w *web) requests(host string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reqs[host]
}

func (w *web) bytesSent(host string) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sent[host]
}
