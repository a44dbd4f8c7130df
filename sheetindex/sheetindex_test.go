package sheetindex_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/sheetindex"
)

// book is what a test writes: sheets in order, each header first.
type book struct {
	names []string
	rows  map[string][][]string
}

// write writes b into a new directory and opens its index.
func write(t *testing.T, b book) (string, sheetindex.Index) {
	t.Helper()
	dir := t.TempDir()
	w := sheetindex.NewWriter(sheetindex.Dir(dir))
	for _, name := range b.names {
		if err := w.StartSheet(name); err != nil {
			t.Fatal(err)
		}
		for _, r := range b.rows[name] {
			if err := w.Row(name, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir, finish(t, dir, w)
}

// finish saves w's index into dir and reads it back.
func finish(t testing.TB, dir string, w *sheetindex.Writer) sheetindex.Index {
	t.Helper()
	ix, err := w.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if err := sheetindex.Save(dir, ix); err != nil {
		t.Fatal(err)
	}
	if ix, err = sheetindex.Load(dir); err != nil {
		t.Fatal(err)
	}
	return ix
}

func source(t *testing.T, dir string, sh sheetindex.Sheet) sheetindex.Source {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, sh.File))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return sheetindex.ReaderAt(f, sh.Size)
}

// firms is a sheet of n rows below its header whose widths vary: every
// fifth row stops early (trailing cells empty), every seventh is blank.
func firms(n int) [][]string {
	rows := [][]string{{"Firm", "Website", "Status", "Note"}}
	for i := range n {
		r := []string{fmt.Sprintf("Firm %d", i), fmt.Sprintf("https://f%d.vc/", i), "ok", fmt.Sprintf("note %d", i)}
		switch {
		case i%7 == 3:
			r = nil
		case i%5 == 0:
			r = r[:2]
		case i%11 == 0:
			r = append(r, "an extra cell past the header")
		}
		rows = append(rows, r)
	}
	return rows
}

func orEmpty(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		if r == nil {
			r = []string{}
		}
		out[i] = r
	}
	return out
}

func TestPage(t *testing.T) {
	const n = 1000
	all := firms(n)
	dir, ix := write(t, book{names: []string{"Firms"}, rows: map[string][][]string{"Firms": all}})
	sh, ok := ix.Sheet("Firms")
	if !ok || sh.Rows != n || !reflect.DeepEqual(sh.Columns, all[0]) {
		t.Fatalf("sheet %s: %d rows, columns %q", sh.Name, sh.Rows, sh.Columns)
	}
	src := source(t, dir, sh)
	want := orEmpty(all[1:])
	for _, tc := range []struct{ offset, limit int }{
		{0, 50}, {0, 1}, {1, 1}, {127, 1}, {127, 2}, {128, 1}, {128, 128}, {129, 127},
		{100, 300}, {255, 2}, {256, 500}, {999, 50}, {990, 50}, {950, 50}, {1000, 50}, {5000, 10}, {0, 1000}, {3, 0},
	} {
		got, err := sh.Page(context.Background(), src, tc.offset, tc.limit)
		if err != nil {
			t.Fatalf("page %+v: %v", tc, err)
		}
		lo, hi := min(tc.offset, n), min(tc.offset+tc.limit, n)
		if !reflect.DeepEqual(got, want[lo:hi]) {
			t.Errorf("page %+v: %d rows from %q, want %d from %q", tc, len(got), first(got), hi-lo, first(want[lo:hi]))
		}
	}
}

// each reads every row of a sheet, the header first.
func each(t *testing.T, dir string, sh sheetindex.Sheet) [][]string {
	t.Helper()
	r, err := sh.Reader(context.Background(), source(t, dir, sh))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows [][]string
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

func first(rows [][]string) []string {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}

func TestSearch(t *testing.T) {
	const n = 700
	all := firms(n)
	// Texts a search must find whatever their case or encoding.
	odd := map[int][]string{
		10:  {"Société Générale", "https://sg.fr/", "ÉTÉ"},
		200: {"日本ベンチャー", "", "", "İstanbul"},
		300: {"Kelvin \u212a fund", "<&> \"quoted\" back\\slash", "tab\there"},
		640: {strings.Repeat("long ", 30_000) + "needle at the end"},
	}
	for i, r := range odd {
		all[i+1] = r
	}
	dir, ix := write(t, book{names: []string{"Firms"}, rows: map[string][][]string{"Firms": all}})
	sh, _ := ix.Sheet("Firms")
	src := source(t, dir, sh)
	for _, tc := range []struct {
		q             string
		offset, limit int
	}{
		{"firm 1", 0, 50}, {"firm 1", 50, 50}, {"firm 1", 100, 50}, {"firm 1", 110, 500},
		{"note 6", 0, 5}, {"https://", 0, 500}, {"extra cell", 3, 4},
		{"société", 0, 10}, {"été", 0, 10}, {"日本", 0, 10}, {"istanbul", 0, 10}, {"kelvin k", 0, 10},
		{"<&>", 0, 10}, {`"quoted"`, 0, 10}, {`back\slash`, 0, 10}, {"tab\th", 0, 10}, {"needle at", 0, 10},
		{"nowhere", 0, 10}, {"firm", 690, 50},
	} {
		rows, positions, total, err := sh.Search(context.Background(), src, tc.q, tc.offset, tc.limit)
		if err != nil {
			t.Fatalf("search %+v: %v", tc, err)
		}
		var hits [][]string
		var at []int
		for i, r := range orEmpty(all[1:]) {
			for _, v := range r {
				if strings.Contains(strings.ToLower(v), tc.q) {
					hits, at = append(hits, r), append(at, i)
					break
				}
			}
		}
		lo, hi := min(tc.offset, len(hits)), min(tc.offset+tc.limit, len(hits))
		want, wantAt := hits[lo:hi], at[lo:hi]
		if want == nil {
			want, wantAt = [][]string{}, []int{}
		}
		if total != len(hits) || !reflect.DeepEqual(rows, want) {
			t.Errorf("search %+v: %d of %d, want %d of %d", tc, len(rows), total, len(want), len(hits))
		}
		if !reflect.DeepEqual(positions, wantAt) {
			t.Errorf("search %+v: rows at %v, want %v", tc, positions, wantAt)
		}
		if tc.q != "nowhere" && tc.q != "firm" && len(hits) == 0 {
			t.Errorf("search %q: the test expects hits", tc.q)
		}
	}
}

// Sheets keep the order they were written in, an empty sheet included, and
// a Reader gives every row back, the header first.
func TestSheetsAndEach(t *testing.T) {
	b := book{names: []string{"Firms", "Empty", "Team Members", "Team Members (2)", "Summary"}, rows: map[string][][]string{
		"Firms":            firms(3),
		"Team Members":     {{"Firm", "Name"}, {"A", "Ada"}},
		"Team Members (2)": {{"Firm", "Name"}, {"B", "Bo"}},
		"Summary":          {{"Field", "Value"}, {"Job", "job-1"}, nil, {"Coverage"}},
	}}
	dir, ix := write(t, b)
	if got := ix.Names(); !reflect.DeepEqual(got, b.names) {
		t.Fatalf("sheets %q, want %q", got, b.names)
	}
	if _, ok := ix.Sheet("Nope"); ok {
		t.Error("a sheet that is not there was found")
	}
	for _, name := range b.names {
		sh, _ := ix.Sheet(name)
		got := each(t, dir, sh)
		if want := orEmpty(b.rows[name]); !reflect.DeepEqual(got, want) && len(want)+len(got) > 0 {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	empty, _ := ix.Sheet("Empty")
	if empty.Rows != 0 || empty.Columns == nil {
		t.Errorf("empty sheet %+v", empty)
	}
	if rows, err := empty.Page(context.Background(), source(t, dir, empty), 0, 50); err != nil || len(rows) != 0 || rows == nil {
		t.Errorf("page of an empty sheet: %q, %v", rows, err)
	}
	boom := errors.New("boom")
	sh, _ := ix.Sheet("Firms")
	missing := func(context.Context, int64, int64) (io.ReadCloser, error) { return nil, boom }
	if _, err := sh.Reader(context.Background(), missing); !errors.Is(err, boom) {
		t.Errorf("Reader of a file that cannot be opened: %v", err)
	}
	if _, err := sh.Page(context.Background(), missing, 0, 1); !errors.Is(err, boom) {
		t.Errorf("Page of a file that cannot be opened: %v", err)
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		data        string
		ok, noIndex bool
	}{
		{`{"format":1,"sheets":[]}`, true, false},
		{`{"format":2,"sheets":[]}`, false, true},
		{`{"sheets":[]}`, false, true},
		{`not json`, false, false},
	} {
		_, err := sheetindex.Decode([]byte(tc.data))
		if (err == nil) != tc.ok || errors.Is(err, sheetindex.ErrNoIndex) != tc.noIndex {
			t.Errorf("Decode(%s) = %v, want ok %v, no index %v", tc.data, err, tc.ok, tc.noIndex)
		}
	}
}

// A rows file cut short (a torn copy) is an error, not a short page.
func TestTruncatedFile(t *testing.T) {
	dir, ix := write(t, book{names: []string{"Firms"}, rows: map[string][][]string{"Firms": firms(300)}})
	sh, _ := ix.Sheet("Firms")
	path := filepath.Join(dir, sh.File)
	if err := os.Truncate(path, sh.Size-3); err != nil {
		t.Fatal(err)
	}
	sh.Size -= 3
	if _, err := sh.Page(context.Background(), source(t, dir, sh), 290, 50); err == nil {
		t.Error("a page of a truncated file read without error")
	}
	if _, _, _, err := sh.Search(context.Background(), source(t, dir, sh), "firm", 0, 50); err == nil {
		t.Error("a search of a truncated file read without error")
	}
}
