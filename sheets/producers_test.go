package sheets_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/sheets"
)

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkg  = "http://schemas.openxmlformats.org/package/2006/relationships"
)

// pkg is a minimal SpreadsheetML package, its part names joined with sep
// and its elements written with prefix ("" or "x:"); sheet is what the
// worksheet element holds.
func pkg(sep, prefix, sst, sheet string) map[string]string {
	p := func(s string) string { return strings.ReplaceAll(s, "/", sep) }
	xmlns := `xmlns="` + nsMain + `"`
	if prefix != "" {
		xmlns = `xmlns:` + strings.TrimSuffix(prefix, ":") + `="` + nsMain + `"`
	}
	x := func(s string) string {
		s = strings.ReplaceAll(s, "<X", "<"+prefix)
		s = strings.ReplaceAll(s, "</X", "</"+prefix)
		return strings.ReplaceAll(s, "XMLNS", xmlns)
	}
	return map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
		p("_rels/.rels"):      `<?xml version="1.0"?><Relationships xmlns="` + nsPkg + `"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		p("xl/workbook.xml"):  x(`<?xml version="1.0"?><Xworkbook XMLNS xmlns:r="` + nsRel + `"><Xsheets><Xsheet name="Firms" sheetId="1" r:id="rId1"/></Xsheets></Xworkbook>`),
		p("xl/_rels/workbook.xml.rels"): `<?xml version="1.0"?><Relationships xmlns="` + nsPkg + `"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		p("xl/sharedStrings.xml"):     x(`<?xml version="1.0"?><Xsst XMLNS>` + sst + `</Xsst>`),
		p("xl/worksheets/sheet1.xml"): x(`<?xml version="1.0"?><Xworksheet XMLNS>` + sheet + `</Xworksheet>`),
	}
}

// numbersStyle drops the shared strings part and its relationship, as a
// workbook of inline strings has none.
func numbersStyle(files map[string]string) map[string]string {
	delete(files, "xl/sharedStrings.xml")
	rels := "xl/_rels/workbook.xml.rels"
	i := strings.Index(files[rels], `<Relationship Id="rId2"`)
	j := strings.Index(files[rels], `</Relationships>`)
	files[rels] = files[rels][:i] + files[rels][j:]
	return files
}

// Packages shaped as other producers write them must be read.
func TestWorkbooksOfOtherProducers(t *testing.T) {
	sst := `<Xsi><Xt>Name</Xt></Xsi><Xsi><Xt>Website</Xt></Xsi><Xsi><Xt/></Xsi><Xsi><Xt>Accel</Xt></Xsi><Xsi><Xt>accel.com</Xt></Xsi>`
	sheet := `<XsheetData><Xrow r="1"><Xc r="A1" t="s"><Xv>0</Xv></Xc><Xc r="B1" t="s"><Xv>1</Xv></Xc><Xc r="C1" t="s"><Xv>2</Xv></Xc></Xrow>` +
		`<Xrow r="2"><Xc r="A2" t="s"><Xv>3</Xv></Xc><Xc r="B2" t="s"><Xv>4</Xv></Xc><Xc r="C2" t="s"><Xv>2</Xv></Xc></Xrow></XsheetData>`
	cases := []struct {
		name  string
		files map[string]string
	}{
		{"an empty shared string", pkg("/", "", sst, sheet)},
		{"elements with a namespace prefix", pkg("/", "x:", sst, sheet)},
		{"part names with backslashes", pkg(`\`, "", sst, sheet)},
		// Numbers and streaming writers: inline strings, no shared strings
		// part, rows and cells without r attributes (the spec allows it).
		{"inline strings, no r attributes", numbersStyle(pkg("/", "", "", `<XsheetData><Xrow><Xc t="inlineStr"><Xis><Xt>Name</Xt></Xis></Xc><Xc t="inlineStr"><Xis><Xt>Website</Xt></Xis></Xc></Xrow>`+
			`<Xrow><Xc t="inlineStr"><Xis><Xr><Xt>Ac</Xt></Xr><Xr><XrPr><Xb/></XrPr><Xt>cel</Xt></Xr></Xis></Xc><Xc t="str"><Xv>accel.com</Xv></Xc></Xrow></XsheetData>`))},
		// Google Sheets: styles on every cell, a sheetPr and cols before the
		// data, formulas with their cached text.
		{"Google Sheets shape", pkg("/", "", sst, `<XsheetPr><XoutlinePr summaryBelow="0"/></XsheetPr><Xdimension ref="A1:B2"/><XsheetViews><XsheetView workbookViewId="0"/></XsheetViews><Xcols><Xcol min="1" max="2" width="20"/></Xcols><XsheetData>`+
			`<Xrow r="1"><Xc r="A1" s="1" t="s"><Xv>0</Xv></Xc><Xc r="B1" s="1" t="s"><Xv>1</Xv></Xc></Xrow>`+
			`<Xrow r="2"><Xc r="A2" s="2" t="str"><Xf>TRIM("Accel")</Xf><Xv>Accel</Xv></Xc><Xc r="B2" s="2" t="s"><Xv>4</Xv></Xc></Xrow></XsheetData><Xdrawing r:id="rId9" xmlns:r="`+nsRel+`"/>`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			up, err := sheets.Parse(strings.NewReader(string(zipOf(t, c.files))), "list.xlsx", sheets.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(up.Firms) != 1 || up.Firms[0].Name != "Accel" || up.Firms[0].Website != "https://accel.com/" {
				t.Errorf("firms %+v", up.Firms)
			}
		})
	}
}

// The same list written by other programs: each writes the workbook its
// own way (LibreOffice and Gnumeric convert a CSV; openpyxl and XlsxWriter,
// Debian's Python packages, write one with dates, formulas, rich text and a
// hidden first sheet; excelize with inline strings, shared formulas, rich
// text runs and 1904 dates). A producer not installed here is skipped;
// .ci/run installs them all.
func TestWorkbooksWrittenByOtherPrograms(t *testing.T) {
	const csvList = "Firm,Website,Founded\nAccel,accel.com,1983\nIndex Ventures,indexventures.com,1996\nCafé Capital,cafe.vc,2001\n"
	want := map[string]string{"Accel": "https://accel.com/", "Index Ventures": "https://indexventures.com/", "Café Capital": "https://cafe.vc/"}
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "list.csv")
	if err := os.WriteFile(csvFile, []byte(csvList), 0o644); err != nil {
		t.Fatal(err)
	}
	const pyRows = `rows = [("Firm", "Website", "Founded"), ("Accel", "accel.com", 1983), ("Index Ventures", "indexventures.com", 1996), ("Café Capital", "cafe.vc", 2001)]
`
	producers := []struct {
		name string
		tool string // the program that must be installed
		make func(t *testing.T, out string) error
	}{
		{"LibreOffice", "soffice", func(t *testing.T, out string) error {
			profile := "-env:UserInstallation=file://" + filepath.Join(dir, "lo-profile")
			// CSV:44,34,76: comma-separated, quoted with ", in UTF-8.
			cmd := exec.Command("soffice", profile, "--headless", "--infilter=CSV:44,34,76", "--convert-to", "xlsx", "--outdir", filepath.Dir(out), csvFile)
			if b, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%v: %s", err, b)
			}
			return os.Rename(filepath.Join(filepath.Dir(out), "list.xlsx"), out)
		}},
		{"Gnumeric", "ssconvert", func(t *testing.T, out string) error {
			if b, err := exec.Command("ssconvert", csvFile, out).CombinedOutput(); err != nil {
				return fmt.Errorf("%v: %s", err, b)
			}
			return nil
		}},
		{"openpyxl", "/usr/bin/python3", func(t *testing.T, out string) error {
			return python(t, "openpyxl", `import openpyxl, datetime, sys
`+pyRows+`wb = openpyxl.Workbook()
notes = wb.active
notes.title = "Read me"
notes["A1"] = "Firms are on the next sheet"
notes.sheet_state = "hidden"
ws = wb.create_sheet("Firms")
for r in rows:
    ws.append(r)
ws["D1"] = "Checked"
ws["D2"] = datetime.date(2024, 5, 1)
ws["E2"] = "=C2+1"
wb.active = 1
wb.save(sys.argv[1])
`, out)
		}},
		{"XlsxWriter", "/usr/bin/python3", func(t *testing.T, out string) error {
			return python(t, "xlsxwriter", `import xlsxwriter, sys
`+pyRows+`wb = xlsxwriter.Workbook(sys.argv[1], {"date_1904": True, "strings_to_urls": False})
ws = wb.add_worksheet("Firms")
bold = wb.add_format({"bold": True})
for i, r in enumerate(rows):
    if i == 2:
        ws.write_rich_string(i, 0, bold, "Index ", "Ventures")
        ws.write(i, 1, r[1])
        ws.write_formula(i, 2, "=1990+6", None, 1996)
    else:
        ws.write_row(i, 0, r)
wb.close()
`, out)
		}},
		{"excelize with inline strings, shared formulas, rich text and 1904 dates", "", func(t *testing.T, out string) error {
			f := excelize.NewFile()
			defer f.Close()
			if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: boolPtr(true)}); err != nil {
				return err
			}
			sw, err := f.NewStreamWriter("Sheet1") // writes inline strings
			if err != nil {
				return err
			}
			for i, r := range [][]any{{"Firm", "Website", "Founded"}, {"Accel", "accel.com", 1983}, {"Index Ventures", "indexventures.com", 1996}, {"Café Capital", "cafe.vc", 2001}} {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := sw.SetRow(cell, r); err != nil {
					return err
				}
			}
			if err := sw.Flush(); err != nil {
				return err
			}
			if err := f.SetCellRichText("Sheet1", "A3", []excelize.RichTextRun{{Text: "Index "}, {Text: "Ventures", Font: &excelize.Font{Bold: true}}}); err != nil {
				return err
			}
			ref := "D2:D4"
			if err := f.SetCellFormula("Sheet1", "D2", "=C2+1", excelize.FormulaOpts{Type: &sharedFormula, Ref: &ref}); err != nil {
				return err
			}
			return f.SaveAs(out)
		}},
	}
	for _, p := range producers {
		t.Run(p.name, func(t *testing.T) {
			if p.tool != "" {
				if _, err := exec.LookPath(p.tool); err != nil {
					t.Skipf("%s is not installed", p.tool)
				}
			}
			out := filepath.Join(dir, strings.ReplaceAll(p.name, " ", "-")+".xlsx")
			if err := p.make(t, out); err != nil {
				t.Fatalf("writing the workbook: %v", err)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			up, err := sheets.Parse(bytes.NewReader(data), "list.xlsx", sheets.Limits{})
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			got := map[string]string{}
			for _, f := range up.Firms {
				got[f.Name] = f.Website
			}
			if len(got) != len(want) {
				t.Errorf("firms %+v, want %v", up.Firms, want)
			}
			for n, w := range want {
				if got[n] != w {
					t.Errorf("%s: %q, want %q (firms %+v)", n, got[n], w, up.Firms)
				}
			}
			if founded := up.Firms[0].Values[2]; founded != "1983" {
				t.Errorf("founded read as %q", founded)
			}
		})
	}
}

var sharedFormula = "shared"

func boolPtr(b bool) *bool { return &b }

// python runs a script with Debian's Python 3 when the module is installed.
func python(t *testing.T, module, script, out string) error {
	t.Helper()
	if exec.Command("/usr/bin/python3", "-c", "import "+module).Run() != nil {
		t.Skipf("Python module %s is not installed", module)
	}
	if b, err := exec.Command("/usr/bin/python3", "-c", script, out).CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, b)
	}
	return nil
}
