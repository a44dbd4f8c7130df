package contract

import "time"

// ActivityEnrichBatch enriches a slice of a job's firms in one activity.
// A firm per activity cost three to four history events and as many
// Temporal actions a firm; a slice costs a handful for dozens of firms.
const ActivityEnrichBatch = "EnrichBatch"

// Slices: each EnrichBatch activity enriches SliceConcurrency firms at a
// time (fewer when the job's window is smaller) from a slice of up to
// SliceFirms times that many; a job's window is SliceConcurrency times its
// slices in flight. Slices are cut to share the firms left evenly among
// the window's free places, so a job's slices end together instead of a
// few late ones holding its last minutes, and each slice loses to its
// last, uneven round only once. Changing either changes how running jobs
// cut their slices: version it.
const (
	SliceConcurrency = 16
	SliceFirms       = 16
)

// BatchTask is one slice of a job's firms, [Start, End), and how to treat
// each: the per-firm attempts, time budget and backoff a firm activity's
// retry policy used to give.
type BatchTask struct {
	JobID         string        `json:"job_id"`
	Run           string        `json:"run"`
	Start         int           `json:"start"`
	End           int           `json:"end"`
	Concurrency   int           `json:"concurrency"`
	MaxAttempts   int           `json:"max_attempts"`
	FirmTimeout   time.Duration `json:"firm_timeout"`
	RetryInterval time.Duration `json:"retry_interval"`
	// Counted are firms of the slice finished and counted by an earlier
	// activity of it, one that stopped when its job paused.
	Counted []int `json:"counted,omitempty"`
}

// BatchProgress is an EnrichBatch activity's heartbeat detail: what a
// retried attempt resumes from (firms finished are skipped, attempts spent
// are counted), and what the API adds to the job's progress while the
// slice runs.
type BatchProgress struct {
	Finished []int       `json:"finished,omitempty"` // firm indexes done or failed for good
	Running  []int       `json:"running,omitempty"`  // firm indexes being enriched now
	Attempts map[int]int `json:"attempts,omitempty"` // attempts spent by firms not finished
	Counts   BatchCounts `json:"counts"`             // of Finished
}

// BatchCounts are what a slice's finished firms came to.
type BatchCounts struct {
	Done             int            `json:"done"`
	Failed           int            `json:"failed"`
	TeamMembers      int            `json:"team_members"`
	FailuresByReason map[string]int `json:"failures_by_reason,omitempty"`
}

// Add counts one finished firm.
func (c *BatchCounts) Add(failed bool, reason string, team int) {
	if failed {
		c.Failed++
		if c.FailuresByReason == nil {
			c.FailuresByReason = map[string]int{}
		}
		c.FailuresByReason[reason]++
		return
	}
	c.Done++
	c.TeamMembers += team
}

// BatchResult is what a slice came to. An attempt cancelled with its job
// returns the firms it finished (Stopped is then true), so the job's
// figures stay exact; one that saw its job paused starts no more firms,
// lets those running finish and returns with Paused. Both list in Finished
// every firm of the slice done so far, for the slice's resumption.
type BatchResult struct {
	BatchCounts
	Stopped  bool  `json:"stopped,omitempty"`
	Paused   bool  `json:"paused,omitempty"`
	Finished []int `json:"finished,omitempty"`
}

// PauseMark is what the MarkPaused activity writes for a job's slices to
// read.
type PauseMark struct {
	JobID  string `json:"job_id"`
	Paused bool   `json:"paused"`
}
