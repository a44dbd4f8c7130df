package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vcenrich/vcenrich/notify"
)

// mailbox is a real SMTP server on loopback that keeps what it receives.
type mailbox struct {
	mu       sync.Mutex
	messages []received
}

type received struct {
	from string
	to   []string
	data string
}

type session struct {
	box *mailbox
	cur received
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b}, nil }
func (s *session) Reset()                                        { s.cur = received{} }
func (s *session) Logout() error                                 { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error   { s.cur.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error     { s.cur.to = append(s.cur.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.box.mu.Lock()
	s.box.messages = append(s.box.messages, s.cur)
	s.box.mu.Unlock()
	return nil
}

func startSMTP(t *testing.T) (*mailbox, string) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, l.Addr().String()
}

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

func event() notify.Event {
	return notify.Event{
		Key: "job-1/run-1/completed", Kind: notify.JobCompleted, JobID: "job-1", JobName: "Q3 list – Europe",
		Title: "Job Q3 list – Europe completed", Text: "120 of 120 firms: 117 enriched, 3 failed.\n412 team members.",
		Link: "http://127.0.0.1:8080/#job-1", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func TestSendEmailAndWebhook(t *testing.T) {
	box, smtpAddr := startSMTP(t)
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

	if len(box.messages) != 1 {
		t.Fatalf("%d emails, want 1", len(box.messages))
	}
	m := box.messages[0]
	if m.from != "vcenrich@example.com" || strings.Join(m.to, ",") != "ops@example.com,analyst@example.com" {
		t.Errorf("envelope from %q to %v", m.from, m.to)
	}
	for _, want := range []string{"Message-ID: <job-1.run-1.completed@vcenrich>", "Subject: =?utf-8?q?", "117 enriched, 3 failed.\r\n412 team members.", "http://127.0.0.1:8080/#job-1"} {
		if !strings.Contains(m.data, want) {
			t.Errorf("email lacks %q:\n%s", want, m.data)
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
