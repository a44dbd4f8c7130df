package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/contract/visibility"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

// uploadedFirms reads the spreadsheet of a request (its file and the
// mapping the user chose) into firms; on failure it has answered.
func (s *Server) uploadedFirms(c *gin.Context) (data []byte, filename string, p parsed, ok bool) {
	data, filename, err := s.readUpload(c)
	if err != nil {
		s.answer(c, err, "read upload")
		return nil, "", parsed{}, false
	}
	ch, err := parseChoice(c.PostForm("mapping"))
	if err != nil {
		s.answer(c, err, "read mapping")
		return nil, "", parsed{}, false
	}
	if p, err = s.parseUpload(data, filename, ch); err != nil {
		s.uploadError(c, err)
		return nil, "", parsed{}, false
	}
	if len(p.up.Firms) == 0 {
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, answer.Error{
			Error:  "no row of the sheet has a usable website, so there is nothing to enrich",
			Detail: gin.H{"rejected": p.up.Rejected},
		})
		return nil, "", parsed{}, false
	}
	return data, filename, p, true
}

func (s *Server) createJob(c *gin.Context) {
	form, err := readJobForm(c, s.cfg.Email)
	if err != nil {
		s.answer(c, err, "read job options")
		return
	}
	data, filename, p, ok := s.uploadedFirms(c)
	if !ok {
		return
	}
	up := p.up

	opts := s.cfg.JobOptions
	if form.window > 0 {
		opts.Window = form.window
	}
	if form.priority > 0 {
		opts.Priority = form.priority
	}
	name := form.name
	if name == "" {
		name = strings.TrimSuffix(filename, filepath.Ext(filename))
	}
	mappingKey := ""
	if p.remapped {
		mappingKey = fmt.Sprintf("%d,%d,%d", up.Mapping.Name, up.Mapping.Website, up.Mapping.Description)
	}
	job := store.Job{
		ID: jobID(data, name, opts, mappingKey), Name: name, Filename: filename, Format: up.Format, Sheet: up.Sheet,
		HeaderRow: up.HeaderRow, Headers: up.Headers, Mapping: up.Mapping, Total: len(up.Firms),
		Rejected: up.Rejected, Created: time.Now().UTC(), Notify: form.notify,
	}
	existing, err := s.startJob(c, &job, data, up.Firms, opts, nil)
	if err != nil {
		return
	}
	rejected := up.Rejected
	if rejected == nil {
		rejected = []sheets.Rejected{}
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	c.JSON(status, answer.Created{
		JobID: job.ID, Name: name, Firms: job.Total, Existing: existing, Sheet: up.Sheet, HeaderRow: up.HeaderRow,
		Columns: columnsOf(up), Rejected: rejected, Window: opts.Window, Priority: opts.Priority,
		Notify: job.Notify, Links: s.linksFor(job.ID),
	})
}

// jobID is derived from the upload and its options, so the same file with
// the same options maps to the same job: uploading it again while it runs
// returns the running job instead of starting a second one. A mapping
// other than the detected one makes another job.
func jobID(data []byte, name string, opts contract.Options, mapping string) string {
	h := sha256.New()
	h.Write(data)
	fmt.Fprintf(h, "\x00%s\x00%d\x00%d", name, opts.Window, opts.Priority)
	if mapping != "" {
		fmt.Fprintf(h, "\x00mapping %s", mapping)
	}
	return "job-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// parsePriority reads a job priority: urgent, high, normal, low or 1–5.
func parsePriority(v string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "normal":
		return 3, nil
	case "urgent":
		return 1, nil
	case "high":
		return 2, nil
	case "low":
		return 5, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 5 {
		return 0, fmt.Errorf("priority must be urgent, high, normal, low or a number from 1 (first) to 5 (last)")
	}
	return n, nil
}

// startJob stores a job's firms and starts its workflow, unless the same
// job is running already (existing is then true and nothing is touched).
// A retry (retryOf set) stores no firms: its workflow gathers them. On
// error it has answered the request.
func (s *Server) startJob(c *gin.Context, job *store.Job, upload []byte, firms []firm.Input, opts contract.Options, retryOf *contract.RunRef) (existing bool, err error) {
	ctx := c.Request.Context()
	if desc, err := s.temporal.DescribeWorkflow(ctx, job.ID, ""); err == nil && desc.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		s.log.Info("same job already running", zap.String("job", job.ID))
		// Answer with the running job's own settings (whom it notifies),
		// not the ones this upload asked for.
		if stored, err := s.store.Job(ctx, job.ID); err == nil {
			*job = stored
		}
		return true, nil
	}
	// A job run again keeps its last run on record until the new one has
	// started: a start Temporal refuses must not leave a record that says
	// the job never ran.
	if prev, err := s.store.Job(ctx, job.ID); err == nil && job.Run == "" {
		job.Run = prev.Run
	}
	if err := s.store.PutJob(ctx, *job, upload, firms); err != nil {
		s.log.Error("store upload", zap.String("job", job.ID), zap.Error(err))
		fail(c, http.StatusServiceUnavailable, "the result store is not answering, so the job was not started; try again shortly")
		return false, err
	}
	run, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        job.ID,
		TaskQueue: s.cfg.TaskQueue,
		// A finished job may run again; a running one is never doubled,
		// even when two identical uploads race past the check above.
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Priority:                 temporal.Priority{PriorityKey: opts.Priority, FairnessKey: job.ID},
		TypedSearchAttributes:    visibility.Starting(job.Name, job.Total),
	}, contract.Workflow, contract.Input{
		JobID: job.ID, Name: job.Name, Total: job.Total, Options: opts,
		Notify: job.Notify, Link: s.linksFor(job.ID).Dashboard, RetryOf: retryOf,
	})
	if err != nil {
		s.log.Error("start workflow", zap.String("job", job.ID), zap.Error(err))
		fail(c, http.StatusServiceUnavailable, "Temporal is not answering, so the job was not started; try again shortly")
		return false, err
	}
	job.Run = run.GetRunID()
	if err := s.store.UpdateJob(ctx, *job); err != nil {
		// The job runs; only retry-failed needs the run, and says so.
		s.log.Error("record job run", zap.String("job", job.ID), zap.Error(err))
	}
	s.log.Info("job started", zap.String("job", job.ID), zap.String("name", job.Name), zap.Int("firms", job.Total),
		zap.Int("rejected", len(job.Rejected)), zap.Int("priority", opts.Priority), zap.Int("window", opts.Window))
	return false, nil
}

func columnsOf(up *sheets.Upload) map[string]string {
	cols := map[string]string{}
	for role, i := range map[string]int{"name": up.Mapping.Name, "website": up.Mapping.Website, "description": up.Mapping.Description} {
		if i >= 0 && i < len(up.Headers) {
			cols[role] = up.Headers[i]
		}
	}
	return cols
}

func (s *Server) getJob(c *gin.Context) {
	job, ok := s.jobRecord(c)
	if !ok {
		return
	}
	v, err := s.view(c, job)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		fail(c, http.StatusNotFound, fmt.Sprintf("job %s is not known to Temporal: it never started, or its history has expired (its workbook may still be downloaded)", job.ID))
		return
	}
	if err != nil {
		s.log.Warn("describe job", zap.String("job", job.ID), zap.Error(err))
		fail(c, http.StatusServiceUnavailable, "Temporal is not answering; the job's state is unknown for now")
		return
	}
	c.JSON(http.StatusOK, v)
}

// view assembles a job's state: the workflow's own answer when a worker is
// there to give it, else what visibility last recorded.
func (s *Server) view(c *gin.Context, job store.Job) (answer.Job, error) {
	ctx := c.Request.Context()
	v := answer.Job{JobID: job.ID, Name: job.Name, Total: job.Total, Rejected: len(job.Rejected), InFlight: []int{}, Links: s.linksFor(job.ID)}
	desc, err := s.temporal.DescribeWorkflow(ctx, job.ID, "")
	if err != nil {
		return v, err
	}
	v.Started = desc.WorkflowStartTime
	if desc.WorkflowCloseTime != nil {
		v.Closed = *desc.WorkflowCloseTime
	}
	sa := desc.TypedSearchAttributes
	reported, _ := sa.GetKeyword(visibility.StatusKey())
	if d, ok := sa.GetInt64(visibility.DoneKey()); ok {
		v.Processed = int(d)
	}
	if desc.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		// A job run again keeps its previous workbook until the new run
		// writes its own: only a closed run's workbook is its result.
		if r, _, _, err := s.finalWorkbook(ctx, job.ID, desc.WorkflowStartTime); err == nil {
			r.Close()
			v.ResultReady = true
		}
	}

	switch desc.Status {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		qctx, cancel := s.withTimeout(c, s.cfg.QueryTimeout)
		defer cancel()
		// A sliced job counts a slice's firms when the slice ends; until
		// then its heartbeats say which have finished. They are read before
		// the query, so a slice that ends in between is counted once: by
		// the query, which then no longer lists it as in flight.
		pending, _ := s.slicesRunning(qctx, job.ID)
		var p contract.Progress
		enc, qerr := s.temporal.QueryWorkflow(qctx, job.ID, "", contract.QueryProgress)
		if qerr == nil && enc.Get(&p) == nil {
			v.WorkerAnswering = true
			reported, v.Done, v.Failed, v.InFlight = p.Status, p.Done, p.Failed, p.InFlight
			v.TeamMembers, v.FailuresByReason = p.TeamMembers, p.FailuresByReason
			v.RatePerMinute, v.ETASeconds = p.RatePerMinute, p.ETASeconds
			v.Paused, v.PausedSince, v.Started, v.Updated = p.Paused, p.PausedSince, p.Started, p.Updated
			v.Stalled = p.Stalled
			addSlices(&v, p.Slices, pending)
		} else {
			v.Note = "no worker is answering: showing the last recorded progress; start a worker to carry on"
		}
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		// A cancelled job's figures are the details of its cancellation.
		var r contract.Result
		err := s.temporal.GetWorkflow(ctx, job.ID, "").Get(ctx, &r)
		var ce *temporal.CanceledError
		if errors.As(err, &ce) {
			var msg string
			err = ce.Details(&msg, &r)
		}
		if err == nil && r.JobID != "" {
			v.Done, v.Failed, v.TeamMembers, v.FailuresByReason = r.Done, r.Failed, r.TeamMembers, r.FailuresByReason
			v.Started, v.Updated = r.Started, r.Finished
		}
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		v.Note = "the job was terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		v.Note = "the job failed; its history in the Temporal UI says why"
		if desc.Status == enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT {
			v.Note = "the job ran past its time limit"
		}
		// The workflow's own message, not the chain around it (workflow
		// and activity IDs, event numbers, worker identities).
		var ae *temporal.ApplicationError
		if err := s.temporal.GetWorkflow(ctx, job.ID, "").Get(ctx, nil); errors.As(err, &ae) && ae.Message() != "" {
			v.Note = ae.Message()
		}
	}
	v.Status = visibility.JobStatus(desc.Status, reported)
	if v.Done+v.Failed > v.Processed {
		v.Processed = v.Done + v.Failed
	}
	return v, nil
}

func (s *Server) listJobs(c *gin.Context) {
	size := 50
	if v := c.Query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			fail(c, http.StatusBadRequest, "page_size must be a whole number from 1 to 500")
			return
		}
		size = n
	}
	// Each continue-as-new leaves a closed run behind; only the live end of
	// each chain is a job.
	query := "WorkflowType = '" + contract.Workflow + "' AND ExecutionStatus != 'ContinuedAsNew'"
	if st := c.Query("status"); st != "" {
		if !slices.Contains(contract.Statuses(), st) {
			fail(c, http.StatusBadRequest, "status must be one of "+strings.Join(contract.Statuses(), ", "))
			return
		}
		query += fmt.Sprintf(" AND %s = '%s'", contract.SearchStatus, st)
	}
	var token []byte
	if t := c.Query("page_token"); t != "" {
		b, err := hex.DecodeString(t)
		if err != nil {
			fail(c, http.StatusBadRequest, "page_token is not one this API gave out")
			return
		}
		token = b
	}
	resp, err := s.temporal.ListWorkflow(c.Request.Context(), &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: s.cfg.Namespace, PageSize: int32(size), NextPageToken: token, Query: query,
	})
	if err != nil {
		var inv *serviceerror.InvalidArgument
		if errors.As(err, &inv) {
			fail(c, http.StatusBadRequest, "the job list cannot be filtered that way: "+inv.Message)
			return
		}
		s.log.Warn("list jobs", zap.Error(err))
		fail(c, http.StatusServiceUnavailable, "Temporal is not answering; the job list is unavailable for now")
		return
	}
	dc := converter.GetDefaultDataConverter()
	jobs := make([]answer.JobSummary, 0, len(resp.Executions))
	seen := map[string]bool{} // a job run again lists its older runs too: show the newest
	for _, e := range resp.Executions {
		if seen[e.GetExecution().GetWorkflowId()] {
			continue
		}
		seen[e.GetExecution().GetWorkflowId()] = true
		j := answer.JobSummary{JobID: e.GetExecution().GetWorkflowId(), Started: e.GetStartTime().AsTime()}
		if e.GetCloseTime() != nil {
			j.Closed = e.GetCloseTime().AsTime()
		}
		fields := e.GetSearchAttributes().GetIndexedFields()
		decode := func(key string, into any) {
			if p, ok := fields[key]; ok {
				_ = dc.FromPayload(p, into)
			}
		}
		var reported string
		decode(contract.SearchStatus, &reported)
		decode(contract.SearchUpload, &j.Name)
		decode(contract.SearchDone, &j.Processed)
		decode(contract.SearchTotal, &j.Total)
		decode(contract.SearchFailed, &j.Failed)
		var team float64
		decode(contract.SearchTeam, &team)
		j.TeamMembers = int(team)
		j.Done = max(0, j.Processed-j.Failed)
		j.Status = visibility.JobStatus(e.GetStatus(), reported)
		j.Links = s.linksFor(j.JobID)
		jobs = append(jobs, j)
	}
	c.JSON(http.StatusOK, answer.JobList{Jobs: jobs, NextPageToken: hex.EncodeToString(resp.NextPageToken)})
}

func (s *Server) control(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		job, ok := s.jobRecord(c)
		if !ok {
			return
		}
		ctl := contract.Control{Action: action, At: time.Now().UTC(), Reason: "requested through the API"}
		if err := s.temporal.SignalWorkflow(c.Request.Context(), job.ID, "", contract.SignalControl, ctl); err != nil {
			s.controlError(c, job.ID, action, err)
			return
		}
		s.log.Info("job signalled", zap.String("job", job.ID), zap.String("action", action))
		c.JSON(http.StatusAccepted, answer.Accepted{JobID: job.ID, Signal: action, Links: s.linksFor(job.ID)})
	}
}

func (s *Server) cancelJob(c *gin.Context) {
	job, ok := s.jobRecord(c)
	if !ok {
		return
	}
	if err := s.temporal.CancelWorkflow(c.Request.Context(), job.ID, ""); err != nil {
		s.controlError(c, job.ID, "cancel", err)
		return
	}
	s.log.Info("job cancel requested", zap.String("job", job.ID))
	c.JSON(http.StatusAccepted, answer.Accepted{JobID: job.ID, Signal: "cancel", Links: s.linksFor(job.ID)})
}

func (s *Server) controlError(c *gin.Context, id, what string, err error) {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		fail(c, http.StatusConflict, fmt.Sprintf("job %s is no longer running, so it cannot %s", id, what))
		return
	}
	s.log.Warn("control job", zap.String("job", id), zap.String("action", what), zap.Error(err))
	fail(c, http.StatusServiceUnavailable, "Temporal is not answering; try again shortly")
}

// slicesRunning reads the heartbeats of a job's pending slice activities,
// by activity ID.
func (s *Server) slicesRunning(ctx context.Context, id string) (map[string]contract.BatchProgress, error) {
	resp, err := s.temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return nil, err
	}
	dc := converter.GetDefaultDataConverter()
	out := map[string]contract.BatchProgress{}
	for _, a := range resp.GetPendingActivities() {
		if a.GetActivityType().GetName() != contract.ActivityEnrichBatch || a.GetHeartbeatDetails() == nil {
			continue
		}
		var bp contract.BatchProgress
		if dc.FromPayloads(a.GetHeartbeatDetails(), &bp) == nil {
			out[a.GetActivityId()] = bp
		}
	}
	return out, nil
}

// addSlices adds to a job's figures what its slices in flight (the
// progress query's) have finished so far, and their running firms.
func addSlices(v *answer.Job, inFlight []string, pending map[string]contract.BatchProgress) {
	for _, id := range inFlight {
		bp, ok := pending[id]
		if !ok {
			continue
		}
		c := bp.Counts
		v.Done += c.Done
		v.Failed += c.Failed
		v.TeamMembers += c.TeamMembers
		for reason, n := range c.FailuresByReason {
			if v.FailuresByReason == nil {
				v.FailuresByReason = map[string]int{}
			}
			v.FailuresByReason[reason] += n
		}
		v.InFlight = append(v.InFlight, bp.Running...)
	}
	slices.Sort(v.InFlight)
}
