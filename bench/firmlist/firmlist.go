// Package firmlist makes the benchmark's input: N firms with real-looking
// names, each on its own simulated host, written as the spreadsheet a user
// would upload.
package firmlist

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vcenrich/vcenrich/bench/simweb"
)

// Headers are the spreadsheet's columns, as users name them.
var Headers = []string{"Firm Name", "Website"}

// Firm is one row of the input.
type Firm struct {
	Name    string
	Website string // http://<slug>-<index>.bench.test
}

// Seed is a real firm's name and domain to model a simulated one on.
type Seed struct {
	Name, Domain string
}

// LoadSeeds reads a CSV of firms with a name column ("Name" or "Firm Name")
// and a website column ("Website", "Domain" or "URL").
func LoadSeeds(path string) ([]Seed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("firm names: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("firm names %s: header: %w", path, err)
	}
	nameCol, siteCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "name", "firm name", "firm":
			nameCol = i
		case "website", "domain", "url":
			siteCol = i
		}
	}
	if nameCol < 0 || siteCol < 0 {
		return nil, fmt.Errorf("firm names %s: want a Name and a Website column, found %v", path, header)
	}
	var out []Seed
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("firm names %s: %w", path, err)
		}
		if max(nameCol, siteCol) >= len(rec) {
			continue
		}
		name, domain := strings.TrimSpace(rec[nameCol]), strings.TrimSpace(rec[siteCol])
		if name != "" && domain != "" {
			out = append(out, Seed{Name: name, Domain: domain})
		}
	}
	return out, nil
}

// Make returns n firms. Names and host names follow the seeds in turn (a
// numbered copy once they run out); without seeds they are synthetic. Every
// firm gets a host of its own, so no two firms share a site.
func Make(n int, seeds []Seed) []Firm {
	out := make([]Firm, n)
	for i := range out {
		name, slug := fmt.Sprintf("Bench Ventures %05d", i), "firm"
		if len(seeds) > 0 {
			s := seeds[i%len(seeds)]
			name, slug = s.Name, Slug(s.Domain)
			if round := i / len(seeds); round > 0 {
				name = fmt.Sprintf("%s %d", name, round+1)
			}
		}
		out[i] = Firm{Name: name, Website: fmt.Sprintf("http://%s-%05d%s", slug, i, simweb.Suffix)}
	}
	return out
}

// Slug turns a domain such as "www.Accel.com" into a host label "accel".
func Slug(domain string) string {
	d := strings.ToLower(strings.TrimSpace(domain))
	if i := strings.Index(d, "://"); i >= 0 {
		d = d[i+3:]
	}
	d, _, _ = strings.Cut(d, "/")
	d = strings.TrimPrefix(d, "www.")
	if i := strings.LastIndexByte(d, '.'); i > 0 {
		d = d[:i] // the TLD
	}
	var b strings.Builder
	dash := false
	for _, r := range d {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "firm"
	}
	return s
}

// WriteXLSX writes firms as a workbook with a header row, streaming so a
// 50,000-firm list costs little memory.
func WriteXLSX(path string, firms []Firm) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := sw.SetRow("A1", []any{Headers[0], Headers[1]}); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for i, fm := range firms {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{fm.Name, fm.Website}); err != nil {
			return fmt.Errorf("write %s row %d: %w", path, i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.SaveAs(path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
