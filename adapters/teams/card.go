package teams

import (
	"cmp"
	"strings"

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
		// ChoicesData has Teams ask the bot for choices as the person
		// types (dynamic typeahead: an application/search invoke).
		ChoicesData *cardDataQuery `json:"choices.data,omitempty"`
	}
	cardDataQuery struct {
		Type    string `json:"type"` // "Data.Query"
		Dataset string `json:"dataset"`
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
