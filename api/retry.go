package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

// retryReaders is how many results retryFailed reads at once.
const retryReaders = 16

// retryFailed starts a new job over just the firms that failed in a
// finished job: what operators of the predecessor did with hand-written SQL.
func (s *Server) retryFailed(c *gin.Context) {
	parent, ok := s.jobRecord(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	desc, err := s.temporal.DescribeWorkflow(ctx, parent.ID, "")
	if err != nil {
		fail(c, http.StatusServiceUnavailable, "Temporal is not answering; try again shortly")
		return
	}
	if desc.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		fail(c, http.StatusConflict, fmt.Sprintf("job %s is still running; retry its failed firms once it ends", parent.ID))
		return
	}
	if parent.Run == "" {
		fail(c, http.StatusConflict, fmt.Sprintf("job %s has no recorded run, so its failures cannot be told apart", parent.ID))
		return
	}
	// One read per firm: in parallel, since on object storage each is a
	// round trip and a job may hold 100,000 firms.
	isFailed := make([]bool, parent.Total)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(retryReaders)
	for i := range parent.Total {
		g.Go(func() error {
			res, ok, err := s.store.Result(gctx, parent.ID, i)
			if err != nil {
				return fmt.Errorf("firm %d: %w", i, err)
			}
			isFailed[i] = ok && res.Run == parent.Run && res.Status == firm.StatusFailed
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		s.log.Error("read results", zap.String("job", parent.ID), zap.Error(err))
		fail(c, http.StatusServiceUnavailable, "the result store is not answering; try again shortly")
		return
	}
	var failed []firm.Input
	for i, f := range isFailed {
		if !f {
			continue
		}
		in, err := s.store.Firm(ctx, parent.ID, i)
		if err != nil {
			s.log.Error("read firm", zap.String("job", parent.ID), zap.Int("firm", i), zap.Error(err))
			fail(c, http.StatusServiceUnavailable, "the result store is not answering; try again shortly")
			return
		}
		in.Index = len(failed)
		failed = append(failed, in)
	}
	if len(failed) == 0 {
		fail(c, http.StatusConflict, fmt.Sprintf("job %s has no failed firms to retry", parent.ID))
		return
	}
	upload, err := s.store.Upload(ctx, parent.ID)
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
	fmt.Fprintf(h, "retry\x00%s\x00%s\x00%d", parent.ID, parent.Run, len(failed))
	job := store.Job{
		ID: "job-" + hex.EncodeToString(h.Sum(nil))[:16], Name: parent.Name + " (retry of failed firms)",
		Filename: parent.Filename, Format: parent.Format, Sheet: parent.Sheet, HeaderRow: parent.HeaderRow,
		Headers: parent.Headers, Mapping: parent.Mapping, Total: len(failed), Created: time.Now().UTC(), Parent: parent.ID,
		Notify: parent.Notify,
	}
	existing, err := s.startJob(c, &job, upload, failed, opts)
	if err != nil {
		return
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	c.JSON(status, created{
		JobID: job.ID, Name: job.Name, Firms: job.Total, Existing: existing, Sheet: job.Sheet, HeaderRow: job.HeaderRow,
		Columns: map[string]string{}, Rejected: []sheets.Rejected{}, Links: s.linksFor(job.ID),
	})
}
