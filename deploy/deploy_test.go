// Package deploy holds the files that run vcenrich under a service manager;
// its test checks the systemd units with systemd's own verifier.
package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSystemdUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	units, err := filepath.Glob(filepath.Join("systemd", "*.service"))
	if err != nil || len(units) != 2 {
		t.Fatalf("units %v, %v", units, err)
	}
	dir := t.TempDir()
	var args []string
	for _, u := range units {
		b, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, want := range []string{"Restart=always", "KillSignal=SIGTERM", "EnvironmentFile=/etc/vcenrich/vcenrich.env", "TimeoutStopSec="} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %s", u, want)
			}
		}
		// The verifier checks that ExecStart exists: point it at a binary
		// this machine has, leaving every other line as shipped.
		text = strings.NewReplacer("/usr/local/bin/vcenrich-worker", "/bin/true", "/usr/local/bin/vcenrich-server", "/bin/true").Replace(text)
		p := filepath.Join(dir, filepath.Base(u))
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	out, err := exec.Command(analyze, append([]string{"verify", "--man=false"}, args...)...).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
