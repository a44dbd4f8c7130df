package crawl

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vcenrich/vcenrich/config"
)

// Config tunes a Fetcher. Start from DefaultConfig: in a zero Config only the
// fields whose zero value is meaningless (UserAgent, RequestTimeout,
// MaxBodyBytes, MaxRedirects) are replaced by their defaults, so a zero
// MinHostInterval really means no politeness interval.
type Config struct {
	UserAgent       string            // e.g. "vcenrich/0.1 (+https://github.com/vcenrich/vcenrich)"; robots rules are matched on the product token before "/"
	RequestTimeout  time.Duration     // per request, whole exchange including body (default 15s)
	MaxBodyBytes    int64             // body cap after decompression (default 4 MiB); a bigger body is cut there and Response.Truncated set
	MaxRedirects    int               // default 5; negative follows none
	Allow           []netip.Prefix    // ranges the guard lets through despite being private/loopback/link-local (private deployments)
	AllowPorts      []uint16          // ports allowed besides 80 and 443, at any address the guard lets through
	AllowEndpoints  []netip.AddrPort  // single address:port pairs let through, and nothing else at those addresses (tests, the demo sites)
	Hosts           map[string]string // dial overrides: a host name (or suffix given as ".example.test") -> "ip:port"; the guard still checks the overridden address
	IgnoreRobots    bool
	MinHostInterval time.Duration // per-host politeness interval between requests (default 250ms; 0 in tests); robots Crawl-delay raises it, capped at 10s
}

// The settings' defaults are config's (VCENRICH_USER_AGENT and the like);
// only the redirect cap has no setting.
const (
	defaultUserAgent      = config.DefaultUserAgent
	defaultRequestTimeout = config.DefaultFetchTimeout
	defaultMaxBodyBytes   = config.DefaultFetchMaxBytes
	defaultMaxRedirects   = 5
	defaultHostInterval   = config.DefaultHostInterval
)

// DefaultConfig returns the settings for crawling the public web.
func DefaultConfig() Config {
	return Config{
		UserAgent:       defaultUserAgent,
		RequestTimeout:  defaultRequestTimeout,
		MaxBodyBytes:    defaultMaxBodyBytes,
		MaxRedirects:    defaultMaxRedirects,
		MinHostInterval: defaultHostInterval,
	}
}

// withDefaults fills the fields whose zero value could not have been meant.
func (c Config) withDefaults() Config {
	if strings.TrimSpace(c.UserAgent) == "" {
		c.UserAgent = defaultUserAgent
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = defaultRequestTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = defaultMaxBodyBytes
	}
	if c.MaxRedirects == 0 {
		c.MaxRedirects = defaultMaxRedirects
	}
	if c.MinHostInterval < 0 {
		c.MinHostInterval = 0
	}
	return c
}

// ParseAllow reads a comma-separated list of CIDR prefixes, bare IP
// addresses, "port:N" items and address:port endpoints, e.g.
// "10.0.0.0/8,::1/128,port:8090,127.0.0.1:8090,[::1]:8443". Prefixes and
// ports are let through independently (a prefix opens every allowed port in
// it, a port every allowed address); an endpoint opens that one pair, which
// is what a single local site needs. An empty spec yields nil slices.
func ParseAllow(spec string) ([]netip.Prefix, []uint16, []netip.AddrPort, error) {
	var prefixes []netip.Prefix
	var ports []uint16
	var endpoints []netip.AddrPort
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, ok := strings.CutPrefix(strings.ToLower(item), "port:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 16)
			if err != nil || n == 0 {
				return nil, nil, nil, fmt.Errorf("allow list: %q is not a port between 1 and 65535", item)
			}
			ports = append(ports, uint16(n))
			continue
		}
		if strings.Contains(item, "/") {
			pfx, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("allow list: %q is not a CIDR prefix: %w", item, err)
			}
			prefixes = append(prefixes, pfx.Masked())
			continue
		}
		if ap, err := netip.ParseAddrPort(item); err == nil {
			if ap.Port() == 0 {
				return nil, nil, nil, fmt.Errorf("allow list: %q has port 0", item)
			}
			endpoints = append(endpoints, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
			continue
		}
		addr, err := netip.ParseAddr(item)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("allow list: %q is neither an address, a prefix, address:port nor port:N", item)
		}
		prefixes = append(prefixes, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return prefixes, ports, endpoints, nil
}

// ParseHosts reads a comma-separated list of dial overrides such as
// "demo.test=127.0.0.1:8090,.vc.test=127.0.0.1:8091". A key starting with "."
// matches every host name ending in it (not the bare domain itself).
// An empty spec yields a nil map.
func ParseHosts(spec string) (map[string]string, error) {
	var hosts map[string]string
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, target, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("hosts: %q is not name=ip:port", item)
		}
		name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
		target = strings.TrimSpace(target)
		if !validHostKey(name) {
			return nil, fmt.Errorf("hosts: %q is not a host name or .suffix", name)
		}
		ap, err := netip.ParseAddrPort(target)
		if err != nil || ap.Port() == 0 {
			return nil, fmt.Errorf("hosts: %q for %s is not ip:port", target, name)
		}
		if _, dup := hosts[name]; dup {
			return nil, fmt.Errorf("hosts: %s is given twice", name)
		}
		if hosts == nil {
			hosts = make(map[string]string)
		}
		hosts[name] = ap.String()
	}
	return hosts, nil
}

// validHostKey accepts host names and ".suffix" keys: letters, digits, '-',
// '_' and dots, with no empty labels.
func validHostKey(s string) bool {
	s = strings.TrimPrefix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
