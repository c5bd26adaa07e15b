package teams

import (
	"cmp"
	"strings"

	"github.com/smart90/smart90/bot"
)

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

// summary is the plain first line of a message: what Teams shows in a
// notification instead of "sent a card". A notification is plain text
// with no mentions and its names are not looked up, so the core's
// references (bot.Spans) are left out and the markdown marks *, _ and `
// dropped; what people typed is kept as text.
func summary(text string) string {
	var b strings.Builder
	for sp := range bot.Spans(text) {
		if sp.Ref == bot.RefNone {
			b.WriteString(sp.Text)
		}
	}
	first, _, _ := strings.Cut(b.String(), "\n")
	first = strings.TrimSpace(markdownMarks.Replace(first))
	if r := []rune(first); len(r) > 120 {
		first = string(r[:119]) + "…"
	}
	return first
}

// markdownMarks removes the core's markdown emphasis from a text.
var markdownMarks = strings.NewReplacer("*", "", "_", "", "`", "")
