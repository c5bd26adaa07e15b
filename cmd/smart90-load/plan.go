package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/postgres"
)

// discard is the fake adapter: it accepts every message.
type discard struct{ n atomic.Int64 }

func (d *discard) Send(context.Context, bot.Destination, bot.Message) (string, error) {
	return "m" + strconv.FormatInt(d.n.Add(1), 10), nil
}

// noop is a Deliverer that sends nothing: the scheduler and store alone.
type noop struct{}

func (noop) Deliver(context.Context, *bot.Delivery) (string, bool, error) { return "ref", true, nil }

type nopState struct{}

func (nopState) Get(context.Context, string) (string, error)              { return "", nil }
func (nopState) Set(context.Context, string, string, time.Duration) error { return nil }
func (nopState) Delete(context.Context, string) error                     { return nil }

func measurePlanDrain(ctx context.Context, c config, db *postgres.DB, log *slog.Logger, due time.Time, out io.Writer) error {
	fmt.Fprintf(out, "## Plan and drain: %d clients due in the same minute (PostgreSQL)\n\n", c.Clients)
	fmt.Fprintln(out, "| step | deliveries | time | rate |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: |")
	clock := newClock(due.Add(30 * time.Second))
	adapter := &discard{}
	core, err := bot.New(bot.Config{Store: db, Messenger: adapter, State: nopState{}, Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	for i, step := range []struct {
		name string
		del  scheduler.Deliverer
	}{
		{"through the bot to a fake adapter", core},
		{"through a no-op deliverer (scheduler and store only)", noop{}},
	} {
		sched, err := scheduler.New(scheduler.Config{Store: db, Deliverer: step.del, Clock: clock, Logger: log, Workers: c.Workers, Batch: 500})
		if err != nil {
			return err
		}
		start := time.Now()
		n, err := sched.Plan(ctx)
		if err != nil {
			return err
		}
		planned := time.Since(start)
		fmt.Fprintf(out, "| plan: create the deliveries (day %d) | %d | %.2fs | %.0f/s |\n", i+1, n, planned.Seconds(), float64(n)/planned.Seconds())
		start = time.Now()
		sent, err := sched.Drain(ctx)
		if err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Fprintf(out, "| drain %s | %d | %.2fs | %.0f/s |\n", step.name, sent, took.Seconds(), float64(sent)/took.Seconds())
		if sent != n {
			return fmt.Errorf("drained %d of %d planned", sent, n)
		}
		clock.Set(clock.Now().Add(24 * time.Hour))
	}
	fmt.Fprintln(out)
	return nil
}
