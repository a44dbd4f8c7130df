package workflows_test

import (
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/workflows"
)

// TestReplayRecordedHistories replays histories recorded from real runs on
// the dev server (pause and resume, continue-as-new with failed firms, a
// cancel, a watch's refresh and its compared job: `make record-histories`
// writes them). A change to EnrichJob that
// would break a job already running fails here, before it ships.
func TestReplayRecordedHistories(t *testing.T) {
	// Histories recorded before a versioned change stay, in a folder named
	// for the change, beside the current ones: both must replay.
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	older, err := filepath.Glob(filepath.Join("testdata", "histories", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, older...)
	if len(files) < 8 {
		t.Fatalf("%d recorded histories; run `make record-histories`", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(filepath.ToSlash(f), "testdata/histories/"), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.EnrichJob, workflow.RegisterOptions{Name: contract.Workflow})
			r.RegisterWorkflowWithOptions(workflows.WatchRefresh, workflow.RegisterOptions{Name: contract.WatchWorkflow})
			if err := r.ReplayWorkflowHistoryFromJSONFile(applog.Temporal(testenv.Logger(t)), f); err != nil {
				t.Fatal(err)
			}
		})
	}
}
