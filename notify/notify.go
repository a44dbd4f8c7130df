// Package notify tells people about jobs: email over SMTP and a JSON webhook
// (Slack-compatible: the payload's "text" is what Slack shows). Every event
// carries an idempotency key; the caller records keys it has sent, and the
// key also travels as the email's Message-ID and the webhook's
// Idempotency-Key header, so a receiver can drop a repeat that slipped
// through a crash between sending and recording.
package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"code.dny.dev/ssrf"
	"github.com/go-resty/resty/v2"

	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/store"
)

// Config says where notifications go. Empty SMTPAddr turns email off;
// empty WebhookURL turns the operator's webhook off. Per-job addresses given
// at upload are added to these.
type Config struct {
	SMTPAddr     string   // host:port
	SMTPFrom     string   // From address
	SMTPUser     string   // PLAIN auth when set (the server must offer TLS, or be on loopback)
	SMTPPassword string   //
	EmailTo      []string // operator recipients of every notification
	WebhookURL   string   // operator webhook (trusted: may be on a private network)
	Timeout      time.Duration
}

// Notifier sends events.
type Notifier struct {
	cfg      Config
	operator *resty.Client // for the configured webhook
	perJob   *resty.Client // for webhooks named at upload: public https only
}

// webhookAnswerMax caps what is read of a webhook's answer: only its status
// matters, and a per-job webhook is a stranger's server.
const webhookAnswerMax = 64 << 10

// New builds a notifier.
func New(cfg Config) *Notifier {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	// A webhook a user typed into an upload is a request on their behalf
	// from inside our network: it goes through the same kind of SSRF guard as
	// the crawler, and through no proxy that would hide the real address.
	guard := ssrf.New()
	dialer := &net.Dialer{Timeout: cfg.Timeout, Control: guard.Safe}
	guarded := &http.Transport{Proxy: nil, DialContext: dialer.DialContext, TLSHandshakeTimeout: cfg.Timeout, MaxIdleConns: 4}
	return &Notifier{
		cfg:      cfg,
		operator: resty.New().SetTimeout(cfg.Timeout).SetRedirectPolicy(resty.NoRedirectPolicy()).SetDoNotParseResponse(true),
		perJob:   resty.NewWithClient(&http.Client{Transport: guarded}).SetTimeout(cfg.Timeout).SetRedirectPolicy(resty.NoRedirectPolicy()).SetDoNotParseResponse(true),
	}
}

// ValidateAddress checks an address given at upload: an email address or
// an https URL for a webhook.
func ValidateAddress(addr string) error {
	addr = strings.TrimSpace(addr)
	if strings.HasPrefix(addr, "https://") {
		u, err := url.Parse(addr)
		if err != nil || u.Host == "" || u.User != nil {
			return fmt.Errorf("%q is not a usable webhook URL", addr)
		}
		return nil
	}
	if strings.Contains(addr, "://") {
		return fmt.Errorf("%q: webhooks must be https URLs", addr)
	}
	if a, err := mail.ParseAddress(addr); err != nil || a.Name != "" {
		return fmt.Errorf("%q is neither an email address nor an https webhook URL", addr)
	}
	return nil
}

// Enabled reports whether an event would go anywhere.
func (n *Notifier) Enabled(extra []string) bool {
	return n != nil && (n.cfg.WebhookURL != "" || (n.cfg.SMTPAddr != "" && len(n.cfg.EmailTo) > 0) || len(extra) > 0)
}

// channel is one place an event goes: the operator's webhook, one per-job
// webhook, or the one email to every recipient.
type channel struct {
	id   string // names the target in the record of what was sent
	send func(context.Context, contract.Event) error
}

func (n *Notifier) channels(extra []string) []channel {
	var out []channel
	emails := append([]string(nil), n.cfg.EmailTo...)
	var hooks []string
	for _, a := range extra {
		if strings.HasPrefix(a, "https://") {
			hooks = append(hooks, a)
		} else {
			emails = append(emails, a)
		}
	}
	hook := func(c *resty.Client, target string) channel {
		sum := sha256.Sum256([]byte(target))
		return channel{id: "webhook-" + hex.EncodeToString(sum[:8]), send: func(ctx context.Context, ev contract.Event) error {
			return n.webhook(ctx, c, target, ev)
		}}
	}
	if n.cfg.WebhookURL != "" {
		out = append(out, hook(n.operator, n.cfg.WebhookURL))
	}
	for _, h := range hooks {
		out = append(out, hook(n.perJob, h))
	}
	if len(emails) > 0 {
		out = append(out, channel{id: "email", send: func(ctx context.Context, ev contract.Event) error {
			if n.cfg.SMTPAddr == "" {
				return fmt.Errorf("email to %s not sent: no SMTP server is configured (VCENRICH_SMTP_ADDR)", strings.Join(emails, ", "))
			}
			return n.email(ctx, emails, ev)
		}})
	}
	return out
}

// Send delivers ev to the operator's channels and to extra (per-job
// addresses). It tries every channel and returns the first error.
func (n *Notifier) Send(ctx context.Context, ev contract.Event, extra []string) error {
	var firstErr error
	for _, ch := range n.channels(extra) {
		if err := ch.send(ctx, ev); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// webhookBody is Slack-compatible: Slack shows "text"; other receivers read
// "event".
type webhookBody struct {
	Text  string         `json:"text"`
	Event contract.Event `json:"event"`
}

func (n *Notifier) webhook(ctx context.Context, c *resty.Client, target string, ev contract.Event) error {
	text := "*" + ev.Title + "*\n" + ev.Text
	if ev.Link != "" {
		text += "\n" + ev.Link
	}
	resp, err := c.R().SetContext(ctx).
		SetHeader("Idempotency-Key", ev.Key).
		SetHeader("Content-Type", "application/json").
		SetBody(webhookBody{Text: text, Event: ev}).
		Post(target)
	if resp != nil && resp.RawBody() != nil {
		// Read a little of the answer so the connection can be reused,
		// never all of it.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.RawBody(), webhookAnswerMax))
		resp.RawBody().Close()
	}
	if err != nil {
		return fmt.Errorf("webhook %s: %w", redact(target), err)
	}
	if !resp.IsSuccess() {
		return fmt.Errorf("webhook %s answered HTTP %d", redact(target), resp.StatusCode())
	}
	return nil
}

func (n *Notifier) email(ctx context.Context, to []string, ev contract.Event) error {
	d := net.Dialer{Timeout: n.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", n.cfg.SMTPAddr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", n.cfg.SMTPAddr, err)
	}
	deadline := time.Now().Add(n.cfg.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(n.cfg.SMTPAddr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", n.cfg.SMTPAddr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp %s starttls: %w", n.cfg.SMTPAddr, err)
		}
	}
	if n.cfg.SMTPUser != "" {
		if err := c.Auth(smtp.PlainAuth("", n.cfg.SMTPUser, n.cfg.SMTPPassword, host)); err != nil {
			return fmt.Errorf("smtp %s auth: %w", n.cfg.SMTPAddr, err)
		}
	}
	if err := c.Mail(n.cfg.SMTPFrom); err != nil {
		return fmt.Errorf("smtp MAIL FROM %s: %w", n.cfg.SMTPFrom, err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("smtp RCPT TO %s: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(message(n.cfg.SMTPFrom, to, ev)); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	return c.Quit()
}

// message is a plain-text email whose Message-ID is derived from the
// event's key, so a duplicate is recognisable as one.
func message(from string, to []string, ev contract.Event) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from)
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(to, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mimeHeader(ev.Title))
	fmt.Fprintf(&b, "Date: %s\r\n", ev.At.UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@vcenrich>\r\n", strings.NewReplacer("/", ".", " ", "-", "<", "", ">", "", "@", ".").Replace(ev.Key))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	body := ev.Text
	if ev.Link != "" {
		body += "\n\n" + ev.Link
	}
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return b.Bytes()
}

// mimeHeader keeps a subject on one line, encoded when it is not ASCII.
func mimeHeader(s string) string {
	return mime.QEncoding.Encode("utf-8", strings.Join(strings.Fields(s), " "))
}

func redact(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// SendOnce sends ev to every channel the store does not record as having
// had it, and records each one it reaches: a retried caller neither sends
// twice where it succeeded nor gives up on the channels that failed.
func (n *Notifier) SendOnce(ctx context.Context, st *store.Store, ev contract.Event, to []string) (sent bool, err error) {
	if !n.Enabled(to) {
		return false, nil
	}
	// The whole event is recorded once every channel had it (and was the
	// only record before channels were recorded one by one).
	done, err := st.Notified(ctx, ev.Key)
	if err != nil || done {
		return false, err
	}
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for _, ch := range n.channels(to) {
		key := ev.Key + "/" + ch.id
		done, err := st.Notified(ctx, key)
		if err != nil || done {
			keep(err)
			continue
		}
		if err := ch.send(ctx, ev); err != nil {
			keep(err)
			continue
		}
		sent = true
		keep(st.MarkNotified(ctx, key))
	}
	if firstErr != nil {
		return sent, fmt.Errorf("notify %s: %w", ev.Kind, firstErr)
	}
	return sent, st.MarkNotified(ctx, ev.Key)
}
