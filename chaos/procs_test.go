package chaos

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/jobclient"
)

// proc is one child process started with exec, so it can be sent SIGKILL or
// SIGTERM like a process in production; its output goes to a log file.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	started time.Time
	done    chan struct{} // closed once the process has exited and been reaped
}

func startProc(t *testing.T, name, logPath, bin string, args, env []string) *proc {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("%s: log file: %v", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, started: time.Now(), done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	// Whatever the test did, nothing it started outlives it.
	t.Cleanup(func() { p.kill(t) })
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill is kill -9: no chance to finish anything or say goodbye.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if p.alive() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	if !p.exited(10 * time.Second) {
		t.Errorf("%s (pid %d) still running 10s after SIGKILL", p.name, p.pid())
	}
}

// exited waits up to d for the process to end.
func (p *proc) exited(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// exitCode is valid once the process has exited; -1 when a signal ended it.
func (p *proc) exitCode() int { return p.cmd.ProcessState.ExitCode() }

// peakRSSMB is the process's high-water resident set (VmHWM), in MiB.
func (p *proc) peakRSSMB() (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.pid()))
	if err != nil {
		return 0, fmt.Errorf("read %s status: %w", p.name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, fmt.Errorf("parse VmHWM %q: %w", rest, err)
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in %s status", p.name)
}

// tail is the end of the process's log, for failure reports.
func (p *proc) tail(lines int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	for i, l := range all {
		if len(l) > 400 {
			all[i] = l[:400] + "…"
		}
	}
	return strings.Join(all, "\n")
}

// freePort asks the kernel for a port nobody uses: ports are never guessed,
// since other dev servers and demos run on this machine.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond until it holds or the timeout passes. Polling a
// condition with a deadline is the only waiting these tests do.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cluster is one vcenrich deployment made of real processes: a dev server on
// its own db file, a server, any number of workers, and the web they crawl.
// Under make test-cluster the Temporal server is the shared cluster's
// instead, in a namespace of the test's own, restarted through its control
// script (VCENRICH_TEST_TEMPORAL_CTL).
type cluster struct {
	t        *testing.T
	dir      string
	bin      string // dev server binary
	devArgs  []string
	port     int
	uiPort   int
	db       string
	dev      *proc
	external string // the shared cluster's frontend; "" for a dev server of our own
	ns       string
	tc       client.Client
	web      *web
	env      map[string]string // settings shared by workers and the server
	httpAddr string
	api      *jobclient.Client
	server   *proc
	procs    []*proc
	started  map[string]int // processes started per kind, to name logs
}

// newCluster starts the dev server and prepares the settings; workers and
// the server are started by the test, so it decides when each one dies.
func newCluster(t *testing.T, w *web, settings map[string]string) *cluster {
	t.Helper()
	bin := testenv.TemporalBin(t)
	if binaries.worker == "" {
		t.Fatal("worker and server binaries were not built (TestMain)")
	}
	dir := t.TempDir()
	c := &cluster{
		t: t, dir: dir, bin: bin, devArgs: testenv.DevServerArgs(t),
		port: freePort(t), uiPort: freePort(t), db: filepath.Join(dir, "temporal.db"),
		web: w, started: map[string]int{}, external: testenv.ClusterAddr(), ns: "default",
	}
	address := fmt.Sprintf("127.0.0.1:%d", c.port)
	if c.external != "" {
		c.tc, c.ns = testenv.ClusterNamespace(t, c.external)
		address = c.external
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, p := range c.procs {
			t.Logf("---- %s (pid %d) log tail ----\n%s", p.name, p.pid(), p.tail(15))
		}
	})
	c.httpAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.api = jobclient.New("http://" + c.httpAddr)
	c.env = map[string]string{
		"TEMPORAL_ADDRESS":           address,
		"TEMPORAL_NAMESPACE":         c.ns,
		"VCENRICH_DATA_DIR":          filepath.Join(dir, "data"),
		"VCENRICH_TASK_QUEUE":        "chaos-" + strings.ReplaceAll(t.Name(), "/", "-"),
		"VCENRICH_HTTP_ADDR":         c.httpAddr,
		"VCENRICH_FETCH_HOSTS":       ".chaos.test=" + w.addr(),
		"VCENRICH_FETCH_ALLOW":       "127.0.0.1:" + strconv.Itoa(w.port()),
		"VCENRICH_HOST_INTERVAL":     "0s",
		"VCENRICH_IGNORE_ROBOTS":     "true",
		"VCENRICH_HEARTBEAT_TIMEOUT": "5s",
		"VCENRICH_FETCH_TIMEOUT":     "5s",
		"VCENRICH_MAX_PAGES":         "3",
		"VCENRICH_LOG_FORMAT":        "json",
		"VCENRICH_LOG_LEVEL":         "info",
	}
	// VCENRICH_TEST_SLICES runs every chaos test's jobs in slices (or
	// firm by firm), whatever the product's default.
	if v := os.Getenv("VCENRICH_TEST_SLICES"); v != "" {
		c.env["VCENRICH_SLICES"] = v
	}
	for k, v := range settings {
		c.env[k] = v
	}
	if c.external == "" {
		c.startDev()
	}
	return c
}

// canRestartTemporal is false on a shared cluster without a control script.
func (c *cluster) canRestartTemporal() bool {
	return c.external == "" || os.Getenv("VCENRICH_TEST_TEMPORAL_CTL") != ""
}

// clusterCtl runs the shared cluster's control script.
func (c *cluster) clusterCtl(args ...string) {
	c.t.Helper()
	out, err := exec.Command(os.Getenv("VCENRICH_TEST_TEMPORAL_CTL"), args...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("cluster %v: %v\n%s", args, err, out)
	}
}

func (c *cluster) setting(key string) time.Duration {
	d, err := time.ParseDuration(c.env[key])
	if err != nil {
		c.t.Fatalf("%s=%q: %v", key, c.env[key], err)
	}
	return d
}

// sliced tells whether the cluster's jobs run in slices, as the product
// reads its settings.
func (c *cluster) sliced() bool {
	cfg, err := config.LoadFrom(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
	if err != nil {
		c.t.Fatal(err)
	}
	return cfg.Slices
}

func (c *cluster) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		// The children get exactly this cluster's settings, whatever the
		// shell running the tests had exported.
		if strings.HasPrefix(kv, "TEMPORAL_") || strings.HasPrefix(kv, "VCENRICH_") {
			continue
		}
		env = append(env, kv)
	}
	keys := make([]string, 0, len(c.env))
	for k := range c.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+c.env[k])
	}
	return env
}

func (c *cluster) start(kind, bin string, args []string) *proc {
	c.t.Helper()
	c.started[kind]++
	name := fmt.Sprintf("%s-%d", kind, c.started[kind])
	p := startProc(c.t, name, filepath.Join(c.dir, name+".log"), bin, args, c.environ())
	c.procs = append(c.procs, p)
	return p
}

// startDev starts the dev server on the cluster's port and db file (a
// restart finds every job where it was) and waits until it serves. On a
// shared cluster it starts the Temporal server again on its database.
func (c *cluster) startDev() {
	c.t.Helper()
	if c.external != "" {
		c.clusterCtl("start-server")
		waitFor(c.t, 2*time.Minute, "the cluster to serve", func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := c.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: c.ns, Query: "VcJobStatus = 'running'"})
			return err == nil
		})
		return
	}
	args := append([]string{"server", "start-dev",
		"--ip", "127.0.0.1", "--port", strconv.Itoa(c.port), "--ui-port", strconv.Itoa(c.uiPort),
		"--headless", "--db-filename", c.db, "--log-level", "error"}, c.devArgs...)
	c.dev = c.start("devserver", c.bin, args)
	waitFor(c.t, 90*time.Second, "the dev server to serve", func() bool {
		if !c.dev.alive() {
			c.t.Fatalf("dev server exited: %s", c.dev.tail(20))
		}
		if c.tc == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			tc, err := client.DialContext(ctx, client.Options{
				HostPort: fmt.Sprintf("127.0.0.1:%d", c.port), Namespace: "default",
				Logger: applog.Temporal(zap.NewNop()),
			})
			if err != nil {
				return false
			}
			c.tc = tc
			c.t.Cleanup(tc.Close)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := c.tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			return false
		}
		// The search attributes are registered before jobs may start.
		_, err := c.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Namespace: "default", Query: "VcJobStatus = 'running'",
		})
		return err == nil
	})
}

// stopDev stops the dev server (or the shared cluster's Temporal server)
// with sig and waits for it to exit.
func (c *cluster) stopDev(sig syscall.Signal) {
	c.t.Helper()
	if c.external != "" {
		name := map[syscall.Signal]string{syscall.SIGKILL: "KILL", syscall.SIGTERM: "TERM"}[sig]
		c.clusterCtl("kill-server", name)
		return
	}
	if err := c.dev.cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("signal dev server: %v", err)
	}
	if !c.dev.exited(30 * time.Second) {
		c.t.Fatalf("dev server still running 30s after %v", sig)
	}
}

// startServer starts the API server and waits until it answers.
func (c *cluster) startServer() *proc {
	c.t.Helper()
	c.server = c.start("server", binaries.server, nil)
	waitFor(c.t, 30*time.Second, "the server to answer", func() bool {
		if !c.server.alive() {
			c.t.Fatalf("server exited: %s", c.server.tail(20))
		}
		code, _ := c.get("/api/health")
		return code == http.StatusOK
	})
	return c.server
}

func (c *cluster) startWorker() *proc {
	c.t.Helper()
	return c.start("worker", binaries.worker, nil)
}

// waitPolling waits until the server reports the worker as polling the
// task queue (the SDK's identity starts with the worker's pid).
func (c *cluster) waitPolling(w *proc) {
	c.t.Helper()
	prefix := fmt.Sprintf(`"identity":"%d@`, w.pid())
	waitFor(c.t, 30*time.Second, w.name+" to poll the task queue", func() bool {
		if !w.alive() {
			c.t.Fatalf("%s exited: %s", w.name, w.tail(20))
		}
		_, body := c.get("/api/health")
		return strings.Contains(body, prefix)
	})
}

func (c *cluster) get(path string) (int, string) {
	hc := http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get("http://" + c.httpAddr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
	return resp.StatusCode, b.String()
}

// job reads a job's state; ok is false while the server or Temporal is not
// answering (a restart under way).
func (c *cluster) job(id string) (answer.Job, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	j, err := c.api.Job(ctx, id)
	if err != nil {
		var apiErr *jobclient.Error
		if errors.As(err, &apiErr) && apiErr.Status < 500 {
			c.t.Fatalf("job %s: %v", id, err)
		}
		return answer.Job{}, false
	}
	if j.Status == "failed" {
		c.t.Fatalf("job %s failed: %s", id, j.Note)
	}
	return j, true
}

// progress is a job's processed count as reported by a worker answering the
// progress query, and -1 when none answered (the count would then be the
// last one visibility recorded, which lags).
func (c *cluster) progress(id string) (answer.Job, int) {
	j, ok := c.job(id)
	if !ok || !j.WorkerAnswering {
		return j, -1
	}
	return j, j.Processed
}

// waitProcessed waits until a worker reports at least n firms processed.
func (c *cluster) waitProcessed(id string, n int, timeout time.Duration) answer.Job {
	c.t.Helper()
	var last answer.Job
	waitFor(c.t, timeout, fmt.Sprintf("job %s to process %d firms", id, n), func() bool {
		j, p := c.progress(id)
		if p >= 0 {
			last = j
		}
		return p >= n || j.Finished()
	})
	return last
}

// waitDone waits for the job to end with its workbook written.
func (c *cluster) waitDone(id string, timeout time.Duration) answer.Job {
	c.t.Helper()
	var last answer.Job
	waitFor(c.t, timeout, "job "+id+" to finish", func() bool {
		j, ok := c.job(id)
		if ok {
			last = j
		}
		return ok && j.Finished() && j.ResultReady
	})
	return last
}
