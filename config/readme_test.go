package config

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The README's configuration table and the code must give every setting
// the same default.
func TestReadmeTableMatchesDefaults(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skipf("no README: %v", err)
	}
	vars := regexp.MustCompile("`(VCENRICH_[A-Z0-9_]+)`")
	first := regexp.MustCompile("`([^`]*)`")
	documented := map[string]string{} // variable -> the table's default cell
	for line := range strings.Lines(string(raw)) {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.Contains(cells[1], "VCENRICH_") {
			continue
		}
		for _, m := range vars.FindAllStringSubmatch(cells[1], -1) {
			documented[m[1]] = strings.TrimSpace(cells[2])
		}
	}
	for key, def := range Defaults() {
		cell, ok := documented[key]
		if !ok {
			t.Errorf("%s is read by the code but not in the README's configuration table", key)
			continue
		}
		if strings.ContainsAny(cell, "<") || strings.Contains(cell, " of ") {
			continue // derived from another setting: checked by the config tests
		}
		want := ""
		if m := first.FindStringSubmatch(cell); m != nil {
			want = m[1]
		} else if !strings.HasPrefix(cell, "(empty") {
			t.Errorf("%s: README default %q is neither `value` nor (empty…)", key, cell)
			continue
		}
		if !sameDefault(def, want) {
			t.Errorf("%s: the code's default is %v, the README says %q", key, def, want)
		}
	}
}

func sameDefault(def any, doc string) bool {
	switch d := def.(type) {
	case string:
		return d == doc
	case int:
		n, err := strconv.Atoi(strings.ReplaceAll(doc, ",", ""))
		return err == nil && n == d
	case int64:
		n, err := parseBytes(doc)
		return err == nil && n == d
	case time.Duration:
		if d == 0 && doc == "" {
			return true
		}
		v, err := time.ParseDuration(doc)
		return err == nil && v == d
	case bool:
		b, err := strconv.ParseBool(doc)
		return err == nil && b == d
	}
	return false
}
