// Package api is vcenrich's HTTP API and dashboard, served by Gin: upload a
// spreadsheet to start a job, follow it, pause, resume or cancel it, and
// download the enriched workbook. Jobs live in Temporal and the result
// store; the server keeps no state of its own, so any number of servers can
// run and a restarted one shows every job as it is.
package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
	"github.com/vcenrich/vcenrich/workflows"
)

// Config is what the API needs from the process configuration.
type Config struct {
	TaskQueue      string
	PublicURL      string // how links in answers start, e.g. http://127.0.0.1:8080
	TemporalUIURL  string // e.g. http://127.0.0.1:8233
	Namespace      string
	UploadMaxBytes int64
	Limits         sheets.Limits
	JobOptions     workflows.Options // defaults for every job; an upload may narrow the window
	QueryTimeout   time.Duration     // how long to wait for a worker to answer a progress query
}

// Server serves the API. Build it with New.
type Server struct {
	cfg      Config
	temporal client.Client
	store    *store.Store
	log      *zap.Logger
	alerts   alerts
}

// New builds a server over a Temporal client and the result store.
func New(cfg Config, tc client.Client, st *store.Store, logger *zap.Logger) *Server {
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 3 * time.Second
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	return &Server{cfg: cfg, temporal: tc, store: st, log: logger}
}

// Handler is the Gin engine with every route.
func (s *Server) Handler() http.Handler {
	r := gin.New()
	r.Use(gin.Recovery(), s.accessLog())
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) { fail(c, http.StatusNotFound, "no such page: "+c.Request.URL.Path) })
	r.NoMethod(func(c *gin.Context) { fail(c, http.StatusMethodNotAllowed, c.Request.Method+" is not allowed here") })

	r.GET("/", s.dashboard)
	api := r.Group("/api")
	api.GET("/health", s.health)
	api.POST("/jobs", s.createJob)
	api.GET("/jobs", s.listJobs)
	api.GET("/jobs/:id", s.getJob)
	api.GET("/jobs/:id/result", s.getResult)
	api.POST("/jobs/:id/pause", s.signal(workflows.SignalPause))
	api.POST("/jobs/:id/resume", s.signal(workflows.SignalResume))
	api.POST("/jobs/:id/cancel", s.cancelJob)
	api.POST("/jobs/:id/retry-failed", s.retryFailed)
	api.GET("/alerts", s.getAlerts)
	return r
}

// apiError is every error answer: a message a person understands, plus
// whatever detail helps them act on it.
type apiError struct {
	Error   string   `json:"error"`
	Headers []string `json:"headers_found,omitempty"`
	Detail  any      `json:"detail,omitempty"`
}

func fail(c *gin.Context, status int, msg string) {
	c.AbortWithStatusJSON(status, apiError{Error: msg})
}

func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		fields := []zap.Field{
			zap.String("method", c.Request.Method), zap.String("path", c.Request.URL.Path),
			zap.Int("status", c.Writer.Status()), zap.Duration("elapsed", time.Since(start)),
		}
		if id := c.Param("id"); id != "" {
			fields = append(fields, zap.String("job", id))
		}
		if c.Writer.Status() >= 500 {
			s.log.Warn("request", fields...)
			return
		}
		s.log.Debug("request", fields...)
	}
}

// links are the places a person or program goes next for a job.
type links struct {
	Self       string `json:"self"`
	Result     string `json:"result"`
	Dashboard  string `json:"dashboard"`
	TemporalUI string `json:"temporal_ui"`
}

func (s *Server) linksFor(id string) links {
	return links{
		Self:       s.cfg.PublicURL + "/api/jobs/" + id,
		Result:     s.cfg.PublicURL + "/api/jobs/" + id + "/result",
		Dashboard:  s.cfg.PublicURL + "/#" + id,
		TemporalUI: s.cfg.TemporalUIURL + "/namespaces/" + s.cfg.Namespace + "/workflows/" + id,
	}
}

// jobRecord reads the stored job, answering 404 when there is none.
func (s *Server) jobRecord(c *gin.Context) (store.Job, bool) {
	job, err := s.store.Job(c.Request.Context(), c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		fail(c, http.StatusNotFound, "no job with ID "+c.Param("id"))
		return store.Job{}, false
	}
	if err != nil {
		s.log.Error("read job", zap.String("job", c.Param("id")), zap.Error(err))
		fail(c, http.StatusServiceUnavailable, "the result store is not answering; try again shortly")
		return store.Job{}, false
	}
	return job, true
}

func (s *Server) withTimeout(c *gin.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request.Context(), d)
}
