package console

import (
	"sync"
	"time"

	"github.com/smart90/smart90/bot"
)

var _ bot.Clock = (*Clock)(nil)

// Clock is a clock that moves only when told to, so a console session can
// jump to next Friday and watch the weekly prompt arrive. Its time is the
// start plus everything it was advanced by. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	start  time.Time
	offset time.Duration
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock {
	return &Clock{start: start.Round(0)} // no monotonic reading: it would not move with Advance
}

// Now returns the clock's current time, in the location of its start.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.start.Add(c.offset)
}

// Advance moves the clock forward by d. A negative d does nothing: the
// scheduler and the stores assume time never runs backwards.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Set moves the clock to t. It returns an EINVALID *bot.Error, and leaves
// the clock alone, when t is before the clock's current time.
func (c *Clock) Set(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.start.Add(c.offset)
	if t.Before(now) {
		return bot.Errorf(bot.EINVALID, "%s is before the clock's %s; the clock never goes backwards.",
			t.UTC().Format(timeLayout), now.UTC().Format(timeLayout))
	}
	c.offset = t.Sub(c.start)
	return nil
}

// timeLayout is how the console shows an instant.
const timeLayout = "Mon 2006-01-02 15:04 MST"
