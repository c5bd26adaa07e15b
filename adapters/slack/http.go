package slack

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// HTTP transport: a request to /slack/events is verified (Verify), read,
// handed to the mode-neutral handling in dispatch.go and answered.

// Routes registers POST /slack/events, verified with the signing secret.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.Handle("POST /slack/events", Verify(a.cfg.SigningSecret, a.clock.Now, a.log)(http.HandlerFunc(a.serveEvents)))
}

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

// write answers an HTTP request.
func (an answer) write(w http.ResponseWriter) {
	if an.status != http.StatusOK {
		http.Error(w, "try again later", an.status)
		return
	}
	writeResponse(w, an.payload)
}

// serveEventsAPI answers the URL check and handles event callbacks.
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
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	a.onEvent(ctx, outer.TeamID, cb.EventID, cb.EventTime, retry, outer.InnerEvent.Data).write(w)
}

// signedKey is the EventLog key of a signed request that carries no id
// of its own (a slash command, an interaction): its signature, which
// covers its timestamp and body, so a replay inside the signature's
// window is the same key. Verify has checked it is "v0=" and 64 hex
// digits; lower case, so that a replay in capitals is the same key too.
func signedKey(r *http.Request) string {
	return "slack:signed:" + strings.ToLower(strings.TrimPrefix(r.Header.Get(headerSignature), "v0="))
}

// serveCommand handles /smart90: the reply goes back in the response, seen
// only by the person who typed it; a reply that is a form opens as a modal.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, sc slack.SlashCommand) {
	ctx, cancel := a.handleContext(r.Context())
	defer cancel()
	a.onCommand(ctx, signedKey(r), sc).write(w)
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
	a.onInteraction(ctx, signedKey(r), &cb).write(w)
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
