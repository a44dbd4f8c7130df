package sheets

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// The worksheet XML is read with a hand-written streaming decoder rather than
// excelize's Rows: Rows.Columns pads every row out to its last declared cell,
// so a small file with a value in column XFD on each row costs 16,384 cells
// per row (measured: 20,000 such rows, 170 KB zipped, took over 12 s). Here a
// cell beyond MaxColumns is skipped without allocating, so the work is
// bounded by the XML's real size, which the zip limits below bound in turn.

const (
	// maxUnzipBytes bounds all parts together, as declared in the zip
	// directory. archive/zip fails a part that inflates past its declared
	// size, so a zip bomb is refused before anything is inflated.
	maxUnzipBytes = 256 << 20
	// maxPartBytes bounds a single XML part.
	maxPartBytes = 64 << 20
	// maxSheetColumns is column XFD, the widest an Excel sheet can be.
	maxSheetColumns = 16_384
	// maxTagBytes bounds one XML tag, attributes included: encoding/xml
	// holds all of a tag's attributes at once, and 64 MB of them would be
	// ten times that in memory. Real tags are a few hundred bytes.
	maxTagBytes = 1 << 20
	// maxSharedStrings bounds the shared-string table: 100,000 rows of 40
	// distinct texts. An empty <si/> is 5 bytes of XML but 16 of memory.
	maxSharedStrings = 4_000_000
)

var errMissingPart = errors.New("missing part")

type sheetRef struct {
	name   string
	part   string // zip path of the worksheet XML
	hidden bool
}

// book is an opened .xlsx: its sheets, shared strings and number formats.
type book struct {
	files     map[string]*zip.File // by lower-cased name: OPC part names are case-insensitive
	sheets    []sheetRef
	sstPart   string
	stylePart string
	date1904  bool
	lim       Limits
	filename  string

	loaded  bool
	strs    []string    // shared strings, decoded and truncated
	formats []numFormat // by cell style index
}

func parseXLSX(br *bufio.Reader, filename string, lim Limits, l layout) (*Upload, error) {
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, readError(err)
	}
	b, err := openBook(data, filename, lim)
	if err != nil {
		return nil, err
	}
	var best headerScan
	var bestSheet string
	for _, sh := range b.sheets {
		if l.headerRow > 0 && sh.name != l.sheet || l.headerRow == 0 && sh.hidden {
			continue
		}
		up, hs, err := b.readSheet(sh, l)
		if err != nil || up != nil {
			return up, err
		}
		if hs.bestScore > best.bestScore || best.best == nil && hs.best != nil {
			best, bestSheet = hs, sh.name
		}
	}
	return nil, missingColumnError(best, bestSheet)
}

// readSheet returns a nil Upload and what it saw when the sheet has no
// header row, so the caller can try the next sheet.
func (b *book) readSheet(sh sheetRef, l layout) (*Upload, headerScan, error) {
	if err := b.load(); err != nil {
		return nil, headerScan{}, err
	}
	dec, rc, err := b.decoder(sh.part)
	if err != nil {
		return nil, headerScan{}, err
	}
	defer rc.Close()
	src := &xlsxSource{b: b, dec: dec}
	hs, err := findHeader(src, b.lim, l.headerRow)
	if err != nil || !hs.found {
		return nil, hs, err
	}
	if err := l.columns(&hs); err != nil {
		return nil, hs, err
	}
	up := &Upload{Format: "xlsx", Sheet: sh.name}
	if err := readFirms(src, hs, b.lim, up); err != nil {
		return nil, hs, err
	}
	return up, hs, nil
}

func (b *book) corrupt() *Error {
	return userError(KindInvalid, "%s is damaged or incomplete and could not be read. Open it in Excel, save it again as \"Excel Workbook (.xlsx)\" and upload it again.", displayName(b.filename))
}

func openBook(data []byte, filename string, lim Limits) (*book, error) {
	b := &book{files: make(map[string]*zip.File), lim: lim, filename: filename}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, b.corrupt()
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxUnzipBytes || total < f.UncompressedSize64 {
			return nil, unzipTooLarge()
		}
		// Some writers name parts with backslashes (xl\workbook.xml), which
		// Excel and LibreOffice read as slashes.
		name := strings.ReplaceAll(f.Name, "\\", "/")
		b.files[strings.ToLower(strings.TrimPrefix(name, "/"))] = f
	}

	wbPart := "xl/workbook.xml"
	rootRels, err := b.readRels("_rels/.rels", "")
	if err != nil && !errors.Is(err, errMissingPart) {
		return nil, err
	}
	for _, r := range rootRels {
		if strings.HasSuffix(r.typ, "/officeDocument") {
			wbPart = r.target
			break
		}
	}
	if b.files[strings.ToLower(wbPart)] == nil {
		return nil, userError(KindUnsupported, "%s is a zip archive but not an Excel workbook. Upload an Excel workbook (.xlsx) or a CSV file.", displayName(filename))
	}
	rels, err := b.readRels(relsPart(wbPart), wbPart)
	if err != nil {
		if errors.Is(err, errMissingPart) {
			return nil, b.corrupt()
		}
		return nil, err
	}
	for _, r := range rels {
		switch {
		case strings.HasSuffix(r.typ, "/sharedStrings"):
			b.sstPart = r.target
		case strings.HasSuffix(r.typ, "/styles"):
			b.stylePart = r.target
		}
	}
	if err := b.readWorkbook(wbPart, rels); err != nil {
		return nil, err
	}
	return b, nil
}

func unzipTooLarge() *Error {
	return userError(KindTooLarge, "The workbook is too large to read once unpacked (over %d MB). Delete sheets, images or columns you do not need, or save the firms as CSV UTF-8, and upload again.", maxUnzipBytes>>20)
}

// decoder opens one XML part of the package.
func (b *book) decoder(part string) (*xml.Decoder, io.Closer, error) {
	f := b.files[strings.ToLower(part)]
	if f == nil {
		return nil, nil, fmt.Errorf("%s: %w", part, errMissingPart)
	}
	if f.UncompressedSize64 > maxPartBytes {
		return nil, nil, unzipTooLarge()
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, b.corrupt()
	}
	return xml.NewDecoder(&tagGuard{r: rc}), rc, nil
}

// tagGuard fails an XML stream with a tag longer than maxTagBytes, before
// the decoder gathers it. Quoted attribute values may hold '>'.
type tagGuard struct {
	r     io.Reader
	inTag bool
	quote byte // the quote of the attribute value being read, or 0
	n     int  // bytes of the current tag
}

var errTagTooLarge = errors.New("an XML tag is too large")

func (g *tagGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, c := range p[:n] {
		switch {
		case !g.inTag:
			if c == '<' {
				g.inTag, g.n = true, 0
			}
		case g.quote != 0:
			if c == g.quote {
				g.quote = 0
			}
		case c == '"' || c == '\'':
			g.quote = c
		case c == '>':
			g.inTag = false
		}
		if g.inTag {
			if g.n++; g.n > maxTagBytes {
				return 0, errTagTooLarge
			}
		}
	}
	return n, err
}

// token reads the next token, reporting any failure (bad XML, a bad zip
// stream, a part longer than declared) as a damaged file.
func (b *book) token(dec *xml.Decoder) (xml.Token, error) {
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if err != nil {
		return nil, b.corrupt()
	}
	return tok, nil
}

type rel struct{ typ, target string }

func relsPart(part string) string {
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}

// readRels reads a relationships part; targets are resolved against the
// directory of source, the part the relationships belong to.
func (b *book) readRels(part, source string) (map[string]rel, error) {
	dec, rc, err := b.decoder(part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	rels := make(map[string]rel)
	for {
		tok, err := b.token(dec)
		if errors.Is(err, io.EOF) {
			return rels, nil
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" || attr(se, "TargetMode") == "External" {
			continue
		}
		target := attr(se, "Target")
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join(path.Dir(source), target)
		}
		rels[attr(se, "Id")] = rel{typ: attr(se, "Type"), target: target}
	}
}

func (b *book) readWorkbook(part string, rels map[string]rel) error {
	dec, rc, err := b.decoder(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	for {
		tok, err := b.token(dec)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			v := attr(se, "date1904")
			b.date1904 = v == "1" || v == "true"
		case "sheet":
			var id string
			for _, a := range se.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					id = a.Value
				}
			}
			r, ok := rels[id]
			if !ok {
				continue // a sheet without a part has nothing to read
			}
			state := attr(se, "state")
			b.sheets = append(b.sheets, sheetRef{
				name:   attr(se, "name"),
				part:   r.target,
				hidden: state == "hidden" || state == "veryHidden",
			})
		}
	}
}

// load reads the shared strings and styles the first time a sheet is read.
func (b *book) load() error {
	if b.loaded {
		return nil
	}
	b.loaded = true
	if err := b.readSharedStrings(); err != nil {
		return err
	}
	return b.readStyles()
}

func (b *book) readSharedStrings() error {
	if b.sstPart == "" {
		return nil
	}
	dec, rc, err := b.decoder(b.sstPart)
	if errors.Is(err, errMissingPart) {
		return b.corrupt()
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	// The declared count is not trusted for preallocation.
	for {
		tok, err := b.token(dec)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "si" {
			s, err := b.richText(dec)
			if err != nil {
				return err
			}
			if len(b.strs) >= maxSharedStrings {
				return userError(KindTooLarge, "The workbook holds more than %d different texts. Delete sheets or columns you do not need, or save the firms as CSV UTF-8, and upload again.", maxSharedStrings)
			}
			b.strs = append(b.strs, truncateBytes(decodeEscapes(s), b.lim.MaxCellBytes))
		}
	}
}

func (b *book) readStyles() error {
	if b.stylePart == "" {
		return nil
	}
	dec, rc, err := b.decoder(b.stylePart)
	if errors.Is(err, errMissingPart) {
		return nil // without styles every number is shown as General
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	custom := make(map[int]string)
	var xfIDs []int
	inCellXfs := false
	for {
		tok, err := b.token(dec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "numFmt":
				if id, err := strconv.Atoi(attr(t, "numFmtId")); err == nil {
					custom[id] = attr(t, "formatCode")
				}
			case t.Name.Local == "cellXfs":
				inCellXfs = true
			case t.Name.Local == "xf" && inCellXfs:
				id, _ := strconv.Atoi(attr(t, "numFmtId"))
				xfIDs = append(xfIDs, id)
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inCellXfs = false
			}
		}
	}
	b.formats = make([]numFormat, len(xfIDs))
	for i, id := range xfIDs {
		if code, ok := custom[id]; ok {
			b.formats[i] = classifyFormat(code)
		} else {
			b.formats[i] = builtinFormat(id)
		}
	}
	return nil
}

// richText returns the text of the <t> elements inside the element just
// opened (<si> or <is>), leaving out phonetic guides (<rPh>).
func (b *book) richText(dec *xml.Decoder) (string, error) {
	var sb strings.Builder
	limit := rawCellLimit(b.lim)
	depth, inT := 1, 0
	for depth > 0 {
		tok, err := b.token(dec)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", b.corrupt()
			}
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "rPh" {
				if err := dec.Skip(); err != nil {
					return "", b.corrupt()
				}
				continue
			}
			depth++
			if t.Name.Local == "t" {
				inT++
			}
		case xml.EndElement:
			depth--
			if t.Name.Local == "t" && inT > 0 {
				inT--
			}
		case xml.CharData:
			if inT > 0 && sb.Len() < limit {
				sb.Write(t[:min(len(t), limit-sb.Len())])
			}
		}
	}
	return capped(sb.String(), limit), nil
}

// chars returns the character data of the element just opened.
func (b *book) chars(dec *xml.Decoder) (string, error) {
	var sb strings.Builder
	limit := rawCellLimit(b.lim)
	for depth := 1; depth > 0; {
		tok, err := b.token(dec)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", b.corrupt()
			}
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if sb.Len() < limit {
				sb.Write(t[:min(len(t), limit-sb.Len())])
			}
		}
	}
	return capped(sb.String(), limit), nil
}

// capped drops a character split by the byte limit that cut s short.
func capped(s string, limit int) string {
	if len(s) < limit {
		return s
	}
	return strings.ToValidUTF8(s, "")
}

// rawCellLimit leaves room for "_xHHHH_" escapes, which shrink when decoded,
// before the cell is truncated to MaxCellBytes.
func rawCellLimit(lim Limits) int {
	return 2*lim.MaxCellBytes + 8
}

// xlsxSource streams the rows of one worksheet.
type xlsxSource struct {
	b       *book
	dec     *xml.Decoder
	inData  bool
	done    bool
	lastRow int
}

func (s *xlsxSource) next() (int, []string, error) {
	for !s.done {
		tok, err := s.b.token(s.dec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "sheetData":
				s.inData = true
			case s.inData && t.Name.Local == "row":
				return s.readRow(t)
			case t.Name.Local != "worksheet":
				// Columns, views, merges…: nothing we need.
				if err := s.dec.Skip(); err != nil {
					return 0, nil, s.b.corrupt()
				}
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				s.done = true
			}
		}
	}
	s.done = true
	return 0, nil, io.EOF
}

func (s *xlsxSource) readRow(start xml.StartElement) (int, []string, error) {
	n := s.lastRow + 1
	if r, err := strconv.Atoi(attr(start, "r")); err == nil && r > s.lastRow {
		n = r
	}
	s.lastRow = n
	var cells []string
	col := 0
	for {
		tok, err := s.b.token(s.dec)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, nil, s.b.corrupt()
			}
			return 0, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := s.dec.Skip(); err != nil {
					return 0, nil, s.b.corrupt()
				}
				continue
			}
			if c := refColumn(attr(t, "r")); c > 0 {
				col = c
			} else {
				col++
			}
			if col > s.b.lim.MaxColumns {
				if err := s.dec.Skip(); err != nil {
					return 0, nil, s.b.corrupt()
				}
				continue
			}
			v, err := s.readCell(t)
			if err != nil {
				return 0, nil, err
			}
			if v != "" {
				for len(cells) < col {
					cells = append(cells, "")
				}
				cells[col-1] = v
			}
		case xml.EndElement:
			return n, cells, nil // </row>: children are consumed whole
		}
	}
}

// readCell returns a cell's cached value as text; formulas are not evaluated.
func (s *xlsxSource) readCell(start xml.StartElement) (string, error) {
	b := s.b
	typ := attr(start, "t")
	style, _ := strconv.Atoi(attr(start, "s"))
	var v, inline string
	for {
		tok, err := b.token(s.dec)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", b.corrupt()
			}
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				v, err = b.chars(s.dec)
			case "is":
				inline, err = b.richText(s.dec)
			default:
				if s.dec.Skip() != nil {
					err = b.corrupt()
				}
			}
			if err != nil {
				return "", err
			}
		case xml.EndElement:
			return b.cellText(typ, style, v, inline)
		}
	}
}

func (b *book) cellText(typ string, style int, v, inline string) (string, error) {
	var s string
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(b.strs) {
			return "", b.corrupt()
		}
		return b.strs[i], nil
	case "inlineStr":
		s = decodeEscapes(inline)
	case "str", "e", "d":
		s = decodeEscapes(v)
	case "b":
		switch strings.TrimSpace(v) {
		case "1":
			s = "TRUE"
		case "0":
			s = "FALSE"
		default:
			s = v
		}
	default:
		f := numGeneral
		if style >= 0 && style < len(b.formats) {
			f = b.formats[style]
		}
		s = formatNumber(strings.TrimSpace(v), f, b.date1904)
	}
	return truncateBytes(s, b.lim.MaxCellBytes), nil
}

// refColumn returns the 1-based column of a cell reference such as "XFD7",
// 0 when there is none, and maxSheetColumns+1 for anything wider.
func refColumn(ref string) int {
	col := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A') + 1
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a') + 1
		default:
			return col
		}
		if col > maxSheetColumns {
			return maxSheetColumns + 1
		}
	}
	return col
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// decodeEscapes undoes the "_xHHHH_" escaping OOXML uses for characters XML
// cannot hold (Excel writes a carriage return as "_x000D_").
func decodeEscapes(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if r, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				sb.WriteRune(rune(r))
				i += 7
				continue
			}
		}
		sb.WriteByte(s[i])
		i++
	}
	return sb.String()
}
