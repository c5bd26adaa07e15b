package teams

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
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
