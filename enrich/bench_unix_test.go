//go:build unix

package enrich_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/extract"
	"github.com/vcenrich/vcenrich/firm"
)

func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEnrichCorpus enriches every corpus site per iteration with a
// production fetcher over loopback and reports the process's CPU time per
// firm (which includes the in-process test server's share) and pages per
// firm.
func BenchmarkEnrichCorpus(b *testing.B) {
	sites := loadCorpus(b)
	cs := startCorpus(b, sites)
	e := &enrich.Engine{Fetcher: cs.fetcher(b), MaxPages: config.DefaultMaxPages}
	ctx := context.Background()
	pages, firms := 0, 0
	start := cpuTime(b)
	for b.Loop() {
		for i, s := range sites {
			res, _ := e.Enrich(ctx, firm.Input{Index: i, Name: s.Name, Website: s.Website}, nil)
			pages += res.Pages
			firms++
		}
	}
	cpu := cpuTime(b) - start
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(firms), "cpu-ms/firm")
	b.ReportMetric(float64(pages)/float64(firms), "pages/firm")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkExtractCorpus parses every HTML page of the corpus per
// iteration: the engine's analysis cost without the network, per firm.
func BenchmarkExtractCorpus(b *testing.B) {
	type doc struct {
		body []byte
		u    *url.URL
	}
	var docs []doc
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".php")) {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(corpusDir, p)
		host, path, _ := strings.Cut(filepath.ToSlash(rel), "/")
		docs = append(docs, doc{body, &url.URL{Scheme: "http", Host: host, Path: "/" + path}})
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	firms := len(loadCorpus(b))
	b.ReportAllocs()
	start := cpuTime(b)
	n := 0
	for b.Loop() {
		for _, d := range docs {
			if _, err := extract.Parse(d.body, d.u); err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	cpu := cpuTime(b) - start
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n*firms), "cpu-ms/firm")
	b.ReportMetric(float64(len(docs))/float64(firms), "pages/firm")
}

// BenchmarkLargePagesAtOnce parses 16 dense 4 MiB pages of cards at once
// through one engine, as 16 firms of one worker would, and reports the
// heap's peak: without the shared parse budget it was over 2 GB.
func BenchmarkLargePagesAtOnce(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("<html><body><main>")
	for i := 0; sb.Len() < 4<<20; i++ {
		fmt.Fprintf(&sb, `<div class="card"><h3>Person %d</h3><p>Partner</p><a href="/p/%d">Profile</a></div>`, i, i)
	}
	sb.WriteString("</main></body></html>")
	body := []byte(sb.String())
	u, _ := url.Parse("http://firm.test/team")
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	e := &enrich.Engine{}
	for b.Loop() {
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if _, err := enrich.ParsePage(e, body, u); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	close(done)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
