package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/vcenrich/vcenrich/contract"
)

type worker struct {
	Identity string    `json:"identity"`
	LastPoll time.Time `json:"last_poll"`
	// Live is true when the worker polled within the worker-loss delay:
	// Temporal lists a poller for minutes after it is gone.
	Live bool `json:"live"`
}

type health struct {
	Status      string    `json:"status"` // ok, degraded (jobs run but no live worker polls), down
	Temporal    string    `json:"temporal"`
	Store       string    `json:"store"`
	TaskQueue   string    `json:"task_queue"`
	Workers     []worker  `json:"workers"`
	LiveWorkers int       `json:"live_workers"`
	RunningJobs int64     `json:"running_jobs"`
	Warning     string    `json:"warning,omitempty"`
	Alerts      []Alert   `json:"alerts"`
	Checked     time.Time `json:"checked"`
	// AuthRequired says the server has an API token; without it the answer
	// is the probe's short form.
	AuthRequired bool `json:"auth_required"`
}

// probe is health's short form for requests without the API token: enough
// for a load balancer, nothing about the machines behind it.
type probe struct {
	Status       string `json:"status"`
	Temporal     string `json:"temporal"`
	Store        string `json:"store"`
	LiveWorkers  int    `json:"live_workers"`
	RunningJobs  int64  `json:"running_jobs"`
	AuthRequired bool   `json:"auth_required"`
	// RetryAfter, in seconds, says this address sent too many wrong tokens
	// and is not believed for now, whatever it sends.
	RetryAfter int `json:"retry_after_s,omitempty"`
}

// health answers 503 when Temporal or the store cannot be reached, and says
// "degraded" when jobs run but no worker polls: the predecessor's nine
// silent days looked exactly like that.
func (s *Server) health(c *gin.Context) {
	ctx, cancel := s.withTimeout(c, 3*time.Second)
	defer cancel()
	now := time.Now().UTC()
	h := health{Status: "ok", Temporal: "ok", Store: "ok", TaskQueue: s.cfg.TaskQueue, Workers: []worker{},
		Alerts: s.alerts.list(), Checked: now, AuthRequired: s.cfg.Token != ""}
	if err := s.store.Ping(ctx); err != nil {
		h.Status, h.Store = "down", err.Error()
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		h.Status, h.Temporal = "down", "unreachable: "+err.Error()
	} else {
		for _, w := range s.workers(ctx) {
			w.Live = now.Sub(w.LastPoll) <= s.cfg.WorkerLossAfter
			if w.Live {
				h.LiveWorkers++
			}
			h.Workers = append(h.Workers, w)
		}
		count, err := s.temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Namespace: s.cfg.Namespace,
			Query:     "WorkflowType = '" + contract.Workflow + "' AND ExecutionStatus = 'Running'",
		})
		if err == nil {
			h.RunningJobs = count.GetCount()
		}
		if h.Status == "ok" && h.RunningJobs > 0 && h.LiveWorkers == 0 {
			h.Status, h.Warning = "degraded", "jobs are running but no worker is polling the task queue: start a worker"
		}
	}
	status := http.StatusOK
	if h.Status == "down" {
		status = http.StatusServiceUnavailable
	}
	if ok, wait := s.authed(c); !ok {
		p := probe{Status: h.Status, Temporal: "ok", Store: "ok", LiveWorkers: h.LiveWorkers, RunningJobs: h.RunningJobs, AuthRequired: true,
			RetryAfter: retryAfter(wait)}
		if h.Temporal != "ok" {
			p.Temporal = "unreachable"
		}
		if h.Store != "ok" {
			p.Store = "unreachable"
		}
		c.JSON(status, p)
		return
	}
	c.JSON(status, h)
}
