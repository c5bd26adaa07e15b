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
	a.enrich(ctx, &ev)
	m, err := hp.Home(ctx, ev)
	if err != nil {
		m = bot.Message{Text: bot.ErrorMessage(err)}
	}
	inst, err := a.eventInstallation(ctx, ev)
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

func (a *Adapter) openModal(ctx context.Context, ev bot.Event, triggerID string, f *bot.Form) {
	inst, err := a.eventInstallation(ctx, ev)
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

// reply sends the core's replies to the person who acted, in their DM.
func (a *Adapter) reply(ctx context.Context, ev bot.Event, replies []bot.Message) {
	if len(replies) == 0 {
		return
	}
	inst, err := a.eventInstallation(ctx, ev)
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
	inst, err := a.eventInstallation(ctx, e)
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

// eventInstallation is ev's installation: the one enrich read for this
// event, else (the core created it just now, or the read failed) read
// again.
func (a *Adapter) eventInstallation(ctx context.Context, ev bot.Event) (*bot.Installation, error) {
	if ev.Stored != nil && ev.Stored.ExternalID == ev.Installation {
		return ev.Stored, nil
	}
	return a.installation(ctx, ev.Installation)
}
