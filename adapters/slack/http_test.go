package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/slack/slacktest"
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
	m := NewMessenger(MessengerConfig{APIURL: f.URL, BotToken: "xoxb-single", Clock: b.Clock})
	// The core sends (and reads profiles) through the same fake Slack as
	// the adapter.
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
	req, err := h.signer().Request(t.Context(), h.srv.URL+"/slack/events", contentType, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
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

	// Monday morning (on Sunday evening it would be Monday's anyway).
	h.Clock.Set(bottest.Day("2026-11-23", "10:00", "Europe/Paris"))
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
	h.slack.Handle("users.info", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("user") == "UGONE" {
			fixture(t, w, "slack_api_users_info_error_user_not_found.json")
			return
		}
		fixture(t, w, "slack_api_users_info_success.json") // Egon, America/Los_Angeles
	})
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

// faultStore is the real store with some of its calls replaced: a non-nil
// …Func runs instead of the store. Tests change the funcs with set while
// requests are served.
type faultStore struct {
	bot.Store
	mu               sync.Mutex
	BeginEventFunc   func(ctx context.Context, key string, now time.Time, hold time.Duration) (bot.EventState, error)
	ReleaseEventFunc func(ctx context.Context, key string) error
	SaveCheckInFunc  func(ctx context.Context, c *bot.CheckIn) error
	// InstallationFunc replaces InstallationByExternalID.
	InstallationFunc func(ctx context.Context, p bot.Platform, id string) (*bot.Installation, error)
}

func (s *faultStore) InstallationByExternalID(ctx context.Context, p bot.Platform, id string) (*bot.Installation, error) {
	s.mu.Lock()
	f := s.InstallationFunc
	s.mu.Unlock()
	if f != nil {
		return f(ctx, p, id)
	}
	return s.Store.InstallationByExternalID(ctx, p, id)
}

func (s *faultStore) set(fn func(s *faultStore)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *faultStore) BeginEvent(ctx context.Context, key string, now time.Time, hold time.Duration) (bot.EventState, error) {
	s.mu.Lock()
	f := s.BeginEventFunc
	s.mu.Unlock()
	if f != nil {
		return f(ctx, key, now, hold)
	}
	return s.Store.BeginEvent(ctx, key, now, hold)
}

func (s *faultStore) ReleaseEvent(ctx context.Context, key string) error {
	s.mu.Lock()
	f := s.ReleaseEventFunc
	s.mu.Unlock()
	if f != nil {
		return f(ctx, key)
	}
	return s.Store.ReleaseEvent(ctx, key)
}

func (s *faultStore) SaveCheckIn(ctx context.Context, c *bot.CheckIn) error {
	s.mu.Lock()
	f := s.SaveCheckInFunc
	s.mu.Unlock()
	if f != nil {
		return f(ctx, c)
	}
	return s.Store.SaveCheckIn(ctx, c)
}

// errDown is what a store that cannot be reached answers.
var errDown = errors.New("database unavailable")

// downDeduper is Redis down: it cannot tell a duplicate.
type downDeduper struct{}

func (downDeduper) Seen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("redis: connection refused")
}

var (
	coachRef = bot.UserRef{ExternalID: "UCOACH", DisplayName: "cora", TimeZone: "UTC"}
	anaRef   = bot.UserRef{ExternalID: "UANA", DisplayName: "ana", TimeZone: "UTC"}
)

// dmEvent is Ana's direct message text as the Events API delivers it.
func dmEvent(eventID, text string) string {
	return `{"type":"event_callback","team_id":"T1","event_id":"` + eventID + `","event":{"type":"message","channel":"D069C7QFK","user":"UANA","text":"` + text + `","ts":"7.` + eventID + `","channel_type":"im"}}`
}

// dm posts Ana's direct message; retry is Slack's retry number (0 for
// the first delivery).
func (h *httpBundle) dm(t *testing.T, eventID, text string, retry int) int {
	t.Helper()
	var headers []string
	if retry > 0 {
		headers = []string{"X-Slack-Retry-Num", strconv.Itoa(retry), "X-Slack-Retry-Reason", "http_error"}
	}
	code, _ := h.post(t, "application/json", dmEvent(eventID, text), headers...)
	return code
}

// checkingIn makes Ana an active client of the coach who has started
// today's check-in in her DM, and returns the engagement.
func (h *httpBundle) checkingIn(t *testing.T) *bot.Engagement {
	t.Helper()
	e := h.Engage(t, coachRef, anaRef)
	// Monday morning: on Sunday evening `checkin` would answer Monday's.
	h.Clock.Set(bottest.Day("2026-11-23", "10:00", "Europe/Paris"))
	if code := h.dm(t, "EvCheckin", "checkin", 0); code != http.StatusOK {
		t.Fatalf("checkin: %d", code)
	}
	return e
}

// checkIn is Ana's check-in of today, empty when none is stored.
func (h *httpBundle) checkIn(t *testing.T, e *bot.Engagement) *bot.CheckIn {
	t.Helper()
	c, err := h.Store.CheckIn(context.Background(), e.ID, bot.DateOf(h.Clock.Now()))
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return &bot.CheckIn{}
	} else if err != nil {
		t.Fatal(err)
	}
	return c
}

// posted is the text of every chat.postMessage since call n.
func (h *httpBundle) posted(n int) []string {
	var out []string
	for _, c := range h.slack.Calls()[n:] {
		if c.Method == "chat.postMessage" {
			out = append(out, c.Form["text"])
		}
	}
	return out
}

// TestEventStoreDown: a DM answer that arrives while the database is down
// is answered 503 (Slack retries), nothing of it is stored and the person
// is told nothing saved it; Slack's retry once the database is back is
// handled and stored exactly once. The same when the event log itself
// cannot be reached; and when Slack's last retry fails too, the person is
// asked to send the message again.
func TestEventStoreDown(t *testing.T) {
	t.Parallel()
	fs := &faultStore{}
	h := setupHTTP(t, func(s bot.Store) bot.Store { fs.Store = s; return fs })
	e := h.checkingIn(t)

	fs.set(func(s *faultStore) {
		s.SaveCheckInFunc = func(context.Context, *bot.CheckIn) error { return errDown }
	})
	n := len(h.slack.Calls())
	if code := h.dm(t, "EvA", "briefed the recruiter", 0); code != http.StatusServiceUnavailable {
		t.Fatalf("answer with the database down: %d, want 503", code)
	}
	if c := h.checkIn(t, e); c.Moved != "" {
		t.Fatalf("stored with the database down: %+v", c)
	}
	if got := h.posted(n); len(got) != 0 {
		t.Errorf("told %q about an answer that was not saved; want nothing until Slack's retry", got)
	}

	fs.set(func(s *faultStore) { s.SaveCheckInFunc = nil })
	n = len(h.slack.Calls())
	if code := h.dm(t, "EvA", "briefed the recruiter", 1); code != http.StatusOK {
		t.Fatalf("Slack's retry after recovery: %d, want 200", code)
	}
	if got := h.posted(n); len(got) != 1 || !strings.Contains(got[0], "2/4") {
		t.Errorf("after the retry: posted %q, want the next question", got)
	}
	for retry := 2; retry <= 3; retry++ {
		if code := h.dm(t, "EvA", "briefed the recruiter", retry); code != http.StatusOK {
			t.Fatalf("retry %d of a stored answer: %d, want 200", retry, code)
		}
	}
	if c := h.checkIn(t, e); c.Moved != "briefed the recruiter" || c.Priority != "" {
		t.Fatalf("after the retries: moved %q, priority %q; want the answer stored once", c.Moved, c.Priority)
	}

	// The event log itself down: 503 before anything is handled.
	fs.set(func(s *faultStore) {
		s.BeginEventFunc = func(context.Context, string, time.Time, time.Duration) (bot.EventState, error) { return 0, errDown }
	})
	if code := h.dm(t, "EvB", "screen five candidates", 0); code != http.StatusServiceUnavailable {
		t.Fatalf("answer with the event log down: %d, want 503", code)
	}
	if c := h.checkIn(t, e); c.Priority != "" {
		t.Fatalf("stored with the event log down: %+v", c)
	}
	fs.set(func(s *faultStore) { s.BeginEventFunc = nil })
	if code := h.dm(t, "EvB", "screen five candidates", 1); code != http.StatusOK {
		t.Fatalf("retry after recovery: %d", code)
	}
	if c := h.checkIn(t, e); c.Priority != "screen five candidates" || c.Stuck != "" {
		t.Fatalf("after the retry: priority %q, stuck %q", c.Priority, c.Stuck)
	}

	// Slack's last retry finds the database still down, the core's write
	// failing, then nothing readable at all: the person is asked to send it
	// again (through the configured token).
	for _, down := range []func(s *faultStore){
		func(s *faultStore) {
			s.SaveCheckInFunc = func(context.Context, *bot.CheckIn) error { return errDown }
		},
		func(s *faultStore) {
			s.BeginEventFunc = func(context.Context, string, time.Time, time.Duration) (bot.EventState, error) { return 0, errDown }
			s.InstallationFunc = func(context.Context, bot.Platform, string) (*bot.Installation, error) { return nil, errDown }
		},
	} {
		fs.set(down)
		n = len(h.slack.Calls())
		if code := h.dm(t, "EvC", "nothing", lastRetry); code != http.StatusServiceUnavailable {
			t.Fatalf("last retry with the database down: %d, want 503", code)
		}
		if got := h.posted(n); len(got) != 1 || !strings.Contains(got[0], "send it again") {
			t.Errorf("after Slack's last retry failed: posted %q, want a request to send it again", got)
		}
		if c := h.checkIn(t, e); c.Stuck != "" {
			t.Errorf("stored with the database down: %+v", c)
		}
	}
}

// TestEventDeliveredThreeTimes: with Redis down, the same DM answer
// delivered three times at once to two replicas, then retried, is stored
// once and fills one question only.
func TestEventDeliveredThreeTimes(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	h.adapter.cfg.Deduper = downDeduper{}
	e := h.checkingIn(t)
	replica, err := New(h.adapter.cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	replica.Routes(mux)
	srv2 := httptest.NewServer(mux)
	t.Cleanup(srv2.Close)

	n := len(h.slack.Calls())
	body := dmEvent("EvDup", "briefed the recruiter")
	codes := make([]int, 3)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			url := []string{h.srv.URL, srv2.URL}[i%2] + "/slack/events"
			codes[i] = h.send(t, url, "application/json", body, "X-Slack-Retry-Num", strconv.Itoa(i))
		})
	}
	wg.Wait()
	h.adapter.Wait()
	replica.Wait()
	ok := 0
	for i, code := range codes {
		switch code {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable: // being handled: Slack retries
		default:
			t.Errorf("delivery %d: %d", i, code)
		}
	}
	if ok == 0 {
		t.Errorf("no delivery acknowledged: %v", codes)
	}
	for retry := 1; retry <= 3; retry++ {
		if code := h.dm(t, "EvDup", "briefed the recruiter", retry); code != http.StatusOK {
			t.Errorf("retry %d: %d, want 200", retry, code)
		}
	}
	if c := h.checkIn(t, e); c.Moved != "briefed the recruiter" || c.Priority != "" || c.Stuck != "" {
		t.Errorf("check-in: moved %q, priority %q, stuck %q; want the answer in one question only", c.Moved, c.Priority, c.Stuck)
	}
	if got := h.posted(n); len(got) != 1 {
		t.Errorf("replies %q, want one (the next question)", got)
	}
}

// send posts a request signed as Slack signs it to url and returns the
// status; it is safe in any goroutine and does not wait for the work
// after the ack.
func (h *httpBundle) send(t *testing.T, url, contentType, body string, headers ...string) int {
	req, err := h.signer().Request(context.Background(), url, contentType, []byte(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// signer signs requests as Slack does, at the test clock's time.
func (h *httpBundle) signer() slacktest.Signer {
	return slacktest.Signer{Secret: testSecret, Now: h.Clock.Now}
}

// TestSignedReplay: a signed slash command or modal submission replayed
// inside the signature's window (even with its signature in capitals)
// gets an empty 200 and changes nothing; a new request is handled.
func TestSignedReplay(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	e := h.Engage(t, coachRef, anaRef)
	ctx := context.Background()

	form := url.Values{"team_id": {"T1"}, "user_id": {"UCOACH"}, "user_name": {"cora"}, "command": {"/smart90"},
		"text": {"session <@UANA|ana>"}, "channel_id": {"DCOACH"}, "trigger_id": {"trig-session"}}.Encode()
	code, body := h.post(t, "application/x-www-form-urlencoded", form)
	if code != http.StatusOK || !strings.Contains(body, "Logged a session") {
		t.Fatalf("session: %d %s", code, body)
	}
	ts := strconv.FormatInt(h.Clock.Now().Unix(), 10)
	upper := "v0=" + strings.ToUpper(strings.TrimPrefix(slacktest.Sign(testSecret, ts, []byte(form)), "v0="))
	for i, headers := range [][]string{nil, nil, {"X-Slack-Signature", upper}} {
		if code, body := h.post(t, "application/x-www-form-urlencoded", form, headers...); code != http.StatusOK || body != "" {
			t.Errorf("replay %d: %d %q, want an empty 200", i+1, code, body)
		}
	}
	if s, err := h.Store.Sessions(ctx, e.ID); err != nil || len(s) != 1 {
		t.Errorf("sessions after three replays: %d (%v), want 1", len(s), err)
	}

	// The rocks form submitted, then replayed twice: one rock.
	opened := h.Click(t, anaRef, bot.ActionRockAdd, "")
	if len(opened) == 0 || opened[0].Form == nil || opened[0].Form.FormID != bot.FormRockAdd {
		t.Fatalf("Add a rock: %+v", opened)
	}
	state := map[string]any{"values": map[string]any{
		"title":     map[string]any{"title": map[string]any{"type": "plain_text_input", "value": "Hire a CTO"}},
		"done_when": map[string]any{"done_when": map[string]any{"type": "plain_text_input", "value": "offer signed"}},
	}}
	submit := map[string]any{"type": "view_submission", "user": map[string]any{"id": "UANA", "name": "ana", "team_id": "T1"}, "team": map[string]any{"id": "T1"},
		"view": map[string]any{"callback_id": bot.FormRockAdd, "private_metadata": opened[0].Form.Value, "state": state}}
	for i := range 3 {
		if code, body := h.interaction(t, submit); code != http.StatusOK || body != "" {
			t.Errorf("submission %d: %d %q", i+1, code, body)
		}
	}
	if rocks, err := h.Store.Rocks(ctx, e.ID); err != nil || len(rocks) != 1 {
		t.Errorf("rocks after a submission replayed twice: %d (%v), want 1", len(rocks), err)
	}

	// A new command (another trigger) is not a replay.
	if code, body := h.command(t, "UCOACH", "help"); code != http.StatusOK || body == "" {
		t.Errorf("a new command: %d %q", code, body)
	}
}
