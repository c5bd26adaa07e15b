package teams

import (
	"context"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// installation returns the tenant's installation, creating it on first
// contact.
func (a *Adapter) installation(ctx context.Context, tenant string) (*bot.Installation, error) {
	inst, err := a.cfg.Store.InstallationByExternalID(ctx, bot.PlatformTeams, tenant)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		now := a.clock.Now().UTC()
		inst = &bot.Installation{Platform: bot.PlatformTeams, ExternalID: tenant, Status: bot.InstallationActive, CreatedAt: now, UpdatedAt: now}
		err = a.cfg.Store.UpsertInstallation(ctx, inst)
	}
	return inst, err
}

// remember keeps the conversation references an activity carries, before
// anything else is done with it: the tenant's service URL and the bot's
// id, the sender's 1:1 chat, the channel it came from.
func (a *Adapter) remember(ctx context.Context, inst *bot.Installation, in *inbound) error {
	svc := &reference{ServiceURL: in.ServiceURL, TenantID: in.tenant, BotID: in.Recipient.ID, BotName: in.Recipient.Name}
	if err := a.refs.put(ctx, inst.ID, keyService, svc); err != nil {
		return err
	}
	if in.personal() {
		ref := *svc
		ref.ConversationID, ref.UserID, ref.AADObjectID = in.Conversation.ID, in.From.ID, in.From.AadObjectID
		return a.refs.put(ctx, inst.ID, personKey(in.From.ID), &ref)
	}
	if in.team != "" {
		ref := *svc
		ref.TeamID, ref.Name = in.team, in.teamName
		if err := a.keepName(ctx, inst, teamKey(in.team), &ref); err != nil {
			return err
		}
	}
	if in.channel != "" {
		ref := *svc
		ref.ConversationID, ref.TeamID, ref.Name = in.channel, in.team, in.chName
		return a.keepName(ctx, inst, channelKey(in.channel), &ref)
	}
	return nil
}

// keepName stores ref under key, keeping the stored name when the
// activity carried none (Teams sends names only with some activities).
func (a *Adapter) keepName(ctx context.Context, inst *bot.Installation, key string, ref *reference) error {
	if ref.Name == "" {
		if old, ok, err := a.refs.get(ctx, inst.ID, key); err == nil && ok {
			ref.Name = old.Name
		}
	}
	return a.refs.put(ctx, inst.ID, key, ref)
}

// removed marks the activity's conversation as one the app was removed
// from: sends there stop until it is added again.
func (a *Adapter) removed(ctx context.Context, inst *bot.Installation, in *inbound) {
	var keys []string
	switch {
	case in.personal():
		keys = []string{personKey(in.From.ID)}
	case in.team != "":
		// Removed from a team: from all its channels at once.
		keys = []string{teamKey(in.team)}
	case in.channel != "":
		keys = []string{channelKey(in.channel)}
	}
	for _, key := range keys {
		ref, ok, err := a.refs.get(ctx, inst.ID, key)
		if err != nil || !ok {
			continue
		}
		ref.Removed = a.clock.Now().UTC()
		if err := a.refs.put(ctx, inst.ID, key, ref); err != nil {
			a.log.ErrorContext(ctx, "teams: mark conversation removed", "err", err)
			continue
		}
		a.log.InfoContext(ctx, "teams: app removed; sending there stops", "tenant", inst.ExternalID, "where", strings.Split(key, ":")[0])
	}
}

// installationUpdate: a removal stops all sending to that conversation;
// an addition was already remembered (and a personal one is welcomed on
// the conversationUpdate Teams sends with it).
func (a *Adapter) installationUpdate(ctx context.Context, inst *bot.Installation, in *inbound) {
	if strings.HasPrefix(in.Action, string(schema.InstallActionRemove)) {
		a.removed(ctx, inst, in)
	}
}

// conversationUpdate: the bot added to a 1:1 chat says hello; the bot
// removed from a team or chat stops sending there.
func (a *Adapter) conversationUpdate(ctx context.Context, key string, inst *bot.Installation, in *inbound) outcome {
	for _, m := range in.MembersRemoved {
		if m.ID == in.Recipient.ID {
			a.removed(ctx, inst, in)
			a.settle(ctx, key, nil)
			return handled
		}
	}
	for _, m := range in.MembersAdded {
		switch {
		case m.ID != in.Recipient.ID:
		case in.personal():
			return a.welcome(ctx, key, inst, in)
		case in.channel != "":
			a.after(func(ctx context.Context) {
				to := bot.Destination{Installation: inst, Channel: in.channel}
				if _, err := a.msgr.Send(ctx, to, bot.Message{Text: teamHello}); err != nil {
					a.log.WarnContext(ctx, "teams: say hello to a team", "err", err)
				}
			})
			a.settle(ctx, key, nil)
			return handled
		}
	}
	a.settle(ctx, key, nil)
	return handled
}

// teamHello introduces smart90 in the channel of a team that added it.
const teamHello = "*Hi, I'm smart90.* I keep coaching clients' quarterly rocks alive between sessions: " +
	"a short daily check-in, a weekly report, and a weekly digest for their coach.\n" +
	"• Coaches: `@smart90 digest here` sends your weekly digest to this channel; `@smart90 invite @client` invites a client.\n" +
	"• Clients answer me in our 1:1 chat, where `help` lists everything."

// welcome greets a person who just added the app, with what they can do.
func (a *Adapter) welcome(ctx context.Context, key string, inst *bot.Installation, in *inbound) outcome {
	ev := a.event(in, bot.EventCommand)
	ev.Text = "help"
	return a.handleThenReply(ctx, key, inst, in, ev)
}
