package utf8body_test

import (
	"testing"

	"github.com/vcenrich/vcenrich/internal/utf8body"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, contentType, body, want string
	}{
		{"header latin-1", "text/html; charset=ISO-8859-1", "<p>Caf\xe9 M\xfcller</p>", "<p>Café Müller</p>"},
		{"header beats meta", "text/html; charset=utf-8", "<meta charset=\"iso-8859-1\"><p>Zoë</p>", "<meta charset=\"iso-8859-1\"><p>Zoë</p>"},
		{"meta latin-1", "text/html", "<html><head><meta charset=\"iso-8859-1\"></head><body>Gr\xfc\xdfe</body></html>", "<html><head><meta charset=\"iso-8859-1\"></head><body>Grüße</body></html>"},
		{"meta without a header", "", "<meta charset=\"windows-1252\"><p>\x93q\x94</p>", "<meta charset=\"windows-1252\"><p>“q”</p>"},
		{"undeclared windows-1252", "text/html", "<p>\x93quoted\x94</p>", "<p>“quoted”</p>"},
		{"utf-8 untouched", "text/html; charset=utf-8", "<p>Zoë 東京</p>", "<p>Zoë 東京</p>"},
		{"utf-8 BOM dropped", "text/html", "\xef\xbb\xbf<p>Zoë</p>", "<p>Zoë</p>"},
		{"broken utf-8 repaired", "text/html; charset=utf-8", "<p>Zo\xff</p>", "<p>Zo\uFFFD</p>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(utf8body.Decode([]byte(tc.body), tc.contentType)); got != tc.want {
				t.Errorf("Decode(%q, %q) = %q, want %q", tc.body, tc.contentType, got, tc.want)
			}
		})
	}
}
