package render

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/crawl"
)

// readGrace is how long reading the DOM may take after the budget: a page
// whose script never yields the main thread gets no more than that.
const readGrace = 5 * time.Second

// skipped are resource types no team is ever read from: failed unfetched,
// so they cost neither the site nor the request budget. EventSource
// streams are among them because they never finish, and the page would
// never go idle.
var skipped = map[network.ResourceType]bool{
	network.ResourceTypeImage:              true,
	network.ResourceTypeMedia:              true,
	network.ResourceTypeFont:               true,
	network.ResourceTypeTextTrack:          true,
	network.ResourceTypePing:               true,
	network.ResourceTypeCSPViolationReport: true,
	network.ResourceTypeManifest:           true,
	network.ResourceTypePrefetch:           true,
	network.ResourceTypeSignedExchange:     true,
	network.ResourceTypeEventSource:        true,
	network.ResourceTypeFedCM:              true,
}

// passedHeaders are the server's headers the browser gets. The others either
// describe the wire (length, encoding: the fetcher has inflated the body),
// would keep state the fetcher never sends back (cookies), or make the
// browser act on its own (refresh, links).
var passedHeaders = []string{
	"Content-Type",
	"Content-Language",
	"Access-Control-Allow-Origin",
	"Access-Control-Allow-Credentials",
	"Access-Control-Expose-Headers",
}

// session is one render's traffic: every paused request is answered by
// answer, which keeps the counts and the activity that decides when the
// page is idle.
type session struct {
	tab       context.Context // the tab's chromedp context, for the answers
	fetch     context.Context // ends with the time budget: fetches stop with it
	mainFrame string          // the tab's main frame, whose document is the page
	fetcher   *crawl.Fetcher
	max       int
	log       *zap.Logger

	mu        sync.Mutex
	res       Result
	fetches   int
	inflight  int
	last      time.Time // the last fetch's end, or the load event
	loaded    bool
	ended     bool                       // the DOM was read: later answers are not counted
	redirects map[string]*crawl.Response // answers whose redirects the fetcher followed, by final URL
	docErr    error                      // the page's document's fetch failure, when its last fetch failed
	wake      chan struct{}              // capacity 1: something changed
}

func newSession(tab, fetchCtx context.Context, mainFrame string, fetcher *crawl.Fetcher, max int, log *zap.Logger) *session {
	return &session{
		tab: tab, fetch: fetchCtx, mainFrame: mainFrame, fetcher: fetcher, max: max, log: log,
		redirects: make(map[string]*crawl.Response),
		wake:      make(chan struct{}, 1),
	}
}

func (s *session) changedLocked() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// outcome is how a request was answered.
type outcome int

const (
	fulfilled outcome = iota
	refusedGuard
	refusedRobots
	refusedSkipped
	refusedBudget
	refusedOther
)

func (s *session) countLocked(o outcome) {
	if s.ended {
		return
	}
	switch o {
	case fulfilled:
		s.res.Fulfilled++
	case refusedGuard:
		s.res.Refused.Guard++
	case refusedRobots:
		s.res.Refused.Robots++
	case refusedSkipped:
		s.res.Refused.Skipped++
	case refusedBudget:
		s.res.Refused.Budget++
	default:
		s.res.Refused.Other++
	}
}

// answer fetches what ev asks for and answers the browser with it, or fails
// the request.
func (s *session) answer(ev fetch.EventRequestPaused) {
	req := ev.Request
	// A page target's main frame has the target's id.
	isPage := ev.ResourceType == network.ResourceTypeDocument && string(ev.FrameID) == s.mainFrame
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		s.fail(ev.RequestID, network.ErrorReasonAborted)
		return
	}
	s.res.Requests++
	stashed := s.redirects[req.URL]
	delete(s.redirects, req.URL)
	var refusal outcome = fulfilled
	switch {
	case skipped[ev.ResourceType] || asksForImage(req):
		refusal = refusedSkipped
	case req.Method != http.MethodGet:
		// The fetcher only GETs: a form post or an API write is not
		// something a crawl does.
		refusal = refusedOther
	case stashed == nil && s.fetches >= s.max:
		refusal = refusedBudget
	}
	if refusal != fulfilled {
		s.countLocked(refusal)
		s.mu.Unlock()
		s.log.Debug("request refused", zap.String("url", req.URL), zap.String("type", string(ev.ResourceType)), zap.Int("outcome", int(refusal)))
		s.fail(ev.RequestID, network.ErrorReasonBlockedByClient)
		return
	}
	if stashed == nil {
		s.fetches++
	}
	s.inflight++
	s.mu.Unlock()

	resp, err := stashed, error(nil)
	if resp == nil {
		resp, err = s.fetcher.Resource(s.fetch, req.URL)
	}
	o, params, reason := s.reply(ev, resp, err)

	s.mu.Lock()
	s.inflight--
	s.last = time.Now()
	if isPage {
		s.docErr = err
	}
	if o == fulfilled && params.ResponseCode == http.StatusFound && resp != nil {
		s.redirects[resp.URL.String()] = resp
	}
	s.countLocked(o)
	s.changedLocked()
	s.mu.Unlock()
	s.log.Debug("request answered", zap.String("url", req.URL), zap.String("type", string(ev.ResourceType)),
		zap.Int("outcome", int(o)), zap.Int64("status", params.ResponseCode), zap.Error(err))

	if o != fulfilled {
		s.fail(ev.RequestID, reason)
		return
	}
	if _, err := chromedp.Call(s.tab, fetch.FulfillRequest, params); err != nil && s.tab.Err() == nil {
		s.log.Debug("fulfilling a request", zap.String("url", req.URL), zap.Error(err))
	}
}

// reply turns the fetcher's answer into the browser's.
func (s *session) reply(ev fetch.EventRequestPaused, resp *crawl.Response, err error) (outcome, fetch.FulfillRequestParams, network.ErrorReason) {
	params := fetch.FulfillRequestParams{RequestID: ev.RequestID}
	if err != nil {
		var fe *crawl.Error
		if !errors.As(err, &fe) {
			return refusedOther, params, network.ErrorReasonFailed
		}
		switch fe.Kind {
		case crawl.KindBlocked:
			return refusedGuard, params, network.ErrorReasonAddressUnreachable
		case crawl.KindRobots:
			return refusedRobots, params, network.ErrorReasonBlockedByClient
		case crawl.KindHTTP, crawl.KindRateLimited:
			// The site answered: the script gets the status, as it
			// would, though not the error page's body.
			params.ResponseCode = int64(fe.Status)
			return fulfilled, params, ""
		case crawl.KindTimeout:
			return refusedOther, params, network.ErrorReasonTimedOut
		case crawl.KindDNS:
			return refusedOther, params, network.ErrorReasonNameNotResolved
		}
		return refusedOther, params, network.ErrorReasonFailed
	}
	if resp.Truncated {
		// Half a script or half a JSON document is worse than none.
		return refusedOther, params, network.ErrorReasonBlockedByResponse
	}
	if final := resp.URL.String(); final != canonical(ev.Request.URL) {
		// The fetcher followed redirects itself, hop by hop under its own
		// checks. The browser is told where they led, so that the page's
		// relative links resolve against the right address, and gets the
		// answer from the stash when it asks for it.
		params.ResponseCode = http.StatusFound
		params.ResponseHeaders = []*fetch.HeaderEntry{{Name: "Location", Value: final}}
		return fulfilled, params, ""
	}
	params.ResponseCode = int64(resp.Status)
	for _, name := range passedHeaders {
		for _, v := range resp.Header.Values(name) {
			params.ResponseHeaders = append(params.ResponseHeaders, &fetch.HeaderEntry{Name: name, Value: v})
		}
	}
	params.Body = resp.Body
	if len(params.Body) == 0 {
		// An absent body would mean "the original one" at the response
		// stage; say "empty" plainly.
		params.Body = []byte{}
	}
	return fulfilled, params, ""
}

// asksForImage tells the images the browser loads for itself, such as the
// favicon, which come as type Other.
func asksForImage(req *network.Request) bool {
	for name, v := range req.Headers {
		if strings.EqualFold(name, "Accept") {
			accept, _ := v.(string)
			return strings.HasPrefix(accept, "image/")
		}
	}
	return false
}

// canonical is rawURL as the fetcher writes a final URL, so that a fetch
// that was not redirected is not taken for one.
func canonical(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

func (s *session) fail(id fetch.RequestID, reason network.ErrorReason) {
	_, err := chromedp.Call(s.tab, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: reason})
	if err != nil && s.tab.Err() == nil {
		s.log.Debug("failing a request", zap.Error(err))
	}
}

// onLoad marks the page's load event, from which idleness is counted.
func (s *session) onLoad() {
	s.mu.Lock()
	s.loaded = true
	s.last = time.Now()
	s.changedLocked()
	s.mu.Unlock()
}

// idleIn says how long until the page counts as idle, zero when it does;
// a negative answer means not before something changes.
func (s *session) idleIn(quiet time.Duration, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded || s.inflight > 0 {
		return -1
	}
	return max(0, quiet-now.Sub(s.last))
}

// end stops the counting: what is still being fetched is abandoned.
func (s *session) end() Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	s.res.Abandoned = s.inflight
	return s.res
}

func (s *session) documentError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docErr
}

// checkURL refuses what must never be navigated to: the fetcher answers
// only network requests, so a file: or chrome: address would be read by the
// browser itself.
func checkURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("bad URL: %w", err)
	}
	if !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") || u.Hostname() == "" {
		return fmt.Errorf("bad URL %q: only http:// and https:// pages are rendered", u.Redacted())
	}
	return nil
}

// renderIn renders rawURL in a new tab of b.
func (r *Renderer) renderIn(ctx context.Context, b *browser, rawURL string) (Result, error) {
	start := time.Now()
	// A new browser context per render: cookies, storage and cache die
	// with the tab.
	tab, closeTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	// The tab's life is bound to its own context, which has no deadline;
	// the caller's ctx, and the budget plus the grace for reading the DOM
	// (a script that never yields), end it through these instead.
	stopOnCancel := context.AfterFunc(ctx, closeTab)
	hardStop := time.AfterFunc(r.cfg.PageBudget+readGrace, closeTab)
	budget, endBudget := context.WithTimeout(tab, r.cfg.PageBudget)
	fetchCtx, endFetches := context.WithTimeout(ctx, r.cfg.PageBudget)

	var s *session
	var wg sync.WaitGroup
	defer func() {
		endFetches()
		endBudget()
		hardStop.Stop()
		stopOnCancel()
		closeTab()
		wg.Wait()
	}()

	fail := func(what string, err error) (Result, error) {
		var res Result
		if s != nil {
			res = s.end()
		}
		res.Elapsed = time.Since(start)
		if ctx.Err() == nil && !b.dead() && errors.Is(err, chromedp.ErrChannelClosed) {
			// The pipe can close before chromedp has noticed the
			// process is gone.
			select {
			case <-b.ctx.Done():
			case <-time.After(time.Second):
			}
		}
		switch {
		case ctx.Err() != nil:
			return res, fmt.Errorf("%s: %w", what, ctx.Err())
		case b.dead():
			return res, fmt.Errorf("%s: %w: %w", what, ErrBrowserLost, err)
		}
		return res, fmt.Errorf("%s: %w", what, err)
	}

	if err := chromedp.Do(tab); err != nil {
		return fail("opening a tab", err)
	}
	c := chromedp.FromContext(tab)
	s = newSession(tab, fetchCtx, string(c.Target.TargetID), r.fetcher, r.cfg.MaxRequests, r.log)
	// A download would write the site's file to our disk.
	_, err := chromedp.CallBrowser(tab, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: c.BrowserContextID,
	})
	if err != nil {
		return fail("denying downloads", err)
	}
	paused := chromedp.Events(tab, fetch.RequestPaused)
	lifecycle := chromedp.Events(tab, page.LifecycleEvent)
	dialogs := chromedp.Events(tab, page.JavascriptDialogOpening)
	_, err = chromedp.Call(tab, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*", RequestStage: fetch.RequestStageRequest}},
	})
	if err != nil {
		return fail("intercepting requests", err)
	}
	wg.Go(func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			wg.Go(func() { s.answer(ev) })
		}
	})
	wg.Go(func() {
		// An alert or a confirm would stop the page's script, and our
		// read of the DOM, until someone answered it.
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	})

	// Page.navigate returns once the document is committed, which needs
	// its request answered, hence the handler above first.
	nav, err := chromedp.Call(budget, page.Navigate, page.NavigateParams{URL: rawURL})
	if docErr := s.documentError(); docErr != nil {
		err = docErr // what the fetcher said says more than what the browser made of it
	} else if err == nil && nav.ErrorText != "" {
		err = errors.New(nav.ErrorText)
	}
	if err != nil {
		return fail("loading the page", err)
	}
	wg.Go(func() {
		for ev, err := range lifecycle {
			if err != nil {
				return
			}
			// The loader tells this document's load from the blank
			// page's the tab opened with.
			if ev.Name == "load" && ev.FrameID == nav.FrameID && ev.LoaderID == nav.LoaderID {
				s.onLoad()
			}
		}
	})

	idle := r.waitIdle(budget, s)
	if err := tab.Err(); err != nil {
		// Only the caller or the browser's death ends the tab this early.
		return fail("rendering", err)
	}

	read, cancelRead := context.WithTimeout(tab, readGrace)
	defer cancelRead()
	doc, err := chromedp.Run(read, chromedp.Evaluate[struct {
		URL       string `json:"url"`
		HTML      string `json:"html"`
		Truncated bool   `json:"truncated"`
	}](fmt.Sprintf(`(() => {
		const html = document.documentElement ? document.documentElement.outerHTML : "";
		return {url: location.href, html: html.slice(0, %d), truncated: html.length > %d};
	})()`, r.cfg.MaxHTML, r.cfg.MaxHTML)))
	res := s.end()
	if err != nil {
		return fail("reading the page", err)
	}
	res.URL, res.HTML, res.Truncated = doc.URL, doc.HTML, doc.Truncated
	res.Idle = idle
	res.Elapsed = time.Since(start)
	return res, nil
}

// waitIdle waits until the page is idle (true) or budget ends (false).
func (r *Renderer) waitIdle(budget context.Context, s *session) bool {
	timer := time.NewTimer(r.cfg.Idle)
	defer timer.Stop()
	for {
		wait := s.idleIn(r.cfg.Idle, time.Now())
		if wait == 0 {
			return true
		}
		if wait < 0 {
			wait = r.cfg.Idle // nothing to time until a change wakes us; look again anyway
		}
		timer.Reset(wait)
		select {
		case <-budget.Done():
			return false
		case <-s.wake:
		case <-timer.C:
		}
	}
}
