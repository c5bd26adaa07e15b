// This file holds what comes by itself around a session: the client's
// brief before it, and after it the question for a line of notes, which
// the coach's next plain reply answers.

package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// notesState is the conversation state of a coach asked for a session's
// notes: "notes:<session id>". It is not a target (see parseTarget), so a
// client's prompts never take it for theirs.
const notesState = "notes:"

// NotesTTL is how long the notes question after a session waits for the
// coach's line: the rest of that working day, not the next one's chat.
const NotesTTL = 12 * time.Hour

// notesKey is where the notes question waiting for p's answer is kept,
// apart from the prompt they may be answering as someone's client.
func notesKey(p *Person) string { return "notes:" + strconv.FormatInt(p.ID, 10) }

// sessionDue is when the delivery of kind (DeliveryBrief or
// DeliveryNotes) of a session falls due under the coach's current
// settings; false when none is due: the session is cancelled or has no
// start, or the coach turned the brief off. A brief is due its lead
// before the start, a notes question at the end.
func sessionDue(kind DeliveryKind, coach *Person, s *Session) (time.Time, bool) {
	lead := briefLead(coach)
	if s.Cancelled() || s.Start.IsZero() || lead < 0 {
		return time.Time{}, false
	}
	if kind == DeliveryBrief {
		return s.Start.Add(-lead), true
	}
	if s.Minutes <= 0 {
		return s.Start.Add(DefaultSessionMinutes * time.Minute), true
	}
	return s.End(), true
}

// current reports whether a delivery due at due is the one the session's
// plan calls for now (planned, from sessionDue): due at the planned
// minute or, for a brief planned when its time had passed, at a moment
// between then and the start. A session moved since is sent at its new
// time, by the re-planned delivery, never at the old one.
func current(kind DeliveryKind, due, planned time.Time, s *Session) bool {
	if due.Truncate(time.Minute).Equal(planned.Truncate(time.Minute)) {
		return true
	}
	return kind == DeliveryBrief && due.After(planned) && due.Before(s.Start)
}

// PlanSessions creates or moves the brief and notes deliveries of
// sessions booked, read from a calendar, moved or cancelled: one of each
// per session, whichever replica plans it. Sessions cancelled, without a
// start or starting by now are left alone (a cancelled session's
// deliveries are skipped when due). A delivery a sender holds is not
// moved: the sender finds it out of date and skips it.
func (b *Bot) PlanSessions(ctx context.Context, ss ...*Session) error {
	now := b.clock.Now().UTC()
	type owner struct {
		e     *Engagement
		coach *Person
	}
	owners := map[int64]owner{}
	var errs []error
	for _, s := range ss {
		if s == nil || s.Cancelled() || s.Start.IsZero() || !s.Start.After(now) {
			continue
		}
		o, ok := owners[s.EngagementID]
		if !ok {
			e, err := b.store.Engagement(ctx, s.EngagementID)
			if err != nil {
				errs = append(errs, fmt.Errorf("load engagement %d: %w", s.EngagementID, err))
				continue
			}
			o.e = e
			if e.CoachID != 0 {
				if o.coach, err = b.store.Person(ctx, e.CoachID); err != nil {
					errs = append(errs, fmt.Errorf("load coach %d: %w", e.CoachID, err))
					continue
				}
			}
			owners[s.EngagementID] = o
		}
		if o.coach == nil || !o.e.Status.Live() {
			continue
		}
		for _, kind := range []DeliveryKind{DeliveryBrief, DeliveryNotes} {
			due, ok := sessionDue(kind, o.coach, s)
			if !ok {
				continue
			}
			if err := b.planSession(ctx, o.coach, s, kind, laterOf(due, now), now); err != nil {
				errs = append(errs, fmt.Errorf("plan %s of session %d: %w", kind, s.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// laterOf is the later of two instants.
func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// planSession creates the session's delivery of kind due at due, or
// moves the existing one there. Moves are fenced by the lease read, so a
// sender that claims the delivery meanwhile keeps it.
func (b *Bot) planSession(ctx context.Context, coach *Person, s *Session, kind DeliveryKind, due, now time.Time) error {
	d := &Delivery{PersonID: coach.ID, EngagementID: s.EngagementID, Kind: kind, Period: SessionPeriod(s.ID),
		DueAt: due, State: DeliveryPending, CreatedAt: now, UpdatedAt: now}
	created, err := b.store.CreateDelivery(ctx, d)
	if err != nil || created {
		return err
	}
	planned, _ := sessionDue(kind, coach, s)
	if current(kind, d.DueAt, planned, s) && d.State != DeliverySkipped {
		return nil
	}
	switch {
	case d.State == DeliveryPending && d.LeaseUntil.After(now):
		return nil // a sender holds it, and will find it out of date
	case d.State == DeliveryPending:
	case d.State == DeliverySent && !resend(kind, d, s):
		return nil // it went out for this session as it stands
	default:
		// Skipped, missed or failed for the old time, or sent for a time
		// the session has left: due again at the new one. Skipped at its
		// time too (the brief was off then, and is on again before the
		// session): due again now.
		d.State, d.Attempts, d.LastError, d.SkipReason = DeliveryPending, 0, "", ""
		d.MessageRef, d.PartsSent, d.SentAt = "", 0, time.Time{}
	}
	claimed := d.LeaseUntil
	d.DueAt, d.LeaseUntil, d.UpdatedAt = due, time.Time{}, now
	if _, err := b.store.UpdateDeliveries(ctx, []*Delivery{d}, []time.Time{claimed}); err != nil {
		return fmt.Errorf("move delivery %d: %w", d.ID, err)
	}
	return nil
}

// resend reports whether a sent delivery of a session moved since no
// longer serves it: a brief sent more than a day before the new start
// (the session moved to another day), or a notes question sent before
// the new end.
func resend(kind DeliveryKind, d *Delivery, s *Session) bool {
	if kind == DeliveryBrief {
		return d.SentAt.Before(s.Start.Add(-24 * time.Hour))
	}
	end, _ := sessionDue(DeliveryNotes, &Person{}, s)
	return d.SentAt.Before(end)
}

// twinSession reports whether another session of s's engagement that
// stands starts when s does and was stored first: the same meeting booked
// in chat and found in the calendar. Only the first brings a brief and a
// notes question.
func (b *Bot) twinSession(ctx context.Context, s *Session) (bool, error) {
	all, err := b.store.Sessions(ctx, s.EngagementID)
	if err != nil {
		return false, fmt.Errorf("load sessions: %w", err)
	}
	return slices.ContainsFunc(all, func(o *Session) bool {
		return o.ID < s.ID && !o.Cancelled() && o.Start.Equal(s.Start)
	}), nil
}

// sessionOf reads the session id of a session delivery's period.
func sessionOf(period string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(period, "session:"), 10, 64)
	return id, err == nil && strings.HasPrefix(period, "session:")
}

// deliverSession sends a session's brief (DeliveryBrief, to the coach
// before it) or asks for its notes (DeliveryNotes, after it): not needed
// when the session was cancelled or moved, or the coach turned the brief
// off.
func (b *Bot) deliverSession(ctx context.Context, d *Delivery, p *Person, inst *Installation) (ref string, needed bool, err error) {
	id, ok := sessionOf(d.Period)
	if !ok {
		return "", false, nil
	}
	s, err := b.store.Session(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("load session: %w", err)
	}
	e, err := b.store.Engagement(ctx, s.EngagementID)
	if ErrorCode(err) == ENOTFOUND {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("load engagement: %w", err)
	}
	now := b.clock.Now().UTC()
	planned, ok := sessionDue(d.Kind, p, s)
	if !ok || e.CoachID != p.ID || e.Status != EngagementActive && e.Status != EngagementPaused ||
		!current(d.Kind, d.DueAt, planned, s) || d.Kind == DeliveryBrief && !now.Before(s.Start) {
		return "", false, nil
	}
	if twin, err := b.twinSession(ctx, s); err != nil {
		return "", false, err
	} else if twin {
		return "", false, nil // one brief, one question for one meeting
	}
	client, err := b.store.Person(ctx, e.ClientID)
	if err != nil {
		return "", false, fmt.Errorf("load client: %w", err)
	}
	var m Message
	if d.Kind == DeliveryBrief {
		if m, err = b.composeBrief(ctx, p, e, client, now); err != nil {
			return "", false, err
		}
		m.Text = b.briefOpening(p, client, s, now) + "\n" + m.Text
	} else {
		m = Message{Text: fmt.Sprintf("How did your session with %s go? Reply with a line of notes for your next brief — or ignore this.", client.DisplayName)}
	}
	ref, err = b.sendDelivery(ctx, d, dm(inst, p), m)
	var partial *PartialSendError
	if err != nil && !errors.As(err, &partial) {
		return "", true, err
	}
	if d.Kind == DeliveryNotes {
		// A key of its own: a prompt the coach (who may be someone's
		// client too) is answering stays theirs to finish.
		if err := b.state.Set(ctx, notesKey(p), notesState+strconv.FormatInt(s.ID, 10), NotesTTL); err != nil {
			b.log.WarnContext(ctx, "ask for session notes", "person", p.ID, "err", err)
		}
	}
	if err != nil {
		return "", true, err
	}
	return ref, true, nil
}

// briefOpening is the automatic brief's first line: "Your session with
// Ana is at 15:00 (in 1 hour)."
func (b *Bot) briefOpening(coach, client *Person, s *Session, now time.Time) string {
	loc := zoneOf(coach)
	when := "at " + s.Start.In(loc).Format("15:04")
	if DateOf(s.Start.In(loc)) != DateOf(now.In(loc)) {
		when = "on " + shortWhen(s.Start, loc)
	}
	return fmt.Sprintf("Your session with %s is %s (%s).", client.DisplayName, when, inWords(s.Start.Sub(now)))
}

// inWords is a wait in words: "in 1 hour", "in 45 minutes", "in 2 hours 30 minutes".
func inWords(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m <= 0 {
		return "now"
	}
	h, m := m/60, m%60
	var parts []string
	if h > 0 {
		parts = append(parts, plural(h, "hour"))
	}
	if m > 0 {
		parts = append(parts, plural(m, "minute"))
	}
	return "in " + strings.Join(parts, " ")
}

// sessionNotes stores a coach's plain reply to the notes question as the
// session's notes: one reply, after which the question is closed. ok is
// false when no question is open or the reply is a command.
func (b *Bot) sessionNotes(ctx context.Context, r *request, text string) (out []Message, ok bool, err error) {
	st, err := b.state.Get(ctx, notesKey(r.me))
	if err != nil || !strings.HasPrefix(st, notesState) {
		return nil, false, nil
	}
	if looksLikeCommand(text) {
		return nil, false, nil // the question stays open
	}
	id, perr := strconv.ParseInt(strings.TrimPrefix(st, notesState), 10, 64)
	var s *Session
	var e *Engagement
	if perr == nil {
		s, err = b.store.Session(ctx, id)
		if err == nil {
			e, err = b.store.Engagement(ctx, s.EngagementID)
		}
	}
	if perr != nil || ErrorCode(err) == ENOTFOUND || err == nil && e.CoachID != r.me.ID {
		b.forgetNotes(ctx, r)
		return nil, false, nil // gone since: the reply is for something else
	} else if err != nil {
		return nil, true, fmt.Errorf("load session: %w", err)
	}
	if err := b.checkLen("session notes", text); err != nil {
		return nil, true, err
	}
	client, err := b.store.Person(ctx, e.ClientID)
	if err != nil {
		return nil, true, fmt.Errorf("load client: %w", err)
	}
	if old := strings.TrimSpace(s.Notes); old != "" {
		text = old + "\n" + text
	}
	s.Notes, s.UpdatedAt = text, r.now
	if err := b.checkLen("session notes", s.Notes); err != nil {
		return nil, true, err
	}
	if err := b.store.UpdateSession(ctx, s); err != nil {
		return nil, true, fmt.Errorf("save session notes: %w", err)
	}
	b.forgetNotes(ctx, r)
	return reply("Saved to your notes for %s's next brief.", client.DisplayName), true, nil
}

// looksLikeCommand reports whether a plain message is a command rather
// than a line of notes: a command word alone, or followed by a mention
// or a channel ("brief @ana", where Teams sends commands as plain
// messages), or settings or digest with their keywords. "Coach her on delegation" or "Review the offer" are notes.
func looksLikeCommand(text string) bool {
	words := strings.Fields(text)
	if len(words) == 0 || !isCommand(strings.ToLower(words[0])) {
		return false
	}
	// settings and digest take keywords, never prose: "settings brief
	// 30m", "digest dm" are commands whatever follows.
	if w := strings.ToLower(words[0]); w == "settings" || w == "digest" {
		return true
	}
	return len(words) == 1 || strings.HasPrefix(words[1], "<@") || strings.HasPrefix(words[1], "<#")
}

// forgetNotes closes the notes question.
func (b *Bot) forgetNotes(ctx context.Context, r *request) {
	if err := b.state.Delete(ctx, notesKey(r.me)); err != nil {
		b.log.WarnContext(ctx, "close the notes question", "err", err)
	}
}
