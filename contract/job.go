package contract

import "time"

// Input starts a job, and continues it: State is nil on the first run and
// carries the cursor and counters into every run after a continue-as-new.
type Input struct {
	JobID   string  `json:"job_id"`
	Name    string  `json:"name"`
	Total   int     `json:"total"`
	Options Options `json:"options"`
	State   *State  `json:"state,omitempty"`
	// Notify are per-job addresses (emails, https webhooks) told when the
	// job ends or stalls, besides the operator's channels.
	Notify []string `json:"notify,omitempty"`
	// Link is the job's page, for notifications.
	Link string `json:"link,omitempty"`
	// RetryOf, when set, makes this job's firms the failed firms of that
	// job's run: the workflow gathers them itself (ActivityPrepareRetry)
	// before its first firm, so a request never reads a whole job.
	RetryOf *RunRef `json:"retry_of,omitempty"`
	// Previous, when set, is an earlier run of the same list (a watch's
	// last refresh): before its export the job compares its results with
	// that run's (ActivityCompareRuns), its workbook gains a Changes sheet
	// and its notification says what changed. No history recorded before
	// comparisons has it, so it needs no version of its own.
	Previous *RunRef `json:"previous,omitempty"`
	// QuietUnchanged: a compared job that found no change sends no
	// notification.
	QuietUnchanged bool `json:"quiet_unchanged,omitempty"`
}

// RunRef names one run of one job.
type RunRef struct {
	JobID string `json:"job_id"`
	Run   string `json:"run"` // the job's first run ID
}

// State is what a job has done so far; it survives continue-as-new.
type State struct {
	Next             int            `json:"next"` // firms below this index have been started
	Done             int            `json:"done"`
	Failed           int            `json:"failed"`
	TeamMembers      int            `json:"team_members"`
	FailuresByReason map[string]int `json:"failures_by_reason,omitempty"`
	Started          time.Time      `json:"started"`
	Updated          time.Time      `json:"updated"`
	Paused           bool           `json:"paused"`
	PausedSince      time.Time      `json:"paused_since,omitzero"`
	Runs             int            `json:"runs"`            // continue-as-new count
	Recent           []time.Time    `json:"recent"`          // latest completion times, for the rate
	Marks            []Mark         `json:"marks,omitempty"` // firms processed by each latest slice's end, for the rate of a sliced job
	// Parked are slices that stopped when the job paused, with the firms
	// they finished: the job starts them again first when it resumes.
	Parked  []Parked `json:"parked,omitempty"`
	Stalled bool     `json:"stalled,omitempty"`
	Stalls  int      `json:"stalls,omitempty"` // times the job stalled, for notification keys
}

// Parked is a slice waiting for its job's resume.
type Parked struct {
	Start   int   `json:"start"`
	End     int   `json:"end"`
	Counted []int `json:"counted,omitempty"` // finished and counted already
}

// Mark is how many firms a job had processed at a moment.
type Mark struct {
	At        time.Time `json:"at"`
	Processed int       `json:"processed"`
}

// Progress is the answer to the progress query.
type Progress struct {
	JobID            string         `json:"job_id"`
	Name             string         `json:"name"`
	Status           string         `json:"status"`
	Total            int            `json:"total"`
	Done             int            `json:"done"`
	Failed           int            `json:"failed"`
	InFlight         []int          `json:"in_flight"`        // firm indexes being enriched now (firm by firm jobs)
	Slices           []string       `json:"slices,omitempty"` // activity IDs of the slices in flight (sliced jobs), whose heartbeats say which firms run
	TeamMembers      int            `json:"team_members"`
	FailuresByReason map[string]int `json:"failures_by_reason,omitempty"`
	RatePerMinute    float64        `json:"rate_per_minute"`
	ETASeconds       float64        `json:"eta_seconds"`
	Paused           bool           `json:"paused"`
	PausedSince      time.Time      `json:"paused_since,omitzero"`
	Stalled          bool           `json:"stalled"`
	Started          time.Time      `json:"started"`
	Updated          time.Time      `json:"updated"`
	Runs             int            `json:"runs"`
}

// Result is what a finished job returns; a cancelled job carries it as the
// details of its cancellation, so its figures survive the way it ended.
type Result struct {
	JobID            string         `json:"job_id"`
	Status           string         `json:"status"`
	Total            int            `json:"total"`
	Done             int            `json:"done"`
	Failed           int            `json:"failed"`
	TeamMembers      int            `json:"team_members"`
	FailuresByReason map[string]int `json:"failures_by_reason,omitempty"`
	Workbook         string         `json:"workbook"` // result store key
	Run              string         `json:"run"`      // first run ID of the job's chain of runs
	Started          time.Time      `json:"started"`
	Finished         time.Time      `json:"finished"`
	// Changes is what changed since Input.Previous, when the job was
	// compared with it.
	Changes *ChangeSummary `json:"changes,omitempty"`
}

// Control is the payload of SignalControl: one channel for pause and
// resume, so Temporal delivers them in the order they were sent.
type Control struct {
	Action string    `json:"action"` // ActionPause or ActionResume
	At     time.Time `json:"at,omitzero"`
	Reason string    `json:"reason,omitempty"`
}

// Control actions.
const (
	ActionPause  = "pause"
	ActionResume = "resume"
)

// LiveStatus is the status of a job whose workflow is running: final is
// set once its firms are all done (exporting, then how it ended).
func LiveStatus(final string, paused, stalled bool) string {
	switch {
	case final != "":
		return final
	case paused:
		return StatusPaused
	case stalled:
		return StatusStalled
	default:
		return StatusRunning
	}
}

// Statuses lists every job status, in the order a job meets them.
func Statuses() []string {
	return []string{StatusRunning, StatusPaused, StatusStalled, StatusExporting, StatusCompleted, StatusCancelled, StatusFailed}
}

// Finished reports whether a job status is an end state.
func Finished(status string) bool {
	return status == StatusCompleted || status == StatusCancelled || status == StatusFailed
}
