package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// root is the repository's root, seen from this package's directory.
const root = "../.."

// readRoot reads a file of the repository.
func readRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLicense checks LICENSE is the Apache License 2.0 with smart90's
// copyright line.
func TestLicense(t *testing.T) {
	t.Parallel()
	lines := strings.Split(strings.TrimSpace(readRoot(t, "LICENSE")), "\n")
	if len(lines) < 200 || strings.TrimSpace(lines[0]) != "Apache License" || strings.TrimSpace(lines[1]) != "Version 2.0, January 2004" {
		t.Fatalf("LICENSE starts %q and has %d lines; want the Apache License, Version 2.0, January 2004 (about 200 lines)", lines[:min(2, len(lines))], len(lines))
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{"END OF TERMS AND CONDITIONS", "Copyright 2026 the smart90 authors", "http://www.apache.org/licenses/LICENSE-2.0"} {
		if !strings.Contains(text, want) {
			t.Errorf("LICENSE lacks %q", want)
		}
	}
}

// instruction is one Dockerfile instruction: its keyword in upper case and
// the rest of its (joined) lines.
type instruction struct{ cmd, args string }

// parseDockerfile reads a Dockerfile's instructions, joining continued
// lines and dropping comments, grouped by build stage (one per FROM).
func parseDockerfile(text string) [][]instruction {
	var stages [][]instruction
	var cur string
	flush := func() {
		cur = strings.TrimSpace(cur)
		if cur == "" {
			return
		}
		cmd, args, _ := strings.Cut(cur, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" || len(stages) == 0 {
			stages = append(stages, nil)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
		cur = ""
	}
	for _, line := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(strings.TrimRight(line, " \t"), "\\"); ok {
			cur += s + " "
			continue
		}
		cur += line
		flush()
	}
	flush()
	return stages
}

// find returns the args of every instruction cmd in stage.
func find(stage []instruction, cmd string) []string {
	var out []string
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// TestDockerfile checks the image is built as CI builds, from pinned
// images, with go.mod's Go, and runs serve as a non-root user with
// `smart90 healthcheck` as its health check and a writable /data for the
// SQLite default.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	stages := parseDockerfile(readRoot(t, "Dockerfile"))
	if len(stages) != 2 {
		t.Fatalf("Dockerfile has %d stages; want 2 (build, final)", len(stages))
	}
	pinned := regexp.MustCompile(`^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$`)
	for i, st := range stages {
		from := strings.Fields(st[0].args)
		img := from[0]
		if !pinned.MatchString(img) || (!strings.Contains(img, ":") && !strings.Contains(img, "@")) || strings.HasSuffix(img, ":latest") {
			t.Errorf("stage %d FROM %s: want an image with a pinned tag or digest, not latest", i, img)
		}
	}

	gomod := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(readRoot(t, "go.mod"))
	if gomod == nil {
		t.Fatal("go.mod has no go line")
	}
	build, final := stages[0], stages[1]
	if want := "golang:" + gomod[1] + " AS build"; build[0].args != want {
		t.Errorf("build stage is FROM %s; want FROM %s (go.mod's go line)", build[0].args, want)
	}
	if runs := find(build, "RUN"); !slices.Contains(runs, "./.ci/build /out/smart90") {
		t.Errorf("build stage runs %q; want ./.ci/build /out/smart90, the build CI runs", runs)
	}
	const buildCmd = `CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$out" ./cmd/smart90`
	if !slices.Contains(strings.Split(readRoot(t, ".ci/build"), "\n"), buildCmd) {
		t.Errorf(".ci/build does not run %s", buildCmd)
	}
	if !regexp.MustCompile(`(?m)^\.ci/build\b`).MatchString(readRoot(t, ".ci/run")) {
		t.Error(".ci/run does not build with .ci/build, so CI does not build as the image does")
	}

	if img := strings.Fields(final[0].args)[0]; img != "gcr.io/distroless/static-debian12:nonroot" && img != "scratch" {
		t.Errorf("final stage is FROM %s; want distroless static nonroot", img)
	}
	users := find(final, "USER")
	if len(users) == 0 {
		t.Fatal("final stage sets no USER: it would run as root")
	}
	if u, _, _ := strings.Cut(users[len(users)-1], ":"); u == "root" || u == "0" || u == "" {
		t.Errorf("final stage runs as USER %s; want a non-root user", users[len(users)-1])
	}
	for _, c := range []struct{ cmd, want string }{
		{"ENTRYPOINT", `["/smart90"]`},
		{"CMD", `["serve"]`},
		{"EXPOSE", "8080"},
		{"VOLUME", "/data"},
	} {
		if got := find(final, c.cmd); len(got) != 1 || got[0] != c.want {
			t.Errorf("final stage %s %q; want %s %s", c.cmd, got, c.cmd, c.want)
		}
	}
	hc := find(final, "HEALTHCHECK")
	if len(hc) != 1 || !strings.HasSuffix(hc[0], `CMD ["/smart90", "healthcheck"]`) {
		t.Errorf("HEALTHCHECK %q; want one running /smart90 healthcheck", hc)
	}
	if envs := strings.Join(find(final, "ENV"), " "); !strings.Contains(envs, "SMART90_SQLITE_PATH=/data/smart90.db") {
		t.Errorf("final stage ENV %q does not put the SQLite file in the /data volume", envs)
	}
	if copies := find(final, "COPY"); !slices.ContainsFunc(copies, func(c string) bool {
		return strings.Contains(c, "--chown="+strings.Split(users[len(users)-1], ":")[0]) && strings.HasSuffix(c, " /data")
	}) {
		t.Errorf("final stage COPY %q: /data is not owned by the image's user, which could not write the database", copies)
	}

	ignored := strings.Fields(readRoot(t, ".dockerignore"))
	for _, must := range []string{".git", ".env", "deploy/.env"} {
		if !slices.Contains(ignored, must) {
			t.Errorf(".dockerignore lacks %s", must)
		}
	}
	for _, needed := range []string{".ci", ".ci/build", "cmd", "go.mod", "go.sum", "*"} {
		if slices.Contains(ignored, needed) {
			t.Errorf(".dockerignore leaves out %s, which the build needs", needed)
		}
	}
}

// TestDockerfileLint runs a Dockerfile linter when one is installed
// (hadolint, or dockerfilelint from npm); the machines CI runs on have
// neither, so there it is skipped.
func TestDockerfileLint(t *testing.T) {
	t.Parallel()
	for _, lint := range [][]string{{"hadolint"}, {"dockerfilelint"}} {
		path, err := exec.LookPath(lint[0])
		if err != nil {
			continue
		}
		out, err := exec.Command(path, append(lint[1:], filepath.Join(root, "Dockerfile"))...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s Dockerfile: %v\n%s", lint[0], err, out)
		}
		return
	}
	t.Skip("no Dockerfile linter installed (hadolint, dockerfilelint)")
}

// composeService is the part of a compose service the test reads.
type composeService struct {
	Image       string         `yaml:"image"`
	Build       map[string]any `yaml:"build"`
	Command     []string       `yaml:"command"`
	EnvFile     string         `yaml:"env_file"`
	Environment map[string]string
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Volumes []string `yaml:"volumes"`
	Ports   []string `yaml:"ports"`
}

// TestCompose checks deploy/compose.yaml: PostgreSQL 16 and Redis 7 with
// health checks, two smart90 replicas built from the Dockerfile that start
// once both are healthy and are checked with `smart90 healthcheck`, named
// volumes, secrets only from .env, and every ${VAR} it uses in
// deploy/.env.example with no value.
func TestCompose(t *testing.T) {
	t.Parallel()
	text := readRoot(t, "deploy/compose.yaml")
	var c struct {
		Services map[string]composeService `yaml:"services"`
		Volumes  map[string]any            `yaml:"volumes"`
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	var names []string
	for n := range c.Services {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"postgres", "redis", "smart90-1", "smart90-2"}; !slices.Equal(names, want) {
		t.Fatalf("services %q; want %q", names, want)
	}
	pg, rd := c.Services["postgres"], c.Services["redis"]
	if pg.Image != "postgres:16" || !slices.Equal(pg.Healthcheck.Test, []string{"CMD", "pg_isready", "-U", "smart90", "-d", "smart90"}) {
		t.Errorf("postgres: image %q, healthcheck %q; want postgres:16 checked with pg_isready", pg.Image, pg.Healthcheck.Test)
	}
	if rd.Image != "redis:7" || !slices.Equal(rd.Healthcheck.Test, []string{"CMD", "redis-cli", "ping"}) {
		t.Errorf("redis: image %q, healthcheck %q; want redis:7 checked with redis-cli ping", rd.Image, rd.Healthcheck.Test)
	}
	used := map[string]bool{}
	for _, n := range []string{"postgres", "redis", "smart90-1", "smart90-2"} {
		for _, v := range c.Services[n].Volumes {
			src, _, _ := strings.Cut(v, ":")
			if _, ok := c.Volumes[src]; !ok {
				t.Errorf("%s mounts %s, which is not a named volume", n, v)
			}
			used[src] = true
		}
	}
	if !used["postgres-data"] || !used["redis-data"] {
		t.Errorf("volumes used %v; want postgres-data and redis-data", used)
	}
	for _, n := range []string{"smart90-1", "smart90-2"} {
		s := c.Services[n]
		if s.Build["context"] != ".." || s.Build["dockerfile"] != "Dockerfile" || !slices.Equal(s.Command, []string{"serve"}) {
			t.Errorf("%s: build %v, command %q; want the repository's Dockerfile running serve", n, s.Build, s.Command)
		}
		for _, dep := range []string{"postgres", "redis"} {
			if s.DependsOn[dep].Condition != "service_healthy" {
				t.Errorf("%s depends on %s with %q; want service_healthy", n, dep, s.DependsOn[dep].Condition)
			}
		}
		if !slices.Equal(s.Healthcheck.Test, []string{"CMD", "/smart90", "healthcheck"}) {
			t.Errorf("%s healthcheck %q; want /smart90 healthcheck", n, s.Healthcheck.Test)
		}
		if s.EnvFile != ".env" {
			t.Errorf("%s env_file %q; want .env", n, s.EnvFile)
		}
		if !strings.HasPrefix(s.Environment["SMART90_DATABASE_URL"], "postgres://") || !strings.HasPrefix(s.Environment["SMART90_REDIS_URL"], "redis://redis:") {
			t.Errorf("%s environment %v: want the compose's PostgreSQL and Redis", n, s.Environment)
		}
	}

	// Every ${VAR} compose interpolates has a line in .env.example, with
	// no value: nothing secret is committed.
	example := readRoot(t, "deploy/.env.example")
	listed := map[string]string{}
	for _, line := range strings.Split(example, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf(".env.example line %q is not NAME=value", line)
			continue
		}
		if v != "" {
			t.Errorf(".env.example sets %s=%s; commit names only, values belong in deploy/.env", k, v)
		}
		listed[k] = v
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z0-9_]+)`).FindAllStringSubmatch(text, -1) {
		if _, ok := listed[m[1]]; !ok {
			t.Errorf("compose.yaml uses ${%s}, which has no line in deploy/.env.example", m[1])
		}
	}
	// Secrets in compose.yaml are ${VAR} references only: Slack tokens,
	// settings named like secrets, and passwords in URLs.
	if m := regexp.MustCompile(`xox[abpr]-|xapp-`).FindString(text); m != "" {
		t.Errorf("compose.yaml holds a Slack token (%q…)", m)
	}
	for _, m := range regexp.MustCompile(`(?im)^\s*([A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|KEY)[A-Z0-9_]*)\s*[:=]\s*(.*)$`).FindAllStringSubmatch(text, -1) {
		if !strings.HasPrefix(m[2], "${") {
			t.Errorf("compose.yaml sets %s to a value; want a ${VAR} from .env", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`://[^:/@\s]+:([^@\s]+)@`).FindAllStringSubmatch(text, -1) {
		if !strings.HasPrefix(m[1], "${") {
			t.Errorf("compose.yaml has a URL with a password written in; want a ${VAR} from .env")
		}
	}
	ignored := strings.Fields(readRoot(t, ".gitignore"))
	if !slices.Contains(ignored, "deploy/.env") && !slices.Contains(ignored, ".env") {
		t.Error(".gitignore does not keep deploy/.env out of git")
	}
}

// TestEnvExampleNamesEverySetting checks deploy/.env.example mentions every
// SMART90_, SLACK_ and MICROSOFT_ environment variable the binary reads, so
// an admin sees them all.
func TestEnvExampleNamesEverySetting(t *testing.T) {
	t.Parallel()
	example := readRoot(t, "deploy/.env.example")
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// Settings are read by name, in calls to getenv and in tables of names.
	read := regexp.MustCompile(`"((?:SMART90|SLACK|MICROSOFT)_[A-Z0-9_]+)"`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !regexp.MustCompile(`(?m)^#? ?` + m[1] + `=`).MatchString(example) {
				t.Errorf("%s reads %s, which deploy/.env.example does not name", f, m[1])
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found %d environment reads; the pattern no longer matches how the code reads them", seen)
	}
}
