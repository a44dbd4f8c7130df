package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/bench/simweb"
)

func run(wall time.Duration, firms int, coresBusy float64, procs ...Process) *Run {
	return &Run{
		Wall: Duration(wall), FirmsPerMinute: float64(firms) / wall.Minutes(), Done: firms,
		Processes: procs, CoresBusy: coresBusy, LatencyFloor: Duration(30 * time.Second),
	}
}

func TestJudge(t *testing.T) {
	fast := run(4*time.Minute, 7547, 1.2, Process{Name: "worker", PeakRSSMB: 120, CPU: Duration(50 * time.Second)})
	slow := run(10*time.Minute, 7547, 1.95, Process{Name: "worker", PeakRSSMB: 120, CPU: Duration(100 * time.Second)}, Process{Name: "dev server", CPU: Duration(900 * time.Second)})
	pool := run(3*time.Minute+50*time.Second, 7547, 0.5, Process{Name: "baseline"})
	bigWorker := func(mb float64) *Run {
		return run(30*time.Minute, 50000, 1, Process{Name: "worker", PeakRSSMB: mb})
	}
	tests := []struct {
		name    string
		r       Result
		want    map[string]bool // target name prefix -> met
		inNotes []string
	}{
		{
			name: "all met",
			r: Result{Machine: Machine{CPUs: 2}, Sizes: []Size{
				{Firms: 7547, Stack: fast, Baseline: pool, Ratio: 240.0 / 230},
				{Firms: 50000, Stack: bigWorker(180)},
			}, Recovery: &Recovery{NextFirm: Duration(3 * time.Second), InFlight: 64, Redone: 60}},
			want: map[string]bool{"7,547 firms": true, "durability overhead, 7,547": true, "worker peak RSS": true, "after kill -9 at half": true, "after kill -9: firms": true},
		},
		{
			name: "slow and CPU-bound, memory and recovery missed",
			r: Result{Machine: Machine{CPUs: 2}, Sizes: []Size{
				{Firms: 7547, Stack: slow, Baseline: pool, Ratio: 600.0 / 230},
				{Firms: 50000, Stack: bigWorker(400)},
			}, Recovery: &Recovery{NextFirm: Duration(27 * time.Second), InFlight: 64, Redone: 70, Lost: 1, HeartbeatLimit: Duration(30 * time.Second)}},
			want:    map[string]bool{"7,547 firms": false, "durability overhead, 7,547": false, "worker peak RSS": false, "after kill -9 at half": false, "after kill -9: firms": false},
			inNotes: []string{"CPU-bound", "dev server 90%", "missed by 100 MB", "heartbeat timeout (30.0 s)", "6 more redone than in flight, 1 lost"},
		},
		{
			name: "window kept half full",
			r: Result{Machine: Machine{CPUs: 2}, Sizes: []Size{{Firms: 7547, Baseline: pool, Ratio: 2,
				Stack: func() *Run {
					r := run(8*time.Minute, 7547, 0.9)
					r.History = &HistoryFigures{Occupancy: 0.55, ScheduleToStartP50: Duration(900 * time.Millisecond), ScheduleToStartP99: Duration(3 * time.Second), Drain: Duration(40 * time.Second)}
					return r
				}()}}},
			want:    map[string]bool{"7,547 firms": false, "durability overhead, 7,547": false},
			inNotes: []string{"kept only 55% full", "900 ms (p50) to 3.0 s (p99)", "drains took 40.0 s"},
		},
		{
			name: "nothing ran",
			r:    Result{Machine: Machine{CPUs: 2}},
			want: map[string]bool{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.Judge()
			if len(tt.r.Targets) != len(tt.want) {
				t.Fatalf("%d targets judged, want %d: %+v", len(tt.r.Targets), len(tt.want), tt.r.Targets)
			}
			var notes strings.Builder
			for _, tg := range tt.r.Targets {
				found := false
				for prefix, met := range tt.want {
					if strings.HasPrefix(tg.Name, prefix) {
						found = true
						if tg.Met != met {
							t.Errorf("%s: met=%v, want %v (%s)", tg.Name, tg.Met, met, tg.Measured)
						}
					}
				}
				if !found {
					t.Errorf("unexpected target %q", tg.Name)
				}
				if !tg.Met && tg.Note == "" {
					t.Errorf("%s missed without saying why", tg.Name)
				}
				notes.WriteString(tg.Note + "\n")
			}
			for _, s := range tt.inNotes {
				if !strings.Contains(notes.String(), s) {
					t.Errorf("notes lack %q:\n%s", s, notes.String())
				}
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	r := Result{
		Started: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Command: "go run ./bench -firms 7547",
		Machine: Machine{CPUModel: "Test CPU", CPUs: 2, MemoryGiB: 23.5, GoVersion: "go1.26"},
		Sizes: []Size{{Firms: 7547, Ratio: 1.04,
			Stack:    &Run{Wall: Duration(4 * time.Minute), FirmsPerMinute: 1886.75, Done: 7500, Failed: 47, History: &HistoryFigures{EventsPerFirm: 11.2, Runs: 16, ScheduleToStartP50: Duration(4 * time.Millisecond), ScheduleToStartP99: Duration(40 * time.Millisecond)}, Processes: []Process{{Name: "worker", PeakRSSMB: 150, RSSAt: []float64{100, 120, 130, 150}}}},
			Baseline: &Run{Wall: Duration(230 * time.Second), Processes: []Process{{Name: "baseline", PeakRSSMB: 90}}},
		}},
		Recovery: &Recovery{Firms: 7547, KilledAt: 3774, InFlight: 64, NextFirm: Duration(2 * time.Second), Down: Duration(5 * time.Second)},
	}
	r.Judge()
	md := r.Markdown()
	for _, want := range []string{
		"| | 7,547 firms: (a) full stack | 7,547 firms: (b) goroutine pool |",
		"| wall time | 4m 00s | 3m 50s |",
		"| firms per minute | 1,887 |",
		"| wall (a)/(b) | 1.04 | – |",
		"| done / failed | 7,500 / 47 |",
		"| history events per firm | 11.2 (16 runs) | – |",
		"| schedule-to-start p50 / p99 | 4.0 ms / 40 ms | – |",
		"| peak RSS, worker | 150 MB | – |",
		"| worker RSS at 25/50/75/100 % | 100 / 120 / 130 / 150 MB |",
		"| restart to the next completed firm | 2.0 s |",
		"Test CPU, 2 cores, 23.5 GiB",
		"| durability overhead, 7,547 firms: wall (a)/(b) | at most 1.15 | 1.04 | met |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	b, err := json.Marshal(struct{ D Duration }{Duration(1500 * time.Millisecond)})
	if err != nil || string(b) != `{"D":1.500}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var back struct{ D Duration }
	if err := json.Unmarshal(b, &back); err != nil || back.D.D() != 1500*time.Millisecond {
		t.Errorf("unmarshal: %v %v", back.D.D(), err)
	}
}

func TestFormatting(t *testing.T) {
	durs := []struct {
		d    time.Duration
		want string
	}{{0, "0 s"}, {500 * time.Microsecond, "0.50 ms"}, {4200 * time.Microsecond, "4.2 ms"}, {850 * time.Millisecond, "850 ms"}, {4200 * time.Millisecond, "4.2 s"}, {192 * time.Second, "3m 12s"}}
	for _, tt := range durs {
		if got := fmtDur(tt.d); got != tt.want {
			t.Errorf("fmtDur(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	nums := []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {7547, "7,547"}, {50000, "50,000"}, {1234567, "1,234,567"}, {-1500, "-1,500"}}
	for _, tt := range nums {
		if got := thousands(tt.n); got != tt.want {
			t.Errorf("thousands(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestRenderingMarkdown(t *testing.T) {
	off := &Run{Wall: Duration(20 * time.Second), FirmsPerMinute: 1200, Done: 400, TeamMembers: 3000,
		Web: simweb.Stats{Requests: 2400}, CoresBusy: 0.8,
		Processes: []Process{{Name: "worker", PeakRSSMB: 120, CPU: Duration(8 * time.Second)}}}
	on := &Run{Wall: Duration(50 * time.Second), FirmsPerMinute: 480, Done: 400, TeamMembers: 3320,
		Web: simweb.Stats{Requests: 2300, TeamData: 40}, CoresBusy: 1.9,
		Processes: []Process{{Name: "worker", PeakRSSMB: 160, CPU: Duration(12 * time.Second)}, {Name: BrowserProcess, PeakRSSMB: 900, CPU: Duration(44 * time.Second)}}}
	base := Rendering{Firms: 400, Share: 0.1, ScriptBuilt: 40, ScriptTeam: 330, ScriptTeamOn: 328, Tabs: 2, Off: off, On: on, BrowserPeakPSSMB: 400, BrowserProcs: 9}
	tests := []struct {
		name          string
		r             Rendering
		want, wantNot []string
	}{
		{"both runs", base, []string{
			"**Script-built sites** (400 firms, 40 of them script-built: 10% of the sites that link their team page, with 330 team members;",
			"`auto` with 2 tabs",
			"| wall time | 20.0 s | 50.0 s |",
			"| rendering adds to the wall time | – | +30.0 s (+150%) |",
			"| team members found | 3,000 | 3,320 |",
			"| of them on the script-built sites | 0 of 330 | 328 of 330 |",
			"| pages rendered (their script fetched the team) | 0 | 40 |",
			"| pages rendered per second of the job | – | 0.80 |",
			"| browser CPU seconds: all / a tab / a page | – | 44.0 / 22.0 / 1.10 |",
			"| browser peak RSS, process tree: all / a tab | – | 900 / 450 MB |",
			"| browser peak PSS (shared pages split): all / a tab | – | 400 / 200 MB |",
			"| browser processes at most | – | 9 |",
			"| requests per firm (web) | 6.00 | 5.75 |",
			"| CPU seconds by process | worker 8.0 | worker 12.0, browser 44.0 |",
		}, nil},
		{"rendering faster, no PSS, nothing rendered", func() Rendering {
			r := base
			r.BrowserPeakPSSMB = 0
			fast := *on
			fast.Wall = Duration(15 * time.Second)
			fast.Web.TeamData = 0
			r.On = &fast
			return r
		}(), []string{
			"| rendering adds to the wall time | – | -5.0 s (-25%) |",
			"| browser peak PSS (shared pages split): all / a tab | – | – |",
			"| browser CPU seconds: all / a tab / a page | – | 44.0 / 22.0 / – |",
		}, nil},
		{"the browser-off run missing", func() Rendering { r := base; r.Off = nil; return r }(), []string{
			"| wall time | – | 50.0 s |",
			"| rendering adds to the wall time | – | – |",
		}, []string{"| of them on the script-built sites | 0 of 330 |"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Result{Machine: Machine{CPUs: 2}, Rendering: &tt.r}
			md := res.Markdown()
			for _, want := range tt.want {
				if !strings.Contains(md, want) {
					t.Errorf("Markdown lacks %q:\n%s", want, md)
				}
			}
			for _, not := range tt.wantNot {
				if strings.Contains(md, not) {
					t.Errorf("Markdown has %q:\n%s", not, md)
				}
			}
		})
	}
}

// At a thousand firms in flight the bound on (a)/(b) is the tighter one.
func TestRatioTargetByWindow(t *testing.T) {
	for _, tc := range []struct {
		window int
		ratio  float64
		goal   string
		met    bool
	}{
		{64, 1.12, "at most 1.15", true},
		{1024, 1.12, "at most 1.10", false},
		{1024, 1.02, "at most 1.10", true},
	} {
		r := Result{Settings: Settings{Window: tc.window}, Sizes: []Size{{Firms: 10, Ratio: tc.ratio, Stack: &Run{}, Baseline: &Run{}}}}
		r.Judge()
		var got *Target
		for i := range r.Targets {
			if strings.HasPrefix(r.Targets[i].Name, "durability overhead") {
				got = &r.Targets[i]
			}
		}
		if got == nil || got.Goal != tc.goal || got.Met != tc.met {
			t.Errorf("window %d, ratio %.2f: target %+v; want %q, met %v", tc.window, tc.ratio, got, tc.goal, tc.met)
		}
	}
}
