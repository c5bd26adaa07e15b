package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smart90/smart90/bot"
)

// Drain claims and sends due deliveries until none is left or ctx is done;
// it returns how many it handled. Up to Drainers loops claim and send at
// once, so that one claims while another records, each sending its batch
// with its share of the Workers goroutines. A loop stops at a batch
// shorter than Batch; after an error the others stop after their batch.
// When ctx is cancelled it stops claiming, lets sends already under way
// finish (each within SendTimeout), releases the deliveries it claimed
// but did not start, for another sender to take, and tries once more to
// write the outcomes it could not write before.
func (s *Scheduler) Drain(ctx context.Context) (int, error) {
	defer func() {
		if ctx.Err() != nil {
			s.flushHeld(ctx)
		}
	}()
	loops := max(min(s.drainers, s.workers), 1)
	var (
		mu       sync.Mutex
		total    int
		firstErr error
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	for i := range loops {
		// The Workers shared out: the first loops take the remainder.
		workers := s.workers / loops
		if i < s.workers%loops {
			workers++
		}
		wg.Go(func() {
			n, err := s.drainLoop(ctx, workers, &stop)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil {
				stop.Store(true)
				firstErr = cmp.Or(firstErr, err)
			}
		})
	}
	wg.Wait()
	return total, firstErr
}

// drainLoop claims and sends batch after batch, with workers at once,
// until a batch is short, ctx is done, or stop is set.
func (s *Scheduler) drainLoop(ctx context.Context, workers int, stop *atomic.Bool) (int, error) {
	n := 0
	for ctx.Err() == nil && !stop.Load() {
		ds, err := s.claim(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return n, fmt.Errorf("claim deliveries: %w", err)
		}
		done, err := s.sendAll(ctx, ds, workers)
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

// claim writes the outcomes held in memory, then claims a batch. The two
// are one step for the replica, so that a delivery whose outcome is held
// is either written before the claim or still held when claimed again.
//
// A stop (ctx cancelled) does not cut a claim short: the database may
// have stored the claim when the cancel reaches it, and a batch claimed
// but never returned would wait out its lease. The claim finishes (within
// SendTimeout) and sendAll gives the batch back at once.
func (s *Scheduler) claim(ctx context.Context) ([]*bot.Delivery, error) {
	s.claimMu.Lock()
	defer s.claimMu.Unlock()
	s.flushHeld(ctx)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.sendLimit)
	defer cancel()
	return s.store.ClaimDeliveries(cctx, s.clock.Now().UTC(), s.lease, s.batch)
}

// BatchDeliverer is a Deliverer that reads what a claimed batch needs in
// one go (bot.Bot implements it): the scheduler calls DeliveryContexts
// once per claimed batch, then DeliverWith for each delivery with its
// context, or with nil (read it alone) when the batch read failed, left
// the delivery out, or is older than contextFresh when its send starts.
// DeliverWith has Deliver's contract. It must be safe for concurrent use.
type BatchDeliverer interface {
	Deliverer
	DeliveryContexts(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error)
	DeliverWith(ctx context.Context, d *bot.Delivery, dc *bot.DeliveryContext) (ref string, needed bool, err error)
}

// contextFresh bounds how old a batch's context may be when a send starts:
// a send that waited longer (behind a rate limit) reads its own, so a
// check-in answered or an engagement paused meanwhile is seen as when
// each send read everything itself.
const contextFresh = 2 * time.Second

// prefetched is a delivery's context read with its batch, and when.
type prefetched struct {
	dc   *bot.DeliveryContext
	read time.Time
}

// job is a claimed delivery handed to a sending worker.
type job struct {
	claim
	pre prefetched
}

// prefetch reads the context of a claimed batch when the Deliverer can
// (BatchDeliverer); nil when it cannot or the read failed (each send then
// reads its own).
func (s *Scheduler) prefetch(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, time.Time) {
	bd, ok := s.deliver.(BatchDeliverer)
	if !ok || len(ds) == 0 {
		return nil, time.Time{}
	}
	ctx, cancel := context.WithTimeout(ctx, s.sendLimit)
	defer cancel()
	read := s.clock.Now()
	dcs, err := bd.DeliveryContexts(ctx, ds)
	if err != nil {
		s.log.WarnContext(ctx, "read the context of claimed deliveries; each send reads its own", "n", len(ds), "err", err)
		return nil, time.Time{}
	}
	return dcs, read
}

// sendAll sends a claimed batch with up to workers at once, and records
// the outcomes in batches as they come (one round trip for many sends, and
// a sent message is recorded moments after it went out). Outcomes wait
// for the recorder in a buffer the size of the batch, so that no worker
// waits for a write, and a write takes whatever came meanwhile.
func (s *Scheduler) sendAll(ctx context.Context, ds []*bot.Delivery, workers int) (int, error) {
	dcs, read := s.prefetch(ctx, ds)
	work := make(chan job)
	results := make(chan outcome, len(ds))
	var wg sync.WaitGroup
	for range min(workers, len(ds)) {
		wg.Go(func() {
			for j := range work {
				results <- s.sendWith(ctx, j.claim, j.pre)
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
		j := job{claim{d, d.LeaseUntil}, prefetched{dcs[d.ID], read}}
		if ctx.Err() == nil {
			select {
			case work <- j:
				continue
			case <-ctx.Done():
			}
		}
		for _, d := range ds[i:] {
			unsent = append(unsent, s.released(claim{d, d.LeaseUntil}, 0, releaseShutdown))
		}
		break feed
	}
	close(work)
	// Give back what was not started now, not after the sends under way.
	if len(unsent) > 0 {
		if _, _, err := s.storeOutcomes(ctx, unsent, false); err != nil {
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
	count   *prometheus.CounterVec // counted once stored; nil: not counted
	sent    bool                   // observe lateness once stored
	cause   error                  // a permanent failure: suspend the schedule once stored
	release string                 // given back unsent, for this reason
}

// reached reports whether something of the outcome's delivery reached the
// platform: sending it again in full would repeat it.
func (o outcome) reached() bool {
	return o.d.State == bot.DeliverySent || o.d.PartsSent > 0
}

// recordBatch bounds how many outcomes one write stores.
const recordBatch = 256

// recordAll stores outcomes as they arrive: whatever is waiting is written
// together, so batches grow with the load and a lone send is written at
// once. It returns how many deliveries were handled, and an error when
// some outcomes could not be written (they are held, see record).
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
		stored, err := s.record(ctx, batch)
		firstErr = cmp.Or(firstErr, err)
		n += stored
	}
	return n, firstErr
}

// Outcome writes that fail are tried again after writeRetryBase, doubling
// up to writeRetryMax, with jitter: a database restarting (a managed
// database's failover) is back within seconds.
const (
	writeRetryBase = 250 * time.Millisecond
	writeRetryMax  = 8 * time.Second
)

// record writes a batch of outcomes, trying again while the database does
// not answer for as long as the claims' leases hold: until then no other
// sender can take these deliveries and send them again. When the leases
// run out first (or the sender stops: then within SendTimeout), the
// outcomes are held in memory: written at the next claim, and recorded
// instead of sent should this replica claim one of them again.
func (s *Scheduler) record(ctx context.Context, batch []outcome) (int, error) {
	fence := batch[0].lease
	for _, o := range batch[1:] {
		if o.lease.Before(fence) {
			fence = o.lease
		}
	}
	var stopBy time.Time // once stopping, writes get one more SendTimeout
	for try := 0; ; try++ {
		stored, lost, err := s.storeOutcomes(ctx, batch, try > 0)
		if err == nil {
			s.keepLost(lost)
			return stored, nil
		}
		s.metrics.OutcomeWriteFailures.Inc()
		now := s.clock.Now()
		if ctx.Err() != nil && stopBy.IsZero() {
			stopBy = now.Add(s.sendLimit)
		}
		limit := fence
		if !stopBy.IsZero() && stopBy.Before(limit) {
			limit = stopBy
		}
		wait := s.writeBackoff(try)
		if !now.Add(wait).Before(limit) {
			s.hold(batch)
			s.log.ErrorContext(ctx, "record delivery outcomes: held in memory until they can be written; this replica will not send them again",
				"n", len(batch), "tries", try+1, "err", err)
			return 0, err
		}
		s.log.WarnContext(ctx, "record delivery outcomes; trying again", "n", len(batch), "try", try+1, "in", wait, "err", err)
		sleepCtx := ctx
		if ctx.Err() != nil {
			sleepCtx = context.WithoutCancel(ctx)
		}
		// Cut short when the sender stops meanwhile: the next turn then
		// counts from the stop.
		_ = s.sleep(sleepCtx, wait)
		s.metrics.OutcomeWriteRetries.Inc()
	}
}

// writeBackoff returns the wait before retrying an outcome write for the
// try+1st time.
func (s *Scheduler) writeBackoff(try int) time.Duration {
	d := min(writeRetryBase<<min(try, 10), writeRetryMax)
	s.jitterMu.Lock()
	defer s.jitterMu.Unlock()
	return d/2 + time.Duration(s.jitter.Int64N(int64(d/2)+1))
}

// storeOutcomes writes outcomes fenced by their leases, then counts and
// follows up on those stored. It returns the outcomes not stored because
// another sender took their delivery since (that sender's outcome stands)
// or the delivery is gone. again says an earlier write of the same
// outcomes failed, and may have been stored all the same.
func (s *Scheduler) storeOutcomes(ctx context.Context, outs []outcome, again bool) (int, []outcome, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.sendLimit)
	defer cancel()
	ds, leases := make([]*bot.Delivery, len(outs)), make([]time.Time, len(outs))
	for i, o := range outs {
		ds[i], leases[i] = o.d, o.lease
	}
	lostIDs, err := s.store.UpdateDeliveries(ctx, ds, leases)
	if err != nil {
		return 0, nil, fmt.Errorf("record %d deliveries: %w", len(ds), err)
	}
	var (
		stored   int
		lost     []outcome
		released = map[string]int{}
	)
	for _, o := range outs {
		if slices.Contains(lostIDs, o.d.ID) && !s.landed(ctx, o, again) {
			lost = append(lost, o)
			continue
		}
		stored++
		kind := string(o.d.Kind)
		if o.count != nil {
			o.count.WithLabelValues(kind).Inc()
		}
		if o.release != "" {
			s.metrics.Released.WithLabelValues(kind, o.release).Inc()
			released[o.release]++
		}
		if o.sent {
			s.metrics.Lateness.WithLabelValues(kind).Observe(max(o.d.SentAt.Sub(o.d.DueAt), 0).Seconds())
		}
		if o.cause != nil {
			s.suspend(ctx, o.d, o.cause, o.d.UpdatedAt)
		}
	}
	for _, reason := range slices.Sorted(maps.Keys(released)) {
		s.log.InfoContext(ctx, "deliveries given back unsent, no attempt counted", "n", released[reason], "reason", reason)
	}
	return stored, lost, nil
}

// landed tells apart why an outcome's write was refused: it is gone (its
// person deleted their data), an earlier write of it that seemed to fail
// was stored after all, or another sender took the delivery over (logged
// and counted). It reports whether the outcome is stored.
func (s *Scheduler) landed(ctx context.Context, o outcome, again bool) bool {
	d := o.d
	now, err := s.store.Delivery(ctx, d.ID)
	switch {
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		s.log.InfoContext(ctx, "delivery outcome dropped: the delivery is gone", "delivery", d.ID, "kind", d.Kind)
		return false
	case err == nil && again && now.State == d.State && now.MessageRef == d.MessageRef && now.PartsSent == d.PartsSent &&
		now.LeaseUntil.Equal(d.LeaseUntil.Truncate(time.Microsecond)) && now.UpdatedAt.Equal(d.UpdatedAt.Truncate(time.Microsecond)):
		*d = *now
		return true
	}
	s.metrics.LeaseLost.WithLabelValues(string(d.Kind)).Inc()
	log := s.log.WarnContext
	if o.reached() {
		log = s.log.ErrorContext // the other sender may send it again
	}
	log(ctx, "delivery outcome dropped: its lease ran out and another sender took it over",
		"delivery", d.ID, "kind", d.Kind, "state", d.State, "parts_sent", d.PartsSent, "lease", o.lease, "err", err)
	return false
}

// released is the outcome of giving a claimed delivery back unsent, with
// the attempt uncounted, for any sender to take after wait. reason, when
// set, counts it as given back (Metrics.Released).
func (s *Scheduler) released(c claim, wait time.Duration, reason string) outcome {
	now := s.clock.Now().UTC()
	d := c.d
	d.LeaseUntil, d.Attempts, d.UpdatedAt = time.Time{}, max(d.Attempts-1, 0), now
	if wait > 0 {
		d.LeaseUntil = now.Add(wait)
	}
	return outcome{claim: c, release: reason}
}

// sendOne delivers one claimed delivery and returns the outcome to record.
// The send runs to the end even when ctx is cancelled meanwhile, so a
// message that went out is recorded and never sent again.
func (s *Scheduler) sendOne(ctx context.Context, c claim) outcome {
	return s.sendWith(ctx, c, prefetched{})
}

// sendWith is sendOne with the delivery's context read with its batch.
func (s *Scheduler) sendWith(ctx context.Context, c claim, pre prefetched) outcome {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.sendLimit)
	defer cancel()
	d := c.d
	now := s.clock.Now().UTC()
	log := s.log.With("delivery", d.ID, "kind", d.Kind, "period", d.Period, "person", d.PersonID)
	if o, ok := s.recall(ctx, c, now); ok {
		return o
	}
	if c.lease.Sub(now) < 2*s.sendLimit {
		// Claimed so long ago (a slow batch behind a rate limit) that the
		// lease could run out before this send is recorded, and another
		// sender send it too.
		return s.released(c, 0, releaseLease)
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
	var (
		ref    string
		needed bool
		err    error
	)
	if bd, ok := s.deliver.(BatchDeliverer); ok {
		dc := pre.dc
		if dc != nil && now.Sub(pre.read) > contextFresh {
			dc = nil
		}
		ref, needed, err = bd.DeliverWith(ctx, d, dc)
	} else {
		ref, needed, err = s.deliver.Deliver(ctx, d)
	}
	s.metrics.SendLatency.WithLabelValues(string(d.Kind)).Observe(time.Since(start).Seconds())
	now = s.clock.Now().UTC()
	d.LeaseUntil, d.UpdatedAt = time.Time{}, now
	var partial *bot.PartialSendError
	if errors.As(err, &partial) {
		// Some parts went out: the retry resumes after them, and the
		// message is known by its first part.
		d.MessageRef = cmp.Or(d.MessageRef, partial.Ref)
		d.PartsSent += partial.Sent
		log = log.With("parts_sent", d.PartsSent)
	}
	wait := bot.RetryAfter(err)
	switch {
	case err == nil && !needed:
		d.State = bot.DeliverySkipped
		return outcome{claim: c, count: s.metrics.Skipped}
	case err == nil:
		d.State, d.MessageRef, d.SentAt, d.PartsSent = bot.DeliverySent, cmp.Or(d.MessageRef, ref), now, 0
		return outcome{claim: c, count: s.metrics.Sent, sent: true}
	case errors.Is(err, bot.ErrThrottled):
		// Nothing (more) went out: the rate limiter had no room in time.
		// Not a failed attempt; any sender may take it again shortly.
		return s.released(c, time.Second, releaseThrottled)
	case bot.ErrorCode(err) == bot.EFORBIDDEN || bot.ErrorCode(err) == bot.ENOTFOUND:
		d.State, d.LastError = bot.DeliveryFailed, err.Error()
		log.WarnContext(ctx, "delivery failed for good", "err", err)
		return outcome{claim: c, count: s.metrics.Failed, cause: err}
	case wait > 0:
		// The platform said "wait", not "fail": no attempt is counted, and
		// the retry comes exactly when asked (missed only past the grace
		// window, as any late delivery).
		d.Attempts = max(d.Attempts-1, 0)
		d.LastError, d.LeaseUntil = err.Error(), now.Add(wait)
		log.InfoContext(ctx, "delivery will be retried when the platform asked", "at", d.LeaseUntil, "err", err)
		return outcome{claim: c, count: s.metrics.Retried}
	case d.Attempts >= s.maxTry:
		d.State, d.LastError = bot.DeliveryFailed, err.Error()
		log.ErrorContext(ctx, "delivery failed after retries", "attempts", d.Attempts, "err", err)
		return outcome{claim: c, count: s.metrics.Failed}
	default:
		// Transient: the lease holds it until the retry is due.
		d.LastError = err.Error()
		d.LeaseUntil = now.Add(s.backoff(d.Attempts))
		log.WarnContext(ctx, "delivery will be retried", "attempts", d.Attempts, "at", d.LeaseUntil, "err", err)
		return outcome{claim: c, count: s.metrics.Retried}
	}
}

// holdReminder loads a reminder's day's check-in delivery and engagement
// and asks the core's reminder rule (bot.ReminderDue) what to do: send it,
// record it skipped, move it to the instant it is due (the check-in went
// out late), or ask again soon. When send is false, o is the outcome to
// record instead of sending.
func (s *Scheduler) holdReminder(ctx context.Context, c claim, now time.Time) (o outcome, send bool) {
	d := c.d
	daily, err := s.store.DeliveryByKey(ctx, d.PersonID, bot.DeliveryDaily, d.Period)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		daily, err = nil, nil
	}
	var e *bot.Engagement
	if err == nil {
		if e, err = s.store.Engagement(ctx, d.EngagementID); bot.ErrorCode(err) == bot.ENOTFOUND {
			e, err = nil, nil
		}
	}
	if err != nil {
		s.log.WarnContext(ctx, "check reminder; trying again soon", "delivery", d.ID, "err", err)
		return s.released(c, s.retryBase, ""), false
	}
	switch step, due := bot.ReminderDue(daily, e, now); step {
	case bot.ReminderSkip:
		d.State, d.LeaseUntil, d.UpdatedAt = bot.DeliverySkipped, time.Time{}, now
		return outcome{claim: c, count: s.metrics.Skipped}, false
	case bot.ReminderSend:
		return outcome{}, true
	case bot.ReminderLater:
		o := s.released(c, 0, "")
		d.DueAt = due
		return o, false
	default:
		// The check-in is still pending or being retried: ask again soon.
		return s.released(c, s.retryBase, ""), false
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

// backoff returns the delay before the next attempt: RetryBase doubled per
// attempt up to RetryMax, with "equal jitter" (half fixed, half random) so
// that replicas retrying a shared outage spread out.
func (s *Scheduler) backoff(attempts int) time.Duration {
	d := s.retryBase << min(max(attempts-1, 0), 20)
	if d > s.retryMax || d <= 0 {
		d = s.retryMax
	}
	s.jitterMu.Lock()
	j := time.Duration(s.jitter.Int64N(int64(d/2) + 1))
	s.jitterMu.Unlock()
	return d/2 + j
}
