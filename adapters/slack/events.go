package slack

import (
	"regexp"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/smart90/smart90/bot"
)

// The translations below turn Slack payloads into core events. They are
// pure, so both connection modes (Socket Mode and HTTP) share them and the
// tests feed them the published payloads.

// escaped matches Slack's escaped mentions and channel links in a slash
// command's text (the manifest sets should_escape): <@U123|ana>,
// <@U123>, <#C123|coaching>, <#C123>.
var escaped = regexp.MustCompile(`<([@#])([UWC][A-Z0-9]+)(?:\|([^>]*))?>`)

// normalize rewrites escaped mentions and channels to the core's <@ID> and
// <#ID>, and returns what the text tells of each mentioned user. The rest
// is what the person typed, unescaped (see typedText).
func normalize(text string) (string, map[string]bot.UserRef) {
	var mentions map[string]bot.UserRef
	var b strings.Builder
	last := 0
	for _, loc := range escaped.FindAllStringSubmatchIndex(text, -1) {
		b.WriteString(typedText(text[last:loc[0]]))
		kind, id := text[loc[2]:loc[3]], text[loc[4]:loc[5]]
		if kind == "@" {
			if mentions == nil {
				mentions = map[string]bot.UserRef{}
			}
			name := ""
			if loc[6] >= 0 {
				name = text[loc[6]:loc[7]]
			}
			mentions[id] = bot.UserRef{ExternalID: id, DisplayName: name}
		}
		b.WriteString("<" + kind + id + ">")
		last = loc[1]
	}
	b.WriteString(typedText(text[last:]))
	return strings.TrimSpace(b.String()), mentions
}

// typedText is text as the person typed it: Slack sends &, < and > as
// &amp;, &lt; and &gt;. A typed "<@" or "<#" loses its "<", so that only
// a mention Slack made reads as one to the core.
func typedText(s string) string {
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return typedRef.ReplaceAllString(s, "$1")
}

// typedRef is a typed "<" (or several) before "@" or "#".
var typedRef = regexp.MustCompile(`<+([@#])`)

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
		Channel:      c.ChannelID,
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
