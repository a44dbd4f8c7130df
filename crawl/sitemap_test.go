package crawl_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/crawl"
)

func TestSitemaps(t *testing.T) {
	var port uint16
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\n\nSitemap: http://127.0.0.1:%d/sitemaps/index.xml # the index\nsitemap:/relative.xml\nSitemap: ftp://files.example/s.xml\n", port)
	})
	mux.HandleFunc("/sitemaps/index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		io.WriteString(w, `<?xml version="1.0"?><sitemapindex><sitemap><loc>/pages.xml.gz</loc></sitemap></sitemapindex>`)
	})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, `<urlset><url><loc>http://a/team</loc></url></urlset>`)
	zw.Close()
	mux.HandleFunc("/pages.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Write(gz.Bytes())
	})
	mux.HandleFunc("/private/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<urlset></urlset>`)
	})
	mux.HandleFunc("/image.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte{0x89, 'P', 'N', 'G'})
	})
	_, port = startServer(t, mux)
	f := newFetcher(t, testConfig(port))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx := context.Background()

	got, err := f.Sitemaps(ctx, base+"/")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{base + "/sitemaps/index.xml", base + "/relative.xml"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Sitemaps = %v, want %v (ftp dropped, relative resolved)", got, want)
	}

	resp, err := f.GetSitemap(ctx, base+"/sitemaps/index.xml")
	if err != nil || !strings.Contains(string(resp.Body), "<sitemapindex>") {
		t.Fatalf("GetSitemap(xml) = %v, %v", resp, err)
	}
	resp, err = f.GetSitemap(ctx, base+"/pages.xml.gz")
	if err != nil || string(resp.Body) != `<urlset><url><loc>http://a/team</loc></url></urlset>` {
		t.Fatalf("GetSitemap(gzip) = %q, %v; want the inflated XML", resp.Body, err)
	}
	_, err = f.GetSitemap(ctx, base+"/private/sitemap.xml")
	fetchErr(t, err, crawl.KindRobots)
	_, err = f.GetSitemap(ctx, base+"/image.xml")
	fetchErr(t, err, crawl.KindNotHTML)
	// A page fetch still refuses XML.
	_, err = f.Get(ctx, base+"/sitemaps/index.xml")
	fetchErr(t, err, crawl.KindNotHTML)

	cfg := testConfig(port)
	cfg.IgnoreRobots = true
	if got, err := newFetcher(t, cfg).Sitemaps(ctx, base+"/"); err != nil || got != nil {
		t.Errorf("with IgnoreRobots: %v, %v; want none", got, err)
	}
}

func TestGetSitemapGzipBombIsCapped(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	chunk := bytes.Repeat([]byte("<url><loc>http://a/x</loc></url>"), 1<<12)
	for range 64 { // about 8 MiB inflated
		zw.Write(chunk)
	}
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/sitemap.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(gz.Bytes())
	})
	_, port := startServer(t, mux)
	cfg := testConfig(port)
	cfg.MaxBodyBytes = 1 << 20
	resp, err := newFetcher(t, cfg).GetSitemap(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/sitemap.xml.gz", port))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != 1<<20 || !resp.Truncated {
		t.Errorf("inflated %d bytes (truncated %v), want the 1 MiB cap", len(resp.Body), resp.Truncated)
	}
}
