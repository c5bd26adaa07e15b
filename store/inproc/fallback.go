package inproc

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smart90/smart90/bot"
)

// DefaultProbe is how long a Fallback waits after its primary failed
// before asking the primary again.
const DefaultProbe = time.Second

// FallbackConfig configures NewFallback.
type FallbackConfig struct {
	// Primary is the limiter every replica shares (Redis); required.
	Primary bot.RateLimiter
	Clock   bot.Clock // required
	// Probe is how long after the primary failed it is asked again
	// (default DefaultProbe). In between, sends are paced in-process
	// without waiting on the primary, so an outage costs one failed call
	// per Probe, not one per send.
	Probe time.Duration
	// OnSwitch, when set, is told each time the Fallback changes limiter:
	// primary false with the error that made it fall back, true when the
	// primary answers again. It is called with the Fallback's lock held,
	// so that calls arrive in order: it must not call the Fallback.
	OnSwitch func(primary bool, err error)
}

// Fallback is a bot.RateLimiter that asks a shared primary (Redis) while it
// answers and paces in-process while it does not, at this replica's share
// of each key's rate: with n live replicas (SetLive) each admits rate/n,
// with a burst of burst/n (at least 1), so that together they stay within
// the platform's limit without talking to each other. It goes back to the
// primary by itself when the primary answers a probe.
//
// Pauses are kept in-process as well as sent to the primary, and an
// in-process pause holds while the primary is used again: a Retry-After
// that arrived during an outage is not forgotten when Redis returns.
//
// It is safe for concurrent use.
type Fallback struct {
	primary  bot.RateLimiter
	local    *RateLimiter
	clock    bot.Clock
	probe    time.Duration
	onSwitch func(bool, error)
	live     atomic.Int64

	mu      sync.Mutex
	down    bool      // the primary failed and has not answered since
	retryAt time.Time // while down: when the primary may be probed
	probing bool      // a probe is under way
}

var _ bot.RateLimiter = (*Fallback)(nil)

// NewFallback returns a Fallback that uses cfg.Primary, assuming one live
// replica until SetLive says otherwise.
func NewFallback(cfg FallbackConfig) (*Fallback, error) {
	if cfg.Primary == nil || cfg.Clock == nil {
		return nil, errors.New("inproc: a Fallback needs a Primary and a Clock")
	}
	f := &Fallback{primary: cfg.Primary, local: NewRateLimiter(cfg.Clock), clock: cfg.Clock,
		probe: cmp.Or(cfg.Probe, DefaultProbe), onSwitch: cfg.OnSwitch}
	f.live.Store(1)
	return f, nil
}

// SetLive sets how many replicas share the rate while the primary is down;
// n below 1 counts as 1.
func (f *Fallback) SetLive(n int) {
	f.live.Store(int64(max(n, 1)))
}

// Live returns the number of replicas SetLive last set (at least 1).
func (f *Fallback) Live() int {
	return int(f.live.Load())
}

// Primary reports whether the primary is in use: it answered last time it
// was asked.
func (f *Fallback) Primary() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.down
}

// Reserve admits one send under key through the primary, or in-process at
// this replica's share of rate and burst while the primary is down. It
// fails only on invalid arguments or when ctx is done.
func (f *Fallback) Reserve(ctx context.Context, key string, rate float64, burst int) (time.Duration, error) {
	if err := bot.CheckRate(rate, burst); err != nil {
		return 0, err
	}
	if w, ok := f.local.paused(key); ok {
		// A pause the primary may not know of (it came while the primary
		// was down, or the primary failed to take it) still holds.
		return w, nil
	}
	if f.ask() {
		w, err := f.primary.Reserve(ctx, key, rate, burst)
		switch {
		case err == nil || bot.ErrorCode(err) == bot.EINVALID:
			f.answered(nil)
			return w, err
		case ctx.Err() != nil:
			f.abandoned() // the caller gave up: that says nothing of the primary
			return 0, ctx.Err()
		}
		f.answered(err)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := f.live.Load()
	return f.local.Reserve(ctx, key, rate/float64(n), max(burst/int(n), 1))
}

// Pause holds every send under key for d: in-process always, and through
// the primary when it answers. It fails only when ctx is done.
func (f *Fallback) Pause(ctx context.Context, key string, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if err := f.local.Pause(ctx, key, d); err != nil {
		return err
	}
	if f.ask() {
		err := f.primary.Pause(ctx, key, d)
		if err != nil && ctx.Err() != nil {
			f.abandoned()
			return ctx.Err()
		}
		f.answered(err)
	}
	return nil
}

// ask reports whether to ask the primary now: always while it is up; while
// it is down, once per probe interval (one caller probes, the others pace
// in-process meanwhile). A true answer must be followed by answered.
func (f *Fallback) ask() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.down {
		return true
	}
	if f.probing || f.clock.Now().Before(f.retryAt) {
		return false
	}
	f.probing = true
	return true
}

// answered records how the primary answered (err nil: it did) and tells
// OnSwitch when that changes which limiter is in use.
func (f *Fallback) answered(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wasDown := f.down
	f.probing = false
	f.down = err != nil
	if f.down {
		f.retryAt = f.clock.Now().Add(f.probe)
	}
	if f.onSwitch != nil && wasDown != f.down {
		f.onSwitch(!f.down, err)
	}
}

// abandoned ends a call to the primary that ended for the caller's own
// reasons (its context), learning nothing: a probe is due again at once.
func (f *Fallback) abandoned() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.probing = false
}
