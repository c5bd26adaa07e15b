package bot_test

import (
	"context"
	"errors"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestCommandWordWhilePromptWaits: a command that only shows something,
// typed alone, runs even while a check-in waits for answers (Teams'
// command menu sends the bare word); longer text, and a command that would
// change something, are still answers.
func TestCommandWordWhilePromptWaits(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	mondayPrompt(t, b)
	has(t, b.Say(t, ana, "rocks"), "Your rocks")
	has(t, b.Say(t, ana, "/smart90 history"), "")
	if c := checkIn(t, b, e, mon23); c != nil && c.Moved != "" {
		t.Fatalf("a command was taken for an answer: %+v", c)
	}
	has(t, b.Say(t, ana, "rocks review with the team"), "*2/4*")
	if c := checkIn(t, b, e, mon23); c == nil || c.Moved != "rocks review with the team" {
		t.Errorf("an answer starting with a command word: %+v", c)
	}
	// A command that changes something is an answer while a prompt waits.
	has(t, b.Say(t, ana, "Resume"), "*3/4*")
	if c := checkIn(t, b, e, mon23); c == nil || c.Priority != "Resume" {
		t.Errorf("\"Resume\" as the day's priority: %+v", c)
	}
}

// TestFailedPromptIsNotAnswered: a prompt that never reached the client
// (the send failed for good) does not take their next words as answers.
func TestFailedPromptIsNotAnswered(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	p := b.Person(t, ana)
	d := &bot.Delivery{PersonID: p.ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: mon23.String(), DueAt: b.Clock.Now().UTC(), State: bot.DeliveryPending}
	ctx := context.Background()
	if _, err := b.Store.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.State, d.LastError, d.UpdatedAt = bot.DeliveryFailed, errors.New("removed").Error(), b.Clock.Now().UTC()
	if err := b.Store.UpdateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	has(t, b.Say(t, ana, "shipped the draft"), "Nothing is waiting for an answer right now")
	if c, err := b.Store.CheckIn(ctx, e.ID, mon23); err == nil && c.Moved != "" {
		t.Errorf("the words were stored as an answer to a prompt she never got: %+v", c)
	}
}
