package teams

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// TestActivityAuth: only an activity with a valid Bot Framework token is
// processed; anything else gets 401 and stores nothing.
func TestActivityAuth(t *testing.T) {
	t.Parallel()
	h := setup(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": h.idp.Issuer, "aud": testAppID, "serviceurl": h.conn.URL,
			"exp": time.Now().Add(time.Hour).Unix(), "nbf": time.Now().Add(-time.Minute).Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	bearer := func(tok string) string { return "Bearer " + tok }
	for _, tt := range []struct {
		name string
		auth string
	}{
		{"no header", ""},
		{"not bearer", "Basic " + h.idp.Token(t, testAppID, h.conn.URL)},
		{"garbage", "Bearer not.a.jwt"},
		{"wrong audience", bearer(h.idp.Token(t, "another-app", h.conn.URL))},
		{"expired", bearer(h.idp.Sign(t, claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() })))},
		{"wrong issuer", bearer(h.idp.Sign(t, claims(func(c jwt.MapClaims) { c["iss"] = "https://sts.example.com/" })))},
		{"unknown key", bearer(h.idp.SignWith(t, other, "never-published", claims(nil)))},
		{"bad signature", bearer(h.idp.SignWith(t, other, "key-1", claims(nil)))},
		{"serviceUrl mismatch", bearer(h.idp.Token(t, testAppID, "https://smba.trafficmanager.net/emea/"))},
	} {
		a := h.personal(anaID, "Ana", "message")
		a["text"] = "help"
		code, _ := h.postAs(t, a, tt.auth)
		if code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", tt.name, code)
		}
	}
	if _, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, testTenant); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("a refused activity stored the tenant: %v", err)
	}
	if n := len(h.conn.Calls()); n != 0 {
		t.Fatalf("a refused activity was answered: %d connector calls", n)
	}
	if strings.Contains(h.logs.String(), testPassword) {
		t.Fatal("the app password is in the logs")
	}

	// The valid one is processed: the tenant and Ana's chat are stored and
	// she gets the help text.
	h.say(t, anaID, "Ana", "help")
	if got := h.ops(0); !slices.Equal(got, []string{"SendToConversation a:chat-" + anaID}) {
		t.Fatalf("help: calls %q", got)
	}
	if !strings.Contains(h.conn.Calls()[0].Text(), "invite") {
		t.Errorf("help text: %q", h.conn.Calls()[0].Text())
	}
}

// TestBadActivities: malformed bodies get 400, a redelivered activity is
// handled once, and a service URL outside the allowlist is refused even
// with a valid token, so the bot's token is never sent there.
func TestBadActivities(t *testing.T) {
	t.Parallel()
	h := setup(t)
	for _, body := range []map[string]any{
		{"type": "message"}, // no serviceUrl
		{"serviceUrl": h.conn.URL, "channelId": "msteams", "type": "message", "from": map[string]any{"id": anaID}}, // no tenant, conversation
	} {
		if code, _ := h.post(t, body); code != http.StatusBadRequest {
			t.Errorf("%v: status %d, want 400", body, code)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/api/messages", strings.NewReader("{not json"))
	req.Header.Set("Authorization", "Bearer "+h.idp.Token(t, testAppID, h.conn.URL))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed JSON: %v %v", resp.StatusCode, err)
	}

	a := h.personal(anaID, "Ana", "message")
	a["text"] = "help"
	h.post(t, a)
	h.post(t, a) // the Bot Framework's redelivery
	if n := len(h.conn.Calls()); n != 1 {
		t.Errorf("a redelivered activity was answered %d times", n)
	}

	evil := h.personal(anaID, "Ana", "message")
	evil["serviceUrl"] = "https://evil.example.com/"
	evil["text"] = "help"
	if code, _ := h.postAs(t, evil, "Bearer "+h.idp.Token(t, testAppID, "https://evil.example.com/")); code != http.StatusUnauthorized {
		t.Errorf("a service URL outside the allowlist: status %d, want 401", code)
	}
	ref, ok, err := h.adapter.refs.get(context.Background(), 1, keyService)
	if err != nil || !ok || ref.ServiceURL != h.conn.URL {
		t.Errorf("stored service reference %+v %v %v", ref, ok, err)
	}
}

// TestCommandText: the bot's mention is removed, other mentions become
// the core's <@ID>, on the published channel message too (whose entity
// text differs from the message's).
func TestCommandText(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../testdata/fixtures/teams_message_channel_with_mention.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	text, m := commandText(in)
	if text != "Hey <@29:08q2j2o3jc09au90eucae> check out this message" || m["29:08q2j2o3jc09au90eucae"].DisplayName != "Pranav Smith" {
		t.Errorf("published mention: %q %v", text, m)
	}
	for _, tt := range []struct{ text, want string }{
		{"<at>smart90</at> invite <at>Ana</at>", "invite <@29:ana>"},
		{"<at>smart90</at>&nbsp;rocks", "rocks"},
		{"/smart90 rocks <at>Ana</at>", "rocks <@29:ana>"},
		{"<at>Someone else</at> hi", "Someone else hi"}, // no entity: just text
		{"tom &amp; jerry", "tom & jerry"},
		// Typed, not mentioned: no entity, so no mention or channel.
		{"brief &lt;@29:x&gt;", "brief @29:x>"},
		{"digest &lt;#19:secret@thread.tacv2&gt;", "digest #19:secret@thread.tacv2>"},
		{"rocks \x000\x00 \x009\x00", "rocks 0 9"},
		// The attack of issue 9: a doubled "<" used to leave a mention.
		{"stuck &lt;&lt;@29:victim&gt; &lt;&lt;&lt;#19:c&gt;", "stuck @29:victim> #19:c>"},
		{"invite <at>Ana</at> \x000\x00", "invite <@29:ana> 0"},
	} {
		in := &inbound{mentions: []schema.Mention{mentionOf(testBot, "smart90"), mentionOf("29:ana", "Ana")}}
		in.Text, in.Recipient.ID = tt.text, testBot
		if got, _ := commandText(in); got != tt.want {
			t.Errorf("commandText(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestRemovedStopsSending: after the app is removed from Ana's chat
// (installationUpdate remove) her prompt is not sent: the delivery fails
// permanently, her schedule is put on hold and the coach is told, once.
func TestRemovedStopsSending(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	h.post(t, withMention(h.personal(coachID, "Coach", "message"), "invite <at>Ana</at>", anaID, "Ana"))
	ana := h.person(t, anaID)
	e, err := h.Store.LiveEngagementForClient(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.press(t, anaID, "Ana", map[string]any{"smart90": "action", "action": bot.ActionAccept, "value": strconv.FormatInt(e.ID, 10)})
	remove := h.personal(anaID, "Ana", "installationUpdate")
	remove["action"] = "remove"
	if code, _ := h.post(t, remove); code != http.StatusOK {
		t.Fatalf("installationUpdate: %d", code)
	}
	h.conn.Reset()
	sched, err := scheduler.New(scheduler.Config{Store: h.Store, Deliverer: h.adapter.cfg.Handler.(scheduler.Deliverer), Clock: h.Clock, Logger: h.log})
	if err != nil {
		t.Fatal(err)
	}
	for range 48 {
		h.Clock.Advance(time.Hour)
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range h.conn.Calls() {
		if c.Conversation == "a:chat-"+anaID {
			t.Fatalf("sent to Ana's chat after the app was removed: %q", c.Text())
		}
	}
	if got := h.ops(0); !slices.Equal(got, []string{"SendToConversation a:chat-" + coachID}) {
		t.Fatalf("calls after removal %q: want one note to the coach", got)
	}
	if !strings.Contains(h.conn.Calls()[0].Text(), "Ana") {
		t.Errorf("note to the coach: %q", h.conn.Calls()[0].Text())
	}
	s, err := h.Store.Schedules(ctx, ana.ID)
	if err != nil || len(s) == 0 || s[0].Suspended == "" {
		t.Errorf("Ana's schedules: %+v %v; want suspended", s, err)
	}

	// She adds the app again and writes: her chat works again.
	h.say(t, anaID, "Ana", "resume")
	if got := h.ops(1); len(got) == 0 || got[0] != "SendToConversation a:chat-"+anaID {
		t.Errorf("after re-adding: %q", got)
	}
	if s, err := h.Store.Schedules(ctx, ana.ID); err != nil || len(s) == 0 || s[0].Suspended != "" {
		t.Errorf("Ana's schedules after resume: %+v %v; want them running again", s, err)
	}
}

// TestConcurrentSends: many sends at once share one token (one request to
// the token endpoint) and do not race (run with -race).
func TestConcurrentSends(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.say(t, anaID, "Ana", "help")
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, testTenant)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := h.messenger.Send(context.Background(), bot.Destination{Installation: inst, UserID: anaID}, bot.Message{Text: "hi"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := h.tokens.Requests(); n != 1 {
		t.Errorf("%d token requests for 21 sends, want 1", n)
	}
	if n := len(h.conn.Calls()); n != 21 {
		t.Errorf("%d sends, want 21", n)
	}
}

func withMention(a map[string]any, text, id, name string) map[string]any {
	a["text"] = text
	a["entities"] = []any{mention(id, name)}
	return a
}

func mentionOf(id, name string) schema.Mention {
	return schema.Mention{Type: "mention", Text: "<at>" + name + "</at>", Mentioned: schema.ChannelAccount{ID: id, Name: name}}
}

// flakyStore fails PutAddress while fail is positive.
type flakyStore struct {
	bot.Store
	fail atomic.Int32
}

func (s *flakyStore) PutAddress(ctx context.Context, a *bot.Address) error {
	if s.fail.Add(-1) >= 0 {
		return errors.New("database unavailable")
	}
	return s.Store.PutAddress(ctx, a)
}

// TestRedeliveryAfterFailure: an activity answered 503 is handled when
// the Bot Framework delivers it again; it is not taken for a duplicate.
func TestRedeliveryAfterFailure(t *testing.T) {
	t.Parallel()
	h := setup(t)
	flaky := &flakyStore{Store: h.Store}
	h.adapter.cfg.Store, h.adapter.refs.store = flaky, flaky
	flaky.fail.Store(1)
	a := h.personal(anaID, "Ana", "message")
	a["text"] = "help"
	if code, _ := h.post(t, a); code != http.StatusServiceUnavailable {
		t.Fatalf("with the database down: %d, want 503", code)
	}
	if code, _ := h.post(t, a); code != http.StatusOK {
		t.Fatalf("redelivered: %d", code)
	}
	if got := h.ops(0); !slices.Equal(got, []string{"SendToConversation a:chat-" + anaID}) {
		t.Errorf("calls %q: want the redelivered message answered once", got)
	}
}

// TestTeamRemoved: the app removed from a team (the published
// membersRemoved payload: channelData names the team, no channel) stops
// every post to its channels, the digest included; added again, it posts.
func TestTeamRemoved(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.post(t, h.channel(coachID, "Coach", "digest here"))
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, testTenant)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../testdata/fixtures/teams_conversationUpdate_membersRemoved.json")
	if err != nil {
		t.Fatal(err)
	}
	var removed map[string]any
	if err := json.Unmarshal(b, &removed); err != nil {
		t.Fatal(err)
	}
	// The published payload, in this tenant and team, from this bot.
	removed["serviceUrl"] = h.conn.URL
	removed["membersRemoved"] = []any{map[string]any{"id": testBot}}
	removed["recipient"] = map[string]any{"id": testBot, "name": "smart90"}
	removed["channelData"] = map[string]any{"team": map[string]any{"id": teamID}, "eventType": "teamMemberRemoved", "tenant": map[string]any{"id": testTenant}}
	removed["conversation"] = map[string]any{"isGroup": true, "conversationType": "channel", "id": teamID}
	if code, _ := h.post(t, removed); code != http.StatusOK {
		t.Fatalf("membersRemoved: %d", code)
	}
	h.conn.Reset()
	for _, to := range []bot.Destination{{Installation: inst, Channel: generalID}, {Installation: inst, ThreadRef: generalID + "|17"}} {
		if _, err := h.messenger.Send(context.Background(), to, bot.Message{Text: "digest"}); bot.ErrorCode(err) != bot.EFORBIDDEN {
			t.Errorf("send to %+v after the team removed the app: %v, want EFORBIDDEN", to, err)
		}
	}
	if n := len(h.conn.Calls()); n != 0 {
		t.Fatalf("%d connector calls after removal", n)
	}
	// Added back: the team's next activity lifts the removal.
	added := h.channel(coachID, "Coach", "")
	added["type"], added["text"], added["entities"] = "conversationUpdate", "", nil
	added["membersAdded"] = []any{map[string]any{"id": testBot}}
	h.post(t, added)
	if _, err := h.messenger.Send(context.Background(), bot.Destination{Installation: inst, Channel: generalID}, bot.Message{Text: "digest"}); err != nil {
		t.Errorf("after the app was added back: %v", err)
	}
}

// TestWelcomeOnce: a personal install sends both conversationUpdate and
// installationUpdate; the person is welcomed once.
func TestWelcomeOnce(t *testing.T) {
	t.Parallel()
	h := setup(t)
	cu := h.personal(anaID, "Ana", "conversationUpdate")
	cu["membersAdded"] = []any{map[string]any{"id": testBot}}
	iu := h.personal(anaID, "Ana", "installationUpdate")
	iu["action"] = "add"
	for _, a := range []map[string]any{iu, cu} {
		if code, _ := h.post(t, a); code != http.StatusOK {
			t.Fatalf("%s: %d", a["type"], code)
		}
	}
	if got := h.ops(0); !slices.Equal(got, []string{"SendToConversation a:chat-" + anaID}) {
		t.Fatalf("calls %q: want one welcome", got)
	}
	if !strings.Contains(h.conn.Calls()[0].Text(), "help") && !strings.Contains(h.conn.Calls()[0].Text(), "invite") {
		t.Errorf("welcome: %q", h.conn.Calls()[0].Text())
	}
}

// faultStore is the real store with some of its calls replaced: a non-nil
// …Func runs instead of the store. Tests change the funcs with set while
// activities are served.
type faultStore struct {
	bot.Store
	mu              sync.Mutex
	BeginEventFunc  func(ctx context.Context, key string, now time.Time, hold time.Duration) (bot.EventState, error)
	SaveCheckInFunc func(ctx context.Context, c *bot.CheckIn) error
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

func (s *faultStore) SaveCheckIn(ctx context.Context, c *bot.CheckIn) error {
	s.mu.Lock()
	f := s.SaveCheckInFunc
	s.mu.Unlock()
	if f != nil {
		return f(ctx, c)
	}
	return s.Store.SaveCheckIn(ctx, c)
}

var errDown = errors.New("database unavailable")

// withStore puts s between the store and both the adapter and the core;
// before any activity is posted.
func (h *teamsBundle) withStore(t *testing.T, s bot.Store) {
	t.Helper()
	core, err := bot.New(bot.Config{Store: s, Messenger: h.messenger, State: h.State, Clock: h.Clock, Logger: h.log})
	if err != nil {
		t.Fatal(err)
	}
	h.adapter.cfg.Handler, h.adapter.cfg.Store, h.adapter.refs.store = core, s, s
}

// checkingIn has the coach invite Ana from the channel, Ana accept and
// start today's check-in in her chat; it returns the engagement.
func (h *teamsBundle) checkingIn(t *testing.T) *bot.Engagement {
	t.Helper()
	h.post(t, h.channel(coachID, "Coach", "invite <at>Ana</at>", mention(anaID, "Ana")))
	e, err := h.Store.LiveEngagementForClient(context.Background(), h.person(t, anaID).ID)
	if err != nil {
		t.Fatal(err)
	}
	h.press(t, anaID, "Ana", map[string]any{"smart90": "action", "action": bot.ActionAccept, "value": strconv.FormatInt(e.ID, 10)})
	// Monday morning: on Sunday evening `checkin` would answer Monday's.
	h.Clock.Set(bottest.Day("2026-11-23", "10:00", "Europe/Paris"))
	h.say(t, anaID, "Ana", "checkin")
	return e
}

// checkIn is Ana's check-in of today, empty when none is stored.
func (h *teamsBundle) checkIn(t *testing.T, e *bot.Engagement) *bot.CheckIn {
	t.Helper()
	day := bot.DateOf(h.Clock.Now().In(bot.Zone(h.person(t, anaID).TimeZone)))
	c, err := h.Store.CheckIn(context.Background(), e.ID, day)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return &bot.CheckIn{}
	} else if err != nil {
		t.Fatal(err)
	}
	return c
}

// texts is the text of every activity sent since call n.
func (h *teamsBundle) texts(n int) []string {
	var out []string
	for _, c := range h.conn.Calls()[n:] {
		if c.Op == "SendToConversation" {
			out = append(out, c.Text())
		}
	}
	return out
}

// send posts an activity with a valid token and returns the status; it
// is safe in any goroutine and does not wait for the work after the
// answer.
func (h *teamsBundle) send(t *testing.T, token string, activity map[string]any) int {
	body, err := json.Marshal(activity)
	if err != nil {
		t.Error(err)
		return 0
	}
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/api/messages", strings.NewReader(string(body)))
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestActivityHandledOnce: the same activity delivered twice at once and
// then twice more is handled once: Ana's answer fills one question only
// and she gets one reply.
func TestActivityHandledOnce(t *testing.T) {
	t.Parallel()
	h := setup(t)
	e := h.checkingIn(t)
	a := h.personal(anaID, "Ana", "message")
	a["text"] = "briefed the recruiter"
	token := h.idp.Token(t, testAppID, h.conn.URL)
	n := len(h.conn.Calls())
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() { codes[i] = h.send(t, token, a) })
	}
	wg.Wait()
	h.adapter.Wait()
	if !slices.Contains(codes, http.StatusOK) || slices.ContainsFunc(codes, func(c int) bool { return c != http.StatusOK && c != http.StatusServiceUnavailable }) {
		t.Errorf("two deliveries at once: %v, want a 200 and a 200 or 503", codes)
	}
	for i := range 2 {
		if code, _ := h.post(t, a); code != http.StatusOK {
			t.Errorf("redelivery %d: %d, want 200", i+1, code)
		}
	}
	if c := h.checkIn(t, e); c.Moved != "briefed the recruiter" || c.Priority != "" || c.Stuck != "" {
		t.Errorf("check-in: moved %q, priority %q, stuck %q; want the answer in one question only", c.Moved, c.Priority, c.Stuck)
	}
	if got := h.texts(n); len(got) != 1 || !strings.Contains(got[0], "2/4") {
		t.Errorf("replies %q, want one: the next question", got)
	}
}

// TestActivityStoreDown: an answer that cannot be stored is answered 503
// and not stored, and the person is not told it was saved; the
// redelivery after recovery is handled and stored once. The same when
// the event log cannot be reached.
func TestActivityStoreDown(t *testing.T) {
	t.Parallel()
	h := setup(t)
	fs := &faultStore{Store: h.Store}
	h.withStore(t, fs)
	e := h.checkingIn(t)
	card := h.conn.Calls()[len(h.conn.Calls())-1] // the check-in, its form inline
	a := h.personal(anaID, "Ana", "message")
	a["text"] = "briefed the recruiter"

	// The card's form submitted (Action.Execute) with the database down:
	// the card stays, with what she typed, and says to try again.
	fs.set(func(s *faultStore) {
		s.SaveCheckInFunc = func(context.Context, *bot.CheckIn) error { return errDown }
	})
	verb, data, _ := executeAction(t, card.Body)
	data["moved"], data["priority"], data["energy"] = "briefed the recruiter", "screen five candidates", "4"
	inv := h.personal(anaID, "Ana", "invoke")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
	if code, body := h.post(t, inv); code != http.StatusServiceUnavailable || !strings.Contains(body, "application/vnd.microsoft.error") || !strings.Contains(body, "try again") {
		t.Errorf("card submitted with the database down: %d %s; want 503 with an error the card shows", code, body)
	}
	if c := h.checkIn(t, e); c.Moved != "" {
		t.Fatalf("stored with the database down: %+v", c)
	}

	fs.set(func(s *faultStore) {
		s.SaveCheckInFunc = func(context.Context, *bot.CheckIn) error { return errDown }
	})
	n := len(h.conn.Calls())
	if code, _ := h.post(t, a); code != http.StatusServiceUnavailable {
		t.Fatalf("answer with the database down: %d, want 503", code)
	}
	if c := h.checkIn(t, e); c.Moved != "" {
		t.Fatalf("stored with the database down: %+v", c)
	}
	if got := h.texts(n); len(got) != 1 || !strings.Contains(got[0], "Something went wrong") {
		t.Errorf("told %q; want only the core's \"try again\"", got)
	}

	fs.set(func(s *faultStore) { s.SaveCheckInFunc = nil })
	n = len(h.conn.Calls())
	for i := range 2 {
		if code, _ := h.post(t, a); code != http.StatusOK {
			t.Fatalf("redelivery %d after recovery: %d, want 200", i+1, code)
		}
	}
	if c := h.checkIn(t, e); c.Moved != "briefed the recruiter" || c.Priority != "" {
		t.Fatalf("after the redeliveries: moved %q, priority %q; want the answer stored once", c.Moved, c.Priority)
	}
	if got := h.texts(n); len(got) != 1 || !strings.Contains(got[0], "2/4") {
		t.Errorf("after the redeliveries: %q, want the next question once", got)
	}

	// The event log down: 503 before anything is handled.
	fs.set(func(s *faultStore) {
		s.BeginEventFunc = func(context.Context, string, time.Time, time.Duration) (bot.EventState, error) { return 0, errDown }
	})
	b := h.personal(anaID, "Ana", "message")
	b["text"] = "screen five candidates"
	if code, _ := h.post(t, b); code != http.StatusServiceUnavailable {
		t.Fatalf("answer with the event log down: %d, want 503", code)
	}
	fs.set(func(s *faultStore) { s.BeginEventFunc = nil })
	if code, _ := h.post(t, b); code != http.StatusOK {
		t.Fatalf("redelivery after recovery: %d", code)
	}
	if c := h.checkIn(t, e); c.Priority != "screen five candidates" || c.Stuck != "" {
		t.Errorf("after the redelivery: priority %q, stuck %q", c.Priority, c.Stuck)
	}
}

// A time-zone field's typeahead asks as the person types: the adapter
// answers from the zone list, before anything is read or stored.
func TestZoneSearchInvoke(t *testing.T) {
	t.Parallel()
	h := setup(t)
	a := h.personal("29:ana", "Ana", "invoke")
	a["name"] = "application/search"
	a["value"] = map[string]any{"queryText": "france", "dataset": zoneDataset, "queryOptions": map[string]any{"skip": 0, "top": 15}}
	code, body := h.post(t, a)
	if code != http.StatusOK {
		t.Fatalf("search: %d %s", code, body)
	}
	var got any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("search response %q: %v", body, err)
	}
	sameJSON(t, "search response", got, `{"type":"application/vnd.microsoft.search.searchResponse",
		"value":{"results":[{"title":"Europe/Paris (France)","value":"Europe/Paris"}]}}`)
	if _, err := h.Store.PersonByExternalID(context.Background(), 1, "29:ana"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("a search stored the person who typed: %v", err)
	}
	// Unsigned, it is refused like any activity.
	if code, _ := h.postAs(t, a, ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned search: %d, want 401", code)
	}
}
