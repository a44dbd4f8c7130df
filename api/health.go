package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
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
	Alerts      []Alert  `json:"alerts"`
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
	h.Workers = append(h.Workers, s.workers(ctx)...)
	count, err := s.temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: s.cfg.Namespace,
		Query:     "WorkflowType = 'EnrichJob' AND ExecutionStatus = 'Running'",
	})
	if err == nil {
		h.RunningJobs = count.GetCount()
	}
	h.Alerts = s.alerts.list()
	if h.RunningJobs > 0 && len(h.Workers) == 0 {
		h.Status, h.Warning = "degraded", "jobs are running but no worker is polling the task queue: start a worker"
	}
	status := http.StatusOK
	if h.Status == "down" {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, h)
}
