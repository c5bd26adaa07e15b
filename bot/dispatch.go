package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// lookCommands only show something and take no arguments: typed alone
// (what Teams' command menu sends) they run even while a prompt waits.
// Other words, "resume" or "export" say, are answers then: a client may
// well answer "Resume" to "what moved forward?".
var lookCommands = map[string]bool{"help": true, "checkin": true, "weekly": true, "review": true, "rocks": true, "scorecard": true, "history": true, "settings": true, "clients": true}

// plainMessage answers the next question of the prompt the person is on;
// with no prompt waiting, a message that starts with a command word runs
// that command (people type "help" in the DM). A command that only shows
// something, typed alone, or anything that starts with "/smart90", runs
// even while a prompt waits.
func (b *Bot) plainMessage(ctx context.Context, r *request) ([]Message, error) {
	text := strings.TrimSpace(r.ev.Text)
	if text == "" {
		return nil, nil
	}
	// A "yes" or "no" right after a question that asks for one answers it,
	// before any prompt that may also be waiting.
	if out, ok, err := b.typedConfirm(ctx, r, text); ok {
		return out, err
	}
	if first, rest, _ := strings.Cut(strings.ToLower(text), " "); strings.HasPrefix(first, "/smart90") || rest == "" && lookCommands[first] {
		return b.command(ctx, r, text)
	}
	p, ok, err := b.openTarget(ctx, r)
	if err != nil {
		return nil, err
	}
	// A coach's line of notes after a session, when they were asked for
	// one and are not halfway through a prompt of their own (a coach may
	// be someone's client too): that prompt is finished first.
	if !ok || !p.started() {
		if out, ok, err := b.sessionNotes(ctx, r, text); ok {
			return out, err
		}
	}
	if !ok {
		if word, _, _ := strings.Cut(strings.ToLower(text), " "); isCommand(word) {
			return b.command(ctx, r, text)
		}
		if r.me.IsCoach && ErrorCode(b.hasLiveEngagement(ctx, r.me)) == ENOTFOUND {
			// A coach who is nobody's client has no check-in to answer.
			return reply("Nothing is waiting for an answer right now. Type `clients` for your clients at a glance, `sessions` for your sessions, or `help` for everything else."), nil
		}
		return reply("Nothing is waiting for an answer right now. Type `checkin` to answer today's check-in now, `weekly` for this week's report, or `help` for everything else."), nil
	}
	switch {
	case p.checkIn != nil:
		return b.answerDaily(ctx, r, p.e, p.checkIn, text)
	case p.review != nil:
		return b.answerReview(ctx, r, p.e, p.review, text)
	}
	return b.answerWeekly(ctx, r, p.e, p.weekly, text)
}

// isCommand reports whether word is a command's name.
func isCommand(word string) bool {
	for _, c := range commands {
		if c.name == word {
			return true
		}
	}
	return false
}

// openPrompt is the open prompt a plain reply answers, with what finding
// it loaded: its engagement and exactly one of its answers, so that
// answering reads neither again.
type openPrompt struct {
	target
	e       *Engagement
	checkIn *CheckIn
	weekly  *WeeklyReport
	review  *Review
}

// started reports whether the person began answering the prompt.
func (p openPrompt) started() bool {
	switch {
	case p.checkIn != nil:
		return p.checkIn.Moved != ""
	case p.review != nil:
		return len(p.review.Rocks) > 0 || p.review.Win != ""
	case p.weekly != nil:
		return len(p.weekly.Rocks) > 0 || p.weekly.Win != ""
	}
	return false
}

// openTarget finds the prompt a plain reply answers: the one the
// conversation state points at, if still open, else the newest received
// prompt (daily or weekly) that is not yet fully answered. A prompt that a
// newer one of its kind replaced is closed.
func (b *Bot) openTarget(ctx context.Context, r *request) (openPrompt, bool, error) {
	e, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	if ErrorCode(err) == ENOTFOUND || err == nil && e.Status == EngagementInvited {
		return openPrompt{}, false, nil
	} else if err != nil {
		return openPrompt{}, false, fmt.Errorf("load engagement: %w", err)
	}
	var cands []target
	if s, err := b.state.Get(ctx, convKey(r.me)); err != nil {
		b.log.WarnContext(ctx, "load conversation", "err", err)
	} else if t, ok := parseTarget(s); ok && t.eng == e.ID {
		cands = append(cands, t)
	}
	latest := map[DeliveryKind]Date{}
	var sent []*Delivery
	for _, kind := range []DeliveryKind{DeliveryDaily, DeliveryWeekly} {
		d, err := b.store.LatestDelivery(ctx, r.me.ID, kind)
		if ErrorCode(err) == ENOTFOUND || err == nil && d.EngagementID != e.ID {
			continue
		} else if err != nil {
			return openPrompt{}, false, fmt.Errorf("load latest prompt: %w", err)
		}
		latest[kind] = periodDate(d.Period)
		sent = append(sent, d)
	}
	// A prompt that never reached the person (failed, suspended) is not
	// one they can be answering; it still closes the older ones.
	sent = slices.DeleteFunc(sent, func(d *Delivery) bool { return d.State != DeliverySent })
	slices.SortFunc(sent, func(a, b *Delivery) int { return b.DueAt.Compare(a.DueAt) })
	for _, d := range sent {
		t := target{d.Kind, e.ID, periodDate(d.Period)}
		if c, ok := e.reviewWeek(t.day); ok && t.kind == DeliveryWeekly {
			t = target{kindReview, e.ID, c.Start} // that week's prompt was the review
		}
		cands = append(cands, t)
	}
	for _, t := range cands {
		if latest[t.kind].After(t.day) {
			continue
		}
		p, open, err := b.isOpen(ctx, e, t, r.today())
		if err != nil {
			return openPrompt{}, false, err
		}
		if open {
			return p, true, nil
		}
	}
	return openPrompt{}, false, nil
}

// isOpen reports whether t still has unanswered questions, with the
// answer it loaded to tell.
func (b *Bot) isOpen(ctx context.Context, e *Engagement, t target, today Date) (openPrompt, bool, error) {
	p := openPrompt{target: t, e: e}
	var err error
	switch t.kind {
	case DeliveryDaily:
		p.checkIn, err = b.loadCheckIn(ctx, e, t.day)
		return p, err == nil && p.checkIn.Status == AnswerOpen, err
	case kindReview:
		c := e.CycleOn(t.day)
		if !c.reviewOpen(today) {
			return p, false, nil // a review left unanswered closes two weeks into the next cycle
		}
		p.review, err = b.loadReview(ctx, e, c.N)
		return p, err == nil && p.review.Status == AnswerOpen, err
	}
	p.weekly, err = b.loadWeekly(ctx, e, t.day)
	return p, err == nil && p.weekly.Status == AnswerOpen, err
}

// action handles a button press.
func (b *Bot) action(ctx context.Context, r *request) ([]Message, error) {
	switch r.ev.ActionID {
	case ActionAccept:
		return b.accept(ctx, r, r.ev.Value)
	case ActionDecline:
		return b.decline(ctx, r, r.ev.Value)
	case ActionSkipToday:
		return b.skipOrOff(ctx, r, AnswerSkipped)
	case ActionOff:
		return b.skipOrOff(ctx, r, AnswerOff)
	case ActionForgetConfirm:
		return b.forgetMe(ctx, r)
	case ActionPauseCancel, ActionPauseKeep:
		return b.answerPause(ctx, r, r.ev.ActionID == ActionPauseCancel)
	case ActionForgetCancel:
		return reply("Kept everything. Nothing was deleted."), nil
	case ActionSwitchAccept:
		return b.acceptSwitch(ctx, r, r.ev.Value)
	case ActionSwitchDecline:
		return b.declineSwitch(ctx, r, r.ev.Value)
	case ActionEndConfirm:
		return b.confirmEnd(ctx, r, r.ev.Value, false)
	case ActionEndCancel:
		return b.cancelEnd(ctx, r, r.ev.Value, false)
	case ActionLeaveConfirm:
		return b.confirmEnd(ctx, r, r.ev.Value, true)
	case ActionLeaveCancel:
		return b.cancelEnd(ctx, r, r.ev.Value, true)
	case ActionAnswerCheckin:
		return b.cmdCheckin(ctx, r, r.ev.Value)
	case ActionAnswerWeekly:
		return b.cmdWeekly(ctx, r, r.ev.Value)
	case ActionAnswerReview:
		return b.cmdReview(ctx, r, r.ev.Value)
	case ActionRockAdd:
		return b.cmdRocks(ctx, r, r.ev.Value)
	}
	return nil, Errorf(EINVALID, "That button is out of date; type `help` to see what you can do.")
}

// form handles a form submission.
func (b *Bot) form(ctx context.Context, r *request) ([]Message, error) {
	switch r.ev.FormID {
	case FormCheckin:
		return b.submitCheckIn(ctx, r)
	case FormWeekly:
		return b.submitWeekly(ctx, r)
	case FormReview:
		return b.submitReview(ctx, r)
	case FormRockAdd, FormRockEdit:
		return b.submitRock(ctx, r)
	case FormSettings:
		return b.submitSettings(ctx, r)
	}
	return nil, Errorf(EINVALID, "That form is out of date; type `help` to see what you can do.")
}

// hasLiveEngagement is nil when p is someone's client (invited, active or
// paused), and ENOTFOUND when not.
func (b *Bot) hasLiveEngagement(ctx context.Context, p *Person) error {
	_, err := b.store.LiveEngagementForClient(ctx, p.ID)
	return err
}
