package teams

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// groupChat is a message from user after @smart90 in a group chat:
// others read it, though it is no team's channel.
func (h *teamsBundle) groupChat(user, name, text string) map[string]any {
	id := strconv.FormatInt(1700000000000+activitySeq.Add(1), 10)
	return map[string]any{
		"type": "message", "id": id, "text": "<at>smart90</at> " + text,
		"timestamp": h.Clock.Now().UTC().Format(time.RFC3339), "serviceUrl": h.conn.URL, "channelId": "msteams",
		"from":         map[string]any{"id": user, "name": name, "aadObjectId": "aad-" + name},
		"conversation": map[string]any{"isGroup": true, "conversationType": "groupChat", "tenantId": testTenant, "id": "19:group-" + user + "@thread.v2"},
		"recipient":    map[string]any{"id": testBot, "name": "smart90"},
		"entities":     []any{map[string]any{"type": "mention", "text": "<at>smart90</at>", "mentioned": map[string]any{"id": testBot, "name": "smart90"}}},
		"channelData":  map[string]any{"tenant": map[string]any{"id": testTenant}},
	}
}

// TestGroupChatKeepsSecrets: in a group chat everyone reads what is typed,
// so `token new` makes no token and `webhook add` stores no address, as in
// a team's channel; each says to use the 1:1 chat.
func TestGroupChatKeepsSecrets(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.post(t, h.channel(coachID, "Coach", "invite <at>Ana</at>", mention(anaID, "Ana")))
	n := len(h.conn.Calls())
	h.post(t, h.groupChat(coachID, "Coach", "token new sheets"))
	h.post(t, h.groupChat(coachID, "Coach", "webhook add https://93.184.215.14/hook?token=s3cret"))
	var replies []string
	for _, c := range h.conn.Calls()[n:] {
		if strings.Contains(c.Conversation, "group") {
			t.Errorf("a reply went to the group chat: %v", c.Body)
		}
		b, _ := json.Marshal(c.Body)
		replies = append(replies, string(b))
	}
	all := strings.Join(replies, "\n")
	for _, want := range []string{"I did not make a token", "I did not add it"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in the replies:\n%s", want, all)
		}
	}
	if strings.Contains(all, "s90_") || strings.Contains(all, "whsec_") {
		t.Errorf("a secret was handed out from a group chat:\n%s", all)
	}
	coach := h.person(t, coachID)
	if ts, err := h.Store.APITokens(context.Background(), coach.ID); err != nil || len(ts) != 0 {
		t.Errorf("tokens after a group chat's token new: %d (%v)", len(ts), err)
	}
	if ws, err := h.Store.Webhooks(context.Background(), coach.ID); err != nil || len(ws) != 0 {
		t.Errorf("webhooks after a group chat's webhook add: %d (%v)", len(ws), err)
	}
}
