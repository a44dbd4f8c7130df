package baseline_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/bench/baseline"
	"github.com/vcenrich/vcenrich/bench/simweb"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
)

// peak wraps a handler and records the most requests it ever had at once.
type peak struct {
	h         http.Handler
	now, most atomic.Int64
}

func (p *peak) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.now.Add(1)
	defer p.now.Add(-1)
	for {
		m := p.most.Load()
		if n <= m || p.most.CompareAndSwap(m, n) {
			break
		}
	}
	p.h.ServeHTTP(w, r)
}

func engine(t *testing.T, h http.Handler) *enrich.Engine {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	cc := crawl.DefaultConfig()
	cc.MinHostInterval = 0
	cc.IgnoreRobots = true
	cc.RequestTimeout = 5 * time.Second
	cc.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	cc.AllowPorts = []uint16{uint16(port)}
	cc.Hosts = map[string]string{simweb.Suffix: u.Host}
	f, err := crawl.New(cc)
	if err != nil {
		t.Fatal(err)
	}
	return &enrich.Engine{Fetcher: f, MaxPages: 6}
}

func inputs(n int) []firm.Input {
	out := make([]firm.Input, n)
	for i := range out {
		out[i] = firm.Input{Index: i, Row: i + 2, Name: fmt.Sprintf("Firm %d", i), Website: fmt.Sprintf("http://base-%03d%s", i, simweb.Suffix)}
	}
	return out
}

func TestRunEnrichesEveryFirmWithinTheWindow(t *testing.T) {
	p := &peak{h: simweb.New(simweb.Config{Latency: 5 * time.Millisecond})}
	firms := inputs(40)
	results, out := baseline.Run(context.Background(), engine(t, p), firms, baseline.Options{Window: 4, MaxAttempts: 3, RetryInterval: time.Millisecond})
	wantTeam := 0
	for i, in := range firms {
		u, _ := url.Parse(in.Website)
		wantTeam += len(simweb.SiteFor(u.Hostname()).Team)
		if results[i].Index != i || results[i].Status != firm.StatusOK {
			t.Errorf("firm %d: %+v", i, results[i])
		}
	}
	if out.Done != 40 || out.Failed != 0 || out.Attempts != 40 || out.TeamMembers != wantTeam {
		t.Errorf("outcome %+v; want 40 done in 40 attempts with %d team members", out, wantTeam)
	}
	if len(out.FirstAttempts) != 40 || out.FirstAttempts[0] < 10*time.Millisecond {
		t.Errorf("first-attempt times %v: want one per firm, each at least two 5 ms pages", out.FirstAttempts)
	}
	if out.Pages < 80 {
		t.Errorf("%d pages for 40 firms", out.Pages)
	}
	if m := p.most.Load(); m > 4 || m < 2 {
		t.Errorf("%d requests at once with a window of 4", m)
	}
}

func TestRunRetriesTemporaryFailures(t *testing.T) {
	tests := []struct {
		name         string
		handler      http.Handler
		wantAttempts int
		wantReason   string
	}{
		{"503 every time", simweb.New(simweb.Config{ErrorRate: 1}), 3, string(crawl.KindHTTP)},
		{"404 homepage is not retried", http.NotFoundHandler(), 1, string(crawl.KindHTTP)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, out := baseline.Run(context.Background(), engine(t, tt.handler), inputs(3), baseline.Options{Window: 2, MaxAttempts: 3, RetryInterval: time.Millisecond})
			if out.Failed != 3 || out.Attempts != 3*tt.wantAttempts || out.FailuresByReason[tt.wantReason] != 3 {
				t.Errorf("outcome %+v; want 3 failed after %d attempts each, reason %s", out, tt.wantAttempts, tt.wantReason)
			}
			for _, r := range results {
				if r.Status != firm.StatusFailed || r.Error == "" || r.Attempt != tt.wantAttempts {
					t.Errorf("result %+v", r)
				}
			}
		})
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, out := baseline.Run(ctx, engine(t, simweb.New(simweb.Config{})), inputs(50), baseline.Options{Window: 2, MaxAttempts: 3})
	if out.Done+out.Failed > 2 {
		t.Errorf("%+v: firms were started after the cancel", out)
	}
}

func TestWriteWorkbook(t *testing.T) {
	firms := inputs(3)
	up := &sheets.Upload{Headers: []string{"Firm Name", "Website"}, Firms: firms}
	for i := range firms {
		up.Firms[i].Values = []string{firms[i].Name, firms[i].Website}
	}
	results := []firm.Result{
		{Index: 0, Status: firm.StatusOK, Team: []firm.Member{{Name: "Ada Lovelace", Title: "Partner"}}},
		{Index: 1, Status: firm.StatusFailed, Reason: "http_status", Error: "503"},
		{Index: 2, Status: firm.StatusOK},
	}
	var buf bytes.Buffer
	now := time.Now()
	if err := baseline.WriteWorkbook(&buf, up, results, baseline.Outcome{Done: 2, Failed: 1, TeamMembers: 1}, now, now); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("Firms")
	if err != nil || len(rows) != 4 {
		t.Fatalf("Firms sheet: %d rows, %v", len(rows), err)
	}
	members, err := wb.GetRows("Team Members")
	if err != nil || len(members) != 2 {
		t.Fatalf("Team Members sheet: %d rows, %v", len(members), err)
	}
	if err := baseline.WriteWorkbook(&buf, up, results[:2], baseline.Outcome{}, now, now); err == nil {
		t.Error("a workbook with a result missing was written")
	}
}
