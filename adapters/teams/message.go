package teams

import (
	"cmp"
	"context"
	"strings"

	"github.com/smart90/smart90/bot"
)

// handleThenReply runs the core on ev, settles key and sends the core's
// replies, answering Teams as soon as the core has stored what the event
// changes, or after HandleTimeout at the latest: what the core sends on
// the way (an invitation, through Graph and connector retries) must not
// hold the answer past Teams' 15 seconds. Answered before the core is
// done, the activity is not yet known to be stored (pending): a
// redelivery meanwhile is refused, one after is dropped if the core
// stored it and handled if the store failed. When the store failed the
// person gets the core's "try again" reply, since the Bot Framework's
// redelivery is not to be counted on.
func (a *Adapter) handleThenReply(ctx context.Context, key string, inst *bot.Installation, in *inbound, ev bot.Event) outcome {
	done := make(chan bool, 1)
	a.after(func(bg context.Context) {
		replies, err := a.handle(bg, ev)
		done <- a.settle(bg, key, err)
		a.reply(bg, inst, in, replies)
	})
	select {
	case ok := <-done:
		if !ok {
			return failed
		}
		return handled
	case <-ctx.Done():
		a.log.WarnContext(ctx, "teams: answered before the core finished", "kind", ev.Kind)
		return pending
	}
}

// event is the core event for what the activity's sender did. Its
// Channel is where others read the event (bot.Event): a team's channel,
// or a group chat, which has no channel id but is read by everyone in it
// (so the core hands out no secret there and takes none).
func (a *Adapter) event(in *inbound, kind bot.EventKind) bot.Event {
	ch := in.channel
	if ch == "" && !in.personal() {
		ch = in.Conversation.ID
	}
	return bot.Event{
		Platform:     bot.PlatformTeams,
		Installation: in.tenant,
		User:         bot.UserRef{ExternalID: in.From.ID, DisplayName: in.From.Name, TimeZone: in.LocalTimezone},
		Kind:         kind,
		Channel:      ch,
	}
}

// onMessage handles a message: a card's Action.Submit (button or form),
// a plain reply in the 1:1 chat, or a command after @smart90 in a channel.
func (a *Adapter) onMessage(ctx context.Context, key string, inst *bot.Installation, in *inbound) outcome {
	var ev bot.Event
	if len(in.Value) > 0 {
		s, ok := ParseSubmission(in.Value)
		if !ok {
			a.settle(ctx, key, nil)
			return handled
		}
		ev = a.submission(in, s)
	} else {
		kind := bot.EventCommand
		if in.personal() {
			kind = bot.EventMessage
		}
		ev = a.event(in, kind)
		ev.Text, ev.Mentions = commandText(in)
		if ev.Text == "" {
			a.settle(ctx, key, nil)
			return handled
		}
		var ok bool
		if ev.Text, ok = here(ev.Text, in); !ok {
			a.after(func(ctx context.Context) {
				a.reply(ctx, inst, in, []bot.Message{{Text: "In Teams, type `@smart90 digest here` in the channel the digest should go to, or `digest dm` for a direct message.", Ephemeral: true}})
			})
			a.settle(ctx, key, nil)
			return handled
		}
		a.learnMentioned(ctx, inst, in)
	}
	return a.handleThenReply(ctx, key, inst, in, ev)
}

// learnMentioned keeps the Entra object id of the people a command in a
// team mentions, when the app may install itself for them through Graph
// (it needs that id): from the mention, or asked of the team's roster.
func (a *Adapter) learnMentioned(ctx context.Context, inst *bot.Installation, in *inbound) {
	if !a.msgr.installsApps() || in.personal() {
		return
	}
	for _, m := range in.mentions {
		id := m.Mentioned.ID
		if id == in.Recipient.ID || !strings.HasPrefix(id, "29:") {
			continue
		}
		ref, ok, err := a.refs.get(ctx, inst.ID, personKey(id))
		if err != nil || ok && ref.AADObjectID != "" {
			continue
		}
		aad := m.Mentioned.AadObjectID
		if aad == "" {
			var err error
			if aad, err = a.msgr.memberObjectID(ctx, in.ServiceURL, cmp.Or(in.team, in.channel), id); err != nil {
				a.log.WarnContext(ctx, "teams: look up a mentioned person", "err", err)
				continue
			}
		}
		if !ok {
			ref = &reference{ServiceURL: in.ServiceURL, TenantID: in.tenant, BotID: in.Recipient.ID, BotName: in.Recipient.Name, UserID: id}
		}
		ref.AADObjectID = aad // all else as stored: a chat, a removal
		if err := a.refs.put(ctx, inst.ID, personKey(id), ref); err != nil {
			a.log.WarnContext(ctx, "teams: keep a mentioned person's id", "err", err)
		}
	}
}

// submission is the core event for a card action.
func (a *Adapter) submission(in *inbound, s Submission) bot.Event {
	ev := a.event(in, bot.EventAction)
	ev.ActionID, ev.Value = s.ID, s.Value
	if s.Form {
		ev.Kind, ev.ActionID, ev.FormID, ev.Values = bot.EventForm, "", s.ID, s.Values
	}
	return ev
}

// handle runs the core. Its replies already say what went wrong in plain
// words; its error is non-nil only for an internal failure (the store),
// which the core logged and after which the activity must not be
// acknowledged as handled.
func (a *Adapter) handle(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
	return a.cfg.Handler.Handle(ctx, ev)
}
