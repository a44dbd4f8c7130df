package app_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/app"
	"github.com/vcenrich/vcenrich/app/workerapp"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/jobclient"
	"github.com/vcenrich/vcenrich/metrics"
)

// TestNotificationsAndMetricsAfterJob runs the demo job on a worker with
// metrics and notifications configured: one email and one webhook call say
// the job completed, and a scrape of the worker's /metrics shows the firms
// by outcome and the SDK's own metrics.
func TestNotificationsAndMetricsAfterJob(t *testing.T) {
	box, smtpAddr := testenv.SMTP(t)
	hook := &testenv.Hook{}
	receiver := httptest.NewServer(hook)
	t.Cleanup(receiver.Close)
	s := startStackWith(t, stackOptions{noWorker: true, env: map[string]string{
		"VCENRICH_SMTP_ADDR":    smtpAddr,
		"VCENRICH_SMTP_FROM":    "vcenrich@example.com",
		"VCENRICH_NOTIFY_EMAIL": "ops@example.com",
		"VCENRICH_WEBHOOK_URL":  receiver.URL + "/hook",
	}})
	m := metrics.New()
	t.Cleanup(func() { _ = m.Close() })
	// The SDK reports through the client's metrics handler, as app.Dial
	// sets it in production.
	tc, err := client.NewClientFromExisting(s.temporal, client.Options{Namespace: app.Namespace(), MetricsHandler: m.Temporal(), Logger: applog.Temporal(testenv.Logger(t))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	w, err := workerapp.NewWorker(s.cfg, workerapp.WorkerIdentity(s.cfg), tc, s.store, m, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	created, err := s.client.Upload(ctx, writeSample(t), jobclient.UploadOptions{Name: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	final, err := s.client.Follow(ctx, created.JobID, 100*time.Millisecond, func(answer.Job) {})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the completion notification", func() bool {
		return len(box.Messages()) > 0 && len(hook.Calls()) > 0
	})
	mail, calls := box.Messages(), hook.Calls()
	if len(mail) != 1 || !strings.Contains(mail[0].Data, "completed") || mail[0].To[0] != "ops@example.com" {
		t.Errorf("emails %+v, want one saying the job completed", mail)
	}
	if len(calls) != 1 || !strings.HasPrefix(calls[0].Key, created.JobID+"/") || !strings.HasSuffix(calls[0].Key, "/job_completed") {
		t.Errorf("webhook calls %+v, want one keyed by the job's run", calls)
	}

	metricsSrv := httptest.NewServer(m.Handler())
	t.Cleanup(metricsSrv.Close)
	scrape := func() string {
		resp, err := metricsSrv.Client().Get(metricsSrv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// The SDK's metrics reach the registry on a one-second reporting tick.
	eventually(t, 10*time.Second, "SDK metrics in the scrape", func() bool { return strings.Contains(scrape(), "temporal_activity_execution_latency") })
	body := scrape()
	for _, want := range []string{
		`vcenrich_firms_total{reason="",status="ok"} ` + itoa(final.Done),
		`vcenrich_firms_total{reason="blocked_by_robots",status="failed"} 1`,
		`vcenrich_firms_total{reason="http_status",status="failed"} 1`,
		`vcenrich_fetch_refusals_total{kind="blocked_by_robots"} 1`,
		`vcenrich_pages_per_firm_count ` + itoa(final.Done),
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
