package bot

import (
	"context"
	"time"
)

// How adapters de-duplicate what platforms send more than once: they
// claim each inbound event in the EventLog, hand it to the core, and
// settle it.

// EventState is where an inbound event stands in the EventLog.
type EventState int

// Event states.
const (
	EventNew      EventState = iota // no live record: the caller now holds it and handles it
	EventHandling                   // another request is handling it now
	EventDone                       // handled: acknowledge and drop
)

// EventLog records which inbound events are being handled or were handled
// — a Slack event id, a Teams activity id, the hash of a signed slash
// command or interaction — in the database, next to what handling them
// stores. A platform's retry is then handled exactly once across replicas,
// whether or not Redis is up, and a retry of an event whose handler
// failed (the store was down) is handled again.
type EventLog interface {
	// BeginEvent claims key until now+hold and returns EventNew when no
	// record of key is live at now; otherwise it changes nothing and
	// returns the record's state. A claim whose hold ran out (its handler
	// died) is not live. Of any number of concurrent calls for one key, on
	// any replicas, exactly one gets EventNew.
	BeginEvent(ctx context.Context, key string, now time.Time, hold time.Duration) (EventState, error)
	EventOutcomes
	// PruneEvents deletes the records that expired by now and returns how
	// many it deleted.
	PruneEvents(ctx context.Context, now time.Time) (int, error)
}

// EventOutcomes records how handling a claimed inbound event ended (see
// EventLog and SettleEvent).
type EventOutcomes interface {
	// FinishEvent records key as handled until now+keep.
	FinishEvent(ctx context.Context, key string, now time.Time, keep time.Duration) error
	// ReleaseEvent deletes key's record, so that the platform's retry is
	// handled; releasing a missing key is not an error.
	ReleaseEvent(ctx context.Context, key string) error
}

// SettleEvent records the outcome of handling the inbound event key, which
// an adapter claimed with BeginEvent (an empty key was never claimed):
// handled — the core stored what it had to, or refused in plain words —
// is finished and kept until now+keep; an internal failure (handleErr's
// code is EINTERNAL) is released, so that the platform's retry is
// handled. It writes within the given time on a context of its own, since
// the handling may have used up ctx's (a platform waiting for its ack
// bounds it). It reports whether the event was handled, and why the
// record could not be written (then a claim runs out by itself).
func SettleEvent(ctx context.Context, l EventOutcomes, key string, now time.Time, keep, within time.Duration, handleErr error) (handled bool, recordErr error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), within)
	defer cancel()
	handled = ErrorCode(handleErr) != EINTERNAL
	switch {
	case key == "":
	case handled:
		recordErr = l.FinishEvent(ctx, key, now, keep)
	default:
		recordErr = l.ReleaseEvent(ctx, key)
	}
	return handled, recordErr
}
