package bot_test

import (
	"context"
	"errors"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestDeliverResumesAfterThePartsSent: a prompt that went out in part is
// sent again skipping the parts that reached the person, and the person
// can answer what they already read while the rest is still to come.
func TestDeliverResumesAfterThePartsSent(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	ctx := context.Background()
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	d := &bot.Delivery{PersonID: b.Person(t, ana).ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: mon23.String(),
		DueAt: b.Clock.Now().UTC(), State: bot.DeliveryPending}
	if _, err := b.Store.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}

	cut := &bot.PartialSendError{Ref: "p1", Sent: 1, Err: errors.New("connection reset")}
	b.Messenger.Fail(ana.ExternalID, cut)
	_, needed, err := b.Bot.Deliver(ctx, d)
	var partial *bot.PartialSendError
	if !needed || !errors.As(err, &partial) || partial.Sent != 1 || partial.Ref != "p1" {
		t.Fatalf("Deliver after a part-way failure: needed %v, err %v; want the *PartialSendError", needed, err)
	}
	has(t, b.Say(t, ana, "shipped the pricing draft"), "*2/4* Today's #1 priority?")

	b.Messenger.Fail(ana.ExternalID, nil)
	d.PartsSent = 1
	ref, needed, err := b.Bot.Deliver(ctx, d)
	if err != nil || !needed || ref == "" {
		t.Fatalf("retry: %q, %v, %v", ref, needed, err)
	}
	last, ok := b.Messenger.Last(ana.ExternalID)
	if !ok || last.To.SkipParts != 1 {
		t.Errorf("the retry was sent with SkipParts %d, want 1 (the part already sent)", last.To.SkipParts)
	}
}
