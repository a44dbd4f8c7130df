package sheetindex_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheetindex"
	"github.com/vcenrich/vcenrich/sheets"
)

// export is a job of n firms: a Firms row each, a few team members, a
// portfolio company and the pages fetched.
func export(n int) sheets.Export {
	return sheets.Export{
		InputHeaders: []string{"Firm Name", "Website", "City"},
		Total:        n,
		Load: func(i int) (firm.Input, firm.Result, error) {
			name := fmt.Sprintf("Firm %d Société", i)
			in := firm.Input{Index: i, Row: i + 2, Name: name, Website: fmt.Sprintf("https://f%d.vc/", i), Values: []string{name, fmt.Sprintf("f%d.vc", i), "Zürich"}}
			if i%4 == 3 {
				return in, firm.Result{Index: i, Status: firm.StatusFailed, Reason: "dns", Error: "the host does not exist"}, nil
			}
			res := firm.Result{Index: i, Status: firm.StatusOK, FinalURL: in.Website, Pages: 3, Description: "Early stage investors in " + strings.Repeat("software ", i%5),
				Team: []firm.Member{
					{Name: fmt.Sprintf("Ada %d", i), Title: "General Partner", Tier: firm.Tier1, Confidence: 0.85},
					{Name: fmt.Sprintf("Bo %d", i), Title: "Associate", Tier: firm.Tier3, Email: fmt.Sprintf("bo@f%d.vc", i), Confidence: 1.0 / 3},
				},
				Portfolio: []firm.Company{{Name: fmt.Sprintf("Co %d", i), Website: fmt.Sprintf("https://co%d.com", i)}},
				Visited:   []firm.PageVisit{{URL: in.Website, Status: 200, Kind: firm.PageHome}, {URL: in.Website + "team", Status: 200, Kind: firm.PageTeam, People: 2}},
			}
			return in, res, nil
		},
		Summary: sheets.Summary{JobID: "job-1", Name: "bench", Status: "completed", Total: n, FailuresByReason: map[string]int{"dns": n / 4}},
	}
}

// writeBoth writes e's workbook to dir/workbook.xlsx and its rows index
// beside it, in one pass.
func writeBoth(tb testing.TB, dir string, e sheets.Export) (string, sheetindex.Index) {
	tb.Helper()
	path := filepath.Join(dir, "workbook.xlsx")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := sheetindex.NewWriter(sheetindex.Dir(dir))
	e.Rows = w
	if err := sheets.WriteWorkbook(f, e); err != nil {
		tb.Fatal(err)
	}
	return path, finish(tb, dir, w)
}

func allRows(t *testing.T, dir string, ix sheetindex.Index) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, sh := range ix.Sheets {
		out[sh.Name] = each(t, dir, sh)
	}
	return out
}

// An index built later from an older workbook holds what the one written
// with the workbook holds.
func TestFromWorkbookMatchesTheWrittenIndex(t *testing.T) {
	written := t.TempDir()
	path, a := writeBoth(t, written, export(9))
	built := t.TempDir()
	w := sheetindex.NewWriter(sheetindex.Dir(built))
	if err := sheetindex.FromWorkbook(path, t.TempDir(), w); err != nil {
		t.Fatal(err)
	}
	b := finish(t, built, w)
	if !reflect.DeepEqual(a.Names(), b.Names()) || len(a.Sheets) != 5 {
		t.Fatalf("sheets %q and %q", a.Names(), b.Names())
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("indexes differ:\n%+v\n%+v", a, b)
	}
	if ra, rb := allRows(t, written, a), allRows(t, built, b); !reflect.DeepEqual(ra, rb) {
		t.Errorf("rows differ:\n%q\n%q", ra, rb)
	}
	if err := sheetindex.FromWorkbook(filepath.Join(built, "missing.xlsx"), "", sheetindex.NewWriter(sheetindex.Dir(built))); err == nil {
		t.Error("a missing workbook gave no error")
	}
}

// The results view's page of a 50,000-firm job: read through the index,
// against opening the workbook and scanning its sheet, as result.json did
// before (it counted every row for the total, so it always read them all).
//
//	go test -run '^$' -bench . -benchmem ./sheetindex/
func BenchmarkPage(b *testing.B) {
	const firms, offset, limit = 50_000, 25_000, 50
	dir := b.TempDir()
	path, _ := writeBoth(b, dir, export(firms))
	ctx := context.Background()
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			ix, err := sheetindex.Load(dir)
			if err != nil {
				b.Fatal(err)
			}
			sh, _ := ix.Sheet("Firms")
			f, err := os.Open(filepath.Join(dir, sh.File))
			if err != nil {
				b.Fatal(err)
			}
			rows, err := sh.Page(ctx, sheetindex.ReaderAt(f, sh.Size), offset, limit)
			f.Close()
			if err != nil || len(rows) != limit {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("search", func(b *testing.B) {
		ix, err := sheetindex.Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		sh, _ := ix.Sheet("Firms")
		for b.Loop() {
			f, err := os.Open(filepath.Join(dir, sh.File))
			if err != nil {
				b.Fatal(err)
			}
			rows, _, total, err := sh.Search(ctx, sheetindex.ReaderAt(f, sh.Size), "firm 2499", 0, limit)
			f.Close()
			if err != nil || total != 11 || len(rows) != 11 {
				b.Fatalf("%d of %d rows, %v", len(rows), total, err)
			}
		}
	})
	b.Run("excelize", func(b *testing.B) {
		tmp := b.TempDir()
		for b.Loop() {
			wb, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: 1 << 20, TmpDir: tmp})
			if err != nil {
				b.Fatal(err)
			}
			rows, err := wb.Rows("Firms")
			if err != nil {
				b.Fatal(err)
			}
			var page [][]string
			n := 0
			for rows.Next() {
				cols, err := rows.Columns()
				if err != nil {
					b.Fatal(err)
				}
				if n > offset && len(page) < limit {
					page = append(page, cols)
				}
				n++
			}
			rows.Close()
			wb.Close()
			if len(page) != limit {
				b.Fatalf("%d rows", len(page))
			}
		}
	})
}

// What writing the rows index beside the workbook adds to an export of a
// 50,000-firm job.
//
//	go test -run '^$' -bench Write -benchmem ./sheetindex/
func BenchmarkWrite(b *testing.B) {
	const firms = 50_000
	for _, withIndex := range []bool{false, true} {
		b.Run(map[bool]string{false: "workbook", true: "workbook+index"}[withIndex], func(b *testing.B) {
			for b.Loop() {
				dir := b.TempDir()
				e := export(firms)
				if !withIndex {
					f, err := os.Create(filepath.Join(dir, "workbook.xlsx"))
					if err != nil {
						b.Fatal(err)
					}
					if err := sheets.WriteWorkbook(f, e); err != nil {
						b.Fatal(err)
					}
					f.Close()
					continue
				}
				writeBoth(b, dir, e)
			}
		})
	}
}
