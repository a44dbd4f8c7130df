package crawl

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"code.dny.dev/ssrf"
)

// Kind classifies why a fetch failed, in a form callers can store and count.
type Kind string

const (
	KindBadURL           Kind = "bad_url"
	KindBlocked          Kind = "blocked_by_guard"
	KindRobots           Kind = "blocked_by_robots"
	KindDNS              Kind = "dns"
	KindConnect          Kind = "connect"
	KindTLS              Kind = "tls"
	KindTimeout          Kind = "timeout"
	KindHTTP             Kind = "http_status"
	KindTooManyRedirects Kind = "redirects"
	KindNotHTML          Kind = "not_html"
	KindRateLimited      Kind = "rate_limited"
)

// maxRetryAfter caps what a server may ask us to wait, so a hostile or
// confused Retry-After cannot park a worker for days.
const maxRetryAfter = 10 * time.Minute

// Error is every failure Get and Home return.
type Error struct {
	Kind       Kind
	URL        string
	Status     int           // HTTP status for KindHTTP and KindRateLimited (and KindNotHTML)
	RetryAfter time.Duration // from a Retry-After header, capped at 10 minutes
	Err        error
}

// Error says what went wrong in words a person understands.
func (e *Error) Error() string {
	host := hostOf(e.URL)
	switch e.Kind {
	case KindBadURL:
		return fmt.Sprintf("bad URL %q: %v", e.URL, cause(e.Err))
	case KindBlocked:
		var b *blockedError
		if errors.As(e.Err, &b) {
			return fmt.Sprintf("%s refused: %s", b.host, b.reason())
		}
		return fmt.Sprintf("%s refused: %v", host, e.Err)
	case KindRobots:
		return fmt.Sprintf("%s: %v", host, e.Err)
	case KindDNS:
		var d *net.DNSError
		if errors.As(e.Err, &d) {
			if d.IsNotFound {
				return "no such host: " + d.Name
			}
			return fmt.Sprintf("DNS lookup for %s failed: %s", d.Name, d.Err)
		}
		return fmt.Sprintf("DNS lookup for %s failed: %v", host, e.Err)
	case KindConnect:
		return fmt.Sprintf("could not connect to %s: %v", host, cause(e.Err))
	case KindTLS:
		if errors.Is(e.Err, http.ErrSchemeMismatch) {
			return fmt.Sprintf("%s does not speak HTTPS (it answered in plain HTTP)", host)
		}
		return fmt.Sprintf("TLS with %s failed: %v", host, cause(e.Err))
	case KindTimeout:
		if errors.Is(e.Err, context.Canceled) {
			return fmt.Sprintf("fetching %s was cancelled", e.URL)
		}
		return fmt.Sprintf("timed out fetching %s", e.URL)
	case KindHTTP, KindRateLimited:
		msg := fmt.Sprintf("HTTP %d for %s", e.Status, e.URL)
		if text := http.StatusText(e.Status); text != "" {
			msg = fmt.Sprintf("HTTP %d %s for %s", e.Status, text, e.URL)
		}
		if e.RetryAfter > 0 {
			msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
		}
		return msg
	case KindTooManyRedirects:
		return fmt.Sprintf("too many redirects fetching %s: %v", e.URL, cause(e.Err))
	case KindNotHTML:
		return fmt.Sprintf("%s is not an HTML page: %v", e.URL, e.Err)
	}
	return fmt.Sprintf("fetching %s failed: %v", e.URL, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying the same fetch later may succeed.
func (e *Error) Temporary() bool {
	switch e.Kind {
	case KindTimeout, KindConnect, KindRateLimited:
		return true
	case KindHTTP:
		return e.Status >= 500 || e.Status == http.StatusTooManyRequests
	case KindDNS:
		var d *net.DNSError
		return errors.As(e.Err, &d) && !d.IsNotFound && (d.IsTimeout || d.IsTemporary)
	}
	return false
}

// blockedError is what the dialer returns when the guard refuses an address;
// it remembers the host as the caller named it, which the guard never sees.
type blockedError struct {
	host string
	addr netip.AddrPort // zero when the dial error did not carry it
	err  error          // the guard's error, wrapped by the dialer
}

func (b *blockedError) Error() string { return b.host + ": " + b.reason() }
func (b *blockedError) Unwrap() error { return b.err }

func (b *blockedError) reason() string {
	ip := b.addr.Addr().Unmap()
	switch {
	case !ip.IsValid():
		return cause(b.err).Error()
	case errors.Is(b.err, ssrf.ErrProhibitedPort):
		return fmt.Sprintf("port %d of %s is not allowed", b.addr.Port(), ip)
	case errors.Is(b.err, ssrf.ErrProhibitedIP):
		return fmt.Sprintf("address %s is %s", ip, describeIP(ip))
	}
	return fmt.Sprintf("address %s: %v", ip, cause(b.err))
}

var (
	cgnat         = netip.MustParsePrefix("100.64.0.0/10")
	metadataV4    = netip.MustParseAddr("169.254.169.254")
	metadataV6AWS = netip.MustParseAddr("fd00:ec2::254")
)

// describeIP names the class of an address the guard refused, so the message
// tells an operator why without looking the range up.
func describeIP(ip netip.Addr) string {
	switch {
	case ip == metadataV4 || ip == metadataV6AWS:
		return "the cloud metadata endpoint"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case ip.IsPrivate():
		return "private"
	case cgnat.Contains(ip):
		return "carrier-grade NAT (shared) space"
	case ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	return "reserved for special use"
}

// redirectLimitError and redirectTargetError come back from the redirect
// policy through http.Client, wrapped in a *url.Error.
type redirectLimitError struct{ max int }

func (r *redirectLimitError) Error() string {
	if r.max == 0 {
		return "redirects are not followed"
	}
	return fmt.Sprintf("stopped after %d redirects", r.max)
}

type redirectTargetError struct {
	target string
	why    string
}

func (r *redirectTargetError) Error() string {
	return r.why + " (a redirect led there)"
}

type notHTMLError struct{ contentType string }

func (n *notHTMLError) Error() string { return "its content type is " + n.contentType }

// robotsError explains a robots.txt refusal.
type robotsError struct {
	path   string
	agent  string
	status int // robots.txt status when the whole site is off limits because of it
}

func (r *robotsError) Error() string {
	if r.status != 0 {
		return fmt.Sprintf("robots.txt answered HTTP %d, so the whole site is off limits until it recovers", r.status)
	}
	return fmt.Sprintf("robots.txt disallows %s for %s", r.path, r.agent)
}

// classify turns a transport error into an *Error. parent is the caller's
// context (not the per-request one), so that a caller's cancellation or
// deadline wins over whatever error it surfaced as.
func classify(parent context.Context, u string, err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	e := &Error{URL: u, Err: err}
	var (
		blocked  *blockedError
		limit    *redirectLimitError
		target   *redirectTargetError
		dns      *net.DNSError
		netErr   net.Error
		recHdr   tls.RecordHeaderError
		alert    tls.AlertError
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case parent.Err() != nil:
		e.Kind = KindTimeout
		e.Err = fmt.Errorf("%w: %w", parent.Err(), err)
	case errors.As(err, &target):
		e.Kind = KindBadURL
		e.URL = target.target
	case errors.As(err, &limit):
		e.Kind = KindTooManyRedirects
	case errors.As(err, &blocked),
		errors.Is(err, ssrf.ErrProhibitedIP),
		errors.Is(err, ssrf.ErrProhibitedPort),
		errors.Is(err, ssrf.ErrProhibitedNetwork),
		errors.Is(err, ssrf.ErrInvalidHostPort):
		e.Kind = KindBlocked
	case errors.As(err, &dns):
		e.Kind = KindDNS
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		e.Kind = KindTimeout
	case errors.Is(err, http.ErrSchemeMismatch),
		errors.As(err, &recHdr), errors.As(err, &alert), errors.As(err, &verify),
		errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid),
		strings.Contains(err.Error(), "tls: "):
		e.Kind = KindTLS
	default:
		// Refused, reset, unreachable, or the server hung up mid-body.
		e.Kind = KindConnect
	}
	return e
}

// cause strips the url.Error and net.OpError layers whose text repeats the
// URL and addresses the message already names.
func cause(err error) error {
	for {
		var ue *url.Error
		var oe *net.OpError
		switch {
		case errors.As(err, &ue) && ue.Err != nil:
			err = ue.Err
		case errors.As(err, &oe) && oe.Err != nil:
			err = oe.Err
		default:
			return err
		}
	}
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n >= int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now).Round(time.Second)
	}
	return max(0, min(d, maxRetryAfter))
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return raw
}
