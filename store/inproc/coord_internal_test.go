package inproc

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fixedClock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// Keys that are never read again must not pile up: a long-running
// process sees a new event id for every event.
func TestExpiredEntriesAreSwept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &fixedClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	d, l := NewDeduper(c), NewRateLimiter(c)
	for i := range 10_000 {
		key := "Ev" + strconv.Itoa(i)
		if _, err := d.Seen(ctx, key, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Reserve(ctx, key, 10, 1); err != nil {
			t.Fatal(err)
		}
		c.advance(10 * time.Millisecond) // about 100 live keys at a time
	}
	if n := len(d.seen.m); n > 2*100+minSweep {
		t.Errorf("Deduper holds %d keys, want at most about twice the ~100 live ones", n)
	}
	if n := len(l.tat.m); n > 2*10+minSweep {
		t.Errorf("RateLimiter holds %d keys, want at most about twice the ~10 live ones", n)
	}
}
