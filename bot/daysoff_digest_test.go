package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// TestHolidayWeekDigest: Christmas Day 2026 is a Friday in Paris. Ana is
// told on Monday that her weekly report comes on Thursday and on Thursday
// that Friday has no check-in; she answers Monday to Thursday, and the
// digest counts 4/4, not 4/5, with the day off and its reason.
func TestHolidayWeekDigest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, e := withRocks(t)
	s, err := scheduler.New(scheduler.Config{Store: b.Store, Deliverer: b.Bot, Clock: b.Clock})
	if err != nil {
		t.Fatal(err)
	}
	tick := func(at time.Time) {
		t.Helper()
		b.Clock.Set(at)
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tick(bottest.Day("2026-12-20", "12:00", "Europe/Paris"))
	for day := 21; day <= 27; day++ {
		for _, hm := range []string{"09:00", "11:00", "15:00"} {
			tick(bottest.Day(fmt.Sprintf("2026-12-%d", day), hm, "Europe/Paris"))
		}
	}
	seed(t, b, e, "no", days(bot.Date{Year: 2026, Month: 12, Day: 21}, 4)...)

	mon := b.Prompt(t, ana, bot.DeliveryDaily, bot.Date{Year: 2026, Month: 12, Day: 21})
	thu := b.Prompt(t, ana, bot.DeliveryDaily, bot.Date{Year: 2026, Month: 12, Day: 24})
	fri, err := b.Store.DeliveryByKey(ctx, mon.PersonID, bot.DeliveryDaily, "2026-12-25")
	if err != nil {
		t.Fatal(err)
	}
	if fri.State != bot.DeliverySkipped || fri.SkipReason != "public holiday: Christmas Day" {
		t.Errorf("Christmas Day's check-in: %s %q", fri.State, fri.SkipReason)
	}
	sentOn := func(d *bot.Delivery) []bot.Message {
		var out []bot.Message
		for _, m := range b.Messenger.SentTo("ana") {
			if m.Ref == d.MessageRef {
				out = append(out, m.Msg)
			}
		}
		return out
	}
	has(t, sentOn(mon), "Good morning, Ana!\nYour weekly report comes on Thursday this week (Friday is Christmas Day).")
	has(t, sentOn(thu), "Good morning, Ana!\nFriday is Christmas Day: no check-in.")
	lacks(t, sentOn(thu), "weekly report comes")
	wk := b.Prompt(t, ana, bot.DeliveryWeekly, bot.Date{Year: 2026, Month: 12, Day: 21})
	if want := bottest.Day("2026-12-24", "15:00", "Europe/Paris"); !wk.DueAt.Equal(want) {
		t.Errorf("weekly report due %s, want Thursday 15:00", wk.DueAt)
	}

	has(t, b.Command(t, coach, "clients"), "this week 4/4 check-ins · streak 4 · 3 rocks (0 off track) · off: public holiday (Fri 25 Dec)")
	b.Clock.Set(bottest.Day("2026-12-28", "07:00", "Europe/London"))
	_, parts, err := b.Bot.ComposeDigest(ctx, b.Person(t, coach), bot.Date{Year: 2026, Month: 12, Day: 21})
	if err != nil {
		t.Fatal(err)
	}
	has(t, parts, "*Ana* · check-ins 4/4 (100%) · streak 4 · energy 4.0 · off: public holiday (Fri 25 Dec)\n")
	lacks(t, parts, "4/5", "At risk")
}
