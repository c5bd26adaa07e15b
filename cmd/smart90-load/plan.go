package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/loadtest"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/postgres"
)

func measurePlanDrain(ctx context.Context, c config, db *postgres.DB, log *slog.Logger, due time.Time, out io.Writer) error {
	fmt.Fprintf(out, "## Plan and drain: %d clients due in the same minute (PostgreSQL)\n\n", c.Clients)
	fmt.Fprintln(out, "| step | deliveries | time | rate |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: |")
	clock := loadtest.NewClock(due.Add(30 * time.Second))
	core, err := bot.New(bot.Config{Store: db, Messenger: &loadtest.Discard{}, State: loadtest.NopState{}, Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	for i, step := range []struct {
		name string
		del  scheduler.Deliverer
	}{
		{"through the bot to a fake adapter", core},
		{"through a no-op deliverer (scheduler and store only)", loadtest.Noop{}},
	} {
		sched, err := scheduler.New(scheduler.Config{Store: db, Deliverer: step.del, Clock: clock, Logger: log, Workers: c.Workers, Batch: 500})
		if err != nil {
			return err
		}
		st, err := loadtest.PlanDrain(ctx, sched, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "| plan: create the deliveries (day %d) | %d | %.2fs | %.0f/s |\n", i+1, st.Planned, st.Plan.Seconds(), st.PlanRate())
		fmt.Fprintf(out, "| drain %s | %d | %.2fs | %.0f/s |\n", step.name, st.Sent, st.Drain.Seconds(), st.DrainRate())
		clock.Set(clock.Now().Add(24 * time.Hour))
	}
	fmt.Fprintln(out)
	return nil
}
