package scheduler

import (
	"context"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Run plans once at start-up (catching up on downtime) and then every
// minute on the minute of the injected clock, by the cron schedule
// planSpec (see planOn), and keeps senders draining due deliveries: right
// after each plan, and every poll interval for retries and reminders that
// come due between ticks. It returns when ctx is done,
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

	every, err := cron.ParseStandard(planSpec)
	if err != nil {
		return err
	}
	// The next plan is the first minute after the first plan began: a
	// minute that starts while it runs (a long catch-up, a clock moved on)
	// is planned right after it.
	from := s.clock.Now()
	plan()

	var wg sync.WaitGroup
	wg.Go(func() {
		s.planOn(ctx, every, from, poll, plan, func() {
			// A plan still running when the next minute starts (a long
			// catch-up) is not run twice at once.
			s.log.DebugContext(ctx, "plan still running: this minute's plan skipped")
		})
	})
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
	wg.Wait() // a plan under way finishes (its transaction ends with ctx)
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

// planSpec is when Run plans, as a cron expression: every minute.
const planSpec = "* * * * *"

// planOn runs plan at each instant of sched after from, read on the scheduler's
// injected clock rather than the wall clock, so that a clock moved on (a
// test, the console) moves the plans with it. It looks at the clock when
// the next instant is due by the clock's own reckoning, and at least every
// check, so a clock set forward is noticed within check of wall time. A
// plan still running at the next instant is not started again (as cron's
// SkipIfStillRunning): that instant is skipped and skipped is called. It
// returns when ctx is done, once a plan under way has finished.
func (s *Scheduler) planOn(ctx context.Context, sched cron.Schedule, from time.Time, check time.Duration, plan, skipped func()) {
	var running sync.WaitGroup
	defer running.Wait()
	busy := make(chan struct{}, 1)
	next := sched.Next(from.UTC())
	for {
		now := s.clock.Now().UTC()
		if !now.Before(next) {
			select {
			case busy <- struct{}{}:
				running.Go(func() {
					defer func() { <-busy }()
					plan()
				})
			default:
				skipped()
			}
			next = sched.Next(now)
		}
		wait := time.NewTimer(min(next.Sub(now), check))
		select {
		case <-ctx.Done():
			wait.Stop()
			return
		case <-wait.C:
		}
	}
}
