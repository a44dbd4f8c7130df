package render

import (
	"errors"
	"os"
	"testing"
)

// BrowserPID is the running browser's process id, 0 when none runs, so that
// a test can kill it.
func (r *Renderer) BrowserPID() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil || r.cur.dead() {
		return 0
	}
	return r.cur.pid
}

// BrowserSetting is the Browser setting the browser tests use:
// VCENRICH_CHROMIUM, else "auto". Without a browser they are skipped, except
// in CI, where that is a failure (.ci/run installs Chromium).
func BrowserSetting(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	setting := os.Getenv("VCENRICH_CHROMIUM")
	if setting == "" {
		setting = "auto"
	}
	_, err := findBrowser(setting)
	switch {
	case errors.Is(err, ErrUnavailable) && os.Getenv("CI") != "":
		t.Fatalf("%v; install Debian's chromium package (.ci/run does)", err)
	case err != nil:
		t.Skipf("%v: apt-get install chromium, or set VCENRICH_CHROMIUM", err)
	}
	return setting
}
