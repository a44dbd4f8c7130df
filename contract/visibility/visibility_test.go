package visibility_test

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/contract/visibility"
)

func TestJobStatus(t *testing.T) {
	for _, tc := range []struct {
		exec     enumspb.WorkflowExecutionStatus
		reported string
		want     string
	}{
		{enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, "", contract.StatusRunning},
		{enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, contract.StatusPaused, contract.StatusPaused},
		{enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, contract.StatusExporting, contract.StatusExporting},
		// A closed execution's own status wins over the last one the job
		// recorded: a terminated job never wrote "failed" itself.
		{enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, contract.StatusExporting, contract.StatusCompleted},
		{enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED, contract.StatusRunning, contract.StatusCancelled},
		{enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, contract.StatusRunning, contract.StatusFailed},
		{enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, contract.StatusExporting, contract.StatusFailed},
		{enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, "", contract.StatusFailed},
		{enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED, contract.StatusRunning, contract.StatusPaused},
	} {
		if got := visibility.JobStatus(tc.exec, tc.reported); got != tc.want {
			t.Errorf("JobStatus(%s, %q) = %q, want %q", tc.exec, tc.reported, got, tc.want)
		}
	}
}
