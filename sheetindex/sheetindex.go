// Package sheetindex keeps a workbook's sheets in a form made for paging: a
// JSON Lines file per sheet (the header, then one row a line, each a JSON
// array of its cells' text) and an index naming the sheets in order with
// their columns, row counts and the byte offset of every Every-th row. A page
// of rows is then one range read of a few kilobytes, and a search reads one
// sheet's rows, where opening the workbook would inflate and parse all of it.
package sheetindex

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// IndexName is the index's file name beside the sheets' files in a
	// local directory.
	IndexName = "index.json"
	// format changes when the files change meaning, so an index written by
	// another version of this package is taken for a missing one.
	format = 1
	// every trades the index's size against what a page reads beyond its
	// rows: at most every-1 rows before it and every-1 after.
	every = 128
)

// ErrNoIndex says an index is absent or of a format this package does not
// read.
var ErrNoIndex = errors.New("no rows index")

// Index lists a workbook's sheets in the workbook's order.
type Index struct {
	Format int     `json:"format"`
	Sheets []Sheet `json:"sheets"`
}

// Sheet is one sheet's rows file.
type Sheet struct {
	Name    string   `json:"name"`
	File    string   `json:"file"`
	Columns []string `json:"columns"` // the header row
	Rows    int      `json:"rows"`    // below the header
	Size    int64    `json:"size"`    // of File, in bytes
	Every   int      `json:"every"`
	// Offsets[k] is where row k*Every below the header starts in File.
	Offsets []int64 `json:"offsets"`
}

// Names are the sheets' names in order.
func (ix Index) Names() []string {
	names := make([]string, len(ix.Sheets))
	for i, sh := range ix.Sheets {
		names[i] = sh.Name
	}
	return names
}

// Sheet finds a sheet by name.
func (ix Index) Sheet(name string) (Sheet, bool) {
	for _, sh := range ix.Sheets {
		if sh.Name == name {
			return sh, true
		}
	}
	return Sheet{}, false
}

// Decode reads an index, refusing one of another format as ErrNoIndex.
func Decode(data []byte) (Index, error) {
	var ix Index
	if err := json.Unmarshal(data, &ix); err != nil {
		return Index{}, fmt.Errorf("decode rows index: %w", err)
	}
	if ix.Format != format {
		return Index{}, fmt.Errorf("rows index of format %d, want %d: %w", ix.Format, format, ErrNoIndex)
	}
	return ix, nil
}

// Create makes a file of an index being written; closing it commits it.
type Create func(name string) (io.WriteCloser, error)

// Dir writes an index's files into a local directory.
func Dir(dir string) Create {
	return func(name string) (io.WriteCloser, error) {
		return os.Create(filepath.Join(dir, name))
	}
}

// Writer writes an index from a workbook's rows, sheet by sheet. It is a
// sheets.RowSink.
type Writer struct {
	create Create
	index  Index
	cur    *sheetFile
}

type sheetFile struct {
	file  io.WriteCloser
	buf   *bufio.Writer
	count *countingWriter
	enc   *json.Encoder
	sheet Sheet
	rows  int // lines written, the header included
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// NewWriter writes an index's files with create.
func NewWriter(create Create) *Writer {
	return &Writer{create: create, index: Index{Format: format}}
}

// StartSheet begins a sheet; rows of another sheet end it. A sheet gets a
// file even when no row follows.
func (w *Writer) StartSheet(name string) error {
	if err := w.endSheet(); err != nil {
		return err
	}
	sh := Sheet{Name: name, File: fmt.Sprintf("sheet-%03d.jsonl", len(w.index.Sheets)), Every: every}
	f, err := w.create(sh.File)
	if err != nil {
		return fmt.Errorf("rows index: sheet %s: %w", name, err)
	}
	buf := bufio.NewWriterSize(f, 64<<10)
	count := &countingWriter{w: buf}
	enc := json.NewEncoder(count)
	// Unescaped <, > and &: the file is read by this package only, and a
	// search can then look for them in the encoded line.
	enc.SetEscapeHTML(false)
	w.cur = &sheetFile{file: f, buf: buf, count: count, enc: enc, sheet: sh}
	return nil
}

// Row adds a row to a sheet, the header first. Rows of a sheet come
// together: a sheet's name after another's starts it anew.
func (w *Writer) Row(sheet string, cells []string) error {
	if w.cur == nil || w.cur.sheet.Name != sheet {
		if err := w.StartSheet(sheet); err != nil {
			return err
		}
	}
	c := w.cur
	if cells == nil {
		cells = []string{} // [] rather than null, one form for an empty row
	}
	if c.rows == 0 {
		c.sheet.Columns = slices.Clone(cells)
	} else if (c.rows-1)%every == 0 {
		c.sheet.Offsets = append(c.sheet.Offsets, c.count.n)
	}
	if err := c.enc.Encode(cells); err != nil {
		return fmt.Errorf("rows index: sheet %s: %w", sheet, err)
	}
	c.rows++
	return nil
}

func (w *Writer) endSheet() error {
	c := w.cur
	if c == nil {
		return nil
	}
	w.cur = nil
	err := c.buf.Flush()
	if cerr := c.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("rows index: sheet %s: %w", c.sheet.Name, err)
	}
	c.sheet.Rows, c.sheet.Size = max(c.rows-1, 0), c.count.n
	if c.sheet.Columns == nil {
		c.sheet.Columns = []string{}
	}
	w.index.Sheets = append(w.index.Sheets, c.sheet)
	return nil
}

// Finish ends the last sheet and returns the index, for the caller to keep
// once it has committed what the index belongs with.
func (w *Writer) Finish() (Index, error) {
	if err := w.endSheet(); err != nil {
		return Index{}, err
	}
	return w.index, nil
}

// Save writes ix into dir as IndexName, beside its files.
func Save(dir string, ix Index) error {
	data, err := json.Marshal(ix)
	if err != nil {
		return fmt.Errorf("rows index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, IndexName), data, 0o600); err != nil {
		return fmt.Errorf("rows index: %w", err)
	}
	return nil
}

// Load reads the index Save wrote into dir.
func Load(dir string) (Index, error) {
	data, err := os.ReadFile(filepath.Join(dir, IndexName))
	if err != nil {
		return Index{}, fmt.Errorf("rows index: %w", err)
	}
	return Decode(data)
}

// Abort releases the file being written, after a failure. Whoever made the
// files removes them (or, for a store, never commits them).
func (w *Writer) Abort() {
	if w.cur != nil {
		_ = w.cur.file.Close()
		w.cur = nil
	}
}

// Source reads length bytes of a sheet's file from offset (length < 0: to
// the end).
type Source func(ctx context.Context, offset, length int64) (io.ReadCloser, error)

// ReaderAt reads a sheet's file held open locally.
func ReaderAt(r io.ReaderAt, size int64) Source {
	return func(_ context.Context, offset, length int64) (io.ReadCloser, error) {
		if length < 0 {
			length = size - offset
		}
		return io.NopCloser(io.NewSectionReader(r, offset, length)), nil
	}
}

// Page reads limit rows of the sheet from row offset below the header: one
// read from the indexed row before it to the indexed row after it.
func (sh Sheet) Page(ctx context.Context, src Source, offset, limit int) ([][]string, error) {
	rows := [][]string{}
	if offset >= sh.Rows || limit <= 0 || sh.Every <= 0 {
		return rows, nil
	}
	k := offset / sh.Every
	end := sh.Size
	if next := (offset + limit + sh.Every - 1) / sh.Every; next < len(sh.Offsets) {
		end = sh.Offsets[next]
	}
	lr, err := openLines(ctx, src, sh.Offsets[k], end-sh.Offsets[k])
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", sh.Name, err)
	}
	defer lr.close()
	for skip := offset - k*sh.Every; len(rows) < limit; skip-- {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err == nil && skip <= 0 {
			var row []string
			if row, err = decodeRow(line); err == nil {
				rows = append(rows, row)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("sheet %s rows %d-%d: %w", sh.Name, offset, offset+limit, err)
		}
	}
	return rows, nil
}

// Search finds the rows below the header with a cell containing q, which is
// in lower case, ignoring case: it returns up to limit of them from the
// offset-th on, the position of each below the header (from 0, as Page's
// offset counts), and how many there are.
func (sh Sheet) Search(ctx context.Context, src Source, q string, offset, limit int) ([][]string, []int, int, error) {
	rows, positions, total := [][]string{}, []int{}, 0
	if sh.Rows == 0 {
		return rows, positions, 0, nil
	}
	lr, err := openLines(ctx, src, sh.Offsets[0], sh.Size-sh.Offsets[0])
	if err != nil {
		return nil, nil, 0, fmt.Errorf("sheet %s: %w", sh.Name, err)
	}
	defer lr.close()
	// A row's encoded line holds q, ignoring case, whenever a cell does,
	// unless q has a character JSON escapes; most lines are then passed over
	// without decoding. Lines that hold q are decoded to make sure.
	needle := []byte(q)
	prefilter := !strings.ContainsFunc(q, func(r rune) bool { return r < 0x20 || r == '"' || r == '\\' || r == '\u2028' || r == '\u2029' })
	var lower []byte
	for pos := 0; ; pos++ {
		line, err := lr.next()
		if err == io.EOF {
			return rows, positions, total, nil
		}
		if err != nil {
			return nil, nil, 0, fmt.Errorf("sheet %s: search: %w", sh.Name, err)
		}
		if prefilter {
			if lower = appendLower(lower[:0], line); !bytes.Contains(lower, needle) {
				continue
			}
		}
		row, err := decodeRow(line)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("sheet %s: search: %w", sh.Name, err)
		}
		if !matches(row, q) {
			continue
		}
		total++
		if total > offset && len(rows) < limit {
			rows, positions = append(rows, row), append(positions, pos)
		}
	}
}

// matches says whether a cell of row contains q (in lower case), ignoring
// case.
func matches(row []string, q string) bool {
	for _, v := range row {
		if strings.Contains(strings.ToLower(v), q) {
			return true
		}
	}
	return false
}

// RowReader reads a sheet's rows one by one, the header first.
type RowReader struct {
	sheet string
	lines *lineReader
}

// Reader opens the sheet's rows for reading them all, in order. The file is
// opened here, so a missing one is told before any row is read.
func (sh Sheet) Reader(ctx context.Context, src Source) (*RowReader, error) {
	lr, err := openLines(ctx, src, 0, sh.Size)
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", sh.Name, err)
	}
	return &RowReader{sheet: sh.Name, lines: lr}, nil
}

// Next returns the next row, or io.EOF after the last.
func (r *RowReader) Next() ([]string, error) {
	line, err := r.lines.next()
	if err == nil {
		var row []string
		if row, err = decodeRow(line); err == nil {
			return row, nil
		}
	}
	if err == io.EOF {
		return nil, err
	}
	return nil, fmt.Errorf("sheet %s: %w", r.sheet, err)
}

// Close releases the file.
func (r *RowReader) Close() error { return r.lines.close() }

// lineReader reads the lines of a range of a rows file.
type lineReader struct {
	ctx  context.Context
	r    io.ReadCloser
	br   *bufio.Reader
	long []byte // a line longer than the buffer, pieced together
	n    int
}

func openLines(ctx context.Context, src Source, offset, length int64) (*lineReader, error) {
	r, err := src(ctx, offset, length)
	if err != nil {
		return nil, err
	}
	return &lineReader{ctx: ctx, r: r, br: bufio.NewReaderSize(r, 64<<10)}, nil
}

// next returns the next line, its newline included, valid until the next
// call; io.EOF after the last.
func (l *lineReader) next() ([]byte, error) {
	if l.n++; l.n%1024 == 0 {
		if err := l.ctx.Err(); err != nil {
			return nil, err
		}
	}
	l.long = l.long[:0]
	for {
		line, err := l.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			l.long = append(l.long, line...)
			continue
		}
		if len(l.long) > 0 {
			l.long = append(l.long, line...)
			line = l.long
		}
		switch {
		case err == io.EOF && len(line) == 0:
			return nil, io.EOF
		case err == io.EOF:
			return nil, errors.New("rows file cut short at a line without its end")
		case err != nil:
			return nil, err
		}
		return line, nil
	}
}

func (l *lineReader) close() error { return l.r.Close() }

// appendLower appends line in lower case, as strings.ToLower has it.
func appendLower(dst, line []byte) []byte {
	for i := 0; i < len(line); {
		if c := line[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(line[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += n
	}
	return dst
}

func decodeRow(line []byte) ([]string, error) {
	var row []string
	if err := json.Unmarshal(line, &row); err != nil {
		return nil, fmt.Errorf("decode row: %w", err)
	}
	if row == nil {
		row = []string{}
	}
	return row, nil
}
