// Package app wires vcenrich's parts together from the configuration: the
// Temporal client, the result store, the fetcher and engine, the worker and
// the API. The main packages and the integration tests both build on it, so
// what the tests run is what production runs.
package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/activities"
	"github.com/vcenrich/vcenrich/api"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/liveness"
	"github.com/vcenrich/vcenrich/llm"
	"github.com/vcenrich/vcenrich/metrics"
	"github.com/vcenrich/vcenrich/notify"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
	"github.com/vcenrich/vcenrich/workflows"
)

// DefaultTemporalAddress is used when neither TEMPORAL_ADDRESS nor a
// profile names one: the dev server that `make demo` starts.
const DefaultTemporalAddress = "127.0.0.1:7233"

// Dial connects to Temporal with the standard TEMPORAL_* settings
// (address, namespace, TLS, API key, profiles), logs through logger and
// reports the SDK's metrics to m (nil for none).
func Dial(ctx context.Context, logger *zap.Logger, m *metrics.Metrics) (client.Client, error) {
	opts, err := envconfig.LoadDefaultClientOptions()
	if err != nil {
		return nil, fmt.Errorf("temporal settings: %w", err)
	}
	if opts.HostPort == "" {
		opts.HostPort = DefaultTemporalAddress
	}
	opts.Logger = applog.Temporal(logger)
	if h := m.Temporal(); h != nil {
		opts.MetricsHandler = h
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	return c, nil
}

// Namespace is the namespace a client was dialled with.
func Namespace() string {
	opts, err := envconfig.LoadDefaultClientOptions()
	if err != nil || opts.Namespace == "" {
		return "default"
	}
	return opts.Namespace
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

// Notifier builds the notification channels from the settings.
func Notifier(cfg config.Config) *notify.Notifier {
	return notify.New(notify.Config{
		SMTPAddr: cfg.SMTPAddr, SMTPFrom: cfg.SMTPFrom, SMTPUser: cfg.SMTPUser, SMTPPassword: cfg.SMTPPassword,
		EmailTo: cfg.NotifyEmail, WebhookURL: cfg.WebhookURL,
	})
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

// JobOptions are the per-job defaults from the settings.
func JobOptions(cfg config.Config) workflows.Options {
	return workflows.Options{
		Window:           cfg.Window,
		ContinueEvery:    cfg.ContinueEvery,
		MaxAttempts:      cfg.MaxAttempts,
		FirmTimeout:      cfg.FirmTimeout,
		HeartbeatTimeout: cfg.HeartbeatEvery,
		RetryInterval:    cfg.RetryInterval,
		StallAfter:       cfg.StallAfter,
		Priority:         cfg.Priority,
	}
}

// NewWorker builds a worker named identity (see WorkerIdentity) that runs
// EnrichJob and its activities, which record their metrics in m (nil for
// none).
func NewWorker(cfg config.Config, identity string, c client.Client, st *store.Store, m *metrics.Metrics) (worker.Worker, error) {
	engine, err := Engine(cfg)
	if err != nil {
		return nil, err
	}
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
	w.RegisterWorkflowWithOptions(workflows.EnrichJob, workflow.RegisterOptions{Name: "EnrichJob"})
	w.RegisterActivity(&activities.Activities{
		Store:    st,
		Metrics:  m,
		Notifier: Notifier(cfg),
		Engine:   engine,
	})
	return w, nil
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
		Dir: cfg.LivenessDir, Self: self, Host: host, Client: c, Namespace: Namespace(), TaskQueue: cfg.TaskQueue,
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

// NewAPI builds the HTTP API.
func NewAPI(cfg config.Config, c client.Client, st *store.Store, logger *zap.Logger) *api.Server {
	return api.New(APIConfig(cfg), c, st, logger)
}

// APIConfig is the API's part of the settings, for a caller that adds hooks.
func APIConfig(cfg config.Config) api.Config {
	lim := sheets.DefaultLimits()
	lim.MaxRows = cfg.MaxRows
	return api.Config{
		TaskQueue:       cfg.TaskQueue,
		PublicURL:       cfg.PublicURL,
		TemporalUIURL:   cfg.TemporalUIURL,
		Namespace:       Namespace(),
		UploadMaxBytes:  cfg.UploadMaxBytes,
		Limits:          lim,
		JobOptions:      JobOptions(cfg),
		Token:           cfg.APIToken,
		TrustedProxies:  cfg.TrustedProxies,
		Email:           cfg.SMTPAddr != "",
		WorkerLossAfter: cfg.WorkerLossAfter,
	}
}
