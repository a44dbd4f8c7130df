package api

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=cmd()":       "'=cmd()",
		"+1 555":       "'+1 555",
		"-2":           "'-2",
		"@SUM(A1)":     "'@SUM(A1)",
		"\t=x":         "'\t=x",
		"\r=x":         "'\r=x",
		"Ada Lovelace": "Ada Lovelace",
		"a=b":          "a=b",
		"":             "",
		"'quoted":      "'quoted",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{
		20 << 20:   "20 MB",
		20_000_000: "20 MB",
		1_500_000:  "1.5 MB",
		64 << 10:   "64 KB",
		2500:       "2.5 KB",
		900:        "900 bytes",
	} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestAttachment(t *testing.T) {
	for name, want := range map[string]string{
		"Q3 list":      `attachment; filename="Q3 list.xlsx"`,
		`a/b\c:"d"`:    `attachment; filename=a-b-c--d-.xlsx`,
		"":             `attachment; filename=vcenrich.xlsx`,
		"Société Gén.": `attachment; filename*=utf-8''Soci%C3%A9t%C3%A9%20G%C3%A9n..xlsx`,
	} {
		if got := attachment(name, ".xlsx"); got != want {
			t.Errorf("attachment(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestParseNotify(t *testing.T) {
	for _, tc := range []struct {
		in    []string
		email bool // the server can send email
		want  []string
		ok    bool
	}{
		{nil, false, nil, true},
		{[]string{"a@example.com, https://hooks.example.com/x", "a@example.com"}, true, []string{"a@example.com", "https://hooks.example.com/x"}, true},
		{[]string{"https://hooks.example.com/x"}, false, []string{"https://hooks.example.com/x"}, true},
		{[]string{"a@example.com, https://hooks.example.com/x"}, false, nil, false},
		{[]string{"Ada <a@example.com>"}, true, nil, false},
		{[]string{"http://hooks.example.com"}, true, nil, false},
		{[]string{"not an address"}, true, nil, false},
	} {
		got, err := parseNotify(tc.in, tc.email)
		if (err == nil) != tc.ok || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parseNotify(%q, email %v) = %q, %v", tc.in, tc.email, got, err)
		}
	}
}

// TestWorkbookCache: one build serves repeated requests, a new version
// replaces the old folder, and evicted or closed entries leave nothing.
func TestWorkbookCache(t *testing.T) {
	dir := t.TempDir()
	wc := newWorkbookCache(dir, 2)
	builds := 0
	build := func(d string) error {
		builds++
		return os.WriteFile(filepath.Join(d, "workbook.xlsx"), fmt.Appendf(nil, "build %d", builds), 0o600)
	}
	read := func(id, key string) string {
		t.Helper()
		var got []byte
		err := wc.use(id, key, time.Hour, build, func(d string) (err error) { got, err = os.ReadFile(filepath.Join(d, "workbook.xlsx")); return err })
		if err != nil {
			t.Fatal(err)
		}
		return string(got)
	}
	files := func() int {
		m, _ := filepath.Glob(filepath.Join(dir, "*"))
		return len(m)
	}
	if read("a", "v1") != "build 1" || read("a", "v1") != "build 1" || builds != 1 {
		t.Fatalf("a fresh workbook was built again (%d builds)", builds)
	}
	if read("a", "v2") != "build 2" || files() != 1 {
		t.Errorf("a new version must replace the old file; %d files", files())
	}
	read("b", "v1")
	read("c", "v1") // evicts a, the least recently used
	if files() != 2 {
		t.Errorf("%d files after eviction, want 2", files())
	}
	if read("a", "v2") != "build 5" {
		t.Error("an evicted workbook was served")
	}
	if err := wc.use("d", "v1", 0, func(string) error { return fmt.Errorf("store down") }, func(string) error { return nil }); err == nil {
		t.Error("a failed build was not reported")
	}
	if err := wc.close(); err != nil || files() != 0 {
		t.Errorf("close left %d files (%v)", files(), err)
	}
}

func TestTimeline(t *testing.T) {
	const s0 = int64(1_740_002_400) // a Unix second, a multiple of an hour
	for _, tc := range []struct {
		name     string
		bySecond map[int64][2]int
		bars     int
		start    int64
		bucket   int
		done     []int
		failed   []int
	}{
		{"none", nil, 240, 0, 10, []int{}, []int{}},
		{"one second", map[int64][2]int{s0 + 3: {3, 1}}, 240, s0, 10, []int{3}, []int{1}},
		{"a gap", map[int64][2]int{s0 + 5: {1, 0}, s0 + 38: {0, 2}}, 240, s0, 10, []int{1, 0, 0, 0}, []int{0, 0, 0, 2}},
		{"longer than the bars", map[int64][2]int{s0: {1, 0}, s0 + 29: {1, 0}, s0 + 31: {1, 1}, s0 + 95: {2, 0}}, 3, s0, 60, []int{3, 2}, []int{1, 0}},
		{"exactly the bars", map[int64][2]int{s0 + 1: {1, 0}, s0 + 39: {1, 0}}, 4, s0, 10, []int{1, 0, 0, 1}, []int{0, 0, 0, 0}},
		{"a week", map[int64][2]int{s0: {1, 0}, s0 + 7*86400: {1, 0}}, 240, s0, 3600, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := timeline(tc.bySecond, tc.bars)
			if got.BucketSeconds != tc.bucket {
				t.Errorf("buckets of %d s, want %d", got.BucketSeconds, tc.bucket)
			}
			if tc.done != nil && (!slices.Equal(got.Done, tc.done) || !slices.Equal(got.Failed, tc.failed)) {
				t.Errorf("timeline %v %v, want %v %v", got.Done, got.Failed, tc.done, tc.failed)
			}
			if len(got.Done) > tc.bars {
				t.Errorf("%d buckets, more than %d", len(got.Done), tc.bars)
			}
			sum := 0
			for k := range got.Done {
				sum += got.Done[k] + got.Failed[k]
			}
			want := 0
			for _, c := range tc.bySecond {
				want += c[0] + c[1]
			}
			if sum != want {
				t.Errorf("%d firms in the buckets, want %d", sum, want)
			}
			if len(tc.bySecond) > 0 && got.Start.Unix() != tc.start {
				t.Errorf("start %v, want %v", got.Start, time.Unix(tc.start, 0).UTC())
			}
		})
	}
}

func TestScheduleSpec(t *testing.T) {
	for _, tc := range []struct {
		in       string
		cron     string
		every    time.Duration
		mentions string // of the error, when it fails
	}{
		{"weekly", "0 6 * * 1", 0, ""},
		{" Monthly ", "0 6 1 * *", 0, ""},
		{"daily", "0 6 * * *", 0, ""},
		{"hourly", "0 * * * *", 0, ""},
		{"36h", "", 36 * time.Hour, ""},
		{"5s", "", 5 * time.Second, ""},
		{"0  9 * *  MON", "0 9 * * mon", 0, ""},
		{"500ms", "", 0, "shorter than a second"},
		{"fortnightly", "", 0, "cron expression"},
		{"", "", 0, "none of"},
		{"0 6 * *", "", 0, "five fields"},
	} {
		spec, err := scheduleSpec(tc.in)
		if tc.mentions != "" {
			if err == nil || !strings.Contains(err.Error(), tc.mentions) {
				t.Errorf("scheduleSpec(%q) = %+v, %v; want an error mentioning %q", tc.in, spec, err, tc.mentions)
			}
			continue
		}
		if err != nil {
			t.Errorf("scheduleSpec(%q): %v", tc.in, err)
			continue
		}
		gotCron, gotEvery := "", time.Duration(0)
		if len(spec.CronExpressions) == 1 {
			gotCron = spec.CronExpressions[0]
		}
		if len(spec.Intervals) == 1 {
			gotEvery = spec.Intervals[0].Every
		}
		if gotCron != tc.cron || gotEvery != tc.every {
			t.Errorf("scheduleSpec(%q) = cron %q every %s, want %q %s", tc.in, gotCron, gotEvery, tc.cron, tc.every)
		}
	}
}
