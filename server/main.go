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

	"github.com/vcenrich/vcenrich/app"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/config"
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
	api := app.NewAPI(cfg, c, st, logger)
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
