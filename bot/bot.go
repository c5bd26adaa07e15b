package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
)

// ConversationState holds short-lived state shared by every replica: which
// prompt a person is answering in plain messages. The data is the truth;
// the state only says which open prompt a plain reply belongs to.
// Implementations (in-process, Redis) are safe for concurrent use.
type ConversationState interface {
	// Get returns the value under key, or "" when there is none or it expired.
	Get(ctx context.Context, key string) (string, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key, value string, ttl time.Duration) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Config configures a Bot.
type Config struct {
	Store     Store             // required
	Messenger Messenger         // required: sends to people other than the actor
	State     ConversationState // required
	Clock     Clock             // default SystemClock
	Logger    *slog.Logger      // default slog.Default()
	// MaxAnswerLen is the longest answer accepted, in characters (default
	// and at most the stores' bot.MaxAnswerLen, 2000).
	MaxAnswerLen int
	// SilentDays is how many expected check-ins in a row a client may miss
	// before the digest marks them at risk (default 3).
	SilentDays int
	// ConversationTTL is how long a plain-reply conversation stays attached
	// to a prompt (default 36h: a late answer counts until the next prompt).
	ConversationTTL time.Duration
	// NoCharts leaves the charts out of digests and briefs: drawing them
	// is most of a digest's cost (SMART90_CHARTS=off).
	NoCharts bool
	// Summarizer, when set, writes the short summary a brief carries for
	// the coach (SMART90_LLM_URL; package llm); nil leaves it out.
	Summarizer Summarizer
	// SummaryTimeout bounds the wait for the summary; the brief goes
	// without it after that (default 10s).
	SummaryTimeout time.Duration
	// AwayWords are what a person's status says when they are out of
	// office: an emoji (":palm_tree:") or words matched case-insensitively
	// in its text ("vacation", "OOO"). Default DefaultAwayWords.
	AwayWords []string
	// WebhookAllowPrivate lets coaches' webhooks be plain http and on
	// private, loopback and link-local addresses
	// (SMART90_WEBHOOK_ALLOW_PRIVATE; for tests and closed networks).
	WebhookAllowPrivate bool
	// WebhookResolver looks up a webhook's host when a coach adds it
	// (default net.DefaultResolver).
	WebhookResolver Resolver
	// PublicURL is the https base where people reach this service
	// (SMART90_PUBLIC_URL), shown in the HTTP API's example; "" shows a
	// placeholder.
	PublicURL string
}

// Bot is the platform-neutral core: it handles people's events and sends
// scheduled prompts and digests. It is safe for concurrent use.
type Bot struct {
	store  Store
	msg    Messenger
	state  ConversationState
	clock  Clock
	log    *slog.Logger
	maxLen int
	silent int
	convTT time.Duration
	charts bool

	summarizer     Summarizer
	summaryTimeout time.Duration
	awayWords      []string
	awayLog        statusLog    // when a failed status read was last logged
	emitFailed     atomic.Int64 // webhook events not queued (WebhookEmitFailures)
	hookless       hookless     // coaches without a cycle.started webhook, for a minute
	webhookPrivate bool
	resolver       Resolver
	publicURL      string
}

// New returns a Bot, validating cfg and filling defaults.
func New(cfg Config) (*Bot, error) {
	if cfg.Store == nil || cfg.Messenger == nil || cfg.State == nil {
		return nil, errors.New("bot: Store, Messenger and State are required")
	}
	return &Bot{
		store:  cfg.Store,
		msg:    cfg.Messenger,
		state:  cfg.State,
		clock:  cmp.Or[Clock](cfg.Clock, SystemClock{}),
		log:    cmp.Or(cfg.Logger, slog.Default()),
		maxLen: min(cmp.Or(cfg.MaxAnswerLen, MaxAnswerLen), MaxAnswerLen),
		silent: cmp.Or(cfg.SilentDays, 3),
		convTT: cmp.Or(cfg.ConversationTTL, 36*time.Hour),
		charts: !cfg.NoCharts,

		summarizer:     cfg.Summarizer,
		summaryTimeout: cmp.Or(cfg.SummaryTimeout, 10*time.Second),
		awayWords:      orDefault(cfg.AwayWords, DefaultAwayWords),
		webhookPrivate: cfg.WebhookAllowPrivate,
		resolver:       cfg.WebhookResolver,
		publicURL:      strings.TrimRight(cfg.PublicURL, "/"),
	}, nil
}

// request is one event with what the core knows about its actor.
type request struct {
	ev   Event
	inst *Installation
	me   *Person
	now  time.Time // UTC
}

// local returns now in the actor's zone.
func (r *request) local() time.Time { return r.now.In(zoneOf(r.me)) }

// today returns the actor's local calendar day.
func (r *request) today() Date { return DateOf(r.local()) }

// zoneOf returns a person's zone, UTC when unknown.
func zoneOf(p *Person) *time.Location {
	if p == nil {
		return time.UTC
	}
	return Zone(p.TimeZone)
}

// Handle handles one event and returns the replies for the actor: Respond
// without the installation.
func (b *Bot) Handle(ctx context.Context, ev Event) ([]Message, error) {
	r, err := b.Respond(ctx, ev)
	return r.Messages, err
}

// Respond handles one event and returns the replies for the actor with
// the installation it came from. Domain errors become a reply in plain
// words; the returned error is non-nil only for internal failures, which
// are logged and answered with a generic reply.
func (b *Bot) Respond(ctx context.Context, ev Event) (Reply, error) {
	ev = withoutRefMarks(ev)
	var r Reply
	out, err := b.handle(ctx, ev, &r)
	if err == nil {
		r.Messages = out
		return r, nil
	}
	r.Messages = []Message{{Text: ErrorMessage(err), Ephemeral: true}}
	if ErrorCode(err) == EINTERNAL {
		b.log.ErrorContext(ctx, "handle event", "platform", ev.Platform, "kind", ev.Kind, "user", ev.User.ExternalID, "err", err)
		return r, err
	}
	return r, nil
}

// handle runs ev and sets out.Installation once it is read.
func (b *Bot) handle(ctx context.Context, ev Event, out *Reply) ([]Message, error) {
	// Checked once, here, so that no command stores half of a text it
	// cannot keep; the stores check again as a last line.
	if err := cleanEvent(&ev); err != nil {
		return nil, err
	}
	r, err := b.begin(ctx, ev)
	if err != nil {
		return nil, err
	}
	out.Installation = r.inst
	switch ev.Kind {
	case EventCommand:
		return b.command(ctx, r, ev.Text)
	case EventMessage:
		return b.plainMessage(ctx, r)
	case EventAction:
		return b.action(ctx, r)
	case EventForm:
		return b.form(ctx, r)
	}
	return nil, Errorf(EINVALID, "I do not understand that kind of event.")
}

// begin resolves the installation and the actor, creating them on first
// use, with what the platform's profiles say of the actor and the people
// mentioned (see ProfileReader).
func (b *Bot) begin(ctx context.Context, ev Event) (*request, error) {
	inst, err := b.store.InstallationByExternalID(ctx, ev.Platform, ev.Installation)
	if ErrorCode(err) == ENOTFOUND {
		now := b.clock.Now().UTC()
		inst = &Installation{Platform: ev.Platform, ExternalID: ev.Installation, Status: InstallationActive, CreatedAt: now, UpdatedAt: now}
		err = b.store.UpsertInstallation(ctx, inst)
	}
	if err != nil {
		return nil, fmt.Errorf("load installation: %w", err)
	}
	if inst.Status != InstallationActive {
		return nil, Errorf(EFORBIDDEN, "smart90 is not installed in this workspace any more; ask your admin to reinstall it.")
	}
	b.readProfiles(ctx, inst, &ev)
	me, err := b.ensurePerson(ctx, inst, ev.User)
	if err != nil {
		return nil, err
	}
	return &request{ev: ev, inst: inst, me: me, now: b.clock.Now().UTC()}, nil
}

// ensurePerson returns the stored person for a platform user, creating it.
// A zone from the profile is used only when it is valid.
func (b *Bot) ensurePerson(ctx context.Context, inst *Installation, u UserRef) (*Person, error) {
	name := clip(StripRefMarks(u.DisplayName), MaxNameLen)
	if name == "" || name == u.ExternalID {
		// No name this time (a profile that could not be read; a mention
		// names a person by their id when it knows no better): the one
		// stored stays; a new person is named by their id.
		if old, err := b.store.PersonByExternalID(ctx, inst.ID, u.ExternalID); err == nil {
			name = old.DisplayName
		}
		name = cmp.Or(name, clip(u.ExternalID, MaxNameLen))
	}
	p := &Person{
		InstallationID: inst.ID,
		ExternalID:     u.ExternalID,
		DisplayName:    name,
		DigestWeekday:  DefaultDigestWeekday,
		DigestTime:     DefaultDigestTime,
		// From the clock, not the store's: a new coach's digest schedule
		// starts from here.
		CreatedAt: b.clock.Now().UTC(),
	}
	p.UpdatedAt = p.CreatedAt
	if _, err := LoadZone(u.TimeZone); err == nil {
		p.TimeZone = u.TimeZone
	}
	if err := b.store.EnsurePerson(ctx, p); err != nil {
		return nil, fmt.Errorf("ensure person: %w", err)
	}
	return p, nil
}

// mention parses a mention the platform made, the neutral <@ID> an
// adapter writes (see ParseRef), into the mentioned user, with what the
// platform said of them in ev.Mentions.
func mention(ev Event, word string) (UserRef, bool) {
	ref, ok := ParseRef(word)
	if !ok || ref.Ref != RefPerson || CheckID("id", ref.ID) != nil {
		return UserRef{}, false
	}
	u := ev.Mentions[ref.ID]
	u.ExternalID = ref.ID
	u.DisplayName = clip(cmp.Or(u.DisplayName, ref.ID), MaxNameLen)
	return u, true
}

// channelRef parses a channel link the platform made, the neutral <#ID>
// (see ParseRef), or a channel typed as #name, into a channel id.
func channelRef(word string) (string, bool) {
	if ref, ok := ParseRef(word); ok {
		if ref.Ref != RefChannel {
			return "", false
		}
		return ref.ID, true
	}
	if strings.HasPrefix(word, "#") && len(word) > 1 {
		return word[1:], true
	}
	return "", false
}

// dm is the destination of a direct message to p.
func dm(inst *Installation, p *Person) Destination {
	return Destination{Installation: inst, UserID: p.ExternalID}
}

// reply is a one-message ephemeral reply.
func reply(format string, args ...any) []Message {
	return []Message{{Text: fmt.Sprintf(format, args...), Ephemeral: true}}
}

// checkLen refuses an answer longer than the limit, naming the question.
func (b *Bot) checkLen(what, s string) error {
	if n := len([]rune(s)); n > b.maxLen {
		return Errorf(EINVALID, "Your answer to %q is %d characters; the limit is %d. Please shorten it — nothing was saved.", what, n, b.maxLen)
	}
	return nil
}

// orDefault is s, or def when s is empty.
func orDefault[T any](s, def []T) []T {
	if len(s) == 0 {
		return def
	}
	return s
}
