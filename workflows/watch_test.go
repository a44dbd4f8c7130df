package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/vcenrich/vcenrich/activities"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/workflows"
)

// A refresh copies the watch's list as a job named after the schedule's
// run, runs it as a child compared with the last completed refresh, and
// tells the watch of the job twice: started (its run), then completed. A
// job that fails is not recorded as completed, so the next refresh still
// compares with the last good one.
func TestWatchRefresh(t *testing.T) {
	for _, tc := range []struct {
		name     string
		childErr error
	}{
		{"completed", nil},
		{"the job failed", temporal.NewNonRetryableApplicationError("could not write the workbook", "export_failed", nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			env.RegisterWorkflowWithOptions(workflows.WatchRefresh, workflow.RegisterOptions{Name: contract.WatchWorkflow})
			const refreshID = "watch-abc123-2026-12-07T06:00:00Z"
			env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: refreshID})
			wantJob := "job-abc123-2026-12-07T060000Z"
			previous := &contract.RunRef{JobID: "job-abc123-2026-11-30T060000Z", Run: "run-before"}

			var a *activities.Activities
			env.RegisterActivity(&activities.Activities{})
			var mu sync.Mutex
			var records []contract.RefreshRecord
			env.OnActivity(a.PrepareRefresh, mock.Anything, mock.Anything).Return(
				func(_ context.Context, r contract.RefreshTask) (contract.Refresh, error) {
					if r.WatchID != "watch-abc123" || r.JobID != wantJob {
						return contract.Refresh{}, errors.New("unexpected task")
					}
					return contract.Refresh{JobID: r.JobID, Name: "Watched, 2026-12-07 06:00", Total: 3, Notify: []string{"a@b.vc"}, Quiet: true, Previous: previous}, nil
				})
			env.OnActivity(a.RecordRefresh, mock.Anything, mock.Anything).Return(
				func(_ context.Context, r contract.RefreshRecord) error {
					mu.Lock()
					defer mu.Unlock()
					records = append(records, r)
					return nil
				})
			var got contract.Input
			env.OnWorkflow(contract.Workflow, mock.Anything, mock.Anything).Return(
				func(_ workflow.Context, in contract.Input) (contract.Result, error) {
					got = in
					if tc.childErr != nil {
						return contract.Result{}, tc.childErr
					}
					return contract.Result{JobID: in.JobID, Status: contract.StatusCompleted, Total: 3, Done: 3}, nil
				})
			env.ExecuteWorkflow(workflows.WatchRefresh, contract.WatchInput{WatchID: "watch-abc123", Link: "http://vc.test/"})
			if !env.IsWorkflowCompleted() {
				t.Fatal("the refresh did not finish")
			}
			if got.JobID != wantJob || got.Total != 3 || got.Previous == nil || *got.Previous != *previous || !got.QuietUnchanged ||
				got.Link != "http://vc.test/#"+wantJob || len(got.Notify) != 1 {
				t.Errorf("the job was started with %+v", got)
			}
			err := env.GetWorkflowError()
			wantRecords := 2
			if tc.childErr != nil {
				wantRecords = 1
				if err == nil {
					t.Error("a refresh whose job failed succeeded")
				}
			} else if err != nil {
				t.Fatalf("the refresh failed: %v", err)
			}
			if len(records) != wantRecords {
				t.Fatalf("recorded %+v, want %d records", records, wantRecords)
			}
			if records[0].Completed || records[0].Job.JobID != wantJob || records[0].Job.Run == "" {
				t.Errorf("first record %+v, want the started job with its run", records[0])
			}
			if wantRecords == 2 && (!records[1].Completed || records[1].Job != records[0].Job) {
				t.Errorf("second record %+v, want the same job completed", records[1])
			}
		})
	}
}
