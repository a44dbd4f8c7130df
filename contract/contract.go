// Package contract is the contract between a job's workflow and its activities:
// the names Temporal knows them by and the small records that travel
// through workflow history. It holds no engine, so a process that only
// starts, signals and queries jobs (the API server) links none.
package contract

import (
	"strings"
	"time"
)

// Names Temporal knows the job's workflow and activities by. The workflow
// calls the activities by these names, and the worker registers
// activities.Activities, whose methods carry them.
const (
	Workflow               = "EnrichJob"
	ActivityEnrichFirm     = "EnrichFirm"
	ActivityRecordFailure  = "RecordFailure"
	ActivityExportWorkbook = "ExportWorkbook"
	ActivityNotify         = "Notify"
	ActivityPrepareRetry   = "PrepareRetry"
	ActivityMarkPaused     = "MarkPaused"
	ActivityCompareRuns    = "CompareRuns"
	// A watch's refresh: the workflow its schedule starts, and its steps.
	WatchWorkflow          = "WatchRefresh"
	ActivityPrepareRefresh = "PrepareRefresh"
	ActivityRecordRefresh  = "RecordRefresh"
)

// Failure reasons that are not the web's: the crawl package names the rest
// (its "timeout" is one page's; ReasonFirmTimeout is a whole attempt's).
const (
	ReasonStore       = "store"
	ReasonInternal    = "internal"
	ReasonFirmTimeout = "firm_timeout" // an attempt ran past the firm's time budget, or stopped heartbeating
)

// FirmTask names one firm of one job.
type FirmTask struct {
	JobID string `json:"job_id"`
	Index int    `json:"index"`
	Run   string `json:"run"` // the job's first run ID; results carry it
}

// Failure is a firm that ran out of attempts, as the workflow saw it; or,
// with End set, a slice [Index, End) whose activity did.
type Failure struct {
	JobID   string `json:"job_id"`
	Index   int    `json:"index"`
	End     int    `json:"end,omitempty"`
	Run     string `json:"run"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// ExportTask is what the workflow knows of a finished (or cancelled) job.
type ExportTask struct {
	JobID            string         `json:"job_id"`
	Run              string         `json:"run"`
	Status           string         `json:"status"`
	Started          time.Time      `json:"started"`
	Finished         time.Time      `json:"finished"`
	Total            int            `json:"total"`
	Done             int            `json:"done"`
	Failed           int            `json:"failed"`
	TeamMembers      int            `json:"team_members"`
	FailuresByReason map[string]int `json:"failures_by_reason,omitempty"`
	// Changes: the job was compared with an earlier run; the workbook
	// gets a Changes sheet from the stored changes.
	Changes bool `json:"changes,omitempty"`
}

// WatchInput is what a watch's schedule starts each refresh with.
type WatchInput struct {
	WatchID string  `json:"watch_id"`
	Options Options `json:"options"` // the refresh jobs'
	// Link is the dashboard, for the refresh jobs' notifications.
	Link string `json:"link,omitempty"`
}

// RefreshJobID is the job a watch's refresh runs: the refresh's workflow
// ID (the schedule's action ID and the time it was due, which Temporal
// gives each run of a schedule) made a job ID.
func RefreshJobID(refreshID string) string {
	return "job-" + strings.NewReplacer(":", "", "watch-", "").Replace(refreshID)
}

// RefreshTask asks for a refresh's job: the watch's list copied as job
// JobID, and the run it is to be compared with.
type RefreshTask struct {
	WatchID string `json:"watch_id"`
	JobID   string `json:"job_id"`
}

// Refresh is a refresh's job, ready to start.
type Refresh struct {
	JobID    string   `json:"job_id"`
	Name     string   `json:"name"`
	Total    int      `json:"total"`
	Notify   []string `json:"notify,omitempty"`
	Quiet    bool     `json:"quiet,omitempty"`
	Previous *RunRef  `json:"previous,omitempty"` // the last refresh that completed, if any
}

// RefreshRecord tells the watch of a refresh's job: started (its run is
// known), or completed (the next refresh compares with it).
type RefreshRecord struct {
	WatchID   string `json:"watch_id"`
	Job       RunRef `json:"job"`
	Completed bool   `json:"completed,omitempty"`
}

// CompareTask asks what changed between an earlier run of the same list
// (Previous) and this job's run, firm by firm.
type CompareTask struct {
	JobID    string `json:"job_id"`
	Run      string `json:"run"`
	Previous RunRef `json:"previous"`
}

// ChangeSummary is what a comparison found, small enough for history: the
// changes themselves are in the result store, for the Changes sheet.
type ChangeSummary struct {
	Total      int            `json:"total"`
	Counts     map[string]int `json:"counts,omitempty"` // by kind of change
	Text       string         `json:"text"`             // the counts in a line
	First      []string       `json:"first,omitempty"`  // the first few changes in words
	Checked    int            `json:"checked"`          // firms enriched in both runs
	NotChecked int            `json:"not_checked"`      // firms not enriched this time
}

// RetryTask asks for job JobID's firms to be the failed firms of From.
type RetryTask struct {
	JobID string `json:"job_id"`
	From  RunRef `json:"from"`
}

// RetryResult is how many firms the retry job holds.
type RetryResult struct {
	Firms int `json:"firms"`
}

// ExportResult says where the workbook went.
type ExportResult struct {
	Key string `json:"key"`
}

// NotifyTask is a notification the workflow asks for.
type NotifyTask struct {
	Event Event    `json:"event"`
	To    []string `json:"to,omitempty"` // per-job addresses
}

// Kinds of notification Event.
const (
	JobCompleted = "job_completed"
	JobFailed    = "job_failed"
	JobCancelled = "job_cancelled"
	JobStalled   = "job_stalled"
	WorkerLoss   = "worker_loss"
)

// Event is one notification.
type Event struct {
	Key     string         `json:"key"` // same key, same notification
	Kind    string         `json:"kind"`
	JobID   string         `json:"job_id,omitempty"`
	JobName string         `json:"job_name,omitempty"`
	Title   string         `json:"title"`
	Text    string         `json:"text"`
	Link    string         `json:"link,omitempty"`
	At      time.Time      `json:"at"`
	Fields  map[string]any `json:"fields,omitempty"`
}

// Names clients use to talk to a running job.
const (
	QueryProgress = "progress"
	// SignalControl carries a Control: pause or resume.
	SignalControl = "control"
	// SignalPause and SignalResume are the two channels jobs read before
	// SignalControl; only runs recorded before it still read them.
	SignalPause  = "pause"
	SignalResume = "resume"
)

// Job statuses, as the progress query, the search attribute VcJobStatus and
// the API report them.
const (
	StatusRunning   = "running"
	StatusPaused    = "paused"
	StatusStalled   = "stalled" // running and unpaused, but no firm finished for Options.StallAfter
	StatusExporting = "exporting"
	StatusCompleted = "completed"
	StatusCancelled = "cancelled"
	StatusFailed    = "failed"
)

// Search attributes a job keeps current, so jobs can be listed and
// filtered through Temporal's visibility (registered by temporal-dev and
// the cluster setup).
const (
	SearchStatus = "VcJobStatus"  // a job status above
	SearchDone   = "VcFirmsDone"  // firms finished: enriched or failed
	SearchTotal  = "VcFirmsTotal" // firms in the job
	SearchUpload = "VcUploadName" // the uploaded file's name
	// Kept by jobs started (or continued) since the jobs list read its
	// figures from visibility; a job without them lists what it processed.
	SearchFailed = "VcFirmsFailed" // of SearchDone: firms that failed
	SearchTeam   = "VcTeamMembers" // team members found so far
)

// Defaults of a job's options, which config applies to its settings too.
// A running job's workflow applies them to the options it was started
// with, so changing one changes running jobs: version it.
const (
	DefaultWindow           = 8
	DefaultContinueEvery    = 2000
	DefaultMaxAttempts      = 3
	DefaultFirmTimeout      = 3 * time.Minute
	DefaultHeartbeatTimeout = 30 * time.Second
	DefaultRetryInterval    = time.Second
	DefaultStallAfter       = 30 * time.Minute
	DefaultPriority         = 3
)

// MaxWindow is the most firms a job may hold in flight: a sliced job holds
// a thousand on one worker, and several workers add up.
const MaxWindow = 4096

// Options tune a job. Zero values take the defaults below.
type Options struct {
	Window           int           `json:"window,omitempty"`         // firms in flight at once
	ContinueEvery    int           `json:"continue_every,omitempty"` // firms (slices, for a sliced job) started per run before continue-as-new
	MaxAttempts      int           `json:"max_attempts,omitempty"`   // per firm, first attempt included
	FirmTimeout      time.Duration `json:"firm_timeout,omitempty"`   // one attempt at one firm
	HeartbeatTimeout time.Duration `json:"heartbeat_timeout,omitempty"`
	RetryInterval    time.Duration `json:"retry_interval,omitempty"` // first retry's backoff
	StallAfter       time.Duration `json:"stall_after,omitempty"`    // no firm finished this long: the job is stalled
	// Priority of the job's tasks: 1 (urgent) to 5 (low), 3 by default.
	// Jobs of one priority share workers fairly: each job is its own
	// fairness key.
	Priority int `json:"priority,omitempty"`
	// Slices runs the job's firms in slices (contract.ActivityEnrichBatch),
	// dozens to an activity, instead of one activity each.
	Slices bool `json:"slices,omitempty"`
}

// WithDefaults fills unset options.
func (o Options) WithDefaults() Options {
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.ContinueEvery <= 0 {
		o.ContinueEvery = DefaultContinueEvery
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.FirmTimeout <= 0 {
		o.FirmTimeout = DefaultFirmTimeout
	}
	if o.HeartbeatTimeout <= 0 {
		o.HeartbeatTimeout = DefaultHeartbeatTimeout
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = DefaultRetryInterval
	}
	if o.StallAfter <= 0 {
		o.StallAfter = DefaultStallAfter
	}
	if o.Priority <= 0 || o.Priority > 5 {
		o.Priority = DefaultPriority
	}
	return o
}
