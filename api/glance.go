package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	lru "github.com/hashicorp/golang-lru/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"golang.org/x/sync/singleflight"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

// timelineBars is the most buckets a job's timeline has.
const timelineBars = 240

// glances keeps the glances counted, by job run: a closed run's for as long
// as the cache holds it, a running one's for a few seconds (longer when the
// count took long), so a job page open on a big job costs a count every so
// often rather than one per refresh, and one count at a time.
type glances struct {
	cache  *lru.Cache[string, glanceEntry]
	flight singleflight.Group
}

type glanceEntry struct {
	g      answer.Glance
	closed bool
	until  time.Time // a running job's count is fresh until then
}

func newGlances() *glances {
	c, _ := lru.New[string, glanceEntry](64) // errors only for a size below 1
	return &glances{cache: c}
}

// getGlance answers a job's results at a glance: coverage, tiers, website
// statuses, failures by reason and firms finished over time.
func (s *Server) getGlance(c *gin.Context) {
	job, ok := s.jobRecord(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	desc, err := s.temporal.DescribeWorkflow(ctx, job.ID, "")
	// Past retention the workflow is gone but its results are the store's.
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		s.answer(c, err, "glance")
		return
	}
	if job.Run == "" {
		fail(c, http.StatusConflict, fmt.Sprintf("job %s never started, so it has no results", job.ID))
		return
	}
	running := err == nil && desc.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	key := job.ID + " " + job.Run
	if e, ok := s.glances.cache.Get(key); ok && (e.closed || time.Now().Before(e.until)) {
		c.JSON(http.StatusOK, e.g)
		return
	}
	v, err, _ := s.glances.flight.Do(key, func() (any, error) {
		began := time.Now()
		g, err := s.countGlance(ctx, job, running)
		if err != nil {
			return nil, err
		}
		s.glances.cache.Add(key, glanceEntry{g: g, closed: !running, until: time.Now().Add(max(partialMaxAge, 4*time.Since(began)))})
		return g, nil
	})
	if err != nil {
		s.answer(c, err, "glance")
		return
	}
	if running {
		c.Header("Cache-Control", "no-store")
	}
	c.JSON(http.StatusOK, v)
}

// countGlance reads the run's results firm by firm, as the export does,
// and counts them the way the workbook's Summary does.
func (s *Server) countGlance(ctx context.Context, job store.Job, running bool) (answer.Glance, error) {
	e := s.store.Export(ctx, job, job.Run, sheets.Summary{}, nil)
	g := answer.Glance{JobID: job.ID, Partial: running, Total: job.Total}
	var cov sheets.Coverage
	reasons := map[string]int{}
	finished := map[int64][2]int{} // by Unix second: done, failed
	for i := range e.Total {
		_, res, err := e.Load(i)
		if err != nil {
			return answer.Glance{}, fmt.Errorf("glance of job %s: %w", job.ID, err)
		}
		failed := res.Status == firm.StatusFailed
		switch {
		case res.Status == firm.StatusOK:
			g.Done++
		case failed:
			g.Failed++
			reasons[res.Reason]++
		default:
			continue // not processed yet
		}
		cov.AddFirm(res)
		for _, m := range res.Team {
			cov.AddMember(m)
		}
		if !res.Finished.IsZero() {
			n := finished[res.Finished.Unix()]
			if failed {
				n[1]++
			} else {
				n[0]++
			}
			finished[res.Finished.Unix()] = n
		}
	}
	g.Coverage = answer.GlanceCoverage{
		Enriched: cov.Enriched, WithTeam: cov.WithTeam, Members: cov.Members, WithTitle: cov.Title,
		WithLinkedIn: cov.LinkedIn, WithEmail: cov.Email - cov.InferredEmail, InferredEmail: cov.InferredEmail,
		Tier1: cov.Tier1, Portfolio: cov.Portfolio,
	}
	g.Tiers = []answer.Count{}
	if cov.Members > 0 {
		g.Tiers = []answer.Count{{Label: "Tier 1", Count: cov.Tier1}, {Label: "Tier 2", Count: cov.Tier2},
			{Label: "Tier 3", Count: cov.Tier3}, {Label: "Other", Count: cov.Members - cov.Tier1 - cov.Tier2 - cov.Tier3}}
	}
	g.Websites = []answer.Count{}
	for _, sc := range cov.Sites() {
		g.Websites = append(g.Websites, answer.Count{Label: string(sc.Status), Count: sc.Firms})
	}
	g.FailuresByReason = []answer.Count{}
	for _, r := range sheets.ReasonsByCount(reasons) {
		g.FailuresByReason = append(g.FailuresByReason, answer.Count{Label: r, Count: reasons[r]})
	}
	g.Timeline = timeline(finished, timelineBars)
	g.Counted = time.Now().UTC()
	return g, nil
}

// bucketSizes are the lengths a timeline's buckets may have, in seconds:
// the shortest that keeps a job within its bars is used, so a few minutes'
// job still draws a curve and a week's stays a few hundred columns.
var bucketSizes = []int64{10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400}

// timeline buckets firms finished by Unix second into at most bars buckets
// (more only past a day a bucket), from the bucket the first finished in.
func timeline(bySecond map[int64][2]int, bars int) answer.Timeline {
	t := answer.Timeline{BucketSeconds: int(bucketSizes[0]), Done: []int{}, Failed: []int{}}
	if len(bySecond) == 0 {
		return t
	}
	first, last := int64(1<<62), int64(-1<<62)
	for sec := range bySecond {
		first, last = min(first, sec), max(last, sec)
	}
	size := bucketSizes[len(bucketSizes)-1]
	for _, b := range bucketSizes {
		if last/b-first/b+1 <= int64(bars) {
			size = b
			break
		}
	}
	start := first / size * size
	n := (last-start)/size + 1
	t.Start = time.Unix(start, 0).UTC()
	t.BucketSeconds = int(size)
	t.Done, t.Failed = make([]int, n), make([]int, n)
	for sec, c := range bySecond {
		k := (sec - start) / size
		t.Done[k] += c[0]
		t.Failed[k] += c[1]
	}
	return t
}

// getFirm answers what the workbook says about one firm: its status and
// why, the pages visited, its people and its portfolio.
func (s *Server) getFirm(c *gin.Context) {
	job, ok := s.jobRecord(c)
	if !ok {
		return
	}
	index, err := strconv.Atoi(c.Param("index"))
	if err != nil || index < 0 || index >= job.Total {
		fail(c, http.StatusNotFound, fmt.Sprintf("job %s has firms 0 to %d; there is no firm %q", job.ID, job.Total-1, c.Param("index")))
		return
	}
	in, res, err := s.store.RunResult(c.Request.Context(), job.ID, job.Run, index)
	if err != nil {
		s.answer(c, err, "firm")
		return
	}
	d := answer.FirmDetail{
		JobID: job.ID, Index: index, Row: in.Row, Name: in.Name, Website: in.Website,
		Status: string(res.Status), Error: res.Error, Reason: res.Reason, FinalURL: res.FinalURL,
		WebsiteStatus: string(res.SiteStatus()), WebsiteNote: res.WebsiteNote,
		TeamPageURL: res.TeamPageURL, TeamReason: res.TeamReason, Finished: res.Finished,
		Pages: []answer.FirmPage{}, Team: []answer.FirmPerson{}, Portfolio: []answer.FirmCompany{},
	}
	for _, v := range res.Visited {
		d.Pages = append(d.Pages, answer.FirmPage{URL: v.URL, Status: v.Status, Kind: v.Kind, People: v.People, Note: v.Note})
	}
	for _, m := range res.Team {
		d.Team = append(d.Team, answer.FirmPerson{Name: m.Name, Title: m.Title, Tier: m.Tier, LinkedIn: m.LinkedIn, Email: m.Email, SourceURL: m.SourceURL})
	}
	for _, p := range res.Portfolio {
		d.Portfolio = append(d.Portfolio, answer.FirmCompany{Name: p.Name, Website: p.Website})
	}
	c.JSON(http.StatusOK, d)
}
