package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// DeliveryContext is what sending one delivery needs from the store, read
// for a sender's whole claimed batch at once (DeliveryStore.
// DeliveryContexts) and handed to DeliverWith.
type DeliveryContext struct {
	// Person and Installation are the recipient, as Recipient gives them.
	Person       *Person
	Installation *Installation
	// Engagement and Rocks are the delivery's engagement and its rocks by
	// Position, as EngagementWithRocks gives them; nil when the delivery
	// has no engagement (EngagementID 0).
	Engagement *Engagement
	Rocks      []*Rock
	// CheckIn is, for a delivery with a check-in day (Delivery.CheckInDay),
	// the engagement's check-in of that day; nil when none is stored yet
	// (the prompt then opens it), or for other deliveries.
	CheckIn *CheckIn
}

// DeliveryReads is what a store read at once for a batch of deliveries
// (DeliveryStore.DeliveryContexts); Contexts hands each delivery its own
// copy of what it needs.
type DeliveryReads struct {
	People        map[int64]*Person       // by ID
	Installations map[int64]*Installation // by ID
	Engagements   map[int64]*Engagement   // by ID
	Rocks         map[int64][]*Rock       // by engagement ID, each by Position
	CheckIns      map[CheckInKey]*CheckIn
}

// CheckInKey names one engagement's check-in of one day.
type CheckInKey struct {
	EngagementID int64
	Day          Date
}

// NewDeliveryReads returns empty reads to fill.
func NewDeliveryReads() *DeliveryReads {
	return &DeliveryReads{People: map[int64]*Person{}, Installations: map[int64]*Installation{},
		Engagements: map[int64]*Engagement{}, Rocks: map[int64][]*Rock{}, CheckIns: map[CheckInKey]*CheckIn{}}
}

// Contexts returns, by delivery ID, the context of each of ds the reads
// hold: its person with their installation, its engagement with its
// rocks, and its check-in. A delivery whose person, installation or
// engagement was not read is left out. Each context is a copy of its
// own, so that a sender may change it.
func (r *DeliveryReads) Contexts(ds []*Delivery) map[int64]*DeliveryContext {
	out := make(map[int64]*DeliveryContext, len(ds))
	for _, d := range ds {
		p, ok := r.People[d.PersonID]
		if !ok {
			continue
		}
		inst, ok := r.Installations[p.InstallationID]
		if !ok {
			continue
		}
		pc, ic := *p, *inst
		dc := &DeliveryContext{Person: &pc, Installation: &ic}
		if d.EngagementID != 0 {
			e, ok := r.Engagements[d.EngagementID]
			if !ok {
				continue
			}
			ec := *e
			dc.Engagement, dc.Rocks = &ec, make([]*Rock, len(r.Rocks[d.EngagementID]))
			for i, rock := range r.Rocks[d.EngagementID] {
				rc := *rock
				dc.Rocks[i] = &rc
			}
		}
		if day, ok := d.CheckInDay(); ok {
			if c, ok := r.CheckIns[CheckInKey{d.EngagementID, day}]; ok {
				cc := *c
				dc.CheckIn = &cc
			}
		}
		out[d.ID] = dc
	}
	return out
}

// CheckInDay returns the day of the check-in a daily check-in or its
// reminder asks for (its Period), and false for other deliveries.
func (d *Delivery) CheckInDay() (Date, bool) {
	if d.EngagementID == 0 || (d.Kind != DeliveryDaily && d.Kind != DeliveryReminder) {
		return Date{}, false
	}
	return periodDate(d.Period), true
}

// DeliveryContexts reads what sending each of ds needs, in a few queries
// for the whole batch (DeliveryStore.DeliveryContexts); DeliverWith sends
// with it.
func (b *Bot) DeliveryContexts(ctx context.Context, ds []*Delivery) (map[int64]*DeliveryContext, error) {
	return b.store.DeliveryContexts(ctx, ds)
}

// Deliver sends a due delivery's prompt, digest, or session brief or
// notes question. needed is false (and nothing is sent) when it is no
// longer needed: already answered, paused, the engagement ended; when the
// reason is one a person should see (out of office), d.SkipReason says it. An error with code EFORBIDDEN or ENOTFOUND is
// permanent (the person or the app is gone); others may be transient. A
// prompt sent in several parts skips the d.PartsSent parts an earlier try
// sent, and returns the Messenger's *PartialSendError (wrapped) when it
// fails part-way again.
func (b *Bot) Deliver(ctx context.Context, d *Delivery) (ref string, needed bool, err error) {
	return b.DeliverWith(ctx, d, nil)
}

// DeliverWith is Deliver with what the store holds for d already read
// (DeliveryContexts): it reads only what dc lacks. A nil dc, or one for a
// delivery whose person or engagement was gone, reads everything, as
// Deliver does. dc is d's own: DeliverWith may change it.
func (b *Bot) DeliverWith(ctx context.Context, d *Delivery, dc *DeliveryContext) (ref string, needed bool, err error) {
	if dc != nil && (dc.Person == nil || dc.Installation == nil || dc.Person.ID != d.PersonID ||
		(d.EngagementID != 0 && (dc.Engagement == nil || dc.Engagement.ID != d.EngagementID))) {
		dc = nil
	}
	var (
		p    *Person
		inst *Installation
	)
	if dc != nil {
		p, inst = dc.Person, dc.Installation
	} else if p, inst, err = b.store.Recipient(ctx, d.PersonID); err != nil {
		return "", false, fmt.Errorf("load recipient: %w", err)
	}
	if inst.Status != InstallationActive {
		return "", false, Errorf(EFORBIDDEN, "smart90 is uninstalled from %s.", inst.ExternalID)
	}
	if d.Kind == DeliveryDigest {
		ref, err := b.sendDigest(ctx, p, periodDate(d.Period), d.MessageRef, d.PartsSent)
		var partial *PartialSendError
		return ref, ref != "" || errors.As(err, &partial), err
	}
	if d.Kind == DeliveryBrief || d.Kind == DeliveryNotes {
		return b.deliverSession(ctx, d, p, inst)
	}
	var (
		e     *Engagement
		rocks []*Rock
	)
	if dc != nil && dc.Engagement != nil {
		e, rocks = dc.Engagement, dc.Rocks
	} else if e, rocks, err = b.store.EngagementWithRocks(ctx, d.EngagementID); err != nil {
		return "", false, fmt.Errorf("load engagement: %w", err)
	}
	day := periodDate(d.Period)
	if e.Status != EngagementActive || e.ClientID != p.ID || e.PausedOn(day) ||
		(d.Kind == DeliveryReminder && !e.Reminds()) {
		return "", false, nil
	}
	b.carryOver(ctx, e, e.CycleOn(day), rocks, p.ID, b.clock.Now().UTC())
	if c := e.CycleOn(day); d.Kind == DeliveryDaily && day.Sub(c.Start) < 7 {
		// The cycle's first prompts: its start, told once (by its id).
		b.emitCycleFromPrompt(ctx, e, p, c, b.clock.Now())
	}
	var m Message
	t := target{DeliveryDaily, e.ID, day}
	switch d.Kind {
	case DeliveryDaily, DeliveryReminder:
		var c *CheckIn
		if dc != nil && (dc.CheckIn == nil || dc.CheckIn.EngagementID == e.ID && dc.CheckIn.Day == day) {
			c = dc.CheckIn
			if c == nil {
				c = &CheckIn{EngagementID: e.ID, Day: day, Status: AnswerOpen}
			}
		} else if c, err = b.loadCheckIn(ctx, e, day); err != nil {
			return "", false, err
		}
		if c.Status != AnswerOpen {
			return "", false, nil
		}
		greeting := "A gentle reminder: today's check-in is still open. Two minutes now keeps your streak alive."
		if d.Kind == DeliveryDaily {
			greeting = "Good morning, " + p.DisplayName + "!"
			if banner := b.cycleBanner(ctx, e, day, rocks); banner != "" {
				greeting += "\n" + banner
			}
			if notice := b.dayOffNotice(e, p, day); notice != "" {
				greeting += "\n" + notice
			}
		}
		m = b.dailyPrompt(e, c, rocks, greeting, zoneOf(p))
	case DeliveryWeekly:
		if c, ok := e.reviewWeek(day); ok {
			// The cycle's last week: the quarterly review instead.
			rv, err := b.loadReview(ctx, e, c.N)
			if err != nil {
				return "", false, err
			}
			if rv.Status != AnswerOpen {
				return "", false, nil
			}
			t, m = target{kindReview, e.ID, c.Start}, b.reviewPrompt(e, c, rv, rocks)
			break
		}
		w, err := b.loadWeekly(ctx, e, day)
		if err != nil {
			return "", false, err
		}
		if w.Status != AnswerOpen {
			return "", false, nil
		}
		sc, err := b.loadWeekScores(ctx, e, day)
		if err != nil {
			return "", false, err
		}
		t = target{DeliveryWeekly, e.ID, day}
		m = b.weeklyPrompt(e, w, rocks, sc, zoneOf(p), p.DaysOff())
	default:
		return "", false, fmt.Errorf("deliver: unknown kind %q", d.Kind)
	}
	// Asked last, of a prompt that is still needed: one answered early
	// is simply not needed, whatever the person's status says.
	if reason := b.awayReason(ctx, inst, p, day); reason != "" {
		// Recorded with its reason, never counted as missed.
		d.SkipReason = reason
		return "", false, nil
	}
	ref, err = b.sendDelivery(ctx, d, dm(inst, p), m)
	var partial *PartialSendError
	if err != nil && !errors.As(err, &partial) {
		return "", true, err
	}
	// The person may already answer what reached them, even when the rest
	// is still to come.
	if err := b.state.Set(ctx, convKey(p), t.String(), b.convTT); err != nil {
		b.log.WarnContext(ctx, "start conversation", "person", p.ID, "err", err)
	}
	if err != nil {
		return "", true, err
	}
	return ref, true, nil
}

// sendDelivery sends a delivery's message m to to: a retry after a
// part-way failure resumes after the parts that went out, and one whose
// outcome was never recorded sends only what the platform does not
// already show (see sentBefore). It returns the reference of the
// message's first part, and the Messenger's *PartialSendError (wrapped)
// when it fails part-way again.
func (b *Bot) sendDelivery(ctx context.Context, d *Delivery, to Destination, m Message) (string, error) {
	to.SkipParts = d.PartsSent
	m.Key = strconv.FormatInt(d.ID, 10)
	got, err := b.sentBefore(ctx, d, to, m)
	if err != nil {
		return "", err
	}
	if got.Parts > to.SkipParts {
		b.log.InfoContext(ctx, "prompt already in the conversation: not sent again",
			"delivery", d.ID, "attempts", d.Attempts, "parts", got.Parts, "whole", got.Whole)
		to.SkipParts = got.Parts
	}
	var ref string
	if !got.Whole {
		ref, err = b.msg.Send(ctx, to, m)
	}
	var partial *PartialSendError
	if err != nil && !errors.As(err, &partial) {
		return "", err
	}
	if partial != nil && to.SkipParts > d.PartsSent {
		// Counted from what the delivery records, with the reference of
		// the part found first.
		err = &PartialSendError{Ref: cmp.Or(got.Ref, partial.Ref), Sent: to.SkipParts - d.PartsSent + partial.Sent, Err: partial.Err}
	}
	return cmp.Or(got.Ref, ref), err
}

// sentBefore asks the Messenger, when it can tell, which parts of a retried
// prompt an earlier try already posted without the outcome being recorded
// (the sender crashed, or the store was down, after the platform accepted
// them): the platform has no idempotent send, so only looking prevents a
// second copy. A first try has nothing to find and does not ask.
func (b *Bot) sentBefore(ctx context.Context, d *Delivery, to Destination, m Message) (Receipt, error) {
	chk, ok := b.msg.(SentChecker)
	if !ok || d.Attempts <= 1 {
		return Receipt{}, nil
	}
	// A minute before it was due, for a platform clock slightly behind.
	since := d.DueAt.Add(-time.Minute)
	if d.DueAt.IsZero() {
		since = d.CreatedAt
	}
	got, err := chk.Sent(ctx, to, m, since)
	switch {
	case errors.Is(err, ErrCannotCheck):
		return Receipt{}, nil
	case err != nil:
		// Sending blind could post it twice: the retry comes later.
		return Receipt{}, fmt.Errorf("look for the prompt sent before: %w", err)
	}
	return got, nil
}
