package sheets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

func parseCSV(br *bufio.Reader, filename string, lim Limits, l layout) (*Upload, error) {
	prefix, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, readError(err)
	}
	// A short peek means the whole file is in prefix; otherwise its last
	// rune may be cut in half.
	complete := len(prefix) < sniffBytes
	if bytes.HasPrefix(prefix, utf8BOM) {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, readError(err)
		}
		prefix = prefix[len(utf8BOM):]
	}
	if kindErr := checkText(prefix, complete, filename); kindErr != nil {
		return nil, kindErr
	}
	if len(bytes.TrimSpace(prefix)) == 0 {
		return nil, userError(KindEmpty, "%s is empty. Upload a spreadsheet with a header row that has a Website column and one row per firm.", displayName(filename))
	}

	delim := sniffDelimiter(prefix, lim)
	var in io.Reader = br
	if delim < utf8.RuneSelf {
		in = &fieldGuard{r: in, delim: byte(delim)}
	}
	cr := csv.NewReader(in)
	cr.Comma = delim
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	src := &csvSource{r: cr, lim: lim}

	hs, err := findHeader(src, lim, l.headerRow)
	if err != nil {
		return nil, err
	}
	if !hs.found {
		return nil, missingColumnError(hs, "")
	}
	if err := l.columns(&hs); err != nil {
		return nil, err
	}
	up := &Upload{Format: "csv"}
	if err := readFirms(src, hs, lim, up); err != nil {
		return nil, err
	}
	return up, nil
}

// checkText tells text from binary and UTF-8 from other encodings, so the
// user is told to re-save rather than shown garbled names.
func checkText(prefix []byte, complete bool, filename string) *Error {
	notText := userError(KindUnsupported, "%s is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file.", displayName(filename))
	notUTF8 := userError(KindInvalid, "%s is not saved as UTF-8 text. In Excel choose File > Save As > \"CSV UTF-8 (Comma delimited)\", or upload the .xlsx workbook instead.", displayName(filename))
	if bytes.HasPrefix(prefix, []byte{0xFF, 0xFE}) || bytes.HasPrefix(prefix, []byte{0xFE, 0xFF}) {
		return notUTF8 // UTF-16, as Excel's "Unicode Text" writes
	}
	if bytes.HasPrefix(prefix, []byte("%PDF-")) {
		return notText
	}
	control := 0
	for _, b := range prefix {
		if b == 0 || (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7F {
			control++
		}
	}
	// Text files have essentially no control bytes; binary formats are full of them.
	if control > 0 && control*100 >= len(prefix) || bytes.IndexByte(prefix, 0) >= 0 {
		return notText
	}
	if !complete {
		// Drop a rune split by the end of the peek.
		for i := 0; i < utf8.UTFMax-1 && len(prefix) > 0 && !utf8.Valid(prefix); i++ {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if !utf8.Valid(prefix) {
		return notUTF8
	}
	return nil
}

// sniffDelimiter picks the delimiter, among comma, semicolon and tab, that
// makes a header row with a website column appear. Failing that it picks the
// one that splits the most rows, so the missing-column message lists real
// headers.
func sniffDelimiter(prefix []byte, lim Limits) rune {
	best, bestRows, bestFields := ',', -1, -1
	for _, d := range []rune{',', ';', '\t'} {
		cr := csv.NewReader(bytes.NewReader(prefix))
		cr.Comma = d
		cr.LazyQuotes = true
		cr.FieldsPerRecord = -1
		rows, fields := 0, 0
		for range lim.MaxScanRows {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			if len(rec) > lim.MaxColumns {
				rec = rec[:lim.MaxColumns]
			}
			if _, ok := matchHeaders(rec); ok {
				return d
			}
			if len(rec) > 1 {
				rows++
				fields += len(rec)
			}
		}
		if rows > bestRows || (rows == bestRows && fields > bestFields) {
			best, bestRows, bestFields = d, rows, fields
		}
	}
	return best
}

// csvSource numbers records the way a spreadsheet program shows them: blank
// lines, which encoding/csv skips, still count as rows, and a quoted field
// spanning several lines is one row.
type csvSource struct {
	r       *csv.Reader
	lim     Limits
	row     int // number of the last record returned
	endLine int // line on which that record ended
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		var wide *tooManyFieldsError
		if errors.As(err, &wide) {
			return 0, nil, userError(KindInvalid, "Row %d of the CSV file has more than %d columns, more than a spreadsheet holds. Check that it is a list of firms, one per row, and upload again.", wide.row, maxCSVFields)
		}
		if errors.As(err, &pe) && !errors.Is(err, errFileTooLarge) {
			return 0, nil, userError(KindInvalid, "The CSV file could not be read near line %d. Open it in a spreadsheet program, save it again as CSV UTF-8 and upload again.", pe.Line)
		}
		return 0, nil, readError(err)
	}
	start, _ := s.r.FieldPos(0)
	last, _ := s.r.FieldPos(len(rec) - 1)
	s.row += 1 + max(0, start-s.endLine-1)
	s.endLine = last + strings.Count(rec[len(rec)-1], "\n")

	for _, f := range rec {
		if !utf8.ValidString(f) {
			return 0, nil, userError(KindInvalid, "Row %d of the CSV file is not UTF-8 text. In Excel choose File > Save As > \"CSV UTF-8 (Comma delimited)\", or upload the .xlsx workbook instead.", s.row)
		}
	}
	if len(rec) > s.lim.MaxColumns {
		rec = rec[:s.lim.MaxColumns]
	}
	cells := make([]string, len(rec))
	for i, f := range rec {
		cells[i] = truncateBytes(f, s.lim.MaxCellBytes)
	}
	return s.row, cells, nil
}

// maxCSVFields is the most fields a CSV record may have: Excel's column
// count. encoding/csv builds a whole record before MaxColumns can trim it,
// and a 20 MB line of commas would be 20 million fields (hundreds of MB).
const maxCSVFields = 16_384

// fieldGuard stops a CSV stream whose record grows past maxCSVFields, as
// encoding/csv would split it with LazyQuotes: a quote opens a quoted field
// only at the start of one, and inside it a quote not followed by the
// delimiter or the end of the line is part of the text.
type fieldGuard struct {
	r      io.Reader
	delim  byte
	state  guardState
	fields int // delimiters so far in the current record
	record int // records begun, counting the current one from 1
}

type guardState int

const (
	fieldStart guardState = iota
	unquoted
	quoted
	quoteInQuoted // a quote inside a quoted field: its end, or an escaped quote
)

type tooManyFieldsError struct{ row int }

func (e *tooManyFieldsError) Error() string {
	return fmt.Sprintf("CSV record %d has more than %d fields", e.row, maxCSVFields)
}

func (g *fieldGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, b := range p[:n] {
		if g.record == 0 {
			g.record = 1
		}
		switch {
		case g.state == quoted:
			if b == '"' {
				g.state = quoteInQuoted
			}
		// Outside a quoted field (or just after its closing quote), the
		// delimiter ends a field and a line break the record.
		case b == g.delim:
			g.fields++
			g.state = fieldStart
		case b == '\n':
			g.fields, g.state = 0, fieldStart
			g.record++
		case b == '\r':
		case g.state == quoteInQuoted:
			g.state = quoted // an escaped quote, or a stray one kept as text
		case b == '"' && g.state == fieldStart:
			g.state = quoted
		default:
			g.state = unquoted
		}
		if g.fields >= maxCSVFields {
			return 0, &tooManyFieldsError{row: g.record}
		}
	}
	return n, err
}
