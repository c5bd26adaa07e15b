package slack

import (
	"cmp"
	"regexp"
	"strings"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/bot"
)

// Slack's Block Kit limits. Rendering never exceeds them and never fails:
// long text is split, long labels are shortened with "…", identifiers are
// cut, and what cannot fit at all is left out.
const (
	maxText        = 3000 // a section's text object
	maxBlocks      = 50   // blocks in one message
	maxModalBlocks = 100  // blocks in one view
	maxElements    = 25   // elements in one actions block
	maxButtonText  = 75
	maxButtonValue = 2000
	maxID          = 255 // action_id, block_id, callback_id
	maxMetadata    = 3000
	maxTitle       = 24 // a modal's title, submit and close labels
	maxLabel       = 2000
	maxPlaceholder = 150
	maxOptions     = 100 // options in a select, or in a block_suggestion reply
	maxOptionText  = 75
	maxOptionValue = 150
	maxInputLen    = 3000 // a plain_text_input's max_length
	maxFallback    = 150  // the notification text; Slack allows more, phones show less
)

// Rendered is one Slack message: Text is the plain fallback shown in
// notifications, Blocks what the message shows.
type Rendered struct {
	Text   string
	Blocks []slack.Block
}

// Split renders m as Block Kit, as many messages as Slack's 50-block limit
// needs, to be posted in order: Text and Sections as mrkdwn sections (long
// text split on paragraph, line, then word boundaries), then Buttons as
// actions blocks, all on the last message. It returns nil for a message
// with nothing to show: Files are uploaded, Form opens from a button
// (Modal), and Ephemeral is the sender's choice of API.
func Split(m bot.Message) []Rendered {
	content, actions := render(m)
	var parts [][]slack.Block
	for len(content) > 0 {
		n := min(len(content), maxBlocks)
		if n == len(content) && n+len(actions) > maxBlocks && n > 1 && len(actions) < maxBlocks {
			// Keep a block of text with the buttons, so they are not
			// posted alone.
			n--
		}
		parts = append(parts, content[:n:n])
		content = content[n:]
	}
	if len(parts) > 0 && len(parts[len(parts)-1])+len(actions) <= maxBlocks {
		last := &parts[len(parts)-1]
		*last = append(*last, actions...)
		actions = nil
	}
	for len(actions) > 0 {
		n := min(len(actions), maxBlocks)
		parts = append(parts, actions[:n:n])
		actions = actions[n:]
	}
	out := make([]Rendered, len(parts))
	for i, p := range parts {
		out[i] = Rendered{Text: fallback(p), Blocks: p}
	}
	return out
}

// Blocks renders m as one Slack message, for the places where only one
// fits (a reply that replaces the message whose button was pressed). It
// shows what Split would spread over several messages, except that a
// message over 50 blocks loses its last sections to a note saying so; the
// buttons are kept. text is the notification fallback: the start of the
// text, or the button labels; it is "" only when blocks is empty too.
func Blocks(m bot.Message) (text string, blocks []slack.Block) {
	content, actions := render(m)
	if len(content)+len(actions) > maxBlocks {
		actions = actions[:min(len(actions), maxBlocks-1)]
		keep := max(maxBlocks-1-len(actions), 0)
		content = append(content[:keep:keep], slack.NewContextBlock("",
			slack.NewTextBlockObject(slack.MarkdownType, "_… shortened: the rest does not fit in one Slack message._", false, false)))
	}
	blocks = append(content, actions...)
	return fallback(blocks), blocks
}

// render returns m's text as section blocks and its buttons as actions
// blocks.
func render(m bot.Message) (content, actions []slack.Block) {
	for _, s := range append([]string{m.Text}, m.Sections...) {
		for _, chunk := range splitText(mrkdwn(s), maxText) {
			content = append(content, section(chunk))
		}
	}
	return content, actionBlocks(m.Buttons)
}

// mrkdwn renders a text of the core as Slack's mrkdwn: the references the
// core made (bot.Spans) become Slack's mentions and channel links, and
// everything else — the core's words and what people typed, such as an
// answer quoted in a digest — is escaped as Slack asks (&, <, >), so no
// typed "<!channel>", "<@U…>", "<#C…>" or "<https://…|disguise>" is more
// than text. The core's *bold*, _italic_, `code` and bullets need no
// escaping. A reference whose id is not a Slack id is shown as text.
func mrkdwn(s string) string {
	var b strings.Builder
	for sp := range bot.Spans(s) {
		switch {
		case sp.Ref != bot.RefNone && slackID.MatchString(sp.ID):
			b.WriteString("<" + string(sp.Ref) + sp.ID + ">")
		case sp.Ref != bot.RefNone:
			b.WriteString(escapeText(string(sp.Ref) + sp.ID))
		default:
			b.WriteString(escapeText(sp.Text))
		}
	}
	return b.String()
}

// slackID matches Slack's ids of users, bots and conversations.
var slackID = regexp.MustCompile(`^[A-Z0-9]+$`)

// escapeText escapes the three characters Slack's mrkdwn gives meaning to.
var escapeText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// section is a section block of mrkdwn. It is verbatim: smart90 writes its
// links and mentions explicitly (<@U123>, <#C123>), and what a person typed
// (a check-in answer quoted in a digest) must not become an @here or a
// link that Slack guessed.
func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), nil, nil)
}

// actionBlocks lays out buttons in actions blocks of at most 25, starting a
// new block when an action id repeats, since Slack wants action ids unique
// within a block and the core may offer one action for several values.
func actionBlocks(buttons []bot.Button) []slack.Block {
	var (
		blocks []slack.Block
		row    []slack.BlockElement
		ids    = map[string]bool{}
	)
	flush := func() {
		if len(row) > 0 {
			blocks = append(blocks, slack.NewActionBlock("", row...))
		}
		row = nil
		clear(ids)
	}
	for _, b := range buttons {
		id := clip(b.ActionID, maxID)
		if len(row) == maxElements || id != "" && ids[id] {
			flush()
		}
		ids[id] = true
		label := cmp.Or(strings.TrimSpace(b.Label), b.ActionID, "Open")
		btn := slack.NewButtonBlockElement(id, clip(b.Value, maxButtonValue), plain(shorten(label, maxButtonText)))
		switch b.Style {
		case bot.StylePrimary:
			btn.Style = slack.StylePrimary
		case bot.StyleDanger:
			btn.Style = slack.StyleDanger
		}
		row = append(row, btn)
	}
	flush()
	return blocks
}

// fallback is the notification text for blocks: the start of the first
// section's text on one line, else the button labels.
func fallback(blocks []slack.Block) string {
	var labels []string
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				return shortenLine(b.Text.Text, maxFallback)
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					labels = append(labels, btn.Text.Text)
				}
			}
		}
	}
	return shortenLine(strings.Join(labels, " · "), maxFallback)
}

// shortenLine puts s on one line and shortens it to max characters at a
// word boundary, never inside a <…> mention or link.
func shortenLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if textLen(s) <= max {
		return s
	}
	cut := s[:prefixLen(s, max-1)]
	cut = cut[:unbroken(cut)]
	if sp := strings.LastIndexByte(cut, ' '); sp > len(cut)/2 {
		cut = cut[:sp]
	}
	return strings.TrimRight(cut, " ") + "…"
}

// splitText cuts s into pieces of at most max characters that, joined, give
// s back: at the last paragraph break, else line break, else space that
// leaves a piece at least half full, else anywhere between two runes.
// Pieces that are only white space are dropped, since Slack rejects them.
func splitText(s string, max int) []string {
	var out []string
	for s != "" {
		n := len(s)
		if textLen(s) > max {
			n = cutPoint(s[:prefixLen(s, max)])
		}
		if strings.TrimSpace(s[:n]) != "" {
			out = append(out, s[:n])
		}
		s = s[n:]
	}
	return out
}

// cutPoint returns where to end the first piece of a text whose first
// max characters are window: just after a separator past its middle, the
// separator staying with the piece before, or else the whole window.
func cutPoint(window string) int {
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(window, sep); i >= 0 && i+len(sep) > len(window)/2 {
			return i + len(sep)
		}
	}
	if n := unbroken(window); n > 0 {
		return n
	}
	return len(window)
}

// unbroken returns the length of the longest prefix of mrkdwn s that does
// not end inside a mention (<@U1>) or an entity (&lt;), where a cut would
// show the broken pieces.
func unbroken(s string) int {
	if i := strings.LastIndexAny(s, "<&"); i >= 0 && !strings.ContainsAny(s[i:], ">;") {
		return i
	}
	return len(s)
}

// textLen is s's length as Slack counts characters. Counting UTF-16 code
// units errs on the safe side: an emoji outside the Basic Multilingual
// Plane counts two.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// prefixLen returns the length in bytes of s's longest prefix of at most
// max characters (as textLen counts them) that ends between runes.
func prefixLen(s string, max int) int {
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > max {
			return i
		}
		n += w
	}
	return len(s)
}

// shorten returns s, or its start and "…" when it is over max characters;
// for labels people read.
func shorten(s string, max int) string {
	if textLen(s) <= max {
		return s
	}
	return strings.TrimRightFunc(s[:prefixLen(s, max-1)], unicode.IsSpace) + "…"
}

// clip returns at most max characters of s; for identifiers and values
// people do not read.
func clip(s string, max int) string {
	return s[:prefixLen(s, max)]
}

// plain is a plain_text object, showing :emoji: codes. Slack shows plain
// text as it is, mentions included, so a reference there is its bare token.
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, bot.StripRefMarks(s), true, false)
}
