package api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/contract"
)

// Alert is something a person must act on.
type Alert struct {
	Kind    string    `json:"kind"` // worker_loss or stalled
	Job     string    `json:"job,omitempty"`
	Message string    `json:"message"`
	Since   time.Time `json:"since"`
}

// alerts holds the alerts in force. Worker loss is watched here, outside the
// workers, because a workflow timer cannot fire when no worker runs: that
// is how the predecessor's job sat silent for nine days.
type alerts struct {
	mu      sync.Mutex
	current []Alert
}

func (a *alerts) list() []Alert {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Alert{}, a.current...) // [] rather than null when there are none
}

// set replaces the alerts in force and returns those that are new and those
// that cleared, keyed by kind and job, keeping each alert's first Since.
func (a *alerts) set(now []Alert) (raised, cleared []Alert) {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := func(x Alert) string { return x.Kind + "/" + x.Job }
	old := map[string]Alert{}
	for _, x := range a.current {
		old[key(x)] = x
	}
	for i, x := range now {
		if prev, ok := old[key(x)]; ok {
			now[i].Since = prev.Since
			delete(old, key(x))
			continue
		}
		raised = append(raised, x)
	}
	for _, x := range old {
		cleared = append(cleared, x)
	}
	a.current = now
	return raised, cleared
}

// Watch checks for worker loss and stalled jobs every interval until ctx
// ends. workerLossAfter is how long no worker may poll while jobs run.
func (s *Server) Watch(ctx context.Context, interval, workerLossAfter time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.CheckAlerts(ctx, workerLossAfter)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CheckAlerts runs one check and logs what was raised or cleared.
func (s *Server) CheckAlerts(ctx context.Context, workerLossAfter time.Duration) []Alert {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	now := time.Now()
	var found []Alert
	running, err := s.temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: s.cfg.Namespace,
		Query:     "WorkflowType = '" + contract.Workflow + "' AND ExecutionStatus = 'Running'",
	})
	if err != nil {
		s.log.Warn("alert check: Temporal not answering", zap.Error(err))
		return s.alerts.list() // keep what was known rather than clear it blindly
	}
	workers := s.workers(ctx)
	if s.cfg.OnCheck != nil {
		live := 0
		for _, w := range workers {
			if now.Sub(w.LastPoll) <= workerLossAfter {
				live++
			}
		}
		s.cfg.OnCheck(int(running.GetCount()), live)
	}
	if n := running.GetCount(); n > 0 {
		last := time.Time{}
		for _, w := range workers {
			if w.LastPoll.After(last) {
				last = w.LastPoll
			}
		}
		if quiet := now.Sub(last); last.IsZero() || quiet > workerLossAfter {
			msg := fmt.Sprintf("%d job(s) running but no worker has polled task queue %q", n, s.cfg.TaskQueue)
			if !last.IsZero() {
				msg += fmt.Sprintf(" for %s", quiet.Round(time.Second))
			}
			found = append(found, Alert{Kind: "worker_loss", Message: msg + ": start a worker", Since: now})
		}
	}
	stalled, err := s.temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: s.cfg.Namespace, PageSize: 100,
		Query: fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s'", contract.Workflow, contract.SearchStatus, contract.StatusStalled),
	})
	if err == nil {
		for _, e := range stalled.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			found = append(found, Alert{Kind: "stalled", Job: id, Message: fmt.Sprintf("job %s has finished no firm for a long while", id), Since: now})
		}
	}
	raised, cleared := s.alerts.set(found)
	for _, a := range raised {
		s.log.Error("ALERT "+a.Kind, zap.String("job", a.Job), zap.String("message", a.Message))
		if s.cfg.OnAlert != nil {
			s.cfg.OnAlert(ctx, a)
		}
	}
	for _, a := range cleared {
		s.log.Info("alert cleared: "+a.Kind, zap.String("job", a.Job))
	}
	return s.alerts.list()
}

// workers are the pollers of the task queue, workflow and activity kinds
// merged by identity with their latest poll.
func (s *Server) workers(ctx context.Context) []worker {
	var out []worker
	seen := map[string]int{}
	for _, kind := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
		resp, err := s.temporal.DescribeTaskQueue(ctx, s.cfg.TaskQueue, kind)
		if err != nil {
			continue
		}
		for _, p := range resp.GetPollers() {
			at := p.GetLastAccessTime().AsTime()
			if i, ok := seen[p.GetIdentity()]; ok {
				if at.After(out[i].LastPoll) {
					out[i].LastPoll = at
				}
				continue
			}
			seen[p.GetIdentity()] = len(out)
			out = append(out, worker{Identity: p.GetIdentity(), LastPoll: at})
		}
	}
	return out
}

// alertList is the answer to GET /api/alerts.
type alertList struct {
	Alerts []Alert `json:"alerts"`
}

func (s *Server) getAlerts(c *gin.Context) {
	c.JSON(http.StatusOK, alertList{Alerts: s.alerts.list()})
}
