package chartcheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestDocsListEveryValue checks docs/helm.md names every value of
// values.yaml (each leaf, dotted, in backquotes), so the values table is
// complete.
func TestDocsListEveryValue(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var vals map[string]any
	if err := yaml.Unmarshal(b, &vals); err != nil {
		t.Fatal(err)
	}
	docs := readRoot(t, "docs/helm.md")
	keys := leaves("", vals)
	if len(keys) < 30 {
		t.Fatalf("values.yaml has %d values; want the chart's 30 or more", len(keys))
	}
	for _, k := range keys {
		if !strings.Contains(docs, "`"+k+"`") {
			t.Errorf("docs/helm.md does not describe the value `%s`", k)
		}
	}
}

// wholeValues are maps documented as one value, not key by key.
var wholeValues = []string{"config", "resources"}

// leaves returns the dotted names of the values under prefix.
func leaves(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		name := strings.TrimPrefix(prefix+"."+k, ".")
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 && !slices.Contains(wholeValues, name) {
			out = append(out, leaves(name, sub)...)
			continue
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
