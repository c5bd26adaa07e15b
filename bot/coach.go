package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Action ids of the buttons the core puts on messages.
const (
	ActionAccept        = "invite.accept"
	ActionDecline       = "invite.decline"
	ActionSkipToday     = "checkin.skip"
	ActionOff           = "checkin.off"
	ActionAnswerCheckin = "checkin.answer"
	ActionAnswerWeekly  = "weekly.answer"
	ActionForgetConfirm = "forget.confirm"
	ActionForgetCancel  = "forget.cancel"
)

// cmdInvite: a coach invites a client by mention.
func (b *Bot) cmdInvite(ctx context.Context, r *request, rest string) ([]Message, error) {
	words := strings.Fields(rest)
	if len(words) != 1 {
		return nil, usageError("Tell me whom to invite, with a mention.", "invite")
	}
	u, ok := mention(r.ev, words[0])
	if !ok {
		return nil, usageError(fmt.Sprintf("%q is not a mention of a person.", words[0]), "invite")
	}
	if u.ExternalID == r.me.ExternalID {
		return nil, Errorf(EINVALID, "You can't be your own client. Invite someone else with `invite @name`.")
	}
	client, err := b.ensurePerson(ctx, r.inst, u)
	if err != nil {
		return nil, err
	}
	current, err := b.mayInvite(ctx, r, client)
	if err != nil {
		return nil, err
	}
	// Only an invitation that goes ahead makes the inviter a coach.
	if !r.me.IsCoach {
		r.me.IsCoach = true
		if err := b.store.UpdatePerson(ctx, r.me); err != nil {
			return nil, fmt.Errorf("make coach: %w", err)
		}
	}
	if current != nil {
		return b.inviteSwitch(ctx, r, client, current)
	}
	e, err := b.newEngagementFor(ctx, r.me.ID, client.ID, EngagementInvited, r.now)
	if err != nil {
		return nil, err
	}
	if err := b.store.CreateEngagement(ctx, e); err != nil {
		return nil, err
	}
	days := "workdays"
	if e.Workdays != MonToFri {
		days = e.Workdays.String()
	}
	invite := Message{
		Text: fmt.Sprintf("*%s invited you to smart90.*\nsmart90 keeps your quarterly rocks (90-day priorities) alive between coaching sessions: "+
			"a short check-in on %s at %s your time, a weekly report on %ss at %s, and your coach sees the week at a glance. "+
			"You can change times, pause for holidays, export or delete your data at any time.", r.me.DisplayName, days, e.CheckinTime, weekdayName(e.WeeklyWeekday), e.WeeklyTime),
		Buttons: []Button{
			{ActionID: ActionAccept, Label: "Accept", Value: strconv.FormatInt(e.ID, 10), Style: StylePrimary},
			{ActionID: ActionDecline, Label: "Decline", Value: strconv.FormatInt(e.ID, 10)},
		},
	}
	if _, err := b.msg.Send(ctx, dm(r.inst, client), invite); err != nil {
		b.log.WarnContext(ctx, "send invitation", "engagement", e.ID, "err", err)
		return reply("I saved the invitation but could not message %s (%s). They can type `accept` to me when they are ready.", client.DisplayName, ErrorMessage(err)), nil
	}
	return reply("Invitation sent to %s. I'll tell you when they accept.", client.DisplayName), nil
}

// ReinviteAfter is how long a coach whose invitation was declined waits
// before inviting the same person again: a "no" is not worn down by
// repeated asking.
const ReinviteAfter = 30 // days

// newEngagement is an engagement with the default schedule.
func newEngagement(coachID, clientID int64, status EngagementStatus, now time.Time) *Engagement {
	return &Engagement{
		CoachID: coachID, ClientID: clientID, Status: status,
		CheckinTime: DefaultCheckinTime, Workdays: MonToFri,
		WeeklyWeekday: DefaultWeeklyWeekday, WeeklyTime: DefaultWeeklyTime,
		ReminderDelay: DefaultReminderDelay, CycleDays: DefaultCycleDays,
		InvitedAt: now, UpdatedAt: now,
	}
}

// newEngagementFor is a new engagement of client with coach: with the schedule
// of the client's last accepted engagement, whoever it was with (their
// check-in time and days are theirs, not a coach's), else the defaults.
func (b *Bot) newEngagementFor(ctx context.Context, coachID, clientID int64, status EngagementStatus, now time.Time) (*Engagement, error) {
	e := newEngagement(coachID, clientID, status, now)
	past, err := b.store.EngagementsForClient(ctx, clientID)
	if err != nil {
		return nil, fmt.Errorf("load past engagements: %w", err)
	}
	for i := len(past) - 1; i >= 0; i-- {
		if p := past[i]; !p.AcceptedAt.IsZero() {
			e.CheckinTime, e.Workdays, e.WeeklyWeekday, e.WeeklyTime, e.ReminderDelay = p.CheckinTime, p.Workdays, p.WeeklyWeekday, p.WeeklyTime, p.ReminderDelay
			break
		}
	}
	return e, nil
}

// mayInvite refuses an invitation the actor may not send. It returns the
// client's live engagement with another coach, if any: the invitation
// then offers a switch, and the inviter is answered as for anyone else,
// since whether a person works with another coach is theirs to tell.
func (b *Bot) mayInvite(ctx context.Context, r *request, client *Person) (*Engagement, error) {
	mine, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("check your coach: %w", err)
	}
	if err == nil && mine.CoachID == client.ID {
		return nil, Errorf(EINVALID, "%s is your coach, so they can't be your client too.", client.DisplayName)
	}
	past, err := b.store.EngagementsForClient(ctx, client.ID)
	if err != nil {
		return nil, fmt.Errorf("check past invitations: %w", err)
	}
	for _, p := range slices.Backward(past) {
		if p.CoachID != r.me.ID {
			continue
		}
		if p.Status.Live() {
			return nil, Errorf(ECONFLICT, "%s is already your client (%s).", client.DisplayName, p.Status)
		}
		if p.Status == EngagementDeclined {
			declined := DateOf(p.EndedAt.In(zoneOf(r.me)))
			if again := declined.AddDays(ReinviteAfter); r.today().Before(again) {
				return nil, Errorf(ECONFLICT, "%s declined your invitation on %s. You can invite them again from %s.",
					client.DisplayName, declined, again)
			}
		}
		break // only the latest engagement with this coach counts
	}
	e, err := b.store.LiveEngagementForClient(ctx, client.ID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("check client: %w", err)
	}
	return e, nil
}

// invitation returns the actor's pending invitation; value, when set, names it.
func (b *Bot) invitation(ctx context.Context, r *request, value string) (*Engagement, error) {
	e, err := b.store.LiveEngagementForClient(ctx, r.me.ID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "You have no pending invitation.")
	} else if err != nil {
		return nil, fmt.Errorf("load invitation: %w", err)
	}
	if value != "" && strconv.FormatInt(e.ID, 10) != value {
		return nil, Errorf(ENOTFOUND, "That invitation is no longer open.")
	}
	if e.Status != EngagementInvited {
		return nil, Errorf(ECONFLICT, "You already accepted; type `rocks` to see your rocks or `help` for more.")
	}
	return e, nil
}

// cmdAccept: the client accepts; the cycle starts today in their zone.
func (b *Bot) cmdAccept(ctx context.Context, r *request, _ string) ([]Message, error) {
	return b.accept(ctx, r, "")
}

func (b *Bot) accept(ctx context.Context, r *request, value string) ([]Message, error) {
	e, err := b.invitation(ctx, r, value)
	if err != nil {
		return nil, err
	}
	tzNote := ""
	if r.me.TimeZone == "" {
		r.me.TimeZone = "UTC"
		if err := b.store.UpdatePerson(ctx, r.me); err != nil {
			return nil, fmt.Errorf("set time zone: %w", err)
		}
		tzNote = "\nI could not read your time zone, so I use UTC for now: set yours with `settings tz Area/City`."
	}
	e.Status, e.AcceptedAt, e.UpdatedAt = EngagementActive, r.now, r.now
	e.Start = r.today()
	if err := b.store.UpdateEngagement(ctx, e); err != nil {
		return nil, err
	}
	b.emitCycle(ctx, e, r.me, e.CycleN(1), r.now)
	// Sessions booked before: a brief whose time passed while the
	// invitation waited comes now, before the session.
	if ss, err := b.upcoming(ctx, e, r.now); err != nil {
		b.log.ErrorContext(ctx, "load sessions booked before accepting", "engagement", e.ID, "err", err)
	} else if err := b.PlanSessions(ctx, ss...); err != nil {
		b.log.ErrorContext(ctx, "plan the briefs of sessions booked before accepting", "engagement", e.ID, "err", err)
	}
	if coach, err := b.store.Person(ctx, e.CoachID); err == nil {
		b.notify(ctx, r.inst, coach, fmt.Sprintf("%s accepted your invitation. Cycle 1 starts today, %s, and runs to %s.", r.me.DisplayName, e.Start, e.CycleN(1).End()))
	}
	text := fmt.Sprintf("*Welcome to smart90!* Your 90-day cycle runs %s to %s. "+
		"Check-ins come at %s on %s (%s), the weekly report %s at %s.%s\n\n"+
		"Next: add 3 to 7 rocks — the quarterly priorities that matter most, each with a measurable \"done\". "+
		"Use the form, or type `rocks add Launch the new pricing page | live and announced | due %s`.",
		e.Start, e.CycleN(1).End(), e.CheckinTime, e.Workdays, r.me.TimeZone,
		weekdayName(e.WeeklyWeekday), e.WeeklyTime, tzNote, e.CycleN(1).End())
	return []Message{{Text: text, Form: rockForm(e, nil, e.Start)}}, nil
}

// cmdDecline: the client declines.
func (b *Bot) cmdDecline(ctx context.Context, r *request, _ string) ([]Message, error) {
	return b.decline(ctx, r, "")
}

func (b *Bot) decline(ctx context.Context, r *request, value string) ([]Message, error) {
	e, err := b.invitation(ctx, r, value)
	if err != nil {
		return nil, err
	}
	e.Status, e.EndedAt, e.UpdatedAt = EngagementDeclined, r.now, r.now
	if err := b.store.UpdateEngagement(ctx, e); err != nil {
		return nil, err
	}
	if coach, err := b.store.Person(ctx, e.CoachID); err == nil {
		again := DateOf(r.now.In(zoneOf(coach))).AddDays(ReinviteAfter)
		b.notify(ctx, r.inst, coach, fmt.Sprintf("%s declined your invitation. You can invite them again from %s.", r.me.DisplayName, again))
	}
	return reply("Declined. Nothing about you is kept beyond your name; this coach can't invite you again for %d days.", ReinviteAfter), nil
}

// notify sends a plain direct message, logging (not failing) on error:
// the action that caused it has already been stored.
func (b *Bot) notify(ctx context.Context, inst *Installation, p *Person, text string) {
	if _, err := b.msg.Send(ctx, dm(inst, p), Message{Text: text}); err != nil {
		b.log.WarnContext(ctx, "notify", "person", p.ID, "err", err)
	}
}

// cmdDigest: a coach picks the channel of the weekly digest.
func (b *Bot) cmdDigest(ctx context.Context, r *request, rest string) ([]Message, error) {
	words := strings.Fields(rest)
	if len(words) != 1 {
		return nil, usageError("Tell me the channel, e.g. `digest #coaching`, or `digest dm`.", "digest")
	}
	ch, ok := channelRef(words[0])
	if words[0] == "dm" {
		ch, ok = "", true
	}
	if !ok {
		return nil, usageError(fmt.Sprintf("%q is not a channel.", clip(words[0], 40)), "digest")
	}
	if CheckID("channel", ch) != nil {
		return nil, usageError(fmt.Sprintf("That channel name is %d characters long, longer than any channel's; pick the channel from the list as you type `#`.", utf8.RuneCountInString(ch)), "digest")
	}
	r.me.DigestChannel = ch
	if err := b.store.UpdatePerson(ctx, r.me); err != nil {
		return nil, fmt.Errorf("set digest channel: %w", err)
	}
	where := "you, as a direct message"
	if ch != "" {
		where = MentionChannel(ch)
	}
	return reply("Your weekly digest goes to %s, %s at %s your time. Invite me to the channel if it is private.",
		where, weekdayName(r.me.DigestWeekday), r.me.DigestTime), nil
}

// myClient returns the actor's client named by a mention word, with the
// engagement. It never tells whether the person is someone else's client.
func (b *Bot) myClient(ctx context.Context, r *request, word, cmd string) (*Person, *Engagement, error) {
	u, ok := mention(r.ev, word)
	if !ok {
		return nil, nil, usageError(fmt.Sprintf("%q is not a mention of a person.", word), cmd)
	}
	if !r.me.IsCoach {
		return nil, nil, notCoach(fmt.Sprintf("`%s @client`", cmd))
	}
	notYours := Errorf(EFORBIDDEN, "%s is not one of your clients. Invite them with `invite @%s`.", u.DisplayName, u.DisplayName)
	client, err := b.store.PersonByExternalID(ctx, r.inst.ID, u.ExternalID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, notYours
	} else if err != nil {
		return nil, nil, fmt.Errorf("load client: %w", err)
	}
	e, err := b.store.LiveEngagementForClient(ctx, client.ID)
	if ErrorCode(err) == ENOTFOUND || err == nil && e.CoachID != r.me.ID {
		return nil, nil, notYours
	} else if err != nil {
		return nil, nil, fmt.Errorf("load engagement: %w", err)
	}
	return client, e, nil
}

// weekdayName is "Monday" style.
func weekdayName(d time.Weekday) string { return d.String() }
