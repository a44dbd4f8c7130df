package contract_test

import (
	"testing"

	"github.com/vcenrich/vcenrich/contract"
)

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
