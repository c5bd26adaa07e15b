package chartcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// secretSettings are the settings that hold secrets (or passwords, in
// URLs): they come from the admin's Secret only, never from values.
var secretSettings = []string{
	"SMART90_DATABASE_URL", "SMART90_REDIS_URL", "SMART90_ENCRYPTION_KEY", "SMART90_LLM_KEY",
	"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET",
	"MICROSOFT_APP_PASSWORD",
}

// container returns the Deployment's one container.
func container(t *testing.T, d *appsv1.Deployment) corev1.Container {
	t.Helper()
	if n := len(d.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("the Deployment has %d containers; want 1", n)
	}
	return d.Spec.Template.Spec.Containers[0]
}

// TestDefaults renders the chart with only what an admin must give (the
// image and the Secret's name) and checks the Deployment, Service,
// ServiceAccount and PodDisruptionBudget.
func TestDefaults(t *testing.T) {
	t.Parallel()
	r, err := render(t, base(), "")
	if err != nil {
		t.Fatal(err)
	}
	if n := count[networkingv1.Ingress](r); n != 0 {
		t.Errorf("rendered %d Ingresses; want none by default", n)
	}
	d := only[appsv1.Deployment](t, r)
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas %v; want 2", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	c := container(t, d)

	if want := "registry.internal/smart90:" + loadChart(t).Metadata.AppVersion; c.Image != want {
		t.Errorf("image %q; want %q (the chart's appVersion)", c.Image, want)
	}
	if !slices.Equal(c.Args, []string{"serve", "-shutdown-timeout=30s"}) {
		t.Errorf("args %q; want serve with -shutdown-timeout=30s", c.Args)
	}
	if len(c.Command) != 0 {
		t.Errorf("command %q; want the image's entrypoint", c.Command)
	}

	checkPorts(t, c)
	checkProbes(t, c)
	checkSecurity(t, d)
	checkEnv(t, c, "smart90")

	// The pod outlives serve's graceful stop: the preStop sleep, then
	// -shutdown-timeout, then serve's 5 s HTTP drain.
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil || c.Lifecycle.PreStop.Sleep.Seconds != 5 {
		t.Errorf("preStop %+v; want a 5 s sleep action", c.Lifecycle)
	}
	if g := pod.TerminationGracePeriodSeconds; g == nil || *g != 5+30+15 {
		t.Errorf("terminationGracePeriodSeconds %v; want preStop 5 s + shutdown 30 s + 15 s for the HTTP drain (5 s) and acknowledged replies", g)
	}
	if s := d.Spec.Strategy; s.RollingUpdate == nil || s.RollingUpdate.MaxUnavailable == nil || s.RollingUpdate.MaxUnavailable.IntValue() != 0 {
		t.Errorf("strategy %+v; want a rolling update that starts a new pod before stopping an old one", s)
	}
	tmp := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/tmp" })
	if tmp < 0 || !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool {
		return v.Name == c.VolumeMounts[tmp].Name && v.EmptyDir != nil
	}) {
		t.Errorf("volume mounts %+v: want an emptyDir on /tmp beside the read-only root", c.VolumeMounts)
	}

	// Requests cover the largest resident memory BENCHMARKS.md measured
	// (77 MB: the digest run with charts), and memory is limited.
	req, lim := c.Resources.Requests, c.Resources.Limits
	if req.Cpu().IsZero() || req.Memory().IsZero() || lim.Memory().IsZero() {
		t.Fatalf("resources %+v; want cpu and memory requests and a memory limit", c.Resources)
	}
	if req.Memory().Cmp(resource.MustParse("77M")) < 0 || lim.Memory().Cmp(*req.Memory()) < 0 {
		t.Errorf("memory request %s, limit %s; want a request of at least 77M (BENCHMARKS.md) and a limit above it", req.Memory(), lim.Memory())
	}

	if len(pod.TopologySpreadConstraints) == 0 {
		t.Error("no topologySpreadConstraints: replicas may all land on one node")
	}
	podLabels := labels.Set(d.Spec.Template.Labels)
	for _, tsc := range pod.TopologySpreadConstraints {
		if tsc.WhenUnsatisfiable != corev1.ScheduleAnyway || !selects(t, tsc.LabelSelector, podLabels) {
			t.Errorf("topology spread over %s: %s, selector %v; want ScheduleAnyway over these pods", tsc.TopologyKey, tsc.WhenUnsatisfiable, tsc.LabelSelector)
		}
	}
	if !selects(t, d.Spec.Selector, podLabels) {
		t.Errorf("the Deployment's selector %v does not select its pods %v", d.Spec.Selector, podLabels)
	}

	svc := only[corev1.Service](t, r)
	if svc.Spec.Type != corev1.ServiceTypeClusterIP || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 80 || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("Service %s ports %+v; want ClusterIP, port 80 to the pod's http port", svc.Spec.Type, svc.Spec.Ports)
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Errorf("Service selector %v does not select the pods %v", svc.Spec.Selector, podLabels)
	}

	sa := only[corev1.ServiceAccount](t, r)
	if pod.ServiceAccountName != sa.Name || sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
		t.Errorf("pod runs as %q, ServiceAccount %q automounts %v; want the chart's, without a token", pod.ServiceAccountName, sa.Name, sa.AutomountServiceAccountToken)
	}

	pdb := only[policyv1.PodDisruptionBudget](t, r)
	if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 || pdb.Spec.MinAvailable != nil {
		t.Errorf("PodDisruptionBudget max unavailable %v, min available %v; want maxUnavailable 1", pdb.Spec.MaxUnavailable, pdb.Spec.MinAvailable)
	}
	if !selects(t, pdb.Spec.Selector, podLabels) {
		t.Errorf("PodDisruptionBudget selector %v does not select the pods", pdb.Spec.Selector)
	}

	for _, want := range []string{"rollout status deployment/smart90", "advisory lock", "/metrics"} {
		if !strings.Contains(r.notes, want) {
			t.Errorf("NOTES.txt lacks %q:\n%s", want, r.notes)
		}
	}
}

// selects reports whether sel selects a pod with the labels set.
func selects(t *testing.T, sel *metav1.LabelSelector, set labels.Set) bool {
	t.Helper()
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Fatalf("selector %v: %v", sel, err)
	}
	return !s.Empty() && s.Matches(set)
}

// checkPorts checks the container's http port is the one serve listens on.
func checkPorts(t *testing.T, c corev1.Container) {
	t.Helper()
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Fatalf("ports %+v; want http on 8080", c.Ports)
	}
	for _, e := range c.Env {
		if e.Name == "SMART90_HTTP_ADDR" && e.Value != ":"+strconv.Itoa(int(c.Ports[0].ContainerPort)) {
			t.Errorf("SMART90_HTTP_ADDR=%q; want serve on the container's port :%d", e.Value, c.Ports[0].ContainerPort)
		}
	}
}

// checkProbes checks liveness and start-up ask /healthz and readiness asks
// /readyz, on the http port: /readyz is 503 while the database is down,
// and restarting the pod would not bring it back.
func checkProbes(t *testing.T, c corev1.Container) {
	t.Helper()
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"startupProbe", c.StartupProbe, "/healthz"},
		{"livenessProbe", c.LivenessProbe, "/healthz"},
		{"readinessProbe", c.ReadinessProbe, "/readyz"},
	} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s %+v; want an HTTP GET of %s", p.name, p.probe, p.path)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port.String() != "http" {
			t.Errorf("%s GETs %s on port %s; want %s on http", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path)
		}
	}
	// Start-up covers the wait for another replica's migrations: the
	// advisory lock is awaited for up to 300 s (store/postgres Migrate).
	if s := c.StartupProbe; s != nil && s.PeriodSeconds*s.FailureThreshold < 300 {
		t.Errorf("startupProbe allows %d s; want at least the migration lock's 300 s", s.PeriodSeconds*s.FailureThreshold)
	}
}

// checkSecurity checks the pod runs as the image's non-root user, with a
// read-only root filesystem, no capabilities, no privilege escalation,
// the runtime's seccomp profile and no service account token.
func checkSecurity(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	pod := d.Spec.Template.Spec
	c := container(t, d)
	user := regexp.MustCompile(`(?m)^USER (\d+)`).FindAllStringSubmatch(readRoot(t, "Dockerfile"), -1)
	if len(user) == 0 {
		t.Fatal("the Dockerfile sets no numeric USER")
	}
	uid, _ := strconv.ParseInt(user[len(user)-1][1], 10, 64)
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != uid {
		t.Errorf("pod securityContext %+v; want runAsNonRoot and runAsUser %d (the Dockerfile's USER)", psc, uid)
	}
	if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod seccompProfile %+v; want RuntimeDefault", psc)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("container securityContext %+v; want a read-only root, no privilege escalation, all capabilities dropped", sc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token; smart90 never calls the Kubernetes API")
	}
}

// checkEnv checks the settings come from the named Secret, which the chart
// references and never creates, and that every variable the chart sets is
// one smart90 reads (deploy/.env.example), with no secret written as a
// value.
func checkEnv(t *testing.T, c corev1.Container, secret string) {
	t.Helper()
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef == nil || c.EnvFrom[0].SecretRef.Name != secret {
		t.Errorf("envFrom %+v; want the Secret %q", c.EnvFrom, secret)
	}
	known := settings(t)
	var dbURL *corev1.EnvVar
	for i, e := range c.Env {
		if !slices.Contains(known, e.Name) {
			t.Errorf("the chart sets %s, which smart90 does not read (not in deploy/.env.example)", e.Name)
		}
		if slices.Contains(secretSettings, e.Name) && e.ValueFrom == nil {
			t.Errorf("the chart writes the secret %s as a value; want it from the Secret", e.Name)
		}
		if e.Name == "SMART90_DATABASE_URL" {
			dbURL = &c.Env[i]
		}
	}
	if dbURL == nil || dbURL.ValueFrom == nil || dbURL.ValueFrom.SecretKeyRef == nil {
		t.Fatalf("SMART90_DATABASE_URL %+v; want it from the Secret, so a Secret without it keeps the pod from starting", dbURL)
	}
	ref := dbURL.ValueFrom.SecretKeyRef
	if ref.Name != secret || ref.Key != "SMART90_DATABASE_URL" || (ref.Optional != nil && *ref.Optional) {
		t.Errorf("SMART90_DATABASE_URL from %+v; want the required key SMART90_DATABASE_URL of %q", ref, secret)
	}
}

// TestNoSecretRendered checks the chart never creates a Secret or a
// ConfigMap, whatever it is given: kinds lists no such type, so render
// fails the test on one.
func TestNoSecretRendered(t *testing.T) {
	t.Parallel()
	for kind := range kinds {
		if strings.HasSuffix(kind, "/Secret") || strings.HasSuffix(kind, "/ConfigMap") {
			t.Fatalf("kinds lists %s", kind)
		}
	}
	vals := with(map[string]any{"ingress": map[string]any{"enabled": true, "host": "coach.example.org", "tlsSecretName": "coach-tls"}})
	if _, err := render(t, vals, ""); err != nil {
		t.Fatal(err)
	}
}

// TestOneReplica: one replica gets no PodDisruptionBudget, which could only
// block a node drain.
func TestOneReplica(t *testing.T) {
	t.Parallel()
	r, err := render(t, with(map[string]any{"replicaCount": 1}), "")
	if err != nil {
		t.Fatal(err)
	}
	if d := only[appsv1.Deployment](t, r); *d.Spec.Replicas != 1 {
		t.Errorf("replicas %d; want 1", *d.Spec.Replicas)
	}
	if n := count[policyv1.PodDisruptionBudget](r); n != 0 {
		t.Errorf("rendered %d PodDisruptionBudgets for one replica; want none", n)
	}
}

// TestIngress renders the Ingress with TLS: the platforms' routes, the API
// and the pages are public; health, readiness and metrics are not.
func TestIngress(t *testing.T) {
	t.Parallel()
	vals := with(map[string]any{"ingress": map[string]any{"enabled": true, "className": "nginx", "host": "coach.example.org", "tlsSecretName": "coach-tls"}})
	r, err := render(t, vals, "")
	if err != nil {
		t.Fatal(err)
	}
	ing := only[networkingv1.Ingress](t, r)
	svc := only[corev1.Service](t, r)
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "nginx" {
		t.Errorf("ingressClassName %v; want nginx", ing.Spec.IngressClassName)
	}
	if len(ing.Spec.TLS) != 1 || ing.Spec.TLS[0].SecretName != "coach-tls" || !slices.Equal(ing.Spec.TLS[0].Hosts, []string{"coach.example.org"}) {
		t.Errorf("tls %+v; want coach.example.org with the Secret coach-tls", ing.Spec.TLS)
	}
	if len(ing.Spec.Rules) != 1 || ing.Spec.Rules[0].Host != "coach.example.org" || ing.Spec.Rules[0].HTTP == nil {
		t.Fatalf("rules %+v; want one for coach.example.org", ing.Spec.Rules)
	}
	var got []string
	for _, p := range ing.Spec.Rules[0].HTTP.Paths {
		got = append(got, fmt.Sprintf("%s %s", p.Path, *p.PathType))
		b := p.Backend.Service
		if b == nil || b.Name != svc.Name || b.Port.Name != svc.Spec.Ports[0].Name {
			t.Errorf("path %s goes to %+v; want the Service %s's port %s", p.Path, b, svc.Name, svc.Spec.Ports[0].Name)
		}
	}
	want := []string{"/slack Prefix", "/api/messages Exact", "/api/v1 Prefix", "/privacy Exact", "/terms Exact"}
	if !slices.Equal(got, want) {
		t.Errorf("Ingress paths %q; want %q", got, want)
	}
	for _, internal := range []string{"/healthz", "/readyz", "/metrics", "/"} {
		if slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, internal+" ") }) {
			t.Errorf("the Ingress makes %s public", internal)
		}
	}
	if !strings.Contains(r.notes, "https://coach.example.org/slack/events") {
		t.Errorf("NOTES.txt does not give Slack's request URL:\n%s", r.notes)
	}
}

// TestConfig: non-secret settings from values become environment
// variables, quoted as strings; every name the schema allows is a setting
// smart90 reads, and none is a secret.
func TestConfig(t *testing.T) {
	t.Parallel()
	vals := with(map[string]any{"config": map[string]any{
		"SMART90_PUBLIC_URL": "https://coach.example.org", "SMART90_SEND_RATE": "20", "SMART90_CALENDAR_MAX_BYTES": "4194304",
	}})
	r, err := render(t, vals, "")
	if err != nil {
		t.Fatal(err)
	}
	c := container(t, only[appsv1.Deployment](t, r))
	checkEnv(t, c, "smart90")
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	for k, v := range map[string]string{"SMART90_PUBLIC_URL": "https://coach.example.org", "SMART90_SEND_RATE": "20",
		"SMART90_CALENDAR_MAX_BYTES": "4194304", "SMART90_LOG_LEVEL": "info", "SMART90_HTTP_ADDR": ":8080"} {
		if env[k] != v {
			t.Errorf("%s=%q; want %q", k, env[k], v)
		}
	}

	var schema struct {
		Properties struct {
			Config struct {
				Properties map[string]struct {
					Type string `json:"type"`
				} `json:"properties"`
				AdditionalProperties bool `json:"additionalProperties"`
			} `json:"config"`
		} `json:"properties"`
	}
	b, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	cfg := schema.Properties.Config
	if cfg.AdditionalProperties {
		t.Error("values.schema.json allows any config name; want only smart90's settings")
	}
	var allowed []string
	for name, p := range cfg.Properties {
		allowed = append(allowed, name)
		if p.Type != "string" {
			t.Errorf("config.%s is a %q in the schema; want string (environment variables are strings)", name, p.Type)
		}
	}
	if len(allowed) < 20 {
		t.Fatalf("the schema allows %d config names; want the non-secret settings of deploy/.env.example", len(allowed))
	}
	known := settings(t)
	for _, name := range allowed {
		if !slices.Contains(known, name) {
			t.Errorf("values.schema.json allows config.%s, which smart90 does not read", name)
		}
		if slices.Contains(secretSettings, name) || name == "SMART90_HTTP_ADDR" {
			t.Errorf("values.schema.json allows config.%s; it belongs in the Secret or to the chart", name)
		}
	}
	// And the other way: a setting added to serve (and so to
	// deploy/.env.example) can be given in config, unless it is secret or
	// the chart's own.
	for _, name := range known {
		chartOwn := name == "SMART90_HTTP_ADDR" || name == "SMART90_SQLITE_PATH" || !strings.HasPrefix(name, "SMART90_") &&
			!strings.HasPrefix(name, "SLACK_") && !strings.HasPrefix(name, "MICROSOFT_")
		if !chartOwn && !slices.Contains(secretSettings, name) && !slices.Contains(allowed, name) {
			t.Errorf("deploy/.env.example names %s, but values.schema.json does not allow it in config", name)
		}
	}
	for _, name := range secretSettings {
		if !slices.Contains(known, name) {
			t.Errorf("secretSettings lists %s, which deploy/.env.example does not name", name)
		}
	}
}

// TestDigestAndKubeVersion: a digest pins the image; Kubernetes 1.30, the
// first with the preStop sleep on by default, renders and 1.29 is refused.
func TestDigestAndKubeVersion(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("ab", 32)
	r, err := render(t, with(map[string]any{"image": map[string]any{"digest": digest}}), "v1.30.0")
	if err != nil {
		t.Fatal(err)
	}
	if c := container(t, only[appsv1.Deployment](t, r)); c.Image != "registry.internal/smart90@"+digest {
		t.Errorf("image %q; want the digest", c.Image)
	}
	if _, err := render(t, base(), "v1.29.9"); err == nil || !strings.Contains(err.Error(), "kubeVersion") {
		t.Errorf("render on Kubernetes 1.29: %v; want it refused by the chart's kubeVersion", err)
	}
}

// TestBadValues: values an admin can get wrong fail rendering with a
// message that names what to fix.
func TestBadValues(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		vals map[string]any
		want []string
	}{
		{"no Secret", map[string]any{"image": map[string]any{"repository": "registry.internal/smart90"}}, []string{"existingSecret is required", "SMART90_DATABASE_URL"}},
		{"no image", map[string]any{"existingSecret": "smart90"}, []string{"image.repository is required", "Dockerfile"}},
		{"replicas as text", with(map[string]any{"replicaCount": "two"}), []string{"/replicaCount", "string", "integer"}},
		{"no replicas", with(map[string]any{"replicaCount": 0}), []string{"/replicaCount", "minimum"}},
		{"misspelt value", with(map[string]any{"replicas": 3}), []string{"replicas", "additional properties"}},
		{"secret in config", with(map[string]any{"config": map[string]any{"SLACK_BOT_TOKEN": "xoxb-1"}}), []string{"/config", "SLACK_BOT_TOKEN"}},
		{"misspelt setting", with(map[string]any{"config": map[string]any{"SMART90_LOGLEVEL": "debug"}}), []string{"/config", "SMART90_LOGLEVEL"}},
		{"number setting", with(map[string]any{"config": map[string]any{"SMART90_SEND_RATE": 20}}), []string{"/config/SMART90_SEND_RATE", "string"}},
		{"ingress without host", with(map[string]any{"ingress": map[string]any{"enabled": true}}), []string{"ingress.host is required"}},
		{"host with scheme", with(map[string]any{"ingress": map[string]any{"enabled": true, "host": "https://coach.example.org"}}), []string{"/ingress/host"}},
		{"bad digest", with(map[string]any{"image": map[string]any{"digest": "latest"}}), []string{"/image/digest"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := render(t, c.vals, "")
			if err == nil {
				t.Fatalf("rendered; want an error naming %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			t.Log(err)
		})
	}
}

// TestLint runs helm lint's rules through the SDK (Chart.yaml, values and
// schema, templates, dependencies): no warning, no error.
func TestLint(t *testing.T) {
	t.Parallel()
	kube, err := common.ParseKubeVersion("v1.30.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, vals := range []map[string]any{base(), with(map[string]any{"ingress": map[string]any{"enabled": true, "host": "coach.example.org"}})} {
		l := lint.RunAll(chartDir, vals, namespace, lint.WithKubeVersion(kube))
		for _, m := range l.Messages {
			if m.Severity >= support.WarningSev {
				t.Error(m)
			} else {
				t.Log(m)
			}
		}
	}
}
