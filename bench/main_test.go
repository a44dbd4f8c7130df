package main

import (
	"bufio"
	"flag"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/bench/firmlist"
	"github.com/vcenrich/vcenrich/bench/report"
	"github.com/vcenrich/vcenrich/bench/simweb"
	"github.com/vcenrich/vcenrich/config"
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

func TestParseRenderedFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    renderedOptions
		wantErr bool
	}{
		{"defaults", nil, renderedOptions{firms: 400, share: 0.1, browser: "auto", tabs: config.DefaultBrowserTabs}, false},
		{"the scenario alone", []string{"-rendered-only", "-rendered-firms", "200", "-rendered-share", "0.25", "-browser-tabs", "4"},
			renderedOptions{firms: 200, share: 0.25, only: true, browser: "auto", tabs: 4}, false},
		{"skipped", []string{"-rendered-firms", "0"}, renderedOptions{share: 0.1, browser: "auto", tabs: config.DefaultBrowserTabs}, false},
		{"alone but skipped", []string{"-rendered-only", "-rendered-firms", "0"}, renderedOptions{}, true},
		{"no share", []string{"-rendered-share", "0"}, renderedOptions{}, true},
		{"share above one", []string{"-rendered-share", "1.5"}, renderedOptions{}, true},
		{"no tab", []string{"-browser-tabs", "0"}, renderedOptions{}, true},
		{"browser off", []string{"-browser", "OFF"}, renderedOptions{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error=%v", err, tt.wantErr)
			}
			if err == nil && o.rendered != tt.want {
				t.Errorf("rendered options %+v, want %+v", o.rendered, tt.want)
			}
		})
	}
}

// TestWebArgsRoundTrip: the web child must serve the web the benchmark
// describes, the share of script-built sites included.
func TestWebArgsRoundTrip(t *testing.T) {
	tests := []simweb.Config{
		{Latency: 200 * time.Millisecond, Jitter: 50 * time.Millisecond, ErrorRate: 0.01, Rate429: 0.01, PageBytes: 40, SlowLatency: 2 * time.Second},
		{Latency: time.Millisecond, SlowRate: 0.05, SlowLatency: 3 * time.Second, PageBytes: 10, ScriptShare: 0.1},
	}
	for _, want := range tests {
		fs := flag.NewFlagSet("web", flag.ContinueOnError)
		got := webChildFlags(fs)
		if err := fs.Parse(webArgs(want)); err != nil {
			t.Fatal(err)
		}
		if *got != want {
			t.Errorf("webArgs(%+v) read back as %+v", want, *got)
		}
	}
}

func TestScriptBuilt(t *testing.T) {
	firms := firmlist.Make(2000, nil)
	tests := []struct {
		name   string
		share  float64
		lo, hi int
	}{
		{"static web", 0, 0, 0},
		{"a tenth", 0.1, 120, 220}, // of the ~1,500 that link their team page
		{"all", 1, 1400, 1800},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := simweb.Config{ScriptShare: tt.share}
			scripted, err := scriptBuilt(cfg, firms)
			if err != nil {
				t.Fatal(err)
			}
			sites, team := len(scripted), 0
			for website, n := range scripted {
				u, _ := url.Parse(website)
				if !cfg.Site(u.Hostname()).ScriptBuilt {
					t.Fatalf("%s is not script-built", website)
				}
				team += n
			}
			if sites < tt.lo || sites > tt.hi || team < 4*sites || team > 16*sites {
				t.Errorf("%d script-built sites with %d team members; want %d to %d sites of 4 to 16 people", sites, team, tt.lo, tt.hi)
			}
		})
	}
	if _, err := scriptBuilt(simweb.Config{}, []firmlist.Firm{{Website: "http://bad host/"}}); err == nil {
		t.Error("a firm with an unreadable website: no error")
	}
}

func TestTeamListed(t *testing.T) {
	write := func(t *testing.T, sheet string, rows [][]any) string {
		t.Helper()
		f := excelize.NewFile()
		defer f.Close()
		if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "enriched.xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	websites := map[string]int{"http://a.bench.test": 3, "http://c.bench.test": 2}
	tests := []struct {
		name    string
		sheet   string
		rows    [][]any
		want    int
		wantErr bool
	}{
		{"members of two firms", teamSheet, [][]any{
			{"Firm", "Website", "Name"},
			{"A", "http://a.bench.test", "Ann"}, {"A", "http://a.bench.test", "Bo"},
			{"B", "http://b.bench.test", "Cy"}, {"C", "http://c.bench.test", "Di"}, {"short row"},
		}, 3, false},
		{"nobody", teamSheet, [][]any{{"Firm", "Website", "Name"}}, 0, false},
		{"no website column", teamSheet, [][]any{{"Firm", "Name"}, {"A", "Ann"}}, 0, true},
		{"no team sheet", "Other", [][]any{{"Firm", "Website"}}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := teamListed(write(t, tt.sheet, tt.rows), websites)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %d, %v; want %d, error=%v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestMedianPair(t *testing.T) {
	for _, tc := range []struct {
		ratios []float64
		want   int
	}{
		{nil, 0},
		{[]float64{1.2}, 0},
		{[]float64{1.11, 1.02, 0.98}, 1},
		{[]float64{0.9, 1.3, 1.05}, 2},
		{[]float64{1.3, 1.0, 1.1, 1.2}, 2},
		{[]float64{1.0, 1.0, 1.0}, 1},
	} {
		pairs := make([]report.Pair, len(tc.ratios))
		for i, r := range tc.ratios {
			pairs[i].Ratio = r
		}
		if got := medianPair(pairs); got != tc.want {
			t.Errorf("medianPair(%v) = %d, want %d", tc.ratios, got, tc.want)
		}
	}
}
