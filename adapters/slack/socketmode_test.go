package slack

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/inproc"
)

// TestSocketMode runs the adapter over a Socket Mode connection to a fake
// Slack: apps.connections.open hands out a WebSocket on loopback, which
// says hello, sends a slash command and a DM as Slack frames them, and
// reads the acknowledgements.
func TestSocketMode(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t) // the core, store and fake Web API of the HTTP tests
	acks := make(chan map[string]any, 4)
	h.slack.SocketMode(func(conn *websocket.Conn) {
		read := func() map[string]any {
			conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			for {
				_, b, err := conn.ReadMessage()
				if err != nil {
					return nil
				}
				var m map[string]any
				if json.Unmarshal(b, &m) == nil && m["envelope_id"] != nil {
					return m
				}
			}
		}
		conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"env-1","type":"slash_commands","accepts_response_payload":true,"payload":{"team_id":"T1","user_id":"UCOACH","user_name":"cora","command":"/smart90","text":"help","channel_id":"DCOACH","trigger_id":"t1"}}`))
		acks <- read()
		conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"env-2","type":"events_api","accepts_response_payload":false,"payload":{"type":"event_callback","team_id":"T1","event_id":"Ev9","event":{"type":"message","channel":"DCOACH","user":"UCOACH","text":"help","ts":"2.2","channel_type":"im"}}}`))
		acks <- read()
	})
	stop := runSocket(t, h, h.adapter.cfg.Handler)

	select {
	case ack := <-acks:
		payload, _ := json.Marshal(ack["payload"])
		if ack["envelope_id"] != "env-1" || !strings.Contains(string(payload), `"response_type":"ephemeral"`) || !strings.Contains(string(payload), "invite") {
			t.Errorf("slash command ack = %v", ack)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no ack for the slash command")
	}
	select {
	case ack := <-acks:
		if ack["envelope_id"] != "env-2" {
			t.Errorf("event ack = %v", ack)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no ack for the event")
	}
	stop()
	// The DM was answered in the DM, through the Web API.
	answered := false
	for _, c := range h.slack.Calls() {
		answered = answered || c.Method == "chat.postMessage" && c.Form["channel"] == "D069C7QFK"
	}
	if !answered {
		t.Errorf("the DM was not answered: %v", h.slack.Methods())
	}
	if _, err := h.Store.InstallationByExternalID(t.Context(), bot.PlatformSlack, "T1"); err != nil {
		t.Errorf("the workspace was not recorded: %v", err)
	}
}

// TestSocketModeAckAfterStored: a DM answer that cannot be stored is not
// acknowledged, so Slack delivers it again; the redelivery after recovery
// is acknowledged and stored once. A slash command's envelope delivered
// twice has one effect, and both are acknowledged.
func TestSocketModeAckAfterStored(t *testing.T) {
	t.Parallel()
	fs := &faultStore{}
	h := setupHTTP(t, func(s bot.Store) bot.Store { fs.Store = s; return fs })
	e := h.checkingIn(t)
	released := make(chan struct{}, 1)
	fs.set(func(s *faultStore) {
		s.SaveCheckInFunc = func(context.Context, *bot.CheckIn) error { return errDown }
		s.ReleaseEventFunc = func(ctx context.Context, key string) error {
			err := s.Store.ReleaseEvent(ctx, key)
			released <- struct{}{}
			return err
		}
	})
	recovered := make(chan struct{})
	acks := make(chan string, 8)
	answer := `"payload":{"type":"event_callback","team_id":"T1","event_id":"EvS","event":{"type":"message","channel":"D069C7QFK","user":"UANA","text":"briefed the recruiter","ts":"3.3","channel_type":"im"}}`
	command := `{"envelope_id":"env-cmd","type":"slash_commands","accepts_response_payload":true,"payload":{"team_id":"T1","user_id":"UANA","user_name":"ana","command":"/smart90","text":"rocks add Hire a CTO","channel_id":"DANA","trigger_id":"t9"}}`
	h.slack.SocketMode(func(conn *websocket.Conn) {
		go func() {
			for {
				_, b, err := conn.ReadMessage()
				if err != nil {
					return
				}
				var m map[string]any
				if json.Unmarshal(b, &m) == nil && m["envelope_id"] != nil {
					acks <- m["envelope_id"].(string)
				}
			}
		}()
		conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"env-1","type":"events_api","accepts_response_payload":false,"retry_attempt":0,`+answer+`}`))
		<-recovered
		conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"env-2","type":"events_api","accepts_response_payload":false,"retry_attempt":1,"retry_reason":"timeout",`+answer+`}`))
		conn.WriteMessage(websocket.TextMessage, []byte(command))
		conn.WriteMessage(websocket.TextMessage, []byte(command))
	})
	stop := runSocket(t, h, h.adapter.cfg.Handler)
	defer stop()

	select {
	case <-released:
	case <-time.After(30 * time.Second):
		t.Fatal("the answer that could not be stored was not released for Slack's retry")
	}
	if c := h.checkIn(t, e); c.Moved != "" {
		t.Fatalf("stored with the database down: %+v", c)
	}
	fs.set(func(s *faultStore) { s.SaveCheckInFunc = nil })
	close(recovered)
	got := map[string]int{}
	for range 3 {
		select {
		case id := <-acks:
			got[id]++
		case <-time.After(30 * time.Second):
			t.Fatalf("acks so far %v; want env-2 and env-cmd twice", got)
		}
	}
	if want := map[string]int{"env-2": 1, "env-cmd": 2}; !maps.Equal(got, want) {
		t.Errorf("acks %v, want %v (none for the answer that was not stored)", got, want)
	}
	stop()
	if c := h.checkIn(t, e); c.Moved != "briefed the recruiter" || c.Priority != "" {
		t.Errorf("after the redelivery: moved %q, priority %q; want the answer stored once", c.Moved, c.Priority)
	}
	if rocks, err := h.Store.Rocks(context.Background(), e.ID); err != nil || len(rocks) != 1 {
		t.Errorf("rocks after one command delivered twice: %d (%v), want 1", len(rocks), err)
	}
}

// slowCore holds "slow" commands until released; everything else goes to
// the real core at once.
type slowCore struct {
	next    Handler
	release chan struct{}
}

func (s *slowCore) Respond(ctx context.Context, ev bot.Event) (bot.Reply, error) {
	if ev.Text == "slow" {
		<-s.release
	}
	return s.next.Respond(ctx, ev)
}

// TestSocketModeSlowRequestDoesNotBlockOthers: a request that takes long
// must not hold up the acknowledgement of the next one.
func TestSocketModeSlowRequestDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	acks := make(chan string, 4)
	h.slack.SocketMode(func(conn *websocket.Conn) {
		for i, text := range []string{"slow", "help"} {
			conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"env-`+text+`","type":"slash_commands","accepts_response_payload":true,"payload":{"team_id":"T1","user_id":"U`+string(rune('A'+i))+`","command":"/smart90","text":"`+text+`"}}`))
		}
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(b, &m) == nil && m["envelope_id"] != nil {
				acks <- m["envelope_id"].(string)
			}
		}
	})
	core := &slowCore{next: h.adapter.cfg.Handler, release: make(chan struct{})}
	stop := runSocket(t, h, core)
	select {
	case id := <-acks:
		if id != "env-help" {
			t.Errorf("first ack %q, want env-help while the slow one is held", id)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the fast request was not acknowledged while a slow one was held")
	}
	close(core.release)
	select {
	case id := <-acks:
		if id != "env-slow" {
			t.Errorf("second ack %q", id)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the slow request was never acknowledged")
	}
	stop()
}

// runSocket runs an adapter on core over h's Socket Mode until the
// returned stop is called (once or more).
func runSocket(t *testing.T, h *httpBundle, core Handler) (stop func()) {
	t.Helper()
	a, err := New(Config{Handler: core, Store: h.adapter.cfg.Store, Messenger: h.adapter.cfg.Messenger,
		Deduper: inproc.NewDeduper(h.Clock), Clock: h.Clock, HandleTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- a.RunSocketMode(ctx, SocketModeConfig{AppToken: "xapp-1-test", BotToken: "xoxb-single", APIURL: h.slack.URL})
	}()
	return sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
		a.Wait()
	})
}
