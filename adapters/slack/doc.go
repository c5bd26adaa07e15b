// Package slack connects smart90 to Slack: it turns what Slack sends (Events
// API callbacks, interactivity payloads and slash commands, over HTTP or
// Socket Mode) into the core's events after checking they really came from
// Slack, and sends the core's messages back through the Web API as Block Kit,
// so the bot core never sees a Slack type.
//
// Where things are:
//   - adapter.go: Config, the Handler (the core's Respond) and the Store the
//     adapter keeps itself (installations and the inbound EventLog).
//   - http.go: the HTTP transport (/slack/events): verify (verify.go), read,
//     answer. socketmode.go: the same requests over Socket Mode.
//   - dispatch.go: what both transports do with a request: claim it, hand it
//     to the core, settle it (bot.SettleEvent), answer within Slack's 3 s.
//   - respond.go: replies in the DM, modals and the App Home tab, sent with
//     the installation the core's Reply carries.
//   - blocks.go, modal.go: Block Kit rendering of messages and forms, and
//     the time-zone type-ahead (adapters/zones).
//   - messenger.go, users.go, status.go, webapi.go: the Web API messenger
//     (a bot.SentChecker, bot.ProfileReader and bot.StatusReader: statuses
//     from users.profile.get and user_change events) and the one interface
//     of Web API methods it calls, which *slack.Client satisfies.
//   - oauth.go: installs into several workspaces (OAuth v2).
//   - slacktest: signing and a fake Web API for tests.
package slack
