package extract_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vcenrich/vcenrich/extract"
)

func TestZZTiming(t *testing.T) {
	dir := os.Getenv("FUZZDIR")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	files2, _ := filepath.Glob("testdata/*.html")
	files = append(files, files2...)
	u, _ := url.Parse("https://www.example-vc.com/team")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		s := string(b)
		if strings.HasPrefix(s, "go test fuzz v1") {
			// []byte("...") quoted
			i := strings.Index(s, "[]byte(")
			s = s[i+7 : len(strings.TrimSpace(s))-1]
			var err error
			s, err = unquote(s)
			if err != nil {
				t.Log(f, err)
				continue
			}
		}
		start := time.Now()
		extract.Parse([]byte(s), u)
		if d := time.Since(start); d > 20*time.Millisecond {
			t.Logf("%s: %v (%d bytes)", filepath.Base(f), d, len(s))
		}
	}
	start := time.Now()
	extract.Parse([]byte(strings.Repeat("<div>", 2000)+"<h3>Jane Doe</h3>"), u)
	t.Logf("deep: %v", time.Since(start))
}
