package main

import (
	"bufio"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/bench/report"
)

func TestParsePersistence(t *testing.T) {
	metrics := `# HELP persistence_latency Persistence latency
# TYPE persistence_latency histogram
persistence_latency_bucket{operation="UpdateWorkflowExecution",service_name="history",le="0.001"} 3
persistence_latency_sum{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 1.5
persistence_latency_count{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 100
persistence_latency_sum{namespace="default",operation="CreateTasks",service_name="matching"} 0.25
persistence_latency_count{namespace="default",operation="CreateTasks",service_name="matching"} 10
persistence_latency_sum{namespace="_unknown_",operation="CreateTasks",service_name="history"} 0.25
persistence_latency_count{namespace="_unknown_",operation="CreateTasks",service_name="history"} 5
persistence_requests{operation="CreateTasks"} 15
persistence_latency_sum{operation="Broken"} not-a-number
`
	got := parsePersistence(bufio.NewScanner(strings.NewReader(metrics)))
	want := []report.Operation{
		{Name: "UpdateWorkflowExecution", Count: 100, Total: report.Duration(1500 * time.Millisecond)},
		{Name: "CreateTasks", Count: 15, Total: report.Duration(500 * time.Millisecond)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestWithoutMatcherConfig(t *testing.T) {
	in := []string{"--search-attribute", "VcJobStatus=Keyword", "--dynamic-config-value", "matching.useNewMatcher=true",
		"--dynamic-config-value", "history.x=1", "--dynamic-config-value", "matching.enableFairness=true"}
	want := []string{"--search-attribute", "VcJobStatus=Keyword", "--dynamic-config-value", "history.x=1"}
	if got := withoutMatcherConfig(in); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(options) bool
		wantErr bool
	}{
		{"defaults", nil, func(o options) bool {
			return o.firms == report.TargetFirms && o.big == 50_000 && o.workerMax == o.window && o.recoveryFirms == o.firms &&
				o.web.Latency == 200*time.Millisecond && o.web.PageBytes == 40
		}, false},
		{"small run", []string{"-firms", "500", "-big", "0", "-window", "32", "-latency", "50ms"}, func(o options) bool {
			return o.firms == 500 && o.big == 0 && o.workerMax == 32 && o.recoveryFirms == 500 && o.web.Latency == 50*time.Millisecond
		}, false},
		{"too few firms", []string{"-firms", "1"}, nil, true},
		{"stray argument", []string{"extra"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error=%v", err, tt.wantErr)
			}
			if err == nil && !tt.check(o) {
				t.Errorf("options %+v", o)
			}
		})
	}
}
