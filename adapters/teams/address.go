package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/smart90/smart90/bot"
)

// reference is a Teams conversation reference: what a proactive message
// needs to reach a person's 1:1 chat or a channel. It is kept in the
// store as a bot.Address under one of the keys below.
type reference struct {
	ServiceURL     string `json:"serviceUrl"`
	ConversationID string `json:"conversationId,omitempty"`
	TenantID       string `json:"tenantId"`
	BotID          string `json:"botId"`
	BotName        string `json:"botName,omitempty"`
	UserID         string `json:"userId,omitempty"`      // the person's Teams id (29:…)
	AADObjectID    string `json:"aadObjectId,omitempty"` // the person's Entra object id
	TeamID         string `json:"teamId,omitempty"`
	Name           string `json:"name,omitempty"` // a channel's or team's name, when Teams gave it
	// Removed is when the app was removed from this conversation: nothing
	// is sent there until it is added again.
	Removed time.Time `json:"removed,omitzero"`
}

// Address keys.
const keyService = "service" // the tenant's latest service URL and bot id

func personKey(userID string) string   { return bot.PersonAddressKey(userID) }
func channelKey(channel string) string { return "channel:" + channel }
func teamKey(team string) string       { return "team:" + team }

// references reads and writes conversation references.
type references struct {
	store MessengerStore
	clock bot.Clock
}

// get returns the reference under key; ok is false when there is none.
func (r references) get(ctx context.Context, instID int64, key string) (*reference, bool, error) {
	a, err := r.store.Address(ctx, instID, key)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("load conversation reference %s: %w", key, err)
	}
	var ref reference
	if err := json.Unmarshal(a.Data, &ref); err != nil {
		return nil, false, fmt.Errorf("decode conversation reference %s: %w", key, err)
	}
	return &ref, true, nil
}

// put stores ref under key unless the stored one is the same.
func (r references) put(ctx context.Context, instID int64, key string, ref *reference) error {
	if old, ok, err := r.get(ctx, instID, key); err == nil && ok && *old == *ref {
		return nil
	}
	data, err := json.Marshal(ref)
	if err != nil {
		return err
	}
	a := &bot.Address{InstallationID: instID, Key: key, Data: data, UpdatedAt: r.clock.Now().UTC()}
	if err := r.store.PutAddress(ctx, a); err != nil {
		return fmt.Errorf("store conversation reference %s: %w", key, err)
	}
	return nil
}
