package slack

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/smart90/smart90/bot"
)

// The Adapter: its configuration and the core it hands requests to. How
// requests arrive is in http.go (HTTP) and socketmode.go (Socket Mode);
// what is done with them, the same for both, in dispatch.go.

// Handler is the core: bot.Bot implements it. Respond's Reply carries the
// installation the core read, which the adapter sends the replies with.
type Handler interface {
	Respond(ctx context.Context, ev bot.Event) (bot.Reply, error)
}

// Store is what the adapter keeps itself: the installations an OAuth
// install creates and an uninstall ends, and the EventLog that
// de-duplicates inbound requests — in the database, next to what handling
// them stores, so a retry is handled once whether or not Redis is up.
type Store interface {
	InstallationByExternalID(ctx context.Context, platform bot.Platform, externalID string) (*bot.Installation, error)
	UpsertInstallation(ctx context.Context, inst *bot.Installation) error
	BeginEvent(ctx context.Context, key string, now time.Time, hold time.Duration) (bot.EventState, error)
	FinishEvent(ctx context.Context, key string, now time.Time, keep time.Duration) error
	ReleaseEvent(ctx context.Context, key string) error
}

// Config configures an Adapter.
type Config struct {
	Handler Handler // required: the core
	Store   Store   // required

	Messenger     *Messenger
	Deduper       bot.Deduper // required: the OAuth install state is used once
	SigningSecret string      // SLACK_SIGNING_SECRET, for HTTP mode
	Clock         bot.Clock
	Logger        *slog.Logger
	// HandleTimeout bounds the core's work on one request before the ack
	// (default 2.5s: Slack wants an answer within 3).
	HandleTimeout time.Duration
}

// Adapter receives Slack's events, interactions and slash commands over
// HTTP (/slack/events), hands them to the core, and answers: in the HTTP
// response where Slack allows it (slash commands, type-ahead), else
// through the Web API after the ack.
type Adapter struct {
	cfg   Config
	log   *slog.Logger
	clock bot.Clock
	wg    sync.WaitGroup // work after the ack
}

// New returns an Adapter.
func New(cfg Config) (*Adapter, error) {
	if cfg.Handler == nil || cfg.Store == nil || cfg.Messenger == nil || cfg.Deduper == nil {
		return nil, fmt.Errorf("slack: Handler, Store, Messenger and Deduper are required")
	}
	return &Adapter{
		cfg:   cfg,
		log:   cmp.Or(cfg.Logger, slog.Default()),
		clock: cmp.Or[bot.Clock](cfg.Clock, bot.SystemClock{}),
	}, nil
}

// Wait waits for the work started after acks to finish (shutdown, tests).
func (a *Adapter) Wait() { a.wg.Wait() }
