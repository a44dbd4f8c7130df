package enrich_test

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/demosites"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/firm"
)

// TestDemoSites runs the engine over the bundled demo sites, which the
// integration test also checks end to end through Temporal, so that an
// engine change that breaks the demo shows here first, without a server.
func TestDemoSites(t *testing.T) {
	srv := httptest.NewServer(demosites.Handler())
	t.Cleanup(srv.Close)
	ap := srv.Listener.Addr().(*net.TCPAddr).AddrPort()
	cfg := crawl.DefaultConfig()
	cfg.Allow = []netip.Prefix{netip.PrefixFrom(ap.Addr(), 32)}
	cfg.AllowPorts = []uint16{ap.Port()}
	cfg.Hosts = map[string]string{".demo.test": ap.String()}
	cfg.MinHostInterval = 0
	cfg.RequestTimeout = 5 * time.Second
	f, err := crawl.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &enrich.Engine{Fetcher: f, MaxPages: config.DefaultMaxPages}
	for i, s := range demosites.Sites() {
		t.Run(s.Host, func(t *testing.T) {
			res, err := e.Enrich(context.Background(), firm.Input{Index: i, Name: s.Name, Website: "http://" + s.Host + "/"}, nil)
			if s.Failure != "" {
				var ce *crawl.Error
				if !errors.As(err, &ce) || string(ce.Kind) != s.Failure {
					t.Errorf("error %v, want a %s failure", err, s.Failure)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, m := range res.Team {
				got[m.Name] = m.Title
			}
			for _, m := range s.Team {
				if title, ok := got[m.Name]; !ok || title != m.Title {
					t.Errorf("%s: got title %q (found %v), want %q", m.Name, title, ok, m.Title)
				}
			}
			if len(res.Team) != len(s.Team) {
				t.Errorf("%d people, want %d", len(res.Team), len(s.Team))
			}
			if res.Description != s.Description {
				t.Errorf("description %q, want %q", res.Description, s.Description)
			}
			t.Logf("%d pages, website %s, %d companies, profile %+v", res.Pages, res.Website, len(res.Portfolio), res.Profile)
		})
	}
}
