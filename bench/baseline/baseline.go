// Package baseline is the benchmark's yardstick: the enrichment engine in a
// plain pool of goroutines, with the job's retry rules but no Temporal, no
// result store and no history. What the full stack costs beyond this is the
// price of durability.
package baseline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
)

// Options mirror a job's: the window and the retry policy of its firms.
type Options struct {
	Window        int
	MaxAttempts   int
	RetryInterval time.Duration // first backoff, doubled after each retry
	MaxInterval   time.Duration // backoff ceiling
	FirmTimeout   time.Duration // one attempt at one firm
}

// Outcome counts what a run did.
type Outcome struct {
	Done             int            `json:"done"`
	Failed           int            `json:"failed"`
	TeamMembers      int            `json:"team_members"`
	Pages            int            `json:"pages"`
	Attempts         int            `json:"attempts"`
	FailuresByReason map[string]int `json:"failures_by_reason,omitempty"`
	// FirstAttempts is the time of each firm done at its first attempt,
	// in firm order: the engine's time for a firm.
	FirstAttempts []time.Duration `json:"-"`
}

// Run enriches every firm with at most Window at once and returns the
// results in firm order.
func Run(ctx context.Context, eng *enrich.Engine, firms []firm.Input, opts Options) ([]firm.Result, Outcome) {
	results := make([]firm.Result, len(firms))
	attempts := make([]int, len(firms))
	took := make([]time.Duration, len(firms))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(opts.Window, 1) {
		wg.Go(func() {
			for i := range next {
				start := time.Now()
				results[i], attempts[i] = enrichWithRetries(ctx, eng, firms[i], opts)
				took[i] = time.Since(start)
			}
		})
	}
feed:
	for i := range firms {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	out := Outcome{FailuresByReason: map[string]int{}}
	for i, r := range results {
		out.Attempts += attempts[i]
		out.Pages += r.Pages
		switch r.Status {
		case firm.StatusOK:
			out.Done++
			out.TeamMembers += len(r.Team)
			if attempts[i] == 1 {
				out.FirstAttempts = append(out.FirstAttempts, took[i])
			}
		case firm.StatusFailed:
			out.Failed++
			out.FailuresByReason[r.Reason]++
		}
	}
	return results, out
}

// enrichWithRetries applies the job's retry rules: a temporary failure (5xx,
// 429, timeout) is retried with exponential backoff, or after the site's
// Retry-After; a permanent one is not.
func enrichWithRetries(ctx context.Context, eng *enrich.Engine, in firm.Input, opts Options) (firm.Result, int) {
	backoff := opts.RetryInterval
	pages := 0
	for attempt := 1; ; attempt++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if opts.FirmTimeout > 0 {
			actx, cancel = context.WithTimeout(ctx, opts.FirmTimeout)
		}
		res, err := eng.Enrich(actx, in, nil)
		cancel()
		pages += res.Pages
		res.Pages = pages
		if err == nil {
			res.Attempt = attempt
			return res, attempt
		}
		failed := firm.Result{Index: in.Index, Status: firm.StatusFailed, Reason: "internal", Error: err.Error(), Attempt: attempt, Pages: pages}
		var ce *crawl.Error
		wait := backoff
		switch {
		case errors.As(err, &ce) && ce.Temporary():
			failed.Reason = string(ce.Kind)
			if ce.RetryAfter > 0 {
				wait = ce.RetryAfter
			}
		case errors.As(err, &ce):
			failed.Reason = string(ce.Kind)
			return failed, attempt
		default:
			return failed, attempt
		}
		if attempt >= opts.MaxAttempts || ctx.Err() != nil {
			return failed, attempt
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return failed, attempt
		}
		backoff = min(backoff*2, max(opts.MaxInterval, opts.RetryInterval))
	}
}

// WriteWorkbook writes the enriched workbook from the run's results, as the
// full stack's export does from its store.
func WriteWorkbook(w io.Writer, up *sheets.Upload, results []firm.Result, out Outcome, started, finished time.Time) error {
	if len(results) != len(up.Firms) {
		return fmt.Errorf("baseline workbook: %d results for %d firms", len(results), len(up.Firms))
	}
	rejected := make([]sheets.Rejected, len(up.Rejected))
	copy(rejected, up.Rejected)
	return sheets.WriteWorkbook(w, sheets.Export{
		InputHeaders: up.Headers,
		Total:        len(up.Firms),
		Load: func(i int) (firm.Input, firm.Result, error) {
			return up.Firms[i], results[i], nil
		},
		Summary: sheets.Summary{
			JobID: "baseline", Name: "baseline", Status: "completed",
			Started: started, Finished: finished,
			Total: len(up.Firms), Done: out.Done, Failed: out.Failed, TeamMembers: out.TeamMembers,
			FailuresByReason: out.FailuresByReason, Rejected: rejected,
		},
	})
}
