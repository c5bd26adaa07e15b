package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

var _ scheduler.BatchDeliverer = (*bot.Bot)(nil)

// reads is a bot.Store that counts the reads of a send; ContextsFunc, when
// set, replaces DeliveryContexts.
type reads struct {
	bot.Store
	recipient, engagement, checkIn, contexts atomic.Int64
	ContextsFunc                             func(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error)
}

func (r *reads) Recipient(ctx context.Context, id int64) (*bot.Person, *bot.Installation, error) {
	r.recipient.Add(1)
	return r.Store.Recipient(ctx, id)
}

func (r *reads) EngagementWithRocks(ctx context.Context, id int64) (*bot.Engagement, []*bot.Rock, error) {
	r.engagement.Add(1)
	return r.Store.EngagementWithRocks(ctx, id)
}

func (r *reads) CheckIn(ctx context.Context, id int64, day bot.Date) (*bot.CheckIn, error) {
	r.checkIn.Add(1)
	return r.Store.CheckIn(ctx, id, day)
}

func (r *reads) DeliveryContexts(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error) {
	r.contexts.Add(1)
	if r.ContextsFunc != nil {
		return r.ContextsFunc(ctx, ds)
	}
	return r.Store.DeliveryContexts(ctx, ds)
}

// perItem hides the bot's batch reads from the scheduler: every send reads
// its own, as before batches were read at once.
type perItem struct{ d scheduler.Deliverer }

func (p perItem) Deliver(ctx context.Context, d *bot.Delivery) (string, bool, error) {
	return p.d.Deliver(ctx, d)
}

// batchWorld is clients of one coach, each with a daily check-in due now:
// one already answered, one paused, one with rocks, the others bare.
type batchWorld struct {
	b     *bottest.Bundle
	store *reads
	sched *scheduler.Scheduler
}

const batchClients = 12

func newBatchWorld(t *testing.T, batched bool) *batchWorld {
	t.Helper()
	ctx := t.Context()
	store := &reads{Store: sqlitetest.New(t)}
	b := bottest.SetupWith(t, bottest.Options{Store: store})
	now := b.Clock.Now().UTC()
	day := bot.DateOf(now)
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "local", Status: bot.InstallationActive}
	must(t, store.UpsertInstallation(ctx, inst))
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "coach", TimeZone: "UTC", IsCoach: true, CreatedAt: now.Add(-time.Hour)}
	must(t, store.EnsurePerson(ctx, coach))
	for i := range batchClients {
		p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprintf("c%02d", i), DisplayName: fmt.Sprintf("Client %d", i),
			TimeZone: "UTC", CreatedAt: now.Add(-time.Hour)}
		must(t, store.EnsurePerson(ctx, p))
		e := &bot.Engagement{CoachID: coach.ID, ClientID: p.ID, Status: bot.EngagementActive, CheckinTime: 9 * 60, Workdays: 0x7f,
			WeeklyWeekday: time.Friday, WeeklyTime: 15 * 60, Start: day.AddDays(-3), CycleDays: 90,
			InvitedAt: now.Add(-time.Hour), AcceptedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)}
		switch i {
		case 1:
			e.Status = bot.EngagementPaused
		}
		must(t, store.CreateEngagement(ctx, e))
		switch i {
		case 0:
			must(t, store.SaveCheckIn(ctx, &bot.CheckIn{EngagementID: e.ID, Day: day, Moved: "done early", Status: bot.AnswerComplete,
				SubmittedAt: now, UpdatedAt: now}))
		case 2:
			r := &bot.Rock{EngagementID: e.ID, Title: "Ship v2", DoneWhen: "live", Due: day.AddDays(60), Status: bot.RockOnTrack,
				CreatedAt: now, UpdatedAt: now}
			must(t, store.CreateRock(ctx, r, p.ID, ""))
		}
		d := &bot.Delivery{PersonID: p.ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: day.String(), DueAt: now,
			State: bot.DeliveryPending, CreatedAt: now, UpdatedAt: now}
		_, err := store.CreateDelivery(ctx, d)
		must(t, err)
	}
	var del scheduler.Deliverer = b.Bot
	if !batched {
		del = perItem{b.Bot}
	}
	sched, err := scheduler.New(scheduler.Config{Store: store, Deliverer: del, Clock: b.Clock, Batch: 5, Workers: 3,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	must(t, err)
	return &batchWorld{b: b, store: store, sched: sched}
}

// outcome is what became of every client's check-in: the stored state
// and the text they were sent.
func (w *batchWorld) outcome(t *testing.T) []string {
	t.Helper()
	var out []string
	for i := range batchClients {
		id := fmt.Sprintf("c%02d", i)
		text := "(nothing)"
		if s, ok := w.b.Messenger.Last(id); ok {
			text = bottest.Text(s.Msg)
		}
		p, err := w.store.PersonByExternalID(t.Context(), 1, id)
		must(t, err)
		d, err := w.store.DeliveryByKey(t.Context(), p.ID, bot.DeliveryDaily, bot.DateOf(w.b.Clock.Now()).String())
		must(t, err)
		out = append(out, fmt.Sprintf("%s %s: %s", id, d.State, text))
	}
	return out
}

// TestDrainReadsContextPerBatch: the bot reads a claimed batch's context
// in one store call and no send reads its own, with the same outcome —
// the same prompts sent, the same skipped — as sends that each read
// their own.
func TestDrainReadsContextPerBatch(t *testing.T) {
	t.Parallel()
	batched, alone := newBatchWorld(t, true), newBatchWorld(t, false)
	for _, w := range []*batchWorld{batched, alone} {
		n, err := w.sched.Drain(t.Context())
		must(t, err)
		if n != batchClients {
			t.Fatalf("drained %d, want %d", n, batchClients)
		}
	}
	if got := batched.store.contexts.Load(); got != 3 {
		t.Errorf("DeliveryContexts called %d times for %d deliveries claimed 5 at a time, want 3", got, batchClients)
	}
	if r, e, c := batched.store.recipient.Load(), batched.store.engagement.Load(), batched.store.checkIn.Load(); r+e+c != 0 {
		t.Errorf("sends read %d recipients, %d engagements and %d check-ins of their own, want none", r, e, c)
	}
	if r := alone.store.recipient.Load(); r != batchClients {
		t.Errorf("sends that each read their own read %d recipients, want %d", r, batchClients)
	}
	got, want := batched.outcome(t), alone.outcome(t)
	if !slices.Equal(got, want) {
		t.Errorf("batch reads sent:\n%q\nwant, as each send reading its own:\n%q", got, want)
	}
	if sent := len(batched.b.Messenger.Sent()); sent != batchClients-2 {
		t.Errorf("%d prompts sent, want %d (one answered early, one paused)", sent, batchClients-2)
	}
}

// TestDrainReadsAloneWithoutBatchContext: when the batch read fails, or
// is older than a send may trust when the send starts, each send reads
// its own, and every prompt still goes out.
func TestDrainReadsAloneWithoutBatchContext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		contexts func(w *batchWorld) func(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error)
	}{
		{"read fails", func(*batchWorld) func(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error) {
			return func(context.Context, []*bot.Delivery) (map[int64]*bot.DeliveryContext, error) {
				return nil, errors.New("connection reset")
			}
		}},
		{"read is stale", func(w *batchWorld) func(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error) {
			return func(ctx context.Context, ds []*bot.Delivery) (map[int64]*bot.DeliveryContext, error) {
				dcs, err := w.store.Store.DeliveryContexts(ctx, ds)
				w.b.Clock.Advance(5 * time.Second) // a slow read, or sends held behind a rate limit
				return dcs, err
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, alone := newBatchWorld(t, true), newBatchWorld(t, false)
			w.store.ContextsFunc = tc.contexts(w)
			if _, err := w.sched.Drain(t.Context()); err != nil {
				t.Fatal(err)
			}
			if _, err := alone.sched.Drain(t.Context()); err != nil {
				t.Fatal(err)
			}
			if r := w.store.recipient.Load(); r != batchClients {
				t.Errorf("%d sends read their recipient alone, want all %d", r, batchClients)
			}
			if got, want := w.outcome(t), alone.outcome(t); !slices.Equal(got, want) {
				t.Errorf("sent:\n%q\nwant:\n%q", got, want)
			}
		})
	}
}
