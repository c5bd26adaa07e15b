package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

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
	work := make(chan *bot.Delivery)
	results := make(chan outcome, s.workers)
	var wg sync.WaitGroup
	for range min(s.workers, len(ds)) {
		wg.Go(func() {
			for d := range work {
				results <- s.sendOne(ctx, d)
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
	var unsent []*bot.Delivery
feed:
	for i, d := range ds {
		if ctx.Err() != nil {
			unsent = ds[i:]
			break
		}
		select {
		case work <- d:
		case <-ctx.Done():
			unsent = ds[i:]
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(results)
	rec := <-recDone
	s.release(ctx, unsent)
	return rec.n, rec.err
}

// outcome is what became of one claimed delivery.
type outcome struct {
	d      *bot.Delivery
	record bool  // d holds an outcome still to be stored
	cause  error // permanent failure: suspend the person's schedule after recording
	err    error // the outcome could not be found or stored
}

// recordBatch bounds how many outcomes one write stores.
const recordBatch = 256

// recordAll stores outcomes as they arrive: whatever is waiting is written
// together, so batches grow with the load and a lone send is written at
// once. It returns how many deliveries were handled.
func (s *Scheduler) recordAll(ctx context.Context, results <-chan outcome) (int, error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var (
		n        int
		firstErr error
		batch    []outcome
		ds       []*bot.Delivery
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
		ds = ds[:0]
		for _, o := range batch {
			if o.record {
				ds = append(ds, o.d)
			}
		}
		wctx, cancelWrite := context.WithTimeout(ctx, s.sendLimit)
		err := s.store.UpdateDeliveries(wctx, ds)
		cancelWrite()
		if err != nil {
			firstErr = cmp.Or(firstErr, fmt.Errorf("record %d deliveries: %w", len(ds), err))
			continue // their leases run out and they are tried again
		}
		for _, o := range batch {
			switch {
			case o.err != nil:
				firstErr = cmp.Or(firstErr, o.err)
			case o.cause != nil:
				s.suspend(ctx, o.d, o.cause, o.d.UpdatedAt)
				n++
			default:
				n++
			}
		}
	}
	return n, firstErr
}

// release gives claimed deliveries back, unsent and with the attempt
// uncounted, so another sender takes them at once.
func (s *Scheduler) release(ctx context.Context, ds []*bot.Delivery) {
	if len(ds) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.sendLimit)
	defer cancel()
	for _, d := range ds {
		d.LeaseUntil, d.Attempts, d.UpdatedAt = time.Time{}, max(d.Attempts-1, 0), s.clock.Now().UTC()
		if err := s.store.UpdateDelivery(ctx, d); err != nil {
			// Its lease runs out instead; it is sent late, not lost.
			s.log.WarnContext(ctx, "release delivery", "delivery", d.ID, "err", err)
		}
	}
}

var errMissed = errors.New("missed")

// sendOne delivers one claimed delivery and returns the outcome to record.
// The send runs to the end even when ctx is cancelled meanwhile, so a
// message that went out is recorded and never sent again.
func (s *Scheduler) sendOne(ctx context.Context, d *bot.Delivery) outcome {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.sendLimit)
	defer cancel()
	now := s.clock.Now().UTC()
	kind := string(d.Kind)
	log := s.log.With("delivery", d.ID, "kind", d.Kind, "period", d.Period, "person", d.PersonID)
	if !d.LeaseUntil.IsZero() && d.LeaseUntil.Sub(now) < s.lease/4 {
		// Claimed so long ago (a slow batch behind a rate limit) that the
		// lease may run out mid-send and another sender take it too.
		s.release(ctx, []*bot.Delivery{d})
		return outcome{d: d}
	}
	if d.Kind == bot.DeliveryReminder {
		if later, err := s.holdReminder(ctx, d, now); err != nil || later {
			return outcome{d: d, err: err}
		}
	}
	start := time.Now()
	ref, needed, err := s.attempt(ctx, d, now)
	s.metrics.SendLatency.WithLabelValues(kind).Observe(time.Since(start).Seconds())
	now = s.clock.Now().UTC()
	d.LeaseUntil, d.UpdatedAt = time.Time{}, now
	var permanent error
	switch {
	case errors.Is(err, errMissed):
		d.State = bot.DeliveryMissed
		s.metrics.Missed.WithLabelValues(kind).Inc()
		log.WarnContext(ctx, "delivery missed", "due", d.DueAt, "grace", s.grace)
	case err == nil && !needed:
		d.State = bot.DeliverySkipped
		s.metrics.Skipped.WithLabelValues(kind).Inc()
	case err == nil:
		d.State, d.MessageRef, d.SentAt = bot.DeliverySent, ref, now
		s.metrics.Sent.WithLabelValues(kind).Inc()
		s.metrics.Lateness.WithLabelValues(kind).Observe(max(now.Sub(d.DueAt), 0).Seconds())
	case bot.ErrorCode(err) == bot.EFORBIDDEN || bot.ErrorCode(err) == bot.ENOTFOUND:
		d.State, d.LastError, permanent = bot.DeliveryFailed, err.Error(), err
		s.metrics.Failed.WithLabelValues(kind).Inc()
		log.WarnContext(ctx, "delivery failed for good", "err", err)
	case d.Attempts >= s.maxTry:
		d.State, d.LastError = bot.DeliveryFailed, err.Error()
		s.metrics.Failed.WithLabelValues(kind).Inc()
		log.ErrorContext(ctx, "delivery failed after retries", "attempts", d.Attempts, "err", err)
	default:
		// Transient: the lease holds it until the retry is due.
		d.LastError = err.Error()
		d.LeaseUntil = now.Add(s.backoff(d.Attempts, err))
		s.metrics.Retried.WithLabelValues(kind).Inc()
		log.WarnContext(ctx, "delivery will be retried", "attempts", d.Attempts, "at", d.LeaseUntil, "err", err)
	}
	return outcome{d: d, record: true, cause: permanent}
}

func (s *Scheduler) attempt(ctx context.Context, d *bot.Delivery, now time.Time) (string, bool, error) {
	if now.Sub(d.DueAt) > s.grace {
		return "", false, errMissed
	}
	return s.deliver.Deliver(ctx, d)
}

// holdReminder checks a reminder against its day's check-in: not needed
// when the check-in never went out or reminders were turned off, and due
// ReminderDelay after the check-in was actually sent (later than planned
// when the check-in went out late). later reports that the reminder is not
// to be sent now (and was recorded so).
func (s *Scheduler) holdReminder(ctx context.Context, d *bot.Delivery, now time.Time) (later bool, err error) {
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
		s.release(ctx, []*bot.Delivery{d})
		return true, fmt.Errorf("check reminder %d: %w", d.ID, err)
	}
	d.LeaseUntil, d.UpdatedAt = time.Time{}, now
	switch {
	case daily == nil || delay <= 0 || daily.State == bot.DeliveryMissed || daily.State == bot.DeliveryFailed ||
		daily.State == bot.DeliverySkipped:
		d.State = bot.DeliverySkipped
		s.metrics.Skipped.WithLabelValues(string(d.Kind)).Inc()
	case daily.State == bot.DeliverySent:
		due := daily.SentAt.Add(delay)
		if !due.After(now) {
			return false, nil
		}
		d.DueAt, d.Attempts = due, max(d.Attempts-1, 0)
	default:
		// The check-in is still pending or being retried: ask again soon.
		d.LeaseUntil, d.Attempts = now.Add(s.retryBase), max(d.Attempts-1, 0)
	}
	if err := s.store.UpdateDelivery(ctx, d); err != nil {
		return true, fmt.Errorf("record reminder %d: %w", d.ID, err)
	}
	return true, nil
}

// suspend stops the person's schedule after a permanent failure, so no
// further prompt loops into the same wall, and tells whoever should know.
func (s *Scheduler) suspend(ctx context.Context, d *bot.Delivery, cause error, now time.Time) {
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
