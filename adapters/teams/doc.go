// Package teams connects smart90 to Microsoft Teams through the Bot
// Framework: it receives activities on /api/messages after checking the
// Bot Framework's JWT, turns them into the core's events, keeps the
// conversation references proactive messages need, and sends the core's
// messages back through the Bot Connector as Adaptive Cards.
//
// It is built on github.com/infracloudio/msbotbuilder-go for the protocol's
// types (schema) and activity routing (core/activity). That library is
// unmaintained and has known faults, so three of its parts are replaced
// here by thin code of our own: inbound token validation (auth.go), the
// connector client (connector.go) with its client-credentials token
// (credentials.go), and the decoding of mention entities, which its
// schema.Entity drops.
package teams
