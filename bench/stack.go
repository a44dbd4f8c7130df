package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/vcenrich/vcenrich/bench/proc"
	"github.com/vcenrich/vcenrich/bench/report"
	"github.com/vcenrich/vcenrich/jobclient"
)

// tools are the binaries the benchmark runs.
type tools struct {
	self, worker, server, temporal string
	devArgs                        []string // the dev-server flags vcenrich needs
}

// stack is one full vcenrich deployment of real processes: a dev server on
// its own database file, the server, and a worker, started for one scenario
// and stopped after it, so each scenario's peak memory is its own.
type stack struct {
	t          tools
	dir        string
	env        []string
	httpAddr   string
	metricsURL string // the dev server's Prometheus endpoint
	dev        *proc.Proc
	server     *proc.Proc
	workers    []*proc.Proc
	metrics    map[*proc.Proc]string // each worker's metrics address
	tc         client.Client
	api        *jobclient.Client
}

// childEnv is the benchmark's environment without any vcenrich or Temporal
// settings of the person running it, plus settings.
func childEnv(settings map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VCENRICH_") || strings.HasPrefix(kv, "TEMPORAL_") {
			continue
		}
		env = append(env, kv)
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		env = append(env, k+"="+settings[k])
	}
	return env
}

// freeAddr asks the kernel for a loopback port nobody uses.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func freePort() (int, error) {
	a, err := freeAddr()
	if err != nil {
		return 0, err
	}
	_, p, _ := net.SplitHostPort(a)
	return strconv.Atoi(p)
}

// startStack starts the dev server, the server and one worker, and returns
// once the server answers and the worker polls.
func startStack(ctx context.Context, t tools, dir string, settings map[string]string) (_ *stack, err error) {
	// The error returns below leave the named result nil: what was started
	// is stopped through s.
	s := &stack{t: t, dir: dir, metrics: map[*proc.Proc]string{}}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	ports := make([]int, 3)
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return nil, err
		}
	}
	grpcAddr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	s.metricsURL = fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[1])
	args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(ports[0]),
		"--headless", "--metrics-port", strconv.Itoa(ports[1]), "--http-port", strconv.Itoa(ports[2]),
		"--db-filename", filepath.Join(dir, "temporal.db"), "--log-level", "warn"}
	args = append(args, t.devArgs...)
	if s.dev, err = proc.Start("dev server", filepath.Join(dir, "devserver.log"), t.temporal, args, childEnv(nil)); err != nil {
		return nil, err
	}
	if s.tc, err = dialTemporal(ctx, grpcAddr, s.dev); err != nil {
		return nil, err
	}

	if s.httpAddr, err = freeAddr(); err != nil {
		return nil, err
	}
	vars := map[string]string{
		"TEMPORAL_ADDRESS":    grpcAddr,
		"TEMPORAL_NAMESPACE":  "default",
		"VCENRICH_DATA_DIR":   dir,
		"VCENRICH_HTTP_ADDR":  s.httpAddr,
		"VCENRICH_LOG_LEVEL":  "warn",
		"VCENRICH_LOG_FORMAT": "json",
	}
	for k, v := range settings {
		vars[k] = v
	}
	s.env = childEnv(vars)
	if s.server, err = proc.Start("server", filepath.Join(dir, "server.log"), t.server, nil, s.env); err != nil {
		return nil, err
	}
	s.api = jobclient.New("http://" + s.httpAddr)
	if _, err := s.startWorker(); err != nil {
		return nil, err
	}
	if err := s.waitWorkers(ctx, 1); err != nil {
		return nil, err
	}
	return s, nil
}

// dialTemporal connects once the dev server accepts connections.
func dialTemporal(ctx context.Context, addr string, dev *proc.Proc) (client.Client, error) {
	deadline := time.Now().Add(90 * time.Second)
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: addr, Namespace: "default", Logger: quietLogger{}})
		if err == nil {
			return c, nil
		}
		if !dev.Alive() {
			return nil, fmt.Errorf("the dev server exited:\n%s", dev.Tail(20))
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the dev server at %s did not answer within 90s: %w", addr, err)
		}
		if err := pause(ctx, 250*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// startWorker starts one more worker process, with its metrics on a free port.
func (s *stack) startWorker() (*proc.Proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	env := append(slices.Clone(s.env), "VCENRICH_METRICS_ADDR="+addr)
	name := "worker"
	logName := fmt.Sprintf("worker-%d.log", len(s.workers)+1)
	w, err := proc.Start(name, filepath.Join(s.dir, logName), s.t.worker, nil, env)
	if err != nil {
		return nil, err
	}
	s.workers = append(s.workers, w)
	s.metrics[w] = addr
	return w, nil
}

// waitWorkers waits until the server reports n live workers polling.
func (s *stack) waitWorkers(ctx context.Context, n int) error {
	deadline := time.Now().Add(90 * time.Second)
	var last string
	for {
		h, err := s.health(ctx)
		if err == nil && h.LiveWorkers >= n {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("%d live workers", h.LiveWorkers)
		}
		for _, p := range []*proc.Proc{s.server, s.worker()} {
			if !p.Alive() {
				return fmt.Errorf("%s exited:\n%s", p.Name, p.Tail(20))
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no live worker after 90s (%s); server log:\n%s", last, s.server.Tail(10))
		}
		if err := pause(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

type healthAnswer struct {
	Status      string `json:"status"`
	LiveWorkers int    `json:"live_workers"`
}

func (s *stack) health(ctx context.Context) (healthAnswer, error) {
	var h healthAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.httpAddr+"/api/health", nil)
	if err != nil {
		return h, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return h, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		return h, fmt.Errorf("health: %w", err)
	}
	return h, nil
}

// worker is the live worker (the last one started).
func (s *stack) worker() *proc.Proc { return s.workers[len(s.workers)-1] }

// processes are the stack's processes to measure, by role.
func (s *stack) processes() []*proc.Proc {
	return []*proc.Proc{s.worker(), s.server, s.dev}
}

// persistence scrapes the dev server's persistence latency by operation,
// the slowest first: where its SQLite store spends its time.
func (s *stack) persistence(ctx context.Context, top int) ([]report.Operation, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.metricsURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("dev server metrics: %w", err)
	}
	defer resp.Body.Close()
	ops := parsePersistence(bufio.NewScanner(resp.Body))
	if len(ops) > top {
		ops = ops[:top]
	}
	return ops, nil
}

// parsePersistence sums persistence_latency_sum and _count per operation
// label across services and namespaces.
func parsePersistence(sc *bufio.Scanner) []report.Operation {
	byOp := map[string]*report.Operation{}
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var isSum bool
		switch {
		case strings.HasPrefix(line, "persistence_latency_sum{"):
			isSum = true
		case strings.HasPrefix(line, "persistence_latency_count{"):
		default:
			continue
		}
		_, rest, _ := strings.Cut(line, `operation="`)
		op, _, ok := strings.Cut(rest, `"`)
		if !ok {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			continue
		}
		o := byOp[op]
		if o == nil {
			o = &report.Operation{Name: op}
			byOp[op] = o
		}
		if isSum {
			o.Total += report.Duration(v * float64(time.Second))
		} else {
			o.Count += int64(v)
		}
	}
	out := make([]report.Operation, 0, len(byOp))
	for _, o := range byOp {
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b report.Operation) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), strings.Compare(a.Name, b.Name))
	})
	return out
}

// stop ends the stack: workers and the server get SIGTERM (nothing is in
// flight by then), the dev server last.
func (s *stack) stop() {
	for _, w := range s.workers {
		_ = w.Stop(25 * time.Second)
	}
	if s.server != nil {
		_ = s.server.Stop(15 * time.Second)
	}
	if s.tc != nil {
		s.tc.Close()
	}
	if s.dev != nil {
		_ = s.dev.Stop(15 * time.Second)
	}
}

// pause waits d unless ctx ends first.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// quietLogger keeps the SDK's client chatter out of the benchmark's output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
