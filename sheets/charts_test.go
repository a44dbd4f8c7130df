package sheets_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
)

// The Summary carries a native chart of each block of counts (the tier mix,
// website statuses, failures by reason), drawn from the block's own cells;
// LibreOffice opens the workbook and draws them.
func TestSummaryCharts(t *testing.T) {
	var firms []loaded
	for i := range 12 {
		res := firm.Result{Index: i, Status: firm.StatusOK, Website: firm.WebsiteOK,
			Team: []firm.Member{{Name: "Ann Lee", Title: "Partner", Tier: firm.Tier1}, {Name: "Bo Chen", Title: "Analyst", Tier: firm.Tier3}}}
		switch {
		case i < 3:
			res = firm.Result{Index: i, Status: firm.StatusFailed, Reason: "dns", Website: firm.WebsiteDead}
		case i < 5:
			res = firm.Result{Index: i, Status: firm.StatusFailed, Reason: "timeout"}
		case i < 7:
			res.Website = firm.WebsiteRedirected
		}
		firms = append(firms, loaded{in: in(i, i+2, fmt.Sprint("Firm ", i), fmt.Sprintf("https://f%d.vc/", i), "", fmt.Sprint("Firm ", i)), res: res})
	}
	var buf bytes.Buffer
	err := sheets.WriteWorkbook(&buf, sheets.Export{
		InputHeaders: []string{"Name"}, Total: len(firms),
		Load: func(i int) (firm.Input, firm.Result, error) { return firms[i].in, firms[i].res, nil },
		Summary: sheets.Summary{JobID: "job-1", Status: "completed", Total: 12, Done: 7, Failed: 5, TeamMembers: 14,
			FailuresByReason: map[string]int{"dns": 3, "timeout": 2}},
	})
	if err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	// What a chart's range holds, read from the sheet's cells.
	cells := func(ref string) []string {
		m := regexp.MustCompile(`^'Summary'!\$([A-Z])\$(\d+):\$([A-Z])\$(\d+)$`).FindStringSubmatch(ref)
		if m == nil || m[1] != m[3] {
			t.Fatalf("range %q is not part of a column of the Summary", ref)
		}
		from, _ := strconv.Atoi(m[2])
		to, _ := strconv.Atoi(m[4])
		col := int(m[1][0] - 'A')
		var out []string
		for r := from; r <= to && r <= len(rows); r++ {
			if col < len(rows[r-1]) {
				out = append(out, rows[r-1][col])
			}
		}
		return out
	}
	want := map[string][2][]string{
		"Team members by tier":    {{"Tier 1 (decision makers)", "Tier 2", "Tier 3", "Other"}, {"7", "0", "7", "0"}},
		"Firms by website status": {{"ok", "redirected", "dead"}, {"5", "2", "5"}},
		"Firms failed, by reason": {{"dns", "timeout"}, {"3", "2"}},
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	formula := regexp.MustCompile(`<(?:c:)?f>([^<]+)</(?:c:)?f>`)
	title := regexp.MustCompile(`<a:t>([^<]+)</a:t>`)
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		tm := title.FindSubmatch(b)
		if tm == nil {
			t.Fatalf("%s has no title", zf.Name)
		}
		name := string(tm[1])
		w, ok := want[name]
		if !ok {
			t.Errorf("unexpected chart %q", name)
			continue
		}
		found[name] = true
		var refs []string
		for _, m := range formula.FindAllSubmatch(b, -1) {
			refs = append(refs, html.UnescapeString(string(m[1])))
		}
		// The series name, its categories, its values.
		if len(refs) != 3 {
			t.Fatalf("chart %q reads %v, want a name, categories and values", name, refs)
		}
		labels, values := cells(refs[1]), cells(refs[2])
		if !slices.Equal(labels, w[0]) || !slices.Equal(values, w[1]) {
			t.Errorf("chart %q draws %v = %v, want %v = %v", name, labels, values, w[0], w[1])
		}
	}
	for name := range want {
		if !found[name] {
			t.Errorf("no chart %q in the workbook", name)
		}
	}

	// LibreOffice draws them: the chart titles, which no cell holds, are
	// in the text of the PDF it prints the workbook to.
	for _, tool := range []string{"soffice", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (.ci/run installs it)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "enriched.xlsx")
	if err := os.WriteFile(xlsx, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	profile := "-env:UserInstallation=file://" + filepath.Join(dir, "lo-profile")
	if b, err := exec.CommandContext(ctx, "soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", dir, xlsx).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v: %s", err, b)
	}
	text, err := exec.CommandContext(ctx, "pdftotext", filepath.Join(dir, "enriched.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for name := range want {
		if !bytes.Contains(text, []byte(name)) {
			t.Errorf("LibreOffice's PDF of the workbook does not show the chart %q", name)
		}
	}
}
