package teams

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// ContentTypeCard is the attachment content type of an Adaptive Card.
const ContentTypeCard = "application/vnd.microsoft.card.adaptive"

// contentTypeMessage is the type of an adaptiveCard/action invoke response
// whose value is a text for the client to show.
const contentTypeMessage = "application/vnd.microsoft.activity.message"

const (
	cardVersion = "1.5" // Universal Actions (Action.Execute) need 1.5 in Teams
	cardSchema  = "http://adaptivecards.io/schemas/adaptive-card.json"
	// maxCardJSON bounds one card's JSON as encoding/json writes it (with
	// <, > and & escaped, so never less than what is sent). Teams refuses
	// a bot message over about 28 KB; this leaves room for the activity
	// around the card.
	maxCardJSON = 24_000
	// maxPieceJSON bounds one block of text, so that a card always has
	// room for it next to the form and buttons; longer text is split.
	maxPieceJSON = 8_000
	// maxPreview is the largest text file shown inside its card.
	maxPreview = 20 << 10
)

// Names resolves the ids in a message's mentions and channel links (the
// core's references, bot.Spans) to display names; missing ids are shown
// generically.
type Names map[string]string

// The card's JSON. Every element of a body is one of these structs, so the
// JSON is the same for the same message (tests compare it) and its size can
// be counted piece by piece.
type (
	adaptiveCard struct {
		Type    string    `json:"type"`
		Schema  string    `json:"$schema"`
		Version string    `json:"version"`
		Body    []any     `json:"body"`
		MSTeams cardTeams `json:"msteams"`
	}
	cardTeams struct {
		Width    string        `json:"width"`
		Entities []cardMention `json:"entities,omitempty"`
	}
	cardMention struct {
		Type      string        `json:"type"`
		Text      string        `json:"text"`
		Mentioned cardMentioned `json:"mentioned"`
	}
	cardMentioned struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	// shownCard is the card an Action.ShowCard opens.
	shownCard struct {
		Type string `json:"type"`
		Body []any  `json:"body"`
	}
	cardText struct {
		Type      string `json:"type"`
		Text      string `json:"text"`
		Wrap      bool   `json:"wrap"`
		Weight    string `json:"weight,omitempty"`
		Size      string `json:"size,omitempty"`
		FontType  string `json:"fontType,omitempty"`
		Spacing   string `json:"spacing,omitempty"`
		Separator bool   `json:"separator,omitempty"`
	}
	cardContainer struct {
		Type      string `json:"type"`
		Items     []any  `json:"items"`
		Spacing   string `json:"spacing,omitempty"`
		Separator bool   `json:"separator,omitempty"`
	}
	cardInput struct {
		Type         string       `json:"type"`
		ID           string       `json:"id"`
		Label        string       `json:"label,omitempty"`
		IsRequired   bool         `json:"isRequired,omitempty"`
		ErrorMessage string       `json:"errorMessage,omitempty"`
		Placeholder  string       `json:"placeholder,omitempty"`
		Value        any          `json:"value,omitempty"` // a string, or an int for Input.Number
		IsMultiline  bool         `json:"isMultiline,omitempty"`
		MaxLength    int          `json:"maxLength,omitempty"`
		Min          *int         `json:"min,omitempty"`
		Max          *int         `json:"max,omitempty"`
		Style        string       `json:"style,omitempty"`
		Choices      []cardChoice `json:"choices,omitempty"`
	}
	cardChoice struct {
		Title string `json:"title"`
		Value string `json:"value"`
	}
	cardActionSet struct {
		Type    string       `json:"type"`
		Actions []cardAction `json:"actions"`
	}
	cardAction struct {
		Type             string      `json:"type"`
		Title            string      `json:"title,omitempty"`
		Verb             string      `json:"verb,omitempty"`
		Style            string      `json:"style,omitempty"`
		Data             *cardData   `json:"data,omitempty"`
		AssociatedInputs string      `json:"associatedInputs,omitempty"`
		Card             *shownCard  `json:"card,omitempty"`
		Fallback         *cardAction `json:"fallback,omitempty"`
	}
	// cardData is what a button or form sends back, with the form's
	// inputs merged in by Teams. ParseSubmission reads it.
	cardData struct {
		Smart90 string `json:"smart90"` // "action" or "form"
		Action  string `json:"action,omitempty"`
		Form    string `json:"form,omitempty"`
		Value   string `json:"value"`
	}
)

// Cards renders m as one or more Adaptive Card attachments (version
// "1.5"), in order: long content split so that no card exceeds Teams'
// message size (each card's JSON stays under 24,000 bytes) — never
// rejected, never cut. Buttons and the form go on the last card. It
// returns nil for a message with nothing to show.
//
// Text and Sections become TextBlocks in the markdown Teams renders (see
// cardRenderer.inline); the form is inline inputs submitted with Action.Execute (with
// an Action.Submit fallback for clients without Universal Actions); a
// button that only opens the form is left out when the form is there.
// Files cannot be attached to a bot's card (in a 1:1 chat that needs the
// file-consent flow), so each is a line with its name and size, and a
// small CSV or JSON file can be read in the card (Action.ShowCard).
func Cards(m bot.Message, names Names) []schema.Attachment {
	r := cardRenderer{names: names}
	content, tail := r.message(m)
	if len(content)+len(tail) == 0 {
		return nil
	}
	var cards [][]cardPiece
	var cur []cardPiece
	for _, p := range content {
		if len(cur) > 0 && cardSize(cur, []cardPiece{p}) > maxCardJSON {
			cards = append(cards, cur)
			cur = nil
		}
		cur = append(cur, p)
	}
	if len(tail) > 0 && len(cur) > 0 && cardSize(cur, tail) > maxCardJSON {
		// The form and buttons need a card of their own; keep the last
		// block of text with them when it fits, so they do not come alone.
		n := len(cur) - 1
		if n > 0 && cardSize(cur[n:], tail) <= maxCardJSON {
			cards, cur = append(cards, cur[:n:n]), []cardPiece{cur[n]}
		} else {
			cards, cur = append(cards, cur), nil
		}
	}
	cards = append(cards, slices.Concat(cur, tail))
	out := make([]schema.Attachment, len(cards))
	for i, ps := range cards {
		out[i] = schema.Attachment{ContentType: ContentTypeCard, Content: buildCard(ps)}
	}
	return out
}

// InvokeResponse is the body of the HTTP response to an
// adaptiveCard/action invoke: the card that replaces the one pressed
// (statusCode 200, type "application/vnd.microsoft.card.adaptive"), or a
// message (type "application/vnd.microsoft.activity.message", value =
// text) when m has nothing a card could show.
//
// The replacement is one card: when m needs more than one (see Cards), its
// last blocks of text give way to a note saying so; the form and buttons
// are kept. Send Cards(m) as messages to show everything.
func InvokeResponse(m bot.Message, names Names) any {
	r := cardRenderer{names: names}
	content, tail := r.message(m)
	if len(content)+len(tail) == 0 {
		return invokeBody{StatusCode: 200, Type: contentTypeMessage, Value: strings.TrimSpace(m.Text)}
	}
	pieces := slices.Concat(content, tail)
	if cardSize(pieces) > maxCardJSON {
		note := []cardPiece{r.piece(cardText{Type: "TextBlock", Text: "_… shortened: the rest does not fit in one card._", Wrap: true, Spacing: "Medium"}, nil)}
		n := 0
		for n < len(content) && cardSize(content[:n+1], note, tail) <= maxCardJSON {
			n++
		}
		pieces = slices.Concat(content[:n], note, tail)
	}
	return invokeBody{StatusCode: 200, Type: ContentTypeCard, Value: buildCard(pieces)}
}

// invokeBody is the adaptiveCard/action response body.
type invokeBody struct {
	StatusCode int    `json:"statusCode"`
	Type       string `json:"type"`
	Value      any    `json:"value"`
}

// cardPiece is one element of a card's body, with the mention entities its
// text needs and its JSON size.
type cardPiece struct {
	el       any
	mentions []cardMention
	size     int
}

// buildCard assembles a card from pieces: the first loses its separator (a
// line at the top of a card separates nothing), and the card's entities
// are the mentions its pieces use, each once.
func buildCard(ps []cardPiece) *adaptiveCard {
	c := &adaptiveCard{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion, MSTeams: cardTeams{Width: "Full"}}
	seen := map[cardMention]bool{}
	for i, p := range ps {
		el := p.el
		if tb, ok := el.(cardText); ok && i == 0 {
			tb.Separator, tb.Spacing = false, ""
			el = tb
		}
		c.Body = append(c.Body, el)
		for _, mn := range p.mentions {
			if !seen[mn] {
				seen[mn] = true
				c.MSTeams.Entities = append(c.MSTeams.Entities, mn)
			}
		}
	}
	return c
}

// emptyCardSize is the JSON size of a card with an empty body and no
// entities.
var emptyCardSize = jsonSize(&adaptiveCard{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion, Body: []any{}, MSTeams: cardTeams{Width: "Full"}})

// cardSize is the JSON size of the card buildCard makes of the pieces in
// groups, or a little more (the first piece's separator is counted),
// without encoding it.
func cardSize(groups ...[]cardPiece) int {
	n := emptyCardSize
	seen := map[cardMention]bool{}
	entities, count := 0, 0
	for _, p := range slices.Concat(groups...) {
		if count++; count > 1 {
			n++ // the comma
		}
		n += p.size
		for _, mn := range p.mentions {
			if !seen[mn] {
				seen[mn] = true
				if entities > 0 {
					n++
				}
				n += jsonSize(mn)
				entities++
			}
		}
	}
	if entities > 0 {
		n += len(`,"entities":[]`)
	}
	return n
}

// jsonSize is the length of v's JSON.
func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("teams: encode card element: %v", err)) // only our own structs get here
	}
	return len(b)
}

// cardRenderer renders one message with the names of its mentions.
type cardRenderer struct {
	names Names
}

func (r *cardRenderer) piece(el any, mentions []cardMention) cardPiece {
	return cardPiece{el: el, mentions: mentions, size: jsonSize(el)}
}

// message renders m as content (text, sections, files; it may be spread
// over several cards) and tail (the form and the buttons, which go on the
// last card).
func (r *cardRenderer) message(m bot.Message) (content, tail []cardPiece) {
	text := strings.TrimSpace(m.Text) != ""
	if m.Form != nil && !text {
		if title := strings.TrimSpace(r.plain(m.Form.Title)); title != "" {
			content = append(content, r.piece(cardText{Type: "TextBlock", Text: neutralizeTags(title), Wrap: true, Weight: "Bolder", Size: "Medium"}, nil))
		}
	}
	content = append(content, r.text(m.Text, false)...)
	for _, s := range m.Sections {
		content = append(content, r.text(s, true)...)
	}
	for _, f := range m.Files {
		content = append(content, r.file(f))
	}
	var actions []cardAction
	if m.Form != nil {
		for _, fd := range m.Form.Fields {
			tail = append(tail, r.piece(r.input(fd), nil))
		}
		data := &cardData{Smart90: "form", Form: m.Form.FormID, Value: m.Form.Value}
		title := cmp.Or(strings.TrimSpace(r.plain(m.Form.SubmitLabel)), "Submit")
		actions = append(actions, cardAction{Type: "Action.Execute", Title: title, Verb: m.Form.FormID, Style: "positive", Data: data,
			Fallback: &cardAction{Type: "Action.Submit", Title: title, Style: "positive", Data: data}})
	}
	for _, b := range m.Buttons {
		if b.OpensForm && m.Form != nil {
			continue // the form is already on the card
		}
		a := cardAction{Type: "Action.Submit", Title: cmp.Or(strings.TrimSpace(r.plain(b.Label)), b.ActionID, "Open"),
			Data: &cardData{Smart90: "action", Action: b.ActionID, Value: b.Value},
			// A button is not the form's submit: it must neither send
			// nor wait for the card's inputs (required ones would block it).
			AssociatedInputs: "none"}
		switch b.Style {
		case bot.StylePrimary:
			a.Style = "positive"
		case bot.StyleDanger:
			a.Style = "destructive"
		}
		actions = append(actions, a)
	}
	if len(actions) > 0 {
		// In an ActionSet rather than the card's actions: older Teams
		// clients honour Action.Execute's fallback only there.
		tail = append(tail, r.piece(cardActionSet{Type: "ActionSet", Actions: actions}, nil))
	}
	return content, tail
}

// text renders one text of the core (Text, or a section when section is
// set) as TextBlocks: one per line, or per run of list items, so that line
// breaks show as the core wrote them (Teams' markdown joins the lines of a
// paragraph); a blank line starts a paragraph (more space above), and a
// section starts under a separator line.
func (r *cardRenderer) text(s string, section bool) []cardPiece {
	var out []cardPiece
	first := true // the next block starts a paragraph
	var run []string
	var runKind cardLineKind
	flush := func() {
		if len(run) == 0 {
			return
		}
		spacing, sep := "None", false
		switch {
		case first && len(out) == 0 && section:
			spacing, sep = "Medium", true
		case first && len(out) == 0:
			spacing = ""
		case first:
			spacing = "Medium"
		}
		out = append(out, r.block(run, runKind, spacing, sep)...)
		run, first = nil, false
	}
	for line := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			first = true
			continue
		}
		kind, line := classifyLine(line)
		if len(run) > 0 && (kind == plainLine || kind != runKind) {
			flush()
		}
		run, runKind = append(run, line), kind
	}
	flush()
	return out
}

// cardLineKind is how a line of the core's text is laid out.
type cardLineKind int

const (
	plainLine    cardLineKind = iota // a line of its own
	bulletLine                       // "- item", consecutive ones make a list
	numberedLine                     // "1. item", likewise
)

var numberedItem = regexp.MustCompile(`^[0-9]{1,9}[.)] `)

// classifyLine tells a line's kind and returns it ready for the markdown: "• "
// bullets become "- " list items, and the leading indentation of a plain
// line becomes no-break spaces, since markdown would drop it (or, at four
// spaces, take the line for preformatted text, which Teams does not show).
func classifyLine(line string) (cardLineKind, string) {
	body := strings.TrimLeft(line, " \t")
	switch {
	case strings.HasPrefix(body, "• "):
		return bulletLine, "- " + body[len("• "):]
	case strings.HasPrefix(body, "- "), strings.HasPrefix(body, "* "), strings.HasPrefix(body, "+ "):
		return bulletLine, body
	case numberedItem.MatchString(body):
		return numberedLine, body
	}
	indent := line[:len(line)-len(body)]
	n := strings.Count(indent, " ") + 4*strings.Count(indent, "\t")
	return plainLine, strings.Repeat("\u00a0", n) + body
}

// block renders lines of one kind as one TextBlock, or several when it
// would be too large for a card: a list is split between items, a line
// between words.
func (r *cardRenderer) block(lines []string, kind cardLineKind, spacing string, separator bool) []cardPiece {
	var mentions []cardMention
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i], mentions = r.inline(l, mentions)
	}
	p := r.piece(cardText{Type: "TextBlock", Text: strings.Join(texts, "\n"), Wrap: true, Spacing: spacing, Separator: separator}, mentions)
	if p.size <= maxPieceJSON {
		return []cardPiece{p}
	}
	if len(lines) > 1 {
		half := len(lines) / 2
		return append(r.block(lines[:half], kind, spacing, separator), r.block(lines[half:], kind, "None", false)...)
	}
	// The second half of a list item continues its text: a plain line.
	a, b := halveLine(lines[0])
	return append(r.block([]string{a}, kind, spacing, separator), r.block([]string{b}, plainLine, "None", false)...)
}

// halveLine cuts s in two near its middle: after a space if there is one in
// its second quarter, else between two runes; neither half is empty.
func halveLine(s string) (string, string) {
	mid := len(s) / 2
	for mid < len(s) && !utf8.RuneStart(s[mid]) {
		mid++
	}
	if i := strings.LastIndexByte(s[:mid], ' '); i > len(s)/4 {
		mid = i + 1
	}
	if mid == 0 || mid == len(s) {
		_, w := utf8.DecodeRuneInString(s)
		mid = w
	}
	return s[:mid], s[mid:]
}

// codeToken matches `code` in the core's text.
var codeToken = regexp.MustCompile("`[^`\n]+`")

// inline converts one line of the core's markdown to Teams' and adds the
// mentions it needs to mentions:
//
//   - *bold* becomes **bold** (Teams reads *x* as italic); _italic_ stays.
//   - `code` becomes “code”: Teams' Adaptive Cards show no code or
//     preformatted text (their markdown has bold, italic, lists and links
//     only), and the quotes keep "type exactly this" readable.
//   - The core's mention of a person (bot.MentionPerson) becomes
//     <at>Name</at>, which Teams turns into a mention with the card's
//     entity, when Names has the person; else "someone".
//   - The core's link to a channel becomes #Name, or "the channel".
//   - Everything else is text, whoever wrote it: every "<" and "&" is
//     followed by an invisible zero-width space, so that a typed
//     "<at>x</at>", "&lt;at&gt;" or HTML tag (an answer quoted in a
//     digest) is shown as typed and never becomes a mention, and so is
//     every "](", so that a typed [disguise](https://…) is not a link.
//
// Nothing else is escaped: what people type in markdown emphasis shows as
// emphasis, as it does in Slack.
func (r *cardRenderer) inline(line string, mentions []cardMention) (string, []cardMention) {
	// The line as cells: a rune of text, or (rune < 0) one of the tokens,
	// which stay whole while *bold* is paired around them.
	type cell struct {
		r   rune
		tok int
	}
	type token struct {
		code string   // `code`, or
		ref  bot.Span // a reference
	}
	var cells []cell
	var toks []token
	addText := func(s string) {
		for _, c := range s {
			cells = append(cells, cell{r: c})
		}
	}
	for sp := range bot.Spans(line) {
		if sp.Ref != bot.RefNone {
			cells = append(cells, cell{r: -1, tok: len(toks)})
			toks = append(toks, token{ref: sp})
			continue
		}
		last := 0
		for _, loc := range codeToken.FindAllStringIndex(sp.Text, -1) {
			addText(sp.Text[last:loc[0]])
			cells = append(cells, cell{r: -1, tok: len(toks)})
			toks = append(toks, token{code: sp.Text[loc[0]:loc[1]]})
			last = loc[1]
		}
		addText(sp.Text[last:])
	}

	word := func(i int) bool {
		return i >= 0 && i < len(cells) && (cells[i].r < 0 || unicode.IsLetter(cells[i].r) || unicode.IsDigit(cells[i].r))
	}
	space := func(i int) bool { return i < 0 || i >= len(cells) || cells[i].r >= 0 && unicode.IsSpace(cells[i].r) }
	star := func(i int) bool { return i >= 0 && i < len(cells) && cells[i].r == '*' }
	bold := map[int]bool{}
	for i := 0; i < len(cells); i++ {
		if !star(i) || word(i-1) || space(i+1) || star(i+1) {
			continue
		}
		for j := i + 2; j < len(cells); j++ {
			if star(j) && !space(j-1) && !star(j-1) && !word(j+1) {
				bold[i], bold[j] = true, true
				i = j
				break
			}
		}
	}

	var b strings.Builder
	for i, c := range cells {
		switch {
		case c.r < 0 && toks[c.tok].code != "":
			b.WriteString("“" + neutralizeTags(strings.Trim(toks[c.tok].code, "`")) + "”")
		case c.r < 0:
			s, mn := r.token(toks[c.tok].ref)
			b.WriteString(s)
			if mn != nil {
				mentions = append(mentions, *mn)
			}
		case bold[i]:
			b.WriteString("**")
		case c.r == '<' || c.r == '&':
			b.WriteString(string(c.r) + "\u200b")
		case c.r == ']' && i+1 < len(cells) && cells[i+1].r == '(':
			b.WriteString("]\u200b")
		default:
			b.WriteRune(c.r)
		}
	}
	return b.String(), mentions
}

// token renders one of the core's references, and the mention it needs.
func (r *cardRenderer) token(ref bot.Span) (string, *cardMention) {
	if ref.Ref == bot.RefChannel {
		return neutralizeTags(r.channel(ref.ID)), nil
	}
	name, ok := r.person(ref.ID)
	if !ok {
		return "someone", nil
	}
	at := "<at>" + name + "</at>"
	return at, &cardMention{Type: "mention", Text: at, Mentioned: cardMentioned{ID: ref.ID, Name: name}}
}

// person returns the name Names has for a person, made safe for <at>.
func (r *cardRenderer) person(id string) (string, bool) {
	name := atName(r.names[id])
	return name, name != ""
}

// channel returns "#name" for a channel, from Names, else "the channel".
func (r *cardRenderer) channel(id string) string {
	name := strings.TrimPrefix(strings.TrimSpace(r.names[id]), "#")
	if name == "" {
		return "the channel"
	}
	return "#" + name
}

// atName is a display name fit to go between <at> and </at>: on one line,
// without the angle brackets that would end the tag.
func atName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '<' || r == '>' {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// neutralizeTags keeps every "<" in s from starting a tag, every "&" an
// entity and every "](" from making a link (see cardRenderer.inline).
var neutralizeTags = strings.NewReplacer("<", "<\u200b", "&", "&\u200b", "](", "]\u200b(").Replace

// plain resolves the references in a text that is not markdown (a label,
// a button's title, a choice) to plain names: mentions cannot go there.
func (r *cardRenderer) plain(s string) string {
	var b strings.Builder
	for sp := range bot.Spans(s) {
		switch sp.Ref {
		case bot.RefNone:
			b.WriteString(sp.Text)
		case bot.RefChannel:
			b.WriteString(r.channel(sp.ID))
		default:
			name, _ := r.person(sp.ID)
			b.WriteString(cmp.Or(name, "someone"))
		}
	}
	return b.String()
}

// input renders a form field as an Adaptive Card input whose id is the
// field's ID.
func (r *cardRenderer) input(fd bot.Field) cardInput {
	label := cmp.Or(strings.TrimSpace(r.plain(fd.Label)), fd.ID, "Answer")
	in := cardInput{Type: "Input.Text", ID: fd.ID, Label: label, IsRequired: !fd.Optional, Placeholder: strings.TrimSpace(r.plain(fd.Hint))}
	required := "Please answer this."
	switch fd.Kind {
	case bot.FieldLongText:
		in.IsMultiline = true
		textValue(&in, fd)
	case bot.FieldNumber:
		in.Type = "Input.Number"
		bounded := (fd.Min != 0 || fd.Max != 0) && fd.Min <= fd.Max
		if bounded {
			in.Min, in.Max = new(fd.Min), new(fd.Max)
			required = fmt.Sprintf("Please enter a number from %d to %d.", fd.Min, fd.Max)
		} else {
			required = "Please enter a number."
		}
		if v, err := strconv.Atoi(strings.TrimSpace(fd.Initial)); err == nil && (!bounded || fd.Min <= v && v <= fd.Max) {
			in.Value = v
		}
	case bot.FieldChoice:
		for _, o := range fd.Options {
			if o.Value == "" {
				continue
			}
			in.Choices = append(in.Choices, cardChoice{Title: cmp.Or(strings.TrimSpace(r.plain(o.Label)), o.Value), Value: o.Value})
			if o.Value == fd.Initial {
				in.Value = o.Value
			}
		}
		if len(in.Choices) == 0 {
			// Nothing to choose from: a text input rather than an
			// empty list nobody can answer.
			textValue(&in, fd)
			break
		}
		in.Type, in.Style = "Input.ChoiceSet", "compact"
		required = "Please choose one."
	case bot.FieldDate:
		in.Type = "Input.Date"
		if _, err := time.Parse(time.DateOnly, fd.Initial); err == nil {
			in.Value = fd.Initial
		}
		required = "Please pick a date."
	case bot.FieldTimeZone:
		// Type-ahead over a list in the card: Teams filters it as the
		// person types.
		in.Type, in.Style = "Input.ChoiceSet", "filtered"
		in.Placeholder = cmp.Or(in.Placeholder, "Type a city, e.g. Paris")
		initial := strings.TrimSpace(fd.Initial)
		listed := false
		for name := range strings.FieldsSeq(timeZones) {
			in.Choices = append(in.Choices, zoneChoice(name))
			listed = listed || name == initial
		}
		if initial != "" {
			if !listed {
				in.Choices = append([]cardChoice{zoneChoice(initial)}, in.Choices...)
			}
			in.Value = initial
		}
		required = "Please choose a time zone."
	default: // FieldText, and a kind this adapter does not know yet
		textValue(&in, fd)
	}
	if in.IsRequired {
		in.ErrorMessage = required
	}
	return in
}

// textValue sets a text input's initial value and length limit. The limit
// grows to fit an Initial value longer than MaxLen, so an old answer still
// opens for editing; the core checks the length of what is submitted.
func textValue(in *cardInput, fd bot.Field) {
	if fd.Initial != "" {
		in.Value = fd.Initial
	}
	if fd.MaxLen > 0 {
		in.MaxLength = max(fd.MaxLen, utf8.RuneCountInString(fd.Initial))
	}
}

// zoneChoice offers an IANA zone, titled with spaces for underscores so
// that typing "new york" finds America/New_York.
func zoneChoice(name string) cardChoice {
	return cardChoice{Title: strings.ReplaceAll(name, "_", " "), Value: name}
}

// file renders an attachment. A bot cannot attach a file to a card (in a
// 1:1 chat Teams needs the file-consent flow, which asks the person first
// and uploads to their OneDrive), so the card names the file and its
// size, and shows a small text file (CSV or JSON up to 20 KB: the core's
// exports) behind a "Show" button, in monospace.
func (r *cardRenderer) file(f bot.File) cardPiece {
	name := cmp.Or(strings.TrimSpace(f.Name), "file")
	note := cardText{Type: "TextBlock", Wrap: true, Spacing: "Medium",
		Text: fmt.Sprintf("**%s** · %s", neutralizeTags(name), byteSize(len(f.Data)))}
	if !previewable(f) {
		if len(f.Data) > maxPreview {
			note.Text += " — too large to show here."
		}
		return r.piece(note, nil)
	}
	var lines []string
	for line := range strings.SplitSeq(strings.ReplaceAll(string(f.Data), "\r\n", "\n"), "\n") {
		body := strings.TrimLeft(line, " \t")
		indent := line[:len(line)-len(body)]
		n := strings.Count(indent, " ") + 4*strings.Count(indent, "\t")
		lines = append(lines, cmp.Or(strings.Repeat("\u00a0", n)+neutralizeTags(body), "\u00a0"))
	}
	content := cardText{Type: "TextBlock", Wrap: true, FontType: "Monospace",
		// "\n\n": Teams' markdown shows a single line break only
		// inside a list.
		Text: strings.Join(lines, "\n\n")}
	show := cardActionSet{Type: "ActionSet", Actions: []cardAction{{Type: "Action.ShowCard", Title: "Show " + name,
		Card: &shownCard{Type: "AdaptiveCard", Body: []any{content}}}}}
	p := r.piece(cardContainer{Type: "Container", Items: []any{note, show}, Spacing: "Medium"}, nil)
	if emptyCardSize+p.size > maxCardJSON {
		// Under 20 KB, but not once encoded (quotes and line breaks
		// escaped): name it only.
		note.Text += " — too large to show here."
		return r.piece(note, nil)
	}
	return p
}

// previewable reports whether f is a CSV or JSON text small enough to show.
func previewable(f bot.File) bool {
	if len(f.Data) == 0 || len(f.Data) > maxPreview || !utf8.Valid(f.Data) {
		return false
	}
	ct, _, _ := strings.Cut(strings.ToLower(f.ContentType), ";")
	switch strings.TrimSpace(ct) {
	case "text/csv", "application/json":
		return true
	}
	switch strings.ToLower(path.Ext(f.Name)) {
	case ".csv", ".json":
		return true
	}
	return false
}

// byteSize is n bytes for people: "512 bytes", "3.2 KB", "1.5 MB".
func byteSize(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
}

// MentionIDs returns the user ids mentioned and channel ids linked by the
// core (bot.Spans) in m's text and sections, so the caller can look their names up;
// each once, in order. It also looks in the labels the card shows as plain
// text (buttons, the form's title, fields and choices), where a reference
// becomes the name alone.
func MentionIDs(m bot.Message) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(s string) {
		for sp := range bot.Spans(s) {
			if sp.Ref != bot.RefNone && !seen[sp.ID] {
				seen[sp.ID] = true
				ids = append(ids, sp.ID)
			}
		}
	}
	add(m.Text)
	for _, s := range m.Sections {
		add(s)
	}
	for _, b := range m.Buttons {
		add(b.Label)
	}
	if f := m.Form; f != nil {
		add(f.Title)
		add(f.SubmitLabel)
		for _, fd := range f.Fields {
			add(fd.Label)
			add(fd.Hint)
			for _, o := range fd.Options {
				add(o.Label)
			}
		}
	}
	return ids
}

// Submission is what a card action sent back: a button press or a form
// submit.
type Submission struct {
	Form   bool              // a form was submitted (else a button was pressed)
	ID     string            // the button's ActionID or the form's FormID
	Value  string            // the button's or form's Value
	Values map[string]string // the form's inputs by field ID (forms only), as strings
}

// reservedKeys are the keys of a card action's data that are not a form's
// inputs: ours (actionData) and Teams' own. Field IDs must not use them.
var reservedKeys = map[string]bool{"smart90": true, "action": true, "form": true, "value": true, "msteams": true}

// ParseSubmission reads a card action's data: the `value` of a message
// activity sent by Action.Submit (inputs merged with the action's data),
// or the `value` of an invoke "adaptiveCard/action" sent by Action.Execute
// ({"action":{"type":"Action.Execute","verb":…,"data":{…}},"trigger":"manual"}).
// ok is false when the data is not one of ours.
//
// Inputs arrive as strings; a number that arrives as a JSON number is
// written back in full ("2.5", "100"). Values that are not a form's
// inputs (our keys, "msteams", objects and lists) are left out.
func ParseSubmission(value map[string]any) (Submission, bool) {
	data, verb := value, ""
	if a, ok := value["action"].(map[string]any); ok {
		// An invoke: the card's action with the inputs in its data.
		if t, _ := a["type"].(string); t != "Action.Execute" {
			return Submission{}, false
		}
		verb, _ = a["verb"].(string)
		if data, ok = a["data"].(map[string]any); !ok {
			return Submission{}, false
		}
	}
	v, ok := inputString(data["value"])
	if !ok {
		return Submission{}, false
	}
	switch data["smart90"] {
	case "action":
		id, _ := data["action"].(string)
		if id == "" {
			return Submission{}, false
		}
		return Submission{ID: id, Value: v}, true
	case "form":
		id, _ := data["form"].(string)
		if id = cmp.Or(id, verb); id == "" {
			return Submission{}, false
		}
		s := Submission{Form: true, ID: id, Value: v, Values: map[string]string{}}
		for k, x := range data {
			if reservedKeys[k] {
				continue
			}
			if str, ok := inputString(x); ok {
				s.Values[k] = str
			}
		}
		return s, true
	}
	return Submission{}, false
}

// inputString is an input's value as a string: text as is, a number in full,
// true or false; nil (an absent value) is "". Objects and lists are not
// inputs' values.
func inputString(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}

// timeZones are the IANA zones a time-zone field offers, one a line,
// sorted. Go cannot list the zones of its embedded tzdata, and the full
// zone.tab list (the one adapters/slack offers through an options URL)
// would take 20 KB of every card that asks for a zone, so this is a
// curated list instead: the largest cities of each UTC offset, including
// the half- and quarter-hour ones, and at least one zone per populous
// country. A person's current zone is offered too when it is not listed,
// and the core accepts any zone typed in `settings tz Area/City`. Every
// name loads with time.LoadLocation from the embedded tzdata (tested).
const timeZones = `Africa/Abidjan
Africa/Accra
Africa/Addis_Ababa
Africa/Algiers
Africa/Cairo
Africa/Casablanca
Africa/Dakar
Africa/Dar_es_Salaam
Africa/Johannesburg
Africa/Kampala
Africa/Khartoum
Africa/Kinshasa
Africa/Lagos
Africa/Luanda
Africa/Maputo
Africa/Nairobi
Africa/Tripoli
Africa/Tunis
Africa/Windhoek
America/Anchorage
America/Argentina/Buenos_Aires
America/Asuncion
America/Bogota
America/Caracas
America/Chicago
America/Costa_Rica
America/Denver
America/Edmonton
America/Guatemala
America/Guayaquil
America/Halifax
America/Havana
America/La_Paz
America/Lima
America/Los_Angeles
America/Manaus
America/Mexico_City
America/Monterrey
America/Montevideo
America/New_York
America/Noronha
America/Nuuk
America/Panama
America/Phoenix
America/Puerto_Rico
America/Regina
America/Santiago
America/Santo_Domingo
America/Sao_Paulo
America/St_Johns
America/Tijuana
America/Toronto
America/Vancouver
America/Winnipeg
Asia/Almaty
Asia/Amman
Asia/Baghdad
Asia/Baku
Asia/Bangkok
Asia/Beirut
Asia/Colombo
Asia/Dhaka
Asia/Dubai
Asia/Ho_Chi_Minh
Asia/Hong_Kong
Asia/Jakarta
Asia/Jayapura
Asia/Jerusalem
Asia/Kabul
Asia/Karachi
Asia/Kathmandu
Asia/Kolkata
Asia/Kuala_Lumpur
Asia/Kuwait
Asia/Makassar
Asia/Manila
Asia/Novosibirsk
Asia/Qatar
Asia/Riyadh
Asia/Seoul
Asia/Shanghai
Asia/Singapore
Asia/Taipei
Asia/Tashkent
Asia/Tbilisi
Asia/Tehran
Asia/Tokyo
Asia/Ulaanbaatar
Asia/Vladivostok
Asia/Yangon
Asia/Yekaterinburg
Asia/Yerevan
Atlantic/Azores
Atlantic/Canary
Atlantic/Cape_Verde
Atlantic/Reykjavik
Australia/Adelaide
Australia/Brisbane
Australia/Darwin
Australia/Eucla
Australia/Hobart
Australia/Lord_Howe
Australia/Melbourne
Australia/Perth
Australia/Sydney
Europe/Amsterdam
Europe/Athens
Europe/Belgrade
Europe/Berlin
Europe/Brussels
Europe/Bucharest
Europe/Budapest
Europe/Copenhagen
Europe/Dublin
Europe/Helsinki
Europe/Istanbul
Europe/Kyiv
Europe/Lisbon
Europe/London
Europe/Luxembourg
Europe/Madrid
Europe/Minsk
Europe/Moscow
Europe/Oslo
Europe/Paris
Europe/Prague
Europe/Riga
Europe/Rome
Europe/Samara
Europe/Sofia
Europe/Stockholm
Europe/Tallinn
Europe/Vienna
Europe/Vilnius
Europe/Warsaw
Europe/Zurich
Indian/Maldives
Indian/Mauritius
Pacific/Apia
Pacific/Auckland
Pacific/Chatham
Pacific/Fiji
Pacific/Guam
Pacific/Honolulu
Pacific/Kiritimati
Pacific/Marquesas
Pacific/Noumea
Pacific/Pago_Pago
Pacific/Port_Moresby
Pacific/Tahiti
Pacific/Tongatapu
UTC`
