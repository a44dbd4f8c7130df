package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

// retryFailed starts a new job over just the firms that failed in a
// finished job: what operators of the predecessor did with hand-written SQL.
// The request reads no result: the new job's workflow gathers the failed
// firms itself (contract.ActivityPrepareRetry), however many the job held.
func (s *Server) retryFailed(c *gin.Context) {
	parent, ok := s.jobRecord(c)
	if !ok {
		return
	}
	v, err := s.view(c, parent)
	if err != nil {
		fail(c, http.StatusServiceUnavailable, "Temporal is not answering; try again shortly")
		return
	}
	if !contract.Finished(v.Status) {
		fail(c, http.StatusConflict, fmt.Sprintf("job %s is still running; retry its failed firms once it ends", parent.ID))
		return
	}
	if parent.Run == "" {
		fail(c, http.StatusConflict, fmt.Sprintf("job %s has no recorded run, so its failures cannot be told apart", parent.ID))
		return
	}
	// A job that ended with its figures (completed, or cancelled since
	// cancellations carry them) and no failure has nothing to retry; one
	// that ended without them (failed, terminated) is the workflow's to
	// look through.
	if v.Failed == 0 && v.Done == v.Processed && (v.Status == contract.StatusCompleted || v.Status == contract.StatusCancelled && v.Done > 0) {
		fail(c, http.StatusConflict, fmt.Sprintf("job %s has no failed firms to retry", parent.ID))
		return
	}
	upload, err := s.store.Upload(c.Request.Context(), parent.ID)
	if err != nil {
		upload = nil // the new job is complete without it; the parent keeps the original
	}
	opts := s.cfg.JobOptions
	if v := c.PostForm("priority"); strings.TrimSpace(v) != "" {
		p, err := parsePriority(v)
		if err != nil {
			fail(c, http.StatusBadRequest, err.Error())
			return
		}
		opts.Priority = p
	}
	h := sha256.New()
	fmt.Fprintf(h, "retry\x00%s\x00%s", parent.ID, parent.Run)
	// The firm list and its total are the workflow's to write.
	job := store.Job{
		ID: "job-" + hex.EncodeToString(h.Sum(nil))[:16], Name: parent.Name + " (retry of failed firms)",
		Filename: parent.Filename, Format: parent.Format, Sheet: parent.Sheet, HeaderRow: parent.HeaderRow,
		Headers: parent.Headers, Mapping: parent.Mapping, Created: time.Now().UTC(), Parent: parent.ID,
		Notify: parent.Notify,
	}
	existing, err := s.startJob(c, &job, upload, nil, opts, &contract.RunRef{JobID: parent.ID, Run: parent.Run})
	if err != nil {
		return
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	c.JSON(status, answer.Created{
		JobID: job.ID, Name: job.Name, Firms: v.Failed, Existing: existing, Sheet: job.Sheet, HeaderRow: job.HeaderRow,
		Columns: map[string]string{}, Rejected: []sheets.Rejected{}, Links: s.linksFor(job.ID),
	})
}
