// Package testbrowser gives tests a renderer on Chromium, the browser the
// worker renders script-built pages in.
package testbrowser

import (
	"errors"
	"os"
	"testing"

	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/render"
)

// Renderer starts a renderer that fetches through f and closes it when the
// test ends. VCENRICH_CHROMIUM names the browser (default: the first found
// on PATH). Without one the test is skipped, except in CI, which installs
// Debian's chromium, so that a broken install fails rather than hides the
// browser tests; with -short it is skipped too, a browser being slow to
// start.
func Renderer(t testing.TB, f *crawl.Fetcher) *render.Renderer {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	r, err := render.New(render.Config{Browser: os.Getenv("VCENRICH_CHROMIUM")}, f, nil)
	switch {
	case errors.Is(err, render.ErrUnavailable) && os.Getenv("CI") != "":
		t.Fatalf("%v; install Debian's chromium package (.ci/run does)", err)
	case err != nil:
		t.Skip(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
