package faults

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/redis/redistest"
)

// ciClients is the CI scale: a few hundred clients, so the package stays
// within a few minutes on two cores.
const ciClients = 300

// TestFaults runs every scenario (a subtest each: -run 'TestFaults/kill-9')
// against three replicas of the real binary and fails, with the numbers,
// where smart90's promise broke: a prompt not received exactly once, an
// acknowledged answer not stored exactly once, something left failed for
// a human to fix.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault suite runs for minutes")
	}
	// Skips, or fails in CI, without PostgreSQL or Redis, before building.
	pgtest.URL(t)
	redistest.Prefix(t)
	bin := filepath.Join(t.TempDir(), "smart90")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/smart90/smart90/cmd/smart90")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build smart90: %v\n%s", err, out)
	}
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			redisURL, prefix := redistest.Prefix(t)
			logs := t.TempDir()
			res, err := Run(t.Context(), Config{Binary: bin, DatabaseURL: pgtest.URL(t),
				RedisURL: redisURL, RedisPrefix: prefix, Clients: ciClients, LogDir: logs, Progress: t.Output()}, sc)
			if err != nil {
				t.Fatalf("run: %v%s", err, replicaLogs(logs))
			}
			t.Logf("%s: %d clients, %d sent once, %d lost, %d duplicated, %d failed; answers %+v; drain %v",
				sc.Name, res.Clients, res.SentOnce, res.Lost, res.Duplicated, res.Failed, res.Answers, res.Drain)
			if p := res.Problems(); len(p) > 0 {
				t.Errorf("%s:\n  %s%s", sc.Fault, strings.Join(p, "\n  "), replicaLogs(logs))
			}
		})
	}
}

// replicaLogs is the end of each replica's log, to show with a failure.
func replicaLogs(dir string) string {
	var sb strings.Builder
	files, _ := filepath.Glob(filepath.Join(dir, "replica-*.log"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		sb.WriteString("\n--- " + filepath.Base(f) + " (last lines) ---\n" + cmp.Or(tail(string(b), 15), "(empty)"))
	}
	return sb.String()
}
