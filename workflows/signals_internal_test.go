package workflows

import (
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/contract"
)

func TestInSendOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := func(pause bool, at time.Time) contract.Control {
		return contract.Control{Action: map[bool]string{true: contract.ActionPause, false: contract.ActionResume}[pause], At: at}
	}
	for _, tc := range []struct {
		name string
		in   []contract.Control
		want []bool // pause flags in the order applied
	}{
		{"read out of order, sent resume then pause", []contract.Control{p(true, t0.Add(time.Second)), p(false, t0)}, []bool{false, true}},
		{"already in order", []contract.Control{p(true, t0), p(false, t0.Add(time.Second))}, []bool{true, false}},
		{"one unstamped keeps read order", []contract.Control{p(true, t0.Add(time.Second)), p(false, time.Time{})}, []bool{true, false}},
		{"ties keep read order", []contract.Control{p(false, t0), p(true, t0)}, []bool{false, true}},
		{"none", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := inSendOrder(tc.in)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d signals, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if (got[i].Action == contract.ActionPause) != tc.want[i] {
					t.Errorf("signal %d is %s, want pause=%v", i, got[i].Action, tc.want[i])
				}
			}
		})
	}
}
