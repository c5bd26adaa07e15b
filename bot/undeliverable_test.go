package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestUndeliverableClient: when a prompt fails for good the scheduler puts
// the client on hold; the bot tells the coach, shows it in `clients`, and
// the client's `resume` takes them off hold.
func TestUndeliverableClient(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	ctx := context.Background()
	p := b.Person(t, ana)
	d := &bot.Delivery{PersonID: p.ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: "2026-11-24"}
	cause := bot.Errorf(bot.ENOTFOUND, "Ana is no longer in the workspace.")
	if err := b.Store.SuspendSchedules(ctx, p.ID, b.Clock.Now(), bot.ErrorMessage(cause), bot.DeliveryDaily, bot.DeliveryWeekly); err != nil {
		t.Fatal(err)
	}
	b.Bot.Undeliverable(ctx, d, cause)
	last, ok := b.Messenger.Last(coach.ExternalID)
	if !ok {
		t.Fatal("the coach was not told")
	}
	has(t, []bot.Message{last.Msg}, "I can't reach *Ana* any more: Ana is no longer in the workspace.",
		"Their check-ins are on hold. When they are back, they can type `resume` to me.")
	has(t, b.Command(t, coach, "clients"), "⛔ prompts on hold, I can't reach them: Ana is no longer in the workspace.")

	has(t, b.Command(t, ana, "resume"), "Welcome back!")
	ss, err := b.Store.Schedules(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.Suspended != "" {
			t.Errorf("%s schedule still on hold after resume: %q", s.Kind, s.Suspended)
		}
	}
	if out := bottest.Text(b.Command(t, coach, "clients")...); !strings.Contains(out, "*Ana*") || strings.Contains(out, "on hold") {
		t.Errorf("clients after resume: %q", out)
	}
	has(t, b.Command(t, ana, "resume"), "You are not paused.")
}

// TestUndeliverableDigest: a digest that cannot be posted tells the coach
// how to choose another place.
func TestUndeliverableDigest(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	c := b.Person(t, coach)
	b.Bot.Undeliverable(context.Background(), &bot.Delivery{PersonID: c.ID, Kind: bot.DeliveryDigest, Period: "2026-W48"},
		bot.Errorf(bot.EFORBIDDEN, "The channel #coaching is archived."))
	last, ok := b.Messenger.Last(coach.ExternalID)
	if !ok {
		t.Fatal("the coach was not told")
	}
	has(t, []bot.Message{last.Msg}, "I couldn't post your weekly digest: The channel #coaching is archived.",
		"`digest #channel`")
}
