package bottest

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/inproc"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

// Workspace is the installation every Bundle event comes from.
const Workspace = "T1"

// Bundle is a fresh core with everything around it, for one test.
type Bundle struct {
	Bot       *bot.Bot
	Store     bot.Store
	Clock     *Clock
	Messenger *Messenger
	State     *inproc.State // nil when Options gave another

	mu    sync.Mutex
	known map[string]bot.UserRef // users seen acting, by ExternalID
}

// Setup returns a Bundle on a new SQLite file in t.TempDir(), closed at
// cleanup, with the clock at Start and the bot's logs going to t.Log.
func Setup(t testing.TB) *Bundle {
	t.Helper()
	return SetupWith(t, Options{})
}

// Options changes what SetupWith builds a Bundle on, so that a test can
// run the core on every store and coordination.
type Options struct {
	// Store replaces the SQLite file; the caller closes it.
	Store bot.Store
	// State replaces the in-process conversation state (Bundle.State is
	// then nil): a Redis client, say.
	State bot.ConversationState
	// Clock replaces the new clock at Start, for a State that reads it.
	Clock *Clock
	// NoCharts leaves charts out of digests and briefs.
	NoCharts bool
	// Summarizer and SummaryTimeout are the bot's written summary of a
	// brief (bot.Config); nil leaves it out.
	Summarizer     bot.Summarizer
	SummaryTimeout time.Duration
	// Logger replaces the bot's logs to t.Log, for a test that reads them.
	Logger *slog.Logger
	// WebhookAllowPrivate and WebhookResolver are the bot's (bot.Config).
	WebhookAllowPrivate bool
	WebhookResolver     bot.Resolver
	// PublicURL is the bot's (bot.Config): the base its API example names.
	PublicURL string
}

// SetupWith is Setup on what o gives.
func SetupWith(t testing.TB, o Options) *Bundle {
	t.Helper()
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	store := o.Store
	if store == nil {
		store = sqlitetest.New(t)
	}
	clock := o.Clock
	if clock == nil {
		clock = NewClock(Start)
	}
	b := &Bundle{Store: store, Clock: clock, Messenger: &Messenger{}, known: map[string]bot.UserRef{}}
	state := o.State
	if state == nil {
		b.State = inproc.NewState(b.Clock)
		state = b.State
	}
	var err error
	b.Bot, err = bot.New(bot.Config{Store: store, Messenger: b.Messenger, State: state, Clock: b.Clock, Logger: log, NoCharts: o.NoCharts,
		Summarizer: o.Summarizer, SummaryTimeout: o.SummaryTimeout,
		WebhookAllowPrivate: o.WebhookAllowPrivate, WebhookResolver: o.WebhookResolver, PublicURL: o.PublicURL})
	must(t, err, "new bot")
	return b
}

// tlog writes log lines to t.Log.
type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// Handle sends ev from user, filling its platform, installation and the
// Mentions of users the bundle has seen acting, and returns the replies.
// An internal error fails the test; domain errors are replies, as people
// see them.
func (b *Bundle) Handle(t testing.TB, user bot.UserRef, ev bot.Event) []bot.Message {
	t.Helper()
	b.mu.Lock()
	b.known[user.ExternalID] = user
	for _, id := range mentionedIDs(ev.Text) {
		if u, ok := b.known[id]; ok {
			if ev.Mentions == nil {
				ev.Mentions = map[string]bot.UserRef{}
			}
			ev.Mentions[id] = u
		}
	}
	b.mu.Unlock()
	ev.Platform, ev.Installation, ev.User = bot.PlatformSlack, Workspace, user
	out, err := b.Bot.Handle(context.Background(), ev)
	must(t, err, "handle "+string(ev.Kind)+" "+ev.Text)
	return out
}

// Meet makes users known, so mentions of them carry their names and zones
// before they have acted themselves.
func (b *Bundle) Meet(users ...bot.UserRef) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range users {
		b.known[u.ExternalID] = u
	}
}

// Command runs a /smart90 command as user: "invite <@ana>".
func (b *Bundle) Command(t testing.TB, user bot.UserRef, text string) []bot.Message {
	t.Helper()
	return b.Handle(t, user, bot.Event{Kind: bot.EventCommand, Text: text})
}

// Say sends a plain direct message as user.
func (b *Bundle) Say(t testing.TB, user bot.UserRef, text string) []bot.Message {
	t.Helper()
	return b.Handle(t, user, bot.Event{Kind: bot.EventMessage, Text: text})
}

// Click presses a button as user.
func (b *Bundle) Click(t testing.TB, user bot.UserRef, actionID, value string) []bot.Message {
	t.Helper()
	return b.Handle(t, user, bot.Event{Kind: bot.EventAction, ActionID: actionID, Value: value})
}

// Submit submits a form as user.
func (b *Bundle) Submit(t testing.TB, user bot.UserRef, formID, value string, values map[string]string) []bot.Message {
	t.Helper()
	return b.Handle(t, user, bot.Event{Kind: bot.EventForm, FormID: formID, Value: value, Values: values})
}

// Person returns the stored person of a user.
func (b *Bundle) Person(t testing.TB, user bot.UserRef) *bot.Person {
	t.Helper()
	ctx := context.Background()
	inst, err := b.Store.InstallationByExternalID(ctx, bot.PlatformSlack, Workspace)
	must(t, err, "load installation")
	p, err := b.Store.PersonByExternalID(ctx, inst.ID, user.ExternalID)
	must(t, err, "load person "+user.ExternalID)
	return p
}

// Engagement returns the live engagement of a client.
func (b *Bundle) Engagement(t testing.TB, client bot.UserRef) *bot.Engagement {
	t.Helper()
	e, err := b.Store.LiveEngagementForClient(context.Background(), b.Person(t, client).ID)
	must(t, err, "load engagement of "+client.ExternalID)
	return e
}

// Engage has coach invite client and client accept, and returns the
// active engagement.
func (b *Bundle) Engage(t testing.TB, coach, client bot.UserRef) *bot.Engagement {
	t.Helper()
	b.Meet(client)
	b.Command(t, coach, "invite <@"+client.ExternalID+">")
	b.Command(t, client, "accept")
	e := b.Engagement(t, client)
	if e.Status != bot.EngagementActive {
		t.Fatalf("engage %s: engagement is %s, want active", client.ExternalID, e.Status)
	}
	return e
}

// Prompt does what the scheduler does for one prompt, now: it creates the
// delivery of kind for user and period (a day for daily prompts and
// reminders, the ISO week of day otherwise), has the bot deliver it, and
// records the outcome. It returns the stored delivery: sent, or skipped
// when the bot found it no longer needed.
func (b *Bundle) Prompt(t testing.TB, user bot.UserRef, kind bot.DeliveryKind, day bot.Date) *bot.Delivery {
	t.Helper()
	ctx := context.Background()
	p := b.Person(t, user)
	d := &bot.Delivery{PersonID: p.ID, Kind: kind, Period: day.String(), DueAt: b.Clock.Now().UTC(), State: bot.DeliveryPending}
	if kind == bot.DeliveryWeekly || kind == bot.DeliveryDigest {
		d.Period = day.ISOWeek()
	}
	if kind != bot.DeliveryDigest {
		d.EngagementID = b.Engagement(t, user).ID
	}
	_, err := b.Store.CreateDelivery(ctx, d)
	must(t, err, "create delivery")
	ref, needed, err := b.Bot.Deliver(ctx, d)
	must(t, err, "deliver "+string(kind)+" "+d.Period)
	d.State, d.UpdatedAt = bot.DeliverySkipped, b.Clock.Now().UTC()
	if needed {
		d.State, d.MessageRef, d.SentAt = bot.DeliverySent, ref, b.Clock.Now().UTC()
	}
	must(t, b.Store.UpdateDelivery(ctx, d), "record delivery")
	return d
}

// ID formats a stored id as buttons and forms carry it.
func ID(id int64) string { return strconv.FormatInt(id, 10) }

// Day returns the instant of a local wall-clock time in zone, for Clock.Set.
func Day(date string, clock string, zone string) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, loc)
	if err != nil {
		panic(err)
	}
	return t
}
