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
	"sync"
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
