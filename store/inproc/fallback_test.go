package inproc_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/coordtest"
	"github.com/smart90/smart90/store/inproc"
)

// limiter is a fake bot.RateLimiter: each method calls its Func.
type limiter struct {
	ReserveFunc func(ctx context.Context, key string, rate float64, burst int) (time.Duration, error)
	PauseFunc   func(ctx context.Context, key string, d time.Duration) error
}

func (l *limiter) Reserve(ctx context.Context, key string, rate float64, burst int) (time.Duration, error) {
	return l.ReserveFunc(ctx, key, rate, burst)
}

func (l *limiter) Pause(ctx context.Context, key string, d time.Duration) error {
	return l.PauseFunc(ctx, key, d)
}

var errDown = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

// primary is a shared limiter (standing in for Redis) that can be made to
// fail; it counts what it is asked and what it admits.
type primary struct {
	limiter
	failing            atomic.Bool
	reserves, admitted atomic.Int32
	pauses             sync.Map // key → the last d asked
}

func newPrimary(clock bot.Clock) *primary {
	p := &primary{}
	shared := inproc.NewRateLimiter(clock)
	p.ReserveFunc = func(ctx context.Context, key string, rate float64, burst int) (time.Duration, error) {
		p.reserves.Add(1)
		if p.failing.Load() {
			return 0, errDown
		}
		w, err := shared.Reserve(ctx, key, rate, burst)
		if err == nil && w == 0 {
			p.admitted.Add(1)
		}
		return w, err
	}
	p.PauseFunc = func(ctx context.Context, key string, d time.Duration) error {
		if p.failing.Load() {
			return errDown
		}
		p.pauses.Store(key, d)
		return shared.Pause(ctx, key, d)
	}
	return p
}

type fallbackBundle struct {
	clock    *bottest.Clock
	primary  *primary
	fallback *inproc.Fallback
	switches chan bool // OnSwitch's primary argument, in order
}

func setupFallback(t *testing.T) fallbackBundle {
	t.Helper()
	b := fallbackBundle{clock: bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)), switches: make(chan bool, 100)}
	b.primary = newPrimary(b.clock)
	f, err := inproc.NewFallback(inproc.FallbackConfig{Primary: b.primary, Clock: b.clock,
		OnSwitch: func(primary bool, err error) {
			if primary != (err == nil) {
				t.Errorf("OnSwitch(%v, %v): an error goes with falling back, and only then", primary, err)
			}
			b.switches <- primary
		}})
	if err != nil {
		t.Fatal(err)
	}
	b.fallback = f
	return b
}

func (b fallbackBundle) reserve(t *testing.T, key string, rate float64, burst int) time.Duration {
	t.Helper()
	w, err := b.fallback.Reserve(t.Context(), key, rate, burst)
	if err != nil {
		t.Fatalf("Reserve %s: %v", key, err)
	}
	return w
}

// The Fallback is a bot.RateLimiter like any other: the conformance suite
// holds for it with its primary up and with its primary down for good.
func TestFallbackCoord(t *testing.T) {
	t.Parallel()
	for name, failing := range map[string]bool{"PrimaryUp": false, "PrimaryDown": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			coordtest.Run(t, func(testing.TB) coordtest.Coord {
				c := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
				p := newPrimary(c)
				p.failing.Store(failing)
				f, err := inproc.NewFallback(inproc.FallbackConfig{Primary: p, Clock: c})
				if err != nil {
					t.Fatal(err)
				}
				return coordtest.Coord{State: inproc.NewState(c), Deduper: inproc.NewDeduper(c), Limiter: f, Advance: c.Advance}
			})
		})
	}
}

// TestFallbackWhileDown: while the primary fails, a replica of three admits
// at most its share — rate/3 with a burst of burst/3 — over any window,
// asks the primary about once a second rather than on every send, and
// goes back to the primary by itself once it answers.
func TestFallbackWhileDown(t *testing.T) {
	t.Parallel()
	b := setupFallback(t)
	const rate, burst, live = 30.0, 6, 3
	b.fallback.SetLive(live)
	share, shareBurst := rate/live, burst/live
	b.primary.failing.Store(true)

	start := b.clock.Now()
	elapsed := func() time.Duration { return b.clock.Now().Sub(start) }
	const window = 10 * time.Second
	step := 7 * time.Millisecond // not a divisor of the share's interval
	admitted := 0
	for elapsed() < window {
		if b.reserve(t, "T1", rate, burst) == 0 {
			admitted++
			if limit := float64(shareBurst) + share*elapsed().Seconds(); float64(admitted) > limit {
				t.Fatalf("%d sends admitted within %v while the primary was down, more than this replica's share %.2f", admitted, elapsed(), limit)
			}
			continue
		}
		b.clock.Advance(step)
	}
	// Pacing went on, near the share: not merely refused.
	if want := shareBurst + int(share*window.Seconds()) - 2; admitted < want {
		t.Errorf("%d sends admitted in %v, want at least %d", admitted, window, want)
	}
	if n, most := b.primary.reserves.Load(), int32(window/inproc.DefaultProbe)+1; n > most {
		t.Errorf("the primary was asked %d times in %v of outage, want at most %d (once per probe interval)", n, window, most)
	}
	if b.fallback.Primary() {
		t.Error("Primary() = true while the primary fails")
	}
	if got := drain(b.switches); len(got) != 1 || got[0] {
		t.Errorf("switches during the outage: %v, want one to the fallback", got)
	}

	// The primary is back: within one probe interval it is used again, with
	// the whole burst (the fallback's share would admit only burst/3).
	b.primary.failing.Store(false)
	b.clock.Advance(inproc.DefaultProbe)
	before := b.primary.admitted.Load()
	for i := range burst {
		if w := b.reserve(t, "T2", rate, burst); w != 0 {
			t.Fatalf("send %d of the burst after the primary came back: wait %v, want 0", i+1, w)
		}
	}
	if n := b.primary.admitted.Load() - before; n != burst {
		t.Errorf("the primary admitted %d of the %d sends after it came back", n, burst)
	}
	if got := drain(b.switches); len(got) != 1 || !got[0] {
		t.Errorf("switches on recovery: %v, want one back to the primary", got)
	}
	if !b.fallback.Primary() {
		t.Error("Primary() = false after the primary answered")
	}
}

// TestFallbackProbeDoesNotHoldSends: while one caller's probe waits on a
// primary that hangs (redials), other sends are paced in-process without
// asking it.
func TestFallbackProbeDoesNotHoldSends(t *testing.T) {
	t.Parallel()
	b := setupFallback(t)
	b.primary.failing.Store(true)
	b.reserve(t, "T1", 10, 1) // the primary fails: fall back
	b.clock.Advance(inproc.DefaultProbe)

	entered, release := make(chan struct{}), make(chan struct{})
	fail := b.primary.ReserveFunc
	var hung atomic.Bool
	b.primary.ReserveFunc = func(ctx context.Context, key string, rate float64, burst int) (time.Duration, error) {
		if hung.CompareAndSwap(false, true) {
			close(entered)
			<-release
		}
		return fail(ctx, key, rate, burst)
	}
	probe := make(chan error, 1)
	go func() {
		_, err := b.fallback.Reserve(context.Background(), "T1", 10, 1)
		probe <- err
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no probe reached the primary a probe interval after it failed")
	}
	asked := b.primary.reserves.Load()
	for i := range 3 {
		if w := b.reserve(t, "T9", 10, 3); w != 0 {
			t.Fatalf("send %d during the probe: wait %v, want 0 from the in-process limiter", i+1, w)
		}
	}
	if n := b.primary.reserves.Load(); n != asked {
		t.Errorf("the primary was asked %d more times while a probe was under way", n-asked)
	}
	close(release)
	if err := <-probe; err != nil {
		t.Errorf("the probing send: %v, want it paced in-process after the probe failed", err)
	}
}

// TestFallbackPause: a pause reaches the primary while it answers; during
// an outage it holds in-process, and still holds when the primary, which
// never heard of it, is used again.
func TestFallbackPause(t *testing.T) {
	t.Parallel()
	b := setupFallback(t)
	ctx := t.Context()
	if err := b.fallback.Pause(ctx, "T1", 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if d, ok := b.primary.pauses.Load("T1"); !ok || d != 2*time.Second {
		t.Errorf("primary's pause of T1 = %v, want 2s", d)
	}

	b.primary.failing.Store(true)
	if err := b.fallback.Pause(ctx, "T2", 5*time.Second); err != nil {
		t.Fatalf("Pause while the primary is down: %v, want it kept in-process", err)
	}
	if w := b.reserve(t, "T2", 100, 5); w != 5*time.Second {
		t.Errorf("T2 paused during the outage: wait %v, want 5s", w)
	}
	if w := b.reserve(t, "T3", 100, 5); w != 0 {
		t.Errorf("another key during the outage: wait %v, want 0", w)
	}

	b.primary.failing.Store(false)
	b.clock.Advance(3 * time.Second)
	if w := b.reserve(t, "T2", 100, 5); w != 2*time.Second {
		t.Errorf("T2 after the primary came back: wait %v, want the 2s left of its pause", w)
	}
	if _, ok := b.primary.pauses.Load("T2"); ok {
		t.Fatal("the fake primary heard of T2's pause; the test proves nothing")
	}
	b.clock.Advance(2 * time.Second)
	if w := b.reserve(t, "T2", 100, 5); w != 0 {
		t.Errorf("T2 when its pause ended: wait %v, want 0", w)
	}
	if !b.fallback.Primary() {
		t.Error("the primary is not in use again")
	}
}

// A caller that gives up is not an outage.
func TestFallbackCallerCancelled(t *testing.T) {
	t.Parallel()
	b := setupFallback(t)
	b.primary.ReserveFunc = func(ctx context.Context, _ string, _ float64, _ int) (time.Duration, error) {
		return 0, ctx.Err()
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.fallback.Reserve(ctx, "T1", 10, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Reserve with a cancelled context: %v, want context.Canceled", err)
	}
	if !b.fallback.Primary() || len(drain(b.switches)) != 0 {
		t.Error("a cancelled call made the Fallback fall back")
	}
	if _, err := b.fallback.Reserve(t.Context(), "T1", 0, 1); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("rate 0: %v, want EINVALID", err)
	}
}

func drain(ch chan bool) []bool {
	var got []bool
	for {
		select {
		case v := <-ch:
			got = append(got, v)
		default:
			return got
		}
	}
}
