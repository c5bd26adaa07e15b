package coordtest

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

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
