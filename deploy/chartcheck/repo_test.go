package chartcheck

import (
	"regexp"
	"strings"
	"testing"
)

// TestCIRunsREADMETestCommand checks .ci/run runs the test command README
// gives, which runs this module's tests too, so CI runs what an admin or a
// developer is told to run.
func TestCIRunsREADMETestCommand(t *testing.T) {
	t.Parallel()
	readme := regexp.MustCompile("(?m)^(go test [^#\n]*?)\\s*(#.*)?$").FindStringSubmatch(readRoot(t, "README.md"))
	if readme == nil {
		t.Fatal("README.md gives no `go test` command line")
	}
	lines := strings.Split(readRoot(t, ".ci/run"), "\n")
	const marker = "# The test command, exactly as in README.md:"
	for i, l := range lines {
		if strings.TrimSpace(l) != marker {
			continue
		}
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != readme[1] {
			t.Fatalf(".ci/run runs %q after %q; README.md gives %q", lines[min(i+1, len(lines)-1)], marker, readme[1])
		}
		if !strings.Contains(readme[1], "go -C deploy/chartcheck test") {
			t.Errorf("README's test command %q does not run deploy/chartcheck's tests", readme[1])
		}
		return
	}
	t.Fatalf(".ci/run has no line %q", marker)
}

// TestMainModuleLacksKubernetes checks the product's module requires none of
// the modules this one brings (Helm, Kubernetes): its go.mod and go.sum
// name none of them.
func TestMainModuleLacksKubernetes(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"go.mod", "go.sum"} {
		for _, m := range regexp.MustCompile(`(?m)^\s*(?:require\s+)?(helm\.sh/\S+|k8s\.io/\S+|sigs\.k8s\.io/\S+)\s`).FindAllStringSubmatch(readRoot(t, f), -1) {
			t.Errorf("the main module's %s names %s; Kubernetes checks belong in deploy/chartcheck", f, m[1])
		}
	}
}
