package slack

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

var team = &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T123", BotToken: []byte("xoxb-team-token"), Status: bot.InstallationActive}

func TestSendDirectMessage(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	msg := bot.Message{Text: "*Day 3 of 90*\nGood morning!", Buttons: []bot.Button{{ActionID: "checkin.answer", Label: "Answer", Value: "7"}}}
	for range 2 {
		ref, err := m.Send(t.Context(), bot.Destination{Installation: team, UserID: "U061F7AUR"}, msg)
		if err != nil {
			t.Fatal(err)
		}
		if ref != "C123ABC456:1503435956.000247" {
			t.Errorf("ref = %q", ref)
		}
	}
	// The DM is opened once, then reused.
	if got, want := f.Methods(), []string{"conversations.open", "chat.postMessage", "chat.postMessage"}; !slices.Equal(got, want) {
		t.Fatalf("calls = %v, want %v", got, want)
	}
	calls := f.Calls()
	if calls[0].Form["users"] != "U061F7AUR" || calls[0].Token != "xoxb-team-token" {
		t.Errorf("conversations.open = %+v", calls[0])
	}
	post := calls[1]
	if post.Form["channel"] != "D069C7QFK" || !strings.Contains(post.Form["text"], "Day 3 of 90") ||
		!strings.Contains(post.Form["blocks"], `"action_id":"checkin.answer"`) || post.Form["thread_ts"] != "" {
		t.Errorf("chat.postMessage = %+v", post.Form)
	}
}

func TestSendThreadReplyAndChannel(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	m := NewMessenger(MessengerConfig{APIURL: f.URL, BotToken: "xoxb-single"})
	noToken := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Status: bot.InstallationActive}
	if _, err := m.Send(t.Context(), bot.Destination{Installation: noToken, Channel: "C0COACH"}, bot.Message{Text: "digest"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Send(t.Context(), bot.Destination{Installation: noToken, ThreadRef: "C0COACH:1700000000.000100"}, bot.Message{Text: "Ana"}); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 2 || calls[0].Form["channel"] != "C0COACH" || calls[1].Form["channel"] != "C0COACH" ||
		calls[1].Form["thread_ts"] != "1700000000.000100" || calls[0].Token != "xoxb-single" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		fixture string
		status  int
		header  map[string]string
		code    string        // bot error code, "" for transient
		after   time.Duration // Retry-After
	}{
		{"channel not found", "slack_api_conversations_open_error_channel_not_found.json", 200, nil, bot.ENOTFOUND, 0},
		{"user not found", "slack_api_users_info_error_user_not_found.json", 200, nil, bot.ENOTFOUND, 0},
		{"not in channel", "slack_api_conversations_rename_error_not_in_channel.json", 200, nil, bot.EFORBIDDEN, 0},
		{"rate limited", "", 429, map[string]string{"Retry-After": "30"}, "", 30 * time.Second},
		{"server error", "", 503, nil, "", 0},
		{"other API error", "slack_api_chat_postMessage_error_too_many_attachments.json", 200, nil, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSlack(t)
			f.Reply["chat.postMessage"] = func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				if tt.fixture != "" {
					fixture(t, w, tt.fixture)
					return
				}
				w.WriteHeader(tt.status)
			}
			m := NewMessenger(MessengerConfig{APIURL: f.URL})
			_, err := m.Send(t.Context(), bot.Destination{Installation: team, Channel: "C1"}, bot.Message{Text: "hi"})
			if err == nil {
				t.Fatal("no error")
			}
			if got := bot.ErrorCode(err); tt.code != "" && got != tt.code {
				t.Errorf("code = %q (%v), want %q", got, err, tt.code)
			}
			if tt.code == "" && (bot.ErrorCode(err) == bot.EFORBIDDEN || bot.ErrorCode(err) == bot.ENOTFOUND) {
				t.Errorf("transient failure classified as permanent: %v", err)
			}
			var ra *RetryAfterError
			if errors.As(err, &ra) != (tt.after > 0) || tt.after > 0 && ra.RetryAfter() != tt.after {
				t.Errorf("retry after: %v (%v), want %v", ra, err, tt.after)
			}
		})
	}
}

func TestSendWithoutToken(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	m := NewMessenger(MessengerConfig{APIURL: f.URL})
	_, err := m.Send(t.Context(), bot.Destination{Installation: &bot.Installation{ExternalID: "T9"}, UserID: "U1"}, bot.Message{Text: "hi"})
	if bot.ErrorCode(err) != bot.EFORBIDDEN || len(f.Calls()) != 0 {
		t.Errorf("err = %v, calls %v; want EFORBIDDEN and no call", err, f.Methods())
	}
}
