package teams

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/inproc"
)

// keysState is a ConversationState that remembers every key set in it.
type keysState struct {
	bot.ConversationState
	mu   sync.Mutex
	keys map[string]bool
}

func (s *keysState) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	s.mu.Lock()
	s.keys[key] = true
	s.mu.Unlock()
	return s.ConversationState.Set(ctx, key, value, ttl)
}

// TestForgetMeLeavesNothing: after forget-me in Teams — confirmed with the
// card's button or typed — neither the addresses table nor the shared
// conversation state holds anything of the person (the export offered
// for an hour included), and the "Done" reply writes nothing back.
func TestForgetMeLeavesNothing(t *testing.T) {
	t.Parallel()
	for name, confirm := range map[string]func(h *teamsBundle){
		"button": func(h *teamsBundle) {
			h.press(t, anaID, "Ana", map[string]any{"smart90": "action", "action": bot.ActionForgetConfirm, "value": ""})
		},
		"typed": func(h *teamsBundle) { h.say(t, anaID, "Ana", "forget-me confirm") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var files *keysState
			h := setup(t, func(h *teamsBundle, mc *MessengerConfig) {
				files = &keysState{ConversationState: inproc.NewState(h.Clock), keys: map[string]bool{}}
				mc.Files, mc.UploadHosts = files, []string{"127.0.0.1"}
			})
			ctx := context.Background()
			h.say(t, anaID, "Ana", "export")
			h.say(t, anaID, "Ana", "export") // a second export: more offers waiting
			ana := h.person(t, anaID)
			if len(files.keys) != 8 {
				t.Fatalf("%d files offered, want 8: %v", len(files.keys), files.keys)
			}
			if _, err := h.Store.Address(ctx, ana.InstallationID, personKey(anaID)); err != nil {
				t.Fatalf("Ana's chat is not remembered before forget-me: %v", err)
			}

			h.say(t, anaID, "Ana", "forget-me")
			h.conn.Reset()
			confirm(h)

			calls := h.conn.Calls()
			if len(calls) != 1 || calls[0].Op != "SendToConversation" || calls[0].Conversation != "a:chat-"+anaID || !strings.Contains(calls[0].Text(), "everything smart90 kept about you is deleted") {
				t.Fatalf("after the confirmation: %v", h.ops(0))
			}
			if _, err := h.Store.PersonByExternalID(ctx, ana.InstallationID, anaID); bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Fatalf("Ana is still stored: %v", err)
			}
			if a, err := h.Store.Address(ctx, ana.InstallationID, personKey(anaID)); bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Errorf("Ana's address after forget-me: %+v, %v", a, err)
			}
			for key := range files.keys {
				if v, err := files.Get(ctx, key); err != nil || v != "" {
					t.Errorf("%s is still kept after forget-me (%d bytes, %v)", key, len(v), err)
				}
			}
			if v, err := h.State.Get(ctx, "conv:"+strconv.FormatInt(ana.ID, 10)); err != nil || v != "" {
				t.Errorf("the core's conversation state of Ana: %q, %v", v, err)
			}
		})
	}
}
