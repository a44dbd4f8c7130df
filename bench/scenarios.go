package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/bench/firmlist"
	"github.com/vcenrich/vcenrich/bench/history"
	"github.com/vcenrich/vcenrich/bench/proc"
	"github.com/vcenrich/vcenrich/bench/report"
	"github.com/vcenrich/vcenrich/bench/simweb"
	"github.com/vcenrich/vcenrich/jobclient"
)

// bench carries what every scenario shares.
type bench struct {
	o          options
	t          tools
	work       string
	web        *webProc
	settings   map[string]string
	res        *report.Result
	seeds      []firmlist.Seed
	profileDir string
}

// webProc is the simulated web's child process.
type webProc struct {
	p          *proc.Proc
	addr, port string
}

func startWeb(ctx context.Context, t tools, work string, cfg simweb.Config) (*webProc, error) {
	addrFile := filepath.Join(work, "web.addr")
	args := append([]string{cmdWeb, "-addr-file", addrFile}, webArgs(cfg)...)
	p, err := proc.Start("web", filepath.Join(work, "web.log"), t.self, args, childEnv(nil))
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if data, err := os.ReadFile(addrFile); err == nil {
			host, port, err := net.SplitHostPort(string(data))
			if err != nil {
				_ = p.Kill()
				return nil, fmt.Errorf("web address %q: %w", data, err)
			}
			return &webProc{p: p, addr: net.JoinHostPort(host, port), port: port}, nil
		}
		if !p.Alive() || time.Now().After(deadline) {
			_ = p.Kill()
			return nil, fmt.Errorf("the simulated web did not start:\n%s", p.Tail(10))
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			_ = p.Kill()
			return nil, err
		}
	}
}

// reset returns the web's counters since the last reset and zeroes them.
func (w *webProc) reset(ctx context.Context) (simweb.Stats, error) {
	var s simweb.Stats
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+w.addr+simweb.PathReset, nil)
	if err != nil {
		return s, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, fmt.Errorf("simulated web: %w", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("simulated web stats: %w", err)
	}
	return s, nil
}

func (w *webProc) stop() { _ = w.p.Stop(5 * time.Second) }

// route points a worker's (or the baseline's) fetcher at this web: every
// simulated host dials it, and the SSRF guard lets its one loopback port
// through.
func (w *webProc) route(settings map[string]string) {
	settings["VCENRICH_FETCH_HOSTS"] = simweb.Suffix + "=" + w.addr
	settings["VCENRICH_FETCH_ALLOW"] = "127.0.0.1:" + w.port
}

// size measures one job size: (b) the goroutine pool, then (a) the stack,
// pairs times over. With several pairs the ratio is their median and the
// size's runs are the median pair's, so one slow spell of a shared machine
// sets neither.
func (b *bench) size(ctx context.Context, n int, withBaseline bool, pairs int) (report.Size, error) {
	size := report.Size{Firms: n}
	xlsx, err := b.writeFirms(n)
	if err != nil {
		return size, err
	}
	type pair struct{ stack, baseline *report.Run }
	var runs []pair
	for k := range pairs {
		tag := strconv.Itoa(n)
		if pairs > 1 {
			tag = fmt.Sprintf("%d-pair%d", n, k+1)
			logf("%d firms, pair %d of %d", n, k+1, pairs)
		}
		var p pair
		if withBaseline {
			logf("%d firms, (b) the engine in a pool of %d goroutines", n, b.o.window)
			if p.baseline, err = b.baseline(ctx, n, xlsx); err != nil {
				return size, err
			}
		}
		logf("%d firms, (a) the full stack", n)
		if p.stack, err = b.stackRun(ctx, n, xlsx, tag); err != nil {
			return size, err
		}
		if p.baseline != nil && p.baseline.Wall > 0 {
			r := float64(p.stack.Wall) / float64(p.baseline.Wall)
			size.Pairs = append(size.Pairs, report.Pair{Stack: p.stack.Wall, Baseline: p.baseline.Wall, Ratio: r})
		}
		runs = append(runs, p)
	}
	median := 0
	if len(size.Pairs) == len(runs) {
		median = medianPair(size.Pairs)
	}
	size.Stack, size.Baseline = runs[median].stack, runs[median].baseline
	if len(size.Pairs) > 0 {
		size.Ratio = size.Pairs[median].Ratio
	}
	if len(size.Pairs) < 2 {
		size.Pairs = nil
	}
	return size, nil
}

// medianPair is the index of the pair with the median ratio (the lower
// middle one of an even number).
func medianPair(pairs []report.Pair) int {
	if len(pairs) == 0 {
		return 0
	}
	order := make([]int, len(pairs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(pairs[x].Ratio, pairs[y].Ratio) })
	return order[(len(order)-1)/2]
}

func (b *bench) writeFirms(n int) (string, error) {
	path := filepath.Join(b.work, fmt.Sprintf("firms-%d.xlsx", n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	return path, firmlist.WriteXLSX(path, firmlist.Make(n, b.seeds))
}

// latencyFloor is the time the web's latency alone takes through the window.
func (b *bench) latencyFloor(requests int64) report.Duration {
	return report.Duration(time.Duration(float64(requests) * float64(b.res.Web.MeanLatency()) / float64(b.o.window)))
}

// baseline runs (b) in a child process and measures it from its rusage.
func (b *bench) baseline(ctx context.Context, n int, xlsx string) (*report.Run, error) {
	if _, err := b.web.reset(ctx); err != nil {
		return nil, err
	}
	web0 := b.web.p.Sample().CPU
	resultPath := filepath.Join(b.work, fmt.Sprintf("baseline-%d.json", n))
	profile := filepath.Join(b.profileDir, fmt.Sprintf("baseline-%d.pprof", n))
	args := []string{cmdBaseline, "-xlsx", xlsx, "-workbook", filepath.Join(b.work, fmt.Sprintf("baseline-%d-enriched.xlsx", n)),
		"-result", resultPath, "-cpuprofile", profile}
	p, err := proc.Start("baseline", filepath.Join(b.work, fmt.Sprintf("baseline-%d.log", n)), b.t.self, args, childEnv(b.settings))
	if err != nil {
		return nil, err
	}
	w := proc.Watch(time.Second, p)
	select {
	case <-p.Done():
	case <-ctx.Done():
		_ = p.Kill()
		return nil, ctx.Err()
	}
	w.Stop()
	if err := p.Wait(); err != nil {
		return nil, fmt.Errorf("%w:\n%s", err, p.Tail(20))
	}
	data, err := os.ReadFile(resultPath)
	if err != nil {
		return nil, fmt.Errorf("baseline result: %w", err)
	}
	var rep baselineReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("baseline result: %w", err)
	}
	stats, err := b.web.reset(ctx)
	if err != nil {
		return nil, err
	}
	webCPU := b.web.p.Sample().CPU - web0
	s := p.Sample()
	run := &report.Run{
		Wall:           report.Duration(rep.Wall),
		FirmsPerMinute: float64(n) / rep.Wall.Minutes(),
		Done:           rep.Outcome.Done,
		Failed:         rep.Outcome.Failed,
		TeamMembers:    rep.Outcome.TeamMembers,
		Processes: []report.Process{
			{Name: "baseline", PeakRSSMB: s.PeakRSSMB, CPU: report.Duration(s.CPU), RSSAt: proc.At(w.Series(p), 0.25, 0.5, 0.75, 1)},
			{Name: "web", CPU: report.Duration(webCPU)},
		},
		CPUPerFirm:   report.Duration(s.CPU / time.Duration(n)),
		CoresBusy:    (s.CPU + webCPU).Seconds() / rep.Wall.Seconds(),
		Web:          stats,
		LatencyFloor: b.latencyFloor(stats.Requests),
		FirmTimeP50:  report.Duration(rep.FirmTimeP50),
		FirmTimeP99:  report.Duration(rep.FirmTimeP99),
		Phases:       &report.Phases{Start: report.Duration(rep.Read), Firms: report.Duration(rep.Firms), Workbook: report.Duration(rep.Wall - rep.Read - rep.Firms)},
	}
	if top, err := pprofTop(ctx, profile, 15); err == nil {
		b.res.Profiles = append(b.res.Profiles, report.Profile{Of: fmt.Sprintf("(b) the goroutine pool, %d firms", n), Path: filepath.Base(profile), Top: top})
	} else {
		logf("no profile summary: %v", err)
	}
	return run, nil
}

// job is one upload on a stack, measured.
type job struct {
	id      string
	t0      time.Time
	final   answer.Job
	hist    *history.Stats
	cpu0    map[*proc.Proc]time.Duration
	web0    time.Duration
	watcher *proc.Watcher
}

// upload starts a job of the workbook on s and starts measuring.
func (b *bench) upload(ctx context.Context, s *stack, xlsx string, n int) (*job, error) {
	if _, err := b.web.reset(ctx); err != nil {
		return nil, err
	}
	j := &job{cpu0: map[*proc.Proc]time.Duration{}, web0: b.web.p.Sample().CPU}
	for _, p := range s.processes() {
		j.cpu0[p] = p.Sample().CPU
	}
	j.watcher = proc.Watch(time.Second, s.processes()...)
	j.t0 = time.Now()
	created, err := s.api.Upload(ctx, xlsx, jobclient.UploadOptions{Name: fmt.Sprintf("bench %d", n), Window: b.o.window + b.o.backlog})
	if err != nil {
		j.watcher.Stop()
		return nil, fmt.Errorf("upload: %w", err)
	}
	if created.Firms != n {
		j.watcher.Stop()
		return nil, fmt.Errorf("upload: %d firms accepted, %d rejected; want %d", created.Firms, len(created.Rejected), n)
	}
	j.id = created.JobID
	return j, nil
}

// stallLimit is how long a job may go without finishing a firm before the
// benchmark gives up on it.
const stallLimit = 5 * time.Minute

// follow waits for the job to end, reporting progress now and then. Every
// poll is a progress query the worker answers, so it polls gently: the wall
// time comes from the history, not from the polling.
func (b *bench) follow(ctx context.Context, s *stack, j *job, label string) error {
	lastLog, lastChange, processed := time.Now(), time.Now(), -1
	for {
		p, err := s.api.Job(ctx, j.id)
		var apiErr *jobclient.Error
		switch {
		case err == nil:
		case errors.As(err, &apiErr) && apiErr.Status >= 500:
			// A passing hiccup (Temporal busy): not the job's end.
		default:
			return fmt.Errorf("%s: job %s: %w", label, j.id, err)
		}
		if err == nil {
			if p.Processed != processed {
				processed, lastChange = p.Processed, time.Now()
			}
			if p.Finished() && (p.ResultReady || p.Status != "completed") {
				if p.Status != "completed" {
					return fmt.Errorf("%s: job %s ended %s: %s", label, j.id, p.Status, p.Note)
				}
				j.final = p
				break
			}
			if time.Since(lastLog) >= 15*time.Second {
				lastLog = time.Now()
				logf("%s: %d of %d firms, %.0f a minute", label, p.Processed, p.Total, p.RatePerMinute)
			}
		}
		if time.Since(lastChange) > stallLimit {
			return fmt.Errorf("%s: job %s finished no firm for %s; worker log:\n%s", label, j.id, stallLimit, s.worker().Tail(10))
		}
		if err := pause(ctx, 2*time.Second); err != nil {
			return err
		}
	}
	j.watcher.Stop()
	var err error
	if j.hist, err = history.Fetch(ctx, s.tc, j.id); err != nil {
		return err
	}
	return nil
}

// stackRun runs (a) on a fresh stack.
func (b *bench) stackRun(ctx context.Context, n int, xlsx, tag string) (*report.Run, error) {
	dir := filepath.Join(b.work, "stack-"+tag)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s, err := startStack(ctx, b.t, dir, b.settings)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	j, err := b.upload(ctx, s, xlsx, n)
	if err != nil {
		return nil, err
	}
	profDone := b.profileWorker(ctx, s, n)
	if err := b.follow(ctx, s, j, fmt.Sprintf("(a) %d firms", n)); err != nil {
		return nil, err
	}
	run := b.measure(ctx, s, j, n)
	if ops, err := s.persistence(ctx, 8); err == nil {
		run.Persistence = ops
	} else {
		logf("no persistence figures: %v", err)
	}
	if p := <-profDone; p != nil {
		// A later pair's profile overwrote the file: it replaces the entry.
		b.res.Profiles = slices.DeleteFunc(b.res.Profiles, func(q report.Profile) bool { return q.Path == p.Path })
		b.res.Profiles = append(b.res.Profiles, *p)
	}
	return run, nil
}

// measure turns a finished job into a Run. Processes the stack's do not
// count, such as the worker's browser, come in extra, measured by the
// caller over the same job.
func (b *bench) measure(ctx context.Context, s *stack, j *job, n int, extra ...report.Process) *report.Run {
	wall := j.hist.Closed.Sub(j.t0)
	stats, err := b.web.reset(ctx)
	if err != nil {
		logf("no web figures: %v", err)
	}
	webCPU := b.web.p.Sample().CPU - j.web0
	run := &report.Run{
		Wall:           report.Duration(wall),
		FirmsPerMinute: float64(n) / wall.Minutes(),
		Done:           j.final.Done,
		Failed:         j.final.Failed,
		TeamMembers:    j.final.TeamMembers,
		Web:            stats,
		LatencyFloor:   b.latencyFloor(stats.Requests),
		FirmTimeP50:    report.Duration(history.Percentile(j.hist.RunTime, 50)),
		FirmTimeP99:    report.Duration(history.Percentile(j.hist.RunTime, 99)),
		History: &report.HistoryFigures{
			Runs: j.hist.Runs, Events: j.hist.Events, EventsPerFirm: float64(j.hist.Events) / float64(n),
			ScheduleToStartP50: report.Duration(history.Percentile(j.hist.ScheduleToStart, 50)),
			ScheduleToStartP99: report.Duration(history.Percentile(j.hist.ScheduleToStart, 99)),
			ScheduleToStartMax: report.Duration(history.Percentile(j.hist.ScheduleToStart, 100)),
			Retried:            j.hist.Retried,
			Occupancy:          j.hist.Occupancy(b.o.workerMax),
			TaskRunP50:         report.Duration(history.Percentile(j.hist.TaskRun, 50)),
			Drain:              report.Duration(j.hist.Drain),
			ActionsPerFirm:     float64(j.hist.Actions) / float64(n),
			HeartbeatsPerFirm:  float64(j.hist.HeartbeatsAtMost) / float64(n),
		},
	}
	if !j.hist.FirstScheduled.IsZero() {
		run.Phases = &report.Phases{Start: report.Duration(j.hist.FirstScheduled.Sub(j.t0)),
			Firms: report.Duration(j.hist.LastDone.Sub(j.hist.FirstScheduled)), Workbook: report.Duration(j.hist.Closed.Sub(j.hist.LastDone))}
	}
	var stackCPU time.Duration
	for _, p := range s.processes() {
		smp := p.Sample()
		cpu := smp.CPU - j.cpu0[p]
		stackCPU += cpu
		run.Processes = append(run.Processes, report.Process{
			Name: p.Name, PeakRSSMB: smp.PeakRSSMB, CPU: report.Duration(cpu),
			RSSAt: proc.At(j.watcher.Series(p), 0.25, 0.5, 0.75, 1),
		})
	}
	for _, p := range extra {
		stackCPU += p.CPU.D()
		run.Processes = append(run.Processes, p)
	}
	run.Processes = append(run.Processes, report.Process{Name: "web", CPU: report.Duration(webCPU)})
	run.CPUPerFirm = report.Duration(stackCPU / time.Duration(n))
	run.CoresBusy = (stackCPU + webCPU).Seconds() / wall.Seconds()
	return run
}

// recovery kills the worker with SIGKILL once half the firms are done,
// restarts it after the outage, and measures how the job comes back.
func (b *bench) recovery(ctx context.Context, n int) (*report.Recovery, error) {
	logf("recovery: %d firms, the worker killed at half way", n)
	xlsx, err := b.writeFirms(n)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(b.work, "recovery")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s, err := startStack(ctx, b.t, dir, b.settings)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	j, err := b.upload(ctx, s, xlsx, n)
	if err != nil {
		return nil, err
	}
	var before answer.Job
	for {
		before, err = s.api.Job(ctx, j.id)
		if err != nil {
			return nil, fmt.Errorf("recovery: %w", err)
		}
		if before.Processed >= n/2 {
			break
		}
		if before.Finished() {
			return nil, fmt.Errorf("recovery: the job ended (%s) before half way", before.Status)
		}
		if err := pause(ctx, 250*time.Millisecond); err != nil {
			return nil, err
		}
	}
	killed := s.worker()
	if err := killed.Kill(); err != nil {
		return nil, err
	}
	killedAt := time.Now()
	logf("recovery: worker killed after %d firms with %d in flight; restarting in %s", before.Processed, len(before.InFlight), b.o.down)
	if err := pause(ctx, b.o.down); err != nil {
		return nil, err
	}
	restarted := time.Now()
	w, err := s.startWorker()
	if err != nil {
		return nil, err
	}
	j.watcher.Add(w)
	if err := b.follow(ctx, s, j, "recovery"); err != nil {
		return nil, err
	}
	stats, err := b.web.reset(ctx)
	if err != nil {
		return nil, err
	}
	rc := &report.Recovery{
		Firms:          n,
		KilledAt:       before.Processed,
		InFlight:       len(before.InFlight),
		Down:           report.Duration(restarted.Sub(killedAt)),
		Redone:         stats.HostsRepeated,
		Retried:        j.hist.Retried,
		Lost:           n - j.final.Done - j.final.Failed,
		Wall:           report.Duration(j.hist.Closed.Sub(j.t0)),
		HeartbeatLimit: b.res.Settings.HeartbeatTimeout,
	}
	if next, ok := j.hist.FirstCompletionAfter(restarted); ok {
		rc.NextFirm = report.Duration(next.Sub(restarted))
	} else {
		return nil, errors.New("recovery: no firm completed after the restart")
	}
	for _, p := range s.workers {
		rc.WorkerPeakMB = append(rc.WorkerPeakMB, p.Sample().PeakRSSMB)
	}
	return rc, nil
}

// profileWorker takes a CPU profile of the worker in the middle of the job
// when the worker serves net/http/pprof on its metrics address; it sends
// nil when it does not, or when profiling is off.
func (b *bench) profileWorker(ctx context.Context, s *stack, n int) <-chan *report.Profile {
	out := make(chan *report.Profile, 1)
	if b.o.profileDuration <= 0 {
		out <- nil
		return out
	}
	addr := s.metrics[s.worker()]
	go func() {
		out <- func() *report.Profile {
			// Past start-up, into the steady state.
			if pause(ctx, 5*time.Second) != nil {
				return nil
			}
			secs := int(b.o.profileDuration.Seconds())
			url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs)
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return nil
			}
			resp, err := (&http.Client{Timeout: b.o.profileDuration + 30*time.Second}).Do(req)
			if err != nil {
				return nil
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil // no pprof on this worker
			}
			path := filepath.Join(b.profileDir, fmt.Sprintf("worker-%d.pprof", n))
			f, err := os.Create(path)
			if err != nil {
				return nil
			}
			_, err = io.Copy(f, resp.Body)
			if cerr := f.Close(); err != nil || cerr != nil {
				return nil
			}
			top, err := pprofTop(ctx, path, 15)
			if err != nil {
				return nil
			}
			return &report.Profile{Of: fmt.Sprintf("(a) the worker, %d firms, %ds mid-job", n, secs), Path: filepath.Base(path), Top: top}
		}()
	}()
	return out
}

// pprofTop is the head of `go tool pprof -top` for a profile.
func pprofTop(ctx context.Context, profile string, lines int) ([]string, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount="+strconv.Itoa(lines), profile).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof %s: %w", profile, err)
	}
	var top []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Type:") || strings.HasPrefix(l, "Time:") {
			continue
		}
		top = append(top, strings.TrimRight(l, " "))
	}
	return top, nil
}

// describeMachine says what the benchmark ran on.
func describeMachine(root string) report.Machine {
	m := report.Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), CPUModel: "unknown CPU"}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for l := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for l := range strings.SplitSeq(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
				m.MemoryGiB = kb / (1 << 20)
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(data))
	}
	cmd := exec.Command("git", "describe", "--always", "--dirty")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
	}
	return m
}
