// Package report holds the benchmark's results, judges them against the
// project's targets and renders them as JSON and as a Markdown table.
package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vcenrich/vcenrich/bench/simweb"
)

// Result is one benchmark run.
type Result struct {
	Started  time.Time `json:"started"`
	Command  string    `json:"command"`
	Machine  Machine   `json:"machine"`
	Settings Settings  `json:"settings"`
	Sizes    []Size    `json:"sizes"`
	Recovery *Recovery `json:"recovery,omitempty"`
	// Rendering is the script-built sites scenario, which runs on a web of
	// its own: Web describes the others'.
	Rendering *Rendering `json:"rendering,omitempty"`
	Targets   []Target   `json:"targets"`
	Profiles  []Profile  `json:"profiles,omitempty"`
	Notes     []string   `json:"notes,omitempty"`
	Duration  Duration   `json:"duration"` // the whole benchmark
	Web       WebSummary `json:"web"`
}

// Machine describes where it ran.
type Machine struct {
	CPUModel  string  `json:"cpu_model"`
	CPUs      int     `json:"cpus"`
	MemoryGiB float64 `json:"memory_gib"`
	Kernel    string  `json:"kernel"`
	GoVersion string  `json:"go_version"`
	Commit    string  `json:"commit,omitempty"`
}

// Settings are the knobs both sides ran with.
type Settings struct {
	Window           int      `json:"window"`
	WorkerMax        int      `json:"worker_max_activities"`
	Backlog          int      `json:"backlog,omitempty"` // the job's window beyond the worker's slots
	ContinueEvery    int      `json:"continue_every"`
	MaxPages         int      `json:"max_pages"`
	HeartbeatTimeout Duration `json:"heartbeat_timeout"`
	Robots           bool     `json:"robots"`
}

// WebSummary is the simulated web's shape.
type WebSummary struct {
	Latency     Duration `json:"latency"`
	Jitter      Duration `json:"jitter"`
	SlowRate    float64  `json:"slow_rate"`
	SlowLatency Duration `json:"slow_latency"`
	ErrorRate   float64  `json:"error_rate"`
	Rate429     float64  `json:"rate_429"`
	PageKB      int      `json:"page_kb"`
}

// MeanLatency is the expected delay of one answer.
func (w WebSummary) MeanLatency() time.Duration {
	return time.Duration((1-w.SlowRate)*float64(w.Latency) + w.SlowRate*float64(w.SlowLatency))
}

// Size is one job size measured both ways.
type Size struct {
	Firms    int     `json:"firms"`
	Stack    *Run    `json:"stack,omitempty"`    // (a) dev server, server, worker, workflow
	Baseline *Run    `json:"baseline,omitempty"` // (b) the engine in a goroutine pool
	Ratio    float64 `json:"ratio,omitempty"`    // wall (a) / wall (b)
	// Pairs, when (b) and (a) ran several times, alternately: Ratio is
	// their median, Stack and Baseline the median pair's runs.
	Pairs []Pair `json:"pairs,omitempty"`
}

// Pair is one run of each side.
type Pair struct {
	Stack    Duration `json:"stack"`
	Baseline Duration `json:"baseline"`
	Ratio    float64  `json:"ratio"`
}

// Run is one side's measurement.
type Run struct {
	Wall           Duration        `json:"wall"`
	FirmsPerMinute float64         `json:"firms_per_minute"`
	Done           int             `json:"done"`
	Failed         int             `json:"failed"`
	TeamMembers    int             `json:"team_members"`
	Processes      []Process       `json:"processes"`
	CPUPerFirm     Duration        `json:"cpu_per_firm"` // measured processes, the web excluded
	CoresBusy      float64         `json:"cores_busy"`   // every process, the web included, over the wall time
	Web            simweb.Stats    `json:"web"`
	LatencyFloor   Duration        `json:"latency_floor"` // firms × requests per firm × mean latency / window
	FirmTimeP50    Duration        `json:"firm_time_p50"` // one firm's enrichment, first attempts
	FirmTimeP99    Duration        `json:"firm_time_p99"`
	History        *HistoryFigures `json:"history,omitempty"`
	Persistence    []Operation     `json:"persistence,omitempty"` // the dev server's slowest persistence operations
	Phases         *Phases         `json:"phases,omitempty"`
}

// Phases split a run's wall time: from its start (the upload, or reading
// the spreadsheet) to its first firm started, from there to its last firm
// finished, and from there to the workbook written.
type Phases struct {
	Start    Duration `json:"start"`
	Firms    Duration `json:"firms"`
	Workbook Duration `json:"workbook"`
}

// Process is one process's cost during a run.
type Process struct {
	Name      string    `json:"name"`
	PeakRSSMB float64   `json:"peak_rss_mb"`
	CPU       Duration  `json:"cpu"`
	RSSAt     []float64 `json:"rss_at_quartiles,omitempty"` // RSS at 25, 50, 75 and 100 % of the run
}

// HistoryFigures come from the job's workflow histories.
type HistoryFigures struct {
	Runs               int      `json:"runs"`
	Events             int      `json:"events"`
	EventsPerFirm      float64  `json:"events_per_firm"`
	ScheduleToStartP50 Duration `json:"schedule_to_start_p50"`
	ScheduleToStartP99 Duration `json:"schedule_to_start_p99"`
	ScheduleToStartMax Duration `json:"schedule_to_start_max"`
	Retried            int      `json:"retried"`
	Occupancy          float64  `json:"window_occupancy"`  // firms scheduled and not yet closed over the worker's slots, averaged over the job
	TaskRunP50         Duration `json:"workflow_task_p50"` // started to completed
	Drain              Duration `json:"continue_as_new_drain"`
	// Temporal actions per firm, from the histories, and the heartbeats
	// they can have sent at most (see bench/history).
	ActionsPerFirm    float64 `json:"actions_per_firm"`
	HeartbeatsPerFirm float64 `json:"heartbeats_per_firm_at_most"`
}

// Operation is a persistence operation of the dev server and the time it took.
type Operation struct {
	Name  string   `json:"name"`
	Count int64    `json:"count"`
	Total Duration `json:"total"`
}

// Recovery is the kill -9 scenario.
type Recovery struct {
	Firms          int       `json:"firms"`
	KilledAt       int       `json:"killed_at"`          // firms processed when the worker was killed
	InFlight       int       `json:"in_flight"`          // firms in flight just before the kill
	Down           Duration  `json:"down"`               // kill to restart
	NextFirm       Duration  `json:"next_firm"`          // restart to the next completed firm
	Redone         int       `json:"redone"`             // firms whose homepage was served whole twice
	Retried        int       `json:"retried"`            // firm activities whose recorded attempt was not the first
	Lost           int       `json:"lost"`               // firms neither done nor failed at the end
	Wall           Duration  `json:"wall"`               // the whole job, the outage included
	WorkerPeakMB   []float64 `json:"worker_peak_rss_mb"` // each worker process
	HeartbeatLimit Duration  `json:"heartbeat_timeout"`
}

// Profile is a CPU profile taken during the benchmark.
type Profile struct {
	Of   string   `json:"of"`
	Path string   `json:"path"`
	Top  []string `json:"top"` // pprof -top lines
}

// Target is one of the project's goals and how the run met it.
type Target struct {
	Name     string `json:"name"`
	Goal     string `json:"goal"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
	Note     string `json:"note,omitempty"`
}

// Duration is a time.Duration that reads as seconds in JSON.
type Duration time.Duration

// MarshalJSON writes seconds with millisecond precision.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", time.Duration(d).Seconds())), nil
}

// UnmarshalJSON reads seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s float64
	if _, err := fmt.Sscan(string(b), &s); err != nil {
		return fmt.Errorf("duration %s: %w", b, err)
	}
	*d = Duration(s * float64(time.Second))
	return nil
}

// D is the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// The project's targets (issue 7).
const (
	TargetFirms       = 7547
	TargetWall        = 5 * time.Minute
	TargetRatio       = 1.15
	TargetWorkerRSSMB = 300
	TargetNextFirm    = 15 * time.Second
	// At a thousand firms in flight (issue 17) durability must cost less.
	TargetRatioAtScale = 1.10
	ScaleWindow        = 1024
)

// ratioTarget is the bound on (a)/(b) for a run at window firms in flight.
func ratioTarget(window int) float64 {
	if window >= ScaleWindow {
		return TargetRatioAtScale
	}
	return TargetRatio
}

// Judge sets r.Targets from the measurements. A target whose scenario did
// not run is left out rather than called met.
func (r *Result) Judge() {
	r.Targets = nil
	want := float64(TargetFirms) / TargetWall.Minutes()
	// The first size is the throughput job, any later one the big job
	// whose memory must stay flat.
	for i, s := range r.Sizes {
		if s.Stack == nil {
			continue
		}
		if i == 0 {
			got := s.Stack.FirmsPerMinute
			t := Target{
				Name:     fmt.Sprintf("%s firms at %s per page on %d cores", thousands(TargetFirms), fmtDur(r.Web.Latency.D()), r.Machine.CPUs),
				Goal:     fmt.Sprintf("at most %s (%s firms/min)", fmtDur(TargetWall), thousands(int(math.Ceil(want)))),
				Measured: fmt.Sprintf("%s firms/min", thousands(int(got))),
				Met:      got >= want,
			}
			if s.Firms != TargetFirms {
				t.Measured += fmt.Sprintf(" (%s firms in %s)", thousands(s.Firms), fmtDur(s.Stack.Wall.D()))
			} else {
				t.Measured += fmt.Sprintf(" (%s)", fmtDur(s.Stack.Wall.D()))
			}
			if !t.Met {
				t.Note = fmt.Sprintf("missed by %.0f%%; %s", (want/got-1)*100, limit(s.Stack, r.Machine.CPUs))
			}
			r.Targets = append(r.Targets, t)
		}
		if s.Baseline != nil && s.Ratio > 0 {
			bound := ratioTarget(r.Settings.Window)
			t := Target{
				Name:     fmt.Sprintf("durability overhead, %s firms: wall (a)/(b)", thousands(s.Firms)),
				Goal:     fmt.Sprintf("at most %.2f", bound),
				Measured: fmt.Sprintf("%.2f", s.Ratio),
				Met:      s.Ratio <= bound,
			}
			if !t.Met {
				t.Note = fmt.Sprintf("missed by %.0f%%; %s", (s.Ratio/bound-1)*100, limit(s.Stack, r.Machine.CPUs))
			}
			r.Targets = append(r.Targets, t)
		}
		if i > 0 {
			w := s.Stack.process("worker")
			t := Target{
				Name:     fmt.Sprintf("worker peak RSS, %s firms", thousands(s.Firms)),
				Goal:     fmt.Sprintf("at most %d MB", TargetWorkerRSSMB),
				Measured: fmt.Sprintf("%.0f MB", w.PeakRSSMB),
				Met:      w.PeakRSSMB > 0 && w.PeakRSSMB <= TargetWorkerRSSMB,
			}
			if !t.Met {
				t.Note = fmt.Sprintf("missed by %.0f MB", w.PeakRSSMB-TargetWorkerRSSMB)
			}
			r.Targets = append(r.Targets, t)
		}
	}
	if rc := r.Recovery; rc != nil {
		t := Target{
			Name:     "after kill -9 at half way and a restart 5 s later: next completed firm",
			Goal:     fmt.Sprintf("within %s of the restart", fmtDur(TargetNextFirm)),
			Measured: fmtDur(rc.NextFirm.D()),
			Met:      rc.NextFirm.D() <= TargetNextFirm,
		}
		if !t.Met {
			t.Note = fmt.Sprintf("missed by %s: the firms in flight on the killed worker hold the window until their heartbeat timeout (%s) expires", fmtDur(rc.NextFirm.D()-TargetNextFirm), fmtDur(rc.HeartbeatLimit.D()))
		}
		r.Targets = append(r.Targets, t)
		t = Target{
			Name:     "after kill -9: firms redone",
			Goal:     "no more than were in flight, none lost",
			Measured: fmt.Sprintf("%d redone, %d in flight, %d lost", rc.Redone, rc.InFlight, rc.Lost),
			Met:      rc.Redone <= rc.InFlight && rc.Lost == 0,
		}
		if !t.Met {
			t.Note = fmt.Sprintf("%d more redone than in flight, %d lost", max(rc.Redone-rc.InFlight, 0), rc.Lost)
		}
		r.Targets = append(r.Targets, t)
	}
}

func (r *Run) process(name string) Process {
	for _, p := range r.Processes {
		if p.Name == name {
			return p
		}
	}
	return Process{}
}

// limit says what bounds a run: the cores when they were nearly all busy
// (naming the process that used most), else the latency of the web
// through the window.
func limit(r *Run, cpus int) string {
	if r == nil {
		return ""
	}
	var top Process
	var total time.Duration
	for _, p := range r.Processes {
		total += p.CPU.D()
		if p.CPU > top.CPU {
			top = p
		}
	}
	if cpus > 0 && r.CoresBusy >= 0.85*float64(cpus) {
		share := 0.0
		if total > 0 {
			share = 100 * float64(top.CPU) / float64(total)
		}
		return fmt.Sprintf("CPU-bound: %.1f of %d cores busy, %s %.0f%% of the stack's CPU", r.CoresBusy, cpus, top.Name, share)
	}
	if h := r.History; h != nil && h.Occupancy > 0 && h.Occupancy < 0.85 {
		return fmt.Sprintf("the window was kept only %.0f%% full: firms waited %s (p50) to %s (p99) to be picked up after being scheduled, and the runs' continue-as-new drains took %s; %.1f of %d cores busy",
			100*h.Occupancy, fmtDur(h.ScheduleToStartP50.D()), fmtDur(h.ScheduleToStartP99.D()), fmtDur(h.Drain.D()), r.CoresBusy, cpus)
	}
	if r.LatencyFloor > 0 && r.Wall.D() < 2*r.LatencyFloor.D() {
		return fmt.Sprintf("latency-bound: the web's latency through the window alone takes %s", fmtDur(r.LatencyFloor.D()))
	}
	return fmt.Sprintf("neither the cores (%.1f of %d busy) nor the web's latency (floor %s) is saturated: waits inside the stack (task dispatch, persistence) limit it", r.CoresBusy, cpus, fmtDur(r.LatencyFloor.D()))
}

// Markdown renders the result for people.
func (r *Result) Markdown() string {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "### vcenrich benchmark, %s\n\n", r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- Machine: %s, %d cores, %.1f GiB memory, %s, %s", m.CPUModel, m.CPUs, m.MemoryGiB, m.Kernel, m.GoVersion)
	if m.Commit != "" {
		fmt.Fprintf(&b, ", commit %s", m.Commit)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "- Command: `%s` (took %s)\n", r.Command, fmtDur(r.Duration.D()))
	w := r.Web
	fmt.Fprintf(&b, "- Simulated web: %s ± %s per request", fmtDur(w.Latency.D()), fmtDur(w.Jitter.D()))
	if w.SlowRate > 0 {
		fmt.Fprintf(&b, " (%.1f%% at %s)", 100*w.SlowRate, fmtDur(w.SlowLatency.D()))
	}
	fmt.Fprintf(&b, ", %.1f%% 503, %.1f%% 429 (Retry-After: 1), pages of about %d KB\n", 100*w.ErrorRate, 100*w.Rate429, w.PageKB)
	s := r.Settings
	fmt.Fprintf(&b, "- Both sides: window %d, %d pages per firm at most, robots.txt %s; the stack: %d activities per worker, continue-as-new every %d firms, heartbeat timeout %s",
		s.Window, s.MaxPages, map[bool]string{true: "honoured", false: "ignored"}[s.Robots], s.WorkerMax, s.ContinueEvery, fmtDur(s.HeartbeatTimeout.D()))
	if s.Backlog > 0 {
		fmt.Fprintf(&b, "; the job's window is %d, so %d firms wait in the task queue for a free slot", s.Window+s.Backlog, s.Backlog)
	}
	b.WriteString("\n\n")

	type col struct {
		head string
		run  *Run
		size Size
		a    bool
	}
	var cols []col
	for _, sz := range r.Sizes {
		if sz.Stack != nil {
			cols = append(cols, col{fmt.Sprintf("%s firms: (a) full stack", thousands(sz.Firms)), sz.Stack, sz, true})
		}
		if sz.Baseline != nil {
			cols = append(cols, col{fmt.Sprintf("%s firms: (b) goroutine pool", thousands(sz.Firms)), sz.Baseline, sz, false})
		}
	}
	if len(cols) > 0 {
		b.WriteString("| |")
		for _, c := range cols {
			b.WriteString(" " + c.head + " |")
		}
		b.WriteString("\n|---|")
		b.WriteString(strings.Repeat("---:|", len(cols)))
		b.WriteString("\n")
		row := func(name string, cell func(c col) string) {
			b.WriteString("| " + name + " |")
			for _, c := range cols {
				v := cell(c)
				if v == "" {
					v = "–"
				}
				b.WriteString(" " + v + " |")
			}
			b.WriteString("\n")
		}
		row("wall time", func(c col) string { return fmtDur(c.run.Wall.D()) })
		row("firms per minute", func(c col) string { return thousands(int(math.Round(c.run.FirmsPerMinute))) })
		row("wall (a)/(b)", func(c col) string {
			if !c.a || c.size.Ratio == 0 {
				return ""
			}
			return fmt.Sprintf("%.2f", c.size.Ratio)
		})
		row("done / failed", func(c col) string { return fmt.Sprintf("%s / %s", thousands(c.run.Done), thousands(c.run.Failed)) })
		row("team members found", func(c col) string { return thousands(c.run.TeamMembers) })
		row("requests per firm (web)", func(c col) string {
			if c.size.Firms == 0 {
				return ""
			}
			return fmt.Sprintf("%.2f", float64(c.run.Web.Requests)/float64(c.size.Firms))
		})
		row("firms enriched twice (homepage served whole twice)", func(c col) string { return thousands(c.run.Web.HostsRepeated) })
		row("latency floor (requests × latency / window)", func(c col) string { return fmtDur(c.run.LatencyFloor.D()) })
		row("history events per firm", func(c col) string {
			if c.run.History == nil {
				return ""
			}
			runs := "runs"
			if c.run.History.Runs == 1 {
				runs = "run"
			}
			return fmt.Sprintf("%.1f (%d %s)", c.run.History.EventsPerFirm, c.run.History.Runs, runs)
		})
		row("Temporal actions per firm (+ heartbeats at most)", func(c col) string {
			if c.run.History == nil {
				return ""
			}
			return fmt.Sprintf("%.2f (+ %.2f)", c.run.History.ActionsPerFirm, c.run.History.HeartbeatsPerFirm)
		})
		row("schedule-to-start p50 / p99", func(c col) string {
			if c.run.History == nil {
				return ""
			}
			return fmtDur(c.run.History.ScheduleToStartP50.D()) + " / " + fmtDur(c.run.History.ScheduleToStartP99.D())
		})
		row("firm time p50 / p99 (first attempts)", func(c col) string {
			if c.run.FirmTimeP50 == 0 {
				return ""
			}
			return fmtDur(c.run.FirmTimeP50.D()) + " / " + fmtDur(c.run.FirmTimeP99.D())
		})
		row("workflow task p50 (started to completed)", func(c col) string {
			if c.run.History == nil {
				return ""
			}
			return fmtDur(c.run.History.TaskRunP50.D())
		})
		row("occupancy (firms scheduled, not closed / worker slots)", func(c col) string {
			if c.run.History == nil {
				return ""
			}
			return fmt.Sprintf("%.0f%%", 100*c.run.History.Occupancy)
		})
		row("continue-as-new drain (summed)", func(c col) string {
			if c.run.History == nil {
				return ""
			}
			return fmtDur(c.run.History.Drain.D())
		})
		for _, name := range []string{"worker", "server", "dev server", "baseline"} {
			row("peak RSS, "+name, func(c col) string {
				p := c.run.process(name)
				if p.Name == "" {
					return ""
				}
				return fmt.Sprintf("%.0f MB", p.PeakRSSMB)
			})
		}
		row("worker RSS at 25/50/75/100 %", func(c col) string {
			p := c.run.process("worker")
			if len(p.RSSAt) == 0 {
				p = c.run.process("baseline")
			}
			if len(p.RSSAt) == 0 {
				return ""
			}
			parts := make([]string, len(p.RSSAt))
			for i, v := range p.RSSAt {
				parts[i] = fmt.Sprintf("%.0f", v)
			}
			return strings.Join(parts, " / ") + " MB"
		})
		row("CPU seconds per firm", func(c col) string { return fmt.Sprintf("%.4f", c.run.CPUPerFirm.D().Seconds()) })
		row("CPU seconds by process", func(c col) string { return cpuByProcess(c.run) })
		row("cores busy (web included)", func(c col) string { return fmt.Sprintf("%.2f of %d", c.run.CoresBusy, m.CPUs) })
		row("phases: start / firms / workbook", func(c col) string {
			if c.run.Phases == nil {
				return ""
			}
			ph := c.run.Phases
			return fmt.Sprintf("%.1f s / %.1f s / %.1f s", ph.Start.D().Seconds(), ph.Firms.D().Seconds(), ph.Workbook.D().Seconds())
		})
	}
	for _, sz := range r.Sizes {
		if len(sz.Pairs) < 2 {
			continue
		}
		parts := make([]string, len(sz.Pairs))
		for i, p := range sz.Pairs {
			parts[i] = fmt.Sprintf("%.2f (%s against %s)", p.Ratio, fmtDur(p.Stack.D()), fmtDur(p.Baseline.D()))
		}
		fmt.Fprintf(&b, "\n%s firms ran as %d pairs, (b) then (a), one after the other: (a)/(b) %s. The ratio above is their median; the columns are the median pair's runs.\n",
			thousands(sz.Firms), len(sz.Pairs), strings.Join(parts, ", "))
	}

	if rc := r.Recovery; rc != nil {
		fmt.Fprintf(&b, "\n**Recovery** (%s firms; the worker killed with SIGKILL at half way, restarted %s later):\n\n", thousands(rc.Firms), fmtDur(rc.Down.D()))
		b.WriteString("| | |\n|---|---:|\n")
		fmt.Fprintf(&b, "| killed after | %s firms |\n", thousands(rc.KilledAt))
		fmt.Fprintf(&b, "| firms in flight at the kill | %d |\n", rc.InFlight)
		fmt.Fprintf(&b, "| restart to the next completed firm | %s |\n", fmtDur(rc.NextFirm.D()))
		fmt.Fprintf(&b, "| firms redone (homepage served whole twice) | %d |\n", rc.Redone)
		fmt.Fprintf(&b, "| firm activities retried | %d |\n", rc.Retried)
		fmt.Fprintf(&b, "| firms lost | %d |\n", rc.Lost)
		fmt.Fprintf(&b, "| job wall time, outage included | %s |\n", fmtDur(rc.Wall.D()))
		fmt.Fprintf(&b, "| heartbeat timeout | %s |\n", fmtDur(rc.HeartbeatLimit.D()))
	}

	if r.Rendering != nil {
		r.Rendering.markdown(&b, m.CPUs)
	}

	if len(r.Targets) > 0 {
		b.WriteString("\n**Targets**\n\n| target | goal | measured | |\n|---|---|---|---|\n")
		for _, t := range r.Targets {
			verdict := "met"
			if !t.Met {
				verdict = "**missed**: " + t.Note
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.Name, t.Goal, t.Measured, verdict)
		}
	}
	for _, sz := range r.Sizes {
		if sz.Stack == nil || len(sz.Stack.Persistence) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n**Dev server persistence, %s firms** (time spent in its SQLite store, by operation):\n\n| operation | calls | total | mean |\n|---|---:|---:|---:|\n", thousands(sz.Firms))
		for _, op := range sz.Stack.Persistence {
			mean := time.Duration(0)
			if op.Count > 0 {
				mean = op.Total.D() / time.Duration(op.Count)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", op.Name, thousands(int(op.Count)), fmtDur(op.Total.D()), fmtDur(mean))
		}
	}
	for _, p := range r.Profiles {
		fmt.Fprintf(&b, "\n**CPU profile, %s** (`go tool pprof -top %s`):\n\n```\n%s\n```\n", p.Of, p.Path, strings.Join(p.Top, "\n"))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n- %s", n)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// cpuByProcess is a run's CPU seconds, process by process.
func cpuByProcess(r *Run) string {
	var parts []string
	for _, p := range r.Processes {
		parts = append(parts, fmt.Sprintf("%s %.1f", p.Name, p.CPU.D().Seconds()))
	}
	return strings.Join(parts, ", ")
}

// fmtDur prints durations the way people read them: 850 ms, 4.2 s, 3m 12s.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0 s"
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}

// thousands prints 7547 as 7,547.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	r := strings.Join(out, ",")
	if neg {
		r = "-" + r
	}
	return r
}
