package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/notify"
	"github.com/vcenrich/vcenrich/store"
)

// hook is an HTTP receiver on loopback that keeps the webhook calls.
type hook struct {
	mu     sync.Mutex
	bodies []map[string]any
	keys   []string
	status int
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	h.mu.Lock()
	h.bodies = append(h.bodies, body)
	h.keys = append(h.keys, r.Header.Get("Idempotency-Key"))
	status := h.status
	h.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

func event() contract.Event {
	return contract.Event{
		Key: "job-1/run-1/completed", Kind: contract.JobCompleted, JobID: "job-1", JobName: "Q3 list – Europe",
		Title: "Job Q3 list – Europe completed", Text: "120 of 120 firms: 117 enriched, 3 failed.\n412 team members.",
		Link: "http://127.0.0.1:8080/#job-1", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func TestSendEmailAndWebhook(t *testing.T) {
	box, smtpAddr := testenv.SMTP(t)
	h := &hook{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	n := notify.New(notify.Config{
		SMTPAddr: smtpAddr, SMTPFrom: "vcenrich@example.com", EmailTo: []string{"ops@example.com"},
		WebhookURL: srv.URL + "/slack", Timeout: 5 * time.Second,
	})
	if !n.Enabled(nil) {
		t.Fatal("configured notifier says it is disabled")
	}
	if err := n.Send(context.Background(), event(), []string{"analyst@example.com"}); err != nil {
		t.Fatal(err)
	}

	mail := box.Messages()
	if len(mail) != 1 {
		t.Fatalf("%d emails, want 1", len(mail))
	}
	m := mail[0]
	if m.From != "vcenrich@example.com" || strings.Join(m.To, ",") != "ops@example.com,analyst@example.com" {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	for _, want := range []string{"Message-ID: <job-1.run-1.completed@vcenrich>", "Subject: =?utf-8?q?", "117 enriched, 3 failed.\r\n412 team members.", "http://127.0.0.1:8080/#job-1"} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("email lacks %q:\n%s", want, m.Data)
		}
	}

	if len(h.bodies) != 1 || h.keys[0] != "job-1/run-1/completed" {
		t.Fatalf("webhook calls %v keys %v", h.bodies, h.keys)
	}
	text, _ := h.bodies[0]["text"].(string)
	ev, _ := h.bodies[0]["event"].(map[string]any)
	if !strings.Contains(text, "*Job Q3 list – Europe completed*") || ev["kind"] != "job_completed" || ev["job_id"] != "job-1" {
		t.Errorf("webhook body %v", h.bodies[0])
	}
}

func TestSendReportsFailures(t *testing.T) {
	h := &hook{status: http.StatusInternalServerError}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		name  string
		cfg   notify.Config
		extra []string
		want  string
	}{
		{"webhook answers 500", notify.Config{WebhookURL: srv.URL}, nil, "HTTP 500"},
		{"email with no SMTP server", notify.Config{}, []string{"a@example.com"}, "no SMTP server"},
		{"SMTP server down", notify.Config{SMTPAddr: "127.0.0.1:1", SMTPFrom: "v@example.com"}, []string{"a@example.com"}, "smtp 127.0.0.1:1"},
		// A per-job webhook is a user's URL: the guard refuses private
		// addresses, even though the operator's own webhook may be one.
		{"per-job webhook on loopback", notify.Config{}, []string{strings.Replace(srv.URL, "http://", "https://", 1)}, "webhook"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := notify.New(tc.cfg).Send(context.Background(), event(), tc.extra)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// A retry after a partial failure sends only to the channels that failed:
// the webhook that had the event does not get it again.
func TestSendOnceRetriesOnlyWhatFailed(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := &hook{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	box, smtpAddr := testenv.SMTP(t)
	cfg := notify.Config{WebhookURL: srv.URL, SMTPAddr: "127.0.0.1:1", SMTPFrom: "v@example.com", Timeout: 5 * time.Second}

	sent, err := notify.New(cfg).SendOnce(ctx, st, event(), []string{"analyst@example.com"})
	if err == nil || !strings.Contains(err.Error(), "smtp 127.0.0.1:1") || !sent {
		t.Fatalf("first attempt, SMTP down: sent %v, error %v", sent, err)
	}
	cfg.SMTPAddr = smtpAddr // the mail server is back for the retry
	if sent, err := notify.New(cfg).SendOnce(ctx, st, event(), []string{"analyst@example.com"}); err != nil || !sent {
		t.Fatalf("retry: sent %v, error %v", sent, err)
	}
	if sent, err := notify.New(cfg).SendOnce(ctx, st, event(), []string{"analyst@example.com"}); err != nil || sent {
		t.Fatalf("a third call after success: sent %v, error %v", sent, err)
	}
	if len(h.keys) != 1 {
		t.Errorf("webhook called %d times, want once", len(h.keys))
	}
	if n := len(box.Messages()); n != 1 {
		t.Errorf("%d emails, want 1", n)
	}
}

func TestValidateAddress(t *testing.T) {
	for addr, ok := range map[string]bool{
		"analyst@example.com":             true,
		"https://hooks.slack.com/T/B/xyz": true,
		"http://hooks.example.com/x":      false,
		"ftp://x.example.com":             false,
		"https://user:pw@x.example.com/":  false,
		"Jane <jane@example.com>":         false,
		"not an address":                  false,
		"":                                false,
	} {
		if err := notify.ValidateAddress(addr); (err == nil) != ok {
			t.Errorf("ValidateAddress(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}
