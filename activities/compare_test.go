package activities_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/activities"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/store"
)

// CompareRuns reads both runs from the store, matches firms by website
// (the later list has them in another order and one more), stores the
// changes, and the export writes them as the Changes sheet.
func TestCompareRunsAndTheChangesSheet(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := func(i int, name string) firm.Input {
		return firm.Input{Index: i, Row: i + 2, Name: name, Website: "https://" + name + ".vc/"}
	}
	ada := firm.Member{Name: "Ada Lovelace", Title: "Principal", Tier: firm.Tier2}
	put := func(job, run string, firms []firm.Input, results []firm.Result) {
		t.Helper()
		if err := st.PutJob(ctx, store.Job{ID: job, Total: len(firms), Run: run}, nil, firms); err != nil {
			t.Fatal(err)
		}
		for i, r := range results {
			r.Index, r.Run = i, run
			if err := st.PutResult(ctx, job, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	put("job-before", "r1", []firm.Input{in(0, "acme"), in(1, "beta")}, []firm.Result{
		{Status: firm.StatusOK, Team: []firm.Member{ada}},
		{Status: firm.StatusOK, Portfolio: []firm.Company{{Name: "Relay"}}},
	})
	promoted := ada
	promoted.Title, promoted.Tier = "Partner", firm.Tier1
	put("job-now", "r2", []firm.Input{in(0, "beta"), in(1, "acme"), in(2, "gamma")}, []firm.Result{
		{Status: firm.StatusFailed, Reason: "dns"},
		{Status: firm.StatusOK, Team: []firm.Member{promoted, {Name: "Cy Young", Title: "Associate", Tier: firm.Tier3}}},
		{Status: firm.StatusOK, Team: []firm.Member{{Name: "New Firm Person"}}},
	})

	a := &activities.Activities{Store: st}
	env := activityEnv(t)
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.CompareRuns, contract.CompareTask{JobID: "job-now", Run: "r2", Previous: contract.RunRef{JobID: "job-before", Run: "r1"}})
	if err != nil {
		t.Fatal(err)
	}
	var sum contract.ChangeSummary
	if err := v.Get(&sum); err != nil {
		t.Fatal(err)
	}
	// beta failed (not checked: not "Relay removed"), acme's Ada promoted
	// and Cy joined; gamma is new to the list: nothing to compare.
	want := map[string]int{"firm failed": 1, "title changed": 1, "person joined": 1}
	if sum.Total != 3 || len(sum.Counts) != len(want) || sum.Checked != 2 || sum.NotChecked != 1 {
		t.Errorf("summary %+v", sum)
	}
	for k, n := range want {
		if sum.Counts[k] != n {
			t.Errorf("%d %q, want %d (summary %+v)", sum.Counts[k], k, n, sum)
		}
	}

	if _, err := env.ExecuteActivity(a.ExportWorkbook, contract.ExportTask{JobID: "job-now", Run: "r2", Status: "completed", Total: 3, Changes: true}); err != nil {
		t.Fatal(err)
	}
	r, _, _, err := st.Workbook(ctx, "job-now")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(r)
	r.Close()
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if sheets := wb.GetSheetList(); !slices.Equal(sheets[:2], []string{"Firms", "Changes"}) {
		t.Errorf("sheets %v, want Changes after Firms", sheets)
	}
	rows, err := wb.GetRows("Changes")
	if err != nil {
		t.Fatal(err)
	}
	wantRows := [][]string{
		{"Firm", "Website", "Change", "Person or Company", "Old", "New", "Detail"},
		{"beta", "https://beta.vc/", "firm failed", "", "ok", "failed", "not checked this time: dns"},
		{"acme", "https://acme.vc/", "title changed", "Ada Lovelace", "Principal", "Partner", "tier 2 → tier 1"},
		{"acme", "https://acme.vc/", "person joined", "Cy Young", "", "Associate", "tier 3"},
	}
	if len(rows) != len(wantRows) {
		t.Fatalf("Changes sheet %q", rows)
	}
	for i := range wantRows {
		if !slices.Equal(rows[i], wantRows[i]) {
			t.Errorf("row %d %q, want %q", i+1, rows[i], wantRows[i])
		}
	}
}
