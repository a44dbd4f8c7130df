package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/store"
)

// watchPrefix starts every watch's ID, which is also its schedule's: the
// watches are the schedules with it.
const watchPrefix = "watch-"

// scheduleSpec reads a watch's interval: hourly, daily, weekly (Mondays),
// monthly (the 1st), each at 06:00 UTC but hourly; a duration such as 36h
// (at least a second, which tests use); or a cron expression of five fields.
func scheduleSpec(interval string) (client.ScheduleSpec, error) {
	v := strings.TrimSpace(strings.ToLower(interval))
	cron := map[string]string{"hourly": "0 * * * *", "daily": "0 6 * * *", "weekly": "0 6 * * 1", "monthly": "0 6 1 * *"}
	if c, ok := cron[v]; ok {
		return client.ScheduleSpec{CronExpressions: []string{c}}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d < time.Second {
			return client.ScheduleSpec{}, fmt.Errorf("interval %s is shorter than a second", interval)
		}
		return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: d}}}, nil
	}
	if len(strings.Fields(v)) == 5 {
		return client.ScheduleSpec{CronExpressions: []string{strings.Join(strings.Fields(v), " ")}}, nil
	}
	return client.ScheduleSpec{}, fmt.Errorf("interval %q is none of hourly, daily, weekly, monthly, a duration such as 36h, or a cron expression of five fields such as \"0 6 * * 1\"", interval)
}

func newWatchID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return watchPrefix + hex.EncodeToString(b)
}

// createWatch starts a watch over an uploaded list (multipart file, as for
// a job) or a stored job's firms (job_id): its record in the store, its
// schedule in Temporal, and by default a first refresh now.
func (s *Server) createWatch(c *gin.Context) {
	ctx := c.Request.Context()
	interval := c.PostForm("interval")
	spec, err := scheduleSpec(interval)
	if err != nil {
		fail(c, http.StatusBadRequest, err.Error())
		return
	}
	form, err := readJobForm(c, s.cfg.Email)
	if err != nil {
		s.answer(c, err, "read watch options")
		return
	}
	w := store.Watch{ID: newWatchID(), Name: form.name, Interval: strings.TrimSpace(interval), Notify: form.notify,
		Quiet: c.PostForm("quiet") == "true", Created: time.Now().UTC()}
	var firms int
	if from := strings.TrimSpace(c.PostForm("job_id")); from != "" {
		job, err := s.store.Job(ctx, from)
		if errors.Is(err, store.ErrNotFound) {
			fail(c, http.StatusNotFound, "no job with ID "+from+" to watch the list of")
			return
		}
		if err != nil {
			s.answer(c, err, "read job")
			return
		}
		w.List, firms = job.ID, job.Total
		if w.Name == "" {
			w.Name = job.Name
		}
	} else {
		data, filename, p, ok := s.uploadedFirms(c)
		if !ok {
			return
		}
		up := p.up
		if w.Name == "" {
			w.Name = strings.TrimSuffix(filename, filepath.Ext(filename))
		}
		// The list is kept as a job that never runs: each refresh copies it.
		list := store.Job{
			ID: "list-" + strings.TrimPrefix(w.ID, watchPrefix), Name: w.Name, Filename: filename, Format: up.Format, Sheet: up.Sheet,
			HeaderRow: up.HeaderRow, Headers: up.Headers, Mapping: up.Mapping, Total: len(up.Firms),
			Rejected: up.Rejected, Created: w.Created,
		}
		if err := s.store.PutJob(ctx, list, data, up.Firms); err != nil {
			s.answer(c, err, "store watch list")
			return
		}
		w.List, firms = list.ID, list.Total
	}
	if err := s.store.PutWatch(ctx, w); err != nil {
		s.answer(c, err, "store watch")
		return
	}
	opts := s.cfg.JobOptions
	if form.window > 0 {
		opts.Window = form.window
	}
	if form.priority > 0 {
		opts.Priority = form.priority
	}
	_, err = s.temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   w.ID,
		Spec: spec,
		Action: &client.ScheduleWorkflowAction{
			ID: w.ID, Workflow: contract.WatchWorkflow, TaskQueue: s.cfg.TaskQueue,
			Args: []any{contract.WatchInput{WatchID: w.ID, Options: opts, Link: s.cfg.PublicURL + "/"}},
		},
		// A refresh never starts while the last one runs; one missed while
		// the server was down still runs if it comes back within the window.
		Overlap:            enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow:      s.cfg.WatchCatchup,
		TriggerImmediately: c.DefaultPostForm("start_now", "true") != "false",
		Note:               "vcenrich watch " + w.Name,
	})
	if err != nil {
		_ = s.store.DeleteWatch(context.WithoutCancel(ctx), w.ID)
		var inv *serviceerror.InvalidArgument
		if errors.As(err, &inv) {
			fail(c, http.StatusBadRequest, "Temporal refused the schedule: "+inv.Message)
			return
		}
		s.log.Error("create schedule", zap.String("watch", w.ID), zap.Error(err))
		fail(c, http.StatusServiceUnavailable, "Temporal is not answering, so the watch was not created; try again shortly")
		return
	}
	s.log.Info("watch created", zap.String("watch", w.ID), zap.String("name", w.Name), zap.Int("firms", firms), zap.String("interval", w.Interval))
	v, err := s.watchView(ctx, w)
	if err != nil {
		s.answer(c, err, "describe watch")
		return
	}
	c.JSON(http.StatusCreated, v)
}

// watchView is a watch as the API shows it: its record and its schedule.
func (s *Server) watchView(ctx context.Context, w store.Watch) (answer.Watch, error) {
	v := answer.Watch{WatchID: w.ID, Name: w.Name, Interval: w.Interval, List: w.List, Notify: w.Notify, Quiet: w.Quiet,
		Created: w.Created, Jobs: w.Jobs, NextRuns: []time.Time{}, Links: answer.WatchLinks{
			Self:       s.cfg.PublicURL + "/api/watches/" + w.ID,
			TemporalUI: s.cfg.TemporalUIURL + "/namespaces/" + s.cfg.Namespace + "/schedules/" + w.ID,
		}}
	if v.Jobs == nil {
		v.Jobs = []string{}
	}
	if w.Last != nil {
		v.Last = w.Last.JobID
	}
	if list, err := s.store.Job(ctx, w.List); err == nil {
		v.Firms = list.Total
	}
	desc, err := s.temporal.ScheduleClient().GetHandle(ctx, w.ID).Describe(ctx)
	if err != nil {
		return v, err
	}
	v.Paused = desc.Schedule.State.Paused
	v.NextRuns = append(v.NextRuns, desc.Info.NextActionTimes...)
	for _, a := range desc.Info.RunningWorkflows {
		v.Running = append(v.Running, contract.RefreshJobID(a.WorkflowID))
	}
	return v, nil
}

// watchRecord reads the watch named in the path, answering 404 when there
// is none.
func (s *Server) watchRecord(c *gin.Context) (store.Watch, bool) {
	w, err := s.store.Watch(c.Request.Context(), c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		fail(c, http.StatusNotFound, "no watch with ID "+c.Param("id"))
		return store.Watch{}, false
	}
	if err != nil {
		s.answer(c, err, "read watch")
		return store.Watch{}, false
	}
	return w, true
}

func (s *Server) getWatch(c *gin.Context) {
	w, ok := s.watchRecord(c)
	if !ok {
		return
	}
	v, err := s.watchView(c.Request.Context(), w)
	if err != nil {
		s.watchError(c, w.ID, "describe", err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// listWatches lists the watches: the schedules whose IDs are watches'.
func (s *Server) listWatches(c *gin.Context) {
	ctx := c.Request.Context()
	it, err := s.temporal.ScheduleClient().List(ctx, client.ScheduleListOptions{PageSize: 100})
	if err != nil {
		s.watchError(c, "", "list", err)
		return
	}
	out := answer.WatchList{Watches: []answer.Watch{}}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			s.watchError(c, "", "list", err)
			return
		}
		if !strings.HasPrefix(e.ID, watchPrefix) {
			continue
		}
		w, err := s.store.Watch(ctx, e.ID)
		if err != nil {
			s.log.Warn("schedule without its watch record", zap.String("watch", e.ID), zap.Error(err))
			continue
		}
		v, err := s.watchView(ctx, w)
		if err != nil {
			s.watchError(c, w.ID, "describe", err)
			return
		}
		out.Watches = append(out.Watches, v)
	}
	c.JSON(http.StatusOK, out)
}

// watchControl pauses, resumes or triggers a watch's schedule. A refresh
// triggered while one runs is skipped, as a scheduled one would be.
func (s *Server) watchControl(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		w, ok := s.watchRecord(c)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		h := s.temporal.ScheduleClient().GetHandle(ctx, w.ID)
		var err error
		switch action {
		case "pause":
			err = h.Pause(ctx, client.SchedulePauseOptions{Note: "paused through the API"})
		case "resume":
			err = h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "resumed through the API"})
		case "trigger":
			err = h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP})
		}
		if err != nil {
			s.watchError(c, w.ID, action, err)
			return
		}
		s.log.Info("watch "+action, zap.String("watch", w.ID))
		v, err := s.watchView(ctx, w)
		if err != nil {
			s.watchError(c, w.ID, "describe", err)
			return
		}
		c.JSON(http.StatusOK, v)
	}
}

// deleteWatch removes a watch's schedule and record; its refreshes' jobs
// and workbooks stay, and a refresh running carries on to its end.
func (s *Server) deleteWatch(c *gin.Context) {
	w, ok := s.watchRecord(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	var nf *serviceerror.NotFound
	if err := s.temporal.ScheduleClient().GetHandle(ctx, w.ID).Delete(ctx); err != nil && !errors.As(err, &nf) {
		s.watchError(c, w.ID, "delete", err)
		return
	}
	if err := s.store.DeleteWatch(ctx, w.ID); err != nil {
		s.answer(c, err, "delete watch")
		return
	}
	s.log.Info("watch deleted", zap.String("watch", w.ID))
	c.Status(http.StatusNoContent)
}

func (s *Server) watchError(c *gin.Context, id, what string, err error) {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		fail(c, http.StatusNotFound, fmt.Sprintf("watch %s has no schedule in Temporal (deleted there?)", id))
		return
	}
	s.log.Warn("watch", zap.String("watch", id), zap.String("action", what), zap.Error(err))
	fail(c, http.StatusServiceUnavailable, "Temporal is not answering; try again shortly")
}
