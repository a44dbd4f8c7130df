package sheets_test

import (
	"testing"

	"github.com/vcenrich/vcenrich/sheets"
)

func TestNormalizeWebsite(t *testing.T) {
	valid := []struct{ in, want string }{
		{"accel.com", "https://accel.com/"},
		{"  www.Accel.com/team ", "https://www.accel.com/team"},
		{"http://Accel.com", "http://accel.com/"},
		{"HTTPS://ACCEL.COM:443/a?b=1#people", "https://accel.com/a?b=1"},
		{"http://accel.com:80/", "http://accel.com/"},
		{"https://accel.com:80/", "https://accel.com:80/"},
		{"accel.com:8080/x", "https://accel.com:8080/x"},
		{"//accel.com", "https://accel.com/"},
		{"accel.com.", "https://accel.com/"},
		{"medium.com/@accel", "https://medium.com/@accel"},
		{"https://93.184.216.34", "https://93.184.216.34/"},
		{"http://[2001:db8::1]:8080/a", "http://[2001:db8::1]:8080/a"},
		{"[2001:db8::1]", "https://[2001:db8::1]/"},
		{"bücher.de", "https://xn--bcher-kva.de/"},
		{"a16z.com/portfolio/", "https://a16z.com/portfolio/"},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			got, err := sheets.NormalizeWebsite(tc.in)
			if err != nil {
				t.Fatalf("NormalizeWebsite(%q) error: %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("NormalizeWebsite(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}

	invalid := []string{
		"",
		"   ",
		"ftp://accel.com",
		"mailto:partners@accel.com",
		"javascript:alert(1)",
		"partners@accel.com",
		"https://user:secret@accel.com/",
		"accel com",
		"https://accel.com/our team",
		"localhost",
		"http://localhost:8080",
		"accel",
		"https://",
		"http:/accel.com",
		"10.0.0",
		"my_site.com",
		"-accel.com",
		"https://accel.com:99999/",
		"N/A",
	}
	for _, in := range invalid {
		t.Run("reject "+in, func(t *testing.T) {
			got, err := sheets.NormalizeWebsite(in)
			if err == nil {
				t.Fatalf("NormalizeWebsite(%q) = %q, want an error", in, got)
			}
			if err.Error() == "" {
				t.Errorf("NormalizeWebsite(%q): empty error message", in)
			}
		})
	}
}
