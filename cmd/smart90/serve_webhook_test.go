package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/smart90/smart90/adapters/slack/slacktest"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/sqlite"
)

// TestServeWebhook runs `smart90 serve` as a Slack app with
// SMART90_WEBHOOK_ALLOW_PRIVATE=true: a coach adds a webhook by slash
// command, invites a client who accepts, the client makes a check-in by
// the form, and serve's own webhook loop delivers one checkin.completed,
// signed with the secret the coach was shown, to a receiver on loopback,
// once. What the client typed arrives as typed.
func TestServeWebhook(t *testing.T) {
	t.Parallel()
	type received struct {
		header http.Header
		body   []byte
	}
	var (
		mu  sync.Mutex
		got []received
	)
	arrived := make(chan struct{}, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Clone(), body})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		arrived <- struct{}{}
	}))
	defer hook.Close()

	api := slacktest.Start(t, slacktest.Options{
		DM: func(user string) string { return "D" + strings.TrimPrefix(user, "U") },
		User: func(id string) (slacktest.User, bool) {
			return slacktest.User{ID: id, Name: "x", TZ: "UTC", DisplayName: strings.ToLower(strings.TrimPrefix(id, "U"))}, true
		},
	})
	const secret = "test-signing-secret"
	path := filepath.Join(t.TempDir(), "hook.db")
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api.URL,
		"SMART90_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "SMART90_WEBHOOK_ALLOW_PRIVATE": "true"}
	addr, stop, done := startServe(t, env, t.Output(), "-log-level", "warn", "-sqlite", path)
	events := "http://" + addr + "/slack/events"
	signer := slacktest.Signer{Secret: secret}

	send := func(req *http.Request, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", req.URL, resp.StatusCode, b)
		}
		return string(b)
	}
	command := func(user, text string) string {
		t.Helper()
		form := url.Values{"team_id": {"T1"}, "user_id": {user}, "user_name": {strings.ToLower(user)}, "command": {"/smart90"},
			"text": {text}, "channel_id": {"D" + strings.TrimPrefix(user, "U")}, "trigger_id": {"trig-" + text}}
		return send(signer.Command(t.Context(), events, form))
	}
	valueOf := func(what, actionID, blocks string) string {
		t.Helper()
		m := regexp.MustCompile(`"action_id":"` + regexp.QuoteMeta(actionID) + `".*?"value":"([^"]+)"`).FindStringSubmatch(blocks)
		if m == nil {
			t.Fatalf("%s: no %s button in %s", what, actionID, blocks)
		}
		return m[1]
	}

	// The coach invites (which makes them a coach), then adds a webhook
	// for check-ins and is shown its secret once.
	command("UCORA", "invite <@UANA|ana>")
	added := command("UCORA", "webhook add "+hook.URL+"/in?token=s3cret checkin.completed")
	whsec := regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`).FindString(added)
	if whsec == "" {
		t.Fatalf("webhook add: no secret in %s", added)
	}
	// The client accepts the invitation by its button.
	posts := api.Posts("DANA")
	if len(posts) == 0 {
		t.Fatal("no invitation reached Ana")
	}
	accept := valueOf("invitation", bot.ActionAccept, posts[len(posts)-1].Blocks)
	send(signer.Interaction(t.Context(), events, map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T1"}, "user": map[string]string{"id": "UANA", "name": "ana"},
		"channel": map[string]string{"id": "DANA"}, "trigger_id": "trig-accept", "action_ts": "1.1",
		"actions": []map[string]string{{"type": "button", "block_id": "b1", "action_id": bot.ActionAccept, "value": accept, "action_ts": "1.1"}},
	}))
	// Every day is a workday, so that today has a check-in whatever the day.
	if out := command("UANA", "settings days mon-sun"); !strings.Contains(out, "Saved") {
		t.Fatalf("settings: %s", out)
	}
	target := valueOf("checkin", bot.ActionAnswerCheckin, command("UANA", "checkin"))
	typed := `<b>shipped</b> *it* <@UCORA> & "more"`
	input := func(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }
	choice := func(v string) map[string]any {
		return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}
	}
	send(signer.Interaction(t.Context(), events, map[string]any{
		"type": "view_submission", "team": map[string]string{"id": "T1"}, "user": map[string]string{"id": "UANA", "name": "ana"},
		"trigger_id": "trig-submit",
		"view": map[string]any{"id": "V1", "callback_id": bot.FormCheckin, "private_metadata": target, "state": map[string]any{"values": map[string]any{
			"b1": map[string]any{"moved": input(typed)}, "b2": map[string]any{"priority": input("call Acme")},
			"b3": map[string]any{"rock": choice("0")}, "b4": map[string]any{"stuck": input("")}, "b5": map[string]any{"energy": choice("4")},
		}}},
	}))

	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("no webhook request within 20 s")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("the receiver got %d requests, want 1", len(got))
	}
	wh, err := standardwebhooks.NewWebhook(whsec)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(got[0].body, got[0].header); err != nil {
		t.Errorf("the signature does not verify with the secret shown: %v", err)
	}
	var payload struct {
		Type string
		Data struct {
			Moved    string
			Priority string
			Energy   int
			Client   struct{ Name string }
		}
	}
	if err := json.Unmarshal(got[0].body, &payload); err != nil {
		t.Fatalf("payload %s: %v", got[0].body, err)
	}
	if payload.Type != bot.WebhookCheckInCompleted || payload.Data.Moved != typed || payload.Data.Priority != "call Acme" ||
		payload.Data.Energy != 4 || payload.Data.Client.Name != "ana" {
		t.Errorf("payload %s", got[0].body)
	}

	// Delivered, on the first try: the outbox says so.
	db, err := sqlite.Open(t.Context(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	inst, err := db.InstallationByExternalID(t.Context(), bot.PlatformSlack, "T1")
	if err != nil {
		t.Fatal(err)
	}
	cora, err := db.PersonByExternalID(t.Context(), inst.ID, "UCORA")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := db.Webhooks(t.Context(), cora.ID)
	if err != nil || len(ws) != 1 || ws[0].Last == nil {
		t.Fatalf("webhooks: %v %v", ws, err)
	}
	if d := ws[0].Last; d.State != bot.WebhookDelivered || d.Attempts != 1 {
		t.Errorf("the delivery: %s after %d attempts, want delivered after 1", d.State, d.Attempts)
	}
}
