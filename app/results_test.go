package app_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/jobclient"
)

func get(t *testing.T, target string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestPartialResultOnRealServer: while a job is paused with two firms done,
// its workbook, CSV and row pages show those two and list the rest as not
// processed; once it ends the final workbook replaces the partial one.
func TestPartialResultOnRealServer(t *testing.T) {
	g := newGate()
	t.Cleanup(g.release)
	s := startStackWith(t, stackOptions{sites: g, env: map[string]string{"VCENRICH_WINDOW": "2"}})
	ctx := context.Background()
	created, err := s.client.Upload(ctx, writeSample(t), jobclient.UploadOptions{Name: "partial"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "two firms in flight", func() bool { n, _ := g.homepages(); return n == 2 })
	if err := s.client.Control(ctx, created.JobID, "pause"); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the job to read paused", func() bool { return s.job(t, created.JobID).Paused })
	g.release()
	eventually(t, time.Minute, "two firms finished while paused", func() bool {
		j := s.job(t, created.JobID)
		return j.Processed == 2 && len(j.InFlight) == 0
	})

	base := s.api.URL + "/api/jobs/" + created.JobID
	partial := filepath.Join(t.TempDir(), "partial.xlsx")
	if err := s.client.Download(ctx, created.JobID, partial); err != nil {
		t.Fatal(err)
	}
	rows := sheetRows(t, partial, "Firms")
	if len(rows)-1 != created.Firms {
		t.Fatalf("partial workbook has %d firm rows, want all %d", len(rows)-1, created.Firms)
	}
	counts := map[string]int{}
	for _, r := range rows[1:] {
		counts[cell(r, columns(rows[0])["Status"])]++
	}
	if counts["not processed"] != created.Firms-2 || counts["ok"]+counts["failed"] != 2 {
		t.Errorf("partial statuses %v, want 2 finished and %d not processed", counts, created.Firms-2)
	}

	resp, body := get(t, base+"/result.csv?sheet=Firms")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Vcenrich-Result") != "partial" {
		t.Fatalf("partial CSV: %d %v", resp.StatusCode, resp.Header)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff"))).ReadAll()
	if err != nil || len(records) != created.Firms+1 {
		t.Fatalf("partial CSV has %d records (%v), want %d", len(records), err, created.Firms+1)
	}

	resp, body = get(t, base+"/result.json?sheet="+url.QueryEscape("Firms")+"&q=not+processed&limit=2")
	var page struct {
		Rows    [][]string `json:"rows"`
		Total   int        `json:"total"`
		Partial bool       `json:"partial"`
	}
	if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("rows: %d %s", resp.StatusCode, body)
	}
	if page.Total != created.Firms-2 || len(page.Rows) != 2 || !page.Partial {
		t.Errorf("rows not processed: total %d, %d rows, partial %v", page.Total, len(page.Rows), page.Partial)
	}

	if err := s.client.Control(ctx, created.JobID, "resume"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Follow(ctx, created.JobID, 100*time.Millisecond, func(answer.Job) {}); err != nil {
		t.Fatal(err)
	}
	resp, _ = get(t, base+"/result")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Vcenrich-Result") != "final" {
		t.Errorf("result after the end: %d, %q", resp.StatusCode, resp.Header.Get("Vcenrich-Result"))
	}
	resp, body = get(t, base+"/result.json?sheet=Firms&q=not+processed")
	if err := json.Unmarshal(body, &page); err != nil || page.Total != 0 || page.Partial {
		t.Errorf("final rows still not processed: %d, %+v", resp.StatusCode, page)
	}
}
