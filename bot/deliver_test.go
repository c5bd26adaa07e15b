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

// TestDigestResumesAfterTheParentParts: a digest whose parent went out in
// part is resumed after those parts, and its thread hangs off the part the
// coach already has; the thread replies are not posted before the parent
// is whole.
func TestDigestResumesAfterTheParentParts(t *testing.T) {
	t.Parallel()
	b, anaE := withRocks(t)
	ctx := context.Background()
	b.Command(t, coach, "digest <#C42>")
	seed(t, b, anaE, "legal review", days(mon23, 5)...)
	b.Clock.Set(bottest.Day("2026-11-30", "07:00", "Europe/London"))
	me := b.Person(t, coach)
	d := &bot.Delivery{PersonID: me.ID, Kind: bot.DeliveryDigest, Period: mon23.ISOWeek(), DueAt: b.Clock.Now().UTC(),
		State: bot.DeliveryPending}
	if _, err := b.Store.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}

	before := len(b.Messenger.Sent())
	b.Messenger.Fail("C42", &bot.PartialSendError{Ref: "C42:1", Sent: 1, Err: errors.New("connection reset")})
	_, needed, err := b.Bot.Deliver(ctx, d)
	var partial *bot.PartialSendError
	if !needed || !errors.As(err, &partial) || partial.Ref != "C42:1" {
		t.Fatalf("Deliver after a part-way parent: needed %v, err %v; want the *PartialSendError", needed, err)
	}
	if n := len(b.Messenger.Sent()) - before; n != 0 {
		t.Fatalf("%d thread replies posted under a parent that is not whole", n)
	}

	b.Messenger.Fail("C42", nil)
	d.MessageRef, d.PartsSent = partial.Ref, partial.Sent
	ref, needed, err := b.Bot.Deliver(ctx, d)
	if err != nil || !needed || ref != "C42:1" {
		t.Fatalf("retry: ref %q, needed %v, err %v; want the first part's reference", ref, needed, err)
	}
	sent := b.Messenger.Sent()[before:]
	if len(sent) < 2 || sent[0].To.SkipParts != 1 || sent[0].To.ThreadRef != "" {
		t.Fatalf("the retried parent went to %+v, want SkipParts 1 and no thread", sent[0].To)
	}
	for _, s := range sent[1:] {
		if s.To.ThreadRef != "C42:1" || s.To.SkipParts != 0 {
			t.Errorf("thread reply to %+v, want the thread of C42:1 whole", s.To)
		}
	}
}
