// Package api is vcenrich's HTTP API and dashboard, served by Gin: preview an
// uploaded spreadsheet and confirm its columns, start a job, follow it,
// pause, resume or cancel it, and download the enriched workbook (a partial
// one while the job runs) or one of its sheets as CSV. Jobs live in Temporal
// and the result store; the server keeps no state of its own beyond a small
// cache of built workbooks, so any number of servers can run and a restarted
// one shows every job as it is.
package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	lru "github.com/hashicorp/golang-lru/v2"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

// Config is what the API needs from the process configuration.
type Config struct {
	TaskQueue      string
	PublicURL      string // how links in answers start, e.g. http://127.0.0.1:8080
	TemporalUIURL  string // e.g. http://127.0.0.1:8233
	Namespace      string
	UploadMaxBytes int64
	Limits         sheets.Limits
	JobOptions     contract.Options // defaults for every job; an upload may narrow the window
	QueryTimeout   time.Duration    // how long to wait for a worker to answer a progress query
	// Token, when set, is required by every /api route but the login and a
	// reduced /api/health for probes.
	Token string
	// Email says whether this deployment sends email (VCENRICH_SMTP_ADDR is
	// set): without it, uploads may name webhooks only.
	Email bool
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For names the client (default none: the client is
	// the connection's address, which no header can change).
	TrustedProxies []string
	// WorkerLossAfter is how long ago a worker may have last polled and still
	// count as live (default 2m).
	WorkerLossAfter time.Duration
	// WatchCatchup is a watch's schedule's catch-up window: a refresh due
	// while Temporal was down runs if it comes back within it.
	WatchCatchup time.Duration
	// TempDir holds the workbooks built for partial results and the rows
	// indexes for paging them (default: the system's temporary folder).
	TempDir string
	// OnAlert, when set, is told of every alert as it is raised (the
	// server's notifications); OnCheck of every check's counts (metrics).
	OnAlert func(context.Context, Alert)
	OnCheck func(runningJobs, liveWorkers int)
}

// Server serves the API. Build it with New.
type Server struct {
	cfg       Config
	temporal  client.Client
	store     *store.Store
	log       *zap.Logger
	alerts    alerts
	workbooks *workbookCache
	// indexes are final workbooks' rows indexes by job and workbook
	// version, so paging reads only rows from the store.
	indexes *lru.Cache[string, store.Rows]
	guesses *guesses
	glances *glances
}

// New builds a server over a Temporal client and the result store.
func New(cfg Config, tc client.Client, st *store.Store, logger *zap.Logger) *Server {
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 3 * time.Second
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if cfg.UploadMaxBytes <= 0 {
		cfg.UploadMaxBytes = config.DefaultUploadMaxBytes
	}
	if cfg.WorkerLossAfter <= 0 {
		cfg.WorkerLossAfter = config.DefaultWorkerLossAfter
	}
	if cfg.WatchCatchup <= 0 {
		cfg.WatchCatchup = config.DefaultWatchCatchup
	}
	// A few tens of kilobytes each (a 50,000-firm job's is 16 KB).
	indexes, _ := lru.New[string, store.Rows](64) // errors only for a size below 1
	return &Server{cfg: cfg, temporal: tc, store: st, log: logger, workbooks: newWorkbookCache(cfg.TempDir, 4), indexes: indexes, guesses: newGuesses(guessBurst, guessEvery), glances: newGlances()}
}

// Close removes the workbooks the server built and cached.
func (s *Server) Close() error { return s.workbooks.close() }

// Handler is the Gin engine with every route.
func (s *Server) Handler() http.Handler {
	r := gin.New()
	if err := r.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		// The configuration checks these; trust none rather than all.
		s.log.Error("VCENRICH_TRUSTED_PROXIES: trusting no proxy", zap.Error(err))
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(gin.Recovery(), s.accessLog(), securityHeaders, crossOrigin(http.NewCrossOriginProtection()), smallBodies)
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) { fail(c, http.StatusNotFound, "no such page: "+c.Request.URL.Path) })
	r.NoMethod(func(c *gin.Context) { fail(c, http.StatusMethodNotAllowed, c.Request.Method+" is not allowed here") })

	r.GET("/", s.dashboard)
	r.GET("/assets/:file", s.asset)

	// Open to everyone: probes need health, and the dashboard needs a way in.
	open := r.Group("/api")
	open.GET("/health", s.health)
	open.POST("/login", s.login)
	open.POST("/logout", s.logout)

	api := r.Group("/api", s.requireToken)
	api.GET("/openapi.json", s.openapi)
	api.POST("/jobs/preview", s.previewJob)
	api.POST("/jobs", s.createJob)
	api.GET("/jobs", s.listJobs)
	api.GET("/jobs/:id", s.getJob)
	api.GET("/jobs/:id/result", s.getResult)
	api.GET("/jobs/:id/result.csv", s.getResultCSV)
	api.GET("/jobs/:id/result.json", s.getResultRows)
	api.GET("/jobs/:id/glance", s.getGlance)
	api.GET("/jobs/:id/firms/:index", s.getFirm)
	api.POST("/jobs/:id/pause", s.control(contract.ActionPause))
	api.POST("/jobs/:id/resume", s.control(contract.ActionResume))
	api.POST("/jobs/:id/cancel", s.cancelJob)
	api.POST("/jobs/:id/retry-failed", s.retryFailed)
	api.POST("/watches", s.createWatch)
	api.GET("/watches", s.listWatches)
	api.GET("/watches/:id", s.getWatch)
	api.POST("/watches/:id/pause", s.watchControl("pause"))
	api.POST("/watches/:id/resume", s.watchControl("resume"))
	api.POST("/watches/:id/trigger", s.watchControl("trigger"))
	api.DELETE("/watches/:id", s.deleteWatch)
	api.GET("/alerts", s.getAlerts)
	return r
}

func fail(c *gin.Context, status int, msg string) {
	c.AbortWithStatusJSON(status, answer.Error{Error: msg})
}

// problem is an error that knows its answer, so helpers deep in a request
// can say what went wrong and the handler answers in one place.
type problem struct {
	status int
	body   answer.Error
}

func (p *problem) Error() string { return p.body.Error }

func newProblem(status int, msg string) *problem {
	return &problem{status: status, body: answer.Error{Error: msg}}
}

// answer sends err as the request's answer: its own status when it is a
// problem, else 503 with a generic message (the details go to the log).
func (s *Server) answer(c *gin.Context, err error, what string) {
	var p *problem
	if errors.As(err, &p) {
		c.AbortWithStatusJSON(p.status, p.body)
		return
	}
	s.log.Error(what, zap.String("job", c.Param("id")), zap.Error(err))
	fail(c, http.StatusServiceUnavailable, "the result store or Temporal is not answering; try again shortly")
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

// smallBodyMax is the most any request but an upload may send: a token, a
// pause reason, a list of firms to retry.
const smallBodyMax = 64 << 10

// smallBodies caps the bodies of every route but the two that take a
// spreadsheet (which cap theirs at the upload limit), so that no request,
// signed in or not, can make the server hold more than that.
func smallBodies(c *gin.Context) {
	if c.Request.Method == http.MethodPost && (c.FullPath() == "/api/jobs" || c.FullPath() == "/api/jobs/preview") {
		c.Next()
		return
	}
	if c.Request.ContentLength > smallBodyMax {
		fail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("this request's body is larger than the %s it may be", sizeText(smallBodyMax)))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, smallBodyMax)
	c.Next()
}

// securityHeaders keeps browsers from guessing content types, framing the
// dashboard or leaking job IDs in referrers.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	c.Next()
}

// crossOrigin refuses state-changing requests a browser sends from another
// site, so a page elsewhere cannot pause or cancel jobs through a visitor's
// browser (or use the login cookie).
func crossOrigin(cop *http.CrossOriginProtection) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			fail(c, http.StatusForbidden, "cross-site requests are refused: use the dashboard served by this server, or call the API without a browser")
			return
		}
		c.Next()
	}
}

func (s *Server) linksFor(id string) answer.Links {
	return answer.Links{
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
