package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/contract/visibility"
)

// WatchRefresh is one refresh of a watch, the action of its schedule: the
// watch's list copied as a job of its own, that job run as a child
// workflow (compared with the last refresh that completed, so its workbook
// has a Changes sheet and its notification says what changed), and the
// watch told. The schedule never starts a refresh while one runs (its
// overlap policy), so refreshes of one watch never interleave.
func WatchRefresh(ctx workflow.Context, in contract.WatchInput) (contract.Result, error) {
	info := workflow.GetInfo(ctx)
	jobID := contract.RefreshJobID(info.WorkflowExecution.ID)
	logger := log.With(workflow.GetLogger(ctx), applog.FieldJob, jobID, "watch", in.WatchID)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	var r contract.Refresh
	if err := workflow.ExecuteActivity(actx, contract.ActivityPrepareRefresh, contract.RefreshTask{WatchID: in.WatchID, JobID: jobID}).Get(ctx, &r); err != nil {
		return contract.Result{}, fmt.Errorf("prepare the refresh: %w", err)
	}
	opts := in.Options.WithDefaults()
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: r.JobID,
		// Cancelling or terminating the refresh stops its job too.
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		Priority:              temporal.Priority{PriorityKey: opts.Priority, FairnessKey: r.JobID},
		TypedSearchAttributes: visibility.Starting(r.Name, r.Total),
	})
	child := workflow.ExecuteChildWorkflow(cctx, contract.Workflow, contract.Input{
		JobID: r.JobID, Name: r.Name, Total: r.Total, Options: in.Options, Notify: r.Notify,
		Link: in.Link + "#" + r.JobID, Previous: r.Previous, QuietUnchanged: r.Quiet,
	})
	var exec workflow.Execution
	if err := child.GetChildWorkflowExecution().Get(ctx, &exec); err != nil {
		return contract.Result{}, fmt.Errorf("start the refresh's job: %w", err)
	}
	record := func(completed bool) error {
		return workflow.ExecuteActivity(actx, contract.ActivityRecordRefresh, contract.RefreshRecord{
			WatchID: in.WatchID, Job: contract.RunRef{JobID: r.JobID, Run: exec.RunID}, Completed: completed,
		}).Get(ctx, nil)
	}
	if err := record(false); err != nil {
		logger.Warn("could not record the refresh's job", "error", err)
	}
	var res contract.Result
	if err := child.Get(ctx, &res); err != nil {
		return contract.Result{}, fmt.Errorf("the refresh's job: %w", err)
	}
	if err := record(true); err != nil {
		return res, fmt.Errorf("record the refresh: %w", err)
	}
	logger.Info("refresh done", "done", res.Done, "failed", res.Failed, "changes", res.Changes)
	return res, nil
}
