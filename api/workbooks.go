package api

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// workbookCache keeps, for a few jobs, the latest workbook the server built
// (a partial result) or fetched from the store (for CSV and paging), in
// temporary files: building one reads every firm of the job from the store,
// so a person paging through results must not cause a build per page.
type workbookCache struct {
	dir string
	max int

	mu      sync.Mutex
	entries map[string]*cachedBook // by job ID
}

// cachedBook is one job's workbook file. Its mutex is held while the file is
// built or opened, so concurrent requests for one job build it once, and a
// file is never removed while someone opens it.
type cachedBook struct {
	mu      sync.Mutex
	path    string
	key     string // what the file was made from: the final workbook's version, or a job run
	built   time.Time
	took    time.Duration
	dropped bool // evicted: files made now are removed after use

	used time.Time // guarded by workbookCache.mu
}

// idleEviction drops a job's workbook nobody asked for this long.
const idleEviction = 15 * time.Minute

func newWorkbookCache(dir string, max int) *workbookCache {
	return &workbookCache{dir: dir, max: max, entries: map[string]*cachedBook{}}
}

// use calls open with the path of a workbook of job id. The cached file is
// used when it was made for key and is younger than maxAge (0: any age) or
// than three times what building it took, so a large job's build is not
// repeated back to back; otherwise build writes a new one. The file stays in
// place while open runs; open should only open it.
func (wc *workbookCache) use(id, key string, maxAge time.Duration, build func(io.Writer) error, open func(path string) error) error {
	e, victims := wc.entry(id)
	for _, v := range victims {
		v.drop()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	age := time.Since(e.built)
	fresh := e.path != "" && e.key == key && (maxAge <= 0 || age < maxAge || age < 3*e.took)
	if fresh {
		return open(e.path)
	}
	start := time.Now()
	path, err := wc.make(build)
	if err != nil {
		return err
	}
	if e.dropped {
		defer os.Remove(path)
		return open(path)
	}
	if e.path != "" {
		_ = os.Remove(e.path)
	}
	e.path, e.key, e.built, e.took = path, key, time.Now(), time.Since(start)
	return open(e.path)
}

// entry finds or adds job id's entry and takes out the entries to evict:
// the least recently used beyond max, and any idle too long.
func (wc *workbookCache) entry(id string) (*cachedBook, []*cachedBook) {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	now := time.Now()
	e := wc.entries[id]
	if e == nil {
		e = &cachedBook{}
		wc.entries[id] = e
	}
	e.used = now
	var victims []*cachedBook
	for k, v := range wc.entries {
		if now.Sub(v.used) > idleEviction {
			victims = append(victims, v)
			delete(wc.entries, k)
		}
	}
	for len(wc.entries) > wc.max {
		oldest := ""
		for k, v := range wc.entries {
			if k != id && (oldest == "" || v.used.Before(wc.entries[oldest].used)) {
				oldest = k
			}
		}
		victims = append(victims, wc.entries[oldest])
		delete(wc.entries, oldest)
	}
	return e, victims
}

func (wc *workbookCache) make(build func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(wc.dir, "vcenrich-workbook-*.xlsx")
	if err != nil {
		return "", fmt.Errorf("workbook cache: %w", err)
	}
	err = build(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func (e *cachedBook) drop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.path != "" {
		_ = os.Remove(e.path)
	}
	e.path, e.dropped = "", true
}

// close removes every cached file.
func (wc *workbookCache) close() error {
	wc.mu.Lock()
	all := wc.entries
	wc.entries = map[string]*cachedBook{}
	wc.mu.Unlock()
	var errs []error
	for _, e := range all {
		e.mu.Lock()
		if e.path != "" {
			if err := os.Remove(e.path); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		e.path, e.dropped = "", true
		e.mu.Unlock()
	}
	return errors.Join(errs...)
}
