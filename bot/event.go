package bot

// EventKind is what a person did.
type EventKind string

// Event kinds.
const (
	EventCommand EventKind = "command" // a /smart90 command (or its words in Teams)
	EventMessage EventKind = "message" // a plain message in the direct chat with the bot
	EventAction  EventKind = "action"  // a button press
	EventForm    EventKind = "form"    // a form submission
)

// UserRef is a platform user as an adapter knows them.
type UserRef struct {
	ExternalID  string
	DisplayName string
	TimeZone    string // IANA zone from the platform profile, if known
}

// Event is one thing a person did, translated by an adapter.
//
// Mentions in Text are written as <@EXTERNALID>; Mentions carries what the
// adapter knows of each mentioned user, keyed by external id.
type Event struct {
	Platform     Platform
	Installation string // platform workspace / tenant id
	User         UserRef
	Kind         EventKind
	Text         string             // command words without "/smart90", or the message
	Mentions     map[string]UserRef // by ExternalID
	// Channel is the channel where others read the event and its reply,
	// or "" when only the person and smart90 do (a direct message; a
	// Slack slash command, answered ephemerally wherever it is typed).
	Channel  string
	ActionID string            // EventAction: the button's ActionID
	FormID   string            // EventForm: the form's FormID
	Value    string            // EventAction / EventForm: the target value
	Values   map[string]string // EventForm: field ID -> value
}

// A Reply is what the core answers an event with: the messages for the
// person who acted, and the installation the event came from as the core
// read it (nil when the event failed before that), so that an adapter
// sends the messages without reading the installation again.
type Reply struct {
	Installation *Installation
	Messages     []Message
}
