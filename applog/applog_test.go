package applog_test

import (
	"testing"

	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/vcenrich/vcenrich/applog"
)

func TestTemporalAdapterKeepsFields(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	l := log.With(applog.Temporal(zap.New(core)), applog.FieldJob, "job-1")
	tests := []struct {
		name   string
		log    func()
		msg    string
		fields map[string]any
	}{
		{"pairs", func() { l.Info("started", applog.FieldFirm, 3, "attempt", 1) }, "started",
			map[string]any{"job": "job-1", "firm": int64(3), "attempt": int64(1)}},
		{"odd count", func() { l.Warn("odd", "lonely") }, "odd",
			map[string]any{"job": "job-1", "lonely": "(missing)"}},
		{"non-string key", func() { l.Error("weird", 7, "x") }, "weird",
			map[string]any{"job": "job-1", "7": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.TakeAll()
			tt.log()
			got := logs.TakeAll()
			if len(got) != 1 || got[0].Message != tt.msg {
				t.Fatalf("got %+v", got)
			}
			ctx := got[0].ContextMap()
			for k, v := range tt.fields {
				if ctx[k] != v {
					t.Errorf("field %s = %#v, want %#v (all: %v)", k, ctx[k], v, ctx)
				}
			}
		})
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	for _, tc := range []struct{ format, level string }{{"xml", "info"}, {"json", "loud"}} {
		if _, err := applog.New(tc.format, tc.level); err == nil {
			t.Errorf("New(%q, %q) accepted", tc.format, tc.level)
		}
	}
	if _, err := applog.New("json", "debug"); err != nil {
		t.Fatal(err)
	}
}
