package render

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"go.uber.org/zap/zaptest"
)

// What escapes interception (here, a tab that intercepts nothing) reaches
// nothing through the wall, by address or by name; the control, a browser
// without the wall, shows the test would see it.
func TestTheWallStopsWhatInterceptionMisses(t *testing.T) {
	bin, err := findBrowser(BrowserSetting(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		flags    []chromedp.ExecAllocatorOption
		wantHits bool
	}{
		{"with the wall", browserFlags(), false},
		{"without it", baseFlags(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
			}))
			defer srv.Close()
			port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]

			b, err := startBrowser(bin, tc.flags, zaptest.NewLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			defer b.close()
			tab, closeTab := chromedp.NewContext(b.ctx)
			defer closeTab()
			if err := chromedp.Do(tab); err != nil {
				t.Fatal(err)
			}
			for _, u := range []string{"http://127.0.0.1:" + port + "/", "http://localhost:" + port + "/"} {
				ctx, cancel := context.WithTimeout(tab, 20*time.Second)
				nav, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: u})
				cancel()
				if err != nil {
					t.Fatalf("navigating to %s: %v", u, err)
				}
				if failed := nav.ErrorText != ""; failed == tc.wantHits {
					t.Errorf("navigating to %s: error %q", u, nav.ErrorText)
				}
			}
			if got := hits.Load() > 0; got != tc.wantHits {
				t.Errorf("the server got %d hits", hits.Load())
			}
		})
	}
}
