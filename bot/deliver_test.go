package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/inproc"
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

// receipts is a Messenger that records what it sends (bottest.Messenger)
// and can look for a message it sent before: the conversation holds every
// message sent with the same Key to the same person.
type receipts struct {
	*bottest.Messenger
	asked []time.Time // since, per look
	err   error       // what a look fails with
}

func (r *receipts) Sent(_ context.Context, to bot.Destination, m bot.Message, since time.Time) (bot.Receipt, error) {
	r.asked = append(r.asked, since)
	if r.err != nil {
		return bot.Receipt{}, r.err
	}
	for _, s := range r.SentTo(to.UserID) {
		if m.Key != "" && s.Msg.Key == m.Key {
			return bot.Receipt{Ref: s.Ref, Parts: 1, Whole: true}, nil
		}
	}
	return bot.Receipt{}, nil
}

// TestDeliverAsksBeforeSendingAgain: a retried prompt (Attempts > 1) that
// an earlier try already posted, its outcome lost, is not posted again but
// reported sent with the reference already there, and the person can answer
// it; a first try never asks; a look that fails sends nothing.
func TestDeliverAsksBeforeSendingAgain(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	ctx := context.Background()
	r := &receipts{Messenger: b.Messenger}
	core, err := bot.New(bot.Config{Store: b.Store, Messenger: r, State: b.State, Clock: b.Clock})
	if err != nil {
		t.Fatal(err)
	}
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	d := &bot.Delivery{PersonID: b.Person(t, ana).ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: mon23.String(),
		DueAt: b.Clock.Now().UTC(), State: bot.DeliveryPending, Attempts: 1}
	if _, err := b.Store.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}

	ref, needed, err := core.Deliver(ctx, d)
	if err != nil || !needed || ref == "" {
		t.Fatalf("first try: %q, %v, %v", ref, needed, err)
	}
	if len(r.asked) != 0 {
		t.Errorf("a first try looked in the conversation %d times; want none", len(r.asked))
	}
	if n := keyed(b.Messenger, bottest.ID(d.ID)); n != 1 {
		t.Fatalf("first try sent %d prompts keyed by the delivery; want one", n)
	}

	// The outcome was lost; the lease ran out and another replica retries.
	d.Attempts = 2
	again, needed, err := core.Deliver(ctx, d)
	if err != nil || !needed || again != ref {
		t.Fatalf("retry: %q, %v, %v; want %q reported sent", again, needed, err, ref)
	}
	if n := keyed(b.Messenger, bottest.ID(d.ID)); n != 1 {
		t.Errorf("the prompt was sent %d times; want once", n)
	}
	if len(r.asked) != 1 || !r.asked[0].Equal(d.DueAt.Add(-time.Minute)) {
		t.Errorf("looked since %v; want once, since a minute before it was due", r.asked)
	}
	has(t, b.Say(t, ana, "shipped the pricing draft"), "*2/4* Today's #1 priority?")

	// Another delivery's prompt in the DM is not this one: sent.
	d2 := &bot.Delivery{PersonID: d.PersonID, EngagementID: e.ID, Kind: bot.DeliveryWeekly, Period: "2026-W48",
		DueAt: d.DueAt, State: bot.DeliveryPending, Attempts: 3}
	if _, err := b.Store.CreateDelivery(ctx, d2); err != nil {
		t.Fatal(err)
	}
	if ref, needed, err := core.Deliver(ctx, d2); err != nil || !needed || ref == "" || ref == again {
		t.Fatalf("another delivery: %q, %v, %v; want a new send", ref, needed, err)
	}

	// A look that fails sends nothing: the scheduler tries again later.
	r.err = errors.New("conversations.history: connection reset")
	d3 := &bot.Delivery{PersonID: d.PersonID, EngagementID: e.ID, Kind: bot.DeliveryReminder, Period: mon23.String(),
		DueAt: d.DueAt.Add(3 * time.Hour), State: bot.DeliveryPending, Attempts: 2}
	if _, err := b.Store.CreateDelivery(ctx, d3); err != nil {
		t.Fatal(err)
	}
	before := len(b.Messenger.Sent())
	if _, _, err := core.Deliver(ctx, d3); !errors.Is(err, r.err) {
		t.Errorf("Deliver when the look fails: %v; want its error", err)
	}
	if n := len(b.Messenger.Sent()); n != before {
		t.Errorf("%d messages sent blind after a failed look", n-before)
	}
}

// keyed is how many messages m sent with key.
func keyed(m *bottest.Messenger, key string) int {
	n := 0
	for _, s := range m.Sent() {
		if s.Msg.Key == key {
			n++
		}
	}
	return n
}

// TestPaceForwardsTheLook: the paced Messenger the core is given looks in
// the conversation through the one it wraps, paced like a send, and says
// it cannot when that one has no such capability (Teams).
func TestPaceForwardsTheLook(t *testing.T) {
	t.Parallel()
	clock := bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	var waits []time.Duration
	cfg := bot.PaceConfig{Limiter: inproc.NewRateLimiter(clock), Rate: 1, Burst: 1,
		OnWait: func(d time.Duration) { waits = append(waits, d) },
		Sleep:  func(_ context.Context, d time.Duration) error { clock.Advance(d); return nil }}
	r := &receipts{Messenger: &bottest.Messenger{}}
	out, err := bot.Pace(r, cfg)
	if err != nil {
		t.Fatal(err)
	}
	to := bot.Destination{Installation: &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1"}, UserID: "U1"}
	m := bot.Message{Text: "*Cycle 1 · day 3 of 90*", Key: "7"}
	ref, err := out.Send(t.Context(), to, m)
	if err != nil {
		t.Fatal(err)
	}
	chk, ok := out.(bot.SentChecker)
	if !ok {
		t.Fatal("the paced Messenger cannot look in a conversation")
	}
	got, err := chk.Sent(t.Context(), to, m, clock.Now())
	if err != nil || got.Ref != ref || len(r.asked) != 1 {
		t.Errorf("Sent through the pacer = %+v, %v (%d looks); want %q", got, err, len(r.asked), ref)
	}
	if len(waits) != 1 {
		t.Errorf("the look waited %d times for the limiter; want once, after the send", len(waits))
	}

	plain, err := bot.Pace(&bottest.Messenger{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.(bot.SentChecker).Sent(t.Context(), to, m, clock.Now()); !errors.Is(err, bot.ErrCannotCheck) {
		t.Errorf("Sent through a pacer over a Messenger that cannot look: %v; want ErrCannotCheck", err)
	}
}
