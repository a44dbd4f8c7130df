// Command worker runs vcenrich's workflows and activities. Start as many as
// you like, on any machines that reach Temporal and the result store.
package main

import (
	"context"
	"fmt"
	"os"

	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/app"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/config"
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
	c, err := app.Dial(ctx, logger)
	if err != nil {
		return err
	}
	defer c.Close()
	w, err := app.NewWorker(cfg, c, st, logger)
	if err != nil {
		return err
	}
	logger.Info("worker starting", zap.String("task_queue", cfg.TaskQueue), zap.Int("max_activities", cfg.WorkerMaxActivities))
	// Run returns on SIGINT or SIGTERM after in-flight activities finish or
	// the stop timeout passes.
	if err := w.Run(worker.InterruptCh()); err != nil {
		return fmt.Errorf("run worker: %w", err)
	}
	logger.Info("worker stopped")
	return nil
}
