package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smart90/smart90/bot"
)

// Drain claims and sends due deliveries until none is left or ctx is done;
// it returns how many it handled. Each claimed batch is sent by up to
// Workers goroutines. When ctx is cancelled it stops claiming, lets sends
// already under way finish (each within SendTimeout) and releases the
// deliveries it claimed but did not start, for another sender to take.
func (s *Scheduler) Drain(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		now := s.clock.Now().UTC()
		ds, err := s.store.ClaimDeliveries(ctx, now, s.lease, s.batch)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return n, fmt.Errorf("claim deliveries: %w", err)
		}
		done, err := s.sendAll(ctx, ds)
		n += done
		if err != nil {
			return n, err
		}
		if len(ds) < s.batch {
			return n, nil
		}
	}
	return n, nil
}

// sendAll sends a claimed batch with up to Workers at once, and records
// the outcomes in batches as they come (one round trip for many sends, and
// a sent message is recorded moments after it went out).
func (s *Scheduler) sendAll(ctx context.Context, ds []*bot.Delivery) (int, error) {
	work := make(chan claim)
	results := make(chan outcome, s.workers)
	var wg sync.WaitGroup
	for range min(s.workers, len(ds)) {
		wg.Go(func() {
			for c := range work {
				results <- s.sendOne(ctx, c)
			}
		})
	}
	type recorded struct {
		n   int
		err error
	}
	recDone := make(chan recorded, 1)
	go func() {
		n, err := s.recordAll(ctx, results)
		recDone <- recorded{n, err}
	}()
	var unsent []outcome
feed:
	for i, d := range ds {
		c := claim{d, d.LeaseUntil}
		if ctx.Err() == nil {
			select {
			case work <- c:
				continue
			case <-ctx.Done():
			}
		}
		for _, d := range ds[i:] {
			unsent = append(unsent, s.released(claim{d, d.LeaseUntil}, 0))
		}
		break feed
	}
	close(work)
	// Give back what was not started now, not after the sends under way.
	if len(unsent) > 0 {
		if _, err := s.storeOutcomes(ctx, unsent); err != nil {
			s.log.WarnContext(ctx, "release deliveries; their leases run out instead", "n", len(unsent), "err", err)
		}
	}
	wg.Wait()
	close(results)
	rec := <-recDone
	return rec.n, rec.err
}

// claim is a claimed delivery and the lease the claim set: the fence of
// every write about it.
type claim struct {
	d     *bot.Delivery
	lease time.Time
}

// outcome is what became of one claimed delivery, to be stored.
type outcome struct {
	claim
	count *prometheus.CounterVec // counted once stored; nil: not counted
	sent  bool                   // observe lateness once stored
	cause error                  // a permanent failure: suspend the schedule once stored
}

// recordBatch bounds how many outcomes one write stores.
const recordBatch = 256

// recordAll stores outcomes as they arrive: whatever is waiting is written
// together, so batches grow with the load and a lone send is written at
// once. It returns how many deliveries were handled.
func (s *Scheduler) recordAll(ctx context.Context, results <-chan outcome) (int, error) {
	var (
		n        int
		firstErr error
		batch    []outcome
	)
	for o := range results {
		batch = append(batch[:0], o)
	more:
		for len(batch) < recordBatch {
			select {
			case o, ok := <-results:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		stored, err := s.storeOutcomes(ctx, batch)
		if err != nil {
			// Their leases run out and they are tried again.
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		n += stored
	}
	return n, firstErr
}

// store_ writes outcomes fenced by their leases, then counts and follows
// up on those stored. An outcome whose lease another sender took since is
// dropped: that sender's outcome stands.
func (s *Scheduler) storeOutcomes(ctx context.Context, outs []outcome) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.sendLimit)
	defer cancel()
	ds, leases := make([]*bot.Delivery, len(outs)), make([]time.Time, len(outs))
	for i, o := range outs {
		ds[i], leases[i] = o.d, o.lease
	}
	lost, err := s.store.UpdateDeliveries(ctx, ds, leases)
	if err != nil {
		return 0, fmt.Errorf("record %d deliveries: %w", len(ds), err)
	}
	stored := 0
	for _, o := range outs {
		if slices.Contains(lost, o.d.ID) {
			s.log.WarnContext(ctx, "delivery outcome dropped: its lease ran out and another sender took it, or it is gone",
				"delivery", o.d.ID, "kind", o.d.Kind, "state", o.d.State)
			continue
		}
		stored++
		kind := string(o.d.Kind)
		if o.count != nil {
			o.count.WithLabelValues(kind).Inc()
		}
		if o.sent {
			s.metrics.Lateness.WithLabelValues(kind).Observe(max(o.d.SentAt.Sub(o.d.DueAt), 0).Seconds())
		}
		if o.cause != nil {
			s.suspend(ctx, o.d, o.cause, o.d.UpdatedAt)
		}
	}
	return stored, nil
}

// released is the outcome of giving a claimed delivery back unsent, with
// the attempt uncounted, for any sender to take after wait.
func (s *Scheduler) released(c claim, wait time.Duration) outcome {
	now := s.clock.Now().UTC()
	d := c.d
	d.LeaseUntil, d.Attempts, d.UpdatedAt = time.Time{}, max(d.Attempts-1, 0), now
	if wait > 0 {
		d.LeaseUntil = now.Add(wait)
	}
	return outcome{claim: c}
}

var errMissed = errors.New("missed")

// sendOne delivers one claimed delivery and returns the outcome to record.
// The send runs to the end even when ctx is cancelled meanwhile, so a
// message that went out is recorded and never sent again.
func (s *Scheduler) sendOne(ctx context.Context, c claim) outcome {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.sendLimit)
	defer cancel()
	d := c.d
	now := s.clock.Now().UTC()
	log := s.log.With("delivery", d.ID, "kind", d.Kind, "period", d.Period, "person", d.PersonID)
	if c.lease.Sub(now) < 2*s.sendLimit {
		// Claimed so long ago (a slow batch behind a rate limit) that the
		// lease could run out before this send is recorded, and another
		// sender send it too.
		return s.released(c, 0)
	}
	if d.Kind == bot.DeliveryReminder {
		if o, send := s.holdReminder(ctx, c, now); !send {
			return o
		}
	}
	if now.Sub(d.DueAt) > s.grace {
		log.WarnContext(ctx, "delivery missed", "due", d.DueAt, "grace", s.grace)
		d.State, d.LeaseUntil, d.UpdatedAt = bot.DeliveryMissed, time.Time{}, now
		return outcome{claim: c, count: s.metrics.Missed}
	}
	start := time.Now()
	ref, needed, err := s.deliver.Deliver(ctx, d)
	s.metrics.SendLatency.WithLabelValues(string(d.Kind)).Observe(time.Since(start).Seconds())
	now = s.clock.Now().UTC()
	d.LeaseUntil, d.UpdatedAt = time.Time{}, now
	switch {
	case err == nil && !needed:
		d.State = bot.DeliverySkipped
		return outcome{claim: c, count: s.metrics.Skipped}
	case err == nil:
		d.State, d.MessageRef, d.SentAt = bot.DeliverySent, ref, now
		return outcome{claim: c, count: s.metrics.Sent, sent: true}
	case errors.Is(err, bot.ErrThrottled):
		// Nothing went out: the rate limiter had no room in time. Not a
		// failed attempt; any sender may take it again shortly.
		return s.released(c, time.Second)
	case bot.ErrorCode(err) == bot.EFORBIDDEN || bot.ErrorCode(err) == bot.ENOTFOUND:
		d.State, d.LastError = bot.DeliveryFailed, err.Error()
		log.WarnContext(ctx, "delivery failed for good", "err", err)
		return outcome{claim: c, count: s.metrics.Failed, cause: err}
	case d.Attempts >= s.maxTry:
		d.State, d.LastError = bot.DeliveryFailed, err.Error()
		log.ErrorContext(ctx, "delivery failed after retries", "attempts", d.Attempts, "err", err)
		return outcome{claim: c, count: s.metrics.Failed}
	default:
		// Transient: the lease holds it until the retry is due.
		d.LastError = err.Error()
		d.LeaseUntil = now.Add(s.backoff(d.Attempts, err))
		log.WarnContext(ctx, "delivery will be retried", "attempts", d.Attempts, "at", d.LeaseUntil, "err", err)
		return outcome{claim: c, count: s.metrics.Retried}
	}
}

// holdReminder checks a reminder against its day's check-in: not needed
// when the check-in never went out or reminders were turned off, and due
// ReminderDelay after the check-in was actually sent (later than planned
// when the check-in went out late). When send is false, o is the outcome
// to record instead of sending.
func (s *Scheduler) holdReminder(ctx context.Context, c claim, now time.Time) (o outcome, send bool) {
	d := c.d
	daily, err := s.store.DeliveryByKey(ctx, d.PersonID, bot.DeliveryDaily, d.Period)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		daily, err = nil, nil
	}
	var delay time.Duration
	if err == nil {
		var e *bot.Engagement
		if e, err = s.store.Engagement(ctx, d.EngagementID); err == nil {
			delay = e.ReminderDelay
		} else if bot.ErrorCode(err) == bot.ENOTFOUND {
			err = nil
		}
	}
	if err != nil {
		s.log.WarnContext(ctx, "check reminder; trying again soon", "delivery", d.ID, "err", err)
		return s.released(c, s.retryBase), false
	}
	switch {
	case daily == nil || delay <= 0 || daily.State == bot.DeliveryMissed || daily.State == bot.DeliveryFailed ||
		daily.State == bot.DeliverySkipped:
		d.State, d.LeaseUntil, d.UpdatedAt = bot.DeliverySkipped, time.Time{}, now
		return outcome{claim: c, count: s.metrics.Skipped}, false
	case daily.State == bot.DeliverySent:
		due := daily.SentAt.Add(delay)
		if !due.After(now) {
			return outcome{}, true
		}
		o := s.released(c, 0)
		d.DueAt = due
		return o, false
	default:
		// The check-in is still pending or being retried: ask again soon.
		return s.released(c, s.retryBase), false
	}
}

// suspend stops the person's schedule after a permanent failure, so no
// further prompt loops into the same wall, and tells whoever should know.
func (s *Scheduler) suspend(ctx context.Context, d *bot.Delivery, cause error, now time.Time) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.sendLimit)
	defer cancel()
	kinds := []bot.DeliveryKind{bot.DeliveryDaily, bot.DeliveryWeekly}
	if d.Kind == bot.DeliveryDigest {
		kinds = []bot.DeliveryKind{bot.DeliveryDigest}
	}
	if err := s.store.SuspendSchedules(ctx, d.PersonID, now, bot.ErrorMessage(cause), kinds...); err != nil {
		s.log.ErrorContext(ctx, "suspend schedules", "person", d.PersonID, "err", err)
	}
	if n, ok := s.deliver.(UndeliverableNotifier); ok {
		n.Undeliverable(ctx, d, cause)
	}
}

// RetryAfterError is implemented by errors that say when to try again (a
// platform's 429 with Retry-After).
type RetryAfterError interface {
	error
	RetryAfter() time.Duration
}

// backoff returns the delay before the next attempt: RetryBase doubled per
// attempt up to RetryMax, with "equal jitter" (half fixed, half random) so
// that replicas retrying a shared outage spread out, and never sooner than
// the platform asked.
func (s *Scheduler) backoff(attempts int, err error) time.Duration {
	d := s.retryBase << min(max(attempts-1, 0), 20)
	if d > s.retryMax || d <= 0 {
		d = s.retryMax
	}
	s.jitterMu.Lock()
	j := time.Duration(s.jitter.Int64N(int64(d/2) + 1))
	s.jitterMu.Unlock()
	d = d/2 + j
	var ra RetryAfterError
	if errors.As(err, &ra) && ra.RetryAfter() > d {
		d = ra.RetryAfter()
	}
	return d
}
