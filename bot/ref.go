package bot

import (
	"iter"
	"strings"
)

// A message's text mixes what the core writes with what people typed (an
// answer quoted in a digest, a rock's title), and typed text must never
// become a mention, a channel link or a link on any platform. So the core
// marks the references it makes itself: MentionPerson and MentionChannel
// frame the neutral token (<@ID>, <#ID>) between two Unicode noncharacters
// that people's text never holds, because Handle removes them from every
// event. An adapter renders the framed tokens (Spans) as the platform's
// mentions and shows everything else as text, escaped for the platform;
// an unframed "<@ID>" in a message is text someone typed.
//
// Inbound, adapters still write a real mention as the bare <@ID> (and a
// channel as <#ID>) in Event.Text, for the core's command parsing.
const (
	refOpen  = "\uFDD0"
	refClose = "\uFDD1"
)

// MentionPerson returns the core's mention of the person with this
// platform id, for a message's text.
func MentionPerson(externalID string) string {
	return refOpen + "<@" + StripRefMarks(externalID) + ">" + refClose
}

// MentionChannel returns the core's link to the channel with this
// platform id, for a message's text.
func MentionChannel(id string) string {
	return refOpen + "<#" + StripRefMarks(id) + ">" + refClose
}

// RefKind is what a Span refers to.
type RefKind byte

// Reference kinds.
const (
	RefNone    RefKind = 0   // text
	RefPerson  RefKind = '@' // a person, by platform id
	RefChannel RefKind = '#' // a channel, by platform id
)

// Span is a piece of a message's text: text, to be shown as it is (escaped
// for the platform), or a reference the core made.
type Span struct {
	Ref  RefKind
	Text string // the text (RefNone), or the reference as written: <@ID>
	ID   string // the id referred to (RefPerson, RefChannel)
}

// Spans yields text's pieces in order: runs of text and the core's
// references. A marker that frames no well-formed reference is dropped,
// so the text yielded never holds one; adjacent text is yielded as one.
func Spans(text string) iter.Seq[Span] {
	return func(yield func(Span) bool) {
		var pending strings.Builder
		flush := func() bool {
			if pending.Len() == 0 {
				return true
			}
			s := pending.String()
			pending.Reset()
			return yield(Span{Text: s})
		}
		for text != "" {
			i := strings.Index(text, refOpen)
			if i < 0 {
				pending.WriteString(StripRefMarks(text))
				break
			}
			pending.WriteString(StripRefMarks(text[:i]))
			rest := text[i+len(refOpen):]
			j := strings.Index(rest, refClose)
			if j < 0 {
				text = rest
				continue
			}
			tok := rest[:j]
			text = rest[j+len(refClose):]
			if len(tok) < 4 || tok[0] != '<' || tok[len(tok)-1] != '>' || tok[1] != '@' && tok[1] != '#' || strings.Contains(tok, refOpen) {
				pending.WriteString(StripRefMarks(tok))
				continue
			}
			if !flush() || !yield(Span{Ref: RefKind(tok[1]), Text: tok, ID: tok[2 : len(tok)-1]}) {
				return
			}
		}
		flush()
	}
}

// StripRefMarks removes the markers of the core's references from s, so
// that nothing a person sends can pass for one.
func StripRefMarks(s string) string {
	if !strings.Contains(s, refOpen) && !strings.Contains(s, refClose) {
		return s
	}
	return strings.NewReplacer(refOpen, "", refClose, "").Replace(s)
}

// withoutRefMarks returns ev with the reference markers removed from all
// that people wrote or the platform said of them.
func withoutRefMarks(ev Event) Event {
	ev.Text, ev.Value, ev.Channel = StripRefMarks(ev.Text), StripRefMarks(ev.Value), StripRefMarks(ev.Channel)
	ev.User.ExternalID, ev.User.DisplayName = StripRefMarks(ev.User.ExternalID), StripRefMarks(ev.User.DisplayName)
	if ev.Values != nil {
		values := make(map[string]string, len(ev.Values))
		for k, v := range ev.Values {
			values[k] = StripRefMarks(v)
		}
		ev.Values = values
	}
	if ev.Mentions != nil {
		mentions := make(map[string]UserRef, len(ev.Mentions))
		for id, u := range ev.Mentions {
			u.ExternalID, u.DisplayName = StripRefMarks(u.ExternalID), StripRefMarks(u.DisplayName)
			mentions[StripRefMarks(id)] = u
		}
		ev.Mentions = mentions
	}
	return ev
}
