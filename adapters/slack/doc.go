// Package slack connects smart90 to Slack: it turns what Slack sends (Events
// API callbacks, interactivity payloads and slash commands, over HTTP or
// Socket Mode) into the core's events after checking they really came from
// Slack, and sends the core's messages back through the Web API as Block Kit,
// so the bot core never sees a Slack type.
package slack
