package firmlist_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/bench/firmlist"
	"github.com/vcenrich/vcenrich/bench/simweb"
	"github.com/vcenrich/vcenrich/sheets"
)

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"accel.com", "accel"},
		{"www.Tiger-Global.com", "tiger-global"},
		{"https://a16z.com/team", "a16z"},
		{"first_round.capital", "first-round"},
		{"...", "firm"},
		{"", "firm"},
		{strings.Repeat("x", 80) + ".com", strings.Repeat("x", 40)},
	}
	for _, tt := range tests {
		if got := firmlist.Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMake(t *testing.T) {
	seeds := []firmlist.Seed{{"Accel Partners", "accel.com"}, {"Tiger Global Management", "tigerglobal.com"}}
	tests := []struct {
		name  string
		seeds []firmlist.Seed
		i     int
		want  firmlist.Firm
	}{
		{"first seed", seeds, 0, firmlist.Firm{"Accel Partners", "http://accel-00000" + simweb.Suffix}},
		{"second seed", seeds, 1, firmlist.Firm{"Tiger Global Management", "http://tigerglobal-00001" + simweb.Suffix}},
		{"seeds run out", seeds, 4, firmlist.Firm{"Accel Partners 3", "http://accel-00004" + simweb.Suffix}},
		{"no seeds", nil, 7, firmlist.Firm{"Bench Ventures 00007", "http://firm-00007" + simweb.Suffix}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := firmlist.Make(5+tt.i, tt.seeds)[tt.i]
			if got != tt.want {
				t.Errorf("firm %d = %+v, want %+v", tt.i, got, tt.want)
			}
		})
	}
}

func TestLoadSeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firms.csv")
	csv := "No,Name,Type,Website\n1,Accel Partners,VC,accel.com\n2,,VC,nameless.com\n3,Short Row\n4,Index Ventures,VC,indexventures.com\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := firmlist.LoadSeeds(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []firmlist.Seed{{"Accel Partners", "accel.com"}, {"Index Ventures", "indexventures.com"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("seeds %+v, want %+v", got, want)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := firmlist.LoadSeeds(bad); err == nil {
		t.Error("a CSV without name and website columns was accepted")
	}
}

// TestWorkbookReadsBack checks the product's own reader accepts every firm of
// the workbook, so an upload of N firms is a job of N firms.
func TestWorkbookReadsBack(t *testing.T) {
	firms := firmlist.Make(600, []firmlist.Seed{{"Accel Partners", "accel.com"}, {"Benchmark", "benchmark.com"}})
	path := filepath.Join(t.TempDir(), "firms.xlsx")
	if err := firmlist.WriteXLSX(path, firms); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	up, err := sheets.Parse(f, "firms.xlsx", sheets.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Firms) != len(firms) || len(up.Rejected) != 0 {
		t.Fatalf("%d firms read, %d rejected (%v); want %d and none", len(up.Firms), len(up.Rejected), up.Rejected, len(firms))
	}
	for i, in := range up.Firms {
		if in.Name != firms[i].Name || strings.TrimSuffix(in.Website, "/") != firms[i].Website {
			t.Fatalf("firm %d read as %q %q, written as %+v", i, in.Name, in.Website, firms[i])
		}
	}
}
