// Package slacktest stands in for Slack in tests and local tools that must
// not reach the internet, on both sides of a Slack app: Signer signs
// requests to the app exactly as Slack does (events, interactions, slash
// commands), and Server is a fake Slack Web API on loopback that the real
// slack-go client talks to (slack.OptionAPIURL, or SLACK_API_URL for
// `smart90 serve`), recording every call, and serving Socket Mode's
// WebSocket when asked to.
//
// slack-go's own slacktest package was not used: it answers a fixed set of
// canned payloads built for the retired RTM API, with users and channels it
// chooses, and has no conversations.history with message metadata, no
// external file upload, no views, and no way to fail a method.
//
// It imports nothing from smart90, so the slack adapter's own tests can use
// it.
package slacktest
