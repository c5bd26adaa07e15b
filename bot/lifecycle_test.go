package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// engagementByID reloads an engagement, whatever its status.
func engagementByID(t testing.TB, b *bottest.Bundle, id int64) *bot.Engagement {
	t.Helper()
	e, err := b.Store.Engagement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// promptNeeded reports whether the bot would still send the client's
// daily prompt of day under e.
func promptNeeded(t testing.TB, b *bottest.Bundle, client bot.UserRef, e *bot.Engagement, day bot.Date) bool {
	t.Helper()
	ctx := context.Background()
	d := &bot.Delivery{PersonID: b.Person(t, client).ID, EngagementID: e.ID, Kind: bot.DeliveryDaily,
		Period: day.String(), DueAt: b.Clock.Now().UTC(), State: bot.DeliveryPending}
	if _, err := b.Store.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	_, needed, err := b.Bot.Deliver(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return needed
}

func TestEndByCoach(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	if !promptNeeded(t, b, ana, e, mon23) {
		t.Fatal("an active client's prompt is not needed")
	}
	ask := b.Command(t, coach, "end <@ana>")
	has(t, ask, "End your coaching with Ana?", "type `yes` / `no`")
	confirm := button(t, ask[0], bot.ActionEndConfirm)
	button(t, ask[0], bot.ActionEndCancel)
	if got := engagementByID(t, b, e.ID); got.Status != bot.EngagementActive {
		t.Fatalf("asking ended the engagement: %s", got.Status)
	}

	b.Clock.Advance(time.Minute)
	has(t, b.Click(t, coach, confirm.ActionID, confirm.Value), "Ended your coaching with Ana", "I've told them")
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Cora ended your coaching on smart90", "check-ins and weekly reports have stopped", "`export`")
	got := engagementByID(t, b, e.ID)
	if got.Status != bot.EngagementEnded || !got.EndedAt.Equal(b.Clock.Now().UTC()) {
		t.Errorf("engagement %s ended at %v, want ended now", got.Status, got.EndedAt)
	}
	if promptNeeded(t, b, ana, got, tue24) {
		t.Error("an ended engagement's prompt is still sent")
	}
	if n := len(rocksOf(t, b, e)); n != 3 {
		t.Errorf("%d rocks after the end, want the 3 kept", n)
	}
	// The button pressed again changes nothing.
	has(t, b.Click(t, coach, confirm.ActionID, confirm.Value), "already ended")

	// History kept, a new start possible: invited again, a new engagement.
	has(t, b.Command(t, coach, "invite <@ana>"), "Invitation sent to Ana")
	has(t, b.Command(t, ana, "accept"), "Welcome to smart90")
	again := b.Engagement(t, ana)
	if again.ID == e.ID || again.Status != bot.EngagementActive {
		t.Errorf("re-invited engagement %d %s, want a new active one", again.ID, again.Status)
	}
	if n := len(rocksOf(t, b, e)); n != 3 {
		t.Errorf("the old engagement has %d rocks, want its 3 kept", n)
	}
}

func TestLeaveByClient(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	ask := b.Command(t, ana, "leave")
	has(t, ask, "Stop working with Cora on smart90?", "Cora is told")
	button(t, ask[0], bot.ActionLeaveConfirm)
	button(t, ask[0], bot.ActionLeaveCancel)

	has(t, b.Say(t, ana, "yes"), "you no longer work with Cora", "Any coach can invite you again")
	has(t, []bot.Message{lastTo(t, b, "coach")}, "Ana stopped working with you on smart90")
	if got := engagementByID(t, b, e.ID); got.Status != bot.EngagementEnded {
		t.Errorf("engagement %s, want ended", got.Status)
	}
	// The "yes" was spent: another one is not a confirmation.
	lacks(t, b.Say(t, ana, "yes"), "no longer work with")
	// Her own words after the end say where her history is.
	for _, word := range []string{"rocks", "checkin", "history"} {
		has(t, b.Command(t, ana, word), "You don't work with a coach on smart90 now", "`export`")
	}

	// Another coach may invite now.
	has(t, b.Command(t, coach2, "invite <@ana>"), "Invitation sent to Ana")
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Dev invited you")
}

func TestEndCancelled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		by     bot.UserRef
		ask    string
		cancel func(t *testing.T, b *bottest.Bundle, ask []bot.Message) []bot.Message
	}{
		{"coach button", coach, "end <@ana>", func(t *testing.T, b *bottest.Bundle, ask []bot.Message) []bot.Message {
			return b.Click(t, coach, bot.ActionEndCancel, button(t, ask[0], bot.ActionEndCancel).Value)
		}},
		{"coach types no", coach, "end <@ana>", func(t *testing.T, b *bottest.Bundle, _ []bot.Message) []bot.Message {
			return b.Say(t, coach, "no")
		}},
		{"client button", ana, "leave", func(t *testing.T, b *bottest.Bundle, ask []bot.Message) []bot.Message {
			return b.Click(t, ana, bot.ActionLeaveCancel, button(t, ask[0], bot.ActionLeaveCancel).Value)
		}},
		{"client types no", ana, "leave", func(t *testing.T, b *bottest.Bundle, _ []bot.Message) []bot.Message {
			return b.Say(t, ana, "No.")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			e := b.Engage(t, coach, ana)
			before := len(b.Messenger.Sent())
			has(t, tt.cancel(t, b, b.Command(t, tt.by, tt.ask)), "Nothing changed")
			if got := engagementByID(t, b, e.ID); got.Status != bot.EngagementActive {
				t.Errorf("engagement %s after cancel, want active", got.Status)
			}
			if n := len(b.Messenger.Sent()); n != before {
				t.Errorf("%d messages sent on cancel, want none", n-before)
			}
			// A later "yes" confirms nothing.
			b.Say(t, tt.by, "yes")
			if got := engagementByID(t, b, e.ID); got.Status != bot.EngagementActive {
				t.Errorf("engagement %s after a late yes, want active", got.Status)
			}
		})
	}
}

func TestEndRefused(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	b.Meet(bob)
	b.Command(t, coach2, "coach")
	has(t, b.Command(t, coach2, "end <@ana>"), "Ana is not one of your clients")
	has(t, b.Command(t, coach, "end"), "Usage: `end @client`")
	has(t, b.Command(t, bob, "leave"), "You don't work with a coach")
	// Someone else's confirmation button, or a forged one, ends nothing.
	has(t, b.Click(t, coach2, bot.ActionEndConfirm, bottest.ID(e.ID)), "already ended")
	has(t, b.Click(t, bob, bot.ActionLeaveConfirm, bottest.ID(e.ID)), "already ended")
	has(t, b.Click(t, coach, bot.ActionEndConfirm, "x"), "already ended")
	// Too late: the typed "yes" expires.
	b.Command(t, coach, "end <@ana>")
	b.Clock.Advance(time.Hour)
	b.Say(t, coach, "yes")
	if got := engagementByID(t, b, e.ID); got.Status != bot.EngagementActive {
		t.Errorf("engagement %s, want active", got.Status)
	}
}

func TestEndWithdrawsInvitation(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Meet(ana)
	b.Command(t, coach, "invite <@ana>")
	e := b.Engagement(t, ana)
	has(t, b.Command(t, ana, "leave"), "type `decline`")
	has(t, b.Command(t, coach, "end <@ana>"), "Withdraw your invitation to Ana?")
	has(t, b.Command(t, coach, "end <@ana> yes"), "Withdrew your invitation to Ana")
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Cora withdrew their invitation")
	has(t, b.Command(t, ana, "accept"), "You have no pending invitation")
	if got := engagementByID(t, b, e.ID); got.Status != bot.EngagementEnded {
		t.Errorf("engagement %s, want ended", got.Status)
	}
}

// A coach's forget-me says, before they agree, that their clients' coaching
// ends; afterwards each client is told and keeps their data.
func TestCoachForgetMe(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	b.Meet(bob)
	b.Command(t, coach, "invite <@bob>")
	ask := b.Command(t, coach, "forget-me")
	has(t, ask, "You coach Ana and Bob: that coaching ends first", "Each of them is told, keeps their own rocks and history, and can be invited by another coach")
	confirm := button(t, ask[0], bot.ActionForgetConfirm)
	if got := engagementByID(t, b, e.ID); got.Status != bot.EngagementActive {
		t.Fatalf("asking ended the engagement: %s", got.Status)
	}

	has(t, b.Click(t, coach, confirm.ActionID, confirm.Value), "everything smart90 kept about you is deleted")
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Cora left smart90, so your coaching with them has ended", "Your rocks and history are yours and kept")
	has(t, []bot.Message{lastTo(t, b, "bob")}, "Cora withdrew their invitation")
	got := engagementByID(t, b, e.ID)
	if got.Status != bot.EngagementEnded || got.CoachID != 0 {
		t.Errorf("Ana's engagement %s with coach %d, want ended with nobody", got.Status, got.CoachID)
	}
	if n := len(rocksOf(t, b, e)); n != 3 {
		t.Errorf("Ana has %d rocks left, want her 3", n)
	}
	has(t, b.Command(t, coach2, "invite <@ana>"), "Invitation sent to Ana")
	has(t, b.Command(t, coach2, "invite <@bob>"), "Invitation sent to Bob")

	// A client's forget-me says nothing of clients.
	lacks(t, b.Command(t, ana, "forget-me"), "You coach")
}

// Another coach's invitation to a coached client reads, to the inviter, as
// any invitation; the client may switch, and the old coach is told.
func TestSwitchCoach(t *testing.T) {
	t.Parallel()
	b, old := withRocks(t)
	b.Meet(bob)
	toCora := len(b.Messenger.SentTo("coach"))
	has(t, b.Command(t, coach2, "invite <@ana>"), "Invitation sent to Ana. I'll tell you when they accept.")
	inv := lastTo(t, b, "ana")
	has(t, []bot.Message{inv}, "Dev invited you to work with them on smart90", "You work with Cora on smart90 now: accepting ends that coaching")
	if n := len(b.Messenger.SentTo("coach")); n != toCora {
		t.Errorf("Cora was told of an invitation Ana has not answered (%d messages)", n-toCora)
	}
	if got := b.Engagement(t, ana); got.ID != old.ID {
		t.Fatalf("an invitation changed Ana's coach: engagement %d", got.ID)
	}
	// Only the invitation sent can be accepted: not a crafted coach id.
	has(t, b.Click(t, ana, bot.ActionSwitchAccept, bottest.ID(b.Person(t, coach).ID)), "no longer open")
	has(t, b.Click(t, ana, bot.ActionSwitchAccept, "x"), "no longer open")

	accept := button(t, inv, bot.ActionSwitchAccept)
	has(t, b.Click(t, ana, accept.ActionID, accept.Value), "Welcome to smart90")
	now := b.Engagement(t, ana)
	if now.ID == old.ID || now.CoachID != b.Person(t, coach2).ID || now.Status != bot.EngagementActive {
		t.Errorf("after the switch: engagement %d with coach %d (%s), want a new active one with Dev", now.ID, now.CoachID, now.Status)
	}
	if got := engagementByID(t, b, old.ID); got.Status != bot.EngagementEnded {
		t.Errorf("the old engagement is %s, want ended", got.Status)
	}
	cora := lastTo(t, b, "coach")
	has(t, []bot.Message{cora}, "Ana now works with another coach on smart90")
	lacks(t, []bot.Message{cora}, "Dev")
	has(t, []bot.Message{lastTo(t, b, "coach2")}, "Ana accepted your invitation")
	if n := len(rocksOf(t, b, old)); n != 3 {
		t.Errorf("the old engagement has %d rocks, want its 3 kept", n)
	}
	has(t, b.Click(t, ana, accept.ActionID, accept.Value), "no longer open")
}

func TestSwitchDeclined(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	b.Command(t, coach2, "invite <@ana>")
	decline := button(t, lastTo(t, b, "ana"), bot.ActionSwitchDecline)
	has(t, b.Click(t, ana, decline.ActionID, decline.Value), "Declined; nothing changes for you")
	has(t, []bot.Message{lastTo(t, b, "coach2")}, "Ana declined your invitation. You can invite them again from 2026-12-22.")
	if got := b.Engagement(t, ana); got.ID != e.ID || got.Status != bot.EngagementActive {
		t.Errorf("a declined switch changed Ana's engagement: %d %s", got.ID, got.Status)
	}
	has(t, b.Command(t, coach2, "invite <@ana>"), "You can invite them again from 2026-12-22")
	has(t, b.Click(t, ana, decline.ActionID, decline.Value), "no longer open")
}

// TestScheduleFollowsTheClient: a client's check-in time, days, weekly
// report and reminder are theirs: a new engagement, with another coach
// or the same one again, starts with them (and a new cycle 1).
func TestScheduleFollowsTheClient(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	first := b.Engage(t, coach, ana)
	b.Command(t, ana, "settings time 08:30 days mon-thu weekly thu 16:00 reminder off")
	b.Command(t, ana, "leave")
	b.Say(t, ana, "yes")

	b.Clock.Advance(40 * 24 * time.Hour)
	b.Command(t, coach2, "invite <@ana>")
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Dev invited you", "a short check-in on mon-thu at 08:30 your time, a weekly report on Thursdays at 16:00")
	b.Command(t, ana, "accept")
	e := b.Engagement(t, ana)
	if e.ID == first.ID || e.CheckinTime != 8*60+30 || e.Workdays.String() != "mon-thu" || e.WeeklyWeekday != time.Thursday || e.WeeklyTime != 16*60 || e.ReminderDelay != 0 {
		t.Errorf("new engagement's schedule %s on %s, weekly %s %s, reminder %s", e.CheckinTime, e.Workdays, e.WeeklyWeekday, e.WeeklyTime, e.ReminderDelay)
	}
	if c := e.CycleOn(e.Start); c.N != 1 || e.Start == first.Start {
		t.Errorf("new engagement from %s in cycle %d", e.Start, c.N)
	}
}
