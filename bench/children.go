package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/vcenrich/vcenrich/app/workerapp"
	"github.com/vcenrich/vcenrich/bench/baseline"
	"github.com/vcenrich/vcenrich/bench/history"
	"github.com/vcenrich/vcenrich/bench/simweb"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/sheets"
)

// The benchmark runs the simulated web and the baseline as child processes
// of its own binary, so each one's CPU and memory are measured apart from
// the benchmark's bookkeeping, exactly as the worker's and the server's are.
const (
	cmdWeb      = "web"
	cmdBaseline = "baseline"
)

// webFlags are the simulated web's settings, shared by the benchmark's flags
// and the web child's.
func webFlags(fs *flag.FlagSet) *simweb.Config {
	c := &simweb.Config{}
	fs.DurationVar(&c.Latency, "latency", 200*time.Millisecond, "simulated web: delay before each answer")
	fs.DurationVar(&c.Jitter, "jitter", 50*time.Millisecond, "simulated web: the delay is uniform in latency±jitter")
	fs.Float64Var(&c.SlowRate, "slow-rate", 0, "simulated web: share of answers delayed -slow-latency instead (a long tail)")
	fs.DurationVar(&c.SlowLatency, "slow-latency", 2*time.Second, "simulated web: delay of the slow answers")
	fs.Float64Var(&c.ErrorRate, "error-rate", 0.01, "simulated web: share of pages answered 503")
	fs.Float64Var(&c.Rate429, "rate-429", 0.01, "simulated web: share of pages answered 429 with Retry-After: 1")
	fs.IntVar(&c.PageBytes, "page-kb", 40, "simulated web: page size in KB (real firm pages weigh tens of KB)")
	return c
}

// webChildFlags are the web child's settings: webFlags, and the share of
// script-built sites, which the benchmark sets through the script-built
// sites scenario's flags instead, that scenario's web being a child of its
// own.
func webChildFlags(fs *flag.FlagSet) *simweb.Config {
	c := webFlags(fs)
	fs.Float64Var(&c.ScriptShare, "script-share", 0, "simulated web: share of the sites that link their team page whose team page is built by script")
	return c
}

// webArgs turns a web config back into the child's arguments.
func webArgs(c simweb.Config) []string {
	return []string{
		"-latency=" + c.Latency.String(), "-jitter=" + c.Jitter.String(),
		fmt.Sprintf("-slow-rate=%g", c.SlowRate), "-slow-latency=" + c.SlowLatency.String(),
		fmt.Sprintf("-error-rate=%g", c.ErrorRate), fmt.Sprintf("-rate-429=%g", c.Rate429),
		fmt.Sprintf("-page-kb=%d", c.PageBytes), fmt.Sprintf("-script-share=%g", c.ScriptShare),
	}
}

// runWeb serves the simulated web on a free loopback port until SIGTERM,
// writing its address to -addr-file once it listens.
func runWeb(args []string) error {
	fs := flag.NewFlagSet(cmdWeb, flag.ContinueOnError)
	cfg := webChildFlags(fs)
	addrFile := fs.String("addr-file", "", "write the listening address here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.PageBytes <<= 10
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("web: listen: %w", err)
	}
	if err := writeFileAtomic(*addrFile, []byte(l.Addr().String())); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	srv := &http.Server{Handler: simweb.New(*cfg), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}

// baselineReport is what the baseline child hands back.
type baselineReport struct {
	Wall        time.Duration    `json:"wall"`
	Read        time.Duration    `json:"read"`  // to the spreadsheet parsed
	Firms       time.Duration    `json:"firms"` // the pool's run
	Outcome     baseline.Outcome `json:"outcome"`
	FirmTimeP50 time.Duration    `json:"firm_time_p50"`
	FirmTimeP99 time.Duration    `json:"firm_time_p99"`
}

// runBaseline enriches the firms of a workbook with the engine in a
// goroutine pool, configured from the same VCENRICH_* settings as the
// worker, and writes the enriched workbook: spreadsheet in, spreadsheet out,
// like a job, but with nothing durable in between.
func runBaseline(args []string) error {
	fs := flag.NewFlagSet(cmdBaseline, flag.ContinueOnError)
	in := fs.String("xlsx", "", "the firms")
	out := fs.String("workbook", "", "where the enriched workbook goes")
	result := fs.String("result", "", "where the JSON report goes")
	profile := fs.String("cpuprofile", "", "write a CPU profile here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	workerapp.Memory(cfg)
	f, err := workerapp.Fetcher(cfg)
	if err != nil {
		return err
	}
	eng := &enrich.Engine{Fetcher: f, MaxPages: cfg.MaxPages}
	defaults := contract.Options{}.WithDefaults()
	opts := baseline.Options{
		// As many at once as the stack runs: its window, or the worker's
		// slots when the window is larger and the rest waits in the queue.
		Window:        min(cfg.Window, cfg.WorkerMaxActivities),
		MaxAttempts:   cfg.MaxAttempts,
		RetryInterval: defaults.RetryInterval,
		MaxInterval:   time.Minute,
		FirmTimeout:   cfg.FirmTimeout,
	}
	if *profile != "" {
		pf, err := os.Create(*profile)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("baseline: profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	started := time.Now()
	src, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	lim := sheets.DefaultLimits()
	lim.MaxRows = cfg.MaxRows
	up, err := sheets.Parse(src, *in, lim)
	src.Close()
	if err != nil {
		return fmt.Errorf("baseline: read firms: %w", err)
	}
	read := time.Since(started)
	results, outcome := baseline.Run(context.Background(), eng, up.Firms, opts)
	firms := time.Since(started) - read
	wb, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	if err := baseline.WriteWorkbook(wb, up, results, outcome, started, time.Now()); err != nil {
		wb.Close()
		return err
	}
	if err := wb.Close(); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	rep := baselineReport{
		Wall: time.Since(started), Read: read, Firms: firms, Outcome: outcome,
		FirmTimeP50: history.Percentile(outcome.FirstAttempts, 50),
		FirmTimeP99: history.Percentile(outcome.FirstAttempts, 99),
	}
	data, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return writeFileAtomic(*result, data)
}

// writeFileAtomic writes data so a reader polling for path never sees half of it.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
