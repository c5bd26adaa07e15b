// Package bot is the platform-neutral core of smart90: the domain types
// (installations, people, engagements, rocks, check-ins, weekly reports,
// deliveries, sessions, digests), the interfaces it consumes (Store,
// Messenger, Clock, ConversationState), its error codes, and the
// conversation logic that turns a person's words into stored answers and
// replies.
//
// Nothing here knows Slack, Teams or a terminal: adapters translate their
// platform's events into an Event and render a Message into Block Kit, an
// Adaptive Card or text. Nothing here knows SQL either: the stores in
// store/ implement Store, and store/storetest holds the contract they share.
package bot
