package teams

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/smart90/smart90/bot"
)

// atTag matches a mention in a message's text.
var atTag = regexp.MustCompile(`<at>(.*?)</at>`)

// commandText is the message's text with the bot's own mention removed
// and every other mention written as the core's <@ID>, with what the
// entities say of each mentioned person. Teams sends the text with HTML
// entities, its transport, which are decoded here; what the person typed
// is kept as text (escaping for display happens on the way out) but
// cannot become a mention or a channel: only an entity can, and a typed
// "<@…>" or "<#…>" loses its "<" (bot.Disarm). A leading "/smart90" is
// dropped as Slack users type it.
func commandText(in *inbound) (string, map[string]bot.UserRef) {
	var mentions map[string]bot.UserRef
	var found []string // the mentions' ids, by placeholder
	// NUL stands for a mention below: typed, it is nothing.
	text := atTag.ReplaceAllStringFunc(strings.ReplaceAll(in.Text, "\x00", ""), func(tag string) string {
		inner := atTag.FindStringSubmatch(tag)[1]
		for _, m := range in.mentions {
			name := strings.TrimPrefix(m.Mentioned.Name, "@")
			if m.Text != tag && strings.TrimPrefix(inner, "@") != name {
				continue
			}
			if m.Mentioned.ID == in.Recipient.ID {
				return ""
			}
			if mentions == nil {
				mentions = map[string]bot.UserRef{}
			}
			mentions[m.Mentioned.ID] = bot.UserRef{ExternalID: m.Mentioned.ID, DisplayName: name}
			found = append(found, m.Mentioned.ID)
			return fmt.Sprintf(" \x00%d\x00 ", len(found)-1)
		}
		return inner
	})
	text = html.UnescapeString(strings.ReplaceAll(text, "&nbsp;", " "))
	text = bot.Disarm(text)
	text = placeholder.ReplaceAllStringFunc(text, func(p string) string {
		i, err := strconv.Atoi(strings.Trim(p, "\x00"))
		if err != nil || i >= len(found) {
			return "" // typed, not ours
		}
		return "<@" + found[i] + ">"
	})
	text = strings.Join(strings.Fields(text), " ")
	if w, rest, _ := strings.Cut(text, " "); strings.EqualFold(w, "/smart90") {
		text = rest
	}
	return text, mentions
}

// placeholder stands for a real mention while the text is unescaped.
var placeholder = regexp.MustCompile("\x00[0-9]+\x00")

// here turns "digest here" into the channel it was typed in (or the 1:1
// chat): Teams has no channel links to type. ok is false for "digest"
// with any other channel, which Teams cannot name.
func here(text string, in *inbound) (string, bool) {
	word, rest, _ := strings.Cut(text, " ")
	if !strings.EqualFold(word, "digest") {
		return text, true
	}
	switch arg := strings.ToLower(strings.TrimSpace(rest)); {
	case arg == "here" && (in.personal() || in.channel == ""):
		return "digest dm", true
	case arg == "here":
		return fmt.Sprintf("digest <#%s>", in.channel), true
	case arg == "dm" || arg == "":
		return text, true
	}
	return text, false
}
