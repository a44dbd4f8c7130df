package contract_test

import (
	"os/exec"
	"strings"
	"testing"
)

// contract is imported by config and through it by the domain packages, so
// it must link nothing of Temporal's (its Temporal-typed half is
// contract/visibility); nor may the engine. Only the SDK's logging
// interface, which applog adapts zap to, is allowed.
func TestDomainLinksNoTemporal(t *testing.T) {
	pkgs := []string{"contract", "config", "firm", "crawl", "extract", "enrich", "render", "sheets", "sheetindex", "store", "emails"}
	args := []string{"list", "-deps"}
	for _, p := range pkgs {
		args = append(args, "github.com/vcenrich/vcenrich/"+p)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "go.temporal.io/") && dep != "go.temporal.io/sdk/log" {
			t.Errorf("a domain package links %s", dep)
		}
	}
}
