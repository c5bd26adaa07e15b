package bottest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

func TestClock(t *testing.T) {
	t.Parallel()
	c := bottest.NewClock(bottest.Start)
	c.Advance(90 * time.Minute)
	if got := c.Now(); !got.Equal(bottest.Start.Add(90 * time.Minute)) {
		t.Errorf("after Advance: %s", got)
	}
	at := bottest.Day("2026-11-23", "09:00", "Europe/Paris")
	c.Set(at)
	if got := c.Now(); !got.Equal(at) || got.UTC().Hour() != 8 {
		t.Errorf("after Set: %s", got)
	}
}

func TestMessenger(t *testing.T) {
	t.Parallel()
	var m bottest.Messenger
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := m.Send(ctx, bot.Destination{UserID: "ana"}, bot.Message{Text: "hi"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ref, _ := m.Send(ctx, bot.Destination{Channel: "C1", ThreadRef: "m1"}, bot.Message{Text: "in thread"})
	if ref != "m11" || len(m.SentTo("ana")) != 10 || len(m.Sent()) != 11 {
		t.Errorf("ref %s, %d to ana, %d in all", ref, len(m.SentTo("ana")), len(m.Sent()))
	}
	if last, ok := m.Last("C1"); !ok || last.Msg.Text != "in thread" || last.To.ThreadRef != "m1" {
		t.Errorf("Last(C1) = %+v, %v", last, ok)
	}
	if _, ok := m.Last("bob"); ok {
		t.Error("Last(bob) found a message")
	}

	gone := bot.Errorf(bot.EFORBIDDEN, "gone")
	m.Fail("ana", gone)
	if _, err := m.Send(ctx, bot.Destination{UserID: "ana"}, bot.Message{}); !errors.Is(err, gone) {
		t.Errorf("Send to a failing user: %v", err)
	}
	if len(m.SentTo("ana")) != 10 {
		t.Error("a failed send was recorded")
	}
	m.Fail("ana", nil)
	if ref, err := m.Send(ctx, bot.Destination{UserID: "ana"}, bot.Message{}); err != nil || ref != "m12" {
		t.Errorf("Send after Fail(nil) = %s, %v", ref, err)
	}
}

func TestSetup(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	ana := bot.UserRef{ExternalID: "ana", DisplayName: "Ana", TimeZone: "Europe/Paris"}
	coach := bot.UserRef{ExternalID: "coach", DisplayName: "Cora"}
	e := b.Engage(t, coach, ana)
	if e.ClientID != b.Person(t, ana).ID || e.CoachID != b.Person(t, coach).ID {
		t.Errorf("engagement = %+v", e)
	}
	if last, ok := b.Messenger.Last("coach"); !ok || last.Msg.Text == "" {
		t.Error("the coach was not told of the accept")
	}
	d := b.Prompt(t, ana, bot.DeliveryDaily, bot.DateOf(b.Clock.Now()))
	if d.State != bot.DeliverySent || d.MessageRef == "" {
		t.Errorf("prompt delivery = %+v", d)
	}
	if out := bottest.Text(b.Say(t, ana, "moved")...); out == "" {
		t.Error("no reply to an answer")
	}
}
