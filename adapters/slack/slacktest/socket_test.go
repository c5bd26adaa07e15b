package slacktest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/smart90/smart90/adapters/slack/slacktest"
)

// TestSocketMode: slack-go's Socket Mode client connects through
// apps.connections.open, receives the envelope the script sends, and its
// acknowledgement reaches the script.
func TestSocketMode(t *testing.T) {
	t.Parallel()
	s := slacktest.Start(t, slacktest.Options{})
	acked := make(chan string, 1)
	s.SocketMode(func(conn *websocket.Conn) {
		conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"env-1","type":"slash_commands","accepts_response_payload":true,"payload":{"team_id":"T1","user_id":"U1","command":"/smart90","text":"help"}}`))
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				acked <- ""
				return
			}
			var ack struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(b, &ack) == nil && ack.EnvelopeID != "" {
				acked <- ack.EnvelopeID
				return
			}
		}
	})
	client := socketmode.New(slack.New("xoxb-test", slack.OptionAPIURL(s.URL), slack.OptionAppLevelToken("xapp-1-test")))
	go client.RunContext(t.Context())
	for got := ""; got == ""; {
		select {
		case evt := <-client.Events:
			if cmd, ok := evt.Data.(slack.SlashCommand); ok {
				if cmd.Text != "help" {
					t.Errorf("command text %q", cmd.Text)
				}
				client.Ack(*evt.Request)
				got = "sent"
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no slash command from the socket")
		}
	}
	select {
	case id := <-acked:
		if id != "env-1" {
			t.Errorf("ack for %q, want env-1", id)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no ack reached the socket")
	}
}
