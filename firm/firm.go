// Package firm holds the domain types every other package shares: a firm as
// read from an upload, and what enrichment found about it.
package firm

// Input is one firm from an uploaded spreadsheet. Values keeps every input
// column, in the order of the upload's headers, so the output can carry it.
type Input struct {
	Index       int      `json:"index"` // 0-based position among accepted firms
	Row         int      `json:"row"`   // 1-based row number in the source sheet
	Name        string   `json:"name"`
	Website     string   `json:"website"` // normalised absolute URL
	Description string   `json:"description,omitempty"`
	Values      []string `json:"values"`
}

// Status of a firm after enrichment.
type Status string

const (
	StatusOK      Status = "ok"
	StatusFailed  Status = "failed"
	StatusPending Status = "not processed" // the job ended (cancelled) before this firm ran
)

// Member is one person found on a firm's website.
type Member struct {
	Name      string `json:"name"`
	Title     string `json:"title,omitempty"`
	LinkedIn  string `json:"linkedin,omitempty"`
	Email     string `json:"email,omitempty"`
	SourceURL string `json:"source_url,omitempty"`
}

// Result is everything enrichment recorded for one firm. It is stored whole in
// the result store; the workflow only ever sees a Summary of it.
type Result struct {
	Index       int      `json:"index"`
	Run         string   `json:"run,omitempty"` // the job run that wrote it
	Status      Status   `json:"status"`
	Error       string   `json:"error,omitempty"`  // a sentence a person understands
	Reason      string   `json:"reason,omitempty"` // a short machine-readable failure class
	Attempt     int      `json:"attempt,omitempty"`
	FinalURL    string   `json:"final_url,omitempty"`
	TeamPageURL string   `json:"team_page_url,omitempty"`
	Description string   `json:"description,omitempty"`
	Pages       int      `json:"pages,omitempty"` // pages fetched
	Team        []Member `json:"team,omitempty"`
}

// Summary is the small record of a firm's outcome that travels through
// workflow history.
type Summary struct {
	Index     int    `json:"index"`
	Status    Status `json:"status"`
	Reason    string `json:"reason,omitempty"`
	TeamCount int    `json:"team_count"`
}

// Summarise reduces a result to what the workflow needs.
func (r Result) Summarise() Summary {
	return Summary{Index: r.Index, Status: r.Status, Reason: r.Reason, TeamCount: len(r.Team)}
}
