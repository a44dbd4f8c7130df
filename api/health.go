package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

type worker struct {
	Identity string    `json:"identity"`
	LastPoll time.Time `json:"last_poll"`
}

type health struct {
	Status      string   `json:"status"` // ok, degraded (no worker polls while jobs run), down
	Temporal    string   `json:"temporal"`
	Store       string   `json:"store"`
	Workers     []worker `json:"workers"`
	RunningJobs int64    `json:"running_jobs"`
	Warning     string   `json:"warning,omitempty"`
}

// health answers 503 when Temporal or the store cannot be reached, and says
// "degraded" when jobs run but no worker polls: the predecessor's nine
// silent days looked exactly like that.
func (s *Server) health(c *gin.Context) {
	ctx, cancel := s.withTimeout(c, 3*time.Second)
	defer cancel()
	h := health{Status: "ok", Temporal: "ok", Store: "ok", Workers: []worker{}}
	if err := s.store.Ping(ctx); err != nil {
		h.Status, h.Store = "down", err.Error()
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		h.Status, h.Temporal = "down", "unreachable: "+err.Error()
		c.JSON(http.StatusServiceUnavailable, h)
		return
	}
	seen := map[string]int{}
	for _, kind := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
		resp, err := s.temporal.DescribeTaskQueue(ctx, s.cfg.TaskQueue, kind)
		if err != nil {
			continue
		}
		for _, p := range resp.GetPollers() {
			at := p.GetLastAccessTime().AsTime()
			if i, ok := seen[p.GetIdentity()]; ok {
				if at.After(h.Workers[i].LastPoll) {
					h.Workers[i].LastPoll = at
				}
				continue
			}
			seen[p.GetIdentity()] = len(h.Workers)
			h.Workers = append(h.Workers, worker{Identity: p.GetIdentity(), LastPoll: at})
		}
	}
	count, err := s.temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: s.cfg.Namespace,
		Query:     "WorkflowType = 'EnrichJob' AND ExecutionStatus = 'Running'",
	})
	if err == nil {
		h.RunningJobs = count.GetCount()
	}
	if h.RunningJobs > 0 && len(h.Workers) == 0 {
		h.Status, h.Warning = "degraded", "jobs are running but no worker is polling the task queue: start a worker"
	}
	status := http.StatusOK
	if h.Status == "down" {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, h)
}
