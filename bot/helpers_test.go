package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// The people of these tests.
var (
	coach  = bot.UserRef{ExternalID: "coach", DisplayName: "Cora", TimeZone: "Europe/London"}
	coach2 = bot.UserRef{ExternalID: "coach2", DisplayName: "Dev", TimeZone: "Europe/London"}
	ana    = bot.UserRef{ExternalID: "ana", DisplayName: "Ana", TimeZone: "Europe/Paris"}
	bob    = bot.UserRef{ExternalID: "bob", DisplayName: "Bob", TimeZone: "America/New_York"}
)

// Days of the first cycle: Setup starts on Sunday 2026-11-22.
var (
	sun22 = bot.Date{Year: 2026, Month: 11, Day: 22}
	mon23 = bot.Date{Year: 2026, Month: 11, Day: 23}
	tue24 = bot.Date{Year: 2026, Month: 11, Day: 24}
	mon30 = bot.Date{Year: 2026, Month: 11, Day: 30}
)

// has fails the test unless the messages' text holds every phrase.
func has(t testing.TB, msgs []bot.Message, phrases ...string) {
	t.Helper()
	text := bottest.Text(msgs...)
	for _, p := range phrases {
		if !strings.Contains(text, p) {
			t.Errorf("reply lacks %q:\n%s", p, text)
		}
	}
}

// lacks fails the test when the messages' text holds any phrase.
func lacks(t testing.TB, msgs []bot.Message, phrases ...string) {
	t.Helper()
	text := bottest.Text(msgs...)
	for _, p := range phrases {
		if strings.Contains(text, p) {
			t.Errorf("reply has %q:\n%s", p, text)
		}
	}
}

// withRocks engages ana with coach and gives her three rocks.
func withRocks(t testing.TB) (*bottest.Bundle, *bot.Engagement) {
	t.Helper()
	return withRocksOn(t, bottest.Options{})
}

// withRocksOn is withRocks on what o gives.
func withRocksOn(t testing.TB, o bottest.Options) (*bottest.Bundle, *bot.Engagement) {
	t.Helper()
	b := bottest.SetupWith(t, o)
	e := b.Engage(t, coach, ana)
	b.Clock.Advance(time.Minute) // rocks come after accepting
	b.Command(t, ana, "rocks add Launch the pricing page | live and announced")
	b.Command(t, ana, "rocks add Hire a CTO | offer signed | due 2027-01-31")
	b.Command(t, ana, "rocks add Close 3 pilots | three signed contracts")
	if n := len(rocksOf(t, b, e)); n != 3 {
		t.Fatalf("withRocks: %d rocks, want 3", n)
	}
	return b, e
}

func rocksOf(t testing.TB, b *bottest.Bundle, e *bot.Engagement) []*bot.Rock {
	t.Helper()
	rocks, err := b.Store.Rocks(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rocks
}

func historyOf(t testing.TB, b *bottest.Bundle, e *bot.Engagement) []*bot.RockChange {
	t.Helper()
	h, err := b.Store.RockHistory(context.Background(), e.ID, bottest.Start.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// checkIn returns the stored check-in of a day, nil when there is none.
func checkIn(t testing.TB, b *bottest.Bundle, e *bot.Engagement, day bot.Date) *bot.CheckIn {
	t.Helper()
	c, err := b.Store.CheckIn(context.Background(), e.ID, day)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return c
}

// code is a helper for stores' ENOTFOUND checks.
func code(err error) string { return bot.ErrorCode(err) }

// button returns the message's button with that action, failing without one.
func button(t testing.TB, m bot.Message, actionID string) bot.Button {
	t.Helper()
	for _, bt := range m.Buttons {
		if bt.ActionID == actionID {
			return bt
		}
	}
	t.Fatalf("message has no %s button: %+v", actionID, m.Buttons)
	return bot.Button{}
}

// lastTo returns the last message sent to a user or channel, failing without one.
func lastTo(t testing.TB, b *bottest.Bundle, to string) bot.Message {
	t.Helper()
	s, ok := b.Messenger.Last(to)
	if !ok {
		t.Fatalf("nothing was sent to %s", to)
	}
	return s.Msg
}
