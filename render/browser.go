package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/internal/proctree"
)

// closeTimeout bounds a graceful browser shutdown before it is killed.
const closeTimeout = 5 * time.Second

// deadProxy is where the browser sends whatever escapes interception: a
// name under .invalid never resolves (RFC 6761), and the resolver rules
// below refuse every name anyway, so no such connection is ever made. A
// proxy that cannot be reached fails the request; Chromium falls back to a
// direct connection only when the proxy list says DIRECT.
const deadProxy = "http://proxy.invalid:9"

// browser is one Chromium process and the chromedp context of its first tab,
// from which every render's tab is made.
type browser struct {
	ctx         context.Context // cancelled when the browser dies or is closed
	cancel      context.CancelFunc
	allocCancel context.CancelFunc
	pid         int

	// Guarded by Renderer.mu.
	users   int  // renders in it
	retired bool // no new renders; closed when users reaches 0
}

// browserFlags are what the browser runs with besides chromedp's defaults
// (headless, no first run, no background networking, no extensions, shared
// memory in the temporary folder, ...).
func browserFlags() []chromedp.ExecAllocatorOption {
	return append(baseFlags(), wallFlags()...)
}

// baseFlags are browserFlags less the wall.
func baseFlags() []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.DisableGPU,
		chromedp.WindowSize(1366, 900), // a desktop layout: narrow windows hide team grids behind menus
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		// The browser runs untrusted pages: it gets no credentials from
		// our environment, only what it needs to start.
		chromedp.NoInheritEnv,
		chromedp.Env(passEnv()...),
	}
}

// wallFlags are the second wall. Every request of a render's tab is
// answered by the fetcher before it reaches the network stack, but not all
// traffic need pass there: workers' and out-of-process frames' requests,
// WebRTC, the browser's own. Any of it would otherwise connect from this
// host, past the SSRF guard. Names resolve to nothing, every connection goes
// through a proxy that does not exist (loopback included: "<-loopback>"
// drops the implicit exemption), and WebRTC may not send UDP around it.
// Fulfilled requests never reach the network stack, so they are untouched,
// and so is the DevTools connection, a pipe.
func wallFlags() []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.ProxyServer(deadProxy),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"),
	}
}

// passEnv is the part of our environment the browser needs.
func passEnv() []string {
	var env []string
	for _, name := range []string{"PATH", "HOME", "TMPDIR", "LANG", "TZ", "FONTCONFIG_PATH"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// startBrowser launches Chromium and waits until it answers. Without a
// user-data-dir flag chromedp gives each process a fresh temporary profile
// and removes it when the process ends, so nothing outlives a browser.
// Running as root (in a container) chromedp adds --no-sandbox, which
// Chromium requires there; elsewhere the sandbox stays on.
func startBrowser(bin string, flags []chromedp.ExecAllocatorOption, log *zap.Logger) (*browser, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin))
	opts = append(opts, flags...)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	sugar := log.Sugar()
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithBrowserOption(
		chromedp.WithBrowserLogf(sugar.Debugf),
		chromedp.WithBrowserErrorf(sugar.Debugf), // protocol noise (events chromedp does not know), not our errors
	))
	// The first action starts the process; a hung start must not hang the
	// renderer, but the browser outlives this deadline, so it is a timer
	// that cancels rather than a context deadline.
	timer := time.AfterFunc(30*time.Second, cancel)
	err := chromedp.Do(ctx)
	stopped := timer.Stop()
	if err == nil && !stopped {
		err = errors.New("timed out")
	}
	if err != nil {
		cancel()
		allocCancel()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	b := &browser{ctx: ctx, cancel: cancel, allocCancel: allocCancel}
	if p := chromedp.FromContext(ctx).Browser.Process(); p != nil {
		b.pid = p.Pid
	}
	return b, nil
}

func (b *browser) dead() bool { return b.ctx.Err() != nil }

// close shuts the browser down gracefully if it still runs, and reaps it.
func (b *browser) close() error {
	var err error
	if !b.dead() {
		ctx, cancel := context.WithTimeout(b.ctx, closeTimeout)
		err = chromedp.Cancel(ctx)
		cancel()
	}
	b.cancel()
	b.allocCancel()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("closing the browser (pid %d): %w", b.pid, err)
	}
	return nil
}

// rss is the memory of the browser and the processes it started
// (renderers, GPU and network services), where pages' memory really grows,
// as their proportional set size: summed resident sizes count Chromium's
// shared code once a process, three times what it holds, and would restart
// a healthy browser every few renders.
func (b *browser) rss() (int64, error) {
	if b.pid == 0 {
		return 0, errors.New("no process")
	}
	return proctree.TreeMemory("/proc", b.pid, "smaps_rollup", "Pss")
}
