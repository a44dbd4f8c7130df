package main

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/bench/firmlist"
	"github.com/vcenrich/vcenrich/bench/proc"
	"github.com/vcenrich/vcenrich/bench/report"
	"github.com/vcenrich/vcenrich/bench/simweb"
	"github.com/vcenrich/vcenrich/sheets"
)

// browserSampling is how often the browser's processes are read: renderers
// come and go with the pages, and what one spends after the last reading
// before it exits is missed, while each reading costs the kernel a walk of
// every process's page tables (PSS).
const browserSampling = 250 * time.Millisecond

// rendering runs the script-built sites scenario: a web of its own, on
// which a share of the sites build their team page by script, and one job
// on two fresh stacks, the worker's browser off and then on. Each stack
// starts cold, as the other scenarios' do, so the difference between the
// two runs is the browser's: its start, its renders, their queue for the
// tabs.
func (b *bench) rendering(ctx context.Context) (*report.Rendering, error) {
	ro := b.o.rendered
	n := ro.firms
	dir := filepath.Join(b.work, "rendering")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg := b.o.web
	cfg.ScriptShare = ro.share
	web, err := startWeb(ctx, b.t, dir, cfg)
	if err != nil {
		return nil, err
	}
	defer web.stop()
	rb := *b
	rb.web = web
	rb.settings = maps.Clone(b.settings)
	web.route(rb.settings)

	res := &report.Rendering{Firms: n, Share: ro.share, Tabs: ro.tabs}
	firms := firmlist.Make(n, b.seeds)
	scripted, err := scriptBuilt(cfg, firms)
	if err != nil {
		return nil, err
	}
	res.ScriptBuilt = len(scripted)
	for _, team := range scripted {
		res.ScriptTeam += team
	}
	xlsx := filepath.Join(dir, fmt.Sprintf("firms-%d.xlsx", n))
	if err := firmlist.WriteXLSX(xlsx, firms); err != nil {
		return nil, err
	}

	logf("script-built sites: %d firms, %d of them script-built, the browser off", n, res.ScriptBuilt)
	if res.Off, _, res.ScriptTeamOff, err = rb.renderingRun(ctx, filepath.Join(dir, "off"), xlsx, n, "off", scripted); err != nil {
		return nil, err
	}
	logf("script-built sites: %d firms, the browser on (%s, %d tabs)", n, ro.browser, ro.tabs)
	var peak proc.ChildPeak
	if res.On, peak, res.ScriptTeamOn, err = rb.renderingRun(ctx, filepath.Join(dir, "on"), xlsx, n, ro.browser, scripted); err != nil {
		return nil, err
	}
	res.BrowserPeakPSSMB, res.BrowserProcs = peak.PeakPSSMB, peak.MostProcs
	if res.On.Web.TeamData == 0 && res.ScriptBuilt > 0 {
		return nil, fmt.Errorf("script-built sites: the browser rendered no page of the %d script-built sites; worker log in %s", res.ScriptBuilt, dir)
	}
	return res, nil
}

// renderingRun is one job of the scenario on a fresh stack whose worker
// has VCENRICH_BROWSER=browser, and the team members its workbook lists
// for the script-built sites. The browser is the worker's child: its
// processes are read below the worker.
func (b *bench) renderingRun(ctx context.Context, dir, xlsx string, n int, browser string, scripted map[string]int) (run *report.Run, peak proc.ChildPeak, found int, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, peak, 0, err
	}
	settings := maps.Clone(b.settings)
	settings["VCENRICH_BROWSER"] = browser
	settings["VCENRICH_BROWSER_TABS"] = fmt.Sprint(b.o.rendered.tabs)
	s, err := startStack(ctx, b.t, dir, settings)
	if err != nil {
		return nil, peak, 0, err
	}
	defer s.stop()
	j, err := b.upload(ctx, s, xlsx, n)
	if err != nil {
		return nil, peak, 0, err
	}
	w := proc.WatchChildren(browserSampling, s.worker().Pid())
	err = b.follow(ctx, s, j, fmt.Sprintf("script-built sites, browser %s", browser))
	peak = w.Stop()
	if err != nil {
		return nil, peak, 0, err
	}
	var extra []report.Process
	if browser != "off" {
		extra = append(extra, report.Process{Name: report.BrowserProcess, PeakRSSMB: peak.PeakRSSMB, CPU: report.Duration(peak.CPU)})
	}
	run = b.measure(ctx, s, j, n, extra...)
	workbook := filepath.Join(dir, "enriched.xlsx")
	if err := s.api.Download(ctx, j.id, workbook); err != nil {
		return nil, peak, 0, fmt.Errorf("script-built sites: %w", err)
	}
	if found, err = teamListed(workbook, scripted); err != nil {
		return nil, peak, 0, err
	}
	return run, peak, found, nil
}

// teamSheet is the workbook's sheet of team members, one row each, named
// as users see it (README, What comes out).
const teamSheet = "Team Members"

// teamListed counts the team members an enriched workbook lists for the
// given websites.
func teamListed(workbook string, websites map[string]int) (int, error) {
	f, err := excelize.OpenFile(workbook)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", workbook, err)
	}
	defer f.Close()
	rows, err := f.Rows(teamSheet)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", workbook, err)
	}
	defer rows.Close()
	col, n := -1, 0
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			return 0, fmt.Errorf("read %s: %w", workbook, err)
		}
		if col < 0 {
			if col = slices.Index(cells, firmlist.Headers[1]); col < 0 {
				return 0, fmt.Errorf("%s: no %s column in %q", workbook, firmlist.Headers[1], teamSheet)
			}
			continue
		}
		if col < len(cells) {
			if _, ok := websites[cells[col]]; ok {
				n++
			}
		}
	}
	if err := rows.Error(); err != nil {
		return 0, fmt.Errorf("read %s: %w", workbook, err)
	}
	return n, nil
}

// scriptBuilt finds the firms whose site cfg's web builds by script: their
// websites, normalised as the workbook lists them, and the size of their
// teams.
func scriptBuilt(cfg simweb.Config, firms []firmlist.Firm) (map[string]int, error) {
	out := map[string]int{}
	for _, f := range firms {
		website, err := sheets.NormalizeWebsite(f.Website)
		if err != nil {
			return nil, fmt.Errorf("script-built sites: firm %q: %w", f.Website, err)
		}
		u, err := url.Parse(website)
		if err != nil {
			return nil, fmt.Errorf("script-built sites: firm %q: %w", f.Website, err)
		}
		if s := cfg.Site(u.Hostname()); s.ScriptBuilt {
			out[website] = len(s.Team)
		}
	}
	return out, nil
}
