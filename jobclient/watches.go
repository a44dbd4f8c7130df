package jobclient

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vcenrich/vcenrich/api/answer"
)

// WatchOptions are a watch's settings: its list is a spreadsheet (Path) or
// a stored job's firms (JobID); Interval is hourly, daily, weekly, monthly,
// a duration such as 36h or a cron expression.
type WatchOptions struct {
	Path, JobID string
	Name        string
	Interval    string
	Notify      string // emails or https webhooks, separated by commas
	Quiet       bool   // no notification for a refresh that found no change
	Later       bool   // no first refresh now: the first comes when the schedule says
}

// CreateWatch creates a watch: its schedule starts the first refresh now
// unless opts.Later.
func (c *Client) CreateWatch(ctx context.Context, opts WatchOptions) (answer.Watch, error) {
	form := map[string]string{"interval": opts.Interval, "quiet": strconv.FormatBool(opts.Quiet), "start_now": strconv.FormatBool(!opts.Later)}
	if opts.Name != "" {
		form["name"] = opts.Name
	}
	if opts.Notify != "" {
		form["notify"] = opts.Notify
	}
	var out answer.Watch
	req := c.r.R().SetContext(ctx).SetResult(&out)
	switch {
	case opts.JobID != "":
		form["job_id"] = opts.JobID
		req.SetMultipartFormData(form)
	case opts.Path != "":
		f, err := os.Open(opts.Path)
		if err != nil {
			return answer.Watch{}, fmt.Errorf("open spreadsheet: %w", err)
		}
		defer f.Close()
		req.SetFileReader("file", filepath.Base(opts.Path), f).SetFormData(form)
	default:
		return answer.Watch{}, fmt.Errorf("a watch needs a spreadsheet or a job's ID")
	}
	if err := check(req.Post("/api/watches")); err != nil {
		return answer.Watch{}, err
	}
	return out, nil
}

// Watches lists the watches.
func (c *Client) Watches(ctx context.Context) ([]answer.Watch, error) {
	var out answer.WatchList
	if err := check(c.r.R().SetContext(ctx).SetResult(&out).Get("/api/watches")); err != nil {
		return nil, err
	}
	return out.Watches, nil
}

// Watch fetches one watch.
func (c *Client) Watch(ctx context.Context, id string) (answer.Watch, error) {
	var out answer.Watch
	if err := check(c.r.R().SetContext(ctx).SetResult(&out).SetPathParam("id", id).Get("/api/watches/{id}")); err != nil {
		return answer.Watch{}, err
	}
	return out, nil
}

// WatchControl pauses, resumes or triggers a watch, or deletes it.
func (c *Client) WatchControl(ctx context.Context, id, action string) error {
	req := c.r.R().SetContext(ctx).SetPathParam("id", id)
	switch action {
	case "pause", "resume", "trigger":
		return check(req.Post("/api/watches/{id}/" + action))
	case "delete":
		return check(req.Delete("/api/watches/{id}"))
	}
	return fmt.Errorf("unknown action %q: want pause, resume, trigger or delete", action)
}
