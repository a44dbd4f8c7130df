//go:build unix

package enrich_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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
	e := &enrich.Engine{Fetcher: cs.fetcher(b), MaxPages: enrich.DefaultMaxPages}
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
