package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/smart90/smart90/faults"
	"github.com/smart90/smart90/loadtest"
)

// measureFaults runs the fault suite (package faults) at scale, each
// scenario in a fresh schema and under a fresh Redis key prefix, and prints
// the table RELIABILITY.md keeps. A scenario that breaks smart90's promise
// is reported under the table, not as an error: the table is the result.
func measureFaults(ctx context.Context, c config, out io.Writer) error {
	scenarios := faults.Scenarios()
	if c.FaultsRun != "" {
		want := strings.Split(c.FaultsRun, ",")
		scenarios = slices.DeleteFunc(scenarios, func(s faults.Scenario) bool { return !slices.Contains(want, s.Name) })
		if len(scenarios) == 0 {
			return fmt.Errorf("no fault scenario named %q", c.FaultsRun)
		}
	}
	bin, cleanup, err := serveBinary(ctx, c)
	if err != nil {
		return err
	}
	defer cleanup()
	answerers := min(100, c.FaultsClients)
	fmt.Fprintf(out, "## Faults: %d clients due at once, 3 replicas, %.0f sends/s, the fault injected at 30%% sent\n\n", c.FaultsClients, c.FaultsRate)
	fmt.Fprintf(out, "Lease 6s, send timeout 2s, retry backoff 2s doubling to 8s, 5 attempts (faults.Config's defaults). "+
		"In the PostgreSQL and Redis scenarios %d clients answer their check-in in their DM, message by message, while the fault lasts; "+
		"Slack retries an answer not acknowledged within 3 s (same event id) at once, after 6 s and after 30 s, "+
		"and while the fault lasts it also retries every second acknowledged one, as after a lost acknowledgement.\n\n", answerers)
	fmt.Fprintln(out, "| fault | clients | sent once | lost | duplicated | failed (for a human) | DM answers acknowledged | of them stored once / lost or misplaced / duplicated | time to drain |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	var problems []string
	for _, sc := range scenarios {
		dbURL, drop, err := loadtest.FreshSchema(ctx, c.DatabaseURL)
		if err != nil {
			return err
		}
		prefix := "smart90faults:" + loadtest.RandomHex(6) + ":"
		res, err := faults.Run(ctx, faults.Config{Binary: bin, DatabaseURL: dbURL, RedisURL: c.RedisURL, RedisPrefix: prefix,
			Clients: c.FaultsClients, Answerers: answerers, SendRate: c.FaultsRate, Settle: 3 * time.Minute, Progress: os.Stderr}, sc)
		drop()
		deletePrefix(c.RedisURL, prefix)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.Name, err)
		}
		answers, stored := "–", "–"
		if sc.Inbound {
			a := res.Answers
			answers = fmt.Sprintf("%d of %d", a.Acked, a.Sent)
			stored = fmt.Sprintf("%d / %d / %d", a.StoredOnce, a.Lost+a.Misplaced, a.Duplicated)
		}
		drain := fmt.Sprintf("%.1f s", res.Drain.Seconds())
		if !res.Drained {
			drain = "never: " + fmt.Sprint(res.Lost) + " not sent"
		}
		fmt.Fprintf(out, "| %s | %d | %d | %d | %d | %d | %s | %s | %s |\n", sc.Fault, res.Clients, res.SentOnce, res.Lost, res.Duplicated, res.Failed, answers, stored, drain)
		for _, p := range res.Problems() {
			problems = append(problems, sc.Name+": "+p)
		}
	}
	fmt.Fprintln(out)
	if len(problems) > 0 {
		fmt.Fprintln(out, "Where the promise broke:")
		fmt.Fprintln(out)
		for _, p := range problems {
			fmt.Fprintln(out, "- "+p)
		}
		fmt.Fprintln(out)
	}
	return nil
}
