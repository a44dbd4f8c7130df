package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/demosites"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/jobclient"
)

// changingSites are the demo sites in two versions: in the second,
// Northwind promotes Tobias Lindqvist to Partner, Hannah Cho leaves and
// Rosa Delgado joins, a portfolio company is added, and Harbor Capital's
// site is gone. Until hold is closed, Northwind's homepage waits, so a
// refresh can be kept running.
type changingSites struct {
	demo    http.Handler
	version atomic.Int32
	mu      sync.Mutex
	hold    chan struct{}
}

func (s *changingSites) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

func (s *changingSites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := strings.Cut(r.Host, ":")
	s.mu.Lock()
	hold := s.hold
	s.mu.Unlock()
	if hold != nil && host == "northwind.demo.test" && r.URL.Path == "/" {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	if s.version.Load() < 2 {
		s.demo.ServeHTTP(w, r)
		return
	}
	if host == "harbor-capital.demo.test" {
		http.Error(w, "gone", http.StatusGone)
		return
	}
	rec := httptest.NewRecorder()
	s.demo.ServeHTTP(rec, r)
	body := rec.Body.String()
	if host == "northwind.demo.test" {
		switch strings.TrimSuffix(r.URL.Path, ".html") {
		case "/team":
			body = strings.Replace(body, `<h3 class="name">Tobias Lindqvist</h3>
            <p class="position">Principal</p>`, `<h3 class="name">Tobias Lindqvist</h3>
            <p class="position">Partner</p>`, 1)
			body = strings.NewReplacer("hannah-cho-92", "rosa-delgado", "hannah-cho.svg", "rosa-delgado.svg", "Hannah Cho", "Rosa Delgado").Replace(body)
		case "/portfolio":
			body = strings.Replace(body, `<a href="https://kitebase.example"`,
				`<a href="https://brightline.example" class="logo-card w-inline-block"><img src="/images/logos/brightline.svg" alt="Brightline logo"><p>Batteries for grid storage. Seed, 2026.</p></a>
        <a href="https://kitebase.example"`, 1)
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write([]byte(body))
}

// A watch refreshes its list on a Temporal schedule and says what changed
// between two refreshes, exactly: a promotion (not a leave and a join), a
// leave, a join, a portfolio company added, a site gone (not checked,
// never "everyone left"). A refresh asked for while one runs is skipped,
// not doubled; pausing and deleting reach the schedule.
func TestWatchRefreshesAndSaysWhatChanged(t *testing.T) {
	sites := &changingSites{demo: demosites.Handler(), hold: make(chan struct{})}
	sites.version.Store(1)
	defer sites.release()
	hook := &testenv.Hook{}
	receiver := httptest.NewServer(hook)
	t.Cleanup(receiver.Close)
	s := startStackWith(t, stackOptions{sites: sites, env: map[string]string{"VCENRICH_WINDOW": "4", "VCENRICH_WEBHOOK_URL": receiver.URL + "/hook"}})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	list := filepath.Join(t.TempDir(), "watched.csv")
	csv := "Firm,Website\nNorthwind Ventures,northwind.demo.test\nHarbor Capital,https://harbor-capital.demo.test\nLattice,lattice.demo.test\n"
	if err := os.WriteFile(list, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	// An interval far away: the refreshes here are the first (now) and
	// those the test asks for.
	w, err := s.client.CreateWatch(ctx, jobclient.WatchOptions{Path: list, Name: "Watched", Interval: "weekly"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Firms != 3 || w.Paused || len(w.NextRuns) == 0 {
		t.Fatalf("created %+v", w)
	}
	// Other tests' watches may share the dev server: this one is listed.
	all, err := s.client.Watches(ctx)
	if err != nil || !slices.ContainsFunc(all, func(l answer.Watch) bool { return l.WatchID == w.WatchID && l.Name == "Watched" && l.Firms == 3 }) {
		t.Errorf("the watches listed: %+v, %v", all, err)
	}
	sh := s.temporal.ScheduleClient().GetHandle(ctx, w.WatchID)
	desc, err := sh.Describe(ctx)
	if err != nil {
		t.Fatalf("the watch has no schedule in Temporal: %v", err)
	}
	if desc.Schedule.Policy.Overlap.String() != "Skip" {
		t.Errorf("overlap policy %v, want skip", desc.Schedule.Policy.Overlap)
	}

	// The first refresh holds on Northwind's homepage; one triggered
	// meanwhile is skipped.
	eventually(t, time.Minute, "the first refresh running", func() bool {
		d, err := sh.Describe(ctx)
		return err == nil && len(d.Info.RunningWorkflows) == 1
	})
	if err := s.client.WatchControl(ctx, w.WatchID, "trigger"); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the trigger skipped", func() bool {
		d, err := sh.Describe(ctx)
		return err == nil && d.Info.NumActionsSkippedOverlap == 1
	})
	sites.release()
	first := waitLast(t, s, w.WatchID, "")
	if got, _ := s.client.Watch(ctx, w.WatchID); len(got.Jobs) != 1 {
		t.Errorf("%d refresh jobs after one refresh and a skipped trigger: %v", len(got.Jobs), got.Jobs)
	}
	if j := s.job(t, first); j.Status != "completed" || j.Done != 3 {
		t.Fatalf("the first refresh %+v", j)
	}

	// The sites change; the next refresh says exactly how. (Asked for
	// before the first has closed, it would be skipped too.)
	eventually(t, time.Minute, "the first refresh closed", func() bool {
		d, err := sh.Describe(ctx)
		return err == nil && len(d.Info.RunningWorkflows) == 0
	})
	// Temporal names each run of a schedule by the second it was due: a
	// trigger in the second of the last run would reuse its name.
	eventually(t, 5*time.Second, "a second later than the first refresh's", func() bool {
		return !desc.Info.CreatedAt.IsZero() && time.Since(lastStart(t, s, w.WatchID)) >= time.Second
	})
	sites.version.Store(2)
	if err := s.client.WatchControl(ctx, w.WatchID, "trigger"); err != nil {
		t.Fatal(err)
	}
	second := waitLast(t, s, w.WatchID, first)
	wb := filepath.Join(t.TempDir(), "second.xlsx")
	if err := s.client.Download(ctx, second, wb); err != nil {
		t.Fatal(err)
	}
	rows := sheetRows(t, wb, "Changes")
	var got []string
	for _, r := range rows[1:] {
		got = append(got, strings.Join([]string{cell(r, 0), cell(r, 2), cell(r, 3), cell(r, 4), cell(r, 5), cell(r, 6)}, " | "))
	}
	want := []string{
		"Northwind Ventures | person left | Hannah Cho | Associate |  | tier 3",
		"Northwind Ventures | title changed | Tobias Lindqvist | Principal | Partner | tier 2 → tier 1",
		"Northwind Ventures | person joined | Rosa Delgado |  | Associate | tier 3",
		"Northwind Ventures | portfolio company added | Brightline |  | https://brightline.example | ",
		"Harbor Capital | firm failed |  | ok | failed | not checked this time: http_status",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Changes sheet:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	d, err := sh.Describe(ctx)
	if err != nil || len(d.Info.RecentActions) == 0 {
		t.Fatalf("the schedule's recent actions: %v", err)
	}
	recordHistories(t, s.temporal, second, "watch-compared-job")
	recordHistories(t, s.temporal, d.Info.RecentActions[len(d.Info.RecentActions)-1].StartWorkflowResult.WorkflowID, "watch-refresh")

	// The refresh's notification says the same, each change once.
	var text string
	eventually(t, 30*time.Second, "the second refresh's notification", func() bool {
		for _, c := range hook.Calls() {
			if strings.HasPrefix(c.Key, second+"/") {
				ev, _ := c.Body["event"].(map[string]any)
				text, _ = ev["text"].(string)
				return true
			}
		}
		return false
	})
	for _, change := range []string{"Hannah Cho left as Associate", "Tobias Lindqvist: Principal → Partner, tier 2 → tier 1",
		"Rosa Delgado joined as Associate", "portfolio company added: Brightline", "Harbor Capital: firm failed"} {
		if n := strings.Count(text, change); n != 1 {
			t.Errorf("the notification says %q %d times: %s", change, n, text)
		}
	}
	if !strings.HasPrefix(text, "Since the previous refresh: firm failed: 1, person joined: 1, person left: 1, title changed: 1, portfolio company added: 1 (1 firm not checked: it failed this time).") {
		t.Errorf("the notification's counts: %s", text)
	}

	// Pause and delete reach the schedule.
	if err := s.client.WatchControl(ctx, w.WatchID, "pause"); err != nil {
		t.Fatal(err)
	}
	if d, err := sh.Describe(ctx); err != nil || !d.Schedule.State.Paused {
		t.Errorf("paused watch: %+v, %v", d, err)
	}
	if err := s.client.WatchControl(ctx, w.WatchID, "delete"); err != nil {
		t.Fatal(err)
	}
	if _, err := sh.Describe(ctx); err == nil {
		t.Error("the deleted watch's schedule is still in Temporal")
	}
	if _, err := s.client.Watch(ctx, w.WatchID); err == nil || !strings.Contains(err.Error(), "no watch") {
		t.Errorf("the deleted watch still answers: %v", err)
	}
}

// lastStart is when the schedule's latest refresh was due.
func lastStart(t *testing.T, s *stack, id string) time.Time {
	t.Helper()
	d, err := s.temporal.ScheduleClient().GetHandle(context.Background(), id).Describe(context.Background())
	if err != nil || len(d.Info.RecentActions) == 0 {
		t.Fatalf("the watch's schedule has no recent action: %v", err)
	}
	return d.Info.RecentActions[len(d.Info.RecentActions)-1].ScheduleTime
}

// waitLast waits for the watch's last completed refresh to be another
// than before, and returns its job.
func waitLast(t *testing.T, s *stack, id, before string) string {
	t.Helper()
	var last string
	eventually(t, 2*time.Minute, fmt.Sprintf("a refresh after %q to complete", before), func() bool {
		w, err := s.client.Watch(context.Background(), id)
		last = w.Last
		return err == nil && w.Last != "" && w.Last != before
	})
	return last
}
