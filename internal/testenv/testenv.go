// Package testenv starts the real parts integration tests run against: the
// Temporal dev server binary built by temporal-dev, with the same search
// attributes and dynamic config that `make demo` uses.
package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vcenrich/vcenrich/applog"
)

// RepoRoot finds the module root from the test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "temporal-dev")); err == nil {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the repository root")
		}
		dir = parent
	}
}

// TemporalBin is the dev server binary: VCENRICH_TEMPORAL_BIN, which `make
// test` sets after building it. Without it the test is skipped, except in
// CI, where a missing binary is a failure and not a silent skip.
func TemporalBin(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	bin := os.Getenv("VCENRICH_TEMPORAL_BIN")
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("VCENRICH_TEMPORAL_BIN is not set; run the tests with `make test`")
		}
		t.Skip("VCENRICH_TEMPORAL_BIN is not set; `make test` builds the dev server and sets it")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("dev server binary: %v", err)
	}
	return bin
}

// DevServerArgs are the dev-server flags vcenrich needs, from the one place
// that lists them (temporal-dev/dev.sh args).
func DevServerArgs(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command(filepath.Join(RepoRoot(t), "temporal-dev", "dev.sh"), "args").Output()
	if err != nil {
		t.Fatalf("temporal-dev/dev.sh args: %v", err)
	}
	return strings.Fields(string(bytes.TrimSpace(out)))
}

// Temporal starts a dev server on free ports for the test and stops it at
// the end. The returned client logs through the test's logger. When
// VCENRICH_TEST_TEMPORAL names a running cluster's frontend (make
// test-cluster), the test uses that instead and no dev server starts.
func Temporal(t testing.TB) (client.Client, *testsuite.DevServer) {
	t.Helper()
	if addr := ClusterAddr(); addr != "" {
		if testing.Short() {
			t.Skip("integration test: skipped with -short")
		}
		c, ns := ClusterNamespace(t, addr)
		t.Setenv("TEMPORAL_NAMESPACE", ns)
		return c, nil
	}
	bin := TemporalBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  bin,
		ClientOptions: &client.Options{Namespace: "default", Logger: applog.Temporal(Logger(t))},
		LogLevel:      "error",
		ExtraArgs:     DevServerArgs(t),
	})
	if err != nil {
		t.Fatalf("start dev server: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Logf("stop dev server: %v", err)
		}
	})
	return srv.Client(), srv
}

// Logger is a zap logger writing to the test's log. Lines logged after the
// test ended (a worker goroutine winding down) are dropped instead of
// panicking the test binary.
func Logger(t testing.TB) *zap.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.close)
	enc := zap.NewDevelopmentEncoderConfig()
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.AddSync(w), zap.InfoLevel)
	return zap.New(core)
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// ClusterAddr is the frontend of the running cluster the tests use instead
// of dev servers (VCENRICH_TEST_TEMPORAL, set by make test-cluster), or "".
func ClusterAddr() string { return os.Getenv("VCENRICH_TEST_TEMPORAL") }

// ClusterNamespace gives the test a namespace of its own on a shared
// cluster, with vcenrich's search attributes: job IDs derive from uploads,
// and the same upload in two tests (or two runs) must not meet. The code
// under test must be told to use it (TEMPORAL_NAMESPACE).
func ClusterNamespace(t testing.TB, addr string) (client.Client, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := fmt.Sprintf("t%d-%s", time.Now().UnixNano(), strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())))
	if len(ns) > 60 {
		ns = ns[:60]
	}
	admin, err := client.Dial(client.Options{HostPort: addr, Logger: applog.Temporal(Logger(t))})
	if err != nil {
		t.Fatalf("connect to the cluster at %s: %v", addr, err)
	}
	defer admin.Close()
	if _, err := admin.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}); err != nil {
		t.Fatalf("register namespace %s: %v", ns, err)
	}
	attrs := map[string]enumspb.IndexedValueType{}
	args := DevServerArgs(t)
	for i := 0; i+1 < len(args); i++ {
		if args[i] != "--search-attribute" {
			continue
		}
		name, kind, _ := strings.Cut(args[i+1], "=")
		attrs[name] = enumspb.IndexedValueType(enumspb.IndexedValueType_value["INDEXED_VALUE_TYPE_"+strings.ToUpper(kind)])
	}
	// A new namespace reaches every frontend's cache within seconds: retry
	// until it answers.
	for {
		_, err = admin.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns, SearchAttributes: attrs})
		if err == nil || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatalf("search attributes in %s: %v", ns, err)
	}
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: ns, Logger: applog.Temporal(Logger(t))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	for {
		_, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: "VcJobStatus = 'running'"})
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("namespace %s not ready: %v", ns, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	return c, ns
}
