// Package liveness hands a dead worker's firms back to Temporal as soon as
// another worker on the same machine sees it die, instead of when their
// heartbeat timeout runs out.
//
// Temporal learns that a worker died only from silence: its activities stop
// heartbeating, and each keeps its place in its job's window until the
// heartbeat timeout passes. On one machine the kernel knows sooner. Every
// worker holds an exclusive flock on a file named for its identity, and the
// lock goes when the process goes, however it goes (SIGKILL and OOM kills
// included). A file whose lock another worker can take therefore belongs to
// a dead worker: that worker fails the dead one's started activities by ID,
// and Temporal retries them at once under their retry policy.
//
// Across machines nothing is shared, so there the heartbeat timeout remains
// the bound; this only shortens the common case of a supervisor (systemd,
// `make up`) restarting a worker where it died.
package liveness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"
)

// ReasonWorkerLost is the error type of an attempt failed because its
// worker died; it is retried like any other failure.
const ReasonWorkerLost = "worker_lost"

const (
	leaseExt  = ".lock"
	tmpPrefix = ".new-"
	// tmpGrace is how old a temporary lease must be before a watcher takes
	// it for a worker that died starting.
	tmpGrace = time.Minute
)

// Lease is a live worker's claim: the open, locked file that says it runs.
type Lease struct {
	f    *os.File
	path string
}

// Hold claims identity in dir until Release or the process's end.
func Hold(dir, identity string) (*Lease, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("liveness dir: %w", err)
	}
	// Written and locked under a temporary name, then renamed: a file is
	// never visible at its final name without its lock, so no watcher can
	// mistake a starting worker for a dead one.
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("liveness lease: %w", err)
	}
	fail := func(err error) (*Lease, error) {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, fmt.Errorf("liveness lease: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fail(err)
	}
	// The host goes with the identity: a lease on a shared filesystem
	// whose locks do not reach across machines is another machine's to
	// judge, never ours.
	host, _ := os.Hostname()
	if _, err := f.WriteString(identity + "\n" + host); err != nil {
		return fail(err)
	}
	path := filepath.Join(dir, fileName(identity))
	if err := os.Rename(f.Name(), path); err != nil {
		return fail(err)
	}
	return &Lease{f: f, path: path}, nil
}

// Release gives the claim up, as a worker stopping cleanly does.
func (l *Lease) Release() error {
	if l == nil {
		return nil
	}
	err := os.Remove(l.path)
	return errors.Join(err, l.f.Close())
}

// fileName keeps identities (pid@host@queue, or anything an operator set)
// out of path syntax.
func fileName(identity string) string {
	sum := sha256.Sum256([]byte(identity))
	return hex.EncodeToString(sum[:12]) + leaseExt
}

// Watcher looks for dead workers' leases and hands their firms back.
type Watcher struct {
	Dir       string
	Self      string // this worker's identity, never handed back
	Host      string // this machine's name: leases of other hosts are left alone
	Client    client.Client
	Namespace string
	TaskQueue string
	Every     time.Duration // between looks; the look itself reads one directory
	Logger    *zap.Logger
}

// Run looks every w.Every until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		if _, err := w.Sweep(ctx); err != nil && ctx.Err() == nil {
			w.Logger.Warn("could not hand back a dead worker's firms; their heartbeat timeout will", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep hands back the firms of every dead worker whose lease is in the
// directory, and returns how many attempts it failed. A lease is removed
// once its worker's firms are all handed back; on an error it stays for the
// next sweep.
func (w *Watcher) Sweep(ctx context.Context) (int, error) {
	return w.sweep(ctx, w.handBack)
}

func (w *Watcher) sweep(ctx context.Context, handBack func(context.Context, string) (int, error)) (int, error) {
	entries, err := os.ReadDir(w.Dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, nil
		}
		return 0, fmt.Errorf("read liveness dir: %w", err)
	}
	total := 0
	var errs []error
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, tmpPrefix):
			// A worker that died between creating and renaming its lease
			// claimed nothing; its file only needs removing. A young one
			// may be a worker starting: between its create and its lock,
			// taking the file would make that worker fail to start.
			if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < tmpGrace {
				continue
			}
			w.claim(filepath.Join(w.Dir, name), func(string) error { return nil })
		case strings.HasSuffix(name, leaseExt) && name != fileName(w.Self):
			n := 0
			err := w.claim(filepath.Join(w.Dir, name), func(identity string) error {
				var err error
				n, err = handBack(ctx, identity)
				return err
			})
			total += n
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// claim runs dead on the lease at path if its worker is dead, and removes
// the lease when dead succeeds. A live worker's lease, or one another
// watcher is handling, is left alone.
func (w *Watcher) claim(path string, dead func(identity string) error) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil // removed meanwhile by its worker or another watcher
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return nil // held: alive, or being handled by another watcher
	}
	// Another watcher may have handled and removed this lease between our
	// open and our lock: only the file still at path is a claim.
	var held, linked syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &held) != nil || syscall.Stat(path, &linked) != nil || held.Ino != linked.Ino {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return fmt.Errorf("read lease %s: %w", path, err)
	}
	identity, host, _ := strings.Cut(string(b), "\n")
	if host != "" && w.Host != "" && host != w.Host {
		return nil // another machine's worker: our lock proves nothing about it
	}
	if err := dead(identity); err != nil {
		return err
	}
	return os.Remove(path)
}

// handBackRetryDelay is how soon an attempt handed back is retried (a zero
// delay would mean the retry policy's own).
const handBackRetryDelay = 10 * time.Millisecond

// handBack fails every started activity of identity in this task queue's
// running workflows, so each is retried now rather than when its heartbeat
// times out.
func (w *Watcher) handBack(ctx context.Context, identity string) (int, error) {
	if identity == "" {
		return 0, nil
	}
	query := fmt.Sprintf("TaskQueue = '%s' AND ExecutionStatus = 'Running'", strings.ReplaceAll(w.TaskQueue, "'", ""))
	n := 0
	var token []byte
	for {
		page, err := w.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: w.Namespace, PageSize: 100, Query: query, NextPageToken: token,
		})
		if err != nil {
			return n, fmt.Errorf("list running workflows: %w", err)
		}
		for _, ex := range page.GetExecutions() {
			id, run := ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()
			desc, err := w.Client.DescribeWorkflowExecution(ctx, id, run)
			if err != nil {
				var nf *serviceerror.NotFound
				if errors.As(err, &nf) {
					continue
				}
				return n, fmt.Errorf("describe %s: %w", id, err)
			}
			for _, a := range desc.GetPendingActivities() {
				if a.GetState() != enumspb.PENDING_ACTIVITY_STATE_STARTED || a.GetLastWorkerIdentity() != identity {
					continue
				}
				// Retried at once: the attempt did nothing wrong, so the
				// policy's backoff, grown by earlier losses of the same
				// slice, is not owed.
				cause := temporal.NewApplicationErrorWithOptions(fmt.Sprintf("the worker running this attempt (%s) died", identity), ReasonWorkerLost,
					temporal.ApplicationErrorOptions{NextRetryDelay: handBackRetryDelay})
				err := w.Client.CompleteActivityByID(ctx, w.Namespace, id, run, a.GetActivityId(), nil, cause)
				if err != nil {
					var nf *serviceerror.NotFound
					if errors.As(err, &nf) {
						continue // finished or timed out meanwhile
					}
					return n, fmt.Errorf("hand back activity %s of %s: %w", a.GetActivityId(), id, err)
				}
				n++
				w.Logger.Info("handed back a dead worker's firm",
					zap.String("job", id), zap.String("activity", a.GetActivityId()), zap.String("dead_worker", identity), zap.Int32("attempt", a.GetAttempt()))
			}
		}
		token = page.GetNextPageToken()
		if len(token) == 0 {
			return n, nil
		}
	}
}
