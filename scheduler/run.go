package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Run plans once at start-up (catching up on downtime) and then every
// minute on the minute, driven by cron, and keeps senders draining due
// deliveries: right after each plan, and every poll interval for retries
// and reminders that come due between ticks. It returns when ctx is done,
// after the senders finished or released what they held (see Drain) and a
// last try to write the outcomes it could not write before.
func (s *Scheduler) Run(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = 5 * time.Second
	}
	wake := make(chan struct{}, 1)
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	plan := func() {
		if n, err := s.Plan(ctx); err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "plan deliveries", "err", err)
			}
		} else if n > 0 {
			s.log.InfoContext(ctx, "planned deliveries", "n", n)
		}
		signal()
	}

	c := cron.New(
		cron.WithLocation(time.UTC),
		cron.WithLogger(cronLogger{s.log}),
		// A plan still running when the next minute starts (a long
		// catch-up) is not run twice at once.
		cron.WithChain(cron.SkipIfStillRunning(cronLogger{s.log})),
	)
	if _, err := c.AddFunc("* * * * *", plan); err != nil {
		return err
	}
	plan()
	c.Start()

	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(poll)
		defer t.Stop()
		for ctx.Err() == nil {
			if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "send deliveries", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-wake:
			case <-t.C:
			}
		}
	})
	<-ctx.Done()
	<-c.Stop().Done() // a plan under way finishes (its transaction ends with ctx)
	wg.Wait()
	// A last try for outcomes held since an earlier drain: once this
	// process is gone, nothing remembers that they were sent.
	s.flushHeld(ctx)
	s.heldMu.Lock()
	unwritten := 0
	for _, h := range s.held {
		if !h.takenOver {
			unwritten++
		}
	}
	s.heldMu.Unlock()
	if unwritten > 0 {
		s.log.ErrorContext(ctx, "stopping with delivery outcomes unwritten: these deliveries may be sent again", "n", unwritten)
	}
	return nil
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
