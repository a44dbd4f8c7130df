package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/internal/testenv"
	"github.com/vcenrich/vcenrich/workflows"
)

// TestReplayRecordedHistories replays histories recorded from real runs on
// the dev server (pause and resume, continue-as-new with failed firms, a
// cancel: `make record-histories` writes them). A change to EnrichJob that
// would break a job already running fails here, before it ships.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("%d recorded histories; run `make record-histories`", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.EnrichJob, workflow.RegisterOptions{Name: "EnrichJob"})
			if err := r.ReplayWorkflowHistoryFromJSONFile(applog.Temporal(testenv.Logger(t)), f); err != nil {
				t.Fatal(err)
			}
		})
	}
}
