package testenv

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Mail is one message a Mailbox received.
type Mail struct {
	From string
	To   []string
	Data string
}

// Mailbox is a real SMTP server on loopback that keeps what it receives.
type Mailbox struct {
	mu   sync.Mutex
	mail []Mail
}

// Messages returns what arrived so far.
func (b *Mailbox) Messages() []Mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Mail(nil), b.mail...)
}

// SMTP starts a Mailbox for the test and returns its host:port.
func SMTP(t testing.TB) (*Mailbox, string) {
	t.Helper()
	box := &Mailbox{}
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

// NewSession implements smtp.Backend.
func (b *Mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b}, nil }

type session struct {
	box *Mailbox
	cur Mail
}

func (s *session) Reset()                                      { s.cur = Mail{} }
func (s *session) Logout() error                               { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.From = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(b)
	s.box.mu.Lock()
	s.box.mail = append(s.box.mail, s.cur)
	s.box.mu.Unlock()
	return nil
}

// Hook is an HTTP receiver for webhooks on loopback that keeps each call's
// JSON body and Idempotency-Key header, answering Status (200 when 0).
type Hook struct {
	mu     sync.Mutex
	Status int
	calls  []HookCall
}

// HookCall is one webhook call.
type HookCall struct {
	Key  string
	Body map[string]any
}

// Calls returns the calls so far.
func (h *Hook) Calls() []HookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]HookCall(nil), h.calls...)
}

func (h *Hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
	h.mu.Lock()
	h.calls = append(h.calls, HookCall{Key: r.Header.Get("Idempotency-Key"), Body: body})
	status := h.Status
	h.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}
