package activities_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/vcenrich/vcenrich/activities"
	"github.com/vcenrich/vcenrich/contract"
)

// The worker registers *Activities, whose method names are the names
// Temporal knows the activities by; the workflow calls them by contract's.
// The two sets must be one.
func TestMethodsAreTheContractsActivities(t *testing.T) {
	want := []string{contract.ActivityEnrichFirm, contract.ActivityRecordFailure, contract.ActivityExportWorkbook,
		contract.ActivityNotify, contract.ActivityPrepareRetry, contract.ActivityEnrichBatch, contract.ActivityMarkPaused,
		contract.ActivityCompareRuns, contract.ActivityPrepareRefresh, contract.ActivityRecordRefresh}
	typ := reflect.TypeOf(&activities.Activities{})
	var got []string
	for i := range typ.NumMethod() {
		got = append(got, typ.Method(i).Name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("*Activities has methods %v; contract names %v", got, want)
	}
}
