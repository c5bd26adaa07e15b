package chartcheck

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// root is the repository's root, seen from this package's directory.
const root = "../.."

// chartDir is the chart under test.
var chartDir = filepath.Join(root, "deploy", "helm", "smart90")

// The release every test renders, as `helm install smart90 deploy/helm/smart90 -n coaching` would.
const (
	releaseName = "smart90"
	namespace   = "coaching"
)

// kinds are the objects the chart may render, by apiVersion and kind, each
// with the Kubernetes API type it is decoded into. Anything else is an error.
var kinds = map[string]func() any{
	"v1/ServiceAccount":             func() any { return &corev1.ServiceAccount{} },
	"v1/Service":                    func() any { return &corev1.Service{} },
	"apps/v1/Deployment":            func() any { return &appsv1.Deployment{} },
	"policy/v1/PodDisruptionBudget": func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/Ingress":  func() any { return &networkingv1.Ingress{} },
}

// rendered is one render of the chart: its objects, decoded, and its notes.
type rendered struct {
	objects []any
	notes   string
}

// only returns the one object of type T, failing the test unless there is
// exactly one.
func only[T any](t *testing.T, r *rendered) *T {
	t.Helper()
	var found []*T
	for _, o := range r.objects {
		if v, ok := o.(*T); ok {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		t.Fatalf("rendered %d objects of type %T; want 1", len(found), new(T))
	}
	return found[0]
}

// count returns how many objects of type T were rendered.
func count[T any](r *rendered) int {
	n := 0
	for _, o := range r.objects {
		if _, ok := o.(*T); ok {
			n++
		}
	}
	return n
}

// loadChart loads the chart from its directory, as helm does.
func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	return ch
}

// render renders the chart with vals over its values.yaml as `helm template`
// does (client-only dry run: the schema is checked, no cluster is asked),
// on the Kubernetes version kube ("" for 1.30, the oldest the chart
// supports; the SDK's own default is 1.20), and decodes every
// object strictly. A render error is returned; a decode error fails the test.
func render(t *testing.T, vals map[string]any, kube string) (*rendered, error) {
	t.Helper()
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = releaseName
	install.Namespace = namespace
	install.Replace = true
	v, err := common.ParseKubeVersion(cmp.Or(kube, "v1.30.0"))
	if err != nil {
		t.Fatal(err)
	}
	install.KubeVersion = v
	rel, err := install.Run(loadChart(t), vals)
	if err != nil {
		return nil, err
	}
	r, ok := rel.(*release.Release)
	if !ok {
		t.Fatalf("install returned a %T; want a v1 release", rel)
	}
	if len(r.Hooks) != 0 {
		t.Errorf("the chart renders %d hooks; migrations run on start, so it should have none", len(r.Hooks))
	}
	out := &rendered{notes: r.Info.Notes}
	for name, doc := range releaseutil.SplitManifests(r.Manifest) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		obj, err := decodeStrict([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, doc)
		}
		out.objects = append(out.objects, obj)
	}
	return out, nil
}

// stripComments drops the comment lines of a YAML document.
func stripComments(doc string) string {
	var b strings.Builder
	for line := range strings.Lines(doc) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// decodeStrict decodes one YAML document into the Kubernetes API type its
// apiVersion and kind name, as the API server's strict field validation
// does: an unknown field, a field spelled in another case or a duplicate
// field is an error.
func decodeStrict(doc []byte) (any, error) {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(j, &head); err != nil {
		return nil, err
	}
	newObj, ok := kinds[head.APIVersion+"/"+head.Kind]
	if !ok {
		return nil, fmt.Errorf("unexpected object %s %s", head.APIVersion, head.Kind)
	}
	obj := newObj()
	strict, err := sigsjson.UnmarshalStrict(j, obj)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", head.Kind, err)
	}
	if len(strict) > 0 {
		return nil, fmt.Errorf("decode %s strictly: %v", head.Kind, strict)
	}
	return obj, nil
}

// base are the values an admin must give: the image and the Secret.
func base() map[string]any {
	return map[string]any{
		"image":          map[string]any{"repository": "registry.internal/smart90"},
		"existingSecret": "smart90",
	}
}

// with returns base() with more values merged in, one level deep.
func with(more map[string]any) map[string]any {
	v := base()
	for k, x := range more {
		if m, ok := x.(map[string]any); ok {
			if old, ok := v[k].(map[string]any); ok {
				for kk, xx := range m {
					old[kk] = xx
				}
				continue
			}
		}
		v[k] = x
	}
	return v
}

// readRoot reads a file of the repository.
func readRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// settings returns every setting deploy/.env.example names, the list of
// environment variables smart90 reads (cmd/smart90's
// TestEnvExampleNamesEverySetting keeps it complete).
func settings(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^#? ?([A-Z][A-Z0-9_]*)=`).FindAllStringSubmatch(readRoot(t, "deploy/.env.example"), -1) {
		names = append(names, m[1])
	}
	if len(names) < 30 {
		t.Fatalf("deploy/.env.example names %d settings; the pattern no longer matches it", len(names))
	}
	slices.Sort(names)
	return slices.Compact(names)
}
