package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vcenrich/vcenrich/api/answer"
)

// bar draws job progress: redrawn in place on a terminal, one line per
// change elsewhere (logs, CI), so a piped run stays readable.
type bar struct {
	w    io.Writer
	tty  bool
	last string
}

func newBar(f *os.File) *bar {
	st, err := f.Stat()
	return &bar{w: f, tty: err == nil && st.Mode()&os.ModeCharDevice != 0}
}

func (b *bar) update(j answer.Job) {
	const width = 30
	processed := max(j.Processed, j.Done+j.Failed)
	frac := 0.0
	if j.Total > 0 {
		// A retried firm can be counted twice for a moment: never past full.
		frac = min(float64(processed)/float64(j.Total), 1)
	}
	filled := int(frac * width)
	line := fmt.Sprintf("[%s%s] %3.0f%% %d/%d firms, %d failed, %d team members, %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100,
		processed, j.Total, j.Failed, j.TeamMembers, j.Status)
	if j.RatePerMinute > 0 && !j.Finished() {
		line += fmt.Sprintf(", %.0f/min, ETA %s", j.RatePerMinute, (time.Duration(j.ETASeconds) * time.Second).Round(time.Second))
	}
	if !j.WorkerAnswering && !j.Finished() {
		line += " (no worker answering)"
	}
	if line == b.last {
		return
	}
	b.last = line
	if b.tty {
		fmt.Fprintf(b.w, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(b.w, line)
}

func (b *bar) finish() {
	if b.tty && b.last != "" {
		fmt.Fprintln(b.w)
	}
}
