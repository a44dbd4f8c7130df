package api

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// workbookCache keeps, for a few jobs, what the server built last: a partial
// workbook with the rows index written beside it, or the rows index of a
// final workbook exported before rows indexes were, each in a temporary
// folder. Building either reads the whole job from the store, so a person
// paging through results must not cause a build per page.
type workbookCache struct {
	dir string
	max int

	mu      sync.Mutex
	entries map[string]*cachedBook // by job ID
}

// cachedBook is one job's folder. Its mutex is held while the folder is
// built or its files opened, so concurrent requests for one job build it
// once, and a file is never removed while someone opens it.
type cachedBook struct {
	mu      sync.Mutex
	dir     string
	key     string // what the folder was made from: the final workbook's version, or a job run
	built   time.Time
	took    time.Duration
	dropped bool // evicted: folders made now are removed after use

	used time.Time // guarded by workbookCache.mu
}

// idleEviction drops a job's workbook nobody asked for this long.
const idleEviction = 15 * time.Minute

func newWorkbookCache(dir string, max int) *workbookCache {
	return &workbookCache{dir: dir, max: max, entries: map[string]*cachedBook{}}
}

// use calls open with the folder of job id. The cached folder is used when
// it was made for key and is younger than maxAge (0: any age) or than three
// times what building it took, so a large job's build is not repeated back
// to back; otherwise build fills a new one. The folder stays in place while
// open runs; open should only open files in it.
func (wc *workbookCache) use(id, key string, maxAge time.Duration, build func(dir string) error, open func(dir string) error) error {
	e, victims := wc.entry(id)
	for _, v := range victims {
		v.drop()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	age := time.Since(e.built)
	fresh := e.dir != "" && e.key == key && (maxAge <= 0 || age < maxAge || age < 3*e.took)
	if fresh {
		return open(e.dir)
	}
	start := time.Now()
	dir, err := wc.make(build)
	if err != nil {
		return err
	}
	if e.dropped {
		defer os.RemoveAll(dir)
		return open(dir)
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
	e.dir, e.key, e.built, e.took = dir, key, time.Now(), time.Since(start)
	return open(e.dir)
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

func (wc *workbookCache) make(build func(dir string) error) (string, error) {
	dir, err := os.MkdirTemp(wc.dir, "vcenrich-workbook-*")
	if err != nil {
		return "", fmt.Errorf("workbook cache: %w", err)
	}
	if err := build(dir); err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

func (e *cachedBook) drop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
	e.dir, e.dropped = "", true
}

// close removes every cached folder.
func (wc *workbookCache) close() error {
	wc.mu.Lock()
	all := wc.entries
	wc.entries = map[string]*cachedBook{}
	wc.mu.Unlock()
	var errs []error
	for _, e := range all {
		e.mu.Lock()
		if e.dir != "" {
			if err := os.RemoveAll(e.dir); err != nil {
				errs = append(errs, err)
			}
		}
		e.dir, e.dropped = "", true
		e.mu.Unlock()
	}
	return errors.Join(errs...)
}
