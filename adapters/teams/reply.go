package teams

import (
	"context"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// reply sends the core's replies: in the 1:1 chat they answer there; in a
// channel, what is only for the person goes to their 1:1 chat (Teams has
// no private messages in a channel) with a pointer in the thread, and the
// rest is a reply in the thread.
func (a *Adapter) reply(ctx context.Context, inst *bot.Installation, in *inbound, replies []bot.Message) {
	if a.forgotten(ctx, inst, in) {
		a.replyForgotten(ctx, inst, in, replies)
		return
	}
	private := bot.Destination{Installation: inst, UserID: in.From.ID}
	thread := private
	if !in.personal() && in.channel != "" {
		root := in.ID
		if _, id, ok := strings.Cut(in.Conversation.ID, ";messageid="); ok {
			root = id
		}
		thread = bot.Destination{Installation: inst, ThreadRef: in.channel + "|" + root}
	}
	pointed := false
	for _, m := range replies {
		to := thread
		if m.Ephemeral {
			to = private
		}
		_, err := a.msgr.Send(ctx, to, m)
		if err != nil {
			a.log.WarnContext(ctx, "teams reply", "tenant", inst.ExternalID, "err", err)
			if to == private && to != thread {
				a.msgr.Send(ctx, thread, bot.Message{Text: "I could not answer you privately: " + bot.ErrorMessage(err)})
			}
			continue
		}
		if to == private && to != thread && !pointed {
			pointed = true
			a.msgr.Send(ctx, thread, bot.Message{Text: "I answered you in our 1:1 chat."})
		}
	}
}

// forgotten reports whether the activity's sender is not in the store
// after the core handled the activity: they just deleted their data
// (forget-me), or the core never kept them.
func (a *Adapter) forgotten(ctx context.Context, inst *bot.Installation, in *inbound) bool {
	_, err := a.cfg.Store.PersonByExternalID(ctx, inst.ID, in.From.ID)
	return bot.ErrorCode(err) == bot.ENOTFOUND
}

// replyForgotten answers a person the store does not hold without
// keeping anything of them again: Messenger.Send would store the
// reference of their 1:1 chat (the one forget-me just deleted), so each
// reply goes straight to the conversation the activity came from, or, for
// a private reply to a command in a channel, to a 1:1 chat started for it
// and not remembered. The files still offered to them are deleted.
func (a *Adapter) replyForgotten(ctx context.Context, inst *bot.Installation, in *inbound, replies []bot.Message) {
	m := a.msgr
	if err := m.forgetFiles(ctx, in.From.ID); err != nil {
		a.log.WarnContext(ctx, "teams: forget the files offered to a person", "err", err)
	}
	private := ""
	for _, msg := range replies {
		msg.Files = nil // nothing is offered to keep for them
		conv := in.Conversation.ID
		if msg.Ephemeral && !in.personal() {
			if private == "" {
				var err error
				private, err = m.openChat(ctx, inst, in.ServiceURL, schema.ChannelAccount{ID: in.Recipient.ID, Name: in.Recipient.Name}, in.From.ID)
				if err != nil {
					a.log.WarnContext(ctx, "teams reply", "tenant", inst.ExternalID, "err", err)
					continue
				}
			}
			conv = private
		}
		if err := m.sendUnremembered(ctx, inst, in.ServiceURL, conv, msg); err != nil {
			a.log.WarnContext(ctx, "teams reply", "tenant", inst.ExternalID, "err", err)
		}
	}
}
