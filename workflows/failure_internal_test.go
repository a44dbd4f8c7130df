package workflows

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/vcenrich/vcenrich/contract"
)

// Each failure reason means one thing: the crawl's "timeout" is a page's,
// an attempt that ran out of time is firm_timeout.
func TestFailureOf(t *testing.T) {
	opts := contract.Options{FirmTimeout: 3 * time.Minute, HeartbeatTimeout: 30 * time.Second}
	for _, tc := range []struct {
		name       string
		err        error
		reason     string
		messageHas string
	}{
		{"the web's reason", temporal.NewApplicationError("no such host", "dns"), "dns", "no such host"},
		{"a page timed out", temporal.NewApplicationError("example.com timed out", "timeout"), "timeout", "timed out"},
		{"the attempt timed out", temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_START_TO_CLOSE, nil), contract.ReasonFirmTimeout, "3m0s"},
		{"wrapped attempt timeout", fmt.Errorf("activity: %w", temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_HEARTBEAT, nil)), contract.ReasonFirmTimeout, "30s"},
		{"an application error without a type", temporal.NewApplicationError("odd", ""), contract.ReasonInternal, "odd"},
		{"anything else", errors.New("boom"), contract.ReasonInternal, "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason, msg := failureOf(tc.err, opts)
			if reason != tc.reason || !strings.Contains(msg, tc.messageHas) {
				t.Errorf("failureOf = %q, %q; want %q and a message with %q", reason, msg, tc.reason, tc.messageHas)
			}
		})
	}
}
