package slack

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/smart90/smart90/bot"
)

// Handler is the core: bot.Bot implements it.
type Handler interface {
	Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error)
}

// viewAPI is the part of slack-go's client that opens modals.
type viewAPI interface {
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
}

// Config configures an Adapter.
type Config struct {
	Handler       Handler   // required: the core
	Store         bot.Store // required: installations
	Messenger     *Messenger
	Deduper       bot.Deduper // required: Slack retries events
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
	cfg      Config
	log      *slog.Logger
	clock    bot.Clock
	wg       sync.WaitGroup // work after the ack
	profiles profiles
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

// Routes registers POST /slack/events, verified with the signing secret.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.Handle("POST /slack/events", Verify(a.cfg.SigningSecret, a.clock.Now, a.log)(http.HandlerFunc(a.serveEvents)))
}

// dedupeTTL covers Slack's retries (three, over about five minutes).
const dedupeTTL = time.Hour

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		a.serveEventsAPI(w, r, body)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return
	}
	switch {
	case r.PostForm.Get("payload") != "":
		a.serveInteraction(w, r, r.PostForm.Get("payload"))
	case r.PostForm.Get("command") != "":
		sc, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "malformed slash command", http.StatusBadRequest)
			return
		}
		a.serveCommand(w, r, sc)
	default:
		http.Error(w, "not an event, interaction or slash command", http.StatusBadRequest)
	}
}

// serveEventsAPI answers the URL check and handles event callbacks: a
// retry of an event already seen is acknowledged and dropped.
func (a *Adapter) serveEventsAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	outer, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch outer.Type {
	case slackevents.URLVerification:
		var c slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &c); err != nil || c.Challenge == "" {
			http.Error(w, "malformed challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, c.Challenge)
		return
	case slackevents.CallbackEvent:
	default:
		w.WriteHeader(http.StatusOK) // app_rate_limited and the like: nothing to do
		return
	}
	var cb slackevents.EventsAPICallbackEvent
	if err := json.Unmarshal(body, &cb); err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	ctx, cancel := a.handleContext(r.Context())
	defer cancel()
	a.onEvent(ctx, outer.TeamID, cb.EventID, cb.EventTime, outer.InnerEvent.Data)
	w.WriteHeader(http.StatusOK)
}

// onEvent handles one Events API event, from either connection mode. A
// retry of an event already seen is dropped. What must not be lost (an
// answer) is stored before it returns; replies go out after.
func (a *Adapter) onEvent(ctx context.Context, team, eventID string, eventTime int, inner any) {
	if eventID != "" {
		if dup, err := a.cfg.Deduper.Seen(ctx, "slack:event:"+eventID, dedupeTTL); err != nil {
			a.log.WarnContext(ctx, "de-duplicate event; handling it", "event", eventID, "err", err)
		} else if dup {
			return
		}
	}
	switch ev := inner.(type) {
	case *slackevents.MessageEvent:
		if e, ok := messageEvent(team, ev); ok {
			replies := a.handle(ctx, &e)
			a.after(func(ctx context.Context) { a.reply(ctx, e, replies) })
		}
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab == "home" {
			a.after(func(ctx context.Context) { a.publishHome(ctx, team, ev.User) })
		}
	case *slackevents.AppUninstalledEvent:
		a.uninstalled(ctx, team, eventTime, "app_uninstalled")
	case *slackevents.TokensRevokedEvent:
		if len(ev.Tokens.Bot) > 0 {
			a.uninstalled(ctx, team, eventTime, "tokens_revoked")
		}
	}
}

// HomeProvider is implemented by a core that has a home tab (bot.Bot).
type HomeProvider interface {
	Home(ctx context.Context, ev bot.Event) (bot.Message, error)
}

// homeAPI is the part of slack-go's client that publishes the home tab.
type homeAPI interface {
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
}

// publishHome renders the person's App Home tab (views.publish).
func (a *Adapter) publishHome(ctx context.Context, team, user string) {
	hp, ok := a.cfg.Handler.(HomeProvider)
	if !ok {
		return
	}
	ev := bot.Event{Platform: bot.PlatformSlack, Installation: team, User: bot.UserRef{ExternalID: user}}
	a.enrich(ctx, &ev)
	m, err := hp.Home(ctx, ev)
	if err != nil {
		m = bot.Message{Text: bot.ErrorMessage(err)}
	}
	inst, err := a.eventInstallation(ctx, ev)
	if err != nil {
		a.log.WarnContext(ctx, "home tab: load installation", "team", team, "err", err)
		return
	}
	api, err := a.cfg.Messenger.client(inst)
	if err != nil {
		return
	}
	pub, ok := api.(homeAPI)
	if !ok {
		return
	}
	_, blocks := Blocks(m)
	req := slack.PublishViewContextRequest{UserID: user, View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}}
	if _, err := pub.PublishViewContext(ctx, req); err != nil {
		a.log.WarnContext(ctx, "views.publish", "team", team, "user", user, "err", classify("views.publish", err))
	}
}

// uninstalled stops all sending to a workspace at once: the installation
// is marked, so the scheduler plans and sends nothing more there.
func (a *Adapter) uninstalled(ctx context.Context, team string, eventTime int, why string) {
	inst, err := a.cfg.Store.InstallationByExternalID(ctx, bot.PlatformSlack, team)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return
	}
	if err != nil {
		a.log.ErrorContext(ctx, "load installation to uninstall", "team", team, "err", err)
		return
	}
	if eventTime > 0 && time.Unix(int64(eventTime), 0).Before(inst.UpdatedAt.Truncate(time.Second)) {
		// Delivered late (a retry) after the workspace installed again.
		a.log.InfoContext(ctx, "stale uninstall event ignored", "team", team, "why", why)
		return
	}
	inst.Status, inst.BotToken, inst.UpdatedAt = bot.InstallationUninstalled, nil, a.clock.Now().UTC()
	if err := a.cfg.Store.UpsertInstallation(ctx, inst); err != nil {
		a.log.ErrorContext(ctx, "mark installation uninstalled", "team", team, "err", err)
		return
	}
	a.log.InfoContext(ctx, "slack workspace uninstalled", "team", team, "why", why)
}

// serveCommand handles /smart90: the reply goes back in the response, seen
// only by the person who typed it; a reply that is a form opens as a modal.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, sc slack.SlashCommand) {
	ctx, cancel := a.handleContext(r.Context())
	defer cancel()
	writeResponse(w, a.onCommand(ctx, sc))
}

// writeResponse answers with payload as JSON, or an empty 200 when nil.
func writeResponse(w http.ResponseWriter, payload any) {
	if payload == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(payload)
}

// onCommand handles /smart90 from either connection mode and returns the
// response: the replies, seen only by the person who typed it (nil when a
// form opened instead).
func (a *Adapter) onCommand(ctx context.Context, sc slack.SlashCommand) any {
	ev := commandEvent(sc)
	replies := a.handle(ctx, &ev)
	var shown, files []bot.Message
	for _, m := range replies {
		switch {
		case m.Form != nil && sc.TriggerID != "" && m.Text == "":
			a.openModal(ctx, ev, sc.TriggerID, m.Form)
		case len(m.Files) > 0:
			files = append(files, m) // a response carries no files: to the DM
		default:
			shown = append(shown, m)
		}
	}
	if len(files) > 0 {
		a.after(func(ctx context.Context) { a.reply(ctx, ev, files) })
	}
	if len(shown) == 0 {
		return nil
	}
	var blocks []slack.Block
	var text []string
	for _, m := range shown {
		t, b := Blocks(m)
		text, blocks = append(text, t), append(blocks, b...)
	}
	if len(blocks) > 50 { // answered in one response; the rest is cut
		blocks = blocks[:50]
	}
	return slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: strings.Join(text, "\n"), Blocks: slack.Blocks{BlockSet: blocks}}
}

// serveInteraction handles button presses, modal submissions and
// type-ahead queries.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, payload string) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &cb); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	ctx, cancel := a.handleContext(r.Context())
	defer cancel()
	writeResponse(w, a.onInteraction(ctx, &cb))
}

// onInteraction handles button presses, modal submissions and type-ahead
// queries from either connection mode, and returns the response (nil for
// an empty acknowledgement).
func (a *Adapter) onInteraction(ctx context.Context, cb *slack.InteractionCallback) any {
	switch cb.Type {
	case slack.InteractionTypeBlockSuggestion:
		return slack.OptionsResponse{Options: TimeZoneOptions(cb.Value, 100)}
	case slack.InteractionTypeBlockActions:
		ev, ok := actionEvent(cb)
		if !ok {
			return nil
		}
		replies := a.handle(ctx, &ev)
		var rest []bot.Message
		for _, m := range replies {
			if m.Form != nil && cb.TriggerID != "" && opensForm(m, ev.ActionID) {
				// The pressed button opens this form (trigger ids
				// expire in 3 s, so before the ack).
				a.openModal(ctx, ev, cb.TriggerID, m.Form)
				continue
			}
			rest = append(rest, m)
		}
		a.after(func(ctx context.Context) { a.reply(ctx, ev, rest) })
	case slack.InteractionTypeViewSubmission:
		ev := formEvent(cb)
		replies := a.handle(ctx, &ev)
		a.after(func(ctx context.Context) { a.reply(ctx, ev, replies) })
	}
	return nil
}

// opensForm reports whether m answers a press of a button that opens m's
// form ("Answer" on a prompt): then the form is shown, not m again.
func opensForm(m bot.Message, actionID string) bool {
	for _, b := range m.Buttons {
		if b.ActionID == actionID && b.OpensForm {
			return true
		}
	}
	return false
}

func (a *Adapter) openModal(ctx context.Context, ev bot.Event, triggerID string, f *bot.Form) {
	inst, err := a.eventInstallation(ctx, ev)
	if err != nil {
		a.log.ErrorContext(ctx, "open modal: load installation", "team", ev.Installation, "err", err)
		return
	}
	api, err := a.cfg.Messenger.client(inst)
	if err != nil {
		a.log.ErrorContext(ctx, "open modal", "team", ev.Installation, "err", err)
		return
	}
	views, ok := api.(viewAPI)
	if !ok {
		a.log.ErrorContext(ctx, "open modal: the Web API client cannot open views")
		return
	}
	if _, err := views.OpenViewContext(ctx, triggerID, Modal(*f, f.FormID, f.Value)); err != nil {
		a.log.WarnContext(ctx, "views.open", "team", ev.Installation, "err", classify("views.open", err))
	}
}

// handle enriches ev (profiles, the stored installation) and runs the
// core; its replies already say what went wrong in plain words, internal
// errors are logged by the core.
func (a *Adapter) handle(ctx context.Context, ev *bot.Event) []bot.Message {
	a.enrich(ctx, ev)
	replies, err := a.cfg.Handler.Handle(ctx, *ev)
	if err != nil {
		a.log.ErrorContext(ctx, "handle slack event", "kind", ev.Kind, "team", ev.Installation, "err", err)
	}
	return replies
}

// reply sends the core's replies to the person who acted, in their DM.
func (a *Adapter) reply(ctx context.Context, ev bot.Event, replies []bot.Message) {
	if len(replies) == 0 {
		return
	}
	inst, err := a.eventInstallation(ctx, ev)
	if err != nil {
		a.log.ErrorContext(ctx, "reply: load installation", "team", ev.Installation, "err", err)
		return
	}
	for _, m := range replies {
		if _, err := a.cfg.Messenger.Send(ctx, bot.Destination{Installation: inst, UserID: ev.User.ExternalID}, m); err != nil {
			a.log.WarnContext(ctx, "reply", "team", ev.Installation, "user", ev.User.ExternalID, "err", err)
		}
	}
}

func (a *Adapter) installation(ctx context.Context, team string) (*bot.Installation, error) {
	return a.cfg.Store.InstallationByExternalID(ctx, bot.PlatformSlack, team)
}

// eventInstallation is ev's installation: the one enrich read for this
// event, else (the core created it just now, or the read failed) read
// again.
func (a *Adapter) eventInstallation(ctx context.Context, ev bot.Event) (*bot.Installation, error) {
	if ev.Stored != nil && ev.Stored.ExternalID == ev.Installation {
		return ev.Stored, nil
	}
	return a.installation(ctx, ev.Installation)
}

// handleContext bounds the work done before the ack.
func (a *Adapter) handleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cmp.Or(a.cfg.HandleTimeout, 2500*time.Millisecond))
}

// after runs work once the request is acknowledged.
func (a *Adapter) after(fn func(ctx context.Context)) {
	a.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		fn(ctx)
	})
}
