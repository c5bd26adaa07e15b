package main

import (
	"cmp"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/redis/redistest"
)

// TestLoadSmall runs the plan, drain, limit and slack scenarios at a small scale,
// so the tool behind BENCHMARKS.md keeps working. It asserts what the
// report must say, not how fast: timing belongs to the real runs.
func TestLoadSmall(t *testing.T) {
	t.Parallel()
	pgtest.URL(t)       // skips, or fails in CI, without PostgreSQL
	redistest.Prefix(t) // and without Redis
	var out strings.Builder
	err := run(t.Context(), config{
		DatabaseURL: cmp.Or(os.Getenv("SMART90_TEST_DATABASE_URL"), pgtest.DefaultURL),
		RedisURL:    cmp.Or(os.Getenv("SMART90_TEST_REDIS_URL"), redistest.DefaultURL),
		Clients:     300, Limited: 40, Rate: 50, Replicas: 3, Workers: 4, Skip: "rss",
		SlackEvents: 60, SlackConc: 4, PgbenchTime: time.Second,
	}, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	ceiling := "| pgbench single-row insert ceiling (4 clients) |"
	if _, err := exec.LookPath("pgbench"); err != nil {
		ceiling = "| pgbench single-row insert ceiling | not measured: pgbench is not installed |"
	}
	for _, want := range []string{
		ceiling,
		"Seeded 300 clients",
		"| plan: create the deliveries (day 1) | 300 |",
		"| drain through the bot to a fake adapter | 300 |",
		"| drain through a no-op deliverer (scheduler and store only) | 300 |",
		"| deliveries sent | 40 of 40 |",
		"| 1 s windows over the limit | 0 |",
		"| duplicate sends | 0 |",
		"| events acknowledged | 60 of 60 (0 failed) |",
		"| answers stored | 60 of 60 |",
		"| confirmations sent after the ack | 60 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
