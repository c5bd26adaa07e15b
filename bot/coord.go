package bot

import (
	"context"
	"math"
	"time"
)

// Deduper remembers, for a while, which keys have been seen, so that every
// replica agrees on whether an event is new. Slack retries an event it got
// no timely answer for, and the retry may reach another replica; the event
// id is the key.
//
// Implementations (in-process, Redis) are safe for concurrent use.
type Deduper interface {
	// Seen atomically records key for ttl and reports whether it was
	// already recorded and that record has not expired. Of any number of
	// concurrent calls for one key, on any replicas, exactly one gets
	// false. A duplicate does not extend the first record: the key is new
	// again ttl after the call that returned false.
	//
	// A ttl that is not positive is an EINVALID error. Any other error
	// means the store could not be asked (dup is false); the caller
	// chooses between handling the event twice and dropping it.
	Seen(ctx context.Context, key string, ttl time.Duration) (dup bool, err error)
}

// RateLimiter paces sends per key (an installation's outbound API calls),
// shared by every replica: the generic cell rate algorithm (GCRA), which
// lets burst sends through at once and then one every 1/rate seconds.
//
// Implementations (in-process, Redis) are safe for concurrent use.
type RateLimiter interface {
	// Reserve asks to send once under key at rate sends per second with
	// the given burst. It returns 0 when the send is admitted (and counted)
	// and the caller may send now; otherwise nothing is counted and wait is
	// how long to wait before asking again, not a promise that the next
	// ask succeeds when other callers share the key. Over any window of
	// length elapsed, at most burst + rate*elapsed sends are admitted per
	// key, however many callers and replicas share it. Replicas agree even
	// when their clocks differ: the Redis implementation reads the
	// server's clock.
	//
	// A rate that is not a positive finite number, or a burst below 1, is
	// an EINVALID error. Any other error means the limiter could not be
	// asked (wait is 0 and nothing is admitted); the caller should not
	// send unthrottled on it.
	Reserve(ctx context.Context, key string, rate float64, burst int) (wait time.Duration, err error)
	// Pause admits no send under key for d from now, on every replica:
	// a platform's 429 with Retry-After holds for the whole workspace, not
	// only for the send that got it. Reserve's wait says how long is left.
	// A pause never shortens one already in force; a d that is not
	// positive changes nothing. An error means the limiter could not be
	// asked.
	Pause(ctx context.Context, key string, d time.Duration) error
}

// maxRefill bounds burst/rate, the time an idle key takes to refill, so that
// implementations cannot overflow a duration: a limiter that takes longer
// than this is a mistake, not a setting.
const maxRefill = 100 * 365 * 24 * time.Hour

// CheckRate returns the EINVALID error RateLimiter.Reserve gives for rate and
// burst, or nil. Implementations share it so they refuse the same arguments.
func CheckRate(rate float64, burst int) error {
	if !(rate > 0) || math.IsInf(rate, 1) {
		return Errorf(EINVALID, "A send rate must be a positive number per second, not %v.", rate)
	}
	if burst < 1 {
		return Errorf(EINVALID, "A burst must be at least 1, not %d.", burst)
	}
	if float64(burst)/rate*float64(time.Second) > float64(maxRefill) {
		return Errorf(EINVALID, "A burst of %d at %v per second takes too long to refill.", burst, rate)
	}
	return nil
}
