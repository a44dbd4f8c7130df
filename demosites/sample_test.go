package demosites_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/demosites"
)

func TestWriteSample(t *testing.T) {
	var buf bytes.Buffer
	if err := demosites.WriteSample(&buf); err != nil {
		t.Fatalf("WriteSample: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("reopen sample: %v", err)
	}
	defer func() { _ = f.Close() }()

	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"VC Firms"}) {
		t.Fatalf("sheets = %q, want only \"VC Firms\"", got)
	}
	rows, err := f.GetRows("VC Firms")
	if err != nil {
		t.Fatalf("read rows: %v", err)
	}
	if len(rows) < 3 {
		t.Fatalf("sheet has %d rows, want titles and a header", len(rows))
	}
	if cell(rows[0], 0) != "Demo VC list" || cell(rows[1], 0) != "exported 2026-11-01" {
		t.Errorf("title rows = %q, %q", rows[0], rows[1])
	}
	if want := []string{"Firm Name", "Website", "HQ", "Notes"}; !reflect.DeepEqual(rows[2], want) {
		t.Errorf("row 3 = %q, want header %q", rows[2], want)
	}

	sites := demosites.Sites()
	data := rows[3:]
	if len(data) != len(sites)+2 {
		t.Fatalf("got %d rows under the header, want %d sites + blank + invalid", len(data), len(sites))
	}
	blanks, invalid, schemed := 0, 0, map[string]int{}
	byName := map[string]string{}
	for i, r := range data {
		name, website := cell(r, 0), cell(r, 1)
		switch {
		case name == "" && website == "":
			blanks++
			if i == 0 || i == len(data)-1 {
				t.Errorf("blank row at the edge (data row %d), want it in the middle", i)
			}
		case website == "not a url":
			invalid++
		default:
			if _, dup := byName[name]; dup {
				t.Errorf("firm %q listed twice", name)
			}
			byName[name] = website
			if scheme, _, ok := strings.Cut(website, "://"); ok {
				schemed[scheme]++
			}
		}
	}
	if blanks != 1 || invalid != 1 {
		t.Errorf("got %d blank and %d invalid rows, want one of each", blanks, invalid)
	}
	if schemed["http"] == 0 || schemed["https"] == 0 || schemed["http"]+schemed["https"] > len(sites)/2 {
		t.Errorf("websites with scheme: %v, want a few of each, most bare", schemed)
	}
	for _, s := range sites {
		website, ok := byName[s.Name]
		if !ok {
			t.Errorf("no row for %s", s.Name)
			continue
		}
		if got := bareHost(website); got != s.Host {
			t.Errorf("%s: website %q points at %q, want %q", s.Name, website, got, s.Host)
		}
	}
}

func cell(row []string, i int) string {
	if i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

func bareHost(website string) string {
	if _, rest, ok := strings.Cut(website, "://"); ok {
		website = rest
	}
	host, _, _ := strings.Cut(website, "/")
	return host
}
