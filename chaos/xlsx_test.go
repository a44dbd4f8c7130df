package chaos

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// excelCellLimit is the most characters (UTF-16 units) an Excel cell holds.
const excelCellLimit = 32_767

// writeFirms writes an upload of firms 0..n-1, the way a person would with
// Excel, and returns its path.
func writeFirms(t *testing.T, n int) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"Firm Name", "Website"}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &[]any{firmName(i), "http://" + firmHost(i) + "/"}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("chaos-%d-firms.xlsx", n))
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// xcell is one cell of a hand-written worksheet: text, or a formula with the
// value Excel cached for it. excelize cannot write a formula with a cached
// value, which is what a real workbook carries.
type xcell struct{ ref, text, formula string }

func xrow(r int, cells ...xcell) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, r)
	for _, c := range cells {
		if c.formula != "" {
			fmt.Fprintf(&b, `<c r="%s" t="str"><f>%s</f><v>%s</v></c>`, c.ref, xmlText(c.formula), xmlText(c.text))
			continue
		}
		fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, c.ref, xmlText(c.text))
	}
	b.WriteString(`</row>`)
	return b.String()
}

// xmlText escapes text for an XML element (HTML's escaping is XML's too).
func xmlText(s string) string { return html.EscapeString(s) }

const (
	ctypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	relsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbookXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Firms" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRelsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
	sheetPart = "xl/worksheets/sheet1.xml"
)

// xlsxPackage is the smallest workbook Excel opens, with one sheet that
// writeSheet puts into the zip itself.
func xlsxPackage(t *testing.T, writeSheet func(*zip.Writer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", ctypesXML}, {"_rels/.rels", relsXML},
		{"xl/workbook.xml", workbookXML}, {"xl/_rels/workbook.xml.rels", workbookRelsXML},
	} {
		w, err := zw.Create(part.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, part.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeSheet(zw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawXLSX is a workbook whose sheet holds rows (xrow output).
func rawXLSX(t *testing.T, rows ...string) []byte {
	t.Helper()
	return xlsxPackage(t, func(zw *zip.Writer) error {
		w, err := zw.Create(sheetPart)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+strings.Join(rows, "")+`</sheetData></worksheet>`)
		return err
	})
}

// bomb is a deflate stream of size bytes that compresses about a
// thousandfold: one stream serves as a zip bomb and as a gzip bomb.
type bomb struct {
	deflated []byte
	size     int64
	crc      uint32
}

func newBomb(t *testing.T, size int64) bomb {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	crc := crc32.NewIEEE()
	w := io.MultiWriter(fw, crc)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for written := int64(0); written < size; written += int64(len(chunk)) {
		if _, err := w.Write(chunk[:min(int64(len(chunk)), size-written)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return bomb{deflated: buf.Bytes(), size: size, crc: crc.Sum32()}
}

// gzip wraps the stream in a gzip member (RFC 1952).
func (b bomb) gzip() []byte {
	out := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}
	out = append(out, b.deflated...)
	out = binary.LittleEndian.AppendUint32(out, b.crc)
	return binary.LittleEndian.AppendUint32(out, uint32(b.size))
}

// xlsx is a workbook whose sheet is the bomb. Its zip directory declares
// the sheet's size as declared: the real one, or a lie to slip past a check
// of declared sizes.
func (b bomb) xlsx(t *testing.T, declared int64) []byte {
	return xlsxPackage(t, func(zw *zip.Writer) error {
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: sheetPart, Method: zip.Deflate, CRC32: b.crc,
			CompressedSize64: uint64(len(b.deflated)), UncompressedSize64: uint64(declared),
		})
		if err != nil {
			return err
		}
		_, err = w.Write(b.deflated)
		return err
	})
}

// workbook is a downloaded result: the Firms and Team Members sheets as
// rows keyed by header.
type workbook struct {
	firms []map[string]string
	team  []map[string]string
}

func readWorkbook(t *testing.T, path string) workbook {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open result workbook: %v", err)
	}
	defer f.Close()
	var wb workbook
	for _, s := range []struct {
		name string
		into *[]map[string]string
	}{{"Firms", &wb.firms}, {"Team Members", &wb.team}} {
		rows, err := f.GetRows(s.name)
		if err != nil {
			t.Fatalf("sheet %s: %v", s.name, err)
		}
		if len(rows) == 0 {
			t.Fatalf("sheet %s has no header", s.name)
		}
		for _, r := range rows[1:] {
			m := map[string]string{}
			for i, h := range rows[0] {
				if i < len(r) {
					m[h] = r[i]
				}
			}
			*s.into = append(*s.into, m)
		}
	}
	return wb
}

var formulaElement = regexp.MustCompile(`<f[ >/]`)

// checkCellsSafe opens the workbook's XML itself: no cell of any sheet is a
// formula, and no cell holds more than Excel can, or text that is not UTF-8.
func checkCellsSafe(t *testing.T, path string) (cells int) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open result workbook: %v", err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") || !strings.HasSuffix(zf.Name, ".xml") {
			continue
		}
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if loc := formulaElement.FindIndex(data); loc != nil {
			t.Errorf("%s has a formula: …%s…", zf.Name, data[max(loc[0]-80, 0):min(loc[1]+80, len(data))])
		}
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for ri, r := range rows {
			for ci, v := range r {
				cells++
				if !utf8.ValidString(v) {
					t.Errorf("%s row %d column %d is not UTF-8: %q", sheet, ri+1, ci+1, v)
				}
				if n := len(utf16.Encode([]rune(v))); n > excelCellLimit {
					t.Errorf("%s row %d column %d holds %d characters, over Excel's %d", sheet, ri+1, ci+1, n, excelCellLimit)
				}
			}
		}
	}
	return cells
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
