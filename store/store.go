// Package store is the result store: uploads, firm lists, per-firm results
// and finished workbooks, reachable by every worker and the server. Workflow
// history carries only keys and small summaries; everything large is here.
//
// It is a gocloud.dev blob bucket, so one URL picks the backend: file:// (the
// embedded default, a folder under the data directory) for one machine, s3://
// (AWS S3 or any S3-compatible object store) when workers run on several.
package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// URLs
	_ "gocloud.dev/blob/memblob"  // mem:// URLs, for tests
	_ "gocloud.dev/blob/s3blob"   // s3:// URLs
	"gocloud.dev/gcerrors"
	"golang.org/x/sync/errgroup"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheetindex"
	"github.com/vcenrich/vcenrich/sheets"
)

// ChunkSize is how many firms one stored chunk holds: an activity reads the
// chunk of its firm, so memory per job on a worker stays bounded whatever the
// job's size, and an upload of 50,000 firms is 196 writes, not 50,000.
const ChunkSize = 256

// ErrNotFound is returned when a job, firm, result or workbook is absent.
var ErrNotFound = errors.New("not found")

// Job describes an uploaded job: everything the export needs that is too
// large or too static for workflow history.
type Job struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Filename  string            `json:"filename"`
	Format    string            `json:"format"`
	Sheet     string            `json:"sheet,omitempty"`
	HeaderRow int               `json:"header_row"`
	Headers   []string          `json:"headers"`
	Mapping   sheets.Mapping    `json:"mapping"`
	Total     int               `json:"total"`
	Rejected  []sheets.Rejected `json:"rejected,omitempty"`
	Created   time.Time         `json:"created"`
	// Run is the first run ID of the job's latest run: results carry it, so
	// results of an earlier run of the same job are told apart.
	Run string `json:"run,omitempty"`
	// Parent is the job whose failed firms this job retries, if any.
	Parent string `json:"parent,omitempty"`
	// Notify are addresses given at upload (emails, https webhooks) told
	// when the job ends or stalls, besides the operator's.
	Notify []string `json:"notify,omitempty"`
}

// Store reads and writes the result store. It is safe for concurrent use.
type Store struct {
	b      *blob.Bucket
	chunks *lru.Cache[string, []firm.Input]
	mu     sync.Mutex // serialises chunk loads so concurrent firms of one chunk read it once
}

// Open opens the store at url (file:///abs/dir?create_dir=true, s3://bucket?region=…, mem://).
func Open(ctx context.Context, url string) (*Store, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open result store %s: %w", redact(url), err)
	}
	cache, err := lru.New[string, []firm.Input](64)
	if err != nil {
		return nil, err
	}
	return &Store{b: b, chunks: cache}, nil
}

// Close releases the bucket.
func (s *Store) Close() error { return s.b.Close() }

// Ping checks the store answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.b.IsAccessible(ctx); err != nil {
		return fmt.Errorf("result store: %w", err)
	}
	return nil
}

func jobKey(id string) string          { return "jobs/" + id + "/job.json" }
func uploadKey(id string) string       { return "jobs/" + id + "/upload" }
func chunkKey(id string, c int) string { return fmt.Sprintf("jobs/%s/firms/%05d.json", id, c) }
func resultKey(id string, index int) string {
	return fmt.Sprintf("jobs/%s/results/%07d.json", id, index)
}

// WorkbookKey is where a job's enriched workbook lives.
func WorkbookKey(id string) string { return "jobs/" + id + "/result.xlsx" }

// rowsIndexKey is where the rows index of a job's workbook lives. It names
// the workbook it was written with, so an index left by an earlier export,
// or by one that failed before writing its own, is never taken for the
// current workbook's.
func rowsIndexKey(id string) string { return "jobs/" + id + "/result-index.json" }

// rowsPrefix holds the files of the rows indexes, each export's under a
// version of its own: the files of the index being read are never
// overwritten.
func rowsPrefix(id string) string { return "jobs/" + id + "/result-index/" }

func rowsFileKey(id, version, name string) string { return rowsPrefix(id) + version + "/" + name }

// PutJob stores a new job: the original upload (kept so nothing a user sent is
// ever lost), the firm list in chunks, then the job record last, so a job
// record always points at a complete firm list.
func (s *Store) PutJob(ctx context.Context, j Job, upload []byte, firms []firm.Input) error {
	if len(firms) != j.Total {
		return fmt.Errorf("put job %s: %d firms for a total of %d", j.ID, len(firms), j.Total)
	}
	if err := s.b.WriteAll(ctx, uploadKey(j.ID), upload, nil); err != nil {
		return fmt.Errorf("put job %s upload: %w", j.ID, err)
	}
	if err := s.PutFirms(ctx, j.ID, firms); err != nil {
		return err
	}
	if err := s.putJSON(ctx, jobKey(j.ID), j); err != nil {
		return fmt.Errorf("put job %s: %w", j.ID, err)
	}
	return nil
}

// PutFirms writes a job's firm list in chunks. PutJob calls it; a job that
// gathers its own firms (a retry of failed firms) calls it from its
// workflow's first activity, then records its total with UpdateJob.
func (s *Store) PutFirms(ctx context.Context, id string, firms []firm.Input) error {
	for c := 0; c*ChunkSize < len(firms); c++ {
		end := min((c+1)*ChunkSize, len(firms))
		if err := s.putJSON(ctx, chunkKey(id, c), firms[c*ChunkSize:end]); err != nil {
			return fmt.Errorf("put job %s firms: %w", id, err)
		}
	}
	return nil
}

// failedReaders is how many results Failed reads at once: on object
// storage each is a round trip, and a job may hold 100,000 firms.
const failedReaders = 16

// Failed lists, in order, the firms of job id that failed in run.
func (s *Store) Failed(ctx context.Context, id, run string, total int) ([]int, error) {
	isFailed := make([]bool, total)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(failedReaders)
	for i := range total {
		g.Go(func() error {
			res, ok, err := s.Result(gctx, id, i)
			if err != nil {
				return err
			}
			isFailed[i] = ok && res.Run == run && res.Status == firm.StatusFailed
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("failed firms of job %s: %w", id, err)
	}
	var out []int
	for i, f := range isFailed {
		if f {
			out = append(out, i)
		}
	}
	return out, nil
}

// Job reads a job record.
func (s *Store) Job(ctx context.Context, id string) (Job, error) {
	var j Job
	if err := s.getJSON(ctx, jobKey(id), &j); err != nil {
		return Job{}, fmt.Errorf("job %s: %w", id, err)
	}
	return j, nil
}

// UpdateJob rewrites a job record whose firms are already stored.
func (s *Store) UpdateJob(ctx context.Context, j Job) error {
	if err := s.putJSON(ctx, jobKey(j.ID), j); err != nil {
		return fmt.Errorf("update job %s: %w", j.ID, err)
	}
	return nil
}

// Upload returns the bytes the user uploaded for a job.
func (s *Store) Upload(ctx context.Context, id string) ([]byte, error) {
	b, err := s.b.ReadAll(ctx, uploadKey(id))
	if err != nil {
		return nil, fmt.Errorf("job %s upload: %w", id, notFound(err))
	}
	return b, nil
}

// Firm reads firm index of job id, through a small cache of chunks.
func (s *Store) Firm(ctx context.Context, id string, index int) (firm.Input, error) {
	c := index / ChunkSize
	key := chunkKey(id, c)
	chunk, ok := s.chunks.Get(key)
	if !ok {
		s.mu.Lock()
		chunk, ok = s.chunks.Get(key)
		if !ok {
			if err := s.getJSON(ctx, key, &chunk); err != nil {
				s.mu.Unlock()
				return firm.Input{}, fmt.Errorf("job %s firm %d: %w", id, index, err)
			}
			s.chunks.Add(key, chunk)
		}
		s.mu.Unlock()
	}
	i := index - c*ChunkSize
	if index < 0 || i >= len(chunk) {
		return firm.Input{}, fmt.Errorf("job %s firm %d: %w", id, index, ErrNotFound)
	}
	return chunk[i], nil
}

// PutResult writes a firm's result under (job, firm index): a retried or
// repeated activity overwrites the same key, so results never duplicate.
// A result without a finish time is stamped now: every result is recorded
// here as its firm finishes, which is what a job's timeline counts.
func (s *Store) PutResult(ctx context.Context, id string, r firm.Result) error {
	if r.Finished.IsZero() {
		r.Finished = time.Now().UTC()
	}
	if err := s.putJSON(ctx, resultKey(id, r.Index), r); err != nil {
		return fmt.Errorf("job %s result %d: %w", id, r.Index, err)
	}
	return nil
}

// Result reads a firm's result; ok is false when the firm has none yet.
func (s *Store) Result(ctx context.Context, id string, index int) (r firm.Result, ok bool, err error) {
	err = s.getJSON(ctx, resultKey(id, index), &r)
	if errors.Is(err, ErrNotFound) {
		return firm.Result{}, false, nil
	}
	if err != nil {
		return firm.Result{}, false, fmt.Errorf("job %s result %d: %w", id, index, err)
	}
	return r, true, nil
}

func pausedKey(id string) string { return "jobs/" + id + "/paused" }

// SetPaused records whether a job is paused, for its slices, running on
// any worker, to stop starting firms.
func (s *Store) SetPaused(ctx context.Context, id string, paused bool) error {
	if paused {
		if err := s.b.WriteAll(ctx, pausedKey(id), []byte("paused\n"), nil); err != nil {
			return fmt.Errorf("job %s: mark paused: %w", id, err)
		}
		return nil
	}
	if err := s.b.Delete(ctx, pausedKey(id)); err != nil && !errors.Is(notFound(err), ErrNotFound) {
		return fmt.Errorf("job %s: mark resumed: %w", id, err)
	}
	return nil
}

// Paused reports whether SetPaused last said the job is paused.
func (s *Store) Paused(ctx context.Context, id string) (bool, error) {
	ok, err := s.b.Exists(ctx, pausedKey(id))
	if err != nil {
		return false, fmt.Errorf("job %s: paused: %w", id, err)
	}
	return ok, nil
}

// Export is the workbook of one run of a job: its firms as stored, each
// with what that run found, read one at a time as the workbook is written.
// summary carries the run's figures; Export fills in what the job record
// knows (ID, name, rejected rows). each, when set, is told every firm index
// before it is read (the export activity heartbeats there).
func (s *Store) Export(ctx context.Context, job Job, run string, summary sheets.Summary, each func(index int)) sheets.Export {
	summary.JobID, summary.Name, summary.Rejected = job.ID, job.Name, job.Rejected
	ahead := newReadAhead(job.Total, func(i int) (firm.Input, firm.Result, error) {
		if err := ctx.Err(); err != nil {
			return firm.Input{}, firm.Result{}, err
		}
		return s.RunResult(ctx, job.ID, run, i)
	})
	load := func(i int) (firm.Input, firm.Result, error) {
		if each != nil {
			each(i)
		}
		return ahead.get(i)
	}
	return sheets.Export{InputHeaders: job.Headers, Total: job.Total, Load: load, Summary: summary}
}

// RunResult reads firm index of job id with its result in run: a firm with
// no result yet, or only one from an earlier run of the same job, comes back
// pending. This is what a workbook shows for each firm.
func (s *Store) RunResult(ctx context.Context, id, run string, index int) (firm.Input, firm.Result, error) {
	in, err := s.Firm(ctx, id, index)
	if err != nil {
		return firm.Input{}, firm.Result{}, err
	}
	res, ok, err := s.Result(ctx, id, index)
	if err != nil {
		return firm.Input{}, firm.Result{}, err
	}
	if !ok || res.Run != run {
		res = firm.Result{Index: index, Status: firm.StatusPending}
	}
	return in, res, nil
}

func notificationKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "notifications/" + hex.EncodeToString(sum[:16]) + ".json"
}

// Notified reports whether a notification with this idempotency key was
// sent already.
func (s *Store) Notified(ctx context.Context, key string) (bool, error) {
	ok, err := s.b.Exists(ctx, notificationKey(key))
	if err != nil {
		return false, fmt.Errorf("notification %s: %w", key, err)
	}
	return ok, nil
}

// MarkNotified records that a notification was sent.
func (s *Store) MarkNotified(ctx context.Context, key string) error {
	rec := struct {
		Key  string    `json:"key"`
		Sent time.Time `json:"sent"`
	}{key, time.Now().UTC()}
	if err := s.putJSON(ctx, notificationKey(key), rec); err != nil {
		return fmt.Errorf("notification %s: %w", key, err)
	}
	return nil
}

// PutWorkbook streams a workbook into the store with write. The object
// appears only when write succeeds: a failed export never leaves a torn file.
// It writes no rows index, so readers page such a workbook as one written
// before rows indexes were; PutExport writes both.
func (s *Store) PutWorkbook(ctx context.Context, id string, write func(io.Writer) error) error {
	if err := s.putStream(ctx, WorkbookKey(id), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write); err != nil {
		return fmt.Errorf("job %s workbook: %w", id, err)
	}
	return nil
}

// putStream writes the object key as write streams it; it appears only
// when write succeeds.
func (s *Store) putStream(ctx context.Context, key, contentType string, write func(io.Writer) error) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.b.NewWriter(wctx, key, &blob.WriterOptions{ContentType: contentType})
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		cancel() // aborts the upload instead of committing a partial object
		_ = w.Close()
		return err
	}
	return w.Close()
}

func changesKey(id string) string { return "jobs/" + id + "/changes.jsonl" }

// PutChanges writes what changed since the run a job was compared with, as
// write streams it (one JSON object a line, changes.Encoder's form).
func (s *Store) PutChanges(ctx context.Context, id string, write func(io.Writer) error) error {
	if err := s.putStream(ctx, changesKey(id), "application/x-ndjson", write); err != nil {
		return fmt.Errorf("job %s changes: %w", id, err)
	}
	return nil
}

// Changes opens what PutChanges wrote.
func (s *Store) Changes(ctx context.Context, id string) (io.ReadCloser, error) {
	r, err := s.b.NewReader(ctx, changesKey(id), nil)
	if err != nil {
		return nil, fmt.Errorf("job %s changes: %w", id, notFound(err))
	}
	return r, nil
}

// storedRows is a rows index as stored: the index, the version its files
// are under and the workbook it was written with (WorkbookInfo.Version).
type storedRows struct {
	Workbook string          `json:"workbook"`
	Version  string          `json:"version"`
	Index    json.RawMessage `json:"index"`
}

// PutExport writes the job's workbook from e and, in the same pass, its
// rows index: each sheet's rows go to a file of their own as the sheet is
// written, and once the workbook is committed the index naming it and them.
// Between the two, and after a failure between them, readers find no index
// for the workbook and page it as an older one.
func (s *Store) PutExport(ctx context.Context, id string, e sheets.Export) error {
	version := rand.Text()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows := sheetindex.NewWriter(func(name string) (io.WriteCloser, error) {
		return s.b.NewWriter(rctx, rowsFileKey(id, version, name), &blob.WriterOptions{ContentType: "application/x-ndjson"})
	})
	e.Rows = rows
	var ix sheetindex.Index
	err := s.PutWorkbook(ctx, id, func(w io.Writer) error {
		err := sheets.WriteWorkbook(w, e)
		if err == nil {
			ix, err = rows.Finish()
		}
		return err
	})
	if err != nil {
		// The sheet being written is dropped; those done before stay until
		// the next export's clean-up, named by no index.
		cancel()
		rows.Abort()
		return err
	}
	wb, err := s.WorkbookInfo(ctx, id)
	if err != nil {
		return fmt.Errorf("job %s rows index: %w", id, err)
	}
	data, err := json.Marshal(ix)
	if err != nil {
		return fmt.Errorf("job %s rows index: %w", id, err)
	}
	if err := s.putJSON(ctx, rowsIndexKey(id), storedRows{Workbook: wb.Version, Version: version, Index: data}); err != nil {
		return fmt.Errorf("job %s rows index: %w", id, err)
	}
	s.dropRows(ctx, id, version)
	return nil
}

// dropRows removes the files of a job's rows indexes but those of version
// keep. It is best effort: files left over are named by no index, and the
// next export tries again.
func (s *Store) dropRows(ctx context.Context, id, keep string) {
	it := s.b.List(&blob.ListOptions{Prefix: rowsPrefix(id)})
	for {
		obj, err := it.Next(ctx)
		if err != nil {
			return // io.EOF at the end; after any other error, the next export goes on
		}
		if !strings.HasPrefix(obj.Key, rowsFileKey(id, keep, "")) {
			_ = s.b.Delete(ctx, obj.Key)
		}
	}
}

// WorkbookInfo is what the store says of a job's workbook without reading
// it.
type WorkbookInfo struct {
	Size     int64
	Modified time.Time
	// Version tells this write of the workbook from any other.
	Version string
}

// WorkbookInfo describes a job's workbook.
func (s *Store) WorkbookInfo(ctx context.Context, id string) (WorkbookInfo, error) {
	a, err := s.b.Attributes(ctx, WorkbookKey(id))
	if err != nil {
		return WorkbookInfo{}, fmt.Errorf("job %s workbook: %w", id, notFound(err))
	}
	// The ETag alone would do on S3; a file's is its time and size, and the
	// three together tell writes apart on every backend.
	return WorkbookInfo{Size: a.Size, Modified: a.ModTime, Version: fmt.Sprintf("%s %d %d", a.ETag, a.Size, a.ModTime.UnixNano())}, nil
}

// Workbook opens a job's workbook for reading, with its size and time.
func (s *Store) Workbook(ctx context.Context, id string) (io.ReadCloser, int64, time.Time, error) {
	r, err := s.b.NewReader(ctx, WorkbookKey(id), nil)
	if err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("job %s workbook: %w", id, notFound(err))
	}
	return r, r.Size(), r.ModTime(), nil
}

// Rows is the rows index of a job's workbook, read from the store.
type Rows struct {
	sheetindex.Index
	b           *blob.Bucket
	id, version string
}

// Rows reads the rows index written with the workbook wb describes. It is
// ErrNotFound when there is none to read: the workbook was written before
// rows indexes were (or by PutWorkbook), its export has not written the
// index yet, or the index is of a format this version does not read.
func (s *Store) Rows(ctx context.Context, id string, wb WorkbookInfo) (Rows, error) {
	data, err := s.b.ReadAll(ctx, rowsIndexKey(id))
	if err != nil {
		return Rows{}, fmt.Errorf("job %s rows index: %w", id, notFound(err))
	}
	var st storedRows
	if err := json.Unmarshal(data, &st); err != nil {
		return Rows{}, fmt.Errorf("job %s rows index: %w", id, err)
	}
	if st.Workbook != wb.Version {
		return Rows{}, fmt.Errorf("job %s rows index: written with another version of the workbook: %w", id, ErrNotFound)
	}
	ix, err := sheetindex.Decode(st.Index)
	if errors.Is(err, sheetindex.ErrNoIndex) {
		err = fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	if err != nil {
		return Rows{}, fmt.Errorf("job %s rows index: %w", id, err)
	}
	return Rows{Index: ix, b: s.b, id: id, version: st.Version}, nil
}

// Source reads a sheet's rows file by ranges.
func (r Rows) Source(sh sheetindex.Sheet) sheetindex.Source {
	key := rowsFileKey(r.id, r.version, sh.File)
	return func(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
		rr, err := r.b.NewRangeReader(ctx, key, offset, length, nil)
		if err != nil {
			return nil, fmt.Errorf("job %s rows of sheet %s: %w", r.id, sh.Name, notFound(err))
		}
		return rr, nil
	}
}

func (s *Store) putJSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.b.WriteAll(ctx, key, b, &blob.WriterOptions{ContentType: "application/json"})
}

func (s *Store) getJSON(ctx context.Context, key string, v any) error {
	b, err := s.b.ReadAll(ctx, key)
	if err != nil {
		return notFound(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

func notFound(err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	return err
}

// redact hides credentials that an s3 URL may carry in its query.
func redact(url string) string {
	for i := 0; i < len(url); i++ {
		if url[i] == '?' {
			return url[:i] + "?…"
		}
	}
	return url
}
