package bot

import (
	"iter"
	"strings"
)

// References: one syntax, parsed here.
//
// A message's text mixes what the core writes with what people typed (an
// answer quoted in a digest, a rock's title), and typed text must never
// become a mention, a channel link or a link on any platform. So the core
// marks the references it makes itself: MentionPerson and MentionChannel
// frame the neutral token (<@ID>, <#ID>) between two Unicode noncharacters
// that people's text never holds, because Handle removes them from every
// event. An adapter renders the framed tokens (Spans) as the platform's
// mentions and shows everything else as text; an unframed "<@ID>" in a
// message is text someone typed.
//
// Inbound, an adapter parses its platform's own mention syntax once and
// writes a real mention as the bare neutral token <@ID> (a channel as
// <#ID>) in Event.Text, with what the platform says of the person in
// Event.Mentions; the core reads those tokens with ParseRef and nothing
// else (a channel may also be typed as a bare #name).
//
// Escaping goes one way: typed text is escaped for a platform on the way
// OUT, by the adapter rendering Spans, and nowhere else. The one inbound
// rule is Disarm: a "<" a person typed before "@" or "#" is dropped, so
// that a typed "<#C_SECRET>" or "<@29:victim>" cannot pass for a
// reference the platform made and steer a command (whom to invite, where
// a digest goes) to an id nobody picked through the platform. That is not
// escaping for display: the rest of the text is kept as typed.
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
			// Pieces joined can make a marker of invalid UTF-8's bytes.
			s := StripRefMarks(pending.String())
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
			ref, ok := ParseRef(tok)
			if !ok {
				pending.WriteString(StripRefMarks(tok))
				continue
			}
			if !flush() || !yield(ref) {
				return
			}
		}
		flush()
	}
}

// ParseRef parses one neutral reference, <@ID> or <#ID>: the token the
// core frames in a message (Spans) and the one an adapter writes in
// Event.Text for a mention the platform made. The id is opaque but holds
// no "|", space or reference marker, so a platform's own syntax (Slack's
// <@U1|ana>) is not a reference until its adapter has parsed it.
func ParseRef(token string) (Span, bool) {
	if len(token) < 4 || token[0] != '<' || token[len(token)-1] != '>' || token[1] != '@' && token[1] != '#' {
		return Span{}, false
	}
	id := token[2 : len(token)-1]
	if strings.ContainsAny(id, "| \t\n\r\v\f"+refOpen+refClose) {
		return Span{}, false
	}
	return Span{Ref: RefKind(token[1]), Text: token, ID: id}, true
}

// Disarm returns typed text fit for Event.Text: every "<" (or run of
// them) before "@" or "#" is dropped, so that nothing a person typed
// reads as a neutral reference to ParseRef. Adapters call it on the typed
// parts of a message, around the references the platform made.
func Disarm(s string) string {
	// The core strips the markers from every event: stripped first, a
	// marker typed between "<" and "@" cannot make a mention after this.
	s = StripRefMarks(s)
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '<' {
			j := i
			for j < len(s) && s[j] == '<' {
				j++
			}
			if j < len(s) && (s[j] == '@' || s[j] == '#') {
				i = j - 1
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// StripRefMarks removes the markers of the core's references from s, so
// that nothing a person sends can pass for one. It removes them until
// none is left: in invalid UTF-8, taking one out can join the bytes
// around it into another ("\xef\uFDD1\xb7\x91").
func StripRefMarks(s string) string {
	for strings.Contains(s, refOpen) || strings.Contains(s, refClose) {
		s = stripMarks.Replace(s)
	}
	return s
}

// stripMarks removes the markers in one pass.
var stripMarks = strings.NewReplacer(refOpen, "", refClose, "")

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
