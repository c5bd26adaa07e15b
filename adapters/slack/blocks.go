package slack

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
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

// Modal renders f as a modal for views.open: one input block per field, its
// action_id the field's ID (which FormValues gives back) and its block_id
// the ID too, made unique. Title and button labels are shortened to 24
// characters; callbackID and privateMetadata are cut to Slack's 255 and
// 3,000, so keep them short. A form over 100 fields loses the rest.
//
// A time-zone field is an external select: Slack sends what the person
// types to the app's options load URL (a block_suggestion), answered with
// TimeZoneOptions. It is the only external select smart90 renders.
func Modal(f bot.Form, callbackID, privateMetadata string) slack.ModalViewRequest {
	var blocks []slack.Block
	used := map[string]bool{}
	for _, fd := range f.Fields[:min(len(f.Fields), maxModalBlocks)] {
		blockID := clip(fd.ID, maxID)
		for n := 2; blockID != "" && used[blockID]; n++ {
			suffix := "-" + strconv.Itoa(n)
			blockID = clip(fd.ID, maxID-len(suffix)) + suffix
		}
		used[blockID] = true
		blocks = append(blocks, input(fd, blockID))
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(shorten(cmp.Or(strings.TrimSpace(f.Title), "smart90"), maxTitle)),
		Submit:          plain(shorten(cmp.Or(strings.TrimSpace(f.SubmitLabel), "Submit"), maxTitle)),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		CallbackID:      clip(callbackID, maxID),
		PrivateMetadata: clip(privateMetadata, maxMetadata),
	}
}

// input renders one field as an input block.
func input(fd bot.Field, blockID string) *slack.InputBlock {
	var placeholder, hint *slack.TextBlockObject
	if h := strings.TrimSpace(fd.Hint); h != "" {
		if textLen(h) <= maxPlaceholder {
			placeholder = plain(h)
		} else {
			hint = plain(shorten(h, maxLabel))
		}
	}
	id := clip(fd.ID, maxID)
	var el slack.BlockElement
	switch fd.Kind {
	case bot.FieldLongText:
		el = textInput(fd, id, placeholder, true)
	case bot.FieldNumber:
		el = numberInput(fd, id, placeholder)
	case bot.FieldChoice:
		el = choice(fd, id, placeholder)
	case bot.FieldDate:
		d := slack.NewDatePickerBlockElement(id)
		d.Placeholder = placeholder
		if _, err := time.Parse(time.DateOnly, fd.Initial); err == nil {
			d.InitialDate = fd.Initial
		}
		el = d
	case bot.FieldTimeZone:
		s := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal,
			cmp.Or(placeholder, plain("Type a city, e.g. Paris")), id)
		s.MinQueryLength = new(1)
		if z := strings.TrimSpace(fd.Initial); z != "" {
			s.InitialOption = option(z, z)
		}
		el = s
	default: // FieldText, and a kind this adapter does not know yet
		el = textInput(fd, id, placeholder, false)
	}
	block := slack.NewInputBlock(blockID, plain(shorten(cmp.Or(strings.TrimSpace(fd.Label), fd.ID, "Answer"), maxLabel)), hint, el)
	block.Optional = fd.Optional
	return block
}

// textInput is a plain_text_input. Its max_length grows to fit an Initial
// value longer than MaxLen, so an old answer still opens for editing; the
// core checks the length of what is submitted.
func textInput(fd bot.Field, id string, placeholder *slack.TextBlockObject, multiline bool) *slack.PlainTextInputBlockElement {
	t := slack.NewPlainTextInputBlockElement(placeholder, id)
	t.Multiline = multiline
	t.InitialValue = clip(fd.Initial, maxInputLen)
	if fd.MaxLen > 0 {
		t.MaxLength = min(max(fd.MaxLen, textLen(t.InitialValue)), maxInputLen)
	}
	return t
}

// numberInput is an integer number_input within Min..Max when they are
// set. An Initial value that is not such a number is left out, since Slack
// would refuse the whole view for it.
func numberInput(fd bot.Field, id string, placeholder *slack.TextBlockObject) *slack.NumberInputBlockElement {
	n := slack.NewNumberInputBlockElement(placeholder, id, false)
	bounded := (fd.Min != 0 || fd.Max != 0) && fd.Min <= fd.Max
	if bounded {
		n.MinValue, n.MaxValue = strconv.Itoa(fd.Min), strconv.Itoa(fd.Max)
	}
	if v, err := strconv.Atoi(strings.TrimSpace(fd.Initial)); err == nil && (!bounded || fd.Min <= v && v <= fd.Max) {
		n.InitialValue = strconv.Itoa(v)
	}
	return n
}

// choice is a static_select of the field's options (the first 100), with
// Initial selected when it is one of them. Without options it is a text
// input, since Slack refuses an empty select.
func choice(fd bot.Field, id string, placeholder *slack.TextBlockObject) slack.BlockElement {
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, o := range fd.Options {
		if o.Value == "" || len(opts) == maxOptions {
			continue
		}
		opt := option(clip(o.Value, maxOptionValue), cmp.Or(strings.TrimSpace(o.Label), o.Value))
		if initial == nil && o.Value == fd.Initial {
			initial = opt
		}
		opts = append(opts, opt)
	}
	if len(opts) == 0 {
		return textInput(fd, id, placeholder, false)
	}
	s := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, cmp.Or(placeholder, plain("Choose")), id, opts...)
	s.InitialOption = initial
	return s
}

// option is a select option showing label and submitting value.
func option(value, label string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, plain(shorten(label, maxOptionText)), nil)
}

// FormValues reads a view_submission's state into field ID → value, as
// bot.Event.Values wants it: typed text or number, the selected option's
// value (static or external select), the selected date. A field left empty
// maps to "". Keys are action ids, which Modal sets to the field IDs.
func FormValues(state *slack.ViewState) map[string]string {
	values := map[string]string{}
	if state == nil {
		return values
	}
	// Blocks in sorted order, so that a repeated action id resolves the
	// same way every time.
	for _, blockID := range slices.Sorted(maps.Keys(state.Values)) {
		for actionID, a := range state.Values[blockID] {
			values[actionID] = actionValue(a)
		}
	}
	return values
}

// actionValue is the value of one input's state.
func actionValue(a slack.BlockAction) string {
	switch a.Type {
	case "plain_text_input", "number_input", "email_text_input", "url_text_input":
		return a.Value
	case "static_select", "external_select", "radio_buttons":
		return a.SelectedOption.Value
	case "datepicker":
		return a.SelectedDate
	case "timepicker":
		return a.SelectedTime
	}
	return cmp.Or(a.Value, a.SelectedOption.Value, a.SelectedDate, a.SelectedTime)
}

// TimeZoneOptions answers a time-zone field's type-ahead (a
// block_suggestion): at most limit IANA zones (and never over Slack's 100)
// whose name contains query, ignoring case, with spaces read as "_" ("new
// york" finds America/New_York). Best first: the city is the query
// ("paris" → Europe/Paris), then starts with it, then a word of the name
// does ("york"), then the rest; alphabetical within each.
func TimeZoneOptions(query string, limit int) []*slack.OptionBlockObject {
	limit = min(limit, maxOptions)
	if limit <= 0 {
		return nil
	}
	q := strings.ToLower(strings.Join(strings.Fields(query), "_"))
	var ranked [4][]string
	for name := range strings.FieldsSeq(timeZoneNames) {
		if r, ok := zoneRank(strings.ToLower(name), q); ok {
			ranked[r] = append(ranked[r], name)
		}
	}
	var opts []*slack.OptionBlockObject
	for _, names := range ranked {
		for _, name := range names {
			if len(opts) == limit {
				return opts
			}
			opts = append(opts, option(name, name))
		}
	}
	return opts
}

// zoneRank reports whether the lower-case zone name matches the lower-case
// query q, and how well: 0 best, 3 worst.
func zoneRank(name, q string) (rank int, ok bool) {
	city := name[strings.LastIndexByte(name, '/')+1:]
	switch {
	case city == q || name == q:
		return 0, true
	case strings.HasPrefix(city, q):
		return 1, true
	case strings.HasPrefix(name, q) || slices.ContainsFunc(strings.FieldsFunc(name, isZoneSep), func(w string) bool {
		return strings.HasPrefix(w, q)
	}):
		return 2, true
	case strings.Contains(name, q):
		return 3, true
	}
	return 0, false
}

// isZoneSep reports whether r separates the words of a zone name.
func isZoneSep(r rune) bool { return r == '/' || r == '_' || r == '-' }
