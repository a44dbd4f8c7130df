package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/config"
)

func env(vars map[string]string) config.Env {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := config.LoadFrom(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.TaskQueue != "vcenrich" || c.Window != 8 || c.ContinueEvery != 2000 ||
		c.MaxAttempts != 3 || c.UploadMaxBytes != 20<<20 || c.HeartbeatTimeout != 30*time.Second || c.Priority != 3 {
		t.Errorf("defaults %+v", c)
	}
	if !strings.HasPrefix(c.StoreURL, "file://") || !strings.Contains(c.StoreURL, "/data/store") {
		t.Errorf("default store %q", c.StoreURL)
	}
	if c.PublicURL != "http://127.0.0.1:8080" {
		t.Errorf("public URL %q", c.PublicURL)
	}
	if c.MetricsAddr != "127.0.0.1:9464" || c.LivenessDir != "data/workers" {
		t.Errorf("metrics %q, liveness %q", c.MetricsAddr, c.LivenessDir)
	}
	if c, _ := config.LoadFrom(env(map[string]string{"VCENRICH_METRICS_ADDR": "off", "VCENRICH_LIVENESS_DIR": "off"})); c.MetricsAddr != "" || c.LivenessDir != "" {
		t.Errorf("off: metrics %q, liveness %q", c.MetricsAddr, c.LivenessDir)
	}
}

// The worker's budget and the runtime's own settings: GOMEMLIMIT and GOGC,
// when set, are the runtime's to apply, and no budget means Go's defaults.
func TestMemoryBudget(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       map[string]string
		limit     int64
		gcPercent int
	}{
		{"default", nil, 256 << 20, config.DefaultGCPercent},
		{"own budget", map[string]string{"VCENRICH_MEMORY_LIMIT": "512MiB"}, 512 << 20, config.DefaultGCPercent},
		{"no budget", map[string]string{"VCENRICH_MEMORY_LIMIT": "0"}, 0, 0},
		{"GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "1GiB"}, 0, config.DefaultGCPercent},
		{"GOGC", map[string]string{"GOGC": "100"}, 256 << 20, 0},
		{"both", map[string]string{"GOMEMLIMIT": "1GiB", "GOGC": "off"}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.LoadFrom(env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.MemoryLimit != tc.limit || c.GCPercent != tc.gcPercent {
				t.Errorf("limit %d, GC percent %d; want %d, %d", c.MemoryLimit, c.GCPercent, tc.limit, tc.gcPercent)
			}
		})
	}
}

func TestValues(t *testing.T) {
	c, err := config.LoadFrom(env(map[string]string{
		"VCENRICH_UPLOAD_MAX_BYTES": "5MB", "VCENRICH_FETCH_MAX_BYTES": "2MiB", "VCENRICH_WINDOW": "1_000",
		"VCENRICH_STORE_URL": "s3://bucket?region=eu-west-1", "VCENRICH_NOTIFY_EMAIL": " a@example.com, ,b@example.com ",
		"VCENRICH_IGNORE_ROBOTS": "true", "VCENRICH_FIRM_TIMEOUT": "90s", "VCENRICH_HTTP_ADDR": "0.0.0.0:9000",
		"VCENRICH_PUBLIC_URL": "https://vc.example.com/", "VCENRICH_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,::1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.UploadMaxBytes != 5_000_000 || c.FetchMaxBytes != 2<<20 || c.Window != 1000 || c.StoreURL != "s3://bucket?region=eu-west-1" ||
		strings.Join(c.NotifyEmail, "|") != "a@example.com|b@example.com" || !c.IgnoreRobots || c.FirmTimeout != 90*time.Second ||
		c.PublicURL != "https://vc.example.com" || strings.Join(c.TrustedProxies, "|") != "10.0.0.0/8|192.0.2.7|::1" {
		t.Errorf("values %+v", c)
	}
}

func TestErrorsListEveryBadValue(t *testing.T) {
	_, err := config.LoadFrom(env(map[string]string{
		"VCENRICH_WINDOW": "many", "VCENRICH_FIRM_TIMEOUT": "soon", "VCENRICH_UPLOAD_MAX_BYTES": "big",
		"VCENRICH_IGNORE_ROBOTS": "perhaps", "VCENRICH_LOG_FORMAT": "xml", "VCENRICH_MAX_ATTEMPTS": "0", "VCENRICH_PRIORITY": "9",
		"VCENRICH_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal", "VCENRICH_MAX_ROWS": "2000000",
	}))
	if err == nil {
		t.Fatal("bad values accepted")
	}
	for _, key := range []string{"VCENRICH_WINDOW", "VCENRICH_FIRM_TIMEOUT", "VCENRICH_UPLOAD_MAX_BYTES", "VCENRICH_IGNORE_ROBOTS", "VCENRICH_LOG_FORMAT", "VCENRICH_MAX_ATTEMPTS", "VCENRICH_PRIORITY", "VCENRICH_TRUSTED_PROXIES", "VCENRICH_MAX_ROWS"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
}
