// Package coordtest is the conformance suite of what smart90 replicas
// coordinate through: bot.ConversationState, bot.Deduper and
// bot.RateLimiter. store/inproc and store/redis both run it, so the
// embedded default and the scale-out deployment keep one contract.
//
// An implementation's test calls Run with a function that returns a fresh
// Coord for one subtest and registers its cleanup:
//
//	func TestCoord(t *testing.T) {
//		coordtest.Run(t, func(t testing.TB) coordtest.Coord { … })
//	}
//
// Time: an implementation on an injected clock sets Coord.Advance and the
// suite moves that clock, exactly; one on a server's clock (Redis) leaves it
// nil and the suite uses short real TTLs and rates, waiting by polling
// against a deadline, so each subtest takes well under a second.
package coordtest

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// Coord bundles the implementations under test.
type Coord struct {
	State   bot.ConversationState
	Deduper bot.Deduper
	Limiter bot.RateLimiter
	// Advance moves the implementations' clock forward by d. Nil when
	// they run on real time, which the suite then waits out.
	Advance func(d time.Duration)
}

// Run runs the conformance suite. open returns a fresh Coord for one
// subtest, sharing no keys with any other, and registers its own cleanup
// with t.Cleanup.
func Run(t *testing.T, open func(t testing.TB) Coord) {
	tests := []struct {
		name string
		test func(t *testing.T, c Coord)
	}{
		{"StateSetGet", testStateSetGet},
		{"StateExpires", testStateExpires},
		{"StateDelete", testStateDelete},

		{"DedupFirstThenDuplicate", testDedupFirstThenDuplicate},
		{"DedupExpires", testDedupExpires},
		{"DedupConcurrent", testDedupConcurrent},
		{"DedupInvalid", testDedupInvalid},

		{"RateBurst", testRateBurst},
		{"RateDenialIsFree", testRateDenialIsFree},
		{"RateWindow", testRateWindow},
		{"RateConcurrent", testRateConcurrent},
		{"RateKeysApart", testRateKeysApart},
		{"RateInvalid", testRateInvalid},
		{"RatePause", testRatePause},
		{"RatePauseNotShortened", testRatePauseNotShortened},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.test(t, open(t))
		})
	}
}

// ttl is the lifetime the expiry tests give: long enough that a check right
// after a write is not late on a loaded machine, short enough to wait out.
const ttl = 150 * time.Millisecond

// slack is how long past its due time a real-time wait may take before the
// suite gives up.
const slack = 800 * time.Millisecond

// poll is the real-time polling interval.
const poll = 5 * time.Millisecond

// timeline measures time for the suite: virtual when the Coord has an
// Advance, real otherwise.
type timeline struct {
	advance func(time.Duration)
	start   time.Time     // real start
	virtual time.Duration // virtual time since start
}

func newTimeline(c Coord) *timeline {
	return &timeline{advance: c.Advance, start: time.Now()}
}

// elapsed returns the time since the timeline started (for real time, an
// upper bound on the server's elapsed time between any two calls made
// after the start and before now).
func (tl *timeline) elapsed() time.Duration {
	if tl.advance != nil {
		return tl.virtual
	}
	return time.Since(tl.start)
}

// pass lets d go by: it advances the clock, or sleeps d of real time (the
// suite passes only short steps).
func (tl *timeline) pass(d time.Duration) {
	if tl.advance != nil {
		tl.advance(d)
		tl.virtual += d
		return
	}
	time.Sleep(d)
}

// awaitExpiry checks that gone turns true at d after the timeline's start
// and not before: on a clock it looks just before d and then at d; in real
// time it polls until gone, failing if that is before d (less the
// server's millisecond rounding) or long after it. gone may have side
// effects once it returns true.
func (tl *timeline) awaitExpiry(t *testing.T, d time.Duration, gone func() bool) {
	t.Helper()
	if tl.advance != nil {
		tl.pass(d - time.Nanosecond - tl.virtual)
		if gone() {
			t.Fatalf("expired at %v, before its TTL %v", tl.elapsed(), d)
		}
		tl.pass(time.Nanosecond)
		if !gone() {
			t.Fatalf("still there at its TTL %v", d)
		}
		return
	}
	for {
		if gone() {
			if e := tl.elapsed(); e < d-time.Millisecond {
				t.Fatalf("expired after at most %v, before its TTL %v", e, d)
			}
			return
		}
		if e := tl.elapsed(); e > d+slack {
			t.Fatalf("still there %v after it was set with TTL %v", e, d)
		}
		time.Sleep(poll)
	}
}

// release starts n goroutines running f(i) together and waits for them.
func release(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

func testStateSetGet(t *testing.T, c Coord) {
	ctx := t.Context()
	if v := get(t, c.State, "conv:1"); v != "" {
		t.Fatalf("Get of a missing key = %q, want \"\"", v)
	}
	set(t, c.State, "conv:1", "daily:1:2026-11-25", time.Minute)
	set(t, c.State, "conv:2", "weekly:2:2026-11-23", time.Minute)
	if v := get(t, c.State, "conv:1"); v != "daily:1:2026-11-25" {
		t.Fatalf("Get = %q, want the value set", v)
	}
	set(t, c.State, "conv:1", "weekly:1:2026-11-23", time.Minute)
	if v := get(t, c.State, "conv:1"); v != "weekly:1:2026-11-23" {
		t.Fatalf("Get after a second Set = %q, want the new value", v)
	}
	if v := get(t, c.State, "conv:2"); v != "weekly:2:2026-11-23" {
		t.Fatalf("another key = %q, want its own value", v)
	}
	if err := c.State.Set(ctx, "conv:3", "", time.Minute); err != nil {
		t.Fatalf("Set of an empty value: %v", err)
	}
	if v := get(t, c.State, "conv:3"); v != "" {
		t.Fatalf("empty value read back as %q", v)
	}
}

func testStateExpires(t *testing.T, c Coord) {
	tl := newTimeline(c)
	set(t, c.State, "conv:1", "daily:1:2026-11-25", ttl)
	set(t, c.State, "conv:long", "kept", time.Hour)
	if v := get(t, c.State, "conv:1"); v != "daily:1:2026-11-25" {
		t.Fatalf("Get right after Set = %q", v)
	}
	tl.awaitExpiry(t, ttl, func() bool { return get(t, c.State, "conv:1") == "" })
	if v := get(t, c.State, "conv:long"); v != "kept" {
		t.Fatalf("a key with a longer TTL = %q, want it kept", v)
	}
	// A new Set after expiry starts a fresh lifetime.
	set(t, c.State, "conv:1", "daily:1:2026-11-26", ttl)
	if v := get(t, c.State, "conv:1"); v != "daily:1:2026-11-26" {
		t.Fatalf("Get after re-Set = %q", v)
	}
}

func testStateDelete(t *testing.T, c Coord) {
	ctx := t.Context()
	set(t, c.State, "conv:1", "daily:1:2026-11-25", time.Minute)
	set(t, c.State, "conv:2", "weekly:2:2026-11-23", time.Minute)
	if err := c.State.Delete(ctx, "conv:1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if v := get(t, c.State, "conv:1"); v != "" {
		t.Fatalf("Get after Delete = %q", v)
	}
	if v := get(t, c.State, "conv:2"); v != "weekly:2:2026-11-23" {
		t.Fatalf("Delete removed another key: %q", v)
	}
	if err := c.State.Delete(ctx, "never-set"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}

func testDedupFirstThenDuplicate(t *testing.T, c Coord) {
	if seen(t, c.Deduper, "Ev1", time.Minute) {
		t.Fatal("first Seen = true, want false")
	}
	if !seen(t, c.Deduper, "Ev1", time.Minute) {
		t.Fatal("second Seen = false, want true")
	}
	if !seen(t, c.Deduper, "Ev1", time.Minute) {
		t.Fatal("third Seen = false, want true")
	}
	if seen(t, c.Deduper, "Ev2", time.Minute) {
		t.Fatal("another key's first Seen = true, want false")
	}
}

func testDedupExpires(t *testing.T, c Coord) {
	tl := newTimeline(c)
	if seen(t, c.Deduper, "Ev1", ttl) {
		t.Fatal("first Seen = true, want false")
	}
	// Duplicates (the retries) must not extend the record: once ttl has
	// passed since the first Seen, the key is new again.
	if !seen(t, c.Deduper, "Ev1", ttl) {
		t.Fatal("second Seen = false, want true")
	}
	tl.awaitExpiry(t, ttl, func() bool { return !seen(t, c.Deduper, "Ev1", ttl) })
	if !seen(t, c.Deduper, "Ev1", ttl) {
		t.Fatal("Seen right after the key was recorded again = false, want true")
	}
}

func testDedupConcurrent(t *testing.T, c Coord) {
	const n = 50
	var fresh, errs atomic.Int32
	release(n, func(int) {
		dup, err := c.Deduper.Seen(t.Context(), "Ev1", time.Minute)
		switch {
		case err != nil:
			t.Errorf("Seen: %v", err)
			errs.Add(1)
		case !dup:
			fresh.Add(1)
		}
	})
	if errs.Load() == 0 && fresh.Load() != 1 {
		t.Fatalf("%d concurrent Seen on one key: %d got false, want exactly 1", n, fresh.Load())
	}
}

func testDedupInvalid(t *testing.T, c Coord) {
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := c.Deduper.Seen(t.Context(), "Ev1", d); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("Seen with ttl %v: err = %v, want code %s", d, err, bot.EINVALID)
		}
	}
	if seen(t, c.Deduper, "Ev1", time.Minute) {
		t.Fatal("a refused Seen recorded the key")
	}
}

func testRateBurst(t *testing.T, c Coord) {
	const rate, burst = 10.0, 5 // an interval of 100ms
	interval := time.Duration(float64(time.Second) / rate)
	tl := newTimeline(c)
	for i := range burst {
		if w := reserve(t, c.Limiter, "T1", rate, burst); w != 0 {
			t.Fatalf("send %d of a burst of %d: wait %v, want 0", i+1, burst, w)
		}
	}
	w := reserve(t, c.Limiter, "T1", rate, burst)
	// The next slot is interval after the first send; the server may have
	// seen up to elapsed of that go by.
	if lo := interval - tl.elapsed(); w < lo || w > interval+time.Microsecond {
		t.Fatalf("send %d: wait %v, want in [%v, %v]", burst+1, w, lo, interval)
	}
	if tl.advance != nil {
		tl.pass(w - time.Nanosecond)
		if w := reserve(t, c.Limiter, "T1", rate, burst); w != time.Nanosecond {
			t.Fatalf("1ns before the wait was over: wait %v, want 1ns", w)
		}
		tl.pass(time.Nanosecond)
		if w := reserve(t, c.Limiter, "T1", rate, burst); w != 0 {
			t.Fatalf("when the wait was over: wait %v, want 0", w)
		}
	} else {
		deadline := time.Now().Add(interval + slack)
		for w > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("no send admitted %v after the burst", interval+slack)
			}
			time.Sleep(min(w, poll))
			w = reserve(t, c.Limiter, "T1", rate, burst)
		}
	}
	if w := reserve(t, c.Limiter, "T1", rate, burst); w == 0 {
		t.Fatal("two sends admitted for one refilled slot")
	}
}

func testRateDenialIsFree(t *testing.T, c Coord) {
	const rate, burst = 10.0, 1
	interval := time.Duration(float64(time.Second) / rate)
	tl := newTimeline(c)
	if w := reserve(t, c.Limiter, "T1", rate, burst); w != 0 {
		t.Fatalf("first send: wait %v, want 0", w)
	}
	var last time.Duration
	for i := range 5 {
		w := reserve(t, c.Limiter, "T1", rate, burst)
		if w <= 0 || w > interval+time.Microsecond {
			t.Fatalf("denied ask %d: wait %v, want in (0, %v]", i+1, w, interval)
		}
		if tl.advance != nil && i > 0 && w != last {
			t.Fatalf("denied ask %d: wait %v after %v at the same instant: a denial was counted", i+1, w, last)
		}
		if i > 0 && w > last {
			t.Fatalf("denied ask %d: wait grew from %v to %v: a denial was counted", i+1, last, w)
		}
		last = w
	}
}

func testRateWindow(t *testing.T, c Coord) {
	const rate, burst = 40.0, 3 // an interval of 25ms
	const window = 400 * time.Millisecond
	step := 7 * time.Millisecond // not a divisor of the interval
	tl := newTimeline(c)
	admitted := 0
	for tl.elapsed() < window {
		w := reserve(t, c.Limiter, "T1", rate, burst)
		if w == 0 {
			admitted++
		}
		if limit := float64(burst) + rate*tl.elapsed().Seconds(); float64(admitted) > limit {
			t.Fatalf("%d sends admitted within %v, more than burst + rate*elapsed = %.2f", admitted, tl.elapsed(), limit)
		}
		if w == 0 {
			continue // ask again at once: the burst goes through without waiting
		}
		tl.pass(min(w, step))
	}
	// It must not merely refuse: in the window the burst and most refills
	// went through (a loaded machine may lose a few to scheduling).
	if want := burst + int(rate*window.Seconds())/2; admitted < want {
		t.Fatalf("only %d sends admitted in %v, want at least %d", admitted, window, want)
	}
}

func testRateConcurrent(t *testing.T, c Coord) {
	const rate, burst = 50.0, 4 // an interval of 20ms
	const goroutines, rounds = 4, 25
	step := 10 * time.Millisecond
	tl := newTimeline(c)
	var admitted, failed atomic.Int32
	for r := range rounds {
		// Each goroutine asks until denied, all at once on one key.
		release(goroutines, func(int) {
			for range burst + 2 {
				w, err := c.Limiter.Reserve(t.Context(), "T1", rate, burst)
				if err != nil {
					t.Errorf("Reserve: %v", err)
					failed.Add(1)
					return
				}
				if w > 0 {
					return
				}
				admitted.Add(1)
			}
		})
		if failed.Load() > 0 {
			t.FailNow()
		}
		n := int(admitted.Load())
		if r == 0 && tl.advance != nil && n != burst {
			t.Fatalf("%d goroutines at one instant got %d sends admitted, want exactly the burst %d", goroutines, n, burst)
		}
		if limit := float64(burst) + rate*tl.elapsed().Seconds(); float64(n) > limit {
			t.Fatalf("%d goroutines got %d sends admitted within %v, more than burst + rate*elapsed = %.2f", goroutines, n, tl.elapsed(), limit)
		}
		tl.pass(step)
	}
	if n := int(admitted.Load()); n < burst+rounds/4 {
		t.Fatalf("only %d sends admitted in %d rounds, want at least %d", n, rounds, burst+rounds/4)
	}
}

func testRateKeysApart(t *testing.T, c Coord) {
	const rate, burst = 1.0, 2
	for _, key := range []string{"T1", "T2"} {
		for i := range burst {
			if w := reserve(t, c.Limiter, key, rate, burst); w != 0 {
				t.Fatalf("key %s send %d: wait %v, want 0 (keys do not share a budget)", key, i+1, w)
			}
		}
		if w := reserve(t, c.Limiter, key, rate, burst); w == 0 {
			t.Fatalf("key %s: send %d admitted beyond the burst", key, burst+1)
		}
	}
}

func testRateInvalid(t *testing.T, c Coord) {
	for _, tc := range []struct {
		rate  float64
		burst int
	}{{0, 1}, {-1, 1}, {math.NaN(), 1}, {math.Inf(1), 1}, {1, 0}, {1, -3}, {1e-12, 1 << 20}} {
		if _, err := c.Limiter.Reserve(t.Context(), "T1", tc.rate, tc.burst); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("Reserve(rate %v, burst %d): err = %v, want code %s", tc.rate, tc.burst, err, bot.EINVALID)
		}
	}
}

func testRatePause(t *testing.T, c Coord) {
	const rate, burst = 1000.0, 5
	tl := newTimeline(c)
	if err := c.Limiter.Pause(t.Context(), "T1", ttl); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	w := reserve(t, c.Limiter, "T1", rate, burst)
	if w <= 0 || w > ttl {
		t.Fatalf("paused key: wait %v, want within (0, %v]", w, ttl)
	}
	// Other keys (other workspaces) go on.
	if w := reserve(t, c.Limiter, "T2", rate, burst); w != 0 {
		t.Fatalf("another key: wait %v, want 0", w)
	}
	// Not pausing at all is allowed and changes nothing.
	if err := c.Limiter.Pause(t.Context(), "T2", 0); err != nil {
		t.Fatalf("Pause 0: %v", err)
	}
	if w := reserve(t, c.Limiter, "T2", rate, burst); w != 0 {
		t.Fatalf("after Pause 0: wait %v, want 0", w)
	}
	// When the pause ends the key admits its full burst again.
	tl.awaitExpiry(t, ttl, func() bool { return reserve(t, c.Limiter, "T1", rate, burst) == 0 })
	for i := 1; i < burst; i++ {
		if w := reserve(t, c.Limiter, "T1", rate, burst); w != 0 {
			t.Fatalf("send %d after the pause: wait %v, want 0", i+1, w)
		}
	}
}

func testRatePauseNotShortened(t *testing.T, c Coord) {
	const rate, burst = 1000.0, 1
	tl := newTimeline(c)
	if err := c.Limiter.Pause(t.Context(), "T1", ttl); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	if err := c.Limiter.Pause(t.Context(), "T1", ttl/10); err != nil {
		t.Fatalf("second, shorter Pause: %v", err)
	}
	tl.awaitExpiry(t, ttl, func() bool { return reserve(t, c.Limiter, "T1", rate, burst) == 0 })
}

func get(t testing.TB, s bot.ConversationState, key string) string {
	t.Helper()
	v, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	return v
}

func set(t testing.TB, s bot.ConversationState, key, value string, ttl time.Duration) {
	t.Helper()
	if err := s.Set(context.Background(), key, value, ttl); err != nil {
		t.Fatalf("Set %s: %v", key, err)
	}
}

func seen(t testing.TB, d bot.Deduper, key string, ttl time.Duration) bool {
	t.Helper()
	dup, err := d.Seen(context.Background(), key, ttl)
	if err != nil {
		t.Fatalf("Seen %s: %v", key, err)
	}
	return dup
}

func reserve(t testing.TB, l bot.RateLimiter, key string, rate float64, burst int) time.Duration {
	t.Helper()
	w, err := l.Reserve(context.Background(), key, rate, burst)
	if err != nil {
		t.Fatalf("Reserve %s: %v", key, err)
	}
	if w < 0 {
		t.Fatalf("Reserve %s: negative wait %v", key, w)
	}
	return w
}
