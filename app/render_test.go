package app_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/internal/testbrowser"
	"github.com/vcenrich/vcenrich/jobclient"
)

// needBrowser skips a test when no Chromium is installed, except in CI,
// which installs one.
func needBrowser(t *testing.T) {
	t.Helper()
	f, err := crawl.New(crawl.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	testbrowser.Renderer(t, f)
}

// scriptSite is a firm whose team page is an empty app root filled in by
// a script from a JSON file, and whose script also reaches for the cloud
// metadata address, which the fetcher refuses.
func scriptSite() http.Handler {
	pages := map[string]string{
		"/": `<html><head><title>Script Capital</title><meta name="description" content="Script Capital is a seed venture fund."></head>
<body><div id="app"></div><script>
fetch('http://169.254.169.254/latest/meta-data/').catch(() => {});
fetch('/data/team.json').then(r => r.json()).then(team => {
  document.getElementById('app').innerHTML = '<h1>Script Capital invests in seed-stage founders</h1><section><h2>Team</h2>' +
    team.map(p => '<div class="member"><h3>' + p.name + '</h3><p class="role">' + p.title + '</p></div>').join('') + '</section>';
});
</script></body></html>`,
		"/data/team.json": `[{"name": "Ines Carvalho", "title": "General Partner"}, {"name": "Jonas Weber", "title": "Partner"}, {"name": "Aiko Sato", "title": "Analyst"}]`,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".json") {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		io.WriteString(w, body)
	})
}

// TestScriptBuiltTeamThroughWorker: a firm whose people appear only after
// its script runs is rendered by the worker's browser, every request of
// which goes through the guarded fetcher, and its team reaches the
// workbook with the page marked rendered.
func TestScriptBuiltTeamThroughWorker(t *testing.T) {
	needBrowser(t)
	s := startStackWith(t, stackOptions{sites: scriptSite()})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte("Firm,Website\nScript Capital,http://script.demo.test/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	created, err := s.client.Upload(ctx, path, jobclient.UploadOptions{Name: "Script"})
	if err != nil {
		t.Fatal(err)
	}
	final, err := s.client.Follow(ctx, created.JobID, 200*time.Millisecond, func(answer.Job) {})
	if err != nil {
		t.Fatal(err)
	}
	if final.Done != 1 || final.TeamMembers != 3 {
		t.Fatalf("job %+v, want one firm with the script's three people", final)
	}
	out := filepath.Join(t.TempDir(), "out.xlsx")
	if err := s.client.Download(ctx, created.JobID, out); err != nil {
		t.Fatal(err)
	}
	members := sheetRows(t, out, "Team Members")
	mc := columns(members[0])
	names := map[string]bool{}
	for _, r := range members[1:] {
		names[cell(r, mc["Name"])] = true
	}
	for _, want := range []string{"Ines Carvalho", "Jonas Weber", "Aiko Sato"} {
		if !names[want] {
			t.Errorf("team members %q lack %s", members, want)
		}
	}
	pages := sheetRows(t, out, "Pages")
	pc := columns(pages[0])
	var rendered []string
	for _, r := range pages[1:] {
		if cell(r, pc["Taken For"]) == "rendered" {
			rendered = r
		}
	}
	// The document and the JSON fetched; the metadata address refused.
	if rendered == nil || cell(rendered, pc["People"]) != "3" || !strings.Contains(cell(rendered, pc["Rendered"]), "1 refused") {
		t.Errorf("Pages %q: want a rendered row with 3 people and the metadata request refused", pages)
	}
}
