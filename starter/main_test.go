package main

import (
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/jobclient"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    invocation
		wantErr string
	}{
		{[]string{"run", "-out", "x.xlsx", "firms.xlsx"}, invocation{cmd: "run", arg: "firms.xlsx", out: "x.xlsx", server: "http://vc.test"}, ""},
		{[]string{"run", "firms.xlsx", "-out", "x.xlsx", "-window", "4"}, invocation{cmd: "run", arg: "firms.xlsx", out: "x.xlsx", window: 4, server: "http://vc.test"}, ""},
		{[]string{"status", "job-1", "-server", "http://other.test"}, invocation{cmd: "status", arg: "job-1", server: "http://other.test"}, ""},
		{[]string{"run", "a.xlsx", "b.xlsx"}, invocation{}, "takes one argument"},
		{[]string{"run"}, invocation{}, "takes one argument"},
		{nil, invocation{}, "no command"},
		{[]string{"run", "a.xlsx", "-nope"}, invocation{}, "not defined"},
		{[]string{"run", "-website-column", "Web address", "-name-column", "Fund", "-notify", "a@b.vc", "a.csv"},
			invocation{cmd: "run", arg: "a.csv", server: "http://vc.test", notify: "a@b.vc", mapping: jobclient.Mapping{Website: "Web address", Name: "Fund"}}, ""},
		{[]string{"run", "-name-column", "Fund", "a.csv"}, invocation{}, "go with -website-column"},
		{[]string{"watch", "-interval", "weekly", "-quiet", "firms.csv"}, invocation{cmd: "watch", arg: "firms.csv", server: "http://vc.test", interval: "weekly", quiet: true}, ""},
		{[]string{"watch", "job-1", "-interval", "36h", "-later"}, invocation{cmd: "watch", arg: "job-1", server: "http://vc.test", interval: "36h", later: true}, ""},
		{[]string{"watch", "firms.csv"}, invocation{}, "needs -interval"},
		{[]string{"watches"}, invocation{cmd: "watches", server: "http://vc.test"}, ""},
		{[]string{"watches", "x"}, invocation{}, "takes no argument"},
		{[]string{"watch-pause", "watch-1"}, invocation{cmd: "watch-pause", arg: "watch-1", server: "http://vc.test"}, ""},
	} {
		got, err := parseArgs(tc.args, "http://vc.test")
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseArgs(%q): err %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseArgs(%q) = %+v, %v; want %+v", tc.args, got, err, tc.want)
		}
	}
	o, _ := parseArgs([]string{"run", "-website-column", "Web", "a.csv"}, "")
	if u := upload(o); u.Mapping == nil || u.Mapping.Website != "Web" {
		t.Errorf("upload options %+v, want the chosen website column", u)
	}
	if u := upload(invocation{}); u.Mapping != nil {
		t.Errorf("no column chosen, yet a mapping: %+v", u.Mapping)
	}
	if _, err := parseArgs([]string{"run", "-h"}, ""); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp (exit 0)", err)
	}
}
