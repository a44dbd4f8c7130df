package freemail_test

import (
	"testing"

	"github.com/vcenrich/vcenrich/freemail"
)

func TestIsFree(t *testing.T) {
	cases := []struct {
		domain string
		free   bool
	}{
		{"gmail.com", true},
		{"Outlook.com", true},
		{"yahoo.co.uk", true},
		{"mail.yahoo.co.uk", true},
		{"proton.me", true},
		{"web.de", true},
		{"qq.com", true},
		{"accel.com", false},
		{"sequoiacap.com", false},
		{"co.uk", false},
		{"", false},
	}
	for _, c := range cases {
		if got := freemail.IsFree(c.domain); got != c.free {
			t.Errorf("IsFree(%q) = %v, want %v", c.domain, got, c.free)
		}
	}
}
