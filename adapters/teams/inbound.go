package teams

import (
	"cmp"
	"encoding/json"
	"errors"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// inbound is an activity as received, with what msbotbuilder-go's schema
// drops: the mention entities' fields.
type inbound struct {
	schema.Activity
	mentions []schema.Mention
	tenant   string
	channel  string // the channel's conversation id, in a team
	team     string
	chName   string
	teamName string
}

// decode reads an activity and the fields msbotbuilder-go's schema drops.
func decode(body []byte) (*inbound, error) {
	var in inbound
	if err := json.Unmarshal(body, &in.Activity); err != nil {
		return nil, err
	}
	var extra struct {
		Entities    []json.RawMessage `json:"entities"`
		ChannelData struct {
			Tenant struct{ ID string } `json:"tenant"`
			Team   struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"team"`
			Channel struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"channel"`
		} `json:"channelData"`
	}
	if err := json.Unmarshal(body, &extra); err != nil {
		return nil, err
	}
	for _, raw := range extra.Entities {
		var m schema.Mention
		if json.Unmarshal(raw, &m) == nil && m.Type == "mention" {
			in.mentions = append(in.mentions, m)
		}
	}
	if in.Type == "" || in.ServiceURL == "" {
		return nil, errors.New("no type or serviceUrl")
	}
	in.tenant = cmp.Or(in.Conversation.TenantID, extra.ChannelData.Tenant.ID)
	in.channel, in.chName = extra.ChannelData.Channel.ID, extra.ChannelData.Channel.Name
	in.team, in.teamName = extra.ChannelData.Team.ID, extra.ChannelData.Team.Name
	return &in, nil
}

// personal reports whether the activity is in a 1:1 chat with the bot.
func (in *inbound) personal() bool {
	return in.Conversation.ConversationType == "personal" || in.Conversation.ConversationType == "" && !in.Conversation.IsGroup
}
