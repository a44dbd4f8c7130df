// Command demosites serves the bundled demo VC firm websites on one local
// address, or with `sample PATH` writes the sample spreadsheet for the demo.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/demosites"
)

const (
	defaultAddr     = "127.0.0.1:8090"
	shutdownTimeout = 5 * time.Second
)

func main() {
	log, err := zap.NewDevelopment()
	if err != nil {
		fmt.Fprintf(os.Stderr, "demosites: create logger: %v\n", err)
		os.Exit(1)
	}
	err = run(os.Args[1:], log)
	if err != nil {
		log.Error("demosites failed", zap.Error(err))
	}
	_ = log.Sync()
	if err != nil {
		os.Exit(1)
	}
}

func run(args []string, log *zap.Logger) error {
	switch {
	case len(args) == 0:
		addr := os.Getenv("VCENRICH_DEMO_ADDR")
		if addr == "" {
			addr = defaultAddr
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		return serve(ctx, addr, log)
	case len(args) == 2 && args[0] == "sample":
		return writeSample(args[1], log)
	default:
		return fmt.Errorf("usage: demosites [sample PATH], got %q", args)
	}
}

func serve(ctx context.Context, addr string, log *zap.Logger) error {
	// Listening before serving reports a busy port immediately, and gives the
	// real address when the configured port is 0.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: demosites.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	hosts := make([]string, 0)
	for _, s := range demosites.Sites() {
		hosts = append(hosts, s.Host)
	}
	log.Info("serving demo sites", zap.String("addr", ln.Addr().String()), zap.Strings("hosts", hosts))

	select {
	case err := <-served:
		return fmt.Errorf("serve demo sites: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down demo sites: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve demo sites: %w", err)
	}
	return nil
}

func writeSample(path string, log *zap.Logger) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create sample: %w", err)
	}
	if err := demosites.WriteSample(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("write sample %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close sample %s: %w", path, err)
	}
	log.Info("wrote sample workbook", zap.String("path", path))
	return nil
}
