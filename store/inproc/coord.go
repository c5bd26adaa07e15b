package inproc

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/smart90/smart90/bot"
)

// Deduper is an in-memory bot.Deduper with expiry by an injected clock. It
// is safe for concurrent use; it agrees with itself only, so it serves a
// single process.
type Deduper struct {
	clock bot.Clock
	mu    sync.Mutex
	seen  expiring // key → when its record expires
}

var _ bot.Deduper = (*Deduper)(nil)

// NewDeduper returns an empty Deduper that reads time from clock.
func NewDeduper(clock bot.Clock) *Deduper {
	return &Deduper{clock: clock}
}

// Seen records key for ttl and reports whether an unexpired record of it
// already existed.
func (d *Deduper) Seen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, bot.Errorf(bot.EINVALID, "A de-duplication TTL must be positive, not %v.", ttl)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clock.Now()
	if _, ok := d.seen.get(key, now); ok {
		return true, nil
	}
	d.seen.put(key, now.Add(ttl), now)
	return false, nil
}

// RateLimiter is an in-memory bot.RateLimiter (GCRA) with time from an
// injected clock. It is safe for concurrent use; it paces one process only.
type RateLimiter struct {
	clock bot.Clock
	mu    sync.Mutex
	tat   expiring // key → theoretical arrival time of the next send
	pause expiring // key → when its pause ends
}

var _ bot.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns a RateLimiter with no history that reads time
// from clock.
func NewRateLimiter(clock bot.Clock) *RateLimiter {
	return &RateLimiter{clock: clock}
}

// Reserve admits one send under key, or says how long to wait.
func (l *RateLimiter) Reserve(_ context.Context, key string, rate float64, burst int) (time.Duration, error) {
	if err := bot.CheckRate(rate, burst); err != nil {
		return 0, err
	}
	// Rounding the interval up errs on the side of sending less.
	interval := time.Duration(math.Ceil(float64(time.Second) / rate))
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if until, ok := l.pause.get(key, now); ok {
		return until.Sub(now), nil
	}
	tat, ok := l.tat.get(key, now)
	if !ok {
		tat = now // an expired TAT is a key at rest: the same as none
	}
	next := tat.Add(interval)
	if allowAt := next.Add(-interval * time.Duration(burst)); now.Before(allowAt) {
		return allowAt.Sub(now), nil
	}
	l.tat.put(key, next, now)
	return 0, nil
}

// expiring maps keys to the instant they expire. An entry is live while
// now is before that instant. Expired entries are dropped when read and,
// in bulk, whenever the map has doubled since the last sweep, so memory
// stays within about twice the live keys at amortised constant cost. The
// zero value is ready to use; it is not safe for concurrent use.
type expiring struct {
	m       map[string]time.Time
	sweepAt int // sweep when len(m) reaches this
}

// minSweep keeps small maps from being swept on every insert.
const minSweep = 64

// get returns key's instant if the entry is live.
func (e *expiring) get(key string, now time.Time) (time.Time, bool) {
	t, ok := e.m[key]
	if ok && !now.Before(t) {
		delete(e.m, key)
		return time.Time{}, false
	}
	return t, ok
}

// put sets key's instant, sweeping first when the map has grown enough.
func (e *expiring) put(key string, until, now time.Time) {
	if e.m == nil {
		e.m = map[string]time.Time{}
	}
	if len(e.m) >= e.sweepAt {
		for k, t := range e.m {
			if !now.Before(t) {
				delete(e.m, k)
			}
		}
		e.sweepAt = max(2*len(e.m), minSweep)
	}
	e.m[key] = until
}

// paused returns how long key's pause has left, if one is in force.
func (l *RateLimiter) paused(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	until, ok := l.pause.get(key, now)
	return until.Sub(now), ok
}

// Pause holds every send under key for d.
func (l *RateLimiter) Pause(_ context.Context, key string, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	until := now.Add(d)
	if old, ok := l.pause.get(key, now); ok && old.After(until) {
		return nil
	}
	l.pause.put(key, until, now)
	return nil
}
