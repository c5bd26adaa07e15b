package slack

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// socketWorkers bounds the Socket Mode requests handled at once.
const socketWorkers = 32

// SocketModeConfig configures RunSocketMode.
type SocketModeConfig struct {
	AppToken string // SLACK_APP_TOKEN (xapp-…): opens the connection
	BotToken string // the workspace's bot token (the connection is per app)
	APIURL   string // SLACK_API_URL
}

// RunSocketMode receives Slack's events, interactions and slash commands
// over a Socket Mode WebSocket — no public URL needed, the default for a
// self-hosted coach — until ctx is done. Requests are the same as over
// HTTP and are handled the same way; each is acknowledged with its
// response once what must not be lost is stored. slack-go reconnects when
// Slack asks it to.
func (a *Adapter) RunSocketMode(ctx context.Context, cfg SocketModeConfig) error {
	if !strings.HasPrefix(cfg.AppToken, "xapp-") {
		return fmt.Errorf("slack: SLACK_APP_TOKEN must be an app-level token (xapp-…) with connections:write")
	}
	opts := append(MessengerConfig{APIURL: cfg.APIURL}.options(), slack.OptionAppLevelToken(cfg.AppToken))
	client := socketmode.New(slack.New(cfg.BotToken, opts...))
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	sem := make(chan struct{}, socketWorkers)
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-client.Events:
			// Each request is handled and acknowledged on its own, so a
			// slow one does not hold up the others' 3-second acks; at
			// most socketWorkers at once.
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				continue
			}
			a.wg.Go(func() {
				defer func() { <-sem }()
				a.onSocketEvent(ctx, client, evt)
			})
		}
	}
}

// onSocketEvent handles one Socket Mode event and acknowledges it once
// what must not be lost is stored. A request is not acknowledged when it
// could not be handled (the store failed) or is being handled by another
// delivery: Slack then delivers an event again (with retry_attempt) and
// shows the person an error for a command or an interaction.
func (a *Adapter) onSocketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting, socketmode.EventTypeHello, socketmode.EventTypeConnected:
		a.log.DebugContext(ctx, "slack socket mode", "state", evt.Type)
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		a.log.WarnContext(ctx, "slack socket mode", "state", evt.Type)
		return
	}
	if evt.Request == nil {
		return
	}
	hctx, cancel := a.handleContext(ctx)
	defer cancel()
	// Commands and interactions carry no id of their own: the envelope's
	// is unique per request.
	key := "slack:envelope:" + evt.Request.EnvelopeID
	if evt.Request.EnvelopeID == "" {
		key = ""
	}
	an := acknowledged
	switch data := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		if data.Type == slackevents.CallbackEvent {
			eventID, eventTime := "", 0
			if cb, ok := data.Data.(*slackevents.EventsAPICallbackEvent); ok {
				eventID, eventTime = cb.EventID, cb.EventTime
			}
			// Keyed on the event id, as over HTTP.
			an = a.onEvent(hctx, data.TeamID, eventID, eventTime, evt.Request.RetryAttempt, data.InnerEvent.Data)
		}
	case slack.SlashCommand:
		an = a.onCommand(hctx, key, data)
	case slack.InteractionCallback:
		an = a.onInteraction(hctx, key, &data)
	}
	if an.status != http.StatusOK {
		a.log.InfoContext(ctx, "slack socket mode request not acknowledged; Slack delivers it again", "type", evt.Type, "envelope", evt.Request.EnvelopeID)
		return
	}
	var err error
	if an.payload == nil {
		err = client.Ack(*evt.Request)
	} else {
		err = client.Ack(*evt.Request, an.payload)
	}
	if err != nil {
		a.log.WarnContext(ctx, "slack socket mode ack", "type", evt.Type, "err", err)
	}
}
