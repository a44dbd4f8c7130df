package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/firm"
)

func TestRunPrintsTeamPagesAndReason(t *testing.T) {
	pages := map[string]string{
		"/": `<html><head><title>Acme Ventures</title></head><body><nav><a href="/team">Team</a></nav>
<main><p>Acme Ventures is a seed fund investing in software companies.</p></main></body></html>`,
		"/team": `<html><body><main><h2>Team</h2><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Managing Partner</p></div>
<div class="card"><h3>Tom Reyes</h3><p>Principal</p></div></div></main></body></html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	cfg, err := config.LoadFrom(func(k string) (string, bool) {
		switch k {
		case "VCENRICH_FETCH_ALLOW":
			return addr, true
		case "VCENRICH_FETCH_HOSTS":
			return "acme.test=" + addr, true
		case "VCENRICH_HOST_INTERVAL":
			return "0s", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, cfg, "acme.test", "Acme"); err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	r := rep.Result
	if len(r.Team) != 2 || r.Team[0].Rule != firm.RuleCard || r.Team[0].SourceURL != "http://acme.test/team" {
		t.Errorf("team %+v", r.Team)
	}
	if len(r.Visited) < 2 || r.Visited[1].Kind != firm.PageTeam || r.Visited[1].People != 2 {
		t.Errorf("visited %+v", r.Visited)
	}
	if r.TeamReason != "" {
		t.Errorf("reason %q with a team", r.TeamReason)
	}

	// A site that does not answer fails the firm, said in the JSON too.
	out.Reset()
	srv.Close()
	if err := run(&out, cfg, "acme.test", "Acme"); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Error == "" || rep.Result.Status != firm.StatusFailed {
		t.Errorf("dead site: %v %+v", err, rep)
	}
}
