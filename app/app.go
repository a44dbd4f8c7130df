// Package app wires vcenrich's parts together from the configuration: the
// Temporal client, the result store, the fetcher and engine, the worker and
// the API. The main packages and the integration tests both build on it, so
// what the tests run is what production runs.
package app

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/metrics"
	"github.com/vcenrich/vcenrich/notify"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
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

// Notifier builds the notification channels from the settings.
func Notifier(cfg config.Config) *notify.Notifier {
	return notify.New(notify.Config{
		SMTPAddr: cfg.SMTPAddr, SMTPFrom: cfg.SMTPFrom, SMTPUser: cfg.SMTPUser, SMTPPassword: cfg.SMTPPassword,
		EmailTo: cfg.NotifyEmail, WebhookURL: cfg.WebhookURL,
	})
}

// JobOptions are the per-job defaults from the settings.
func JobOptions(cfg config.Config) contract.Options {
	return contract.Options{
		Window:           cfg.Window,
		ContinueEvery:    cfg.ContinueEvery,
		MaxAttempts:      cfg.MaxAttempts,
		FirmTimeout:      cfg.FirmTimeout,
		HeartbeatTimeout: cfg.HeartbeatTimeout,
		RetryInterval:    cfg.RetryInterval,
		StallAfter:       cfg.StallAfter,
		Priority:         cfg.Priority,
		Slices:           cfg.Slices,
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
		WatchCatchup:    cfg.WatchCatchup,
	}
}
