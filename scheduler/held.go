package scheduler

import (
	"cmp"
	"context"
	"time"

	"github.com/smart90/smart90/bot"
)

// held is an outcome that could not be written while its lease held.
type held struct {
	outcome
	// takenOver: another sender claimed the delivery since. The outcome
	// is not written (that sender's stands); it is kept only so that this
	// replica, claiming the delivery again, does not send it again.
	takenOver bool
}

// hold keeps outcomes that could not be written, to be written at the next
// claim (see flushHeld) and recalled should their delivery be claimed here
// again (see recall).
func (s *Scheduler) hold(outs []outcome) {
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	for _, o := range outs {
		s.held[o.d.ID] = &held{outcome: o}
	}
	s.metrics.OutcomesHeld.Set(float64(len(s.held)))
}

// keepLost keeps, of outcomes another sender's lease won over, those
// whose message reached the platform: this replica must not send them
// again should it claim them later (that sender's try failing, say).
func (s *Scheduler) keepLost(lost []outcome) {
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	for _, o := range lost {
		if o.reached() {
			s.held[o.d.ID] = &held{outcome: o, takenOver: true}
		}
	}
	s.metrics.OutcomesHeld.Set(float64(len(s.held)))
}

// flushHeld writes the outcomes held in memory, each fenced by the lease
// of the claim it came from: stored unless another sender claimed the
// delivery since. Those still unwritten stay held. Outcomes only kept
// against sending again are forgotten once past the grace window, when no
// sender sends their delivery any more.
func (s *Scheduler) flushHeld(ctx context.Context) {
	now := s.clock.Now().UTC()
	s.heldMu.Lock()
	var (
		hs   []*held
		outs []outcome
	)
	for id, h := range s.held {
		switch {
		case !h.takenOver:
			hs, outs = append(hs, h), append(outs, h.outcome)
		case now.Sub(h.d.DueAt) > s.grace:
			delete(s.held, id)
		}
	}
	s.metrics.OutcomesHeld.Set(float64(len(s.held)))
	s.heldMu.Unlock()
	if len(outs) == 0 {
		return
	}
	stored, lost, err := s.storeOutcomes(ctx, outs, true)
	if err != nil {
		s.metrics.OutcomeWriteFailures.Inc()
		s.log.WarnContext(ctx, "write held delivery outcomes; they stay held", "n", len(outs), "err", err)
		return
	}
	s.log.InfoContext(ctx, "held delivery outcomes written", "n", stored, "taken_over", len(lost))
	lostIDs := make(map[int64]bool, len(lost))
	for _, o := range lost {
		lostIDs[o.d.ID] = true
	}
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	for _, h := range hs {
		// A send that recalled it meanwhile took it out: leave that be.
		if s.held[h.d.ID] != h {
			continue
		}
		if lostIDs[h.d.ID] && h.reached() {
			h.takenOver = true
		} else {
			delete(s.held, h.d.ID)
		}
	}
	s.metrics.OutcomesHeld.Set(float64(len(s.held)))
}

// recall applies what is held of c's delivery, claimed here again. A
// finished outcome (sent, failed, skipped, missed), or a retry not due
// yet, is recorded as it was, under the new claim, instead of sending
// again: ok is true and o is the outcome. Otherwise the parts already sent
// and the attempts counted are carried over to the claimed delivery, and
// it is sent as usual.
func (s *Scheduler) recall(ctx context.Context, c claim, now time.Time) (o outcome, ok bool) {
	s.heldMu.Lock()
	h := s.held[c.d.ID]
	delete(s.held, c.d.ID)
	s.metrics.OutcomesHeld.Set(float64(len(s.held)))
	s.heldMu.Unlock()
	if h == nil {
		return outcome{}, false
	}
	d, was := c.d, h.d
	if was.State == bot.DeliveryPending && !was.LeaseUntil.After(now) {
		// Given back, or its retry is due: send it, after the parts that
		// went out, counting the attempts that were.
		d.MessageRef = cmp.Or(d.MessageRef, was.MessageRef)
		d.PartsSent = max(d.PartsSent, was.PartsSent)
		d.Attempts = min(d.Attempts, was.Attempts+1)
		d.LastError = cmp.Or(was.LastError, d.LastError)
		return outcome{}, false
	}
	// The claim that just took it is no attempt: the outcome (or the wait
	// before a retry) came of the claim before.
	attempts := min(d.Attempts, was.Attempts)
	*d = *was
	d.Attempts, d.UpdatedAt = attempts, now
	s.metrics.OutcomesRecalled.Inc()
	s.log.WarnContext(ctx, "delivery claimed again: recorded the outcome held in memory instead of sending it again",
		"delivery", d.ID, "kind", d.Kind, "state", d.State)
	return outcome{claim: c, count: h.count, sent: h.sent, cause: h.cause}, true
}
