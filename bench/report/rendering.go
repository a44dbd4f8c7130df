package report

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// BrowserProcess names the worker's browser among a run's processes: its
// whole process tree, summed.
const BrowserProcess = "browser"

// Rendering is the script-built sites scenario: one job run twice on the
// full stack, on a web where a share of the sites build their team page in
// script, the worker's browser off and then on. The difference between the
// two is what rendering costs and finds.
type Rendering struct {
	Firms       int     `json:"firms"`
	Share       float64 `json:"share"`              // of the sites that link their team page, script-built
	ScriptBuilt int     `json:"script_built_sites"` // in the job
	ScriptTeam  int     `json:"script_built_team"`  // team members on those sites
	// The team members each run's workbook lists for those sites.
	ScriptTeamOff int  `json:"script_built_team_found_off"`
	ScriptTeamOn  int  `json:"script_built_team_found_on"`
	Tabs          int  `json:"tabs"` // VCENRICH_BROWSER_TABS
	Off           *Run `json:"browser_off"`
	On            *Run `json:"browser_on"` // its processes include BrowserProcess
	// The browser's process tree, read four times a second: its peak PSS
	// (shared pages split between the processes) and the most processes
	// at once.
	BrowserPeakPSSMB float64 `json:"browser_peak_pss_mb,omitempty"`
	BrowserProcs     int     `json:"browser_processes"`
}

// Renders is the pages rendered: each asked the web for its team's data,
// which only a running script does.
func (r *Rendering) Renders() int64 {
	if r.On == nil {
		return 0
	}
	return r.On.Web.TeamData
}

// Added is what rendering adds to the job's wall time.
func (r *Rendering) Added() time.Duration {
	if r.On == nil || r.Off == nil {
		return 0
	}
	return r.On.Wall.D() - r.Off.Wall.D()
}

// markdown writes the scenario's table.
func (r *Rendering) markdown(b *strings.Builder, cpus int) {
	fmt.Fprintf(b, "\n**Script-built sites** (%s firms, %s of them script-built: %.0f%% of the sites that link their team page, with %s team members; the same job on the full stack with `VCENRICH_BROWSER=off`, then `auto` with %d tabs):\n\n",
		thousands(r.Firms), thousands(r.ScriptBuilt), 100*r.Share, thousands(r.ScriptTeam), r.Tabs)
	b.WriteString("| | browser off | browser on |\n|---|---:|---:|\n")
	row := func(name string, cell func(run *Run) string) {
		b.WriteString("| " + name + " |")
		for _, run := range []*Run{r.Off, r.On} {
			v := ""
			if run != nil {
				v = cell(run)
			}
			if v == "" {
				v = "–"
			}
			b.WriteString(" " + v + " |")
		}
		b.WriteString("\n")
	}
	on := func(cell func(run *Run) string) func(*Run) string {
		return func(run *Run) string {
			if run != r.On {
				return ""
			}
			return cell(run)
		}
	}
	browser := func(run *Run) Process { return run.process(BrowserProcess) }
	perTab := func(v float64) float64 { return v / float64(max(r.Tabs, 1)) }

	row("wall time", func(run *Run) string { return fmtDur(run.Wall.D()) })
	row("rendering adds to the wall time", on(func(run *Run) string {
		if r.Off == nil || r.Off.Wall == 0 {
			return ""
		}
		return fmt.Sprintf("%s (%+.0f%%)", signedDur(r.Added()), 100*float64(r.Added())/float64(r.Off.Wall))
	}))
	row("firms per minute", func(run *Run) string { return thousands(int(math.Round(run.FirmsPerMinute))) })
	row("done / failed", func(run *Run) string { return fmt.Sprintf("%s / %s", thousands(run.Done), thousands(run.Failed)) })
	row("team members found", func(run *Run) string { return thousands(run.TeamMembers) })
	row("of them on the script-built sites", func(run *Run) string {
		found := r.ScriptTeamOff
		if run == r.On {
			found = r.ScriptTeamOn
		}
		return fmt.Sprintf("%s of %s", thousands(found), thousands(r.ScriptTeam))
	})
	row("pages rendered (their script fetched the team)", func(run *Run) string { return thousands(int(run.Web.TeamData)) })
	row("pages rendered per second of the job", on(func(run *Run) string {
		if run.Wall == 0 {
			return ""
		}
		return fmt.Sprintf("%.2f", float64(r.Renders())/run.Wall.D().Seconds())
	}))
	row("browser CPU seconds: all / a tab / a page", on(func(run *Run) string {
		cpu := browser(run).CPU.D().Seconds()
		perPage := "–"
		if n := r.Renders(); n > 0 {
			perPage = fmt.Sprintf("%.2f", cpu/float64(n))
		}
		return fmt.Sprintf("%.1f / %.1f / %s", cpu, perTab(cpu), perPage)
	}))
	row("browser peak RSS, process tree: all / a tab", on(func(run *Run) string {
		mb := browser(run).PeakRSSMB
		return fmt.Sprintf("%.0f / %.0f MB", mb, perTab(mb))
	}))
	row("browser peak PSS (shared pages split): all / a tab", on(func(run *Run) string {
		if r.BrowserPeakPSSMB == 0 {
			return ""
		}
		return fmt.Sprintf("%.0f / %.0f MB", r.BrowserPeakPSSMB, perTab(r.BrowserPeakPSSMB))
	}))
	row("browser processes at most", on(func(run *Run) string { return fmt.Sprint(r.BrowserProcs) }))
	row("requests per firm (web)", func(run *Run) string {
		if r.Firms == 0 {
			return ""
		}
		return fmt.Sprintf("%.2f", float64(run.Web.Requests)/float64(r.Firms))
	})
	row("peak RSS, worker", func(run *Run) string { return fmt.Sprintf("%.0f MB", run.process("worker").PeakRSSMB) })
	row("CPU seconds by process", cpuByProcess)
	row("cores busy (web included)", func(run *Run) string { return fmt.Sprintf("%.2f of %d", run.CoresBusy, cpus) })
}

// signedDur is fmtDur with the sign a difference needs.
func signedDur(d time.Duration) string {
	if d < 0 {
		return "-" + fmtDur(-d)
	}
	return "+" + fmtDur(d)
}
