// Package jobclient is a small client of vcenrich's HTTP API, used by the
// starter CLI and by tests that drive the API the way a user would.
package jobclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
)

// Client talks to one vcenrich server.
type Client struct {
	r *resty.Client
}

// New returns a client for the server at baseURL (e.g. http://127.0.0.1:8080).
func New(baseURL string) *Client {
	// A server must start answering within two minutes, but a workbook or
	// an upload may take longer than that to cross a slow line: a timeout
	// on the whole exchange would cut them off. The caller's context ends
	// the rest.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 2 * time.Minute
	r := resty.NewWithClient(&http.Client{Transport: t}).SetBaseURL(baseURL)
	return &Client{r: r}
}

// SetToken makes every request carry the server's API token
// (VCENRICH_API_TOKEN), for servers that require one.
func (c *Client) SetToken(token string) *Client {
	c.r.SetAuthToken(token)
	return c
}

// Mapping names the columns to read, by header as the preview lists it;
// empty Name or Description means none.
type Mapping struct {
	Name        string `json:"name"`
	Website     string `json:"website"`
	Description string `json:"description"`
}

// Preview sends a spreadsheet to be read without starting a job; mapping
// may be nil for the detected columns.
func (c *Client) Preview(ctx context.Context, path string, mapping *Mapping) (answer.Preview, error) {
	f, err := os.Open(path)
	if err != nil {
		return answer.Preview{}, fmt.Errorf("open spreadsheet: %w", err)
	}
	defer f.Close()
	form := map[string]string{}
	if mapping != nil {
		b, err := json.Marshal(mapping)
		if err != nil {
			return answer.Preview{}, fmt.Errorf("encode mapping: %w", err)
		}
		form["mapping"] = string(b)
	}
	var out answer.Preview
	req := c.r.R().SetContext(ctx).SetFileReader("file", filepath.Base(path), f).SetFormData(form).SetResult(&out)
	if err := check(req.Post("/api/jobs/preview")); err != nil {
		return answer.Preview{}, err
	}
	return out, nil
}

// Error is an error answer from the server, as a Go error.
type Error struct {
	Status  int
	Message string
	Headers []string // the headers the server found, when it found no website column
}

// errorOf reads an error answer's body.
func errorOf(status int, body []byte) *Error {
	var a answer.Error
	if json.Unmarshal(body, &a) != nil || a.Error == "" {
		a.Error = http.StatusText(status)
	}
	return &Error{Status: status, Message: a.Error, Headers: a.Headers}
}

func (e *Error) Error() string {
	if len(e.Headers) > 0 {
		return fmt.Sprintf("%s (HTTP %d; headers found: %v)", e.Message, e.Status, e.Headers)
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
}

func check(resp *resty.Response, err error) error {
	if err != nil {
		return fmt.Errorf("reach the vcenrich server: %w", err)
	}
	if resp.IsSuccess() {
		return nil
	}
	return errorOf(resp.StatusCode(), resp.Body())
}

// UploadOptions are a job's options; zero values keep the server's defaults.
type UploadOptions struct {
	Name     string
	Window   int    // firms enriched at once
	Priority string // urgent, high, normal, low or 1–5
	Notify   string // email addresses or https webhook URLs, comma-separated, told when the job ends or stalls
	Mapping  *Mapping
}

// Upload sends a spreadsheet and starts a job, or returns the same upload's
// job when it is running already (Created.Existing).
func (c *Client) Upload(ctx context.Context, path string, opts UploadOptions) (answer.Created, error) {
	f, err := os.Open(path)
	if err != nil {
		return answer.Created{}, fmt.Errorf("open spreadsheet: %w", err)
	}
	defer f.Close()
	var out answer.Created
	form := map[string]string{}
	if opts.Name != "" {
		form["name"] = opts.Name
	}
	if opts.Window > 0 {
		form["window"] = fmt.Sprint(opts.Window)
	}
	if opts.Priority != "" {
		form["priority"] = opts.Priority
	}
	if opts.Notify != "" {
		form["notify"] = opts.Notify
	}
	if opts.Mapping != nil {
		b, err := json.Marshal(opts.Mapping)
		if err != nil {
			return answer.Created{}, fmt.Errorf("encode mapping: %w", err)
		}
		form["mapping"] = string(b)
	}
	req := c.r.R().SetContext(ctx).SetFileReader("file", filepath.Base(path), f).SetFormData(form).SetResult(&out)
	if err := check(req.Post("/api/jobs")); err != nil {
		return answer.Created{}, err
	}
	return out, nil
}

// RetryFailed starts a new job over the failed firms of a finished one.
func (c *Client) RetryFailed(ctx context.Context, id string) (answer.Created, error) {
	var out answer.Created
	if err := check(c.r.R().SetContext(ctx).SetResult(&out).SetPathParam("id", id).Post("/api/jobs/{id}/retry-failed")); err != nil {
		return answer.Created{}, err
	}
	return out, nil
}

// Job fetches a job's state.
func (c *Client) Job(ctx context.Context, id string) (answer.Job, error) {
	var j answer.Job
	if err := check(c.r.R().SetContext(ctx).SetResult(&j).SetPathParam("id", id).Get("/api/jobs/{id}")); err != nil {
		return answer.Job{}, err
	}
	return j, nil
}

// Control sends pause, resume or cancel to a job.
func (c *Client) Control(ctx context.Context, id, action string) error {
	switch action {
	case "pause", "resume", "cancel":
	default:
		return fmt.Errorf("unknown action %q: want pause, resume or cancel", action)
	}
	return check(c.r.R().SetContext(ctx).SetPathParam("id", id).Post("/api/jobs/{id}/" + action))
}

// followPatience is how long Follow keeps trying through a server that does
// not answer (restarting, or Temporal down), and how long it waits for a
// finished job's workbook to appear, before it gives up.
const followPatience = 5 * time.Minute

// Follow polls a job every interval, calling onUpdate each time, until it
// finishes or ctx ends. A server that is restarting or unreachable, or a
// passing Temporal hiccup, is not the job's end: Follow keeps trying for
// followPatience. A 4xx answer (no such job, a wrong token) ends it at once.
func (c *Client) Follow(ctx context.Context, id string, interval time.Duration, onUpdate func(answer.Job)) (answer.Job, error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last answer.Job
	var failing, finished time.Time
	for {
		j, err := c.Job(ctx, id)
		var apiErr *Error
		switch {
		case err != nil && errors.As(err, &apiErr) && apiErr.Status < 500:
			return last, err
		case err != nil:
			if failing.IsZero() {
				failing = time.Now()
			}
			if time.Since(failing) > followPatience {
				return last, fmt.Errorf("the server has not answered for %s: %w", followPatience, err)
			}
		default:
			failing, last = time.Time{}, j
			onUpdate(j)
			if j.Finished() && (j.ResultReady || j.Status == contract.StatusFailed) {
				return j, nil
			}
			if j.Finished() {
				if finished.IsZero() {
					finished = time.Now()
				}
				if time.Since(finished) > followPatience {
					return j, fmt.Errorf("job %s ended %s but its workbook has not appeared in %s", id, j.Status, followPatience)
				}
			}
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-t.C:
		}
	}
}

// Download writes a job's workbook to path.
func (c *Client) Download(ctx context.Context, id, path string) error {
	resp, err := c.r.R().SetContext(ctx).SetDoNotParseResponse(true).SetPathParam("id", id).Get("/api/jobs/{id}/result")
	if err != nil {
		return fmt.Errorf("reach the vcenrich server: %w", err)
	}
	body := resp.RawBody()
	defer body.Close()
	if !resp.IsSuccess() {
		b, _ := io.ReadAll(io.LimitReader(body, 1<<16))
		return errorOf(resp.StatusCode(), b)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create folder for %s: %w", path, err)
	}
	tmp := path + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("download workbook: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
