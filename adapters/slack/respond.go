package slack

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/bot"
)

// What goes back through the Web API rather than in the answer: replies in
// the DM, modals, the home tab.

// HomeProvider is implemented by a core that has a home tab (bot.Bot).
type HomeProvider interface {
	Home(ctx context.Context, ev bot.Event) (bot.Message, error)
}

// publishHome renders the person's App Home tab (views.publish).
func (a *Adapter) publishHome(ctx context.Context, team, user string) {
	hp, ok := a.cfg.Handler.(HomeProvider)
	if !ok {
		return
	}
	ev := bot.Event{Platform: bot.PlatformSlack, Installation: team, User: bot.UserRef{ExternalID: user}}
	m, err := hp.Home(ctx, ev)
	if err != nil {
		m = bot.Message{Text: bot.ErrorMessage(err)}
	}
	inst, err := a.installation(ctx, team)
	if err != nil {
		a.log.WarnContext(ctx, "home tab: load installation", "team", team, "err", err)
		return
	}
	api, err := a.cfg.Messenger.client(inst)
	if err != nil {
		return
	}
	_, blocks := Blocks(m)
	req := slack.PublishViewContextRequest{UserID: user, View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}}
	if _, err := api.PublishViewContext(ctx, req); err != nil {
		a.log.WarnContext(ctx, "views.publish", "team", team, "user", user, "err", classify("views.publish", err))
	}
}

// openModal opens f as a modal for the person who acted in ev, with the
// installation the core read (inst; nil reads it).
func (a *Adapter) openModal(ctx context.Context, ev bot.Event, inst *bot.Installation, triggerID string, f *bot.Form) {
	inst, err := a.eventInstallation(ctx, ev, inst)
	if err != nil {
		a.log.ErrorContext(ctx, "open modal: load installation", "team", ev.Installation, "err", err)
		return
	}
	api, err := a.cfg.Messenger.client(inst)
	if err != nil {
		a.log.ErrorContext(ctx, "open modal", "team", ev.Installation, "err", err)
		return
	}
	if _, err := api.OpenViewContext(ctx, triggerID, Modal(*f, f.FormID, f.Value)); err != nil {
		a.log.WarnContext(ctx, "views.open", "team", ev.Installation, "err", classify("views.open", err))
	}
}

// reply sends the core's replies to the person who acted, in their DM,
// with the installation the core read (inst; nil reads it).
func (a *Adapter) reply(ctx context.Context, ev bot.Event, inst *bot.Installation, replies []bot.Message) {
	if len(replies) == 0 {
		return
	}
	inst, err := a.eventInstallation(ctx, ev, inst)
	if err != nil {
		a.log.ErrorContext(ctx, "reply: load installation", "team", ev.Installation, "err", err)
		return
	}
	for _, m := range replies {
		if _, err := a.cfg.Messenger.Send(ctx, bot.Destination{Installation: inst, UserID: ev.User.ExternalID}, m); err != nil {
			a.log.WarnContext(ctx, "reply", "team", ev.Installation, "user", ev.User.ExternalID, "err", err)
		}
	}
}

// tellLost asks the person to send the message of e again.
func (a *Adapter) tellLost(ctx context.Context, e bot.Event) {
	inst, err := a.installation(ctx, e.Installation)
	if err != nil {
		// The store is down: a configured token (one workspace) still
		// reaches the person.
		inst = &bot.Installation{Platform: bot.PlatformSlack, ExternalID: e.Installation, Status: bot.InstallationActive}
	}
	if _, err := a.cfg.Messenger.Send(ctx, bot.Destination{Installation: inst, UserID: e.User.ExternalID}, bot.Message{Text: lostMessage}); err != nil {
		a.log.WarnContext(ctx, "ask to send a lost message again", "team", e.Installation, "user", e.User.ExternalID, "err", err)
	}
}

func (a *Adapter) installation(ctx context.Context, team string) (*bot.Installation, error) {
	return a.cfg.Store.InstallationByExternalID(ctx, bot.PlatformSlack, team)
}

// eventInstallation is ev's installation: inst, the one the core read for
// it, else (the core failed before it read one) read now.
func (a *Adapter) eventInstallation(ctx context.Context, ev bot.Event, inst *bot.Installation) (*bot.Installation, error) {
	if inst != nil && inst.Platform == bot.PlatformSlack && inst.ExternalID == ev.Installation {
		return inst, nil
	}
	return a.installation(ctx, ev.Installation)
}
