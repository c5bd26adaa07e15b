package slack

import (
	"cmp"
	"regexp"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/smart90/smart90/bot"
)

// The translations below turn Slack payloads into core events. They are
// pure, so both connection modes (Socket Mode and HTTP) share them and the
// tests feed them the published payloads.

// markup matches what Slack itself writes between < and > in a message's
// or an escaped slash command's text (the manifest sets should_escape;
// what people type comes as &lt; and &gt;): a mention (<@U123|ana>,
// <@U123>), a channel (<#C123|coaching>), a special command (<!here>,
// <!subteam^S1|@team>, <!date^…|fallback>) or a link (<https://…|label>,
// <mailto:…>). Groups: 1 "@" or "#" and 2 the id; 3 "!" and 4 the command;
// 5 the link; 6 the label.
var markup = regexp.MustCompile(`<(?:([@#])([UWC][A-Z0-9]+)|(!)([^|<>]*)|([a-zA-Z][a-zA-Z0-9+.-]*:[^|<>\s]*))(?:\|([^<>]*))?>`)

// normalize rewrites Slack's mentions and channels to the core's <@ID>
// and <#ID>, and returns what the text tells of each mentioned user.
// Everything else becomes what the person wrote, as text (see typedText):
// a link its address (after its label, when it has one), a special
// command its words (@here, @team), so that none is a command or a
// disguised link where the text is shown again.
func normalize(text string) (string, map[string]bot.UserRef) {
	var mentions map[string]bot.UserRef
	var b strings.Builder
	last := 0
	group := func(loc []int, i int) string {
		if loc[2*i] < 0 {
			return ""
		}
		return text[loc[2*i]:loc[2*i+1]]
	}
	for _, loc := range markup.FindAllStringSubmatchIndex(text, -1) {
		b.WriteString(typedText(text[last:loc[0]]))
		last = loc[1]
		kind, id, label := group(loc, 1), group(loc, 2), typedText(group(loc, 6))
		switch {
		case kind != "":
			if kind == "@" {
				if mentions == nil {
					mentions = map[string]bot.UserRef{}
				}
				mentions[id] = bot.UserRef{ExternalID: id, DisplayName: group(loc, 6)}
			}
			b.WriteString("<" + kind + id + ">")
		case group(loc, 3) != "":
			command, _, _ := strings.Cut(group(loc, 4), "^")
			b.WriteString(cmp.Or(label, "@"+typedText(command)))
		default:
			link := typedText(group(loc, 5))
			bare := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(link, "mailto:"), "https://"), "http://")
			if label == "" || label == link || label == bare {
				b.WriteString(cmp.Or(label, link))
			} else {
				b.WriteString(label + " (" + link + ")")
			}
		}
	}
	b.WriteString(typedText(text[last:]))
	return strings.TrimSpace(b.String()), mentions
}

// typedText is text as the person typed it: Slack sends &, < and > as
// &amp;, &lt; and &gt;. A typed "<@" or "<#" loses its "<" (bot.Disarm),
// so that only a mention Slack made reads as one to the core.
func typedText(s string) string {
	return bot.Disarm(strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s))
}

// commandEvent translates a /smart90 slash command.
func commandEvent(c slack.SlashCommand) bot.Event {
	text, mentions := normalize(c.Text)
	return bot.Event{
		Platform:     bot.PlatformSlack,
		Installation: c.TeamID,
		User:         bot.UserRef{ExternalID: c.UserID, DisplayName: c.UserName},
		Kind:         bot.EventCommand,
		Text:         text,
		Mentions:     mentions,
		// No Channel, wherever it was typed: Slack shows a slash
		// command to nobody else and smart90 answers it ephemerally, so
		// what the core keeps out of channels (a token shown once, a
		// secret calendar or webhook address) may be given through it.
	}
}

// messageEvent translates a direct message to the bot; ok is false for
// what is not a person's own new message (bot posts, edits, joins…), which
// must be ignored, or the bot would answer itself.
func messageEvent(teamID string, m *slackevents.MessageEvent) (bot.Event, bool) {
	if m.ChannelType != "im" || m.BotID != "" || m.SubType != "" || m.User == "" || m.ThreadTimeStamp != "" && m.ThreadTimeStamp != m.TimeStamp {
		return bot.Event{}, false
	}
	text, mentions := normalize(m.Text)
	return bot.Event{
		Platform:     bot.PlatformSlack,
		Installation: teamID,
		User:         bot.UserRef{ExternalID: m.User},
		Kind:         bot.EventMessage,
		Text:         text,
		Mentions:     mentions,
	}, true
}

// actionEvent translates the first action of a block_actions payload (a
// button press); ok is false when there is none.
func actionEvent(cb *slack.InteractionCallback) (bot.Event, bool) {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return bot.Event{}, false
	}
	a := cb.ActionCallback.BlockActions[0]
	return bot.Event{
		Platform:     bot.PlatformSlack,
		Installation: teamOf(cb),
		User:         bot.UserRef{ExternalID: cb.User.ID, DisplayName: cb.User.Name},
		Kind:         bot.EventAction,
		ActionID:     a.ActionID,
		Value:        a.Value,
		Channel:      cb.Channel.ID,
	}, true
}

// formEvent translates a view_submission: the modal's callback id is the
// core's form id, its private metadata the form's target value.
func formEvent(cb *slack.InteractionCallback) bot.Event {
	return bot.Event{
		Platform:     bot.PlatformSlack,
		Installation: teamOf(cb),
		User:         bot.UserRef{ExternalID: cb.User.ID, DisplayName: cb.User.Name},
		Kind:         bot.EventForm,
		FormID:       cb.View.CallbackID,
		Value:        cb.View.PrivateMetadata,
		Values:       FormValues(cb.View.State),
	}
}

// teamOf is the workspace of an interaction: the team, or the user's team
// in payloads that carry only that.
func teamOf(cb *slack.InteractionCallback) string {
	if cb.Team.ID != "" {
		return cb.Team.ID
	}
	return cb.User.TeamID
}
