// Package answer holds the answers of vcenrich's HTTP API: the types its
// handlers send, which jobclient reads and the OpenAPI description is
// checked against, written once for all three.
package answer

import (
	"time"

	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/sheets"
)

// Created is the answer to a successful upload.
type Created struct {
	JobID     string            `json:"job_id"`
	Name      string            `json:"name"`
	Firms     int               `json:"firms"`
	Existing  bool              `json:"existing"` // the same upload was already running: this is that job
	Sheet     string            `json:"sheet,omitempty"`
	HeaderRow int               `json:"header_row"`
	Columns   map[string]string `json:"columns"` // role -> header used
	Rejected  []sheets.Rejected `json:"rejected"`
	Window    int               `json:"window,omitempty"`
	Priority  int               `json:"priority,omitempty"`
	// Notify are who is told when the job ends or stalls, as accepted.
	Notify []string `json:"notify,omitempty"`
	Links  Links    `json:"links"`
}

// Job is a job's state as the API reports it.
type Job struct {
	JobID            string         `json:"job_id"`
	Name             string         `json:"name"`
	Status           string         `json:"status"`
	Total            int            `json:"total"`
	Processed        int            `json:"processed"` // done + failed
	Done             int            `json:"done"`      // enriched
	Failed           int            `json:"failed"`
	InFlight         []int          `json:"in_flight"`
	TeamMembers      int            `json:"team_members"`
	FailuresByReason map[string]int `json:"failures_by_reason,omitempty"`
	RatePerMinute    float64        `json:"rate_per_minute"`
	ETASeconds       float64        `json:"eta_seconds"`
	Paused           bool           `json:"paused"`
	PausedSince      time.Time      `json:"paused_since,omitzero"`
	Stalled          bool           `json:"stalled"`
	Priority         int            `json:"priority,omitempty"`
	Started          time.Time      `json:"started,omitzero"`
	Updated          time.Time      `json:"updated,omitzero"`
	Closed           time.Time      `json:"closed,omitzero"`
	// WorkerAnswering is false when no worker answered the progress query:
	// the figures are then the last ones the job recorded in visibility.
	WorkerAnswering bool `json:"worker_answering"`
	// ResultReady is true once the final workbook is written; until then the
	// result link gives a partial one built from what has finished.
	ResultReady bool   `json:"result_ready"`
	Rejected    int    `json:"rejected"`
	Note        string `json:"note,omitempty"`
	Links       Links  `json:"links"`
}

// JobSummary is one row of the job list, from visibility alone.
type JobSummary struct {
	JobID     string `json:"job_id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Processed int    `json:"processed"` // firms finished, enriched or failed
	// Of Processed: enriched and failed, and the team members found, as the
	// job last recorded them in visibility (jobs started before it did
	// list every processed firm as done).
	Done        int       `json:"done"`
	Failed      int       `json:"failed"`
	TeamMembers int       `json:"team_members"`
	Total       int       `json:"total"`
	Started     time.Time `json:"started"`
	Closed      time.Time `json:"closed,omitzero"`
	Links       Links     `json:"links"`
}

// Preview is the answer to POST /api/jobs/preview: what a job from this file
// would read, for a person to check before starting it.
type Preview struct {
	Filename  string   `json:"filename"`
	Format    string   `json:"format,omitempty"`
	Sheet     string   `json:"sheet,omitempty"`
	HeaderRow int      `json:"header_row,omitempty"`
	Headers   []string `json:"headers"`
	// MappingRequired is true when no column was recognised as the website:
	// Headers are then the most header-like cells found, and Message says
	// what to do.
	MappingRequired bool              `json:"mapping_required"`
	Message         string            `json:"message,omitempty"`
	Mapping         *Mapping          `json:"mapping,omitempty"`
	Columns         map[string]string `json:"columns"`
	Firms           int               `json:"firms"`
	Samples         []Sample          `json:"samples"`
	Rejected        []sheets.Rejected `json:"rejected"`
	RejectedCount   int               `json:"rejected_count"`
	Duplicates      []Duplicate       `json:"duplicates"`
	DuplicateCount  int               `json:"duplicate_count"`
	// DuplicateFirms lists each firm given on several rows once, with
	// every row it is on.
	DuplicateFirms []sheets.Duplicate `json:"duplicate_firms"`
	// Derived counts the firms whose website came from another column (an
	// email address, a Domain column); each sample says where from.
	Derived int `json:"derived"`
}

// Mapping is a mapping as column indexes into Headers, -1 for none.
type Mapping struct {
	Name        int `json:"name"`
	Website     int `json:"website"`
	Description int `json:"description"`
}

// Sample is one firm as the job would read it.
type Sample struct {
	Row           int      `json:"row"`
	Name          string   `json:"name"`
	Website       string   `json:"website"`
	WebsiteSource string   `json:"website_source,omitempty"` // where the website came from when not from its column
	LinkedIn      string   `json:"linkedin,omitempty"`       // the firm's LinkedIn page, when the list gave it as the website
	Description   string   `json:"description,omitempty"`
	Values        []string `json:"values"`
}

// Duplicate is a row that repeats an earlier one.
type Duplicate struct {
	Row    int `json:"row"`
	SameAs int `json:"same_as"`
}

// Error is every error answer: a message a person understands, plus
// whatever detail helps them act on it.
type Error struct {
	Error   string   `json:"error"`
	Headers []string `json:"headers_found,omitempty"`
	Detail  any      `json:"detail,omitempty"`
}

// Links are the places a person or program goes next for a job.
type Links struct {
	Self       string `json:"self"`
	Result     string `json:"result"`
	Dashboard  string `json:"dashboard"`
	TemporalUI string `json:"temporal_ui"`
}

// Finished reports whether the job has reached an end state.
func (j Job) Finished() bool { return contract.Finished(j.Status) }

// JobList is a page of the job list.
type JobList struct {
	Jobs []JobSummary `json:"jobs"`
	// NextPageToken asks for the next page; empty on the last.
	NextPageToken string `json:"next_page_token"`
}

// Accepted is the answer to pause, resume and cancel: asked of the job,
// which applies it on its own time.
type Accepted struct {
	JobID  string `json:"job_id"`
	Signal string `json:"signal"` // pause, resume or cancel
	Links  Links  `json:"links"`
}

// Glance is the answer to GET /api/jobs/:id/glance: a job's results at a
// glance, counted firm by firm from its run's stored results, the same way
// the workbook's Summary counts them.
type Glance struct {
	JobID   string `json:"job_id"`
	Partial bool   `json:"partial"` // the job is still running: its figures so far
	Total   int    `json:"total"`
	Done    int    `json:"done"`
	Failed  int    `json:"failed"`
	// Coverage is the share of firms and members with each finding.
	Coverage         GlanceCoverage `json:"coverage"`
	Tiers            []Count        `json:"tiers"`              // members by decision-maker tier
	Websites         []Count        `json:"websites"`           // firms by website status, most telling first
	FailuresByReason []Count        `json:"failures_by_reason"` // most frequent first
	Timeline         Timeline       `json:"timeline"`
	Counted          time.Time      `json:"counted"`
}

// GlanceCoverage counts what was found: firms enriched and with a team,
// and of the members, those with each detail.
type GlanceCoverage struct {
	Enriched      int `json:"enriched"`
	WithTeam      int `json:"with_team"`
	Members       int `json:"members"`
	WithTitle     int `json:"with_title"`
	WithLinkedIn  int `json:"with_linkedin"`
	WithEmail     int `json:"with_email"` // shown on the site
	InferredEmail int `json:"inferred_email"`
	Tier1         int `json:"tier1"`
	Portfolio     int `json:"portfolio"`
}

// Count is one bar of a chart.
type Count struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Timeline is firms finished over the job's life, in buckets of equal
// length from Start: Done[i] and Failed[i] finished in bucket i.
type Timeline struct {
	Start         time.Time `json:"start,omitzero"`
	BucketSeconds int       `json:"bucket_seconds"`
	Done          []int     `json:"done"`
	Failed        []int     `json:"failed"`
}

// FirmDetail is the answer to GET /api/jobs/:id/firms/:index: what the
// workbook says about one firm.
type FirmDetail struct {
	JobID         string        `json:"job_id"`
	Index         int           `json:"index"` // 0-based; the Firms sheet's row is Index+2
	Row           int           `json:"row"`   // the firm's row in the upload
	Name          string        `json:"name"`
	Website       string        `json:"website"`
	Status        string        `json:"status"`
	Error         string        `json:"error,omitempty"`
	Reason        string        `json:"reason,omitempty"`
	FinalURL      string        `json:"final_url,omitempty"`
	WebsiteStatus string        `json:"website_status,omitempty"`
	WebsiteNote   string        `json:"website_note,omitempty"`
	TeamPageURL   string        `json:"team_page_url,omitempty"`
	TeamReason    string        `json:"team_reason,omitempty"` // why no team was found
	Finished      time.Time     `json:"finished,omitzero"`
	Pages         []FirmPage    `json:"pages"`
	Team          []FirmPerson  `json:"team"`
	Portfolio     []FirmCompany `json:"portfolio"`
}

// FirmPage is one page fetched for a firm, as the Pages sheet lists it.
type FirmPage struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	Kind   string `json:"kind"`
	People int    `json:"people"`
	Note   string `json:"note,omitempty"`
}

// FirmPerson is one team member, as the Team Members sheet lists them.
type FirmPerson struct {
	Name      string `json:"name"`
	Title     string `json:"title,omitempty"`
	Tier      int    `json:"tier,omitempty"`
	LinkedIn  string `json:"linkedin,omitempty"`
	Email     string `json:"email,omitempty"`
	SourceURL string `json:"source_url,omitempty"`
}

// FirmCompany is one portfolio company.
type FirmCompany struct {
	Name    string `json:"name"`
	Website string `json:"website,omitempty"`
}

// Watch is a watch as GET /api/watches/:id answers it: its settings, its
// schedule's state and its refreshes' jobs.
type Watch struct {
	WatchID  string      `json:"watch_id"`
	Name     string      `json:"name"`
	Interval string      `json:"interval"`
	List     string      `json:"list"` // the job whose firms each refresh enriches
	Firms    int         `json:"firms"`
	Notify   []string    `json:"notify,omitempty"`
	Quiet    bool        `json:"quiet"` // no notification for a refresh that found no change
	Created  time.Time   `json:"created"`
	Paused   bool        `json:"paused"`
	NextRuns []time.Time `json:"next_runs"`
	Running  []string    `json:"running,omitempty"` // jobs of refreshes running now
	Last     string      `json:"last,omitempty"`    // the last refresh that completed: the next compares with it
	Jobs     []string    `json:"jobs"`              // the refreshes' jobs, oldest first
	Links    WatchLinks  `json:"links"`
}

// WatchLinks point at a watch in the API and in the Temporal UI.
type WatchLinks struct {
	Self       string `json:"self"`
	TemporalUI string `json:"temporal_ui"`
}

// WatchList is the answer to GET /api/watches.
type WatchList struct {
	Watches []Watch `json:"watches"`
}
