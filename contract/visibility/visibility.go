// Package visibility is how a job shows in Temporal: the typed keys of the
// search attributes it keeps current, and the job status of an execution.
// It stands apart from contract so that contract, which config and the
// domain packages import, links nothing of Temporal's.
package visibility

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/vcenrich/vcenrich/contract"
)

// Typed keys of the search attributes, for starting, upserting and reading.
func StatusKey() temporal.SearchAttributeKeyKeyword {
	return temporal.NewSearchAttributeKeyKeyword(contract.SearchStatus)
}
func DoneKey() temporal.SearchAttributeKeyInt64 {
	return temporal.NewSearchAttributeKeyInt64(contract.SearchDone)
}
func TotalKey() temporal.SearchAttributeKeyInt64 {
	return temporal.NewSearchAttributeKeyInt64(contract.SearchTotal)
}
func FailedKey() temporal.SearchAttributeKeyInt64 {
	return temporal.NewSearchAttributeKeyInt64(contract.SearchFailed)
}
func TeamKey() temporal.SearchAttributeKeyFloat64 {
	return temporal.NewSearchAttributeKeyFloat64(contract.SearchTeam) // SQL visibility has room for three Int attributes
}
func UploadKey() temporal.SearchAttributeKeyKeyword {
	return temporal.NewSearchAttributeKeyKeyword(contract.SearchUpload)
}

// Starting are a job's search attributes as it starts: running, none of
// its total done, its name.
func Starting(name string, total int) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		StatusKey().ValueSet(contract.StatusRunning),
		DoneKey().ValueSet(0),
		TotalKey().ValueSet(int64(total)),
		UploadKey().ValueSet(name),
	)
}

// JobStatus is a job's status from its execution's status in Temporal and
// the status the job itself last reported (its search attribute or its
// progress answer; "" when none). It is the one place a closed execution's
// status becomes a job status.
func JobStatus(exec enumspb.WorkflowExecutionStatus, reported string) string {
	switch exec {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
		enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED:
		if reported == "" {
			return contract.StatusRunning
		}
		return reported
	case enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED: // paused through Temporal itself
		return contract.StatusPaused
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return contract.StatusCompleted
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return contract.StatusCancelled
	default: // failed, terminated, timed out
		return contract.StatusFailed
	}
}
