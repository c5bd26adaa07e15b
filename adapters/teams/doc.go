// Package teams connects smart90 to Microsoft Teams through the Bot
// Framework: it receives activities on /api/messages after checking the
// Bot Framework's JWT, turns them into the core's events, keeps the
// conversation references proactive messages need, and sends the core's
// messages back through the Bot Connector as Adaptive Cards.
//
// It uses github.com/infracloudio/msbotbuilder-go only for the protocol's
// types (schema). That library is unmaintained and has known faults, so
// the rest is done here: inbound token validation (auth.go, with
// github.com/golang-jwt/jwt/v5, and authkeys.go, whose signing keys are
// read by github.com/MicahParks/keyfunc/v3), the connector client
// (connector.go) with its client-credentials token (credentials.go), and
// the decoding of mention entities, which its schema.Entity drops
// (inbound.go).
//
// Where things are:
//   - Receiving: adapter.go (HTTP, de-duplication, dispatch on the
//     activity type), inbound.go (the decoded activity), lifecycle.go
//     (installs, removals, the welcome), message.go (messages and card
//     submits), invoke.go (Action.Execute and file consent invokes),
//     command.go (a message's text as the core's command), reply.go (the
//     core's replies to an activity).
//   - Sending: messenger.go (bot.Messenger), address.go (conversation
//     references), files.go (file consent and upload), graph.go
//     (installing the app for a person), presence.go (bot.StatusReader:
//     out of office from Graph presence, where Presence.Read.All is
//     granted).
//   - Adaptive Cards: card.go (the card's JSON types and the renderer of a
//     message), split.go (Cards and InvokeResponse: one message over
//     several cards), markdown.go (the core's text as Teams' markdown),
//     mention.go (mentions and channel links), inputs.go (form fields),
//     filecard.go (files named in a card), submit.go (what a card sends
//     back), zones.go (the time zones a card offers).
//   - Setup: apppackage.go (the Teams app package).
package teams
