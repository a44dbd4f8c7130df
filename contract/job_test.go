package contract_test

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/vcenrich/vcenrich/contract"
)

func TestStatusOf(t *testing.T) {
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
		if got := contract.StatusOf(tc.exec, tc.reported); got != tc.want {
			t.Errorf("StatusOf(%s, %q) = %q, want %q", tc.exec, tc.reported, got, tc.want)
		}
	}
}

func TestLiveStatus(t *testing.T) {
	for _, tc := range []struct {
		final           string
		paused, stalled bool
		want            string
	}{
		{"", false, false, contract.StatusRunning},
		{"", true, true, contract.StatusPaused}, // paused is not stalled
		{"", false, true, contract.StatusStalled},
		{contract.StatusExporting, true, false, contract.StatusExporting},
	} {
		if got := contract.LiveStatus(tc.final, tc.paused, tc.stalled); got != tc.want {
			t.Errorf("LiveStatus(%q, %v, %v) = %q, want %q", tc.final, tc.paused, tc.stalled, got, tc.want)
		}
	}
	for _, s := range contract.Statuses() {
		if contract.Finished(s) != (s == contract.StatusCompleted || s == contract.StatusCancelled || s == contract.StatusFailed) {
			t.Errorf("Finished(%q) = %v", s, contract.Finished(s))
		}
	}
}
