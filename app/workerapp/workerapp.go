// Package workerapp wires the worker process: the guarded fetcher, the
// enrichment engine, the Temporal worker that runs the job's workflow and
// activities, and its liveness lease. It is apart from app so that the API
// server, which only starts, signals and queries jobs, links no engine.
package workerapp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/activities"
	"github.com/vcenrich/vcenrich/app"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/internal/urlkey"
	"github.com/vcenrich/vcenrich/liveness"
	"github.com/vcenrich/vcenrich/llm"
	"github.com/vcenrich/vcenrich/metrics"
	"github.com/vcenrich/vcenrich/render"
	"github.com/vcenrich/vcenrich/store"
	"github.com/vcenrich/vcenrich/workflows"
)

// Memory applies the worker's memory budget to the Go runtime: the soft
// limit, and the GC percent that lets the heap use it. The benchmark's
// goroutine pool calls it too, so both sides of its comparison collect
// garbage by the same rules.
func Memory(cfg config.Config) {
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	if cfg.GCPercent > 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}
}

// Fetcher builds the crawl configuration from the settings.
func Fetcher(cfg config.Config) (*crawl.Fetcher, error) {
	cc := crawl.DefaultConfig()
	cc.UserAgent = cfg.UserAgent
	cc.RequestTimeout = cfg.FetchTimeout
	cc.MaxBodyBytes = cfg.FetchMaxBytes
	cc.MinHostInterval = cfg.HostInterval
	cc.IgnoreRobots = cfg.IgnoreRobots
	var err error
	if cc.Allow, cc.AllowPorts, cc.AllowEndpoints, err = crawl.ParseAllow(cfg.FetchAllow); err != nil {
		return nil, fmt.Errorf("VCENRICH_FETCH_ALLOW: %w", err)
	}
	if cc.Hosts, err = crawl.ParseHosts(cfg.FetchHosts); err != nil {
		return nil, fmt.Errorf("VCENRICH_FETCH_HOSTS: %w", err)
	}
	return crawl.New(cc)
}

// LLM builds the optional LLM extractor; nil when the settings do not name
// both an endpoint and a model.
func LLM(cfg config.Config) (*llm.Extractor, error) {
	lc := llm.Config{BaseURL: cfg.LLMBaseURL, Model: cfg.LLMModel, APIKey: cfg.LLMAPIKey, Timeout: cfg.LLMTimeout}
	if !lc.Enabled() {
		return nil, nil
	}
	x, err := llm.New(lc)
	if err != nil {
		return nil, fmt.Errorf("VCENRICH_LLM_BASE_URL / VCENRICH_LLM_MODEL: %w", err)
	}
	return x, nil
}

// Engine builds the enrichment engine from the settings: the guarded
// fetcher, the page and time budgets and the optional LLM extractor.
func Engine(cfg config.Config) (*enrich.Engine, error) {
	f, err := Fetcher(cfg)
	if err != nil {
		return nil, err
	}
	extractor, err := LLM(cfg)
	if err != nil {
		return nil, err
	}
	return &enrich.Engine{Fetcher: f, MaxPages: cfg.MaxPages, Budget: cfg.FirmBudget, LLM: extractor}, nil
}

// Renderer starts the browser that renders script-built pages, through
// fetcher. With rendering off or no browser found it returns nil and says
// why in the log: the engine then reads such pages as they come, and the
// workbook says no browser was there to render them.
func Renderer(cfg config.Config, fetcher *crawl.Fetcher, logger *zap.Logger) (*render.Renderer, error) {
	r, err := render.New(render.Config{
		Browser: cfg.Browser, Tabs: cfg.BrowserTabs, PageBudget: cfg.RenderBudget,
		MaxRequests: cfg.RenderMaxRequests, MaxMemory: cfg.BrowserMaxMemory,
	}, fetcher, logger)
	switch {
	case errors.Is(err, render.ErrUnavailable):
		logger.Info("script-built pages will not be rendered (VCENRICH_BROWSER)", zap.Error(err))
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("VCENRICH_BROWSER: %w", err)
	}
	logger.Info("script-built pages are rendered", zap.String("browser", r.Binary()), zap.Int("tabs", cfg.BrowserTabs))
	return r, nil
}

// renderSites is VCENRICH_RENDER_SITES as the engine looks sites up.
func renderSites(sites []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range sites {
		if s = strings.TrimSpace(s); s == "*" {
			out[s] = true
		} else if s != "" {
			out[urlkey.Site(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://"), "/"))] = true
		}
	}
	return out
}

// NewWorker builds a worker named identity (see WorkerIdentity) that runs
// EnrichJob and its activities, which record their metrics in m (nil for
// none). The browser it may start for script-built pages stops with it.
func NewWorker(cfg config.Config, identity string, c client.Client, st *store.Store, m *metrics.Metrics, logger *zap.Logger) (worker.Worker, error) {
	engine, err := Engine(cfg)
	if err != nil {
		return nil, err
	}
	if engine.Renderer, err = Renderer(cfg, engine.Fetcher, logger); err != nil {
		return nil, err
	}
	engine.RenderSites = renderSites(cfg.RenderSites)
	w := worker.New(c, cfg.TaskQueue, worker.Options{
		Identity:                           identity,
		MaxConcurrentActivityExecutionSize: cfg.WorkerMaxActivities,
		// In-flight firms get this long to finish on SIGTERM; what does not
		// finish is retried elsewhere after its heartbeat times out.
		WorkerStopTimeout: 20 * time.Second,
		// When the worker holding a job's workflow dies, its next workflow
		// task waits this long for it before any worker may take it: short,
		// so another worker carries the job on within seconds.
		StickyScheduleToStartTimeout: 2 * time.Second,
		// Heartbeats reach the server within seconds, so a cancelled job's
		// firms see the cancellation within seconds too.
		MaxHeartbeatThrottleInterval:     3 * time.Second,
		DefaultHeartbeatThrottleInterval: time.Second,
	})
	w.RegisterWorkflowWithOptions(workflows.EnrichJob, workflow.RegisterOptions{Name: contract.Workflow})
	w.RegisterWorkflowWithOptions(workflows.WatchRefresh, workflow.RegisterOptions{Name: contract.WatchWorkflow})
	w.RegisterActivity(&activities.Activities{
		Store:    st,
		Metrics:  m,
		Notifier: app.Notifier(cfg),
		Engine:   engine,
	})
	if engine.Renderer == nil {
		return w, nil
	}
	return closing{Worker: w, close: engine.Renderer.Close}, nil
}

// closing is a worker that closes its browser once it has stopped, however
// it is stopped (Stop, or Run's interrupt).
type closing struct {
	worker.Worker
	close func() error
}

func (w closing) Run(interrupt <-chan any) error {
	err := w.Worker.Run(interrupt)
	_ = w.close()
	return err
}

func (w closing) Stop() {
	w.Worker.Stop()
	_ = w.close()
}

// WorkerIdentity names this process's worker, to Temporal and in its
// liveness lease: the pid, the host and the task queue, as the SDK would,
// and a random part, since a restarted container is pid 1 on the same host
// name again and must not pass for the worker it replaces. Call it once per
// process and give the same name to NewWorker and Liveness.
func WorkerIdentity(cfg config.Config) string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%d@%s@%s@%s", os.Getpid(), host, cfg.TaskQueue, rand.Text()[:8])
}

// Liveness claims the lease of the worker named self and starts handing
// back the firms of workers that die on this machine; stop ends it. With no
// liveness directory set, or one it cannot use, it does nothing but say so.
func Liveness(cfg config.Config, self string, c client.Client, logger *zap.Logger) (stop func()) {
	if cfg.LivenessDir == "" {
		return func() {}
	}
	lease, err := liveness.Hold(cfg.LivenessDir, self)
	if err != nil {
		// Only a shortcut is lost: a dead worker's firms come back after
		// their heartbeat timeout, as they would across machines.
		logger.Warn("VCENRICH_LIVENESS_DIR: no liveness lease; if this worker dies, its firms wait for their heartbeat timeout", zap.Error(err))
		return func() {}
	}
	host, _ := os.Hostname()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	w := &liveness.Watcher{
		Dir: cfg.LivenessDir, Self: self, Host: host, Client: c, Namespace: app.Namespace(), TaskQueue: cfg.TaskQueue,
		Every: time.Second, Logger: logger,
	}
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
		if err := lease.Release(); err != nil {
			logger.Warn("could not release the liveness lease", zap.Error(err))
		}
	}
}
