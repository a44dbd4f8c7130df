package crawl_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"code.dny.dev/ssrf"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/vcenrich/vcenrich/crawl"
)

// startServer runs h on loopback and returns it with its port.
func startServer(t *testing.T, h http.Handler) (*httptest.Server, uint16) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.ParseUint(u.Port(), 10, 16)
	if err != nil {
		t.Fatal(err)
	}
	return srv, uint16(port)
}

// testConfig lets the fetcher reach 127.0.0.1 on the test server's port and
// nothing else that the guard would refuse.
func testConfig(port uint16) crawl.Config {
	cfg := crawl.DefaultConfig()
	cfg.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	cfg.AllowPorts = []uint16{port}
	cfg.MinHostInterval = 0
	cfg.RequestTimeout = 3 * time.Second
	cfg.MaxBodyBytes = 1 << 20
	return cfg
}

func newFetcher(t *testing.T, cfg crawl.Config) *crawl.Fetcher {
	t.Helper()
	f, err := crawl.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return f
}

// fetchErr asserts err is a *crawl.Error of the wanted kind.
func fetchErr(t *testing.T, err error, want crawl.Kind) *crawl.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want kind %s", want)
	}
	var fe *crawl.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *crawl.Error", err, err)
	}
	if fe.Kind != want {
		t.Fatalf("kind = %s (%v), want %s", fe.Kind, err, want)
	}
	return fe
}

// counter counts requests to paths other than robots.txt.
type counter struct{ n atomic.Int64 }

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			c.n.Add(1)
		}
		h.ServeHTTP(w, r)
	})
}

func page(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, body)
	}
}

func TestGuardRefusesInternalAddresses(t *testing.T) {
	var hits counter
	_, port := startServer(t, hits.wrap(page("<p>secret</p>")))
	cfg := crawl.DefaultConfig()
	cfg.MinHostInterval = 0
	cfg.RequestTimeout = 2 * time.Second
	f := newFetcher(t, cfg)

	tests := []struct {
		url      string
		wantText string
		wantErr  error
	}{
		{fmt.Sprintf("http://127.0.0.1:%d/", port), "127.0.0.1", ssrf.ErrProhibitedPort},
		{fmt.Sprintf("http://[::1]:%d/", port), "::1", ssrf.ErrProhibitedPort},
		{"http://127.0.0.1/", "127.0.0.1 refused: address 127.0.0.1 is loopback", ssrf.ErrProhibitedIP},
		{"https://[::1]/", "::1 refused: address ::1 is loopback", ssrf.ErrProhibitedIP},
		{"http://10.0.0.5/", "10.0.0.5 refused: address 10.0.0.5 is private", ssrf.ErrProhibitedIP},
		{"http://169.254.169.254/latest/meta-data/", "address 169.254.169.254 is the cloud metadata endpoint", ssrf.ErrProhibitedIP},
		{"http://169.254.1.1/", "address 169.254.1.1 is link-local", ssrf.ErrProhibitedIP},
		{"http://100.64.0.1/", "address 100.64.0.1 is carrier-grade NAT", ssrf.ErrProhibitedIP},
		{"http://0.0.0.0/", "address 0.0.0.0 is unspecified", ssrf.ErrProhibitedIP},
		{"http://224.0.0.1/", "address 224.0.0.1 is multicast", ssrf.ErrProhibitedIP},
		{"http://[fe80::1]/", "address fe80::1 is link-local", ssrf.ErrProhibitedIP},
		{"http://[::ffff:127.0.0.1]/", "127.0.0.1", ssrf.ErrProhibitedIP},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			_, err := f.Get(context.Background(), tc.url)
			fe := fetchErr(t, err, crawl.KindBlocked)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.wantErr)
			}
			if !strings.Contains(fe.Error(), tc.wantText) {
				t.Errorf("message %q lacks %q", fe.Error(), tc.wantText)
			}
			if fe.Temporary() {
				t.Error("a guard refusal must be permanent")
			}
		})
	}
	if n := hits.n.Load(); n != 0 {
		t.Errorf("server saw %d requests through a default-config fetcher", n)
	}
}

func TestRedirectsAreCheckedAtEveryHop(t *testing.T) {
	var hits counter
	mux := http.NewServeMux()
	mux.HandleFunc("/metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	var port uint16
	mux.HandleFunc("/other-loopback", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fmt.Sprintf("http://127.0.0.2:%d/", port), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/file", http.StatusFound)
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fmt.Sprintf("http://admin:pw@127.0.0.1:%d/", port), http.StatusFound)
	})
	loops := atomic.Int64{}
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		loops.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/cookie", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("consent"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "consent", Value: "yes", Path: "/"})
			http.Redirect(w, r, "/cookie", http.StatusFound)
			return
		}
		page("<p>welcome</p>")(w, r)
	})
	_, port = startServer(t, hits.wrap(mux))
	f := newFetcher(t, testConfig(port))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	tests := []struct {
		path     string
		kind     crawl.Kind
		wantText string
	}{
		{"/metadata", crawl.KindBlocked, "169.254.169.254 refused: address 169.254.169.254"},
		{"/other-loopback", crawl.KindBlocked, "address 127.0.0.2 is loopback"},
		{"/ftp", crawl.KindBadURL, "ftp://example.com/file"},
		{"/userinfo", crawl.KindBadURL, "user name or password"},
		{"/loop", crawl.KindTooManyRedirects, "stopped after 5 redirects"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			_, err := f.Get(context.Background(), base+tc.path)
			fe := fetchErr(t, err, tc.kind)
			if !strings.Contains(fe.Error(), tc.wantText) {
				t.Errorf("message %q lacks %q", fe.Error(), tc.wantText)
			}
			if fe.Temporary() {
				t.Errorf("%s must be permanent", tc.kind)
			}
		})
	}
	if n := loops.Load(); n != 6 {
		t.Errorf("redirect loop made %d requests, want 6 (the first and 5 redirects)", n)
	}

	// A site that sets a cookie and redirects to itself to check it must
	// not look like a loop.
	resp, err := f.Get(context.Background(), base+"/cookie")
	if err != nil {
		t.Fatalf("cookie redirect: %v", err)
	}
	if !bytes.Contains(resp.Body, []byte("welcome")) {
		t.Errorf("cookie redirect body = %q", resp.Body)
	}
}

// Cookies set along a redirect chain are sent on its later hops, robots.txt's
// own redirects included, as far as their domain reaches; none is sent on
// a later fetch.
func TestCookiesLastOneFetch(t *testing.T) {
	var mu sync.Mutex
	fresh := map[string]int{} // host+path -> requests that came without the cookie
	checked := func(w http.ResponseWriter, r *http.Request, cookie *http.Cookie, next string) bool {
		if _, err := r.Cookie(cookie.Name); err == nil {
			return true
		}
		mu.Lock()
		fresh[r.Host+r.URL.Path]++
		mu.Unlock()
		http.SetCookie(w, cookie)
		http.Redirect(w, r, next, http.StatusFound)
		return false
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		host := strings.TrimSuffix(r.Host, ".")
		switch {
		case r.URL.Path == "/robots.txt" && host == "checked.vc.test":
			if checked(w, r, &http.Cookie{Name: "robots", Value: "1", Path: "/"}, "/robots.txt") {
				io.WriteString(w, "User-agent: *\nDisallow: /private\n")
			}
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case r.URL.Path == "/start":
			// The cookie is for the whole registrable domain, the check on
			// another host of it.
			checked(w, r, &http.Cookie{Name: "sso", Value: "1", Domain: "vc.test", Path: "/"}, "http://www.vc.test/check")
		case r.URL.Path == "/check":
			if _, err := r.Cookie("sso"); err != nil {
				http.Error(w, "no cookie", http.StatusForbidden)
				return
			}
			page("<p>welcome</p>")(w, r)
		case r.URL.Path == "/other-site":
			// Another site's cookie never reaches us.
			if _, err := r.Cookie("sso"); err == nil {
				http.Error(w, "leaked cookie", http.StatusForbidden)
				return
			}
			page("<p>welcome</p>")(w, r)
		case r.URL.Path == "/leak":
			http.SetCookie(w, &http.Cookie{Name: "sso", Value: "1", Path: "/"})
			http.Redirect(w, r, "http://firm.other.test/other-site", http.StatusFound)
		default:
			if checked(w, r, &http.Cookie{Name: "consent", Value: "yes", Path: "/"}, r.URL.Path) {
				page("<p>welcome</p>")(w, r)
			}
		}
	})
	srv, port := startServer(t, mux)
	hosts, err := crawl.ParseHosts(".vc.test=" + srv.Listener.Addr().String() + ",.other.test=" + srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(port)
	cfg.Hosts = hosts
	f := newFetcher(t, cfg)

	tests := []struct {
		url       string
		wantKind  crawl.Kind // "" means fetched
		freshPath string     // host+path the first request to which came without the cookie
	}{
		{"http://firm.vc.test/consent", "", "firm.vc.test/consent"},
		{"http://firm.vc.test/start", "", "firm.vc.test/start"},
		{"http://firm.vc.test/leak", "", ""},
		{"http://checked.vc.test/private", crawl.KindRobots, "checked.vc.test/robots.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			for try := range 2 {
				_, err := f.Get(context.Background(), tc.url)
				if tc.wantKind == "" && err != nil {
					t.Fatalf("Get #%d: %v", try+1, err)
				}
				if tc.wantKind != "" {
					fetchErr(t, err, tc.wantKind)
				}
			}
			if tc.freshPath == "" {
				return
			}
			mu.Lock()
			n := fresh[tc.freshPath]
			mu.Unlock()
			// robots.txt is cached, so it is fetched once; a page twice,
			// each time without the cookie of the fetch before.
			want := 2
			if tc.wantKind == crawl.KindRobots {
				want = 1
			}
			if n != want {
				t.Errorf("%s came %d times without the cookie, want %d", tc.freshPath, n, want)
			}
		})
	}
}

// A redirect does not get around robots.txt: every hop is checked against
// its own origin's rules, including a hop back to the first origin.
func TestRedirectTargetsHonourTheirRobots(t *testing.T) {
	var mu sync.Mutex
	var fetched []string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched = append(fetched, r.Host+r.URL.Path)
		mu.Unlock()
		switch host := strings.TrimSuffix(r.Host, "."); {
		case r.URL.Path == "/robots.txt" && host == "closed.vc.test":
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
		case r.URL.Path == "/robots.txt" && host == "firm.vc.test":
			io.WriteString(w, "User-agent: *\nDisallow: /hidden\n")
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case r.URL.Path == "/to-closed":
			http.Redirect(w, r, "http://closed.vc.test/private/team", http.StatusFound)
		case r.URL.Path == "/to-open":
			http.Redirect(w, r, "http://closed.vc.test/team", http.StatusMovedPermanently)
		case r.URL.Path == "/bounce":
			// Another host sends us back to a path the first one forbids.
			http.Redirect(w, r, "http://firm.vc.test/hidden", http.StatusFound)
		case r.URL.Path == "/to-bounce":
			http.Redirect(w, r, "http://relay.vc.test/bounce", http.StatusFound)
		default:
			page("<p>team</p>")(w, r)
		}
	})
	srv, port := startServer(t, mux)
	hosts, err := crawl.ParseHosts(".vc.test=" + srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(port)
	cfg.Hosts = hosts
	f := newFetcher(t, cfg)

	for _, tc := range []struct {
		url     string
		wantErr string // empty: fetched
	}{
		{"http://firm.vc.test/to-closed", "closed.vc.test/private/team"},
		{"http://firm.vc.test/to-open", ""},
		{"http://firm.vc.test/to-bounce", "firm.vc.test/hidden"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			resp, err := f.Get(context.Background(), tc.url)
			if tc.wantErr == "" {
				if err != nil || !bytes.Contains(resp.Body, []byte("team")) {
					t.Fatalf("Get: %v", err)
				}
				return
			}
			fe := fetchErr(t, err, crawl.KindRobots)
			if !strings.Contains(fe.URL, tc.wantErr) {
				t.Errorf("refused %q, want the redirect target %q", fe.URL, tc.wantErr)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range fetched {
		if strings.Contains(p, "/private") || strings.Contains(p, "/hidden") {
			t.Errorf("a disallowed path was requested: %s (all: %v)", p, fetched)
		}
	}
	if !slices.Contains(fetched, "closed.vc.test/robots.txt") {
		t.Errorf("the redirect target's robots.txt was never read: %v", fetched)
	}
}

func TestBadURLsNeverReachTheNetwork(t *testing.T) {
	var hits counter
	_, port := startServer(t, hits.wrap(page("<p>hi</p>")))
	f := newFetcher(t, testConfig(port))
	hostport := fmt.Sprintf("127.0.0.1:%d", port)
	for _, raw := range []string{
		"ftp://" + hostport + "/",
		"file:///etc/passwd",
		"javascript:alert(1)",
		"http://user:secret@" + hostport + "/",
		"http://user@" + hostport + "/",
		"http:///no-host",
		"http://",
		"",
		hostport + "/no-scheme",
		"http://[::1",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := f.Get(context.Background(), raw)
			fe := fetchErr(t, err, crawl.KindBadURL)
			if fe.Temporary() {
				t.Error("bad URL must be permanent")
			}
			if strings.Contains(fe.Error(), "secret") {
				t.Errorf("message %q shows the password", fe.Error())
			}
		})
	}
	if n := hits.n.Load(); n != 0 {
		t.Errorf("server saw %d requests for bad URLs", n)
	}
}

func TestHugeBodyIsTruncatedWithBoundedMemory(t *testing.T) {
	const total = 100 << 20
	chunk := bytes.Repeat([]byte("<p>filler text</p>\n"), 4096)
	done := make(chan int64, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		var sent int64
		for sent < total {
			n, err := w.Write(chunk)
			sent += int64(n)
			if err != nil {
				break
			}
		}
		done <- sent
	})
	_, port := startServer(t, mux)
	cfg := testConfig(port)
	cfg.IgnoreRobots = true
	f := newFetcher(t, cfg)

	allocated := allocatedDuring(t, func() {
		resp, err := f.Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/huge", port))
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if !resp.Truncated || int64(len(resp.Body)) != cfg.MaxBodyBytes {
			t.Errorf("truncated=%v len=%d, want true and %d", resp.Truncated, len(resp.Body), cfg.MaxBodyBytes)
		}
	})
	if allocated > 16<<20 {
		t.Errorf("fetching a 100 MiB body allocated %d MiB", allocated>>20)
	}
	select {
	case sent := <-done:
		if sent >= total {
			t.Errorf("server wrote the whole %d bytes; the client should have hung up", sent)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server handler did not finish after the client hung up")
	}
}

func TestGzipBombIsTruncated(t *testing.T) {
	// gzip readers accept concatenated members, so repeating one member of
	// 16 MiB of zeros 64 times gives about 1 MiB that inflates to 1 GiB.
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 16 {
		zw.Write(zeros)
	}
	zw.Close()
	bomb := bytes.Repeat(member.Bytes(), (1<<30)/(16<<20))
	if len(bomb) > 4<<20 {
		t.Fatalf("bomb is %d bytes, meant to be small", len(bomb))
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	_, port := startServer(t, mux)
	cfg := testConfig(port)
	cfg.IgnoreRobots = true
	f := newFetcher(t, cfg)

	allocated := allocatedDuring(t, func() {
		resp, err := f.Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/bomb", port))
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if !resp.Truncated || int64(len(resp.Body)) != cfg.MaxBodyBytes {
			t.Errorf("truncated=%v len=%d, want true and %d", resp.Truncated, len(resp.Body), cfg.MaxBodyBytes)
		}
		if bytes.ContainsFunc(resp.Body, func(r rune) bool { return r != 0 }) {
			t.Error("body is not the inflated zeros")
		}
	})
	if allocated > 16<<20 {
		t.Errorf("inflating the bomb allocated %d MiB", allocated>>20)
	}
}

// allocatedDuring reports the bytes the process allocated while fn ran.
func allocatedDuring(t *testing.T, fn func()) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestDripFeedTimesOut(t *testing.T) {
	stop := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		flusher := w.(http.Flusher)
		flusher.Flush()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte("<")); err != nil {
					return
				}
				flusher.Flush()
			}
		}
	})
	_, port := startServer(t, mux)
	t.Cleanup(func() { close(stop) }) // runs before the server's Close
	cfg := testConfig(port)
	cfg.RequestTimeout = 300 * time.Millisecond
	cfg.IgnoreRobots = true
	f := newFetcher(t, cfg)

	start := time.Now()
	_, err := f.Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/drip", port))
	fe := fetchErr(t, err, crawl.KindTimeout)
	if !fe.Temporary() {
		t.Error("a timeout must be temporary")
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %v with a 300ms request timeout", elapsed)
	}
}

func TestStatuses(t *testing.T) {
	retryDate := time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)
	mux := http.NewServeMux()
	status := func(code int, retryAfter string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(code)
			io.WriteString(w, "<p>status page</p>")
		}
	}
	mux.Handle("/404", status(404, ""))
	mux.Handle("/410", status(410, ""))
	mux.Handle("/500", status(500, ""))
	mux.Handle("/429", status(429, "7"))
	mux.Handle("/429-huge", status(429, "999999"))
	mux.Handle("/429-none", status(429, ""))
	mux.Handle("/503-date", status(503, retryDate))
	_, port := startServer(t, mux)
	f := newFetcher(t, testConfig(port))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	tests := []struct {
		path          string
		kind          crawl.Kind
		temporary     bool
		minRetry      time.Duration
		maxRetry      time.Duration
		wantInMessage string
	}{
		{"/404", crawl.KindHTTP, false, 0, 0, "HTTP 404 Not Found for " + base + "/404"},
		{"/410", crawl.KindHTTP, false, 0, 0, "HTTP 410 Gone"},
		{"/500", crawl.KindHTTP, true, 0, 0, "HTTP 500 Internal Server Error"},
		{"/429", crawl.KindRateLimited, true, 7 * time.Second, 7 * time.Second, "retry after 7s"},
		{"/429-huge", crawl.KindRateLimited, true, 10 * time.Minute, 10 * time.Minute, "HTTP 429"},
		{"/429-none", crawl.KindRateLimited, true, 0, 0, "Too Many Requests"},
		{"/503-date", crawl.KindHTTP, true, 100 * time.Second, 121 * time.Second, "HTTP 503 Service Unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := f.Get(context.Background(), base+tc.path)
			if resp != nil {
				t.Errorf("got a response with the error: %+v", resp)
			}
			fe := fetchErr(t, err, tc.kind)
			code, _ := strconv.Atoi(strings.Split(tc.path[1:], "-")[0])
			if fe.Status != code {
				t.Errorf("Status = %d, want %d", fe.Status, code)
			}
			if fe.Temporary() != tc.temporary {
				t.Errorf("Temporary() = %v, want %v", fe.Temporary(), tc.temporary)
			}
			if fe.RetryAfter < tc.minRetry || fe.RetryAfter > tc.maxRetry {
				t.Errorf("RetryAfter = %v, want in [%v, %v]", fe.RetryAfter, tc.minRetry, tc.maxRetry)
			}
			if !strings.Contains(fe.Error(), tc.wantInMessage) {
				t.Errorf("message %q lacks %q", fe.Error(), tc.wantInMessage)
			}
		})
	}
}

func TestContentTypes(t *testing.T) {
	mux := http.NewServeMux()
	serve := func(ct string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ct == "" {
				w.Header()["Content-Type"] = nil // stop the server from sniffing one
			} else {
				w.Header().Set("Content-Type", ct)
			}
			io.WriteString(w, "<p>content</p>")
		}
	}
	tests := []struct {
		contentType string
		ok          bool
	}{
		{"text/html; charset=utf-8", true},
		{"TEXT/HTML", true},
		{"application/xhtml+xml", true},
		{"text/plain", true},
		{"", true},
		{"application/pdf", false},
		{"image/png", false},
		{"application/json", false},
	}
	for i, tc := range tests {
		mux.Handle(fmt.Sprintf("/%d", i), serve(tc.contentType))
	}
	_, port := startServer(t, mux)
	f := newFetcher(t, testConfig(port))
	for i, tc := range tests {
		t.Run(tc.contentType, func(t *testing.T) {
			resp, err := f.Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/%d", port, i))
			if !tc.ok {
				fe := fetchErr(t, err, crawl.KindNotHTML)
				if !strings.Contains(fe.Error(), tc.contentType) || fe.Temporary() {
					t.Errorf("message %q should name %s and be permanent", fe.Error(), tc.contentType)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if string(resp.Body) != "<p>content</p>" || resp.ContentType != tc.contentType || resp.Status != 200 {
				t.Errorf("got %+v", resp)
			}
		})
	}
}

// Resource takes what a rendered page runs on, as sent (a latin-1 script
// stays latin-1: the browser decodes it), with the server's header, and
// refuses what a page only shows, on Get's path: robots.txt still applies.
func TestResource(t *testing.T) {
	const body = "var name = 'Caf\xe9';"
	tests := []struct {
		contentType string
		ok          bool
	}{
		{"application/javascript; charset=iso-8859-1", true},
		{"text/javascript", true},
		{"application/json", true},
		{"application/ld+json", true},
		{"text/css", true},
		{"text/plain", true},
		{"text/html", true},
		{"application/xml", true},
		{"image/svg+xml", true},
		{"", true},
		{"image/png", false},
		{"font/woff2", false},
		{"video/mp4", false},
		{"audio/mpeg", false},
		{"application/pdf", false},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "User-agent: *\nDisallow: /private\n")
	})
	mux.Handle("/private/app.js", page("secret"))
	for i, tc := range tests {
		mux.HandleFunc(fmt.Sprintf("/%d", i), func(w http.ResponseWriter, r *http.Request) {
			if tc.contentType == "" {
				w.Header()["Content-Type"] = nil // stop the server from sniffing one
			} else {
				w.Header().Set("Content-Type", tc.contentType)
			}
			w.Header().Set("Access-Control-Allow-Origin", "*")
			io.WriteString(w, body)
		})
	}
	_, port := startServer(t, mux)
	f := newFetcher(t, testConfig(port))
	for i, tc := range tests {
		t.Run(tc.contentType, func(t *testing.T) {
			resp, err := f.Resource(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/%d", port, i))
			if !tc.ok {
				fetchErr(t, err, crawl.KindNotHTML)
				return
			}
			if err != nil {
				t.Fatalf("Resource: %v", err)
			}
			if string(resp.Body) != body || resp.ContentType != tc.contentType || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("got %+v", resp)
			}
		})
	}
	_, err := f.Resource(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/private/app.js", port))
	fetchErr(t, err, crawl.KindRobots)
}

func TestRobots(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		path   string
		want   crawl.Kind // "" means allowed
	}{
		{"our token disallowed", 200, "User-agent: vcenrich\nDisallow: /team\n\nUser-agent: *\nDisallow:\n", "/team/alice", crawl.KindRobots},
		{"our token, other path", 200, "User-agent: vcenrich\nDisallow: /team\n", "/about", ""},
		{"token is case-insensitive", 200, "User-agent: VCEnrich\nDisallow: /\n", "/", crawl.KindRobots},
		{"star group", 200, "User-agent: *\nDisallow: /private\n", "/private/x", crawl.KindRobots},
		{"other bot only", 200, "User-agent: otherbot\nDisallow: /\n", "/", ""},
		{"our group beats star", 200, "User-agent: *\nDisallow: /\n\nUser-agent: vcenrich\nAllow: /\n", "/team", ""},
		{"longest rule wins", 200, "User-agent: *\nDisallow: /\nAllow: /team\n", "/team", ""},
		{"wildcard with query", 200, "User-agent: *\nDisallow: /*?session=\n", "/a?session=1", crawl.KindRobots},
		{"stray rule before any group", 200, "Disallow: /x\nUser-agent: *\nDisallow: /private\n", "/private", crawl.KindRobots},
		{"unparsable crawl-delay", 200, "User-agent: *\nCrawl-delay: soon\nDisallow: /private\n", "/private", crawl.KindRobots},
		{"empty file", 200, "", "/", ""},
		{"404 allows all", 404, "", "/", ""},
		{"403 allows all", 403, "", "/", ""},
		{"500 disallows all", 500, "", "/", crawl.KindRobots},
		{"503 disallows all", 503, "", "/", crawl.KindRobots},
		{"429 disallows all", 429, "", "/", crawl.KindRobots},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var robotsHits atomic.Int64
			mux := http.NewServeMux()
			mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
				robotsHits.Add(1)
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			mux.Handle("/", page("<p>page</p>"))
			_, port := startServer(t, mux)
			f := newFetcher(t, testConfig(port))
			target := fmt.Sprintf("http://127.0.0.1:%d%s", port, tc.path)
			for range 2 { // the second fetch must use the cached rules
				_, err := f.Get(context.Background(), target)
				if tc.want == "" {
					if err != nil {
						t.Fatalf("Get: %v", err)
					}
					continue
				}
				fe := fetchErr(t, err, tc.want)
				if !strings.Contains(fe.Error(), "robots.txt") || fe.Temporary() {
					t.Errorf("message %q should blame robots.txt and be permanent", fe.Error())
				}
			}
			if n := robotsHits.Load(); n != 1 {
				t.Errorf("robots.txt fetched %d times, want 1", n)
			}

			cfg := testConfig(port)
			cfg.IgnoreRobots = true
			if _, err := newFetcher(t, cfg).Get(context.Background(), target); err != nil {
				t.Errorf("with IgnoreRobots: %v", err)
			}
		})
	}
}

func TestCharsets(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
	}{
		{"header latin-1", "text/html; charset=ISO-8859-1", "<p>Caf\xe9 M\xfcller</p>", "<p>Café Müller</p>"},
		{"meta latin-1", "text/html", "<html><head><meta charset=\"iso-8859-1\"></head><body>Gr\xfc\xdfe</body></html>", "Grüße"},
		{"undeclared windows-1252", "text/html", "<p>\x93quoted\x94</p>", "<p>“quoted”</p>"},
		{"utf-8 untouched", "text/html; charset=utf-8", "<p>Zoë 東京</p>", "<p>Zoë 東京</p>"},
		{"utf-8 BOM dropped", "text/html", "\xef\xbb\xbf<p>Zoë</p>", "<p>Zoë</p>"},
	}
	mux := http.NewServeMux()
	for i, tc := range tests {
		mux.HandleFunc(fmt.Sprintf("/%d", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tc.contentType)
			io.WriteString(w, tc.body)
		})
	}
	_, port := startServer(t, mux)
	f := newFetcher(t, testConfig(port))
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := f.Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/%d", port, i))
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if !strings.Contains(string(resp.Body), tc.want) {
				t.Errorf("body %q lacks %q", resp.Body, tc.want)
			}
		})
	}
}

// A page in a legacy charset grows when it becomes UTF-8 (a windows-1252
// quote is one byte on the wire, three after): the body cap holds for the
// text, cut at a character boundary.
func TestDecodedBodyKeepsTheCap(t *testing.T) {
	const limit = 64 << 10
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1252")
		io.WriteString(w, "<p>"+strings.Repeat("\x93", limit-10)+"</p>")
	})
	_, port := startServer(t, mux)
	cfg := testConfig(port)
	cfg.MaxBodyBytes = limit
	resp, err := newFetcher(t, cfg).Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) > limit || !resp.Truncated || !utf8.Valid(resp.Body) || !strings.HasSuffix(string(resp.Body), "“") {
		t.Errorf("decoded body %d bytes (cap %d), truncated %v, valid UTF-8 %v", len(resp.Body), limit, resp.Truncated, utf8.Valid(resp.Body))
	}
}

func TestHostOverrides(t *testing.T) {
	var mu sync.Mutex
	var seenHosts []string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			mu.Lock()
			seenHosts = append(seenHosts, r.Host)
			mu.Unlock()
		}
		switch r.URL.Path {
		case "/to-www":
			http.Redirect(w, r, "http://www.firm.demo.test/landing", http.StatusFound)
		case "/to-other":
			http.Redirect(w, r, "http://other.vc.test/landing", http.StatusFound)
		case "/robots.txt":
			http.NotFound(w, r)
		default:
			page("<p>firm</p>")(w, r)
		}
	})
	srv, port := startServer(t, mux)
	hosts, err := crawl.ParseHosts(fmt.Sprintf("firm.demo.test=%[1]s,www.firm.demo.test=%[1]s,.vc.test=%[1]s,blocked.demo.test=10.0.0.1:80", srv.Listener.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(port)
	cfg.Hosts = hosts
	f := newFetcher(t, cfg)

	tests := []struct {
		url            string
		wantHost       string
		wantRedirected bool
	}{
		{"http://firm.demo.test/team", "firm.demo.test", false},
		{"http://FIRM.demo.test./team#people", "firm.demo.test", false},
		{"http://a.vc.test/", "a.vc.test", false},
		{"http://firm.demo.test/to-www", "www.firm.demo.test", false},
		{"http://firm.demo.test/to-other", "other.vc.test", true},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			resp, err := f.Get(context.Background(), tc.url)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if resp.URL.Hostname() != tc.wantHost || resp.Redirected != tc.wantRedirected {
				t.Errorf("final host %s redirected %v, want %s %v", resp.URL.Hostname(), resp.Redirected, tc.wantHost, tc.wantRedirected)
			}
			mu.Lock()
			last := seenHosts[len(seenHosts)-1]
			mu.Unlock()
			if strings.TrimSuffix(last, ".") != tc.wantHost {
				t.Errorf("server saw Host %q, want %q", last, tc.wantHost)
			}
		})
	}

	// The guard checks the address an override points at.
	_, err = f.Get(context.Background(), "http://blocked.demo.test/")
	fe := fetchErr(t, err, crawl.KindBlocked)
	if want := "blocked.demo.test refused: address 10.0.0.1 is private"; fe.Error() != want {
		t.Errorf("message %q, want %q", fe.Error(), want)
	}
	// A bare domain does not match a ".suffix" override.
	fx, err := crawl.NewWithResolver(cfg, nxResolver())
	if err != nil {
		t.Fatal(err)
	}
	_, err = fx.Get(context.Background(), "http://vc.test/")
	fetchErr(t, err, crawl.KindDNS)
}

func TestHome(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/", page("<p>home</p>"))
	srv, port := startServer(t, mux)
	cfg := testConfig(port)
	cfg.Hosts = map[string]string{
		"www.firm.demo.test": srv.Listener.Addr().String(),
		"plain.demo.test":    srv.Listener.Addr().String(),
	}
	f, err := crawl.NewWithResolver(cfg, nxResolver())
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		website string
		wantURL string
	}{
		{fmt.Sprintf("https://127.0.0.1:%d/", port), fmt.Sprintf("http://127.0.0.1:%d/", port)},
		{"https://plain.demo.test", "http://plain.demo.test"},
		{"plain.demo.test", "http://plain.demo.test"},
		{"http://firm.demo.test/", "http://www.firm.demo.test/"},
		{"https://firm.demo.test/", "http://www.firm.demo.test/"},
	}
	for _, tc := range tests {
		t.Run(tc.website, func(t *testing.T) {
			resp, err := f.Home(context.Background(), tc.website)
			if err != nil {
				t.Fatalf("Home: %v", err)
			}
			if resp.URL.String() != tc.wantURL || !bytes.Contains(resp.Body, []byte("home")) {
				t.Errorf("got %s %q, want %s", resp.URL, resp.Body, tc.wantURL)
			}
		})
	}

	// When every fallback fails, the first error is the one reported.
	_, err = f.Home(context.Background(), "http://nothing.invalid/")
	fe := fetchErr(t, err, crawl.KindDNS)
	if fe.Error() != "no such host: nothing.invalid" || fe.Temporary() {
		t.Errorf("message %q (temporary %v), want the first host's and permanent", fe.Error(), fe.Temporary())
	}
	_, err = f.Home(context.Background(), "http://127.0.0.1:1/")
	fetchErr(t, err, crawl.KindBlocked)

	// A plain-HTTP site whose http:// answer is the real verdict: that
	// answer, not the failed HTTPS handshake before it, is reported.
	gone := http.NewServeMux()
	gone.HandleFunc("/", http.NotFound)
	goneSrv, gonePort := startServer(t, gone)
	cfg = testConfig(gonePort)
	cfg.Hosts = map[string]string{"gone.demo.test": goneSrv.Listener.Addr().String()}
	f = newFetcher(t, cfg)
	_, err = f.Home(context.Background(), "gone.demo.test")
	if fe := fetchErr(t, err, crawl.KindHTTP); fe.Status != http.StatusNotFound {
		t.Errorf("status %d, want the http:// answer's 404", fe.Status)
	}
}

func TestPolitenessSerialisesAndSpacesRequests(t *testing.T) {
	const interval = 100 * time.Millisecond
	var mu sync.Mutex
	type visit struct{ start, end time.Time }
	var visits []visit
	var inFlight, maxInFlight atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		v := visit{start: time.Now()}
		page("<p>x</p>")(w, r)
		v.end = time.Now()
		mu.Lock()
		visits = append(visits, v)
		mu.Unlock()
	})
	_, port := startServer(t, mux)
	cfg := testConfig(port)
	cfg.IgnoreRobots = true
	cfg.MinHostInterval = interval
	f := newFetcher(t, cfg)

	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := range 3 {
		wg.Go(func() {
			_, err := f.Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/%d", port, i))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if m := maxInFlight.Load(); m != 1 {
		t.Errorf("%d requests to one host ran at once, want 1", m)
	}
	for i := 1; i < len(visits); i++ {
		if gap := visits[i].start.Sub(visits[i-1].end); gap < interval {
			t.Errorf("request %d started %v after the previous one ended, want >= %v", i, gap, interval)
		}
	}

	// A caller giving up while waiting for its turn is not kept waiting.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.Get(ctx, fmt.Sprintf("http://127.0.0.1:%d/late", port))
	fe := fetchErr(t, err, crawl.KindTimeout)
	if !errors.Is(err, context.Canceled) || !strings.Contains(fe.Error(), "cancelled") {
		t.Errorf("cancelled fetch gave %v", err)
	}
}

func TestCrawlDelayRaisesInterval(t *testing.T) {
	var mu sync.Mutex
	starts := map[string]time.Time{}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "User-agent: *\nCrawl-delay: 0.3\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts[r.URL.Path] = time.Now()
		mu.Unlock()
		page("<p>x</p>")(w, r)
	})
	_, port := startServer(t, mux)
	f := newFetcher(t, testConfig(port))
	for _, p := range []string{"/a", "/b"} {
		if _, err := f.Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d%s", port, p)); err != nil {
			t.Fatal(err)
		}
	}
	if gap := starts["/b"].Sub(starts["/a"]); gap < 300*time.Millisecond {
		t.Errorf("second request came %v after the first despite Crawl-delay 0.3", gap)
	}
}

func TestConcurrentFetchesShareRobots(t *testing.T) {
	var robotsHits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		robotsHits.Add(1)
		io.WriteString(w, "User-agent: *\nDisallow: /private\n")
	})
	mux.Handle("/", page("<p>x</p>"))
	srv, port := startServer(t, mux)
	cfg := testConfig(port)
	cfg.Hosts = map[string]string{".demo.test": srv.Listener.Addr().String()}
	f := newFetcher(t, cfg)

	const hosts, perHost = 4, 5
	var wg sync.WaitGroup
	var ok, refused atomic.Int64
	for i := range hosts * perHost {
		wg.Go(func() {
			path := "/page"
			if i%2 == 1 {
				path = "/private"
			}
			_, err := f.Get(context.Background(), fmt.Sprintf("http://h%d.demo.test%s", i%hosts, path))
			var fe *crawl.Error
			switch {
			case err == nil:
				ok.Add(1)
			case errors.As(err, &fe) && fe.Kind == crawl.KindRobots:
				refused.Add(1)
			default:
				t.Errorf("Get: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != hosts*perHost/2 || refused.Load() != hosts*perHost/2 {
		t.Errorf("ok %d refused %d, want %d each", ok.Load(), refused.Load(), hosts*perHost/2)
	}
	if n := robotsHits.Load(); n != hosts {
		t.Errorf("robots.txt fetched %d times for %d hosts", n, hosts)
	}
}

func TestParseAllow(t *testing.T) {
	tests := []struct {
		spec          string
		wantPrefix    []string
		wantPorts     []uint16
		wantEndpoints []string
		wantErr       bool
	}{
		{"", nil, nil, nil, false},
		{" , ", nil, nil, nil, false},
		{"127.0.0.1/32,10.0.0.0/8,::1/128,port:8090,port:18080",
			[]string{"127.0.0.1/32", "10.0.0.0/8", "::1/128"}, []uint16{8090, 18080}, nil, false},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}, nil, nil, false},
		{"192.168.1.7", []string{"192.168.1.7/32"}, nil, nil, false},
		{"fd00::1", []string{"fd00::1/128"}, nil, nil, false},
		{"PORT: 8080", nil, []uint16{8080}, nil, false},
		{"127.0.0.1:8090, [::1]:8443,[::ffff:10.0.0.1]:81", nil, nil, []string{"127.0.0.1:8090", "[::1]:8443", "10.0.0.1:81"}, false},
		{"127.0.0.1:0", nil, nil, nil, true},
		{"127.0.0.1:http", nil, nil, nil, true},
		{"port:0", nil, nil, nil, true},
		{"port:65536", nil, nil, nil, true},
		{"port:http", nil, nil, nil, true},
		{"10.0.0.0/33", nil, nil, nil, true},
		{"example.com", nil, nil, nil, true},
		{"example.com:80", nil, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			prefixes, ports, endpoints, err := crawl.ParseAllow(tc.spec)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			var got, gotEndpoints []string
			for _, p := range prefixes {
				got = append(got, p.String())
			}
			for _, e := range endpoints {
				gotEndpoints = append(gotEndpoints, e.String())
			}
			if !reflect.DeepEqual(got, tc.wantPrefix) || !reflect.DeepEqual(ports, tc.wantPorts) || !reflect.DeepEqual(gotEndpoints, tc.wantEndpoints) {
				t.Errorf("got %v %v %v, want %v %v %v", got, ports, gotEndpoints, tc.wantPrefix, tc.wantPorts, tc.wantEndpoints)
			}
		})
	}
}

// An allowed endpoint opens that address and port, and nothing around it.
func TestAllowedEndpointIsThatPairOnly(t *testing.T) {
	var hits counter
	srv, port := startServer(t, hits.wrap(page("<p>local site</p>")))
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	cfg := crawl.DefaultConfig()
	cfg.MinHostInterval = 0
	cfg.RequestTimeout = 2 * time.Second
	cfg.AllowEndpoints = []netip.AddrPort{ap}
	f := newFetcher(t, cfg)

	if resp, err := f.Get(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/", port)); err != nil || !bytes.Contains(resp.Body, []byte("local site")) {
		t.Fatalf("the allowed endpoint: %v", err)
	}
	for _, u := range []string{
		"http://127.0.0.1/",                           // same address, port 80
		fmt.Sprintf("http://127.0.0.2:%d/", port),     // same port, next address
		fmt.Sprintf("http://[::1]:%d/", port),         // same port, IPv6 loopback
		fmt.Sprintf("http://93.184.215.14:%d/", port), // same port, a public address
	} {
		_, err := f.Get(context.Background(), u)
		fetchErr(t, err, crawl.KindBlocked)
	}
	if n := hits.n.Load(); n != 1 {
		t.Errorf("server saw %d page requests, want 1", n)
	}
}

func TestParseHosts(t *testing.T) {
	tests := []struct {
		spec    string
		want    map[string]string
		wantErr bool
	}{
		{"", nil, false},
		{"demo.test=127.0.0.1:8090,.vc.test=127.0.0.1:8091",
			map[string]string{"demo.test": "127.0.0.1:8090", ".vc.test": "127.0.0.1:8091"}, false},
		{" Demo.Test. = [::1]:80 ", map[string]string{"demo.test": "[::1]:80"}, false},
		{"demo.test", nil, true},
		{"demo.test=127.0.0.1", nil, true},
		{"demo.test=localhost:80", nil, true},
		{"demo.test=127.0.0.1:0", nil, true},
		{"=127.0.0.1:80", nil, true},
		{".=127.0.0.1:80", nil, true},
		{"a..b=127.0.0.1:80", nil, true},
		{"demo.test/x=127.0.0.1:80", nil, true},
		{"a.test=127.0.0.1:80,A.test=127.0.0.1:81", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := crawl.ParseHosts(tc.spec)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzParseHosts(f *testing.F) {
	for _, seed := range []string{"", "demo.test=127.0.0.1:8090,.vc.test=127.0.0.1:8091", "a=[::1]:1", "x=y", ",,="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		hosts, err := crawl.ParseHosts(spec)
		if err != nil {
			return
		}
		// Whatever parses must be accepted by New and parse back the same.
		cfg := crawl.DefaultConfig()
		cfg.Hosts = hosts
		if _, err := crawl.New(cfg); err != nil {
			t.Fatalf("New rejected parsed hosts %v: %v", hosts, err)
		}
		var parts []string
		for k, v := range hosts {
			parts = append(parts, k+"="+v)
		}
		again, err := crawl.ParseHosts(strings.Join(parts, ","))
		if err != nil || !reflect.DeepEqual(again, hosts) {
			t.Fatalf("round trip of %v gave %v, %v", hosts, again, err)
		}
	})
}

func TestTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  *crawl.Error
		want bool
	}{
		{"timeout", &crawl.Error{Kind: crawl.KindTimeout}, true},
		{"connect", &crawl.Error{Kind: crawl.KindConnect}, true},
		{"rate limited", &crawl.Error{Kind: crawl.KindRateLimited, Status: 429}, true},
		{"500", &crawl.Error{Kind: crawl.KindHTTP, Status: 500}, true},
		{"503", &crawl.Error{Kind: crawl.KindHTTP, Status: 503}, true},
		{"404", &crawl.Error{Kind: crawl.KindHTTP, Status: 404}, false},
		{"403", &crawl.Error{Kind: crawl.KindHTTP, Status: 403}, false},
		{"dns not found", &crawl.Error{Kind: crawl.KindDNS, Err: &net.DNSError{Name: "x.invalid", IsNotFound: true}}, false},
		{"dns timeout", &crawl.Error{Kind: crawl.KindDNS, Err: &net.DNSError{Name: "x.com", IsTimeout: true}}, true},
		{"guard", &crawl.Error{Kind: crawl.KindBlocked}, false},
		{"robots", &crawl.Error{Kind: crawl.KindRobots}, false},
		{"bad url", &crawl.Error{Kind: crawl.KindBadURL}, false},
		{"redirects", &crawl.Error{Kind: crawl.KindTooManyRedirects}, false},
		{"tls", &crawl.Error{Kind: crawl.KindTLS}, false},
		{"not html", &crawl.Error{Kind: crawl.KindNotHTML}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Temporary(); got != tc.want {
				t.Errorf("Temporary() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	inner := errors.New("inner")
	tests := []struct {
		err  *crawl.Error
		want string
	}{
		{&crawl.Error{Kind: crawl.KindHTTP, URL: "https://x/team", Status: 404, Err: inner}, "HTTP 404 Not Found for https://x/team"},
		{&crawl.Error{Kind: crawl.KindRateLimited, URL: "https://x/", Status: 429, RetryAfter: 7 * time.Second, Err: inner}, "HTTP 429 Too Many Requests for https://x/ (retry after 7s)"},
		{&crawl.Error{Kind: crawl.KindDNS, URL: "http://foo.invalid/", Err: &net.DNSError{Name: "foo.invalid", IsNotFound: true}}, "no such host: foo.invalid"},
		{&crawl.Error{Kind: crawl.KindTimeout, URL: "https://x/", Err: context.DeadlineExceeded}, "timed out fetching https://x/"},
		{&crawl.Error{Kind: crawl.KindTLS, URL: "https://x/", Err: http.ErrSchemeMismatch}, "x does not speak HTTPS (it answered in plain HTTP)"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(tc.err, tc.err.Err) {
			t.Errorf("%q does not unwrap to its cause", tc.want)
		}
	}
}

// nxResolver answers every DNS question with NXDOMAIN, in process, so DNS
// failures are tested without depending on the machine's resolver.
func nxResolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			client, server := net.Pipe()
			go answerNXDOMAIN(server)
			return client, nil
		},
	}
}

// answerNXDOMAIN serves DNS over a stream (length-prefixed messages), which
// is how Go's resolver talks to a connection that is not a PacketConn.
func answerNXDOMAIN(conn net.Conn) {
	defer conn.Close()
	for {
		var size [2]byte
		if _, err := io.ReadFull(conn, size[:]); err != nil {
			return
		}
		msg := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(conn, msg); err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(msg)
		if err != nil {
			return
		}
		q, err := p.Question()
		if err != nil {
			return
		}
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{
			ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired,
			RecursionAvailable: true, RCode: dnsmessage.RCodeNameError,
		})
		if b.StartQuestions() != nil || b.Question(q) != nil {
			return
		}
		out, err := b.Finish()
		if err != nil {
			return
		}
		binary.BigEndian.PutUint16(size[:], uint16(len(out)))
		if _, err := conn.Write(append(size[:], out...)); err != nil {
			return
		}
	}
}

func TestConnectAndTLSFailures(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(page("<p>secure</p>"))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the point
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	closed := httptest.NewServer(page("<p>gone</p>"))
	closedAddr := closed.Listener.Addr().(*net.TCPAddr)
	closed.Close()

	tlsPort := uint16(tlsSrv.Listener.Addr().(*net.TCPAddr).Port)
	cfg := testConfig(tlsPort)
	cfg.AllowPorts = append(cfg.AllowPorts, uint16(closedAddr.Port))
	f := newFetcher(t, cfg)

	tests := []struct {
		name      string
		fetch     func() error
		kind      crawl.Kind
		temporary bool
		wantText  string
	}{
		{"untrusted certificate", func() error {
			_, err := f.Get(context.Background(), tlsSrv.URL)
			return err
		}, crawl.KindTLS, false, "TLS with 127.0.0.1 failed"},
		{"home reports the https error first", func() error {
			_, err := f.Home(context.Background(), tlsSrv.URL)
			return err
		}, crawl.KindTLS, false, "certificate"},
		{"connection refused", func() error {
			_, err := f.Get(context.Background(), fmt.Sprintf("http://%s/", closedAddr))
			return err
		}, crawl.KindConnect, true, "could not connect to 127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fe := fetchErr(t, tc.fetch(), tc.kind)
			t.Log(fe)
			if fe.Temporary() != tc.temporary || !strings.Contains(fe.Error(), tc.wantText) {
				t.Errorf("%q temporary=%v, want text %q temporary=%v", fe.Error(), fe.Temporary(), tc.wantText, tc.temporary)
			}
		})
	}
}
