// Package config reads vcenrich's settings from the environment, once, at
// start-up. Every setting has a documented default (README, "Configuration");
// Temporal's own connection settings are the standard TEMPORAL_* variables,
// read by the SDK's envconfig package, not here.
package config

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vcenrich/vcenrich/contract"
)

// Defaults that other packages apply to a zero value of the same setting
// (the fetcher, the API), written here once.
const (
	DefaultUserAgent       = "vcenrich/0.1 (+https://github.com/vcenrich/vcenrich)"
	DefaultFetchTimeout    = 15 * time.Second
	DefaultFetchMaxBytes   = 4 << 20
	DefaultHostInterval    = 250 * time.Millisecond
	DefaultUploadMaxBytes  = 20 << 20
	DefaultWorkerLossAfter = 2 * time.Minute
	// DefaultWatchCatchup is how late a watch's refresh may still run
	// after Temporal was down when it was due.
	DefaultWatchCatchup = 24 * time.Hour
)

// Defaults of the browser that renders script-built pages, which the
// render package applies to a zero value too.
const (
	DefaultBrowserTabs       = 2
	DefaultRenderBudget      = 15 * time.Second
	DefaultRenderMaxRequests = 60
	DefaultBrowserMaxMemory  = 1 << 30
	DefaultGCPercent         = 400
)

// DefaultMaxPages is how many pages the engine fetches for one firm,
// homepage included, unless VCENRICH_MAX_PAGES says otherwise; the engine
// applies it to an Engine whose MaxPages is zero.
const DefaultMaxPages = 8

// Config is every vcenrich setting. Main packages load it once and pass the
// parts each component needs.
type Config struct {
	DataDir   string // VCENRICH_DATA_DIR
	StoreURL  string // VCENRICH_STORE_URL; default file://<DataDir>/store
	TaskQueue string // VCENRICH_TASK_QUEUE

	HTTPAddr       string // VCENRICH_HTTP_ADDR (server)
	PublicURL      string // VCENRICH_PUBLIC_URL, how links in API answers start
	TemporalUIURL  string // VCENRICH_TEMPORAL_UI
	UploadMaxBytes int64  // VCENRICH_UPLOAD_MAX_BYTES
	MaxRows        int    // VCENRICH_MAX_ROWS
	// APIToken, when set, is required by every /api route (VCENRICH_API_TOKEN).
	APIToken string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For the
	// server believes (VCENRICH_TRUSTED_PROXIES: addresses or CIDR ranges).
	TrustedProxies []string

	Window           int           // VCENRICH_WINDOW: firms in flight per job
	ContinueEvery    int           // VCENRICH_CONTINUE_EVERY: firms per workflow run before continue-as-new
	MaxAttempts      int           // VCENRICH_MAX_ATTEMPTS per firm
	FirmTimeout      time.Duration // VCENRICH_FIRM_TIMEOUT: one attempt at one firm
	HeartbeatTimeout time.Duration // VCENRICH_HEARTBEAT_TIMEOUT
	RetryInterval    time.Duration // VCENRICH_RETRY_INTERVAL: first retry's backoff
	StallAfter       time.Duration // VCENRICH_STALL_AFTER
	Priority         int           // VCENRICH_PRIORITY: default job priority, 1 (first) to 5
	Slices           bool          // VCENRICH_SLICES: run jobs' firms in slices, dozens to an activity

	AlertInterval   time.Duration // VCENRICH_ALERT_INTERVAL (server)
	WorkerLossAfter time.Duration // VCENRICH_WORKER_LOSS_AFTER (server)
	WatchCatchup    time.Duration // VCENRICH_WATCH_CATCHUP (server): a watch's schedule's catch-up window

	WorkerMaxActivities int    // VCENRICH_WORKER_MAX_ACTIVITIES
	MetricsAddr         string // VCENRICH_METRICS_ADDR: the worker's /metrics and profiler; "off" turns them off
	// MemoryLimit is the worker's memory budget (VCENRICH_MEMORY_LIMIT), a
	// soft heap limit: the Go runtime collects more often as the heap nears
	// it, so the workbook export's burst does not double the worker's
	// resident size. 0 for none; 0 too when GOMEMLIMIT is set, which the
	// runtime applies.
	MemoryLimit int64
	// GCPercent is the Go runtime's GOGC the worker sets under its budget:
	// the heap may grow to DefaultGCPercent% over what is live before a
	// collection, the limit still caps it. A worker with a thousand firms
	// in flight keeps little live (results go to the store), so at Go's 100
	// it collected twice as often as a process holding its results and
	// spent a sixth of its CPU there. 0 leaves the runtime's own: no budget
	// (neither VCENRICH_MEMORY_LIMIT nor GOMEMLIMIT), or GOGC set.
	GCPercent int
	// LivenessDir is where workers on one machine see each other die
	// (VCENRICH_LIVENESS_DIR; default <DataDir>/workers; "off" turns it off).
	LivenessDir string

	UserAgent     string        // VCENRICH_USER_AGENT
	FetchTimeout  time.Duration // VCENRICH_FETCH_TIMEOUT: one request
	FetchMaxBytes int64         // VCENRICH_FETCH_MAX_BYTES
	MaxPages      int           // VCENRICH_MAX_PAGES per firm
	HostInterval  time.Duration // VCENRICH_HOST_INTERVAL between requests to one host
	IgnoreRobots  bool          // VCENRICH_IGNORE_ROBOTS
	FetchAllow    string        // VCENRICH_FETCH_ALLOW, parsed by crawl.ParseAllow
	FetchHosts    string        // VCENRICH_FETCH_HOSTS, parsed by crawl.ParseHosts
	FirmBudget    time.Duration // VCENRICH_FIRM_BUDGET: time the engine spends on one firm before returning what it found

	Browser           string        // VCENRICH_BROWSER: auto (find Chromium), off, or the browser's path
	BrowserTabs       int           // VCENRICH_BROWSER_TABS: pages rendered at once per worker
	RenderBudget      time.Duration // VCENRICH_RENDER_BUDGET: one page in the browser, opening to reading its DOM
	RenderMaxRequests int           // VCENRICH_RENDER_MAX_REQUESTS: requests one rendered page may make
	BrowserMaxMemory  int64         // VCENRICH_BROWSER_MAX_MEMORY: resident bytes past which the browser is restarted
	RenderSites       []string      // VCENRICH_RENDER_SITES: sites always rendered ("*": all)

	LLMBaseURL string        // VCENRICH_LLM_BASE_URL: OpenAI-compatible API root; with LLMModel, turns the LLM extractor on
	LLMModel   string        // VCENRICH_LLM_MODEL
	LLMAPIKey  string        // VCENRICH_LLM_API_KEY
	LLMTimeout time.Duration // VCENRICH_LLM_TIMEOUT: one request to the LLM endpoint

	SMTPAddr     string   // VCENRICH_SMTP_ADDR
	SMTPFrom     string   // VCENRICH_SMTP_FROM
	SMTPUser     string   // VCENRICH_SMTP_USER
	SMTPPassword string   // VCENRICH_SMTP_PASSWORD
	NotifyEmail  []string // VCENRICH_NOTIFY_EMAIL
	WebhookURL   string   // VCENRICH_WEBHOOK_URL

	LogLevel  string // VCENRICH_LOG_LEVEL
	LogFormat string // VCENRICH_LOG_FORMAT: console or json
}

// Env is how Load looks variables up; os.LookupEnv in production, a map in
// tests.
type Env func(key string) (string, bool)

// Load reads the configuration from the process environment.
func Load() (Config, error) { return LoadFrom(os.LookupEnv) }

// LoadFrom reads the configuration through env, applying defaults. It
// returns every malformed value in one error so a user fixes them at once.
func LoadFrom(env Env) (Config, error) {
	c, _, err := load(env)
	return c, err
}

// Defaults is every setting's default as the code applies it, by variable
// (a string, int, int64, time.Duration or bool): what the README's
// configuration table must say, and a test checks it does.
func Defaults() map[string]any {
	_, r, _ := load(func(string) (string, bool) { return "", false })
	return r.defaults
}

func load(env Env) (Config, *reader, error) {
	r := &reader{env: env, defaults: map[string]any{}}
	c := Config{
		DataDir:   r.str("VCENRICH_DATA_DIR", "data"),
		TaskQueue: r.str("VCENRICH_TASK_QUEUE", "vcenrich"),

		HTTPAddr:       r.str("VCENRICH_HTTP_ADDR", "127.0.0.1:8080"),
		TemporalUIURL:  strings.TrimRight(r.str("VCENRICH_TEMPORAL_UI", "http://127.0.0.1:8233"), "/"),
		UploadMaxBytes: r.int64("VCENRICH_UPLOAD_MAX_BYTES", DefaultUploadMaxBytes),
		MaxRows:        r.int("VCENRICH_MAX_ROWS", 100_000),
		APIToken:       r.str("VCENRICH_API_TOKEN", ""),
		TrustedProxies: r.list("VCENRICH_TRUSTED_PROXIES"),

		Window:           r.int("VCENRICH_WINDOW", contract.DefaultWindow),
		ContinueEvery:    r.int("VCENRICH_CONTINUE_EVERY", contract.DefaultContinueEvery),
		MaxAttempts:      r.int("VCENRICH_MAX_ATTEMPTS", contract.DefaultMaxAttempts),
		FirmTimeout:      r.dur("VCENRICH_FIRM_TIMEOUT", contract.DefaultFirmTimeout),
		HeartbeatTimeout: r.dur("VCENRICH_HEARTBEAT_TIMEOUT", contract.DefaultHeartbeatTimeout),
		RetryInterval:    r.dur("VCENRICH_RETRY_INTERVAL", contract.DefaultRetryInterval),
		StallAfter:       r.dur("VCENRICH_STALL_AFTER", contract.DefaultStallAfter),
		Priority:         r.int("VCENRICH_PRIORITY", contract.DefaultPriority),
		Slices:           r.bool("VCENRICH_SLICES", true),

		AlertInterval:   r.dur("VCENRICH_ALERT_INTERVAL", 30*time.Second),
		WorkerLossAfter: r.dur("VCENRICH_WORKER_LOSS_AFTER", DefaultWorkerLossAfter),
		WatchCatchup:    r.dur("VCENRICH_WATCH_CATCHUP", DefaultWatchCatchup),

		WorkerMaxActivities: r.int("VCENRICH_WORKER_MAX_ACTIVITIES", 64),
		MetricsAddr:         r.str("VCENRICH_METRICS_ADDR", "127.0.0.1:9464"),
		MemoryLimit:         r.int64("VCENRICH_MEMORY_LIMIT", 256<<20),

		UserAgent:     r.str("VCENRICH_USER_AGENT", DefaultUserAgent),
		FetchTimeout:  r.dur("VCENRICH_FETCH_TIMEOUT", DefaultFetchTimeout),
		FetchMaxBytes: r.int64("VCENRICH_FETCH_MAX_BYTES", DefaultFetchMaxBytes),
		MaxPages:      r.int("VCENRICH_MAX_PAGES", DefaultMaxPages),
		HostInterval:  r.dur("VCENRICH_HOST_INTERVAL", DefaultHostInterval),
		IgnoreRobots:  r.bool("VCENRICH_IGNORE_ROBOTS", false),
		FetchAllow:    r.str("VCENRICH_FETCH_ALLOW", ""),
		FetchHosts:    r.str("VCENRICH_FETCH_HOSTS", ""),
		FirmBudget:    r.dur("VCENRICH_FIRM_BUDGET", 0),

		Browser:           r.str("VCENRICH_BROWSER", "auto"),
		BrowserTabs:       r.int("VCENRICH_BROWSER_TABS", DefaultBrowserTabs),
		RenderBudget:      r.dur("VCENRICH_RENDER_BUDGET", DefaultRenderBudget),
		RenderMaxRequests: r.int("VCENRICH_RENDER_MAX_REQUESTS", DefaultRenderMaxRequests),
		BrowserMaxMemory:  r.int64("VCENRICH_BROWSER_MAX_MEMORY", DefaultBrowserMaxMemory),
		RenderSites:       r.list("VCENRICH_RENDER_SITES"),

		LLMBaseURL: r.str("VCENRICH_LLM_BASE_URL", ""),
		LLMModel:   r.str("VCENRICH_LLM_MODEL", ""),
		LLMAPIKey:  r.str("VCENRICH_LLM_API_KEY", ""),
		LLMTimeout: r.dur("VCENRICH_LLM_TIMEOUT", 30*time.Second),

		SMTPAddr:     r.str("VCENRICH_SMTP_ADDR", ""),
		SMTPFrom:     r.str("VCENRICH_SMTP_FROM", "vcenrich@localhost"),
		SMTPUser:     r.str("VCENRICH_SMTP_USER", ""),
		SMTPPassword: r.str("VCENRICH_SMTP_PASSWORD", ""),
		NotifyEmail:  r.list("VCENRICH_NOTIFY_EMAIL"),
		WebhookURL:   r.str("VCENRICH_WEBHOOK_URL", ""),

		LogLevel:  r.str("VCENRICH_LOG_LEVEL", "info"),
		LogFormat: r.str("VCENRICH_LOG_FORMAT", "console"),
	}
	_, ownLimit := env("GOMEMLIMIT")
	if _, ownGC := env("GOGC"); !ownGC && (c.MemoryLimit > 0 || ownLimit) {
		c.GCPercent = DefaultGCPercent
	}
	if ownLimit {
		c.MemoryLimit = 0
	}
	if c.MetricsAddr == "off" {
		c.MetricsAddr = ""
	}
	c.LivenessDir = r.str("VCENRICH_LIVENESS_DIR", filepath.Join(c.DataDir, "workers"))
	if c.LivenessDir == "off" {
		c.LivenessDir = ""
	}
	c.StoreURL = r.str("VCENRICH_STORE_URL", "")
	if c.StoreURL == "" {
		abs, err := filepath.Abs(filepath.Join(c.DataDir, "store"))
		if err != nil {
			r.fail("VCENRICH_DATA_DIR", c.DataDir, err)
		}
		c.StoreURL = "file://" + filepath.ToSlash(abs) + "?create_dir=true&no_tmp_dir=true&metadata=skip"
	}
	c.PublicURL = strings.TrimRight(r.str("VCENRICH_PUBLIC_URL", "http://"+c.HTTPAddr), "/")
	r.positive("VCENRICH_WINDOW", c.Window)
	r.positive("VCENRICH_CONTINUE_EVERY", c.ContinueEvery)
	r.positive("VCENRICH_MAX_ATTEMPTS", c.MaxAttempts)
	r.positive("VCENRICH_MAX_PAGES", c.MaxPages)
	// The engine's budget ends a firm a little before the activity's
	// timeout would kill it, so what was found is kept.
	if c.FirmBudget == 0 {
		c.FirmBudget = c.FirmTimeout * 5 / 6
	}
	if c.FirmBudget > c.FirmTimeout {
		r.fail("VCENRICH_FIRM_BUDGET", c.FirmBudget.String(), fmt.Errorf("must not exceed VCENRICH_FIRM_TIMEOUT (%s)", c.FirmTimeout))
	}
	r.positive("VCENRICH_WORKER_MAX_ACTIVITIES", c.WorkerMaxActivities)
	r.positive("VCENRICH_BROWSER_TABS", c.BrowserTabs)
	r.positive("VCENRICH_RENDER_MAX_REQUESTS", c.RenderMaxRequests)
	// One firm a row on the workbook's Firms sheet, under its header.
	if c.MaxRows < 1 || c.MaxRows > 1_048_575 {
		r.fail("VCENRICH_MAX_ROWS", fmt.Sprint(c.MaxRows), fmt.Errorf("must be from 1 to 1,048,575 (an Excel sheet's rows, less the header)"))
	}
	if c.UploadMaxBytes <= 0 {
		r.fail("VCENRICH_UPLOAD_MAX_BYTES", fmt.Sprint(c.UploadMaxBytes), fmt.Errorf("must be more than 0"))
	}
	if c.Priority < 1 || c.Priority > 5 {
		r.fail("VCENRICH_PRIORITY", fmt.Sprint(c.Priority), fmt.Errorf("must be from 1 (first) to 5 (last)"))
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				r.fail("VCENRICH_TRUSTED_PROXIES", p, fmt.Errorf("not an address or CIDR range such as 10.0.0.0/8"))
			}
		}
	}
	if c.LogFormat != "console" && c.LogFormat != "json" {
		r.fail("VCENRICH_LOG_FORMAT", c.LogFormat, fmt.Errorf("want console or json"))
	}
	if len(r.errs) > 0 {
		return Config{}, r, fmt.Errorf("configuration: %s", strings.Join(r.errs, "; "))
	}
	return c, r, nil
}

type reader struct {
	env      Env
	errs     []string
	defaults map[string]any // each variable's default, as asked for
}

func (r *reader) fail(key, val string, err error) {
	r.errs = append(r.errs, fmt.Sprintf("%s=%q: %v", key, val, err))
}

func (r *reader) str(key, def string) string {
	r.defaults[key] = def
	if v, ok := r.env(key); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// list reads a comma-separated list.
func (r *reader) list(key string) []string {
	var out []string
	for _, v := range strings.Split(r.str(key, ""), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (r *reader) int(key string, def int) int {
	v := r.str(key, "")
	r.defaults[key] = def
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
	if err != nil {
		r.fail(key, v, fmt.Errorf("not a whole number"))
		return def
	}
	return n
}

func (r *reader) int64(key string, def int64) int64 {
	v := r.str(key, "")
	r.defaults[key] = def
	if v == "" {
		return def
	}
	n, err := parseBytes(v)
	if err != nil {
		r.fail(key, v, err)
		return def
	}
	return n
}

func (r *reader) dur(key string, def time.Duration) time.Duration {
	v := r.str(key, "")
	r.defaults[key] = def
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.fail(key, v, fmt.Errorf("not a duration such as 30s or 5m"))
		return def
	}
	return d
}

func (r *reader) bool(key string, def bool) bool {
	v := r.str(key, "")
	r.defaults[key] = def
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(key, v, fmt.Errorf("not true or false"))
		return def
	}
	return b
}

func (r *reader) positive(key string, n int) {
	if n <= 0 {
		r.fail(key, strconv.Itoa(n), fmt.Errorf("must be at least 1"))
	}
}

// parseBytes accepts a plain byte count or one with a KB/MB/GB (or KiB/MiB/GiB)
// suffix, since sizes are easier to read that way in an environment file.
func parseBytes(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a size such as 20MB or 1048576")
	}
	return n * mult, nil
}
