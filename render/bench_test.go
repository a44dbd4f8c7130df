package render_test

import (
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/render"
)

// BenchmarkRender renders a script-built team page in every tab at once.
// The idle wait (Config.Idle) is most of a render's time, so pages/s is
// about Tabs over Idle plus the browser's own work.
func BenchmarkRender(b *testing.B) {
	s := newSite(b, map[string]file{"/": teamPage, "/team.json": json(teamJSON)}, nil)
	r := newRenderer(b, render.Config{}, s)
	renderOK(b, r, s.url("/")) // the browser's start is not the benchmark
	b.ResetTimer()
	b.SetParallelism(1) // GOMAXPROCS renders at once; the tab pool holds the rest
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := renderOK(b, r, s.url("/")); !strings.Contains(res.HTML, "Ada Lovelace") {
				b.Errorf("team missing:\n%s", res.HTML)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}
