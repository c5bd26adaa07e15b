package teams

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// Handler is the core: bot.Bot implements it.
type Handler interface {
	Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error)
}

// Store is what the adapter keeps itself: the tenant's installation, the
// conversation references and people a Messenger uses too, and the
// EventLog that de-duplicates activities — in the database, next to what
// handling them stores, so a redelivery is handled once whether or not
// Redis is up.
type Store interface {
	MessengerStore
	InstallationByExternalID(ctx context.Context, platform bot.Platform, externalID string) (*bot.Installation, error)
	UpsertInstallation(ctx context.Context, inst *bot.Installation) error
	BeginEvent(ctx context.Context, key string, now time.Time, hold time.Duration) (bot.EventState, error)
	FinishEvent(ctx context.Context, key string, now time.Time, keep time.Duration) error
	ReleaseEvent(ctx context.Context, key string) error
}

// Config configures an Adapter.
type Config struct {
	Handler   Handler        // required: the core
	Store     Store          // required
	Messenger *Messenger     // required: replies after the acknowledgement
	Auth      *Authenticator // required: every activity's token is checked
	// ServiceURLs are the service URLs activities may name: a conversation
	// reference with any other is never stored, so the bot's token is
	// never sent there.
	ServiceURLs ServiceURLs
	Clock       bot.Clock
	Logger      *slog.Logger
	// HandleTimeout bounds the core's work on one activity before the
	// answer (default 10s: Teams wants one within 15).
	HandleTimeout time.Duration
}

// Adapter receives the Bot Framework's activities on /api/messages, checks
// their token, keeps the conversation references they carry, hands what
// people did to the core and answers: invokes in the HTTP response, other
// replies through the connector after the acknowledgement.
type Adapter struct {
	cfg   Config
	log   *slog.Logger
	clock bot.Clock
	refs  references
	msgr  sender         // cfg.Messenger, through the calls the adapter makes
	wg    sync.WaitGroup // work after the acknowledgement
}

// sender is what the Adapter asks of its Messenger besides bot.Messenger's
// Send: the adapter never reaches into the Messenger's fields (its
// connector, Graph client or file store). *Messenger implements it; every
// method is safe for concurrent use.
type sender interface {
	bot.Messenger
	// names looks up the display names of the people and channels msg
	// refers to, for its cards.
	names(ctx context.Context, inst *bot.Installation, msg bot.Message) Names
	// installsApps reports whether the app can be installed for a person
	// through Graph, which needs their Entra object id: only then is the
	// id of the people a command mentions worth learning.
	installsApps() bool
	// memberObjectID asks the roster of a team or chat for a member's
	// Entra object id.
	memberObjectID(ctx context.Context, serviceURL, conversationID, userID string) (string, error)
	// fileAnswered uploads an accepted file or forgets a declined one.
	fileAnswered(ctx context.Context, inst *bot.Installation, serviceURL, conversation, userID string, fc fileConsent) error
	// forgetFiles deletes every file still offered to the person.
	forgetFiles(ctx context.Context, userID string) error
	// openChat starts a 1:1 chat between the bot and a person and returns
	// its conversation id, remembering nothing of it.
	openChat(ctx context.Context, inst *bot.Installation, serviceURL string, botAccount schema.ChannelAccount, userID string) (string, error)
	// sendUnremembered posts msg's cards to a conversation, stopping at
	// the first failure, and keeps no reference of it.
	sendUnremembered(ctx context.Context, inst *bot.Installation, serviceURL, conversationID string, msg bot.Message) error
}

var _ sender = (*Messenger)(nil)

// New returns an Adapter.
func New(cfg Config) (*Adapter, error) {
	if cfg.Handler == nil || cfg.Store == nil || cfg.Messenger == nil || cfg.Auth == nil || len(cfg.ServiceURLs) == 0 {
		return nil, errors.New("teams: Handler, Store, Messenger, Auth and ServiceURLs are required")
	}
	clock := cmp.Or[bot.Clock](cfg.Clock, bot.SystemClock{})
	return &Adapter{cfg: cfg, log: cmp.Or(cfg.Logger, slog.Default()), clock: clock, refs: references{cfg.Store, clock}, msgr: cfg.Messenger}, nil
}

// Routes registers POST /api/messages.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/messages", a.serveActivity)
}

// Wait waits for the work started after acknowledgements (shutdown, tests).
func (a *Adapter) Wait() { a.wg.Wait() }

// maxActivity bounds a request body; activities are a few kilobytes.
const maxActivity = 1 << 20

// Activities are claimed in the EventLog before they are handled.
const (
	// afterTimeout bounds the work done after an answer, the core's
	// included (handleThenReply).
	afterTimeout = time.Minute
	// eventHold is how long a claim keeps redeliveries away while its
	// activity is handled: longer than the core may take, so that an
	// activity is never handled twice at once.
	eventHold = afterTimeout + 15*time.Second
	// eventKeep is how long a handled activity is remembered, past the
	// Bot Framework's redeliveries.
	eventKeep = time.Hour
)

// outcome is where the handling of an activity stands when Teams is
// answered.
type outcome int

const (
	handled outcome = iota // stored (or refused in plain words): 200
	failed                 // the store failed: 503, and a redelivery is handled
	pending                // the core is still at work: 503; it settles the claim when done
)

func (a *Adapter) serveActivity(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxActivity))
	if err != nil {
		http.Error(w, "cannot read the activity", http.StatusBadRequest)
		return
	}
	in, err := decode(body)
	if err != nil {
		http.Error(w, "malformed activity", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), cmp.Or(a.cfg.HandleTimeout, 10*time.Second))
	defer cancel()
	if _, err := a.cfg.Auth.Authenticate(ctx, r.Header.Get("Authorization"), in.ServiceURL, in.ChannelID); err != nil {
		a.log.WarnContext(ctx, "reject Teams activity", "reason", err.Error(), "remote_addr", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if !a.cfg.ServiceURLs.Allowed(in.ServiceURL) {
		a.log.WarnContext(ctx, "reject Teams activity: service URL not allowed (SMART90_TEAMS_SERVICE_URLS)", "service_url", in.ServiceURL)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if in.tenant == "" || in.From.ID == "" || in.Conversation.ID == "" {
		http.Error(w, "the activity names no tenant, sender or conversation", http.StatusBadRequest)
		return
	}
	if in.Type == schema.Invoke && in.Name == "application/search" {
		// A typeahead's query, asked as the person types: an answer
		// from the zone list, nothing stored.
		writeJSON(w, searchZones(in.Value))
		return
	}
	inst, err := a.installation(ctx, in.tenant)
	if err != nil {
		a.log.ErrorContext(ctx, "teams: load installation", "tenant", in.tenant, "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if err := a.remember(ctx, inst, in); err != nil {
		a.log.ErrorContext(ctx, "teams: keep conversation reference", "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	key := ""
	if in.ID != "" {
		key = "teams:activity:" + in.Conversation.ID + ":" + in.ID
		st, err := a.cfg.Store.BeginEvent(ctx, key, a.clock.Now().UTC(), eventHold)
		switch {
		case err != nil:
			a.log.ErrorContext(ctx, "teams: claim activity; the Bot Framework is asked to retry", "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		case st == bot.EventDone:
			writeJSON(w, duplicate(in))
			return
		case st == bot.EventHandling:
			http.Error(w, "being handled; try again", http.StatusServiceUnavailable)
			return
		}
	}
	if in.Type == schema.InstallationUpdate {
		a.installationUpdate(ctx, inst, in)
		a.settle(ctx, key, nil)
		w.WriteHeader(http.StatusOK)
		return
	}
	var response any
	result := handled
	switch in.Type {
	case schema.Message:
		result = a.onMessage(ctx, key, inst, in)
	case schema.Invoke:
		response, result = a.onInvoke(ctx, key, inst, in)
	case schema.ConversationUpdate:
		result = a.conversationUpdate(ctx, key, inst, in)
	default:
		// Typing, reactions, message edits and the like: nothing to do.
		a.log.DebugContext(ctx, "teams: activity ignored", "type", in.Type)
		a.settle(ctx, key, nil)
	}
	switch {
	case result == pending:
		http.Error(w, "still being handled; try again", http.StatusServiceUnavailable)
	case result == failed && response != nil:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(response)
	case result == failed:
		http.Error(w, "try again", http.StatusServiceUnavailable)
	default:
		writeJSON(w, response)
	}
}

// settle records the outcome of handling key: handled (the core stored
// what it had to, or refused in plain words), or, when the core failed
// for an internal reason, released so that a redelivery is handled. It
// reports whether the activity was handled.
func (a *Adapter) settle(ctx context.Context, key string, err error) bool {
	handled, recErr := bot.SettleEvent(ctx, a.cfg.Store, key, a.clock.Now().UTC(), eventKeep, 5*time.Second, err)
	switch {
	case recErr != nil && handled:
		// Handled and stored all the same; the claim keeps redeliveries
		// away for eventHold.
		a.log.WarnContext(ctx, "teams: record activity handled", "key", key, "err", recErr)
	case recErr != nil:
		// The claim runs out by itself (eventHold).
		a.log.WarnContext(ctx, "teams: release activity", "key", key, "err", recErr)
	}
	return handled
}

// after runs work once the activity is acknowledged.
func (a *Adapter) after(fn func(ctx context.Context)) {
	a.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), afterTimeout)
		defer cancel()
		fn(ctx)
	})
}

// writeJSON answers with v as JSON, or an empty 200 when nil.
func writeJSON(w http.ResponseWriter, v any) {
	if v == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
