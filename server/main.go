// Command server serves vcenrich's HTTP API and dashboard.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	apipkg "github.com/vcenrich/vcenrich/api"
	"github.com/vcenrich/vcenrich/app"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/metrics"
	"github.com/vcenrich/vcenrich/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
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
	gin.SetMode(gin.ReleaseMode)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
	notifier := app.Notifier(cfg)
	ac := app.APIConfig(cfg)
	ac.OnCheck = m.Fleet
	// Worker loss is the one alert no workflow can send: with no worker, no
	// activity runs. The server sends it itself, once per alert.
	ac.OnAlert = func(ctx context.Context, a apipkg.Alert) {
		if a.Kind != "worker_loss" {
			return // stalled jobs notify through their own workflow
		}
		ev := contract.Event{
			Key: "worker_loss/" + a.Since.UTC().Format(time.RFC3339), Kind: contract.WorkerLoss,
			Title: "vcenrich: no worker is running", Text: a.Message, Link: cfg.PublicURL + "/", At: a.Since,
		}
		if _, err := notifier.SendOnce(ctx, st, ev, nil); err != nil {
			logger.Error("worker-loss notification not sent", zap.Error(err))
		}
	}
	api := apipkg.New(ac, c, st, logger)
	defer api.Close()
	go api.Watch(ctx, cfg.AlertInterval, cfg.WorkerLossAfter)
	// /metrics sits beside the API rather than in it: Prometheus scrapes it
	// without the API token, and the API knows nothing of the registry.
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	mux.Handle("/", api.Handler())
	srv := &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// A request body is at most an upload (20 MB by default): five
		// minutes is a slow line's worth, and no client holds a
		// connection open by dripping bytes for longer.
		ReadTimeout: 5 * time.Minute,
		IdleTimeout: 2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("server listening", zap.String("addr", "http://"+cfg.HTTPAddr), zap.String("store", cfg.StoreURL))
	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("server stopped")
	return nil
}
