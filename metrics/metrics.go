// Package metrics exposes Prometheus metrics for the worker and the server:
// the Temporal SDK's own (through its tally metrics handler) and vcenrich's
// (firms by outcome and reason, pages per firm, fetch refusals, jobs
// running), all on one registry per process.
package metrics

import (
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Metrics is one process's registry and the app metrics on it. A nil
// *Metrics records nothing, so code under test needs none.
type Metrics struct {
	reg    *prometheus.Registry
	closer io.Closer
	sdk    client.MetricsHandler

	firms         *prometheus.CounterVec
	pages         prometheus.Histogram
	firmSeconds   prometheus.Histogram
	refusals      *prometheus.CounterVec
	jobsRunning   prometheus.Gauge
	workersPolled prometheus.Gauge
}

// New builds a registry with Go runtime and process metrics, the SDK's
// metrics and vcenrich's own.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:       reg,
		DefaultTimerType: tallyprom.HistogramTimerType,
		OnRegisterError:  func(error) {}, // the SDK re-registers names across tag sets; the first one wins
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	m := &Metrics{
		reg:    reg,
		closer: closer,
		sdk:    sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)),
		firms: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vcenrich_firms_total", Help: "Firms finished, by status (ok, failed) and failure reason.",
		}, []string{"status", "reason"}),
		pages: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vcenrich_pages_per_firm", Help: "Pages fetched for one firm.",
			Buckets: []float64{1, 2, 3, 4, 5, 6, 8, 10, 15, 20},
		}),
		firmSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vcenrich_firm_seconds", Help: "Time to enrich one firm, one attempt.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 12),
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vcenrich_fetch_refusals_total", Help: "Homepages not fetched: blocked by robots.txt or refused by the SSRF guard.",
		}, []string{"kind"}),
		jobsRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vcenrich_jobs_running", Help: "Jobs running, as the server last counted them.",
		}),
		workersPolled: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vcenrich_workers_polling", Help: "Workers polling the task queue, as the server last saw them.",
		}),
	}
	reg.MustRegister(m.firms, m.pages, m.firmSeconds, m.refusals, m.jobsRunning, m.workersPolled)
	return m
}

// Close flushes the SDK metrics scope.
func (m *Metrics) Close() error {
	if m == nil {
		return nil
	}
	return m.closer.Close()
}

// Temporal is the handler to put in client.Options.MetricsHandler.
func (m *Metrics) Temporal() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return m.sdk
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// FirmEnriched records a firm enriched in one attempt.
func (m *Metrics) FirmEnriched(pages int, took time.Duration) {
	if m == nil {
		return
	}
	m.firms.WithLabelValues("ok", "").Inc()
	m.pages.Observe(float64(pages))
	m.firmSeconds.Observe(took.Seconds())
}

// FirmFailed records a firm that ran out of attempts, by reason.
func (m *Metrics) FirmFailed(reason string) {
	if m == nil {
		return
	}
	m.firms.WithLabelValues("failed", reason).Inc()
}

// Refused records a homepage the fetcher would not fetch.
func (m *Metrics) Refused(kind string) {
	if m == nil {
		return
	}
	m.refusals.WithLabelValues(kind).Inc()
}

// Fleet records what the server last counted: jobs running, workers polling.
func (m *Metrics) Fleet(jobs, workers int) {
	if m == nil {
		return
	}
	m.jobsRunning.Set(float64(jobs))
	m.workersPolled.Set(float64(workers))
}
