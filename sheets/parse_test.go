package sheets_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
)

// sheetSpec is one worksheet of a workbook built for a test; rows are written
// from A1 down, and a nil row leaves that row empty.
type sheetSpec struct {
	name   string
	hidden bool
	rows   [][]any
}

func buildXLSX(t *testing.T, specs ...sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range specs {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			if row == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, s := range specs {
		if s.hidden {
			continue
		}
		f.SetActiveSheet(i) // excelize refuses to hide the active sheet
		break
	}
	for _, s := range specs {
		if s.hidden {
			if err := f.SetSheetVisible(s.name, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// streamedXLSX writes rows with a StreamWriter, which stores only the
// non-nil cells given, as a hostile or sparse file would.
func streamedXLSX(t *testing.T, rows map[int][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range slices.Sorted(maps.Keys(rows)) {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, rows[r]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xfd returns a row of the full sheet width with the given cells at its
// start and last at column XFD.
func xfd(last any, first ...any) []any {
	row := make([]any, 16384)
	copy(row, first)
	row[len(row)-1] = last
	return row
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func in(index, row int, name, website, desc string, values ...string) firm.Input {
	return firm.Input{Index: index, Row: row, Name: name, Website: website, Description: desc, Values: values}
}

type wantUpload struct {
	format, sheet string
	headerRow     int
	headers       []string
	mapping       sheets.Mapping
	firms         []firm.Input
	rejected      []sheets.Rejected
}

func withSource(in firm.Input, source string) firm.Input {
	in.WebsiteSource = source
	return in
}

func TestParse(t *testing.T) {
	long := strings.Repeat("é", 30) // 60 bytes
	encrypted := func(t *testing.T) []byte {
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetRow("Sheet1", "A1", &[]any{"Name", "Website"}); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf, excelize.Options{Password: "secret"}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	good := func(t *testing.T) []byte {
		return buildXLSX(t, sheetSpec{name: "Firms", rows: [][]any{{"Name", "Website"}, {"Accel", "accel.com"}}})
	}

	tests := []struct {
		name     string
		file     func(t *testing.T) []byte
		lim      sheets.Limits
		want     *wantUpload
		wantKind sheets.ErrorKind
		// wantHeaders is checked for KindMissingColumn.
		wantHeaders []string
	}{
		{
			name: "xlsx header below title rows, extra columns, blank and bad rows",
			file: func(t *testing.T) []byte {
				return buildXLSX(t, sheetSpec{name: "VC list", rows: [][]any{
					{"Top venture firms 2024"},
					{"Compiled by the research team"},
					nil,
					{"Firm Name", "Website", "About", "HQ", "Founded", "Last fund", "Share"},
					{"  Accel   Partners ", "accel.com", " Early and growth stage ", "Palo Alto", 1983, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), 0.1 + 0.2},
					nil,
					{"Index Ventures", "https://www.IndexVentures.com/team#people", "", "London"},
					{"", "www.sequoiacap.com/"},
					{"Accel again", "HTTP://www.accel.com/"},
					{"No Site Capital", "", "", "Boston"},
					{"Typo Partners", "not a url", "", ""},
					{"", "", "", "  "},
				}})
			},
			want: &wantUpload{
				format: "xlsx", sheet: "VC list", headerRow: 4,
				headers: []string{"Firm Name", "Website", "About", "HQ", "Founded", "Last fund", "Share"},
				mapping: sheets.Mapping{Name: 0, Website: 1, Description: 2},
				firms: []firm.Input{
					in(0, 5, "Accel Partners", "https://accel.com/", "Early and growth stage",
						"  Accel   Partners ", "accel.com", " Early and growth stage ", "Palo Alto", "1983", "2024-03-05", "0.3"),
					in(1, 7, "Index Ventures", "https://www.indexventures.com/team", "",
						"Index Ventures", "https://www.IndexVentures.com/team#people", "", "London", "", "", ""),
					in(2, 8, "sequoiacap.com", "https://www.sequoiacap.com/", "",
						"", "www.sequoiacap.com/", "", "", "", "", ""),
				},
				rejected: []sheets.Rejected{
					{Row: 9, Reason: "same website as row 5", SameAs: 5},
					{Row: 10, Reason: "no website"},
					{Row: 11, Reason: "not a website: not a url"},
				},
			},
		},
		{
			name: "hidden first sheet is skipped",
			file: func(t *testing.T) []byte {
				return buildXLSX(t,
					sheetSpec{name: "Old", hidden: true, rows: [][]any{{"Name", "Website"}, {"Hidden Capital", "hidden.vc"}}},
					sheetSpec{name: "Current", rows: [][]any{{"Investor", "URL"}, {"Shown Capital", "shown.vc"}}},
				)
			},
			want: &wantUpload{
				format: "xlsx", sheet: "Current", headerRow: 1,
				headers: []string{"Investor", "URL"},
				mapping: sheets.Mapping{Name: 0, Website: 1, Description: -1},
				firms:   []firm.Input{in(0, 2, "Shown Capital", "https://shown.vc/", "", "Shown Capital", "shown.vc")},
			},
		},
		{
			name: "first visible sheet without a header row is passed over",
			file: func(t *testing.T) []byte {
				return buildXLSX(t,
					sheetSpec{name: "Read me", rows: [][]any{{"This workbook lists firms."}, {"See the next sheet."}}},
					sheetSpec{name: "Data", rows: [][]any{{"Fund", "Homepage", "Overview"}, {"Blue Fund", "blue.vc", "Seed"}}},
				)
			},
			want: &wantUpload{
				format: "xlsx", sheet: "Data", headerRow: 1,
				headers: []string{"Fund", "Homepage", "Overview"},
				mapping: sheets.Mapping{Name: 0, Website: 1, Description: 2},
				firms:   []firm.Input{in(0, 2, "Blue Fund", "https://blue.vc/", "Seed", "Blue Fund", "blue.vc", "Seed")},
			},
		},
		{
			name: "look-alike headers are not mistaken for name or website",
			file: func(t *testing.T) []byte {
				return buildXLSX(t, sheetSpec{name: "S", rows: [][]any{
					{"Investor Type", "Website Status", "LinkedIn URL", "Investor Name", "Main Website", "", "Short Description"},
					{"VC", "live", "linkedin.com/company/x", "X Ventures", "x.vc", "stray", "Fintech"},
				}})
			},
			want: &wantUpload{
				format: "xlsx", sheet: "S", headerRow: 1,
				headers: []string{"Investor Type", "Website Status", "LinkedIn URL", "Investor Name", "Main Website", "Column 6", "Short Description"},
				mapping: sheets.Mapping{Name: 3, Website: 4, Description: 6},
				firms: []firm.Input{in(0, 2, "X Ventures", "https://x.vc/", "Fintech",
					"VC", "live", "linkedin.com/company/x", "X Ventures", "x.vc", "stray", "Fintech")},
			},
		},
		{
			name: "cell in column XFD and a cell at row 1048576",
			file: func(t *testing.T) []byte {
				return streamedXLSX(t, map[int][]any{
					1:         {"Name", "Website"},
					2:         xfd("far right", "Accel", "accel.com"),
					3:         xfd("only a far cell"),
					4:         {"Index", "indexventures.com"},
					1_048_576: {"Late Capital", "late.vc"},
				})
			},
			want: &wantUpload{
				format: "xlsx", sheet: "Sheet1", headerRow: 1,
				headers: []string{"Name", "Website"},
				mapping: sheets.Mapping{Name: 0, Website: 1, Description: -1},
				firms: []firm.Input{
					in(0, 2, "Accel", "https://accel.com/", "", "Accel", "accel.com"),
					in(1, 4, "Index", "https://indexventures.com/", "", "Index", "indexventures.com"),
				},
			},
		},
		{
			name: "xlsx cells are capped by MaxColumns and MaxCellBytes",
			file: func(t *testing.T) []byte {
				return buildXLSX(t, sheetSpec{name: "S", rows: [][]any{
					{"Name", "Website", "Notes", "Dropped"},
					{long, "accel.com", "n", "d"},
				}})
			},
			lim: sheets.Limits{MaxColumns: 3, MaxCellBytes: 11},
			want: &wantUpload{
				format: "xlsx", sheet: "S", headerRow: 1,
				headers: []string{"Name", "Website", "Notes"},
				mapping: sheets.Mapping{Name: 0, Website: 1, Description: -1},
				firms:   []firm.Input{in(0, 2, "ééééé", "https://accel.com/", "", "ééééé", "accel.com", "n")},
			},
		},
		{
			name: "semicolon CSV with commas inside fields",
			file: func(t *testing.T) []byte {
				return []byte("Name;Website;Description\nAcme Capital;acme.vc;We back seed, Series A, and B\n\"Semi; Colon\";semi.vc;\n")
			},
			want: &wantUpload{
				format: "csv", headerRow: 1,
				headers: []string{"Name", "Website", "Description"},
				mapping: sheets.Mapping{Name: 0, Website: 1, Description: 2},
				firms: []firm.Input{
					in(0, 2, "Acme Capital", "https://acme.vc/", "We back seed, Series A, and B", "Acme Capital", "acme.vc", "We back seed, Series A, and B"),
					in(1, 3, "Semi; Colon", "https://semi.vc/", "", "Semi; Colon", "semi.vc", ""),
				},
			},
		},
		{
			name: "BOM CSV with CRLF, blank lines and a multi-line field keeps sheet row numbers",
			file: func(t *testing.T) []byte {
				return []byte("\xEF\xBB\xBFCompany,Domain,Summary\r\nFoo Capital,foo.com,\"two\r\nlines\"\r\n\r\nBar,bar.io\r\n")
			},
			want: &wantUpload{
				format: "csv", headerRow: 1,
				headers: []string{"Company", "Domain", "Summary"},
				mapping: sheets.Mapping{Name: 0, Website: 1, Description: 2},
				firms: []firm.Input{
					in(0, 2, "Foo Capital", "https://foo.com/", "two\nlines", "Foo Capital", "foo.com", "two\nlines"),
					in(1, 4, "Bar", "https://bar.io/", "", "Bar", "bar.io", ""),
				},
			},
		},
		{
			name: "tab-separated with title line and no name column",
			file: func(t *testing.T) []byte {
				return []byte("Exported list\n\nweb address\tcity\nhttps://www.accel.com\tPalo Alto\nfoo@bar.com\tNowhere\n")
			},
			want: &wantUpload{
				format: "csv", headerRow: 3,
				headers: []string{"web address", "city"},
				mapping: sheets.Mapping{Name: -1, Website: 0, Description: -1},
				// An email address in the website column gives its domain,
				// marked as derived.
				firms: []firm.Input{in(0, 4, "accel.com", "https://www.accel.com/", "", "https://www.accel.com", "Palo Alto"),
					withSource(in(1, 5, "bar.com", "https://bar.com/", "", "foo@bar.com", "Nowhere"), "the email address in column web address (foo@bar.com)")},
			},
		},
		{
			name:     "non-UTF-8 CSV",
			file:     func(t *testing.T) []byte { return []byte("Name,Website\nCaf\xe9 Capital,cafe.com\n") },
			wantKind: sheets.KindInvalid,
		},
		{
			name: "non-UTF-8 byte after the sniffed prefix",
			file: func(t *testing.T) []byte {
				var b bytes.Buffer
				b.WriteString("Name,Website\n")
				for b.Len() < 80<<10 {
					b.WriteString("Good Capital,good.vc\n")
				}
				b.WriteString("Caf\xe9,cafe.vc\n")
				return b.Bytes()
			},
			wantKind: sheets.KindInvalid,
		},
		{
			name:        "CSV without a website column",
			file:        func(t *testing.T) []byte { return []byte("No,Name,Type,City\n1,Acme,VC,NYC\n") },
			wantKind:    sheets.KindMissingColumn,
			wantHeaders: []string{"No", "Name", "Type", "City"},
		},
		{
			name:        "only numbers and no website column",
			file:        func(t *testing.T) []byte { return []byte("1,2\n3,4\n") },
			wantKind:    sheets.KindMissingColumn,
			wantHeaders: []string{"1", "2"},
		},
		{
			name: "xlsx without a website column lists the most header-like row",
			file: func(t *testing.T) []byte {
				return buildXLSX(t, sheetSpec{name: "S", rows: [][]any{
					{"Firms"},
					{"Firm", "Investor Type", "LinkedIn URL"},
					{"Acme", "VC", "linkedin.com/company/acme"},
				}})
			},
			wantKind:    sheets.KindMissingColumn,
			wantHeaders: []string{"Firm", "Investor Type", "LinkedIn URL"},
		},
		{
			name: "header below MaxScanRows is not found",
			file: func(t *testing.T) []byte {
				return []byte("title\n\n\n\nName,Website\nAcme,acme.vc\n")
			},
			lim:         sheets.Limits{MaxScanRows: 4},
			wantKind:    sheets.KindMissingColumn,
			wantHeaders: []string{"title"},
		},
		{
			name: "OLE compound file (legacy .xls)",
			file: func(t *testing.T) []byte {
				return append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
			},
			wantKind: sheets.KindUnsupported,
		},
		{
			name:     "password-protected workbook",
			file:     encrypted,
			wantKind: sheets.KindUnsupported,
		},
		{
			name:     "truncated xlsx",
			file:     func(t *testing.T) []byte { b := good(t); return b[:len(b)/2] },
			wantKind: sheets.KindInvalid,
		},
		{
			name:     "zip that is not a workbook",
			file:     func(t *testing.T) []byte { return zipOf(t, map[string]string{"readme.txt": "hello"}) },
			wantKind: sheets.KindUnsupported,
		},
		{
			name:     "binary file",
			file:     func(t *testing.T) []byte { return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00") },
			wantKind: sheets.KindUnsupported,
		},
		{
			name:     "empty file",
			file:     func(t *testing.T) []byte { return nil },
			wantKind: sheets.KindEmpty,
		},
		{
			name:     "header without data rows",
			file:     func(t *testing.T) []byte { return []byte("Name,Website\n\n,\n") },
			wantKind: sheets.KindEmpty,
		},
		{
			name:     "rows but none with a usable website",
			file:     func(t *testing.T) []byte { return []byte("Name,Website\nA,\nB,n/a\n") },
			wantKind: sheets.KindEmpty,
		},
		{
			name: "more CSV rows than MaxRows",
			file: func(t *testing.T) []byte {
				return []byte("Name,Website\nA,a.vc\nB,b.vc\nC,c.vc\nD,d.vc\n")
			},
			lim:      sheets.Limits{MaxRows: 3},
			wantKind: sheets.KindTooLarge,
		},
		{
			name: "more xlsx rows than MaxRows",
			file: func(t *testing.T) []byte {
				return buildXLSX(t, sheetSpec{name: "S", rows: [][]any{
					{"Name", "Website"}, {"A", "a.vc"}, {"B", "b.vc"}, {"C", "c.vc"},
				}})
			},
			lim:      sheets.Limits{MaxRows: 2},
			wantKind: sheets.KindTooLarge,
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up, err := sheets.Parse(bytes.NewReader(tc.file(t)), "upload.xlsx", tc.lim)
			if tc.wantKind != 0 {
				var se *sheets.Error
				if !errors.As(err, &se) {
					t.Fatalf("err = %v (%T), want *sheets.Error of kind %d", err, err, tc.wantKind)
				}
				if se.Kind != tc.wantKind {
					t.Fatalf("kind = %d (%q), want %d", se.Kind, se.Msg, tc.wantKind)
				}
				if se.Msg == "" || se.Error() != se.Msg {
					t.Errorf("message %q, Error() %q", se.Msg, se.Error())
				}
				if tc.wantKind == sheets.KindMissingColumn {
					if !reflect.DeepEqual(se.Headers, tc.wantHeaders) {
						t.Errorf("headers = %q, want %q", se.Headers, tc.wantHeaders)
					}
					for _, h := range tc.wantHeaders {
						if !strings.Contains(se.Msg, h) {
							t.Errorf("message %q does not list header %q", se.Msg, h)
						}
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := wantUpload{
				format: up.Format, sheet: up.Sheet, headerRow: up.HeaderRow,
				headers: up.Headers, mapping: up.Mapping, firms: up.Firms, rejected: up.Rejected,
			}
			if !reflect.DeepEqual(got, *tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, *tc.want)
			}
		})
	}
}

func TestParseMessages(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"legacy xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, []string{".xlsx", "password"}},
		{"latin-1 csv", []byte("Name,Website\nM\xfcller,m.de\n"), []string{"UTF-8"}},
		{"missing column", []byte("Name,City\nA,B\n"), []string{"Website", `"City"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sheets.Parse(bytes.NewReader(tc.data), "firms.xls", sheets.Limits{})
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q does not mention %q", err, w)
				}
			}
		})
	}
}

// failingReader stands for a broken upload stream: not the user's fault, so
// not a *sheets.Error.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestParseReadFailureIsNotAUserError(t *testing.T) {
	_, err := sheets.Parse(failingReader{}, "x.csv", sheets.Limits{})
	var se *sheets.Error
	if err == nil || errors.As(err, &se) {
		t.Fatalf("err = %v, want a plain error", err)
	}
}

func TestParseSharedVCFirms(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "data", "vc-firms.csv")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("shared data set not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	up, err := sheets.Parse(bytes.NewReader(data), "vc-firms.csv", sheets.DefaultLimits())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if up.Format != "csv" || up.HeaderRow != 1 {
		t.Errorf("format %q header row %d", up.Format, up.HeaderRow)
	}
	if n := up.Mapping.Name; n < 0 || up.Headers[n] != "Name" {
		t.Errorf("name column = %d, headers %q", n, up.Headers)
	}
	if w := up.Mapping.Website; w < 0 || up.Headers[w] != "Website" {
		t.Errorf("website column = %d, headers %q", w, up.Headers)
	}
	if len(up.Firms) <= 1400 {
		t.Errorf("accepted %d firms, want more than 1400", len(up.Firms))
	}
	var blank, dup int
	seen := make(map[string]bool)
	for i, f := range up.Firms {
		if f.Index != i || len(f.Values) != len(up.Headers) || f.Name == "" {
			t.Fatalf("firm %d malformed: %+v", i, f)
		}
		if seen[f.Website] {
			t.Errorf("website %s accepted twice", f.Website)
		}
		seen[f.Website] = true
	}
	for _, r := range up.Rejected {
		switch {
		case r.Reason == "no website":
			blank++
		case strings.HasPrefix(r.Reason, "same website as row "):
			dup++
		case strings.HasPrefix(r.Reason, "not a website: "):
		case strings.Contains(r.Reason, "not the firm's own website"):
		default:
			t.Errorf("row %d: unexpected reason %q", r.Row, r.Reason)
		}
	}
	if blank == 0 || dup == 0 {
		t.Errorf("rejected %d blank and %d duplicate rows, want some of each", blank, dup)
	}
	if got := len(up.Firms) + len(up.Rejected); got != 2075 {
		t.Errorf("accepted+rejected = %d, want every one of the 2075 data rows", got)
	}
}

// withSheetData returns a new workbook whose first worksheet holds exactly
// the given <sheetData> content, as a hand-made or hostile file would.
func withSheetData(t *testing.T, sheetData string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	var base bytes.Buffer
	if err := f.Write(&base); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if zf.Name == "xl/worksheets/sheet1.xml" {
			_, err = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
				`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
				sheetData+`</sheetData></worksheet>`)
		} else {
			var rc io.ReadCloser
			if rc, err = zf.Open(); err == nil {
				_, err = io.Copy(w, rc)
				rc.Close()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// A file that puts a value in column XFD on every data row must cost work in
// proportion to its size, not 16,384 cells per row; the result shows the far
// cells were dropped while streaming.
func TestParseFarColumnOnEveryRow(t *testing.T) {
	const n = 20_000
	var sd strings.Builder
	sd.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Website</t></is></c></row>`)
	for r := 2; r <= n+1; r++ {
		fmt.Fprintf(&sd, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>Firm %d</t></is></c>`+
			`<c r="B%d" t="inlineStr"><is><t>firm%d.vc</t></is></c><c r="XFD%d"><v>1</v></c></row>`, r, r, r, r, r, r)
	}
	up, err := sheets.Parse(bytes.NewReader(withSheetData(t, sd.String())), "wide.xlsx", sheets.DefaultLimits())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(up.Firms) != n || len(up.Rejected) != 0 {
		t.Fatalf("%d firms, %d rejected, want %d and 0", len(up.Firms), len(up.Rejected), n)
	}
	for i, f := range up.Firms {
		r := i + 2
		want := in(i, r, fmt.Sprintf("Firm %d", r), fmt.Sprintf("https://firm%d.vc/", r), "",
			fmt.Sprintf("Firm %d", r), fmt.Sprintf("firm%d.vc", r))
		if !reflect.DeepEqual(f, want) {
			t.Fatalf("firm %d = %+v, want %+v", i, f, want)
		}
	}
}

func TestParseCellValues(t *testing.T) {
	t.Run("cell types", func(t *testing.T) {
		sd := `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Website</t></is></c>` +
			`<c r="C1" t="inlineStr"><is><t>Formula text</t></is></c><c r="D1" t="inlineStr"><is><t>Formula number</t></is></c>` +
			`<c r="E1" t="inlineStr"><is><t>Flag</t></is></c><c r="F1" t="inlineStr"><is><t>Error</t></is></c><c r="G1" t="inlineStr"><is><t>Big</t></is></c></row>` +
			`<row r="2"><c r="A2" t="inlineStr"><is><r><t>Rich</t></r><r><rPr><b/></rPr><t xml:space="preserve"> Text_x000D_</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></is></c>` +
			`<c t="str"><f>LOWER("X.VC")</f><v>x.vc</v></c>` + // no r attribute: the column follows the previous cell
			`<c r="C2" t="str"><f>A2&amp;"!"</f><v>cached text</v></c><c r="D2"><f>1+1</f><v>2</v></c>` +
			`<c r="E2" t="b"><v>1</v></c><c r="F2" t="e"><v>#N/A</v></c><c r="G2"><v>1234567890123456789</v></c></row>`
		up, err := sheets.Parse(bytes.NewReader(withSheetData(t, sd)), "types.xlsx", sheets.Limits{})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		want := []string{"Rich Text\r", "x.vc", "cached text", "2", "TRUE", "#N/A", "1.23456789012346e+18"}
		if len(up.Firms) != 1 || !reflect.DeepEqual(up.Firms[0].Values, want) {
			t.Fatalf("firms = %+v, want one with values %q", up.Firms, want)
		}
		if up.Firms[0].Name != "Rich Text" {
			t.Errorf("name = %q, want whitespace trimmed", up.Firms[0].Name)
		}
	})

	t.Run("number formats", func(t *testing.T) {
		f := excelize.NewFile()
		defer f.Close()
		style := func(s *excelize.Style) int {
			id, err := f.NewStyle(s)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		custom := func(code string) int { return style(&excelize.Style{CustomNumFmt: &code}) }
		cells := []struct {
			header string
			value  any
			style  int
			want   string
		}{
			{"Name", "Acme", 0, "Acme"},
			{"Website", "acme.vc", 0, "acme.vc"},
			{"Day first", 45356, custom("dd/mm/yyyy"), "2024-03-05"},
			{"Share", 0.125, style(&excelize.Style{NumFmt: 10}), "12.5%"},
			{"Clock", 0.75, custom(`[$-409]h:mm AM/PM;@`), "18:00:00"},
			{"Elapsed", 1.5, custom("[h]:mm"), "1.5"},
			{"Stamp", 45356.5, custom(`yyyy-mm-dd\ hh:mm`), "2024-03-05 12:00:00"},
			{"Money", 1500.5, custom(`"$"#,##0.00`), "1500.5"},
			{"Code", "00123", style(&excelize.Style{NumFmt: 49}), "00123"},
		}
		var want []string
		for i, c := range cells {
			head, _ := excelize.CoordinatesToCellName(i+1, 1)
			ref, _ := excelize.CoordinatesToCellName(i+1, 2)
			if err := f.SetCellValue("Sheet1", head, c.header); err != nil {
				t.Fatal(err)
			}
			if err := f.SetCellValue("Sheet1", ref, c.value); err != nil {
				t.Fatal(err)
			}
			if c.style != 0 {
				if err := f.SetCellStyle("Sheet1", ref, ref, c.style); err != nil {
					t.Fatal(err)
				}
			}
			want = append(want, c.want)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		up, err := sheets.Parse(&buf, "formats.xlsx", sheets.Limits{})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if len(up.Firms) != 1 || !reflect.DeepEqual(up.Firms[0].Values, want) {
			t.Fatalf("values = %q, want %q", up.Firms[0].Values, want)
		}
	})
}

// pick is a Chooser that takes fixed columns and records what it was shown.
type pick struct {
	m        sheets.Mapping
	headers  []string
	detected sheets.Mapping
}

func (p *pick) choose(headers []string, detected sheets.Mapping) (sheets.Mapping, error) {
	p.headers, p.detected = headers, detected
	return p.m, nil
}

func TestParseWith(t *testing.T) {
	tests := []struct {
		name         string
		file         func(t *testing.T) []byte
		m            sheets.Mapping
		wantShown    []string
		wantDetected sheets.Mapping
		want         wantUpload
	}{
		{
			name: "a chosen website column replaces the detected one and every row is read with it",
			file: func(t *testing.T) []byte {
				return []byte("Firm,Website,Other\nA,a.vc,x.vc\nB,,y.vc\nC,c.vc,x.vc\n")
			},
			m:            sheets.Mapping{Name: 0, Website: 2, Description: -1},
			wantShown:    []string{"Firm", "Website", "Other"},
			wantDetected: sheets.Mapping{Name: 0, Website: 1, Description: -1},
			want: wantUpload{
				format: "csv", headerRow: 1, headers: []string{"Firm", "Website", "Other"},
				mapping: sheets.Mapping{Name: 0, Website: 2, Description: -1},
				firms: []firm.Input{
					in(0, 2, "A", "https://x.vc/", "", "A", "a.vc", "x.vc"),
					in(1, 3, "B", "https://y.vc/", "", "B", "", "y.vc"),
				},
				rejected: []sheets.Rejected{{Row: 4, Reason: "same website as row 2", SameAs: 2}},
			},
		},
		{
			name: "no recognised website: the most header-like row is the header row",
			file: func(t *testing.T) []byte {
				return []byte("Our list\n\nFirm,,Where\nA,Paris,a.vc\nB,Rome,b.vc\n")
			},
			m:            sheets.Mapping{Name: 0, Website: 2, Description: -1},
			wantShown:    []string{"Firm", "Column 2", "Where"},
			wantDetected: sheets.Mapping{Name: 0, Website: -1, Description: -1},
			want: wantUpload{
				format: "csv", headerRow: 3, headers: []string{"Firm", "Column 2", "Where"},
				mapping: sheets.Mapping{Name: 0, Website: 2, Description: -1},
				firms: []firm.Input{
					in(0, 4, "A", "https://a.vc/", "", "A", "Paris", "a.vc"),
					in(1, 5, "B", "https://b.vc/", "", "B", "Rome", "b.vc"),
				},
			},
		},
		{
			name: "no recognised website in any sheet: the best sheet's header row",
			file: func(t *testing.T) []byte {
				return buildXLSX(t,
					sheetSpec{name: "Notes", rows: [][]any{{"see the other sheet"}}},
					sheetSpec{name: "Funds", rows: [][]any{nil, {"Fund", "Home", "About"}, {"Acme", "acme.vc", "Seed fund"}}},
				)
			},
			m:            sheets.Mapping{Name: 0, Website: 1, Description: 2},
			wantShown:    []string{"Fund", "Home", "About"},
			wantDetected: sheets.Mapping{Name: 0, Website: -1, Description: 2},
			want: wantUpload{
				format: "xlsx", sheet: "Funds", headerRow: 2, headers: []string{"Fund", "Home", "About"},
				mapping: sheets.Mapping{Name: 0, Website: 1, Description: 2},
				firms:   []firm.Input{in(0, 3, "Acme", "https://acme.vc/", "Seed fund", "Acme", "acme.vc", "Seed fund")},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &pick{m: tc.m}
			up, err := sheets.ParseWith(tc.file(t), "upload", sheets.Limits{}, p.choose)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.headers, tc.wantShown) || p.detected != tc.wantDetected {
				t.Errorf("chooser shown %q, detected %+v; want %q, %+v", p.headers, p.detected, tc.wantShown, tc.wantDetected)
			}
			got := wantUpload{
				format: up.Format, sheet: up.Sheet, headerRow: up.HeaderRow,
				headers: up.Headers, mapping: up.Mapping, firms: up.Firms, rejected: up.Rejected,
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}

	t.Run("the chooser's error is returned as is", func(t *testing.T) {
		refused := errors.New("refused")
		_, err := sheets.ParseWith([]byte("A,B\n1,2\n"), "u.csv", sheets.Limits{}, func([]string, sheets.Mapping) (sheets.Mapping, error) {
			return sheets.Mapping{}, refused
		})
		if !errors.Is(err, refused) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a missing-column error locates the header row it reports", func(t *testing.T) {
		_, err := sheets.Parse(bytes.NewReader([]byte("Title\n\nFirm,,Where,\nA,Paris,a.vc\n")), "u.csv", sheets.Limits{})
		var se *sheets.Error
		if !errors.As(err, &se) || se.Kind != sheets.KindMissingColumn || se.HeaderRow != 3 || !slices.Equal(se.Headers, []string{"Firm", "Column 2", "Where"}) ||
			se.Guess != (sheets.Mapping{Name: 0, Website: -1, Description: -1}) {
			t.Fatalf("err = %#v", err)
		}
	})
}

// A record wider than any spreadsheet is refused before encoding/csv builds
// it, however its delimiters are hidden; quoted delimiters are text.
func TestParseCSVTooManyFields(t *testing.T) {
	commas := strings.Repeat(",", 20_000)
	for _, tc := range []struct {
		name    string
		csv     string
		wantRow int // 0: parses
	}{
		{"a line of commas", "Name,Website\nA,a.vc" + commas + "\n", 2},
		{"fields behind quoted line breaks", "Name,Website\nA,a.vc" + strings.Repeat(",\"\n\"", 20_000) + "\n", 2},
		{"a stray quote in an unquoted field", "Name,Website\nA,a.vc,x\"y" + commas + "\n", 2},
		{"on the header row", "Name,Website" + commas + "\nA,a.vc\n", 1},
		{"commas inside quotes are one field", "Name,Website,Notes\nA,a.vc,\"" + commas + "\"\"" + commas + "\"\nB,b.vc,\n", 0},
		{"many ordinary rows", "Name,Website\n" + strings.Repeat("A,a.vc\n", 30_000), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up, err := sheets.Parse(strings.NewReader(tc.csv), "firms.csv", sheets.Limits{})
			if tc.wantRow == 0 {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if len(up.Firms) == 0 {
					t.Fatal("no firms")
				}
				return
			}
			var se *sheets.Error
			if !errors.As(err, &se) || se.Kind != sheets.KindInvalid {
				t.Fatalf("err = %v, want a KindInvalid *sheets.Error", err)
			}
			if want := fmt.Sprintf("Row %d of the CSV file has more than 16384 columns", tc.wantRow); !strings.Contains(se.Msg, want) {
				t.Errorf("message %q lacks %q", se.Msg, want)
			}
		})
	}
}

// A tag with a million attributes is a few MB of XML but gigabytes in
// encoding/xml: it is refused as damaged while it streams.
func TestParseXLSXHugeTag(t *testing.T) {
	data := withSheetData(t, `<row r="1" `+strings.Repeat(`a="" `, 300_000)+`><c r="A1" t="inlineStr"><is><t>Website</t></is></c></row>`)
	_, err := sheets.Parse(bytes.NewReader(data), "firms.xlsx", sheets.Limits{})
	var se *sheets.Error
	if !errors.As(err, &se) || se.Kind != sheets.KindInvalid || !strings.Contains(se.Msg, "damaged") {
		t.Fatalf("err = %v, want the damaged-file error", err)
	}
	// Attribute values may hold '>' and long ones are fine below the cap.
	ok := withSheetData(t, `<row r="1" x="a>b" y='`+strings.Repeat("z", 100_000)+`'><c r="A1" t="inlineStr"><is><t>Website</t></is></c></row>`+
		`<row r="2"><c r="A2" t="inlineStr"><is><t>accel.com</t></is></c></row>`)
	up, err := sheets.Parse(bytes.NewReader(ok), "firms.xlsx", sheets.Limits{})
	if err != nil || len(up.Firms) != 1 {
		t.Fatalf("ordinary long attributes: %v", err)
	}
}
