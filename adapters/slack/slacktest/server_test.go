package slacktest_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/adapters/slack/slacktest"
)

// TestServerWithSlackGo drives every method the server answers through
// slack-go's client, and checks the answers decode as slack-go expects
// and the calls are recorded.
func TestServerWithSlackGo(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var posted []slacktest.Post
	s := slacktest.Start(t, slacktest.Options{OnPost: func(p slacktest.Post) {
		mu.Lock()
		defer mu.Unlock()
		posted = append(posted, p)
	}})
	c := s.Client("xoxb-test")
	ctx := t.Context()

	auth, err := c.AuthTestContext(ctx)
	if err != nil || auth.TeamID != "T1" || auth.Team != "Test Team" {
		t.Errorf("auth.test = %+v, %v", auth, err)
	}
	u, err := c.GetUserInfoContext(ctx, "UANA")
	if err != nil || u.Profile.DisplayName != "uana" || u.TZ != "Europe/Paris" {
		t.Errorf("users.info = %+v, %v", u, err)
	}
	ch, _, _, err := c.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"UANA"}})
	if err != nil || ch.ID != "DUANA" {
		t.Fatalf("conversations.open = %+v, %v", ch, err)
	}
	md := slack.SlackMetadata{EventType: "smart90_delivery", EventPayload: map[string]any{"delivery": "7", "part": 0}}
	var refs []string
	for _, text := range []string{"first", "second", "third"} {
		_, ts, err := c.PostMessageContext(ctx, ch.ID, slack.MsgOptionText(text, false), slack.MsgOptionMetadata(md))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ts)
	}
	if want := []string{"1795420800.000001", "1795420801.000002", "1795420802.000003"}; !slices.Equal(refs, want) {
		t.Errorf("post timestamps %v, want %v", refs, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posted) != 3 || posted[2].Text != "third" || posted[2].Channel != "DUANA" {
		t.Errorf("OnPost saw %+v", posted)
	}
	h, err := c.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, Oldest: refs[0], Limit: 1, IncludeAllMetadata: true})
	if err != nil || len(h.Messages) != 1 || h.Messages[0].Text != "third" || !h.HasMore || h.Messages[0].Metadata.EventType != "smart90_delivery" {
		t.Fatalf("conversations.history page 1 = %+v, %v", h, err)
	}
	h, err = c.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, Oldest: refs[0], Cursor: h.ResponseMetaData.NextCursor})
	if err != nil || len(h.Messages) != 1 || h.Messages[0].Text != "second" || h.HasMore || h.Messages[0].Metadata.EventType != "" {
		t.Errorf("conversations.history page 2 (not inclusive, no metadata) = %+v, %v", h, err)
	}

	up, err := c.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "export.csv", FileSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: up.UploadURL, Reader: bytes.NewReader([]byte("a,b")), Filename: "export.csv"}); err != nil {
		t.Fatal(err)
	}
	done, err := c.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: up.FileID, Title: "Export"}}, Channel: ch.ID})
	if err != nil || len(done.Files) != 1 || done.Files[0].ID != "Fexport.csv" {
		t.Errorf("files.completeUploadExternal = %+v, %v", done, err)
	}
	if _, err := c.OpenViewContext(ctx, "trig", slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "form"}); err != nil {
		t.Errorf("views.open: %v", err)
	}
	if _, err := c.UpdateViewContext(ctx, slack.ModalViewRequest{Type: slack.VTModal}, "", "", "V1"); err != nil {
		t.Errorf("views.update: %v", err)
	}
	if _, err := c.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "UANA", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}}); err != nil {
		t.Errorf("views.publish: %v", err)
	}
	o, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, "client", "secret", "code", "", slack.OAuthOptionAPIURL(s.URL))
	if err != nil || o.Team.ID != "T1" || o.AccessToken == "" {
		t.Errorf("oauth.v2.access = %+v, %v", o, err)
	}

	want := []string{"auth.test", "users.info", "conversations.open", "chat.postMessage", "chat.postMessage", "chat.postMessage",
		"conversations.history", "conversations.history", "files.getUploadURLExternal", "upload", "files.completeUploadExternal",
		"views.open", "views.update", "views.publish", "oauth.v2.access"}
	if got := s.Methods(); !slices.Equal(got, want) {
		t.Errorf("methods:\n%v\nwant\n%v", got, want)
	}
	calls := s.Calls()
	if calls[0].Token != "xoxb-test" || calls[1].Form["user"] != "UANA" || calls[9].Form["content"] != "a,b" ||
		!strings.Contains(calls[11].Form["view"], `"callback_id":"form"`) {
		t.Errorf("recorded calls: %+v", calls)
	}
	if n := s.Count("chat.postMessage"); n != 3 || len(s.Posts("DUANA")) != 3 {
		t.Errorf("Count = %d, Posts = %d; want 3", n, len(s.Posts("DUANA")))
	}
}

// TestServerHandle: a handler replaces a method's answer and can hand a
// call back to the default; options answer users.info and
// conversations.open; a method the server does not know is refused.
func TestServerHandle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	s := slacktest.NewServer(slacktest.Options{
		TeamID: "T9", Forget: true, Now: func() time.Time { return now },
		User: func(id string) (slacktest.User, bool) {
			return slacktest.User{ID: id, Name: id, DisplayName: "ana", TZ: "UTC"}, id == "U1"
		},
		DM: func(string) string { return "DSAME" },
	})
	defer s.Close()
	c := s.Client("xoxb-t9")
	ctx := t.Context()
	var n atomic.Int32
	s.Handle("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
		s.Default(w, r)
	})
	_, _, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Errorf("first post: %v, want a 429 with Retry-After 1s", err)
	}
	if _, ts, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil || ts != "1796374800.000001" {
		t.Errorf("second post: %q, %v", ts, err)
	}
	s.Handle("chat.postMessage", nil)
	if _, _, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("again", false)); err != nil {
		t.Errorf("post after the handler is removed: %v", err)
	}
	if u, err := c.GetUserInfoContext(ctx, "U1"); err != nil || u.Profile.DisplayName != "ana" || u.TZ != "UTC" {
		t.Errorf("users.info U1 = %+v, %v", u, err)
	}
	if _, err := c.GetUserInfoContext(ctx, "U2"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("users.info U2: %v, want user_not_found", err)
	}
	if ch, _, _, err := c.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}}); err != nil || ch.ID != "DSAME" {
		t.Errorf("conversations.open = %+v, %v", ch, err)
	}
	if a, err := c.AuthTestContext(ctx); err != nil || a.TeamID != "T9" {
		t.Errorf("auth.test = %+v, %v", a, err)
	}
	if _, err := c.GetUserPresenceContext(ctx, "U1"); err == nil || err.Error() != "unknown_method" {
		t.Errorf("users.getPresence: %v, want unknown_method", err)
	}
	if len(s.Calls()) != 0 || s.Count("chat.postMessage") != 3 || len(s.Posts("C1")) != 2 {
		t.Errorf("Forget: %d calls kept, %d posts counted, %d posted", len(s.Calls()), s.Count("chat.postMessage"), len(s.Posts("C1")))
	}
}
