package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Action ids of the buttons that confirm or cancel the end of an engagement.
const (
	ActionEndConfirm   = "end.confirm"
	ActionEndCancel    = "end.cancel"
	ActionLeaveConfirm = "leave.confirm"
	ActionLeaveCancel  = "leave.cancel"
	// The buttons of an invitation to someone who works with another
	// coach; their Value is the inviting coach's person id.
	ActionSwitchAccept  = "switch.accept"
	ActionSwitchDecline = "switch.decline"
)

// switchTTL is how long an invitation to switch coach stays open.
const switchTTL = 14 * 24 * time.Hour

// switchKey marks coach's open invitation to client, who works with
// another coach: only an invitation actually sent can be accepted, however
// the button's value is crafted.
func switchKey(clientID, coachID int64) string {
	return "switch:" + strconv.FormatInt(clientID, 10) + ":" + strconv.FormatInt(coachID, 10)
}

// confirmTTL is how long a typed "yes" confirms the question asked: long
// enough to read it, short enough that a "yes" tomorrow is not taken as
// agreeing to end a coaching relationship.
const confirmTTL = 15 * time.Minute

// confirmKey holds the question a typed "yes" or "no" answers:
// "end:<engagement>" or "leave:<engagement>".
func confirmKey(p *Person) string { return "confirm:" + strconv.FormatInt(p.ID, 10) }

// cmdEnd: a coach ends the coaching of a client (or withdraws an
// invitation), after confirming.
func (b *Bot) cmdEnd(ctx context.Context, r *request, rest string) ([]Message, error) {
	words := strings.Fields(rest)
	if len(words) == 0 || len(words) > 2 || len(words) == 2 && !isYes(words[1]) {
		return nil, usageError("Tell me which client, with a mention.", "end")
	}
	client, e, err := b.myClient(ctx, r, words[0], "end")
	if err != nil {
		return nil, err
	}
	if len(words) == 2 {
		return b.endEngagement(ctx, r, e, false)
	}
	b.askConfirm(ctx, r, "end", e)
	text := fmt.Sprintf("*End your coaching with %s?* Their check-ins and weekly reports stop today. "+
		"%s keeps their rocks and history; your session notes are kept too. You can invite them again later.", client.DisplayName, client.DisplayName)
	if e.Status == EngagementInvited {
		text = fmt.Sprintf("*Withdraw your invitation to %s?*", client.DisplayName)
	}
	return []Message{{
		Text: text + " Press a button or type `yes` / `no`.",
		Buttons: []Button{
			{ActionID: ActionEndConfirm, Label: "End coaching", Value: strconv.FormatInt(e.ID, 10), Style: StyleDanger},
			{ActionID: ActionEndCancel, Label: "Keep coaching", Value: strconv.FormatInt(e.ID, 10)},
		},
		Ephemeral: true,
	}}, nil
}

// cmdLeave: a client leaves their coach, after confirming.
func (b *Bot) cmdLeave(ctx context.Context, r *request, rest string) ([]Message, error) {
	if rest != "" && !isYes(rest) {
		return nil, usageError("`leave` takes nothing after it.", "leave")
	}
	e, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "You don't work with a coach on smart90, so there is nothing to leave.")
	} else if err != nil {
		return nil, fmt.Errorf("load engagement: %w", err)
	}
	if e.Status == EngagementInvited {
		return nil, Errorf(ECONFLICT, "You have an invitation, not a coach yet: type `decline` to turn it down.")
	}
	if rest != "" {
		return b.endEngagement(ctx, r, e, true)
	}
	name := "your coach"
	if coach, err := b.store.Person(ctx, e.CoachID); err == nil {
		name = coach.DisplayName
	}
	b.askConfirm(ctx, r, "leave", e)
	return []Message{{
		Text: fmt.Sprintf("*Stop working with %s on smart90?* Your check-ins and weekly reports stop today and %s is told. "+
			"You keep your rocks and history (`export` for a copy), and any coach can invite you later. "+
			"Press a button or type `yes` / `no`.", name, name),
		Buttons: []Button{
			{ActionID: ActionLeaveConfirm, Label: "Leave", Value: strconv.FormatInt(e.ID, 10), Style: StyleDanger},
			{ActionID: ActionLeaveCancel, Label: "Stay", Value: strconv.FormatInt(e.ID, 10)},
		},
		Ephemeral: true,
	}}, nil
}

func isYes(s string) bool {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), ".!"))
	return s == "yes" || s == "y"
}

func isNo(s string) bool {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), ".!"))
	return s == "no" || s == "n"
}

// askConfirm remembers the question, so that a typed "yes" answers it.
func (b *Bot) askConfirm(ctx context.Context, r *request, what string, e *Engagement) {
	if err := b.state.Set(ctx, confirmKey(r.me), what+":"+strconv.FormatInt(e.ID, 10), confirmTTL); err != nil {
		b.log.WarnContext(ctx, "remember confirmation", "err", err)
	}
}

// typedConfirm answers a typed "yes" or "no" to the last question asked,
// if one is waiting; ok is false when the text is not such an answer.
func (b *Bot) typedConfirm(ctx context.Context, r *request, text string) (out []Message, ok bool, err error) {
	yes, no := isYes(text), isNo(text)
	if !yes && !no {
		return nil, false, nil
	}
	s, err := b.state.Get(ctx, confirmKey(r.me))
	if err != nil {
		b.log.WarnContext(ctx, "load confirmation", "err", err)
		return nil, false, nil
	}
	what, id, found := strings.Cut(s, ":")
	if !found {
		return nil, false, nil
	}
	switch {
	case what == "end" && yes:
		out, err = b.confirmEnd(ctx, r, id, false)
	case what == "leave" && yes:
		out, err = b.confirmEnd(ctx, r, id, true)
	case what == "end":
		out, err = b.cancelEnd(ctx, r, id, false)
	case what == "leave":
		out, err = b.cancelEnd(ctx, r, id, true)
	default:
		return nil, false, nil
	}
	return out, true, err
}

// confirmEnd ends the engagement a confirmation names, if the actor is
// still its coach (or, byClient, its client) and it is still live.
func (b *Bot) confirmEnd(ctx context.Context, r *request, value string, byClient bool) ([]Message, error) {
	e, err := b.confirmed(ctx, r, value, byClient)
	if err != nil {
		return nil, err
	}
	return b.endEngagement(ctx, r, e, byClient)
}

func (b *Bot) cancelEnd(ctx context.Context, r *request, value string, byClient bool) ([]Message, error) {
	b.forgetConfirm(ctx, r)
	if _, err := b.confirmed(ctx, r, value, byClient); err != nil {
		return nil, err
	}
	if byClient {
		return reply("Nothing changed: you keep working with your coach."), nil
	}
	return reply("Nothing changed: you keep coaching them."), nil
}

func (b *Bot) confirmed(ctx context.Context, r *request, value string, byClient bool) (*Engagement, error) {
	gone := Errorf(ENOTFOUND, "That coaching has already ended; nothing to do.")
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return nil, gone
	}
	e, err := b.store.Engagement(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return nil, gone
	} else if err != nil {
		return nil, fmt.Errorf("load engagement: %w", err)
	}
	if byClient && e.ClientID != r.me.ID || !byClient && e.CoachID != r.me.ID || !e.Status.Live() {
		return nil, gone
	}
	return e, nil
}

func (b *Bot) forgetConfirm(ctx context.Context, r *request) {
	if err := b.state.Delete(ctx, confirmKey(r.me)); err != nil {
		b.log.WarnContext(ctx, "forget confirmation", "err", err)
	}
}

// endEngagement ends e now, keeping its history: prompts stop (the store
// marks the client's schedules, and delivery skips a non-active
// engagement), and the other side is told.
func (b *Bot) endEngagement(ctx context.Context, r *request, e *Engagement, byClient bool) ([]Message, error) {
	b.forgetConfirm(ctx, r)
	invited := e.Status == EngagementInvited
	if err := b.closeEngagement(ctx, e, r.now); err != nil {
		return nil, err
	}
	coach, errC := b.store.Person(ctx, e.CoachID)
	client, errK := b.store.Person(ctx, e.ClientID)
	if errC != nil || errK != nil {
		return nil, fmt.Errorf("load people: %w", errors.Join(errC, errK))
	}
	if byClient {
		b.notify(ctx, r.inst, coach, fmt.Sprintf("%s stopped working with you on smart90: their check-ins and weekly reports have stopped. "+
			"Your session notes are kept. You can invite them again if they ask.", client.DisplayName))
		return reply("Done: you no longer work with %s on smart90, and I've told them. Your check-ins and weekly reports have stopped. "+
			"Your rocks and history are kept: `export` gives you a copy, `forget-me` deletes them. Any coach can invite you again.", coach.DisplayName), nil
	}
	if invited {
		b.notify(ctx, r.inst, client, fmt.Sprintf("%s withdrew their invitation to smart90. Nothing about you is kept beyond your name.", coach.DisplayName))
		return reply("Withdrew your invitation to %s; I've told them.", client.DisplayName), nil
	}
	b.notify(ctx, r.inst, client, fmt.Sprintf("%s ended your coaching on smart90, so your check-ins and weekly reports have stopped. "+
		"Your rocks and history are kept: `export` gives you a copy, `forget-me` deletes them. Any coach can invite you again.", coach.DisplayName))
	return reply("Ended your coaching with %s, and I've told them. Their check-ins and weekly reports have stopped; "+
		"their history and your session notes are kept. Invite them again any time with `invite @%s`.", client.DisplayName, client.DisplayName), nil
}

// closeEngagement stores e as ended at now and drops the client's
// plain-reply state, so a late answer is not filed under it.
func (b *Bot) closeEngagement(ctx context.Context, e *Engagement, now time.Time) error {
	e.Status, e.EndedAt, e.UpdatedAt = EngagementEnded, now, now
	if err := b.store.UpdateEngagement(ctx, e); err != nil {
		return fmt.Errorf("end engagement: %w", err)
	}
	if err := b.state.Delete(ctx, convKey(&Person{ID: e.ClientID})); err != nil {
		b.log.WarnContext(ctx, "end conversation", "err", err)
	}
	return nil
}

// notCoach is the answer to a coach's command from someone who is not a
// coach: it says how to become one rather than quietly making them one,
// since being a coach brings a weekly digest they never asked for.
func notCoach(what string) error {
	return Errorf(EFORBIDDEN, "%s is for coaches, and you are not a coach on smart90 yet. "+
		"To become one, invite a client with `invite @name`, or type `coach`.", what)
}

// cmdCoach: a person says they coach, before or without inviting anyone.
func (b *Bot) cmdCoach(ctx context.Context, r *request, rest string) ([]Message, error) {
	if rest != "" {
		return nil, usageError("`coach` takes nothing after it.", "coach")
	}
	if r.me.IsCoach {
		return reply("You are already a coach on smart90. Invite a client with `invite @name`; `help` lists what a coach can do."), nil
	}
	r.me.IsCoach, r.me.UpdatedAt = true, r.now
	if err := b.store.UpdatePerson(ctx, r.me); err != nil {
		return nil, fmt.Errorf("make coach: %w", err)
	}
	return reply("You are a coach on smart90 now. Invite a client with `invite @name`. "+
		"Your weekly digest comes to you as a direct message on %ss at %s your time; `digest #channel` posts it in a channel instead.",
		weekdayName(r.me.DigestWeekday), r.me.DigestTime), nil
}

// inviteSwitch invites a client who works with another coach: the client
// may accept, which ends the current coaching (that coach is told) and
// starts a new cycle. The inviter is answered as for any invitation.
func (b *Bot) inviteSwitch(ctx context.Context, r *request, client *Person, current *Engagement) ([]Message, error) {
	if err := b.state.Set(ctx, switchKey(client.ID, r.me.ID), "open", switchTTL); err != nil {
		return nil, fmt.Errorf("remember invitation: %w", err)
	}
	name := "your coach"
	if old, err := b.store.Person(ctx, current.CoachID); err == nil {
		name = old.DisplayName
	}
	now := "You work with %s on smart90 now: accepting ends that coaching (%s is told) and starts a new 90-day cycle with %s. " +
		"Your rocks and history so far are kept."
	if current.Status == EngagementInvited {
		now = "%s has invited you too: accepting this one closes that invitation (%s is told) and starts your 90-day cycle with %s."
	}
	id := strconv.FormatInt(r.me.ID, 10)
	invite := Message{
		Text: fmt.Sprintf("*%s invited you to work with them on smart90.*\n"+now, r.me.DisplayName, name, name, r.me.DisplayName),
		Buttons: []Button{
			{ActionID: ActionSwitchAccept, Label: "Accept", Value: id, Style: StylePrimary},
			{ActionID: ActionSwitchDecline, Label: "Decline", Value: id},
		},
	}
	if _, err := b.msg.Send(ctx, dm(r.inst, client), invite); err != nil {
		b.log.WarnContext(ctx, "send invitation", "person", client.ID, "err", err)
	}
	return reply("Invitation sent to %s. I'll tell you when they accept.", client.DisplayName), nil
}

// switchInvitation returns the coach of an open invitation to switch, named
// by a button's value.
func (b *Bot) switchInvitation(ctx context.Context, r *request, value string) (*Person, error) {
	gone := Errorf(ENOTFOUND, "That invitation is no longer open; ask the coach to invite you again.")
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return nil, gone
	}
	if s, err := b.state.Get(ctx, switchKey(r.me.ID, id)); err != nil {
		return nil, fmt.Errorf("load invitation: %w", err)
	} else if s == "" {
		return nil, gone
	}
	coach, err := b.store.Person(ctx, id)
	if ErrorCode(err) == ENOTFOUND || err == nil && coach.InstallationID != r.me.InstallationID {
		return nil, gone
	} else if err != nil {
		return nil, fmt.Errorf("load coach: %w", err)
	}
	if err := b.state.Delete(ctx, switchKey(r.me.ID, id)); err != nil {
		b.log.WarnContext(ctx, "close invitation", "err", err)
	}
	return coach, nil
}

// acceptSwitch ends the client's current coaching, telling that coach,
// and starts the new one as an accepted invitation.
func (b *Bot) acceptSwitch(ctx context.Context, r *request, value string) ([]Message, error) {
	coach, err := b.switchInvitation(ctx, r, value)
	if err != nil {
		return nil, err
	}
	old, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("load engagement: %w", err)
	}
	if old != nil && old.CoachID == coach.ID {
		return reply("You already work with %s.", coach.DisplayName), nil
	}
	if old != nil {
		if err := b.closeEngagement(ctx, old, r.now); err != nil {
			return nil, err
		}
		if prev, err := b.store.Person(ctx, old.CoachID); err == nil {
			text := fmt.Sprintf("%s now works with another coach on smart90, so your coaching with them has ended and their check-ins and weekly reports have stopped. Your session notes are kept.", r.me.DisplayName)
			if old.Status == EngagementInvited {
				text = fmt.Sprintf("%s accepted another coach's invitation, so yours is closed.", r.me.DisplayName)
			}
			b.notify(ctx, r.inst, prev, text)
		}
	}
	e, err := b.newEngagementFor(ctx, coach.ID, r.me.ID, EngagementInvited, r.now)
	if err != nil {
		return nil, err
	}
	if err := b.store.CreateEngagement(ctx, e); err != nil {
		return nil, err
	}
	return b.accept(ctx, r, strconv.FormatInt(e.ID, 10))
}

// declineSwitch records the decline, so the coach waits as after any.
func (b *Bot) declineSwitch(ctx context.Context, r *request, value string) ([]Message, error) {
	coach, err := b.switchInvitation(ctx, r, value)
	if err != nil {
		return nil, err
	}
	e := newEngagement(coach.ID, r.me.ID, EngagementDeclined, r.now)
	e.EndedAt = r.now
	if err := b.store.CreateEngagement(ctx, e); err != nil {
		return nil, err
	}
	again := DateOf(r.now.In(zoneOf(coach))).AddDays(ReinviteAfter)
	b.notify(ctx, r.inst, coach, fmt.Sprintf("%s declined your invitation. You can invite them again from %s.", r.me.DisplayName, again))
	return reply("Declined; nothing changes for you. %s can't invite you again for %d days.", coach.DisplayName, ReinviteAfter), nil
}
