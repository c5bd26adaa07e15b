package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/inproc"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

type httpBundle struct {
	*bottest.Bundle
	slack   *fakeSlack
	adapter *Adapter
	srv     *httptest.Server
}

// setupHTTP wires the adapter to the real core over a fake Slack; wrap,
// when given, stands between both and the store (to count its reads).
func setupHTTP(t *testing.T, wrap ...func(bot.Store) bot.Store) *httpBundle {
	t.Helper()
	b := bottest.Setup(t)
	var store bot.Store = b.Store
	for _, w := range wrap {
		store = w(store)
	}
	f := newFakeSlack(t)
	f.Reply["views.open"] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"view":{"id":"V1"}}`)
	}
	m := NewMessenger(MessengerConfig{APIURL: f.URL, BotToken: "xoxb-single"})
	// The core sends through the same fake Slack as the adapter.
	core, err := bot.New(bot.Config{Store: store, Messenger: m, State: b.State, Clock: b.Clock})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Handler: core, Store: store, Messenger: m, Deduper: inproc.NewDeduper(b.Clock),
		SigningSecret: testSecret, Clock: b.Clock, HandleTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &httpBundle{Bundle: b, slack: f, adapter: a, srv: srv}
}

// post sends a request signed as Slack signs it, waits for the work after
// the ack, and returns the status and body.
func (h *httpBundle) post(t *testing.T, contentType, body string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/slack/events", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(h.Clock.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(testSecret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	h.adapter.Wait()
	return resp.StatusCode, string(b)
}

func (h *httpBundle) command(t *testing.T, user, text string) (int, string) {
	t.Helper()
	form := url.Values{"team_id": {"T1"}, "user_id": {user}, "user_name": {strings.ToLower(user)}, "command": {"/smart90"},
		"text": {text}, "channel_id": {"D" + user}, "trigger_id": {"trig-" + user}, "response_url": {"https://hooks.example/x"}}
	return h.post(t, "application/x-www-form-urlencoded", form.Encode())
}

func (h *httpBundle) interaction(t *testing.T, payload any) (int, string) {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return h.post(t, "application/x-www-form-urlencoded", url.Values{"payload": {string(b)}}.Encode())
}

func TestHTTPURLVerification(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	code, body := h.post(t, "application/json", string(readFixture(t, "slack_url_verification.json")))
	var c struct{ Challenge string }
	json.Unmarshal(readFixture(t, "slack_url_verification.json"), &c)
	if code != 200 || body != c.Challenge || c.Challenge == "" {
		t.Errorf("url_verification = %d %q, want the challenge %q", code, body, c.Challenge)
	}
}

func TestHTTPRejectsForgeryAndTouchesNothing(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	form := url.Values{"team_id": {"T1"}, "user_id": {"UCOACH"}, "command": {"/smart90"}, "text": {"invite <@UANA|ana>"}}
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/slack/events", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(h.Clock.Now().Unix(), 10))
	req.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged request: %d, want 401", resp.StatusCode)
	}
	if _, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformSlack, "T1"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("a forged request stored something: %v", err)
	}
	if calls := h.slack.Methods(); len(calls) != 0 {
		t.Errorf("a forged request made Web API calls: %v", calls)
	}
}

// TestHTTPLoop: invite by slash command, accept by button, the check-in
// opened as a modal and submitted, a plain DM answered, Slack's retry of
// that DM dropped, and uninstalling stops the workspace.
func TestHTTPLoop(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	ctx := context.Background()

	code, body := h.command(t, "UCOACH", "invite <@UANA|ana>")
	if code != 200 || !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "ana") {
		t.Fatalf("invite: %d %s", code, body)
	}
	// The invitation went to Ana's DM, with the Accept button.
	calls := h.slack.Calls()
	last := calls[len(calls)-1]
	if last.Method != "chat.postMessage" || !strings.Contains(last.Form["blocks"], `"action_id":"invite.accept"`) {
		t.Fatalf("invitation: %v / %+v", h.slack.Methods(), last.Form)
	}
	ana, err := h.Store.PersonByExternalID(ctx, h.person(t, "UCOACH").InstallationID, "UANA")
	if err != nil {
		t.Fatal(err)
	}
	e, err := h.Store.LiveEngagementForClient(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}

	user := map[string]any{"id": "UANA", "name": "ana", "team_id": "T1"}
	h.interaction(t, map[string]any{"type": "block_actions", "user": user, "team": map[string]any{"id": "T1"}, "trigger_id": "trig-1",
		"actions": []map[string]any{{"block_id": "b1", "action_id": "invite.accept", "value": strconv.FormatInt(e.ID, 10), "type": "button"}}})
	if e, _ = h.Store.Engagement(ctx, e.ID); e.Status != bot.EngagementActive {
		t.Fatalf("after Accept: engagement is %s", e.Status)
	}

	// Answer: the check-in opens as a modal (views.open with the trigger).
	before := len(h.slack.Calls())
	h.interaction(t, map[string]any{"type": "block_actions", "user": user, "team": map[string]any{"id": "T1"}, "trigger_id": "trig-2",
		"actions": []map[string]any{{"block_id": "b2", "action_id": "checkin.answer", "value": "", "type": "button"}}})
	var opened *call
	for _, c := range h.slack.Calls()[before:] {
		if c.Method == "views.open" {
			opened = &c
		}
	}
	if opened == nil || opened.Form["trigger_id"] != "trig-2" || !strings.Contains(opened.Form["view"], `"callback_id":"checkin.submit"`) {
		t.Fatalf("Answer did not open the check-in modal: %v", h.slack.Methods()[before:])
	}
	var view struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	json.Unmarshal([]byte(opened.Form["view"]), &view)

	state := map[string]any{"values": map[string]any{
		"moved":    map[string]any{"moved": map[string]any{"type": "plain_text_input", "value": "briefed the recruiter"}},
		"priority": map[string]any{"priority": map[string]any{"type": "plain_text_input", "value": "screen five candidates"}},
		"stuck":    map[string]any{"stuck": map[string]any{"type": "plain_text_input", "value": ""}},
		"energy":   map[string]any{"energy": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "4"}}},
	}}
	h.interaction(t, map[string]any{"type": "view_submission", "user": user, "team": map[string]any{"id": "T1"},
		"view": map[string]any{"callback_id": "checkin.submit", "private_metadata": view.PrivateMetadata, "state": state}})
	c, err := h.Store.CheckIn(ctx, e.ID, bot.DateOf(h.Clock.Now().In(bot.Zone(ana.TimeZone))))
	if err != nil || c.Moved != "briefed the recruiter" || c.Energy != 4 || c.Status != bot.AnswerComplete {
		t.Fatalf("check-in after the modal: %+v, %v", c, err)
	}

	// A plain DM is answered in the DM; Slack's retry of it is dropped.
	dm := func() string {
		return `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"message","channel":"DANA","user":"UANA","text":"help","ts":"1.1","channel_type":"im"}}`
	}
	before = len(h.slack.Calls())
	h.post(t, "application/json", dm())
	answered := len(h.slack.Calls()) - before
	if answered == 0 {
		t.Fatal("the DM was not answered")
	}
	h.post(t, "application/json", dm(), "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	if got := len(h.slack.Calls()) - before; got != answered {
		t.Errorf("the retry was handled again: %d calls, want %d", got, answered)
	}

	// Uninstalled: the workspace is marked at once.
	h.post(t, "application/json", `{"type":"event_callback","team_id":"T1","event_id":"Ev2","event":{"type":"app_uninstalled"}}`)
	inst, err := h.Store.InstallationByExternalID(ctx, bot.PlatformSlack, "T1")
	if err != nil || inst.Status != bot.InstallationUninstalled {
		t.Errorf("after app_uninstalled: %+v, %v", inst, err)
	}
}

func (h *httpBundle) person(t *testing.T, id string) *bot.Person {
	t.Helper()
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformSlack, "T1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.Store.PersonByExternalID(context.Background(), inst.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProfilesFromUsersInfo: a new person's name and time zone come from
// their Slack profile; a profile that cannot be read does not lose the
// command.
func TestProfilesFromUsersInfo(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	h.slack.Reply["users.info"] = func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("user") == "UGONE" {
			fixture(t, w, "slack_api_users_info_error_user_not_found.json")
			return
		}
		fixture(t, w, "slack_api_users_info_success.json") // Egon, America/Los_Angeles
	}
	if code, body := h.command(t, "UCOACH", "invite <@W012A3CDE>"); code != 200 || !strings.Contains(body, "spengler") {
		t.Fatalf("invite: %d %s", code, body)
	}
	egon := h.person(t, "W012A3CDE")
	if egon.TimeZone != "America/Los_Angeles" || egon.DisplayName != "spengler" {
		t.Errorf("invitee from users.info: %q in %q", egon.DisplayName, egon.TimeZone)
	}
	if code, body := h.command(t, "UGONE", "help"); code != 200 || !strings.Contains(body, "invite") {
		t.Errorf("help from a user whose profile cannot be read: %d %s", code, body)
	}
	// Profiles are remembered: one users.info per person.
	h.command(t, "UCOACH", "help")
	n := 0
	for _, c := range h.slack.Calls() {
		if c.Method == "users.info" && c.Form["user"] == "UCOACH" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("users.info for the coach %d times, want 1", n)
	}
}

func TestHomeTab(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	h.command(t, "UCOACH", "invite <@UANA|ana>")
	h.post(t, "application/json", `{"type":"event_callback","team_id":"T1","event_id":"EvH","event":{"type":"app_home_opened","user":"UCOACH","channel":"DCOACH","tab":"home","event_ts":"1.1"}}`)
	var pub *call
	for _, c := range h.slack.Calls() {
		if c.Method == "views.publish" {
			pub = &c
		}
	}
	if pub == nil || pub.Form["user_id"] != "UCOACH" || !strings.Contains(pub.Form["view"], `"type":"home"`) ||
		!strings.Contains(pub.Form["view"], "Your clients") || !strings.Contains(pub.Form["view"], "uana") {
		t.Fatalf("views.publish = %+v (calls %v)", pub, h.slack.Methods())
	}
	// The Messages tab opening publishes nothing.
	n := len(h.slack.Calls())
	h.post(t, "application/json", `{"type":"event_callback","team_id":"T1","event_id":"EvM","event":{"type":"app_home_opened","user":"UCOACH","channel":"DCOACH","tab":"messages","event_ts":"1.2"}}`)
	if got := h.slack.Methods()[n:]; len(got) != 0 {
		t.Errorf("the messages tab made calls: %v", got)
	}
}

// TestExportFiles: `export` answers privately and uploads the files to the
// person's DM (files.getUploadURLExternal, the upload, completeUpload).
func TestExportFiles(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	h.command(t, "UCOACH", "invite <@UANA|ana>")
	before := len(h.slack.Calls())
	code, _ := h.command(t, "UANA", "export")
	if code != 200 {
		t.Fatalf("export: %d", code)
	}
	var uploads []string
	var completed int
	for _, c := range h.slack.Calls()[before:] {
		switch c.Method {
		case "upload":
			uploads = append(uploads, c.Form["filename"])
			if c.Form["content"] == "" {
				t.Errorf("uploaded %s empty", c.Form["filename"])
			}
		case "files.completeUploadExternal":
			completed++
			if c.Form["channel_id"] != "D069C7QFK" && c.Form["channel"] != "D069C7QFK" {
				t.Errorf("completeUploadExternal = %v, want the DM", c.Form)
			}
		}
	}
	if len(uploads) == 0 || completed != len(uploads) {
		t.Fatalf("uploads %v, completed %d (calls %v)", uploads, completed, h.slack.Methods()[before:])
	}
}

// TestUninstallEdges: a late uninstall event does not undo a newer
// install; an uninstalled workspace gets nothing, not even through the
// configured token; events without an id are not taken for duplicates.
func TestUninstallEdges(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	ctx := context.Background()
	h.command(t, "UCOACH", "help") // the workspace exists now
	inst, err := h.Store.InstallationByExternalID(ctx, bot.PlatformSlack, "T1")
	if err != nil {
		t.Fatal(err)
	}
	late := h.Clock.Now().Add(-time.Hour).Unix()
	h.post(t, "application/json", fmt.Sprintf(`{"type":"event_callback","team_id":"T1","event_id":"EvOld","event_time":%d,"event":{"type":"app_uninstalled"}}`, late))
	if got, _ := h.Store.InstallationByExternalID(ctx, bot.PlatformSlack, "T1"); got.Status != bot.InstallationActive {
		t.Fatalf("a stale uninstall removed the workspace: %+v", got)
	}
	h.post(t, "application/json", fmt.Sprintf(`{"type":"event_callback","team_id":"T1","event_id":"EvNew","event_time":%d,"event":{"type":"tokens_revoked","tokens":{"bot":["UBOT"]}}}`, h.Clock.Now().Unix()))
	inst, _ = h.Store.InstallationByExternalID(ctx, bot.PlatformSlack, "T1")
	if inst.Status != bot.InstallationUninstalled {
		t.Fatalf("tokens_revoked: %+v", inst)
	}
	n := len(h.slack.Calls())
	if _, err := h.adapter.cfg.Messenger.Send(ctx, bot.Destination{Installation: inst, UserID: "UANA"}, bot.Message{Text: "hi"}); bot.ErrorCode(err) != bot.EFORBIDDEN {
		t.Errorf("send to an uninstalled workspace: %v, want EFORBIDDEN", err)
	}
	if got := h.slack.Methods()[n:]; len(got) != 0 {
		t.Errorf("an uninstalled workspace was called: %v", got)
	}

	// Two different DMs without event ids are both handled.
	h2 := setupHTTP(t)
	for _, ts := range []string{"1.1", "2.2"} {
		h2.post(t, "application/json", `{"type":"event_callback","team_id":"T1","event":{"type":"message","channel":"DANA","user":"UANA","text":"help","ts":"`+ts+`","channel_type":"im"}}`)
	}
	posts := 0
	for _, c := range h2.slack.Calls() {
		if c.Method == "chat.postMessage" {
			posts++
		}
	}
	if posts < 2 {
		t.Errorf("events without an id: %d replies, want both answered", posts)
	}
}
