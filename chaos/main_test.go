package chaos

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binaries are the worker and server commands, built once by TestMain so
// every test runs what a deployment runs. Empty when the tests are skipped.
var binaries struct {
	worker, server string
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// Without the dev server every test skips (testenv.TemporalBin decides
	// and explains), so there is nothing to build for.
	if !testing.Short() && os.Getenv("VCENRICH_TEMPORAL_BIN") != "" {
		dir, err := os.MkdirTemp("", "vcenrich-chaos-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "chaos:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		for _, cmd := range []struct {
			pkg  string
			into *string
		}{{"worker", &binaries.worker}, {"server", &binaries.server}} {
			out := filepath.Join(dir, cmd.pkg)
			build := exec.Command("go", "build", "-o", out, "github.com/vcenrich/vcenrich/"+cmd.pkg)
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "chaos: build %s: %v\n", cmd.pkg, err)
				return 1
			}
			*cmd.into = out
		}
	}
	return m.Run()
}
