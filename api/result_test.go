package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
)

// bigExport is a finished job of n firms with names in several scripts,
// two team members each and the odd widths real sheets have: trailing
// empty cells, rows longer than others, blank Summary rows.
func bigExport(n int, tag string) sheets.Export {
	return sheets.Export{
		InputHeaders: []string{"Firm Name", "Website", "City"},
		Total:        n,
		Load: func(i int) (firm.Input, firm.Result, error) {
			name := fmt.Sprintf("%s Société №%d 日本", tag, i)
			in := firm.Input{Index: i, Name: name, Website: fmt.Sprintf("https://f%d.vc/", i), Values: []string{name, fmt.Sprintf("f%d.vc", i)}}
			if i%9 == 4 {
				return in, firm.Result{Index: i, Status: firm.StatusFailed, Reason: "dns", Error: "the host does not exist"}, nil
			}
			return in, firm.Result{Index: i, Status: firm.StatusOK, Pages: i % 5, Description: strings.Repeat("ü", i%3),
				Team: []firm.Member{{Name: fmt.Sprintf("Ada %d", i), Title: "General Partner", Confidence: 0.85}, {Name: fmt.Sprintf("Bo %d", i)}}}, nil
		},
		Summary: sheets.Summary{JobID: "job", Status: "completed", Total: n, FailuresByReason: map[string]int{"dns": n / 9}},
	}
}

type rowsAnswer struct {
	Sheet   string     `json:"sheet"`
	Sheets  []string   `json:"sheets"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
	Total   int        `json:"total"`
	Offset  int        `json:"offset"`
	Limit   int        `json:"limit"`
	Query   string     `json:"q"`
	Partial bool       `json:"partial"`
}

// wantPage is the page the downloaded workbook itself gives: rows of the
// sheet below its header, those with a cell containing q when q is set,
// each as wide as the header at least.
func wantPage(sheet [][]string, q string, offset, limit int) ([][]string, int) {
	var hits [][]string
	for _, r := range sheet[1:] {
		if q == "" || containsFold(r, q) {
			row := make([]string, max(len(sheet[0]), len(r)))
			copy(row, r)
			hits = append(hits, row)
		}
	}
	lo, hi := min(offset, len(hits)), min(offset+limit, len(hits))
	return append([][]string{}, hits[lo:hi]...), len(hits)
}

// containsFold says whether a cell of row contains q, in lower case,
// ignoring case.
func containsFold(row []string, q string) bool {
	for _, v := range row {
		if strings.Contains(strings.ToLower(v), q) {
			return true
		}
	}
	return false
}

// Pages and searches of a final workbook come from the rows index its export
// wrote, without building anything here; a workbook written without one (as
// before rows indexes) is paged from the workbook itself, and an index is
// never served with a workbook it was not written with.
func TestResultRowsOfFinalWorkbooks(t *testing.T) {
	e := newEnv(t, nil)
	c := e.create(nil)
	e.finish(c.JobID)
	e.fake.workflows[c.JobID].status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	ctx := context.Background()
	const firms = 300 // Firms crosses two index points, Team Members four
	cacheFolders := func() int {
		entries, err := os.ReadDir(e.cfg.TempDir)
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	for _, step := range []struct {
		name    string
		tag     string
		indexed bool
	}{
		{"exported with an index", "First", true},
		{"older, without an index", "Older", false},
		{"exported again", "Latest", true},
	} {
		t.Run(step.name, func(t *testing.T) {
			ex := bigExport(firms, step.tag)
			var err error
			if step.indexed {
				err = e.store.PutExport(ctx, c.JobID, ex)
			} else {
				err = e.store.PutWorkbook(ctx, c.JobID, func(w io.Writer) error { return sheets.WriteWorkbook(w, ex) })
			}
			if err != nil {
				t.Fatal(err)
			}
			before := cacheFolders()
			xlsx := e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result", nil, nil)
			if xlsx.Code != http.StatusOK || xlsx.Header().Get("Vcenrich-Result") != "final" {
				t.Fatalf("workbook: %d %v", xlsx.Code, xlsx.Header())
			}
			for _, tc := range []struct {
				sheet, q      string
				offset, limit int
			}{
				{"Firms", "", 0, 50},
				{"Firms", "", 120, 20},  // across the first index point
				{"Firms", "", 127, 130}, // across two
				{"Firms", "", 256, 50},  // starts on one
				{"Firms", "", 290, 50},  // the last page, partly full
				{"Firms", "", 300, 50},  // past the end
				{"Firms", "", 0, 500},
				{"Firms", "société №12", 0, 5}, // 12, 120-129: across pages
				{"Firms", "société №12", 5, 5},
				{"Firms", "日本", 280, 50},
				{"Firms", "FAILED", 0, 10},
				{"Firms", "nowhere", 0, 10},
				{"Team Members", "", 250, 20},
				{"Team Members", "", 599, 10},
				{"Team Members", "bo 2", 100, 50},
				{"Summary", "", 0, 50},
				{"Pages", "", 0, 50},
			} {
				target := fmt.Sprintf("/api/jobs/%s/result.json?sheet=%s&offset=%d&limit=%d&q=%s",
					c.JobID, url.QueryEscape(tc.sheet), tc.offset, tc.limit, url.QueryEscape(tc.q))
				got := decode[rowsAnswer](t, e.do(http.MethodGet, target, nil, nil))
				sheet := rowsOf(t, xlsx.Body.Bytes(), tc.sheet)
				q := strings.ToLower(tc.q)
				want, total := wantPage(sheet, q, tc.offset, tc.limit)
				if got.Total != total || !reflect.DeepEqual(got.Rows, want) || !reflect.DeepEqual(got.Columns, sheet[0]) {
					t.Errorf("%+v: %d rows of %d, want %d of %d\n got  %q\n want %q", tc, len(got.Rows), got.Total, len(want), total, first(got.Rows), first(want))
				}
				if got.Partial || got.Sheet != tc.sheet || got.Offset != tc.offset || got.Limit != tc.limit || got.Query != q || len(got.Sheets) != 5 {
					t.Errorf("%+v: answer %+v", tc, got)
				}
				if len(got.Rows) > 0 && !strings.Contains(strings.Join(got.Rows[0], " "), step.tag) && tc.sheet != "Summary" && tc.sheet != "Pages" {
					t.Errorf("%+v: rows of another workbook: %q", tc, got.Rows[0])
				}
			}
			rec := e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.csv?sheet="+url.QueryEscape("Team Members"), nil, nil)
			records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
			if err != nil || rec.Code != http.StatusOK || rec.Header().Get("Vcenrich-Result") != "final" {
				t.Fatalf("csv: %d %v", rec.Code, err)
			}
			if sheet := rowsOf(t, xlsx.Body.Bytes(), "Team Members"); len(records) != len(sheet) || !reflect.DeepEqual(records[0], sheet[0]) || records[len(records)-1][2] != sheet[len(sheet)-1][2] {
				t.Errorf("csv has %d records, the sheet %d rows", len(records), len(sheet))
			}
			wantError(t, e.do(http.MethodGet, "/api/jobs/"+c.JobID+"/result.json?sheet=People", nil, nil), http.StatusBadRequest, `no sheet "People"`)
			// The indexed workbook's pages build nothing here; the older one's
			// rows are built once, into one folder, for every page.
			if built := cacheFolders() - before; built != map[bool]int{true: 0, false: 1}[step.indexed] {
				t.Errorf("%d folders built for paging", built)
			}
		})
	}
}

func first(rows [][]string) []string {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}
