// Package sheets reads uploaded spreadsheets (.xlsx and .csv) into firms and
// writes the enriched workbook.
//
// Uploads are untrusted: every loop over rows, columns and bytes is bounded by
// Limits or by the file's real size, never by sizes the file declares.
package sheets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/freemail"
	"github.com/vcenrich/vcenrich/internal/urlkey"
)

// Limits bound how much of an upload is read.
type Limits struct {
	MaxRows      int // data rows accepted; more is an error (default 100_000)
	MaxColumns   int // columns read per row; cells beyond are ignored while streaming (default 256)
	MaxCellBytes int // longer cells are truncated to this (default 32_767)
	MaxScanRows  int // rows searched for the header row (default 30)
}

// DefaultLimits returns the limits used when a field of Limits is zero.
func DefaultLimits() Limits {
	return Limits{MaxRows: 100_000, MaxColumns: 256, MaxCellBytes: 32_767, MaxScanRows: 30}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = d.MaxColumns
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = d.MaxCellBytes
	}
	if l.MaxScanRows <= 0 {
		l.MaxScanRows = d.MaxScanRows
	}
	return l
}

// Mapping gives the index into Upload.Headers of each recognised column, -1
// when the column is absent.
type Mapping struct{ Name, Website, Description int }

// Rejected is a data row that did not become a firm.
type Rejected struct {
	Row    int    `json:"row"` // 1-based in the source sheet
	Reason string `json:"reason"`
	SameAs int    `json:"same_as,omitempty"` // a repeated firm: the row it repeats
}

// Duplicate is a firm listed on several rows: the first row became the
// firm, the others were rejected.
type Duplicate struct {
	Website string `json:"website"`
	Rows    []int  `json:"rows"`
}

// Upload is a parsed spreadsheet.
type Upload struct {
	Format    string   // "xlsx" or "csv"
	Sheet     string   // sheet name ("" for csv)
	HeaderRow int      // 1-based
	Headers   []string // every header cell as written (blank headers become "Column N")
	Mapping   Mapping
	Firms     []firm.Input // Index 0.. in order; Values has one entry per header
	Rejected  []Rejected
	// Duplicates lists each firm given on several rows once, with every row.
	Duplicates []Duplicate
}

// ErrorKind classifies why an upload cannot be used.
type ErrorKind int

const (
	// KindUnsupported: not a spreadsheet, a legacy .xls, or a password-protected workbook.
	KindUnsupported ErrorKind = iota + 1
	// KindMissingColumn: no website column was found.
	KindMissingColumn
	// KindEmpty: no header row or no usable data rows.
	KindEmpty
	// KindTooLarge: more data rows than Limits.MaxRows, or a file too big to read.
	KindTooLarge
	// KindInvalid: a corrupt file or text that is not UTF-8.
	KindInvalid
)

// Error is a problem with the uploaded file itself, explained for the person
// who uploaded it. Failures that are not the file's fault (a broken reader)
// are returned as ordinary errors instead.
type Error struct {
	Kind ErrorKind
	Msg  string // a sentence a person understands, saying what to do
	// For KindMissingColumn: the most header-like row found, which ParseWith
	// reads as the header row once the caller names the columns. Headers
	// are named as Upload.Headers are, so a column's index is its position.
	Headers   []string
	HeaderRow int     // 1-based
	Sheet     string  // "" for csv
	Guess     Mapping // the name and description columns recognised; Website is -1
}

func (e *Error) Error() string { return e.Msg }

func userError(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

const (
	// maxFileBytes caps the upload itself; an .xlsx has to be held in memory
	// because zip needs random access.
	maxFileBytes = 128 << 20
	// maxEmptyRun ends a sheet: a run this long of empty rows is either the
	// real end of the data or a sparse file built to make us walk a million rows.
	maxEmptyRun = 1000
	// sniffBytes is how much of a text file is examined to recognise it.
	sniffBytes = 64 << 10
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// errFileTooLarge is returned by limitedReader once maxFileBytes is exceeded.
var errFileTooLarge = errors.New("upload exceeds the size limit")

// limitedReader fails, rather than silently stopping, past its limit so that a
// truncated read is never mistaken for the whole file.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Probe one byte so a file of exactly the limit still reads to EOF.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errFileTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func tooLargeFileError() *Error {
	return userError(KindTooLarge, "The file is larger than %d MB. Remove columns or rows you do not need, or split the firms into several files, and upload again.", maxFileBytes>>20)
}

// Chooser picks the columns to read once the header row is known. headers
// are the header row's names (blank cells named "Column N"); detected is
// the parser's own guess, with Website -1 when no column was recognised.
type Chooser func(headers []string, detected Mapping) (Mapping, error)

// layout is what the caller fixes instead of leaving it to detection.
type layout struct {
	choose    Chooser
	sheet     string // with headerRow: the sheet to read
	headerRow int    // 1-based; 0 to detect
}

// Parse reads an uploaded .xlsx or .csv file. The format is recognised from
// the content, not from filename, which is only used in messages.
func Parse(r io.Reader, filename string, lim Limits) (*Upload, error) {
	return parse(r, filename, lim, layout{})
}

// ParseWith reads an upload like Parse, but the columns are the ones choose
// picks. When no header row has a recognisable website column, the most
// header-like row (the one a KindMissingColumn error reports) is taken as
// the header row, so a person can name the columns of any sheet.
func ParseWith(data []byte, filename string, lim Limits, choose Chooser) (*Upload, error) {
	up, err := parse(bytes.NewReader(data), filename, lim, layout{choose: choose})
	var se *Error
	if choose == nil || !errors.As(err, &se) || se.Kind != KindMissingColumn {
		return up, err
	}
	return parse(bytes.NewReader(data), filename, lim, layout{choose: choose, sheet: se.Sheet, headerRow: se.HeaderRow})
}

// columns applies the caller's choice of columns to a header row.
func (l layout) columns(hs *headerScan) error {
	if l.choose == nil {
		return nil
	}
	headers := headerNames(hs.cells)
	m, err := l.choose(headers, hs.mapping)
	if err != nil {
		return err
	}
	for _, i := range []int{m.Name, m.Website, m.Description} {
		if i < -1 || i >= len(headers) {
			return fmt.Errorf("column %d chosen, but the header row has %d columns", i, len(headers))
		}
	}
	if m.Website < 0 {
		return errors.New("no website column chosen")
	}
	hs.mapping = m
	return nil
}

func parse(r io.Reader, filename string, lim Limits, l layout) (*Upload, error) {
	lim = lim.withDefaults()
	br := bufio.NewReaderSize(&limitedReader{r: r, left: maxFileBytes}, sniffBytes)
	head, err := br.Peek(len(oleMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, readError(err)
	}
	switch {
	case len(head) == 0:
		return nil, userError(KindEmpty, "%s is empty. Upload a spreadsheet with a header row that has a Website column and one row per firm.", displayName(filename))
	case bytes.HasPrefix(head, zipMagic):
		return parseXLSX(br, filename, lim, l)
	case bytes.HasPrefix(head, oleMagic):
		return nil, userError(KindUnsupported, "%s is an old-style Excel file (.xls) or a password-protected workbook, which cannot be read. Open it in Excel, remove any password, save it as \"Excel Workbook (.xlsx)\" and upload that file.", displayName(filename))
	default:
		return parseCSV(br, filename, lim, l)
	}
}

// readError turns a failure to read the upload into either the size error the
// user can act on or a plain error for the caller.
func readError(err error) error {
	if errors.Is(err, errFileTooLarge) {
		return tooLargeFileError()
	}
	return fmt.Errorf("read upload: %w", err)
}

func displayName(filename string) string {
	if i := strings.LastIndexAny(filename, `/\`); i >= 0 {
		filename = filename[i+1:]
	}
	if filename == "" {
		return "The file"
	}
	return strconv.Quote(filename)
}

// rowSource yields the rows of one sheet in order. Row numbers are 1-based
// and strictly increasing; rows missing from the file are simply not
// returned. Cells are already capped by Limits. next returns io.EOF at the end.
type rowSource interface {
	next() (row int, cells []string, err error)
}

// headerScan is what the search for a header row found.
type headerScan struct {
	found   bool
	row     int
	cells   []string
	mapping Mapping
	// best is the most header-like row seen, for the missing-column error.
	best      []string
	bestRow   int
	bestScore int
}

// findHeader reads rows until one has a website header, giving up after
// MaxScanRows rows. With force > 0 the row numbered force is the header
// row whatever it holds.
func findHeader(src rowSource, lim Limits, force int) (headerScan, error) {
	var hs headerScan
	for {
		n, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			return hs, nil
		}
		if err != nil {
			return hs, err
		}
		if n > lim.MaxScanRows || (force > 0 && n > force) {
			return hs, nil
		}
		if isBlank(cells) {
			continue
		}
		m, ok := matchHeaders(cells)
		if ok || n == force {
			hs.found, hs.row, hs.cells, hs.mapping = true, n, cells, m
			return hs, nil
		}
		if score := textCells(cells); score > hs.bestScore || hs.best == nil {
			hs.bestScore, hs.best, hs.bestRow = score, cells, n
		}
	}
}

// readFirms turns the rows after the header into firms.
func readFirms(src rowSource, hs headerScan, lim Limits, up *Upload) error {
	up.HeaderRow = hs.row
	up.Headers = headerNames(hs.cells)
	up.Mapping = hs.mapping
	seen := make(map[string]int)
	lastContent := hs.row
	dataRows := 0
	for {
		n, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if n-lastContent > maxEmptyRun {
			break
		}
		if isBlank(cells) {
			continue
		}
		lastContent = n
		dataRows++
		if dataRows > lim.MaxRows {
			return userError(KindTooLarge, "The sheet has more than %d rows of firms. Split it into files of at most %d rows and upload them one at a time.", lim.MaxRows, lim.MaxRows)
		}
		in, reason, sameAs := buildInput(n, cells, up, seen)
		if reason != "" {
			up.Rejected = append(up.Rejected, Rejected{Row: n, Reason: reason, SameAs: sameAs})
			continue
		}
		in.Index = len(up.Firms)
		up.Firms = append(up.Firms, in)
	}
	up.Duplicates = duplicates(up)
	if dataRows == 0 {
		return userError(KindEmpty, "There are no firms below the header row (row %d). Add one row per firm under the headers and upload again.", hs.row)
	}
	if len(up.Firms) == 0 {
		return userError(KindEmpty, "None of the %d rows below the header has a usable website (%s). Put each firm's web address, such as accel.com, in the %q column and upload again.", dataRows, rejectExamples(up.Rejected), up.Headers[up.Mapping.Website])
	}
	return nil
}

func rejectExamples(rs []Rejected) string {
	var parts []string
	for i, r := range rs {
		if i == 3 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("row %d: %s", r.Row, r.Reason))
	}
	return strings.Join(parts, "; ")
}

// buildInput validates one data row; a non-empty reason means it is
// rejected, and sameAs is then the row it repeats, if it does.
//
// A website cell that is a network or directory page (LinkedIn, AngelList,
// Crunchbase, a link hub) is never crawled as the firm's site: the firm's
// domain is taken from a Domain column or a company email address in the
// row instead, and without one the row is rejected saying so.
func buildInput(row int, cells []string, up *Upload, seen map[string]int) (firm.Input, string, int) {
	cell := func(i int) string {
		if i < 0 || i >= len(cells) {
			return ""
		}
		return cells[i]
	}
	raw := strings.TrimSpace(cell(up.Mapping.Website))
	var site, source, linkedIn string
	var notSite string // why the website cell cannot be crawled
	if raw != "" {
		s, err := NormalizeWebsite(raw)
		if err != nil && !strings.Contains(raw, "@") {
			return firm.Input{}, "not a website: " + clip(raw, 100), 0
		}
		if err == nil {
			site = s
		}
		if p, ok := profileOf(s); err == nil && ok {
			site, linkedIn = "", p.linkedIn
			notSite = fmt.Sprintf("%s is a page on %s, not the firm's own website", clip(raw, 100), p.network)
			if p.hub {
				notSite = fmt.Sprintf("%s is %s, not the firm's website", clip(raw, 100), p.network)
			}
		}
	}
	if site == "" {
		site, source = derivedWebsite(cells, up)
	}
	if site == "" {
		switch {
		case notSite != "":
			return firm.Input{}, notSite + ", and the row has no company email or domain to find that by", 0
		case raw != "":
			return firm.Input{}, "not a website: " + clip(raw, 100), 0
		}
		if free := freeMailIn(cells); free != "" {
			return firm.Input{}, "no website, and the only email address is at a free provider (" + free + ")", 0
		}
		return firm.Input{}, "no website", 0
	}
	if notSite != "" {
		source = notSite + "; taken from " + source
	}
	key := siteKey(site)
	if first, dup := seen[key]; dup {
		return firm.Input{}, fmt.Sprintf("same website as row %d", first), first
	}
	seen[key] = row

	values := make([]string, len(up.Headers))
	copy(values, cells)
	name := collapseSpace(cell(up.Mapping.Name))
	if name == "" {
		name = urlkey.Site(hostOf(site))
	}
	return firm.Input{
		Row:           row,
		Name:          name,
		Website:       site,
		Description:   strings.TrimSpace(cell(up.Mapping.Description)),
		Values:        values,
		WebsiteSource: source,
		LinkedIn:      linkedIn,
	}, "", 0
}

// domainHeaders name a column that holds the firm's domain on its own.
var domainHeaders = map[string]bool{"domain": true, "companydomain": true, "firmdomain": true, "emaildomain": true, "websitedomain": true}

var emailInCell = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)`)

// derivedWebsite finds the firm's website elsewhere in the row: a Domain
// column first, then an email address on a company domain (never a free
// provider's such as gmail.com). source says where it came from.
func derivedWebsite(cells []string, up *Upload) (site, source string) {
	for i, h := range up.Headers {
		if i == up.Mapping.Website || i >= len(cells) || !domainHeaders[normalizeHeader(h)] {
			continue
		}
		if s, err := NormalizeWebsite(strings.TrimSpace(cells[i])); err == nil {
			if _, prof := profileOf(s); !prof && !freemail.IsFree(hostOf(s)) {
				return s, fmt.Sprintf("column %s", h)
			}
		}
	}
	for i, c := range cells {
		if i >= len(up.Headers) {
			break
		}
		for _, m := range emailInCell.FindAllStringSubmatch(c, 4) {
			domain := strings.ToLower(m[1])
			if freemail.IsFree(domain) {
				continue
			}
			s, err := NormalizeWebsite(domain)
			if err != nil {
				continue
			}
			if _, prof := profileOf(s); prof {
				continue
			}
			return s, fmt.Sprintf("the email address in column %s (%s)", up.Headers[i], strings.ToLower(m[0]))
		}
	}
	return "", ""
}

// freeMailIn is the domain of a free provider's email address in the row.
func freeMailIn(cells []string) string {
	for _, c := range cells {
		for _, m := range emailInCell.FindAllStringSubmatch(c, 4) {
			if d := strings.ToLower(m[1]); freemail.IsFree(d) {
				return d
			}
		}
	}
	return ""
}

// duplicates groups the rows rejected as repeats with the row they repeat.
func duplicates(up *Upload) []Duplicate {
	byFirst := map[int]int{} // first row -> index in out
	var out []Duplicate
	for _, r := range up.Rejected {
		if r.SameAs == 0 {
			continue
		}
		i, ok := byFirst[r.SameAs]
		if !ok {
			website := ""
			for _, f := range up.Firms {
				if f.Row == r.SameAs {
					website = f.Website
				}
			}
			i = len(out)
			byFirst[r.SameAs] = i
			out = append(out, Duplicate{Website: website, Rows: []int{r.SameAs}})
		}
		out[i].Rows = append(out[i].Rows, r.Row)
	}
	return out
}

// headerNames names every header column; trailing blank cells are not columns.
func headerNames(cells []string) []string {
	end := len(cells)
	for end > 0 && strings.TrimSpace(cells[end-1]) == "" {
		end--
	}
	names := make([]string, end)
	for i := range end {
		names[i] = strings.TrimSpace(cells[i])
		if names[i] == "" {
			names[i] = fmt.Sprintf("Column %d", i+1)
		}
	}
	return names
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func nonBlank(cells []string) []string {
	var out []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// textCells counts the non-empty cells that are neither numbers nor web or
// email addresses: headers are words, while the first data row, often just
// as wide, holds addresses.
func textCells(cells []string) int {
	n := 0
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			continue
		}
		if !strings.ContainsAny(c, " \t") && strings.ContainsAny(c, ".@") {
			continue
		}
		n++
	}
	return n
}

// missingColumnError reports the most header-like row of the sheet that
// had one.
func missingColumnError(hs headerScan, sheet string) *Error {
	if hs.best == nil {
		return userError(KindEmpty, "No rows with data were found at the top of the sheet (cells far below, if any, are ignored). Upload a spreadsheet with a header row near the top that has a Website column, and one row per firm.")
	}
	e := userError(KindMissingColumn, "No website column was found. The columns found are: %s. Name the column that holds each firm's web address \"Website\" and upload again, or choose the website column in the preview.", strings.Join(quoteAll(nonBlank(hs.best), 10), ", "))
	e.Headers, e.HeaderRow, e.Sheet = headerNames(hs.best), hs.bestRow, sheet
	e.Guess, _ = matchHeaders(hs.best)
	return e
}

func quoteAll(ss []string, limit int) []string {
	out := make([]string, 0, min(len(ss), limit)+1)
	for i, s := range ss {
		if i == limit {
			out = append(out, fmt.Sprintf("and %d more", len(ss)-limit))
			break
		}
		out = append(out, strconv.Quote(clip(s, 60)))
	}
	return out
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clip shortens s for display in a message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// truncateBytes cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
