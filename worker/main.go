// Command worker runs vcenrich's workflows and activities. Start as many as
// you like, on any machines that reach Temporal and the result store.
package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/app"
	"github.com/vcenrich/vcenrich/app/workerapp"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/metrics"
	"github.com/vcenrich/vcenrich/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	logger, err := applog.New(cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = logger.Sync() }()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.StoreURL)
	if err != nil {
		return err
	}
	defer st.Close()
	m := metrics.New()
	defer m.Close()
	c, err := app.Dial(ctx, logger, m)
	if err != nil {
		return err
	}
	defer c.Close()
	identity := workerapp.WorkerIdentity(cfg)
	w, err := workerapp.NewWorker(cfg, identity, c, st, m, logger)
	if err != nil {
		return err
	}
	defer workerapp.Liveness(cfg, identity, c, logger)()
	if cfg.MetricsAddr != "" {
		go serveMetrics(cfg.MetricsAddr, m, logger)
	}
	workerapp.Memory(cfg)
	logger.Info("worker starting", zap.String("task_queue", cfg.TaskQueue), zap.Int("max_activities", cfg.WorkerMaxActivities))
	// Run returns on SIGINT or SIGTERM after in-flight activities finish or
	// the stop timeout passes.
	if err := w.Run(worker.InterruptCh()); err != nil {
		return fmt.Errorf("run worker: %w", err)
	}
	logger.Info("worker stopped")
	return nil
}

// serveMetrics serves /metrics for Prometheus, and Go's profiler under
// /debug/pprof/ (the same loopback address by default) so `make bench` and an
// operator can see where a worker's time goes. A worker that cannot bind its
// metrics port still works, and says so.
func serveMetrics(addr string, m *metrics.Metrics, logger *zap.Logger) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("metrics listening", zap.String("addr", "http://"+addr+"/metrics"))
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("metrics server stopped", zap.Error(err))
	}
}
