package slack

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/smart90/smart90/bot"
)

// Mode-neutral handling, shared by HTTP and Socket Mode: each request is
// claimed in the EventLog, handed to the core, settled, and answered with
// what the connection mode then writes or acknowledges.

// Inbound requests are claimed in the EventLog before they are handled.
const (
	// eventHold is how long a claim keeps retries away while its request
	// is handled: longer than the handling (HandleTimeout), shorter than
	// the minute before Slack's second retry, so a crashed handler's
	// event is handled by that retry.
	eventHold = 30 * time.Second
	// eventKeep is how long a handled request is remembered: past Slack's
	// last retry (about five minutes after the first delivery) and the
	// signature's ten-minute window (five minutes either way).
	eventKeep = time.Hour
	// lastRetry is the retry number of Slack's last delivery of an event.
	lastRetry = 3
)

// answer is how an inbound request is answered: 200 with payload (nil
// for an empty body), or another status and nothing. In Socket Mode a
// 200 is the ack and anything else is no ack, which Slack treats as a
// failed delivery: it retries an event, and shows the person an error
// for a command or an interaction.
type answer struct {
	status  int
	payload any
}

// retryLater asks Slack to deliver the request again.
var retryLater = answer{status: http.StatusServiceUnavailable}

// acknowledged is an empty 200.
var acknowledged = answer{status: http.StatusOK}

// lostMessage tells a person that a message of theirs was not saved and
// will not be delivered again.
const lostMessage = "I could not save your last message because of a problem on our side, and Slack has stopped resending it. Please send it again."

// claim claims key in the EventLog; an empty key (a request without an
// id) is always new.
func (a *Adapter) claim(ctx context.Context, key string) (bot.EventState, error) {
	if key == "" {
		return bot.EventNew, nil
	}
	st, err := a.cfg.Store.BeginEvent(ctx, key, a.clock.Now().UTC(), max(eventHold, a.handleTimeout()+5*time.Second))
	if err != nil {
		a.log.ErrorContext(ctx, "claim inbound slack request; Slack is asked to retry", "key", key, "err", err)
	}
	return st, err
}

// settle records the outcome of handling key: handled (the core stored
// what it had to, or refused in plain words), or, when the core failed
// for an internal reason, released so that a retry is handled. It
// reports whether the request was handled.
func (a *Adapter) settle(ctx context.Context, key string, err error) bool {
	// Two seconds: Slack waits three for the ack that follows.
	handled, recErr := bot.SettleEvent(ctx, a.cfg.Store, key, a.clock.Now().UTC(), eventKeep, 2*time.Second, err)
	switch {
	case recErr != nil && handled:
		// Handled and stored all the same: acknowledging it is right,
		// and no retry follows an acknowledgement.
		a.log.WarnContext(ctx, "record inbound slack request handled", "key", key, "err", recErr)
	case recErr != nil:
		// The claim runs out by itself (eventHold).
		a.log.WarnContext(ctx, "release inbound slack request", "key", key, "err", recErr)
	}
	return handled
}

// onEvent handles one Events API event, from either connection mode, and
// returns the answer: 200 once what must not be lost (an answer, an
// uninstall) is stored, or already was for a retry; 503 while another
// request handles the event, or when the store failed, so that Slack
// retries. Replies go out after. retry is Slack's retry number (0 for
// the first delivery).
func (a *Adapter) onEvent(ctx context.Context, team, eventID string, eventTime, retry int, inner any) answer {
	if uc, ok := inner.(*slackevents.UserChangeEvent); ok {
		// A changed status is only kept in memory, and keeping it twice
		// is harmless: nothing to claim or store for any user of the
		// workspace (Slack sends this for everyone, not only clients).
		a.cfg.Messenger.userChanged(team, uc)
		return acknowledged
	}
	key := ""
	if eventID != "" {
		key = "slack:event:" + eventID
	}
	st, err := a.claim(ctx, key)
	switch {
	case err == nil && st == bot.EventDone:
		return acknowledged
	case err == nil && st == bot.EventHandling:
		return retryLater
	case err == nil:
		err = a.dispatch(ctx, team, eventTime, inner)
		if a.settle(ctx, key, err) {
			return acknowledged
		}
	}
	if m, isDM := inner.(*slackevents.MessageEvent); isDM && retry >= lastRetry {
		// Slack gives up after this: the person is told, not left
		// believing the answer was kept.
		if e, ok := messageEvent(team, m); ok {
			a.after(func(ctx context.Context) { a.tellLost(ctx, e) })
		}
	}
	return retryLater
}

// dispatch handles one event; the error is the core's or the store's.
func (a *Adapter) dispatch(ctx context.Context, team string, eventTime int, inner any) error {
	switch ev := inner.(type) {
	case *slackevents.MessageEvent:
		e, ok := messageEvent(team, ev)
		if !ok {
			return nil
		}
		r, err := a.handle(ctx, e)
		if bot.ErrorCode(err) == bot.EINTERNAL {
			// Nothing is said now: Slack delivers the message again, and
			// a "try again" would have the person send it twice.
			return err
		}
		a.after(func(ctx context.Context) { a.reply(ctx, e, r.Installation, r.Messages) })
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab == "home" {
			a.after(func(ctx context.Context) { a.publishHome(ctx, team, ev.User) })
		}
	case *slackevents.AppUninstalledEvent:
		return a.uninstalled(ctx, team, eventTime, "app_uninstalled")
	case *slackevents.TokensRevokedEvent:
		if len(ev.Tokens.Bot) > 0 {
			return a.uninstalled(ctx, team, eventTime, "tokens_revoked")
		}
	}
	return nil
}

// uninstalled stops all sending to a workspace at once: the installation
// is marked, so the scheduler plans and sends nothing more there. An
// error is the store's: Slack is asked to deliver the event again.
func (a *Adapter) uninstalled(ctx context.Context, team string, eventTime int, why string) error {
	inst, err := a.cfg.Store.InstallationByExternalID(ctx, bot.PlatformSlack, team)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil
	}
	if err != nil {
		a.log.ErrorContext(ctx, "load installation to uninstall", "team", team, "err", err)
		return fmt.Errorf("load installation to uninstall: %w", err)
	}
	if eventTime > 0 && time.Unix(int64(eventTime), 0).Before(inst.UpdatedAt.Truncate(time.Second)) {
		// Delivered late (a retry) after the workspace installed again.
		a.log.InfoContext(ctx, "stale uninstall event ignored", "team", team, "why", why)
		return nil
	}
	inst.Status, inst.BotToken, inst.UpdatedAt = bot.InstallationUninstalled, nil, a.clock.Now().UTC()
	if err := a.cfg.Store.UpsertInstallation(ctx, inst); err != nil {
		a.log.ErrorContext(ctx, "mark installation uninstalled", "team", team, "err", err)
		return fmt.Errorf("mark installation uninstalled: %w", err)
	}
	a.log.InfoContext(ctx, "slack workspace uninstalled", "team", team, "why", why)
	return nil
}

// onCommand handles /smart90 from either connection mode, claimed under
// key, and returns the response: the replies, seen only by the person who
// typed it (none when a form opened instead). A replay of a command
// already handled, or being handled, gets an empty 200 and changes
// nothing; when the store cannot be reached the person is told to try
// again (Slack does not retry commands).
func (a *Adapter) onCommand(ctx context.Context, key string, sc slack.SlashCommand) answer {
	st, err := a.claim(ctx, key)
	if err != nil {
		return answer{status: http.StatusOK, payload: ephemeral(bot.Message{Text: bot.ErrorMessage(err)})}
	}
	if st != bot.EventNew {
		return acknowledged
	}
	ev := commandEvent(sc)
	r, err := a.handle(ctx, ev)
	a.settle(ctx, key, err)
	var shown, files []bot.Message
	for _, m := range r.Messages {
		switch {
		case m.Form != nil && sc.TriggerID != "" && m.Text == "":
			a.openModal(ctx, ev, r.Installation, sc.TriggerID, m.Form)
		case len(m.Files) > 0:
			files = append(files, m) // a response carries no files: to the DM
		case len(m.Images) > 0:
			// Nor images: the text is answered here, the charts go to the DM.
			files = append(files, bot.Message{Images: m.Images})
			m.Images = nil
			shown = append(shown, m)
		default:
			shown = append(shown, m)
		}
	}
	if len(files) > 0 {
		a.after(func(ctx context.Context) { a.reply(ctx, ev, r.Installation, files) })
	}
	return answer{status: http.StatusOK, payload: ephemeral(shown...)}
}

// ephemeral is a response seen only by the person who acted, nil for no
// messages.
func ephemeral(msgs ...bot.Message) any {
	if len(msgs) == 0 {
		return nil
	}
	var blocks []slack.Block
	var text []string
	for _, m := range msgs {
		t, b := Blocks(m)
		text, blocks = append(text, t), append(blocks, b...)
	}
	if len(blocks) > 50 { // answered in one response; the rest is cut
		blocks = blocks[:50]
	}
	return slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: strings.Join(text, "\n"), Blocks: slack.Blocks{BlockSet: blocks}}
}

// onInteraction handles button presses, modal submissions and type-ahead
// queries from either connection mode, claimed under key, and returns
// the response. A replay of an interaction already handled, or being
// handled, gets an empty 200 and changes nothing. When the store fails
// the answer is 503: Slack marks the button as failed, or keeps the modal
// open with what the person typed, and they can press again.
func (a *Adapter) onInteraction(ctx context.Context, key string, cb *slack.InteractionCallback) answer {
	switch cb.Type {
	case slack.InteractionTypeBlockSuggestion:
		// Reads nothing, stores nothing: no claim.
		return answer{status: http.StatusOK, payload: slack.OptionsResponse{Options: TimeZoneOptions(cb.Value, 100)}}
	case slack.InteractionTypeBlockActions, slack.InteractionTypeViewSubmission:
	default:
		return acknowledged
	}
	st, err := a.claim(ctx, key)
	if err != nil {
		return retryLater
	}
	if st != bot.EventNew {
		return acknowledged
	}
	if cb.Type == slack.InteractionTypeViewSubmission {
		ev := formEvent(cb)
		r, err := a.handle(ctx, ev)
		if !a.settle(ctx, key, err) {
			return retryLater
		}
		a.after(func(ctx context.Context) { a.reply(ctx, ev, r.Installation, r.Messages) })
		return acknowledged
	}
	ev, ok := actionEvent(cb)
	if !ok {
		a.settle(ctx, key, nil)
		return acknowledged
	}
	r, err := a.handle(ctx, ev)
	if !a.settle(ctx, key, err) {
		return retryLater
	}
	var rest []bot.Message
	for _, m := range r.Messages {
		if m.Form != nil && cb.TriggerID != "" && opensForm(m, ev.ActionID) {
			// The pressed button opens this form (trigger ids expire in
			// 3 s, so before the ack).
			a.openModal(ctx, ev, r.Installation, cb.TriggerID, m.Form)
			continue
		}
		rest = append(rest, m)
	}
	a.after(func(ctx context.Context) { a.reply(ctx, ev, r.Installation, rest) })
	return acknowledged
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

// handle runs the core on ev. Its replies already say what went wrong in
// plain words; its error is non-nil only for an internal failure (the
// store), which the core logged and after which nothing may be
// acknowledged as handled.
func (a *Adapter) handle(ctx context.Context, ev bot.Event) (bot.Reply, error) {
	return a.cfg.Handler.Respond(ctx, ev)
}

// handleContext bounds the work done before the ack.
func (a *Adapter) handleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), a.handleTimeout())
}

func (a *Adapter) handleTimeout() time.Duration {
	return cmp.Or(a.cfg.HandleTimeout, 2500*time.Millisecond)
}

// after runs work once the request is acknowledged.
func (a *Adapter) after(fn func(ctx context.Context)) {
	a.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		fn(ctx)
	})
}
