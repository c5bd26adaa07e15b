package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/loadtest"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/redis"
)

// timed records when each client's message reached the adapter.
type timed struct {
	mu   sync.Mutex
	at   []time.Time
	to   map[string]int
	refs atomic.Int64
}

func (t *timed) Send(_ context.Context, d bot.Destination, _ bot.Message) (string, error) {
	now := time.Now()
	t.mu.Lock()
	t.at = append(t.at, now)
	t.to[d.UserID]++
	t.mu.Unlock()
	return "m" + strconv.FormatInt(t.refs.Add(1), 10), nil
}

func measureLimit(ctx context.Context, c config, log *slog.Logger, out io.Writer) error {
	fmt.Fprintf(out, "## Shared rate limit: %d replicas, one workspace, %.0f sends/s through Redis\n\n", c.Replicas, c.Rate)
	seedDB, dbURL, drop, err := openFresh(ctx, c, log, "")
	if err != nil {
		return err
	}
	defer drop()
	prefix := "smart90load:" + loadtest.RandomHex(6) + ":"
	defer deletePrefix(c.RedisURL, prefix)
	due := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	if err := loadtest.Seed(ctx, seedDB, c.Limited, due, "T2"); err != nil {
		return err
	}
	rec := &timed{to: map[string]int{}}
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	start := time.Now()
	for range c.Replicas {
		db, err := postgres.Open(ctx, dbURL+"&pool_max_conns=8", log)
		if err != nil {
			return err
		}
		defer db.Close()
		rdb, err := redis.Open(ctx, c.RedisURL, redis.WithKeyPrefix(prefix))
		if err != nil {
			return err
		}
		defer rdb.Close()
		clock := loadtest.NewClock(due.Add(30 * time.Second))
		paced, err := bot.Pace(rec, bot.PaceConfig{Limiter: rdb, Rate: c.Rate, Burst: 1})
		if err != nil {
			return err
		}
		core, err := bot.New(bot.Config{Store: db, Messenger: paced, State: rdb, Clock: clock, Logger: log})
		if err != nil {
			return err
		}
		sched, err := scheduler.New(scheduler.Config{Store: db, Deliverer: core, Clock: clock, Logger: log, Workers: c.Workers, Batch: 20})
		if err != nil {
			return err
		}
		wg.Go(func() {
			if err := sched.Tick(ctx); err != nil {
				errMu.Lock()
				firstErr = cmp.Or(firstErr, err)
				errMu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	total := time.Since(start)
	slices.SortFunc(rec.at, func(a, b time.Time) int { return a.Compare(b) })
	n := len(rec.at)
	span := rec.at[n-1].Sub(rec.at[0])
	achieved := float64(n-1) / span.Seconds()
	// Sends over the limit: in any window of one second, at most
	// burst + rate sends may start.
	maxIn, over := 0, 0
	for i, j := 0, 0; i < n; i++ {
		for j < n && rec.at[j].Sub(rec.at[i]) < time.Second {
			j++
		}
		maxIn = max(maxIn, j-i)
		if float64(j-i) > c.Rate+1 {
			over++
		}
	}
	dups := 0
	for _, k := range rec.to {
		if k > 1 {
			dups += k - 1
		}
	}
	fmt.Fprintln(out, "| measure | value |")
	fmt.Fprintln(out, "| --- | ---: |")
	fmt.Fprintf(out, "| deliveries sent | %d of %d |\n", n, c.Limited)
	fmt.Fprintf(out, "| first to last send | %.2fs (whole run %.2fs) |\n", span.Seconds(), total.Seconds())
	fmt.Fprintf(out, "| achieved rate | %.2f/s (%.2f%% of the limit) |\n", achieved, 100*achieved/c.Rate)
	fmt.Fprintf(out, "| most sends in any 1 s window | %d (allowed: %.0f + burst 1) |\n", maxIn, c.Rate)
	fmt.Fprintf(out, "| 1 s windows over the limit | %d |\n", over)
	fmt.Fprintf(out, "| duplicate sends | %d |\n\n", dups)
	if n != c.Limited {
		return fmt.Errorf("sent %d of %d", n, c.Limited)
	}
	return nil
}
