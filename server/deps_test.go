package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The API server starts, signals and queries jobs by name and contract
// types: it must not link the engine (fetcher, extraction, LLM).
func TestServerLinksNoEngine(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, engine := range []string{"/crawl", "/extract", "/enrich", "/llm", "/activities", "/emails"} {
			if strings.HasSuffix(dep, "vcenrich/vcenrich"+engine) {
				t.Errorf("the server links %s", dep)
			}
		}
	}
}
