// Moving the clock by hand (:advance, :at, :tick, :time) and playing the
// scheduler through the time that passes.

package console

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// maxMove is how far :advance and :at may move the clock at once: a year
// and some, enough for any coaching cycle, and far from the instants where
// time arithmetic overflows and the clock would wrap into the past.
const maxMove = 400 * 24 * time.Hour

// advance moves the clock forward by a duration, playing the time through.
func (c *Console) advance(ctx context.Context, arg string) {
	d, err := parseDuration(arg)
	if errors.Is(err, errTooFar) {
		c.fail(":advance moves the clock at most 400 days at a time; %q is more. The clock stays at %s.",
			strings.TrimSpace(arg), c.clock.Now().UTC().Format(timeLayout))
		return
	}
	if err != nil {
		c.fail("%s", err.Error())
		return
	}
	c.moveTo(ctx, c.clock.Now().Add(d))
}

// at sets the clock to a wall time in the acting user's zone (the default
// zone before any :as), playing the time through.
func (c *Console) at(ctx context.Context, arg string) {
	loc, _ := c.actingZone()
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.Join(strings.Fields(arg), " "), loc)
	if err != nil {
		c.fail("Use :at YYYY-MM-DD HH:MM (in your zone, %s), e.g. :at 2026-12-04 15:00.", loc)
		return
	}
	now := c.clock.Now()
	switch {
	case t.Before(now):
		c.fail("%s is before the clock's %s; the clock never goes backwards.",
			t.Format(timeLayout), now.In(loc).Format(timeLayout))
		return
	case t.Sub(now) > maxMove:
		c.fail(":at moves the clock at most 400 days ahead; %s is further. The clock stays at %s.",
			t.Format(timeLayout), now.In(loc).Format(timeLayout))
		return
	}
	c.moveTo(ctx, t)
}

// moveTo shows the clock's new time and plays the time up to it through:
// the scheduler runs now, at every instant on the way where something is
// due (see Config.NextDue), in order, and at target, so each prompt and
// reminder arrives when it would have, stamped with that time.
func (c *Console) moveTo(ctx context.Context, target time.Time) {
	c.printf("  clock → %s\n", c.timeLine(target))
	if c.tick == nil {
		_ = c.clock.Set(target)
		c.printf("  (no scheduler is wired; nothing to run)\n")
		return
	}
	c.setTicking(true)
	defer c.setTicking(false)
	// A tick first: a schedule marked by the last command (a new
	// engagement, a settings change) learns its next due instant only when
	// planned, and NextDue looks past now.
	if c.nextDue != nil && !c.tickOnce(ctx) {
		_ = c.clock.Set(target)
		return
	}
	for c.nextDue != nil && ctx.Err() == nil {
		now := c.clock.Now()
		next, ok, err := c.nextDue(ctx, now)
		if err != nil {
			c.logger.ErrorContext(ctx, "console: find the next due instant", "err", err)
			c.fail("Could not find what is due next (%v); the clock jumps straight to its new time.", err)
			break
		}
		if !ok || !next.After(now) || !next.Before(target) {
			break
		}
		if err := c.clock.Set(next); err != nil || !c.tickOnce(ctx) {
			break
		}
	}
	_ = c.clock.Set(target) // never before now: target is checked, and the steps stop short of it
	c.tickOnce(ctx)
}

// setTicking says whether the scheduler is running, for Send's stamps.
func (c *Console) setTicking(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ticking = on
}

// runTick runs the scheduler once (:tick), printing a failure.
func (c *Console) runTick(ctx context.Context) {
	if c.tick == nil {
		c.printf("  (no scheduler is wired; nothing to run)\n")
		return
	}
	c.setTicking(true)
	defer c.setTicking(false)
	c.tickOnce(ctx)
}

// tickOnce runs the scheduler once and reports whether it succeeded,
// printing a failure.
func (c *Console) tickOnce(ctx context.Context) bool {
	if err := c.tick(ctx); err != nil {
		c.logger.ErrorContext(ctx, "console: scheduler tick", "err", err)
		c.fail("The scheduler failed: %v", err)
		return false
	}
	return true
}

// showTime prints the clock.
func (c *Console) showTime() { c.printf("  time: %s\n", c.timeLine(c.clock.Now())) }

// timeLine is now in UTC and in the acting user's zone.
func (c *Console) timeLine(now time.Time) string {
	line := now.UTC().Format(timeLayout)
	if loc, name := c.actingZone(); name != "" && loc != time.UTC {
		line += fmt.Sprintf(" · %s: %s (%s)", name, now.In(loc).Format(timeLayout), loc)
	}
	return line
}
