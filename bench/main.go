// Command bench measures vcenrich against the limits of the machine it runs
// on, in one run: throughput, the cost of durability, memory over a long
// job and recovery from a killed worker.
//
// A simulated web (one loopback server answering for every *.bench.test
// host, with a latency distribution and 503/429 rates) serves N firms to:
//
//	(a) the full stack: the Temporal dev server, the server and a worker,
//	    each its own process, the job uploaded through the API;
//	(b) the same enrichment engine in a plain goroutine pool, no Temporal.
//
// Both sides run with the same window, the same pages, the same retry rules.
// Then the same for a big job, a recovery scenario (the worker killed with
// SIGKILL at half way and restarted some seconds later), and the
// script-built sites scenario: a few hundred firms on a web of their own
// where a share of the team pages are built by script, run on the full
// stack with the worker's browser off and then on, for what rendering
// costs (the browser's CPU and memory, the job's wall time) and finds.
//
// The result is printed as a Markdown table and written as JSON (-out) and
// Markdown (-md). Run it on a quiet machine:
//
//	go run ./bench -firms 7547 -big 50000 -out bench/results/latest.json -md bench/results/latest.md
//	go run ./bench -firms 500 -big 0        # a quick look
//	go run ./bench -rendered-only           # the script-built sites scenario alone
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vcenrich/vcenrich/bench/firmlist"
	"github.com/vcenrich/vcenrich/bench/report"
	"github.com/vcenrich/vcenrich/bench/simweb"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/contract"
)

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == cmdWeb {
		err = runWeb(os.Args[2:])
	} else if len(os.Args) > 1 && os.Args[1] == cmdBaseline {
		err = runBaseline(os.Args[2:])
	} else {
		err = run(os.Args[1:])
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		os.Exit(1)
	}
}

type options struct {
	firms, big      int
	bigBaseline     bool
	window          int
	pairs           int // runs of the main job's (b) and (a), alternately
	workerMax       int
	backlog         int
	continueEvery   int
	heartbeat       time.Duration
	robots          bool
	web             simweb.Config
	skipRecovery    bool
	recoveryFirms   int
	down            time.Duration
	names           string
	out, md         string
	keep            bool
	profileDuration time.Duration
	workerBin       string
	fairness        bool
	devConfig       []string // extra dynamic config values for the dev server
	slices          bool     // the stack runs jobs in slices (VCENRICH_SLICES)
	rendered        renderedOptions
}

// renderedOptions shape the script-built sites scenario.
type renderedOptions struct {
	firms   int
	share   float64
	only    bool
	browser string
	tabs    int
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./bench [flags]\n\nMeasures the full stack against a goroutine pool on a simulated web; see the package comment.")
		fs.PrintDefaults()
	}
	fs.IntVar(&o.firms, "firms", report.TargetFirms, "firms in the main job")
	fs.IntVar(&o.big, "big", 50_000, "firms in the big job (memory over a long job); 0 skips it")
	fs.BoolVar(&o.bigBaseline, "big-baseline", true, "run the goroutine pool on the big job too")
	fs.IntVar(&o.window, "window", 64, "firms in flight, on both sides (VCENRICH_WINDOW)")
	fs.IntVar(&o.pairs, "pairs", 1, "the main job's (b) and (a) run this many times, alternately: its ratio is the pairs' median, its tables the median pair's (a single ratio on a shared machine varies by about ±0.1)")
	fs.IntVar(&o.workerMax, "worker-max", 0, "the worker's VCENRICH_WORKER_MAX_ACTIVITIES (0: the window)")
	fs.IntVar(&o.backlog, "backlog", 16, "firm by firm (-slices=false): firms the job schedules beyond -window (VCENRICH_WINDOW is their sum): they wait in the task queue, so a slot the worker frees is refilled without a round trip through the workflow; a slice's firms never wait there")
	fs.IntVar(&o.continueEvery, "continue-every", 0, "VCENRICH_CONTINUE_EVERY (0: the product's default)")
	fs.DurationVar(&o.heartbeat, "heartbeat-timeout", 0, "VCENRICH_HEARTBEAT_TIMEOUT (0: the product's default)")
	fs.BoolVar(&o.robots, "robots", true, "honour robots.txt (one more request per firm, as in production)")
	fs.BoolVar(&o.slices, "slices", config.Defaults()["VCENRICH_SLICES"].(bool), "the stack runs jobs in slices, dozens of firms to an activity (VCENRICH_SLICES); false runs them firm by firm")
	web := webFlags(fs)
	fs.BoolVar(&o.skipRecovery, "skip-recovery", false, "skip the kill -9 scenario")
	fs.IntVar(&o.recoveryFirms, "recovery-firms", 0, "firms in the recovery job (0: -firms)")
	fs.DurationVar(&o.down, "down", 5*time.Second, "recovery: how long the killed worker stays down")
	fs.StringVar(&o.names, "names", filepath.Join("..", "shared", "data", "vc-firms.csv"), "CSV of real firm names and domains to model the firms on, used when present (relative to the repository root)")
	fs.StringVar(&o.out, "out", "", "write the result as JSON here (CPU profiles go beside it)")
	fs.StringVar(&o.md, "md", "", "write the Markdown table here")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory (logs, databases, workbooks)")
	fs.StringVar(&o.workerBin, "worker-bin", "", "run this worker binary instead of building ./worker (to compare a change)")
	fs.BoolVar(&o.fairness, "fairness", true, "start the dev server with the matcher settings vcenrich ships (priority and fairness); false measures the plain matcher")
	fs.Func("dev-config", "an extra dynamic config value KEY=VALUE for the dev server, e.g. system.enableActivityEagerExecution=true (repeatable)", func(v string) error {
		if !strings.Contains(v, "=") {
			return fmt.Errorf("%q is not KEY=VALUE", v)
		}
		o.devConfig = append(o.devConfig, v)
		return nil
	})
	fs.IntVar(&o.rendered.firms, "rendered-firms", 400, "firms in the script-built sites scenario, run with the worker's browser off and then on (0 skips it)")
	fs.Float64Var(&o.rendered.share, "rendered-share", 0.1, "script-built sites scenario: the share of the sites that link their team page whose team page is built by script")
	fs.BoolVar(&o.rendered.only, "rendered-only", false, "run only the script-built sites scenario")
	fs.StringVar(&o.rendered.browser, "browser", "auto", "script-built sites scenario: VCENRICH_BROWSER of the run with the browser on")
	fs.IntVar(&o.rendered.tabs, "browser-tabs", config.DefaultBrowserTabs, "script-built sites scenario: VCENRICH_BROWSER_TABS")
	fs.DurationVar(&o.profileDuration, "profile", 20*time.Second, "CPU profile length for a worker that serves /debug/pprof on its metrics address (0: none)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.web = *web // the page size stays in KB here; the web child scales it
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.firms < 2 || o.window < 1 || o.big < 0 || o.backlog < 0 {
		return o, errors.New("-firms must be at least 2, -window at least 1, -big 0 or more")
	}
	if r := o.rendered; r.firms < 0 || r.firms == 1 || r.share <= 0 || r.share > 1 || r.tabs < 1 || r.only && r.firms == 0 {
		return o, errors.New("-rendered-firms must be 0 or at least 2 (not 0 with -rendered-only), -rendered-share above 0 and at most 1, -browser-tabs at least 1")
	}
	if strings.EqualFold(strings.TrimSpace(o.rendered.browser), "off") {
		return o, errors.New("-browser off leaves nothing to compare; -rendered-firms 0 skips the scenario")
	}
	if o.slices {
		// The job's window is then the firms it runs at once, in slices
		// of contract.SliceConcurrency: none waits in the task queue, and
		// both sides run -window firms at once only if slices fill it.
		o.backlog = 0
		if o.window > contract.SliceConcurrency && o.window%contract.SliceConcurrency != 0 {
			return o, fmt.Errorf("-window %d: with slices, a multiple of %d (a slice's firms at once), so that both sides run as many firms at once", o.window, contract.SliceConcurrency)
		}
	}
	if o.workerMax == 0 {
		o.workerMax = o.window
	}
	if o.recoveryFirms == 0 {
		o.recoveryFirms = o.firms
	}
	return o, nil
}

// run is the benchmark proper.
func run(args []string) (err error) {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()

	root, err := repoRoot()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "vcenrich-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil || o.keep {
			fmt.Fprintf(os.Stderr, "bench: logs, databases and workbooks are in %s\n", work)
			return
		}
		_ = os.RemoveAll(work)
	}()

	t, err := prepare(ctx, root, work)
	if err != nil {
		return err
	}
	if o.workerBin != "" {
		t.worker = o.workerBin
	}
	if !o.fairness {
		t.devArgs = withoutMatcherConfig(t.devArgs)
	}
	for _, kv := range o.devConfig {
		t.devArgs = append(t.devArgs, "--dynamic-config-value", kv)
	}
	if !filepath.IsAbs(o.names) {
		o.names = filepath.Join(root, o.names)
	}
	var seeds []firmlist.Seed
	if _, statErr := os.Stat(o.names); statErr == nil {
		if seeds, err = firmlist.LoadSeeds(o.names); err != nil {
			return err
		}
	}

	web, err := startWeb(ctx, t, work, o.web)
	if err != nil {
		return err
	}
	defer web.stop()

	settings := map[string]string{
		"VCENRICH_TASK_QUEUE":            "bench",
		"VCENRICH_WINDOW":                fmt.Sprint(o.window + o.backlog),
		"VCENRICH_WORKER_MAX_ACTIVITIES": fmt.Sprint(o.workerMax),
		"VCENRICH_HOST_INTERVAL":         "0s",
		"VCENRICH_IGNORE_ROBOTS":         fmt.Sprint(!o.robots),
		"VCENRICH_MAX_ROWS":              fmt.Sprint(max(100_000, o.firms, o.big)),
		"VCENRICH_UPLOAD_MAX_BYTES":      "256MiB",
		"VCENRICH_LOG_LEVEL":             "warn",
		"VCENRICH_LOG_FORMAT":            "json",
		"VCENRICH_SLICES":                fmt.Sprint(o.slices),
	}
	web.route(settings)
	if o.continueEvery > 0 {
		settings["VCENRICH_CONTINUE_EVERY"] = fmt.Sprint(o.continueEvery)
	}
	if o.heartbeat > 0 {
		settings["VCENRICH_HEARTBEAT_TIMEOUT"] = o.heartbeat.String()
	}
	cfg, err := config.LoadFrom(func(k string) (string, bool) { v, ok := settings[k]; return v, ok })
	if err != nil {
		return err
	}

	res := &report.Result{
		Started: began,
		Command: "go run ./bench " + strings.Join(args, " "),
		Machine: describeMachine(root),
		Settings: report.Settings{
			Window: o.window, WorkerMax: o.workerMax, Backlog: o.backlog, ContinueEvery: cfg.ContinueEvery, MaxPages: cfg.MaxPages,
			HeartbeatTimeout: report.Duration(cfg.HeartbeatTimeout), Robots: o.robots,
		},
		Web: report.WebSummary{
			Latency: report.Duration(o.web.Latency), Jitter: report.Duration(o.web.Jitter),
			SlowRate: o.web.SlowRate, SlowLatency: report.Duration(o.web.SlowLatency),
			ErrorRate: o.web.ErrorRate, Rate429: o.web.Rate429, PageKB: o.web.PageBytes,
		},
	}
	if o.workerBin != "" {
		res.Notes = append(res.Notes, "Worker binary given with -worker-bin, not built from ./worker.")
	}
	if !o.fairness {
		res.Notes = append(res.Notes, "Dev server started without the matcher settings vcenrich ships (-fairness=false).")
	}
	if len(o.devConfig) > 0 {
		res.Notes = append(res.Notes, "Dev server started with extra dynamic config: "+strings.Join(o.devConfig, ", ")+".")
	}
	if len(seeds) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("Firm names and domains modelled on %d real firms (%s).", len(seeds), filepath.Base(o.names)))
	}
	profileDir := work
	if o.out != "" {
		profileDir = filepath.Dir(o.out)
		if err := os.MkdirAll(profileDir, 0o755); err != nil {
			return err
		}
	}
	b := &bench{o: o, t: t, work: work, web: web, settings: settings, res: res, seeds: seeds, profileDir: profileDir}

	if o.rendered.only {
		res.Notes = append(res.Notes, "Only the script-built sites scenario ran (-rendered-only).")
	} else {
		sizes := []int{o.firms}
		if o.big > 0 {
			sizes = append(sizes, o.big)
		}
		for i, n := range sizes {
			pairs := 1
			if i == 0 {
				pairs = max(1, o.pairs)
			}
			size, err := b.size(ctx, n, i == 0 || o.bigBaseline, pairs)
			if err != nil {
				return err
			}
			res.Sizes = append(res.Sizes, size)
		}
		if !o.skipRecovery {
			rc, err := b.recovery(ctx, o.recoveryFirms)
			if err != nil {
				return err
			}
			res.Recovery = rc
		}
	}
	if o.rendered.firms > 0 {
		if res.Rendering, err = b.rendering(ctx); err != nil {
			return err
		}
	}
	res.Duration = report.Duration(time.Since(began))
	res.Judge()
	md := res.Markdown()
	fmt.Print(md)
	if o.md != "" {
		if err := os.MkdirAll(filepath.Dir(o.md), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(o.md, []byte(md), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", o.md, err)
		}
	}
	if o.out != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(o.out, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", o.out, err)
		}
	}
	return nil
}

// prepare builds the worker and the server as a user would, and finds the
// dev server binary and its flags.
func prepare(ctx context.Context, root, work string) (tools, error) {
	var t tools
	self, err := os.Executable()
	if err != nil {
		return t, fmt.Errorf("find the benchmark's own binary: %w", err)
	}
	t.self = self
	logf("building the worker and the server")
	for _, c := range []struct{ pkg, out string }{{"./worker", "worker"}, {"./server", "server"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(work, c.out), c.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return t, fmt.Errorf("go build %s: %w\n%s", c.pkg, err, out)
		}
	}
	t.worker, t.server = filepath.Join(work, "worker"), filepath.Join(work, "server")
	t.temporal = os.Getenv("VCENRICH_TEMPORAL_BIN")
	dev := filepath.Join(root, "temporal-dev", "dev.sh")
	if t.temporal == "" {
		logf("finding the Temporal dev server (built once per machine)")
		out, err := exec.CommandContext(ctx, dev, "path").Output()
		if err != nil {
			return t, fmt.Errorf("temporal-dev/dev.sh path: %w", err)
		}
		t.temporal = strings.TrimSpace(string(out))
	}
	out, err := exec.CommandContext(ctx, dev, "args").Output()
	if err != nil {
		return t, fmt.Errorf("temporal-dev/dev.sh args: %w", err)
	}
	t.devArgs = strings.Fields(string(out))
	return t, nil
}

// withoutMatcherConfig drops the dynamic config values that switch the dev
// server's matching service to the new, fair matcher.
func withoutMatcherConfig(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--dynamic-config-value" && i+1 < len(args) && strings.HasPrefix(args[i+1], "matching.") {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// repoRoot is the module root above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "temporal-dev")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the benchmark from inside the vcenrich repository")
		}
		dir = parent
	}
}

// logf reports progress on stderr, so stdout carries only the table.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
