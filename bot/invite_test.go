package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

func TestInviteSendsButtons(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Meet(ana)
	out := b.Command(t, coach, "invite <@ana>")
	has(t, out, "Invitation sent to Ana")

	e := b.Engagement(t, ana)
	if e.Status != bot.EngagementInvited || e.CoachID != b.Person(t, coach).ID {
		t.Errorf("engagement = %s with coach %d, want invited with the coach", e.Status, e.CoachID)
	}
	if !b.Person(t, coach).IsCoach {
		t.Error("the inviter is not a coach")
	}
	if got := len(b.Messenger.SentTo("ana")); got != 1 {
		t.Fatalf("%d messages to ana, want the invitation", got)
	}
	inv := lastTo(t, b, "ana")
	has(t, []bot.Message{inv}, "Cora invited you to smart90")
	if v := button(t, inv, bot.ActionAccept).Value; v != bottest.ID(e.ID) {
		t.Errorf("Accept value = %q, want the engagement %d", v, e.ID)
	}
	if v := button(t, inv, bot.ActionDecline).Value; v != bottest.ID(e.ID) {
		t.Errorf("Decline value = %q, want the engagement %d", v, e.ID)
	}
}

func TestInviteRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, b *bottest.Bundle)
		by    bot.UserRef
		text  string
		want  []string
	}{
		{name: "self", by: coach, text: "invite <@coach>", want: []string{"can't be your own client"}},
		{name: "no mention", by: coach, text: "invite", want: []string{"Tell me whom to invite", "Usage: `invite @client`"}},
		{name: "not a mention", by: coach, text: "invite ana", want: []string{`"ana" is not a mention`, "Usage:"}},
		{name: "two mentions", by: coach, text: "invite <@ana> <@bob>", want: []string{"Usage:"}},
		{
			name:  "already your client",
			setup: func(t *testing.T, b *bottest.Bundle) { b.Engage(t, coach, ana) },
			by:    coach, text: "invite <@ana>",
			want: []string{"Ana is already your client (active)"},
		},
		{
			name:  "already invited by you",
			setup: func(t *testing.T, b *bottest.Bundle) { b.Command(t, coach, "invite <@ana>") },
			by:    coach, text: "invite <@ana>",
			want: []string{"Ana is already your client (invited)"},
		},
		{
			name:  "your own coach",
			setup: func(t *testing.T, b *bottest.Bundle) { b.Engage(t, coach, ana) },
			by:    ana, text: "invite <@coach>",
			want: []string{"Cora is your coach, so they can't be your client too"},
		},
		{
			name: "declined lately",
			setup: func(t *testing.T, b *bottest.Bundle) {
				b.Command(t, coach, "invite <@ana>")
				b.Command(t, ana, "decline")
			},
			by: coach, text: "invite <@ana>",
			want: []string{"Ana declined your invitation on 2026-11-22. You can invite them again from 2026-12-22."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			b.Meet(ana, bob)
			if tt.setup != nil {
				tt.setup(t, b)
			}
			before := len(b.Messenger.Sent())
			out := b.Command(t, tt.by, tt.text)
			has(t, out, tt.want...)
			lacks(t, out, "Invitation sent")
			if n := len(b.Messenger.Sent()); n != before {
				t.Errorf("%d messages sent, want none", n-before)
			}
			// Nothing stored: the actor coaches nobody new, and is not
			// made a coach by a refused invitation.
			me := b.Person(t, tt.by)
			es, err := b.Store.EngagementsForCoach(context.Background(), me.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.setup == nil || tt.by != coach {
				if len(es) != 0 {
					t.Errorf("%d engagements stored for %s, want none", len(es), tt.by.ExternalID)
				}
				if me.IsCoach {
					t.Errorf("%s became a coach by a refused invitation", tt.by.ExternalID)
				}
			} else if len(es) != 1 {
				t.Errorf("%d engagements for the coach, want still 1", len(es))
			}
		})
	}
}

func TestInviteUndeliverable(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Messenger.Fail("ana", bot.Errorf(bot.EFORBIDDEN, "ana left the workspace"))
	out := b.Command(t, coach, "invite <@ana>")
	has(t, out, "I saved the invitation but could not message ana", "ana left the workspace", "type `accept`")
	if e := b.Engagement(t, ana); e.Status != bot.EngagementInvited {
		t.Errorf("engagement %s, want invited", e.Status)
	}
	// The invitation stands: typing accept works.
	b.Messenger.Fail("ana", nil)
	has(t, b.Command(t, ana, "accept"), "Welcome to smart90")
}

func TestAccept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tz        string
		accept    func(t *testing.T, b *bottest.Bundle, client bot.UserRef) []bot.Message
		wantTZ    string
		wantStart bot.Date
		wantNote  bool
	}{
		{
			name: "button", tz: "Europe/Paris", wantTZ: "Europe/Paris", wantStart: sun22,
			accept: func(t *testing.T, b *bottest.Bundle, c bot.UserRef) []bot.Message {
				inv := lastTo(t, b, c.ExternalID)
				return b.Click(t, c, bot.ActionAccept, button(t, inv, bot.ActionAccept).Value)
			},
		},
		{
			name: "command", tz: "Europe/Paris", wantTZ: "Europe/Paris", wantStart: sun22,
			accept: func(t *testing.T, b *bottest.Bundle, c bot.UserRef) []bot.Message {
				return b.Command(t, c, "accept")
			},
		},
		{
			// 18:00 UTC on Sunday is already Monday 07:00 in Auckland:
			// the cycle starts on the client's day.
			name: "zone ahead", tz: "Pacific/Auckland", wantTZ: "Pacific/Auckland", wantStart: mon23,
			accept: func(t *testing.T, b *bottest.Bundle, c bot.UserRef) []bot.Message {
				return b.Command(t, c, "accept")
			},
		},
		{
			name: "no zone", tz: "", wantTZ: "UTC", wantStart: sun22, wantNote: true,
			accept: func(t *testing.T, b *bottest.Bundle, c bot.UserRef) []bot.Message {
				return b.Command(t, c, "accept")
			},
		},
		{
			name: "invalid zone", tz: "Mars/Olympus", wantTZ: "UTC", wantStart: sun22, wantNote: true,
			accept: func(t *testing.T, b *bottest.Bundle, c bot.UserRef) []bot.Message {
				return b.Command(t, c, "accept")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			client := bot.UserRef{ExternalID: "cli", DisplayName: "Cli", TimeZone: tt.tz}
			b.Command(t, coach, "invite <@cli>")
			out := tt.accept(t, b, client)
			has(t, out, "Welcome to smart90", "Your 90-day cycle runs "+tt.wantStart.String(), "("+tt.wantTZ+")", "rocks add")
			if out[0].Form == nil || out[0].Form.FormID != bot.FormRockAdd {
				t.Errorf("welcome has no rock form: %+v", out[0].Form)
			}
			if tt.wantNote {
				has(t, out, "I could not read your time zone, so I use UTC", "settings tz Area/City")
			} else {
				lacks(t, out, "could not read your time zone")
			}

			if p := b.Person(t, client); p.TimeZone != tt.wantTZ {
				t.Errorf("stored zone %q, want %q", p.TimeZone, tt.wantTZ)
			}
			e := b.Engagement(t, client)
			if e.Status != bot.EngagementActive || e.Start != tt.wantStart || !e.AcceptedAt.Equal(bottest.Start) {
				t.Errorf("engagement %s from %s accepted %s, want active from %s accepted %s", e.Status, e.Start, e.AcceptedAt, tt.wantStart, bottest.Start)
			}
			if e.CheckinTime != bot.DefaultCheckinTime || e.Workdays != bot.MonToFri || e.WeeklyWeekday != time.Friday || e.CycleDays != 90 {
				t.Errorf("engagement defaults %s %s %s %d", e.CheckinTime, e.Workdays, e.WeeklyWeekday, e.CycleDays)
			}
			has(t, []bot.Message{lastTo(t, b, "coach")}, "Cli accepted your invitation", "Cycle 1 starts today, "+tt.wantStart.String())
		})
	}
}

func TestAcceptRefused(t *testing.T) {
	t.Parallel()
	t.Run("no invitation", func(t *testing.T) {
		t.Parallel()
		b := bottest.Setup(t)
		has(t, b.Command(t, ana, "accept"), "You have no pending invitation")
		has(t, b.Click(t, ana, bot.ActionDecline, "1"), "You have no pending invitation")
		if _, err := b.Store.LiveEngagementForClient(context.Background(), b.Person(t, ana).ID); code(err) != bot.ENOTFOUND {
			t.Errorf("engagement after a refused accept: %v", err)
		}
	})
	t.Run("twice", func(t *testing.T) {
		t.Parallel()
		b := bottest.Setup(t)
		e := b.Engage(t, coach, ana)
		b.Clock.Advance(24 * time.Hour)
		has(t, b.Command(t, ana, "accept"), "You already accepted")
		if got := b.Engagement(t, ana); got.Start != e.Start || !got.AcceptedAt.Equal(e.AcceptedAt) {
			t.Errorf("second accept moved the cycle to %s", got.Start)
		}
	})
	t.Run("stale button", func(t *testing.T) {
		t.Parallel()
		b := bottest.Setup(t)
		b.Command(t, coach, "invite <@ana>")
		has(t, b.Click(t, ana, bot.ActionAccept, "999"), "That invitation is no longer open")
		if e := b.Engagement(t, ana); e.Status != bot.EngagementInvited {
			t.Errorf("engagement %s, want still invited", e.Status)
		}
	})
}

func TestDecline(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Command(t, coach, "invite <@ana>")
	inv := lastTo(t, b, "ana")
	id := button(t, inv, bot.ActionDecline).Value
	has(t, b.Click(t, ana, bot.ActionDecline, id), "Declined")

	es, err := b.Store.EngagementsForClient(context.Background(), b.Person(t, ana).ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Status != bot.EngagementDeclined || es[0].EndedAt.IsZero() {
		t.Fatalf("engagements after decline: %+v", es)
	}
	has(t, []bot.Message{lastTo(t, b, "coach")}, "Ana declined your invitation")
	has(t, []bot.Message{lastTo(t, b, "coach")}, "You can invite them again from 2026-12-22")
	// The old Accept button no longer works; the coach must wait.
	has(t, b.Click(t, ana, bot.ActionAccept, id), "You have no pending invitation")
	has(t, b.Command(t, coach, "invite <@ana>"), "You can invite them again from 2026-12-22")
}

// A declined coach may ask again after ReinviteAfter days, not before; the
// day counts in the coach's zone.
func TestInviteAgainAfterDecline(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Meet(ana)
	b.Command(t, coach, "invite <@ana>")
	b.Command(t, ana, "decline")
	b.Clock.Advance(29 * 24 * time.Hour)
	has(t, b.Command(t, coach, "invite <@ana>"), "You can invite them again from 2026-12-22")
	b.Clock.Advance(24 * time.Hour)
	has(t, b.Command(t, coach, "invite <@ana>"), "Invitation sent to Ana")
	if e := b.Engagement(t, ana); e.Status != bot.EngagementInvited {
		t.Errorf("engagement %s, want a new invitation", e.Status)
	}
	// Another coach was never held back by Cora's decline.
	b2 := bottest.Setup(t)
	b2.Meet(ana)
	b2.Command(t, coach, "invite <@ana>")
	b2.Command(t, ana, "decline")
	has(t, b2.Command(t, coach2, "invite <@ana>"), "Invitation sent to Ana")
}
