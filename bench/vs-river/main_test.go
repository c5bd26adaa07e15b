package main

import (
	"cmp"
	"os"
	"strings"
	"testing"

	"github.com/smart90/smart90/store/postgres/pgtest"
)

// TestVsRiverSmall runs both sides at a small scale, so that the command
// behind BENCHMARKS.md keeps working. It asserts what the report says,
// not how fast: timing belongs to the real runs.
func TestVsRiverSmall(t *testing.T) {
	pgtest.URL(t) // skips, or fails in CI, without PostgreSQL
	var out strings.Builder
	err := run(t.Context(), config{
		DatabaseURL: cmp.Or(os.Getenv("SMART90_TEST_DATABASE_URL"), pgtest.DefaultURL),
		Items:       200, Pool: 4, Workers: 4, Batch: 50, RiverWorkers: 100, River: true, Trace: true,
	}, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"| make N items due (River: InsertManyFast; smart90: plan deliveries, day 1) |",
		"| claim and complete, no-op work |",
		"| through the bot (load context, render, send to a fake adapter) |",
		"### smart90 drain (bot): 200 in",
		"| `(batch)` | 4 |", // one read of the context per claimed batch of 50
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Inf") || strings.Contains(out.String(), "NaN") {
		t.Errorf("report has a rate that was not measured:\n%s", out.String())
	}
}
