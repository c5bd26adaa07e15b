package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Message is what smart90 says, in a platform-neutral shape. Adapters render
// it: Slack as Block Kit (a form becomes a button opening a modal), Teams as
// an Adaptive Card (a form is inline inputs), the console as text.
type Message struct {
	// Text is the body, in a small markdown subset every platform shows:
	// *bold*, _italic_, `code`, "• " bullets and line breaks.
	Text string
	// Sections are further blocks of text under Text, each shown apart
	// (a divider or a new block); long content is split across sections.
	Sections []string
	// Buttons are actions the person can take on this message.
	Buttons []Button
	// Form, when set, is a form the person can fill in (and submit) instead
	// of answering in plain messages.
	Form *Form
	// Files are attachments (an export).
	Files []File
	// Images are pictures shown with the message (charts), not downloads:
	// Slack uploads them into the message's conversation (its thread, for
	// a digest reply), Teams shows them in the card, the console writes
	// them to its files folder and prints the path.
	Images []Image
	// Ephemeral marks a reply only the acting person should see, where the
	// platform can do that.
	Ephemeral bool
	// Key identifies the scheduled delivery this message is ("" for any
	// other message). A platform that can tag its messages tags every part
	// with it, so that a retry can ask a SentChecker whether an earlier try
	// already posted it.
	Key string
}

// ButtonStyle hints at how a button looks.
type ButtonStyle string

// Button styles.
const (
	StyleDefault ButtonStyle = ""
	StylePrimary ButtonStyle = "primary"
	StyleDanger  ButtonStyle = "danger"
)

// Button is an action on a message. Pressing it yields an Event of kind
// EventAction with ActionID and Value.
type Button struct {
	ActionID string // what pressing does, e.g. "invite.accept"
	Label    string
	Value    string // the target, e.g. an engagement id
	Style    ButtonStyle
	// OpensForm marks a button that only opens the message's Form (Slack's
	// "Answer" button opening a modal); platforms that show the form inline
	// may leave it out.
	OpensForm bool
}

// Form is a set of fields submitted together. Submitting yields an Event of
// kind EventForm with FormID, Value and Values.
type Form struct {
	FormID      string // what submitting does, e.g. "checkin.submit"
	Value       string // the target, e.g. "42:2026-11-25"
	Title       string // short, shown as the modal's or card's title (<= 24 runes)
	SubmitLabel string
	Fields      []Field
}

// FieldKind is the input a field needs.
type FieldKind string

// Field kinds.
const (
	FieldText     FieldKind = "text"     // one line
	FieldLongText FieldKind = "longtext" // several lines
	FieldChoice   FieldKind = "choice"   // one of Options
	FieldNumber   FieldKind = "number"   // an integer within Min..Max
	FieldDate     FieldKind = "date"     // YYYY-MM-DD
	FieldTimeZone FieldKind = "timezone" // an IANA zone, with type-ahead where possible
)

// Field is one input of a form.
type Field struct {
	ID       string
	Label    string
	Kind     FieldKind
	Hint     string // placeholder or help text
	Options  []Option
	Min, Max int
	MaxLen   int
	Initial  string // pre-filled value, so answers can be edited
	Optional bool
}

// Option is one choice of a FieldChoice field.
type Option struct {
	Value string
	Label string
}

// File is an attachment.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Image is a picture shown with a message: a chart.
type Image struct {
	Name string // a file name, "ana-checkins-2027-w14.png"
	// Title says what it shows, in words: the image's title and its
	// alternative text for people who cannot see it.
	Title string
	PNG   []byte // a PNG image
}

// Destination is where a message goes: a direct message to a person, or a
// channel, optionally as a reply in a thread.
type Destination struct {
	Installation *Installation
	UserID       string // platform user id for a direct message
	Channel      string // platform channel id; used when UserID is ""
	ThreadRef    string // reply in the thread of this message reference
	// SkipParts is how many leading parts of the message already reached
	// the platform (a retry after a *PartialSendError): only the rest is
	// sent, and the reference returned is that of the first part sent now.
	SkipParts int
}

// PartialSendError is what Messenger.Send returns when a message that goes
// out in several parts failed after some of them reached the platform.
// Every adapter keeps this one contract, so a retry never posts a part
// twice: the caller stores Ref and Sent and retries with
// Destination.SkipParts = Sent (plus the SkipParts it sent with).
//
// Err is the failure of the first part that did not go out, classified as
// any send error (permanent *Error codes, Retry-After, transient).
type PartialSendError struct {
	Ref  string // the reference of the first part sent in this call
	Sent int    // how many parts went out in this call, at least 1
	Err  error
}

func (e *PartialSendError) Error() string {
	return fmt.Sprintf("sent %d parts, then: %v", e.Sent, e.Err)
}

// Unwrap returns the failure, so errors.Is, errors.As and ErrorCode see it.
func (e *PartialSendError) Unwrap() error { return e.Err }

// Messenger sends messages out of the core, to people and channels other
// than the one a request came from (the invitee, the coach's digest
// channel, a scheduled prompt). Implementations are safe for concurrent use.
//
// Send returns the platform's reference to the sent message (a thread can
// be started from it). A message split into several parts that fails after
// some went out returns a *PartialSendError saying how many did; a failure
// before any part went out is returned as it is, with ref "". A failure that retrying cannot fix (the user left,
// the app was removed, the channel is archived) is an *Error with code
// EFORBIDDEN or ENOTFOUND; anything else may be transient.
type Messenger interface {
	Send(ctx context.Context, to Destination, m Message) (ref string, err error)
}

// ErrCannotCheck is what a SentChecker returns when it cannot tell for this
// destination (another platform, a channel it may not read): the caller
// sends as it would without a checker.
var ErrCannotCheck = errors.New("cannot check what this conversation holds")

// Receipt is what a SentChecker found of a message in a conversation.
type Receipt struct {
	// Ref is the platform's reference to the message's first part, as Send
	// returned it; "" when no part is there.
	Ref string
	// Parts is how many leading parts of the message are there: a retry
	// sends with Destination.SkipParts = Parts.
	Parts int
	// Whole is true when every part is there and nothing is left to send.
	Whole bool
}

// SentChecker is a Messenger's optional capability to look in a
// conversation for a message an earlier Send posted (tagged with
// Message.Key) but whose outcome was never recorded: the sender crashed, or
// the store was unreachable, after the platform accepted it. A platform
// with no idempotent send needs it, or a retry posts the message twice.
//
// Sent looks in to's conversation, from since on, for the parts of m.
// A zero Receipt means none is there. An error wrapping ErrCannotCheck
// means it cannot tell; any other error means it could not look this time
// (transient, or a permanent *Error as Send returns), and the caller must
// not send blind. Implementations are safe for concurrent use.
type SentChecker interface {
	Sent(ctx context.Context, to Destination, m Message, since time.Time) (Receipt, error)
}
