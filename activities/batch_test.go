package activities_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/vcenrich/vcenrich/activities"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/store"
)

const teamPage = `<html><head><title>Fund</title><meta name="description" content="A seed venture fund."></head><body>
<section><h2>Team</h2><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Managing Partner</p></div>
<div class="card"><h3>Tom Reyes</h3><p>Principal</p></div>
</div></section></body></html>`

// sites serves every host under .batch.test: "gone" answers 404 (a
// permanent failure), "hang" never answers its homepage, the rest a team
// of two. It
// counts homepage requests per host.
type sites struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newSites(t *testing.T) *sites {
	s := &sites{hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ".")
		if r.URL.Path == "/" {
			s.mu.Lock()
			s.hits[host]++
			s.mu.Unlock()
		}
		switch {
		case host == "hang" && r.URL.Path == "/":
			<-r.Context().Done()
		case host == "gone" || r.URL.Path != "/":
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, teamPage)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sites) hitsOf(host string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[host]
}

// setup stores a job of the given hosts and returns activities that
// enrich them against s.
func setup(t *testing.T, s *sites, hosts ...string) (*activities.Activities, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var firms []firm.Input
	for i, h := range hosts {
		firms = append(firms, firm.Input{Index: i, Row: i + 2, Name: h, Website: "http://" + h + ".batch.test/"})
	}
	if err := st.PutJob(ctx, store.Job{ID: "job", Total: len(firms)}, nil, firms); err != nil {
		t.Fatal(err)
	}
	ap := s.srv.Listener.Addr().(*net.TCPAddr).AddrPort()
	cfg := crawl.DefaultConfig()
	cfg.AllowEndpoints = append(cfg.AllowEndpoints, ap)
	cfg.Hosts = map[string]string{".batch.test": ap.String()}
	cfg.MinHostInterval = 0
	cfg.RequestTimeout = 5 * time.Second
	f, err := crawl.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &activities.Activities{Store: st, Engine: &enrich.Engine{Fetcher: f, MaxPages: 2}}, st
}

func activityEnv(t *testing.T) *testsuite.TestActivityEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(applog.Temporal(testenv.Logger(t)))
	return s.NewTestActivityEnvironment()
}

// runBatch runs one attempt at a slice in env and returns its result.
func runBatch(t *testing.T, env *testsuite.TestActivityEnvironment, a *activities.Activities, task contract.BatchTask) contract.BatchResult {
	t.Helper()
	v, err := env.ExecuteActivity(a.EnrichBatch, task)
	if err != nil {
		t.Fatal(err)
	}
	var r contract.BatchResult
	if err := v.Get(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEnrichBatch(t *testing.T) {
	s := newSites(t)
	a, st := setup(t, s, "a", "b", "gone", "c", "hang", "d")
	env := activityEnv(t)
	env.RegisterActivity(a)
	task := contract.BatchTask{JobID: "job", Run: "r1", Start: 0, End: 6, Concurrency: 3, MaxAttempts: 2,
		FirmTimeout: 300 * time.Millisecond, RetryInterval: time.Millisecond}
	r := runBatch(t, env, a, task)
	want := contract.BatchCounts{Done: 4, Failed: 2, TeamMembers: 8,
		FailuresByReason: map[string]int{string(crawl.KindHTTP): 1, contract.ReasonFirmTimeout: 1}}
	if fmt.Sprint(r.BatchCounts) != fmt.Sprint(want) || r.Stopped || r.Paused {
		t.Errorf("result %+v, want %+v", r, want)
	}
	// A permanent failure is tried once, a firm out of time every attempt.
	if s.hitsOf("gone") != 1 || s.hitsOf("hang") != 2 || s.hitsOf("a") != 1 {
		t.Errorf("homepage requests gone %d, hang %d, a %d; want 1, 2, 1", s.hitsOf("gone"), s.hitsOf("hang"), s.hitsOf("a"))
	}
	for i, status := range []firm.Status{firm.StatusOK, firm.StatusOK, firm.StatusFailed, firm.StatusOK, firm.StatusFailed, firm.StatusOK} {
		res, ok, err := st.Result(context.Background(), "job", i)
		if err != nil || !ok || res.Status != status || res.Run != "r1" {
			t.Errorf("firm %d stored %+v (%v, %v), want %s of run r1", i, res, ok, err, status)
		}
	}
}

// A retried attempt resumes from its heartbeat: finished firms are not
// fetched again, and what they came to is kept in the slice's counts;
// firms an earlier, paused activity counted are skipped uncounted.
func TestEnrichBatchResumes(t *testing.T) {
	s := newSites(t)
	a, _ := setup(t, s, "a", "b", "c", "d")
	env := activityEnv(t)
	env.RegisterActivity(a)
	env.SetHeartbeatDetails(contract.BatchProgress{Finished: []int{0}, Counts: contract.BatchCounts{Done: 1, TeamMembers: 2}})
	task := contract.BatchTask{JobID: "job", Run: "r1", Start: 0, End: 4, Concurrency: 2, MaxAttempts: 2,
		FirmTimeout: 5 * time.Second, RetryInterval: time.Millisecond, Counted: []int{1}}
	r := runBatch(t, env, a, task)
	if r.Done != 3 || r.TeamMembers != 6 {
		t.Errorf("result %+v, want the heartbeat's firm and two new ones", r)
	}
	if s.hitsOf("a") != 0 || s.hitsOf("b") != 0 || s.hitsOf("c") != 1 || s.hitsOf("d") != 1 {
		t.Errorf("homepage requests %v: want none for the finished firms a and b", s.hits)
	}
}

// A slice whose job is paused starts no more firms and says so.
func TestEnrichBatchParksWhenPaused(t *testing.T) {
	s := newSites(t)
	a, st := setup(t, s, "a", "b", "c", "d", "e", "f")
	if err := st.SetPaused(context.Background(), "job", true); err != nil {
		t.Fatal(err)
	}
	env := activityEnv(t)
	env.RegisterActivity(a)
	task := contract.BatchTask{JobID: "job", Run: "r1", Start: 0, End: 6, Concurrency: 1, MaxAttempts: 1, FirmTimeout: 5 * time.Second}
	r := runBatch(t, env, a, task)
	if !r.Paused || r.Done >= 6 || len(r.Finished) != r.Done {
		t.Errorf("result %+v: want parked with fewer than 6 firms done, each listed", r)
	}
}

// A slice on a worker told to stop starts no firm: it hands back what it
// has not done, counting what it had.
func TestEnrichBatchHandsBackOnWorkerStop(t *testing.T) {
	s := newSites(t)
	a, _ := setup(t, s, "a", "b", "c")
	env := activityEnv(t)
	env.RegisterActivity(a)
	stop := make(chan struct{})
	close(stop)
	env.SetWorkerStopChannel(stop)
	env.SetHeartbeatDetails(contract.BatchProgress{Finished: []int{0}, Counts: contract.BatchCounts{Done: 1, TeamMembers: 2}})
	task := contract.BatchTask{JobID: "job", Run: "r1", Start: 0, End: 3, Concurrency: 2, MaxAttempts: 1, FirmTimeout: 5 * time.Second}
	r := runBatch(t, env, a, task)
	if !r.Stopped || r.Paused || r.Done != 1 || fmt.Sprint(r.Finished) != "[0]" {
		t.Errorf("result %+v: want stopped with firm 0 counted and listed", r)
	}
	if n := s.hitsOf("b") + s.hitsOf("c"); n != 0 {
		t.Errorf("%d homepage requests after the worker was told to stop", n)
	}
}
