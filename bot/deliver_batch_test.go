package bot_test

import (
	"context"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestDeliverWithContext: a prompt sent with its batch's context is the
// one Deliver sends reading everything itself; a context that is not the
// delivery's is not used; a delivery whose engagement cannot be read fails
// as Deliver fails.
func TestDeliverWithContext(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	ctx := context.Background()
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	anaID := b.Person(t, ana).ID
	d := &bot.Delivery{PersonID: anaID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: mon23.String(),
		DueAt: b.Clock.Now().UTC(), State: bot.DeliveryPending}
	if _, err := b.Store.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	sent := func(what string, dc *bot.DeliveryContext) string {
		t.Helper()
		ref, needed, err := b.Bot.DeliverWith(ctx, d, dc)
		if err != nil || !needed || ref == "" {
			t.Fatalf("%s: %q, %v, %v", what, ref, needed, err)
		}
		last, _ := b.Messenger.Last(ana.ExternalID)
		return bottest.Text(last.Msg)
	}
	dcs, err := b.Bot.DeliveryContexts(ctx, []*bot.Delivery{d})
	if err != nil || dcs[d.ID] == nil {
		t.Fatalf("DeliveryContexts: %v, %v", dcs, err)
	}
	withContext := sent("with the batch's context", dcs[d.ID])
	alone := sent("reading everything", nil)
	if withContext != alone {
		t.Errorf("sent with the batch's context:\n%s\nwant, as read alone:\n%s", withContext, alone)
	}
	stranger := &bot.DeliveryContext{Person: &bot.Person{ID: anaID + 1000, DisplayName: "Mallory"},
		Installation: &bot.Installation{Status: bot.InstallationActive}, Engagement: e}
	if got := sent("with another person's context", stranger); got != alone {
		t.Errorf("sent with another person's context:\n%s\nwant:\n%s", got, alone)
	}

	noEngagement := &bot.Delivery{ID: d.ID, PersonID: anaID, Kind: bot.DeliveryDaily, Period: mon23.String(), DueAt: d.DueAt}
	dc := &bot.DeliveryContext{Person: dcs[d.ID].Person, Installation: dcs[d.ID].Installation}
	_, _, errWith := b.Bot.DeliverWith(ctx, noEngagement, dc)
	_, _, errAlone := b.Bot.Deliver(ctx, noEngagement)
	if bot.ErrorCode(errWith) != bot.ENOTFOUND || bot.ErrorCode(errAlone) != bot.ENOTFOUND {
		t.Errorf("a check-in without an engagement: %v with a context, %v alone; want ENOTFOUND both", errWith, errAlone)
	}
}
