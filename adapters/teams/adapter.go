package teams

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/core/activity"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// Handler is the core: bot.Bot implements it.
type Handler interface {
	Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error)
}

// Config configures an Adapter.
type Config struct {
	Handler Handler // required: the core
	// Store (required) holds installations, conversation references and
	// the EventLog that de-duplicates activities: in the database, next
	// to what handling them stores, so a redelivery is handled once
	// whether or not Redis is up.
	Store     bot.Store
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
	wg    sync.WaitGroup // work after the acknowledgement
}

// New returns an Adapter.
func New(cfg Config) (*Adapter, error) {
	if cfg.Handler == nil || cfg.Store == nil || cfg.Messenger == nil || cfg.Auth == nil || len(cfg.ServiceURLs) == 0 {
		return nil, errors.New("teams: Handler, Store, Messenger, Auth and ServiceURLs are required")
	}
	clock := cmp.Or[bot.Clock](cfg.Clock, bot.SystemClock{})
	return &Adapter{cfg: cfg, log: cmp.Or(cfg.Logger, slog.Default()), clock: clock, refs: references{cfg.Store, clock}}, nil
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

// inbound is an activity as received, with what msbotbuilder-go's schema
// drops: the mention entities' fields.
type inbound struct {
	schema.Activity
	mentions []schema.Mention
	tenant   string
	channel  string // the channel's conversation id, in a team
	team     string
	chName   string
	teamName string
}

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
	_, err = activity.PrepareActivityContext(activity.HandlerFuncs{
		OnMessageFunc: func(*activity.TurnContext) (schema.Activity, error) {
			result = a.onMessage(ctx, key, inst, in)
			return schema.Activity{}, nil
		},
		OnInvokeFunc: func(*activity.TurnContext) (schema.Activity, error) {
			response, result = a.onInvoke(ctx, key, inst, in)
			return schema.Activity{}, nil
		},
		OnConversationUpdateFunc: func(*activity.TurnContext) (schema.Activity, error) {
			result = a.conversationUpdate(ctx, key, inst, in)
			return schema.Activity{}, nil
		},
	}, &activity.TurnContext{Activity: in.Activity})
	if err != nil {
		a.log.DebugContext(ctx, "teams: activity ignored", "type", in.Type, "err", err)
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
	// The handling may have used up ctx's time: the record must still be
	// written.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if bot.ErrorCode(err) == bot.EINTERNAL {
		if key != "" {
			if err := a.cfg.Store.ReleaseEvent(ctx, key); err != nil {
				// The claim runs out by itself (eventHold).
				a.log.WarnContext(ctx, "teams: release activity", "key", key, "err", err)
			}
		}
		return false
	}
	if key != "" {
		if err := a.cfg.Store.FinishEvent(ctx, key, a.clock.Now().UTC(), eventKeep); err != nil {
			// Handled and stored all the same; the claim keeps
			// redeliveries away for eventHold.
			a.log.WarnContext(ctx, "teams: record activity handled", "key", key, "err", err)
		}
	}
	return true
}

// decode reads an activity and the fields msbotbuilder-go's schema drops.
func decode(body []byte) (*inbound, error) {
	var in inbound
	if err := json.Unmarshal(body, &in.Activity); err != nil {
		return nil, err
	}
	var extra struct {
		Entities    []json.RawMessage `json:"entities"`
		ChannelData struct {
			Tenant struct{ ID string } `json:"tenant"`
			Team   struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"team"`
			Channel struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"channel"`
		} `json:"channelData"`
	}
	if err := json.Unmarshal(body, &extra); err != nil {
		return nil, err
	}
	for _, raw := range extra.Entities {
		var m schema.Mention
		if json.Unmarshal(raw, &m) == nil && m.Type == "mention" {
			in.mentions = append(in.mentions, m)
		}
	}
	if in.Type == "" || in.ServiceURL == "" {
		return nil, errors.New("no type or serviceUrl")
	}
	in.tenant = cmp.Or(in.Conversation.TenantID, extra.ChannelData.Tenant.ID)
	in.channel, in.chName = extra.ChannelData.Channel.ID, extra.ChannelData.Channel.Name
	in.team, in.teamName = extra.ChannelData.Team.ID, extra.ChannelData.Team.Name
	return &in, nil
}

// personal reports whether the activity is in a 1:1 chat with the bot.
func (in *inbound) personal() bool {
	return in.Conversation.ConversationType == "personal" || in.Conversation.ConversationType == "" && !in.Conversation.IsGroup
}

// installation returns the tenant's installation, creating it on first
// contact.
func (a *Adapter) installation(ctx context.Context, tenant string) (*bot.Installation, error) {
	inst, err := a.cfg.Store.InstallationByExternalID(ctx, bot.PlatformTeams, tenant)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		now := a.clock.Now().UTC()
		inst = &bot.Installation{Platform: bot.PlatformTeams, ExternalID: tenant, Status: bot.InstallationActive, CreatedAt: now, UpdatedAt: now}
		err = a.cfg.Store.UpsertInstallation(ctx, inst)
	}
	return inst, err
}

// remember keeps the conversation references an activity carries, before
// anything else is done with it: the tenant's service URL and the bot's
// id, the sender's 1:1 chat, the channel it came from.
func (a *Adapter) remember(ctx context.Context, inst *bot.Installation, in *inbound) error {
	svc := &reference{ServiceURL: in.ServiceURL, TenantID: in.tenant, BotID: in.Recipient.ID, BotName: in.Recipient.Name}
	if err := a.refs.put(ctx, inst.ID, keyService, svc); err != nil {
		return err
	}
	if in.personal() {
		ref := *svc
		ref.ConversationID, ref.UserID, ref.AADObjectID = in.Conversation.ID, in.From.ID, in.From.AadObjectID
		return a.refs.put(ctx, inst.ID, personKey(in.From.ID), &ref)
	}
	if in.team != "" {
		ref := *svc
		ref.TeamID, ref.Name = in.team, in.teamName
		if err := a.keepName(ctx, inst, teamKey(in.team), &ref); err != nil {
			return err
		}
	}
	if in.channel != "" {
		ref := *svc
		ref.ConversationID, ref.TeamID, ref.Name = in.channel, in.team, in.chName
		return a.keepName(ctx, inst, channelKey(in.channel), &ref)
	}
	return nil
}

// keepName stores ref under key, keeping the stored name when the
// activity carried none (Teams sends names only with some activities).
func (a *Adapter) keepName(ctx context.Context, inst *bot.Installation, key string, ref *reference) error {
	if ref.Name == "" {
		if old, ok, err := a.refs.get(ctx, inst.ID, key); err == nil && ok {
			ref.Name = old.Name
		}
	}
	return a.refs.put(ctx, inst.ID, key, ref)
}

// removed marks the activity's conversation as one the app was removed
// from: sends there stop until it is added again.
func (a *Adapter) removed(ctx context.Context, inst *bot.Installation, in *inbound) {
	var keys []string
	switch {
	case in.personal():
		keys = []string{personKey(in.From.ID)}
	case in.team != "":
		// Removed from a team: from all its channels at once.
		keys = []string{teamKey(in.team)}
	case in.channel != "":
		keys = []string{channelKey(in.channel)}
	}
	for _, key := range keys {
		ref, ok, err := a.refs.get(ctx, inst.ID, key)
		if err != nil || !ok {
			continue
		}
		ref.Removed = a.clock.Now().UTC()
		if err := a.refs.put(ctx, inst.ID, key, ref); err != nil {
			a.log.ErrorContext(ctx, "teams: mark conversation removed", "err", err)
			continue
		}
		a.log.InfoContext(ctx, "teams: app removed; sending there stops", "tenant", inst.ExternalID, "where", strings.Split(key, ":")[0])
	}
}

// installationUpdate: a removal stops all sending to that conversation;
// an addition was already remembered (and a personal one is welcomed on
// the conversationUpdate Teams sends with it).
func (a *Adapter) installationUpdate(ctx context.Context, inst *bot.Installation, in *inbound) {
	if strings.HasPrefix(in.Action, string(schema.InstallActionRemove)) {
		a.removed(ctx, inst, in)
	}
}

// conversationUpdate: the bot added to a 1:1 chat says hello; the bot
// removed from a team or chat stops sending there.
func (a *Adapter) conversationUpdate(ctx context.Context, key string, inst *bot.Installation, in *inbound) outcome {
	for _, m := range in.MembersRemoved {
		if m.ID == in.Recipient.ID {
			a.removed(ctx, inst, in)
			a.settle(ctx, key, nil)
			return handled
		}
	}
	for _, m := range in.MembersAdded {
		switch {
		case m.ID != in.Recipient.ID:
		case in.personal():
			return a.welcome(ctx, key, inst, in)
		case in.channel != "":
			a.after(func(ctx context.Context) {
				to := bot.Destination{Installation: inst, Channel: in.channel}
				if _, err := a.cfg.Messenger.Send(ctx, to, bot.Message{Text: teamHello}); err != nil {
					a.log.WarnContext(ctx, "teams: say hello to a team", "err", err)
				}
			})
			a.settle(ctx, key, nil)
			return handled
		}
	}
	a.settle(ctx, key, nil)
	return handled
}

// teamHello introduces smart90 in the channel of a team that added it.
const teamHello = "*Hi, I'm smart90.* I keep coaching clients' quarterly rocks alive between sessions: " +
	"a short daily check-in, a weekly report, and a weekly digest for their coach.\n" +
	"• Coaches: `@smart90 digest here` sends your weekly digest to this channel; `@smart90 invite @client` invites a client.\n" +
	"• Clients answer me in our 1:1 chat, where `help` lists everything."

// welcome greets a person who just added the app, with what they can do.
func (a *Adapter) welcome(ctx context.Context, key string, inst *bot.Installation, in *inbound) outcome {
	ev := a.event(in, bot.EventCommand)
	ev.Text = "help"
	return a.handleThenReply(ctx, key, inst, in, ev)
}

// handleThenReply runs the core on ev, settles key and sends the core's
// replies, answering Teams as soon as the core has stored what the event
// changes, or after HandleTimeout at the latest: what the core sends on
// the way (an invitation, through Graph and connector retries) must not
// hold the answer past Teams' 15 seconds. Answered before the core is
// done, the activity is not yet known to be stored (pending): a
// redelivery meanwhile is refused, one after is dropped if the core
// stored it and handled if the store failed. When the store failed the
// person gets the core's "try again" reply, since the Bot Framework's
// redelivery is not to be counted on.
func (a *Adapter) handleThenReply(ctx context.Context, key string, inst *bot.Installation, in *inbound, ev bot.Event) outcome {
	done := make(chan bool, 1)
	a.after(func(bg context.Context) {
		replies, err := a.handle(bg, ev)
		done <- a.settle(bg, key, err)
		a.reply(bg, inst, in, replies)
	})
	select {
	case ok := <-done:
		if !ok {
			return failed
		}
		return handled
	case <-ctx.Done():
		a.log.WarnContext(ctx, "teams: answered before the core finished", "kind", ev.Kind)
		return pending
	}
}

// event is the core event for what the activity's sender did.
func (a *Adapter) event(in *inbound, kind bot.EventKind) bot.Event {
	return bot.Event{
		Platform:     bot.PlatformTeams,
		Installation: in.tenant,
		User:         bot.UserRef{ExternalID: in.From.ID, DisplayName: in.From.Name, TimeZone: in.LocalTimezone},
		Kind:         kind,
		Channel:      in.channel,
	}
}

// onMessage handles a message: a card's Action.Submit (button or form),
// a plain reply in the 1:1 chat, or a command after @smart90 in a channel.
func (a *Adapter) onMessage(ctx context.Context, key string, inst *bot.Installation, in *inbound) outcome {
	var ev bot.Event
	if len(in.Value) > 0 {
		s, ok := ParseSubmission(in.Value)
		if !ok {
			a.settle(ctx, key, nil)
			return handled
		}
		ev = a.submission(in, s)
	} else {
		kind := bot.EventCommand
		if in.personal() {
			kind = bot.EventMessage
		}
		ev = a.event(in, kind)
		ev.Text, ev.Mentions = commandText(in)
		if ev.Text == "" {
			a.settle(ctx, key, nil)
			return handled
		}
		var ok bool
		if ev.Text, ok = here(ev.Text, in); !ok {
			a.after(func(ctx context.Context) {
				a.reply(ctx, inst, in, []bot.Message{{Text: "In Teams, type `@smart90 digest here` in the channel the digest should go to, or `digest dm` for a direct message.", Ephemeral: true}})
			})
			a.settle(ctx, key, nil)
			return handled
		}
		a.learnMentioned(ctx, inst, in)
	}
	return a.handleThenReply(ctx, key, inst, in, ev)
}

// learnMentioned keeps the Entra object id of the people a command in a
// team mentions, when the app may install itself for them through Graph
// (it needs that id): from the mention, or asked of the team's roster.
func (a *Adapter) learnMentioned(ctx context.Context, inst *bot.Installation, in *inbound) {
	if a.cfg.Messenger.graph == nil || in.personal() {
		return
	}
	for _, m := range in.mentions {
		id := m.Mentioned.ID
		if id == in.Recipient.ID || !strings.HasPrefix(id, "29:") {
			continue
		}
		ref, ok, err := a.refs.get(ctx, inst.ID, personKey(id))
		if err != nil || ok && ref.AADObjectID != "" {
			continue
		}
		aad := m.Mentioned.AadObjectID
		if aad == "" {
			member, err := a.cfg.Messenger.api.Member(ctx, in.ServiceURL, cmp.Or(in.team, in.channel), id)
			if err != nil {
				a.log.WarnContext(ctx, "teams: look up a mentioned person", "err", err)
				continue
			}
			aad = member.AadObjectID
		}
		if !ok {
			ref = &reference{ServiceURL: in.ServiceURL, TenantID: in.tenant, BotID: in.Recipient.ID, BotName: in.Recipient.Name, UserID: id}
		}
		ref.AADObjectID = aad // all else as stored: a chat, a removal
		if err := a.refs.put(ctx, inst.ID, personKey(id), ref); err != nil {
			a.log.WarnContext(ctx, "teams: keep a mentioned person's id", "err", err)
		}
	}
}

// submission is the core event for a card action.
func (a *Adapter) submission(in *inbound, s Submission) bot.Event {
	ev := a.event(in, bot.EventAction)
	ev.ActionID, ev.Value = s.ID, s.Value
	if s.Form {
		ev.Kind, ev.ActionID, ev.FormID, ev.Values = bot.EventForm, "", s.ID, s.Values
	}
	return ev
}

// onInvoke answers an Action.Execute (invoke "adaptiveCard/action") in
// the HTTP response: the first reply replaces the card, the others follow
// as messages. When the store failed, the card stays as it was, with what
// the person typed, and shows the core's "try again".
func (a *Adapter) onInvoke(ctx context.Context, key string, inst *bot.Installation, in *inbound) (any, outcome) {
	response, err := a.invoke(ctx, inst, in)
	if !a.settle(ctx, key, err) {
		return map[string]any{"statusCode": http.StatusServiceUnavailable, "type": "application/vnd.microsoft.error",
			"value": map[string]any{"code": "ServiceUnavailable", "message": bot.ErrorMessage(err)}}, failed
	}
	return response, handled
}

// invoke answers an invoke activity; the error is the core's.
func (a *Adapter) invoke(ctx context.Context, inst *bot.Installation, in *inbound) (any, error) {
	if in.Name == "fileConsent/invoke" {
		if fc, ok := parseFileConsent(in.Value); ok {
			a.after(func(ctx context.Context) {
				if err := a.cfg.Messenger.fileAnswered(ctx, inst, in.ServiceURL, in.Conversation.ID, in.From.ID, fc); err != nil {
					a.log.WarnContext(ctx, "teams: answer a file consent", "err", err)
				}
			})
		}
		return nil, nil // Teams wants a plain 200; the upload follows
	}
	if in.Name != "adaptiveCard/action" {
		return map[string]any{"statusCode": http.StatusNotImplemented, "type": "application/vnd.microsoft.error",
			"value": map[string]any{"code": "NotImplemented", "message": "smart90 does not handle " + in.Name}}, nil
	}
	s, ok := ParseSubmission(in.Value)
	if !ok {
		return InvokeResponse(bot.Message{Text: "That card is out of date; type `help` to start again."}, nil), nil
	}
	replies, err := a.handle(ctx, a.submission(in, s))
	if bot.ErrorCode(err) == bot.EINTERNAL {
		return nil, err
	}
	if len(replies) == 0 {
		return InvokeResponse(bot.Message{Text: "Done."}, nil), nil
	}
	first, rest := replies[0], replies[1:]
	if len(first.Files) > 0 || len(first.Images) > 0 || (!in.personal() && first.Ephemeral) {
		// Files and images need a message; a private reply must not replace a card
		// everybody in the channel sees.
		first, rest = bot.Message{Text: "Done."}, replies
	}
	a.after(func(ctx context.Context) { a.reply(ctx, inst, in, rest) })
	return InvokeResponse(first, a.cfg.Messenger.names(ctx, inst, first)), nil
}

// handle runs the core. Its replies already say what went wrong in plain
// words; its error is non-nil only for an internal failure (the store),
// which the core logged and after which the activity must not be
// acknowledged as handled.
func (a *Adapter) handle(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
	return a.cfg.Handler.Handle(ctx, ev)
}

// reply sends the core's replies: in the 1:1 chat they answer there; in a
// channel, what is only for the person goes to their 1:1 chat (Teams has
// no private messages in a channel) with a pointer in the thread, and the
// rest is a reply in the thread.
func (a *Adapter) reply(ctx context.Context, inst *bot.Installation, in *inbound, replies []bot.Message) {
	if a.forgotten(ctx, inst, in) {
		a.replyForgotten(ctx, inst, in, replies)
		return
	}
	private := bot.Destination{Installation: inst, UserID: in.From.ID}
	thread := private
	if !in.personal() && in.channel != "" {
		root := in.ID
		if _, id, ok := strings.Cut(in.Conversation.ID, ";messageid="); ok {
			root = id
		}
		thread = bot.Destination{Installation: inst, ThreadRef: in.channel + "|" + root}
	}
	pointed := false
	for _, m := range replies {
		to := thread
		if m.Ephemeral {
			to = private
		}
		_, err := a.cfg.Messenger.Send(ctx, to, m)
		if err != nil {
			a.log.WarnContext(ctx, "teams reply", "tenant", inst.ExternalID, "err", err)
			if to == private && to != thread {
				a.cfg.Messenger.Send(ctx, thread, bot.Message{Text: "I could not answer you privately: " + bot.ErrorMessage(err)})
			}
			continue
		}
		if to == private && to != thread && !pointed {
			pointed = true
			a.cfg.Messenger.Send(ctx, thread, bot.Message{Text: "I answered you in our 1:1 chat."})
		}
	}
}

// forgotten reports whether the activity's sender is not in the store
// after the core handled the activity: they just deleted their data
// (forget-me), or the core never kept them.
func (a *Adapter) forgotten(ctx context.Context, inst *bot.Installation, in *inbound) bool {
	_, err := a.cfg.Store.PersonByExternalID(ctx, inst.ID, in.From.ID)
	return bot.ErrorCode(err) == bot.ENOTFOUND
}

// replyForgotten answers a person the store does not hold without
// keeping anything of them again: Messenger.Send would store the
// reference of their 1:1 chat (the one forget-me just deleted), so each
// reply goes straight to the conversation the activity came from, or, for
// a private reply to a command in a channel, to a 1:1 chat started for it
// and not remembered. The files still offered to them are deleted.
func (a *Adapter) replyForgotten(ctx context.Context, inst *bot.Installation, in *inbound, replies []bot.Message) {
	m := a.cfg.Messenger
	if err := m.forgetFiles(ctx, in.From.ID); err != nil {
		a.log.WarnContext(ctx, "teams: forget the files offered to a person", "err", err)
	}
	private := ""
	for _, msg := range replies {
		msg.Files = nil // nothing is offered to keep for them
		conv := in.Conversation.ID
		if msg.Ephemeral && !in.personal() {
			if private == "" {
				var err error
				private, err = m.api.CreateConversation(ctx, in.ServiceURL, &conversationParams{
					Bot: schema.ChannelAccount{ID: in.Recipient.ID, Name: in.Recipient.Name}, Members: []schema.ChannelAccount{{ID: in.From.ID}},
					TenantID: inst.ExternalID, ChannelData: map[string]any{"tenant": map[string]any{"id": inst.ExternalID}}})
				if err != nil {
					a.log.WarnContext(ctx, "teams reply", "tenant", inst.ExternalID, "err", err)
					continue
				}
			}
			conv = private
		}
		for _, card := range Cards(msg, m.names(ctx, inst, msg)) {
			if _, err := m.api.Send(ctx, in.ServiceURL, conv, &outActivity{Type: schema.Message, Summary: summary(msg.Text),
				Attachments: []schema.Attachment{card}}); err != nil {
				a.log.WarnContext(ctx, "teams reply", "tenant", inst.ExternalID, "err", err)
				break
			}
		}
	}
}

// after runs work once the activity is acknowledged.
func (a *Adapter) after(fn func(ctx context.Context)) {
	a.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), afterTimeout)
		defer cancel()
		fn(ctx)
	})
}

// atTag matches a mention in a message's text.
var atTag = regexp.MustCompile(`<at>(.*?)</at>`)

// commandText is the message's text with the bot's own mention removed
// and every other mention written as the core's <@ID>, with what the
// entities say of each mentioned person. Teams sends the text with HTML
// entities; what the person typed is unescaped but cannot become a
// mention or a channel (only an entity can), and a leading "/smart90" is
// dropped as Slack users type it.
func commandText(in *inbound) (string, map[string]bot.UserRef) {
	var mentions map[string]bot.UserRef
	var found []string // the mentions' ids, by placeholder
	// NUL stands for a mention below: typed, it is nothing.
	text := atTag.ReplaceAllStringFunc(strings.ReplaceAll(in.Text, "\x00", ""), func(tag string) string {
		inner := atTag.FindStringSubmatch(tag)[1]
		for _, m := range in.mentions {
			name := strings.TrimPrefix(m.Mentioned.Name, "@")
			if m.Text != tag && strings.TrimPrefix(inner, "@") != name {
				continue
			}
			if m.Mentioned.ID == in.Recipient.ID {
				return ""
			}
			if mentions == nil {
				mentions = map[string]bot.UserRef{}
			}
			mentions[m.Mentioned.ID] = bot.UserRef{ExternalID: m.Mentioned.ID, DisplayName: name}
			found = append(found, m.Mentioned.ID)
			return fmt.Sprintf(" \x00%d\x00 ", len(found)-1)
		}
		return inner
	})
	text = html.UnescapeString(strings.ReplaceAll(text, "&nbsp;", " "))
	text = typedRef.ReplaceAllString(text, "$1")
	text = placeholder.ReplaceAllStringFunc(text, func(p string) string {
		i, err := strconv.Atoi(strings.Trim(p, "\x00"))
		if err != nil || i >= len(found) {
			return "" // typed, not ours
		}
		return "<@" + found[i] + ">"
	})
	text = strings.Join(strings.Fields(text), " ")
	if w, rest, _ := strings.Cut(text, " "); strings.EqualFold(w, "/smart90") {
		text = rest
	}
	return text, mentions
}

var (
	// typedRef is a mention or channel link a person typed as text: its
	// "<" (however many) is dropped, so "<<@29:x>" cannot leave "<@29:x>".
	typedRef = regexp.MustCompile(`<+([@#])`)
	// placeholder stands for a real mention while the text is unescaped.
	placeholder = regexp.MustCompile("\x00[0-9]+\x00")
)

// here turns "digest here" into the channel it was typed in (or the 1:1
// chat): Teams has no channel links to type. ok is false for "digest"
// with any other channel, which Teams cannot name.
func here(text string, in *inbound) (string, bool) {
	word, rest, _ := strings.Cut(text, " ")
	if !strings.EqualFold(word, "digest") {
		return text, true
	}
	switch arg := strings.ToLower(strings.TrimSpace(rest)); {
	case arg == "here" && (in.personal() || in.channel == ""):
		return "digest dm", true
	case arg == "here":
		return fmt.Sprintf("digest <#%s>", in.channel), true
	case arg == "dm" || arg == "":
		return text, true
	}
	return text, false
}

// duplicate is the answer to a redelivered activity: an invoke still
// needs a body Teams can show.
func duplicate(in *inbound) any {
	if in.Type == schema.Invoke {
		return InvokeResponse(bot.Message{Text: "Done."}, nil)
	}
	return nil
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
